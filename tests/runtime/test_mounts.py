# The container's file system as the spec describes it, checked from inside: /proc, /dev, binds
# (ro, rw, rbind, files), tmpfs options, mount flags, masked and read-only paths, a read-only
# root, linux.devices.
import os
import subprocess

import pytest


def mount_table(text):
    """/proc/mounts lines -> {mount point: (type, set of options)}; the last mount wins."""
    table = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[1].startswith("/"):
            table[parts[1]] = (parts[2], set(parts[3].split(",")))
    return table


def test_proc_is_the_containers(runtime, bundle):
    out = runtime.sh(bundle(), "cat /proc/mounts; echo SELF $(readlink /proc/self)")
    mounts = mount_table(out)
    assert mounts["/proc"][0] == "proc"
    self_pid = int(out.split("SELF ")[1].split()[0])
    assert self_pid < 50  # a pid of the container's namespace


def test_default_mounts(runtime, bundle):
    mounts = mount_table(runtime.sh(bundle(), "cat /proc/mounts"))
    assert mounts["/dev"][0] == "tmpfs"
    assert mounts["/dev/pts"][0] == "devpts"
    assert mounts["/dev/shm"][0] == "tmpfs"
    assert mounts["/dev/mqueue"][0] == "mqueue"
    assert mounts["/sys"][0] == "sysfs" and "ro" in mounts["/sys"][1]
    assert {"nosuid", "noexec", "nodev"} <= mounts["/dev/shm"][1]
    assert any(m == "/sys/fs/cgroup" or m.startswith("/sys/fs/cgroup/") for m in mounts)


DEVICES = {"null": (1, 3), "zero": (1, 5), "full": (1, 7), "random": (1, 8),
           "urandom": (1, 9), "tty": (5, 0)}


def test_dev(runtime, bundle):
    script = ["for d in %s; do stat -c '%%n %%F %%t %%T' /dev/$d; done" % " ".join(DEVICES),
              "stat -c '%n %F %t %T' /dev/pts/ptmx",
              "test -c /dev/ptmx && echo ptmx-ok",
              "for l in fd stdin stdout stderr; do echo LINK $l $(readlink /dev/$l); done",
              "ls /dev/fd/ >/dev/null && echo fd-ok"]
    out = runtime.sh(bundle(), "; ".join(script))
    lines = out.splitlines()
    for name, (major, minor) in DEVICES.items():
        assert f"/dev/{name} character special file {major:x} {minor:x}" in lines, out
    assert "/dev/pts/ptmx character special file 5 2" in lines
    assert "ptmx-ok" in lines and "fd-ok" in lines
    links = {line.split()[1]: line.split()[2] for line in lines if line.startswith("LINK ")}
    assert links == {"fd": "/proc/self/fd", "stdin": "/proc/self/fd/0",
                     "stdout": "/proc/self/fd/1", "stderr": "/proc/self/fd/2"}


def test_dev_usable_by_an_unprivileged_user(runtime, bundle):
    b = bundle()
    b.process["user"] = {"uid": 1000, "gid": 1000}
    out = runtime.sh(b, "echo x > /dev/null && echo null-ok; "
                        "head -c 5 /dev/zero | wc -c; head -c 16 /dev/urandom | wc -c; "
                        "(echo x > /dev/full) 2>/dev/null || echo full-ENOSPC; "
                        "echo x > /dev/shm/f && echo shm-ok")
    assert out.split() == ["null-ok", "5", "16", "full-ENOSPC", "shm-ok"]


def test_ro_bind_mount(runtime, bundle, hull_env):
    src = hull_env.mkdir("ro-src")
    (src / "file").write_text("from the host\n")
    b = bundle()
    b.add_mount("/data", "bind", src, ["bind", "ro"])
    out = runtime.sh(b, "cat /data/file; (echo x > /data/new) 2>/dev/null && echo WROTE; "
                        "(echo x >> /data/file) 2>/dev/null && echo APPENDED; "
                        "grep ' /data ' /proc/mounts")
    assert out.splitlines()[0] == "from the host"
    assert "WROTE" not in out and "APPENDED" not in out
    assert "ro" in mount_table(out)["/data"][1]
    assert sorted(os.listdir(src)) == ["file"]
    assert (src / "file").read_text() == "from the host\n"


def test_rw_bind_mount(runtime, bundle, hull_env):
    src = hull_env.mkdir("rw-src")
    (src / "from-host").write_text("host\n")
    b = bundle()
    b.add_mount("/data", "bind", src, ["rbind", "rw"])
    out = runtime.sh(b, "cat /data/from-host; echo container > /data/from-container; "
                        "grep ' /data ' /proc/mounts")
    assert out.splitlines()[0] == "host"
    assert "rw" in mount_table(out)["/data"][1]
    assert (src / "from-container").read_text() == "container\n"


def test_bind_mount_without_type(runtime, bundle, hull_env):
    # "type" is optional: the bind option alone makes a bind mount.
    src = hull_env.mkdir("src")
    (src / "f").write_text("typeless\n")
    b = bundle()
    b.add_mount("/data", None, src, ["bind"])
    assert runtime.sh(b, "cat /data/f") == "typeless\n"


@pytest.mark.parametrize("option", ["bind", "rbind"])
def test_bind_and_rbind_submounts(runtime, bundle, hull_env, option):
    src = hull_env.mkdir("src")
    (src / "sub").mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "hull-sub", str(src / "sub")],
                   check=True)
    try:
        (src / "sub" / "in-submount").write_text("x")
        b = bundle()
        b.add_mount("/data", "bind", src, [option])
        out = runtime.sh(b, "ls /data/sub; grep -c ' /data/sub ' /proc/mounts || true")
    finally:
        subprocess.run(["umount", str(src / "sub")], check=True)
    if option == "rbind":
        assert out.split() == ["in-submount", "1"]
    else:
        assert out.split() == ["0"]


def test_bind_mount_a_file(runtime, bundle, hull_env):
    src = hull_env.tmp / "hostname-file"
    src.write_text("file-bind\n")
    b = bundle(writable=True)  # /etc/hostname does not exist in the rootfs: created
    b.add_mount("/etc/hostname", "bind", src, ["bind", "ro"])
    b.add_mount("/data/new/dir/file", "bind", src, ["bind", "ro"])
    out = runtime.sh(b, "cat /etc/hostname /data/new/dir/file")
    assert out == "file-bind\nfile-bind\n"
    assert (b.rootfs / "etc" / "hostname").is_file()


def test_tmpfs_size_and_mode(runtime, bundle):
    b = bundle()
    b.add_tmpfs("/mnt", "size=1m", "mode=1770")
    out = runtime.sh(b, "grep ' /mnt ' /proc/mounts; stat -c 'MODE %a' /mnt; "
                        "dd if=/dev/zero of=/mnt/f bs=1024 count=2048 2>/dev/null; echo DD $?; "
                        "stat -c 'SIZE %s' /mnt/f")
    fstype, opts = mount_table(out)["/mnt"]
    assert fstype == "tmpfs" and "size=1024k" in opts, out
    lines = out.splitlines()
    assert "mode=1770" in opts
    if runtime.is_hullc:  # runc gives the tmpfs the mode of the directory it covers
        assert "MODE 1770" in lines
    dd = next(line for line in lines if line.startswith("DD "))
    assert dd != "DD 0", "writing 2 MiB to a 1 MiB tmpfs must fail"
    size = int(next(line for line in lines if line.startswith("SIZE ")).split()[1])
    assert size <= 1024 * 1024


def test_mount_flags_visible_and_enforced(runtime, bundle, hull_env):
    src = hull_env.mkdir("src")
    b = bundle()
    b.add_tmpfs("/mnt", "nosuid", "noexec", "nodev", "noatime")
    b.add_mount("/data", "bind", src, ["rbind", "nosuid", "noexec", "nodev", "ro"])
    out = runtime.sh(b, "cat /proc/mounts; cp /bin/busybox /mnt/echo; "
                        "/mnt/echo EXECUTED 2>&1; echo end")
    mounts = mount_table(out)
    assert {"nosuid", "noexec", "nodev", "noatime"} <= mounts["/mnt"][1]
    assert {"nosuid", "noexec", "nodev", "ro"} <= mounts["/data"][1]
    assert "EXECUTED" not in out and "Permission denied" in out and out.endswith("end\n")


def test_exec_allowed_without_noexec(runtime, bundle):
    b = bundle()
    b.add_tmpfs("/mnt", "exec")
    out = runtime.sh(b, "cp /bin/busybox /mnt/echo && /mnt/echo EXECUTED")
    assert out == "EXECUTED\n"


def test_root_readonly(runtime, bundle):
    b = bundle()
    assert b.config["root"]["readonly"] is True
    out = runtime.sh(b, "touch /new-file 2>/dev/null && echo WROTE; touch /tmp/x 2>/dev/null "
                        "&& echo WROTE-TMP; grep -E '^[^ ]+ / ' /proc/mounts")
    assert "WROTE" not in out
    assert "ro" in mount_table(out)["/"][1]


def test_root_writable(runtime, bundle):
    b = bundle(writable=True)
    out = runtime.sh(b, "echo inside > /new-file && echo WROTE")
    assert out == "WROTE\n"
    assert (b.rootfs / "new-file").read_text() == "inside\n"


def test_default_masked_paths(runtime, bundle):
    b = bundle()
    candidates = [p for p in b.linux["maskedPaths"] if os.path.exists(p)]
    files = [p for p in candidates if os.path.isfile(p)]
    dirs = [p for p in candidates if os.path.isdir(p)]
    if not files or not dirs:
        pytest.skip(f"no masked file and directory exist on this host: {candidates}")
    script = "; ".join([f"echo F {p} $(cat {p} 2>/dev/null | wc -c)" for p in files] +
                       [f"echo D {p} $(ls -A {p} | wc -l)" for p in dirs])
    out = runtime.sh(b, script)
    for line in out.splitlines():
        assert line.split()[2] == "0", f"{line}: masked path has content"


def test_custom_masked_and_readonly_paths(runtime, bundle):
    b = bundle(writable=True)
    (b.rootfs / "secret-dir").mkdir()
    (b.rootfs / "secret-dir" / "key").write_text("s3cret\n")
    (b.rootfs / "secret-file").write_text("s3cret\n")
    (b.rootfs / "ro-dir").mkdir()
    (b.rootfs / "ro-dir" / "old").write_text("old\n")
    b.linux["maskedPaths"] = ["/secret-dir", "/secret-file", "/does-not-exist"]
    b.linux["readonlyPaths"] = ["/ro-dir", "/does-not-exist-either"]
    out = runtime.sh(b, "ls -A /secret-dir; cat /secret-file; "
                        "touch /secret-dir/x 2>/dev/null && echo WROTE-MASKED; "
                        "cat /ro-dir/old; touch /ro-dir/new 2>/dev/null && echo WROTE-RO; "
                        "touch /rw-file && echo rw-ok")
    assert out.split() == ["old", "rw-ok"]
    assert not (b.rootfs / "ro-dir" / "new").exists()


def test_default_readonly_paths(runtime, bundle):
    b = bundle()
    assert "/proc/sys" in b.linux["readonlyPaths"]
    out = runtime.sh(b, "cat /proc/sys/kernel/shm_rmid_forced >/dev/null && echo read-ok; "
                        "(echo 1 > /proc/sys/kernel/shm_rmid_forced) 2>/dev/null && echo WROTE; "
                        "grep ' /proc/sys ' /proc/mounts")
    assert out.splitlines()[0] == "read-ok"
    assert "WROTE" not in out
    assert "ro" in mount_table(out)["/proc/sys"][1]


def test_linux_devices(runtime, bundle):
    b = bundle()
    b.linux["devices"] = [{"path": "/dev/hull-null", "type": "c", "major": 1, "minor": 3,
                           "fileMode": 0o640, "uid": 0, "gid": 0}]
    b.linux.setdefault("resources", {}).setdefault("devices", []).append(
        {"allow": True, "type": "c", "major": 1, "minor": 3, "access": "rwm"})
    out = runtime.sh(b, "stat -c '%F %t %T %a %u' /dev/hull-null; echo x > /dev/hull-null "
                        "&& echo write-ok")
    assert out.splitlines() == ["character special file 1 3 640 0", "write-ok"]
