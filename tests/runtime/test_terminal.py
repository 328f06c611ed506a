# Terminals: process.terminal makes a pty in the container's devpts. With --console-socket its
# master is sent over the socket with SCM_RIGHTS (what conmon and containerd's shim receive);
# without one, `run` and `exec` in the foreground proxy it to their own terminal (raw mode,
# window size changes forwarded, restored on exit).
import os
import select
import socket
import time

import pytest

pexpect = pytest.importorskip("pexpect")


class ConsoleSocket:
    """A listening unix socket that receives one pty master, as an engine would."""

    def __init__(self, path):
        self.path = str(path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(self.path)
        self.sock.listen(1)
        self.sock.settimeout(20)

    def receive(self):
        conn, _ = self.sock.accept()
        with conn:
            msg, fds, _flags, _addr = socket.recv_fds(conn, 4096, 1)
        assert len(fds) == 1, f"expected one fd, got {fds} with {msg!r}"
        return fds[0]

    def close(self):
        self.sock.close()


def read_until(fd, needle, timeout=10):
    buf = b""
    deadline = time.monotonic() + timeout
    while needle not in buf:
        left = deadline - time.monotonic()
        if left <= 0:
            pytest.fail(f"timed out waiting for {needle!r}; got {buf!r}")
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
    return buf


def tty_bundle(bundle, args, size=None):
    b = bundle(args=args)
    b.process["terminal"] = True
    if size:
        b.process["consoleSize"] = {"height": size[0], "width": size[1]}
    return b


def test_console_socket_receives_the_master(runtime, bundle, hull_env):
    b = tty_bundle(bundle, ["sh", "-c", "tty; stty size; read line; echo got:$line; exit 3"],
                   size=(25, 91))
    cs = ConsoleSocket(hull_env.tmp / "console.sock")
    cid = hull_env.new_id()
    try:
        runtime.create(b, cid, "--console-socket", cs.path).check()
        master = cs.receive()
        runtime("start", cid).check()
        out = read_until(master, b"91")
        assert b"/dev/pts/0" in out or b"/dev/console" in out, out
        assert b"25 91" in out, out
        os.write(master, b"hello\n")
        assert b"got:hello" in read_until(master, b"got:hello")
        runtime.wait_status(cid, "stopped")
        os.close(master)
    finally:
        cs.close()
        runtime("delete", "--force", cid)


def test_console_is_the_controlling_terminal(runtime, bundle, hull_env):
    b = tty_bundle(bundle, ["sh", "-c", "ls -l /proc/self/fd/0; [ -t 0 ] && echo is-a-tty; "
                            "ps -o pid,tty,comm | head -3; sleep 1000"])
    cs = ConsoleSocket(hull_env.tmp / "c.sock")
    cid = hull_env.new_id()
    try:
        runtime.create(b, cid, "--console-socket", cs.path).check()
        master = cs.receive()
        runtime("start", cid).check()
        out = read_until(master, b"is-a-tty")
        assert b"pts/0" in out, out
        os.close(master)
    finally:
        cs.close()
        runtime("delete", "--force", cid)


def test_exec_tty_with_console_socket(runtime, bundle, hull_env):
    b = bundle(args=["sleep", "1000"])
    cid = hull_env.new_id()
    runtime.create(b, cid).check()
    runtime("start", cid).check()
    cs = ConsoleSocket(hull_env.tmp / "exec.sock")
    try:
        pidfile = hull_env.tmp / "exec.pid"
        runtime("exec", "-d", "-t", "--console-socket", cs.path, "--pid-file", pidfile, cid,
                "sh", "-c", "tty; echo done; read x").check()
        master = cs.receive()
        out = read_until(master, b"done")
        assert b"/dev/pts/" in out, out
        pid = int(pidfile.read_text())
        # the pty is the container's: its devpts, not the host's
        link = os.readlink(f"/proc/{pid}/fd/0")
        assert link.startswith("/dev/pts/"), link
        host_pts = os.stat("/dev/pts/ptmx").st_dev
        assert os.stat(f"/proc/{pid}/fd/0").st_dev != host_pts
        os.write(master, b"\n")
        os.close(master)
    finally:
        cs.close()
        runtime("delete", "--force", cid)


def spawn(runtime, *args):
    cmd = runtime.cmd(args)
    child = pexpect.spawn(cmd[0], cmd[1:], encoding="utf-8", timeout=15,
                          env=runtime.t.proc_env())
    child.setwinsize(31, 97)
    return child


@pytest.mark.hullc_only
def test_run_in_the_foreground_proxies_the_terminal(runtime, bundle, hull_env):
    """Without --console-socket, `run` with a terminal proxies it (runc does this too, but
    only when its stdin is a terminal, which pexpect gives both)."""
    b = tty_bundle(bundle, ["sh"])
    b.save()
    cid = hull_env.new_id()
    child = spawn(runtime, "run", "--bundle", b.dir, cid)
    try:
        child.expect("# ")
        child.sendline("stty size; echo $((6*7))")
        child.expect("31 97")
        child.expect("42")
        # raw mode: ^C reaches the container's shell, which survives it
        child.sendintr()
        child.sendline("echo still-here")
        child.expect("still-here")
        child.setwinsize(44, 120)
        child.sendline("stty size")
        child.expect("44 120")
        child.sendline("exit 5")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 5


def test_exec_in_the_foreground_proxies_the_terminal(runtime, bundle, hull_env):
    b = bundle(args=["sleep", "1000"])
    cid = hull_env.new_id()
    runtime.create(b, cid).check()
    runtime("start", cid).check()
    child = spawn(runtime, "exec", "-t", cid, "sh")
    try:
        child.expect("# ")
        child.sendline("tty; stty size")
        child.expect("/dev/pts/")
        child.expect("31 97")
        child.setwinsize(40, 100)
        child.sendline("stty size")
        child.expect("40 100")
        child.sendline("exit 9")
        child.expect(pexpect.EOF)
    finally:
        child.close()
        runtime("delete", "--force", cid)
    assert child.exitstatus == 9


@pytest.mark.hullc_only
def test_terminal_restored_after_exit(runtime, bundle, hull_env):
    """hullc puts its terminal in raw mode and restores it: after the container exits, the
    terminal echoes and edits lines again."""
    import termios
    import pty as ptymod
    b = bundle(args=["sleep", "1000"])
    cid = hull_env.new_id()
    runtime.create(b, cid).check()
    runtime("start", cid).check()
    try:
        master, slave = ptymod.openpty()
        before = termios.tcgetattr(slave)
        cmd = runtime.cmd(["exec", "-t", cid, "sh", "-c", "exit 0"])
        import subprocess
        p = subprocess.run(cmd, stdin=slave, stdout=slave, stderr=slave, timeout=30,
                           env=runtime.t.proc_env())
        assert p.returncode == 0
        after = termios.tcgetattr(slave)
        assert after[3] == before[3], "lflag (echo, icanon) not restored"
        os.close(master)
        os.close(slave)
    finally:
        runtime("delete", "--force", cid)


def test_terminal_without_console_socket_when_detached_fails(runtime, bundle, hull_env):
    b = tty_bundle(bundle, ["sh"])
    cid = hull_env.new_id()
    res = runtime.create(b, cid)
    res.fails()
    assert "console" in res.err.lower()
    runtime("state", cid).fails()


def test_console_socket_that_does_not_exist(runtime, bundle, hull_env):
    b = tty_bundle(bundle, ["true"])
    cid = hull_env.new_id()
    res = runtime.create(b, cid, "--console-socket", hull_env.tmp / "missing.sock")
    runtime.assert_error(res, common=["missing.sock"])
    runtime("state", cid).fails()


def test_console_socket_that_does_not_accept(runtime, bundle, hull_env):
    path = hull_env.tmp / "bound.sock"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(path))  # bound, never listening: connect is refused
    try:
        b = tty_bundle(bundle, ["true"])
        cid = hull_env.new_id()
        res = runtime.create(b, cid, "--console-socket", path)
        runtime.assert_error(res, common=["bound.sock"])
        runtime("state", cid).fails()
    finally:
        s.close()
