; sysregs.asm - control and debug registers and system instructions in
; 32-bit protected mode: mov to/from cr0 (ET, NW without CD #GP, PG without
; PE #GP), cr2, cr3, cr4 (TSD makes rdtsc #GP at CPL3, DE makes dr4/dr5 #UD),
; dr0-dr7 (DR6/DR7 fixed bits, dr4/dr5 aliases), clts/lmsw/smsw, cpuid,
; rdtsc, rdmsr/wrmsr (TSC 0x10, APIC base 0x1B, SYSENTER_CS/ESP/EIP
; 0x174-0x176), sysenter/sysexit round trip, mov cr/dr at CPL3 #GP.
%include "lib/pm32.inc"
SCR equ 0x3000
main:
        ; ---- CR0 -----------------------------------------------------------
        mov eax, cr0
        mov [RES], eax
        CHECK_MASK eax, 0x11, 0x80000011, "cr0: PE=1 ET=1 PG=0"
        and eax, ~0x10
        mov cr0, eax
        mov eax, cr0
        CHECK_MASK eax, 0x10, 0x10, "cr0.ET is hardwired to 1"
        UNLESS_TCG "cr0 NW-without-CD and PG-without-PE checks"
        TRY
        mov eax, [RES]
        or eax, 1 << 29                 ; NW without CD
        and eax, ~(1 << 30)
        mov cr0, eax
        CATCH_ONLY 13, 0, "cr0: NW=1 with CD=0 #GP(0)"
        TRY
        mov eax, [RES]
        and eax, ~1
        or eax, 1 << 31                 ; PG without PE
        mov cr0, eax
        CATCH_ONLY 13, 0, "cr0: PG=1 with PE=0 #GP(0)"
        END_UNLESS_TCG
        mov eax, [RES]
        or eax, (1 << 30) | (1 << 29)   ; CD+NW
        mov cr0, eax
        mov ebx, cr0
        mov eax, [RES]
        mov cr0, eax
        CHECK_MASK ebx, 0x60000000, 0x60000000, "cr0: CD=1 NW=1 accepted"
        ; ---- smsw / lmsw / clts ----------------------------------------------
        mov eax, cr0
        or eax, 8 | 2                   ; TS MP
        mov cr0, eax
        smsw ebx
        CHECK_MASK ebx, eax, 0xffff, "smsw r32: low word = CR0[15:0] (upper half not checked, model-specific)"
        mov word [SCR], 0xffff
        smsw [SCR]
        CHECK_MASK [SCR], 0x1b, 0xffff, "smsw m16 = low word of cr0"
        clts
        mov eax, cr0
        CHECK_MASK eax, 0, 8, "clts clears TS"
        mov ax, 0xfffc                  ; EM|TS, PE=0 (cannot clear PE), upper bits ignored
        lmsw ax
        mov eax, cr0
        CHECK_MASK eax, 0x1d, 0x1f, "lmsw sets EM/TS, clears MP, cannot clear PE"
        CHECK_MASK eax, 0, 0xffe0, "lmsw ignores bits above 3"
        mov ax, 0x0001
        lmsw ax
        mov eax, cr0
        CHECK_MASK eax, 0x11, 0x1f, "lmsw clears EM/TS/MP"
        ; ---- CR2 / CR3 / CR4 -------------------------------------------------
        mov eax, 0xdeadb000
        mov cr2, eax
        mov ebx, cr2
        CHECK_EQ ebx, 0xdeadb000, "cr2 write/read"
        mov eax, 0x00210000
        mov cr3, eax
        mov ebx, cr3
        CHECK_EQ ebx, 0x00210000, "cr3 write/read (paging off)"
        mov eax, cr4
        mov [RES + 4], eax
        or eax, 1 << 2                  ; TSD
        mov cr4, eax
        mov ebx, cr4
        CHECK_MASK ebx, 4, 4, "cr4.TSD write/read"
        rdtsc
        PASS "rdtsc at CPL0 with TSD=1"
        ENTER_RING3 F_IOPL3
        TRY
        rdtsc
        CATCH 13, 0, "rdtsc at CPL3 with CR4.TSD=1 #GP(0)"
        TRY
        mov eax, dr7
        CATCH 13, 0, "mov from dr7 at CPL3 #GP(0)"
        TRY
        mov cr2, eax
        CATCH 13, 0, "mov to cr2 at CPL3 #GP(0)"
        mov ecx, 0x10
        TRY
        rdmsr
        CATCH 13, 0, "rdmsr at CPL3 #GP(0)"
        LEAVE_RING3
        mov eax, [RES + 4]
        mov cr4, eax
        ENTER_RING3 F_IOPL3
        TRY
        rdtsc
        NO_EXC "rdtsc at CPL3 with TSD=0"
        LEAVE_RING3
        ; ---- debug registers -------------------------------------------------
        mov eax, 0x11111111
        mov dr0, eax
        mov eax, 0x22222222
        mov dr1, eax
        mov eax, 0x33333333
        mov dr2, eax
        mov eax, 0x44444444
        mov dr3, eax
        mov eax, dr0
        CHECK_EQ eax, 0x11111111, "dr0 write/read"
        mov eax, dr3
        CHECK_EQ eax, 0x44444444, "dr3 write/read"
        xor eax, eax
        mov dr6, eax
        mov eax, dr6
        CHECK_EQ eax, 0xffff0ff0, "dr6 reserved bits read as 1"
        xor eax, eax
        mov dr7, eax
        mov eax, dr7
        CHECK_EQ eax, 0x400, "dr7 bit 10 reads as 1"
        mov eax, 0x00000003
        mov dr7, eax
        mov eax, dr5                    ; alias of dr7 while CR4.DE=0
        CHECK_EQ eax, 0x403, "dr5 aliases dr7 with CR4.DE=0"
        mov eax, dr4
        CHECK_EQ eax, 0xffff0ff0, "dr4 aliases dr6 with CR4.DE=0"
        xor eax, eax
        mov dr7, eax
        mov eax, cr4
        or eax, 1 << 3                  ; DE
        mov cr4, eax
        TRY
        mov eax, dr4
        CATCH 6, NOERR, "mov from dr4 with CR4.DE=1 #UD"
        TRY
        mov dr5, eax
        CATCH 6, NOERR, "mov to dr5 with CR4.DE=1 #UD"
        mov eax, [RES + 4]
        mov cr4, eax
        ; ---- cpuid -----------------------------------------------------------
        xor eax, eax
        cpuid
        mov [RES + 8], eax
        CHECK_MASK eax, 0, 0xffffff00, "cpuid 0: max leaf is small"
        PRINT "cpuid vendor follows:"
        mov [SCR], ebx
        mov [SCR + 4], edx
        mov [SCR + 8], ecx
        mov byte [SCR + 12], 0
        mov esi, SCR
        call puts
        call crlf
        cmp dword [RES + 8], 1
        jb .nocpuid1
        mov eax, 1
        cpuid
        ; FPU is not required: CPUID must advertise only what the CPU
        ; implements, and an emulator may not have an x87 yet
        CHECK_MASK edx, 0x130, 0x130, "cpuid 1: TSC MSR CX8 present"
        shr eax, 8
        and eax, 0xf
        cmp eax, 5
        jae .fam5
        FAILMSG "cpuid 1: family >= 5 (Pentium class)"
        jmp .nocpuid1
.fam5:  PASS "cpuid 1: family >= 5 (Pentium class)"
.nocpuid1:
        ; ---- rdtsc / TSC MSR ---------------------------------------------------
        rdtsc
        mov esi, eax
        mov edi, edx
        mov ecx, 1000
.spin:  loop .spin
        rdtsc
        sub eax, esi
        sbb edx, edi
        CHECK_EQ edx, 0, "rdtsc: second read slightly later (high)"
        CHECK_MASK eax, 0, 0x80000000, "rdtsc: second read slightly later (positive)"
        test eax, eax
        jnz .tscok
        FAILMSG "rdtsc: TSC advanced"
        jmp .tsc2
.tscok: PASS "rdtsc: TSC advanced"
.tsc2:  UNLESS_TCG "TSC MSR read/write"
        mov ecx, 0x10
        rdmsr
        mov esi, eax
        rdtsc
        sub eax, esi
        CHECK_MASK eax, 0, 0xfff00000, "rdmsr 0x10 reads the TSC"
        mov ecx, 0x10
        mov eax, 0x80000000             ; upper half 0: valid on every family
        xor edx, edx
        wrmsr
        rdmsr
        CHECK_EQ edx, 0, "wrmsr TSC: high dword"
        ; the mask allows 256 Mi ticks (about 0.27 s at 1 GHz): a preempted
        ; emulator on a loaded host must not fail this, and the counter
        ; still has to have restarted from the written value
        CHECK_MASK eax, 0x80000000, 0xf0000000, "wrmsr TSC: counter restarts from the written value"
        rdtsc
        CHECK_MASK eax, 0x80000000, 0xf0000000, "rdtsc after writing the TSC MSR"
        END_UNLESS_TCG
        ; ---- APIC base -----------------------------------------------------------
        mov ecx, 0x1b
        rdmsr
        CHECK_MASK eax, 0xfee00100, 0xfffff100, "APIC base MSR: 0xFEE00000, BSP"
        ; ---- SYSENTER MSRs and sysenter/sysexit --------------------------------
        mov ecx, 0x174
        mov eax, SEL_CODE32
        xor edx, edx
        wrmsr
        mov ecx, 0x175
        mov eax, 0x8a000
        wrmsr
        mov ecx, 0x176
        mov eax, sysenter_target
        wrmsr
        mov ecx, 0x174
        rdmsr
        CHECK_EQ eax, SEL_CODE32, "SYSENTER_CS write/read"
        mov ecx, 0x175
        rdmsr
        CHECK_EQ eax, 0x8a000, "SYSENTER_ESP write/read"
        mov ecx, 0x176
        rdmsr
        CHECK_EQ eax, sysenter_target, "SYSENTER_EIP write/read"
        ENTER_RING3 F_IOPL3
        mov ecx, esp                    ; sysexit: ESP <- ECX, EIP <- EDX
        mov edx, .after_sysexit
        sysenter
.after_sysexit:
        mov eax, cs
        CHECK_EQ eax, SEL_CODE32 + 16 + 3, "sysexit: CS = SYSENTER_CS+16 | 3"
        mov eax, ss
        CHECK_EQ eax, SEL_CODE32 + 24 + 3, "sysexit: SS = SYSENTER_CS+24 | 3"
        CHECK_EQ esp, USTACK_TOP, "sysexit: ESP = ECX"
        CHECK_EQ [RES + 0x20], SEL_CODE32, "sysenter: CS = SYSENTER_CS"
        CHECK_EQ [RES + 0x24], SEL_CODE32 + 8, "sysenter: SS = SYSENTER_CS+8"
        CHECK_EQ [RES + 0x28], 0x8a000, "sysenter: ESP = SYSENTER_ESP"
        CHECK_MASK [RES + 0x2c], 0, F_IF | F_VM, "sysenter clears IF and VM"
        LEAVE_RING3
        mov ecx, 0x174
        xor eax, eax
        xor edx, edx
        wrmsr
        TRY
        sysexit
        CATCH 13, 0, "sysexit with SYSENTER_CS=0 #GP(0)"
        ENTER_RING3 F_IOPL3
        TRY
        sysenter
        CATCH 13, 0, "sysenter with SYSENTER_CS=0 #GP(0)"
        LEAVE_RING3
        FINISH
sysenter_target:
        mov eax, cs
        mov [RES + 0x20], eax
        mov eax, ss
        mov [RES + 0x24], eax
        mov [RES + 0x28], esp
        pushfd
        pop dword [RES + 0x2c]
        sysexit
END_IMAGE
