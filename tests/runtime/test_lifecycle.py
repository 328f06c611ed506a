# create -> start -> kill -> delete as an engine drives it, with the state JSON at each step;
# --pid-file, --root isolation, list, delete --force, concurrent create/delete.
import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

ANNOTATIONS = {"org.hull.test": "lifecycle", "com.example.empty": ""}


def wait_for(pred, timeout=10, what="condition"):
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


def alive(pid):
    """True while PID exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def sleeper(bundle, out=True):
    b = bundle()
    host_out = b.out_dir() if out else None
    b.args = ["sh", "-c", "echo started > /out/started; exec sleep 1000"] if out else \
        ["sleep", "1000"]
    return b, host_out


def test_full_lifecycle(runtime, bundle, hull_env):
    b, out = sleeper(bundle)
    b.config["annotations"] = dict(ANNOTATIONS)
    cid = hull_env.new_id()
    pid_file = hull_env.tmp / "container.pid"

    runtime.create(b, cid, "--pid-file", pid_file).check()
    st = runtime.state(cid)
    assert st["ociVersion"].startswith("1.")
    assert st["id"] == cid
    assert st["status"] == "created"
    pid = st["pid"]
    assert isinstance(pid, int) and pid > 0 and alive(pid)
    assert st["bundle"] == str(b.dir)
    assert st.get("annotations") == ANNOTATIONS
    assert int(pid_file.read_text()) == pid
    # The user's program has not started: it waits for `start`.
    time.sleep(0.3)
    assert not (out / "started").exists()
    assert runtime.state(cid)["status"] == "created"

    runtime("start", cid).check()
    wait_for(lambda: (out / "started").exists(), what="the program to start")
    st = runtime.state(cid)
    assert st["status"] == "running" and st["pid"] == pid and st["id"] == cid
    assert st.get("annotations") == ANNOTATIONS
    wait_for(lambda: open(f"/proc/{pid}/cmdline", "rb").read() == b"sleep\x001000\x00",
             what="the program to exec")
    # start is for created containers only.
    runtime("start", cid).fails()

    runtime("kill", cid, "KILL").check()
    runtime.wait_status(cid, "stopped")
    st = runtime.state(cid)
    assert st["id"] == cid and st["bundle"] == str(b.dir)
    assert not alive(pid)

    runtime("delete", cid).check()
    runtime("state", cid).fails()
    assert not (hull_env.root / cid).exists()


def test_create_does_not_start_the_program(runtime, bundle, hull_env):
    b, out = sleeper(bundle)
    cid = hull_env.new_id()
    runtime.create(b, cid).check()
    time.sleep(0.5)
    assert not (out / "started").exists()
    # kill and delete of a container that never started
    runtime("delete", "--force", cid).check()
    assert not (out / "started").exists()
    runtime("state", cid).fails()


def test_kill_created_container(runtime, bundle, hull_env):
    b, out = sleeper(bundle)
    cid = hull_env.new_id()
    runtime.create(b, cid).check()
    runtime("kill", cid, "KILL").check()
    runtime.wait_status(cid, "stopped")
    runtime("start", cid).fails()
    runtime("delete", cid).check()
    assert not (out / "started").exists()


@pytest.mark.parametrize("sig", ["KILL", "SIGKILL", "9"])
def test_kill_signal_forms(runtime, bundle, hull_env, sig):
    b, _ = sleeper(bundle, out=False)
    cid = hull_env.new_id()
    runtime.create(b, cid).check()
    runtime("start", cid).check()
    runtime("kill", cid, sig).check()
    runtime.wait_status(cid, "stopped")
    runtime("delete", cid).check()


def test_kill_default_is_sigterm(runtime, bundle, hull_env):
    b = bundle()
    out = b.out_dir()
    b.args = ["sh", "-c", "trap 'echo term > /out/got; exit 0' TERM; echo > /out/ready; "
              "sleep 1000 & wait"]
    cid = hull_env.new_id()
    runtime.run(b, cid, "--detach").check()
    wait_for(lambda: (out / "ready").exists(), what="the trap")
    runtime("kill", cid).check()
    runtime.wait_status(cid, "stopped")
    assert (out / "got").read_text().strip() == "term"
    runtime("delete", cid).check()


def test_pid_file_with_run_detach(runtime, bundle, hull_env):
    b, _ = sleeper(bundle, out=False)
    cid = hull_env.new_id()
    pid_file = hull_env.tmp / "run.pid"
    runtime.run(b, cid, "--detach", "--pid-file", pid_file).check()
    st = runtime.state(cid)
    assert st["status"] == "running"
    assert int(pid_file.read_text()) == st["pid"]
    runtime("delete", "--force", cid).check()


def test_delete_running_needs_force(runtime, bundle, hull_env):
    b, _ = sleeper(bundle, out=False)
    cid = hull_env.new_id()
    runtime.run(b, cid, "-d").check()
    pid = runtime.state(cid)["pid"]
    runtime("delete", cid).fails()
    assert runtime.status(cid) == "running" and alive(pid)
    runtime("delete", "--force", cid).check()
    runtime("state", cid).fails()
    wait_for(lambda: not alive(pid), timeout=5, what="the container's process to die")
    assert not (hull_env.root / cid).exists()


def test_delete_force_created(runtime, bundle, hull_env):
    b, _ = sleeper(bundle, out=False)
    cid = hull_env.new_id()
    runtime.create(b, cid).check()
    pid = runtime.state(cid)["pid"]
    runtime("delete", "--force", cid).check()
    runtime("state", cid).fails()
    wait_for(lambda: not alive(pid), timeout=5, what="the init process to die")


def test_root_isolation(runtime, bundle, hull_env):
    b, _ = sleeper(bundle, out=False)
    root2 = hull_env.new_root()
    a, c = hull_env.new_id(), hull_env.new_id()
    runtime.create(b, a).check()
    runtime.create(b, c, root=root2).check()
    assert runtime("list", "-q").check().out.split() == [a]
    assert runtime("list", "-q", root=root2).check().out.split() == [c]
    runtime("state", c).fails()
    runtime("state", a, root=root2).fails()
    runtime("delete", "--force", c)  # runc: rc 0 for a missing id with --force
    runtime("delete", "--force", a).check()
    assert runtime.status(c, root=root2) == "created"
    runtime("delete", "--force", c, root=root2).check()


def test_list_formats(runtime, bundle, hull_env):
    assert runtime("list", "-q").check().out.strip() == ""
    b, _ = sleeper(bundle, out=False)
    b.config["annotations"] = dict(ANNOTATIONS)
    created, running = hull_env.new_id(), hull_env.new_id()
    runtime.create(b, created).check()
    runtime.run(b, running, "-d").check()

    assert sorted(runtime("list", "-q").check().out.split()) == sorted([created, running])

    table = runtime("list").check().out.splitlines()
    assert table[0].split()[:4] == ["ID", "PID", "STATUS", "BUNDLE"]
    rows = {line.split()[0]: line.split() for line in table[1:] if line.strip()}
    assert rows[created][2] == "created" and rows[running][2] == "running"
    assert rows[running][3] == str(b.dir)

    entries = {e["id"]: e for e in json.loads(runtime("list", "--format", "json").check().out)}
    assert set(entries) == {created, running}
    for cid, status in ((created, "created"), (running, "running")):
        e = entries[cid]
        assert e["status"] == status
        assert e["pid"] == runtime.state(cid)["pid"] > 0
        assert e["bundle"] == str(b.dir)
    for cid in (created, running):
        runtime("delete", "--force", cid).check()
    assert runtime("list", "-q").check().out.strip() == ""


def test_concurrent_create_delete(runtime, bundle, hull_env):
    b, _ = sleeper(bundle, out=False)
    b.save()
    ids = [hull_env.new_id() for _ in range(10)]

    def cycle(cid):
        results = [runtime("create", "--bundle", b.dir, cid)]
        results.append(runtime("state", cid))
        results.append(runtime("delete", "--force", cid))
        return cid, results

    with ThreadPoolExecutor(len(ids)) as pool:
        for cid, results in pool.map(cycle, ids):
            for res in results:
                res.check()
            assert json.loads(results[1].out)["id"] == cid
    assert runtime("list", "-q").check().out.strip() == ""


def test_concurrent_lifecycles_share_the_cgroup_parent(runtime, bundle, hull_env):
    """Creates and deletes racing on the shared default cgroup parent (made by the first
    create, removed by the last delete): on v1 a cpuset made by one create and not yet filled
    in must not make another create fail to join it. Several rounds to hit the window."""
    b, _ = sleeper(bundle, out=False)
    b.save()

    def cycles(n):
        out = []
        for _ in range(8):
            cid = hull_env.new_id()
            out.append(runtime("create", "--bundle", b.dir, cid))
            out.append(runtime("delete", "--force", cid))
        return out

    with ThreadPoolExecutor(8) as pool:
        for results in pool.map(cycles, range(8)):
            for res in results:
                res.check()
    assert runtime("list", "-q").check().out.strip() == ""


def test_state_of_unknown_container(runtime, hull_env):
    runtime("state", hull_env.new_id()).fails()
    runtime("kill", hull_env.new_id(), "KILL").fails()
    runtime("start", hull_env.new_id()).fails()
    runtime("delete", hull_env.new_id()).fails()


def test_status_follows_the_process(runtime, bundle, hull_env):
    """The status is derived from the process, not trusted from a file: a container whose
    process dies by itself is 'stopped' without any runtime command in between."""
    b = bundle(args=["sh", "-c", "sleep 0.3"])
    cid = hull_env.new_id()
    runtime.run(b, cid, "-d").check()
    pid = runtime.state(cid)["pid"]
    wait_for(lambda: not alive(pid), what="the container to exit")
    runtime.wait_status(cid, "stopped", timeout=5)
    runtime("delete", cid).check()
    runtime("state", cid).fails()
