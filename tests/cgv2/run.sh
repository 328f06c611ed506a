#!/bin/bash
# tests/cgv2/run.sh [PYTEST ARGS...]: run the cgroup suite (default tests/runtime/test_cgroups.py)
# on pure cgroup v2, inside the VM of ../shared/cgv2/run-in-v2-vm.sh. hullc is built on the host
# first (make; HULLC=/path to test another binary). The repository is the VM's shared folder
# (9p: no fifos or sockets there), so state roots go to the guest's /run and bundles to its /tmp,
# both tmpfs, which is where tests/conftest.py puts them already.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd -P)
vm=${CGV2_SCRIPT:-$repo/../shared/cgv2/run-in-v2-vm.sh}
[ -x "$vm" ] || vm=/work/shared/cgv2/run-in-v2-vm.sh
if [ ! -x "$vm" ]; then
        echo "$0: run-in-v2-vm.sh not found (set CGV2_SCRIPT)" >&2
        exit 2
fi

if [ -z "${HULLC:-}" ]; then
        make -C "$repo" -s build/hullc
        HULLC=$repo/build/hullc
fi
case $HULLC in
"$repo"/*) ;;
*) echo "$0: HULLC must be inside $repo (the VM only shares that folder)" >&2; exit 2 ;;
esac

args=("$@")
[ ${#args[@]} -gt 0 ] || args=(tests/runtime/test_cgroups.py)
quoted=$(printf ' %q' "${args[@]}")

# One VM, one pytest session: starting either costs seconds under TCG.
cd "$repo"
exec "$vm" "HULLC=$(printf %q "$HULLC") HULL_TEST_TMPDIR=/tmp \
/usr/bin/python3 -m pytest -q -ra$quoted" "$repo"
