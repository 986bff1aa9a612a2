#!/bin/sh
# One Debian guest in make check: builds it (build-guest.sh) and boots it
# (run.sh), and writes the verdict (PASS, FAIL or SKIP) to OUTDIR.result for
# the summary line (summary.sh):
#   tests/boot/boot-one.sh ARCH OUTDIR PCVM
# SKIP only when the guest cannot be had: its packages are not cached and
# no package registry answers (build-guest.sh's status 77). Any other build
# failure is FAIL. Exit status: 1 on FAIL, else 0.
set -u
[ $# -eq 3 ] || { echo "usage: $0 ARCH OUTDIR PCVM" >&2; exit 2; }
arch=$1 out=$2 pcvm=$3
here=$(cd "$(dirname "$0")" && pwd)
log=$out.build.log
mkdir -p "$(dirname "$out")"
rm -f "$out.result"
sh "$here/build-guest.sh" "$arch" "$out" >"$log" 2>&1
status=$?
case $status in
0)
    if sh "$here/run.sh" --emu pcvm --pcvm "$pcvm" "$out"; then
        echo PASS >"$out.result"
        exit 0
    fi
    echo FAIL >"$out.result"
    exit 1
    ;;
77)
    echo "SKIP: boot-$arch: no package registry reachable and no cached packages ($log)"
    echo SKIP >"$out.result"
    exit 0
    ;;
*)
    echo "FAIL: boot-$arch: cannot build the guest (status $status): $(grep -v '^build-guest:' "$log" | tail -n 1) ($log)"
    echo FAIL >"$out.result"
    exit 1
    ;;
esac
