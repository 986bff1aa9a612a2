; ioapic.asm - the I/O APIC: ID/version registers, redirection entry
; read-back (remote IRR and delivery status read-only), the 8254's IRQ0
; arriving on pin 2 (edge, vector 0x70), a masked pin delivering nothing,
; and a level-triggered pin (ISA IRQ5 through QEMU's pc-testdev port
; 0x2005): remote IRR set while in service, the EOI broadcast clearing it
; and re-delivering while the line stays high; the local APIC's TMR bit of
; the vector clear for edge, set on acceptance of the level interrupt and
; kept after its EOI, cleared again when the vector arrives as an edge
; self-IPI (SDM vol. 3 11.8.4). The 8259s stay masked.
; Run with -device pc-testdev (unittests.cfg), on QEMU as on pcvm.
%include "lib/pm32.inc"
%include "lib/apic.inc"
TICKS       equ RES + 0x10
LVL         equ RES + 0x14
RIRR        equ RES + 0x18
TMR0        equ RES + 0x1C
TMR5        equ RES + 0x20
A_TMR3      equ APIC + 0x1B0            ; TMR bits of vectors 0x60-0x7F

main:
        SET_GATE 0x70, irq0, SEL_CODE32, 0x8E
        SET_GATE 0x75, irq5, SEL_CODE32, 0x8E
        mov dword [A_SVR], 0x1FF
        IOR 1
        CHECK_MASK eax, 0x00170000, 0x00FF0000, "version: 24 redirection entries"
        UNLESS_TCG "version 0x11 (QEMU reports 0x20)"
        CHECK_MASK eax, 0x11, 0xFF, "version 0x11"
        END_UNLESS_TCG
        IOW 0, 0x0A000000
        IOR 0
        CHECK_MASK eax, 0x0A000000, 0x0F000000, "ID register bits 27:24 writable"
        IOW 0, 0
        ; entry 2: vector 0x70, fixed, physical, edge, masked; destination 0
        IOW 0x15, 0
        IOW 0x14, 0x00014070 | 0x5000   ; try to set delivery status and remote IRR
        IOR 0x14
        CHECK_EQ eax, 0x00010070, "entry 2 read back; bits 12 and 14 read-only"
        ; the 8254: counter 0, mode 2, ~1 ms
        mov al, 0x34
        out 0x43, al
        mov ax, 1193
        out 0x40, al
        mov al, ah
        out 0x40, al
        mov dword [TICKS], 0
        sti
        mov ecx, 200000
.m:     in al, 0x80
        loop .m
        cli
        CHECK_EQ [TICKS], 0, "masked pin 2: no interrupt"
        IOW 0x14, 0x00000070            ; unmask
        sti
.w:     hlt
        cmp dword [TICKS], 3
        jb .w
        cli
        PASS "IRQ0 (8254) arrives on pin 2 as vector 0x70"
        CHECK_EQ [TMR0], 0, "edge: TMR bit of vector 0x70 clear in its handler"
        mov eax, [A_TMR3]
        CHECK_MASK eax, 0, 1 << 21, "TMR bit of vector 0x75 clear before any level interrupt"
        IOW 0x14, 0x00010070
        mov al, 0x30                    ; counter 0 stops until a count is written
        out 0x43, al
        ; level: IRQ5 -> pin 5, vector 0x75
        IOW 0x1B, 0
        IOW 0x1A, 0x00008075            ; level, active high, unmasked
        mov dword [LVL], 0
        mov al, 1
        mov dx, 0x2005
        out dx, al                      ; assert IRQ5
        sti
        mov ecx, 10000000
.l:     cmp dword [LVL], 2
        jae .ld
        dec ecx
        jnz .l
.ld:    cli
        CHECK_EQ [RIRR], 1, "level: remote IRR set while in service"
        CHECK_EQ [LVL], 2, "level: EOI with the line high delivers again"
        IOR 0x1A
        CHECK_MASK eax, 0, 0x4000, "level: remote IRR clear after the last EOI"
        CHECK_EQ [TMR5], 1 << 21, "level: TMR bit of vector 0x75 set in its handler"
        mov eax, [A_TMR3]
        CHECK_MASK eax, 1 << 21, 1 << 21, "level: TMR bit kept after the EOI"
        mov dword [A_ICR2], 0
        mov dword [A_ICR], 0x00040075   ; self-IPI, fixed, edge, vector 0x75
        sti
        WAIT_FOR LVL, 3
        cli
        CHECK_EQ [LVL], 3, "edge self-IPI to vector 0x75 taken"
        CHECK_EQ [TMR5], 0, "edge: the self-IPI cleared the TMR bit on acceptance"
        mov eax, [A_TMR3]
        CHECK_MASK eax, 0, 1 << 21, "edge: TMR bit clear after its EOI"
        FINISH

irq0:   inc dword [TICKS]
        push eax
        mov eax, [A_TMR3]
        and eax, 1 << 16
        mov [TMR0], eax
        pop eax
        mov dword [A_EOI], 0
        iretd

irq5:   pushad
        inc dword [LVL]
        mov eax, [A_TMR3]
        and eax, 1 << 21
        mov [TMR5], eax
        IOR 0x1A
        shr eax, 14
        and eax, 1
        cmp dword [LVL], 1
        jne .second
        mov [RIRR], eax                 ; still asserted: EOI re-delivers
        jmp .eoi
.second:
        mov al, 0
        mov dx, 0x2005
        out dx, al                      ; deassert, then EOI
.eoi:   mov dword [A_EOI], 0
        popad
        iretd
END_IMAGE
