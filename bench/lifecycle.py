#!/usr/bin/python3
"""Container lifecycle benchmark: hullc against crun and runc, side by side.

Scenarios (all but ablation by default; pick with --only, repeatable):
  run        N sequential `RUNTIME run ID` of /bin/true from the same bundle: a copy of
             build/bundle with args ["/bin/true"], terminal false and ociVersion 1.0.2 (crun 1.8
             refuses 1.2.0); a fresh id per iteration, a private --root under /run per runtime.
  resources  the same with memory limit, pids limit and cpu shares: the cgroup cost.
  seccomp    the same with an allow-list seccomp filter of engine size: the filter compile cost.
  state      N `RUNTIME state ID` of one created (not started) container.
  version    N `RUNTIME --version`: exec, dynamic linking and exit, the floor under everything.
  ablation   one thing removed from the bundle at a time (network ns, /sys mount, ...): what
             each part of the config costs each runtime. Not in the default set.

Fairness:
  * crun 1.8 refuses the hybrid cgroup layout unless /sys/fs/cgroup/unified is unmounted, so every
    runtime gets the same wrapper: one long-lived launcher per runtime, started as
    `unshare -m sh -c 'umount /sys/fs/cgroup/unified; exec spawn-worker'`; the loop runs inside
    it (one unshare per runtime, not per iteration). spawn-worker (bench/spawn-worker.c, built
    into a temporary directory) is a small static C program, so ru_maxrss is not inflated by
    the address space the runtime was exec'd from.
  * The driver asks the launchers in turn (round-robin, the starting runtime rotating each
    iteration), so background load lands on every runtime alike; ratios come from one run.
  * Each command is started with posix_spawn (vfork) and reaped with wait4: wall time is spawn to
    reap; rusage gives peak RSS (max over the runtime and every process it reaped, including the
    container's /bin/true), page faults (minor + major, same scope) and CPU time (the user/sys
    split is the kernel's tick-based estimate; the sum is exact).
  * Before timing, a probe container reports from inside what each runtime applied
    (capabilities, seccomp, memory limit); a runtime that skips work is named under the tables.
  * A perf pass (`perf stat`, --perf-n iterations, not in the timing) adds task-clock of every
    task (including ones the runtime does not reap), context switches, and instructions where
    the machine has hardware counters (not on this VM).

Usage (as root): bench/lifecycle.py [-n 100] [--runtime NAME=PATH ...] [--only SCENARIO ...]
                 [--no-perf] [--perf-n 20] [--max-load L] [--raw FILE]
Default runtimes: hullc=build/hullc, crun, runc. `--runtime` replaces the list; the names crun
and runc are the baselines of the ratio tables, any other name is compared against them (e.g.
--runtime hullc=build/hullc --runtime hullc-static=build-static/hullc --runtime crun).
Prints markdown for BENCHMARKS.md on stdout, progress on stderr. Leaves nothing behind: every
container is deleted, every --root removed, and any state dir or cgroup a runtime left is removed
and listed under the tables (a runtime that leaks is a bug).
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
CGROUP_ROOT = "/sys/fs/cgroup"


# ---------------------------------------------------------------- launcher

def build_launcher(workdir):
    """Compile bench/spawn-worker.c (static when libc.a is there) into workdir."""
    exe = os.path.join(workdir, "spawn-worker")
    src = os.path.join(HERE, "spawn-worker.c")
    cc = os.environ.get("CC", "cc")
    for extra in (["-static"], []):
        r = subprocess.run([cc, "-O2", "-Wall", *extra, "-o", exe, src], capture_output=True,
                           text=True)
        if r.returncode == 0:
            return exe
    sys.exit(f"lifecycle.py: cannot build {src}: {r.stderr}")


# ---------------------------------------------------------------- driver

class Worker:
    """One measuring launcher per runtime, in its own mount namespace without the v2 hierarchy
    (the hybrid-layout wrapper crun 1.8 needs, applied to every runtime alike)."""

    def __init__(self, name, path, root, launcher, workdir):
        self.name, self.path, self.root = name, path, root
        self.errfile = os.path.join(workdir, f"stderr-{name}")
        script = "umount /sys/fs/cgroup/unified 2>/dev/null; exec \"$0\" \"$1\""
        self.proc = subprocess.Popen(["unshare", "-m", "sh", "-c", script, launcher, self.errfile],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     bufsize=1)

    def call(self, argv):
        self.proc.stdin.write("\x1f".join(argv) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.name}: launcher died")
        rc, wall, rss, minflt, majflt, ut, st = (int(x) for x in line.split())
        res = {"wall_ns": wall, "rc": rc, "maxrss_kib": rss, "minflt": minflt, "majflt": majflt,
               "utime": ut / 1e6, "stime": st / 1e6}
        if rc != 0:
            with open(self.errfile, errors="replace") as f:
                res["stderr"] = f.read()[-2000:]
        return res

    def rt(self, *args):
        return self.call([self.path, "--root", self.root, *args])

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


# Syscalls a typical engine profile refuses; everything else in the kernel's table is allowed.
SECCOMP_DENY = {"acct", "add_key", "bpf", "clock_adjtime", "clock_settime", "create_module",
                "delete_module", "finit_module", "get_kernel_syms", "get_mempolicy",
                "init_module", "ioperm", "iopl", "kcmp", "kexec_file_load", "kexec_load",
                "keyctl", "lookup_dcookie", "mbind", "mount", "move_pages", "nfsservctl",
                "open_by_handle_at", "perf_event_open", "personality", "pivot_root",
                "process_vm_readv", "process_vm_writev", "ptrace", "query_module", "quotactl",
                "reboot", "request_key", "set_mempolicy", "setns", "settimeofday", "swapoff",
                "swapon", "sysfs", "_sysctl", "umount2", "unshare", "uselib",
                "userfaultfd", "ustat", "vm86", "vm86old"}


def seccomp_profile():
    """An allow-list profile of the size engines ship (Podman's default allows ~440 names over
    three architectures), made from this machine's syscall table: default ERRNO, one ALLOW rule
    with every x86-64 syscall name but SECCOMP_DENY."""
    names = []
    with open("/usr/include/x86_64-linux-gnu/asm/unistd_64.h") as f:
        for line in f:
            if line.startswith("#define __NR_"):
                name = line.split()[1][len("__NR_"):]
                if name not in SECCOMP_DENY:
                    names.append(name)
    return {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
            "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
            "syscalls": [{"names": sorted(names), "action": "SCMP_ACT_ALLOW"}]}


def make_bundle(src, dst, resources, seccomp=False):
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
    if seccomp:
        cfg["linux"]["seccomp"] = seccomp_profile()
    with open(path, "w") as f:
        json.dump(cfg, f, indent=1)
    return dst


def probe(name, path, src_bundle, work, tag):
    """Run a container that reports what the runtime applied, so a table never compares a
    runtime that skips work (capabilities, seccomp, cgroup limits) without saying so."""
    d = make_bundle(src_bundle, os.path.join(work, f"probe-{name}"), resources=True, seccomp=True)
    cp = os.path.join(d, "config.json")
    with open(cp) as f:
        cfg = json.load(f)
    cfg["process"]["args"] = ["/bin/sh", "-c",
                              "grep -e ^CapEff: -e ^Seccomp: /proc/self/status; "
                              "cat /sys/fs/cgroup/memory/memory.limit_in_bytes "
                              "/sys/fs/cgroup/memory.max 2>/dev/null"]
    with open(cp, "w") as f:
        json.dump(cfg, f)
    root = f"/run/{tag}-probe-{name}"
    script = 'umount /sys/fs/cgroup/unified 2>/dev/null; exec "$0" --root "$1" run --bundle "$2" "$3"'
    try:
        r = subprocess.run(["unshare", "-m", "sh", "-c", script, path, root, d, f"{tag}-probe"],
                           capture_output=True, text=True, timeout=30)
        out = r.stdout
    except subprocess.TimeoutExpired:
        out = ""
    finally:
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(d, ignore_errors=True)
    missing = []
    want_caps = 0
    for c in cfg["process"]["capabilities"]["effective"]:
        want_caps |= 1 << CAP_NUMBERS[c]
    m = re.search(r"CapEff:\s*([0-9a-f]+)", out)
    if not m or int(m[1], 16) != want_caps:
        missing.append("capabilities")
    if not re.search(r"Seccomp:\s*2", out):
        missing.append("seccomp")
    if str(256 * 1024 * 1024) not in out:
        missing.append("memory limit")
    return missing


CAP_NUMBERS = {"CAP_CHOWN": 0, "CAP_DAC_OVERRIDE": 1, "CAP_FOWNER": 3, "CAP_FSETID": 4,
               "CAP_KILL": 5, "CAP_SETGID": 6, "CAP_SETUID": 7, "CAP_SETPCAP": 8,
               "CAP_NET_BIND_SERVICE": 10, "CAP_NET_RAW": 13, "CAP_SYS_CHROOT": 18,
               "CAP_MKNOD": 27, "CAP_AUDIT_WRITE": 29, "CAP_SETFCAP": 31}


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
        cpu_u = [x["utime"] * 1e3 for x in s]
        cpu_s = [x["stime"] * 1e3 for x in s]
        return {"n": len(s), "median": statistics.median(wall), "p95": pct(wall, 95),
                "min": min(wall), "mean": statistics.fmean(wall),
                "rss_max": max(x["maxrss_kib"] for x in s),
                "rss_med": statistics.median(x["maxrss_kib"] for x in s),
                "faults": statistics.median(flt), "majflt": sum(x["majflt"] for x in s),
                "cpu_u": statistics.fmean(cpu_u), "cpu_s": statistics.fmean(cpu_s)}


def round_robin(workers, n, make_argv, scenario, after=None):
    runs = {w.name: Run() for w in workers}
    for i in range(n):
        k = i % len(workers)
        for w in workers[k:] + workers[:k]:
            r = w.call(make_argv(w, i))
            r["i"] = i
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
    events = "instructions:u,instructions:k,task-clock,page-faults,context-switches,cpu-migrations"
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
            out[name] = {k: statistics.median(r[k] for r in rows)
                         for k in ("instructions:u", "instructions:k", "task-clock",
                                   "page-faults", "context-switches") if k in rows[0]}
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


def paired_ratio(ra, rb):
    """Median over iterations of a's wall time / b's in the same round: load that changes over
    the run cancels out, as both ran within milliseconds of each other."""
    by_i = {x["i"]: x["wall_ns"] for x in rb.samples if "i" in x}
    rs = [x["wall_ns"] / by_i[x["i"]] for x in ra.samples if x.get("i") in by_i]
    return statistics.median(rs) if rs else None


def fmt_ratio(a, b):
    return f"{a / b:.2f}" if a is not None and b else "–"


def table(title, runs, perf, base_names):
    st = {k: v.stat() for k, v in runs.items()}
    lines = [f"**{title}**", "",
             "| runtime | n | median ms | p95 ms | min ms | CPU ms user + sys | faults/run | "
             "peak RSS KiB (median) | perf: task-clock ms | perf: faults | perf: ctx sw | "
             "instr. u / k |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, s in st.items():
        if s is None:
            lines.append(f"| {name} | 0 | failed | | | | | | | | | |")
            continue
        p = perf.get(name, {})
        tc = f"{p['task-clock']:.2f}" if "task-clock" in p else "–"
        pf = f"{p['page-faults']:.0f}" if "page-faults" in p else "–"
        cs = f"{p['context-switches']:.0f}" if "context-switches" in p else "–"
        ins = (f"{p['instructions:u'] / 1e6:.1f} M / {p['instructions:k'] / 1e6:.1f} M"
               if "instructions:u" in p else "n/a")
        lines.append(f"| {name} | {s['n']} | {s['median']:.2f} | {s['p95']:.2f} | "
                     f"{s['min']:.2f} | {s['cpu_u']:.2f} + {s['cpu_s']:.2f} | {s['faults']:.0f} | "
                     f"{s['rss_max']} ({s['rss_med']:.0f}) | {tc} | {pf} | {cs} | {ins} |")
    others = [n for n in st if n not in base_names and st[n]]
    bases = [b for b in base_names if st.get(b)]
    if others and bases:
        lines += ["", "| ratio | median | paired median | p95 | faults | peak RSS |",
                  "|---|---|---|---|---|---|"]
        for n in others:
            for b in bases:
                pr = paired_ratio(runs[n], runs[b])
                prs = f"{pr:.2f}" if pr is not None else "–"
                lines.append(f"| {n}/{b} | {fmt_ratio(st[n]['median'], st[b]['median'])} | "
                             f"{prs} | {fmt_ratio(st[n]['p95'], st[b]['p95'])} | "
                             f"{fmt_ratio(st[n]['faults'], st[b]['faults'])} | "
                             f"{fmt_ratio(st[n]['rss_max'], st[b]['rss_max'])} |")
    fails = {k: len(v.failures) for k, v in runs.items() if v.failures}
    if fails:
        lines.append(f"\nFailures: {fails}")
    return "\n".join(lines) + "\n"


# Bundle variants for --ablation: what each part of the config costs (time and faults).
def _drop_ns(kind):
    def f(cfg):
        cfg["linux"]["namespaces"] = [n for n in cfg["linux"]["namespaces"] if n["type"] != kind]
    return f


def _drop_mount(dest):
    def f(cfg):
        cfg["mounts"] = [m for m in cfg["mounts"] if m["destination"] != dest]
    return f


def _no_paths(cfg):
    cfg["linux"].pop("maskedPaths", None)
    cfg["linux"].pop("readonlyPaths", None)


def _minimal(cfg):
    cfg["mounts"] = [m for m in cfg["mounts"] if m["destination"] == "/proc"]
    cfg["linux"]["namespaces"] = [{"type": "mount"}, {"type": "pid"}]
    for k in ("maskedPaths", "readonlyPaths", "resources"):
        cfg["linux"].pop(k, None)
    cfg["process"].pop("capabilities", None)
    cfg["process"].pop("rlimits", None)
    cfg.pop("hostname", None)


ABLATIONS = {
    "full": lambda cfg: None,
    "no network ns": _drop_ns("network"),
    "no pid ns": _drop_ns("pid"),
    "no cgroup ns": _drop_ns("cgroup"),
    "no /sys/fs/cgroup mount": _drop_mount("/sys/fs/cgroup"),
    "no /sys mount": lambda cfg: (_drop_mount("/sys/fs/cgroup")(cfg), _drop_mount("/sys")(cfg)),
    "no masked/readonly paths": _no_paths,
    "minimal (mount+pid ns, /proc)": _minimal,
}


def ablation(workers, n, base_bundle, work, tag):
    """Every (variant, runtime) pair interleaved in one loop, so load changes hit all alike."""
    bundles = []
    for vi, (label, fn) in enumerate(ABLATIONS.items()):
        d = os.path.join(work, f"abl{vi}")
        shutil.copytree(base_bundle, d, symlinks=True)
        cp = os.path.join(d, "config.json")
        with open(cp) as f:
            cfg = json.load(f)
        fn(cfg)
        with open(cp, "w") as f:
            json.dump(cfg, f)
        bundles.append((vi, label, d))
    runs = {(vi, w.name): Run() for vi, _, _ in bundles for w in workers}
    pairs = [(vi, d, w) for vi, _, d in bundles for w in workers]
    log(f"ablation: {len(bundles)} variants x {len(workers)} runtimes x {n}")
    for i in range(n):
        k = i % len(pairs)
        for vi, d, w in pairs[k:] + pairs[:k]:
            r = w.call([w.path, "--root", w.root, "run", "--bundle", d,
                        f"{tag}-a{vi}-{w.name}-{i}"])
            runs[(vi, w.name)].add(r)
        if (i + 1) % 25 == 0:
            log(f"  ablation: {i + 1}/{n}")
    lines = ["**What each part of the bundle costs**: median wall ms / mean CPU ms (user+sys) / "
             f"faults per `run`, {n} runs of each variant, all variants and runtimes interleaved; "
             "each variant removes one thing from the full bundle", "",
             "| variant | " + " | ".join(w.name for w in workers) + " |",
             "|---|" + "---|" * len(workers)]
    for vi, label, d in bundles:
        cells = []
        for w in workers:
            s = runs[(vi, w.name)].stat()
            cells.append(f"{s['median']:.2f} / {s['cpu_u'] + s['cpu_s']:.2f} / {s['faults']:.0f}"
                         if s else "failed")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
        shutil.rmtree(d, ignore_errors=True)
    return "\n".join(lines) + "\n"


def startup(workers, n):
    """`--version`: exec, dynamic linking, exit; the floor under every command."""
    runs = round_robin(workers, n, lambda w, i: [w.path, "--version"], "version")
    return table(f"`--version` (process start-up floor), {n} calls per runtime", runs, {},
                 [w.name for w in workers if w.name in ("crun", "runc")])


def environment(rts):
    """One markdown line saying what machine and which versions the tables come from."""
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    vers = []
    for name, path in rts:
        v = subprocess.run([path, "--version"], capture_output=True, text=True).stdout
        first = v.splitlines()[0] if v else "?"
        commit = next((x.split(":", 1)[1].strip() for x in v.splitlines()
                       if x.startswith("commit:")), "")
        vers.append(f"{name} = {first}" + (f" ({commit})" if commit else ""))
    la = os.getloadavg()
    return (f"Machine: {os.uname().release}, {os.cpu_count()} CPUs ({cpu}); load average at "
            f"start {la[0]:.2f}. Runtimes: {'; '.join(vers)}.\n")


def wait_quiet(max_load, timeout=600):
    """Wait (at most TIMEOUT s) for the 1-minute load average to drop below MAX_LOAD."""
    t0 = time.monotonic()
    while os.getloadavg()[0] >= max_load and time.monotonic() - t0 < timeout:
        log(f"load average {os.getloadavg()[0]:.2f} >= {max_load}: waiting")
        time.sleep(15)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=100, help="iterations per runtime (default 100)")
    ap.add_argument("--runtime", action="append", metavar="NAME=PATH",
                    help="runtime to compare (repeatable; default hullc=build/hullc crun runc)")
    ap.add_argument("--bundle", default=os.path.join(REPO, "build", "bundle"))
    ap.add_argument("--perf-n", type=int, default=20, help="iterations of the perf pass")
    ap.add_argument("--no-perf", action="store_true")
    ap.add_argument("--raw", metavar="FILE", help="also write every sample as JSON to FILE")
    ap.add_argument("--max-load", type=float, metavar="L",
                    help="first wait (up to 10 min) for the 1-minute load average to fall below L")
    ap.add_argument("--only", action="append",
                    choices=["run", "resources", "seccomp", "state", "version", "ablation"],
                    help="scenarios (repeatable; default all but ablation)")
    a = ap.parse_args()
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
    scenarios = a.only or ["run", "resources", "seccomp", "state", "version"]

    if a.max_load:
        wait_quiet(a.max_load)
    header = environment(rts)
    tag = f"hb{os.getpid()}"
    work = tempfile.mkdtemp(prefix="hull-bench-lifecycle.")
    plain = make_bundle(a.bundle, os.path.join(work, "plain"), resources=False)
    limited = make_bundle(a.bundle, os.path.join(work, "resources"), resources=True)
    filtered = make_bundle(a.bundle, os.path.join(work, "seccomp"), resources=False,
                           seccomp=True)
    checks = {}
    for n, p in rts:
        checks[n] = probe(n, p, a.bundle, work, tag)
        if checks[n]:
            log(f"{n} does NOT apply: {', '.join(checks[n])}")
    launcher = build_launcher(work)
    workers = [Worker(n, p, f"/run/{tag}-{n}", launcher, work) for n, p in rts]
    out = []
    leaks = []
    raw = {}
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
            raw["run"] = {k: v.samples for k, v in runs.items()}
            perf = {} if a.no_perf else perf_pass(workers, a.perf_n, plain, f"{tag}-pr", work)
            out.append(table(f"`run` of /bin/true, {a.n} sequential runs per runtime "
                             "(round-robin)", runs, perf, base_names))

        if "resources" in scenarios:
            log(f"run /bin/true with resources x{a.n}")
            runs = round_robin(workers, a.n, lambda w, i: [
                w.path, "--root", w.root, "run", "--bundle", limited, f"{tag}-m-{w.name}-{i}"],
                "resources")
            raw["resources"] = {k: v.samples for k, v in runs.items()}
            perf = {} if a.no_perf else perf_pass(workers, a.perf_n, limited, f"{tag}-pm", work)
            out.append(table(f"`run` of /bin/true with memory limit 256 MiB, pids limit 128, "
                             f"cpu shares 512, {a.n} runs per runtime", runs, perf, base_names))

        if "seccomp" in scenarios:
            log(f"run /bin/true with a seccomp filter x{a.n}")
            runs = round_robin(workers, a.n, lambda w, i: [
                w.path, "--root", w.root, "run", "--bundle", filtered, f"{tag}-f-{w.name}-{i}"],
                "seccomp")
            nsys = len(seccomp_profile()["syscalls"][0]["names"])
            out.append(table(f"`run` of /bin/true with a seccomp allow-list ({nsys} syscalls, 3 "
                             f"architectures, default ERRNO), {a.n} runs per runtime", runs, {},
                             base_names))

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
        if "version" in scenarios:
            log(f"--version x{a.n}")
            out.append(startup(workers, a.n))

        if "ablation" in scenarios:
            out.append(ablation(workers, a.n, plain, work, tag))
    finally:
        leaks = cleanup_leftovers(workers, tag)
        for w in workers:
            w.close()
            shutil.rmtree(w.root, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)

    if a.raw:
        with open(a.raw, "w") as f:
            json.dump(raw, f)
    out.insert(0, header)
    out.append(f"Load average at the end: {os.getloadavg()[0]:.2f}.\n")
    notes = [f"- {n} does not apply {', '.join(m)} (checked from inside a container): its "
             "times leave that work out" for n, m in checks.items() if m]
    if notes:
        out.append("Fairness check:\n" + "\n".join(notes) + "\n")
    print("\n".join(out))
    if leaks:
        print("Left behind (cleaned up by the benchmark):\n" +
              "\n".join(f"- {x}" for x in leaks[:20]))


if __name__ == "__main__":
    sys.exit(main())
