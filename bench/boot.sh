#!/usr/bin/env bash
# bench/boot.sh - boot-to-shell benchmark: the Debian guest of tests/boot
# (kernel + busybox initramfs) boots on pcvm and on QEMU TCG with the same
# kernel, initrd and command line; prints the time to the guest's /init
# banner, the guest's own time for its workload and the whole run, and the
# ratios; then the translated-code memory and peak RSS of each emulator.
# `make bench` runs it after bench/run.sh.  See bench/README.md.
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
#   BENCH_GNU_TIME=path    GNU time for the peak RSS (/usr/bin/time; none or
#                          missing: /proc/PID/status VmHWM sampled every 0.5 s)
set -u

cd "$(dirname "$0")/.." || exit 2
# shellcheck source=bench/common.sh
. bench/common.sh

GUEST=${BENCH_BOOT_GUEST:-amd64}
ROUNDS=${BENCH_BOOT_ROUNDS:-5}
RUNS=${BENCH_BOOT_RUNS:-1}
TIMEOUT=${BENCH_BOOT_TIMEOUT:-3600}
PCVM=${PCVM:-build/release/pcvm}
GNU_TIME=${BENCH_GNU_TIME:-/usr/bin/time}
[ -x "$GNU_TIME" ] || GNU_TIME=none
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

# rss_sample PIDFILE OUT: without GNU time, copies VmHWM (the peak resident
# set so far, KiB) of the process whose pid PIDFILE holds into OUT every 0.5 s
# until it exits; the growth of its last half second is missed.  Builtins
# only but for sleep, so the CPU-time row hardly notices it.
rss_sample() {
    local i pid k v _
    for ((i = 0; i < 100; i++)); do
        [ -s "$1" ] && break
        sleep 0.1
    done
    [ -s "$1" ] && read -r pid <"$1" || return 0
    while [ -r "/proc/$pid/status" ]; do
        while read -r k v _; do [ "$k" = VmHWM: ] && echo "$v" >"$2"; done 2>/dev/null <"/proc/$pid/status"
        sleep 0.5
    done
}

# mem_figures EMU ERR RSSFILE MONLOG MONSENT: after a boot, sets CODE and CAP
# (compiled code in use and the code buffer's size), CACHE (pcvm's TB cache
# in use), RSS (peak resident set), all KiB, TBS (TB counts and flushes; for
# QEMU also its KiB of host instructions alone) or n/a, and MEMWHY (why not,
# one line each).
mem_figures() {
    local emu=$1 err=$2 rssf=$3 monlog=$4 sent=$5 f
    CODE=n/a CAP=n/a CACHE=n/a RSS=n/a TBS=n/a MEMWHY=
    if [ "$emu" = pcvm ]; then
        # --info tb, per vCPU: "...; cache U KiB of T KiB, ..." and
        # "... tier 2: N TBs compiled (X KiB of Y KiB code), ..."
        f=$(awk 'match($0, /TBs [0-9]+ live/) { split(substr($0, RSTART, RLENGTH), a, " "); live += a[2] }
                 match($0, /; cache [0-9]+ KiB of [0-9]+ KiB, [0-9]+ flushes/) {
                     split(substr($0, RSTART, RLENGTH), a, " "); cache += a[3]; fl += a[8] }
                 match($0, /tier 2: [0-9]+ TBs compiled \([0-9]+ KiB of [0-9]+ KiB code\)/) {
                     split(substr($0, RSTART, RLENGTH), b, /[ (]+/); n += b[3]; code += b[6]; cap += b[9]; k++ }
                 END { if (k) printf "%d %d %d %d_live,_%d_compiled_since_start,_%d_flushes\n", code, cap, cache, live, n, fl }' \
            "$err" 2>/dev/null)
        if [ -n "$f" ]; then
            read -r CODE CAP CACHE TBS <<<"$f"
            TBS=${TBS//_/ }
        else
            MEMWHY="pcvm: code n/a: no \"tier 2: ... KiB code\" line from --info tb in $err (not the REM engine?)"
        fi
    else
        # info jit: "gen code size       USED/CAPACITY" in bytes, "TB count N",
        # "TB avg host size B bytes ...", "TB flush count F"
        f=$(awk '$1 == "gen" && $2 == "code" && $3 == "size" { split($4, a, "/"); used = a[1]; cap = a[2] }
                 $1 == "TB" && $2 == "count" { n = $3 }
                 $1 == "TB" && $2 == "avg" && $3 == "host" { host = $5 }
                 $1 == "TB" && $2 == "flush" && $3 == "count" { fl = $4 }
                 END { if (used != "") printf "%.0f %.0f %d_in_the_buffer_(%.0f_KiB_of_host_instructions),_%d_flushes\n",
                                              used / 1024, cap / 1024, n, n * host / 1024, fl }' \
            "$monlog" 2>/dev/null)
        if [ -n "$f" ]; then
            read -r CODE CAP TBS <<<"$f"
            TBS=${TBS//_/ } CACHE=-
        elif [ -z "$sent" ]; then
            MEMWHY="QEMU: code n/a: the monitor was not asked (no WORKLOAD line, or no FIFOs for it)"
        else
            MEMWHY="QEMU: code n/a: no answer to info jit, QEMU exited first? (monitor log $monlog)"
        fi
    fi
    f=$(tail -n 1 "$rssf" 2>/dev/null)
    case $f in
    '' | *[!0-9]*) MEMWHY="${MEMWHY:+$MEMWHY
}$emu: peak RSS n/a: nothing read from $rssf" ;;
    *) RSS=$f ;;
    esac
}

# boot EMU CMD...: boots the guest once; the serial console goes through a
# loop that stamps the lines that matter with the host's $EPOCHREALTIME (no
# fork per line).  Sets INIT, WORK, TOTAL and CPU (seconds) or all FAILED,
# and the memory figures of mem_figures.
boot() {
    local emu=$1 log=$OUT/boot-$GUEST-$1.log err=$OUT/boot-$GUEST-$1.stderr rssf=$OUT/boot-$GUEST-$1.rss
    local mon='' sampler='' marks wrap line
    shift
    rm -f "$rssf" "$rssf.pid"
    if [ "$emu" = qemu ]; then
        # QEMU's human monitor on a FIFO pair (pipe chardev).  This shell
        # holds both ends open read-write, so no open or write blocks and
        # the answer stays readable after QEMU has exited.
        mon=$OUT/boot-$GUEST-qemu-mon
        rm -f "$mon.in" "$mon.out" "$mon.log"
        if mkfifo "$mon.in" "$mon.out"; then
            exec 7<>"$mon.in" 8<>"$mon.out"
            set -- "$@" -chardev "pipe,id=benchmon,path=$mon" -mon chardev=benchmon,mode=readline
        else
            mon=
        fi
    fi
    if [ "$GNU_TIME" != none ]; then
        wrap=("$GNU_TIME" -o "$rssf" -f %M)
    else
        # shellcheck disable=SC2016 # $$ and $@ are the inner shell's
        wrap=(bash -c 'echo $$ >"$0"; exec "$@"' "$rssf.pid")
        rss_sample "$rssf.pid" "$rssf" &
        sampler=$!
    fi
    local c0
    child_cpu
    c0=$CHILD_CPU
    marks=$(
        t0=$EPOCHREALTIME
        echo "T0 $t0"
        { timeout --foreground -k 5 "$TIMEOUT" "${wrap[@]}" "$@" -accel tcg -m 256M -nodefaults -serial stdio \
            -display none -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x4 \
            -kernel "$DIR/vmlinuz" -initrd "$DIR/initrd.cpio" -append "$APPEND" \
            </dev/null 2>"$err" 7>&- 8>&-
          echo "EXIT $?"; } | while IFS= read -r line || [ -n "$line" ]; do
            now=$EPOCHREALTIME
            line=${line%$'\r'}
            case $line in
            "=== pcvm boot test guest"*) echo "INIT $now" ;;
            "WORKLOAD: "*)
                # QEMU exits at the guest's isa-debug-exit write: pause it
                # and read its code buffer now, before the guest gets there.
                if [ -n "$mon" ]; then printf 'stop\ninfo jit\ncont\n' >&7 && echo "MON $now"; fi
                echo "WORK $(echo "$line" | awk '{ print $(NF - 1) }')" ;;
            "SELFCHECK: "*) echo "CHECK ${line#SELFCHECK: }" ;;
            "EXIT "*) echo "END $now ${line#EXIT }"; continue ;;
            esac
            printf '%s\n' "$line" >>"$log"
        done
    )
    local t0 ti te status check c1
    child_cpu
    c1=$CHILD_CPU
    [ -n "$sampler" ] && wait "$sampler"
    if [ -n "$mon" ]; then
        while IFS= read -r -t 1 line <&8; do printf '%s\n' "$line"; done >"$mon.log"
        exec 7>&- 8>&-
        rm -f "$mon.in" "$mon.out"
    fi
    mem_figures "$emu" "$err" "$rssf" "${mon:+$mon.log}" "$(awk '$1 == "MON" { print $2 }' <<<"$marks")"
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
    printf '        compiled code %s KiB of %s KiB, TB cache %s KiB, peak RSS %s KiB\n' "$CODE" "$CAP" "$CACHE" "$RSS"
}

# best EMU CMD...: RUNS boots; keeps the run with the shortest whole time
# (its times in B_INIT, B_WORK, B_TOTAL, B_CPU, its memory figures in B_MEM).
best() {
    local emu=$1 i bi=FAILED bw=FAILED bt=FAILED bc=FAILED bm
    shift
    bm=(n/a n/a n/a n/a n/a "$emu: no successful boot")
    for ((i = 0; i < RUNS; i++)); do
        rm -f "$OUT/boot-$GUEST-$emu.log"
        boot "$emu" "$@"
        if [ "$TOTAL" != FAILED ] && { [ "$bt" = FAILED ] || awk -v a="$TOTAL" -v b="$bt" 'BEGIN { exit !(a < b) }'; }; then
            bi=$INIT bw=$WORK bt=$TOTAL bc=$CPU
            bm=("$CODE" "$CAP" "$CACHE" "$RSS" "$TBS" "$MEMWHY")
        fi
    done
    B_INIT=$bi B_WORK=$bw B_TOTAL=$bt B_CPU=$bc B_MEM=("${bm[@]}")
}

P_INIT=n/a P_WORK=n/a P_TOTAL=n/a P_CPU=n/a Q_INIT=n/a Q_WORK=n/a Q_TOTAL=n/a Q_CPU=n/a
# code KiB, code buffer KiB, TB cache KiB, peak RSS KiB, TBs, why n/a
P_MEM=(n/a n/a n/a n/a n/a "pcvm: not run") Q_MEM=(n/a n/a n/a n/a n/a "QEMU: not run")
# shellcheck disable=SC2086 # the extra options are words
if [ $HAVE_PCVM = 1 ]; then
    best pcvm "$PCVM" ${PCVM_ARGS:-} --info tb
    P_INIT=$B_INIT P_WORK=$B_WORK P_TOTAL=$B_TOTAL P_CPU=$B_CPU P_MEM=("${B_MEM[@]}")
fi
# shellcheck disable=SC2086
if [ $HAVE_QEMU = 1 ]; then
    best qemu "$QEMU_BOOT" ${QEMU_ARGS:-}
    Q_INIT=$B_INIT Q_WORK=$B_WORK Q_TOTAL=$B_TOTAL Q_CPU=$B_CPU Q_MEM=("${B_MEM[@]}")
fi
echo

row() { printf '%-30s | %10s | %10s | %11s\n' "$1" "$2" "$3" "$(ratio "$2" "$3")"; }
SEP=----------------------------------------------------------------------
printf '%-30s | %10s | %10s | %11s\n' "boot ($GUEST)" "pcvm s" "QEMU s" "time ratio"
echo $SEP
row "start to /init (banner)" "$P_INIT" "$Q_INIT"
row "workload x$ROUNDS (guest clock)" "$P_WORK" "$Q_WORK"
row "whole run (to power-off)" "$P_TOTAL" "$Q_TOTAL"
row "CPU time of the whole run" "$P_CPU" "$Q_CPU"
echo
echo "start to /init: host wall time from starting the emulator to the banner /init prints first."
echo "workload: the self-check's commands (tests/boot/init.sh) run $ROUNDS times, timed by the guest's /proc/uptime."
echo "CPU time: user + sys of the emulator, all its threads (and of the line-stamping loop, a"
echo "      fraction of a second); on a busy host the wall times stretch, the CPU times much less."
echo "time ratio: pcvm s / QEMU s (above 1: pcvm slower)."
echo

P_SUM=$(awk -v a="${P_MEM[0]}" -v b="${P_MEM[2]}" 'BEGIN { print (a b ~ /^[0-9]+$/) ? a + b : "n/a" }')
printf '%-30s | %10s | %10s | %11s\n' "memory ($GUEST)" "pcvm KiB" "QEMU KiB" "ratio"
echo $SEP
row "compiled code in use" "${P_MEM[0]}" "${Q_MEM[0]}"
row "TB cache (decoded TBs) in use" "${P_MEM[2]}" "${Q_MEM[2]}"
row "compiled code + TB cache" "$P_SUM" "${Q_MEM[0]}"
row "code buffer size" "${P_MEM[1]}" "${Q_MEM[1]}"
row "peak RSS" "${P_MEM[3]}" "${Q_MEM[3]}"
echo
echo "compiled code: pcvm's code buffer in use at power-off (--info tb, all vCPUs); QEMU's"
echo "      \"gen code size\" (info jit), read with the VM paused when the guest prints WORKLOAD: host"
echo "      code plus QEMU's TB descriptors and restore data, which pcvm keeps in its TB cache."
echo "peak RSS: the emulator process's maximum resident set, guest RAM it touched included"
echo "      ($([ "$GNU_TIME" != none ] && echo "GNU time %M" || echo "VmHWM sampled every 0.5 s"))."
echo "ratio: pcvm / QEMU.   In use is since the last flush."
echo "TBs: pcvm ${P_MEM[4]}; QEMU ${Q_MEM[4]}."
for why in "${P_MEM[5]}" "${Q_MEM[5]}"; do
    [ -n "$why" ] && printf '%s\n' "$why"
done

STATUS=0
for t in "$P_TOTAL" "$Q_TOTAL"; do [ "$t" = FAILED ] && STATUS=1; done
exit $STATUS
