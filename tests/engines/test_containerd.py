# containerd (Debian's 1.6) with its runc v2 shim driving the runtime under test: `ctr run
# --runc-binary`, exec, kill, task list, delete, against a daemon the fixture starts with its
# own root, state and sockets.
import time

import pytest

IMAGE = "docker.io/library/busybox:latest"


def wait_for(pred, timeout=15, what="condition"):
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def ctr(containerd, hull_env):
    """ctr(*args) on the module's daemon; `ctr.run_args` select hullc through the runc shim.
    The test's containers are removed afterwards."""
    eng = containerd.ctr
    made = []

    def run(*args, **kw):
        return eng(*args, **kw)

    run.run_args = ["--runtime", "io.containerd.runc.v2", "--runc-binary", containerd.hullc,
                    "--runc-root", str(containerd.runc_root)]
    run.made = made
    run.new_id = lambda: made.append(hull_env.new_id("-ctr")) or made[-1]
    yield run
    for cid in made:
        eng("task", "kill", "-s", "SIGKILL", cid, check=False)
        eng("task", "delete", "--force", cid, check=False)
        eng("containers", "delete", cid, check=False)


def task_status(ctr, cid):
    for line in ctr("task", "ls").stdout.splitlines()[1:]:
        f = line.split()
        if f and f[0] == cid:
            return f[2]
    return None


@pytest.mark.parametrize("code", [0, 3])
def test_run_rm_exit_code(ctr, code):
    cid = ctr.new_id()
    p = ctr("run", "--rm", *ctr.run_args, IMAGE, cid, "sh", "-c", f"echo hi; exit {code}",
            check=False)
    assert p.returncode == code, p
    assert p.stdout == "hi\n"


def test_detached_task_exec_kill_delete(ctr):
    cid = ctr.new_id()
    ctr("run", "-d", *ctr.run_args, IMAGE, cid, "sleep", "1000")
    assert task_status(ctr, cid) == "RUNNING"
    p = ctr("task", "exec", "--exec-id", "e1", cid, "sh", "-c",
            "echo in-exec; cat /proc/1/cmdline; exit 6", check=False)
    assert p.returncode == 6, p
    assert p.stdout.startswith("in-exec\nsleep")
    p = ctr("task", "exec", "--exec-id", "e2", cid, "/no/such/binary", check=False)
    assert p.returncode != 0
    assert "/no/such/binary" in p.stderr
    ps = ctr("task", "ps", cid).stdout
    assert len(ps.splitlines()) >= 2
    ctr("task", "kill", "--signal", "SIGKILL", cid)
    wait_for(lambda: task_status(ctr, cid) == "STOPPED", what="the task to stop")
    ctr("task", "delete", cid)
    assert task_status(ctr, cid) is None
    ctr("containers", "delete", cid)
    assert cid not in ctr("containers", "ls", "-q").stdout.split()


def test_exec_with_tty(ctr, containerd):
    """A terminal goes through --console-socket to the shim; ctr needs a terminal itself."""
    pexpect = pytest.importorskip("pexpect")
    cid = ctr.new_id()
    ctr("run", "-d", *ctr.run_args, IMAGE, cid, "sleep", "1000")
    argv = containerd.ctr.cmd("task", "exec", "--tty", "--exec-id", "t1", cid, "sh")
    child = pexpect.spawn(argv[0], argv[1:], encoding="utf-8", timeout=30,
                          env=containerd.ctr.env_fn())
    try:
        child.expect("# ")
        child.sendline("tty; echo $((5*5))")
        child.expect("/dev/pts/")
        child.expect("25")
        child.sendline("exit 3")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 3


def test_pause_resume(ctr):
    cid = ctr.new_id()
    ctr("run", "-d", *ctr.run_args, IMAGE, cid, "sleep", "1000")
    ctr("task", "pause", cid)
    assert task_status(ctr, cid) == "PAUSED"
    ctr("task", "resume", cid)
    assert task_status(ctr, cid) == "RUNNING"


def test_kill_of_a_stopped_task(ctr):
    cid = ctr.new_id()
    ctr("run", "-d", *ctr.run_args, IMAGE, cid, "true")
    wait_for(lambda: task_status(ctr, cid) == "STOPPED", what="the task to stop")
    # the shim maps the runtime's "container not running" to "process already finished"
    p = ctr("task", "kill", cid, check=False)
    assert "not found" in p.stderr or "finished" in p.stderr or p.returncode == 0, p
    ctr("task", "delete", cid)
