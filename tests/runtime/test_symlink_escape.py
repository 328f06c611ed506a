# Mount destinations are resolved inside the rootfs: a symlink in the rootfs (absolute, or
# relative with enough ..) must never send a mount, a mkdir or a file creation to the host
# (the CVE-2021-30465 class). The host target stays untouched and gets no mount.
import os

import pytest


def host_mounts_at(path):
    path = str(path)
    with open("/proc/self/mountinfo") as f:
        return [line for line in f if line.split()[4].startswith(path)]


@pytest.fixture
def escape(bundle, hull_env):
    """A writable bundle and a host directory its rootfs has symlinks to."""
    target = hull_env.mkdir("escape-target")
    (target / "host-file").write_text("host\n")
    b = bundle(writable=True)
    os.symlink(str(target), b.rootfs / "evil-abs")
    depth = "../" * (len(b.rootfs.parts) + 3)
    os.symlink(depth + str(target).lstrip("/"), b.rootfs / "evil-rel")
    os.symlink("/", b.rootfs / "to-root")
    yield b, target
    # After each case: the host directory is exactly as it was and nothing is mounted on it.
    assert sorted(os.listdir(target)) == ["host-file"], "a mount or file escaped to the host"
    assert (target / "host-file").read_text() == "host\n"
    assert not host_mounts_at(target)


@pytest.mark.parametrize("link", ["evil-abs", "evil-rel"])
def test_tmpfs_on_symlink(runtime, escape, link):
    b, target = escape
    b.add_tmpfs(f"/{link}")
    out = runtime.sh(b, f"echo inside > /{link}/new && cat /{link}/new; ls /{link}; "
                        f"stat -f -c %T /{link}/")
    lines = out.split()
    assert lines[:3] == ["inside", "new", "tmpfs"], out


@pytest.mark.parametrize("link", ["evil-abs", "evil-rel"])
def test_mkdir_through_symlink(runtime, escape, link):
    b, target = escape
    b.add_tmpfs(f"/{link}/sub/dir")
    out = runtime.sh(b, f"echo x > /{link}/sub/dir/f && echo ok; "
                        f"test -e /{link}/host-file && echo SEES-HOST-FILE; true")
    assert out == "ok\n"


@pytest.mark.parametrize("link", ["evil-abs", "evil-rel"])
def test_file_bind_through_symlink(runtime, escape, hull_env, link):
    b, target = escape
    src = hull_env.tmp / "bind-src"
    src.write_text("bound\n")
    b.add_mount(f"/{link}/bound-file", "bind", src, ["bind", "ro"])
    assert runtime.sh(b, f"cat /{link}/bound-file") == "bound\n"


def test_bind_dir_onto_symlink(runtime, escape, hull_env):
    b, target = escape
    src = hull_env.mkdir("bind-dir")
    (src / "from-src").write_text("src\n")
    b.add_mount("/evil-abs", "bind", src, ["rbind", "rw"])
    out = runtime.sh(b, "ls /evil-abs; echo y > /evil-abs/written")
    assert out.split() == ["from-src"]
    assert (src / "written").read_text() == "y\n"


def test_symlink_to_root_stays_in_rootfs(runtime, escape, hull_env):
    b, target = escape
    # /to-root -> "/" means the container's root, never the host's.
    rel = str(target).lstrip("/")
    b.add_tmpfs(f"/to-root/{rel}/via-root")
    runtime.sh(b, f"echo z > /to-root/{rel}/via-root/f")
    assert (b.rootfs / rel / "via-root").is_dir()


# runc 1.1.5 fails this one: it makes the mount point `proc2` in the host directory.
@pytest.mark.hullc_only
def test_symlinked_intermediate_dir_for_a_proc_style_mount(runtime, escape):
    b, target = escape
    b.add_mount("/evil-abs/proc2", "proc", "proc")
    out = runtime.sh(b, "test -e /evil-abs/proc2/self/status && echo proc-ok")
    assert out == "proc-ok\n"
