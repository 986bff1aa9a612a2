; pcvm demo guest for `make run`: a Multiboot kernel that reports what the
; loader handed it and draws a Mandelbrot set in fixed-point integer
; arithmetic on COM1, then powers off through isa-debug-exit.
; Build: nasm -f bin -o demo.bin tests/guest/demo/demo.asm
bits 32
org 0x100000

MB_MAGIC equ 0x1badb002
MB_FLAGS equ 0x00010003
hdr:
    dd MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
    dd hdr, hdr, load_end, bss_end, start

start:
    mov esp, stack_top
    mov [mbinfo], ebx
    mov esi, banner
    call puts
    mov ebx, [mbinfo]
    mov esi, s_mem
    call puts
    mov eax, [ebx + 8]          ; mem_upper in KiB
    shr eax, 10
    add eax, 1
    call putdec
    mov esi, s_mib
    call puts
    test dword [ebx], 4         ; command line present?
    jz .nocmd
    mov esi, s_cmd
    call puts
    mov esi, [ebx + 16]
    call puts
    mov al, 10
    call putc
.nocmd:
    call mandel
    mov esi, bye
    call puts
    mov al, 0
    out 0xf4, al                ; isa-debug-exit: status 1
.halt:
    cli
    hlt
    jmp .halt

; Fixed point with 12 fractional bits. x from -2.0 to 0.6, y from -1.2 to 1.2.
mandel:
    mov dword [cy], -4915       ; -1.2 * 4096
.row:
    mov dword [cx_], -8192      ; -2.0 * 4096
.col:
    xor esi, esi                ; zx
    xor edi, edi                ; zy
    mov ecx, 32                 ; iterations
.iter:
    mov eax, esi
    imul eax, eax
    sar eax, 12                 ; zx^2
    mov ebx, edi
    imul ebx, ebx
    sar ebx, 12                 ; zy^2
    lea edx, [eax + ebx]
    cmp edx, 4 * 4096
    jg .escaped
    sub eax, ebx
    add eax, [cx_]              ; new zx
    imul edi, esi
    sar edi, 11                 ; 2 * zx * zy
    add edi, [cy]
    mov esi, eax
    loop .iter
.escaped:
    mov al, [palette + ecx]
    call putc
    add dword [cx_], 142        ; 2.6 / 75 columns
    cmp dword [cx_], 2458
    jl .col
    mov al, 10
    call putc
    add dword [cy], 410         ; 2.4 / 24 rows
    cmp dword [cy], 4915
    jl .row
    ret

putc:
    push edx
    push eax
    mov dx, 0x3fd
.wait:
    in al, dx
    test al, 0x20
    jz .wait
    pop eax
    mov dx, 0x3f8
    out dx, al
    pop edx
    ret

puts:
    lodsb
    test al, al
    jz .done
    call putc
    jmp puts
.done:
    ret

putdec:                         ; eax unsigned
    push ebx
    push ecx
    push edx
    mov ebx, 10
    xor ecx, ecx
.div:
    xor edx, edx
    div ebx
    push edx
    inc ecx
    test eax, eax
    jnz .div
.out:
    pop eax
    add al, '0'
    call putc
    loop .out
    pop edx
    pop ecx
    pop ebx
    ret

banner: db 10, "pcvm demo guest: Multiboot kernel running on the IEM interpreter", 10, 0
s_mem:  db "memory: ", 0
s_mib:  db " MiB", 10, 0
s_cmd:  db "command line: ", 0
bye:    db "demo done; powering off", 10, 0
palette: db "@%#*+=-:..                        "
load_end:

section .bss
mbinfo: resd 1
cx_:    resd 1
cy:     resd 1
        resb 4096
stack_top:
bss_end:
