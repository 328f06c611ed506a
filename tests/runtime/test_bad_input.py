# Bad input: each case exits non-zero with one line naming the file, the JSON path or
# line:column and the problem, and leaves nothing behind (the autouse leak check sees to that).
# runc names most of the same things, so `common` texts are checked with any runtime; the
# one-line form and the `hullc` texts only with hullc.
import json
import os
import re

import pytest


def create_raw(runtime, b, cid, text=None):
    """`create` with B's config.json written as TEXT (or from b.config, unsaved edits kept)."""
    if text is None:
        text = json.dumps(b.config, indent=2) + "\n"
    b.config_path.write_text(text)
    return runtime("create", "--bundle", b.dir, cid)


def test_syntax_error(runtime, bundle, hull_env):
    b = bundle()
    text = '{\n  "ociVersion": "1.2.0",\n  "hostname": "x",,\n  "root": {"path": "rootfs"}\n}\n'
    res = create_raw(runtime, b, hull_env.new_id(), text)
    runtime.assert_error(res, hullc=[re.compile(r"config\.json:3:\d+")])


def test_truncated_file(runtime, bundle, hull_env):
    b = bundle()
    text = json.dumps(b.config, indent=2)
    res = create_raw(runtime, b, hull_env.new_id(), text[:len(text) // 2])
    runtime.assert_error(res, hullc=["config.json", re.compile(r"config\.json:\d+:\d+")])


def test_not_an_object(runtime, bundle, hull_env):
    res = create_raw(runtime, bundle(), hull_env.new_id(), "[1, 2]\n")
    runtime.assert_error(res, hullc=["config.json"])


WRONG_TYPES = [
    # (json path, value, text runc names too, JSON path hullc names)
    (("process", "args"), "sh", "args", "process.args"),
    (("hostname",), 42, "hostname", "hostname"),
    (("root", "readonly"), "yes", "readonly", "root.readonly"),
    (("process", "user", "uid"), "0", "uid", "process.user.uid"),
    (("process", "env"), {"PATH": "/bin"}, "env", "process.env"),
    (("mounts",), {}, "mounts", "mounts"),
    (("linux", "namespaces", 0, "type"), 5, "namespaces", "linux.namespaces[0].type"),
    (("process", "rlimits", 0, "soft"), -1, "soft", "process.rlimits[0].soft"),
]


@pytest.mark.parametrize("path,value,common,jpath", WRONG_TYPES,
                         ids=[w[3] for w in WRONG_TYPES])
def test_wrong_type(runtime, bundle, hull_env, path, value, common, jpath):
    b = bundle()
    node = b.config
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    res = create_raw(runtime, b, hull_env.new_id())
    runtime.assert_error(res, common=[common], hullc=["config.json", jpath])


def test_missing_root(runtime, bundle, hull_env):
    b = bundle()
    del b.config["root"]
    res = create_raw(runtime, b, hull_env.new_id())
    runtime.assert_error(res, common=["root"], hullc=["config.json", "root"])


def test_missing_config_json(runtime, hull_env):
    d = hull_env.mkdir("empty-bundle")
    res = runtime("create", "--bundle", d, hull_env.new_id())
    runtime.assert_error(res, common=["config.json"], hullc=[str(d)])


def test_unknown_namespace_type(runtime, bundle, hull_env):
    b = bundle()
    b.linux["namespaces"].append({"type": "bogus"})
    i = len(b.linux["namespaces"]) - 1
    res = create_raw(runtime, b, hull_env.new_id())
    runtime.assert_error(res, common=["bogus"],
                         hullc=["config.json", f"linux.namespaces[{i}]"])


def test_namespace_listed_twice(runtime, bundle, hull_env):
    b = bundle()
    b.linux["namespaces"].append({"type": "pid"})
    res = create_raw(runtime, b, hull_env.new_id())
    runtime.assert_error(res, common=["pid"], hullc=["config.json", "linux.namespaces"])


@pytest.mark.hullc_only  # runc 1.1 warns and goes on
def test_relative_mount_destination(runtime, bundle, hull_env):
    b = bundle()
    b.config["mounts"].append({"destination": "relative/dir", "type": "tmpfs",
                               "source": "tmpfs"})
    i = len(b.config["mounts"]) - 1
    res = create_raw(runtime, b, hull_env.new_id())
    runtime.assert_error(res, hullc=["config.json", f"mounts[{i}]"])
    assert not (b.rootfs / "relative").exists()


def test_args_empty(runtime, bundle, hull_env):
    b = bundle(args=[])
    res = create_raw(runtime, b, hull_env.new_id())
    runtime.assert_error(res, common=["args"], hullc=["config.json", "process.args"])


@pytest.mark.parametrize("sig", ["BOGUS", "SIGBOGUS", "99"])
def test_unknown_signal(runtime, bundle, hull_env, sig):
    b = bundle(args=["sleep", "1000"])
    cid = hull_env.new_id()
    runtime.create(b, cid).check()
    res = runtime("kill", cid, sig)
    runtime.assert_error(res, common=[sig] if not sig.isdigit() else [], hullc=[sig])
    assert runtime.status(cid) == "created"
    runtime("delete", "--force", cid).check()


def test_duplicate_id(runtime, bundle, hull_env):
    first = bundle(args=["sleep", "1000"])
    second = bundle(args=["sh", "-c", "echo second"])
    cid = hull_env.new_id()
    runtime.create(first, cid).check()
    before = runtime.state(cid)
    res = runtime.create(second, cid)
    runtime.assert_error(res, common=["exist"], hullc=[cid])
    # The first container is intact: same process, same bundle, still usable.
    after = runtime.state(cid)
    assert (after["pid"], after["bundle"], after["status"]) == \
        (before["pid"], str(first.dir), "created")
    runtime("start", cid).check()
    assert runtime.status(cid) == "running"
    runtime("delete", "--force", cid).check()


def test_duplicate_id_with_run(runtime, bundle, hull_env):
    b = bundle(args=["sleep", "1000"])
    cid = hull_env.new_id()
    runtime.run(b, cid, "-d").check()
    pid = runtime.state(cid)["pid"]
    res = runtime.run(b, cid)
    runtime.assert_error(res, common=["exist"], hullc=[cid])
    assert runtime.state(cid)["pid"] == pid and runtime.status(cid) == "running"
    runtime("delete", "--force", cid).check()


BAD_IDS = ["a/b", "..", "../hull-escape-{tag}", "a/../b", ".", "/abs", ""]


@pytest.mark.parametrize("pattern", BAD_IDS, ids=["slash", "dotdot", "escape", "inner-dotdot",
                                                  "dot", "absolute", "empty"])
def test_bad_container_id(runtime, bundle, hull_env, pattern):
    cid = pattern.format(tag=hull_env.tag)
    b = bundle()
    b.save()
    res = runtime("create", "--bundle", b.dir, cid)
    runtime.assert_error(res, common=["id"], hullc=["id"])
    assert not os.path.exists(f"/run/hull-escape-{hull_env.tag}")
    assert not list(hull_env.root.iterdir())
    for verb in ("state", "kill", "start"):
        runtime(verb, cid).fails()
    runtime("delete", "--force", cid)  # runc: rc 0 for --force; either way nothing to remove
    assert not os.path.exists(f"/run/hull-escape-{hull_env.tag}")


def test_nonexistent_bundle(runtime, hull_env):
    missing = hull_env.tmp / "no-such-bundle"
    res = runtime("create", "--bundle", missing, hull_env.new_id())
    runtime.assert_error(res, common=[str(missing)], hullc=[str(missing)])
    assert not missing.exists()


def test_rootfs_is_a_file(runtime, bundle, hull_env):
    b = bundle()
    (b.dir / "rootfs").write_text("not a directory\n")
    b.config["root"] = {"path": "rootfs"}
    res = create_raw(runtime, b, hull_env.new_id())
    runtime.assert_error(res, hullc=["rootfs"])


def test_rootfs_missing(runtime, bundle, hull_env):
    b = bundle()
    b.config["root"] = {"path": "no-such-rootfs"}
    res = create_raw(runtime, b, hull_env.new_id())
    runtime.assert_error(res, hullc=["no-such-rootfs"])


@pytest.mark.parametrize("binary", ["/bin/no-such-binary-hull", "no-such-binary-hull"],
                         ids=["absolute", "path-lookup"])
def test_binary_missing_in_rootfs(runtime, bundle, hull_env, binary):
    b = bundle(args=[binary, "--flag"])
    res = runtime.run(b, hull_env.new_id())
    runtime.assert_error(res, common=["no-such-binary-hull"], hullc=[binary])
    assert not list(hull_env.root.iterdir())


def test_binary_missing_create_start(runtime, bundle, hull_env):
    """Whether create or start notices (runc: create), the error names the binary and nothing
    is left once the container is deleted."""
    b = bundle(args=["/bin/no-such-binary-hull"])
    cid = hull_env.new_id()
    res = runtime.create(b, cid)
    if res.rc == 0:
        res = runtime("start", cid)
        runtime("delete", "--force", cid)
    runtime.assert_error(res, common=["no-such-binary-hull"], hullc=["/bin/no-such-binary-hull"])


def test_binary_not_executable(runtime, bundle, hull_env):
    b = bundle(args=["/etc/passwd"])
    res = runtime.run(b, hull_env.new_id())
    runtime.assert_error(res, common=["/etc/passwd"], hullc=["/etc/passwd"])
