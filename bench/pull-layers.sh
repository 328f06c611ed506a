#!/bin/bash
# Pull of the multi-layer test image from the loopback registry, side by side:
#   hull pull  |  podman pull (private storage, vfs-free overlay)  |  skopeo copy to a dir
# Each run starts from an empty store. Usage: bench/pull-layers.sh [RUNS] (default 5), as root.
# Needs ../shared/testimages, docker-registry, skopeo, podman; HULL=path (default build/hull).
set -euo pipefail
RUNS=${1:-5}
REPO=$(cd "$(dirname "$0")/.." && pwd)
HULL=${HULL:-$REPO/build/hull}
TI=${HULL_TESTIMAGES_DIR:-$REPO/../shared/testimages}
WORK=$(mktemp -d /tmp/hull-bench-pull.XXXXXX)
export HULL_REGISTRY_STATE=$WORK/registry HULL_REGISTRY_INSTANCES=plain
cleanup() {
    "$TI/registry.sh" stop >/dev/null 2>&1 || true
    for m in $(awk -v w="$WORK" '$5 ~ "^"w {print $5}' /proc/self/mountinfo | sort -r); do
        umount -l "$m" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
"$TI/make-images.sh" "$WORK/img" >/dev/null
eval "$("$TI/registry.sh" start | grep '^HULL_REGISTRY=')"
"$TI/registry.sh" push "$WORK/img" layers >/dev/null
REF=$HULL_REGISTRY/layers:latest

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_runs() { # NAME CMD...: prints the median wall time of RUNS runs (setup excluded)
    local name=$1; shift
    local t=()
    for i in $(seq "$RUNS"); do
        rm -rf "$WORK/store"; mkdir -p "$WORK/store"
        local s; s=$(now)
        "$@" >/dev/null 2>&1
        t+=("$(echo "$(now) - $s" | bc)")
        for m in $(awk -v w="$WORK/store" '$5 ~ "^"w {print $5}' /proc/self/mountinfo | sort -r); do
            umount -l "$m" 2>/dev/null || true
        done
    done
    printf '%-28s median %.3f s  (runs: %s)\n' "$name" "$(printf '%s\n' "${t[@]}" | median)" "${t[*]}"
}

echo "image: $REF ($(du -sh "$WORK/img/oci/layers/blobs" | cut -f1) of blobs, 4 layers, 29.5 MB unpacked)"
time_runs "hull pull" "$HULL" --root "$WORK/store" pull -q "$REF"
if command -v podman >/dev/null; then
    time_runs "podman pull" podman --root "$WORK/store" --runroot "$WORK/store/run" \
        --storage-driver overlay pull -q --tls-verify=false "$REF"
fi
if command -v skopeo >/dev/null; then
    time_runs "skopeo copy (dir:, no unpack)" skopeo copy -q --src-tls-verify=false \
        "docker://$REF" "dir:$WORK/store/dir"
fi
