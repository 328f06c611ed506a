# Podman (Debian's 4.3, with conmon) driving the runtime under test through runc's command line:
# create/start/state/kill/delete, exec with a process file, terminals over --console-socket,
# pause/resume, cgroup limits, and the error texts podman reads to pick its exit codes.
import json
import os
import time

import pytest

IMAGE = "docker.io/library/busybox:latest"


def wait_for(pred, timeout=15, what="condition"):
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def name(hull_env):
    return hull_env.new_id("-pm")


def state(podman, cname):
    return podman("inspect", "--format", "{{.State.Status}}", cname).stdout.strip()


@pytest.mark.parametrize("code", [0, 3, 42])
def test_run_rm_exit_code(podman, code):
    p = podman("run", "--rm", *podman.run_args, IMAGE, "sh", "-c", f"echo out; exit {code}",
               check=False)
    assert p.returncode == code, p
    assert p.stdout == "out\n"


def test_run_missing_command_is_127(podman):
    p = podman("run", "--rm", *podman.run_args, IMAGE, "no-such-command", check=False)
    assert p.returncode == 127, p
    assert "no-such-command" in p.stderr


def test_run_not_executable_is_126(podman):
    p = podman("run", "--rm", *podman.run_args, IMAGE, "/etc/passwd", check=False)
    assert p.returncode == 126, p


def test_detached_lifecycle(podman, hull_env):
    c = name(hull_env)
    podman("run", "-d", "--name", c, *podman.run_args, IMAGE, "sh", "-c",
           "echo started; trap 'echo bye; exit 0' TERM; while :; do sleep 0.1; done")
    assert c in podman("ps", "--format", "{{.Names}}").stdout.split()
    wait_for(lambda: "started" in podman("logs", c).stdout, what="the container's output")
    assert state(podman, c) == "running"
    podman("stop", "--time", "10", c)
    assert state(podman, c) == "exited"
    assert "bye" in podman("logs", c).stdout
    assert podman("inspect", "--format", "{{.State.ExitCode}}", c).stdout.strip() == "0"
    podman("rm", c)
    assert c not in podman("ps", "-a", "--format", "{{.Names}}").stdout.split()


def test_exec(podman, hull_env):
    c = name(hull_env)
    podman("run", "-d", "--name", c, *podman.run_args, IMAGE, "sleep", "1000")
    p = podman("exec", c, "sh", "-c", "echo in-exec; cat /proc/1/cmdline; exit 6", check=False)
    assert p.returncode == 6, p
    assert p.stdout.startswith("in-exec\nsleep")
    p = podman("exec", "--user", "1000:1000", "--workdir", "/tmp", "--env", "X=y", c, "sh",
               "-c", "id -u; pwd; echo $X")
    assert p.stdout.split() == ["1000", "/tmp", "y"]
    p = podman("exec", c, "no-such-command", check=False)
    assert p.returncode == 127, p
    p = podman("exec", "--detach", c, "sleep", "999")
    assert "sleep 999" in podman("top", c, "args").stdout
    podman("rm", "--force", "--time", "0", c)


def test_run_interactive_tty(podman, hull_env):
    pexpect = pytest.importorskip("pexpect")
    c = name(hull_env)
    cmd = podman.cmd("run", "-it", "--rm", "--name", c, *podman.run_args, IMAGE, "sh")
    child = pexpect.spawn(cmd[0], cmd[1:], encoding="utf-8", timeout=30, env=podman.env_fn())
    child.setwinsize(27, 83)
    try:
        child.expect("# ")
        child.sendline("tty; stty size; echo $((6*7))")
        child.expect("/dev/pts/0")
        child.expect("27 83")
        child.expect("42")
        child.sendline("exit 4")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 4


def test_exec_interactive_tty(podman, hull_env):
    pexpect = pytest.importorskip("pexpect")
    c = name(hull_env)
    podman("run", "-d", "--name", c, *podman.run_args, IMAGE, "sleep", "1000")
    cmd = podman.cmd("exec", "-it", c, "sh")
    child = pexpect.spawn(cmd[0], cmd[1:], encoding="utf-8", timeout=30, env=podman.env_fn())
    try:
        child.expect("# ")
        child.sendline("tty; echo $((7*7))")
        child.expect("/dev/pts/")
        child.expect("49")
        child.sendline("exit 2")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 2
    podman("rm", "--force", "--time", "0", c)


def cgroup_dir(podman, c, controller):
    pid = int(podman("inspect", "--format", "{{.State.Pid}}", c).stdout)
    with open(f"/proc/{pid}/cgroup") as f:
        for line in f:
            _, ctls, path = line.rstrip("\n").split(":", 2)
            if controller in ctls.split(","):
                return f"/sys/fs/cgroup/{controller}{path}"
            if ctls == "" and os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
                return f"/sys/fs/cgroup{path}"
    pytest.fail(f"no {controller} cgroup for {c}")


def test_memory_and_pids_limits(podman, hull_env):
    c = name(hull_env)
    podman("run", "-d", "--name", c, *podman.run_args, "--memory", "64m", "--pids-limit", "50",
           IMAGE, "sleep", "1000")
    mem = cgroup_dir(podman, c, "memory")
    v2 = os.path.exists("/sys/fs/cgroup/cgroup.controllers")
    with open(os.path.join(mem, "memory.max" if v2 else "memory.limit_in_bytes")) as f:
        assert int(f.read()) == 64 << 20
    with open(os.path.join(cgroup_dir(podman, c, "pids"), "pids.max")) as f:
        assert f.read().strip() == "50"
    # the limit holds: a fork bomb stops at 50 processes
    p = podman("exec", c, "sh", "-c", "for i in $(seq 60); do sleep 30 & done; wait",
               check=False, timeout=60)
    assert "fork" in p.stderr.lower() or "resource" in p.stderr.lower() or p.returncode != 0
    podman("rm", "--force", "--time", "0", c)


def test_pause_unpause(podman, hull_env):
    c = name(hull_env)
    podman("run", "-d", "--name", c, *podman.run_args, IMAGE, "sleep", "1000")
    podman("pause", c)
    assert state(podman, c) == "paused"
    p = podman("exec", c, "true", check=False)
    assert p.returncode != 0
    podman("unpause", c)
    assert state(podman, c) == "running"
    podman("exec", c, "true")
    podman("rm", "--force", "--time", "0", c)


def test_kill_and_exit_code(podman, hull_env):
    c = name(hull_env)
    podman("run", "-d", "--name", c, *podman.run_args, IMAGE, "sh", "-c",
           "sleep 1000 & wait")
    podman("kill", "--signal", "KILL", c)
    wait_for(lambda: state(podman, c) == "exited", what="the container to exit")
    assert podman("inspect", "--format", "{{.State.ExitCode}}", c).stdout.strip() == "137"
    # kill of a stopped container is an error podman words itself, not a hang
    p = podman("kill", c, check=False)
    assert p.returncode != 0
    podman("rm", c)
