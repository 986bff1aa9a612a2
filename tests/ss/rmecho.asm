; rmecho.asm - a 64 KiB firmware image (-bios) that stays in real mode,
; for saved-state checks under HM where KVM runs real mode only: it echoes
; each byte read from COM1 and folds it into a running sum kept only in a
; register (EBX = EBX * 31 + byte) and a count kept only in RAM (in a
; segment of its own); on 'q' it prints both and exits through
; isa-debug-exit (status 1). A restore that loses a register, RAM or the
; segment state changes the last line.
        bits 16
        org 0
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
        mov si, prompt
        call puts
.loop:  call getc
        cmp al, 'q'
        je .quit
        call putc
        movzx eax, al
        imul ebx, ebx, 31
        add ebx, eax
        inc dword [0x10]
        jmp .loop
.quit:  mov si, s_sum
        call puts
        mov eax, ebx
        call puthex
        mov si, s_count
        call puts
        mov eax, [0x10]
        call puthex
        mov al, 10
        call putc
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

putc:   push ax
        mov dx, 0x3fd
.w:     in al, dx
        test al, 0x20                   ; THR empty
        jz .w
        pop ax
        mov dx, 0x3f8
        out dx, al
        ret

puts:   mov al, [cs:si]                 ; strings live in the ROM
        test al, al
        jz .done
        call putc
        inc si
        jmp puts
.done:  ret

puthex: mov cx, 8
.d:     rol eax, 4
        push eax
        and al, 15
        add al, '0'
        cmp al, '9'
        jbe .p
        add al, 'a' - '0' - 10
.p:     call putc
        pop eax
        loop .d
        ret

prompt: db "rmecho> ", 0
s_sum:  db 10, "sum ", 0
s_count: db " count ", 0

        times 0xfff0 - ($ - $$) db 0xff
        jmp 0xf000:rom_start
        times 0x10000 - ($ - $$) db 0xff
