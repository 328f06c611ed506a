# hull load of the shared test images (docker-archive in three layouts, OCI archives, gzip, zstd,
# an index), compared with umoci's unpack through rootfs-listing.py; and the commands that read
# the store: images, inspect, history, tag, rmi, image mount/unmount.
import json
import os
import subprocess
from pathlib import Path

import pytest

from hullimg import listing, store_leftovers

BUSYBOX_ID = "sha256:95cd743b214114ca626ba439524111e2dc89c4a5aeaa0f074285f1f7e1af19f1"
LAYERS_ID = "sha256:00b4ce89557abe3d578b88d8ddfd10d5da76738ab239b97b2e45f97aa541b4b9"


def expected(images_dir, name):
    return (images_dir / "expected" / f"{name}.list").read_text()


def mount_listing(hull, image):
    path = hull("image", "mount", image).check().out.strip()
    try:
        return listing(path)
    finally:
        hull("image", "unmount", image).check()


@pytest.mark.parametrize("archive,listname,loaded", [
    ("busybox.docker.tar", "busybox", "docker.io/library/busybox:latest"),
    ("busybox.docker-legacy.tar", "busybox", "docker.io/library/busybox:latest"),
    ("busybox.docker25.tar", "busybox", "docker.io/library/busybox:latest"),
    ("busybox.oci.tar", "busybox", BUSYBOX_ID),
    ("layers.oci.tar", "layers", LAYERS_ID),
    ("layers-zstd.oci.tar", "layers", LAYERS_ID),
    ("layers.docker.tar", "layers", "docker.io/library/layers:latest"),
    ("multiarch.oci.tar", "busybox", BUSYBOX_ID),
])
def test_load_and_mount_matches_umoci(hull, images_dir, archive, listname, loaded):
    res = hull("load", "-i", images_dir / "archives" / archive).check()
    assert res.out == f"Loaded image: {loaded}\n"
    assert mount_listing(hull, loaded) == expected(images_dir, listname)
    assert store_leftovers(hull.root) == []


def test_load_from_stdin_compressed(hull, images_dir):
    data = (images_dir / "archives" / "busybox.docker.tar").read_bytes()
    gz = subprocess.run(["gzip", "-c"], input=data, capture_output=True, check=True).stdout
    hull("load", input=gz).check()
    zst = subprocess.run(["zstd", "-c", "-q"], input=data, capture_output=True, check=True).stdout
    res = hull("load", "-q", input=zst).check()
    assert res.out == ""
    assert hull.ids() == [BUSYBOX_ID[7:19]] or hull.ids() == [BUSYBOX_ID]


def test_uncompressed_layout_via_tar(hull, images_dir, tmp_path):
    tarball = tmp_path / "u.tar"
    subprocess.run(["tar", "-C", images_dir / "oci" / "layers-uncompressed", "-cf", tarball, "."],
                   check=True)
    hull("load", "-i", tarball).check()
    assert mount_listing(hull, LAYERS_ID) == expected(images_dir, "layers")


def test_multiarch_platform(hull, images_dir):
    res = hull("load", "-i", images_dir / "archives" / "multiarch.oci.tar",
               "--platform", "linux/arm64").check()
    arm_id = res.out.split()[-1]
    assert arm_id != BUSYBOX_ID
    info = hull("inspect", arm_id).check().json()[0]
    assert info["Architecture"] == "arm64"
    hull("load", "-i", images_dir / "archives" / "multiarch.oci.tar", "--platform",
         "linux/s390x").fails()


def test_images_output(hull, images_dir):
    hull("load", "-i", images_dir / "archives" / "busybox.docker.tar").check()
    hull("load", "-i", images_dir / "archives" / "layers.docker.tar").check()
    table = hull("images").check().out.splitlines()
    assert table[0].split()[:3] == ["REPOSITORY", "TAG", "IMAGE"]
    rows = {tuple(l.split()[:3]) for l in table[1:]}
    assert ("docker.io/library/busybox", "latest", BUSYBOX_ID[7:19]) in rows
    assert ("docker.io/library/layers", "latest", LAYERS_ID[7:19]) in rows
    assert sorted(hull("images", "-q").check().out.split()) == sorted(
        [BUSYBOX_ID[7:19], LAYERS_ID[7:19]])
    js = hull("images", "--format", "json").check().json()
    by_id = {i["Id"]: i for i in js}
    assert by_id[BUSYBOX_ID[7:]]["Names"] == ["docker.io/library/busybox:latest"]
    assert by_id[LAYERS_ID[7:]]["Size"] == 2140160 + 29511680 + 20480 + 10240
    assert "DIGEST" in hull("images", "--digests").check().out.splitlines()[0]
    only = hull("images", "busybox").check().out.splitlines()
    assert len(only) == 2 and "busybox" in only[1]


def test_inspect_history(hull, images_dir):
    hull("load", "-i", images_dir / "archives" / "layers.docker.tar").check()
    info = hull("inspect", "layers").check().json()
    assert len(info) == 1
    i = info[0]
    assert i["Id"] == LAYERS_ID[7:]
    assert i["RepoTags"] == ["docker.io/library/layers:latest"]
    assert i["Config"]["WorkingDir"] == "/data"
    assert len(i["RootFS"]["diff_ids"]) == 4
    assert len(i["Manifest"]["layers"]) == 4
    # by id prefix, full id, and name with the registry
    for ref in (LAYERS_ID[7:15], LAYERS_ID, "docker.io/library/layers:latest"):
        assert hull("inspect", ref).check().json()[0]["Id"] == LAYERS_ID[7:]
    res = hull("inspect", "nosuchimage")
    assert res.rc != 0 and "image not known" in res.err
    hist = hull("history", "layers").check().out.splitlines()
    assert len(hist) == 7
    assert "layer 4" in hist[1] and LAYERS_ID[7:19] in hist[1]
    assert "<missing>" in hist[2] and "0B" in hist[2]
    js = json.loads(hull("history", "--format", "json", "layers").check().out)
    assert [h["size"] for h in js] == [10240, 0, 20480, 29511680, 0, 2140160]


def test_tag_and_rmi(hull, images_dir):
    hull("load", "-i", images_dir / "archives" / "busybox.oci.tar").check()
    hull("tag", BUSYBOX_ID[7:19], "busybox", "localhost:5000/bb:v1").check()
    names = hull("inspect", "busybox").check().json()[0]["RepoTags"]
    assert names == ["docker.io/library/busybox:latest", "localhost:5000/bb:v1"]
    hull("tag", "busybox", "bad:Tag!").fails()
    hull("tag", "nosuch", "x").fails()
    # id with several names: refused without -f
    res = hull("rmi", BUSYBOX_ID[7:19])
    assert res.rc != 0 and "several names" in res.err
    res = hull("rmi", "localhost:5000/bb:v1").check()
    assert res.out == "Untagged: localhost:5000/bb:v1\n"
    blobs = list((hull.root / "blobs" / "sha256").iterdir())
    assert len(blobs) == 3
    res = hull("rmi", "busybox").check()
    assert "Deleted: " + BUSYBOX_ID in res.out
    assert hull.ids() == []
    assert list((hull.root / "blobs" / "sha256").iterdir()) == []
    assert [p for p in (hull.root / "layers").iterdir()] == []
    hull("rmi", "busybox").fails()


def test_rmi_keeps_shared_layers(hull, images_dir):
    hull("load", "-i", images_dir / "archives" / "busybox.oci.tar").check()
    hull("load", "-i", images_dir / "archives" / "busybox-user.oci.tar").check()
    hull("rmi", BUSYBOX_ID).check()
    user_id = hull.ids()[0]
    path = hull("image", "mount", user_id).check().out.strip()
    assert (Path(path) / "bin" / "busybox").exists()
    hull("image", "unmount", user_id).check()


def test_rmi_in_use_refused(hull, images_dir):
    hull("load", "-i", images_dir / "archives" / "busybox.docker.tar").check()
    c = hull.root / "containers" / "abc"
    c.mkdir(parents=True)
    (c / "container.json").write_text(json.dumps({"image": BUSYBOX_ID}))
    res = hull("rmi", "busybox")
    assert res.rc != 0 and "in use" in res.err
    hull("rmi", "-f", "busybox").check()
    assert hull.ids() == [BUSYBOX_ID[7:19]] or len(hull.ids()) == 1  # kept, dangling
    (c / "container.json").unlink()
    hull("image", "prune").check()
    assert hull.ids() == []


def test_image_mount_idempotent_and_readonly(hull, images_dir):
    hull("load", "-i", images_dir / "archives" / "layers.oci.tar").check()
    p1 = hull("image", "mount", LAYERS_ID).check().out.strip()
    p2 = hull("image", "mount", LAYERS_ID[7:19]).check().out.strip()
    assert p1 == p2
    with pytest.raises(OSError):
        open(os.path.join(p1, "newfile"), "w")
    # a mounted image is not removed without -f
    hull("rmi", "-f", LAYERS_ID).check()
    assert not any(l.split()[4] == p1 for l in open("/proc/self/mountinfo"))
    assert hull.ids() == []


def test_unmount_all(hull, images_dir):
    hull("load", "-i", images_dir / "archives" / "busybox.oci.tar").check()
    hull("load", "-i", images_dir / "archives" / "layers.oci.tar").check()
    for i in (BUSYBOX_ID, LAYERS_ID):
        hull("image", "mount", i).check()
    out = hull("image", "unmount", "--all").check().out.split()
    assert sorted(out) == sorted([BUSYBOX_ID[7:], LAYERS_ID[7:]])
    assert not any(str(hull.root) in l for l in open("/proc/self/mountinfo"))


def test_many_layers_mount(hull, tmp_path):
    """More layers than a mount(2) option string of full paths would hold."""
    from hullimg import LayerTar, oci_archive
    layers = [LayerTar().dir("d").file(f"d/f{i}", f"{i}".encode()).bytes() for i in range(120)]
    ids = oci_archive(tmp_path / "many.tar", layers, compress=None)
    hull("load", "-i", tmp_path / "many.tar").check()
    path = Path(hull("image", "mount", ids["config"]).check().out.strip())
    assert len(list((path / "d").iterdir())) == 120
    hull("image", "unmount", ids["config"]).check()


def test_concurrent_loads_share_layers(hull, images_dir):
    archives = ["busybox.oci.tar", "layers.oci.tar", "busybox-user.oci.tar", "layers-zstd.oci.tar"]
    procs = [hull.popen("load", "-i", images_dir / "archives" / a) for a in archives * 2]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    assert len(hull.ids()) == 3
    assert listing(hull("image", "mount", LAYERS_ID).check().out.strip()) == \
        expected(images_dir, "layers")
    hull("image", "unmount", "--all").check()
    assert store_leftovers(hull.root) == []


def test_kill_during_load_then_load(hull, images_dir):
    import signal
    import time
    for delay in (0.02, 0.1, 0.2):
        p = hull.popen("load", "-i", images_dir / "archives" / "layers.docker.tar")
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.communicate()
    hull("load", "-i", images_dir / "archives" / "layers.docker.tar").check()
    assert store_leftovers(hull.root) == []
    assert mount_listing(hull, "layers") == expected(images_dir, "layers")


@pytest.mark.parametrize("archive,listname,image", [
    ("layers.docker.tar", "layers", "layers"),
    ("busybox.oci.tar", "busybox", BUSYBOX_ID),
])
def test_vfs_driver_matches_umoci(hull, images_dir, archive, listname, image):
    """HULL_STORAGE_DRIVER=vfs: the layers are copied (whiteouts and opaque dirs applied) and
    bind-mounted read-only; same tree as the overlay."""
    env = dict(os.environ, HULL_STORAGE_DRIVER="vfs")
    hull("load", "-i", images_dir / "archives" / archive).check()
    path = hull("image", "mount", image, env=env).check().out.strip()
    try:
        assert listing(path) == expected(images_dir, listname)
        with pytest.raises(OSError):
            open(os.path.join(path, "newfile"), "w")
    finally:
        hull("image", "unmount", image).check()
    assert not any(path in l for l in open("/proc/self/mountinfo"))
    assert not os.path.exists(path)
