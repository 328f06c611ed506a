# Fixtures of the image suites: the hull binary, the shared test images (built once per session by
# ../shared/testimages/make-images.sh), a private store per test, and the local registries
# (registry.sh) for pull/push tests. Helpers live in hullimg.py.
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from hullimg import HULL, TESTIMAGES, Hull


@pytest.fixture(scope="session")
def hull_bin():
    if not os.access(HULL, os.X_OK):
        pytest.fail(f"{HULL} is not built (run `make`), or set HULL=/path/to/hull", pytrace=False)
    return HULL


@pytest.fixture(scope="session")
def images_dir(tmp_path_factory):
    """OUT of make-images.sh: oci/, archives/, expected/, images.json."""
    if TESTIMAGES is None:
        pytest.skip("../shared/testimages not found (set HULL_TESTIMAGES_DIR)")
    pre = os.environ.get("HULL_TEST_IMAGES")
    if pre and (Path(pre) / "images.json").exists():
        yield Path(pre)
        return
    # ~300 MB: built in its own temp dir and removed at the end of the session.
    out = Path(tempfile.mkdtemp(prefix="hull-testimages-"))
    try:
        p = subprocess.run([str(TESTIMAGES / "make-images.sh"), str(out)], capture_output=True,
                           text=True, timeout=300)
        assert p.returncode == 0, f"make-images.sh failed:\n{p.stdout}\n{p.stderr}"
        yield out
    finally:
        shutil.rmtree(out, ignore_errors=True)


@pytest.fixture
def hull(hull_bin, tmp_path):
    h = Hull(tmp_path / "store")
    yield h
    h.cleanup()


# ---------------------------------------------------------------------------------------------
# Local registries (docker-registry through ../shared/testimages/registry.sh)


@pytest.fixture(scope="session")
def registry(images_dir, tmp_path_factory):
    """The four registry.sh instances with the test images pushed; a dict of its env lines."""
    if shutil.which("docker-registry") is None and not os.path.exists("/usr/bin/docker-registry"):
        pytest.skip("docker-registry is not installed")
    state = tmp_path_factory.mktemp("registry")
    env = dict(os.environ, HULL_REGISTRY_STATE=str(state / "s"))
    script = str(TESTIMAGES / "registry.sh")
    p = subprocess.run([script, "start"], capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 0, f"registry.sh start failed:\n{p.stdout}\n{p.stderr}"
    try:
        info = dict(l.split("=", 1) for l in p.stdout.splitlines() if "=" in l)
        p = subprocess.run([script, "push", str(images_dir)], capture_output=True, text=True,
                           env=env, timeout=300)
        assert p.returncode == 0, f"registry.sh push failed:\n{p.stdout}\n{p.stderr}"
        yield info
    finally:
        subprocess.run([script, "stop"], capture_output=True, env=env, timeout=60)


@pytest.fixture
def proxy(registry):
    from regproxy import Proxy
    p = Proxy(registry["HULL_REGISTRY"])
    yield p
    p.close()
