# Helpers of the image suites (imported by the tests and by conftest.py): running hull with a
# private --root, listings of unpacked trees, and builders of (hostile) layer and OCI archives.
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HULL = os.path.abspath(os.environ.get("HULL") or REPO / "build" / "hull")


def _find_testimages():
    for cand in (os.environ.get("HULL_TESTIMAGES_DIR"), REPO.parent / "shared" / "testimages",
                 Path("/work/shared/testimages")):
        if cand and (Path(cand) / "make-images.sh").exists():
            return Path(cand).resolve()
    return None


TESTIMAGES = _find_testimages()
LISTING = TESTIMAGES / "rootfs-listing.py" if TESTIMAGES else None


class Result:
    def __init__(self, args, rc, out, err):
        self.args, self.rc, self.out, self.err = args, rc, out, err

    def __repr__(self):
        return f"<hull {' '.join(self.args)}: rc={self.rc}\nstdout: {self.out}\nstderr: {self.err}>"

    def check(self):
        assert self.rc == 0, repr(self)
        return self

    def fails(self):
        assert self.rc != 0, repr(self)
        assert self.err.startswith("hull") and self.err.strip(), repr(self)
        return self

    def json(self):
        return json.loads(self.out)


class Hull:
    """hull with a private --root; every mount it made is undone at teardown."""

    def __init__(self, root):
        self.root = Path(root)

    def __call__(self, *args, timeout=120, input=None, env=None):
        cmd = [HULL, "--root", str(self.root), *map(str, args)]
        p = subprocess.run(cmd, capture_output=True, timeout=timeout, input=input,
                           env=env)
        return Result(list(map(str, args)), p.returncode,
                      p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace"))

    def cmd_prefix(self):
        return [HULL, "--root", str(self.root)]

    def popen(self, *args, **kw):
        cmd = [HULL, "--root", str(self.root), *map(str, args)]
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)

    def ids(self):
        return [l for l in self("images", "-q", "--no-trunc").check().out.split() if l]

    def cleanup(self):
        if self.root.exists():
            self("image", "unmount", "--all", "--force")
            for line in open("/proc/self/mountinfo"):
                mnt = line.split()[4]
                if mnt.startswith(str(self.root) + "/"):
                    subprocess.run(["umount", "-l", mnt], check=False)
            shutil.rmtree(self.root, ignore_errors=True)


def listing(rootfs):
    p = subprocess.run(["/usr/bin/python3", str(LISTING), str(rootfs)], capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return p.stdout


def store_leftovers(root):
    """Temporary files or directories a failed operation must not leave behind."""
    root = Path(root)
    found = []
    for d in ("tmp", "layers"):
        p = root / d
        if p.exists():
            found += [str(e) for e in p.iterdir() if e.name.startswith(".tmp-")]
    return found


# ---------------------------------------------------------------------------------------------
# Building archives in the tests (hostile ones included)


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


class LayerTar:
    """A tar layer built member by member with tarfile, in memory."""

    def __init__(self, fmt=tarfile.PAX_FORMAT):
        self.buf = io.BytesIO()
        self.tar = tarfile.open(fileobj=self.buf, mode="w", format=fmt)

    def add(self, name, type=tarfile.REGTYPE, data=b"", mode=0o644, linkname="", uid=0, gid=0,
            mtime=1704067200, pax=None, devmajor=0, devminor=0):
        ti = tarfile.TarInfo(name)
        ti.type, ti.mode, ti.uid, ti.gid, ti.mtime = type, mode, uid, gid, mtime
        ti.linkname = linkname
        ti.devmajor, ti.devminor = devmajor, devminor
        if pax:
            ti.pax_headers = pax
        if type == tarfile.REGTYPE:
            ti.size = len(data)
            self.tar.addfile(ti, io.BytesIO(data))
        else:
            self.tar.addfile(ti)
        return self

    def dir(self, name, mode=0o755, **kw):
        return self.add(name, tarfile.DIRTYPE, mode=mode, **kw)

    def file(self, name, data=b"x", **kw):
        return self.add(name, tarfile.REGTYPE, data=data, **kw)

    def symlink(self, name, target, **kw):
        return self.add(name, tarfile.SYMTYPE, linkname=target, mode=0o777, **kw)

    def hardlink(self, name, target, **kw):
        return self.add(name, tarfile.LNKTYPE, linkname=target, **kw)

    def bytes(self):
        self.tar.close()
        return self.buf.getvalue()


def oci_archive(path, layers, name=None, compress="gzip", config=None, corrupt=None,
                manifest_media_type="application/vnd.oci.image.manifest.v1+json"):
    """Write an OCI layout tarball with the given layer tars (bytes). CORRUPT: 'diff_id' (wrong
    diff_id in the config), 'blob_name' (a layer stored under a wrong digest), 'truncate' (layer
    blob cut short but named by the digest of the cut bytes)."""
    blobs = {}
    descs, diff_ids = [], []
    for raw in layers:
        diff_ids.append(sha256(raw))
        blob = gzip.compress(raw, mtime=0) if compress == "gzip" else raw
        if corrupt == "truncate":
            blob = blob[: len(blob) // 2]
        digest = sha256(blob)
        if corrupt == "blob_name":
            digest = sha256(blob + b"other")
        blobs[digest] = blob
        mt = "application/vnd.oci.image.layer.v1.tar" + ("+gzip" if compress == "gzip" else "")
        descs.append({"mediaType": mt, "digest": digest, "size": len(blob)})
    if corrupt == "diff_id":
        diff_ids[-1] = sha256(b"not the layer")
    cfg = {"created": "2024-01-01T00:00:00Z", "architecture": "amd64", "os": "linux",
           "config": {"Cmd": ["sh"]}, "rootfs": {"type": "layers", "diff_ids": diff_ids},
           "history": [{"created": "2024-01-01T00:00:00Z", "created_by": "test"}
                       for _ in layers]}
    cfg.update(config or {})
    cfg_bytes = json.dumps(cfg).encode()
    blobs[sha256(cfg_bytes)] = cfg_bytes
    man = {"schemaVersion": 2, "mediaType": manifest_media_type,
           "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                      "digest": sha256(cfg_bytes), "size": len(cfg_bytes)},
           "layers": descs}
    man_bytes = json.dumps(man).encode()
    blobs[sha256(man_bytes)] = man_bytes
    ann = {"org.opencontainers.image.ref.name": name} if name else {}
    index = {"schemaVersion": 2, "manifests": [
        {"mediaType": manifest_media_type, "digest": sha256(man_bytes), "size": len(man_bytes),
         "annotations": ann}]}
    with tarfile.open(path, "w") as t:
        def put(n, data):
            ti = tarfile.TarInfo(n)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
        put("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
        put("index.json", json.dumps(index).encode())
        for d, b in blobs.items():
            put("blobs/sha256/" + d[7:], b)
    return {"config": sha256(cfg_bytes), "manifest": sha256(man_bytes)}


