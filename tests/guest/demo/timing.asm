; Timing guest: prints values that depend on virtual time (TSC deltas, PIT
; counter 0 readings, the number of PIT interrupts taken while spinning)
; so that two runs under --icount can be compared byte for byte.
bits 32
org 0x100000

MB_MAGIC equ 0x1badb002
MB_FLAGS equ 0x00010000
hdr:
    dd MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
    dd hdr, hdr, end, bss_end, start

start:
    lgdt [gdtr]
    jmp 0x08:.flat
.flat:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov esp, stack_top
    lidt [idtr]
    ; PIC: vector base 0x20, only IRQ0 unmasked
    mov al, 0x11
    out 0x20, al
    mov al, 0x20
    out 0x21, al
    mov al, 4
    out 0x21, al
    mov al, 1
    out 0x21, al
    mov al, 0xfe
    out 0x21, al
    ; PIT counter 0: mode 2, divisor 1193 (about 1 kHz)
    mov al, 0x34
    out 0x43, al
    mov al, 1193 & 0xff
    out 0x40, al
    mov al, 1193 >> 8
    out 0x40, al
    sti
    mov ebx, 8                  ; eight samples, each after an IRQ0
.sample:
    rdtsc
    mov edi, eax
    hlt                         ; until the next PIT interrupt
    mov ecx, 5000
.spin:
    imul eax, eax, 3
    loop .spin
    rdtsc
    sub eax, edi
    call puthex                 ; TSC ticks for the spin
    mov al, ' '
    call putc
    mov al, 0                   ; latch counter 0
    out 0x43, al
    in al, 0x40
    mov ah, al
    in al, 0x40
    xchg al, ah
    call puthex                 ; counter 0 now
    mov al, ' '
    call putc
    mov eax, [ticks]
    call puthex                 ; IRQ0 count so far
    mov al, 10
    call putc
    dec ebx
    jnz .sample
    cli
    mov al, 0
    out 0xf4, al
.halt:
    hlt
    jmp .halt

irq0:
    inc dword [ticks]
    push eax
    mov al, 0x20
    out 0x20, al
    pop eax
    iretd

putc:
    push edx
    push eax
    mov dx, 0x3fd
.w: in al, dx
    test al, 0x20
    jz .w
    pop eax
    mov dx, 0x3f8
    out dx, al
    pop edx
    ret

puthex:                         ; eax
    push ecx
    push eax
    mov ecx, 8
.d: rol eax, 4
    push eax
    and al, 15
    add al, '0'
    cmp al, '9'
    jbe .p
    add al, 7
.p: call putc
    pop eax
    loop .d
    pop eax
    pop ecx
    ret

gdtr: dw 23
      dd gdt
align 8
gdt:  dq 0, 0x00cf9b000000ffff, 0x00cf93000000ffff
idtr: dw 256 * 8 - 1
      dd idt
align 8
idt:
%assign v 0
%rep 256
%if v == 0x20
    dw (irq0 - $$ + 0x100000) & 0xffff, 0x08, 0x8e00, (irq0 - $$ + 0x100000) >> 16
%else
    dw 0, 0, 0, 0
%endif
%assign v v + 1
%endrep
end:

section .bss
ticks: resd 1
    resb 4096
stack_top:
bss_end:
