# Namespaces from inside: a new network namespace has only lo, sysctls land in the container's
# namespaces, existing namespaces are joined through `path`, user namespaces map ids, time
# namespaces shift clocks, cgroup namespaces hide the host's cgroup paths.
import os
import subprocess
import time

import pytest


def wait_for(pred, timeout=10, what="condition"):
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


def ns_inode(path):
    return os.stat(path).st_ino


def interfaces(proc_net_dev):
    return sorted(line.split(":")[0].strip() for line in proc_net_dev.splitlines()[2:]
                  if ":" in line)


def test_new_network_namespace_has_only_lo(runtime, bundle):
    out = runtime.sh(bundle(), "cat /proc/net/dev; echo SYS $(ls /sys/class/net)")
    assert interfaces(out) == ["lo"]
    assert out.splitlines()[-1].split() == ["SYS", "lo"]


def test_without_network_namespace_shares_the_hosts(runtime, bundle):
    b = bundle()
    b.remove_namespace("network")
    b.config["mounts"] = [m for m in b.config["mounts"] if m["destination"] != "/sys"]
    b.config["mounts"] = [m for m in b.config["mounts"] if not m["destination"].startswith(
        "/sys/")]
    out = runtime.sh(b, "readlink /proc/self/ns/net")
    assert out.strip() == os.readlink("/proc/self/ns/net")


@pytest.mark.parametrize("ns", ["pid", "ipc", "uts", "mnt", "net"])
def test_new_namespaces_differ_from_the_hosts(runtime, bundle, ns):
    out = runtime.sh(bundle(), f"readlink /proc/self/ns/{ns}")
    assert out.strip().startswith(f"{ns}:[")
    assert out.strip() != os.readlink(f"/proc/self/ns/{ns}")


def read_sysctl(name):
    with open("/proc/sys/" + name.replace(".", "/")) as f:
        return f.read().strip()


def test_sysctl(runtime, bundle):
    host = {k: read_sysctl(k) for k in ("net.ipv4.ip_forward", "kernel.shm_rmid_forced")}
    b = bundle()
    b.linux["sysctl"] = {"net.ipv4.ip_forward": "1", "kernel.shm_rmid_forced": "1",
                         "kernel.msgmax": "12345"}
    out = runtime.sh(b, "cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shm_rmid_forced "
                     "/proc/sys/kernel/msgmax")
    assert out.split() == ["1", "1", "12345"]
    # Set in the container's network and ipc namespaces, not on the host.
    assert {k: read_sysctl(k) for k in host} == host


@pytest.fixture
def net_holder():
    """A process in a new network namespace (with lo up, to tell it apart)."""
    p = subprocess.Popen(["unshare", "--net", "sh", "-c",
                          "ip link set lo up && exec sleep 1000"])
    try:
        wait_for(lambda: open(f"/proc/{p.pid}/cmdline", "rb").read().startswith(b"sleep"),
                 what="unshare")
        yield p.pid
    finally:
        p.kill()
        p.wait()


def test_join_network_namespace_of_a_process(runtime, bundle, net_holder):
    path = f"/proc/{net_holder}/ns/net"
    b = bundle()
    b.set_namespace("network", path)
    out = runtime.sh(b, "readlink /proc/self/ns/net; cat /sys/class/net/lo/operstate")
    link, state = out.split()
    assert link == f"net:[{ns_inode(path)}]"
    assert state == "unknown"  # lo is up in the joined namespace (down in a new one)


def test_join_persistent_network_namespace(runtime, bundle, hull_env):
    nsfile = hull_env.tmp / "netns"
    nsfile.touch()
    subprocess.run(["unshare", f"--net={nsfile}", "true"], check=True, timeout=10)
    try:
        b = bundle()
        b.set_namespace("network", nsfile)
        out = runtime.sh(b, "readlink /proc/self/ns/net")
        assert out.strip() == f"net:[{ns_inode(nsfile)}]"
    finally:
        subprocess.run(["umount", str(nsfile)], check=True)


def test_join_uts_namespace(runtime, bundle):
    p = subprocess.Popen(["unshare", "--uts", "sh", "-c",
                          "hostname joined-uts && exec sleep 1000"])
    try:
        wait_for(lambda: open(f"/proc/{p.pid}/cmdline", "rb").read().startswith(b"sleep"),
                 what="unshare")
        b = bundle()
        b.set_namespace("uts", f"/proc/{p.pid}/ns/uts")
        del b.config["hostname"]  # the joined namespace keeps its own
        out = runtime.sh(b, "hostname; readlink /proc/self/ns/uts")
        assert out.split() == ["joined-uts", os.readlink(f"/proc/{p.pid}/ns/uts")]
    finally:
        p.kill()
        p.wait()


def userns_available():
    try:
        return int(open("/proc/sys/user/max_user_namespaces").read()) > 0
    except OSError:
        return False


needs_userns = pytest.mark.skipif(not userns_available(),
                                  reason="user namespaces disabled (max_user_namespaces=0)")


@needs_userns
def test_user_namespace_mappings(runtime, bundle):
    b = bundle()
    b.set_namespace("user")
    b.linux["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    b.linux["gidMappings"] = [{"containerID": 0, "hostID": 200000, "size": 65536}]
    out = b.out_dir()
    script = ("id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; "
              "stat -c '%u:%g' /bin/busybox; echo x > /out/made-inside; "
              "mkdir /out/dir; echo done")
    lines = runtime.sh(b, script).splitlines()
    assert lines[0:2] == ["0", "0"]
    assert lines[2].split() == ["0", "100000", "65536"]
    assert lines[3].split() == ["0", "200000", "65536"]
    assert lines[4] == "65534:65534"  # host root is not mapped: the overflow ids
    assert lines[-1] == "done"
    st = os.stat(out / "made-inside")
    assert (st.st_uid, st.st_gid) == (100000, 200000)
    st = os.stat(out / "dir")
    assert (st.st_uid, st.st_gid) == (100000, 200000)


@needs_userns
def test_user_namespace_non_root_user(runtime, bundle):
    b = bundle()
    b.set_namespace("user")
    b.linux["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    b.linux["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    b.process["user"] = {"uid": 1000, "gid": 1000}
    out = runtime.sh(b, "id -u; id -g; grep -E '^(Uid|Gid):' /proc/self/status")
    lines = out.splitlines()
    assert lines[0:2] == ["1000", "1000"]
    assert lines[2].split()[1:] == ["1000"] * 4


def timens_available():
    return os.path.exists("/proc/self/ns/time")


@pytest.mark.hullc_only  # runc 1.1 has no time namespace
@pytest.mark.skipif(not timens_available(), reason="kernel without time namespaces")
def test_time_namespace_offsets(runtime, bundle):
    offset = 100 * 86400
    b = bundle()
    b.set_namespace("time")
    b.linux["timeOffsets"] = {"boottime": {"secs": offset, "nanosecs": 0},
                              "monotonic": {"secs": 2 * offset}}
    with open("/proc/uptime") as f:
        host_before = float(f.read().split()[0])
    out = runtime.sh(b, "cat /proc/uptime; readlink /proc/self/ns/time")
    inside = float(out.split()[0])
    with open("/proc/uptime") as f:
        host_after = float(f.read().split()[0])
    assert host_before + offset - 1 <= inside <= host_after + offset + 1
    assert out.split()[2] != os.readlink("/proc/self/ns/time")


@pytest.mark.skipif(not os.path.exists("/proc/self/ns/cgroup"), reason="no cgroup namespaces")
def test_cgroup_namespace(runtime, bundle):
    b = bundle()
    b.set_namespace("cgroup")
    out = runtime.sh(b, "cat /proc/self/cgroup; echo NS $(readlink /proc/self/ns/cgroup)")
    lines = out.splitlines()
    assert lines[-1].split()[1] != os.readlink("/proc/self/ns/cgroup")
    for line in lines[:-1]:
        # hierarchy-id:controllers:path, the path relative to the namespace's root
        assert line.split(":", 2)[2] == "/", out


@needs_userns
def test_join_user_namespace_with_a_new_pid_namespace(runtime, bundle, hull_env):
    """Podman's pods: a container joins the user namespace of another by path and has its
    own pid namespace, which must belong to that user namespace (or proc cannot be mounted)."""
    first = bundle(args=["sleep", "1000"])
    first.set_namespace("user")
    first.linux["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    first.linux["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    holder = hull_env.new_id()
    runtime.create(first, holder).check()
    try:
        pid = runtime.state(holder)["pid"]
        second = bundle()
        second.set_namespace("user", f"/proc/{pid}/ns/user")
        second.linux.pop("uidMappings", None)
        second.linux.pop("gidMappings", None)
        out = runtime.sh(second, "echo pid=$$; readlink /proc/self/ns/user; "
                                 "cat /proc/self/uid_map; ls /proc | grep -c '^[0-9]'")
        lines = out.split()
        assert lines[0] == "pid=1"
        assert lines[1] == os.readlink(f"/proc/{pid}/ns/user")
        assert lines[2:5] == ["0", "100000", "65536"]
    finally:
        runtime("delete", "--force", holder).check()
