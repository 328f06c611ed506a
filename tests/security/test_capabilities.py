# process.capabilities, read back from /proc/self/status inside the container for several specs,
# the errors for names the runtime or the kernel does not know, the CVE-2022-29162 class
# (inheritable capabilities granted to programs with file capabilities), and capabilities in a
# user namespace.
import os
import shutil
import subprocess

import pytest

from secutil import all_caps, cap_mask, set_caps, status_caps

DEFAULT = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]  # runc's `spec` defaults


def caps_of(runtime, b):
    return status_caps(runtime.sh(b, "grep ^Cap /proc/self/status"))


def full():
    return cap_mask(*all_caps())


def test_default_spec(runtime, bundle):
    c = caps_of(runtime, bundle())
    m = cap_mask(*DEFAULT)
    assert c == {"CapInh": 0, "CapPrm": m, "CapEff": m, "CapBnd": m, "CapAmb": 0}


# (spec, user, no_new_privs, expected /proc/self/status after execve). The expectations follow
# the kernel's rules for execve (capabilities(7)): root gets bounding | inheritable in permitted
# and effective, limited to what it had when no_new_privs is set; any other user keeps only its
# ambient set.
CASES = {
    "all": (dict(caps=all_caps()), 0, True,
            lambda: dict(CapInh=0, CapPrm=full(), CapEff=full(), CapBnd=full(), CapAmb=0)),
    "empty-object": ({}, 0, True, lambda: dict(CapInh=0, CapPrm=0, CapEff=0, CapBnd=0, CapAmb=0)),
    "bounding-only": (dict(bounding=["CAP_KILL", "CAP_CHOWN"]), 0, True,
                      lambda: dict(CapInh=0, CapPrm=0, CapEff=0,
                                   CapBnd=cap_mask("KILL", "CHOWN"), CapAmb=0)),
    "bounding-only-without-nnp": (dict(bounding=["CAP_KILL", "CAP_CHOWN"]), 0, False,
                                  lambda: dict(CapInh=0, CapPrm=cap_mask("KILL", "CHOWN"),
                                               CapEff=cap_mask("KILL", "CHOWN"),
                                               CapBnd=cap_mask("KILL", "CHOWN"), CapAmb=0)),
    "inheritable-asked": (dict(bounding=["CAP_KILL", "CAP_NET_RAW"], permitted=["CAP_KILL"],
                               effective=["CAP_KILL"], inheritable=["CAP_NET_RAW"]), 0, True,
                          lambda: dict(CapInh=cap_mask("NET_RAW"), CapPrm=cap_mask("KILL"),
                                       CapEff=cap_mask("KILL"),
                                       CapBnd=cap_mask("KILL", "NET_RAW"), CapAmb=0)),
    "non-root-no-ambient": (dict(caps=DEFAULT), 1000, True,
                            lambda: dict(CapInh=0, CapPrm=0, CapEff=0, CapBnd=cap_mask(*DEFAULT),
                                         CapAmb=0)),
    "non-root-ambient": (dict(caps=DEFAULT, inheritable=["CAP_NET_BIND_SERVICE"],
                              ambient=["CAP_NET_BIND_SERVICE"]), 1000, True,
                         lambda: dict(CapInh=cap_mask("NET_BIND_SERVICE"),
                                      CapPrm=cap_mask("NET_BIND_SERVICE"),
                                      CapEff=cap_mask("NET_BIND_SERVICE"),
                                      CapBnd=cap_mask(*DEFAULT),
                                      CapAmb=cap_mask("NET_BIND_SERVICE"))),
}


@pytest.mark.parametrize("case", CASES)
def test_sets_read_back(runtime, bundle, case):
    spec, uid, nnp, expect = CASES[case]
    b = bundle()
    set_caps(b, **spec)
    b.process["user"] = {"uid": uid, "gid": uid}
    b.process["noNewPrivileges"] = nnp
    assert caps_of(runtime, b) == expect()


def test_no_capabilities_object_means_none(runtime, bundle):
    b = bundle()
    b.process.pop("capabilities", None)
    assert set(caps_of(runtime, b).values()) == {0}


def test_ambient_capability_is_usable_by_a_non_root_user(runtime, sbundle, attempt):
    """The point of ambient: uid 1000 opens a raw socket with CAP_NET_RAW and nothing else."""
    b = sbundle()
    b.process["user"] = {"uid": 1000, "gid": 1000}
    set_caps(b, caps=["CAP_NET_RAW"], inheritable=["CAP_NET_RAW"], ambient=["CAP_NET_RAW"])
    assert attempt(b, "rawsock").ok
    # control: without the ambient set the same user cannot
    set_caps(b, caps=["CAP_NET_RAW"])
    assert attempt(b, "rawsock").errno == 1


@pytest.mark.hullc_only  # runc 1.1 only warns and carries on
def test_unknown_name_is_an_error(runtime, bundle):
    b = bundle()
    set_caps(b, caps=DEFAULT)
    b.process["capabilities"]["bounding"].append("CAP_TELEPORT")
    res = runtime.run(b)
    runtime.assert_error(res, hullc=[".process.capabilities.bounding[3]", "CAP_TELEPORT",
                                      "unknown capability"])


@pytest.mark.hullc_only
def test_effective_outside_permitted_is_an_error(runtime, bundle):
    b = bundle()
    set_caps(b, bounding=DEFAULT, permitted=["CAP_KILL"], effective=["CAP_KILL", "CAP_CHOWN"])
    res = runtime.run(b)
    runtime.assert_error(res, hullc=[".process.capabilities.effective", "CAP_CHOWN",
                                      "not in the permitted set"])


def test_runc_spec_ambient_without_inheritable(runtime, bundle):
    """`runc spec` writes ambient = the three defaults and no inheritable set: the kernel cannot
    raise them, so they are left out (with a warning), not an error."""
    b = bundle()
    set_caps(b, caps=DEFAULT, ambient=DEFAULT)
    b.args = ["sh", "-c", "grep ^Cap /proc/self/status"]
    res = runtime.run(b).check()
    c = status_caps(res.out)
    assert c["CapAmb"] == 0 and c["CapEff"] == cap_mask(*DEFAULT)
    if runtime.is_hullc:
        assert ".process.capabilities.ambient" in res.err and "cannot be ambient" in res.err


# ---------------------------------------------------------------------------------------------
# CVE-2022-29162 (runc) / CVE-2022-27650 (crun): the runtimes filled the inheritable set with the
# bounding set, so an unprivileged user running a program with file capabilities (+ei) gained
# them. Inheritable must stay empty unless the spec asks.

def fcap_bundle(sbundle):
    if not shutil.which("setcap"):
        pytest.skip("setcap missing (libcap2-bin)")
    b = sbundle(writable=True)
    exe = b.rootfs / "bin" / "hostile-fcap"
    shutil.copy2(b.rootfs / "bin" / "hostile", exe)
    subprocess.run(["setcap", "cap_net_raw+ei", str(exe)], check=True)
    b.process["user"] = {"uid": 1000, "gid": 1000}
    # no_new_privs would ignore file capabilities anyway: take that defence away to test this one
    b.process["noNewPrivileges"] = False
    return b


def test_cve_2022_29162_no_inheritable_for_file_capabilities(sbundle, attempt):
    b = fcap_bundle(sbundle)
    set_caps(b, caps=DEFAULT + ["CAP_NET_RAW"])
    res = attempt(b, "rawsock", helper="/bin/hostile-fcap")
    assert res.errno == 1, res  # EPERM: the +ei file capability grants nothing


def test_cve_2022_29162_control_inheritable_given(sbundle, attempt):
    b = fcap_bundle(sbundle)
    # what the vulnerable runtimes did: inheritable = bounding
    set_caps(b, caps=DEFAULT + ["CAP_NET_RAW"], inheritable=DEFAULT + ["CAP_NET_RAW"])
    assert attempt(b, "rawsock", helper="/bin/hostile-fcap").ok


# ---------------------------------------------------------------------------------------------
# Capabilities in a user namespace: full capabilities there are no capabilities on the host.

def userns(b):
    b.set_namespace("user")
    b.linux["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    b.linux["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]


def test_user_namespace_keeps_the_asked_capabilities(runtime, bundle):
    b = bundle()
    userns(b)
    c = caps_of(runtime, b)
    m = cap_mask(*DEFAULT)
    assert c == {"CapInh": 0, "CapPrm": m, "CapEff": m, "CapBnd": m, "CapAmb": 0}
    set_caps(b, caps=all_caps())
    assert caps_of(runtime, b)["CapEff"] == full()


def host_owned_dir(hull_env):
    d = hull_env.mkdir("hostfiles")
    os.chmod(d, 0o755)
    (d / "f").write_text("host\n")
    os.chmod(d / "f", 0o644)
    return d


def test_user_namespace_all_caps_cannot_write_host_root_files(runtime, bundle, hull_env):
    b = bundle()
    userns(b)
    set_caps(b, caps=all_caps())
    b.add_mount("/data", "bind", host_owned_dir(hull_env), ["rbind", "rw"])
    out = runtime.sh(b, "echo pwned > /data/f && echo WROTE; touch /data/new && echo MADE; true")
    assert "WROTE" not in out and "MADE" not in out


def test_user_namespace_control_without_userns_root_writes(runtime, bundle, hull_env):
    b = bundle()
    set_caps(b, caps=all_caps())
    d = host_owned_dir(hull_env)
    b.add_mount("/data", "bind", d, ["rbind", "rw"])
    out = runtime.sh(b, "echo pwned > /data/f && echo WROTE; true")
    assert "WROTE" in out
    assert (d / "f").read_text() == "pwned\n"
