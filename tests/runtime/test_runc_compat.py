# The parts of runc's interface engines rely on beyond the lifecycle verbs: `features`, --log
# JSON lines, kill/delete of containers whose process is gone, a create that crashed, systemd
# socket activation (LISTEN_FDS), and the commands hullc only names (checkpoint, restore).
import json
import os
import signal
import subprocess
import time

import pytest


def test_features_document(runtime):
    f = runtime("features").json()
    assert f["ociVersionMin"].startswith("1.")
    assert f["ociVersionMax"].startswith("1.")
    for hook in ("prestart", "createRuntime", "createContainer", "startContainer",
                 "poststart", "poststop"):
        assert hook in f["hooks"]
    assert "rbind" in f["mountOptions"] and "ro" in f["mountOptions"]
    lx = f["linux"]
    for ns in ("cgroup", "ipc", "mount", "network", "pid", "user", "uts"):
        assert ns in lx["namespaces"]
    assert "CAP_SYS_ADMIN" in lx["capabilities"]
    assert lx["seccomp"]["enabled"] is True
    assert "SCMP_ACT_ERRNO" in lx["seccomp"]["actions"]
    assert "SCMP_CMP_MASKED_EQ" in lx["seccomp"]["operators"]
    assert "SCMP_ARCH_X86_64" in lx["seccomp"]["archs"]
    known = lx["seccomp"].get("knownFlags", [])
    assert set(lx["seccomp"].get("supportedFlags", [])) <= set(known)
    assert "v1" in lx["cgroup"] and "v2" in lx["cgroup"]


@pytest.mark.hullc_only
def test_features_what_hullc_does_not_do(runtime):
    lx = runtime("features").json()["linux"]
    assert lx["cgroup"]["systemd"] is False
    assert lx["mountExtensions"]["idmap"]["enabled"] is False
    assert "time" in lx["namespaces"]
    assert "io.github.seccomp.libseccomp.version" in runtime("features").json()["annotations"]


@pytest.mark.parametrize("cmd", ["exec", "features", "checkpoint", "restore"])
def test_help(runtime, cmd):
    out = runtime(cmd, "--help").check().out
    assert out.startswith("NAME:") and cmd in out


@pytest.mark.hullc_only
@pytest.mark.parametrize("cmd", ["checkpoint", "restore"])
def test_checkpoint_restore_fail_clearly(runtime, hull_env, cmd):
    res = runtime(cmd, hull_env.new_id())
    runtime.assert_error(res, hullc=[f"{cmd} is not supported"])


def test_log_json_lines(runtime, hull_env):
    log = hull_env.tmp / "log.json"
    res = runtime("kill", hull_env.new_id(), "KILL",
                  global_args=("--log", log, "--log-format", "json"))
    res.fails()
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    errors = [x for x in lines if x["level"] == "error"]
    assert errors, lines
    assert "does not exist" in errors[-1]["msg"]
    assert set(errors[-1]) >= {"level", "msg", "time"}


@pytest.mark.hullc_only
def test_systemd_cgroup_is_accepted(runtime, bundle):
    """No systemd on these machines: hullc warns and uses cgroupfs (runc refuses)."""
    b = bundle(args=["true"])
    runtime.run(b, None, global_args=("--systemd-cgroup",)).check()


def test_kill_of_a_stopped_container(runtime, bundle, hull_env):
    """containerd's shim and podman recognise runc's "container not running"."""
    b = bundle(args=["true"])
    cid = hull_env.new_id()
    runtime.create(b, cid).check()
    try:
        runtime("start", cid).check()
        runtime.wait_status(cid, "stopped")
        res = runtime("kill", cid, "TERM")
        runtime.assert_error(res, common=["container not running"])
    finally:
        runtime("delete", "--force", cid)


def test_delete_when_the_process_is_already_gone(runtime, bundle, hull_env):
    b = bundle(args=["sleep", "1000"])
    cid = hull_env.new_id()
    runtime.create(b, cid).check()
    runtime("start", cid).check()
    pid = runtime.state(cid)["pid"]
    os.kill(pid, signal.SIGKILL)  # from outside, as an OOM kill would
    runtime.wait_status(cid, "stopped")
    runtime("delete", cid).check()
    runtime("state", cid).fails()


@pytest.mark.hullc_only
def test_state_of_a_create_that_crashed(runtime, hull_env):
    """A hullc killed during create leaves a state directory without state.json: state says
    so clearly, list skips it, delete removes it."""
    cid = hull_env.new_id()
    (hull_env.root / cid).mkdir(mode=0o700)
    res = runtime("state", cid)
    runtime.assert_error(res, hullc=[cid])
    assert cid not in runtime("list", "--format", "json").out
    runtime("delete", cid).check()
    assert not (hull_env.root / cid).exists()


@pytest.mark.hullc_only
def test_create_killed_midway_leaves_a_deletable_container(runtime, bundle, hull_env):
    b = bundle(args=["sleep", "1000"])
    # a createRuntime hook that never ends holds create in the middle
    b.config["hooks"] = {"createRuntime": [{"path": "/bin/sleep", "args": ["sleep", "100"]}]}
    cid = hull_env.new_id()
    b.save()
    p = runtime.popen("create", "--bundle", b.dir, cid)
    deadline = time.monotonic() + 10
    while not (hull_env.root / cid).exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)
    p.kill()
    # the init notices its parent is gone and exits; nothing is left running
    res = runtime("delete", "--force", cid)
    res.check()
    runtime("state", cid).fails()


def test_run_passes_listen_fds(runtime, bundle, hull_env):
    """systemd socket activation: LISTEN_FDS fds from 3 reach the container's process with
    LISTEN_FDS set for it."""
    b = bundle()
    out = b.out_dir()
    b.args = ["sh", "-c", "echo $LISTEN_FDS $LISTEN_PID > /out/env; echo via-fd3 >&3"]
    b.save()
    target = hull_env.tmp / "fd3"
    cid = hull_env.new_id()
    script = ("import os,sys; fd=os.open(sys.argv[1], os.O_WRONLY|os.O_CREAT, 0o644); "
              "os.dup2(fd, 3); os.set_inheritable(3, True); os.environ['LISTEN_FDS']='1'; "
              "os.environ['LISTEN_PID']=str(os.getpid()); os.execv(sys.argv[2], sys.argv[2:])")
    cmd = ["/usr/bin/python3", "-c", script, str(target)] + runtime.cmd(
        ["run", "--bundle", b.dir, cid])
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=30, env=hull_env.proc_env())
    assert p.returncode == 0, p
    assert (out / "env").read_text().split() == ["1", "1"]
    assert target.read_text() == "via-fd3\n"
