; alu.asm - add/adc/sub/sbb/and/or/xor/cmp/test/inc/dec/neg/not, 8/16/32-bit,
; register, immediate (imm8 sign-extended) and memory forms, high-byte
; registers.  Data in gen/alu.inc (gen_tables.py, expected values from the
; host CPU; AF is not checked after logical ops, where it is undefined).
%include "lib/pm32.inc"
%include "lib/table.inc"
main:
        RUN_TABLE alu
        FINISH
%include "gen/alu.inc"
END_IMAGE
