# `run`: exit codes (128+signal when killed), signals forwarded to the container, detached runs,
# and many containers at once.
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import pytest


def wait_for(pred, timeout=10, what="condition"):
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


@pytest.mark.parametrize("code", [0, 1, 3, 42, 255])
def test_exit_code(runtime, bundle, hull_env, code):
    res = runtime.run(bundle(args=["sh", "-c", f"exit {code}"]))
    res.check(code)
    # run deletes the container once it has exited
    assert not [p for p in hull_env.root.iterdir() if p.is_dir()]


def test_exit_code_of_a_command_that_fails(runtime, bundle):
    res = runtime.run(bundle(args=["ls", "/no-such-dir"]))
    res.check(1)
    assert "no-such-dir" in res.err


def test_killed_by_sigkill_is_137(runtime, bundle, hull_env):
    b = bundle(args=["sleep", "1000"])
    cid = hull_env.new_id()
    p = runtime.run_bg(b, cid)
    runtime.wait_status(cid, "running")
    runtime("kill", cid, "KILL").check()
    p.wait().check(137)
    runtime("state", cid).fails()


def trap_bundle(bundle, traps):
    b = bundle()
    out = b.out_dir()
    handlers = "; ".join(f"trap 'exit {code}' {sig}" for sig, code in traps.items())
    b.args = ["sh", "-c", f"{handlers}; echo > /out/ready; sleep 1000 & wait"]
    return b, out


@pytest.mark.parametrize("sig,code", [(signal.SIGTERM, 42), (signal.SIGUSR1, 43),
                                      (signal.SIGHUP, 44)], ids=["TERM", "USR1", "HUP"])
def test_run_forwards_signals(runtime, bundle, hull_env, sig, code):
    b, out = trap_bundle(bundle, {"TERM": 42, "USR1": 43, "HUP": 44})
    cid = hull_env.new_id()
    p = runtime.run_bg(b, cid)
    wait_for(lambda: (out / "ready").exists() or p.poll() is not None, what="the container")
    assert p.poll() is None, p.wait()
    p.signal(sig)
    p.wait().check(code)


def test_signal_to_a_handler_less_pid1_then_kill(runtime, bundle, hull_env):
    """A container's pid 1 ignores signals it has no handler for; run keeps waiting and still
    reports 137 when the container is killed."""
    b = bundle()
    out = b.out_dir()
    b.args = ["sh", "-c", "echo > /out/ready; exec sleep 1000"]
    cid = hull_env.new_id()
    p = runtime.run_bg(b, cid)
    wait_for(lambda: (out / "ready").exists(), what="the container")
    p.signal(signal.SIGUSR2)
    time.sleep(0.3)
    assert p.poll() is None, p.wait()
    assert runtime.status(cid) == "running"
    runtime("kill", cid, "KILL").check()
    p.wait().check(137)


def test_kill_a_detached_run(runtime, bundle, hull_env):
    b = bundle(args=["sleep", "1000"])
    cid = hull_env.new_id()
    res = runtime.run(b, cid, "--detach").check()
    assert res.out == ""
    st = runtime.state(cid)
    assert st["status"] == "running"
    runtime("kill", cid, "SIGKILL").check()
    runtime.wait_status(cid, "stopped")
    runtime("delete", cid).check()
    runtime("state", cid).fails()


def test_detached_run_exits_by_itself(runtime, bundle, hull_env):
    b = bundle(args=["true"])
    cid = hull_env.new_id()
    runtime.run(b, cid, "-d").check()
    runtime.wait_status(cid, "stopped")
    runtime("delete", cid).check()


def test_twenty_containers_at_once(runtime, bundle, hull_env):
    b = bundle()
    b.args = ["sh", "-c", 'echo "$HULL_TEST $$ $(hostname)"']
    b.save()
    ids = [hull_env.new_id() for _ in range(20)]

    def one(cid):
        return runtime("run", "--bundle", b.dir, cid, timeout=60)

    with ThreadPoolExecutor(len(ids)) as pool:
        results = list(pool.map(one, ids))
    for res in results:
        res.check()
        assert res.out.split() == [hull_env.tag, "1", "hull-test"], res
    assert not [p for p in hull_env.root.iterdir() if p.is_dir()]


def test_twenty_detached_containers(runtime, bundle, hull_env):
    b = bundle(args=["sleep", "1000"])
    b.save()
    ids = [hull_env.new_id() for _ in range(20)]
    with ThreadPoolExecutor(len(ids)) as pool:
        for res in pool.map(lambda cid: runtime("run", "-d", "--bundle", b.dir, cid), ids):
            res.check()
    assert sorted(runtime("list", "-q").check().out.split()) == sorted(ids)
    pids = {runtime.state(cid)["pid"] for cid in ids}
    assert len(pids) == 20
    with ThreadPoolExecutor(len(ids)) as pool:
        for res in pool.map(lambda cid: runtime("delete", "--force", cid), ids):
            res.check()
    assert runtime("list", "-q").check().out.strip() == ""
    for pid in pids:
        wait_for(lambda: not os.path.exists(f"/proc/{pid}/cmdline") or
                 open(f"/proc/{pid}/cmdline", "rb").read() != b"sleep\x001000\x00",
                 timeout=5, what=f"process {pid} to die")
