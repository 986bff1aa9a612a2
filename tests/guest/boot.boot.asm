; boot.boot.asm - a boot program the firmware (SeaBIOS) loads from a hard
; disk (MBR at 0:7C00) or from a CD (El Torito, no emulation). tests/guest/
; mkboot.py makes the images from it and writes the medium byte below:
; 'H' in the hard-disk image, 'C' in the CD image, 'N' in an image the
; firmware must not boot (the test's other medium, which -boot passes by).
; Checks, through the BIOS services the firmware and the VGA BIOS provide:
; the boot drive number in DL, INT 13h extensions (41h, 48h, 42h) reading
; a marker sector of the boot medium, INT 10h text output landing in VGA
; memory, the VGA display combination and the VBE controller info.
        bits 16
        org 0x7C00
%define NO_RM_SWITCH
%define RP rm_
%include "lib/report.inc"
%include "lib/exc.inc"
%include "lib/realmode.inc"

HD_SECTORS      equ 512         ; mkboot.py: the disk image is 256 KiB
HD_MARK_LBA     equ 100         ; dword j of the marker sector: 0xD15C0000 | j
CD_MARK_LBA     equ 40          ; dword j of the marker sector: 0xCD000000 | j
BUF             equ 0x9000

boot:   jmp 0:start             ; a CD boot enters at 07C0:0000
medium: db '?'                  ; patched by mkboot.py (offset 5)
drive:  db 0
start:  cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x7C00
        sti
        cld
        mov [drive], dl
        ; a CD boot loads the whole program; a disk boot only this sector
        cmp dword [image_end_mark], IMAGE_MARK
        je main
        mov si, dap_rest
        mov ah, 0x42
        int 0x13
        jc .dead
        cmp dword [image_end_mark], IMAGE_MARK
        je main
.dead:  mov si, msg_noload
.put:   lodsb
        test al, al
        jz .halt
        mov dx, COM1
        out dx, al
        jmp .put
.halt:  mov al, 1
        out EXIT_PORT, al
        cli
        hlt
        jmp .halt
msg_noload: db "FAIL: cannot load the rest of the boot program", 13, 10, 0
dap_rest:
        db 0x10, 0
        dw (image_end - boot) / 512 - 1 ; sectors 1..N, behind this one
        dw 0x7E00, 0
        dq 1
        times 510 - ($ - $$) db 0
        dw 0xAA55

main:
        cmp byte [medium], 'N'
        jne .ok
        FAILMSG "the firmware booted the medium -boot did not choose"
        FINISH
.ok:    PASS "booted by the firmware"
        movzx eax, byte [drive]
        cmp byte [medium], 'C'
        je .cd
        CHECK_EQ eax, 0x80, "boot drive DL: first hard disk"
        jmp .dl_done
.cd:    CHECK_EQ eax, 0xE0, "boot drive DL: first CD (no emulation)"
.dl_done:

        ; ---- INT 13h extensions --------------------------------------------
        mov ah, 0x41
        mov bx, 0x55AA
        mov dl, [drive]
        int 0x13
        sbb ecx, ecx
        CHECK_EQ ecx, 0, "INT 13h AH=41h: carry clear"
        movzx ebx, bx
        CHECK_EQ ebx, 0xAA55, "INT 13h AH=41h: extensions present"

        mov word [BUF], 0x1A
        mov si, BUF
        mov ah, 0x48
        mov dl, [drive]
        int 0x13
        sbb ecx, ecx
        CHECK_EQ ecx, 0, "INT 13h AH=48h: carry clear"
        movzx eax, word [BUF + 0x18]
        mov ebx, [BUF + 0x10]
        cmp byte [medium], 'C'
        je .cdp
        CHECK_EQ eax, 512, "INT 13h AH=48h: 512-byte sectors"
        CHECK_EQ ebx, HD_SECTORS, "INT 13h AH=48h: sector count"
        mov dword [dap_mark + 8], HD_MARK_LBA
        mov edx, 0xD15C0000
        mov ecx, 128
        jmp .read
.cdp:   CHECK_EQ eax, 2048, "INT 13h AH=48h: 2048-byte sectors"
        ; SeaBIOS reports removable media's size as unknown
        CHECK_EQ ebx, 0xFFFFFFFF, "INT 13h AH=48h: sector count of a CD: unknown"
        mov dword [dap_mark + 8], CD_MARK_LBA
        mov edx, 0xCD000000
        mov ecx, 512
.read:  push edx
        push ecx
        mov si, dap_mark
        mov ah, 0x42
        mov dl, [drive]
        int 0x13
        sbb eax, eax
        CHECK_EQ eax, 0, "INT 13h AH=42h: carry clear"
        pop ecx
        pop edx
        ; every dword of the marker sector, counting mismatches
        xor ebx, ebx
        xor esi, esi
.cmp:   lea eax, [edx + esi]
        cmp [BUF + esi * 4], eax
        je .same
        inc ebx
.same:  inc esi
        cmp esi, ecx
        jb .cmp
        CHECK_EQ ebx, 0, "INT 13h AH=42h: the marker sector's bytes"

        ; ---- VGA BIOS -------------------------------------------------------
        mov ax, 0x0003
        int 0x10
        mov si, msg_screen
.tty:   lodsb
        test al, al
        jz .tty_done
        mov ah, 0x0E
        mov bx, 0x0007
        int 0x10
        jmp .tty
.tty_done:
        push ds
        push word 0xB800
        pop ds
        mov eax, [0]
        mov ebx, [158]                  ; the last cell of row 0: blank
        pop ds
        CHECK_EQ eax, 0x07630770, "INT 10h AH=0Eh: text in VGA memory at B800:0"
        CHECK_EQ ebx, 0x07200720, "INT 10h AX=0003h: the screen is cleared"
        movzx eax, byte [0x449]
        CHECK_EQ eax, 3, "BDA video mode after AX=0003h"
        mov ax, 0x1A00
        int 0x10
        movzx eax, al
        movzx ebx, bl
        CHECK_EQ eax, 0x1A, "INT 10h AX=1A00h: supported"
        CHECK_EQ ebx, 0x08, "INT 10h AX=1A00h: VGA with colour display"
        mov ax, 0x4F00
        mov di, BUF
        int 0x10
        movzx eax, ax
        CHECK_EQ eax, 0x004F, "VBE AX=4F00h: succeeded"
        CHECK_EQ dword [BUF], 'VESA', "VBE AX=4F00h: VESA signature"
        FINISH

msg_screen: db "pcvm boot", 13, 10, 0
dap_mark:
        db 0x10, 0
        dw 1
        dw BUF, 0
        dq 0
        RM_LIB
        align 4
IMAGE_MARK equ 0x544F4F42       ; "BOOT"
image_end_mark: dd IMAGE_MARK
        align 512, db 0
image_end:
