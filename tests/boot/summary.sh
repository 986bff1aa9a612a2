#!/bin/sh
# The last line of make check: the guest programs (pcvm-conform's JUnit
# file) and the Debian boots (boot-one.sh's .result files) together, so a
# skipped boot shows in the final count:
#   tests/boot/summary.sh JUNIT RESULT...
# Prints "boot: N passed, N failed, N skipped" and then
# "N passed, N failed, N skipped" over both. A missing file (a step that did
# not run) counts as one failure. Exit status 1 when anything failed.
set -u
junit=$1
shift
bp=0 bf=0 bs=0 skipped_names=""
for r in "$@"; do
    v=$(cat "$r" 2>/dev/null || echo FAIL)
    case $v in
    PASS) bp=$((bp + 1)) ;;
    SKIP) bs=$((bs + 1)) skipped_names="$skipped_names $(basename "$r" .result)" ;;
    *) bf=$((bf + 1)) ;;
    esac
done
if [ -f "$junit" ]; then
    # one <testcase per test; a failed one holds <failure, a skipped or unrun one <skipped
    ct=$(grep -c '^  <testcase' "$junit")
    cf=$(grep -c '^    <failure' "$junit")
    cs=$(grep -c '^    <skipped' "$junit")
    cp=$((ct - cf - cs))
else
    echo "summary: no $junit: the guest programs did not run"
    cp=0 cf=1 cs=0
fi
echo "boot: $bp passed, $bf failed, $bs skipped${skipped_names:+ (skipped:$skipped_names)}"
echo "$((cp + bp)) passed, $((cf + bf)) failed, $((cs + bs)) skipped (guest programs and Debian boots)"
[ $((cf + bf)) -eq 0 ]
