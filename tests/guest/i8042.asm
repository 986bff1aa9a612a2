; i8042.asm - keyboard controller: self test, interface tests, command
; byte, output port, writes into the output buffer, and the keyboard's and
; mouse's answers to reset, identify, echo and status (polled, IRQs off).
%include "lib/pm32.inc"
; EAX = next byte from the output buffer (0xFFFFFFFF on timeout)
kbc_read:
        push ecx
        mov ecx, 1000000
.w:     in al, 0x64
        test al, 1
        jnz .r
        dec ecx
        jnz .w
        pop ecx
        mov eax, -1
        ret
.r:     in al, 0x60
        movzx eax, al
        pop ecx
        ret
kbc_cmd:                                ; AL = command
        out 0x64, al
        ret
kbc_flush:
        push ecx
        mov ecx, 64
.f:     in al, 0x64
        test al, 1
        jz .d
        in al, 0x60
        loop .f
.d:     pop ecx
        ret
%macro CMD 1
        mov al, %1
        out 0x64, al
%endmacro
%macro DATA 1
        mov al, %1
        out 0x60, al
%endmacro
%macro EXPECT 2+
        call kbc_read
        CHECK_EQ eax, %1, %2
%endmacro
main:
        CMD 0xad                        ; keyboard off while we set up
        CMD 0xa7
        call kbc_flush
        CMD 0xaa
        EXPECT 0x55, "self test (0xAA) answers 0x55"
        CMD 0xab
        EXPECT 0x00, "keyboard interface test (0xAB) answers 0"
        CMD 0xa9
        EXPECT 0x00, "aux interface test (0xA9) answers 0"
        CMD 0x60
        DATA 0x34                       ; no IRQs, both ports off, no translation, SYS
        CMD 0x20
        EXPECT 0x34, "command byte reads back what 0x60 wrote"
        in al, 0x64
        movzx eax, al
        CHECK_MASK eax, 0x04, 0x05, "status: SYS set, output buffer empty"
        CMD 0xd0
        call kbc_read
        CHECK_MASK eax, 0x03, 0x03, "output port: reset line high, A20 on"
        CMD 0xd2
        DATA 0x5a
        in al, 0x64
        movzx eax, al
        CHECK_MASK eax, 0x01, 0x21, "0xD2: keyboard data in the output buffer"
        EXPECT 0x5a, "0xD2: the byte reads back from port 0x60"
        CMD 0xd3
        DATA 0xa5
        in al, 0x64
        movzx eax, al
        CHECK_MASK eax, 0x21, 0x21, "0xD3: aux data (status bit 5)"
        EXPECT 0xa5, "0xD3: the byte reads back"
        ; keyboard, untranslated
        CMD 0x60
        DATA 0x24                       ; ports enabled, no IRQs, no translation
        DATA 0xff
        EXPECT 0xfa, "keyboard reset: ACK"
        EXPECT 0xaa, "keyboard reset: self test passed (0xAA)"
        DATA 0xf2
        EXPECT 0xfa, "identify: ACK"
        EXPECT 0xab, "identify: 0xAB"
        EXPECT 0x83, "identify: 0x83 (MF2 keyboard)"
        DATA 0xee
        EXPECT 0xee, "echo: 0xEE"
        DATA 0xed
        EXPECT 0xfa, "set LEDs: ACK"
        DATA 0x02
        EXPECT 0xfa, "set LEDs: ACK for the LED byte"
        DATA 0xf5
        EXPECT 0xfa, "disable scanning: ACK"
        DATA 0xf4
        EXPECT 0xfa, "enable scanning: ACK"
        ; with translation the identify bytes go through the set 2 -> 1 table
        CMD 0x60
        DATA 0x64
        DATA 0xf2
        EXPECT 0xfa, "translated identify: ACK"
        EXPECT 0xab, "translated identify: 0xAB"
        EXPECT 0x41, "translated identify: 0x83 becomes 0x41"
        ; mouse through 0xD4
        CMD 0x60
        DATA 0x04                       ; both ports on, no IRQs, no translation
        CMD 0xd4
        DATA 0xff
        EXPECT 0xfa, "mouse reset: ACK"
        EXPECT 0xaa, "mouse reset: self test passed"
        EXPECT 0x00, "mouse reset: ID 0"
        CMD 0xd4
        DATA 0xf2
        EXPECT 0xfa, "mouse get ID: ACK"
        EXPECT 0x00, "mouse get ID: 0"
        CMD 0xd4
        DATA 0xe9
        EXPECT 0xfa, "mouse status request: ACK"
        EXPECT 0x00, "mouse status: stream mode, disabled, no buttons"
        EXPECT 0x02, "mouse status: resolution 2"
        EXPECT 100, "mouse status: 100 samples/s"
        CMD 0xd4
        DATA 0xf3
        EXPECT 0xfa, "set sample rate: ACK"
        CMD 0xd4
        DATA 40
        EXPECT 0xfa, "sample rate byte: ACK"
        CMD 0xd4
        DATA 0xe9
        call kbc_read
        call kbc_read
        call kbc_read
        EXPECT 40, "mouse status: the new sample rate"
        CMD 0xae
        FINISH
END_IMAGE
