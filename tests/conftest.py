# Shared fixtures of the integration suites: the runtime under test (hullc, or runc/crun through
# $HULLC), busybox bundles, a private state root per test, and a leak check after every test.
import copy
import ctypes
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
MAKE_BUNDLE = REPO / "tests" / "make-bundle.sh"
HULLC = os.path.abspath(os.environ.get("HULLC") or REPO / "build" / "hullc")
# Every process a test starts through the runtime carries this variable (hullc's own environment
# and the container's process.env), so the leak check finds leftovers in any namespace.
TAG_VAR = "HULL_TEST"
# Tags differ between sessions too: several developers (and CI) may run the same test at once,
# and one session's leak check must never take another's containers for its own.
SESSION_NONCE = os.urandom(8).hex()
DEFAULT_TIMEOUT = 20
# A runtime that hangs would cost every test its full timeout and CI its time budget: after a
# few hangs, later commands get a short timeout (each hang is still reported as a failure).
HANGS_BEFORE_SHORT_TIMEOUTS = 3
SHORT_TIMEOUT = 5
_hangs = 0


def _runtime_version():
    try:
        p = subprocess.run([HULLC, "--version"], capture_output=True, text=True, timeout=10)
        return (p.stdout + p.stderr).strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


RUNTIME_VERSION = _runtime_version()
# runc, crun... are reference runtimes: they only have to pass the runc-compatible tests, not the
# hullc_only ones. Anything else (including a hullc too broken to print its version) is hullc.
IS_HULLC = not re.match(r"(runc|crun|youki|runsc)\b", RUNTIME_VERSION.lower()) and \
    os.path.basename(HULLC) not in ("runc", "crun", "youki", "runsc")


def pytest_report_header(config):
    first = RUNTIME_VERSION.splitlines()[0] if RUNTIME_VERSION else "(no --version output)"
    return f"runtime under test: {HULLC}: {first}"


def pytest_collection_modifyitems(config, items):
    if IS_HULLC:
        return
    skip = pytest.mark.skip(reason=f"hullc-only behaviour ({os.path.basename(HULLC)} under test)")
    for item in items:
        if "hullc_only" in item.keywords:
            item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


# ---------------------------------------------------------------------------------------------
# Running the runtime


class Result:
    """What one runtime command did: rc, out, err (text)."""

    def __init__(self, cmd, rc, out, err):
        self.cmd, self.rc, self.out, self.err = cmd, rc, out, err

    def __repr__(self):
        return (f"$ {' '.join(map(str, self.cmd))}\nrc={self.rc}\n--- stdout\n{self.out}"
                f"--- stderr\n{self.err}")

    def check(self, rc=0):
        assert self.rc == rc, f"expected rc={rc}\n{self!r}"
        return self

    def fails(self):
        assert self.rc != 0, f"expected a failure\n{self!r}"
        return self

    def json(self):
        self.check()
        return json.loads(self.out)

    @property
    def err_lines(self):
        return [line for line in self.err.splitlines() if line.strip()]


class Proc:
    """A runtime command running in the background (`run` in the foreground, signal tests)."""

    def __init__(self, cmd, env, cwd):
        self.cmd = cmd
        self._out = tempfile.TemporaryFile()
        self._err = tempfile.TemporaryFile()
        self.popen = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self._out,
                                      stderr=self._err, env=env, cwd=cwd, start_new_session=True)
        self.pid = self.popen.pid

    def signal(self, sig):
        self.popen.send_signal(sig)

    def poll(self):
        return self.popen.poll()

    def wait(self, timeout=DEFAULT_TIMEOUT):
        global _hangs
        if _hangs >= HANGS_BEFORE_SHORT_TIMEOUTS:
            timeout = min(timeout, SHORT_TIMEOUT)
        try:
            rc = self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            _hangs += 1
            self.popen.kill()
            self.popen.wait()
            pytest.fail(f"timed out after {timeout}s\n{self._result(None)!r}")
        return self._result(rc)

    def _result(self, rc):
        def read(f):
            f.seek(0)
            return f.read().decode(errors="replace")
        res = Result(self.cmd, rc, read(self._out), read(self._err))
        if rc is not None:
            self._out.close()
            self._err.close()
        return res

    def kill(self):
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait()


class Runtime:
    """Runs the runtime under test against this test's state root: runtime("state", id)."""

    is_hullc = IS_HULLC

    def __init__(self, env_obj, root):
        self.hullc = HULLC
        self.t = env_obj
        self.root = root
        self.procs = []

    def cmd(self, args, root=None, global_args=()):
        r = self.root if root is None else root
        return [self.hullc, "--root", str(r), *global_args, *map(str, args)]

    def __call__(self, *args, root=None, global_args=(), timeout=DEFAULT_TIMEOUT, cwd=None):
        """Run to completion (killed after TIMEOUT seconds); returns a Result."""
        p = Proc(self.cmd(args, root, global_args), self.t.proc_env(), cwd)
        return p.wait(timeout)

    def popen(self, *args, root=None, global_args=(), cwd=None):
        """Start in the background; returns a Proc (killed at the end of the test)."""
        p = Proc(self.cmd(args, root, global_args), self.t.proc_env(), cwd)
        self.procs.append(p)
        return p

    # -- the verbs, with the bundle's config.json written first
    def run(self, bundle, cid=None, *extra, timeout=DEFAULT_TIMEOUT, **kw):
        bundle.save()
        return self("run", "--bundle", bundle.dir, *extra, cid or self.t.new_id(),
                    timeout=timeout, **kw)

    def run_bg(self, bundle, cid, *extra, **kw):
        bundle.save()
        return self.popen("run", "--bundle", bundle.dir, *extra, cid, **kw)

    def create(self, bundle, cid, *extra, **kw):
        bundle.save()
        return self("create", "--bundle", bundle.dir, *extra, cid, **kw)

    def sh(self, bundle, script, rc=0):
        """Run `sh -c SCRIPT` in a container from BUNDLE; return its stdout."""
        bundle.args = ["sh", "-c", script]
        return self.run(bundle).check(rc).out

    def assert_error(self, res, common=(), hullc=()):
        """A clean failure: non-zero exit, COMMON texts in stderr (whatever the runtime: runc
        names them too); with hullc also exactly one line that has the HULLC texts (strings, or
        compiled regular expressions)."""
        res.fails()
        for needle in common:
            assert needle.lower() in res.err.lower(), f"stderr should name {needle!r}\n{res!r}"
        if not IS_HULLC:
            return
        assert len(res.err_lines) == 1, f"expected one line of error\n{res!r}"
        for needle in hullc:
            if isinstance(needle, re.Pattern):
                assert needle.search(res.err), f"stderr should match {needle.pattern}\n{res!r}"
            else:
                assert needle in res.err, f"stderr should name {needle!r}\n{res!r}"

    def state(self, cid, **kw):
        return self("state", cid, **kw).json()

    def status(self, cid, **kw):
        res = self("state", cid, **kw)
        return json.loads(res.out)["status"] if res.rc == 0 else None

    def wait_status(self, cid, want, timeout=10, **kw):
        deadline = time.monotonic() + timeout
        while True:
            st = self.status(cid, **kw)
            if st == want:
                return
            if time.monotonic() > deadline:
                pytest.fail(f"container {cid}: status {st!r}, wanted {want!r} within {timeout}s")
            time.sleep(0.02)


# ---------------------------------------------------------------------------------------------
# Bundles


class Bundle:
    """A bundle directory whose config.json is written from self.config (a dict) on save()."""

    def __init__(self, env_obj, bdir, config, rootfs, shared):
        self.t = env_obj
        self.dir = bdir
        self.config = config
        self.rootfs = rootfs  # host path of the root filesystem
        self.shared = shared  # True: the session's read-only rootfs, do not write into it

    @property
    def config_path(self):
        return self.dir / "config.json"

    @property
    def process(self):
        return self.config["process"]

    @property
    def linux(self):
        return self.config.setdefault("linux", {})

    @property
    def args(self):
        return self.process["args"]

    @args.setter
    def args(self, value):
        self.process["args"] = list(value)

    def namespaces(self):
        return [ns["type"] for ns in self.linux.get("namespaces", [])]

    def set_namespace(self, ns_type, path=None):
        nss = [ns for ns in self.linux.setdefault("namespaces", []) if ns["type"] != ns_type]
        nss.append({"type": ns_type, **({"path": str(path)} if path else {})})
        self.linux["namespaces"] = nss

    def remove_namespace(self, ns_type):
        self.linux["namespaces"] = [ns for ns in self.linux.get("namespaces", [])
                                    if ns["type"] != ns_type]

    def add_mount(self, destination, type=None, source=None, options=None):
        if self.shared:
            rel = destination.lstrip("/")
            # Creating a missing mount point would write into the rootfs every test shares.
            assert os.path.lexists(self.rootfs / rel) or self._under_mount(destination), (
                f"{destination} does not exist in the shared rootfs: use bundle(writable=True)")
        m = {"destination": destination}
        if type is not None:
            m["type"] = type
        if source is not None:
            m["source"] = str(source)
        if options is not None:
            m["options"] = list(options)
        self.config.setdefault("mounts", []).append(m)
        return m

    def _under_mount(self, destination):
        return any(destination.startswith(m["destination"].rstrip("/") + "/")
                   and m.get("type") in ("tmpfs", "proc", "sysfs", "devpts", "bind", None)
                   for m in self.config.get("mounts", []))

    def add_tmpfs(self, destination, *options):
        return self.add_mount(destination, "tmpfs", "tmpfs", options or None)

    def out_dir(self, name="out", dest="/out"):
        """A host directory bind-mounted read-write at DEST; returns its host path."""
        host = self.t.mkdir(name)
        os.chmod(host, 0o777)
        self.add_mount(dest, "bind", host, ["rbind", "rw"])
        return host

    def save(self):
        env = [e for e in self.process.get("env", []) if not e.startswith(TAG_VAR + "=")]
        env.append(f"{TAG_VAR}={self.t.tag}")
        self.process["env"] = env
        tmp = self.config_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.config, indent=2) + "\n")
        os.replace(tmp, self.config_path)
        return self


# ---------------------------------------------------------------------------------------------
# Session resources


@pytest.fixture(scope="session")
def hullc():
    if os.geteuid() != 0:
        pytest.skip("the runtime integration tests run as root")
    if not os.access(HULLC, os.X_OK):
        pytest.fail(f"runtime {HULLC} is not built (run `make`), or set HULLC=/path/to/runtime",
                    pytrace=False)
    return HULLC


@pytest.fixture(scope="session")
def session_dir():
    base = Path(os.environ.get("HULL_TEST_TMPDIR", "/tmp"))
    d = Path(tempfile.mkdtemp(prefix="hull-pytest-", dir=base))
    # Containers with a user namespace run as an unprivileged host uid: everything on the way to
    # their rootfs must be searchable.
    os.chmod(d, 0o755)
    yield d
    if not _mounts_under([d]):
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="session")
def pristine(hullc, session_dir):
    """The busybox bundle made by tests/make-bundle.sh: (rootfs path, base config dict)."""
    out = session_dir / "pristine"
    res = subprocess.run([str(MAKE_BUNDLE), str(out), hullc], capture_output=True, text=True,
                         timeout=60)
    assert res.returncode == 0, f"make-bundle.sh failed:\n{res.stdout}{res.stderr}"
    rootfs = out / "rootfs"
    # Mount points for the tests, so that bundles sharing this rootfs never need to create one.
    for d in ("out", "mnt", "data", "data2"):
        (rootfs / d).mkdir(exist_ok=True)
    config = json.loads((out / "config.json").read_text())
    config["root"] = {"path": str(rootfs), "readonly": True}
    config["hostname"] = "hull-test"
    return rootfs, config


# ---------------------------------------------------------------------------------------------
# Per test: identity, state root, leak check


class TestEnv:
    """One test's identity and private resources. Container ids: t-<hash>-<n>."""

    def __init__(self, nodeid, session_dir):
        self.nodeid = nodeid
        self.tag = "t-" + hashlib.sha1((SESSION_NONCE + nodeid).encode()).hexdigest()[:8]
        self.ids = []
        self._n = 0
        self._lock = threading.Lock()
        self.tmp = Path(tempfile.mkdtemp(prefix=self.tag + "-", dir=session_dir))
        os.chmod(self.tmp, 0o755)
        self.roots = []
        self.root = self.new_root()

    def new_id(self, suffix=""):
        with self._lock:
            self._n += 1
            cid = f"{self.tag}-{self._n}{suffix}"
            self.ids.append(cid)
        return cid

    def new_root(self):
        """A state root (--root) under /run, checked for leftovers after the test."""
        r = Path(tempfile.mkdtemp(prefix=f"hull-test-{self.tag}-", dir="/run"))
        os.chmod(r, 0o711)
        self.roots.append(r)
        return r

    def mkdir(self, name):
        d = self.tmp / name
        n = 1
        while d.exists():
            n += 1
            d = self.tmp / f"{name}{n}"
        d.mkdir(parents=True)
        return d

    def proc_env(self):
        env = dict(os.environ)
        env[TAG_VAR] = self.tag
        return env

    def watched_dirs(self, extra=()):
        return [self.tmp, *self.roots, *extra]


@pytest.fixture(autouse=True)
def hull_env(request, session_dir):
    """Set up first and torn down last: after the test (and all its fixtures), check that it left
    no container state, mount, process or cgroup behind; clean up and fail if it did."""
    t = TestEnv(request.node.nodeid, session_dir)
    yield t
    extra = []
    if "pristine" in request.fixturenames:
        extra.append(request.getfixturevalue("pristine")[0])
    leaks = _find_leaks(t, extra)
    if leaks:
        _clean_up(t, extra)
    remaining = _mounts_under(t.watched_dirs(extra))
    for r in t.roots:
        shutil.rmtree(r, ignore_errors=True)
    if not remaining:
        shutil.rmtree(t.tmp, ignore_errors=True)
    call = getattr(request.node, "rep_call", None)
    if leaks and call is not None and call.failed:
        # The failure already reported is the cause; the cleanup is shown in its captured output.
        print("leak check after the failure (cleaned up):\n  " + "\n  ".join(leaks))
    elif leaks:
        pytest.fail("the test left resources behind (cleaned up now):\n  " + "\n  ".join(leaks),
                    pytrace=False)


def _unescape_mountinfo(s):
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), s)


def _mounts_under(dirs):
    dirs = [str(d).rstrip("/") for d in dirs]
    found = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            mnt = _unescape_mountinfo(line.split()[4])
            if any(mnt == d or mnt.startswith(d + "/") for d in dirs):
                found.append(mnt)
    return found


def _is_under(path, dirs):
    return any(path == d or path.startswith(d + "/") for d in dirs)


def _tagged_processes(t, dirs):
    """Processes that carry the test's tag, mention its container ids, or live in its dirs."""
    tag = t.tag.encode()
    env_needle = f"{TAG_VAR}={t.tag}".encode()
    dirs = [str(d).rstrip("/") for d in dirs]
    me = os.getpid()
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        pid = int(entry.name)
        why = None
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read()
            if tag in cmdline:
                why = "command line names the test's container"
            else:
                with open(f"/proc/{pid}/environ", "rb") as f:
                    if env_needle in f.read():
                        why = f"environment has {TAG_VAR}={t.tag}"
            if why is None:
                for link in ("cwd", "root", "exe"):
                    target = os.readlink(f"/proc/{pid}/{link}")
                    if _is_under(target, dirs):
                        why = f"{link} is {target}"
                        break
        except OSError:
            continue
        if why:
            name = cmdline.replace(b"\0", b" ").decode(errors="replace").strip()[:120]
            found[pid] = f"process {pid} ({name}): {why}"
    return found


def _cgroup_dirs(t, max_depth=4):
    found = []

    def walk(path, depth):
        try:
            entries = list(os.scandir(path))
        except OSError:
            return
        for e in entries:
            if not e.is_dir(follow_symlinks=False):
                continue
            if t.tag in e.name:
                found.append(e.path)
            elif depth < max_depth:
                walk(e.path, depth + 1)

    walk("/sys/fs/cgroup", 1)
    return found


def _find_leaks(t, extra):
    leaks = []
    for r in t.roots:
        left = [e.name for e in os.scandir(r) if e.is_dir()] if r.exists() else []
        if left:
            leaks.append(f"state root {r} still has {', '.join(sorted(left))}")
    procs = _tagged_processes(t, t.watched_dirs(extra))
    if procs:
        # Processes that were just killed may take a moment to go away.
        deadline = time.monotonic() + 2
        while procs and time.monotonic() < deadline:
            time.sleep(0.05)
            procs = _tagged_processes(t, t.watched_dirs(extra))
    leaks += procs.values()
    leaks += [f"mount at {m}" for m in _mounts_under(t.watched_dirs(extra))]
    leaks += [f"cgroup {c}" for c in _cgroup_dirs(t)]
    return leaks


def _ancestors():
    """Our pid and our ancestors': never to be killed by a cleanup."""
    pids, pid = set(), os.getpid()
    while pid > 1 and pid not in pids:
        pids.add(pid)
        try:
            with open(f"/proc/{pid}/stat") as f:
                pid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
    pids.add(1)
    return pids


_libc = ctypes.CDLL(None, use_errno=True)
MNT_DETACH = 2


def _clean_up(t, extra):
    for r in t.roots:
        if not r.exists():
            continue
        for e in os.scandir(r):
            if e.is_dir() and os.access(HULLC, os.X_OK):
                try:
                    subprocess.run([HULLC, "--root", str(r), "delete", "--force", e.name],
                                   capture_output=True, timeout=10)
                except subprocess.TimeoutExpired:
                    pass
    for _ in range(3):
        procs = _tagged_processes(t, t.watched_dirs(extra))
        if not procs:
            break
        for pid in set(procs) - _ancestors():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.2)
    for m in sorted(_mounts_under(t.watched_dirs(extra)), key=len, reverse=True):
        _libc.umount2(m.encode(), MNT_DETACH)
    spare = _ancestors()  # a confused runtime may have put us into its cgroup
    for c in sorted(_cgroup_dirs(t), key=len, reverse=True):
        for sub, _dirs, _files in os.walk(c, topdown=False):
            try:
                with open(os.path.join(sub, "cgroup.procs")) as f:
                    for pid in map(int, f.read().split()):
                        if pid not in spare:
                            os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        for _ in range(20):
            try:
                for sub, _dirs, _files in os.walk(c, topdown=False):
                    os.rmdir(sub)
                break
            except OSError:
                time.sleep(0.05)


# ---------------------------------------------------------------------------------------------
# What tests use


@pytest.fixture
def runtime(hullc, hull_env):
    rt = Runtime(hull_env, hull_env.root)
    yield rt
    for p in rt.procs:
        p.kill()


@pytest.fixture
def bundle(hull_env, pristine):
    """bundle(writable=False) -> Bundle. Read-only bundles share the session's rootfs (root.path
    absolute, root.readonly true); writable ones get a private `cp -a` copy."""
    rootfs, base = pristine

    def make(writable=False, args=None):
        bdir = hull_env.mkdir("bundle")
        config = copy.deepcopy(base)
        if writable:
            subprocess.run(["cp", "-a", str(rootfs), str(bdir / "rootfs")], check=True)
            config["root"] = {"path": "rootfs", "readonly": False}
            b = Bundle(hull_env, bdir, config, bdir / "rootfs", shared=False)
        else:
            b = Bundle(hull_env, bdir, config, rootfs, shared=True)
        if args is not None:
            b.args = args
        return b

    return make
