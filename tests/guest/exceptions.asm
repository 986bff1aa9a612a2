; exceptions.asm - exception delivery in 32-bit protected mode with exact
; vectors, error codes and saved EIP (fault: the instruction, trap: the next
; one): #DE, #DB (TF single step with DR6.BS, ICEBP, DR0 execute breakpoint
; (fault), DR1 data-write breakpoint (trap)), #BP (int3 and int 3), #OF
; (into), #BR (bound), #UD (ud2, ud0, mov cs, lea with a register, rsm,
; lock on a register op), #NM (CR0.TS / CR0.EM, wait with MP), #TS (iret
; with NT=1 to a non-busy TSS), #NP (segment load, int to a not-present
; gate), #SS (stack limit, not-present SS), #GP (limits, write to code,
; int beyond the IDT limit, error code for IDT vectors), #DF (#GP whose gate
; is not present).  (#PF: paging.asm, #AC: ring3.asm.)
%include "lib/pm32.inc"
SEL_NPDATA  equ 0x40            ; not-present data segment
SEL_SMALLSS equ 0x48            ; data segment, limit 0xFFF, base 0x40000
SEL_TSS2    equ 0x50            ; available (not busy) 32-bit TSS
SEL_RODATA  equ 0x58            ; read-only data
SEL_XONLY   equ 0x60            ; execute-only code
SEL_NPSTACK equ 0x68            ; not-present writable data
SCR equ 0x3000
main:
        SET_DESC SEL_NPDATA, 0, 0xFFFFF, 0x12, 0xC      ; P=0
        SET_DESC SEL_SMALLSS, 0x40000, 0xFFF, 0x92, 0x4
        SET_DESC SEL_TSS2, tss2, 103, 0x89, 0x0
        SET_DESC SEL_RODATA, 0, 0xFFFFF, 0x90, 0xC
        SET_DESC SEL_XONLY, 0, 0xFFFFF, 0x98, 0xC
        SET_DESC SEL_NPSTACK, 0, 0xFFFFF, 0x12, 0xC
        ; ---- #DE ---------------------------------------------------------
        xor ecx, ecx
        mov eax, 1
        TRY
        div ecx
        CATCH 0, NOERR, "#DE div by zero"
        ; ---- #DB ---------------------------------------------------------
        xor eax, eax
        mov dr6, eax
        TRY
        pushfd
        or dword [esp], F_TF
        popfd
        nop                             ; traps after this instruction
.after_nop:
        nop
        CATCH_AT 1, NOERR, .after_nop, "#DB single step traps after the next instruction"
        mov eax, dr6
        CHECK_MASK eax, 0x4000, 0x400f, "#DB single step sets DR6.BS"
        CHECK_MASK [exc_eflags], F_TF, F_TF, "#DB pushed EFLAGS has TF"
        pushfd
        pop eax
        CHECK_MASK eax, 0, F_TF, "TF cleared by the interrupt gate"
        UNLESS_TCG "#DB from ICEBP (0xF1)"
        TRY
        db 0xf1                         ; icebp / int1
.after_icebp:
        CATCH_AT 1, NOERR, .after_icebp, "#DB from ICEBP (0xF1) is a trap"
        END_UNLESS_TCG
        xor eax, eax
        mov dr6, eax
        mov eax, .bp_insn
        mov dr0, eax
        mov eax, 0x00000001             ; L0, execute, len 1
        mov dr7, eax
        TRY
.bp_insn:
        nop
        CATCH 1, NOERR, "#DB DR0 execute breakpoint is a fault"
        xor eax, eax
        mov dr7, eax
        mov eax, dr6
        CHECK_MASK eax, 0x1, 0x400f, "DR6.B0 set by the execute breakpoint"
        xor eax, eax
        mov dr6, eax
        mov eax, SCR
        mov dr1, eax
        mov eax, 0x00d00004             ; L1, RW1=01 (write), LEN1=11 (4 bytes)
        mov dr7, eax
        TRY
        mov dword [SCR], 0x1234
.after_store:
        nop
        CATCH_AT 1, NOERR, .after_store, "#DB DR1 data write breakpoint is a trap"
        xor eax, eax
        mov dr7, eax
        CHECK_EQ [SCR], 0x1234, "data breakpoint: store completed"
        mov eax, dr6
        CHECK_MASK eax, 0x2, 0x400f, "DR6.B1 set by the data breakpoint"
        ; ---- #BP / #OF ---------------------------------------------------
        TRY
        int3
.after_int3:
        CATCH_AT 3, NOERR, .after_int3, "#BP int3 (0xCC) traps after it"
        TRY
        int 3
.after_int_3:
        CATCH_AT 3, NOERR, .after_int_3, "#BP int 3 (0xCD 03) traps after it"
        mov eax, 0x7fffffff
        add eax, 1                      ; OF=1
        TRY
        into
.after_into:
        CATCH_AT 4, NOERR, .after_into, "#OF into with OF=1"
        xor eax, eax                    ; OF=0
        TRY
        into
        NO_EXC "into with OF=0"
        ; ---- #BR ---------------------------------------------------------
        mov dword [SCR], 10
        mov dword [SCR + 4], 20
        mov eax, 20
        TRY
        bound eax, [SCR]
        NO_EXC "bound in range (upper bound inclusive)"
        mov eax, 21
        TRY
        bound eax, [SCR]
        CATCH 5, NOERR, "#BR bound above"
        mov eax, 9
        TRY
        bound eax, [SCR]
        CATCH 5, NOERR, "#BR bound below"
        mov dword [SCR], 0xfff0fffe     ; -2, -16 as words
        mov ax, 0xfff0
        TRY
        bound ax, [SCR]
        CATCH 5, NOERR, "#BR bound r16 signed (-16 < -2 .. -16)"
        ; ---- #UD ---------------------------------------------------------
        TRY
        ud2
        CATCH 6, NOERR, "#UD ud2"
        TRY
        db 0x0f, 0xff, 0xc0             ; ud0
        CATCH 6, NOERR, "#UD ud0"
        TRY
        db 0x8e, 0xc8                   ; mov cs, ax
        CATCH 6, NOERR, "#UD mov cs, r16"
        TRY
        db 0x8d, 0xc3                   ; lea eax, ebx
        CATCH 6, NOERR, "#UD lea with a register source"
        TRY
        rsm
        CATCH 6, NOERR, "#UD rsm outside SMM"
        TRY
        db 0xf0, 0x40                   ; lock inc eax
        CATCH 6, NOERR, "#UD lock on a register instruction"
        ; ---- #NM ---------------------------------------------------------
        mov eax, cr0
        or eax, 8                       ; TS
        mov cr0, eax
        TRY
        fninit
        CATCH 7, NOERR, "#NM fninit with CR0.TS=1"
        mov eax, cr0
        or eax, 2                       ; MP
        mov cr0, eax
        TRY
        wait
        CATCH 7, NOERR, "#NM wait with CR0.MP=1 TS=1"
        mov eax, cr0
        and eax, ~2
        mov cr0, eax
        TRY
        wait
        NO_EXC "wait with MP=0 TS=1 does not fault"
        clts
        mov eax, cr0
        CHECK_MASK eax, 0, 8, "clts clears CR0.TS"
        or eax, 4                       ; EM
        mov cr0, eax
        TRY
        fninit
        CATCH 7, NOERR, "#NM fninit with CR0.EM=1"
        mov eax, cr0
        and eax, ~4
        mov cr0, eax
        TRY
        fninit
        NO_EXC "fninit with EM=0 TS=0"
        ; ---- #TS ---------------------------------------------------------
        mov word [tss32], SEL_TSS2      ; back link -> available TSS
        TRY
        pushfd
        or dword [esp], F_NT
        popfd
.ts_iret:
        iretd
        CATCH_AT 10, SEL_TSS2, .ts_iret, "#TS iret NT=1 to a non-busy TSS"
        pushfd
        and dword [esp], ~F_NT
        popfd
        mov word [tss32], 0
        ; ---- #NP ---------------------------------------------------------
        TRY
        mov ax, SEL_NPDATA
        mov ds, ax
        CATCH_ONLY 11, SEL_NPDATA, "#NP loading a not-present data segment"
        SET_GATE 0x41, exc_stub_0, SEL_CODE32, 0x0E   ; P=0
        TRY
        int 0x41
        CATCH 11, 0x41 * 8 + 2, "#NP int to a not-present gate (IDT bit in the error code)"
        ; ---- #SS ---------------------------------------------------------
        TRY
        mov ax, SEL_NPSTACK
        mov ss, ax
        CATCH_ONLY 12, SEL_NPSTACK, "#SS loading a not-present stack segment"
        ; A push that crosses the limit cannot be tested at CPL 0: the #SS
        ; frame would be pushed on the same over-limit stack, #DF, then a
        ; triple fault, on hardware as well. An SS-relative store past the
        ; limit with room below ESP for the frame tests the same check.
        UNLESS_TCG "#SS SS-relative store crossing the stack limit"
        mov [RES], esp
        mov ax, SEL_SMALLSS
        mov ss, ax
        mov esp, 0x800
        TRY
        push eax                        ; fits
.sslim: mov [ss:esp + 0x802], eax       ; esp = 0x7fc: 0xffe..0x1001, limit 0xfff
        CATCH_AT 12, 0, .sslim, "#SS SS-relative store crossing the stack limit"
        mov ax, SEL_DATA32
        mov ss, ax
        mov esp, [RES]
        END_UNLESS_TCG
        ; ---- #GP ---------------------------------------------------------
        UNLESS_TCG "#GP on data limit / code write / read-only write"
        mov ax, SEL_SMALLSS
        mov es, ax
        TRY
        mov eax, [es:0xffd]             ; bytes 0xffd..0x1000
        CATCH 13, 0, "#GP data access crossing the segment limit"
        mov ax, SEL_DATA32
        mov es, ax
        TRY
        mov dword [cs:SCR], 1
        CATCH 13, 0, "#GP write through a code segment"
        mov ax, SEL_RODATA
        mov fs, ax
        TRY
        mov dword [fs:SCR], 1
        CATCH 13, 0, "#GP write to a read-only data segment"
        END_UNLESS_TCG
        TRY
        mov ax, SEL_XONLY
        mov ds, ax
        CATCH_ONLY 13, SEL_XONLY, "#GP loading an execute-only code segment into DS"
        TRY
        mov ax, SEL_CODE32
        mov ss, ax
        CATCH_ONLY 13, SEL_CODE32, "#GP loading a code segment into SS"
        TRY
        xor ax, ax
        mov ss, ax
        CATCH_ONLY 13, 0, "#GP loading a null selector into SS"
        TRY
        mov ax, 0x1000                  ; beyond the GDT limit
        mov ds, ax
        CATCH_ONLY 13, 0x1000, "#GP selector beyond the GDT limit"
        xor eax, eax
        lldt ax
        TRY
        mov ax, 0x0004                  ; LDT, none loaded
        mov ds, ax
        CATCH_ONLY 13, 0x0004, "#GP LDT selector with a null LDTR"
        UNLESS_TCG "#GP access through a null DS"
        TRY                             ; (TRY itself writes through DS)
        xor eax, eax
        mov ds, ax                      ; null into DS is fine ...
.nullds: mov eax, [ds:SCR]              ; ... but using it is #GP(0)
        CATCH_AT 13, 0, .nullds, "#GP access through a null DS"
        END_UNLESS_TCG
        mov ax, SEL_DATA32
        mov ds, ax
        lidt [small_idtr]
        TRY
        int 0x40                        ; beyond IDT limit
        CATCH_ONLY 13, 0x40 * 8 + 2, "#GP int beyond the IDT limit"
        lidt [idt_desc]
        TRY
        mov eax, cr1
        CATCH 6, NOERR, "#UD mov from cr1"
        UNLESS_TCG "#GP rdmsr of an unknown MSR"
        mov ecx, 0x12345                ; unknown MSR
        TRY
        rdmsr
        CATCH 13, 0, "#GP rdmsr of an unknown MSR"
        END_UNLESS_TCG
        UNLESS_TCG "#GP setting a reserved CR4 bit"
        TRY
        mov eax, cr4
        or eax, 1 << 31                 ; reserved
        mov cr4, eax
        CATCH_ONLY 13, 0, "#GP setting a reserved CR4 bit"
        END_UNLESS_TCG
        ; ---- #DF ---------------------------------------------------------
        SET_GATE 13, exc_stub_13, SEL_CODE32, 0x0E      ; #GP gate not present
        TRY
        mov ax, 0x1000
        mov ds, ax                      ; #GP -> #NP on its gate -> #DF
        CATCH_ONLY 8, 0, "#DF: #NP while delivering #GP"
        SET_GATE 13, exc_stub_13, SEL_CODE32, 0x8E
        mov ax, 0x1000
        TRY
        mov ds, ax
        CATCH_ONLY 13, 0x1000, "#GP delivered again after restoring its gate"
        FINISH
        align 4
        dw 0
small_idtr:
        dw 0x40 * 8 - 1
        dd idt
        align 16
tss2:   times 104 db 0
END_IMAGE
