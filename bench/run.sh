#!/usr/bin/env bash
# bench/run.sh - run the benchmark guests under pcvm and under QEMU TCG, side
# by side, and print wall times, MIPS and ratios.  Run from anywhere; `make
# bench` runs it from the repository root after building build/release/pcvm.
# See bench/README.md.
#
# Environment:
#   BENCH_SCALE=n     about n million guest instructions per benchmark (200)
#   BENCH_RUNS=n      runs per emulator and benchmark, the best is kept (3)
#   BENCH_TIMEOUT=s   give up on one run after s seconds (300)
#   BENCH_ONLY="a b"  only these benchmarks (int_loop mem_loop page_walk page_hit)
#   PCVM=path         pcvm binary (build/release/pcvm)
#   PCVM_ARGS=...     extra pcvm options, e.g. --engine=iem
#   QEMU=path         QEMU binary (qemu-system-i386); QEMU=none skips it
#   QEMU_ARGS=...     extra QEMU options
set -u

cd "$(dirname "$0")/.." || exit 2
# shellcheck source=bench/common.sh
. bench/common.sh

SCALE=${BENCH_SCALE:-200}
RUNS=${BENCH_RUNS:-3}
TIMEOUT=${BENCH_TIMEOUT:-300}
BENCHES=${BENCH_ONLY:-int_loop mem_loop page_walk page_hit}
PCVM=${PCVM:-build/release/pcvm}
QEMU=${QEMU:-qemu-system-i386}
OUT=build/bench

case $SCALE in ''|*[!0-9]*|0) echo "bench: BENCH_SCALE must be a positive integer" >&2; exit 2;; esac
case $RUNS in ''|*[!0-9]*|0) echo "bench: BENCH_RUNS must be a positive integer" >&2; exit 2;; esac

# shellcheck disable=SC2054  # the commas belong to the -device argument
COMMON=(-nodefaults -display none -serial none -device isa-debug-exit,iobase=0xf4,iosize=0x4)
# shellcheck disable=SC2206
PCVM_CMD=("$PCVM" ${PCVM_ARGS:-} "${COMMON[@]}")
# shellcheck disable=SC2206
QEMU_CMD=("$QEMU" -accel tcg ${QEMU_ARGS:-} "${COMMON[@]}")

# ---- build the guests -------------------------------------------------------
command -v nasm >/dev/null || { echo "bench: nasm not found" >&2; exit 2; }
mkdir -p "$OUT"
for b in startup $BENCHES; do
    [ -f "bench/$b.asm" ] || { echo "bench: no bench/$b.asm" >&2; exit 2; }
    if ! nasm -f bin -I bench/ -DSCALE="$SCALE" -o "$OUT/$b.bin.tmp" "bench/$b.asm"; then
        echo "bench: nasm failed on bench/$b.asm" >&2
        rm -f "$OUT/$b.bin.tmp"
        exit 2
    fi
    mv "$OUT/$b.bin.tmp" "$OUT/$b.bin"
done

# recorded FILE MARKER: the 8-byte number the image holds after MARKER\0
# (9-letter markers); 0 without one
recorded() {
    local off
    off=$(grep -obUa "$2" "$1" | tail -1 | cut -d: -f1)
    [ -n "$off" ] || { echo 0; return; }
    od -An -t u8 -j $((off + 10)) -N 8 "$1" | tr -d ' '
}
# insns FILE: the exact instruction count recorded in the image
insns() { recorded "$1" PCVMBENCH; }

# ---- emulators --------------------------------------------------------------
echo "== pcvm benchmarks: pcvm vs QEMU TCG =="
find_emulators "$PCVM" "$QEMU"
echo "scale:   BENCH_SCALE=$SCALE, best of $RUNS runs, timeout ${TIMEOUT}s per run"
echo

ERR=$(mktemp) || exit 2
trap 'rm -f "$ERR"' EXIT

# measure NAME EMU RUNS CMD...: runs CMD -kernel build/bench/NAME.bin RUNS times;
# sets BEST (seconds, best run) or BEST=FAILED and prints progress
measure() {
    local name=$1 emu=$2 runs=$3; shift 3
    local i t0 t1 rc ns best_ns="" times=""
    for ((i = 0; i < runs; i++)); do
        t0=$(date +%s%N)
        timeout "$TIMEOUT" "$@" -kernel "$OUT/$name.bin" </dev/null >/dev/null 2>"$ERR"
        rc=$?
        t1=$(date +%s%N)
        ns=$((t1 - t0))
        if [ $rc -ne 1 ]; then
            if [ $rc -eq 124 ]; then
                printf '  %-5s %-9s FAILED: timed out after %ss\n' "$emu" "$name" "$TIMEOUT"
            else
                printf '  %-5s %-9s FAILED: exit status %d (expected 1) after %s s\n' "$emu" "$name" $rc \
                    "$(awk -v n=$ns 'BEGIN { printf "%.3f", n / 1e9 }')"
            fi
            [ -s "$ERR" ] && tail -n 8 "$ERR" | sed 's/^/        stderr: /'
            BEST=FAILED
            return
        fi
        if [ $i -eq 0 ] && [ -s "$ERR" ]; then
            printf '  %-5s %-9s note: it wrote to stderr:\n' "$emu" "$name"
            tail -n 8 "$ERR" | sed 's/^/        stderr: /'
        fi
        times+=" $(awk -v n=$ns 'BEGIN { printf "%.3f", n / 1e9 }')"
        if [ -z "$best_ns" ] || [ $ns -lt $best_ns ]; then best_ns=$ns; fi
    done
    BEST=$(awk -v n=$best_ns 'BEGIN { printf "%.4f", n / 1e9 }')
    printf '  %-5s %-9s runs (s):%s  best %s\n' "$emu" "$name" "$times" "$BEST"
}

# ---- start-up time ----------------------------------------------------------
SRUNS=$((RUNS > 5 ? RUNS : 5))
echo "start-up (bench/startup.asm exits at once; best of $SRUNS):"
P_START=n/a Q_START=n/a
if [ $HAVE_PCVM = 1 ]; then measure startup pcvm $SRUNS "${PCVM_CMD[@]}"; P_START=$BEST; fi
if [ $HAVE_QEMU = 1 ]; then measure startup qemu $SRUNS "${QEMU_CMD[@]}"; Q_START=$BEST; fi
echo

# HM (KVM) where /dev/kvm opens and pcvm's probe guest runs there; else skipped
HAVE_HM=0
if [ $HAVE_PCVM = 1 ] && [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] &&
    ! "${PCVM_CMD[@]}" --engine=hm -kernel "$OUT/startup.bin" </dev/null 2>&1 >/dev/null |
        grep -q "running the recompiler"; then
    HAVE_HM=1
fi

declare -A P_T I_T Q_T H_T H_INFO N
echo "benchmarks (pcvm: its default engine, REM; iem: pcvm --engine=iem):"
for b in $BENCHES; do
    N[$b]=$(insns "$OUT/$b.bin")
    P_T[$b]=n/a I_T[$b]=n/a Q_T[$b]=n/a
    if [ $HAVE_PCVM = 1 ]; then measure "$b" pcvm "$RUNS" "${PCVM_CMD[@]}"; P_T[$b]=$BEST; fi
    if [ $HAVE_PCVM = 1 ]; then measure "$b" iem "$RUNS" "${PCVM_CMD[@]}" --engine=iem; I_T[$b]=$BEST; fi
    if [ $HAVE_QEMU = 1 ]; then measure "$b" qemu "$RUNS" "${QEMU_CMD[@]}"; Q_T[$b]=$BEST; fi
    H_T[$b]=n/a H_INFO[$b]=""
    if [ $HAVE_HM = 1 ]; then
        measure "$b" hm "$RUNS" "${PCVM_CMD[@]}" --engine=hm; H_T[$b]=$BEST
        # one more run for --info engines: what KVM ran and what it handed to IEM
        H_INFO[$b]=$(timeout "$TIMEOUT" "${PCVM_CMD[@]}" --engine=hm --info=engines -kernel "$OUT/$b.bin" \
            </dev/null 2>&1 | sed -n 's/.*(hand-overs from HM): \([0-9]*\) hand-overs, \([0-9]*\) instructions.*/\1 \2/p' |
            awk '{h += $1; i += $2} END {print h + 0, i + 0}')
    fi
done
echo

# ---- table ------------------------------------------------------------------
# mips INSNS TIME START: INSNS / (TIME - START) / 1e6, or "-"
mips() {
    awk -v n="$1" -v t="$2" -v s="$3" 'BEGIN {
        if (t !~ /^[0-9.]+$/) { print "-"; exit }
        if (s !~ /^[0-9.]+$/) s = 0
        d = t - s; if (d <= 0) { print "-"; exit }
        printf "%.1f", n / d / 1e6 }'
}
fmt_t() { case $1 in n/a|FAILED) echo "$1";; *) awk -v t="$1" 'BEGIN { printf "%.3f", t }';; esac; }

printf '%-10s %12s | %10s %9s | %9s %8s | %10s %9s | %11s %11s\n' \
    benchmark "guest insns" "pcvm s" "pcvm MIPS" "IEM MIPS" "REM/IEM" "QEMU s" "QEMU MIPS" "time ratio" \
    "MIPS ratio"
printf '%s\n' "----------------------------------------------------------------------------------------------------------------------"
printf '%-10s %12s | %10s %9s | %9s %8s | %10s %9s | %11s %11s\n' \
    startup 2 "$(fmt_t "$P_START")" - - - "$(fmt_t "$Q_START")" - "$(ratio "$P_START" "$Q_START")" -
for b in $BENCHES; do
    pm=$(mips "${N[$b]}" "${P_T[$b]}" "$P_START")
    im=$(mips "${N[$b]}" "${I_T[$b]}" "$P_START")
    qm=$(mips "${N[$b]}" "${Q_T[$b]}" "$Q_START")
    printf '%-10s %12s | %10s %9s | %9s %8s | %10s %9s | %11s %11s\n' \
        "$b" "${N[$b]}" "$(fmt_t "${P_T[$b]}")" "$pm" "$im" "$(ratio "$pm" "$im")" "$(fmt_t "${Q_T[$b]}")" "$qm" \
        "$(ratio "${P_T[$b]}" "${Q_T[$b]}")" "$(ratio "$pm" "$qm")"
done
echo
# The price of a page walk: page_walk and page_hit run the same instructions,
# but each of page_walk's loads and stores misses the TLB.
if [[ " $BENCHES " == *" page_walk "* && " $BENCHES " == *" page_hit "* ]]; then
    xl=$(recorded "$OUT/page_walk.bin" PCVMXLATE)
    walk_ns() {
        awk -v w="$1" -v h="$2" -v n="$xl" 'BEGIN {
            if (w !~ /^[0-9.]+$/ || h !~ /^[0-9.]+$/ || n + 0 == 0) { print "-"; exit }
            d = (w - h) / n * 1e9
            if (d <= 0) { print "-"; exit }   # page_hit took longer: host noise
            printf "%.1f", d }'
    }
    pw=$(walk_ns "${P_T[page_walk]}" "${P_T[page_hit]}")
    qw=$(walk_ns "${Q_T[page_walk]}" "${Q_T[page_hit]}")
    echo "TLB miss + PAE walk, (page_walk s - page_hit s) / $xl translations:"
    note=""
    [ "$pw" = - ] || [ "$qw" = - ] && note="   (-: no figure, or page_hit took longer: a busy host)"
    echo "      pcvm $pw ns, QEMU $qw ns, ratio $(ratio "$pw" "$qw")$note"
    echo
fi
echo "s: best wall time of the whole process (start-up included), monotonic clock."
echo "MIPS: guest insns / (s - that emulator's start-up s) / 1e6, i.e. start-up subtracted;"
echo "      each iteration of a REP string instruction counts as one instruction."
echo "time ratio: pcvm s / QEMU s (above 1: pcvm slower).  MIPS ratio: pcvm MIPS / QEMU MIPS (below 1: pcvm slower)."

echo
if [ $HAVE_HM = 1 ]; then
    echo "HM (pcvm --engine=hm: KVM, handing what it cannot run to IEM; a kvm-pvm host runs only"
    echo "64-bit kernel code in KVM, so these guests run mostly in IEM there):"
    printf '%-10s %10s %9s %9s | %11s %16s %7s\n' benchmark "HM s" "HM MIPS" "HM/REM" hand-overs "insns in IEM" "in IEM"
    for b in $BENCHES; do
        hm=$(mips "${N[$b]}" "${H_T[$b]}" "$P_START")
        pm=$(mips "${N[$b]}" "${P_T[$b]}" "$P_START")
        read -r ho hi <<<"${H_INFO[$b]:-- -}"
        pct=$(awk -v i="$hi" -v n="${N[$b]}" 'BEGIN { if (i !~ /^[0-9]+$/ || n + 0 == 0) print "-"; else printf "%.0f%%", 100 * i / n }')
        printf '%-10s %10s %9s %9s | %11s %16s %7s\n' "$b" "$(fmt_t "${H_T[$b]}")" "$hm" "$(ratio "$hm" "$pm")" \
            "$ho" "$hi" "$pct"
    done
else
    echo "HM: skipped (no /dev/kvm)"
fi

STATUS=0
for b in $BENCHES; do
    [ "${H_T[$b]}" = FAILED ] && STATUS=1
    [ "${P_T[$b]}" = FAILED ] && STATUS=1
    [ "${I_T[$b]}" = FAILED ] && STATUS=1
    [ "${Q_T[$b]}" = FAILED ] && STATUS=1
done
[ "$P_START" = FAILED ] && STATUS=1
[ "$Q_START" = FAILED ] && STATUS=1
exit $STATUS
