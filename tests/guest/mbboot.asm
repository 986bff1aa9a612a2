; mbboot.asm - a boot sector that starts the Multiboot kernel (a.out
; kludge, as pm32.inc builds them) stored behind it on the same disk, so
; the firmware (SeaBIOS) can boot the test kernels from a disk image
; (tests/guest/mkboot.py multiboot). It reads 127 sectors from LBA 1 to
; 0x10000 with INT 13h AH=42h, enables A20, enters flat 32-bit protected
; mode, copies the image to the header's load address, clears the BSS
; and jumps to the entry with EAX = 0x2BADB002 and EBX -> an empty
; Multiboot information block (flags 0), as a Multiboot loader does.
        bits 16
        org 0x7C00
LOAD    equ 0x10000
MBI     equ 0x9000

start:  jmp 0:.go
.go:    cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x7C00
        sti
        mov si, dap
        mov ah, 0x42
        int 0x13
        jc fail
        in al, 0x92                     ; fast A20
        or al, 2
        and al, 0xFE
        out 0x92, al
        cli
        lgdt [gdt_desc]
        mov eax, cr0
        or al, 1
        mov cr0, eax
        jmp 0x08:pm

fail:   mov si, msg
.put:   lodsb
        test al, al
        jz .exit
        mov dx, 0x3F8
        out dx, al
        jmp .put
.exit:  mov al, 1
        out 0xF4, al
        cli
        hlt
        jmp .exit

        bits 32
pm:     mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, 0x7C00
        mov esi, LOAD                   ; the header: in the first 8 KiB, dword aligned
.find:  mov eax, [esi]
        cmp eax, 0x1BADB002
        jne .next
        add eax, [esi + 4]
        add eax, [esi + 8]
        jz .found
.next:  add esi, 4
        cmp esi, LOAD + 8192
        jb .find
        jmp fail32
.found: test byte [esi + 6], 1          ; flags bit 16: the address fields are valid
        jz fail32
        mov eax, esi                    ; file offset of load_addr:
        sub eax, LOAD                   ;   header offset - (header_addr - load_addr)
        sub eax, [esi + 12]
        add eax, [esi + 16]
        mov edi, [esi + 16]
        mov ecx, [esi + 20]             ; load_end_addr
        sub ecx, edi
        mov edx, [esi + 24]             ; bss_end_addr
        mov ebp, [esi + 28]             ; entry_addr
        lea esi, [eax + LOAD]
        rep movsb
        mov ecx, edx
        sub ecx, edi
        jbe .nobss
        xor eax, eax
        rep stosb
.nobss: mov dword [MBI], 0
        mov ebx, MBI
        mov eax, 0x2BADB002
        jmp ebp

fail32: jmp 0x18:.rm16                  ; back to real mode for the message
        bits 16
.rm16:  mov eax, cr0
        and al, 0xFE
        mov cr0, eax
        jmp 0:.rm
.rm:    xor ax, ax
        mov ds, ax
        jmp fail

msg:    db "FAIL: mbboot: cannot load the Multiboot kernel", 13, 10, 0
        align 8
gdt:    dq 0
        dq 0x00CF9A000000FFFF           ; 0x08: code, flat 32-bit
        dq 0x00CF92000000FFFF           ; 0x10: data, flat
        dq 0x00009A000000FFFF           ; 0x18: code, 16-bit, 64 KiB
gdt_desc:
        dw gdt_desc - gdt - 1
        dd gdt
dap:    db 0x10, 0
        dw 127
        dw 0, LOAD >> 4
        dq 1
        times 510 - ($ - $$) db 0
        dw 0xAA55
