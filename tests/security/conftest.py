# Fixtures of the security suite: `hostile`, a static helper that makes one attempt per call
# (tests/security/hostile.c), bundles that carry it, and Docker's default seccomp profile as
# hull ships it (docs/seccomp/default.json). Helpers are in secutil.py.
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from secutil import HOSTILE_IN, PROFILE, Attempt

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def hostile_bin(session_dir):
    """The helper, compiled once per session (static, so the busybox rootfs can run it)."""
    out = session_dir / "hostile-bin"
    out.mkdir(exist_ok=True)
    os.chmod(out, 0o755)
    exe = out / "hostile"
    cc = shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")
    if not cc:
        pytest.fail("no C compiler to build tests/security/hostile.c (build-essential)")
    res = subprocess.run([cc, "-static", "-O1", "-o", str(exe), str(HERE / "hostile.c")],
                         capture_output=True, text=True)
    assert res.returncode == 0, f"building hostile.c failed (static libc?):\n{res.stderr}"
    os.chmod(exe, 0o755)
    return exe


@pytest.fixture
def sbundle(bundle, hostile_bin):
    """bundle() with the helper bind-mounted read-only at /mnt (writable=True: copied into the
    rootfs as /bin/hostile as well, for setuid and file capability tests)."""

    def make(writable=False, args=None):
        b = bundle(writable=writable, args=args)
        b.add_mount("/mnt", "bind", hostile_bin.parent, ["rbind", "ro"])
        if writable:
            shutil.copy2(hostile_bin, b.rootfs / "bin" / "hostile")
        return b

    return make


@pytest.fixture
def attempt(runtime):
    """attempt(bundle, *hostile_args) -> Attempt: run the helper as the container's process."""

    def run(b, *args, rc=0, helper=HOSTILE_IN, extra=(), **kw):
        b.args = [helper, *map(str, args)]
        res = runtime.run(b, None, *extra, **kw)
        assert res.rc == rc, f"expected rc={rc}\n{res!r}"
        return Attempt(res)

    return run


@pytest.fixture(scope="session")
def default_profile():
    return json.loads(PROFILE.read_text())




ROOTLESS_USER = "hull-rootless"


def _strip_subids(user):
    for path in ("/etc/subuid", "/etc/subgid"):
        try:
            lines = open(path).read().splitlines(keepends=True)
        except OSError:
            continue
        kept = [ln for ln in lines if not ln.startswith(user + ":")]
        if kept != lines:
            with open(path, "w") as f:
                f.writelines(kept)


@pytest.fixture(scope="session")
def rootless_user():
    """A non-root user for rootless hullc, with 65536 subordinate uids and gids; created for the
    session (and removed after) unless it exists already."""
    import pwd

    created = False
    try:
        pwd.getpwnam(ROOTLESS_USER)
    except KeyError:
        if not shutil.which("useradd"):
            pytest.skip("useradd missing: cannot create a user for the rootless tests")
        subprocess.run(["useradd", "--no-create-home", "--shell", "/bin/sh", ROOTLESS_USER],
                       check=True, capture_output=True)
        created = True
    pw = pwd.getpwnam(ROOTLESS_USER)
    for path, ident in (("/etc/subuid", pw.pw_uid), ("/etc/subgid", pw.pw_gid)):
        text = open(path).read() if os.path.exists(path) else ""
        if not any(ln.startswith(ROOTLESS_USER + ":") for ln in text.splitlines()):
            # a range no other line of the file uses
            top = max([int(a) + int(b) for _, a, b in
                       (ln.split(":") for ln in text.splitlines() if ln.count(":") == 2)] +
                      [200000])
            with open(path, "a") as f:
                f.write(("\n" if text and not text.endswith("\n") else "") +
                        f"{ROOTLESS_USER}:{top}:65536\n")
    yield ROOTLESS_USER
    if created:
        subprocess.run(["userdel", ROOTLESS_USER], capture_output=True)
        _strip_subids(ROOTLESS_USER)
