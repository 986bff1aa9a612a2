; io.asm - port I/O protection in 32-bit protected mode: IN/OUT/INS/OUTS at
; CPL3 checked against IOPL and the TSS I/O permission bitmap (byte and
; word accesses needing every bit clear, ports beyond a truncated bitmap),
; IOPL=3 bypassing the bitmap, CLI/STI at CPL3 (#GP(0) when IOPL < 3),
; POPF at CPL3 silently keeping IF and IOPL, and I/O through the 16550
; scratch register (port 0x3FF).
%include "lib/pm32.inc"
IOMAP equ tss32 + 104
%macro DENY 1
        mov eax, %1
        bts dword [IOMAP], eax
%endmacro
main:
        DENY 0x80
        DENY 0x2f9
        DENY 0x3ff
        ; CPL0 ignores the bitmap and IOPL
        mov dx, 0x3ff
        mov al, 0xa5
        out dx, al
        in al, dx
        CHECK_MASK eax, 0xa5, 0xff, "CPL0: out/in 16550 scratch register"
        ENTER_RING3
        ; UART ports 0x3f8..0x3fd are allowed by the bitmap, so checks work at IOPL 0
        PASS "CPL3 IOPL0: serial output through permitted ports"
        TRY
        in al, 0x80
        CATCH 13, 0, "CPL3 IOPL0: in from a denied port #GP(0)"
        mov al, 1
        TRY
        out 0x80, al
        CATCH 13, 0, "CPL3 IOPL0: out to a denied port #GP(0)"
        TRY
        mov dx, 0x2f8
        in al, dx
        NO_EXC "CPL3 IOPL0: byte in from a permitted port"
        mov dx, 0x2f8
        TRY
        in ax, dx                       ; 0x2f8 ok, 0x2f9 denied
        CATCH 13, 0, "CPL3 IOPL0: word in needs both bits clear #GP(0)"
        mov dx, 0x2f6
        TRY
        in eax, dx                      ; 0x2f6..0x2f9
        CATCH 13, 0, "CPL3 IOPL0: dword in overlapping a denied port #GP(0)"
        TRY
        mov dx, 0x2f4
        in eax, dx                      ; 0x2f4..0x2f7 all permitted
        NO_EXC "CPL3 IOPL0: dword in from permitted ports"
        mov dx, 0x80
        mov esi, RES
        TRY
        outsb
        CATCH 13, 0, "CPL3 IOPL0: outsb to a denied port #GP(0)"
        mov dx, 0x80
        mov edi, RES
        TRY
        insb
        CATCH 13, 0, "CPL3 IOPL0: insb from a denied port #GP(0)"
        TRY
        cli
        CATCH 13, 0, "CPL3 IOPL0: cli #GP(0)"
        TRY
        sti
        CATCH 13, 0, "CPL3 IOPL0: sti #GP(0)"
        ; popfd cannot change IF or IOPL at CPL3
        pushfd
        pop ebx
        push dword F_IF | F_IOPL3 | F_CF | 2
        popfd
        pushfd
        pop eax
        CHECK_MASK eax, F_CF, F_IF | F_IOPL3 | F_CF, "CPL3 IOPL0: popfd changes CF but not IF/IOPL"
        LEAVE_RING3
        ; IOPL 3: the bitmap is not consulted
        ENTER_RING3 F_IOPL3
        TRY
        in al, 0x80
        NO_EXC "CPL3 IOPL3: in from a port denied in the bitmap"
        TRY
        mov dx, 0x3ff
        mov al, 0x3c
        out dx, al
        in al, dx
        NO_EXC "CPL3 IOPL3: out/in denied scratch port"
        CHECK_MASK eax, 0x3c, 0xff, "CPL3 IOPL3: scratch register value"
        TRY
        cli
        NO_EXC "CPL3 IOPL3: cli allowed"
        LEAVE_RING3
        ; truncated bitmap: TSS limit covers ports 0..0x3ff plus one byte
        mov eax, 0x3ff
        btr dword [IOMAP], eax
        SET_DESC SEL_TSS, tss32, 104 + 0x80, 0x89, 0x0
        mov ax, SEL_TSS
        ltr ax
        ENTER_RING3
        TRY
        mov dx, 0x3ff
        mov al, 0x77
        out dx, al
        NO_EXC "CPL3 IOPL0: port 0x3ff inside a truncated bitmap"
        TRY
        mov dx, 0x500
.beyond: in al, dx
        CATCH_AT 13, 0, .beyond, "CPL3 IOPL0: port beyond the TSS limit #GP(0)"
        LEAVE_RING3
        mov dx, 0x3ff
        in al, dx
        CHECK_MASK eax, 0x77, 0xff, "ring-3 out reached the scratch register"
        ; I/O map base beyond the TSS limit: every port denied
        mov word [tss32 + 102], 0xffff
        SET_DESC SEL_TSS, tss32, 104 + 8192, 0x89, 0x0
        mov ax, SEL_TSS
        ltr ax
        ENTER_RING3
        mov dword [RES], 0xffffffff
        mov dx, 0x3fd                   ; the UART status port, otherwise permitted
        TRY
        in al, dx
        mov dword [exc_active], 0       ; no fault: leave vector = -1
%$catch:
        mov eax, [exc_vector]
        mov [RES], eax
        mov eax, [exc_error]
        mov [RES + 4], eax
        %pop
        LEAVE_RING3
        CHECK_EQ [RES], 13, "CPL3 IOPL0: I/O map base beyond the TSS limit denies every port"
        CHECK_EQ [RES + 4], 0, "... with #GP(0)"
        FINISH
END_IMAGE
