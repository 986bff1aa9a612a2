; vga13h.asm - draws the 13h pattern of vgashow.inc and exits; the display
; test compares pcvm's --screenshot with the pattern it computes.
%include "vgashow.inc"
main:
        call show_13h
        PASS "drew the 13h pattern"
        FINISH
        END_IMAGE
