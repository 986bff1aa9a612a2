; pcid_switch.asm - code at one linear address in two address spaces that
; CR3 switches between by PCID without a flush (CR4.PCIDE, MOV CR3 with bit
; 63 set).  Root A (PCID 1) and root B (PCID 2) map the same linear pages to
; different physical pages holding different code; everything else is the
; same identity map.  The loop switches 200 times each way and runs the code
; through a direct CALL, CALL through a register, a RET to it, a JMP from a
; block on another page, a block running into a second (switched) page with
; an instruction straddling the boundary, and a block whose second page
; starts at an instruction boundary.  Each run must give the value of the
; address space CR3 selects: an engine that caches code by linear address
; must forget it on every CR3 load, flush or not (SDM vol. 3 4.10.4.1: the
; no-flush bit keeps TLB entries of other PCIDs, it changes which apply).
; Needs CPUID PCID (run with -cpu max,vendor=GenuineIntel on QEMU).
%include "lib/pm32.inc"
%include "lib/long64.inc"
PT_A    equ 0x205000            ; 4 KiB table for 0x400000..0x5FFFFF, root A
PML4_B  equ 0x210000            ; root B: copies of the identity tables ...
PDPT_B  equ 0x211000
PD_B    equ 0x212000
PT_B    equ 0x213000            ; ... with its own table for 4..6 MiB
L       equ 0x400000            ; mov eax, imm32; ret (A: 0x11111111, B: 0x22222222)
L2      equ 0x402FF8            ; 5 nops, mov eax straddling into 0x403000
L2_HI   equ 0x403000            ; A: 11 11 C3, B: 22 22 C3
L3      equ 0x404FFB            ; mov ecx, imm32 then page 0x405000
L3_HI   equ 0x405000            ; mov eax, imm32; ret as at L
PHYS_A  equ 0x500000            ; L in A; 0x502000: L2_HI, 0x504000: L3_HI
PHYS_B  equ 0x501000            ; L in B; 0x503000: L2_HI, 0x505000: L3_HI
VAL_A   equ 0x11111111
VAL_B   equ 0x22222222
VAL2_B  equ 0x22221111          ; L2 in B: low half from the shared page
ROUNDS  equ 200
CR3_A   equ LM_PML4 | 1
CR3_B   equ PML4_B | 2
NOFLUSH equ 1 << 63
NPATHS  equ 7
%define PTE(t, a) ((t) + (((a) - 0x400000) >> 12) * 8)

; TALLY n, expected: counts path n's result in EAX, or keeps a wrong one
%macro TALLY 2
        cmp eax, %2
        jne %%bad
        inc dword [ok_count + (%1) * 4]
        jmp %%done
%%bad:  mov [bad_value + (%1) * 4], eax
%%done:
%endmacro

; REPORT_PATH n, "desc": every run of path n gave the right value
%macro REPORT_PATH 2
        CHECKD [ok_count + (%1) * 4], ROUNDS * 2, {%2, ": runs giving the current space's value"}
        CHECKD [bad_value + (%1) * 4], 0, {%2, ": a wrong value (0: none)"}
%endmacro

main:
        call long_init
        GO_LONG
        mov eax, 1
        cpuid
        bt ecx, 17
        jc have_pcid
        SKIPQ "PCID not advertised by CPUID"
        FINISHQ
have_pcid:
        PASSQ "cpuid 1: PCID"
        ; root B: PML4 -> PDPT -> PD copies, entry 0 / 0 / 2 replaced
        mov rsi, LM_PML4
        mov rdi, PML4_B
        mov ecx, 3 * 512
        rep movsq
        mov qword [PML4_B], PDPT_B | 7
        mov qword [PDPT_B], PD_B | 7
        ; 4..6 MiB through 4 KiB tables: identity but for the switched pages
        mov rdi, PT_A
        mov rax, 0x400000 | 7
        mov ecx, 512
.pt:    mov [rdi], rax
        mov [rdi + PT_B - PT_A], rax
        add rax, 0x1000
        add rdi, 8
        loop .pt
        mov qword [PTE(PT_A, L)], PHYS_A | 7
        mov qword [PTE(PT_B, L)], PHYS_B | 7
        mov qword [PTE(PT_A, L2_HI)], (PHYS_A + 0x2000) | 7
        mov qword [PTE(PT_B, L2_HI)], (PHYS_B + 0x2000) | 7
        mov qword [PTE(PT_A, L3_HI)], (PHYS_A + 0x4000) | 7
        mov qword [PTE(PT_B, L3_HI)], (PHYS_B + 0x4000) | 7
        mov qword [LM_PD + 2 * 8], PT_A | 7
        mov qword [PD_B + 2 * 8], PT_B | 7
        ; the code, written through the identity map (physical = linear there)
        mov rdi, PHYS_A
        mov edx, VAL_A
        call put_code
        mov rdi, PHYS_B
        mov edx, VAL_B
        call put_code
        mov rax, 0x90909090
        mov [L2], eax                   ; shared page: 5 nops, B8 11 11 | ...
        mov dword [L2 + 4], 0x1111B890
        mov word [PHYS_A + 0x2000], 0x1111
        mov byte [PHYS_A + 0x2002], 0xC3
        mov word [PHYS_B + 0x2000], 0x2222
        mov byte [PHYS_B + 0x2002], 0xC3
        mov byte [L3], 0xB9             ; mov ecx, 0x33333333
        mov dword [L3 + 1], 0x33333333
        mov rax, cr3
        mov cr3, rax
        ; PCIDE with PCID 0, then the first load of each root flushes its PCID
        mov rax, cr4
        bts rax, 17
        mov cr4, rax
        mov rax, CR3_A
        mov cr3, rax
        mov eax, [L + 1]
        CHECKD eax, VAL_A, "root A (PCID 1): data read at L"
        mov rax, CR3_B
        mov cr3, rax
        mov eax, [L + 1]
        CHECKD eax, VAL_B, "root B (PCID 2): data read at L"
        mov rax, cr3
        CHECKQ rax, CR3_B, "CR3 holds root B with PCID 2"

        mov r15d, ROUNDS * 2
round:
        mov r12d, VAL_A
        mov r13d, VAL_A
        mov rax, CR3_A | NOFLUSH
        test r15d, 1
        jz .load
        mov r12d, VAL_B
        mov r13d, VAL2_B
        mov rax, CR3_B | NOFLUSH
.load:  mov cr3, rax
        xor eax, eax
        call L                          ; patched exit to L's block
        TALLY 0, r12d
        xor eax, eax
        mov rbx, L
        call rbx                        ; indirect: jump cache
        TALLY 1, r12d
        xor eax, eax
        lea rcx, [rel .ret_back]
        push rcx
        push qword L
        ret                             ; return path into L
.ret_back:
        TALLY 2, r12d
        xor eax, eax
        call jmp_stub                   ; jmp L from a block on another page
        TALLY 3, r12d
        xor eax, eax
        call L2                         ; block running into the switched page
        TALLY 4, r13d
        xor eax, eax
        call L3
        TALLY 5, r12d
        xor eax, eax
        mov rbx, L3
        call rbx
        TALLY 6, r12d
        dec r15d
        jnz round

        mov rax, LM_PML4
        mov cr3, rax
        mov rax, cr4
        btr rax, 17
        mov cr4, rax
        REPORT_PATH 0, "call L"
        REPORT_PATH 1, "call L through a register"
        REPORT_PATH 2, "ret to L"
        REPORT_PATH 3, "jmp L from another page"
        REPORT_PATH 4, "call into a block whose instruction straddles into the switched page"
        REPORT_PATH 5, "call into a block that runs into the switched page"
        REPORT_PATH 6, "the same through a register"
        FINISHQ

; put_code: RDI = physical page for L (and L3_HI at +0x4000), EDX = value
put_code:
        mov byte [rdi], 0xB8            ; mov eax, imm32
        mov [rdi + 1], edx
        mov byte [rdi + 5], 0xC3        ; ret
        mov byte [rdi + 0x4000], 0xB8
        mov [rdi + 0x4001], edx
        mov byte [rdi + 0x4005], 0xC3
        ret

ok_count:  times NPATHS dd 0
bad_value: times NPATHS dd 0

        align 4096
jmp_stub:
        jmp L
        align 4096
        LONG_IMAGE
        END_IMAGE
