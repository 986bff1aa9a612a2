#!/bin/sh
# Saved state round trips (issue 14): each guest program runs with --icount
# to instruction N and is saved there (--max-insns N --savevm), restored
# (-loadvm) and run to its end: the serial output before the save plus the
# output after the restore must equal an uninterrupted run's, byte for
# byte. And the whole machine state saved at a later instruction M, once
# after the restore and once in an uninterrupted run, must be the same
# file: every CPU register, RAM page, device register and timer.
# The VGA programs run with -device VGA (its VRAM and registers saved too).
# Engines: REM to REM, IEM to IEM, and REM to IEM (saved under one engine,
# restored under the other).
# usage: roundtrip.sh PCVM GUESTDIR [PROGRAM...]
pcvm=$1 guest=$2
shift 2
progs=${*:-"timing pit rtc hpet apic ioapic interrupts i8042 paging long_mode sse x87 smc vgatext vga13h"}
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
base="-m 16M -nodefaults -serial stdio -display none -device isa-debug-exit,iobase=0xf4,iosize=0x4 --icount"
fail=0 n=0
for p in $progs; do
    k=$guest/$p.bin
    case $p in vga*) vga="-device VGA" ;; *) vga="" ;; esac
    [ -f "$k" ] || { echo "FAIL  $p: $k is missing"; fail=1; continue; }
    for pair in rem:rem iem:iem rem:iem; do
        se=${pair%:*} le=${pair#*:}
        "$pcvm" $base $vga --engine=$se -kernel "$k" > "$tmp/full" 2>/dev/null
        for N in 1000000 300000 100000 30000 10000 3000 1000; do
            rm -f "$tmp/state"
            "$pcvm" $base $vga --engine=$se -kernel "$k" --max-insns $N --savevm "$tmp/state" > "$tmp/a" 2>"$tmp/a.err"
            [ -f "$tmp/state" ] && break # else the program ended before N: try a smaller N
        done
        if [ ! -f "$tmp/state" ]; then
            echo "FAIL  $p $pair: no state saved ($(head -1 "$tmp/a.err"))"; fail=1; continue
        fi
        n=$((n + 1))
        "$pcvm" $base $vga --engine=$le -kernel "$k" -loadvm "$tmp/state" > "$tmp/b" 2>"$tmp/b.err"
        if ! cat "$tmp/a" "$tmp/b" | cmp -s - "$tmp/full"; then
            echo "FAIL  $p $pair (saved at $N): serial output differs from an uninterrupted run"
            head -3 "$tmp/b.err"
            fail=1; continue
        fi
        M=$((N + N / 2))
        rm -f "$tmp/ref" "$tmp/rest"
        "$pcvm" $base $vga --engine=$se -kernel "$k" --max-insns $M --savevm "$tmp/ref" > /dev/null 2>&1
        "$pcvm" $base $vga --engine=$le -kernel "$k" -loadvm "$tmp/state" --max-insns $M --savevm "$tmp/rest" \
            > /dev/null 2>&1
        if [ -f "$tmp/ref" ] && ! cmp -s "$tmp/ref" "$tmp/rest"; then
            echo "FAIL  $p $pair: the state at instruction $M after a restore at $N differs from an uninterrupted run's"
            "$pcvm" $base $vga -kernel "$k" --print-state "$tmp/ref" > "$tmp/ref.txt" 2>&1
            "$pcvm" $base $vga -kernel "$k" --print-state "$tmp/rest" > "$tmp/rest.txt" 2>&1
            diff "$tmp/ref.txt" "$tmp/rest.txt" | grep '^[<>]  ' | cut -c1-120 | head -6
            fail=1; continue
        fi
        [ -f "$tmp/ref" ] && same="; state at $M identical" || same=" (ended before $M)"
        echo "PASS  $p $pair: saved at $N, restored: serial output identical$same"
    done
done
echo "saved state: $n round trips, $([ $fail = 0 ] && echo all identical || echo FAILURES)"
exit $fail
