# `exec`: a new process joins every namespace, the cgroup and the root of a running container,
# with the container's process attributes changed by the options (or exactly --process);
# its exit code comes back; bad input gives one clear error and exit 255 (as runc).
import json
import os
import signal
import subprocess
import time

import pytest


def wait_for(pred, timeout=10, what="condition"):
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


@pytest.fixture
def running(runtime, bundle, hull_env):
    """start(bundle=None) -> id of a running container whose init sleeps."""
    started = []

    def start(b=None, args=("sleep", "1000")):
        b = b or bundle()
        b.args = list(args)
        cid = hull_env.new_id()
        runtime.create(b, cid).check()
        runtime("start", cid).check()
        started.append(cid)
        return cid

    yield start
    for cid in started:
        runtime("delete", "--force", cid)


def init_pid(runtime, cid):
    return runtime.state(cid)["pid"]


def ns_of(pid):
    out = {}
    for name in ("pid", "net", "ipc", "uts", "mnt", "cgroup"):
        out[name] = os.readlink(f"/proc/{pid}/ns/{name}")
    return out


def test_exec_exit_code_and_output(runtime, running):
    cid = running()
    res = runtime("exec", cid, "sh", "-c", "echo out; echo err >&2; exit 7")
    res.check(7)
    assert res.out == "out\n"
    assert "err" in res.err


def test_exec_joins_every_namespace_and_the_cgroup(runtime, running, hull_env):
    cid = running()
    pid = init_pid(runtime, cid)
    pidfile = hull_env.tmp / "exec.pid"
    runtime("exec", "--detach", "--pid-file", pidfile, cid, "sleep", "1000").check()
    xpid = int(pidfile.read_text())
    try:
        assert ns_of(xpid) == ns_of(pid)
        with open(f"/proc/{pid}/cgroup") as a, open(f"/proc/{xpid}/cgroup") as b:
            assert a.read() == b.read()
        assert os.readlink(f"/proc/{xpid}/root") == os.readlink(f"/proc/{pid}/root")
        # in the container's pid namespace it is not pid 1, and a child of nothing we know
        with open(f"/proc/{xpid}/status") as f:
            nspid = [line.split()[1:] for line in f if line.startswith("NSpid:")][0]
        assert len(nspid) == 2 and nspid[1] != "1"
    finally:
        os.kill(xpid, signal.SIGKILL)


def test_exec_sees_the_container(runtime, running):
    cid = running()
    res = runtime("exec", cid, "sh", "-c", "hostname; cat /proc/1/cmdline | tr '\\0' ' '; echo; "
                  "ls /proc | grep -c '^[0-9]'")
    lines = res.check().out.split("\n")
    assert lines[0] == "hull-test"
    assert lines[1].strip() == "sleep 1000"
    # init, sh, ls, grep: nothing of the host
    assert int(lines[2]) <= 5


def test_exec_env_cwd_user(runtime, running):
    cid = running()
    res = runtime("exec", "--env", "FOO=bar", "--env", "BAZ=qux", "--cwd", "/tmp", "-u", "1000:100",
                  "--additional-gids", "10", cid, "sh", "-c", 'echo $FOO $BAZ; pwd; id -u; id -g;'
                  ' id -G')
    out = res.check().out.split("\n")
    assert out[0] == "bar qux"
    assert out[1] == "/tmp"
    assert out[2:4] == ["1000", "100"]
    assert "10" in out[4].split()


def test_exec_keeps_the_container_env(runtime, bundle, running):
    b = bundle()
    b.process["env"] = b.process.get("env", []) + ["FROM_CONFIG=yes"]
    cid = running(b)
    out = runtime("exec", cid, "sh", "-c", "echo $FROM_CONFIG $PATH").check().out
    assert out.startswith("yes /")


def test_exec_process_file(runtime, running, hull_env):
    cid = running()
    proc = {
        "terminal": False,
        "user": {"uid": 1000, "gid": 1000},
        "args": ["sh", "-c", "echo $ONLY; id -u; pwd; exit 4"],
        "env": ["PATH=/bin", "ONLY=from-file"],
        "cwd": "/tmp",
    }
    path = hull_env.tmp / "process.json"
    path.write_text(json.dumps(proc))
    res = runtime("exec", "--process", path, cid)
    res.check(4)
    assert res.out.split("\n")[:3] == ["from-file", "1000", "/tmp"]


def test_exec_capabilities(runtime, bundle, running):
    b = bundle()
    caps = ["CAP_KILL", "CAP_NET_BIND_SERVICE"]
    b.process["capabilities"] = {k: list(caps) for k in
                                 ("bounding", "effective", "permitted")}
    cid = running(b)

    def capeff(*extra):
        out = runtime("exec", *extra, cid, "grep", "CapEff", "/proc/self/status").check().out
        return int(out.split()[1], 16)

    assert capeff() == (1 << 5) | (1 << 10)
    assert capeff("--cap", "CAP_CHOWN") == (1 << 0) | (1 << 5) | (1 << 10)


def test_exec_no_new_privs(runtime, bundle, running):
    b = bundle()
    b.process["noNewPrivileges"] = False
    cid = running(b)
    get = ["grep", "NoNewPrivs", "/proc/self/status"]
    assert runtime("exec", cid, *get).check().out.split()[1] == "0"
    assert runtime("exec", "--no-new-privs", cid, *get).check().out.split()[1] == "1"


@pytest.mark.hullc_only
def test_exec_forwards_signals(runtime, running):
    """(runc 1.1's exec'd shell never runs its TERM trap here.)"""
    cid = running()
    p = runtime.popen("exec", cid, "sh", "-c", "trap 'exit 42' TERM; echo ready; sleep 1000 & "
                      "wait")

    def ready():
        p._out.seek(0)
        return b"ready" in p._out.read()

    wait_for(ready, what="the exec'd shell")
    p.signal(signal.SIGTERM)
    p.wait().check(42)


def test_exec_killed_process_is_128_plus_signal(runtime, running):
    cid = running()
    runtime("exec", cid, "sh", "-c", "kill -9 $$").check(137)


def test_exec_into_a_created_container(runtime, bundle, hull_env):
    b = bundle(args=["sleep", "1000"])
    cid = hull_env.new_id()
    runtime.create(b, cid).check()
    try:
        runtime("exec", cid, "true").check()
    finally:
        runtime("delete", "--force", cid)


def test_exec_preserve_fds(runtime, running, hull_env):
    cid = running()
    target = hull_env.tmp / "fd3"
    # fd 3 (stdio + 1 preserved) reaches the process; fd 4 was not asked for and is closed
    script = 'exec "$@" 3>"$0" 4</dev/null'
    cmd = ["/bin/sh", "-c", script, str(target)] + runtime.cmd(
        ["exec", "--preserve-fds", "1", cid, "sh", "-c",
         # stat only: a pipeline or a glob would open fds of the shell's own while it looks
         "echo through-fd3 >&3; for n in 3 4; do [ -e /proc/$$/fd/$n ] && echo has$n; done; true"])
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=30, env=hull_env.proc_env())
    assert p.returncode == 0, p
    fds = p.stdout.split()
    assert "has3" in fds and "has4" not in fds, p.stdout
    assert target.read_text() == "through-fd3\n"


@pytest.mark.hullc_only
def test_exec_listen_fds(runtime, running, hull_env):
    """Socket activation: LISTEN_FDS meant for hullc go on to the process, renumbered from 3,
    with LISTEN_FDS set for it (runc does the same)."""
    cid = running()
    r, w = os.pipe()
    script = ("import os,sys; os.dup2(%d, 3); os.set_inheritable(3, True); "
              "os.environ['LISTEN_FDS']='1'; os.environ['LISTEN_PID']=str(os.getpid()); "
              "os.execv(sys.argv[1], sys.argv[1:])" % w)
    cmd = ["/usr/bin/python3", "-c", script] + runtime.cmd(
        ["exec", cid, "sh", "-c", "echo $LISTEN_FDS >&3"])
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=30, env=hull_env.proc_env(),
                       pass_fds=(w,))
    os.close(w)
    assert p.returncode == 0, p
    assert os.read(r, 100) == b"1\n"
    os.close(r)


@pytest.mark.hullc_only
def test_exec_sub_cgroup(runtime, running):
    cid = running()
    # the container makes a sub-cgroup of its pids cgroup, exec enters it
    pid = init_pid(runtime, cid)
    with open(f"/proc/{pid}/cgroup") as f:
        line = [x for x in f.read().splitlines() if ":pids:" in x or x.startswith("0::")][0]
    ctl, path = line.split(":")[1], line.split(":")[2]
    base = "/sys/fs/cgroup/pids" if ctl == "pids" else "/sys/fs/cgroup"
    sub = f"{base}{path}/sub"
    os.mkdir(sub)
    try:
        spec = f"pids:sub" if ctl == "pids" else "sub"
        out = runtime("exec", "--cgroup", spec, cid, "cat", "/proc/self/cgroup").check().out
        assert any(x.endswith("/sub") for x in out.splitlines()), out
        runtime("exec", "--cgroup", "pids:nosuch", cid, "true").check(255)
    finally:
        wait_for(lambda: not open(f"{sub}/cgroup.procs").read().strip(), what="sub empty")
        os.rmdir(sub)


# ---- bad input


def test_exec_missing_binary(runtime, running):
    cid = running()
    res = runtime("exec", cid, "/no/such/binary")
    assert res.rc == 255, res
    runtime.assert_error(res, common=["/no/such/binary"], hullc=["exec failed"])
    res = runtime("exec", cid, "nosuchcmd")
    assert res.rc == 255, res
    runtime.assert_error(res, common=["nosuchcmd", "not found"])
    assert runtime.status(cid) == "running"


def test_exec_bad_user(runtime, running):
    cid = running()
    res = runtime("exec", "-u", "nobody-by-name", cid, "true")
    res.fails()
    runtime.assert_error(res, hullc=["--user", "nobody-by-name"])
    assert runtime.status(cid) == "running"


def test_exec_nonexistent_container(runtime, hull_env):
    res = runtime("exec", hull_env.new_id(), "true")
    runtime.assert_error(res, common=["does not exist"])


def test_exec_stopped_container(runtime, bundle, hull_env):
    b = bundle(args=["true"])
    cid = hull_env.new_id()
    runtime.create(b, cid).check()
    try:
        runtime("start", cid).check()
        runtime.wait_status(cid, "stopped")
        res = runtime("exec", cid, "true")
        runtime.assert_error(res, common=["stopped"])
    finally:
        runtime("delete", "--force", cid)


def test_exec_paused_container(runtime, running):
    cid = running()
    if runtime("pause", cid).rc != 0:
        pytest.skip("pause is not available")
    try:
        res = runtime("exec", cid, "true")
        runtime.assert_error(res, common=["paused"])
    finally:
        runtime("resume", cid).check()
    runtime("exec", cid, "true").check()


def test_exec_without_command(runtime, running):
    cid = running()
    res = runtime("exec", cid)
    res.fails()


def test_exec_console_socket_that_does_not_exist(runtime, running, hull_env):
    cid = running()
    res = runtime("exec", "-d", "-t", "--console-socket", hull_env.tmp / "nope.sock", cid,
                  "true")
    runtime.assert_error(res, common=["nope.sock"])
    assert runtime.status(cid) == "running"


def test_exec_detached_tty_needs_a_console_socket(runtime, running):
    cid = running()
    res = runtime("exec", "-d", "-t", cid, "true")
    res.fails()
    assert "console" in res.err.lower()


@pytest.mark.hullc_only
def test_exec_fallback_without_pidfd_setns(runtime, running, hull_env, monkeypatch):
    """Kernels before 5.8 cannot setns() on a pidfd: the namespace fds opened beforehand are
    joined one by one."""
    cid = running()
    monkeypatch.setenv("HULL_TEST_DISABLE", "setns_pidfd")
    pid = init_pid(runtime, cid)
    pidfile = hull_env.tmp / "p"
    runtime("exec", "-d", "--pid-file", pidfile, cid, "sleep", "100").check()
    xpid = int(pidfile.read_text())
    try:
        assert ns_of(xpid) == ns_of(pid)
    finally:
        os.kill(xpid, signal.SIGKILL)


def test_exec_gets_the_seccomp_filter(runtime, bundle, running):
    b = bundle()
    b.linux["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": [],
                          "syscalls": [{"names": ["mkdir", "mkdirat"],
                                        "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
    b.add_tmpfs("/mnt")
    cid = running(b)
    res = runtime("exec", cid, "mkdir", "/mnt/x")
    res.fails()
    assert "not permitted" in res.err.lower()
    assert "Seccomp:\t2" in runtime("exec", cid, "cat", "/proc/self/status").check().out


def test_exec_in_a_user_namespace(runtime, bundle, running, hull_env):
    b = bundle()
    b.set_namespace("user")
    b.linux["uidMappings"] = [{"containerID": 0, "hostID": 200000, "size": 65536}]
    b.linux["gidMappings"] = [{"containerID": 0, "hostID": 200000, "size": 65536}]
    # sysfs and cgroupfs cannot be mounted from this user namespace without its own netns
    b.config["mounts"] = [m for m in b.config["mounts"]
                          if m.get("type") not in ("sysfs", "cgroup", "cgroup2")]
    cid = running(b)
    pidfile = hull_env.tmp / "p"
    runtime("exec", "-d", "--pid-file", pidfile, "-u", "1000", cid, "sleep", "100").check()
    xpid = int(pidfile.read_text())
    try:
        init = runtime.state(cid)["pid"]
        assert os.readlink(f"/proc/{xpid}/ns/user") == os.readlink(f"/proc/{init}/ns/user")
        with open(f"/proc/{xpid}/status") as f:
            uids = [line.split()[1:] for line in f if line.startswith("Uid:")][0]
        assert uids[0] == str(200000 + 1000)
    finally:
        os.kill(xpid, signal.SIGKILL)
    assert runtime("exec", cid, "id", "-u").check().out.strip() == "0"


@pytest.mark.hullc_only
def test_exec_when_the_container_made_sub_cgroups_v2(runtime, bundle, running):
    """cgroup v2 refuses processes in a cgroup whose children have controllers (EBUSY): exec
    then joins its init's cgroup."""
    if not os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
        pytest.skip("needs cgroup v2 (tests/cgv2/run.sh)")
    b = bundle()
    b.linux.setdefault("resources", {})["pids"] = {"limit": 100}
    cid = running(b)
    init = init_pid(runtime, cid)
    with open(f"/proc/{init}/cgroup") as f:
        path = [x for x in f.read().splitlines() if x.startswith("0::")][0][3:]
    cg = f"/sys/fs/cgroup{path}"
    os.mkdir(f"{cg}/init")
    with open(f"{cg}/init/cgroup.procs", "w") as f:
        f.write(str(init))
    with open(f"{cg}/cgroup.controllers") as f:
        ctls = f.read().split()
    if not ctls:
        pytest.skip("no controller reaches the container's cgroup")
    with open(f"{cg}/cgroup.subtree_control", "w") as f:
        f.write("+" + ("pids" if "pids" in ctls else ctls[0]))
    out = runtime("exec", cid, "cat", "/proc/self/cgroup").check().out
    assert out.strip().endswith("/init"), out
