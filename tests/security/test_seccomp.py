# linux.seccomp through the runtime: the default profile (docs/seccomp/default.json, Docker's in
# effect), every action and operator on a real syscall inside a container, several conditions on
# one argument, the 32-bit ABI, unknown names, flags, no_new_privs off, and a notify listener that
# receives the container's state and its fd over listenerPath and answers for the container.
import array
import copy
import fcntl
import json
import os
import socket
import struct
import threading

import pytest

from secutil import cap_mask, status_caps

NR = {"getpid": 39, "umask": 95, "kill": 62}  # x86_64
INT80_GETPID = 20
SIGSYS_EXIT = 128 + 31

pytestmark = pytest.mark.skipif(os.uname().machine != "x86_64",
                                reason="syscall numbers of these tests are x86_64's")


def allow_all(*rules, **extra):
    return {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
            "syscalls": list(rules), **extra}


def rule(names, action, **kw):
    return {"names": [names] if isinstance(names, str) else list(names), "action": action, **kw}


def arg(op, value, index=0, value2=None):
    a = {"index": index, "value": value, "op": "SCMP_CMP_" + op}
    if value2 is not None:
        a["valueTwo"] = value2
    return a


# ---------------------------------------------------------------------------------------------
# The default profile

def test_default_profile_refuses_what_docker_refuses(sbundle, attempt, default_profile):
    b = sbundle()
    b.linux["seccomp"] = default_profile
    assert attempt(b, "keyring").errno == 1  # keyctl
    assert attempt(b, "finit_module").errno == 1
    assert attempt(b, "syscall", 272, 0x10000000).errno == 1  # unshare(CLONE_NEWUSER)
    assert attempt(b, "syscall", 165, 0, 0, 0, 0, 0).errno == 1  # mount
    assert attempt(b, "syscall", 435, 0, 0).errno == 38  # clone3: ENOSYS, libc falls back
    assert attempt(b, "syscall", NR["getpid"]).ok  # and the ordinary runs


def test_default_profile_control_without_seccomp(sbundle, attempt):
    b = sbundle()
    b.linux.pop("seccomp", None)
    assert attempt(b, "keyring").ok
    # unshare of a user namespace is not refused by capabilities: only the filter stops it
    assert attempt(b, "syscall", 272, 0x10000000).ok


def test_default_profile_runs_a_shell(runtime, bundle, default_profile):
    b = bundle()
    b.linux["seccomp"] = default_profile
    out = runtime.sh(b, "echo a | cat; ls / >/dev/null; sleep 0.01; id -u; "
                        "grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status")
    assert out.splitlines() == ["a", "0", "NoNewPrivs:\t1", "Seccomp:\t2"]


def test_default_errno_ret(sbundle, attempt, default_profile):
    b = sbundle()
    prof = copy.deepcopy(default_profile)
    prof["defaultErrnoRet"] = 42
    for r in prof["syscalls"]:
        r["names"] = [n for n in r["names"] if n != "umask"]
    b.linux["seccomp"] = prof
    assert attempt(b, "syscall", NR["umask"], 0o22).errno == 42


# ---------------------------------------------------------------------------------------------
# Actions

def test_action_errno_with_errno_ret(sbundle, attempt):
    b = sbundle()
    b.linux["seccomp"] = allow_all(rule("umask", "SCMP_ACT_ERRNO", errnoRet=42))
    assert attempt(b, "syscall", NR["umask"], 0o22).errno == 42


def test_action_errno_default_is_eperm(sbundle, attempt):
    b = sbundle()
    b.linux["seccomp"] = allow_all(rule("umask", "SCMP_ACT_ERRNO"))
    assert attempt(b, "syscall", NR["umask"], 0o22).errno == 1


@pytest.mark.parametrize("action", ["SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD",
                                    "SCMP_ACT_KILL_PROCESS"])
def test_action_kill(runtime, sbundle, action):
    b = sbundle(args=["/mnt/hostile", "syscall", str(NR["umask"]), "18"])
    b.linux["seccomp"] = allow_all(rule("umask", action))
    res = runtime.run(b)
    assert res.rc == SIGSYS_EXIT, res
    assert "ok" not in res.out


def test_action_trap(sbundle, attempt):
    b = sbundle()
    b.linux["seccomp"] = allow_all(rule("umask", "SCMP_ACT_TRAP"))
    a = attempt(b, "trap", NR["umask"], 0o22)
    assert a.ok and a.value == "trapped"


def test_action_trace_without_tracer(sbundle, attempt):
    b = sbundle()
    b.linux["seccomp"] = allow_all(rule("umask", "SCMP_ACT_TRACE", errnoRet=7))
    assert attempt(b, "syscall", NR["umask"], 0o22).errno == 38  # ENOSYS: nobody traces


# hullc only: runc 1.1 loads the filter before its own last steps, which this tight allowlist
# refuses; hullc loads it last, right before execve.
@pytest.mark.hullc_only
@pytest.mark.parametrize("action", ["SCMP_ACT_LOG", "SCMP_ACT_ALLOW"])
def test_action_allow_and_log(sbundle, attempt, action):
    b = sbundle()
    b.linux["seccomp"] = {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 42,
                          "syscalls": [rule("umask", action)] + [rule(
                              ["execve", "exit_group", "exit", "brk", "arch_prctl", "write",
                               "set_tid_address", "rt_sigaction", "rt_sigprocmask", "mmap",
                               "munmap", "readlinkat", "uname", "prlimit64", "mprotect",
                               "getrandom", "fstat", "newfstatat", "close", "close_range",
                               "fcntl", "set_robust_list", "rseq", "ioctl"], "SCMP_ACT_ALLOW")]}
    a = attempt(b, "syscall", NR["umask"], 0o22)
    assert a.ok, a
    # and what is not listed gets the default
    assert attempt(b, "syscall", NR["getpid"]).errno == 42


# ---------------------------------------------------------------------------------------------
# Operators: umask(v) refused for the values the condition matches

def refused(runtime, b, values):
    script = "; ".join(f"/mnt/hostile syscall {NR['umask']} {v}" for v in values)
    out = runtime.sh(b, script).splitlines()
    return [v for v, line in zip(values, out) if line.startswith("err 42")]


OPS = {
    "EQ": ([arg("EQ", 3)], [3]),
    "NE": ([arg("NE", 3)], [0, 1, 2, 4, 5, 6, 7]),
    "LT": ([arg("LT", 3)], [0, 1, 2]),
    "LE": ([arg("LE", 3)], [0, 1, 2, 3]),
    "GT": ([arg("GT", 3)], [4, 5, 6, 7]),
    "GE": ([arg("GE", 3)], [3, 4, 5, 6, 7]),
    "MASKED_EQ": ([arg("MASKED_EQ", 6, value2=2)], [2, 3]),  # (v & 6) == 2
    # several conditions on one argument: each is a rule of its own (ORed), as runc does
    "two-on-one-arg": ([arg("LE", 1), arg("GE", 6)], [0, 1, 6, 7]),
}


@pytest.mark.parametrize("op", OPS)
def test_operators(runtime, sbundle, op):
    args, expect = OPS[op]
    b = sbundle()
    b.linux["seccomp"] = allow_all(rule("umask", "SCMP_ACT_ERRNO", errnoRet=42, args=args))
    assert refused(runtime, b, list(range(8))) == expect


def test_conditions_on_different_arguments_are_anded(runtime, sbundle):
    b = sbundle()
    b.linux["seccomp"] = allow_all(rule("kill", "SCMP_ACT_ERRNO", errnoRet=42,
                                        args=[arg("EQ", 0), arg("EQ", 0, index=1)]))
    out = runtime.sh(b, f"/mnt/hostile syscall {NR['kill']} 0 0; "
                        f"/mnt/hostile syscall {NR['kill']} 0 18").splitlines()
    assert out[0].startswith("err 42") and out[1] == "ok 0"


# ---------------------------------------------------------------------------------------------
# Architectures: the 32-bit ABI is no way around the filter

def test_x86_abi_denied_by_the_filter(runtime, sbundle, attempt):
    b = sbundle()
    b.linux["seccomp"] = allow_all(rule("getpid", "SCMP_ACT_ERRNO", errnoRet=42))
    assert attempt(b, "syscall", NR["getpid"]).errno == 42
    b.args = ["/mnt/hostile", "int80", str(INT80_GETPID)]
    res = runtime.run(b)
    # hullc puts the x86 ABI into the filter (the rule applies); runc 1.1 kills any syscall of
    # an ABI not listed. Either way the call does not run.
    assert res.rc in (0, SIGSYS_EXIT), res
    if res.rc == 0:
        assert res.out.startswith("err 42 "), res


def test_x86_abi_control_without_seccomp(sbundle, attempt):
    b = sbundle()
    b.linux.pop("seccomp", None)
    a = attempt(b, "int80", INT80_GETPID)
    if not a.ok and a.errno == 38:
        pytest.skip("kernel without IA32 emulation")
    assert a.ok and int(a.value) == 1  # the container's init is pid 1


@pytest.mark.hullc_only
def test_x86_abi_allowed_through_an_x86_64_profile(sbundle, attempt):
    """32-bit programs still run under a profile that lists x86_64: its rules cover x86."""
    b = sbundle()
    b.linux["seccomp"] = allow_all(rule("umask", "SCMP_ACT_ERRNO"))
    a = attempt(b, "int80", INT80_GETPID)
    if not a.ok and a.errno == 38:
        pytest.skip("kernel without IA32 emulation")
    assert a.ok and int(a.value) == 1


# ---------------------------------------------------------------------------------------------
# Names, errors, flags

def test_unknown_syscall_names_are_skipped(runtime, sbundle, attempt):
    b = sbundle()
    b.linux["seccomp"] = allow_all(rule(["hull_no_such_syscall", "getpid"], "SCMP_ACT_ERRNO",
                                        errnoRet=42))
    assert attempt(b, "syscall", NR["getpid"]).errno == 42


@pytest.mark.hullc_only
def test_unknown_syscall_name_is_logged_in_debug(runtime, sbundle, monkeypatch):
    monkeypatch.setenv("HULL_SECCOMP_CACHE", "")  # a cached filter is not compiled again
    b = sbundle(args=["true"])
    b.linux["seccomp"] = allow_all(rule(["hull_no_such_syscall"], "SCMP_ACT_ERRNO"))
    res = runtime.run(b, global_args=["--debug"]).check()
    assert "hull_no_such_syscall" in res.err and "skipped" in res.err
    assert ".linux.seccomp.syscalls[0].names[0]" in res.err


@pytest.mark.hullc_only
@pytest.mark.parametrize("seccomp,needle", [
    ({"defaultAction": "SCMP_ACT_BOGUS"}, ".linux.seccomp.defaultAction: unknown action"),
    (allow_all(rule("getpid", "SCMP_ACT_ERRNO", args=[arg("EQ", 1, index=7)])),
     ".linux.seccomp.syscalls[0].args[0].index: argument 7 does not exist"),
    (allow_all(rule("getpid", "SCMP_ACT_ERRNO", args=[arg("SOMETIMES", 1)])),
     ".linux.seccomp.syscalls[0].args[0].op: unknown operator"),
    ({**allow_all(), "architectures": ["SCMP_ARCH_VAX"]},
     ".linux.seccomp.architectures[0]: unknown architecture"),
    (allow_all(rule("mkdirat", "SCMP_ACT_NOTIFY")), "needs a \"listenerPath\""),
    ({**allow_all(), "flags": ["SECCOMP_FILTER_FLAG_MAGIC"]}, ".linux.seccomp.flags[0]"),
])
def test_invalid_profiles_are_clear_errors(runtime, bundle, seccomp, needle):
    b = bundle()
    b.linux["seccomp"] = seccomp
    runtime.assert_error(runtime.run(b), hullc=[needle, "config.json:"])


@pytest.mark.hullc_only  # runc 1.1: "seccomp flags are not yet supported"
@pytest.mark.parametrize("flag", ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
                                  "SECCOMP_FILTER_FLAG_TSYNC"])
def test_flags_accepted(runtime, bundle, flag):
    b = bundle()
    b.linux["seccomp"] = allow_all(rule("acct", "SCMP_ACT_ERRNO"), flags=[flag])
    out = runtime.sh(b, "grep -E '^(Seccomp|Speculation_Store_Bypass):' /proc/self/status")
    assert "Seccomp:\t2" in out
    mode = open("/sys/devices/system/cpu/vulnerabilities/spec_store_bypass").read()
    if "seccomp" in mode and "Speculation_Store_Bypass" in out:
        # a filter forces the mitigation, unless SPEC_ALLOW says not to
        forced = "force mitigated" in out
        assert forced == (flag != "SECCOMP_FILTER_FLAG_SPEC_ALLOW"), out


# ---------------------------------------------------------------------------------------------
# Without no_new_privs the filter needs CAP_SYS_ADMIN to load: the runtime holds it only for that

@pytest.mark.parametrize("uid", [0, 1000])
def test_without_no_new_privs(runtime, sbundle, attempt, default_profile, uid):
    b = sbundle()
    b.linux["seccomp"] = default_profile
    b.process["noNewPrivileges"] = False
    b.process["user"] = {"uid": uid, "gid": uid}
    assert attempt(b, "keyring").errno == 1
    caps = status_caps(runtime.sh(b, "grep -E '^(Cap|NoNew|Seccomp:)' /proc/self/status"))
    expect = cap_mask("AUDIT_WRITE", "KILL", "NET_BIND_SERVICE") if uid == 0 else 0
    assert caps["CapEff"] == expect and caps["CapPrm"] == expect
    out = runtime.sh(b, "grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status")
    assert out.split() == ["NoNewPrivs:", "0", "Seccomp:", "2"]


# ---------------------------------------------------------------------------------------------
# SCMP_ACT_NOTIFY: the listener gets {ociVersion, fds, pid, metadata, state} and the fd, and
# answers umask(0o22) with 4242 for the container.

NOTIF_RECV = 0xC0502100  # _IOWR('!', 0, struct seccomp_notif), 80 bytes
NOTIF_SEND = 0xC0182101  # _IOWR('!', 1, struct seccomp_notif_resp), 24 bytes


class Listener:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(str(path))
        self.sock.listen(4)
        self.sock.settimeout(20)
        self.path = path
        self.state = None
        self.notes = []
        self.error = None
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        try:
            conn, _ = self.sock.accept()
            with conn:
                fds = array.array("i")
                msg, anc, _flags, _addr = conn.recvmsg(65536, socket.CMSG_SPACE(4 * 4))
                for level, kind, data in anc:
                    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                        fds.frombytes(data[:len(data) - len(data) % 4])
                while not msg.endswith(b"}"):
                    more = conn.recv(65536)
                    if not more:
                        break
                    msg += more
                self.state = json.loads(msg)
            nfd = fds[0]
            try:
                buf = bytearray(80)
                fcntl.ioctl(nfd, NOTIF_RECV, buf)
                nid, pid, _fl, nr, _arch = struct.unpack_from("<QIIiI", buf)
                args = struct.unpack_from("<6Q", buf, 32)
                self.notes.append((pid, nr, args[0]))
                fcntl.ioctl(nfd, NOTIF_SEND, bytearray(struct.pack("<QqiI", nid, 4242, 0, 0)))
            finally:
                os.close(nfd)
        except Exception as e:  # reported by the test
            self.error = e

    def close(self):
        self.sock.close()
        self.thread.join(5)


@pytest.mark.parametrize("killable", [False, pytest.param(True, marks=pytest.mark.hullc_only)])
def test_notify_listener(runtime, sbundle, hull_env, killable):
    b = sbundle(args=["/mnt/hostile", "syscall", str(NR["umask"]), "18"])
    lst = Listener(hull_env.tmp / "listener.sock")
    try:
        sec = allow_all(rule("umask", "SCMP_ACT_NOTIFY"),
                        listenerPath=str(lst.path), listenerMetadata="hull-test-metadata")
        if killable:
            sec["flags"] = ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]
        b.linux["seccomp"] = sec
        b.config["annotations"] = {"org.example.test": "yes"}
        cid = hull_env.new_id()
        res = runtime.run(b, cid).check()
        assert lst.error is None, lst.error
        assert res.out.strip() == "ok 4242"
        st = lst.state
        assert st["ociVersion"] and st["fds"] == ["seccompFd"]
        assert st["metadata"] == "hull-test-metadata"
        assert st["state"]["id"] == cid
        assert st["state"]["pid"] == st["pid"] > 0
        assert st["state"]["bundle"] == str(b.dir)
        assert st["state"]["annotations"]["org.example.test"] == "yes"
        assert st["state"]["status"] in ("creating", "created")
        # the notification came from the container's process, as the host sees it
        assert lst.notes == [(st["pid"], NR["umask"], 18)]
    finally:
        lst.close()


def test_notify_listener_unreachable_is_an_error(runtime, bundle, hull_env):
    b = bundle()
    b.linux["seccomp"] = allow_all(rule("umask", "SCMP_ACT_NOTIFY"),
                                   listenerPath=str(hull_env.tmp / "nobody-listens.sock"))
    runtime.assert_error(runtime.run(b), hullc=["listenerPath", "nobody-listens.sock"])


# ---------------------------------------------------------------------------------------------
# The compiled-filter cache (hullc)

@pytest.mark.hullc_only
def test_filter_cache(runtime, sbundle, attempt, hull_env, monkeypatch, default_profile):
    cache = hull_env.mkdir("seccomp-cache")
    os.chmod(cache, 0o700)
    monkeypatch.setenv("HULL_SECCOMP_CACHE", str(cache))
    b = sbundle()
    b.linux["seccomp"] = default_profile
    assert attempt(b, "keyring").errno == 1
    entries = list(cache.glob("*.bpf"))
    assert len(entries) == 1
    first = entries[0].stat().st_mtime_ns
    assert attempt(b, "keyring").errno == 1  # from the cache
    assert entries[0].stat().st_mtime_ns == first
    # an entry others could have written is not trusted: compiled again and replaced
    os.chmod(entries[0], 0o666)
    assert attempt(b, "keyring").errno == 1
    assert entries[0].stat().st_mode & 0o777 == 0o600
    # a forged entry (another filter under the same name) does not match the key: recompiled
    data = bytearray(entries[0].read_bytes())
    data[40] ^= 0xff
    entries[0].write_bytes(bytes(data))
    assert attempt(b, "keyring").errno == 1
