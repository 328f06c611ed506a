# Rootless hullc: run by a non-root user the test creates, with a single-id mapping (the user's
# own uid) or ranges from /etc/subuid through newuidmap/newgidmap; state in $XDG_RUNTIME_DIR,
# no cgroup. The user cannot map ids /etc/subuid does not give it.
import json
import os
import pwd
import shutil
import subprocess
import tempfile

import pytest

pytestmark = pytest.mark.hullc_only  # runc's rootless state and cgroup defaults differ


def sub_range(path, user):
    for line in open(path):
        name, start, count = line.strip().split(":")
        if name == user:
            return int(start), int(count)
    return None


class Rootless:
    """Runs hullc as USER with its own XDG_RUNTIME_DIR (under the test's directory)."""

    def __init__(self, user, hull_env, hullc):
        self.user = user
        self.pw = pwd.getpwnam(user)
        self.t = hull_env
        self.hullc = hullc
        self.xdg = hull_env.mkdir("xdg")
        os.chown(self.xdg, self.pw.pw_uid, self.pw.pw_gid)
        os.chmod(self.xdg, 0o700)

    def __call__(self, *args, timeout=30, cwd=None):
        env = {"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"),
               "XDG_RUNTIME_DIR": str(self.xdg), "HOME": str(self.xdg),
               "HULL_TEST": self.t.tag}
        cmd = ["setpriv", f"--reuid={self.pw.pw_uid}", f"--regid={self.pw.pw_gid}",
               "--init-groups", "--reset-env", "env", *[f"{k}={v}" for k, v in env.items()],
               self.hullc, *map(str, args)]
        # files, not pipes: a created container's init holds its stdio until it execs
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            p = subprocess.run(cmd, stdout=out, stderr=err, timeout=timeout, cwd=cwd)
            out.seek(0)
            err.seek(0)
            p.stdout = out.read().decode(errors="replace")
            p.stderr = err.read().decode(errors="replace")
        return p

    def bundle(self, pristine, args):
        """`hullc spec --rootless` made by the user, on the session's busybox rootfs."""
        d = self.t.mkdir("rlbundle")
        os.chown(d, self.pw.pw_uid, self.pw.pw_gid)
        res = self("spec", "--rootless", cwd=d)
        assert res.returncode == 0, res
        cfg = json.loads((d / "config.json").read_text())
        cfg["root"] = {"path": str(pristine[0]), "readonly": True}
        cfg["process"]["terminal"] = False
        cfg["process"]["args"] = list(args)
        cfg["process"]["env"].append(f"HULL_TEST={self.t.tag}")
        return d, cfg

    def save(self, d, cfg):
        (d / "config.json").write_text(json.dumps(cfg))

    def cleanup(self):
        state = self.xdg / "hullc"
        if state.exists():
            for e in os.scandir(state):
                self("delete", "--force", e.name)


@pytest.fixture
def rootless(rootless_user, hull_env, hullc):
    r = Rootless(rootless_user, hull_env, hullc)
    yield r
    r.cleanup()


def test_rootless_busybox_runs(rootless, pristine, hull_env):
    d, cfg = rootless.bundle(pristine, ["sh", "-c", "id -u; cat /proc/self/uid_map; "
                                                    "grep ^CapEff /proc/self/status"])
    rootless.save(d, cfg)
    cid = hull_env.new_id()
    res = rootless("run", "--bundle", d, cid)
    assert res.returncode == 0, res
    lines = res.stdout.splitlines()
    assert lines[0] == "0"
    assert lines[1].split() == ["0", str(rootless.pw.pw_uid), "1"]
    assert lines[2] == "CapEff:\t0000000020000420"  # the spec's three, in the user namespace


def test_rootless_state_in_xdg_runtime_dir(rootless, pristine, hull_env):
    d, cfg = rootless.bundle(pristine, ["true"])
    rootless.save(d, cfg)
    cid = hull_env.new_id()
    res = rootless("create", "--bundle", d, cid)
    assert res.returncode == 0, res
    try:
        assert (rootless.xdg / "hullc" / cid / "state.json").exists()
        st = json.loads(rootless("state", cid).stdout)
        # init runs as the user on the host
        status = open(f"/proc/{st['pid']}/status").read()
        uid_line = next(ln for ln in status.splitlines() if ln.startswith("Uid:"))
        assert uid_line.split()[1:] == [str(rootless.pw.pw_uid)] * 4
    finally:
        rootless("delete", "--force", cid)


@pytest.fixture
def subids(rootless_user):
    if not shutil.which("newuidmap") or not shutil.which("newgidmap"):
        pytest.skip("newuidmap/newgidmap missing (package uidmap)")
    u = sub_range("/etc/subuid", rootless_user)
    g = sub_range("/etc/subgid", rootless_user)
    if not u or not g or u[1] < 65536 or g[1] < 65536:
        pytest.skip(f"no /etc/subuid and /etc/subgid ranges for {rootless_user}")
    return u, g


def test_rootless_subuid_ranges(rootless, pristine, hull_env, subids):
    (ustart, _), (gstart, _) = subids
    uid, gid = rootless.pw.pw_uid, rootless.pw.pw_gid
    d, cfg = rootless.bundle(pristine, ["sh", "-c", "id; cat /proc/self/uid_map; sleep 0"])
    cfg["linux"]["uidMappings"] = [{"containerID": 0, "hostID": uid, "size": 1},
                                   {"containerID": 1, "hostID": ustart, "size": 65536}]
    cfg["linux"]["gidMappings"] = [{"containerID": 0, "hostID": gid, "size": 1},
                                   {"containerID": 1, "hostID": gstart, "size": 65536}]
    cfg["process"]["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [100]}
    rootless.save(d, cfg)
    res = rootless("run", "--bundle", d, hull_env.new_id())
    assert res.returncode == 0, res
    lines = res.stdout.splitlines()
    assert lines[0].startswith("uid=1000(user) gid=1000(user) groups=100(users)")
    assert [ln.split() for ln in lines[1:3]] == [["0", str(uid), "1"], ["1", str(ustart), "65536"]]


def test_rootless_cannot_map_ids_it_was_not_given(rootless, pristine, hull_env, subids):
    """Control of the above: a range outside /etc/subuid (host root's ids) is refused."""
    d, cfg = rootless.bundle(pristine, ["true"])
    cfg["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 0, "size": 1000}]
    rootless.save(d, cfg)
    res = rootless("run", "--bundle", d, hull_env.new_id())
    assert res.returncode != 0
    assert "newuidmap" in res.stderr, res


def test_rootless_with_the_default_seccomp_profile(rootless, pristine, hull_env, default_profile,
                                                   hostile_bin):
    d, cfg = rootless.bundle(pristine, ["/mnt/hostile", "keyring"])
    cfg["linux"]["seccomp"] = default_profile
    cfg["mounts"].append({"destination": "/mnt", "type": "bind",
                          "source": str(hostile_bin.parent), "options": ["rbind", "ro"]})
    rootless.save(d, cfg)
    res = rootless("run", "--bundle", d, hull_env.new_id())
    assert res.returncode == 0, res
    assert res.stdout.startswith("err 1 "), res
