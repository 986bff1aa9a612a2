#!/bin/sh
# Drives Debian's gdb in batch mode against pcvm's gdb stub: a breakpoint
# at a symbol, a single step, a variable read (x/ and print), a write
# watchpoint, a hardware breakpoint, a memory write the guest then uses
# as its exit status, and the exit seen by gdb.
# usage: gdb.sh PCVM GUEST_ELF
set -u
pcvm=$1 elf=$(realpath "$2")
if ! command -v gdb >/dev/null 2>&1; then
    echo "SKIP: gdb stub test (gdb is not installed; ./configure installs it as root)"
    exit 77
fi
port=$((20000 + $$ % 20000))
out=$(mktemp) cmds=$(mktemp)
cat > "$cmds" <<GDB
set confirm off
file $elf
target remote :$port
break bump
continue
continue
print *(int*)&counter
stepi
x/1wx &counter
delete 1
watch *(int*)&counter
continue
delete
hbreak finish
continue
set var *(int*)&result = 21
info threads
continue
GDB
"$pcvm" -nodefaults -display none -cpu qemu32 -device isa-debug-exit,iobase=0xf4,iosize=0x4 \
    -kernel "$elf" -gdb tcp::$port -S & pid=$!
sleep 0.5
timeout 60 gdb -batch -nx -x "$cmds" > "$out" 2>&1
wait $pid; st=$?
fail=0
check() { grep -q -- "$1" "$out" || { echo "FAIL: gdb stub: $2 (no '$1' in gdb's output)"; fail=1; }; }
check 'Breakpoint 1, 0x[0-9a-f]* in bump' "stop at a symbol's breakpoint"
check '^\$1 = 1$' "print a variable after the first call"
check '<bump+7>\|in bump ()' "single step"
check ':[[:space:]]*0x00000002' "x/ after the step (the add ran)"
check 'Old value = 2' "write watchpoint old value"
check 'New value = 3' "write watchpoint new value"
check 'Breakpoint 3, 0x[0-9a-f]* in finish' "hardware breakpoint"
check 'Thread 1 (CPU#0' "vCPUs as threads"
check 'exited with code 053' "the exit seen by gdb"
[ "$st" = 43 ] || { echo "FAIL: gdb stub: pcvm exit status $st, not 43 (result = 21 written by gdb)"; fail=1; }
[ $fail = 0 ] && echo "PASS: gdb stub (break, step, x, print, watch, hbreak, set var, exit)" || cat "$out"
rm -f "$out" "$cmds"
exit $fail
