# The known container escape classes, one test each named after its CVE or attack. Each test
# really attempts the escape from inside a container (or races the runtime from the host) and
# asserts that it fails; each has a control in which the defence is taken away in the spec
# (capability given, path unmasked, filter off...) and the same attempt succeeds, so that the
# test can fail. Where the defence is not something a spec can turn off (the runtime's own
# code), the control shows instead that the attempt is real: the primitive works where the
# runtime does not stand in the way.
import ctypes
import os
import re
import shutil
import socket
import stat
import subprocess
import threading
import time

import pytest

from secutil import all_caps, set_caps

DEFAULT = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
EPERM, ENOENT, ESRCH, EACCES, ETXTBSY, EROFS = 1, 2, 3, 13, 26, 30
libc = ctypes.CDLL(None, use_errno=True)


def drop_mount(b, destination):
    b.config["mounts"] = [m for m in b.config["mounts"] if m["destination"] != destination]


def container_pid(runtime, cid):
    return runtime.state(cid)["pid"]


# ---------------------------------------------------------------------------------------------
# CVE-2019-5736: the runtime binary must not be reachable from inside. hullc's init is a clone
# of hullc, so until execve /proc/<init>/exe is the host's hullc: init is non-dumpable during
# setup, which closes /proc/<init>/exe to anyone without CAP_SYS_PTRACE over the host. The
# attacker is a second container in the pid namespace of one that is created, not started.

@pytest.fixture
def created(runtime, bundle, hull_env):
    b = bundle(args=["true"])
    cid = hull_env.new_id()
    runtime.create(b, cid).check()
    yield cid
    runtime("delete", "--force", cid)


def neighbour(sbundle, runtime, cid):
    b = sbundle()
    b.set_namespace("pid", f"/proc/{container_pid(runtime, cid)}/ns/pid")
    return b


def test_cve_2019_5736_runtime_binary_not_reachable(runtime, sbundle, attempt, created):
    b = neighbour(sbundle, runtime, created)
    # never writable (runc runs from a sealed memfd copy: reachable, but not the host binary)
    assert attempt(b, "exe", 1, "w").errno in (EACCES, EPERM, ETXTBSY)
    if runtime.is_hullc:
        # hullc's init is non-dumpable until execve: not even reachable
        assert attempt(b, "exe-link", 1).errno in (EACCES, EPERM)
        assert attempt(b, "exe", 1, "path").errno in (EACCES, EPERM)
        assert attempt(b, "exe", 1, "r").errno in (EACCES, EPERM)


def test_cve_2019_5736_control_with_cap_sys_ptrace(runtime, sbundle, attempt, created):
    b = neighbour(sbundle, runtime, created)
    set_caps(b, caps=DEFAULT + ["CAP_SYS_PTRACE"])
    # with the capability the runtime's process is reachable (read-only checks only: no write)
    assert attempt(b, "exe-link", 1).ok
    assert attempt(b, "exe", 1, "path").ok


# ---------------------------------------------------------------------------------------------
# CVE-2024-21626: no host fd reaches the container, and process.cwd cannot be a leaked host
# directory through /proc/self/fd/N.

def test_cve_2024_21626_no_host_fd_inside(sbundle, attempt):
    a = attempt(sbundle(), "fds")
    fds = {int(line.split()[1]) for line in a.res.out.splitlines() if line.startswith("fd ")}
    assert fds == {0, 1, 2}, a


def markers(runtime, hull_env):
    """A marker file in each host directory init may hold an fd to (or sit under)."""
    for d in (hull_env.tmp, hull_env.tmp.parent, runtime.root):
        (d / "hostile-marker").write_text("host\n")


@pytest.mark.parametrize("fd", range(3, 12))
def test_cve_2024_21626_cwd_through_leaked_fd(runtime, sbundle, hull_env, fd):
    markers(runtime, hull_env)
    b = sbundle(args=["/mnt/hostile", "cwd"])
    b.process["cwd"] = f"/proc/self/fd/{fd}"
    res = runtime.run(b)
    if res.rc != 0:
        return  # refused: fine
    assert "host-marker-reached" not in res.out and "unreachable" not in res.out, res


def test_cve_2024_21626_control_a_leaked_fd_is_an_escape(runtime, sbundle, hull_env):
    """What a leak would give: a host directory passed on purpose (--preserve-fds) is the host's
    filesystem inside the container."""
    host = hull_env.mkdir("leaked")
    (host / "host-secret").write_text("x")
    b = sbundle(args=["sh", "-c", "ls /proc/self/fd/3/"])
    b.save()
    cid = hull_env.new_id()
    cmd = " ".join(runtime.cmd(["run", "--preserve-fds", "1", "--bundle", str(b.dir), cid]))
    res = subprocess.run(["sh", "-c", f"exec 3<{host}; exec {cmd}"], capture_output=True,
                         text=True, timeout=30, env=hull_env.proc_env())
    assert res.returncode == 0, res
    assert "host-secret" in res.stdout


# ---------------------------------------------------------------------------------------------
# CVE-2021-30465: a mount destination swapped for a symlink between the runtime's check and its
# mount(2). A host thread swaps rootfs/race/dir with a symlink to a host directory while
# containers mount a tmpfs on /race/dir; a createContainer hook (in the container's mount
# namespace, before pivot_root) records any mount that landed on the host directory.

RENAME_EXCHANGE = 2


class Swapper:
    def __init__(self, parent):
        self.fd = os.open(parent, os.O_RDONLY | os.O_DIRECTORY)
        self.stop = threading.Event()
        self.swaps = 0
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        a, b = b"dir", b"link"
        while not self.stop.is_set():
            if libc.renameat2(self.fd, a, self.fd, b, RENAME_EXCHANGE) == 0:
                self.swaps += 1

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        os.close(self.fd)


def race_rootfs(bundle, hull_env):
    victim = hull_env.mkdir("victim")
    b = bundle(writable=True, args=["true"])
    race = b.rootfs / "race"
    (race / "dir").mkdir(parents=True)
    os.symlink(str(victim), race / "link")
    return b, victim


def test_cve_2021_30465_mount_destination_swap(runtime, bundle, hull_env):
    b, victim = race_rootfs(bundle, hull_env)
    b.add_tmpfs("/race/dir")
    seen = hull_env.mkdir("seen")
    hook = seen / "hook.sh"
    # the mount point field is exactly the host directory (inside the rootfs is fine)
    hook.write_text(f"#!/bin/sh\ngrep -F ' {victim} ' /proc/self/mountinfo >> {seen}/mounts\n"
                    "exit 0\n")
    hook.chmod(0o755)
    b.config["hooks"] = {"createContainer": [{"path": str(hook)}]}
    ran = 0
    with Swapper(b.rootfs / "race") as sw:
        for _ in range(25):
            ran += runtime.run(b).rc == 0
    assert sw.swaps > 1000
    mounts = (seen / "mounts").read_text() if (seen / "mounts").exists() else ""
    assert mounts == "", f"a mount landed outside the rootfs:\n{mounts}"
    assert list(victim.iterdir()) == []
    assert ran > 0, "no run got through the race at all"


def test_cve_2021_30465_control_a_path_based_mount_escapes(bundle, hull_env):
    """mount(2) by path, as the vulnerable runtimes did, lands on the host directory."""
    b, victim = race_rootfs(bundle, hull_env)
    target = str(b.rootfs / "race" / "dir").encode()
    landed = False
    with Swapper(b.rootfs / "race"):
        for _ in range(5000):
            if libc.mount(b"tmpfs", target, b"tmpfs", 0, None) != 0:
                continue
            landed = os.path.ismount(victim)
            for path in (bytes(victim), target, str(b.rootfs / "race" / "link").encode()):
                while libc.umount2(path, 2) == 0:
                    pass
            if landed:
                break
    assert landed


# ---------------------------------------------------------------------------------------------
# CVE-2019-19921: /proc of the image replaced with a symlink, so that procfs lands elsewhere and
# what the runtime later writes under /proc goes to files the container controls.

def test_cve_2019_19921_proc_symlink_refused(runtime, bundle):
    b = bundle(writable=True, args=["true"])
    os.rmdir(b.rootfs / "proc")
    (b.rootfs / "fakeproc").mkdir()
    os.symlink("/fakeproc", b.rootfs / "proc")
    res = runtime.run(b)
    assert res.rc != 0, res
    assert not os.path.ismount(b.rootfs / "fakeproc")


def test_cve_2019_19921_control_real_proc_dir(runtime, bundle):
    b = bundle(writable=True)
    assert runtime.sh(b, "test -e /proc/self/status && echo proc") == "proc\n"


# ---------------------------------------------------------------------------------------------
# CVE-2019-16884 / CVE-2025-52881: a write the runtime makes under /proc (an LSM label, a sysctl)
# redirected by a mount to another file. Here a sysctl file is covered by a bind mount of a
# host file: the runtime must refuse to write through it rather than write the host file.

@pytest.mark.hullc_only  # runc 1.1.5 predates the fix
def test_cve_2025_52881_sysctl_write_redirected_by_a_mount(runtime, bundle, hull_env):
    fake = hull_env.mkdir("fake") / "domainname"
    fake.write_text("untouched\n")
    b = bundle(args=["true"])
    b.linux["sysctl"] = {"kernel.domainname": "pwned"}
    b.add_mount("/proc/sys/kernel/domainname", "bind", fake, ["bind", "rw"])
    res = runtime.run(b)
    assert res.rc != 0 and "domainname" in res.err, res
    assert fake.read_text() == "untouched\n"


def test_cve_2025_52881_control_sysctl_without_the_mount(runtime, bundle):
    b = bundle()
    b.linux["sysctl"] = {"kernel.domainname": "pwned"}
    assert runtime.sh(b, "cat /proc/sys/kernel/domainname") == "pwned\n"


# ---------------------------------------------------------------------------------------------
# CVE-2025-31133: /dev/null of the container replaced by a symlink, so that "masking" a path
# bind-mounts the symlink's target (a procfs file) over it, or hides nothing.

def rootfs_dev_bundle(bundle):
    """A writable bundle whose /dev is the image's own directory (no tmpfs over it)."""
    b = bundle(writable=True, args=["sh", "-c", "stat -c '%t:%T' /proc/keys; cat /proc/keys"])
    drop_mount(b, "/dev")
    for sub in ("pts", "shm", "mqueue"):
        (b.rootfs / "dev" / sub).mkdir(parents=True, exist_ok=True)
    return b


@pytest.mark.hullc_only  # runc 1.1.5 predates the fix: it masks with whatever /dev/null is
def test_cve_2025_31133_dev_null_symlink(runtime, bundle):
    b = rootfs_dev_bundle(bundle)
    os.symlink("/proc/sys/kernel/core_pattern", b.rootfs / "dev" / "null")
    res = runtime.run(b)
    if res.rc == 0:
        # if it ran, /proc/keys must be masked by the real null device
        assert res.out.splitlines() == ["1:3"], res


def test_cve_2025_31133_control_masking_works(runtime, bundle):
    b = rootfs_dev_bundle(bundle)
    assert runtime.run(b).check().out.splitlines() == ["1:3"]
    # and without masking the file shows its content
    b.linux["maskedPaths"] = []
    out = runtime.run(b).check().out.splitlines()
    assert out[0] == "0:0" and len(out) > 1


# ---------------------------------------------------------------------------------------------
# CVE-2025-52565: /dev/console replaced by a symlink, so that the bind mount of the pty lands on
# its target.

class ConsoleReceiver:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(str(path))
        self.sock.listen(1)
        self.sock.settimeout(20)
        self.path = path
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        self.fds = []
        try:
            conn, _ = self.sock.accept()
            with conn:
                _msg, self.fds, _f, _a = socket.recv_fds(conn, 4096, 1)
        except OSError:
            pass

    def close(self):
        self.sock.close()
        self.thread.join(5)
        for fd in self.fds:  # held until the container is gone: a closed master hangs it up
            os.close(fd)


def console_run(runtime, b, hull_env):
    """create with --console-socket (a terminal needs one, or a foreground run), then start and
    wait; returns create's result."""
    rcv = ConsoleReceiver(hull_env.tmp / "console.sock")
    cid = hull_env.new_id()
    try:
        b.process["terminal"] = True
        res = runtime.create(b, cid, "--console-socket", str(rcv.path))
        if res.rc == 0:
            runtime("start", cid).check()
            runtime.wait_status(cid, "stopped")
            runtime("delete", cid).check()
        return res
    finally:
        rcv.close()


@pytest.mark.hullc_only  # runc 1.1.5 predates the fix: it follows the symlink
def test_cve_2025_52565_dev_console_symlink(runtime, bundle, hull_env):
    b = bundle(writable=True, args=["true"])
    target = b.rootfs / "etc" / "console-target"
    target.write_text("image file\n")
    os.symlink("/etc/console-target", b.rootfs / "dev" / "console")
    drop_mount(b, "/dev")
    (b.rootfs / "dev" / "pts").mkdir(exist_ok=True)
    res = console_run(runtime, b, hull_env)
    assert res.rc != 0, res
    assert target.read_text() == "image file\n"


def test_cve_2025_52565_control_console_without_symlink(runtime, bundle, hull_env):
    b = bundle(writable=True, args=["true"])
    drop_mount(b, "/dev")
    (b.rootfs / "dev" / "pts").mkdir(exist_ok=True)
    console_run(runtime, b, hull_env).check()


# ---------------------------------------------------------------------------------------------
# CVE-2022-0492: cgroup v1 release_agent. Mounting a hierarchy needs CAP_SYS_ADMIN (or a user
# and cgroup namespace of one's own: the filter refuses unshare), the cgroup mounts are
# read-only, and the container's hierarchy root is its own cgroup.

def existing_v1_hierarchy():
    """Mount options of a v1 hierarchy the host has ("memory", "none,name=systemd"), or None.
    Only an existing one: mounting a new named hierarchy would create it host-wide, and every
    container started meanwhile would find it in its /proc/self/cgroup."""
    for line in open("/proc/self/cgroup"):
        _, controllers, _ = line.rstrip("\n").split(":", 2)
        if controllers.startswith("name="):
            return "none," + controllers
        if controllers:
            return controllers
    return None


HIER = existing_v1_hierarchy()
CG = (f"mkdir -p /data/cg && mount -t cgroup -o {HIER} cgroup /data/cg && echo MOUNTED; "
      if HIER else "")


def host_release_agents():
    found = {}
    for d in ("/sys/fs/cgroup", *[e.path for e in os.scandir("/sys/fs/cgroup") if e.is_dir()]):
        p = os.path.join(d, "release_agent")
        if os.path.exists(p):
            found[p] = open(p).read()
    return found


needs_cgroup_v1 = pytest.mark.skipif(HIER is None, reason="no cgroup v1 hierarchy on this host")


@needs_cgroup_v1
def test_cve_2022_0492_release_agent(runtime, sbundle, default_profile):
    before = host_release_agents()
    b = sbundle()
    b.add_tmpfs("/data")
    b.linux["seccomp"] = default_profile
    out = runtime.sh(b, CG + "unshare -UrmC sh -c '" + CG + "' 2>&1; "
                     "for f in /sys/fs/cgroup/release_agent /sys/fs/cgroup/*/release_agent; do "
                     "[ -e $f ] && /mnt/hostile openw $f; done; "
                     "/mnt/hostile openw /sys/fs/cgroup/cgroup.procs; "
                     "/mnt/hostile openw /sys/fs/cgroup/memory/cgroup.procs; true")
    assert "MOUNTED" not in out, out
    # the container's own hierarchy roots have no release_agent, and nothing opens for writing
    assert not [ln for ln in out.splitlines() if ln.startswith("ok")], out
    assert host_release_agents() == before


@needs_cgroup_v1
def test_cve_2022_0492_control_with_cap_sys_admin(runtime, sbundle):
    """CAP_SYS_ADMIN, no filter, no cgroup namespace: a hierarchy mounts and its release_agent
    opens for writing (nothing is written)."""
    b = sbundle()
    b.add_tmpfs("/data")
    set_caps(b, caps=DEFAULT + ["CAP_SYS_ADMIN"])
    b.remove_namespace("cgroup")
    out = runtime.sh(b, CG + "/mnt/hostile openw /data/cg/release_agent; umount /data/cg")
    assert "MOUNTED" in out and "ok 0" in out, out


# ---------------------------------------------------------------------------------------------
# Writes to /proc/sys, /proc/sysrq-trigger, /sys; reads of /proc/kcore and masked files.

def test_proc_sys_is_read_only(sbundle, attempt):
    assert attempt(sbundle(), "openw", "/proc/sys/kernel/hostname").errno == EROFS


def test_proc_sys_control_writable_without_readonly_paths(runtime, bundle):
    b = bundle()
    b.linux["readonlyPaths"] = []
    # kernel.hostname belongs to the container's uts namespace: a harmless write
    assert runtime.sh(b, "echo written > /proc/sys/kernel/hostname; hostname") == "written\n"


needs_sysrq = pytest.mark.skipif(not os.path.exists("/proc/sysrq-trigger"),
                                 reason="kernel without magic sysrq")
needs_kcore = pytest.mark.skipif(not os.path.exists("/proc/kcore"),
                                 reason="kernel without /proc/kcore")


@needs_sysrq
def test_sysrq_trigger_read_only(sbundle, attempt):
    assert attempt(sbundle(), "openw", "/proc/sysrq-trigger").errno == EROFS


@needs_sysrq
def test_sysrq_trigger_control(sbundle, attempt):
    b = sbundle()
    b.linux["readonlyPaths"] = []
    assert attempt(b, "openw", "/proc/sysrq-trigger").ok  # opened, nothing written


@needs_kcore
def test_kcore_masked(sbundle, attempt):
    b = sbundle()
    set_caps(b, caps=DEFAULT + ["CAP_SYS_RAWIO"])
    a = attempt(b, "read", "/proc/kcore", 4)
    assert a.ok and a.value == "", a


@needs_kcore
def test_kcore_control_unmasked(sbundle, attempt):
    b = sbundle()
    set_caps(b, caps=DEFAULT + ["CAP_SYS_RAWIO"])
    b.linux["maskedPaths"] = []
    assert attempt(b, "read", "/proc/kcore", 4).value == "7f454c46"  # ELF


def test_masked_proc_keys(runtime, bundle):
    b = bundle()
    assert runtime.sh(b, "stat -c '%t:%T' /proc/keys; wc -c < /proc/keys").split() == ["1:3", "0"]


def test_masked_proc_keys_control(runtime, bundle):
    b = bundle()
    b.linux["maskedPaths"] = []
    assert "keyring" in runtime.sh(b, "cat /proc/keys")


def test_sys_is_read_only(sbundle, attempt):
    assert attempt(sbundle(), "openw", "/sys/class/net/lo/mtu").errno == EROFS


def test_sys_control_read_write_mount(sbundle, attempt):
    b = sbundle()
    for m in b.config["mounts"]:
        if m["destination"] == "/sys":
            m["options"] = [o for o in m.get("options", []) if o != "ro"]
    assert attempt(b, "openw", "/sys/class/net/lo/mtu").ok  # opened, nothing written


# ---------------------------------------------------------------------------------------------
# Block devices: mknod needs CAP_MKNOD and the device cgroup's permission; the control reads the
# first bytes of the host's root disk.

def host_root_device():
    st = os.stat("/")
    return os.major(st.st_dev), os.minor(st.st_dev)


def test_mknod_block_device_refused(runtime, sbundle, attempt):
    major, minor = host_root_device()
    b = sbundle()
    b.add_tmpfs("/data")
    assert attempt(b, "mknod", "/data/disk", "b", major, minor).errno == EPERM
    # with CAP_MKNOD the node may be made (runc's default device rules allow mknod of any
    # device), but the device cgroup refuses to open it
    set_caps(b, caps=DEFAULT + ["CAP_MKNOD"])
    out = runtime.sh(b, f"/mnt/hostile mknod /data/disk b {major} {minor}; "
                        "/mnt/hostile read /data/disk 2").splitlines()
    assert out[-1].startswith(f"err {EPERM} "), out


def host_can_read_block_device(hull_env, major, minor):
    node = hull_env.tmp / "host-disk"
    try:
        os.mknod(node, 0o600 | stat.S_IFBLK, os.makedev(major, minor))
        with open(node, "rb") as f:
            f.read(2)
        return True
    except OSError:
        return False
    finally:
        if node.exists():
            node.unlink()


def test_mknod_block_device_control(runtime, sbundle, hull_env):
    major, minor = host_root_device()
    if major == 0 or not host_can_read_block_device(hull_env, major, minor):
        pytest.skip("the host itself cannot open its root disk through a new node here")
    b = sbundle()
    b.add_tmpfs("/data")
    set_caps(b, caps=DEFAULT + ["CAP_MKNOD"])
    b.linux["resources"] = {"devices": [
        {"allow": False, "access": "rwm"},
        {"allow": True, "type": "b", "major": major, "minor": minor, "access": "rwm"}]}
    out = runtime.sh(b, f"/mnt/hostile mknod /data/disk b {major} {minor}; "
                        "/mnt/hostile read /data/disk 2")
    lines = out.splitlines()
    assert lines[0] == "ok 0" and lines[1].startswith("ok "), out


# ---------------------------------------------------------------------------------------------
# Kernel modules

def test_module_loading_refused(sbundle, attempt, default_profile):
    b = sbundle()
    assert attempt(b, "finit_module").errno in (EPERM, 38)  # ENOSYS: a kernel without modules
    b.linux["seccomp"] = default_profile
    assert attempt(b, "finit_module").errno == EPERM


def test_module_loading_control_with_cap_sys_module(sbundle, attempt):
    b = sbundle()
    set_caps(b, caps=DEFAULT + ["CAP_SYS_MODULE"])
    a = attempt(b, "finit_module")
    if a.errno == 38:
        pytest.skip("kernel without module support")
    assert a.errno == 9  # EBADF: past the permission check, stopped only by the bad fd


# ---------------------------------------------------------------------------------------------
# Keyrings: the container gets a session keyring of its own; the filter refuses keyctl.

def host_session_keyring():
    libc.syscall.restype = ctypes.c_long
    return libc.syscall(250, 0, -3, 0)  # keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING)


def test_keyctl_new_session_keyring(sbundle, attempt):
    a = attempt(sbundle(), "keyring")
    assert a.ok and int(a.value) != host_session_keyring()


def test_keyctl_control_no_new_keyring(sbundle, attempt):
    a = attempt(sbundle(), "keyring", extra=["--no-new-keyring"])
    assert a.ok and int(a.value) == host_session_keyring()


# ---------------------------------------------------------------------------------------------
# ptrace of host processes

@pytest.fixture
def host_sleeper(hull_env):
    p = subprocess.Popen(["sleep", "60"], env=hull_env.proc_env())
    yield p.pid
    p.kill()
    p.wait()


def test_ptrace_host_process(sbundle, attempt, host_sleeper):
    b = sbundle()
    assert attempt(b, "ptrace", host_sleeper).errno == ESRCH  # not even visible
    b.remove_namespace("pid")
    assert attempt(b, "ptrace", host_sleeper).errno == EPERM  # visible, but no CAP_SYS_PTRACE


def test_ptrace_host_process_control(sbundle, attempt, host_sleeper):
    b = sbundle()
    b.remove_namespace("pid")
    set_caps(b, caps=DEFAULT + ["CAP_SYS_PTRACE"])
    assert attempt(b, "ptrace", host_sleeper).ok


# ---------------------------------------------------------------------------------------------
# Raw sockets without CAP_NET_RAW

def test_raw_sockets_refused(sbundle, attempt):
    b = sbundle()
    assert attempt(b, "rawsock").errno == EPERM
    assert attempt(b, "packetsock").errno == EPERM


def test_raw_sockets_control_with_cap_net_raw(sbundle, attempt):
    b = sbundle()
    set_caps(b, caps=DEFAULT + ["CAP_NET_RAW"])
    assert attempt(b, "rawsock").ok
    assert attempt(b, "packetsock").ok


# ---------------------------------------------------------------------------------------------
# setuid binaries under no_new_privs

def suid_bundle(sbundle):
    b = sbundle(writable=True)
    exe = b.rootfs / "bin" / "hostile-suid"
    shutil.copy2(b.rootfs / "bin" / "hostile", exe)
    os.chown(exe, 0, 0)
    os.chmod(exe, 0o4755)
    b.process["user"] = {"uid": 1000, "gid": 1000}
    return b


def test_setuid_binary_under_no_new_privs(sbundle, attempt):
    b = suid_bundle(sbundle)
    b.process["noNewPrivileges"] = True
    assert "euid=1000 " in attempt(b, "ids", helper="/bin/hostile-suid").value


def test_setuid_binary_control_without_no_new_privs(sbundle, attempt):
    b = suid_bundle(sbundle)
    b.process["noNewPrivileges"] = False
    value = attempt(b, "ids", helper="/bin/hostile-suid").value
    assert "euid=0 " in value
    assert re.search(r"capeff=0*[1-9a-f]", value), value  # and root's capabilities with it
