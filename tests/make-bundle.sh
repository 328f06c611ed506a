#!/bin/bash
# make-bundle.sh OUT_DIR HULLC: build a small busybox OCI bundle in OUT_DIR (rootfs/ from Debian's
# busybox-static, config.json from `HULLC spec`). Idempotent and fast; HULLC may be runc.
set -euo pipefail

if [ $# -ne 2 ]; then
        echo "usage: $0 OUT_DIR HULLC" >&2
        exit 2
fi
out=$1
hullc=$2
case $hullc in
*/*) hullc=$(cd "$(dirname "$hullc")" && pwd -P)/$(basename "$hullc") ;;
*) hullc=$(command -v "$hullc") || { echo "$0: $2: not found" >&2; exit 1; } ;;
esac

busybox=${BUSYBOX:-/bin/busybox}
# Debian's python3 starts fastest (a version manager's shim in PATH can cost 100 ms a call).
python=/usr/bin/python3
[ -x "$python" ] || python=python3
if ! [ -x "$busybox" ] || ! "$busybox" --list >/dev/null 2>&1; then
        echo "$0: $busybox missing: apt-get install busybox-static (tests/install-deps.sh)" >&2
        exit 1
fi
# A dynamically linked busybox would need the host's libraries inside the rootfs.
if command -v file >/dev/null && ! file -L "$busybox" | grep -q 'statically linked'; then
        echo "$0: $busybox is not statically linked: install busybox-static" >&2
        exit 1
fi

mkdir -p "$out"
out=$(cd "$out" && pwd -P)
r=$out/rootfs
mkdir -p "$r"/{bin,etc,proc,sys,dev,tmp,root,home/user}
chmod 0755 "$out" "$r" "$r"/{bin,etc,proc,sys,dev,home}
chmod 1777 "$r/tmp"
chmod 0700 "$r/root"
chown 1000:1000 "$r/home/user"
chmod 0755 "$r/home/user"

if ! cmp -s "$busybox" "$r/bin/busybox"; then
        cp "$busybox" "$r/bin/busybox.new"
        chmod 0755 "$r/bin/busybox.new"
        mv -f "$r/bin/busybox.new" "$r/bin/busybox"
fi
# One relative symlink per applet; `busybox --list` gives bare names ("[", "sh", ...). Python
# makes the ~270 links in one process (a fork per link would cost most of a second).
"$r/bin/busybox" --list | "$python" -c '
import os, sys
bindir = sys.argv[1]
for name in sys.stdin.read().split():
    link = os.path.join(bindir, name)
    if name == "busybox" or (os.path.islink(link) and os.readlink(link) == "busybox"):
        continue
    if os.path.lexists(link):
        os.unlink(link)
    os.symlink("busybox", link)
' "$r/bin"

write_if_changed() { # FILE MODE, content on stdin
        local tmp
        tmp=$(mktemp "$1.XXXXXX")
        cat >"$tmp"
        chmod "$2" "$tmp"
        if cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mv -f "$tmp" "$1"; fi
}
write_if_changed "$r/etc/passwd" 0644 <<'EOF'
root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:user:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
write_if_changed "$r/etc/group" 0644 <<'EOF'
root:x:0:
wheel:x:10:user
users:x:100:user
user:x:1000:
nogroup:x:65534:
EOF

# `spec` refuses to overwrite config.json (runc), so it runs in an empty directory.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/make-bundle.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && "$hullc" spec) || { echo "$0: '$hullc spec' failed" >&2; exit 1; }
"$python" - "$tmp/config.json" "$tmp/config.out" <<'EOF'
import json, sys
with open(sys.argv[1]) as f:
    spec = json.load(f)
spec["process"]["terminal"] = False
spec["process"]["args"] = ["sh", "-c",
                           "echo hello from a hull container; cat /etc/hostname 2>/dev/null; hostname"]
spec["root"] = {"path": "rootfs", "readonly": True}
with open(sys.argv[2], "w") as f:
    json.dump(spec, f, indent=2)
    f.write("\n")
EOF
if cmp -s "$tmp/config.out" "$out/config.json"; then
        touch "$out/config.json" # make's target: up to date now
else
        mv -f "$tmp/config.out" "$out/config.json"
fi
