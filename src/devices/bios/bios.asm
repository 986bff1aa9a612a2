; pcvm's built-in BIOS: the 64 KiB ROM at F0000-FFFFF (and FFFF0000-FFFFFFFF)
; used when no -bios is given. It does what PC firmware does before it hands
; a loaded kernel the machine, and keeps the real-mode services DOS-style
; programs and Linux's real-mode code call.
;
; Handoff (the C side, src/devices/bios/bios.c, fills it at every boot):
; a block at F000:0000 whose layout is the HO_* offsets below, mirrored in
; bios.h. pcvm's loaders put the kernel, its info structures, its GDT and
; (64-bit entry) its page tables in RAM, then record the entry state here
; instead of setting the CPU: kind (none, 32-bit protected mode, 64-bit
; long mode), EIP/RIP, EAX, EBX, ESI, ESP, GDTR, IDTR, the code and data
; selectors and CR3. The C side also writes the E820 map and the memory
; sizes INT 15h reports. The block is in ROM, so the guest cannot change it.
;
; Invariants:
; - The CPU starts at F000:FFF0 (reset), runs POST with interrupts off and
;   without waiting on anything, then enters the kernel with exactly the
;   loader's state: CS/DS.. selectors from its GDT, EAX, EBX, ESI, ESP from
;   the block, ECX, EDX, EDI, EBP zero, EFLAGS 2 (IF=0), CR0 = PE (64-bit:
;   PE|PG with PAE, LME and the loader's CR3).
; - What POST leaves: every IVT vector points into F000 (unused ones to an
;   IRET) except the user vectors 60h-66h, which are zero; PICs at 08h/70h, IRQ0-2 unmasked; PIT counter 0 at 18.2 Hz with
;   INT 08h counting 0040:006C and sending EOI; BDA (COM ports found by
;   their scratch register, equipment word, 639 KiB at 0040:0013, EBDA at
;   9FC0h, keyboard buffer); a 1 KiB EBDA at 9FC00 that also holds POST's
;   stack; A20 on; the i8042 with keyboard IRQ and translation on.
; - Services: INT 10h (teletype and string to COM1, mode/cursor queries),
;   11h, 12h, 13h (no drives: CF=1 AH=01h), 15h (E820, E801, 88h, C0h, C1h,
;   A20 2400-2403, 4Fh), 16h (00-02, 05, 10-12), 1Ah (00-05); an unknown
;   INT 15h/1Ah function returns CF=1 AH=86h.
; - Shutdown status 05h/0Ah in CMOS 0Fh resumes at 0040:0067 after a reset.
; - The ROM holds no data that changes: BDA/EBDA carry all state.

        bits 16

ROM_LIN         equ 0xF0000
EBDA_SEG        equ 0x9FC0
EBDA_KB         equ 1
BDA_SEG         equ 0x40
STACK_TOP       equ 0x400           ; POST's stack: the top of the EBDA
FARPTR          equ 0x10            ; EBDA scratch for the far jump to the kernel

; handoff block (bios.h mirrors these)
HO_MAGIC        equ 0x00
HO_KIND         equ 0x04
HO_EIP          equ 0x08
HO_EAX          equ 0x10
HO_EBX          equ 0x14
HO_ESI          equ 0x18
HO_ESP          equ 0x1C
HO_GDTR         equ 0x20
HO_IDTR         equ 0x28
HO_CS           equ 0x30
HO_DS           equ 0x32
HO_CR3          equ 0x34
HO_EXT_KB       equ 0x38
HO_E801_AX      equ 0x3A
HO_E801_BX      equ 0x3C
HO_E820_N       equ 0x3E
HO_E820         equ 0x40
HO_E820_MAX     equ 128
KIND_PM32       equ 1
KIND_LONG64     equ 2

; BDA offsets (segment 40h)
BDA_COM         equ 0x00
BDA_EBDA        equ 0x0E
BDA_EQUIP       equ 0x10
BDA_MEMKB       equ 0x13
BDA_KBFLAGS     equ 0x17
BDA_KBHEAD      equ 0x1A
BDA_KBTAIL      equ 0x1C
BDA_KBBUF       equ 0x1E
BDA_VMODE       equ 0x49
BDA_VCOLS       equ 0x4A
BDA_VPAGESZ     equ 0x4C
BDA_CURSOR      equ 0x50
BDA_CURTYPE     equ 0x60
BDA_CRTC        equ 0x63
BDA_RESUME      equ 0x67
BDA_TICKS       equ 0x6C
BDA_MIDNIGHT    equ 0x70
BDA_DISKST      equ 0x74
BDA_NDISKS      equ 0x75
BDA_COMTMO      equ 0x7C
BDA_KBSTART     equ 0x80
BDA_KBEND       equ 0x82
BDA_VROWS       equ 0x84
BDA_VCHARH      equ 0x85
BDA_KBF3        equ 0x96
TICKS_PER_DAY   equ 0x1800B0

; Pads to a fixed offset: the entry points IBM's BIOS had, which old
; software calls directly.
%macro AT 1
        times (%1) - ($ - $$) db 0
%endmacro

        org 0

; ---------------------------------------------------------------------------
; handoff block: "no kernel" until the C side fills it
handoff:
        db 'PCVM'
        times HO_E820 + HO_E820_MAX * 20 - ($ - $$) db 0
; the MP floating pointer structure, filled in by the C side (mptable.c)
        AT 0xA40
mp_fps: times 16 db 0

; ---------------------------------------------------------------------------
; POST
        AT 0x1000
post:
        cli
        cld
        mov eax, cr0
        and eax, 0x9FFFFFFF             ; caches on: clear CD and NW
        mov cr0, eax
        ; shutdown status: 05h/0Ah resume through 0040:0067 (286-style
        ; return to real mode through a reset)
        mov al, 0x0F
        out 0x70, al
        in al, 0x71
        mov bl, al
        mov al, 0x0F
        out 0x70, al
        xor al, al
        out 0x71, al
        xor ax, ax
        mov ds, ax
        cmp bl, 0x05
        jne .no_eoi_resume
        mov al, 0x20
        out 0xA0, al
        out 0x20, al
        jmp far [0x400 + BDA_RESUME]
.no_eoi_resume:
        cmp bl, 0x0A
        jne .cold
        jmp far [0x400 + BDA_RESUME]
.cold:
        ; EBDA (zeroed, then its size), then POST's stack at its top
        mov ax, EBDA_SEG
        mov es, ax
        xor di, di
        xor ax, ax
        mov cx, EBDA_KB * 512
        rep stosw
        mov byte [es:0], EBDA_KB
        mov ax, EBDA_SEG
        mov ss, ax
        mov sp, STACK_TOP
        ; A20 on (port 92h bit 1; bit 0 would reset)
        in al, 0x92
        or al, 2
        and al, 0xFE
        out 0x92, al
        call ivt_init
        call bda_init
        call pic_init
        call pit_init
        call kbc_init
        jmp boot

; Every vector to the IRET handler, then the ones the BIOS serves.
ivt_init:
        xor ax, ax
        mov es, ax
        xor di, di
        mov cx, 256
.all:   mov word [es:di], dummy_iret
        mov word [es:di + 2], 0xF000
        add di, 4
        loop .all
        mov si, vectors
.one:   mov bl, [cs:si]
        cmp bl, 0xFF
        je .done
        xor bh, bh
        shl bx, 2
        mov ax, [cs:si + 1]
        mov [es:bx], ax
        add si, 3
        jmp .one
.done:  xor ax, ax                      ; user vectors 60h-66h: free (zero), as on a PC
        mov di, 0x60 * 4
        mov cx, 7 * 2
        rep stosw
        ret

; vector, handler (offset in F000); 0xFF ends the list
vectors:
        db 0x08
        dw int08_entry
        db 0x09
        dw int09_entry
%assign v 0x0A
%rep 6
        db v
        dw irq_master
%assign v v + 1
%endrep
        db 0x10
        dw int10_entry
        db 0x11
        dw int11_entry
        db 0x12
        dw int12_entry
        db 0x13
        dw int13_entry
        db 0x15
        dw int15_entry
        db 0x16
        dw int16_entry
        db 0x18
        dw int19_entry
        db 0x19
        dw int19_entry
        db 0x1A
        dw int1a_entry
        db 0x1E
        dw diskette_params
        db 0x70
        dw irq_rtc
%assign v 0x71
%rep 7
        db v
        dw irq_slave
%assign v v + 1
%endrep
        db 0xFF

com_ports: dw 0x3F8, 0x2F8, 0x3E8, 0x2E8

bda_init:
        mov ax, BDA_SEG
        mov es, ax
        xor di, di
        xor ax, ax
        mov cx, 128
        rep stosw
        ; serial ports: present when the scratch register keeps a value
        xor si, si
        xor di, di
.com:   mov dx, [cs:com_ports + si]
        add dx, 7
        mov al, 0x5A
        out dx, al
        in al, dx
        cmp al, 0x5A
        jne .next
        mov al, 0xA5
        out dx, al
        in al, dx
        cmp al, 0xA5
        jne .next
        xor al, al
        out dx, al
        sub dx, 7
        mov [es:BDA_COM + di], dx
        shr di, 1
        mov byte [es:BDA_COMTMO + di], 10
        shl di, 1
        add di, 2
.next:  add si, 2
        cmp si, 8
        jb .com
        ; equipment: x87, PS/2 mouse, 80x25 colour, serial port count
        mov ax, di
        shl ax, 8                       ; (count * 2) << 8 = count << 9
        or ax, 0x0026
        mov [es:BDA_EQUIP], ax
        mov word [es:BDA_EBDA], EBDA_SEG
        mov word [es:BDA_MEMKB], 640 - EBDA_KB
        mov word [es:BDA_KBHEAD], BDA_KBBUF
        mov word [es:BDA_KBTAIL], BDA_KBBUF
        mov word [es:BDA_KBSTART], BDA_KBBUF
        mov word [es:BDA_KBEND], BDA_KBBUF + 32
        mov byte [es:BDA_KBF3], 0x10    ; enhanced (101-key) keyboard
        mov byte [es:BDA_VMODE], 3
        mov word [es:BDA_VCOLS], 80
        mov word [es:BDA_VPAGESZ], 4096
        mov word [es:BDA_CURTYPE], 0x0607
        mov word [es:BDA_CRTC], 0x3D4
        mov byte [es:BDA_VROWS], 24
        mov byte [es:BDA_VCHARH], 16
        ret

; 8259 pair: edge triggered, cascade on IR2, bases 08h and 70h, 8086 mode;
; the timer, the keyboard and the cascade unmasked.
pic_init:
        mov al, 0x11
        out 0x20, al
        out 0xA0, al
        mov al, 0x08
        out 0x21, al
        mov al, 0x70
        out 0xA1, al
        mov al, 4
        out 0x21, al
        mov al, 2
        out 0xA1, al
        mov al, 1
        out 0x21, al
        out 0xA1, al
        mov al, 0xF8
        out 0x21, al
        mov al, 0xFF
        out 0xA1, al
        ret

; counter 0, mode 3, count 65536: IRQ0 18.2 times a second
pit_init:
        mov al, 0x36
        out 0x43, al
        xor al, al
        out 0x40, al
        out 0x40, al
        ret

; i8042 command byte 61h: keyboard interrupt, translation, mouse disabled
kbc_init:
        call kbc_wait
        mov al, 0x60
        out 0x64, al
        call kbc_wait
        mov al, 0x61
        out 0x60, al
        ret

; waits (boundedly) until the controller has taken the last byte
kbc_wait:
        push cx
        mov cx, 0xFFFF
.l:     in al, 0x64
        test al, 2
        loopnz .l
        pop cx
        ret

; ---------------------------------------------------------------------------
; Boot: enter the kernel the handoff block names.
boot:
        mov eax, [cs:HO_KIND]
        cmp eax, KIND_PM32
        je .enter
        cmp eax, KIND_LONG64
        je .enter
        mov si, msg_nothing
        call print_str
.idle:  sti
        hlt
        jmp .idle
.enter: cli
        push dword 2
        popfd
        o32 lidt [cs:HO_IDTR]
        o32 lgdt [cs:HO_GDTR]
        mov ax, [cs:HO_CS]
        mov [ss:FARPTR + 4], ax
        mov dword [ss:FARPTR], ROM_LIN + enter32
        mov eax, cr0
        or eax, 1
        mov cr0, eax
        cmp dword [cs:HO_KIND], KIND_LONG64
        jne .far
        ; long mode: PAE, the loader's page tables, LME, then paging (the
        ; 16-bit code runs on in compatibility mode until the far jump)
        mov dword [ss:FARPTR], ROM_LIN + enter64
        mov eax, [cs:HO_CR3]
        mov cr3, eax
        mov eax, cr4
        or eax, 0x20
        mov cr4, eax
        mov ecx, 0xC0000080
        rdmsr
        or eax, 0x100
        wrmsr
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
.far:   o32 jmp far [ss:FARPTR]

        bits 32
enter32:
        movzx eax, word [cs:ROM_LIN + HO_DS]   ; DS still has its real-mode limit
        mov ds, eax
        mov es, eax
        mov fs, eax
        mov gs, eax
        mov ss, eax
        mov esp, [ROM_LIN + HO_ESP]
        mov eax, [ROM_LIN + HO_EAX]
        mov ebx, [ROM_LIN + HO_EBX]
        mov esi, [ROM_LIN + HO_ESI]
        xor ecx, ecx
        xor edx, edx
        xor edi, edi
        xor ebp, ebp
        jmp [ROM_LIN + HO_EIP]

        bits 64
enter64:
        movzx eax, word [abs ROM_LIN + HO_DS]
        mov ds, eax
        mov es, eax
        mov fs, eax
        mov gs, eax
        mov ss, eax
        mov esp, [abs ROM_LIN + HO_ESP]
        mov eax, [abs ROM_LIN + HO_EAX]
        mov ebx, [abs ROM_LIN + HO_EBX]
        mov esi, [abs ROM_LIN + HO_ESI]
        xor ecx, ecx
        xor edx, edx
        xor edi, edi
        xor ebp, ebp
        jmp [abs ROM_LIN + HO_EIP]
        bits 16

msg_nothing: db "pcvm BIOS: nothing to boot (no -kernel)", 13, 10, 0

; prints the NUL-terminated string at CS:SI through INT 10h
print_str:
        push ax
        push si
.l:     mov al, [cs:si]
        test al, al
        jz .done
        mov ah, 0x0E
        int 0x10
        inc si
        jmp .l
.done:  pop si
        pop ax
        ret

; ---------------------------------------------------------------------------
; Returns from a service with CF (or ZF) of the caller's FLAGS image set or
; clear; every other flag is the caller's.
iret_cf1:
        push bp
        mov bp, sp
        or byte [bp + 6], 0x01
        pop bp
        iret
iret_cf0:
        push bp
        mov bp, sp
        and byte [bp + 6], 0xFE
        pop bp
        iret
iret_zf1:
        push bp
        mov bp, sp
        or byte [bp + 6], 0x40
        pop bp
        iret
iret_zf0:
        push bp
        mov bp, sp
        and byte [bp + 6], 0xBF
        pop bp
        iret
unsupported:
        mov ah, 0x86
        jmp iret_cf1

; DISPATCH table: a tail jump through the table, SI preserved for the handler
%macro DISPATCH 1
        push si
        mov si, %1
%%l:    cmp byte [cs:si], 0xFF
        je %%none
        cmp ah, [cs:si]
        je %%hit
        add si, 3
        jmp %%l
%%hit:  push word [cs:si + 1]
        push bp
        mov bp, sp
        mov si, [bp + 4]                ; the caller's SI back
        pop bp
        ret 2                           ; to the handler, dropping the saved SI
%%none: pop si
%endmacro

; ---------------------------------------------------------------------------
; INT 08h: IRQ0, the timer tick
int08:
        push ax
        push ds
        mov ax, BDA_SEG
        mov ds, ax
        inc dword [BDA_TICKS]
        cmp dword [BDA_TICKS], TICKS_PER_DAY
        jb .same_day
        mov dword [BDA_TICKS], 0
        mov byte [BDA_MIDNIGHT], 1
.same_day:
        int 0x1C
        cli
        mov al, 0x20
        out 0x20, al
        pop ds
        pop ax
        iret

; An IRQ nobody handles: EOI unless it is spurious (not in service).
irq_master:
        push ax
        mov al, 0x0B
        out 0x20, al
        in al, 0x20
        test al, al
        jz .spurious
        mov al, 0x20
        out 0x20, al
.spurious:
        pop ax
        iret

; Slave IRQs: a spurious IRQ15 still took the master's IR2, which needs its EOI.
irq_slave:
        push ax
        mov al, 0x0B
        out 0xA0, al
        in al, 0xA0
        test al, al
        jz .master
        mov al, 0x20
        out 0xA0, al
.master:
        mov al, 0x20
        out 0x20, al
        pop ax
        iret

; IRQ8: the RTC; reading register C acknowledges it
irq_rtc:
        push ax
        mov al, 0x0C
        out 0x70, al
        in al, 0x71
        pop ax
        jmp irq_slave

; ---------------------------------------------------------------------------
; INT 09h: IRQ1, a scancode (set 1, the controller translates) into the
; keyboard buffer
int09:
        push ax
        push bx
        push ds
        mov ax, BDA_SEG
        mov ds, ax
        in al, 0x60
        mov ah, al
        and ah, 0x7F
        mov bl, 0
        cmp ah, 0x2A
        jne .not_ls
        mov bl, 0x02
.not_ls:
        cmp ah, 0x36
        jne .not_rs
        mov bl, 0x01
.not_rs:
        cmp ah, 0x1D
        jne .not_ctrl
        mov bl, 0x04
.not_ctrl:
        cmp ah, 0x38
        jne .not_alt
        mov bl, 0x08
.not_alt:
        test bl, bl
        jz .key
        test al, 0x80
        jnz .release
        or [BDA_KBFLAGS], bl
        jmp .eoi
.release:
        not bl
        and [BDA_KBFLAGS], bl
        jmp .eoi
.key:   test al, 0x80                   ; other releases and the E0/E1 prefixes
        jnz .eoi
        cmp al, 0x3A
        jne .not_caps
        xor byte [BDA_KBFLAGS], 0x40
        jmp .eoi
.not_caps:
        mov ah, al                      ; AH = scancode, AL = character
        xor al, al
        cmp ah, kbd_ascii_len
        jae .store
        movzx bx, ah
        test byte [BDA_KBFLAGS], 0x03
        jz .plain
        add bx, kbd_ascii_len
.plain: mov al, [cs:kbd_ascii + bx]
        test byte [BDA_KBFLAGS], 0x04   ; Ctrl+letter: control code
        jz .store
        cmp al, 0x40
        jb .store
        and al, 0x1F
.store: call kbd_put                    ; full: the key is lost, as on a PC
.eoi:   cli
        mov al, 0x20
        out 0x20, al
        pop ds
        pop bx
        pop ax
        iret

; scancodes 00h-39h: plain, then shifted
kbd_ascii:
        db 0, 27, "1234567890-=", 8, 9, "qwertyuiop[]", 13, 0, "asdfghjkl;'`", 0, "\zxcvbnm,./", 0, "*", 0, " "
kbd_ascii_len equ $ - kbd_ascii
        db 0, 27, "!@#$%^&*()_+", 8, 0, "QWERTYUIOP{}", 13, 0, 'ASDFGHJKL:"~', 0, "|ZXCVBNM<>?", 0, "*", 0, " "
%if $ - kbd_ascii != 2 * kbd_ascii_len
%error "the shifted table does not match the plain one"
%endif

; ---------------------------------------------------------------------------
; INT 10h: video services on a serial console: the teletype goes to the
; first serial port; mode and cursor are kept in the BDA
int10:
        cmp ah, 0x0E
        je .tty
        push ds
        push bx
        mov bx, BDA_SEG
        mov ds, bx
        pop bx
        cmp ah, 0x00
        je .setmode
        cmp ah, 0x02
        je .setcur
        cmp ah, 0x03
        je .getcur
        cmp ah, 0x0F
        je .getmode
        pop ds
        cmp ah, 0x13
        je .string
        iret
.setmode:
        and al, 0x7F
        mov [BDA_VMODE], al
        jmp .ret
.setcur:
        mov [BDA_CURSOR], dx
        jmp .ret
.getcur:
        mov dx, [BDA_CURSOR]
        mov cx, [BDA_CURTYPE]
        jmp .ret
.getmode:
        mov al, [BDA_VMODE]
        mov ah, [BDA_VCOLS]
        xor bh, bh
.ret:   pop ds
        iret
.tty:   call serial_out
        iret
; AH=13h: CX characters at ES:BP; AL bit 1: each followed by an attribute
.string:
        push ax
        push cx
        push si
        mov si, bp
        mov ah, al
        jcxz .sdone
.s:     mov al, [es:si]
        call serial_out
        inc si
        test ah, 2
        jz .snext
        inc si
.snext: loop .s
.sdone: pop si
        pop cx
        pop ax
        iret

; AL to the first serial port, waiting (boundedly) for its transmitter
serial_out:
        push ax
        push cx
        push dx
        push ds
        push ax
        mov ax, BDA_SEG
        mov ds, ax
        mov dx, [BDA_COM]
        pop ax
        test dx, dx
        jz .done
        mov ah, al
        add dx, 5
        mov cx, 0xFFFF
.wait:  in al, dx
        test al, 0x20
        loopz .wait
        sub dx, 5
        mov al, ah
        out dx, al
.done:  pop ds
        pop dx
        pop cx
        pop ax
        ret

; ---------------------------------------------------------------------------
int11:
        push ds
        push word BDA_SEG
        pop ds
        mov ax, [BDA_EQUIP]
        pop ds
        iret

int12:
        push ds
        push word BDA_SEG
        pop ds
        mov ax, [BDA_MEMKB]
        pop ds
        iret

; INT 13h: no drives
int13:
        push ds
        push word BDA_SEG
        pop ds
        mov byte [BDA_DISKST], 0x01
        pop ds
        mov ah, 0x01
        jmp iret_cf1

; INT 18h/19h: there is no boot device to load
int19:
        mov si, msg_noboot
        call print_str
.idle:  sti
        hlt
        jmp .idle
msg_noboot: db "pcvm BIOS: no bootable device", 13, 10, 0

; ---------------------------------------------------------------------------
; INT 15h: system services
int15:
        DISPATCH int15_table
        jmp unsupported

int15_table:
        db 0x24
        dw int15_a20
        db 0x4F
        dw int15_kbd_intercept
        db 0x88
        dw int15_ext_mem
        db 0xC0
        dw int15_config
        db 0xC1
        dw int15_ebda
        db 0xE8
        dw int15_e8
        db 0xFF

int15_kbd_intercept:
        jmp iret_cf1                    ; CF=1: the scancode stays as it is

int15_ext_mem:
        mov ax, [cs:HO_EXT_KB]
        jmp iret_cf0

int15_config:
        push cs
        pop es
        mov bx, config_table
        xor ah, ah
        jmp iret_cf0

int15_ebda:
        push ds
        push word BDA_SEG
        pop ds
        mov es, [BDA_EBDA]
        pop ds
        jmp iret_cf0

; A20 through port 92h
int15_a20:
        cmp al, 0x03
        ja unsupported
        je .support
        cmp al, 0x02
        je .status
        push bx
        mov bl, al
        in al, 0x92
        and al, 0xFC
        shl bl, 1
        or al, bl
        out 0x92, al
        pop bx
        xor ah, ah
        jmp iret_cf0
.status:
        in al, 0x92
        shr al, 1
        and al, 1
        xor ah, ah
        jmp iret_cf0
.support:
        mov bx, 0x0002                  ; through port 92h
        xor ah, ah
        jmp iret_cf0

int15_e8:
        cmp al, 0x20
        je .e820
        cmp al, 0x01
        jne unsupported
        mov ax, [cs:HO_E801_AX]
        mov cx, ax
        mov bx, [cs:HO_E801_BX]
        mov dx, bx
        jmp iret_cf0
; EBX: entry index (0 first); ES:DI: buffer of ECX >= 20 bytes; EDX 'SMAP'.
; Returns the entry, EAX 'SMAP', ECX 20, EBX the next index or 0 after the last.
.e820:
        cmp edx, 0x534D4150
        jne unsupported
        cmp ecx, 20
        jb unsupported
        push eax
        movzx eax, word [cs:HO_E820_N]
        cmp ebx, eax
        pop eax
        jae unsupported
        push ds
        push si
        push di
        push cx
        imul si, bx, 20
        add si, HO_E820
        push cs
        pop ds
        mov cx, 20
        cld
        rep movsb
        pop cx
        pop di
        pop si
        pop ds
        inc ebx
        cmp bx, [cs:HO_E820_N]
        jb .more
        xor ebx, ebx
.more:  mov eax, 0x534D4150
        mov ecx, 20
        jmp iret_cf0

; INT 15h AH=C0h: model FCh, EBDA allocated, RTC, INT 16h AH=09h
config_table:
        dw 8
        db 0xFC, 0x00, 0x01, 0x60, 0x40, 0x00, 0x00, 0x00

; ---------------------------------------------------------------------------
; INT 16h: the keyboard buffer
int16:
        DISPATCH int16_table
        iret

int16_table:
        db 0x00
        dw kbd_read
        db 0x01
        dw kbd_peek
        db 0x02
        dw kbd_flags
        db 0x05
        dw kbd_store
        db 0x10
        dw kbd_read
        db 0x11
        dw kbd_peek
        db 0x12
        dw kbd_flags
        db 0xFF

; waits for a key with HLT (interrupts on), then takes it
kbd_read:
        push ds
        push bx
        mov bx, BDA_SEG
        mov ds, bx
.wait:  cli
        mov bx, [BDA_KBHEAD]
        cmp bx, [BDA_KBTAIL]
        jne .got
        sti
        hlt
        jmp .wait
.got:   mov ax, [bx]
        call kbd_next
        mov [BDA_KBHEAD], bx
        pop bx
        pop ds
        iret

kbd_peek:
        push ds
        push bx
        mov bx, BDA_SEG
        mov ds, bx
        cli
        mov bx, [BDA_KBHEAD]
        cmp bx, [BDA_KBTAIL]
        je .empty
        mov ax, [bx]
        pop bx
        pop ds
        jmp iret_zf0
.empty: pop bx
        pop ds
        jmp iret_zf1

kbd_flags:
        push ds
        push word BDA_SEG
        pop ds
        mov al, [BDA_KBFLAGS]
        mov ah, [BDA_KBF3]
        pop ds
        iret

; CX into the buffer: AL=0, or AL=1 when it is full
kbd_store:
        push ds
        push word BDA_SEG
        pop ds
        cli
        mov ax, cx
        call kbd_put
        setc al
        pop ds
        iret

; BX: a keyboard buffer position -> the next one (DS = BDA)
kbd_next:
        add bx, 2
        cmp bx, [BDA_KBEND]
        jb .ok
        mov bx, [BDA_KBSTART]
.ok:    ret

; AX into the keyboard buffer (DS = BDA, interrupts off); CF=1 when full
kbd_put:
        push bx
        push dx
        mov bx, [BDA_KBTAIL]
        mov dx, bx
        call kbd_next
        cmp bx, [BDA_KBHEAD]
        stc
        je .done
        xchg bx, dx
        mov [bx], ax
        mov [BDA_KBTAIL], dx
        clc
.done:  pop dx
        pop bx
        ret

; ---------------------------------------------------------------------------
; INT 1Ah: the tick count and the RTC (values in the CMOS's own format)
int1a:
        DISPATCH int1a_table
        jmp unsupported

int1a_table:
        db 0x00
        dw time_get_ticks
        db 0x01
        dw time_set_ticks
        db 0x02
        dw time_get_rtc
        db 0x03
        dw time_set_rtc
        db 0x04
        dw time_get_date
        db 0x05
        dw time_set_date
        db 0xFF

time_get_ticks:
        push ds
        push word BDA_SEG
        pop ds
        cli
        mov dx, [BDA_TICKS]
        mov cx, [BDA_TICKS + 2]
        mov al, [BDA_MIDNIGHT]
        mov byte [BDA_MIDNIGHT], 0
        pop ds
        jmp iret_cf0

time_set_ticks:
        push ds
        push word BDA_SEG
        pop ds
        cli
        mov [BDA_TICKS], dx
        mov [BDA_TICKS + 2], cx
        mov byte [BDA_MIDNIGHT], 0
        pop ds
        xor ah, ah
        jmp iret_cf0

; reads CMOS register AL into AL
cmos_read:
        out 0x70, al
        in al, 0x71
        ret
; writes AH into CMOS register AL
cmos_write:
        out 0x70, al
        mov al, ah
        out 0x71, al
        ret

; waits (boundedly) while the RTC updates its registers
rtc_wait:
        push ax
        push cx
        mov cx, 0xFFFF
.l:     mov al, 0x0A
        call cmos_read
        test al, 0x80
        loopnz .l
        pop cx
        pop ax
        ret

time_get_rtc:
        call rtc_wait
        mov al, 0x00
        call cmos_read
        mov dh, al
        mov al, 0x02
        call cmos_read
        mov cl, al
        mov al, 0x04
        call cmos_read
        mov ch, al
        mov al, 0x0B
        call cmos_read
        and al, 1
        mov dl, al
        xor ah, ah
        jmp iret_cf0

time_set_rtc:
        call rtc_wait
        mov al, 0x00
        mov ah, dh
        call cmos_write
        mov al, 0x02
        mov ah, cl
        call cmos_write
        mov al, 0x04
        mov ah, ch
        call cmos_write
        xor ax, ax
        jmp iret_cf0

time_get_date:
        call rtc_wait
        mov al, 0x07
        call cmos_read
        mov dl, al
        mov al, 0x08
        call cmos_read
        mov dh, al
        mov al, 0x09
        call cmos_read
        mov cl, al
        mov al, 0x32
        call cmos_read
        mov ch, al
        xor ah, ah
        jmp iret_cf0

time_set_date:
        call rtc_wait
        mov al, 0x07
        mov ah, dl
        call cmos_write
        mov al, 0x08
        mov ah, dh
        call cmos_write
        mov al, 0x09
        mov ah, cl
        call cmos_write
        mov al, 0x32
        mov ah, ch
        call cmos_write
        xor ax, ax
        jmp iret_cf0

; ---------------------------------------------------------------------------
; The fixed entry points of the PC BIOS (each a jump to the code above).
        AT 0xE05B
        jmp post
        AT 0xE2C3
        iret                            ; INT 02h, NMI
        AT 0xE3FE
int13_entry:
        jmp int13
        AT 0xE6F2
int19_entry:
        jmp int19
        AT 0xE82E
int16_entry:
        jmp int16
        AT 0xE987
int09_entry:
        jmp int09
        AT 0xEFC7
diskette_params:                        ; INT 1Eh: 1.44 MB diskette parameters
        db 0xAF, 0x02, 0x25, 0x02, 0x12, 0x1B, 0xFF, 0x6C, 0xF6, 0x0F, 0x08
        AT 0xF065
int10_entry:
        jmp int10
        AT 0xF841
int12_entry:
        jmp int12
        AT 0xF84D
int11_entry:
        jmp int11
        AT 0xF859
int15_entry:
        jmp int15
        AT 0xFE6E
int1a_entry:
        jmp int1a
        AT 0xFEA5
int08_entry:
        jmp int08
        AT 0xFF53
dummy_iret:
        iret
        AT 0xFFF0
reset_vector:
        jmp 0xF000:0xE05B
        AT 0xFFF5
        db "11/23/26"
        AT 0xFFFE
        db 0xFC                         ; model: AT
        db 0x00
