; pic.asm - the 8259 pair seen from the guest: IRR/ISR reads (OCW3),
; poll mode, priorities and set-priority rotation, non-specific and
; specific EOI, masking, auto-EOI and delivery of a slave IRQ (IRQ12)
; through the cascade. Requests come from the 8254 (IRQ0, mode 0 leaves
; OUT high) and the i8042 (0xD2/0xD3 put a byte in the output buffer:
; IRQ1/IRQ12 while it is full).
%include "lib/pm32.inc"
%include "lib/pit.inc"
%include "lib/pic.inc"
SEEN equ RES + 0x10
M_ISR equ RES + 0x14
S_ISR equ RES + 0x18
%macro RD 2                             ; EAX = OCW3 %2 then read port %1
        mov al, %2
        out %1, al
        in al, %1
        movzx eax, al
%endmacro
; counter 0 mode 0, 20 clocks: a rising edge on IRQ0, then until the
; master's IRR has it (QEMU raises the line from a host timer a moment
; after the read-back shows OUT high). Clobbers AL, ECX.
%macro IRQ0 0
        PIT0_DELAY 20
        mov ecx, 1000000
%%r:    mov al, 0x0a                    ; OCW3: read IRR
        out 0x20, al
        in al, 0x20
        test al, 1
        loopz %%r
%endmacro
%macro IRQ1 0
        mov al, 0xd2
        out 0x64, al
        mov al, 0x11
        out 0x60, al
%endmacro
%macro DRAIN 0
        in al, 0x60
%endmacro
main:
        PIC_INIT
        mov al, 0x60                    ; i8042: both ports on, IRQ1/IRQ12 on, no translation
        out 0x64, al
        mov al, 0x03
        out 0x60, al
        in al, 0x64
        test al, 1
        jz .e
        DRAIN
.e:     SET_GATE 0x2c, irq12, SEL_CODE32, 0x8E
        SET_GATE 0x21, irq1, SEL_CODE32, 0x8E
        IRQ1
        RD 0x20, 0x0a
        CHECK_MASK eax, 0x02, 0x02, "IRR shows a masked IRQ1 request"
        RD 0x20, 0x0b
        CHECK_EQ eax, 0, "ISR empty"
        mov al, 0xfd
        out 0x21, al
        RD 0x20, 0x0c
        CHECK_EQ eax, 0x81, "poll: interrupt on IR1"
        RD 0x20, 0x0b
        CHECK_EQ eax, 0x02, "poll acknowledges: ISR bit 1"
        mov al, 0x20
        out 0x20, al
        RD 0x20, 0x0b
        CHECK_EQ eax, 0, "non-specific EOI clears ISR"
        DRAIN
        ; priorities: IR0 before IR1, IR1 blocked while IR0 is in service
        IRQ0
        IRQ1
        mov al, 0xfc
        out 0x21, al
        RD 0x20, 0x0c
        CHECK_EQ eax, 0x80, "poll: IR0 has the highest priority"
        RD 0x20, 0x0c
        CHECK_MASK eax, 0, 0x80, "poll: IR1 waits while IR0 is in service"
        mov al, 0x20
        out 0x20, al
        RD 0x20, 0x0c
        CHECK_EQ eax, 0x81, "poll: IR1 after EOI"
        mov al, 0x20
        out 0x20, al
        DRAIN
        ; set priority: IR0 lowest, so IR1 comes first
        mov al, 0xc0
        out 0x20, al
        IRQ0
        IRQ1
        RD 0x20, 0x0c
        CHECK_EQ eax, 0x81, "set priority (IR0 lowest): IR1 first"
        mov al, 0x20
        out 0x20, al
        RD 0x20, 0x0c
        CHECK_EQ eax, 0x80, "set priority: then IR0"
        mov al, 0x20
        out 0x20, al
        mov al, 0xc7
        out 0x20, al
        DRAIN
        ; specific EOI
        IRQ1
        RD 0x20, 0x0c
        mov al, 0x61
        out 0x20, al
        RD 0x20, 0x0b
        CHECK_EQ eax, 0, "specific EOI (0x61) clears ISR bit 1"
        DRAIN
        ; masked: no delivery, the request waits in IRR
        mov al, 0xff
        out 0x21, al
        mov dword [SEEN], 0
        IRQ1
        sti
        nop
        nop
        cli
        CHECK_EQ [SEEN], 0, "a masked IRQ1 is not delivered"
        RD 0x20, 0x0a
        CHECK_MASK eax, 0x02, 0x02, "... and stays in IRR"
        mov al, 0xfd
        out 0x21, al
        sti
        nop
        nop
        cli
        CHECK_EQ [SEEN], 0x21, "unmasked: delivered as vector 0x21"
        ; cascade: IRQ12 through master IR2 and slave IR4
        mov dword [SEEN], 0
        mov al, 0xfb
        out 0x21, al
        mov al, 0xef
        out 0xa1, al
        mov al, 0xd3
        out 0x64, al
        mov al, 0x22
        out 0x60, al
        RD 0xa0, 0x0a
        CHECK_MASK eax, 0x10, 0x10, "slave IRR bit 4 (IRQ12)"
        sti
        nop
        nop
        cli
        CHECK_EQ [SEEN], 0x2c, "IRQ12 delivered as vector 0x2C"
        CHECK_EQ [M_ISR], 0x04, "in the handler: master ISR shows IR2 (cascade)"
        CHECK_EQ [S_ISR], 0x10, "in the handler: slave ISR shows IR4"
        RD 0x20, 0x0b
        mov ebx, eax
        RD 0xa0, 0x0b
        or eax, ebx
        CHECK_EQ eax, 0, "both ISRs clear after the EOIs"
        ; auto-EOI
        PIC_INIT 3
        mov al, 0xfd
        out 0x21, al
        IRQ1
        RD 0x20, 0x0c
        CHECK_EQ eax, 0x81, "AEOI: poll sees IR1"
        RD 0x20, 0x0b
        CHECK_EQ eax, 0, "AEOI: no ISR bit after the acknowledge"
        DRAIN
        PIC_INIT
        FINISH

irq1:
        push eax
        mov dword [SEEN], 0x21
        in al, 0x60
        mov al, 0x20
        out 0x20, al
        pop eax
        iretd
irq12:
        push eax
        mov dword [SEEN], 0x2c
        mov al, 0x0b
        out 0x20, al
        in al, 0x20
        movzx eax, al
        mov [M_ISR], eax
        mov al, 0x0b
        out 0xa0, al
        in al, 0xa0
        movzx eax, al
        mov [S_ISR], eax
        in al, 0x60
        mov al, 0x20
        out 0xa0, al
        out 0x20, al
        pop eax
        iretd
END_IMAGE
