; bcd.asm - daa/das/aaa/aas/aam/aad (incl. non-decimal bases 16 and 7 as
; immediate operands), gen/bcd.inc computed from the Intel SDM pseudocode
; (these opcodes do not exist in 64-bit mode).  Only defined flags are
; checked: daa/das CF AF SF ZF PF, aaa/aas CF AF, aam/aad SF ZF PF.
; aam 0 raises #DE.
%include "lib/pm32.inc"
%include "lib/table.inc"
main:
        RUN_TABLE bcd
        mov eax, 0x1234
        TRY
        aam 0
        CATCH 0, NOERR, "aam 0 raises #DE"
        CHECK_EQ eax, 0x1234, "aam 0 leaves AX unchanged"
        mov eax, 0x0102
        aad 0
        CHECK_EQ eax, 0x0002, "aad 0: AL = AL + AH*0, AH = 0"
        FINISH
%include "gen/bcd.inc"
END_IMAGE
