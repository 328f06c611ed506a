#!/usr/bin/python3
"""Container lifecycle benchmark: hullc against crun and runc, side by side.

Runs N sequential `RUNTIME run ID` of /bin/true per runtime from the same bundle (a copy of
build/bundle with args ["/bin/true"], terminal false, ociVersion 1.0.2 so crun 1.8 accepts it),
an id unique per iteration and a private --root under /run for each runtime. Then the same with
linux.resources set (memory + pids limits, cpu shares) to measure the cgroup cost, and
`RUNTIME state ID` of one created container, N times.

Fairness:
  * crun 1.8 refuses the hybrid cgroup layout unless /sys/fs/cgroup/unified is unmounted, so every
    runtime gets the same wrapper: one long-lived worker per runtime, started as
    `unshare -m sh -c 'umount /sys/fs/cgroup/unified; exec python3 lifecycle.py --worker'`; the
    loop runs inside it (one unshare per runtime, not per iteration).
  * The driver asks the workers in turn (round-robin, the starting runtime rotating each
    iteration), so background noise lands on every runtime alike.
  * Each command is started with posix_spawn (vfork) and reaped with wait4: wall time is spawn to
    reap; rusage gives peak RSS (max over the runtime and every process it reaped, including the
    container's /bin/true) and page faults (minor + major, same scope).
  * A perf pass (`perf stat`, fewer iterations, not in the timing) adds instructions and CPU time.

Usage (as root): bench/lifecycle.py [-n 100] [--runtime NAME=PATH ...] [--no-perf]
Default runtimes: hullc=build/hullc, crun, runc. `--runtime` replaces the list (e.g. to compare
hullc builds: --runtime hullc=build/hullc --runtime static=build-bench/hullc crun=... ).
Prints a markdown table (for BENCHMARKS.md) on stdout; progress on stderr. Leaves nothing behind:
every container is deleted, every --root removed, every leftover cgroup of ours removed (and
reported: a runtime that leaks is a bug).
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
CGROUP_ROOT = "/sys/fs/cgroup"


# ---------------------------------------------------------------- worker (inside unshare -m)

def spawn_wait(argv, stderr_path):
    """Run argv with stdin/stdout on /dev/null and stderr to a file; return the measurement."""
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0),
        (os.POSIX_SPAWN_OPEN, 2, stderr_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
    ]
    t0 = time.perf_counter_ns()
    pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=actions)
    _, status, ru = os.wait4(pid, 0)
    t1 = time.perf_counter_ns()
    rc = os.waitstatus_to_exitcode(status)
    res = {"wall_ns": t1 - t0, "rc": rc, "maxrss_kib": ru.ru_maxrss, "minflt": ru.ru_minflt,
           "majflt": ru.ru_majflt, "utime": ru.ru_utime, "stime": ru.ru_stime}
    if rc != 0:
        with open(stderr_path, errors="replace") as f:
            res["stderr"] = f.read()[-2000:]
    return res


def worker():
    """Read one JSON request per line, answer one JSON line. Requests: {"argv": [...]}."""
    fd, errpath = tempfile.mkstemp(prefix="hull-bench-err.")
    os.close(fd)
    try:
        for line in sys.stdin:
            req = json.loads(line)
            res = spawn_wait(req["argv"], errpath)
            sys.stdout.write(json.dumps(res) + "\n")
            sys.stdout.flush()
    finally:
        os.unlink(errpath)


# ---------------------------------------------------------------- driver

class Worker:
    def __init__(self, name, path, root):
        self.name, self.path, self.root = name, path, root
        script = "umount /sys/fs/cgroup/unified 2>/dev/null; exec \"$0\" \"$1\" --worker"
        self.proc = subprocess.Popen(
            ["unshare", "-m", "sh", "-c", script, sys.executable, os.path.abspath(__file__)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)

    def call(self, argv):
        self.proc.stdin.write(json.dumps({"argv": argv}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.name}: worker died")
        return json.loads(line)

    def rt(self, *args):
        return self.call([self.path, "--root", self.root, *args])

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


def make_bundle(src, dst, resources):
    shutil.copytree(src, dst, symlinks=True)
    path = os.path.join(dst, "config.json")
    with open(path) as f:
        cfg = json.load(f)
    # crun 1.8 rejects ociVersion 1.2.0 ("unknown version specified"); nothing in the bundle
    # needs more than 1.0.
    cfg["ociVersion"] = "1.0.2"
    cfg["process"]["args"] = ["/bin/true"]
    cfg["process"]["terminal"] = False
    res = cfg.setdefault("linux", {}).setdefault("resources", {})
    if resources:
        res["memory"] = {"limit": 256 * 1024 * 1024}
        res["pids"] = {"limit": 128}
        res["cpu"] = {"shares": 512}
    with open(path, "w") as f:
        json.dump(cfg, f, indent=1)
    return dst


def pct(xs, p):
    """Nearest-rank percentile."""
    s = sorted(xs)
    k = max(0, min(len(s) - 1, -(-p * len(s) // 100) - 1))
    return s[int(k)]


def log(*a):
    print(*a, file=sys.stderr, flush=True)


class Run:
    """Samples of one (scenario, runtime)."""

    def __init__(self):
        self.samples = []
        self.failures = []

    def add(self, r):
        (self.samples if r["rc"] == 0 else self.failures).append(r)

    def stat(self):
        s = self.samples
        if not s:
            return None
        wall = [x["wall_ns"] / 1e6 for x in s]
        flt = [x["minflt"] + x["majflt"] for x in s]
        cpu = [(x["utime"] + x["stime"]) * 1e3 for x in s]
        return {"n": len(s), "median": statistics.median(wall), "p95": pct(wall, 95),
                "min": min(wall), "mean": statistics.fmean(wall),
                "rss_max": max(x["maxrss_kib"] for x in s),
                "rss_med": statistics.median(x["maxrss_kib"] for x in s),
                "faults": statistics.median(flt), "majflt": sum(x["majflt"] for x in s),
                "cpu_ms": statistics.median(cpu)}


def round_robin(workers, n, make_argv, scenario, after=None):
    runs = {w.name: Run() for w in workers}
    for i in range(n):
        k = i % len(workers)
        for w in workers[k:] + workers[:k]:
            r = w.call(make_argv(w, i))
            runs[w.name].add(r)
            if r["rc"] != 0 and len(runs[w.name].failures) <= 3:
                log(f"  {scenario} {w.name} #{i}: exit {r['rc']}: {r.get('stderr', '').strip()}")
            if after:
                after(w, i)
        if (i + 1) % 25 == 0:
            log(f"  {scenario}: {i + 1}/{n}")
    return runs


def perf_pass(workers, n, bundle, tag, outdir):
    """instructions (user+kernel), task-clock and faults per run, with perf stat -x."""
    if not shutil.which("perf"):
        return {}
    events = "instructions:u,instructions:k,task-clock,page-faults,context-switches"
    res = {w.name: [] for w in workers}
    for i in range(n):
        for w in workers:
            out = os.path.join(outdir, f"perf-{w.name}.csv")
            cid = f"hb{os.getpid()}-{tag}-{w.name}-{i}"
            r = w.call(["perf", "stat", "-x,", "-o", out, "-e", events, "--", w.path,
                        "--root", w.root, "run", "--bundle", bundle, cid])
            if r["rc"] != 0:
                log(f"  perf {w.name}: exit {r['rc']}: {r.get('stderr', '').strip()}")
                continue
            vals = {}
            with open(out) as f:
                for line in f:
                    parts = line.strip().split(",")
                    if len(parts) > 2 and parts[0] and not line.startswith("#"):
                        try:
                            vals[parts[2]] = float(parts[0])
                        except ValueError:
                            pass
            res[w.name].append(vals)
    out = {}
    for name, rows in res.items():
        if rows:
            out[name] = {k: statistics.median(r.get(k, 0) for r in rows)
                         for k in ("instructions:u", "instructions:k", "task-clock",
                                   "page-faults", "context-switches")}
    return out


def cleanup_leftovers(workers, prefix):
    """Delete containers and cgroups a runtime left behind; return what was found."""
    leaks = []
    for w in workers:
        if os.path.isdir(w.root):
            for cid in os.listdir(w.root):
                leaks.append(f"{w.name}: state {w.root}/{cid}")
                w.rt("delete", "--force", cid)
    for dirpath, dirnames, _ in os.walk(CGROUP_ROOT, topdown=False):
        for d in dirnames:
            if d.startswith(prefix):
                p = os.path.join(dirpath, d)
                leaks.append(f"cgroup {p}")
                try:
                    os.rmdir(p)
                except OSError as e:
                    log(f"  rmdir {p}: {e}")
    return leaks


def fmt_ratio(a, b):
    return f"{a / b:.2f}" if a is not None and b else "–"


def table(title, runs, perf, base_names):
    st = {k: v.stat() for k, v in runs.items()}
    lines = [f"**{title}**", "",
             "| runtime | n | median ms | p95 ms | min ms | CPU ms (u+s) | faults/run | "
             "peak RSS KiB (median) | instr. user | instr. kernel |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for name, s in st.items():
        if s is None:
            lines.append(f"| {name} | 0 | failed | | | | | | | |")
            continue
        p = perf.get(name, {})
        iu = f"{p['instructions:u'] / 1e6:.1f} M" if p else "–"
        ik = f"{p['instructions:k'] / 1e6:.1f} M" if p else "–"
        lines.append(f"| {name} | {s['n']} | {s['median']:.2f} | {s['p95']:.2f} | "
                     f"{s['min']:.2f} | {s['cpu_ms']:.1f} | {s['faults']:.0f} | "
                     f"{s['rss_max']} ({s['rss_med']:.0f}) | {iu} | {ik} |")
    others = [n for n in st if n not in base_names]
    for n in others:
        if st[n] is None:
            continue
        for b in base_names:
            if st.get(b):
                lines.append("")
                break
        for b in base_names:
            if not st.get(b):
                continue
            lines.append(f"- {n}/{b}: median {fmt_ratio(st[n]['median'], st[b]['median'])}, "
                         f"p95 {fmt_ratio(st[n]['p95'], st[b]['p95'])}, "
                         f"faults {fmt_ratio(st[n]['faults'], st[b]['faults'])}, "
                         f"peak RSS {fmt_ratio(st[n]['rss_max'], st[b]['rss_max'])}")
    fails = {k: len(v.failures) for k, v in runs.items() if v.failures}
    if fails:
        lines.append(f"- failures: {fails}")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=100, help="iterations per runtime (default 100)")
    ap.add_argument("--runtime", action="append", metavar="NAME=PATH",
                    help="runtime to compare (repeatable; default hullc=build/hullc crun runc)")
    ap.add_argument("--bundle", default=os.path.join(REPO, "build", "bundle"))
    ap.add_argument("--perf-n", type=int, default=20, help="iterations of the perf pass")
    ap.add_argument("--no-perf", action="store_true")
    ap.add_argument("--only", choices=["run", "resources", "state"], action="append")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        return worker()
    if os.geteuid() != 0:
        sys.exit("lifecycle.py: must run as root")

    specs = a.runtime or [f"hullc={os.path.join(REPO, 'build', 'hullc')}", "crun=crun",
                          "runc=runc"]
    rts = []
    for s in specs:
        name, _, path = s.partition("=")
        path = path or name
        full = shutil.which(path) or (os.path.abspath(path) if os.access(path, os.X_OK) else None)
        if not full:
            sys.exit(f"lifecycle.py: {name}: {path} not found")
        rts.append((name, full))
    base_names = [n for n, _ in rts if n in ("crun", "runc")]
    scenarios = a.only or ["run", "resources", "state"]

    tag = f"hb{os.getpid()}"
    work = tempfile.mkdtemp(prefix="hull-bench-lifecycle.")
    plain = make_bundle(a.bundle, os.path.join(work, "plain"), resources=False)
    limited = make_bundle(a.bundle, os.path.join(work, "resources"), resources=True)
    workers = [Worker(n, p, f"/run/{tag}-{n}") for n, p in rts]
    out = []
    leaks = []
    try:
        # Warm-up: page cache and dentries for every binary and the bundle.
        for w in workers:
            for j in range(3):
                r = w.rt("run", "--bundle", plain, f"{tag}-w-{w.name}-{j}")
                if r["rc"] != 0:
                    sys.exit(f"lifecycle.py: {w.name} run failed: {r.get('stderr')}")

        if "run" in scenarios:
            log(f"run /bin/true x{a.n}")
            runs = round_robin(workers, a.n, lambda w, i: [
                w.path, "--root", w.root, "run", "--bundle", plain, f"{tag}-r-{w.name}-{i}"],
                "run")
            perf = {} if a.no_perf else perf_pass(workers, a.perf_n, plain, f"{tag}-pr", work)
            out.append(table(f"`run` of /bin/true, {a.n} sequential runs per runtime "
                             "(round-robin)", runs, perf, base_names))

        if "resources" in scenarios:
            log(f"run /bin/true with resources x{a.n}")
            runs = round_robin(workers, a.n, lambda w, i: [
                w.path, "--root", w.root, "run", "--bundle", limited, f"{tag}-m-{w.name}-{i}"],
                "resources")
            perf = {} if a.no_perf else perf_pass(workers, a.perf_n, limited, f"{tag}-pm", work)
            out.append(table(f"`run` of /bin/true with memory limit 256 MiB, pids limit 128, "
                             f"cpu shares 512, {a.n} runs per runtime", runs, perf, base_names))

        if "state" in scenarios:
            log(f"state x{a.n}")
            for w in workers:
                r = w.rt("create", "--bundle", plain, f"{tag}-s-{w.name}")
                if r["rc"] != 0:
                    sys.exit(f"lifecycle.py: {w.name} create failed: {r.get('stderr')}")
            runs = round_robin(workers, a.n, lambda w, i: [
                w.path, "--root", w.root, "state", f"{tag}-s-{w.name}"], "state")
            for w in workers:
                w.rt("delete", "--force", f"{tag}-s-{w.name}")
            out.append(table(f"`state` of a created container, {a.n} calls per runtime",
                             runs, {}, base_names))
    finally:
        leaks = cleanup_leftovers(workers, tag)
        for w in workers:
            w.close()
            shutil.rmtree(w.root, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)

    for name, path in rts:
        ver = subprocess.run([path, "--version"], capture_output=True, text=True).stdout
        log(f"{name}: {path}: {ver.splitlines()[0] if ver else '?'}")
    print("\n".join(out))
    if leaks:
        print("Left behind (cleaned up by the benchmark):\n" +
              "\n".join(f"- {x}" for x in leaks[:20]))


if __name__ == "__main__":
    sys.exit(main())
