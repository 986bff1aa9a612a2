; bios.rom.asm - 64 KiB firmware image run with -bios: executes from the
; reset vector (F000:FFF0, CS base 0xFFFF0000) and runs real-mode checks
; directly from ROM: reset register state (EDX = processor signature,
; CR0 = 0x60000010, EFLAGS = 2, DR6/DR7, segment registers), ROM mirrored
; at 0xF0000 and read-only, RAM below 640 KiB, IVT exception delivery with
; handlers in the ROM segment, int/iret, far calls between RAM and ROM,
; BCD and 16-bit arithmetic in real mode.
        bits 16
        org 0
%define ROM
%define NO_RM_SWITCH
%define RP rm_
%include "lib/report.inc"
%include "lib/exc.inc"
%include "lib/realmode.inc"
R_EAX   equ 0x700               ; registers as found at reset
R_EDX   equ 0x704
R_CR0   equ 0x708
R_FL    equ 0x70C
R_DR6   equ 0x710
R_DR7   equ 0x714
R_CS    equ 0x718
R_SEGS  equ 0x71C               ; ds es ss fs gs (words)
R_ESP   equ 0x728
rom_start:
        ; DS is 0 at reset: save the reset state in RAM first
        mov [R_EAX], eax
        mov [R_EDX], edx
        pushfd                          ; uses SS:SP = 0:0 -> wraps to 0:FFFC
        pop dword [R_FL]
        mov eax, cr0
        mov [R_CR0], eax
        mov eax, dr6
        mov [R_DR6], eax
        mov eax, dr7
        mov [R_DR7], eax
        mov [R_ESP], esp
        mov ax, cs
        mov [R_CS], ax
        mov [R_SEGS], ds
        mov [R_SEGS + 2], es
        mov [R_SEGS + 4], ss
        mov [R_SEGS + 6], fs
        mov [R_SEGS + 8], gs
        cli
        cld
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, RM_STACK
        ; clear the variable area (keep the saved reset state at 0x700+)
        mov di, 0x500
        mov cx, 0x100
        xor ax, ax
        rep stosw
        lidt [cs:ivt_desc]
        RM_INSTALL_IVT
        PASS "reached the ROM from the reset vector"
        ; ---- reset state --------------------------------------------------
        CHECK_EQ [R_EAX], 0, "reset: EAX = 0 (BIST passed / not run)"
        mov eax, 1
        cpuid
        and eax, 0x0fff3fff
        CHECK_EQ [R_EDX], eax, "reset: EDX = processor signature (CPUID.1:EAX)"
        CHECK_EQ [R_CR0], 0x60000010, "reset: CR0 = 0x60000010"
        CHECK_MASK [R_FL], 2, 0xffffffff, "reset: EFLAGS = 2"
        CHECK_EQ [R_DR6], 0xffff0ff0, "reset: DR6 = 0xFFFF0FF0"
        CHECK_EQ [R_DR7], 0x400, "reset: DR7 = 0x400"
        CHECK_MASK [R_ESP], 0, 0xffffffff, "reset: ESP = 0"
        CHECK_MASK [R_CS], 0xf000, 0xffff, "CS = 0xF000 after the far jump"
        CHECK_MASK [R_SEGS], 0, 0xffffffff, "reset: DS = ES = 0"
        CHECK_MASK [R_SEGS + 4], 0, 0xffffffff, "reset: SS = FS = 0"
        CHECK_MASK [R_SEGS + 8], 0, 0xffff, "reset: GS = 0"
        ; ---- ROM / RAM ------------------------------------------------------
        mov ax, 0xf000
        mov es, ax
        mov eax, [es:rom_marker]
        CHECK_EQ eax, 0x4d4f5250, "ROM mirrored at 0xF0000 (marker)"
        mov dword [es:rom_marker], 0x12345678
        mov eax, [es:rom_marker]
        CHECK_EQ eax, 0x4d4f5250, "writes to the ROM are ignored"
        mov eax, [es:0xfff0]
        CHECK_MASK eax, 0xea, 0xff, "reset vector holds a far jmp"
        xor ax, ax
        mov es, ax
        mov ax, 0x9000
        mov es, ax
        mov dword [es:0xf000], 0xa5a55a5a       ; linear 0x9F000
        mov eax, [es:0xf000]
        CHECK_EQ eax, 0xa5a55a5a, "RAM at 0x9F000"
        xor ax, ax
        mov es, ax
        ; ---- int / iret / exceptions with handlers in ROM --------------------
        mov word [0x50 * 4], int50
        mov word [0x50 * 4 + 2], cs
        mov sp, RM_STACK
        int 0x50
.ai:    CHECK_EQ [RES], .ai, "int 0x50: pushed IP"
        CHECK_EQ [RES + 4], 0xf000, "int 0x50: pushed CS = 0xF000"
        CHECK_EQ eax, 0x5050, "int 0x50 handler ran in ROM"
        xor cx, cx
        mov ax, 5
        TRY
        div cl
        CATCH 0, NOERR, "#DE through the IVT to a ROM handler"
        CHECK_EQ [exc_cs], 0xf000, "#DE pushed CS = 0xF000"
        TRY
        db 0x0f, 0x0b
        CATCH 6, NOERR, "#UD through the IVT"
        ; far call from ROM to RAM and back
        mov byte [0x4000], 0xb8         ; mov ax, 0x4242
        mov word [0x4001], 0x4242
        mov byte [0x4003], 0xcb         ; retf
        xor ax, ax
        call 0x0400:0x0000
        movzx eax, ax
        CHECK_EQ eax, 0x4242, "far call into RAM (0400:0000) and retf to ROM"
        ; ---- arithmetic in real mode -------------------------------------------
        mov ax, 0x0019
        add al, 0x28
        daa
        movzx eax, ax
        CHECK_EQ eax, 0x47, "daa 19+28 = 47"
        mov ax, 0x0105
        aad
        movzx eax, ax
        CHECK_EQ eax, 15, "aad 01 05 = 15"
        mov ax, 0xfff0
        mov bx, 0x0020
        add ax, bx
        CHECK_FLAGS F_CF|F_ZF|F_SF|F_OF, F_CF, "add 16-bit carry"
        mov ax, 300
        mov bl, 7
        div bl
        movzx eax, ax
        CHECK_EQ eax, (300 % 7) << 8 | (300 / 7), "div 300/7 (AH=rem, AL=quot)"
        mov eax, 0x12345678
        bswap eax
        CHECK_EQ eax, 0x78563412, "bswap in real mode"
        FINISH

int50:  mov bp, sp
        movzx eax, word [bp]
        mov [RES], eax
        movzx eax, word [bp + 2]
        mov [RES + 4], eax
        mov eax, 0x5050
        iret

        align 4
ivt_desc: dw 0x3ff
        dd 0
rom_marker: db "PROM"
        RM_LIB

        times 0xfff0 - ($ - $$) db 0xff
reset_vector:
        jmp 0xf000:rom_start
        times 0x10000 - ($ - $$) db 0xff
