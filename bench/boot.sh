#!/usr/bin/env bash
# bench/boot.sh - boot-to-shell benchmark: the Debian guest of tests/boot
# (kernel + busybox initramfs) boots on pcvm and on QEMU TCG with the same
# kernel, initrd and command line; prints the time to the guest's /init
# banner, the guest's own time for its workload and the whole run, and the
# ratios.  `make bench` runs it after bench/run.sh.  See bench/README.md.
#
# Environment:
#   BENCH_BOOT_GUEST=a     tests/boot guest: amd64 (default), i386, i386-pae
#   BENCH_BOOT_ROUNDS=n    workload rounds (pcvm.rounds=n), default 5
#   BENCH_BOOT_RUNS=n      boots per emulator, the best is kept (1)
#   BENCH_BOOT_TIMEOUT=s   give up on a boot after s seconds (3600: a busy host stretches it)
#   PCVM=path, PCVM_ARGS   pcvm binary (build/release/pcvm) and extra options
#   QEMU_BOOT=path         QEMU binary (qemu-system-x86_64, or -i386 for the
#                          32-bit guests); QEMU=none or QEMU_BOOT=none skips it
#   QEMU_ARGS              extra QEMU options
set -u

cd "$(dirname "$0")/.." || exit 2
# shellcheck source=bench/common.sh
. bench/common.sh

GUEST=${BENCH_BOOT_GUEST:-amd64}
ROUNDS=${BENCH_BOOT_ROUNDS:-5}
RUNS=${BENCH_BOOT_RUNS:-1}
TIMEOUT=${BENCH_BOOT_TIMEOUT:-3600}
PCVM=${PCVM:-build/release/pcvm}
case $GUEST in
amd64) QEMU_DEFAULT=qemu-system-x86_64 ;;
i386 | i386-pae) QEMU_DEFAULT=qemu-system-i386 ;;
*) echo "bench: BENCH_BOOT_GUEST must be amd64, i386 or i386-pae" >&2; exit 2 ;;
esac
QEMU_BOOT=${QEMU_BOOT:-$QEMU_DEFAULT}
[ "${QEMU:-}" = none ] && QEMU_BOOT=none
for v in "$ROUNDS" "$RUNS" "$TIMEOUT"; do
    case $v in '' | *[!0-9]* | 0) echo "bench: BENCH_BOOT_ROUNDS, _RUNS and _TIMEOUT must be positive integers" >&2; exit 2 ;; esac
done
DIR=build/boot/$GUEST
OUT=build/bench

echo "== boot benchmark: Debian $GUEST guest (tests/boot), pcvm vs QEMU TCG =="
mkdir -p "$OUT" build/boot
if ! sh tests/boot/build-guest.sh "$GUEST" "$DIR" >"$OUT/boot-build-$GUEST.log" 2>&1; then
    echo "NOTE: cannot build the guest from Debian packages ($OUT/boot-build-$GUEST.log): boot benchmark skipped"
    exit 0
fi
find_emulators "$PCVM" "$QEMU_BOOT"
APPEND="console=ttyS0 panic=-1 pcvm.selfcheck=poweroff pcvm.rounds=$ROUNDS"
echo "guest:   $DIR/vmlinuz + initrd.cpio, -m 256M, -append \"$APPEND\""
echo "runs:    best of $RUNS, timeout ${TIMEOUT}s per boot"
echo

# child_cpu: sets CHILD_CPU to the CPU seconds (user + sys) of this shell's
# finished children. `times` must run in this shell, not in a $(...) fork.
child_cpu() {
    times >"$OUT/times.txt"
    CHILD_CPU=$(awk 'NR == 2 { n = 0; for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); n += t[1] * 60 + t[2] } printf "%.2f", n }' \
        "$OUT/times.txt")
}

# boot EMU CMD...: boots the guest once; the serial console goes through a
# loop that stamps the lines that matter with the host's $EPOCHREALTIME (no
# fork per line).  Sets INIT, WORK, TOTAL and CPU (seconds) or all FAILED.
boot() {
    local emu=$1 log=$OUT/boot-$GUEST-$1.log err=$OUT/boot-$GUEST-$1.stderr marks
    shift
    local c0
    child_cpu
    c0=$CHILD_CPU
    marks=$(
        t0=$EPOCHREALTIME
        echo "T0 $t0"
        { timeout --foreground -k 5 "$TIMEOUT" "$@" -accel tcg -m 256M -nodefaults -serial stdio \
            -display none -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x4 \
            -kernel "$DIR/vmlinuz" -initrd "$DIR/initrd.cpio" -append "$APPEND" \
            </dev/null 2>"$err"
          echo "EXIT $?"; } | while IFS= read -r line || [ -n "$line" ]; do
            now=$EPOCHREALTIME
            line=${line%$'\r'}
            case $line in
            "=== pcvm boot test guest"*) echo "INIT $now" ;;
            "WORKLOAD: "*) echo "WORK $(echo "$line" | awk '{ print $(NF - 1) }')" ;;
            "SELFCHECK: "*) echo "CHECK ${line#SELFCHECK: }" ;;
            "EXIT "*) echo "END $now ${line#EXIT }"; continue ;;
            esac
            printf '%s\n' "$line" >>"$log"
        done
    )
    local t0 ti te status check c1
    child_cpu
    c1=$CHILD_CPU
    t0=$(awk '$1 == "T0" { print $2 }' <<<"$marks")
    ti=$(awk '$1 == "INIT" { print $2 }' <<<"$marks")
    te=$(awk '$1 == "END" { print $2 }' <<<"$marks")
    status=$(awk '$1 == "END" { print $3 }' <<<"$marks")
    check=$(awk '$1 == "CHECK" { print $2 }' <<<"$marks")
    WORK=$(awk '$1 == "WORK" { print $2 }' <<<"$marks")
    if [ "$status" != 1 ] || [ "$check" != PASS ] || [ -z "$ti" ] || [ -z "$WORK" ]; then
        printf '  %-5s FAILED: exit status %s, self-check %s (serial log %s)\n' "$emu" "$status" "${check:-missing}" "$log"
        [ -s "$err" ] && tail -n 5 "$err" | sed 's/^/        stderr: /'
        INIT=FAILED WORK=FAILED TOTAL=FAILED CPU=FAILED
        return
    fi
    INIT=$(awk -v a="$t0" -v b="$ti" 'BEGIN { printf "%.2f", b - a }')
    TOTAL=$(awk -v a="$t0" -v b="$te" 'BEGIN { printf "%.2f", b - a }')
    CPU=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }')
    printf '  %-5s to /init %7s s, workload %7s s, whole run %7s s, CPU %7s s\n' "$emu" "$INIT" "$WORK" "$TOTAL" "$CPU"
}

# best EMU CMD...: RUNS boots; keeps the run with the shortest whole time.
best() {
    local emu=$1 i bi=FAILED bw=FAILED bt=FAILED bc=FAILED
    shift
    for ((i = 0; i < RUNS; i++)); do
        rm -f "$OUT/boot-$GUEST-$emu.log"
        boot "$emu" "$@"
        if [ "$TOTAL" != FAILED ] && { [ "$bt" = FAILED ] || awk -v a="$TOTAL" -v b="$bt" 'BEGIN { exit !(a < b) }'; }; then
            bi=$INIT bw=$WORK bt=$TOTAL bc=$CPU
        fi
    done
    B_INIT=$bi B_WORK=$bw B_TOTAL=$bt B_CPU=$bc
}

P_INIT=n/a P_WORK=n/a P_TOTAL=n/a P_CPU=n/a Q_INIT=n/a Q_WORK=n/a Q_TOTAL=n/a Q_CPU=n/a
# shellcheck disable=SC2086 # the extra options are words
if [ $HAVE_PCVM = 1 ]; then
    best pcvm "$PCVM" ${PCVM_ARGS:-}
    P_INIT=$B_INIT P_WORK=$B_WORK P_TOTAL=$B_TOTAL P_CPU=$B_CPU
fi
# shellcheck disable=SC2086
if [ $HAVE_QEMU = 1 ]; then
    best qemu "$QEMU_BOOT" ${QEMU_ARGS:-}
    Q_INIT=$B_INIT Q_WORK=$B_WORK Q_TOTAL=$B_TOTAL Q_CPU=$B_CPU
fi
echo

printf '%-30s | %10s | %10s | %11s\n' "boot ($GUEST)" "pcvm s" "QEMU s" "time ratio"
printf '%s\n' "----------------------------------------------------------------------"
printf '%-30s | %10s | %10s | %11s\n' "start to /init (banner)" "$P_INIT" "$Q_INIT" "$(ratio "$P_INIT" "$Q_INIT")"
printf '%-30s | %10s | %10s | %11s\n' "workload x$ROUNDS (guest clock)" "$P_WORK" "$Q_WORK" "$(ratio "$P_WORK" "$Q_WORK")"
printf '%-30s | %10s | %10s | %11s\n' "whole run (to power-off)" "$P_TOTAL" "$Q_TOTAL" "$(ratio "$P_TOTAL" "$Q_TOTAL")"
printf '%-30s | %10s | %10s | %11s\n' "CPU time of the whole run" "$P_CPU" "$Q_CPU" "$(ratio "$P_CPU" "$Q_CPU")"
echo
echo "start to /init: host wall time from starting the emulator to the banner /init prints first."
echo "workload: the self-check's commands (tests/boot/init.sh) run $ROUNDS times, timed by the guest's /proc/uptime."
echo "CPU time: user + sys of the emulator, all its threads (and of the line-stamping loop, a"
echo "      fraction of a second); on a busy host the wall times stretch, the CPU times much less."
echo "time ratio: pcvm s / QEMU s (above 1: pcvm slower)."

STATUS=0
for t in "$P_TOTAL" "$Q_TOTAL"; do [ "$t" = FAILED ] && STATUS=1; done
exit $STATUS
