; startup.asm - exits at once: measures emulator start-up and shut-down time
; (process creation, RAM set-up, loading the kernel, tearing down).
; bench/run.sh subtracts this time from the other benchmarks' wall times
; before computing MIPS.
%include "mb.inc"

mb_entry:
        BENCH_EXIT                      ; 2 instructions

BENCH_INSNS equ 2
BENCH_END
