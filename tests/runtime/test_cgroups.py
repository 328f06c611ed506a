# Cgroups for real, on whatever layout the host has (v1, hybrid here; pure v2 in the VM of
# tests/cgv2/run.sh): limits written AND enforced, pause/resume, update, events, ps, and no
# cgroup left behind. The runtime is driven through runc's command line only.
import json
import os
import re
import time

import pytest

CG = "/sys/fs/cgroup"


def _mounts():
    """{controller: mount point} for v1 hierarchies, "" for the cgroup2 mount."""
    found = {}
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, _, right = line.partition(" - ")
            fields, sfields = left.split(), right.split()
            if len(sfields) < 3:
                continue
            mnt = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[4])
            if sfields[0] == "cgroup2":
                found.setdefault("", mnt)
            elif sfields[0] == "cgroup":
                for opt in sfields[2].split(","):
                    if opt in ("cpu", "cpuacct", "cpuset", "memory", "devices", "freezer",
                               "blkio", "pids", "hugetlb", "net_cls", "net_prio", "rdma",
                               "perf_event", "misc") or opt.startswith("name="):
                        found.setdefault(opt, mnt)
    return found


MOUNTS = _mounts()
V2 = "" in MOUNTS and not any(k for k in MOUNTS if k and not k.startswith("name="))
LAYOUT = "v2" if V2 else ("hybrid" if "" in MOUNTS else "v1")


def cg_dir(controller, path):
    """The directory of cgroup PATH for CONTROLLER's files."""
    if V2:
        return MOUNTS[""] + path
    return MOUNTS[controller] + path


def read(controller, path, name):
    with open(os.path.join(cg_dir(controller, path), name)) as f:
        return f.read().strip()


def all_dirs(path):
    return sorted({m + path for m in MOUNTS.values()})


def wait_for(pred, timeout=10, what="condition"):
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


@pytest.fixture
def started(runtime, hull_env):
    """started(bundle, resources=None) -> (cid, cgroup path): created, started, force-deleted
    at the end of the test. The cgroup path is explicit so any runtime puts it there."""
    made = []

    def start(b, resources=None):
        cid = hull_env.new_id()
        path = f"/hull-test/{cid}"
        b.linux["cgroupsPath"] = path
        if resources is not None:
            b.linux["resources"] = resources
        runtime.create(b, cid).check()
        made.append(cid)
        runtime("start", cid).check()
        return cid, path

    yield start
    for cid in made:
        runtime("delete", "--force", cid)


def deny_all(**extra):
    return {"devices": [{"allow": False, "access": "rwm"}], **extra}


MiB = 1024 * 1024


# ---------------------------------------------------------------------------------------------
# limits enforced


def test_memory_limit_oom_kills_with_137(runtime, bundle):
    # dd's 100 MiB buffer cannot fit in 32 MiB (and no swap): the kernel kills init.
    b = bundle(args=["dd", "if=/dev/zero", "of=/dev/null", "bs=100M", "count=1"])
    b.linux["resources"] = deny_all(memory={"limit": 32 * MiB, "swap": 32 * MiB})
    runtime.run(b).check(137)


def test_oom_kill_is_reported_by_events(runtime, bundle, started):
    b = bundle()
    out = b.out_dir()
    b.args = ["sh", "-c", "while [ ! -e /out/go ]; do sleep 0.05; done; "
              "dd if=/dev/zero of=/dev/null bs=100M count=1; touch /out/done; sleep 1000"]
    cid, path = started(b, deny_all(memory={"limit": 32 * MiB, "swap": 32 * MiB}))
    ev = runtime.popen("events", "--interval", "30s", cid)
    time.sleep(0.5)  # let events register for notifications
    (out / "go").touch()
    wait_for(lambda: (out / "done").exists(), what="the OOM kill")
    # `events` prints {"type":"oom"} as it happens; stop it and look.
    wait_for(lambda: '"oom"' in _peek(ev), timeout=5, what="an oom event")
    ev.kill()
    stats = runtime("events", "--stats", cid).json()
    assert stats["type"] == "stats" and stats["id"] == cid
    if runtime.is_hullc or "event_count" in stats["data"]["memory"]:  # runc >= 1.2 has it
        assert stats["data"]["memory"]["event_count"]["oom_kill"] >= 1
    assert stats["data"]["memory"]["usage"]["limit"] == 32 * MiB


def _peek(proc):
    proc._out.seek(0)
    return proc._out.read().decode(errors="replace")


def test_pids_limit_stops_a_fork_loop(runtime, bundle):
    limit = 12
    # busybox sh gives up at the first failed fork: the loop runs in a subshell. Counted with
    # shell builtins only: at the limit, $(...) could not fork either.
    b = bundle(args=["sh", "-c", "(for i in $(seq 1 60); do sleep 30 & done) 2>/tmp/err; "
                     "set -- /proc/[0-9]*; n=$#; kill -9 -1; wait; "
                     "echo procs $n; grep -c fork /tmp/err"])
    b.add_tmpfs("/tmp")
    b.linux["resources"] = deny_all(pids={"limit": limit})
    res = runtime.run(b).check()
    procs = int(re.search(r"procs (\d+)", res.out).group(1))
    failures = int(res.out.split()[-1])
    assert procs <= limit, res
    assert failures > 0, res


def _cpu_usage_ns(path):
    if V2:
        for line in read("cpu", path, "cpu.stat").splitlines():
            k, v = line.split()
            if k == "usage_usec":
                return int(v) * 1000
    return int(read("cpuacct", path, "cpuacct.usage"))


def test_cpu_quota_holds_a_busy_loop_near_half_a_core(bundle, started):
    b = bundle(args=["sh", "-c", "while :; do :; done"])
    cid, path = started(b, deny_all(cpu={"quota": 50000, "period": 100000}))
    time.sleep(0.3)
    u0, t0 = _cpu_usage_ns(path), time.monotonic()
    time.sleep(1.5)
    u1, t1 = _cpu_usage_ns(path), time.monotonic()
    share = (u1 - u0) / ((t1 - t0) * 1e9)
    assert 0.35 <= share <= 0.65, f"busy loop used {share:.2f} of a core"


@pytest.mark.parametrize("allow", [False, True], ids=["denied", "allowed"])
def test_device_rules(runtime, bundle, allow):
    # /dev/fuse (c 10:229) is not in the default allow list. Opening it needs no capability:
    # only the device cgroup says EPERM. Allowed, the open succeeds (or ENXIO without fuse).
    b = bundle(args=["sh", "-c", "exec 3</dev/fuse && echo opened"])
    b.linux.setdefault("devices", []).append(
        {"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 0o666})
    rules = [{"allow": False, "access": "rwm"}]
    if allow:
        rules.append({"allow": True, "type": "c", "major": 10, "minor": 229, "access": "rw"})
    b.linux["resources"] = {"devices": rules}
    res = runtime.run(b)
    if allow:
        assert "not permitted" not in res.err.lower(), res
    else:
        assert res.rc != 0 and "not permitted" in res.err.lower(), res


def test_default_devices_stay_usable(runtime, bundle):
    out = runtime.sh(bundle(), "echo x > /dev/null && head -c 4 /dev/zero | wc -c && "
                     "head -c 4 /dev/urandom | wc -c")
    assert out.split() == ["4", "4"]


# ---------------------------------------------------------------------------------------------
# pause, resume, update, ps, events, kill --all


def _counter_bundle(bundle):
    b = bundle()
    out = b.out_dir()
    b.args = ["sh", "-c", "i=0; while :; do i=$((i+1)); echo $i > /out/n.tmp; "
              "mv /out/n.tmp /out/n; sleep 0.05; done"]
    return b, out


def _count(out):
    try:
        return int((out / "n").read_text())
    except (OSError, ValueError):
        return 0


def test_pause_stops_a_counter_and_resume_restarts_it(runtime, bundle, started):
    b, out = _counter_bundle(bundle)
    cid, _ = started(b, deny_all())
    wait_for(lambda: _count(out) > 2, what="the counter")
    runtime("pause", cid).check()
    assert runtime.status(cid) == "paused"
    n = _count(out)
    time.sleep(0.5)
    assert _count(out) == n, "the counter moved while paused"
    runtime("pause", cid).fails()  # not running
    runtime("resume", cid).check()
    assert runtime.status(cid) == "running"
    wait_for(lambda: _count(out) > n + 2, what="the counter after resume")
    runtime("resume", cid).fails()  # not paused


def test_delete_force_of_a_paused_container(runtime, bundle, started, hull_env):
    b, out = _counter_bundle(bundle)
    cid, path = started(b, deny_all())
    wait_for(lambda: _count(out) > 0, what="the counter")
    runtime("pause", cid).check()
    runtime("delete", "--force", cid).check()
    assert not [d for d in all_dirs(path) if os.path.exists(d)]


def test_update_changes_live_limits(runtime, bundle, started, hull_env):
    b = bundle(args=["sleep", "1000"])
    cid, path = started(b, deny_all(memory={"limit": 64 * MiB}, pids={"limit": 50}))
    runtime("update", "--memory", "100m", "--pids-limit", "30", "--cpu-quota", "20000",
            "--cpu-period", "100000", cid).check()
    if V2:
        assert read("memory", path, "memory.max") == str(100 * MiB)
        assert read("cpu", path, "cpu.max") == "20000 100000"
    else:
        assert read("memory", path, "memory.limit_in_bytes") == str(100 * MiB)
        assert read("cpu", path, "cpu.cfs_quota_us") == "20000"
    assert read("pids", path, "pids.max") == "30"
    # the same through a linux.resources file
    f = hull_env.tmp / "res.json"
    f.write_text(json.dumps({"pids": {"limit": 7}, "memory": {"limit": 80 * MiB}}))
    runtime("update", "--resources", f, cid).check()
    assert read("pids", path, "pids.max") == "7"


def test_update_rejects_bad_values_naming_them(runtime, bundle, started):
    cid, _ = started(bundle(args=["sleep", "1000"]), deny_all())
    runtime.assert_error(runtime("update", "--memory", "lots", cid), hullc=["--memory"])


def test_ps_lists_the_container_processes(runtime, bundle, started):
    cid, _ = started(bundle(args=["sh", "-c", "sleep 1000 & sleep 1001 & wait"]), deny_all())
    init = runtime.state(cid)["pid"]
    wait_for(lambda: len(runtime("ps", "--format", "json", cid).json()) == 3, what="3 processes")
    pids = runtime("ps", "--format", "json", cid).json()
    assert init in pids
    table = runtime("ps", cid).check().out.splitlines()
    assert "PID" in table[0].split()
    assert any("sleep 1001" in line for line in table[1:])
    assert len(table) == 4


def test_events_stats_shape(runtime, bundle, started):
    cid, _ = started(bundle(args=["sleep", "1000"]), deny_all(pids={"limit": 40}))
    ev = runtime("events", "--stats", cid).json()
    assert ev["type"] == "stats" and ev["id"] == cid
    data = ev["data"]
    for key in ("cpu", "memory", "pids", "blkio", "hugetlb"):
        assert key in data, key
    assert data["pids"]["current"] >= 1
    assert data["pids"]["limit"] == 40
    assert data["cpu"]["usage"]["total"] > 0


def test_events_interval_streams_stats(runtime, bundle, started):
    cid, _ = started(bundle(args=["sleep", "1000"]), deny_all())
    ev = runtime.popen("events", "--interval", "200ms", cid)
    wait_for(lambda: _peek(ev).count('"type":"stats"') >= 2, what="two stats events")
    ev.kill()


def test_kill_all_reaches_every_process(runtime, bundle, started):
    cid, path = started(bundle(args=["sh", "-c", "sleep 1000 & sleep 1000 & wait"]), deny_all())
    wait_for(lambda: len(runtime("ps", "--format", "json", cid).json()) == 3, what="3 processes")
    runtime("kill", "--all", cid, "KILL").check()
    wait_for(lambda: runtime.status(cid) == "stopped", what="the container to stop")


# ---------------------------------------------------------------------------------------------
# where the cgroups are, and that they go


def test_cgroup_on_every_hierarchy_and_gone_after_delete(runtime, bundle, hull_env):
    b = bundle(args=["sleep", "1000"])
    cid = hull_env.new_id()
    path = f"/hull-test/{cid}"
    b.linux["cgroupsPath"] = path
    runtime.create(b, cid).check()
    dirs = all_dirs(path)
    missing = [d for d in dirs if not os.path.isdir(d)]
    assert not missing, f"no cgroup in {missing}"
    init = runtime.state(cid)["pid"]
    for d in dirs:
        with open(os.path.join(d, "cgroup.procs")) as f:
            assert str(init) in f.read().split(), d
    runtime("delete", "--force", cid).check()
    assert not [d for d in dirs if os.path.exists(d)]
    if runtime.is_hullc:  # runc leaves the parents it made
        assert not [d for d in all_dirs("/hull-test") if os.path.exists(d)], \
            "the parent the runtime made is left"


@pytest.mark.hullc_only
def test_default_cgroup_path_is_hullc_id(runtime, bundle, hull_env):
    b = bundle(args=["sleep", "1000"])
    cid = hull_env.new_id()
    b.linux.pop("cgroupsPath", None)
    runtime.create(b, cid).check()
    assert os.path.isdir(cg_dir("memory", f"/hullc/{cid}"))
    runtime("delete", "--force", cid).check()
    assert not os.path.exists(cg_dir("memory", f"/hullc/{cid}"))


@pytest.mark.hullc_only
def test_cgroups_path_escape_is_refused(runtime, bundle, hull_env):
    b = bundle(args=["true"])
    b.linux["cgroupsPath"] = "../../escape"
    runtime.assert_error(runtime.run(b), hullc=["cgroupsPath", '".."'])
    assert not os.path.exists(cg_dir("memory", "/escape"))


@pytest.mark.hullc_only
def test_resource_errors_name_the_field(runtime, bundle):
    b = bundle(args=["true"])
    b.linux["resources"] = {"memory": {"limit": "1G"}}
    runtime.assert_error(runtime.run(b), hullc=[".linux.resources.memory.limit"])
    b.linux["resources"] = {"unified": {"../memory.max": "1"}}
    runtime.assert_error(runtime.run(b), hullc=[".linux.resources.unified"])


@pytest.mark.skipif(not V2, reason="cgroup v2 only")
def test_v2_unified_keys_and_shares_conversion(bundle, started):
    b = bundle(args=["sleep", "1000"])
    cid, path = started(b, deny_all(cpu={"shares": 1024}, memory={"limit": 64 * MiB},
                                    unified={"memory.high": str(48 * MiB)}))
    assert read("memory", path, "memory.high") == str(48 * MiB)
    assert read("cpu", path, "cpu.weight") == "100"
