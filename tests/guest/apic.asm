; apic.asm - the local APIC through its xAPIC page: base MSR, ID/version,
; software enable, TPR/PPR, self-IPIs (ISR while in service, EOI, TPR
; holding a vector back in the IRR), and the timer: one-shot, periodic and
; TSC-deadline (when CPUID says so), each waking HLT; the APIC ID through
; x2APIC mode and a hardware disable. The PIC stays masked.
%include "lib/pm32.inc"
%include "lib/apic.inc"
COUNT       equ RES + 0x10              ; interrupts taken by the handlers
LASTVEC     equ RES + 0x14
ISRBIT      equ RES + 0x18              ; ISR word 2 seen inside the 0x40 handler
ORDER       equ RES + 0x1C              ; vectors in the order taken, one byte each

main:
        SET_GATE 0x40, h40, SEL_CODE32, 0x8E
        SET_GATE 0x45, hgen, SEL_CODE32, 0x8E
        SET_GATE 0x50, hgen, SEL_CODE32, 0x8E
        SET_GATE 0x51, hgen, SEL_CODE32, 0x8E
        SET_GATE 0x52, hgen, SEL_CODE32, 0x8E
        SET_GATE 0x61, hgen, SEL_CODE32, 0x8E
        SET_GATE 0x91, hgen, SEL_CODE32, 0x8E
        SET_GATE 0xFF, hgen, SEL_CODE32, 0x8E
        mov eax, 1
        cpuid
        CHECK_MASK edx, 0x200, 0x200, "CPUID.1:EDX.APIC"
        mov ecx, 0x1b
        rdmsr
        CHECK_MASK eax, 0xFEE00900, 0xFFFFF900, "APIC base MSR: 0xFEE00000, enabled, BSP"
        CHECK_MASK [A_VER], 0x00050014, 0x00FF00FF, "version 0x14, max LVT entry 5"
        CHECK_MASK [A_ID], 0, 0xFF000000, "BSP APIC ID 0"
        mov dword [A_SVR], 0x1FF
        CHECK_MASK [A_SVR], 0x1FF, 0x1FF, "SVR: enabled, spurious vector 0xFF"
        mov dword [A_TPR], 0
        ; self-IPI: fixed, shorthand self
        mov dword [COUNT], 0
        mov dword [A_ICR], 0x00044040
        sti
        WAIT_FOR COUNT, 1
        cli
        CHECK_EQ [COUNT], 1, "self-IPI 0x40 taken once"
        CHECK_EQ [ISRBIT], 1, "ISR bit 0x40 set while its handler runs"
        mov eax, [A_ISR + 0x20]
        CHECK_EQ eax, 0, "ISR clear after EOI"
        mov eax, [A_ICR]
        CHECK_MASK eax, 0, 0x1000, "ICR delivery status idle"
        ; TPR holds class 4 back: the vector waits in the IRR
        mov dword [COUNT], 0
        mov dword [A_TPR], 0x50
        CHECK_EQ [A_PPR], 0x50, "PPR follows TPR"
        mov dword [A_ICR], 0x00044045
        sti
        mov ecx, 10000
.spin:  loop .spin
        cli
        CHECK_EQ [COUNT], 0, "TPR 0x50 masks vector 0x45"
        mov eax, [A_IRR + 0x20]
        CHECK_MASK eax, 0x20, 0x20, "vector 0x45 pending in the IRR"
        mov dword [A_TPR], 0x40
        sti
        nop
        cli
        CHECK_EQ [COUNT], 0, "TPR 0x40 still masks class 4"
        mov dword [A_TPR], 0
        sti
        WAIT_FOR COUNT, 1
        cli
        CHECK_EQ [COUNT], 1, "TPR 0 lets 0x45 in"
        CHECK_EQ [LASTVEC], 0x45, "vector 0x45 delivered"
        ; two pending vectors: the higher class first
        mov dword [COUNT], 0
        mov dword [ORDER], 0
        mov dword [A_ICR], 0x00044061
        mov dword [A_ICR], 0x00044091
        sti
        WAIT_FOR COUNT, 2
        cli
        CHECK_EQ [ORDER], 0x9161, "higher vector 0x91 first, then 0x61"
        ; one-shot timer: 200 us at divide-by-1 on a 1 GHz bus... any bus: wait for it
        mov dword [COUNT], 0
        mov dword [A_DIV], 0xB
        mov dword [A_LVT_TMR], 0x50
        mov dword [A_INIT], 200000
        mov eax, [A_CUR]
        cmp eax, 200000
        setbe al
        movzx eax, al
        CHECK_EQ eax, 1, "one-shot: current count <= initial count"
        sti
.w1:    hlt
        cmp dword [COUNT], 1
        jb .w1
        cli
        CHECK_EQ [LASTVEC], 0x50, "one-shot: vector 0x50 wakes hlt"
        CHECK_EQ [A_CUR], 0, "one-shot: current count 0 after expiry"
        mov ecx, 200000
.sp2:   loop .sp2
        CHECK_EQ [COUNT], 1, "one-shot fires once"
        ; periodic
        mov dword [COUNT], 0
        mov dword [A_LVT_TMR], 0x20051
        mov dword [A_INIT], 300000
        sti
.w2:    hlt
        cmp dword [COUNT], 3
        jb .w2
        cli
        CHECK_EQ [LASTVEC], 0x51, "periodic: vector 0x51"
        mov eax, [A_CUR]
        cmp eax, 300000
        setbe al
        movzx eax, al
        CHECK_EQ eax, 1, "periodic: count reloads (current <= initial)"
        mov dword [A_LVT_TMR], 0x30051  ; masked
        mov dword [A_INIT], 0
        CHECK_EQ [A_CUR], 0, "initial count 0 stops the timer"
        sti                             ; a period that ended before the mask is
        nop                             ; still in the IRR: let it in now
        nop
        cli
        ; TSC-deadline
        mov eax, 1
        cpuid
        test ecx, 1 << 24
        jz .no_dl
        mov dword [COUNT], 0
        mov dword [A_LVT_TMR], 0x40052
        rdtsc
        add eax, 500000
        adc edx, 0
        mov ecx, 0x6e0
        wrmsr
        sti
.w3:    hlt
        cmp dword [COUNT], 1
        jb .w3
        cli
        CHECK_EQ [LASTVEC], 0x52, "TSC-deadline: vector 0x52 wakes hlt"
        mov ecx, 0x6e0
        rdmsr
        CHECK_EQ eax, 0, "TSC-deadline MSR reads 0 after expiry"
        jmp .dl_done
.no_dl: SKIP "TSC-deadline timer (not in CPUID)"
.dl_done:
        ; send an illegal vector: ESR bit 5 after the ESR write
        UNLESS_TCG "ESR send-illegal-vector"
        mov dword [A_ESR], 0
        mov dword [A_ICR], 0x00044005
        mov dword [A_ESR], 0
        mov eax, [A_ESR]
        CHECK_MASK eax, 0x20, 0x20, "ESR: send illegal vector"
        END_UNLESS_TCG
        ; software disable masks the LVT (SDM 11.4.7.2)
        UNLESS_TCG "software disable sets the LVT masks"
        mov dword [A_LVT_TMR], 0x50
        mov dword [A_SVR], 0xFF
        mov eax, [A_LVT_TMR]
        CHECK_MASK eax, 0x10000, 0x10000, "software disable sets the LVT masks"
        END_UNLESS_TCG
        ; the xAPIC ID is writable, but x2APIC mode's ID is the initial
        ; one, and so is the xAPIC ID after a hardware disable (SDM vol. 3
        ; 11.12.5.1; kvm-unit-tests apic checks both)
        mov dword [A_ID], 0x05000000
        CHECK_MASK [A_ID], 0x05000000, 0xFF000000, "xAPIC ID writable"
        UNLESS_TCG "APIC ID after x2APIC and a hardware disable (QEMU does not re-enable)"
        mov eax, 1
        cpuid
        test ecx, 1 << 21
        jz .nox2
        mov ecx, 0x1b
        rdmsr
        or eax, 0xC00                   ; EN | EXTD: x2APIC mode
        wrmsr
        mov ecx, 0x802
        rdmsr
        CHECK_EQ eax, 0, "x2APIC ID is the initial APIC ID, not the xAPIC ID written"
        mov ecx, 0x1b
        rdmsr
        and eax, ~0xC00                 ; disabled
        wrmsr
        or eax, 0x800                   ; xAPIC again
        wrmsr
        jmp .reen
.nox2:  SKIP "x2APIC ID (no x2APIC in CPUID)"
        mov ecx, 0x1b
        rdmsr
        and eax, ~0x800
        wrmsr
        or eax, 0x800
        wrmsr
.reen:  CHECK_MASK [A_ID], 0, 0xFF000000, "xAPIC ID back to the initial one after a hardware disable"
        END_UNLESS_TCG
        FINISH

h40:    push eax
        mov eax, [A_ISR + 0x20]
        and eax, 1
        mov [ISRBIT], eax
        inc dword [COUNT]
        mov dword [LASTVEC], 0x40
        mov dword [A_EOI], 0
        pop eax
        iretd

; generic: finds its vector as the highest ISR bit
hgen:   pushad
        mov esi, 7
.s:     mov edx, esi
        shl edx, 4
        mov eax, [A_ISR + edx]
        test eax, eax
        jnz .f
        dec esi
        jns .s
        jmp .x
.f:     bsr eax, eax
        shl esi, 5
        add eax, esi
        mov [LASTVEC], eax
        mov ebx, [ORDER]
        shl ebx, 8
        or ebx, eax
        mov [ORDER], ebx
.x:     inc dword [COUNT]
        mov dword [A_EOI], 0
        popad
        iretd
END_IMAGE
