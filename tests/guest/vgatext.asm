; vgatext.asm - draws the text pattern of vgashow.inc and exits; the display
; test compares pcvm's --screenshot with the pattern it computes.
%include "vgashow.inc"
main:
        call show_text
        PASS "drew the text pattern"
        FINISH
        END_IMAGE
