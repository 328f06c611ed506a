# OCI hooks: each kind at its point of the lifecycle, in the namespace the runtime-spec names,
# with the state JSON on stdin, its args and env, and a timeout; failures of the create-time
# hooks abort create cleanly, startContainer stops the container, poststart and poststop only
# warn.
import json
import os
import time

import pytest

HOST_KINDS = ("prestart", "createRuntime", "createContainer", "poststart", "poststop")


def wait_for(pred, timeout=10, what="condition"):
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


@pytest.fixture
def hookdir(hull_env):
    """A host directory with a recording hook: record.sh KIND writes KIND.json (stdin),
    KIND.args, KIND.env and KIND.ns (its mount, net and pid namespaces) there."""
    d = hull_env.mkdir("hooks")
    os.chmod(d, 0o777)
    script = d / "record.sh"
    script.write_text(f"""#!/bin/sh
out={d}
cat > "$out/$1.json"
echo "$@" > "$out/$1.args"
env > "$out/$1.env"
echo "$(readlink /proc/self/ns/mnt) $(readlink /proc/self/ns/net)" > "$out/$1.ns"
pwd > "$out/$1.cwd"
exit ${{HOOK_EXIT:-0}}
""")
    script.chmod(0o755)
    return d


def hook(path, *args, env=None, timeout=None):
    h = {"path": str(path), "args": [os.path.basename(str(path)), *args]}
    if env is not None:
        h["env"] = list(env)
    if timeout is not None:
        h["timeout"] = timeout
    return h


def host_ns():
    return f"{os.readlink('/proc/self/ns/mnt')} {os.readlink('/proc/self/ns/net')}"


def test_every_hook_runs_where_the_spec_says(runtime, bundle, hull_env, hookdir):
    b = bundle(args=["sleep", "1000"])
    out = b.out_dir()
    rec = hookdir / "record.sh"
    b.config["annotations"] = {"org.example.key": "value"}
    b.config["hooks"] = {k: [hook(rec, k, env=["HOOK_VAR=" + k])] for k in HOST_KINDS}
    # startContainer resolves its path in the container, after pivot_root
    b.config["hooks"]["startContainer"] = [
        {"path": "/bin/sh", "args": ["sh", "-c", "cat > /out/startContainer.json; "
                                     "echo $(readlink /proc/self/ns/mnt) "
                                     "$(readlink /proc/self/ns/net) > /out/startContainer.ns"]}]
    cid = hull_env.new_id()
    runtime.create(b, cid).check()
    init = runtime.state(cid)["pid"]
    for k in ("prestart", "createRuntime", "createContainer"):
        st = json.loads((hookdir / f"{k}.json").read_text())
        assert st["id"] == cid and st["status"] == "creating", st
        assert st["bundle"] == str(b.dir)
        assert st["annotations"] == {"org.example.key": "value"}
        # (runc gives createContainer the pid in the container's namespace: 1)
        if k != "createContainer" or runtime.is_hullc:
            assert st["pid"] == init, (k, st)
        assert (hookdir / f"{k}.args").read_text().split() == [k]
        env = (hookdir / f"{k}.env").read_text().split("\n")
        assert f"HOOK_VAR={k}" in env
    assert not (out / "startContainer.json").exists()
    if runtime.is_hullc:  # runc 1.1 runs poststart at create
        assert not (hookdir / "poststart.json").exists()
    container_ns = (f"{os.readlink(f'/proc/{init}/ns/mnt')} "
                    f"{os.readlink(f'/proc/{init}/ns/net')}")
    assert (hookdir / "prestart.ns").read_text().strip() == host_ns()
    assert (hookdir / "createRuntime.ns").read_text().strip() == host_ns()
    assert (hookdir / "createContainer.ns").read_text().strip() == container_ns
    # createContainer runs in the rootfs, before the root changes
    assert (hookdir / "createContainer.cwd").read_text().strip() == str(b.rootfs)

    runtime("start", cid).check()
    st = json.loads((hookdir / "poststart.json").read_text())
    assert st["pid"] == init
    if runtime.is_hullc:
        assert st["status"] == "running"
    assert (hookdir / "poststart.ns").read_text().strip() == host_ns()
    st = json.loads((out / "startContainer.json").read_text())
    assert st["id"] == cid
    assert (out / "startContainer.ns").read_text().strip() == container_ns

    assert not (hookdir / "poststop.json").exists()
    runtime("kill", cid, "KILL").check()
    runtime.wait_status(cid, "stopped")
    runtime("delete", cid).check()
    st = json.loads((hookdir / "poststop.json").read_text())
    assert st["id"] == cid and st["status"] == "stopped"
    assert (hookdir / "poststop.ns").read_text().strip() == host_ns()


def test_hooks_run_in_order(runtime, bundle, hull_env, hookdir):
    log = hookdir / "order.log"
    b = bundle(args=["true"])
    b.config["hooks"] = {"createRuntime": [
        {"path": "/bin/sh", "args": ["sh", "-c", f"echo {i} >> {log}"]} for i in range(3)]}
    runtime.run(b).check()
    assert log.read_text().split() == ["0", "1", "2"]


def test_hooks_of_the_create_time_config(runtime, bundle, hull_env, hookdir):
    b = bundle(args=["sleep", "1000"])
    rec = hookdir / "record.sh"
    b.config["hooks"] = {"poststop": [hook(rec, "poststop")]}
    cid = hull_env.new_id()
    runtime.create(b, cid).check()
    # changing config.json after create changes nothing
    b.config["hooks"] = {}
    b.save()
    runtime("delete", "--force", cid).check()
    assert (hookdir / "poststop.json").exists()


@pytest.mark.parametrize("kind", ["prestart", "createRuntime", "createContainer"])
def test_failing_create_hook_aborts_create(runtime, bundle, hull_env, hookdir, kind):
    b = bundle(args=["sleep", "1000"])
    b.config["hooks"] = {kind: [
        {"path": "/bin/sh", "args": ["sh", "-c", "echo something broke >&2; exit 3"]}]}
    cid = hull_env.new_id()
    res = runtime.create(b, cid)
    runtime.assert_error(res, hullc=[kind, "status 3", "something broke"])
    runtime("state", cid).fails()


def test_hook_timeout(runtime, bundle, hull_env):
    b = bundle(args=["true"])
    b.config["hooks"] = {"createRuntime": [
        {"path": "/bin/sleep", "args": ["sleep", "100"], "timeout": 1}]}
    cid = hull_env.new_id()
    t0 = time.monotonic()
    res = runtime.create(b, cid)
    assert time.monotonic() - t0 < 10
    runtime.assert_error(res, common=[], hullc=["createRuntime", "timed out"])
    runtime("state", cid).fails()


def test_failing_start_container_hook_stops_the_container(runtime, bundle, hull_env):
    b = bundle(args=["sleep", "1000"])
    b.config["hooks"] = {"startContainer": [{"path": "/bin/false", "args": ["false"]}]}
    cid = hull_env.new_id()
    runtime.create(b, cid).check()
    try:
        runtime("start", cid)
        runtime.wait_status(cid, "stopped")
    finally:
        runtime("delete", "--force", cid)


@pytest.mark.hullc_only
def test_failing_poststart_hook_only_warns(runtime, bundle, hull_env, hookdir):
    """runtime-spec: a poststart failure is a warning and the next hooks still run (runc 1.1
    kills the container instead)."""
    b = bundle(args=["sleep", "1000"])
    rec = hookdir / "record.sh"
    b.config["hooks"] = {"poststart": [{"path": "/bin/false", "args": ["false"]},
                                       hook(rec, "poststart")]}
    cid = hull_env.new_id()
    runtime.create(b, cid).check()
    try:
        res = runtime("start", cid)
        res.check()
        assert "poststart" in res.err
        assert runtime.status(cid) == "running"
        assert (hookdir / "poststart.json").exists()
    finally:
        runtime("delete", "--force", cid)


def test_failing_poststop_hook_only_warns(runtime, bundle, hull_env, hookdir):
    b = bundle(args=["true"])
    b.config["hooks"] = {"poststop": [
        {"path": "/bin/sh", "args": ["sh", "-c", "exit 1"]}]}
    cid = hull_env.new_id()
    runtime.create(b, cid).check()
    runtime("start", cid).check()
    runtime.wait_status(cid, "stopped")
    runtime("delete", cid).check()
    runtime("state", cid).fails()


def test_hook_without_env_gets_the_runtime_env(runtime, bundle, hull_env, hookdir):
    """Go's exec with a nil Env (runc) and hullc both pass their own environment."""
    rec = hookdir / "record.sh"
    b = bundle(args=["true"])
    b.config["hooks"] = {"createRuntime": [hook(rec, "createRuntime")]}
    runtime.run(b).check()
    env = (hookdir / "createRuntime.env").read_text()
    assert f"HULL_TEST={hull_env.tag}" in env
