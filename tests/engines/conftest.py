# Real engines driving the runtime under test: Podman (with conmon) and containerd (with its
# runc v2 shim), each with private state, images imported from ../shared/testimages (never
# pulled). Every fixture removes what it made: containers, daemons, state dirs, cgroups.
import ctypes
import os
import re
import resource
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

# (tests/conftest.py is not importable from here: both are modules named "conftest".)
REPO = Path(__file__).resolve().parent.parent.parent
HULLC = os.path.abspath(os.environ.get("HULLC") or REPO / "build" / "hullc")
TESTIMAGES = Path(os.environ.get("HULL_TESTIMAGES_DIR", REPO.parent / "shared" / "testimages"))
_libc = ctypes.CDLL(None, use_errno=True)
MNT_DETACH = 2


def _mounts_under(dirs):
    dirs = [str(d).rstrip("/") for d in dirs]
    found = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            mnt = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), line.split()[4])
            if any(mnt == d or mnt.startswith(d + "/") for d in dirs):
                found.append(mnt)
    return found


def _clean_env():
    """The environment of daemons that outlive one test: without the test tag, so that the
    per-test leak check does not take them for leftovers of whichever test started them."""
    env = dict(os.environ)
    env.pop("HULL_TEST", None)
    return env


def _umount_under(d):
    for m in sorted(_mounts_under([d]), key=len, reverse=True):
        _libc.umount2(m.encode(), MNT_DETACH)


@pytest.fixture(scope="session")
def engine_images(hullc, session_dir):
    """The test images as docker archives (made once per session by make-images.sh)."""
    script = TESTIMAGES / "make-images.sh"
    if not script.exists():
        pytest.skip(f"{script} is missing")
    out = session_dir / "images"
    res = subprocess.run([str(script), str(out)], capture_output=True, text=True, timeout=300)
    if res.returncode != 0:
        pytest.skip(f"make-images.sh failed (missing packages?):\n{res.stdout}{res.stderr}")
    yield out / "archives"
    shutil.rmtree(out, ignore_errors=True)


class Engine:
    """Runs an engine's CLI: engine(*args) -> CompletedProcess (text)."""

    def __init__(self, argv, env_fn):
        self.argv = argv
        self.env_fn = env_fn

    def cmd(self, *args):
        return [*self.argv, *map(str, args)]

    def __call__(self, *args, check=True, timeout=60, input=None):
        p = subprocess.run(self.cmd(*args), capture_output=True, text=True, timeout=timeout,
                           env=self.env_fn(), input=input)
        if check:
            assert p.returncode == 0, (f"$ {' '.join(self.cmd(*args))}\nrc={p.returncode}\n"
                                       f"{p.stdout}{p.stderr}")
        return p


# ---- Podman


def _ulimits():
    # root here lacks CAP_SYS_RESOURCE: podman's default nofile (1048576) would not fit
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    n = 1024 if hard == resource.RLIM_INFINITY else min(1024, hard)
    return [f"--ulimit=nofile={n}:{n}", "--ulimit=nproc=32768:32768"]


@pytest.fixture(scope="module")
def podman_store(hullc, engine_images, session_dir):
    """A private podman store (root, runroot, tmpdir) with busybox loaded; shared by a module."""
    if not shutil.which("podman") or not shutil.which("conmon"):
        pytest.skip("podman and conmon are not installed")
    d = Path(tempfile.mkdtemp(prefix="podman-", dir=session_dir))
    os.chmod(d, 0o755)
    argv = ["podman", "--root", str(d / "root"), "--runroot", str(d / "runroot"),
            "--tmpdir", str(d / "tmp"), "--runtime", HULLC, "--cgroup-manager", "cgroupfs",
            "--events-backend", "file", "--storage-driver", "vfs"]
    eng = Engine(argv, _clean_env)
    eng("load", "-i", engine_images / "busybox.docker.tar", timeout=120)
    yield eng
    eng("rm", "--all", "--force", "--time", "0", check=False)
    eng("system", "reset", "--force", check=False, timeout=120)
    _umount_under(d)
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def podman(podman_store, hull_env):
    """podman(*args) in the module's store, as this test (its tag in the environment); the
    containers are under a cgroup parent named after the test, removed afterwards.
    podman.run_args: the options every `run` needs here."""
    eng = Engine(podman_store.argv, hull_env.proc_env)
    parent = f"/{hull_env.tag}-podman"
    eng.run_args = [*_ulimits(), "--network", "none", f"--cgroup-parent={parent}"]
    yield eng
    eng("rm", "--all", "--force", "--time", "0", check=False)
    # Processes killed by `rm --force` may still be leaving their cgroups: retry for a while.
    deadline = time.monotonic() + 5
    while True:
        left = _remove_cgroup_tree(parent)
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.05)


def _remove_cgroup_tree(parent):
    """rmdir PARENT (and what is below) on every hierarchy; returns what is still there."""
    left = []
    for hier in Path("/sys/fs/cgroup").iterdir():
        for cand in (hier / parent.lstrip("/"), Path("/sys/fs/cgroup") / parent.lstrip("/")):
            if cand.is_dir():
                for sub, _dirs, _files in os.walk(cand, topdown=False):
                    try:
                        os.rmdir(sub)
                    except OSError:
                        left.append(sub)
    return left


# ---- containerd


class Containerd:
    def __init__(self, d, ns):
        self.dir = d
        self.ns = ns
        self.sock = d / "containerd.sock"
        self.runc_root = d / "runc"
        self.proc = None

    def start(self):
        cfg = self.dir / "config.toml"
        cfg.write_text(f"""version = 2
root = "{self.dir / 'root'}"
state = "{self.dir / 'state'}"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "{self.sock}"
[ttrpc]
  address = "{self.sock}.ttrpc"
[debug]
  address = "{self.dir / 'debug.sock'}"
""")
        self.log = open(self.dir / "containerd.log", "w")
        self.proc = subprocess.Popen(["containerd", "--config", str(cfg)], stdout=self.log,
                                     stderr=subprocess.STDOUT, env=_clean_env(),
                                     start_new_session=True)
        deadline = time.monotonic() + 30
        while True:
            p = subprocess.run(self.ctr_argv() + ["version"], capture_output=True, timeout=10)
            if p.returncode == 0:
                return
            if self.proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("containerd did not start:\n" +
                            (self.dir / "containerd.log").read_text())
            time.sleep(0.1)

    def ctr_argv(self):
        return ["ctr", "--address", str(self.sock), "--namespace", self.ns]

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@pytest.fixture(scope="module")
def containerd(hullc, engine_images, session_dir):
    """A containerd daemon of our own (root, state, sockets under a temp dir) with busybox
    imported; stopped and removed after the module."""
    if not shutil.which("containerd") or not shutil.which("ctr") or \
            not shutil.which("containerd-shim-runc-v2"):
        pytest.skip("containerd is not installed")
    d = Path(tempfile.mkdtemp(prefix="ctrd-", dir=session_dir))
    os.chmod(d, 0o755)
    fifo_dir_existed = Path("/run/containerd").exists()
    c = Containerd(d, "hull-" + d.name.split("-")[-1].lower())
    c.start()
    try:
        eng = Engine(c.ctr_argv(), _clean_env)
        eng("images", "import", engine_images / "busybox.docker.tar", timeout=120)
        c.ctr = eng
        c.hullc = HULLC
        yield c
    finally:
        for args in (["task", "ls", "-q"], ["containers", "ls", "-q"]):
            p = subprocess.run(c.ctr_argv() + args, capture_output=True, text=True)
            for cid in p.stdout.split():
                subprocess.run(c.ctr_argv() + ["task", "kill", "-s", "SIGKILL", cid],
                               capture_output=True)
                subprocess.run(c.ctr_argv() + ["task", "delete", "-f", cid], capture_output=True)
                subprocess.run(c.ctr_argv() + ["containers", "delete", cid], capture_output=True)
        c.stop()
        _umount_under(d)
        shutil.rmtree(d, ignore_errors=True)
        # ctr and the shim keep fifos and shim sockets under /run/containerd
        if not fifo_dir_existed:
            shutil.rmtree("/run/containerd", ignore_errors=True)
