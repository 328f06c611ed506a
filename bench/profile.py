#!/usr/bin/python3
"""Where a runtime's `run` of /bin/true spends CPU time and page faults, by kernel path.

For each runtime: N runs of `RUNTIME run` under `perf record -e cpu-clock -g` (software clock,
so it works on VMs without hardware counters) and M runs under `perf record -e page-faults -c 1`,
inside the same wrapper as bench/lifecycle.py (`unshare -m`, /sys/fs/cgroup/unified unmounted).
Every sample is put in one bucket by its call chain (network namespace creation, cgroup mkdir,
mounts, page faults, user code, ...) and the table shows CPU ms per run and faults per run.
Only the runtime's own process tree is counted: asynchronous kernel work it triggers (network
namespace teardown in a kworker, RCU callbacks freeing cgroups) is not in these numbers but is in
bench/lifecycle.py's wall times.

Usage (as root): bench/profile.py [-n 200] [--faults-n 20] [--runtime NAME=PATH ...]
Default runtimes: hullc=build/hullc, crun. Prints markdown on stdout.
"""
import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from lifecycle import REPO, make_bundle  # noqa: E402

# (bucket, any of these symbols in the call chain), first match wins; the order matters:
# a page fault inside execve is "execve", a mount inside clone3 cannot happen.
CPU_RULES = [
    ("page faults", ("asm_exc_page_fault",)),
    ("clone3/clone: new network namespace", ("copy_net_ns",)),
    ("clone3/clone: other namespaces", ("create_new_namespaces", "copy_namespaces")),
    ("clone3/clone: process copy", ("copy_process", "kernel_clone")),
    ("execve", ("bprm_execve", "do_execveat_common.isra.0", "__x64_sys_execve")),
    ("exit (mm teardown, namespaces)", ("do_exit", "do_group_exit", "exit_mmap")),
    ("cgroup mkdir", ("cgroup_mkdir",)),
    ("cgroup rmdir", ("cgroup_rmdir",)),
    ("cgroup freezer writes", ("freezer_write",)),
    ("cgroup attach (cgroup.procs)", ("__cgroup1_procs_write", "cgroup_attach_task",
                                      "__cgroup_procs_write")),
    ("other cgroup file I/O", ("kernfs_fop_write_iter", "kernfs_fop_read_iter",
                               "kernfs_fop_open", "kernfs_iop_lookup")),
    ("mount / umount / pivot_root", ("__x64_sys_mount", "path_mount", "__do_sys_pivot_root",
                                     "__x64_sys_umount", "__x64_sys_mount_setattr",
                                     "__x64_sys_open_tree", "__x64_sys_move_mount",
                                     "__x64_sys_fsmount", "__x64_sys_fsconfig")),
    ("unshare / setns", ("ksys_unshare", "__x64_sys_setns")),
    ("unix socket bind/listen/connect", ("__sys_bind", "__x64_sys_bind", "__x64_sys_listen",
                                         "__sys_connect", "__x64_sys_connect")),
    ("parent/child messages (send/recv)", ("__sys_sendto", "__sys_recvfrom", "__sys_sendmsg",
                                           "__sys_recvmsg", "__x64_sys_sendto",
                                           "__x64_sys_recvfrom", "__x64_sys_sendmsg",
                                           "__x64_sys_recvmsg")),
    ("seccomp / prctl / capset", ("__x64_sys_seccomp", "__do_sys_prctl", "__x64_sys_prctl",
                                  "__x64_sys_capset", "__do_sys_capset")),
    ("wait / sleep / sync with child", ("schedule",)),
    ("mkdir/mknod/symlink/unlink/rename", ("do_mkdirat", "do_mknodat", "do_symlinkat",
                                           "do_unlinkat", "do_renameat2", "do_rmdir")),
    ("open/close/read/write/stat", ("do_sys_openat2", "__x64_sys_close", "ksys_read",
                                    "ksys_write", "vfs_statx", "__fput", "do_readlinkat")),
]


def classify_cpu(frames):
    syms = set(frames)
    for bucket, names in CPU_RULES:
        if any(n in syms for n in names):
            return bucket
    leaf = frames[0] if frames else ""
    return "user space" if leaf.startswith("u:") else "other kernel"


def parse_perf_script(path):
    """Yield (pid, comm, period, [frames leaf first]); frames are 'k:sym' or 'u:sym@dso'."""
    out = subprocess.run(["perf", "script", "-i", path, "-F", "comm,pid,period,ip,sym,dso"],
                         capture_output=True, text=True, check=True).stdout
    head = re.compile(r"^(\S.*?)\s+(\d+)\s+(\d+)\s*$")
    cur = None
    for line in out.splitlines():
        if not line.strip():
            if cur:
                yield cur
            cur = None
            continue
        if not line.startswith(("\t", " ")) or cur is None:
            m = head.match(line.strip())
            if m:
                if cur:
                    yield cur
                cur = (int(m[2]), m[1], int(m[3]), [])
            continue
        parts = line.strip().split(None, 1)
        if len(parts) < 2:
            continue
        rest = parts[1]
        m = re.match(r"(.*?)\s+\((.*)\)$", rest)
        sym, dso = (m[1], m[2]) if m else (rest, "")
        sym = re.sub(r"\+0x[0-9a-f]+$", "", sym)
        kernel = "kernel.kallsyms" in dso
        cur[3].append(("k:" if kernel else "u:") + sym + ("" if kernel else "@" + dso))
    if cur:
        yield cur


def strip_kernel(frames):
    """Kernel frames lose their 'k:' prefix (the rules name kernel functions); user frames keep
    'u:sym@dso'."""
    return [f[2:] if f.startswith("k:") else f for f in frames]


def our_pids(samples, path):
    """Pids that ran the runtime binary or the container program. comm changes at execve, the
    pid does not: the loop's shell forks, and its child becomes the runtime."""
    base = os.path.basename(path)[:15]
    return base, {pid for pid, comm, _, _ in samples
                  if comm in (base, "true") or comm.startswith("runc:")}


def program_pids(samples):
    """Pids that became the container's /bin/true (the init child, before and after execve)."""
    return {pid for pid, comm, _, _ in samples if comm == "true"}


def record(runtime, path, bundle, n, event_args, data, work, prefix):
    loop = os.path.join(work, "loop.sh")
    with open(loop, "w") as f:
        f.write('rt=$1 root=$2 bundle=$3 n=$4 prefix=$5; i=0\n'
                'while [ $i -lt $n ]; do "$rt" --root "$root" run --bundle "$bundle" '
                '"$prefix$i" >/dev/null || echo "run failed" >&2; i=$((i+1)); done\n')
    root = f"/run/{prefix}{runtime}"
    script = ("umount /sys/fs/cgroup/unified 2>/dev/null; "
              f"exec perf record -q -o {data} {event_args} -- sh {loop} {path} {root} {bundle} "
              f"{n} {prefix}{runtime}-")
    subprocess.run(["unshare", "-m", "sh", "-c", script], check=True,
                   stdout=subprocess.DEVNULL)
    shutil.rmtree(root, ignore_errors=True)


def cpu_profile(runtime, path, bundle, n, work, tag):
    data = os.path.join(work, f"cpu-{runtime}.data")
    record(runtime, path, bundle, n, "-F 20000 -e cpu-clock -g", data, work, f"{tag}c")
    samples = list(parse_perf_script(data))
    _, ours = our_pids(samples, path)
    buckets = collections.Counter()
    for pid, comm, period, frames in samples:
        if pid not in ours or comm == "sh":
            continue
        if comm == "true":
            b = "container /bin/true (after execve)"
        else:
            b = classify_cpu(strip_kernel(frames))
        buckets[b] += period
    return {k: v / 1e6 / n for k, v in buckets.items()}  # ms per run


def fault_profile(runtime, path, bundle, n, work, tag):
    data = os.path.join(work, f"pf-{runtime}.data")
    record(runtime, path, bundle, n, "-e page-faults -c 1 -g", data, work, f"{tag}f")
    samples = list(parse_perf_script(data))
    base, ours = our_pids(samples, path)
    prog = program_pids(samples)
    buckets = collections.Counter()
    for pid, comm, period, frames in samples:
        if pid not in ours or comm == "sh":
            continue
        if comm == "true":
            buckets["container /bin/true (after execve)"] += 1
            continue
        who = "child before execve" if pid in prog else "runtime"
        leaf = frames[0] if frames else "?"
        if leaf.startswith("k:"):
            f = strip_kernel(frames)
            where = "kernel: execve" if any("execve" in x for x in f) else \
                "kernel: copy to/from user"
        else:
            sym, _, dso = leaf[2:].partition("@")
            d = os.path.basename(dso)
            if d.startswith("ld-linux"):
                where = "ld.so (relocation, loading)"
            elif "malloc" in sym or sym.startswith(("_int_", "sysmalloc", "malloc_")):
                where = "malloc (heap growth)"
            elif d.startswith("libc"):
                where = "libc"
            elif d in (base, os.path.basename(path)):
                where = f"{base} binary (text/data/bss/stack)"
            elif d == "[unknown]" or not d:
                where = "unknown (stack / jit)"
            else:
                where = d
        buckets[f"{who}: {where}"] += 1
    return {k: v / n for k, v in buckets.items()}


def md_table(title, unit, cols, rows_by_rt):
    keys = sorted({k for r in rows_by_rt.values() for k in r},
                  key=lambda k: -max(r.get(k, 0) for r in rows_by_rt.values()))
    lines = [f"**{title}**", "", "| " + unit + " | " + " | ".join(cols) + " |",
             "|---|" + "---|" * len(cols)]
    for k in keys:
        lines.append(f"| {k} | " + " | ".join(f"{rows_by_rt[c].get(k, 0):.2f}" for c in cols)
                     + " |")
    lines.append("| **total** | " + " | ".join(f"**{sum(rows_by_rt[c].values()):.2f}**"
                                                for c in cols) + " |")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=200, help="runs under the CPU profiler")
    ap.add_argument("--faults-n", type=int, default=20, help="runs under the fault profiler")
    ap.add_argument("--runtime", action="append", metavar="NAME=PATH")
    ap.add_argument("--bundle", default=os.path.join(REPO, "build", "bundle"))
    ap.add_argument("--keep", metavar="DIR", help="keep the perf.data files in DIR")
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("profile.py: must run as root")
    specs = a.runtime or [f"hullc={os.path.join(REPO, 'build', 'hullc')}", "crun=crun"]
    rts = []
    for s in specs:
        name, _, path = s.partition("=")
        full = shutil.which(path or name)
        if not full:
            sys.exit(f"profile.py: {name}: not found")
        rts.append((name, full))
    work = tempfile.mkdtemp(prefix="hull-bench-profile.")
    tag = f"hp{os.getpid()}"
    try:
        bundle = make_bundle(a.bundle, os.path.join(work, "bundle"), resources=False)
        cpu, faults = {}, {}
        for name, path in rts:
            print(f"profiling {name}", file=sys.stderr, flush=True)
            cpu[name] = cpu_profile(name, path, bundle, a.n, work, tag)
            faults[name] = fault_profile(name, path, bundle, a.faults_n, work, tag)
        cols = [n for n, _ in rts]
        print(md_table(f"CPU time per `run` by kernel path (perf cpu-clock, {a.n} runs)",
                       "ms per run", cols, cpu))
        print(md_table(f"Page faults per `run` by process and place ({a.faults_n} runs)",
                       "faults per run", cols, faults))
        if a.keep:
            os.makedirs(a.keep, exist_ok=True)
            for f in os.listdir(work):
                if f.endswith(".data"):
                    shutil.copy(os.path.join(work, f), a.keep)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
