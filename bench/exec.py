#!/usr/bin/python3
"""`RUNTIME exec ID /bin/true` into a running container: hullc against crun and runc.

Each runtime runs one container (`run -d` of `sleep` from a copy of build/bundle, ociVersion
1.0.2 for crun 1.8) in its own launcher from bench/lifecycle.py (own `unshare -m` with the v2
hierarchy unmounted, spawn-to-reap timing with posix_spawn/wait4), then N execs of /bin/true,
the runtimes interleaved round-robin. The exec joins the container's six namespaces (pid, net,
ipc, uts, mount, cgroup) and its cgroups on every hierarchy.

Usage (as root): bench/exec.py [-n 200] [--runtime NAME=PATH ...]
Prints a markdown table on stdout.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import lifecycle  # noqa: E402  (the launcher, the bundle copy and the statistics)

REPO = os.path.dirname(HERE)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=200)
    ap.add_argument("--runtime", action="append", metavar="NAME=PATH")
    ap.add_argument("--bundle", default=os.path.join(REPO, "build", "bundle"))
    a = ap.parse_args()
    rts = [r.split("=", 1) for r in (a.runtime or [])] or [
        ["hullc", os.path.join(REPO, "build", "hullc")], ["crun", shutil.which("crun")],
        ["runc", shutil.which("runc")]]
    rts = [(n, p) for n, p in rts if p and os.access(p, os.X_OK)]
    work = tempfile.mkdtemp(prefix="hull-bench-exec.")
    launcher = lifecycle.build_launcher(work)
    bundle = lifecycle.make_bundle(a.bundle, os.path.join(work, "bundle"), resources=False)
    with open(os.path.join(bundle, "config.json")) as f:
        cfg = json.load(f)
    cfg["process"]["args"] = ["sleep", "100000"]
    with open(os.path.join(bundle, "config.json"), "w") as f:
        json.dump(cfg, f)
    workers, cid = [], f"hbx{os.getpid()}"
    try:
        for name, path in rts:
            root = tempfile.mkdtemp(prefix=f"hbx-{name}-", dir="/run")
            w = lifecycle.Worker(name, path, root, launcher, work)
            workers.append(w)
            r = w.rt("run", "-d", "--bundle", bundle, cid)
            if r["rc"] != 0:
                sys.exit(f"{name}: run -d failed: {r.get('stderr')}")
        runs = lifecycle.round_robin(workers, a.n,
                                     lambda w, i: [w.path, "--root", w.root, "exec", cid,
                                                   "/bin/true"], "exec")
        print(f"### `exec` of /bin/true into a running container (n={a.n})\n")
        print("| runtime | median ms | p95 ms | min ms | mean ms | peak RSS KiB | "
              "faults | failures |")
        print("|---|---|---|---|---|---|---|---|")
        base = runs[workers[0].name].stat()
        for w in workers:
            s = runs[w.name].stat()
            if not s:
                print(f"| {w.name} | - | - | - | - | - | - | {len(runs[w.name].failures)} |")
                continue
            ratio = f" ({s['median'] / base['median']:.2f}x)" if base and w != workers[0] else ""
            print(f"| {w.name} | {s['median']:.2f}{ratio} | {s['p95']:.2f} | {s['min']:.2f} | "
                  f"{s['mean']:.2f} | {s['rss_max']} | {s['faults']:.0f} | "
                  f"{len(runs[w.name].failures)} |")
    finally:
        for w in workers:
            w.rt("delete", "--force", cid)
            w.close()
            shutil.rmtree(w.root, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
