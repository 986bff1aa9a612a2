; amd_msr.asm - what an AMD model has that an Intel one does not, and the
; cache leaves both describe (run on Opteron_G5 and on max): on AMD, SYSCFG
; (0xC0010010), HWCR (0xC0010015, TscFreqSel bit 24 reads 1), NB_CFG
; (0xC001001F, bit 46 read back), the interrupt-pending message register
; (0xC0010055, C1E inactive) and DE_CFG (0xC0011029, bit 1 read back) exist,
; and a reserved SYSCFG bit is #GP(0); on Intel each of them is #GP(0).
; CPUID 0x80000005 (AMD) gives L1d and L1i with a nonzero associativity and
; line size (Linux divides by the L1i ways on family 15h), 0x80000006 ECX
; an L2 with a size, associativity and line size on both vendors.
%include "lib/pm32.inc"
VENDOR  equ RES + 0x20

; RDMSR_OK msr, "desc": the read does not fault
%macro RDMSR_OK 2+
        mov ecx, %1
        TRY
        rdmsr
        NO_EXC %2
%endmacro
; RDMSR_GP msr, "desc": the read raises #GP(0)
%macro RDMSR_GP 2+
        mov ecx, %1
        TRY
        rdmsr
        CATCH 13, 0, %2
%endmacro

main:
        xor eax, eax
        cpuid
        mov [VENDOR], ebx               ; "Auth" or "Genu"
        mov eax, 0x80000000
        cpuid
        mov esi, eax                    ; highest extended leaf
        cmp esi, 0x80000006
        jb .nol2
        mov eax, 0x80000006
        cpuid
        mov ebx, ecx
        shr ebx, 16
        jnz .l2sz
        FAILMSG "CPUID 0x80000006 ECX: L2 size is zero"
        jmp .l2a
.l2sz:  PASS "CPUID 0x80000006 ECX: L2 size nonzero"
.l2a:   test ecx, 0xf000
        jnz .l2as
        FAILMSG "CPUID 0x80000006 ECX: L2 associativity is zero"
        jmp .l2l
.l2as:  PASS "CPUID 0x80000006 ECX: L2 associativity nonzero"
.l2l:   and ecx, 0xff
        CHECK_EQ ecx, 64, "CPUID 0x80000006 ECX: 64-byte L2 lines"
.nol2:  cmp dword [VENDOR], 0x68747541  ; "Auth"
        jne intel

        ; ---- AMD -------------------------------------------------------
        mov eax, 0x80000005
        cpuid
        mov ebx, ecx
        and ebx, 0xff
        CHECK_EQ ebx, 64, "CPUID 0x80000005 ECX: 64-byte L1d lines"
        mov ebx, edx
        and ebx, 0xff
        CHECK_EQ ebx, 64, "CPUID 0x80000005 EDX: 64-byte L1i lines"
        shr edx, 16
        and edx, 0xff
        jnz .l1as
        FAILMSG "CPUID 0x80000005 EDX: L1i associativity is zero"
        jmp .msr
.l1as:  PASS "CPUID 0x80000005 EDX: L1i associativity nonzero"
.msr:   RDMSR_OK 0xC0010010, "rdmsr SYSCFG"
        RDMSR_OK 0xC0010015, "rdmsr HWCR"
        RDMSR_OK 0xC001001F, "rdmsr NB_CFG"
        RDMSR_OK 0xC0010055, "rdmsr INT_PENDING_MSG"
        RDMSR_OK 0xC0011029, "rdmsr DE_CFG"
        mov ecx, 0xC0010055
        rdmsr
        CHECK_MASK eax, 0, 0x18000000, "INT_PENDING_MSG: C1E not active"
        UNLESS_TCG "AMD MSR contents (QEMU reads 0 and ignores writes)"
        mov ecx, 0xC0010015
        rdmsr
        CHECK_MASK eax, 1 << 24, 1 << 24, "HWCR: TscFreqSel reads 1"
        mov ecx, 0xC001001F
        rdmsr
        or edx, 1 << 14                 ; bit 46: EnableCf8ExtCfg
        wrmsr
        xor edx, edx
        rdmsr
        CHECK_MASK edx, 1 << 14, 1 << 14, "NB_CFG bit 46 reads back"
        mov ecx, 0xC0011029
        rdmsr
        or eax, 2                       ; LFENCE serialising
        wrmsr
        xor eax, eax
        rdmsr
        CHECK_MASK eax, 2, 2, "DE_CFG bit 1 reads back"
        mov ecx, 0xC0010010
        mov eax, 1                      ; bit 0: reserved
        xor edx, edx
        TRY
        wrmsr
        CATCH 13, 0, "wrmsr SYSCFG with reserved bit 0"
        END_UNLESS_TCG
        jmp done

intel:  ; ---- Intel ------------------------------------------------------
        UNLESS_TCG "AMD leaf and MSRs on an Intel model (QEMU answers leaf 0x80000005 and reads 0)"
        mov eax, 0x80000005
        cpuid
        or eax, ebx
        or eax, ecx
        or eax, edx
        CHECK_EQ eax, 0, "CPUID 0x80000005 is reserved (zero) on Intel"
        RDMSR_GP 0xC0010010, "rdmsr SYSCFG on Intel"
        RDMSR_GP 0xC0010015, "rdmsr HWCR on Intel"
        RDMSR_GP 0xC0011029, "rdmsr DE_CFG on Intel"
        END_UNLESS_TCG
done:   FINISH
END_IMAGE
