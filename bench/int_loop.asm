; int_loop.asm - tight integer loop: register-only ALU work (add, xor, rol,
; sub, lea, or, adc, imul, test), a dependent chain through EAX, a
; data-dependent conditional branch (both ways the same length) and the loop
; branch.  No memory accesses at all: this measures raw instruction
; dispatch / translated-code speed.
;
; Instructions executed, exactly:
;   PROLOGUE (7) + ITER * LOOP_K (16) + exit (2)
%include "mb.inc"

LOOP_K   equ 16
ITER     equ (SCALE * 1000000) / LOOP_K
PROLOGUE equ 7

mb_entry:
        cli                             ; 1
        mov ecx, ITER                   ; 2
        mov eax, 1                      ; 3
        mov ebx, 0x12345678             ; 4
        mov edx, 0x9abcdef0             ; 5
        mov esi, 7                      ; 6
        mov edi, 3                      ; 7
.loop:
        add eax, ebx                    ; 1
        xor ebx, eax                    ; 2
        rol ebx, 3                      ; 3
        sub edx, eax                    ; 4
        lea esi, [esi + edx*2 + 7]      ; 5
        or edi, esi                     ; 6
        adc eax, edi                    ; 7
        imul edi, eax, 0x9e3779b1       ; 8
        xor eax, ecx                    ; 9
        shr edi, 1                      ; 10
        test eax, 1                     ; 11
        jz .even                        ; 12
        add edx, 3                      ; 13 (odd)
        jmp .join                       ; 14 (odd)
.even:
        sub edx, 5                      ; 13 (even)
        xor esi, edx                    ; 14 (even)
.join:
        dec ecx                         ; 15
        jnz .loop                       ; 16

        BENCH_EXIT                      ; 2

BENCH_INSNS equ PROLOGUE + ITER * LOOP_K + 2
BENCH_END
