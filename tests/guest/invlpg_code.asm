; invlpg_code.asm - code on a global page in the upper half of the address
; space, called through a register until it is hot (a recompiler compiles
; it and remembers the jump by linear address), then remapped to another
; physical page and dropped with INVLPG: the next calls run the new page's
; code. INVLPG of a lower-half page and a CR3 load (which keeps global
; translations) in between must not lose the old mapping's result either
; (the PTE is unchanged then). SDM vol. 3 4.10.4.1: INVLPG invalidates
; global entries for that page too.
%include "lib/pm32.inc"
%include "lib/long64.inc"
PDPT_H  equ 0x520000            ; upper-half tables: PML4[256] -> PDPT -> PD -> PT
PD_H    equ 0x521000
PT_H    equ 0x522000
PHYS_A  equ 0x530000            ; mov eax, VAL_A; ret
PHYS_B  equ 0x531000            ; mov eax, VAL_B; ret
HI      equ 0xFFFF800000000000
VAL_A   equ 0x0A0A0A0A
VAL_B   equ 0x0B0B0B0B
ROUNDS  equ 400
PTE_G   equ 0x100

; RUNS value, "desc": ROUNDS calls through rbx all return value
%macro RUNS 2
        mov r15d, ROUNDS
        xor r14d, r14d
%%l:    mov rbx, HI
        call rbx
        cmp eax, %1
        jne %%n
        inc r14d
%%n:    dec r15d
        jnz %%l
        CHECKD r14d, ROUNDS, %2
%endmacro

main:
        call long_init
        GO_LONG
        mov byte [PHYS_A], 0xB8
        mov dword [PHYS_A + 1], VAL_A
        mov byte [PHYS_A + 5], 0xC3
        mov byte [PHYS_B], 0xB8
        mov dword [PHYS_B + 1], VAL_B
        mov byte [PHYS_B + 5], 0xC3
        mov qword [LM_PML4 + 256 * 8], PDPT_H | 3
        mov qword [PDPT_H], PD_H | 3
        mov qword [PD_H], PT_H | 3
        mov qword [PT_H], PHYS_A | PTE_G | 3
        mov rax, cr4
        bts rax, 7                      ; CR4.PGE
        mov cr4, rax
        RUNS VAL_A, "calls to the global upper-half page: its code"
        mov rax, 0x400000
        invlpg [rax]                    ; another page, lower half
        mov rax, cr3
        mov cr3, rax                    ; keeps global entries
        RUNS VAL_A, "after INVLPG elsewhere and a CR3 load: still its code"
        mov qword [PT_H], PHYS_B | PTE_G | 3
        mov rax, HI
        invlpg [rax]
        RUNS VAL_B, "remapped and INVLPG'd: the new page's code"
        mov qword [PT_H], PHYS_A | PTE_G | 3
        mov rax, HI
        invlpg [rax]
        RUNS VAL_A, "mapped back and INVLPG'd: the first page's code"
        FINISHQ
        LONG_IMAGE
        END_IMAGE
