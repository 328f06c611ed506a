# Helpers of the security suite (fixtures are in conftest.py): the helper's result lines,
# capability names and masks, and config.json snippets.
import json
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
PROFILE = REPO / "docs" / "seccomp" / "default.json"
HOSTILE_IN = "/mnt/hostile"  # where sbundle() mounts the helper


class Attempt:
    """One line of hostile's output: ok (bool), value (str), errno (int or None)."""

    def __init__(self, res):
        self.res = res
        lines = [ln for ln in res.out.splitlines() if ln.startswith(("ok", "err"))]
        assert lines, f"hostile printed no result\n{res!r}"
        words = lines[-1].split(" ", 2)
        self.ok = words[0] == "ok"
        self.value = words[1] if self.ok and len(words) > 1 else ""
        if self.ok and len(words) > 2:
            self.value += " " + words[2]
        self.errno = None if self.ok else int(words[1])

    def __repr__(self):
        return repr(self.res)


def status_caps(text):
    """{"CapInh": int, ...} from /proc/PID/status text."""
    caps = {}
    for line in text.splitlines():
        if line.startswith("Cap"):
            k, v = line.split(":")
            caps[k] = int(v.strip(), 16)
    return caps


CAP = {name: i for i, name in enumerate(
    "CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP "
    "LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER "
    "SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE "
    "SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP "
    "MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF "
    "CHECKPOINT_RESTORE".split())}


def cap_mask(*names):
    m = 0
    for n in names:
        m |= 1 << CAP[n.removeprefix("CAP_")]
    return m


def last_cap():
    return int(open("/proc/sys/kernel/cap_last_cap").read())


def own_permitted():
    return status_caps(open("/proc/self/status").read())["CapPrm"]


def all_caps():
    """Every capability the kernel knows and the test (so the runtime) holds itself: a runtime
    cannot grant what it lacks (some sandboxes drop CAP_SYS_RESOURCE, for one)."""
    return ["CAP_" + n for n, i in CAP.items() if i <= last_cap() and own_permitted() >> i & 1]


def set_caps(b, caps=None, **sets):
    """process.capabilities: every set CAPS, or per set (bounding=..., ambient=...)."""
    if caps is not None:
        sets = {k: list(caps) for k in ("bounding", "effective", "permitted")} | sets
    b.process["capabilities"] = {k: list(v) for k, v in sets.items()}
