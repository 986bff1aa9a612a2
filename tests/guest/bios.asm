; bios.asm - what PC firmware leaves a Multiboot kernel and the real-mode
; services it keeps (run with -m 64): the IVT (vectors into F000, unused
; ones on an IRET), the BDA (COM1, equipment word, base memory, EBDA
; segment and its size byte, keyboard buffer), the PICs at 08h/70h with
; IRQ0 ticking 0040:006C through INT 08h and the BIOS's EOIs (IRQ8 from
; the RTC through INT 70h), then from real mode: INT 11h/12h, INT 15h
; E820 walked to the end (sorted, non-overlapping, RAM matching -m),
; E801/88h consistent with it, C0h, C1h, A20 2400-2403, an unknown
; function (CF=1 AH=86h), INT 16h with an empty buffer and a stored key,
; a key from the i8042 through IRQ1 and INT 09h,
; INT 1Ah ticks and RTC, INT 13h without drives, INT 10h AH=0Eh reaching
; COM1 (seen through the UART's loopback).
; On QEMU, INT 10h on a serial console needs an adapter (-device sga), which
; then hooks vectors 0Ah, 0Bh, 14h and 16h itself: verify with and without.
%define HAVE_BLOB
%define KEEP_FIRMWARE_PIC          ; the PIC state the BIOS left is under test
%include "lib/pm32.inc"
%include "lib/realmode.inc"

IVT_SAVE  equ 0x3000                    ; the IVT as the BIOS left it
E820_BUF  equ 0x3400                    ; the E820 entries, 24 bytes apart
E820_MAXN equ 128
RAM_MB    equ 64                        ; unittests.cfg runs this with -m 64
FLAG      equ RES + 0x10
SAVED70   equ RES + 0x14
T0        equ RES + 0x18
NENT      equ RES + 0x1C
RAMTOP    equ RES + 0x20                ; end of the E820 RAM that starts at 1 MiB
COUNT     equ RES + 0x24
SMAP      equ 0x534D4150

main:
        ; the real-mode library replaces vectors 0-31: keep the BIOS's
        mov esi, 0
        mov edi, IVT_SAVE
        mov ecx, 256
        rep movsd
        GO_REAL

        BLOB_BEGIN
rm_main:
        ; vectors 08h-1Fh back to the BIOS (0-7 keep the exception recorder)
        mov si, IVT_SAVE + 8 * 4
        mov di, 8 * 4
        mov cx, 24 * 2
        rep movsw

        ; ---- the IVT ----------------------------------------------------
        xor ebx, ebx
        xor dx, dx                      ; vectors outside F000
.ivt:   cmp ebx, 0x10                   ; INT 10h may be a video ROM's
        je .ivt_next
        cmp word [IVT_SAVE + ebx * 4 + 2], 0xF000
        je .ivt_next
        inc dx
.ivt_next:
        inc ebx
        cmp ebx, 0x1D
        jb .ivt
        mov ebx, 0x70
.ivt2:  cmp word [IVT_SAVE + ebx * 4 + 2], 0xF000
        je .ivt2_next
        inc dx
.ivt2_next:
        inc ebx
        cmp ebx, 0x78
        jb .ivt2
        movzx eax, dx
        CHECK_EQ eax, 0, "vectors 00h-1Ch (but 10h) and 70h-77h point into F000"
        ; unused vectors lead to an IRET
        mov ax, 0xF000
        mov es, ax
        xor dx, dx
        mov si, unused_vectors
.unused:
        movzx ebx, byte [si]
        mov di, [IVT_SAVE + ebx * 4]
        cmp word [IVT_SAVE + ebx * 4 + 2], 0xF000
        jne .bad_unused
        cmp byte [es:di], 0xCF
        je .unused_ok
.bad_unused:
        inc dx
.unused_ok:
        inc si
        cmp si, unused_vectors_end
        jb .unused
        movzx eax, dx
        CHECK_EQ eax, 0, "vectors 1Ch, 80h, FFh: an IRET in F000"
        ; the user vectors 60h-66h are free: 0000:0000
        xor eax, eax
        mov bx, 0x60 * 4
.user:  or eax, [IVT_SAVE + bx]
        add bx, 4
        cmp bx, 0x67 * 4
        jb .user
        CHECK_EQ eax, 0, "user vectors 60h-66h are 0000:0000"
        push word 0
        pop es

        ; ---- the BDA and the EBDA ---------------------------------------
        movzx eax, word [0x400]
        CHECK_EQ eax, 0x3F8, "BDA 0400h: COM1 at 3F8h"
        movzx eax, word [0x410]
        CHECK_MASK eax, 0x0200, 0x0200, "BDA 0410h: equipment word counts a serial port"
        CHECK_MASK eax, 0x0002, 0x0002, "BDA 0410h: equipment word has the x87"
        int 0x11
        movzx eax, ax
        movzx ebx, word [0x410]
        CHECK_EQ eax, ebx, "INT 11h returns the equipment word"
        movzx eax, word [0x413]
        cmp eax, 512
        setae bl
        cmp eax, 640
        setb bh
        and bl, bh
        movzx ebx, bl
        CHECK_EQ ebx, 1, "BDA 0413h: base memory between 512 and 639 KiB"
        mov ecx, eax
        shl ecx, 6
        movzx ebx, word [0x40E]
        CHECK_EQ ebx, ecx, "BDA 040Eh: the EBDA starts at the end of base memory"
        int 0x12
        movzx eax, ax
        movzx ebx, word [0x413]
        CHECK_EQ eax, ebx, "INT 12h returns the base memory size"
        mov ax, [0x40E]
        mov es, ax
        movzx eax, byte [es:0]
        mov ebx, 640
        sub bx, [0x413]
        CHECK_EQ eax, ebx, "EBDA byte 0: its size in KiB fills base memory to 640 KiB"
        push word 0
        pop es
        movzx eax, word [0x41A]
        movzx ebx, word [0x41C]
        CHECK_EQ eax, ebx, "keyboard buffer empty (head = tail)"
        movzx ebx, word [0x480]
        CHECK_EQ eax, ebx, "keyboard buffer head at its start"

        ; ---- PICs and the timer tick ------------------------------------
        in al, 0x21
        movzx eax, al
        CHECK_MASK eax, 0, 0x05, "IRQ0 and the cascade unmasked"
        mov eax, [0x46C]
        mov [T0], eax
        mov cx, 3
.tick:  sti
        hlt
        cli
        loop .tick
        mov eax, [0x46C]
        sub eax, [T0]
        cmp eax, 1
        setae al
        movzx eax, al
        CHECK_EQ eax, 1, "IRQ0 runs INT 08h, which counts 0040:006Ch"
        mov al, 0x0B
        out 0x20, al
        in al, 0x20
        movzx eax, al
        CHECK_EQ eax, 0, "INT 08h sent its EOI (master ISR clear)"
        mov ah, 0x00
        int 0x1A
        shl ecx, 16
        mov cx, dx
        mov [T0], ecx
        mov cx, 2
.tick2: sti
        hlt
        cli
        loop .tick2
        mov ah, 0x00
        int 0x1A
        CHECK_FLAGS F_CF, 0, "INT 1Ah AH=00h: CF=0"
        shl ecx, 16
        mov cx, dx
        sub ecx, [T0]
        cmp ecx, 1
        setae al
        movzx eax, al
        CHECK_EQ eax, 1, "INT 1Ah AH=00h: CX:DX advances with the ticks"

        ; IRQ8 (RTC periodic interrupt) arrives at INT 70h; the BIOS's
        ; handler, chained from ours, acknowledges the RTC and both PICs
        mov eax, [0x70 * 4]
        mov [SAVED70], eax
        mov word [0x70 * 4], rtc_hook
        mov word [0x70 * 4 + 2], 0
        mov byte [FLAG], 0
        mov al, 0x0C
        out 0x70, al
        in al, 0x71
        mov al, 0x0B
        out 0x70, al
        in al, 0x71
        or al, 0x40
        mov ah, al
        mov al, 0x0B
        out 0x70, al
        mov al, ah
        out 0x71, al
        in al, 0xA1
        and al, 0xFE
        out 0xA1, al
        in al, 0x21
        and al, 0xFB
        out 0x21, al
        mov cx, 20
.rtc:   sti
        hlt
        cli
        cmp byte [FLAG], 0
        loope .rtc
        in al, 0xA1
        or al, 0x01
        out 0xA1, al
        mov al, 0x0B
        out 0x70, al
        in al, 0x71
        and al, 0xBF
        mov ah, al
        mov al, 0x0B
        out 0x70, al
        mov al, ah
        out 0x71, al
        mov eax, [SAVED70]
        mov [0x70 * 4], eax
        movzx eax, byte [FLAG]
        CHECK_EQ eax, 1, "IRQ8 arrives at INT 70h (slave base 70h)"
        mov al, 0x0B
        out 0xA0, al
        in al, 0xA0
        mov ah, al
        mov al, 0x0B
        out 0x20, al
        in al, 0x20
        movzx eax, ax
        CHECK_EQ eax, 0, "INT 70h sent EOIs to slave and master"

        ; ---- INT 15h E820 -----------------------------------------------
        xor ebx, ebx
        mov di, E820_BUF
        mov dword [NENT], 0
        mov dword [COUNT], 0            ; failed calls
.e820:  mov eax, 0xE820
        mov edx, SMAP
        mov ecx, 24
        mov dword [di + 20], 1          ; ACPI 3.0 attributes: "valid" if not written
        int 0x15
        jc .e820_cf
        cmp eax, SMAP
        jne .e820_bad
        cmp ecx, 20
        jb .e820_bad
        inc dword [NENT]
        add di, 24
        test ebx, ebx
        jz .e820_done
        cmp dword [NENT], E820_MAXN
        jb .e820
.e820_bad:
.e820_cf:
        inc dword [COUNT]
.e820_done:
        CHECK_EQ [COUNT], 0, "E820: each call CF=0, EAX='SMAP', ECX>=20, up to EBX=0"
        mov eax, [NENT]
        cmp eax, 3
        setae al
        movzx eax, al
        CHECK_EQ eax, 1, "E820: at least 3 entries"
        ; sorted, not overlapping, non-empty, known types; RAM from 1 MiB
        xor edx, edx                    ; problems
        xor ebp, ebp                    ; previous end (low 32 bits: all below 4 GiB here)
        xor edi, edi                    ; previous end, high
        mov dword [RAMTOP], 0
        mov si, E820_BUF
        mov cx, [NENT]
.walk:  mov eax, [si]
        mov ebx, [si + 4]
        cmp ebx, edi                    ; base >= previous end
        ja .order_ok
        jb .order_bad
        cmp eax, ebp
        jae .order_ok
.order_bad:
        inc edx
.order_ok:
        mov eax, [si + 8]
        or eax, [si + 12]
        jnz .len_ok
        inc edx
.len_ok:
        mov eax, [si + 16]
        dec eax
        cmp eax, 5                      ; types 1-5 (ACPI 3.0: 1..5)
        jb .type_ok
        inc edx
.type_ok:
        mov eax, [si]                   ; previous end = base + length
        mov ebx, [si + 4]
        add eax, [si + 8]
        adc ebx, [si + 12]
        mov ebp, eax
        mov edi, ebx
        ; RAM starting at 1 MiB
        cmp dword [si], 0x100000
        jne .not_1m
        cmp dword [si + 4], 0
        jne .not_1m
        cmp dword [si + 16], 1
        jne .not_1m
        mov [RAMTOP], eax
.not_1m:
        ; no RAM between the EBDA and 1 MiB
        cmp dword [si + 16], 1
        jne .hole_ok
        cmp dword [si + 4], 0
        jne .hole_ok
        cmp dword [si], 0x100000
        jae .hole_ok
        cmp eax, 0xA0000
        jbe .hole_ok
        inc edx
.hole_ok:
        add si, 24
        dec cx
        jnz .walk
        CHECK_EQ edx, 0, "E820: sorted, non-overlapping, non-empty, types 1-5, no RAM in A0000-FFFFF"
        mov eax, [E820_BUF]
        mov ebx, [E820_BUF + 16]
        CHECK_EQ eax, 0, "E820: the first entry starts at 0"
        CHECK_EQ ebx, 1, "E820: ... and is RAM"
        movzx ebx, word [0x413]
        shl ebx, 10
        mov eax, [E820_BUF + 8]
        CHECK_EQ eax, ebx, "E820: conventional RAM ends where the EBDA begins"
        ; RAM from 1 MiB up to -m (firmware may keep a little at the top)
        mov eax, [RAMTOP]
        cmp eax, (RAM_MB - 1) << 20
        setae bl
        cmp eax, RAM_MB << 20
        setbe bh
        and bl, bh
        movzx ebx, bl
        CHECK_EQ ebx, 1, "E820: RAM from 1 MiB ends within 1 MiB below -m 64"
        ; past the end: an error
        mov eax, 0xE820
        mov edx, SMAP
        mov ecx, 20
        mov ebx, [NENT]
        mov di, E820_BUF + E820_MAXN * 24
        int 0x15
        CHECK_FLAGS F_CF, F_CF, "E820: EBX past the last entry gives CF=1"
        mov eax, 0xE820
        mov edx, 0x12345678
        mov ecx, 20
        xor ebx, ebx
        int 0x15
        CHECK_FLAGS F_CF, F_CF, "E820: a wrong EDX signature gives CF=1"

        ; ---- E801h and 88h ----------------------------------------------
        mov ax, 0xE801
        int 0x15
        CHECK_FLAGS F_CF, 0, "INT 15h E801h: CF=0"
        movzx eax, ax
        movzx ecx, cx
        CHECK_EQ eax, ecx, "E801h: AX = CX"
        movzx ebx, bx
        movzx edx, dx
        CHECK_EQ ebx, edx, "E801h: BX = DX"
        CHECK_EQ eax, 15 * 1024, "E801h: AX = 15 MiB between 1 and 16 MiB"
        shl ebx, 16
        add ebx, 16 << 20
        CHECK_EQ ebx, [RAMTOP], "E801h: 16 MiB + BX * 64 KiB is where E820 RAM ends"
        mov ah, 0x88
        int 0x15
        CHECK_FLAGS F_CF, 0, "INT 15h AH=88h: CF=0"
        movzx eax, ax
        mov ebx, [RAMTOP]
        sub ebx, 0x100000
        shr ebx, 10
        cmp ebx, 0xFC00
        jbe .ext_ok
        mov ebx, 0xFC00
.ext_ok:
        CHECK_EQ eax, ebx, "AH=88h: KiB above 1 MiB as E820 says (at most 63 MiB)"

        ; ---- C0h, C1h, A20, an unknown function -------------------------
        mov ah, 0xC0
        int 0x15
        CHECK_FLAGS F_CF, 0, "INT 15h AH=C0h: CF=0"
        movzx eax, ah
        CHECK_EQ eax, 0, "AH=C0h: AH=0"
        movzx eax, word [es:bx]
        cmp eax, 8
        setae al
        movzx eax, al
        CHECK_EQ eax, 1, "AH=C0h: ES:BX is a configuration table of 8 bytes or more"
        movzx eax, byte [es:bx + 2]
        push word 0xF000
        pop es
        movzx ebx, byte [es:0xFFFE]
        CHECK_EQ eax, ebx, "AH=C0h: the table's model byte is F000:FFFE's"
        push word 0
        pop es
        mov ah, 0xC1
        int 0x15
        CHECK_FLAGS F_CF, 0, "INT 15h AH=C1h: CF=0"
        mov ax, es
        movzx eax, ax
        movzx ebx, word [0x40E]
        CHECK_EQ eax, ebx, "AH=C1h: ES is the EBDA segment"
        push word 0
        pop es

        mov ax, 0x2403
        int 0x15
        CHECK_FLAGS F_CF, 0, "INT 15h AX=2403h: CF=0"
        movzx ebx, bx
        CHECK_MASK ebx, 2, 2, "AX=2403h: A20 through port 92h"
        mov ax, 0x2402
        int 0x15
        CHECK_FLAGS F_CF, 0, "INT 15h AX=2402h: CF=0"
        movzx eax, ax
        CHECK_EQ eax, 1, "AX=2402h: AH=0, AL=1 (A20 on)"
        mov dword [RES + 0x40], 0x5AA5C33C
        mov ax, 0x2400
        int 0x15
        CHECK_FLAGS F_CF, 0, "INT 15h AX=2400h: CF=0"
        push word 0xFFFF
        pop es
        mov eax, [es:RES + 0x40 + 0x10]
        CHECK_EQ eax, 0x5AA5C33C, "AX=2400h: A20 off, FFFF:0650h wraps to 0000:0640h"
        mov ax, 0x2402
        int 0x15
        movzx eax, ax
        CHECK_EQ eax, 0, "AX=2402h: AL=0 (A20 off)"
        mov ax, 0x2401
        int 0x15
        CHECK_FLAGS F_CF, 0, "INT 15h AX=2401h: CF=0"
        mov eax, [es:RES + 0x40 + 0x10]
        push word 0
        pop es
        cmp eax, 0x5AA5C33C
        setne al
        movzx eax, al
        CHECK_EQ eax, 1, "AX=2401h: A20 on, FFFF:0650h is 100640h"

        mov ah, 0x99
        int 0x15
        CHECK_FLAGS F_CF, F_CF, "INT 15h AH=99h (unknown): CF=1"
        movzx eax, ah
        CHECK_EQ eax, 0x86, "INT 15h AH=99h (unknown): AH=86h"

        ; ---- INT 16h ----------------------------------------------------
        mov ah, 0x01
        int 0x16
        CHECK_FLAGS F_ZF, F_ZF, "INT 16h AH=01h with no key: ZF=1"
        mov ah, 0x02
        int 0x16
        movzx eax, al
        movzx ebx, byte [0x417]
        CHECK_EQ eax, ebx, "INT 16h AH=02h: the shift flags of 0040:0017h"
        mov ah, 0x05
        mov cx, 0x1E61
        int 0x16
        movzx eax, al
        CHECK_EQ eax, 0, "INT 16h AH=05h stores a key (AL=0)"
        mov ah, 0x01
        int 0x16
        CHECK_FLAGS F_ZF, 0, "INT 16h AH=01h with a key: ZF=0"
        movzx eax, ax
        CHECK_EQ eax, 0x1E61, "INT 16h AH=01h: AX = the key, left in the buffer"
        mov ah, 0x00
        int 0x16
        movzx eax, ax
        CHECK_EQ eax, 0x1E61, "INT 16h AH=00h: AX = the key"
        mov ah, 0x01
        int 0x16
        CHECK_FLAGS F_ZF, F_ZF, "INT 16h AH=01h after AH=00h: the buffer is empty"

        ; IRQ1: a scancode in the i8042's output buffer (command D2h puts it
        ; there as if the keyboard sent it) reaches INT 09h and the buffer
        mov al, 0xD2
        out 0x64, al
        mov al, 0x1E                    ; 'a' pressed, scancode set 1
        out 0x60, al
        mov cx, 20
.kbd:   sti
        hlt
        cli
        mov ah, 0x01
        int 0x16
        loopz .kbd
        CHECK_FLAGS F_ZF, 0, "IRQ1 runs INT 09h, which queues the key"
        mov ah, 0x00
        int 0x16
        movzx eax, ax
        CHECK_EQ eax, 0x1E61, "INT 09h: scancode 1Eh is 'a' (AX = 1E61h)"
        mov al, 0x0B
        out 0x20, al
        in al, 0x20
        movzx eax, al
        CHECK_EQ eax, 0, "INT 09h sent its EOI (master ISR clear)"

        ; ---- INT 1Ah RTC, INT 13h ---------------------------------------
        mov ah, 0x02
        int 0x1A
        CHECK_FLAGS F_CF, 0, "INT 1Ah AH=02h: CF=0"
        mov eax, ecx
        and eax, 0xFFFF
        cmp ch, 0x24
        setb bl
        cmp cl, 0x60
        setb bh
        and bl, bh
        movzx ebx, bl
        CHECK_EQ ebx, 1, "INT 1Ah AH=02h: CH hours < 24h, CL minutes < 60h (BCD)"
        mov ah, 0x04
        int 0x1A
        CHECK_FLAGS F_CF, 0, "INT 1Ah AH=04h: CF=0"
        movzx eax, ch
        CHECK_EQ eax, 0x20, "INT 1Ah AH=04h: century 20 (BCD)"
        cmp dh, 1
        setae bl
        cmp dh, 0x12
        setbe bh
        and bl, bh
        movzx ebx, bl
        CHECK_EQ ebx, 1, "INT 1Ah AH=04h: DH is a month (01h-12h)"

        mov ah, 0x00
        mov dl, 0x80
        int 0x13
        CHECK_FLAGS F_CF, F_CF, "INT 13h AH=00h DL=80h without drives: CF=1"

        ; ---- INT 10h AH=0Eh on COM1 -------------------------------------
        ; with the UART in loopback, what the BIOS transmits is received
        mov dx, 0x3FC
        in al, dx
        mov [FLAG], al
        or al, 0x10
        out dx, al
        mov dx, 0x3F8
        in al, dx                       ; drop anything pending
        mov ax, 0x0E5A
        xor bx, bx
        int 0x10
        ; (a serial video adapter may send control sequences around it)
        xor ebx, ebx
        mov cx, 64
.rx:    mov dx, 0x3FD
        in al, dx
        test al, 1
        jz .rx_next
        mov dx, 0x3F8
        in al, dx
        cmp al, 'Z'
        jne .rx_next
        mov bl, al
.rx_next:
        loop .rx
        mov dx, 0x3FC
        mov al, [FLAG]
        out dx, al
        CHECK_EQ ebx, 'Z', "INT 10h AH=0Eh: the character reaches COM1"
        mov si, hello
.puts:  lodsb
        test al, al
        jz .puts_done
        mov ah, 0x0E
        xor bx, bx
        int 0x10
        jmp .puts
.puts_done:
        FINISH

; chains to the BIOS's INT 70h after noting the interrupt
rtc_hook:
        mov byte [cs:FLAG], 1
        pushf
        call far [cs:SAVED70]
        iret

unused_vectors: db 0x1C, 0x80, 0xFF
unused_vectors_end:
hello:  db "INT 10h teletype: hello from real mode", 13, 10, 0

        RM_LIB
        BLOB_END
        END_IMAGE
