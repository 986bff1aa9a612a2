; descriptors.asm - lgdt/lidt/sgdt/sidt (32-bit and o16 forms), lldt/sldt
; (good, null, wrong type, not present), ltr/str (busy bit set, busy TSS,
; wrong type), LDT-based segment loads, lar/lsl (code, data, system types,
; gates, null, beyond limit, byte and page granularity), verr/verw (readable
; / writable / execute-only / privilege), arpl.
%include "lib/pm32.inc"
SEL_LDT     equ 0x40            ; LDT descriptor (4 entries at ldt_tab)
SEL_TSSB    equ 0x48            ; second available TSS
SEL_DATAG   equ 0x50            ; data, G=1 limit 0x12 -> 0x12fff
SEL_XONLY   equ 0x58            ; execute-only code
SEL_RCODE   equ 0x60            ; readable code
SEL_ROD     equ 0x68            ; read-only data
SEL_NPLDT   equ 0x70            ; not-present LDT
SEL_CGATE   equ 0x78            ; call gate
SEL_INTG    equ 0x80            ; 32-bit interrupt gate type in the GDT (invalid for lar)
SEL_DATA3   equ 0x88            ; DPL3 data, byte-granular limit 0x1234
SCR equ 0x3000
main:
        SET_DESC SEL_LDT, ldt_tab, 4 * 8 - 1, 0x82, 0x0
        SET_DESC SEL_TSSB, tss_b, 103, 0x89, 0x0
        SET_DESC SEL_DATAG, 0, 0x12, 0x92, 0xC
        SET_DESC SEL_XONLY, 0, 0xFFFFF, 0x98, 0xC
        SET_DESC SEL_RCODE, 0, 0xFFFFF, 0x9A, 0xC
        SET_DESC SEL_ROD, 0, 0xFFFFF, 0x90, 0xC
        SET_DESC SEL_NPLDT, ldt_tab, 31, 0x02, 0x0
        SET_CALLGATE SEL_CGATE, main, SEL_CODE32, 0xEC, 3
        SET_DESC SEL_INTG, 0, 0, 0x8E, 0
        SET_DESC SEL_DATA3, 0x5000, 0x1234, 0xF2, 0x4
        ; ---- sgdt/sidt/lgdt/lidt -------------------------------------------
        sgdt [SCR]
        CHECK_MASK [SCR], GDT_ENTRIES * 8 - 1, 0xffff, "sgdt limit"
        CHECK_EQ [SCR + 2], gdt, "sgdt base"
        sidt [SCR]
        CHECK_MASK [SCR], 0x7ff, 0xffff, "sidt limit"
        CHECK_EQ [SCR + 2], idt, "sidt base"
        mov word [SCR + 0x10], 0x1ff
        mov dword [SCR + 0x12], 0x12345678
        lidt [SCR + 0x10]
        sidt [SCR + 0x20]
        lidt [idt_desc]
        CHECK_MASK [SCR + 0x20], 0x1ff, 0xffff, "lidt/sidt round trip limit"
        CHECK_EQ [SCR + 0x22], 0x12345678, "lidt/sidt round trip base"
        o16 lidt [SCR + 0x10]           ; 16-bit operand: 24-bit base
        sidt [SCR + 0x20]
        lidt [idt_desc]
        CHECK_EQ [SCR + 0x22], 0x00345678, "o16 lidt loads a 24-bit base"
        ; ---- LDT ---------------------------------------------------------
        sldt eax
        mov ax, SEL_LDT
        lldt ax
        sldt ebx
        CHECK_MASK ebx, SEL_LDT, 0xffff, "lldt/sldt"
        mov ax, 0x0c | 0                ; LDT entry 1 (data, base 0x6000)
        mov ds, ax
        mov eax, [0]
        mov bx, SEL_DATA32
        mov ds, bx
        CHECK_EQ eax, [0x6000], "segment load through the LDT (base 0x6000)"
        TRY
        mov ax, 0x24                    ; LDT index 4: beyond the LDT limit
        mov ds, ax
        CATCH_ONLY 13, 0x24, "LDT selector beyond the LDT limit #GP"
        TRY
        mov ax, SEL_DATA32
.f1:   lldt ax
        CATCH_AT 13, SEL_DATA32, .f1, "lldt with a non-LDT descriptor #GP(sel)"
        TRY
        mov ax, SEL_NPLDT
.f2:   lldt ax
        CATCH_AT 11, SEL_NPLDT, .f2, "lldt with a not-present LDT #NP(sel)"
        TRY
        mov ax, 0x0c                    ; TI=1
.f3:   lldt ax
        CATCH_AT 13, 0x0c, .f3, "lldt with a TI=1 selector #GP(sel)"
        xor eax, eax
        lldt ax
        sldt eax
        CHECK_MASK eax, 0, 0xffff, "lldt with null selector"
        TRY
        mov ax, 0x0c
        mov ds, ax
        CATCH_ONLY 13, 0x0c, "LDT selector after loading a null LDT #GP"
        ; ---- TR ----------------------------------------------------------
        str eax
        CHECK_MASK eax, SEL_TSS, 0xffff, "str"
        TRY
        mov ax, SEL_TSS
.f4:   ltr ax
        CATCH_AT 13, SEL_TSS, .f4, "ltr of a busy TSS #GP(sel)"
        TRY
        mov ax, SEL_DATA32
.f5:   ltr ax
        CATCH_AT 13, SEL_DATA32, .f5, "ltr of a data descriptor #GP(sel)"
        mov dword [tss_b + 4], ESP0_TOP
        mov dword [tss_b + 8], SEL_DATA32
        mov ax, SEL_TSSB
        ltr ax
        str ebx
        CHECK_MASK ebx, SEL_TSSB, 0xffff, "ltr/str new TSS"
        CHECK_MASK [gdt + SEL_TSSB + 4], 0x8b00, 0xff00, "ltr marks the TSS busy (type 0xB)"
        ; ---- lar -----------------------------------------------------------
        mov eax, 0xffffffff
        lar eax, [cs_sel]
        CHECK_FLAGS F_ZF, F_ZF, "lar code32: ZF=1"
        ; the far jump that loaded CS set the accessed bit (SDM vol. 3 3.4.5.1);
        ; QEMU TCG does not, so the A bit is not compared
        CHECK_MASK eax, 0x00cf9a00, 0x00f0fe00, "lar code32 access rights"
        mov bx, SEL_DATA3
        lar eax, bx
        CHECK_MASK eax, 0x0040f200, 0x00f0ff00, "lar DPL3 data"
        mov bx, SEL_LDT
        lar eax, bx
        CHECK_FLAGS F_ZF, F_ZF, "lar LDT descriptor valid"
        mov bx, SEL_TSSB                ; busy TSS
        lar eax, bx
        CHECK_MASK eax, 0x00008b00, 0x00f0ff00, "lar busy TSS"
        mov bx, SEL_CGATE
        lar eax, bx
        CHECK_FLAGS F_ZF, F_ZF, "lar call gate valid"
        mov eax, 0x5555
        mov bx, SEL_INTG
        lar eax, bx
        CHECK_FLAGS F_ZF, 0, "lar interrupt gate type: ZF=0"
        CHECK_EQ eax, 0x5555, "lar failure leaves the destination"
        xor ebx, ebx
        lar eax, bx
        CHECK_FLAGS F_ZF, 0, "lar null selector: ZF=0"
        mov bx, 0x1000
        lar eax, bx
        CHECK_FLAGS F_ZF, 0, "lar beyond GDT limit: ZF=0"
        mov ax, 0xffff
        mov bx, SEL_DATA32
        o16 lar ax, bx
        CHECK_MASK eax, 0x9200, 0xfe00, "lar r16 (accessed bit not checked)"
        ; ---- lsl -----------------------------------------------------------
        mov bx, SEL_DATAG
        lsl eax, bx
        CHECK_FLAGS F_ZF, F_ZF, "lsl data: ZF=1"
        CHECK_EQ eax, 0x12fff, "lsl page-granular limit (0x12 -> 0x12fff)"
        mov bx, SEL_DATA3
        lsl eax, bx
        CHECK_EQ eax, 0x1234, "lsl byte-granular limit"
        mov bx, SEL_TSSB
        lsl eax, bx
        CHECK_EQ eax, 103, "lsl TSS limit"
        mov eax, 0x77
        mov bx, SEL_CGATE
        lsl eax, bx
        CHECK_FLAGS F_ZF, 0, "lsl call gate: ZF=0"
        CHECK_EQ eax, 0x77, "lsl failure leaves the destination"
        mov bx, SEL_DATA32
        lsl eax, bx
        CHECK_EQ eax, 0xffffffff, "lsl flat 4G limit"
        ; ---- verr / verw ---------------------------------------------------
        mov bx, SEL_DATA32
        verr bx
        CHECK_FLAGS F_ZF, F_ZF, "verr writable data"
        verw bx
        CHECK_FLAGS F_ZF, F_ZF, "verw writable data"
        mov bx, SEL_ROD
        verw bx
        CHECK_FLAGS F_ZF, 0, "verw read-only data: ZF=0"
        verr bx
        CHECK_FLAGS F_ZF, F_ZF, "verr read-only data"
        mov bx, SEL_RCODE
        verr bx
        CHECK_FLAGS F_ZF, F_ZF, "verr readable code"
        verw bx
        CHECK_FLAGS F_ZF, 0, "verw code: ZF=0"
        mov bx, SEL_XONLY
        verr bx
        CHECK_FLAGS F_ZF, 0, "verr execute-only code: ZF=0"
        mov bx, SEL_TSSB
        verr bx
        CHECK_FLAGS F_ZF, 0, "verr system descriptor: ZF=0"
        xor ebx, ebx
        verr bx
        CHECK_FLAGS F_ZF, 0, "verr null: ZF=0"
        ENTER_RING3 F_IOPL3
        mov bx, SEL_DATA32 | 3          ; DPL0 from CPL3
        verr bx
        CHECK_FLAGS F_ZF, 0, "verr DPL0 data at CPL3: ZF=0"
        mov bx, SEL_DATA3 | 3
        verw bx
        CHECK_FLAGS F_ZF, F_ZF, "verw DPL3 data at CPL3"
        mov bx, SEL_DATA32 | 3
        lar eax, bx
        CHECK_FLAGS F_ZF, 0, "lar DPL0 data at CPL3: ZF=0"
        mov bx, SEL_CODE32 | 3
        lsl eax, bx
        CHECK_FLAGS F_ZF, 0, "lsl DPL0 code at CPL3: ZF=0"
        LEAVE_RING3
        ; ---- arpl ----------------------------------------------------------
        mov ax, 0x0010
        mov bx, 0x0003
        arpl ax, bx
        CHECK_FLAGS F_ZF, F_ZF, "arpl raises RPL: ZF=1"
        CHECK_MASK eax, 0x13, 0xffff, "arpl result RPL 3"
        mov ax, 0x0013
        mov bx, 0x0001
        arpl ax, bx
        CHECK_FLAGS F_ZF, 0, "arpl RPL already higher: ZF=0"
        CHECK_MASK eax, 0x13, 0xffff, "arpl leaves the selector"
        mov word [SCR], 0x0020
        mov cx, 0x2
        arpl [SCR], cx
        CHECK_MASK [SCR], 0x22, 0xffff, "arpl memory destination"
        FINISH
cs_sel: dw SEL_CODE32
        align 8
ldt_tab:
        dq 0
        DESC32 0x6000, 0xFFFF, 0x92, 0x4        ; 0x0C
        dq 0
        dq 0
        align 16
tss_b:  times 104 db 0
END_IMAGE
