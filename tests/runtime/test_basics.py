# What a container sees of itself: pid 1, its own process table, hostname, its own root
# filesystem; and the runtime's command-line basics (spec, --help, --version, global flags).
import json
import os
import socket

import pytest

COMMANDS = ["create", "start", "state", "kill", "delete", "run", "list", "spec"]


def test_pid1_is_the_users_process(runtime, bundle):
    out = runtime.sh(bundle(), 'echo "pid=$$"; tr "\\0" "|" < /proc/1/cmdline; echo')
    lines = out.splitlines()
    assert lines[0] == "pid=1"
    assert lines[1].startswith("sh|-c|echo "), lines[1]


def test_host_processes_invisible(runtime, bundle):
    out = runtime.sh(bundle(), "for p in /proc/[0-9]*; do echo ${p#/proc/}; done")
    pids = sorted(int(p) for p in out.split())
    # pid 1 (sh) and perhaps a subshell: never the host's pids, such as ours.
    assert pids[0] == 1 and len(pids) <= 4 and pids[-1] < 50, pids


def test_hostname(runtime, bundle):
    host_before = socket.gethostname()
    b = bundle()
    b.config["hostname"] = "hull-box"
    out = runtime.sh(b, "hostname; cat /proc/sys/kernel/hostname")
    assert out.split() == ["hull-box", "hull-box"]
    assert socket.gethostname() == host_before


@pytest.mark.hullc_only  # runc 1.1 ignores domainname (runtime-spec 1.1)
def test_domainname(runtime, bundle):
    b = bundle()
    b.config["domainname"] = "hull.example"
    assert runtime.sh(b, "cat /proc/sys/kernel/domainname").strip() == "hull.example"


@pytest.mark.parametrize("pivot", [True, False], ids=["pivot_root", "no-pivot"])
def test_host_files_invisible(runtime, bundle, hull_env, pivot):
    markers = [f"/.hull-marker-{hull_env.tag}", f"/tmp/hull-marker-{hull_env.tag}"]
    for m in markers:
        with open(m, "w") as f:
            f.write("host\n")
    try:
        b = bundle()
        b.args = ["sh", "-c", f"for f in {' '.join(markers)}; do test -e $f && echo VISIBLE $f; "
                  "done; echo ROOT $(ls -a /); cut -d' ' -f5 /proc/self/mountinfo"]
        extra = () if pivot else ("--no-pivot",)
        out = runtime.run(b, None, *extra).check().out
    finally:
        for m in markers:
            os.unlink(m)
    assert "VISIBLE" not in out
    root_line = next(line for line in out.splitlines() if line.startswith("ROOT "))
    assert set(root_line.split()[1:]) == {".", ".."} | set(os.listdir(b.rootfs))
    # Only the rootfs and what the spec mounts on it: none of the host's own mounts.
    mounts = [line for line in out.splitlines() if line.startswith("/")]
    spec_dests = [m["destination"] for m in b.config["mounts"]]
    for m in mounts:
        assert m == "/" or any(m == d or m.startswith(d.rstrip("/") + "/") for d in
                               spec_dests), f"host mount {m} visible in the container"


def test_default_bundle_runs(runtime, bundle):
    # The README's first container: tests/make-bundle.sh's config as it is.
    res = runtime.run(bundle()).check()
    assert res.out.startswith("hello from a hull container\n")
    assert res.out.splitlines()[-1] == "hull-test"


def test_stdio_passed_through(runtime, bundle):
    b = bundle(args=["sh", "-c", "echo to-stdout; echo to-stderr >&2; read x || echo stdin-eof"])
    res = runtime.run(b).check()
    assert res.out.split() == ["to-stdout", "stdin-eof"]
    assert "to-stderr" in res.err


def test_spec_writes_default_config(runtime, hull_env):
    d = hull_env.mkdir("spec")
    runtime("spec", cwd=d).check()
    spec = json.loads((d / "config.json").read_text())
    assert spec["ociVersion"].startswith("1.")
    assert spec["root"]["path"] == "rootfs"
    assert spec["process"]["args"] and spec["process"]["cwd"] == "/"
    assert {"pid", "mount", "network", "ipc", "uts"} <= {n["type"] for n in
                                                         spec["linux"]["namespaces"]}
    assert "/proc" in [m["destination"] for m in spec["mounts"]]
    # Like runc: never overwrite an existing config.json.
    (d / "config.json").write_text("{}")
    runtime("spec", cwd=d).fails()
    assert (d / "config.json").read_text() == "{}"


def test_spec_bundle_and_rootless(runtime, hull_env):
    d = hull_env.mkdir("spec")
    runtime("spec", "--rootless", "--bundle", d).check()
    spec = json.loads((d / "config.json").read_text())
    assert "user" in [n["type"] for n in spec["linux"]["namespaces"]]
    assert spec["linux"]["uidMappings"][0]["hostID"] == os.getuid()
    assert spec["linux"]["gidMappings"][0]["hostID"] == os.getgid()


def test_version(runtime):
    res = runtime("--version").check()
    assert "version" in res.out.lower()


@pytest.mark.parametrize("cmd", COMMANDS)
def test_help_on_every_command(runtime, cmd):
    res = runtime(cmd, "--help").check()
    assert cmd in (res.out + res.err)


@pytest.mark.parametrize("flags", [["--debug"], ["--systemd-cgroup"],
                                   ["--criu", "/usr/sbin/criu"], ["--rootless", "false"]],
                         ids=["debug", "systemd-cgroup", "criu", "rootless"])
def test_global_flags_accepted(runtime, flags):
    # runc's global flags that hullc does not implement are warned about, never a usage error.
    runtime("list", "-q", global_args=flags).check()


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_log_file(runtime, hull_env, fmt):
    log = hull_env.tmp / "runtime.log"
    res = runtime("state", hull_env.new_id(), global_args=["--log", log, "--log-format", fmt])
    res.fails()
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    assert lines, "the error went to the --log file"
    if fmt == "json":
        entry = json.loads(lines[-1])
        assert entry["level"] == "error" and entry["msg"]
