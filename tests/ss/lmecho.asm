; lmecho.asm - a Multiboot kernel (a.out kludge, loaded at 1 MiB) that goes
; from the loader's 32-bit entry straight to 64-bit long mode and echoes
; COM1 there, for saved-state checks under HM on hosts whose KVM runs
; only 64-bit code (kvm-pvm), where the echo loop runs in KVM while real
; and 32-bit code runs in IEM.
; Each byte read is echoed and folded into state of four kinds, each
; kept in one place only:
;   R12            sum = sum * 31 + byte       (general registers)
;   [FS:0x10]      count of bytes              (RAM, through the FS base)
;   XMM3           bytes summed, low qword     (FPU/SSE state)
;   KERNEL_GS_BASE k = k * 3 + byte            (MSR state)
; On 'q' it prints all four and exits through isa-debug-exit (status 1):
; a restore that loses any of them changes the last line.
        bits 32
        org 0x100000

MB_MAGIC equ 0x1badb002
MB_FLAGS equ 0x00010000
MSR_EFER equ 0xc0000080
MSR_FS_BASE equ 0xc0000100
MSR_KGS equ 0xc0000102
COM1 equ 0x3f8

hdr:    dd MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
        dd hdr, hdr, image_end, bss_end, start32

start32:
        cli
        lgdt [gdtr]
        mov eax, cr4
        or eax, 0x620                   ; PAE, OSFXSR, OSXMMEXCPT
        mov cr4, eax
        mov eax, pml4
        mov cr3, eax
        mov ecx, MSR_EFER
        rdmsr
        or eax, 0x100                   ; LME
        wrmsr
        mov eax, cr0
        and eax, ~0x4                   ; EM off: SSE
        or eax, 0x80000003              ; PG, MP, PE
        mov cr0, eax
        jmp 0x08:start64

        bits 64
start64:
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov rsp, stack_top
        mov ecx, MSR_FS_BASE
        mov eax, data_area
        xor edx, edx
        wrmsr
        mov ecx, MSR_KGS
        mov eax, 0x1234
        wrmsr
        mov qword [fs:0x10], 0
        mov r12, 0xcbf29ce484222325
        pxor xmm3, xmm3
        lea rsi, [rel prompt]
        call puts
.loop:  call getc
        cmp al, 'q'
        je .quit
        call putc
        movzx r13d, al
        imul r12, r12, 31
        add r12, r13
        inc qword [fs:0x10]
        movq xmm1, r13
        paddq xmm3, xmm1
        mov ecx, MSR_KGS
        rdmsr
        shl rdx, 32
        or rax, rdx
        lea rax, [rax + rax * 2]
        add rax, r13
        mov rdx, rax
        shr rdx, 32
        wrmsr
        jmp .loop
.quit:  lea rsi, [rel s_sum]
        call puts
        mov rax, r12
        call puthex
        lea rsi, [rel s_count]
        call puts
        mov rax, [fs:0x10]
        call puthex
        lea rsi, [rel s_xmm]
        call puts
        movq rax, xmm3
        call puthex
        lea rsi, [rel s_kgs]
        call puts
        mov ecx, MSR_KGS
        rdmsr
        shl rdx, 32
        or rax, rdx
        call puthex
        mov al, 10
        call putc
        mov al, 0
        out 0xf4, al
.halt:  hlt
        jmp .halt

getc:   mov dx, COM1 + 5
.w:     in al, dx
        test al, 1                      ; data ready
        jz .w
        mov dx, COM1
        in al, dx
        ret

putc:   push rdx
        push rax
        mov dx, COM1 + 5
.w:     in al, dx
        test al, 0x20                   ; THR empty
        jz .w
        pop rax
        mov dx, COM1
        out dx, al
        pop rdx
        ret

puts:   lodsb                           ; RSI: a 0-terminated string
        test al, al
        jz .e
        call putc
        jmp puts
.e:     ret

puthex: mov rbx, rax                    ; RAX as 16 hex digits
        mov ecx, 16
.d:     rol rbx, 4
        mov al, bl
        and al, 15
        add al, '0'
        cmp al, '9'
        jbe .p
        add al, 'a' - '9' - 1
.p:     call putc
        loop .d
        ret

prompt: db "lmecho> ", 0
s_sum:  db 10, "sum ", 0
s_count: db " count ", 0
s_xmm:  db " xmm ", 0
s_kgs:  db " kgs ", 0

        align 8
gdt:    dq 0
        dq 0x00209a0000000000           ; 0x08: 64-bit code, DPL 0
        dq 0x00cf92000000ffff           ; 0x10: flat data
gdtr:   dw $ - gdt - 1
        dd gdt

        align 4096
pml4:   dq pdpt + 3
        times 511 dq 0
pdpt:   dq pd + 3
        times 511 dq 0
pd:                                     ; 0 - 1 GiB, 2 MiB pages, identity
%assign i 0
%rep 512
        dq (i << 21) | 0x83
%assign i i + 1
%endrep
image_end:

        absolute image_end
data_area: resb 4096
        resb 4096
stack_top:
bss_end:
