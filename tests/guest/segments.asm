; segments.asm - segment register loads and far transfers in 32-bit
; protected mode: RPL/DPL/CPL checks with exact error codes (RPL bits
; dropped), SS rules (RPL = DPL = CPL, writable data), system descriptors,
; readable code in DS, not-present ES/FS/GS #NP, null selectors, accessed
; bit, lds/les/lfs/lgs/lss (m16:32 and m16:16), mov ss / pop ss inhibiting
; the single-step trap for one instruction, far jmp/call/retf checks (data
; segment, not present, null, DPL, conforming, beyond the CS limit),
; iretd at the same level changing IOPL, expand-down segments.
%include "lib/pm32.inc"
SEL_NP      equ 0x40            ; not-present data
SEL_RCODE   equ 0x48            ; readable code, base 0
SEL_FRESH   equ 0x50            ; data, accessed bit clear
SEL_ROD     equ 0x58            ; read-only data
SEL_NPCODE  equ 0x60            ; not-present code
SEL_CODE3   equ 0x68            ; DPL3 code (nonconforming), used from CPL0
SEL_CONF    equ 0x70            ; conforming code DPL0
SEL_SMALLCS equ 0x78            ; code, byte-granular limit 0xFFFFF
SEL_NPGATE  equ 0x80            ; not-present call gate
SEL_EXPDN   equ 0x88            ; expand-down data, limit 0xFFF, B=1
SCR equ 0x3000
main:
        SET_DESC SEL_NP, 0, 0xFFFFF, 0x12, 0xC
        SET_DESC SEL_RCODE, 0, 0xFFFFF, 0x9A, 0xC
        SET_DESC SEL_FRESH, 0, 0xFFFFF, 0x92, 0xC
        SET_DESC SEL_ROD, 0, 0xFFFFF, 0x90, 0xC
        SET_DESC SEL_NPCODE, 0, 0xFFFFF, 0x1A, 0xC
        SET_DESC SEL_CODE3, 0, 0xFFFFF, 0xFA, 0xC
        SET_DESC SEL_CONF, 0, 0xFFFFF, 0x9E, 0xC
        SET_DESC SEL_SMALLCS, 0, 0xFFFFF, 0x9A, 0x4     ; ends below the image at 1 MiB
        SET_CALLGATE SEL_NPGATE, main, SEL_CODE32, 0x0C, 0
        SET_DESC SEL_EXPDN, 0, 0xFFF, 0x96, 0x4   ; G=0: byte-granular limit
        ; ---- data segment loads --------------------------------------------
        mov ax, SEL_DATA32 | 3          ; RPL3 > DPL0
        TRY
        mov ds, ax
        CATCH 13, SEL_DATA32, "DS with RPL > DPL #GP(sel without RPL)"
        mov ax, SEL_DATA32 | 1
        TRY
        mov ss, ax
        CATCH 13, SEL_DATA32, "SS with RPL != CPL #GP"
        mov ax, SEL_UDATA32 & ~3        ; DPL3, RPL0
        TRY
        mov ss, ax
        CATCH 13, SEL_UDATA32 & ~3, "SS with DPL != CPL #GP"
        mov ax, SEL_ROD
        TRY
        mov ss, ax
        CATCH 13, SEL_ROD, "SS with read-only data #GP"
        mov ax, SEL_TSS
        TRY
        mov es, ax
        CATCH 13, SEL_TSS, "ES with a TSS descriptor #GP"
        mov ax, SEL_NP
        TRY
        mov es, ax
        CATCH 11, SEL_NP, "ES not present #NP"
        TRY
        mov fs, ax
        CATCH 11, SEL_NP, "FS not present #NP"
        TRY
        mov gs, ax
        CATCH 11, SEL_NP, "GS not present #NP"
        mov ax, SEL_NP | 3              ; RPL > DPL checked before presence
        TRY
        mov gs, ax
        CATCH 13, SEL_NP, "privilege check before the present check"
        mov ax, 3                       ; null selector with RPL 3
        mov es, ax
        mov fs, ax
        mov gs, ax
        PASS "null selectors (any RPL) load into ES/FS/GS"
        mov ax, SEL_DATA32
        mov es, ax
        mov fs, ax
        mov gs, ax
        mov ax, SEL_RCODE
        mov es, ax
        mov eax, [es:main]
        CHECK_EQ eax, [main], "readable code segment in ES"
        mov ax, SEL_DATA32
        mov es, ax
        CHECK_MASK [gdt + SEL_FRESH + 4], 0, 0x100, "fresh descriptor: accessed bit clear"
        mov ax, SEL_FRESH
        mov fs, ax
        CHECK_MASK [gdt + SEL_FRESH + 4], 0x100, 0x100, "segment load sets the accessed bit"
        ; ---- far pointer loads ------------------------------------------------
        mov dword [SCR], 0x12345678
        mov word [SCR + 4], SEL_FRESH
        xor ebx, ebx
        lfs ebx, [SCR]
        mov ax, fs
        movzx eax, ax
        CHECK_EQ eax, SEL_FRESH, "lfs loads the selector"
        CHECK_EQ ebx, 0x12345678, "lfs loads the 32-bit offset"
        mov word [SCR + 8], 0xabcd
        mov word [SCR + 10], SEL_DATA32
        mov ebx, 0x55550000
        o16 lgs bx, [SCR + 8]
        CHECK_EQ ebx, 0x5555abcd, "o16 lgs loads a 16-bit offset"
        mov word [SCR + 4], SEL_NP
        TRY
        les ebx, [SCR]
        CATCH 11, SEL_NP, "les with a not-present selector #NP"
        mov word [SCR + 4], SEL_DATA32
        mov ecx, esp
        mov [SCR], esp
        lss esp, [SCR]
        CHECK_EQ esp, ecx, "lss esp"
        mov ax, SEL_DATA32
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        ; ---- mov ss / pop ss delay the single-step trap ----------------------
        mov ax, ss
        TRY
        pushfd
        or dword [esp], F_TF
        popfd
        mov ss, ax
        nop
.after_nop:
        nop
        CATCH_AT 1, NOERR, .after_nop, "mov ss: single-step trap delayed by one instruction"
        TRY
        push ss
        pushfd
        or dword [esp], F_TF
        popfd
        pop ss
        nop
.after_nop2:
        nop
        CATCH_AT 1, NOERR, .after_nop2, "pop ss: single-step trap delayed by one instruction"
        ; ---- far transfers ---------------------------------------------------
        TRY
        jmp SEL_DATA32:0
        CATCH 13, SEL_DATA32, "jmp far to a data segment #GP(sel)"
        TRY
        jmp SEL_NPCODE:0
        CATCH 11, SEL_NPCODE, "jmp far to a not-present code segment #NP(sel)"
        TRY
        jmp 0:0
        CATCH 13, 0, "jmp far to a null selector #GP(0)"
        TRY
        jmp SEL_CODE3:0
        CATCH 13, SEL_CODE3, "jmp far to a DPL3 nonconforming segment at CPL0 #GP(sel)"
        jmp SEL_CONF:.conf
.conf:  mov ax, cs
        movzx eax, ax
        CHECK_EQ eax, SEL_CONF, "jmp far to a conforming DPL0 segment"
        jmp SEL_CODE32:.back
.back:  TRY
        call SEL_NPGATE:0
        CATCH 11, SEL_NPGATE, "call through a not-present call gate #NP(gate)"
        TRY
        jmp SEL_SMALLCS:0x100000        ; EIP beyond the limit 0xFFFFF
        CATCH 13, 0, "jmp far beyond the CS limit #GP(0)"
        TRY
        push dword SEL_NPCODE
        push dword 0
        retf
.rf:    CATCH_ONLY 11, SEL_NPCODE, "retf to a not-present segment #NP(sel)"
        ; iretd at the same privilege level
        pushfd
        pop ebx
        push dword 0x3000 | 2           ; IOPL 3
        push dword SEL_CODE32
        push dword .ir
        iretd
.ir:    pushfd
        pop eax
        CHECK_EQ eax, 0x3002, "iretd at CPL0 loads IOPL"
        push ebx
        popfd
        ; ---- expand-down data segment ----------------------------------------
        UNLESS_TCG "expand-down segment limit checks"
        mov ax, SEL_EXPDN
        mov es, ax
        TRY
        mov eax, [es:0x1000]
        NO_EXC "expand-down: offset just above the limit is valid"
        TRY
        mov eax, [es:0xfff]
        CATCH 13, 0, "expand-down: offset at the limit #GP(0)"
        TRY
        mov eax, [es:0xffffffff - 3]
        NO_EXC "expand-down: top of the 4 GiB segment is valid"
        END_UNLESS_TCG
        FINISH
END_IMAGE
