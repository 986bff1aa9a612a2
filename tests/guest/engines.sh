#!/bin/sh
# The guest programs under every software engine, then the engines against
# each other:
#   tests/guest/engines.sh BUILDDIR RELEASEDIR GUESTDIR
# 1. pcvm-conform runs tests/guest/unittests.cfg on BUILDDIR's pcvm under
#    --engine=rem (translation blocks, hot ones compiled), --engine=iem (the
#    interpreter) and REM compiling every block at its first run
#    (--rem-hot=1, so each program's code runs natively);
# 2. with --icount (deterministic virtual time) each program's serial output
#    under REM must equal IEM's byte for byte (RELEASEDIR's pcvm: the runs
#    are long in instructions). Programs whose output differs count as
#    failed; NOICOUNT lists the ones left out and why.
# Prints one summary line `N passed, N failed, N skipped` for all of it and
# writes the three numbers to BUILDDIR/engines.summary (for make check's
# last line); exit status 1 when anything failed.
set -u
build=$1
release=$2
guest=$3
cfg=tests/guest/unittests.cfg
# rtc: its periodic-interrupt checks wait 50 ms of virtual time, 50 million
# instructions at --icount's 1 ns each: minutes on the interpreter.
NOICOUNT="rtc"

passed=0
failed=0
skipped=0
status=0
rm -f "$build/engines.summary"

# add_summary FILE: adds FILE's `N passed, N failed` line to the totals.
add_summary() {
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -1)
    case $line in *skipped*) s=${line#*failed, }; skipped=$((skipped + ${s%% skipped*})) ;; esac
    if [ -z "$line" ]; then
        echo "engines.sh: no summary in $1" >&2
        failed=$((failed + 1))
        return
    fi
    p=${line%% passed*}
    f=${line#*passed, }
    f=${f%% failed*}
    passed=$((passed + p))
    failed=$((failed + f))
}

for e in rem iem rem-hot1; do
    echo "== guest programs on $e"
    extra=""
    [ $e = rem-hot1 ] && extra=--emulator-arg=--rem-hot=1
    # shellcheck disable=SC2086 # $extra is one word or none
    "$build/pcvm-conform" --logdir "$build/conform-$e" --testdir "$guest" --junit "$build/conform-$e.xml" \
        --emulator "$build/pcvm" --emulator-arg=--engine=${e%-hot1} $extra "$cfg" > "$build/conform-$e.txt" 2>&1 ||
        status=1
    cat "$build/conform-$e.txt"
    add_summary "$build/conform-$e.txt"
done

echo "== REM and IEM with --icount: identical serial output"
names=$("$build/pcvm-conform" --list "$cfg")
sel=""
for n in $names; do
    case " $NOICOUNT " in *" $n "*) ;; *) sel="$sel $n" ;; esac
done
for e in rem iem; do
    rm -rf "$release/icount-$e"
    # shellcheck disable=SC2086 # $sel is a list of test names
    "$build/pcvm-conform" --logdir "$release/icount-$e" --testdir "$guest" --emulator "$release/pcvm" \
        --emulator-arg=--engine=$e --emulator-arg=--icount "$cfg" $sel > "$release/icount-$e.txt" 2>&1
done
for n in $sel; do
    a=$release/icount-rem/$n.log
    b=$release/icount-iem/$n.log
    # the first line is the command, which names the engine
    if [ -f "$a" ] && [ -f "$b" ] && [ "$(tail -n +2 "$a" | cksum)" = "$(tail -n +2 "$b" | cksum)" ]; then
        passed=$((passed + 1))
    else
        echo "FAIL  icount-$n: serial output under REM differs from IEM ($a, $b)"
        failed=$((failed + 1))
        status=1
    fi
done
echo "icount: $(echo $sel | wc -w) programs compared"
echo "$passed passed, $failed failed, $skipped skipped"
echo "$passed $failed $skipped" > "$build/engines.summary"
exit $status
