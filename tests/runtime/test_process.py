# The process attributes of config.json, checked from inside: args, env, cwd, user (uid, gid,
# additionalGids, umask), rlimits, oomScoreAdj, noNewPrivileges.
import pytest


def status_fields(text):
    fields = {}
    for line in text.splitlines():
        if ":" in line:
            key, value = line.split(":", 1)
            fields[key] = value.split()
    return fields


def test_args_passed_verbatim(runtime, bundle):
    args = ["sh", "-c", 'for a in "$@"; do echo "[$a]"; done', "argv0", "one two", "",
            "$HOME", "'quoted'", "ünïcode"]
    out = runtime.run(bundle(args=args)).check().out
    assert out.splitlines() == ["[one two]", "[]", "[$HOME]", "['quoted']", "[ünïcode]"]


def test_args_path_lookup_uses_the_containers_path(runtime, bundle):
    b = bundle(writable=True)
    (b.rootfs / "opt" / "tools").mkdir(parents=True)
    tool = b.rootfs / "opt" / "tools" / "hull-tool"
    tool.write_text("#!/bin/sh\necho tool ran\n")
    tool.chmod(0o755)
    b.process["env"] = ["PATH=/opt/tools:/bin"]
    b.args = ["hull-tool"]
    assert runtime.run(b).check().out == "tool ran\n"


def test_env(runtime, bundle):
    b = bundle(args=["env"])
    b.process["env"] = ["PATH=/bin", "FOO=bar", "WITH_SPACE=a b  c", "EMPTY=", "EQ=x=y"]
    env = runtime.run(b).check().out.splitlines()
    for want in b.process["env"]:
        assert want in env
    # Nothing of the runtime's own environment (pytest sets PYTEST_CURRENT_TEST in it).
    assert not any(line.startswith("PYTEST_CURRENT_TEST=") for line in env)


def test_cwd(runtime, bundle):
    b = bundle(args=["pwd"])
    b.process["cwd"] = "/home/user"
    assert runtime.run(b).check().out == "/home/user\n"


def test_cwd_created_if_missing(runtime, bundle):
    b = bundle(writable=True, args=["pwd"])
    b.process["cwd"] = "/work/dir"
    assert runtime.run(b).check().out == "/work/dir\n"


def test_user_uid_gid_additional_gids(runtime, bundle):
    b = bundle()
    b.process["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [10, 100]}
    out = runtime.sh(b, "grep -E '^(Uid|Gid|Groups):' /proc/self/status; id")
    st = status_fields(out)
    assert st["Uid"] == ["1000"] * 4
    assert st["Gid"] == ["1000"] * 4
    assert sorted(int(g) for g in st["Groups"]) == [10, 100]
    assert "uid=1000(user) gid=1000(user)" in out


def test_user_without_a_passwd_entry(runtime, bundle):
    b = bundle()
    b.process["user"] = {"uid": 4242, "gid": 4343}
    out = runtime.sh(b, "id -u; id -g; touch /tmp/x 2>/dev/null || echo denied")
    assert out.split()[:2] == ["4242", "4343"]


def test_user_files_owned(runtime, bundle):
    b = bundle()
    out = b.out_dir()
    b.process["user"] = {"uid": 1000, "gid": 100}
    runtime.sh(b, "echo x > /out/f")
    st = (out / "f").stat()
    assert (st.st_uid, st.st_gid) == (1000, 100)


@pytest.mark.parametrize("umask,expect", [(0o022, "0022"), (0o077, "0077"), (0, "0000")])
def test_umask(runtime, bundle, umask, expect):
    b = bundle()
    b.add_tmpfs("/tmp")
    b.process["user"]["umask"] = umask
    out = runtime.sh(b, "umask; touch /tmp/f; stat -c %a /tmp/f")
    got_umask, mode = out.split()
    assert got_umask == expect
    assert int(mode, 8) == 0o666 & ~umask


def test_rlimits(runtime, bundle):
    b = bundle()
    b.process["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 123, "hard": 456},
                            {"type": "RLIMIT_NPROC", "soft": 500, "hard": 600},
                            {"type": "RLIMIT_CORE", "soft": 0, "hard": 0}]
    out = runtime.sh(b, "ulimit -n; ulimit -Hn; grep -E '^Max (open files|processes|core)' "
                        "/proc/self/limits")
    lines = out.splitlines()
    assert lines[0:2] == ["123", "456"]
    limits = {" ".join(line.split()[:-3]): line.split()[-3:-1] for line in lines[2:]}
    assert limits["Max open files"] == ["123", "456"]
    assert limits["Max processes"] == ["500", "600"]
    assert limits["Max core file size"] == ["0", "0"]


def test_oom_score_adj(runtime, bundle):
    b = bundle(args=["cat", "/proc/self/oom_score_adj"])
    b.process["oomScoreAdj"] = 345
    assert runtime.run(b).check().out.strip() == "345"


@pytest.mark.parametrize("nnp", [True, False])
def test_no_new_privileges(runtime, bundle, nnp):
    b = bundle(args=["grep", "NoNewPrivs", "/proc/self/status"])
    b.process["noNewPrivileges"] = nnp
    assert runtime.run(b).check().out.split() == ["NoNewPrivs:", "1" if nnp else "0"]
