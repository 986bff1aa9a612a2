; smp.asm - (-smp 2) starts the AP with INIT-SIPI-SIPI: it runs a real-mode
; trampoline copied to 0x9000 (SIPI vector 9), counts itself alive (the
; second SIPI must find it running and be ignored), enters protected mode
; on the BSP's GDT and IDT, enables its APIC with logical ID 2 (flat) and
; waits in HLT. The BSP then reaches it with fixed IPIs (physical, all
; excluding self, logical) and an NMI, each waking its HLT.
%include "lib/pm32.inc"
%include "lib/apic.inc"
%include "lib/smp.inc"
AP_ID       equ RES + 0x10
AP_READY    equ RES + 0x14
AP_IPIS     equ RES + 0x18
AP_NMIS     equ RES + 0x1C
BSP_IPIS    equ RES + 0x20

%macro IPI 2                            ; ICR high, ICR low
        mov dword [A_ICR2], %1
        mov dword [A_ICR], %2
%endmacro

main:
        SET_GATE 0x60, ap_ipi, SEL_CODE32, 0x8E
        SET_GATE 2, ap_nmi, SEL_CODE32, 0x8E
        mov dword [A_SVR], 0x1FF
        ; the trampoline, with the GDT pointer patched in
        COPY_TRAMPOLINE
        IPI 0x01000000, 0x00004500       ; INIT, level assert, APIC ID 1
        DELAY
        IPI 0x01000000, 0x00008500       ; INIT level de-assert
        DELAY
        IPI 0x01000000, 0x00004609       ; SIPI vector 9
        DELAY
        IPI 0x01000000, 0x00004609       ; second SIPI: ignored by a running AP
        WAIT_FOR AP_READY, 1
        CHECK_EQ [AP_READY], 1, "AP reached protected mode"
        movzx eax, word [AP_ALIVE]
        CHECK_EQ eax, 1, "AP started once (second SIPI ignored)"
        CHECK_EQ [AP_ID], 1, "AP's APIC ID is 1"
        mov eax, [A_ICR]
        CHECK_MASK eax, 0, 0x1000, "ICR delivery status idle"
        ; fixed IPI, physical destination 1
        IPI 0x01000000, 0x00004060
        WAIT_FOR AP_IPIS, 1
        CHECK_EQ [AP_IPIS], 1, "fixed IPI to APIC ID 1 wakes the AP"
        ; all excluding self
        IPI 0, 0x000C4060
        WAIT_FOR AP_IPIS, 2
        CHECK_EQ [AP_IPIS], 2, "all-excluding-self IPI reaches the AP only"
        ; logical (flat model): the AP's LDR is bit 1
        IPI 0x02000000, 0x00004860
        WAIT_FOR AP_IPIS, 3
        CHECK_EQ [AP_IPIS], 3, "logical destination 0x02 reaches the AP"
        IPI 0x04000000, 0x00004860       ; nobody has logical bit 2
        DELAY
        CHECK_EQ [AP_IPIS], 3, "logical destination 0x04 reaches nobody"
        ; NMI
        IPI 0x01000000, 0x00004400
        WAIT_FOR AP_NMIS, 1
        CHECK_EQ [AP_NMIS], 1, "NMI IPI reaches the AP"
        CHECK_EQ [BSP_IPIS], 0, "the BSP saw none of them"
        FINISH

; the AP's 32-bit side (shares the BSP's GDT and IDT)
ap_pm32:
        mov ax, SEL_DATA32
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, 0x70000
        lidt [idt_desc]
        mov dword [A_SVR], 0x1FF
        mov dword [A_DFR], 0xFFFFFFFF
        mov dword [A_LDR], 0x02000000
        mov eax, [A_ID]
        shr eax, 24
        mov [AP_ID], eax
        mov dword [AP_READY], 1
        sti
.idle:  hlt
        jmp .idle

ap_ipi: push eax
        mov eax, [A_ID]
        shr eax, 24
        jnz .ap
        inc dword [BSP_IPIS]
        jmp .eoi
.ap:    inc dword [AP_IPIS]
.eoi:   mov dword [A_EOI], 0
        pop eax
        iretd

ap_nmi: inc dword [AP_NMIS]
        iretd

        AP_TRAMPOLINE ap_pm32
END_IMAGE
