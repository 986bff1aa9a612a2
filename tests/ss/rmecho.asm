; rmecho.asm - a 64 KiB firmware image (-bios) that stays in real mode,
; for saved-state checks under HM where KVM runs real mode only: it echoes
; each byte read from COM1 and folds it into a running sum kept only in a
; register (EBX = EBX * 31 + byte) and a count kept only in RAM (in a
; segment of its own); on 'q' it prints both and exits through
; isa-debug-exit (status 1). A restore that loses a register, RAM or the
; segment state changes the last line.
        bits 16
        org 0
%include "lib/report.inc"
DATA    equ 0x3000                      ; DS: the count at DATA:0x10
rom_start:
        cli
        cld
        mov ax, 0x2000
        mov ss, ax
        mov sp, 0xfff0
        mov ax, DATA
        mov ds, ax
        mov dword [0x10], 0
        mov ebx, 0x811c9dc5
        mov esi, prompt
        call rm_puts
.loop:  call getc
        cmp al, 'q'
        je .quit
        call rm_putc
        movzx eax, al
        imul ebx, ebx, 31
        add ebx, eax
        inc dword [0x10]
        jmp .loop
.quit:  mov esi, s_sum
        call rm_puts
        mov eax, ebx
        call rm_puthex
        mov esi, s_count
        call rm_puts
        mov eax, [0x10]
        call rm_puthex
        mov al, 10
        call rm_putc
        mov al, 0
        out 0xf4, al
.halt:  hlt
        jmp .halt

getc:   mov dx, 0x3fd
.w:     in al, dx
        test al, 1                      ; data ready
        jz .w
        mov dx, 0x3f8
        in al, dx
        ret

        REPORT_ROUTINES rm_             ; rm_putc, rm_puts (CS:ESI), rm_puthex

prompt: db "rmecho> ", 0
s_sum:  db 10, "sum ", 0
s_count: db " count ", 0

        times 0xfff0 - ($ - $$) db 0xff
        jmp 0xf000:rom_start
        times 0x10000 - ($ - $$) db 0xff
