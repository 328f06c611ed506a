#!/usr/bin/python3
"""`podman run --rm busybox true` with hullc, crun and runc as podman's OCI runtime.

The engine's view of runtime speed: podman drives create/start/state/delete through conmon, so
this measures what a user of podman would notice. Same method as bench/lifecycle.py: one
launcher per runtime in its own `unshare -m` with /sys/fs/cgroup/unified unmounted (crun 1.8
needs it on this hybrid layout; every runtime gets it), runs interleaved round-robin.
Each runtime has a private podman store (--root/--runroot/--tmpdir under a temporary
directory), the busybox image from ../shared/testimages/make-images.sh loaded with `podman load`,
and the flags this machine needs (see ../shared/testimages/verify-with-podman.sh):
--cgroup-manager cgroupfs --events-backend file --network none --ulimit nofile/nproc.
Wall time is podman's whole run (spawn to reap); faults and peak RSS cover podman and the
processes it reaps (conmon and the runtime's create are not reaped by podman).

Usage (as root): bench/podman.py [-n 50] [--runtime NAME=PATH ...]
Prints a markdown table on stdout.
"""
import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from lifecycle import REPO, Worker, build_launcher, log, round_robin, table  # noqa: E402

CGROUP_ROOT = "/sys/fs/cgroup"


class Store(str):
    """A private podman store directory, with its (short) runroot beside it."""

    def __new__(cls, path, runroot):
        s = super().__new__(cls, path)
        s.runroot = runroot
        return s


def podman_argv(store, runtime):
    # podman refuses a runroot longer than 50 characters: it lives in /run/hbp<pid>-<name>.
    return ["podman", "--root", f"{store}/root", "--runroot", store.runroot,
            "--tmpdir", f"{store}/tmp", "--volumepath", f"{store}/vol",
            "--storage-driver", "overlay", "--cgroup-manager", "cgroupfs",
            "--events-backend", "file", "--runtime", runtime]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=50, help="runs per runtime (default 50)")
    ap.add_argument("--runtime", action="append", metavar="NAME=PATH")
    ap.add_argument("--testimages", default=os.path.join(REPO, "..", "shared", "testimages"))
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("podman.py: must run as root")
    if not shutil.which("podman"):
        sys.exit("podman.py: podman not installed (apt-get install podman)")
    specs = a.runtime or [f"hullc={os.path.join(REPO, 'build', 'hullc')}", "crun=crun",
                          "runc=runc"]
    rts = []
    for s in specs:
        name, _, path = s.partition("=")
        full = shutil.which(path or name)
        if not full:
            sys.exit(f"podman.py: {name}: not found")
        rts.append((name, full))

    had_libpod_parent = os.path.isdir(f"{CGROUP_ROOT}/memory/libpod_parent")
    work = tempfile.mkdtemp(prefix="hull-bench-podman.")
    os.environ["TMPDIR"] = os.path.join(work, "tmp")
    os.makedirs(os.environ["TMPDIR"])
    nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if nofile == resource.RLIM_INFINITY or nofile > 1048576:
        nofile = 1048576
    run_args = ["run", "--rm", "--network", "none", "--pull", "never",
                "--ulimit", f"nofile={nofile}:{nofile}", "--ulimit", "nproc=32768:32768",
                "docker.io/library/busybox:latest", "true"]
    workers = []
    try:
        log("making the test images")
        subprocess.run([os.path.join(a.testimages, "make-images.sh"), os.path.join(work, "img")],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        archive = os.path.join(work, "img", "archives", "busybox.docker.tar")
        launcher = build_launcher(work)
        for name, path in rts:
            w = Worker(name, path, None, launcher, work)
            w.store = Store(os.path.join(work, f"store-{name}"), f"/run/hbp{os.getpid()}-{name}")
            for d in ("root", "tmp", "vol"):
                os.makedirs(os.path.join(w.store, d))
            os.makedirs(w.store.runroot)
            r = w.call(podman_argv(w.store, path) + ["load", "-q", "-i", archive])
            if r["rc"] != 0:
                sys.exit(f"podman.py: podman load: {r.get('stderr')}")
            for _ in range(3):
                r = w.call(podman_argv(w.store, path) + run_args)
                if r["rc"] != 0:
                    sys.exit(f"podman.py: {name}: podman run failed: {r.get('stderr')}")
            workers.append(w)
        log(f"podman run x{a.n}")
        runs = round_robin(workers, a.n, lambda w, i: podman_argv(w.store, w.path) + run_args,
                           "podman")
        print(table(f"`podman run --rm --network none busybox true`, {a.n} runs per runtime "
                    "(round-robin; RSS and faults: podman and what it reaps)", runs, {},
                    [n for n, _ in rts if n in ("crun", "runc")]))
    finally:
        for w in workers:
            w.call(podman_argv(w.store, w.path) + ["rm", "-a", "-f"])
            w.call(podman_argv(w.store, w.path) + ["rmi", "-a", "-f"])
            w.close()  # its mount namespace, and every overlay mount in it, goes with it
        subprocess.run(["rm", "-rf", "--one-file-system", work], check=False)
        for w in workers:
            subprocess.run(["rm", "-rf", "--one-file-system", w.store.runroot], check=False)
        if not had_libpod_parent:
            # podman's cgroupfs parent, made by this run: remove it if nothing uses it.
            for ctrl in os.listdir(CGROUP_ROOT):
                for d in (f"{CGROUP_ROOT}/{ctrl}/libpod_parent/conmon",
                          f"{CGROUP_ROOT}/{ctrl}/libpod_parent"):
                    try:
                        os.rmdir(d)
                    except OSError:
                        pass


if __name__ == "__main__":
    sys.exit(main())
