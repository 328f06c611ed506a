# process.apparmorProfile, process.selinuxLabel and linux.mountLabel: applied when the LSM is
# enabled, a clear error naming the field when one is asked for and the LSM is not. (The CI
# machines have neither AppArmor nor an enabled SELinux: the error side is what runs there.)
import os

import pytest


def apparmor_enabled():
    try:
        return open("/sys/module/apparmor/parameters/enabled").read().strip() == "Y"
    except OSError:
        return False


def selinux_enabled():
    return os.path.exists("/sys/fs/selinux/enforce")


no_apparmor = pytest.mark.skipif(apparmor_enabled(), reason="AppArmor is enabled here")
no_selinux = pytest.mark.skipif(selinux_enabled(), reason="SELinux is enabled here")


@pytest.mark.hullc_only  # runc 1.1 silently ignores a profile it cannot apply
@no_apparmor
def test_apparmor_profile_without_apparmor(runtime, bundle):
    b = bundle()
    b.process["apparmorProfile"] = "hull-test-profile"
    runtime.assert_error(runtime.run(b), hullc=[".process.apparmorProfile", "hull-test-profile",
                                                "AppArmor is not enabled"])


@pytest.mark.hullc_only
@no_selinux
def test_selinux_label_without_selinux(runtime, bundle):
    b = bundle()
    b.process["selinuxLabel"] = "system_u:system_r:container_t:s0:c1,c2"
    runtime.assert_error(runtime.run(b), hullc=[".process.selinuxLabel", "container_t",
                                                "SELinux is not enabled"])


@pytest.mark.hullc_only
@no_selinux
def test_mount_label_without_selinux(runtime, bundle):
    b = bundle()
    b.linux["mountLabel"] = "system_u:object_r:container_file_t:s0:c1,c2"
    runtime.assert_error(runtime.run(b), hullc=[".linux.mountLabel", "SELinux is not enabled"])


def test_empty_labels_ask_for_nothing(runtime, bundle):
    b = bundle()
    b.process["apparmorProfile"] = ""
    b.process["selinuxLabel"] = ""
    assert runtime.sh(b, "echo ran") == "ran\n"


@pytest.mark.skipif(not apparmor_enabled(), reason="AppArmor is not enabled here")
def test_apparmor_profile_applied(runtime, bundle):
    b = bundle()
    b.process["apparmorProfile"] = "unconfined"
    out = runtime.sh(b, "cat /proc/self/attr/apparmor/current 2>/dev/null || "
                        "cat /proc/self/attr/current")
    assert out.strip().startswith("unconfined")
