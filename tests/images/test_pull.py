# hull pull from the local registries: plain HTTP, TLS (own CA), basic auth, bearer tokens;
# OCI and Docker schema 2 manifests, indexes and manifest lists; results checked against the
# umoci listings and skopeo's view of the registry. Faults come from a proxy in the test.
import json
import os
import signal
import subprocess
import time

import pytest

from hullimg import listing, store_leftovers

LAYERS_ID = "sha256:00b4ce89557abe3d578b88d8ddfd10d5da76738ab239b97b2e45f97aa541b4b9"
BUSYBOX_ID = "sha256:95cd743b214114ca626ba439524111e2dc89c4a5aeaa0f074285f1f7e1af19f1"
FAST = ("--retry-delay", "50")


def expected(images_dir, name):
    return (images_dir / "expected" / f"{name}.list").read_text()


def mounted_listing(hull, image):
    path = hull("image", "mount", image).check().out.strip()
    try:
        return listing(path)
    finally:
        hull("image", "unmount", image).check()


def skopeo_digest(ref, *args):
    p = subprocess.run(["skopeo", "inspect", "--raw", "--tls-verify=false", *args,
                        f"docker://{ref}"], capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    import hashlib
    return "sha256:" + hashlib.sha256(p.stdout).hexdigest()


@pytest.mark.parametrize("image,listname,image_id", [
    ("layers", "layers", LAYERS_ID),
    ("layers:v2s2", "layers", LAYERS_ID),
    ("layers-zstd", "layers", LAYERS_ID),
    ("layers-uncompressed", "layers", LAYERS_ID),
    ("busybox", "busybox", BUSYBOX_ID),
    ("busybox:v2s2", "busybox", BUSYBOX_ID),
    ("multiarch", "busybox", BUSYBOX_ID),
    ("multiarch:v2s2", "busybox", BUSYBOX_ID),
])
def test_pull_plain(hull, registry, images_dir, image, listname, image_id):
    ref = f"{registry['HULL_REGISTRY']}/{image}"
    res = hull("pull", ref).check()
    full = ref if ":" in image else ref + ":latest"
    assert res.out.splitlines()[-1] == full
    info = hull("inspect", full).check().json()[0]
    assert info["Id"] == image_id[7:]
    name = full.rsplit(":", 1)[0]
    assert info["RepoDigests"] == [f"{name}@{skopeo_digest(full)}"]
    assert mounted_listing(hull, full) == expected(images_dir, listname)
    assert store_leftovers(hull.root) == []


def test_pull_by_digest_and_platform(hull, registry):
    reg = registry["HULL_REGISTRY"]
    d = skopeo_digest(f"{reg}/multiarch")
    hull("pull", "-q", f"{reg}/multiarch@{d}").check()
    assert hull.ids() == [BUSYBOX_ID]
    res = hull("pull", "--platform", "linux/arm64/v8", f"{reg}/multiarch").check()
    arm = hull("inspect", f"{reg}/multiarch:latest").check().json()[0]
    assert arm["Architecture"] == "arm64"
    res = hull("pull", "--platform", "linux/ppc64le", f"{reg}/multiarch")
    assert res.rc != 0 and "no image for platform linux/ppc64le" in res.err
    bad = "sha256:" + "0" * 64
    res = hull("pull", f"{reg}/busybox@{bad}")
    assert res.rc != 0 and "manifest unknown" in res.err


def test_pull_output_and_reuse(hull, registry):
    reg = registry["HULL_REGISTRY"]
    out = hull("pull", f"{reg}/busybox").check().out
    assert "6f7ec0e2391c: Download complete" in out
    assert "Status: Downloaded newer image" in out
    out = hull("pull", f"{reg}/busybox-user").check().out
    assert "6f7ec0e2391c: Already exists" in out
    out = hull("pull", f"{reg}/busybox").check().out
    assert "Status: Image is up to date" in out
    assert hull("pull", "-q", f"{reg}/busybox").check().out == f"{reg}/busybox:latest\n"


def test_pull_unknown(hull, registry):
    res = hull("pull", f"{registry['HULL_REGISTRY']}/nosuch")
    assert res.rc != 0 and "manifest unknown" in res.err
    res = hull("pull", "127.0.0.1:1/busybox", "--retry", "0")
    assert res.rc != 0 and "ping registry" in res.err
    res = hull("pull", "Bad:Ref")
    assert res.rc != 0 and "invalid reference" in res.err


def test_pull_tls(hull, registry, images_dir):
    reg = registry["HULL_REGISTRY_TLS"]
    # loopback: insecure by default, as in Docker
    hull("pull", "-q", f"{reg}/busybox").check()
    res = hull("pull", "--tls-verify", f"{reg}/busybox-user")
    assert res.rc != 0 and "certificate" in res.err
    hull("pull", "-q", "--tls-verify", "--cert-dir", registry["HULL_REGISTRY_CERT_DIR"],
         f"{reg}/busybox-user").check()
    assert len(hull.ids()) == 2


def test_pull_basic_auth(hull, registry, tmp_path):
    reg = registry["HULL_REGISTRY_BASIC"]
    res = hull("pull", f"{reg}/busybox")
    assert res.rc != 0 and "requires authentication" in res.err
    res = hull("pull", "--creds", "hull:wrong", f"{reg}/busybox")
    assert res.rc != 0
    hull("pull", "-q", "--creds", "hull:hullpass", f"{reg}/busybox").check()
    auth = tmp_path / "auth.json"
    res = hull("login", "-u", "hull", "-p", "wrong", "--authfile", auth, reg)
    assert res.rc != 0 and not auth.exists()
    hull("login", "-u", "hull", "--password-stdin", "--authfile", auth, reg,
         input=b"hullpass\n").check()
    data = json.loads(auth.read_text())
    assert reg in data["auths"] and oct(auth.stat().st_mode & 0o777) == "0o600"
    hull("pull", "-q", "--authfile", auth, f"{reg}/busybox-user").check()
    hull("logout", "--authfile", auth, reg).check()
    res = hull("pull", "--authfile", auth, f"{reg}/multiarch")
    assert res.rc != 0


def test_pull_token_auth(hull, registry, tmp_path):
    reg = registry["HULL_REGISTRY_TOKEN"]
    hull("pull", "-q", f"{reg}/busybox").check()  # anonymous pull allowed
    res = hull("pull", "--creds", "hull:wrong", f"{reg}/busybox-user")
    assert res.rc != 0 and "authentication" in res.err
    env = dict(os.environ, REGISTRY_AUTH_FILE=str(tmp_path / "a.json"))
    hull("login", "-u", "hull", "-p", "hullpass", reg, env=env).check()
    hull("pull", "-q", f"{reg}/busybox-user", env=env).check()
    assert len(hull.ids()) == 2


def test_dropped_connection_is_resumed(hull, proxy, images_dir):
    proxy.faults.drop_after = 3 << 20
    proxy.faults.drop_times = 2
    res = hull("pull", *FAST, f"{proxy.addr}/layers").check()
    assert "Retrying" in res.out
    ranges = [r for (m, p, r) in proxy.faults.requests if r]
    assert ranges and ranges[0].startswith(f"bytes={3 << 20}-")
    assert mounted_listing(hull, f"{proxy.addr}/layers") == expected(images_dir, "layers")
    assert store_leftovers(hull.root) == []


def test_server_errors_are_retried(hull, proxy):
    proxy.faults.fail_500 = 2
    hull("pull", "-q", *FAST, f"{proxy.addr}/busybox").check()
    proxy.faults.fail_500 = 100
    res = hull("pull", *FAST, "--retry", "2", f"{proxy.addr}/busybox-user")
    assert res.rc != 0


def test_corrupt_blob_refused(hull, proxy):
    proxy.faults.corrupt_blobs = True
    res = hull("pull", *FAST, f"{proxy.addr}/busybox")
    assert res.rc != 0 and "digest mismatch" in res.err
    assert hull.ids() == []
    assert store_leftovers(hull.root) == []
    assert not (hull.root / "layers").exists() or list((hull.root / "layers").iterdir()) == []
    blob = hull.root / "blobs" / "sha256" / "6f7ec0e2391c517e29dc7d6cd901790bfae241cc4c6e357d21d6959bf5d265f8"
    assert not blob.exists()
    proxy.faults.corrupt_blobs = False
    hull("pull", "-q", f"{proxy.addr}/busybox").check()


def test_wrong_manifest_type_refused(hull, proxy):
    proxy.faults.bad_manifest = True
    res = hull("pull", f"{proxy.addr}/busybox")
    assert res.rc != 0 and "schemaVersion" in res.err
    assert hull.ids() == []


def test_concurrent_pulls_share_layers(hull, registry, images_dir):
    reg = registry["HULL_REGISTRY"]
    refs = ["layers", "layers:v2s2", "busybox", "busybox-user", "layers-zstd", "multiarch"]
    procs = [hull.popen("pull", "-q", f"{reg}/{r}") for r in refs]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    assert mounted_listing(hull, f"{reg}/layers") == expected(images_dir, "layers")
    assert store_leftovers(hull.root) == []


def test_kill_during_pull_then_pull(hull, proxy, images_dir):
    proxy.faults.stall_blobs = True
    p = hull.popen("pull", f"{proxy.addr}/layers")
    time.sleep(1.0)
    p.send_signal(signal.SIGKILL)
    p.communicate()
    proxy.faults.stall_blobs = False
    hull("pull", "-q", f"{proxy.addr}/layers").check()
    assert store_leftovers(hull.root) == []
    assert mounted_listing(hull, f"{proxy.addr}/layers") == expected(images_dir, "layers")
