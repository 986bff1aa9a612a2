; fwcfg.asm - QEMU's fw_cfg (selector 0x510, data 0x511): the "QEMU"
; signature, the ID's traditional-interface bit, NB_CPUS, MAX_CPUS,
; RAM_SIZE (run with -m 64), the file directory (big-endian count, size,
; select, name) holding "etc/e820" and "bootorder", and the first e820
; entry: RAM (type 1) at address 0.
%include "lib/pm32.inc"
NAME        equ RES + 0x40              ; 56-byte file name buffer
E820_SEL    equ RES + 0x10
E820_SIZE   equ RES + 0x14
HAVE_BOOT   equ RES + 0x18
E820_BUF    equ RES + 0x80

%macro SELECT 1
        mov ax, %1
        mov dx, 0x510
        out dx, ax
%endmacro

main:
        SELECT 0
        call rd32le
        CHECK_EQ eax, 0x554D4551, "signature 'QEMU'"
        SELECT 1
        call rd32le
        CHECK_MASK eax, 1, 1, "ID: traditional interface"
        SELECT 5
        call rd16le
        CHECK_EQ eax, 1, "NB_CPUS = 1"
        SELECT 0x0f
        call rd16le
        CHECK_EQ eax, 1, "MAX_CPUS = 1"
        SELECT 3
        call rd32le
        mov ebx, eax
        call rd32le
        CHECK_EQ ebx, 64 << 20, "RAM_SIZE = 64 MiB (low half)"
        CHECK_EQ eax, 0, "RAM_SIZE high half"
        ; file directory
        SELECT 0x19
        call rd32be
        mov esi, eax
        cmp esi, 2
        setae al
        movzx eax, al
        CHECK_EQ eax, 1, "file directory: at least two files"
        mov dword [E820_SEL], 0
        mov dword [HAVE_BOOT], 0
.next:  test esi, esi
        jz .done
        dec esi
        call rd32be
        mov ebx, eax                    ; size
        call rd16be
        mov ebp, eax                    ; select
        call rd16be                     ; reserved
        mov edi, NAME
        mov ecx, 56
.nm:    mov dx, 0x511
        in al, dx
        stosb
        loop .nm
        mov edi, NAME
        push esi
        mov esi, s_e820
        mov ecx, 9
        repe cmpsb
        pop esi
        jne .notE
        mov [E820_SEL], ebp
        mov [E820_SIZE], ebx
.notE:  mov edi, NAME
        push esi
        mov esi, s_boot
        mov ecx, 10
        repe cmpsb
        pop esi
        jne .next
        mov dword [HAVE_BOOT], 1
        jmp .next
.done:  mov eax, [E820_SEL]
        cmp eax, 0x20
        setae al
        movzx eax, al
        CHECK_EQ eax, 1, "etc/e820 listed with a file select >= 0x20"
        CHECK_EQ [HAVE_BOOT], 1, "bootorder listed"
        mov eax, [E820_SIZE]
        xor edx, edx
        mov ecx, 20
        div ecx
        CHECK_EQ edx, 0, "etc/e820 size is a multiple of 20"
        ; first entry: RAM at 0
        mov ax, [E820_SEL]
        mov dx, 0x510
        out dx, ax
        mov edi, E820_BUF
        mov ecx, 20
        mov dx, 0x511
        rep insb
        CHECK_EQ [E820_BUF], 0, "e820[0] address 0"
        mov eax, [E820_BUF + 8]
        cmp eax, 0x9F000
        setae al
        movzx eax, al
        CHECK_EQ eax, 1, "e820[0] length covers low memory"
        CHECK_EQ [E820_BUF + 16], 1, "e820[0] type 1 (RAM)"
        FINISH

; eax = next bytes of the selected item
rd16le: push ecx
        push edx
        mov dx, 0x511
        in al, dx
        mov cl, al
        in al, dx
        mov ah, al
        mov al, cl
        movzx eax, ax
        pop edx
        pop ecx
        ret
rd32le: push ebx
        call rd16le
        mov ebx, eax
        call rd16le
        shl eax, 16
        or eax, ebx
        pop ebx
        ret
rd16be: call rd16le
        xchg al, ah
        ret
rd32be: call rd32le
        bswap eax
        ret
s_e820: db "etc/e820", 0
s_boot: db "bootorder", 0
END_IMAGE
