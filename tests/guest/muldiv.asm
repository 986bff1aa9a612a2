; muldiv.asm - mul, imul (one-, two- and three-operand forms, imm8/imm16/32,
; memory), div and idiv for 8/16/32-bit (table gen/muldiv.inc; only CF/OF are
; checked after multiplication, no flags after division - the rest is
; undefined), then #DE: divide by zero and quotient overflow for div/idiv in
; every size, with registers left unchanged and EIP at the faulting divide.
%include "lib/pm32.inc"
%include "lib/table.inc"
main:
        RUN_TABLE muldiv

        ; ---- #DE ------------------------------------------------------
        mov eax, 0x1234
        xor ebx, ebx
        TRY
        div bl
        CATCH 0, NOERR, "div r8 by zero #DE"
        CHECK_EQ eax, 0x1234, "div r8 by zero leaves AX unchanged"

        mov eax, 0x12345678
        mov edx, 0x9abcdef0
        xor ecx, ecx
        TRY
        div cx
        CATCH 0, NOERR, "div r16 by zero #DE"
        CHECK_EQ edx, 0x9abcdef0, "div r16 by zero leaves DX unchanged"

        mov eax, 5
        xor edx, edx
        mov dword [RES], 0
        TRY
        div dword [RES]
        CATCH 0, NOERR, "div m32 by zero #DE"
        CHECK_EQ eax, 5, "div m32 by zero leaves EAX unchanged"

        mov eax, 0x1000
        mov bl, 0x10
        TRY
        div bl                          ; 0x1000/0x10 = 0x100 > 0xFF
        CATCH 0, NOERR, "div r8 quotient overflow #DE"

        mov edx, 1
        mov eax, 0
        mov ebx, 1
        TRY
        div ebx                         ; 2^32 / 1
        CATCH 0, NOERR, "div r32 quotient overflow #DE"
        CHECK_EQ edx, 1, "div overflow leaves EDX unchanged"
        CHECK_EQ eax, 0, "div overflow leaves EAX unchanged"

        mov edx, 0x0000ffff
        mov eax, 0x00000000
        mov ecx, 0x0000ffff
        TRY
        div cx                          ; 0xffff0000 / 0xffff = 0x10001
        CATCH 0, NOERR, "div r16 quotient overflow #DE"

        mov eax, 0xff80                 ; -128
        mov bl, 0xff                    ; -1
        TRY
        idiv bl
        CATCH 0, NOERR, "idiv r8 -128/-1 overflow #DE"
        CHECK_EQ eax, 0xff80, "idiv overflow leaves AX unchanged"

        mov edx, 0xffff
        mov eax, 0x8000
        mov ebx, 0xffff
        TRY
        idiv bx
        CATCH 0, NOERR, "idiv r16 -32768/-1 overflow #DE"

        mov edx, 0xffffffff
        mov eax, 0x80000000
        mov ebx, 0xffffffff
        TRY
        idiv ebx
        CATCH 0, NOERR, "idiv r32 -2^31/-1 overflow #DE"

        mov edx, 0
        mov eax, 0x80000000             ; +2^31 / 1 does not fit a signed quotient
        mov ebx, 1
        TRY
        idiv ebx
        CATCH 0, NOERR, "idiv r32 +2^31/1 overflow #DE"

        mov eax, 0x3000                 ; 0x3000 / -0x60 = -0x80 fits
        mov bl, 0xa0
        TRY
        idiv bl
        NO_EXC "idiv r8 12288/-96 = -128 fits"
        CHECK_EQ eax, 0x0080, "idiv r8 12288/-96 result"

        mov eax, 0x3000                 ; 0x3000 / 0x60 = 0x80 does not fit
        mov bl, 0x60
        TRY
        idiv bl
        CATCH 0, NOERR, "idiv r8 12288/96 = +128 overflow #DE"

        xor edx, edx
        mov eax, 7
        xor ebx, ebx
        TRY
        idiv ebx
        CATCH 0, NOERR, "idiv r32 by zero #DE"
        FINISH
%include "gen/muldiv.inc"
END_IMAGE
