#!/bin/sh
# A Debian guest under --icount on the three engine settings: IEM
# (--engine=iem), REM's first tier (--engine=rem --rem-tier=1) and REM with
# hot blocks compiled (--engine=rem). Their serial output must be the same
# bytes and hold SELFCHECK: PASS, their exit statuses the same, and (with
# --stop) the whole machine state at instruction M the same file:
#   tests/boot/icount.sh [--start N] [--stop M] [--result FILE] PCVM GUESTDIR OUTDIR
# 1. --start N (default 0, from reset): REM runs the guest to instruction N
#    and saves it there (OUTDIR/start.state, start.log). Past the kernel's
#    decompressor (about 4.45e9 instructions on the amd64 guest, all but
#    1.5e9 of its boot) the engines spend the comparison in the kernel, not
#    in XZ decompression; IEM then takes about a minute.
# 2. --stop M: each engine runs from there to instruction M and saves
#    OUTDIR/ENGINE.state; then from that state to the guest's power off.
#    Without --stop each runs straight to the power off.
# OUTDIR/ENGINE.log is each engine's serial output after N; when they
# differ the first differing line is printed, and the states' differing
# fields (pcvm --print-state). Bisecting with --stop finds the first
# differing instruction (then pcvm --trace from the last equal state).
# One vCPU: with -smp the vCPU threads' interleaving is the host's.
# Prints one PASS or FAIL line; writes PASS/FAIL/SKIP to --result FILE
# (tests/boot/summary.sh counts it). SKIP only when GUESTDIR.result says
# the guest itself was skipped (boot-one.sh). Exit status 1 on FAIL.
set -u
start=0 stop="" result=""
while [ $# -gt 0 ]; do
    case $1 in
    --start) start=$2; shift 2 ;;
    --stop) stop=$2; shift 2 ;;
    --result) result=$2; shift 2 ;;
    -*) echo "usage: $0 [--start N] [--stop M] [--result FILE] PCVM GUESTDIR OUTDIR" >&2; exit 2 ;;
    *) break ;;
    esac
done
[ $# -eq 3 ] || { echo "usage: $0 [--start N] [--stop M] [--result FILE] PCVM GUESTDIR OUTDIR" >&2; exit 2; }
pcvm=$1 dir=$2 out=$3
name=icount-$(basename "$dir")
cpu_s=${BOOT_CPU_LIMIT:-900}
timeout_s=${BOOT_TIMEOUT:-2400}
engines="iem rem-tier1 rem"

verdict() { # verdict PASS|FAIL|SKIP MESSAGE
    echo "$1: $name: $2"
    [ -z "$result" ] || echo "$1" >"$result"
    [ "$1" != FAIL ]
}

[ -z "$result" ] || rm -f "$result"
if [ "$(cat "$dir.result" 2>/dev/null)" = SKIP ]; then
    verdict SKIP "the guest was skipped ($dir.result)"
    exit 0
fi
if [ ! -f "$dir/vmlinuz" ] || [ ! -f "$dir/initrd.cpio" ]; then
    verdict FAIL "no $dir/vmlinuz or $dir/initrd.cpio"
    exit 1
fi
rm -rf "$out"
mkdir -p "$out" || exit 2

# The machine: a saved state loads only under the options it was saved with.
# The CPU limit is soft (SIGXCPU), with no core dump (dash and bash have
# ulimit -S -c -t).
pv() { # pv TAG ENGINE-OPTIONS... : one pcvm run, serial to OUTDIR/TAG.out
    tag=$1
    shift
    # shellcheck disable=SC3045
    (
        ulimit -c 0
        ulimit -S -t "$cpu_s"
        exec timeout --foreground -k 5 "$timeout_s" "$pcvm" --icount "$@" -m 256M -smp 1 -nodefaults \
            -serial stdio -display none -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x4 \
            -kernel "$dir/vmlinuz" -initrd "$dir/initrd.cpio" \
            -append "console=ttyS0 panic=-1 pcvm.selfcheck=poweroff pcvm.cpus=1"
    ) </dev/null >"$out/$tag.out" 2>>"$out/$tag.stderr"
}
engine_opts() {
    case $1 in
    iem) echo --engine=iem ;;
    rem-tier1) echo --engine=rem --rem-tier=1 ;;
    rem) echo --engine=rem ;;
    esac
}

t0=$(date +%s)
from=""
if [ "$start" != 0 ]; then
    pv start --engine=rem --max-insns "$start" --savevm "$out/start.state"
    if [ ! -f "$out/start.state" ]; then
        verdict FAIL "no state saved at instruction $start: $(tail -n 1 "$out/start.stderr")"
        exit 1
    fi
    from="-loadvm $out/start.state"
fi

# run_engine E: E's runs from the start; the three run at once (each is
# one busy thread, IEM's the longest).
run_engine() {
    e=$1
    # shellcheck disable=SC2046,SC2086 # option lists
    if [ -n "$stop" ]; then
        pv "$e" $(engine_opts $e) $from --max-insns "$stop" --savevm "$out/$e.state"
        echo $? >"$out/$e.status1"
        [ -f "$out/$e.state" ] && pv "$e-end" $(engine_opts $e) -loadvm "$out/$e.state"
    else
        pv "$e-end" $(engine_opts $e) $from
    fi
    echo $? >"$out/$e.status"
    cat "$out/$e.out" "$out/$e-end.out" >"$out/$e.log" 2>/dev/null
}
for e in $engines; do
    run_engine "$e" &
done
wait
secs=$(($(date +%s) - t0))

# fields: the states' differing lines, the first few (--print-state)
state_diff() {
    for f in "$@"; do
        "$pcvm" -m 256M -smp 1 -nodefaults -display none -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x4 \
            -kernel "$dir/vmlinuz" -initrd "$dir/initrd.cpio" --print-state "$f" 2>&1 | tail -n +2 >"$f.txt"
    done
    diff "$1.txt" "$2.txt" | grep '^[<>] ' | cut -c1-160 | head -n 8 | sed 's/^/    /'
}

ref=iem
bad=""
for e in $engines; do
    if [ -n "$stop" ] && [ ! -f "$out/$e.state" ]; then
        bad="$bad; $e: no state at instruction $stop (status $(cat "$out/$e.status1"), $(tail -n 1 "$out/$e.stderr"))"
        continue
    fi
    grep -q '^SELFCHECK: PASS' "$out/$e.log" ||
        bad="$bad; $e: no SELFCHECK: PASS (status $(cat "$out/$e.status"), $(tail -n 1 "$out/$e-end.stderr" 2>/dev/null))"
    [ "$e" = $ref ] && continue
    if ! cmp -s "$out/$ref.log" "$out/$e.log"; then
        line=$(cmp "$out/$ref.log" "$out/$e.log" 2>&1 | sed -n 's/.*line \([0-9]*\).*/\1/p')
        bad="$bad; $e: serial output differs from $ref's at line ${line:-?} ($(cmp "$out/$ref.log" "$out/$e.log" 2>&1))"
        echo "    $ref: $(sed -n "${line:-1}p" "$out/$ref.log" | cut -c1-120)" >>"$out/why"
        echo "    $e: $(sed -n "${line:-1}p" "$out/$e.log" | cut -c1-120)" >>"$out/why"
    fi
    [ "$(cat "$out/$e.status")" = "$(cat "$out/$ref.status")" ] ||
        bad="$bad; $e: exit status $(cat "$out/$e.status"), $ref's $(cat "$out/$ref.status")"
    if [ -n "$stop" ] && [ -f "$out/$ref.state" ] && ! cmp -s "$out/$ref.state" "$out/$e.state"; then
        bad="$bad; $e: state at instruction $stop differs from $ref's"
        { echo "    state at $stop, $ref (<) and $e (>):"; state_diff "$out/$ref.state" "$out/$e.state"; } >>"$out/why"
    fi
done

what="$(wc -l <"$out/$ref.log") serial lines from instruction $start${stop:+, state at $stop}"
if [ -z "$bad" ]; then
    verdict PASS "IEM, REM tier 1 and REM tier 2 identical under --icount: $what (${secs}s)"
    exit 0
fi
verdict FAIL "${bad#; } ($what; ${secs}s; logs in $out)"
[ -f "$out/why" ] && cat "$out/why"
exit 1
