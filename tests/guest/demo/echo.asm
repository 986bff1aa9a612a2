; Echo guest: copies COM1 input to COM1 output (polling LSR.DR) until it
; reads 'q', then exits through isa-debug-exit with status 1. Used by the
; unit tests of UART input and of the terminal's Ctrl-A escapes.
bits 32
org 0x100000

MB_MAGIC equ 0x1badb002
MB_FLAGS equ 0x00010000
hdr:
    dd MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
    dd hdr, hdr, end, end, start

start:
    mov esi, prompt
.p: lodsb
    test al, al
    jz .loop
    call putc
    jmp .p
.loop:
    mov dx, 0x3fd
.wait:
    in al, dx
    test al, 1                  ; data ready
    jz .wait
    mov dx, 0x3f8
    in al, dx
    cmp al, 'q'
    je .quit
    call putc
    jmp .loop
.quit:
    mov al, 0
    out 0xf4, al
.halt:
    cli
    hlt
    jmp .halt

putc:
    push eax
    mov dx, 0x3fd
.w: in al, dx
    test al, 0x20
    jz .w
    pop eax
    mov dx, 0x3f8
    out dx, al
    ret

prompt: db "echo> ", 0
end:
