; rtc.asm - MC146818: register D, register C cleared by reading, the
; periodic interrupt (1024 Hz, IRQ8 through the slave 8259) counted over
; 50 ms measured by the 8254, binary and BCD time formats, NVRAM, and the
; base-memory and checksum bytes firmware reads. QEMU 7.2 leaves the
; checksum 0 and sets PF only with PIE: those checks are skipped there.
%include "lib/pm32.inc"
%include "lib/pit.inc"
%include "lib/pic.inc"
COUNT equ RES + 0x10
%include "lib/cmos.inc"
main:
        PIC_INIT
        SET_GATE 0x28, irq8, SEL_CODE32, 0x8E
        CMOS_RD 0x0d
        CHECK_MASK eax, 0x80, 0x80, "register D: valid RAM and time"
        CMOS_RD 0x15
        mov ebx, eax
        CMOS_RD 0x16
        shl eax, 8
        or eax, ebx
        CHECK_EQ eax, 640, "CMOS 0x15/0x16: 640 KiB base memory"
        ; checksum of 0x10-0x2D at 0x2E (high) / 0x2F (low)
        UNLESS_TCG "CMOS checksum 0x2E/0x2F covers 0x10-0x2D"
        xor ebx, ebx
        mov ecx, 0x10
.sum:   mov al, cl
        or al, 0x80
        out 0x70, al
        in al, 0x71
        movzx eax, al
        add ebx, eax
        inc ecx
        cmp ecx, 0x2e
        jb .sum
        CMOS_RD 0x2e
        shl eax, 8
        mov edx, eax
        CMOS_RD 0x2f
        or eax, edx
        CHECK_EQ eax, ebx, "CMOS checksum 0x2E/0x2F covers 0x10-0x2D"
        END_UNLESS_TCG
        CMOS_WR 0x7e, 0x5a
        CMOS_RD 0x7e
        CHECK_EQ eax, 0x5a, "NVRAM byte 0x7E holds a value"
        ; time formats
        CMOS_WR 0x0b, 0x02              ; BCD, 24 hour
        CMOS_RD 0x00
        mov ebx, eax
        and ebx, 0x0f
        cmp ebx, 9
        setbe bl
        cmp eax, 0x59
        setbe al
        and al, bl
        movzx eax, al
        CHECK_EQ eax, 1, "BCD seconds are 0x00-0x59"
        CMOS_WR 0x0b, 0x06              ; binary, 24 hour
        CMOS_RD 0x04
        cmp eax, 23
        setbe al
        movzx eax, al
        CHECK_EQ eax, 1, "binary hours are 0-23"
        CMOS_WR 0x0b, 0x04              ; binary, 12 hour
        CMOS_RD 0x04
        and eax, 0x7f
        dec eax
        cmp eax, 11
        setbe al
        movzx eax, al
        CHECK_EQ eax, 1, "12-hour mode: hours are 1-12"
        CMOS_WR 0x0b, 0x02
        ; periodic interrupt at 1024 Hz over 50 ms of counter 0 (mode 0).
        ; A host that stops the guest for a while makes the RTC's missed
        ; periods one interrupt while the PIT's time runs on: one of up to
        ; four windows must be in range
        CMOS_RD 0x0c
        CMOS_WR 0x0a, 0x26
        CMOS_WR 0x0b, 0x42              ; PIE
        mov al, 0xfb
        out 0x21, al
        mov al, 0xfe
        out 0xa1, al
        mov edi, 4
.window:
        mov dword [COUNT], 0
        PIT0_START 59659
        sti
        PIT0_WAIT
        cli
        mov eax, [COUNT]
        cmp eax, 10
        setae bl
        cmp eax, 60
        setbe al
        and al, bl
        jnz .counted
        dec edi
        jnz .window
.counted:
        movzx ebx, al
        CMOS_WR 0x0b, 0x02
        CHECK_EQ ebx, 1, "periodic IRQ8 at 1024 Hz: 10-60 in 50 ms (51 unless the host stalls us)"
        ; flags without interrupts: PF is set, reading C clears it
        UNLESS_TCG "register C: PF set by the periodic rate with PIE off"
        CMOS_RD 0x0c
        PIT0_DELAY 2386                 ; 2 ms, two periods of 976 us
        CMOS_RD 0x0c
        CHECK_MASK eax, 0x40, 0x40, "register C: PF set by the periodic rate with PIE off"
        END_UNLESS_TCG
        CMOS_WR 0x0a, 0x20              ; no periodic rate
        CMOS_RD 0x0c
        CMOS_RD 0x0c
        CHECK_MASK eax, 0x00, 0xf0, "register C: reading clears the flags"
        mov al, 0xff
        out 0x21, al
        out 0xa1, al
        FINISH

irq8:
        push eax
        inc dword [COUNT]
        mov al, 0x8c
        out 0x70, al
        in al, 0x71
        mov al, 0x20
        out 0xa0, al
        out 0x20, al
        pop eax
        iretd
END_IMAGE
