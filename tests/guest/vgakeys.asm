; vgakeys.asm - the text pattern of vgashow.inc with "KEYS?" in the top
; left corner (attribute 0x0F), shown once the keyboard speaks raw set 2
; (translation off); then every scancode byte is echoed on COM1 as two hex
; digits and a space, until the break of Escape (F0 76). pcvm-sdl's test
; mode injects keys when it sees the marker.
%include "vgashow.inc"
main:
        call show_text
        ; command byte: translation off, IRQs off (polled)
.drain: in al, 0x64
        test al, 1
        jz .cmd
        in al, 0x60
        jmp .drain
.cmd:   mov al, 0x20
        out 0x64, al
.w1:    in al, 0x64
        test al, 1
        jz .w1
        in al, 0x60
        and al, ~0x43
        mov bl, al
        mov al, 0x60
        out 0x64, al
        mov al, bl
        out 0x60, al
        ; the marker
        mov esi, marker
        xor ecx, ecx
.m:     mov al, [esi + ecx]
        mov ah, 0x0f
        mov [0xb8000 + ecx * 2], ax
        inc ecx
        cmp ecx, 5
        jb .m
        xor ebx, ebx                    ; previous byte
.key:   in al, 0x64
        test al, 1
        jz .key
        in al, 0x60
        movzx eax, al
        push eax
        call kputhex
        pop eax
        cmp bl, 0xf0
        mov bl, al
        jne .key
        cmp al, 0x76
        jne .key
        mov al, 13
        call kputc
        mov al, 10
        call kputc
        PASS "Escape released"
        FINISH
marker: db "KEYS?"

kputc:   push edx
        push eax
        mov dx, 0x3fd
.t:     in al, dx
        test al, 0x20
        jz .t
        pop eax
        mov dx, 0x3f8
        out dx, al
        pop edx
        ret
kputhex: mov eax, [esp + 4]
        push eax
        shr eax, 4
        call .nib
        pop eax
        call .nib
        mov al, ' '
        jmp kputc
.nib:   and eax, 15
        mov al, [hexdig + eax]
        jmp kputc
hexdig: db "0123456789abcdef"
        END_IMAGE
