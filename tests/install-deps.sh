#!/bin/bash
# install-deps.sh: the apt packages hull needs to build and to run every test (Debian 12, root).
# The one list of build and test dependencies: the README and .ci/run call this script.
set -euo pipefail

PACKAGES=(
        build-essential pkg-config      # compiler, make
        libjansson-dev libseccomp-dev libcap-dev   # what hullc links
        libarchive-dev libcurl4-openssl-dev libssl-dev  # what hull (the engine) links
        libcmocka-dev                   # unit tests
        skopeo umoci docker-registry python3-cryptography jq zstd openssl curl  # image tests
                                        # (../shared/testimages: images, local registries)
        busybox-static                  # the test and README bundle (tests/make-bundle.sh)
        python3-pytest python3-pytest-timeout      # integration tests
        iproute2 util-linux procps      # ip, unshare, mount, ps in the tests
        runc crun                       # reference runtimes (tests, benchmarks)
        podman conmon containerd python3-pexpect  # real engines driving hullc (tests/engines)
        uidmap libcap2-bin passwd       # rootless tests (newuidmap, setcap, useradd)
        file                            # make-bundle.sh checks busybox is static
)

missing=()
for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
                missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
        echo "install-deps: all ${#PACKAGES[@]} packages are installed"
        exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
