# Code paths taken on other kernels or setups, forced here: clone3 and openat2 missing (the
# fallbacks of src/base/syscalls.h), --no-pivot (MS_MOVE + chroot), linux.rootfsPropagation.
import subprocess

import pytest


@pytest.mark.hullc_only
@pytest.mark.parametrize("disabled", ["clone3", "openat2", "clone3,openat2"])
def test_syscall_fallbacks(runtime, bundle, monkeypatch, disabled):
    monkeypatch.setenv("HULL_TEST_DISABLE", disabled)
    b = bundle(writable=True)
    b.add_tmpfs("/a/b/c", "size=1m")
    out = runtime.sh(b, "echo pid=$$; grep -c ' /a/b/c ' /proc/self/mountinfo; ls /dev/null")
    assert "pid=1" in out
    assert "\n1\n" in out
    assert "/dev/null" in out


def test_no_pivot(runtime, bundle, hull_env):
    b = bundle()
    marker = hull_env.mkdir("host-marker")
    b.args = ["sh", "-c", "echo pid=$$; ls / ; test -e %s && echo LEAK || echo clean" % marker]
    out = runtime.run(b, None, "--no-pivot").check().out
    assert "pid=1" in out
    assert "bin" in out.split()
    assert "clean" in out


@pytest.fixture
def shared_bundle(bundle):
    """A writable bundle whose directory is a shared mount, so that propagation can be seen."""
    b = bundle(writable=True)
    d = str(b.dir)
    subprocess.run(["mount", "--bind", d, d], check=True)
    subprocess.run(["mount", "--make-shared", d], check=True)
    yield b
    subprocess.run(["umount", "-l", d], check=True)


# runc 1.1 leaves "/" a slave even with rshared; the spec asks for shared.
@pytest.mark.parametrize("prop,tag", [
    pytest.param("rshared", "shared:", marks=pytest.mark.hullc_only),
    ("rslave", "master:"), ("rprivate", None)])
def test_rootfs_propagation(runtime, shared_bundle, prop, tag):
    b = shared_bundle
    b.linux["rootfsPropagation"] = prop
    line = runtime.sh(b, "awk '$5 == \"/\"' /proc/self/mountinfo").strip().splitlines()[-1]
    optional = line.split(" - ")[0].split()[6:]
    if tag:
        assert any(o.startswith(tag) for o in optional), line
    else:
        assert not any(o.startswith(("shared:", "master:")) for o in optional), line
