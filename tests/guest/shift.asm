; shift.asm - shl/shr/sar/rol/ror/rcl/rcr (8/16/32, counts 0, 1, n, width,
; > width, 31, and counts masked to 5 bits: 32, 33), immediate and memory
; forms; shld/shrd (16/32) with count 0/1/n/masked.  Data in gen/shift.inc.
; Flags the SDM leaves undefined are not checked: AF after shifts, OF unless
; the masked count is 1, CF of shl/shr/sar when count >= operand width,
; and shld/shrd 16-bit with count > 16 (result undefined) are not generated.
%include "lib/pm32.inc"
%include "lib/table.inc"
main:
        RUN_TABLE shift
        FINISH
%include "gen/shift.inc"
END_IMAGE
