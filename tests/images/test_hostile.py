# Hostile and broken archives: each is refused with a clear error, nothing lands outside the
# store, and nothing half-written stays in it.
import json
import os
import tarfile
from pathlib import Path

import pytest

from hullimg import LayerTar, oci_archive, store_leftovers


def load_fails(hull, path, *msg_parts):
    res = hull("load", "-i", path)
    assert res.rc != 0, res
    for m in msg_parts:
        assert m in res.err, res
    assert hull.ids() == []
    assert store_leftovers(hull.root) == []
    layers = hull.root / "layers"
    assert not layers.exists() or list(layers.iterdir()) == []
    blobs = hull.root / "blobs" / "sha256"
    assert not blobs.exists() or list(blobs.iterdir()) == []
    return res


@pytest.fixture
def outside(tmp_path):
    d = tmp_path / "outside"
    d.mkdir()
    return d


def test_dotdot_member(hull, tmp_path, outside):
    depth = "../" * 12
    layer = LayerTar().file("ok", b"ok").file(depth + str(outside)[1:] + "/pwned").bytes()
    oci_archive(tmp_path / "a.tar", [layer])
    load_fails(hull, tmp_path / "a.tar", "refusing", "..")
    assert list(outside.iterdir()) == []


def test_absolute_member(hull, tmp_path, outside):
    layer = LayerTar().file(str(outside / "pwned")).bytes()
    oci_archive(tmp_path / "a.tar", [layer])
    load_fails(hull, tmp_path / "a.tar", "refusing absolute")
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("target", ["ABS", "../../../../../../../../../../ABS", "sub/../../ABS"])
def test_file_through_symlink(hull, tmp_path, outside, target):
    target = target.replace("ABS", str(outside).lstrip("/")) if "ABS" in target else target
    if not target.startswith("..") and not target.startswith("sub"):
        target = "/" + target
    layer = LayerTar().symlink("link", target).file("link/pwned", b"evil").bytes()
    oci_archive(tmp_path / "a.tar", [layer])
    load_fails(hull, tmp_path / "a.tar", "symlink")
    assert list(outside.iterdir()) == []


def test_dir_through_symlink(hull, tmp_path, outside):
    layer = LayerTar().symlink("link", str(outside)).dir("link/sub").bytes()
    oci_archive(tmp_path / "a.tar", [layer])
    load_fails(hull, tmp_path / "a.tar", "symlink")
    assert list(outside.iterdir()) == []


def test_symlink_replaced_by_dir_chain(hull, tmp_path, outside):
    """A directory entry first, then a symlink over it, then a file below: still refused."""
    layer = (LayerTar().dir("d").symlink("d", str(outside)).file("d/pwned", b"evil").bytes())
    oci_archive(tmp_path / "a.tar", [layer])
    load_fails(hull, tmp_path / "a.tar", "symlink")
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("target,msg", [
    ("/etc/passwd", "refusing absolute"),
    ("../../../../../../../../etc/passwd", ".."),
    ("etc/passwd", "not in the layer"),
])
def test_hardlink_to_host_file(hull, tmp_path, target, msg):
    before = os.stat("/etc/passwd").st_nlink
    layer = LayerTar().dir("etc").hardlink("hl", target).bytes()
    oci_archive(tmp_path / "a.tar", [layer])
    load_fails(hull, tmp_path / "a.tar", msg)
    assert os.stat("/etc/passwd").st_nlink == before


def test_hardlink_through_symlink(hull, tmp_path):
    before = os.stat("/etc/passwd").st_nlink
    layer = LayerTar().symlink("e", "/etc").hardlink("hl", "e/passwd").bytes()
    oci_archive(tmp_path / "a.tar", [layer])
    load_fails(hull, tmp_path / "a.tar", "symlink")
    assert os.stat("/etc/passwd").st_nlink == before


@pytest.mark.parametrize("name", [".wh...", "d/.wh...", ".wh..", ".wh."])
def test_whiteout_of_dotdot(hull, tmp_path, name):
    layer = LayerTar().dir("d").file(name, b"").bytes()
    oci_archive(tmp_path / "a.tar", [layer])
    load_fails(hull, tmp_path / "a.tar", "whiteout")


def test_layer_digest_mismatch(hull, tmp_path):
    oci_archive(tmp_path / "a.tar", [LayerTar().file("f").bytes()], corrupt="blob_name")
    load_fails(hull, tmp_path / "a.tar", "digest mismatch")


def test_diff_id_mismatch(hull, tmp_path):
    oci_archive(tmp_path / "a.tar", [LayerTar().file("f").bytes()], corrupt="diff_id")
    load_fails(hull, tmp_path / "a.tar", "diff_id")


def test_truncated_layer(hull, tmp_path):
    big = os.urandom(1 << 20)
    oci_archive(tmp_path / "a.tar", [LayerTar().file("f", big).bytes()], corrupt="truncate")
    load_fails(hull, tmp_path / "a.tar")


def test_truncated_archive(hull, tmp_path, images_dir):
    data = (images_dir / "archives" / "layers.oci.tar").read_bytes()
    (tmp_path / "cut.tar").write_bytes(data[: len(data) // 2])
    load_fails(hull, tmp_path / "cut.tar")


def test_wrong_manifest_media_type(hull, tmp_path):
    oci_archive(tmp_path / "a.tar", [LayerTar().file("f").bytes()],
                manifest_media_type="application/vnd.docker.distribution.manifest.v1+json")
    load_fails(hull, tmp_path / "a.tar", "unsupported manifest media type")


def test_not_an_image_archive(hull, tmp_path):
    with tarfile.open(tmp_path / "a.tar", "w") as t:
        t.add(__file__, arcname="hello.py")
    load_fails(hull, tmp_path / "a.tar", "not an image archive")
    (tmp_path / "b.tar").write_bytes(b"garbage" * 100)
    load_fails(hull, tmp_path / "b.tar")


def test_overlay_xattrs_in_archive_ignored(hull, tmp_path):
    """A layer must not forge overlay metadata (opaque dirs, redirects) through xattrs."""
    layer = (LayerTar().dir("d", pax={"SCHILY.xattr.trusted.overlay.opaque": "y"})
             .file("d/f", b"x", pax={"SCHILY.xattr.trusted.overlay.redirect": "/etc",
                                     "SCHILY.xattr.user.ok": "1"}).bytes())
    ids = oci_archive(tmp_path / "a.tar", [layer])
    hull("load", "-i", tmp_path / "a.tar").check()
    chain = json.loads(hull("inspect", ids["config"]).check().out)[0]["RootFS"]["diff_ids"][0]
    diff = hull.root / "layers" / chain[7:] / "diff"
    assert "trusted.overlay.opaque" not in os.listxattr(diff / "d")
    assert os.listxattr(diff / "d" / "f") == ["user.ok"]


def test_whiteouts_and_special_files(hull, tmp_path):
    base = LayerTar().dir("a").file("a/x").file("a/y").dir("o").file("o/old").file("gone").bytes()
    top = (LayerTar().file("a/.wh.x", b"").file(".wh.gone", b"").dir("o").file("o/.wh..wh..opq")
           .file("o/new").add("dev", tarfile.CHRTYPE, devmajor=1, devminor=3, mode=0o666)
           .add("fifo", tarfile.FIFOTYPE, mode=0o600)
           .file("suid", b"#!", mode=0o4755, uid=1000, gid=1000).bytes())
    ids = oci_archive(tmp_path / "a.tar", [base, top])
    hull("load", "-i", tmp_path / "a.tar").check()
    p = Path(hull("image", "mount", ids["config"]).check().out.strip())
    try:
        assert sorted(os.listdir(p)) == ["a", "dev", "fifo", "o", "suid"]
        assert os.listdir(p / "a") == ["y"]
        assert os.listdir(p / "o") == ["new"]
        st = os.lstat(p / "dev")
        assert (os.major(st.st_rdev), os.minor(st.st_rdev)) == (1, 3)
        st = os.lstat(p / "suid")
        assert (st.st_mode & 0o7777, st.st_uid, st.st_gid) == (0o4755, 1000, 1000)
    finally:
        hull("image", "unmount", ids["config"]).check()


def test_hostile_layer_among_others(hull, tmp_path, outside):
    """Layers unpack in parallel child processes: a refusal in one of them still fails the load
    with its message and leaves nothing behind."""
    good = LayerTar().dir("a").file("a/x", b"1" * 100000).bytes()
    bad = LayerTar().symlink("l", str(outside)).file("l/pwned").bytes()
    good2 = LayerTar().dir("b").file("b/y").bytes()
    oci_archive(tmp_path / "a.tar", [good, bad, good2])
    res = hull("load", "-i", tmp_path / "a.tar")
    assert res.rc != 0 and "symlink" in res.err
    assert list(outside.iterdir()) == []
    assert hull.ids() == [] and store_leftovers(hull.root) == []
    # The valid layers may stay, whole (another load may be using them); gc removes them.
    for d in (hull.root / "layers").iterdir():
        assert (d / "layer.json").exists() and (d / "diff").is_dir()
    hull("image", "prune").check()
    assert list((hull.root / "layers").iterdir()) == []
    assert list((hull.root / "blobs" / "sha256").iterdir()) == []
