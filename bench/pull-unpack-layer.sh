#!/bin/bash
# Unpack throughput of the large test layer (l2: 23.5 MB gzip, 29.5 MB tar): `hull load` of a
# one-layer OCI archive (blob stored + digest-verified + unpacked + diff_id-verified) against
# `tar -xzf` of the same blob. Usage: bench/pull-unpack-layer.sh [RUNS] (default 5), as root.
set -euo pipefail
RUNS=${1:-5}
REPO=$(cd "$(dirname "$0")/.." && pwd)
HULL=${HULL:-$REPO/build/hull}
TI=${HULL_TESTIMAGES_DIR:-$REPO/../shared/testimages}
WORK=$(mktemp -d /tmp/hull-bench-unpack.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
"$TI/make-images.sh" "$WORK/img" >/dev/null 2>&1
BLOB=$(jq -r '.layers.l2.gzip.digest' "$WORK/img/images.json")
DIFF=$(jq -r '.layers.l2.diff_id' "$WORK/img/images.json")
SIZE=$(jq -r '.layers.l2.gzip.size' "$WORK/img/images.json")
L=$WORK/layout
mkdir -p "$L/blobs/sha256"
cp "$WORK/img/oci/layers/blobs/sha256/${BLOB#sha256:}" "$L/blobs/sha256/"
CFG=$(printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["%s"]}}' "$DIFF")
printf '%s' "$CFG" > "$L/cfg"
CD=$(sha256sum "$L/cfg" | cut -d' ' -f1); mv "$L/cfg" "$L/blobs/sha256/$CD"
MAN=$(printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":%d}]}' "$CD" "${#CFG}" "$BLOB" "$SIZE")
printf '%s' "$MAN" > "$L/man"
MD=$(sha256sum "$L/man" | cut -d' ' -f1); mv "$L/man" "$L/blobs/sha256/$MD"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%d}]}' "$MD" "${#MAN}" > "$L/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' > "$L/oci-layout"
tar -C "$L" -cf "$WORK/one.tar" .

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
run() {
    local name=$1; shift; local t=()
    for i in $(seq "$RUNS"); do
        rm -rf "$WORK/out"; mkdir -p "$WORK/out"; sync
        local s; s=$(now); "$@" >/dev/null; t+=("$(echo "$(now) - $s" | bc)")
    done
    local m; m=$(printf '%s\n' "${t[@]}" | median)
    printf '%-34s median %.3f s  %6.1f MB/s (uncompressed)\n' "$name" "$m" "$(echo "29.51 / $m" | bc -l)"
}
run "tar -xzf (gzip | tar)" tar -C "$WORK/out" -xzf "$L/blobs/sha256/${BLOB#sha256:}"
run "hull load (store+verify+unpack)" "$HULL" --root "$WORK/out" load -q -i "$WORK/one.tar"
