; canon57.asm - canonical checks on a CPU with 5-level paging (CPUID.7.0:
; ECX.LA57) running 4-level paging (CR4.LA57 = 0; run with -cpu max): a
; linear address loaded into a register is checked against the widest
; linear address the processor has, 57 bits, whatever the paging depth
; (Intel's 5-level paging and LAM documents; kvm-unit-tests canonical_57):
; LGDT/LIDT bases, the TR and LDTR bases of LTR/LLDT, WRMSR to FS_BASE,
; GS_BASE, KERNEL_GS_BASE, LSTAR, CSTAR, SYSENTER_ESP/EIP, WRFSBASE and
; INVPCID's address take a value canonical at 57 bits only, and #GP(0) (LTR,
; LLDT: #GP(selector)) on one canonical at neither width; a memory access
; through that 57-bit address still faults with #GP(0), as the current
; (4-level) paging depth says.
%include "lib/pm32.inc"
%include "lib/long64.inc"
C57     equ 0x00AB800000001000  ; canonical at 57 bits, not at 48
NC      equ 0x0100000000000000  ; canonical at neither
SEL_LDT equ 0x90                ; 16-byte system descriptors
SEL_T64 equ 0xA0
V_X     equ 0x700

; SYSDESC selector, base (in rax), type byte: a 16-byte LDT/TSS descriptor, limit 0x67
%macro SYSDESC 2
        mov rdi, gdt + %1
        mov word [rdi], 0x67
        mov [rdi + 2], ax
        mov rdx, rax
        shr rdx, 16
        mov [rdi + 4], dl
        mov byte [rdi + 5], %2
        mov byte [rdi + 6], 0
        shr rdx, 8
        mov [rdi + 7], dl
        shr rdx, 8
        mov [rdi + 8], edx
        mov dword [rdi + 12], 0
%endmacro

; MSR_OK msr, "name": WRMSR C57 is accepted and reads back, WRMSR NC #GP(0)
%macro MSR_OK 2
        mov ecx, %1
        mov rax, C57
        mov rdx, rax
        shr rdx, 32
        TRY
        wrmsr
        NO_EXCQ {"wrmsr ", %2, " with a 57-bit canonical value"}
        mov ecx, %1
        rdmsr
        shl rdx, 32
        or rax, rdx
        CHECKQ rax, C57, {%2, " reads back the 57-bit value"}
        UNLESS_TCGQ {"wrmsr ", %2, " not canonical at 57 bits"}
        mov ecx, %1
        xor eax, eax
        mov edx, NC >> 32
        TRY
        wrmsr
        CATCHQ 13, 0, {"wrmsr ", %2, " not canonical at 57 bits #GP(0)"}
        END_UNLESS_TCG
        mov ecx, %1
        xor eax, eax
        xor edx, edx
        wrmsr
%endmacro

main:
        mov eax, 7
        xor ecx, ecx
        cpuid
        test ecx, 1 << 16
        jnz .la57
        SKIP "no LA57 in CPUID: the checks are 48-bit ones (long_mode, long_sys)"
        FINISH
.la57:
        call long_init
        GO_LONG
        mov rax, cr4
        CHECKQ_MASK rax, 0, 1 << 12, "4-level paging: CR4.LA57 = 0"
        ; ---- LGDT / LIDT ----------------------------------------------------
        sgdt [V_X]
        mov rax, C57
        mov [V_X + 0x20 + 2], rax
        mov ax, [V_X]
        mov [V_X + 0x20], ax
        TRY
        lgdt [V_X + 0x20]
        NO_EXCQ "lgdt with a 57-bit canonical base"
        sgdt [V_X + 0x40]
        lgdt [V_X]
        CHECKQ [V_X + 0x42], C57, "sgdt returns the 57-bit base"
        sidt [V_X + 0x10]
        mov ax, [V_X + 0x10]
        mov [V_X + 0x20], ax
        TRY
        lidt [V_X + 0x20]
        NO_EXCQ "lidt with a 57-bit canonical base"
        sidt [V_X + 0x40]
        lidt [V_X + 0x10]
        CHECKQ [V_X + 0x42], C57, "sidt returns the 57-bit base"
        UNLESS_TCGQ "lgdt/lidt with a base not canonical at 57 bits"
        mov rax, NC
        mov [V_X + 0x22], rax
        TRY
        lgdt [V_X + 0x20]
        CATCHQ 13, 0, "lgdt with a base not canonical at 57 bits #GP(0)"
        TRY
        lidt [V_X + 0x20]
        CATCHQ 13, 0, "lidt with a base not canonical at 57 bits #GP(0)"
        END_UNLESS_TCG
        ; ---- LLDT / LTR -----------------------------------------------------
        mov rax, C57
        SYSDESC SEL_LDT, 0x82
        mov ax, SEL_LDT
        TRY
        lldt ax
        NO_EXCQ "lldt: LDT base canonical at 57 bits"
        xor eax, eax
        lldt ax
        mov rax, C57
        SYSDESC SEL_T64, 0x89
        mov ax, SEL_T64
        TRY
        ltr ax
        NO_EXCQ "ltr: TSS base canonical at 57 bits"
        and byte [gdt + LSEL_TSS64 + 5], ~2
        mov ax, LSEL_TSS64
        ltr ax
        UNLESS_TCGQ "lldt/ltr with a base not canonical at 57 bits"
        mov rax, NC
        SYSDESC SEL_LDT, 0x82
        mov ax, SEL_LDT
        TRY
        lldt ax
        CATCHQ 13, SEL_LDT, "lldt: LDT base not canonical at 57 bits #GP(sel)"
        mov rax, NC
        SYSDESC SEL_T64, 0x89
        mov ax, SEL_T64
        TRY
        ltr ax
        CATCHQ 13, SEL_T64, "ltr: TSS base not canonical at 57 bits #GP(sel)"
        END_UNLESS_TCG
        ; ---- MSRs -----------------------------------------------------------
        MSR_OK 0xC0000100, "FS_BASE"
        MSR_OK 0xC0000101, "GS_BASE"
        MSR_OK 0xC0000102, "KERNEL_GS_BASE"
        MSR_OK 0xC0000082, "LSTAR"
        MSR_OK 0xC0000083, "CSTAR"
        MSR_OK 0x175, "SYSENTER_ESP"
        MSR_OK 0x176, "SYSENTER_EIP"
        ; ---- WRFSBASE -------------------------------------------------------
        mov rax, cr4
        or eax, 1 << 16                 ; FSGSBASE
        mov cr4, rax
        mov rax, C57
        TRY
        wrfsbase rax
        NO_EXCQ "wrfsbase with a 57-bit canonical value"
        rdfsbase rbx
        CHECKQ rbx, C57, "rdfsbase returns it"
        UNLESS_TCGQ "wrfsbase not canonical at 57 bits"
        mov rax, NC
        TRY
        wrfsbase rax
        CATCHQ 13, 0, "wrfsbase not canonical at 57 bits #GP(0)"
        END_UNLESS_TCG
        xor eax, eax
        wrfsbase rax
        ; ---- INVPCID type 0 -------------------------------------------------
        mov eax, 7
        xor ecx, ecx
        cpuid
        test ebx, 1 << 10
        jz .noinvpcid
        mov qword [V_X + 0x60], 0       ; PCID 0
        mov rax, C57
        mov [V_X + 0x68], rax
        xor eax, eax
        TRY
        invpcid rax, [V_X + 0x60]
        NO_EXCQ "invpcid type 0 with a 57-bit canonical address"
        UNLESS_TCGQ "invpcid type 0 not canonical at 57 bits"
        mov rax, NC
        mov [V_X + 0x68], rax
        xor eax, eax
        TRY
        invpcid rax, [V_X + 0x60]
        CATCHQ 13, 0, "invpcid type 0 not canonical at 57 bits #GP(0)"
        END_UNLESS_TCG
        jmp .mem
.noinvpcid:
        SKIPQ "invpcid: not in CPUID"
.mem:   ; ---- memory accesses follow the paging depth ------------------------
        mov rbx, C57
        TRY
        mov rax, [rbx]
        CATCHQ 13, 0, "a load at the 57-bit address with 4-level paging #GP(0)"
        FINISHQ
        LONG_IMAGE
END_IMAGE
