# Round trips: save (docker-archive, oci-archive) -> load, and checked by skopeo; export -> import
# with --change; push (monolithic, chunked, existing blobs, cross-mount, auth) -> pull elsewhere.
import json
import subprocess
import tarfile

import pytest

from hullimg import Hull, LayerTar, listing, store_leftovers

LAYERS_ID = "sha256:00b4ce89557abe3d578b88d8ddfd10d5da76738ab239b97b2e45f97aa541b4b9"


def expected(images_dir, name):
    return (images_dir / "expected" / f"{name}.list").read_text()


def mounted_listing(hull, image):
    path = hull("image", "mount", image).check().out.strip()
    try:
        return listing(path)
    finally:
        hull("image", "unmount", image).check()


@pytest.fixture
def other(hull_bin, tmp_path):
    h = Hull(tmp_path / "other")
    yield h
    h.cleanup()


@pytest.fixture
def loaded(hull, images_dir):
    hull("load", "-i", images_dir / "archives" / "layers.oci.tar").check()
    hull("tag", LAYERS_ID, "layers:v1").check()
    return hull


@pytest.mark.parametrize("fmt", ["docker-archive", "oci-archive"])
def test_save_load_roundtrip(loaded, other, images_dir, tmp_path, fmt):
    out = tmp_path / "saved.tar"
    loaded("save", "--format", fmt, "-o", out, "layers:v1").check()
    res = other("load", "-i", out).check()
    assert res.out == "Loaded image: docker.io/library/layers:v1\n"
    assert other.ids() == [LAYERS_ID]
    assert mounted_listing(other, "layers:v1") == expected(images_dir, "layers")
    # skopeo reads what we wrote
    transport = "docker-archive" if fmt == "docker-archive" else "oci-archive"
    p = subprocess.run(["skopeo", "inspect", "--config", f"{transport}:{out}"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["rootfs"]["diff_ids"][0].startswith("sha256:05a6dfa4")


def test_save_oci_keeps_digests(loaded, tmp_path):
    out = tmp_path / "o.tar"
    loaded("save", "--format", "oci-archive", "-o", out, "layers:v1").check()
    with tarfile.open(out) as t:
        names = set(t.getnames())
        index = json.load(t.extractfile("index.json"))
    assert "blobs/sha256/" + "55fa38b51deca15ba766d962e4b57c2700c578b3696d534bbb25757653ce9645" in names
    assert index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"] == "v1"


def test_save_docker_to_stdout_multiple(loaded, other, images_dir, tmp_path):
    loaded("load", "-i", images_dir / "archives" / "busybox.docker.tar").check()
    p = subprocess.run([*loaded.cmd_prefix(), "save", "layers:v1", "busybox"],
                       capture_output=True, timeout=120)
    assert p.returncode == 0, p.stderr
    res = other("load", input=p.stdout).check()
    assert sorted(res.out.splitlines()) == ["Loaded image: docker.io/library/busybox:latest",
                                            "Loaded image: docker.io/library/layers:v1"]
    loaded("save", "-o", tmp_path / "x.tar", "nosuch").fails()
    assert not (tmp_path / "x.tar").exists()


def test_export_import_roundtrip(loaded, other, images_dir, tmp_path):
    tarball = tmp_path / "rootfs.tar"
    loaded("export", "--image", "-o", tarball, "layers:v1").check()
    assert not any(str(loaded.root) in l.split()[4] for l in open("/proc/self/mountinfo"))
    res = other("import", "-c", "CMD [\"/bin/sh\"]", "-c", "ENV FOO=bar",
                "-c", "WORKDIR /data", "-c", "ENTRYPOINT echo hi", "-c", "EXPOSE 80",
                "-c", "LABEL a=b", "-m", "imported", tarball, "flat:1").check()
    image_id = res.out.strip()
    info = other("inspect", "flat:1").check().json()[0]
    assert "sha256:" + info["Id"] == image_id
    cfg = info["Config"]
    assert cfg["Cmd"] == ["/bin/sh"] and cfg["WorkingDir"] == "/data"
    assert "FOO=bar" in cfg["Env"] and cfg["Entrypoint"] == ["/bin/sh", "-c", "echo hi"]
    assert "80/tcp" in cfg["ExposedPorts"] and cfg["Labels"] == {"a": "b"}
    assert info["History"][0]["comment"] == "imported"
    assert mounted_listing(other, "flat:1") == expected(images_dir, "layers")


def test_import_compressed_stdin_and_errors(hull, tmp_path):
    layer = LayerTar().dir("bin").file("bin/hello", b"hi", mode=0o755).bytes()
    import gzip
    hull("import", "-", "imp:gz", input=gzip.compress(layer)).check()
    info = hull("inspect", "imp:gz").check().json()[0]
    assert info["Manifest"]["layers"][0]["mediaType"].endswith("tar+gzip")
    res = hull("import", "-c", "FROB x", "-", input=layer)
    assert res.rc != 0 and "unsupported --change" in res.err
    hostile = LayerTar().symlink("l", "/etc").file("l/x").bytes()
    res = hull("import", "-", "bad:1", input=hostile)
    assert res.rc != 0 and "symlink" in res.err
    assert [i for i in hull.ids()] == ["sha256:" + info["Id"]]
    assert store_leftovers(hull.root) == []


def test_export_container_needs_rootfs(hull):
    res = hull("export", "-o", "/dev/null", "nosuchcontainer")
    assert res.rc != 0 and "no mounted root filesystem" in res.err


def test_push_and_pull_back(loaded, other, registry, images_dir):
    reg = registry["HULL_REGISTRY"]
    res = loaded("push", "layers:v1", f"{reg}/pushed/a:v1").check()
    assert res.out.splitlines()[-1] == f"{reg}/pushed/a:v1: digest: sha256:55fa38b51deca15ba766d962e4b57c2700c578b3696d534bbb25757653ce9645"
    assert "Pushed" in res.out
    res = loaded("push", "layers:v1", f"{reg}/pushed/a:v2").check()
    assert "Layer already exists" in res.out and "Pushed" not in res.out
    loaded("push", "--chunk-size", "4000000", "layers:v1", f"{reg}/pushed/chunked:v1").check()
    for name in ("pushed/a:v1", "pushed/chunked:v1"):
        other("pull", "-q", f"{reg}/{name}").check()
        assert mounted_listing(other, f"{reg}/{name}") == expected(images_dir, "layers")
    p = subprocess.run(["skopeo", "inspect", "--tls-verify=false", f"docker://{reg}/pushed/chunked:v1"],
                       capture_output=True, text=True, timeout=60)
    assert json.loads(p.stdout)["Digest"] == "sha256:55fa38b51deca15ba766d962e4b57c2700c578b3696d534bbb25757653ce9645"


def test_push_cross_mount(hull, registry):
    reg = registry["HULL_REGISTRY"]
    hull("pull", "-q", f"{reg}/busybox").check()
    res = hull("push", f"{reg}/busybox", f"{reg}/mounted/bb:latest").check()
    assert "Mounted from busybox" in res.out


def test_push_auth(loaded, registry, tmp_path):
    reg = registry["HULL_REGISTRY_BASIC"]
    res = loaded("push", "layers:v1", f"{reg}/pushed/auth:v1")
    assert res.rc != 0 and "authentication" in res.err
    loaded("push", "-q", "--creds", "hull:hullpass", "layers:v1", f"{reg}/pushed/auth:v1").check()
    tok = registry["HULL_REGISTRY_TOKEN"]
    loaded("push", "-q", "--creds", "hull:hullpass", "layers:v1", f"{tok}/pushed/tok:v1").check()
    res = loaded("push", "layers:v1", f"{tok}/pushed/anon:v1")
    assert res.rc != 0
