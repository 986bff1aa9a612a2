; hlt.asm - HLT woken by the timer: the 8254's counter 0 drives IRQ0
; through the 8259 (vector 0x20); HLT with IF=1 waits for it and resumes
; after the handler returns, one interrupt per HLT; a one-shot (mode 0)
; count wakes exactly once and leaves OUT0 high.
%include "lib/pm32.inc"
%include "lib/pic.inc"
%include "lib/pit.inc"
TICKS equ RES + 0x10
RET_EIP equ RES + 0x14
main:
        PIC_INIT
        SET_GATE 0x20, irq0, SEL_CODE32, 0x8E
        ; counter 0, mode 2, 11932 clocks (10 ms)
        mov al, 0x34
        out 0x43, al
        mov ax, 11932
        out 0x40, al
        mov al, ah
        out 0x40, al
        mov dword [TICKS], 0
        mov al, 0xfe
        out 0x21, al
        sti
        hlt
.after: cli
        mov eax, [TICKS]
        cmp eax, 1
        setae al
        movzx eax, al
        CHECK_EQ eax, 1, "hlt returns after IRQ0"
        CHECK_EQ [RET_EIP], .after, "IRQ0 frame: EIP after the hlt"
        ; ten more: each hlt ends with one interrupt
        mov ecx, 10
        mov ebx, [TICKS]
        sti
.l:     hlt
        loop .l
        cli
        mov eax, [TICKS]
        sub eax, ebx
        CHECK_EQ eax, 10, "ten hlts, ten IRQ0s"
        ; one-shot: mode 0, 5 ms; wakes once, then OUT0 stays high
        PIT0_START 5966
        mov dword [TICKS], 0
        sti
        hlt
        cli
        CHECK_EQ [TICKS], 1, "mode 0 terminal count: one IRQ0 wakes hlt"
        mov al, 0xe2                    ; read-back: status of counter 0
        out 0x43, al
        in al, 0x40
        movzx eax, al
        CHECK_MASK eax, 0xb0, 0xbf, "counter 0 status: OUT high, LSB/MSB, mode 0, binary"
        mov al, 0xff
        out 0x21, al
        FINISH

irq0:
        push eax
        inc dword [TICKS]
        mov eax, [esp + 4]
        mov [RET_EIP], eax
        mov al, 0x20
        out 0x20, al
        pop eax
        iretd
END_IMAGE
