#!/bin/sh
# The last line of make check: the guest programs (tests/guest/engines.sh's
# SUMMARY file: "passed failed skipped") and the Debian boots (boot-one.sh's
# .result files) together, so a skipped boot shows in the final count:
#   tests/boot/summary.sh SUMMARY RESULT...
# Prints "boot: N passed, N failed, N skipped" and then
# "N passed, N failed, N skipped" over both. A missing file (a step that did
# not run) counts as one failure. Exit status 1 when anything failed.
set -u
counts=$1
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
if [ -f "$counts" ] && read -r cp cf cs < "$counts"; then
    :
else
    echo "summary: no $counts: the guest programs did not run"
    cp=0 cf=1 cs=0
fi
echo "boot: $bp passed, $bf failed, $bs skipped${skipped_names:+ (skipped:$skipped_names)}"
echo "$((cp + bp)) passed, $((cf + bf)) failed, $((cs + bs)) skipped (guest programs and Debian boots)"
[ $((cf + bf)) -eq 0 ]
