; msr.asm - the architectural MSRs of the CPU model (run with
; -cpu max,vendor=GenuineIntel): IA32_MISC_ENABLE (fast strings set at
; reset; performance monitoring available, BTS and PEBS unavailable read as
; 1 and ignore writes; writable fast-strings and TCC bits; #GP for reserved
; bits and for the EIST bit CPUID does not advertise; Limit CPUID Maxval
; making CPUID.0:EAX read 2; XD Bit Disable clearing CPUID.80000001H:EDX.NX),
; CPUID MTRR and PAT, MTRRcap (read-only), MTRRdefType, the fixed ranges and
; variable ranges (reserved bits and memory types 2, 3, 7 #GP(0), a PHYSBASE
; beyond VCNT #GP(0)), IA32_PAT (reset value, reserved types #GP(0)),
; IA32_TSC_ADJUST (writing it moves the TSC, writing the TSC moves it:
; SDM vol. 3 18.17.3), IA32_ARCH_CAPABILITIES (read-only, RDCL_NO),
; IA32_SYSENTER_CS bits 63:16 writable, the machine-check MSRs (CPUID MCE
; and MCA, MCG_CAP's bank count, CR4.MCE, MCi_CTL all ones or zeros,
; MCi_STATUS only 0, MCi_ADDR/MISC any value, MCG_CAP read-only, banks past
; the count #GP(0)), IA32_TSC_AUX with RDTSCP and RDPID.
%include "lib/pm32.inc"
V_LO    equ RES + 0x10
V_HI    equ RES + 0x14
V_LO2   equ RES + 0x18
V_HI2   equ RES + 0x1C

; WRMSR_GP msr, lo, hi, "desc": the write raises #GP(0)
%macro WRMSR_GP 4+
        mov ecx, %1
        mov eax, %2
        mov edx, %3
        TRY
        wrmsr
        CATCH 13, 0, %4
%endmacro
; WRMSR_RB msr, lo, hi, "desc": the write is accepted and reads back
%macro WRMSR_RB 4+
        mov ecx, %1
        mov eax, %2
        mov edx, %3
        TRY
        wrmsr
        NO_EXC %4
        mov ecx, %1
        rdmsr
        CHECK_EQ eax, %2, {%4, ": low dword read back"}
        CHECK_EQ edx, %3, {%4, ": high dword read back"}
%endmacro

main:
        mov eax, 1
        cpuid
        CHECK_MASK edx, (1 << 12) | (1 << 16), (1 << 12) | (1 << 16), "cpuid 1: MTRR and PAT"
        ; ---- IA32_MISC_ENABLE -----------------------------------------------
        mov ecx, 0x1A0
        TRY
        rdmsr
        NO_EXC "rdmsr IA32_MISC_ENABLE"
        mov ecx, 0x1A0
        rdmsr
        mov [V_LO], eax
        mov [V_HI], edx
        CHECK_MASK eax, 1, 1, "MISC_ENABLE: fast strings enabled at reset"
        UNLESS_TCG "MISC_ENABLE read-only bits (QEMU reads 0 there)"
        CHECK_MASK eax, 0x1880, 0x1880, "MISC_ENABLE: perfmon available, BTS and PEBS unavailable"
        END_UNLESS_TCG
        mov ecx, 0x1A0
        mov eax, [V_LO]
        and eax, ~1
        or eax, 8                       ; fast strings off, TCC on
        mov edx, [V_HI]
        TRY
        wrmsr
        NO_EXC "wrmsr IA32_MISC_ENABLE"
        mov ecx, 0x1A0
        rdmsr
        CHECK_MASK eax, 8, 9, "MISC_ENABLE: fast strings and TCC bits writable"
        UNLESS_TCG "MISC_ENABLE reserved bits, read-only bits, Limit CPUID, XD Bit Disable"
        mov ecx, 0x1A0
        mov eax, 1
        xor edx, edx
        TRY
        wrmsr                           ; read-only bits written as 0: ignored
        NO_EXC "MISC_ENABLE: writing 0 to the read-only bits"
        mov ecx, 0x1A0
        rdmsr
        CHECK_EQ eax, 0x1881, "MISC_ENABLE: read-only bits kept"
        WRMSR_GP 0x1A0, 3, 0, "MISC_ENABLE reserved bit 1 #GP(0)"
        WRMSR_GP 0x1A0, 1 | (1 << 16), 0, "MISC_ENABLE EIST bit without CPUID EIST #GP(0)"
        WRMSR_GP 0x1A0, 1, 8, "MISC_ENABLE reserved bit 35 #GP(0)"
        mov ecx, 0x1A0
        mov eax, 1 | (1 << 22)          ; Limit CPUID Maxval
        xor edx, edx
        wrmsr
        xor eax, eax
        cpuid
        CHECK_EQ eax, 2, "Limit CPUID Maxval: CPUID.0:EAX = 2"
        mov ecx, 0x1A0
        mov eax, 1
        xor edx, edx
        wrmsr
        xor eax, eax
        cpuid
        mov ebx, eax
        cmp ebx, 2
        ja .maxok
        FAILMSG "CPUID.0:EAX back above 2 after clearing Limit CPUID Maxval"
.maxok:
        mov eax, 0x80000001
        cpuid
        test edx, 1 << 20
        jz .nonx
        mov ecx, 0x1A0
        mov eax, 1
        mov edx, 4                      ; XD Bit Disable (bit 34)
        wrmsr
        mov eax, 0x80000001
        cpuid
        CHECK_MASK edx, 0, 1 << 20, "XD Bit Disable: CPUID.80000001H:EDX.NX reads 0"
        mov ecx, 0x1A0
        rdmsr
        CHECK_EQ edx, 4, "MISC_ENABLE bit 34 reads back"
        mov ecx, 0x1A0
        mov eax, 1
        xor edx, edx
        wrmsr
        mov eax, 0x80000001
        cpuid
        CHECK_MASK edx, 1 << 20, 1 << 20, "XD Bit Disable cleared: NX back"
        jmp .xdend
.nonx:  SKIP "XD Bit Disable: no NX in CPUID"
.xdend:
        END_UNLESS_TCG
        mov ecx, 0x1A0
        mov eax, [V_LO]
        mov edx, [V_HI]
        wrmsr
        ; ---- MTRRs ------------------------------------------------------------
        mov ecx, 0xFE
        rdmsr
        mov ebx, eax
        and ebx, 0xFF
        CHECK_MASK eax, 0x500, 0x500, "MTRRcap: fixed ranges and WC supported"
        cmp ebx, 0
        jne .vcnt
        FAILMSG "MTRRcap: at least one variable range"
.vcnt:  WRMSR_RB 0x2FF, 0xC06, 0, "MTRRdefType E, FE, WB"
        WRMSR_RB 0x250, 0x06060606, 0x06060606, "MTRRfix64K_00000 WB"
        WRMSR_RB 0x258, 0x01010101, 0x00000000, "MTRRfix16K_80000"
        WRMSR_RB 0x259, 0x00000000, 0x01010101, "MTRRfix16K_A0000 WC/UC"
        WRMSR_RB 0x26F, 0x05050505, 0x04040404, "MTRRfix4K_F8000 WP/WT"
        WRMSR_RB 0x200, 0x80000006, 0, "MTRRphysBase0 2 GiB WB"
        WRMSR_RB 0x201, 0x80000800, 0xFF, "MTRRphysMask0 2 GiB, valid"
        UNLESS_TCG "MTRR reserved bits and memory types"
        WRMSR_GP 0xFE, 0, 0, "MTRRcap is read-only: wrmsr #GP(0)"
        WRMSR_GP 0x2FF, 0xC02, 0, "MTRRdefType type 2 #GP(0)"
        WRMSR_GP 0x2FF, 0x1C06, 0, "MTRRdefType reserved bit 12 #GP(0)"
        WRMSR_GP 0x250, 0x06060606, 0x07060606, "MTRRfix64K type 7 #GP(0)"
        WRMSR_GP 0x26F, 0x06030606, 0x06060606, "MTRRfix4K type 3 #GP(0)"
        WRMSR_GP 0x200, 0x80000106, 0, "MTRRphysBase0 reserved bit 8 #GP(0)"
        WRMSR_GP 0x200, 0x80000002, 0, "MTRRphysBase0 type 2 #GP(0)"
        WRMSR_GP 0x201, 0x80000800, 0x100, "MTRRphysMask0 bit 40 (MAXPHYADDR) #GP(0)"
        WRMSR_GP 0x201, 0x80000801, 0, "MTRRphysMask0 reserved bit 0 #GP(0)"
        lea ecx, [ebx * 2 + 0x200]      ; PHYSBASE<VCNT>: not there
        TRY
        rdmsr
        CATCH 13, 0, "PHYSBASE beyond MTRRcap.VCNT #GP(0)"
        END_UNLESS_TCG
        WRMSR_RB 0x201, 0, 0, "MTRRphysMask0 cleared"
        WRMSR_RB 0x2FF, 0, 0, "MTRRdefType cleared"
        ; ---- IA32_PAT ---------------------------------------------------------
        mov ecx, 0x277
        rdmsr
        CHECK_EQ eax, 0x00070406, "PAT reset value, low"
        CHECK_EQ edx, 0x00070406, "PAT reset value, high"
        WRMSR_RB 0x277, 0x00070106, 0x00050406, "PAT with WC and WP"
        UNLESS_TCG "PAT reserved memory types"
        WRMSR_GP 0x277, 0x00070206, 0x00070406, "PAT type 2 #GP(0)"
        WRMSR_GP 0x277, 0x00070406, 0x08070406, "PAT type 8 #GP(0)"
        END_UNLESS_TCG
        WRMSR_RB 0x277, 0x00070406, 0x00070406, "PAT back to its reset value"
        ; ---- IA32_TSC_ADJUST --------------------------------------------------
        mov eax, 7
        xor ecx, ecx
        cpuid
        test ebx, 2
        jnz .adj
        SKIP "IA32_TSC_ADJUST: not in CPUID.7.0:EBX"
        jmp .adjend
.adj:   mov ecx, 0x3B
        rdmsr
        CHECK_EQ eax, 0, "TSC_ADJUST is 0 at reset (low)"
        CHECK_EQ edx, 0, "TSC_ADJUST is 0 at reset (high)"
        rdtsc
        mov [V_LO], eax
        mov [V_HI], edx
        mov ecx, 0x3B
        xor eax, eax
        mov edx, 0x100                  ; + 2^40
        wrmsr
        rdtsc
        sub eax, [V_LO]
        sbb edx, [V_HI]
        CHECK_EQ edx, 0x100, "writing TSC_ADJUST = 2^40 moves the TSC by 2^40"
        rdtsc
        add edx, 0x10                   ; TSC += 2^36
        mov ecx, 0x10
        wrmsr
        mov ecx, 0x3B
        rdmsr
        cmp edx, 0x110
        je .adj2
        cmp edx, 0x10F                  ; less the few cycles between RDTSC and WRMSR
        je .adj2
        CHECK_EQ edx, 0x110, "writing the TSC moves TSC_ADJUST by the same amount"
        jmp .adj3
.adj2:  PASS "writing the TSC moves TSC_ADJUST by the same amount"
.adj3:  mov ecx, 0x3B
        xor eax, eax
        xor edx, edx
        wrmsr
.adjend:
        ; ---- IA32_ARCH_CAPABILITIES: with CPUID.7.0:EDX[29], read-only ----------
        mov eax, 7
        xor ecx, ecx
        cpuid
        test edx, 1 << 29
        jnz .ac
        SKIP "IA32_ARCH_CAPABILITIES: not in CPUID.7.0:EDX"
        jmp .acend
.ac:    mov ecx, 0x10A
        TRY
        rdmsr
        NO_EXC "ARCH_CAPABILITIES reads"
        mov ecx, 0x10A
        rdmsr
        CHECK_MASK eax, 1, 1, "ARCH_CAPABILITIES: RDCL_NO (a kernel need not isolate its page tables)"
        WRMSR_GP 0x10A, 0, 0, "ARCH_CAPABILITIES is read-only: #GP(0)"
.acend:
        ; ---- IA32_SYSENTER_CS: bits 63:16 unused but read and written -----------
        UNLESS_TCG "SYSENTER_CS bits 63:32 (QEMU keeps 32 bits)"
        WRMSR_RB 0x174, 0xABCD0008, 0x12345678, "SYSENTER_CS bits 63:16 writable"
        END_UNLESS_TCG
        WRMSR_RB 0x174, 0, 0, "SYSENTER_CS cleared"
        ; ---- machine-check architecture (SDM vol. 3 16.3) --------------------
        mov eax, 1
        cpuid
        CHECK_MASK edx, (1 << 7) | (1 << 14), (1 << 7) | (1 << 14), "cpuid 1: MCE and MCA"
        mov ecx, 0x179
        TRY
        rdmsr
        NO_EXC "rdmsr IA32_MCG_CAP"
        mov ecx, 0x179
        rdmsr
        movzx eax, al
        mov [V_LO2], eax                ; bank count
        dec eax
        CHECK_MASK eax, 0, ~31, "MCG_CAP: 1 to 32 banks"
        mov eax, [V_LO2]
        lea eax, [0x400 + eax * 4 - 4]  ; the last bank's MCi_CTL
        mov [V_HI2], eax
        mov eax, cr4
        or eax, 1 << 6
        mov cr4, eax
        mov eax, cr4
        CHECK_MASK eax, 1 << 6, 1 << 6, "CR4.MCE set"
        WRMSR_RB 0x17A, 0, 0, "MCG_STATUS cleared"
        WRMSR_RB 0x400, 0xffffffff, 0xffffffff, "MC0_CTL all ones"
        WRMSR_RB 0x400, 0, 0, "MC0_CTL all zeros"
        WRMSR_RB 0x401, 0, 0, "MC0_STATUS cleared"
        WRMSR_RB 0x402, 0x12345000, 0x80000001, "MC0_ADDR any value"
        WRMSR_RB 0x403, 0xaaaaaaaa, 0x55555555, "MC0_MISC any value"
        mov eax, [V_HI2]
        add eax, 2
        mov [V_LO], eax
        WRMSR_RB [V_LO], 0x5000, 0, "the last bank's MCi_ADDR"
        UNLESS_TCG "MCA writes QEMU ignores (no #GP) and banks past MCG_CAP's count"
        WRMSR_GP 0x179, 0, 0, "MCG_CAP is read-only: #GP(0)"
        WRMSR_GP 0x17A, 1 << 3, 0, "MCG_STATUS reserved bit 3 (no LMCE): #GP(0)"
        WRMSR_GP 0x400, 5, 0, "MC0_CTL neither all zeros nor all ones (P6 family): #GP(0)"
        WRMSR_GP 0x401, 1, 0, "MC0_STATUS written with a 1: #GP(0)"
        mov eax, [V_HI2]
        add eax, 4
        mov [V_LO], eax
        mov ecx, eax
        TRY
        rdmsr
        CATCH 13, 0, "rdmsr of MCi_CTL past the banks: #GP(0)"
        WRMSR_GP [V_LO], 0, 0, "wrmsr of MCi_CTL past the banks: #GP(0)"
        END_UNLESS_TCG
        ; ---- IA32_TSC_AUX, RDTSCP, RDPID ---------------------------------------
        ; TSC_AUX exists with RDTSCP (no CPU has RDPID without it); a CPU
        ; without them (HM where KVM does not offer RDTSCP) raises #GP
        mov eax, 0x80000001
        cpuid
        test edx, 1 << 27
        jnz .tscaux
        SKIP "TSC_AUX, rdtscp, rdpid: RDTSCP not in CPUID.80000001h:EDX"
        jmp .end
.tscaux:
        WRMSR_RB 0xC0000103, 0x1234, 0, "TSC_AUX"
        mov ecx, -1
        rdtscp
        CHECK_EQ ecx, 0x1234, "rdtscp: ECX = TSC_AUX"
        UNLESS_TCG "TSC_AUX bits 63:32 reserved"
        WRMSR_GP 0xC0000103, 0, 1, "TSC_AUX bit 32 #GP(0)"
        END_UNLESS_TCG
        mov eax, 7
        xor ecx, ecx
        cpuid
        test ecx, 1 << 22
        jnz .rdpid
        SKIP "rdpid: not in CPUID.7.0:ECX"
        jmp .end
.rdpid: mov eax, -1
        rdpid eax
        CHECK_EQ eax, 0x1234, "rdpid: TSC_AUX"
.end:   FINISH
END_IMAGE
