; long_mode.asm - paging modes and IA-32e mode activation: CPUID long-mode
; leaves; 32-bit paging -> PAE paging -> long mode (compatibility and
; 64-bit) -> back to protected mode; every activation check of SDM vol. 3
; 10.8.5 (#GP for PG with LME and PAE=0, for PG with LME and CS.L=1, for
; changing LME with paging on, for clearing PAE in long mode, for clearing
; PG in 64-bit mode); LMA set and cleared by the processor and read-only;
; exceptions in compatibility mode through the 64-bit IDT; opcode 0x48 is
; DEC in compatibility mode and REX.W in 64-bit mode; CR8; CR3 reserved
; bits; LGDT/LIDT with a non-canonical base.
%include "lib/pm32.inc"
%include "lib/long64.inc"
PD32    equ 0x204000
SEL_L_D equ 0x90                ; code, L=1 and D=1: a 32-bit segment outside long mode
main:
        ; ---- CPUID ---------------------------------------------------------
        mov eax, 0x80000000
        cpuid
        cmp eax, 0x80000008
        setae al
        movzx eax, al
        CHECK_EQ eax, 1, "cpuid 0x80000000: max extended leaf >= 0x80000008"
        mov eax, 0x80000001
        cpuid
        CHECK_MASK edx, (1 << 29) | (1 << 20) | (1 << 11), (1 << 29) | (1 << 20) | (1 << 11), "cpuid 0x80000001: LM, NX, SYSCALL"
        mov eax, 7
        xor ecx, ecx
        cpuid
        mov esi, 0x3028                 ; 48 linear bits, or 57 with LA57
        test ecx, 1 << 16
        jz .lin48
        mov esi, 0x3928
.lin48: mov eax, 0x80000008
        cpuid
        CHECK_MASK eax, esi, 0xFFFF, "cpuid 0x80000008: 40 physical, 48 (57 with LA57) linear address bits"
        mov eax, 1
        cpuid
        CHECK_MASK edx, 0x40, 0x40, "cpuid 1: PAE"
        call long_init
        ; ---- 32-bit paging with 4 MiB pages -----------------------------
        mov edi, PD32
        mov eax, 0x87                   ; P W U PS
        mov ecx, 1024
.pd32:  stosd
        add eax, 0x400000
        loop .pd32
        mov eax, PD32
        mov cr3, eax
        mov eax, cr4
        or eax, 0x10
        mov cr4, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        CHECK_EQ [mb_header], 0x1BADB002, "32-bit paging: read through a 4 MiB page"
        mov ecx, MSR_EFER_N
        rdmsr
        CHECK_EQ eax, 0, "32-bit paging: EFER = 0"
        mov eax, cr0
        and eax, 0x7FFFFFFF
        mov cr0, eax
        ; ---- PAE paging --------------------------------------------------
        GO_PAE
        CHECK_EQ [mb_header], 0x1BADB002, "PAE paging: read through a 2 MiB page"
        mov ecx, MSR_EFER_N
        rdmsr
        or eax, EFER_LME_B
        UNLESS_TCG "setting EFER.LME with paging on"
        TRY
        wrmsr
        CATCH 13, 0, "setting EFER.LME with paging on #GP(0)"
        rdmsr
        CHECK_EQ eax, 0, "EFER unchanged"
        END_UNLESS_TCG
        mov eax, cr0
        and eax, 0x7FFFFFFF
        mov cr0, eax
        ; ---- activation checks ---------------------------------------------
        mov eax, cr4
        and eax, ~0x20
        mov cr4, eax
        mov ecx, MSR_EFER_N
        rdmsr
        or eax, EFER_LME_B
        wrmsr
        rdmsr
        CHECK_EQ eax, EFER_LME_B, "EFER.LME set with paging off, LMA still 0"
        mov eax, LM_PML4
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        UNLESS_TCG "CR0.PG with EFER.LME and CR4.PAE=0"
        TRY
        mov cr0, eax
        CATCH 13, 0, "CR0.PG with EFER.LME and CR4.PAE=0 #GP(0)"
        END_UNLESS_TCG
        mov eax, cr0
        CHECK_MASK eax, 0, 0x80000000, "CR0.PG still clear"
        mov eax, cr4
        or eax, 0x20
        mov cr4, eax
        UNLESS_TCG "CR0.PG with EFER.LME while CS.L=1"
        SET_DESC SEL_L_D, 0, 0xFFFFF, 0x9A, 0xE
        jmp SEL_L_D:.lcs
.lcs:   mov eax, cr0
        or eax, 0x80000000
        TRY
        mov cr0, eax
        CATCH 13, 0, "CR0.PG with EFER.LME while CS.L=1 #GP(0)"
        jmp SEL_CODE32:.lcs_out
.lcs_out:
        END_UNLESS_TCG
        mov ecx, MSR_EFER_N
        rdmsr
        CHECK_EQ eax, EFER_LME_B, "EFER.LMA still 0"
        ; ---- long mode ---------------------------------------------------
        GO_LONG
        PASSQ "reached 64-bit mode"
        mov ecx, MSR_EFER_N
        rdmsr
        CHECKD eax, EFER_LME_B | EFER_LMA_B, "EFER.LMA set by CR0.PG"
        mov rax, 0x123456789
        CHECKQ rax, 0x123456789, "64-bit register"
        db 0x48, 0x89, 0xC3             ; mov rbx, rax (REX.W)
        CHECKQ rbx, 0x123456789, "0x48 is REX.W in 64-bit mode"
        mov ecx, MSR_EFER_N
        rdmsr
        and eax, ~EFER_LMA_B
        TRY
        wrmsr
        NO_EXCQ "writing EFER with LMA=0 in long mode"
        rdmsr
        CHECKD eax, EFER_LME_B | EFER_LMA_B, "EFER.LMA is read-only"
        UNLESS_TCGQ "long-mode CR0/CR3/CR4/EFER reserved-change checks"
        mov rax, cr4
        and rax, ~0x20
        TRY
        mov cr4, rax
        CATCHQ 13, 0, "clearing CR4.PAE in long mode #GP(0)"
        mov rax, cr0
        and eax, 0x7FFFFFFF
        TRY
        mov cr0, rax
        CATCHQ 13, 0, "clearing CR0.PG in 64-bit mode #GP(0)"
        mov ecx, MSR_EFER_N
        rdmsr
        and eax, ~EFER_LME_B
        TRY
        wrmsr
        CATCHQ 13, 0, "clearing EFER.LME in long mode #GP(0)"
        mov rax, cr0
        TRY
        bts rax, 32
        mov cr0, rax
        CATCHQ_ONLY 13, 0, "CR0 bit 32 #GP(0)"
        mov rax, cr3
        bts rax, 45
        TRY
        mov cr3, rax
        CATCHQ 13, 0, "CR3 bit 45 (above MAXPHYADDR) #GP(0)"
        END_UNLESS_TCG
        mov eax, 7
        mov cr8, rax
        mov rbx, cr8
        CHECKQ rbx, 7, "CR8 write/read"
        xor eax, eax
        mov cr8, rax
        UNLESS_TCGQ "lgdt/lidt with a non-canonical base"
        sgdt [RES]
        mov rax, 0x0100000000000000     ; not canonical at 48 or 57 bits (canon57.asm)
        mov [RES + 2], rax
        TRY
        lgdt [RES]
        CATCHQ 13, 0, "lgdt with a non-canonical base #GP(0)"
        TRY
        lidt [RES]
        CATCHQ 13, 0, "lidt with a non-canonical base #GP(0)"
        END_UNLESS_TCG
        sidt [RES]
        mov rax, [RES + 2]
        CHECKQ rax, idt64, "sidt in 64-bit mode stores the 64-bit base"
        ; ---- compatibility mode ------------------------------------------
        GO_COMPAT
        PASS "reached compatibility mode"
        mov eax, 5
        db 0x48                         ; dec eax in compatibility mode
        CHECK_EQ eax, 4, "0x48 is DEC in compatibility mode"
        mov eax, cs
        CHECK_EQ eax, SEL_CODE32, "CS in compatibility mode"
        TRY
        ud2
        CATCH 6, NOERR, "#UD in compatibility mode through the 64-bit IDT"
        CHECK_EQ [exc_cs], SEL_CODE32, "exception frame CS = compatibility-mode CS"
        CHECK_EQ [exc_outer_ss], SEL_DATA32, "64-bit frame pushed SS"
        mov ecx, MSR_EFER_N
        rdmsr
        CHECK_EQ eax, EFER_LME_B | EFER_LMA_B, "EFER unchanged, still in long mode"
        GO_64
        PASSQ "back in 64-bit mode from compatibility mode"
        GO_COMPAT
        LEAVE_LONG
        mov ecx, MSR_EFER_N
        rdmsr
        CHECK_EQ eax, 0, "after leaving long mode: LMA (cleared with PG) and LME 0"
        mov eax, cr0
        CHECK_MASK eax, 0, 0x80000000, "after leaving long mode: CR0.PG = 0"
        TRY
        ud2
        CATCH 6, NOERR, "#UD in protected mode through the 32-bit IDT again"
        ; enter long mode a second time (TSS busy bit, IDT reload)
        GO_LONG
        PASSQ "long mode entered a second time"
        GO_COMPAT
        LEAVE_LONG
        PASS "protected mode again"
        FINISH
        LONG_IMAGE
        END_IMAGE
