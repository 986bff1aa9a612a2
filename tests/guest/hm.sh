#!/bin/sh
# The guest programs under HM (KVM) against IEM: same verdict per program.
#   tests/guest/hm.sh BUILDDIR GUESTDIR
# Without a working /dev/kvm every program prints `SKIP: NAME: no /dev/kvm`
# and counts as skipped, never as passed. A program whose verdict under HM
# differs from IEM's fails. The hand-overs to IEM are summed from
# --info engines.
set -u
build=$1
guest=$2
cfg=tests/guest/unittests.cfg
names=$("$build/pcvm-conform" --list "$cfg")
if [ ! -c /dev/kvm ] || "$build/pcvm" --engine=hm 2>&1 | grep -q "failed to initialize kvm"; then
    n=0
    for t in $names; do
        echo "SKIP: $t: no /dev/kvm"
        n=$((n + 1))
    done
    echo "0 passed, 0 failed, $n skipped"
    exit 0
fi
for e in hm iem; do
    # --info prints on stderr: --allow-stderr keeps it from failing the runs
    "$build/pcvm-conform" -j2 --allow-stderr --logdir "$build/hm-$e" --testdir "$guest" --emulator "$build/pcvm" \
        --emulator-arg=--engine=$e --emulator-arg=--info=engines "$cfg" > "$build/hm-$e.txt" 2>&1
done
passed=0
failed=0
for t in $names; do
    a=$(grep -E "^$t +[A-Z]+ " "$build/hm-hm.txt" | head -1 | awk '{print $2}')
    b=$(grep -E "^$t +[A-Z]+ " "$build/hm-iem.txt" | head -1 | awk '{print $2}')
    if [ -n "$a" ] && [ "$a" = "$b" ]; then
        passed=$((passed + 1))
    else
        echo "FAIL  hm-$t: $a under HM, $b under IEM ($build/hm-hm/$t.log)"
        failed=$((failed + 1))
    fi
done
h=$(cat "$build"/hm-hm/*.log | sed -n 's/.*(hand-overs from HM): \([0-9]*\) hand-overs, \([0-9]*\) instructions.*/\1 \2/p' |
    awk '{h += $1; i += $2} END {print h + 0 " hand-overs, " i + 0 " instructions"}')
echo "HM hand-overs to IEM over all programs: $h"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
