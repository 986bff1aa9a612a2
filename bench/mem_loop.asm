; mem_loop.asm - memory-heavy guest: two phases.
;
; Phase 1 (about 3/4 of the instructions): a loop over a 4 MiB buffer at
; 2 MiB that, per iteration, loads and stores one dword at a large stride
; (4100 bytes: every access is on another page, and since gcd(4100, 4 MiB)
; = 4 the walk visits every dword of the buffer before repeating), does a
; read-modify-write, a load and a store at a sequential pointer, and a
; push/pop pair on the stack.  7 of the 15 instructions access memory; this
; measures the guest memory access path (address translation / software
; TLB, page crossing).
;
; Phase 2 (about 1/4): COPIES times a memcpy of the whole 4 MiB buffer to a
; second buffer at 8 MiB with REP MOVSD (1 Mi dwords per copy).  This
; measures the bulk string-copy path.
;
; Instructions executed, exactly (each iteration of REP MOVSD counted as one
; instruction, see README.md):
;   PROLOGUE (7) + ITER * LOOP_K (15) + 1 + COPIES * (5 + DWORDS) + exit (2)
%include "mb.inc"

BUF      equ 0x200000            ; 4 MiB (+ 4 KiB slack) source buffer
DST      equ 0x800000            ; 4 MiB destination buffer
BUFSIZE  equ 0x400000
MASK     equ BUFSIZE - 1
STRIDE   equ 4100
DWORDS   equ BUFSIZE / 4
STACK    equ 0x90000

LOOP_K   equ 15
ITER     equ (SCALE * 750000) / LOOP_K
%assign COPIES_ (SCALE * 250000) / (DWORDS + 5)
%if COPIES_ < 1
%assign COPIES_ 1
%endif
COPIES   equ COPIES_
PROLOGUE equ 7

mb_entry:
        cli                             ; 1
        cld                             ; 2
        mov esp, STACK                  ; 3
        mov esi, BUF                    ; 4
        xor ebx, ebx                    ; 5  strided offset
        xor edi, edi                    ; 6  sequential offset
        mov ecx, ITER                   ; 7
.loop:
        mov eax, [esi + ebx]            ; 1  load, strided
        add eax, ecx                    ; 2
        mov [esi + ebx], eax            ; 3  store, strided
        add [esi + edi], eax            ; 4  load + store, sequential
        mov edx, [esi + edi + 64]       ; 5  load
        xor edx, eax                    ; 6
        mov [esi + edi + 128], edx      ; 7  store (may run 131 bytes past the buffer: slack)
        push edx                        ; 8  stack store
        pop eax                         ; 9  stack load
        add edi, 4                      ; 10
        and edi, MASK                   ; 11
        add ebx, STRIDE                 ; 12
        and ebx, MASK                   ; 13
        dec ecx                         ; 14
        jnz .loop                       ; 15

        mov ebp, COPIES                 ; 1
.copy:
        mov esi, BUF                    ; 1
        mov edi, DST                    ; 2
        mov ecx, DWORDS                 ; 3
        rep movsd                       ; DWORDS iterations
        dec ebp                         ; 4
        jnz .copy                       ; 5

        BENCH_EXIT                      ; 2

BENCH_INSNS equ PROLOGUE + ITER * LOOP_K + 1 + COPIES * (5 + DWORDS) + 2
BENCH_END
