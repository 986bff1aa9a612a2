; vgavbe.asm - draws the vbe pattern of vgashow.inc and exits; the display
; test compares pcvm's --screenshot with the pattern it computes.
%include "vgashow.inc"
main:
        call show_vbe
        PASS "drew the vbe pattern"
        FINISH
        END_IMAGE
