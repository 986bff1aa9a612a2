#!/bin/sh
# Boots each guest built by build-guest.sh and checks its serial log for the
# self-check verdict:
#   tests/boot/run.sh [--emu pcvm|qemu] [--pcvm PATH] [--timeout SECONDS]
#                     [--append "EXTRA ARGS"] [--smp N] [GUESTDIR...]
# GUESTDIR holds vmlinuz and initrd.cpio (default: build/boot/i386,
# build/boot/i386-pae and build/boot/amd64). --emu qemu runs the same kernel,
# initrd and arguments under qemu-system-{i386,x86_64} -accel tcg, to check
# the guests themselves. On pcvm, when GUESTDIR/paging names a paging mode
# (32-bit, PAE, AMD64), the guest must also be in it when it powers off
# (--info mode), so a PAE kernel is seen to run on PAE page tables.
# A boot is stopped after --timeout seconds of wall time (BOOT_TIMEOUT,
# default 2400) or BOOT_CPU_LIMIT seconds of CPU time (default 900): on a
# busy shared machine a guest gets a fraction of a core, so the CPU limit is
# what catches a guest spinning forever and the wall limit one that hangs idle.
# PCVM_ARGS adds pcvm options (e.g. --engine=iem; the default -accel tcg is
# REM). --smp N gives the guest N vCPUs (default: the number in GUESTDIR/smp,
# which build-guest.sh writes, else 1) and tells init.sh with pcvm.cpus=N,
# which then checks that all N are up.
# Logs: GUESTDIR/EMU.log (serial) and GUESTDIR/EMU.stderr; with --smp N,
# GUESTDIR/EMU-smpN.log and .stderr, so two boots of one guest can run. Prints PASS/FAIL
# per guest and a final "N passed, N failed" line; exits 1 when any failed.
set -eu

emu=pcvm
pcvm=${PCVM:-build/release/pcvm}
timeout_s=${BOOT_TIMEOUT:-2400}
cpu_s=${BOOT_CPU_LIMIT:-900}
extra=""
smp_opt=""
while [ $# -gt 0 ]; do
    case $1 in
    --emu) emu=$2; shift 2 ;;
    --pcvm) pcvm=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --append) extra=$2; shift 2 ;;
    --smp) smp_opt=$2; shift 2 ;;
    --) shift; break ;;
    -*) echo "usage: $0 [--emu pcvm|qemu] [--pcvm PATH] [--timeout S] [--append ARGS] [--smp N] [GUESTDIR...]" >&2
        exit 2 ;;
    *) break ;;
    esac
done
[ $# -gt 0 ] || set -- build/boot/i386 build/boot/i386-pae build/boot/amd64

passed=0
failed=0
for dir in "$@"; do
    name=$(basename "$dir")
    if [ ! -f "$dir/vmlinuz" ] || [ ! -f "$dir/initrd.cpio" ]; then
        echo "FAIL: $name: no $dir/vmlinuz or $dir/initrd.cpio (run build-guest.sh)"
        failed=$((failed + 1))
        continue
    fi
    info=""
    case $emu in
    pcvm) bin=$pcvm info="--info mode ${PCVM_ARGS:-}" ;;
    qemu) case $name in *i386* | *686*) bin=qemu-system-i386 ;; *) bin=qemu-system-x86_64 ;; esac ;;
    *) echo "$0: unknown emulator '$emu'" >&2; exit 2 ;;
    esac
    smp=${smp_opt:-$(cat "$dir/smp" 2>/dev/null || echo 1)}
    log=$dir/$emu${smp_opt:+-smp$smp_opt}.log
    errlog=$dir/$emu${smp_opt:+-smp$smp_opt}.stderr
    start=$(date +%s)
    set +e
    # The guest writes its verdict to isa-debug-exit: 1 = PASS, 3 = FAIL.
    # The CPU limit is soft, so it is SIGXCPU, which must not leave a 256 MiB
    # core behind (dash and bash have ulimit -S -c -t).
    # shellcheck disable=SC2086,SC3045 # $info is empty or two words
    (
        ulimit -c 0
        ulimit -S -t $((cpu_s * smp)) # CPU time of all vCPU threads
        exec timeout --foreground -k 5 "$timeout_s" "$bin" -accel tcg $info -m 256M -smp "$smp" -nodefaults \
            -serial stdio -display none -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x4 \
            -kernel "$dir/vmlinuz" -initrd "$dir/initrd.cpio" \
            -append "console=ttyS0 panic=-1 pcvm.selfcheck=poweroff pcvm.cpus=$smp $extra"
    ) </dev/null >"$log" 2>"$errlog"
    status=$?
    set -e
    secs=$(($(date +%s) - start))
    # pcvm's last mode, e.g. "Guest paging mode: PAE+NX, shadow ...": the
    # wanted mode with or without NX.
    mode_ok=yes got=""
    if [ -n "$info" ] && [ -f "$dir/paging" ]; then
        want=$(cat "$dir/paging")
        got=$(sed -n 's/^Guest paging mode: \([^,]*\),.*/\1/p' "$errlog" | tail -n 1)
        # AMD64 is 4- or 5-level (CR4.LA57, in pcvm's default -cpu max)
        case $got in "$want" | "$want+NX" | "$want 5-level" | "$want 5-level+NX") ;;
        *) mode_ok="no: paging mode '$got', expected $want" ;; esac
    fi
    if grep -q '^SELFCHECK: PASS' "$log" && [ "$mode_ok" = yes ]; then
        echo "PASS: $name on $emu, $smp vCPU(s) (${secs}s, exit status $status${got:+, paging $got})"
        passed=$((passed + 1))
    else
        why="no SELFCHECK line"
        [ "$status" -eq 124 ] && why="timed out after ${timeout_s}s"
        [ "$status" -eq 152 ] && why="stopped after ${cpu_s}s of CPU time (SIGXCPU)"
        grep -q '^SELFCHECK: FAIL' "$log" && why=$(grep '^SELFCHECK: FAIL' "$log" | tail -n 1)
        grep -q '^SELFCHECK: PASS' "$log" && why=${mode_ok#no: }
        echo "FAIL: $name on $emu, $smp vCPU(s): $why (exit status $status, ${secs}s); last serial lines:"
        tail -n 5 "$log" | sed 's/^/    | /'
        if [ -s "$errlog" ]; then
            echo "    stderr:"
            tail -n 5 "$errlog" | sed 's/^/    ! /'
        fi
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
