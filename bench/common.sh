# shellcheck shell=bash
# bench/common.sh - sourced by bench/run.sh and bench/boot.sh.

# find_emulators PCVM QEMU: sets HAVE_PCVM and HAVE_QEMU to 1 or 0, with a
# visible NOTE for a missing one (QEMU "none" skips it), and prints the
# versions of those present.
find_emulators() {
    HAVE_PCVM=1 HAVE_QEMU=1
    if [ ! -x "$1" ]; then
        HAVE_PCVM=0
        echo "NOTE: $1 not found or not executable: pcvm columns skipped (make MODE=release build/release/pcvm)"
    fi
    if [ "$2" = none ]; then
        HAVE_QEMU=0
        echo "NOTE: QEMU=none: QEMU columns skipped"
    elif ! command -v "$2" >/dev/null 2>&1; then
        HAVE_QEMU=0
        echo "NOTE: $2 is not installed: QEMU columns skipped (apt-get install qemu-system-x86)"
    fi
    echo "host:    $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //') ($(nproc) CPUs), $(uname -sr)"
    if [ "$HAVE_PCVM" = 1 ]; then
        echo "pcvm:    $("$1" --version 2>&1 | head -1)   [$1${PCVM_ARGS:+ $PCVM_ARGS}]"
    fi
    if [ "$HAVE_QEMU" = 1 ]; then
        echo "QEMU:    $("$2" --version 2>&1 | head -1)   [$2 -accel tcg${QEMU_ARGS:+ $QEMU_ARGS}]"
    fi
}

# ratio A B: A / B, or "-" when either is not a number
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b + 0 == 0) { print "-"; exit }
        r = a / b; printf (r >= 100 ? "%.0f" : r >= 1 ? "%.2f" : "%.4f"), r }'
}
