; pm16.asm - 16-bit protected mode: code in a 16-bit code segment (D=0):
; default 16-bit operand and address size, 16-bit stack segment (B=0) with
; SP-only updates and wrap, near call/ret sizes, far calls between 16- and
; 32-bit segments (o32 call / retf), 16-bit call gate, 16-bit interrupt gate
; (3-word frame, 16-bit iret) and 32-bit interrupt gate from 16-bit code,
; exceptions raised in 16-bit code (IP in the frame), 16-bit string
; addressing wrap, loop/jcxz with CX, enter/leave.
%define HAVE_BLOB
%define NO_RM_SWITCH
%include "lib/pm32.inc"
%include "lib/realmode.inc"
SEL_CGATE16 equ 0x40            ; 16-bit call gate -> SEL_CODE16:cg16_target
SEL_SS16    equ 0x48            ; 16-bit stack, base 0x10000, limit 0xFFFF
main:
        SET_CALLGATE SEL_CGATE16, cg16_target, SEL_CODE16, 0x84, 0
        SET_DESC SEL_SS16, 0x10000, 0xFFFF, 0x92, 0x0
        SET_GATE 0x42, int42_16, SEL_CODE16, 0x86      ; 16-bit interrupt gate
        SET_GATE 0x43, int43_32, SEL_CODE32, 0x8E      ; 32-bit interrupt gate
        mov esi, section..blob.start
        mov edi, BLOB_BASE
        mov ecx, blob_end - blob_start
        rep movsb
        mov esp, 0x7000                 ; keep ESP < 64K for the 16-bit code
        jmp SEL_CODE16:pm16_main

; 32-bit helpers
far32:  mov eax, cs
        mov ebx, [esp]                  ; return EIP (32-bit push)
        movzx ecx, word [esp + 4]       ; return CS
        o32 retf
int43_32:
        mov ebx, [esp]
        mov ecx, [esp + 4]
        mov edx, esp
        iretd

        BLOB_BEGIN
pm16_main:
        PASS "running in a 16-bit protected-mode code segment"
        mov ax, cs
        movzx eax, ax
        CHECK_EQ eax, SEL_CODE16, "CS = 16-bit code selector"
        ; ---- operand size defaults ---------------------------------------
        mov esp, 0x7000
        push ax
        CHECK_EQ esp, 0x6ffe, "push r16 takes 2 bytes by default"
        push eax
        CHECK_EQ esp, 0x6ffa, "o32 push takes 4 bytes"
        pop eax
        pop ax
        call .near
.near_ret:
        CHECK_EQ esp, 0x7000, "near call/ret are 16-bit"
        CHECK_EQ ebx, .near_ret, "near call pushed a 16-bit IP"
        ; ---- 16-bit stack segment -------------------------------------------
        mov ax, SEL_SS16
        mov ss, ax
        mov esp, 0xabcd0004
        push dword 0x11223344
        push word 0x5566
        mov eax, esp
        mov bx, SEL_DATA32
        mov ss, bx
        mov esp, 0x7000
        CHECK_EQ eax, 0xabcdfffe, "16-bit SS: push updates SP only, wraps below 0"
        CHECK_EQ [dword 0x10000], 0x11223344, "16-bit SS: dword pushed at SS:0000"
        CHECK_MASK [dword 0x1fffc], 0x55660000, 0xffff0000, "16-bit SS: word pushed at SS:FFFE after wrap"
        ; ---- far calls 16 <-> 32 ----------------------------------------------
        xor ebx, ebx
        call dword SEL_CODE32:far32
.f32_ret:
        CHECK_EQ eax, SEL_CODE32, "o32 far call into a 32-bit segment"
        CHECK_EQ ebx, .f32_ret, "o32 far call pushed a 32-bit EIP"
        CHECK_EQ ecx, SEL_CODE16, "o32 far call pushed CS"
        CHECK_EQ esp, 0x7000, "o32 retf balanced the stack"
        call SEL_CGATE16:0
.cg_ret:
        CHECK_EQ eax, .cg_ret, "16-bit call gate pushed IP (word)"
        CHECK_EQ ebx, SEL_CODE16, "16-bit call gate pushed CS (word)"
        CHECK_EQ esp, 0x7000, "16-bit call gate: retf balanced"
        ; ---- interrupt gates -------------------------------------------------
        int 0x42
.i42:   CHECK_EQ eax, .i42, "16-bit interrupt gate: IP word"
        CHECK_EQ ebx, SEL_CODE16, "16-bit interrupt gate: CS word"
        CHECK_EQ edx, 0x7000 - 6, "16-bit interrupt gate: 3-word frame"
        CHECK_EQ esp, 0x7000, "16-bit iret"
        int 0x43
.i43:   CHECK_EQ ebx, .i43, "32-bit interrupt gate from 16-bit code: EIP"
        CHECK_EQ ecx, SEL_CODE16, "32-bit interrupt gate: CS"
        CHECK_EQ edx, 0x7000 - 12, "32-bit interrupt gate: 3-dword frame"
        CHECK_EQ esp, 0x7000, "iretd back to 16-bit code"
        ; ---- exceptions in 16-bit code -------------------------------------------
        TRY
        ud2
        CATCH 6, NOERR, "#UD in 16-bit code"
        CHECK_EQ [exc_cs], SEL_CODE16, "#UD frame CS = 16-bit selector"
        mov ax, 0x0ff8
        TRY
        mov ds, ax
        CATCH 13, 0x0ff8, "#GP(sel) in 16-bit code"
        xor cx, cx
        mov ax, 1
        TRY
        div cl
        CATCH 0, NOERR, "#DE in 16-bit code"
        ; ---- 16-bit addressing ------------------------------------------------
        mov ax, SEL_DATA16              ; limit 0xFFFF
        mov es, ax
        mov byte [0xffff], 0x42
        mov si, 0xffff
        mov di, 0x3000
        mov cx, 2
        rep movsb                       ; second byte from DS:0000
        CHECK_MASK [0x3000], 0x42, 0xff, "movsb at SI=0xFFFF"
        movzx esi, si
        CHECK_EQ esi, 1, "SI wraps to 0x0001 after two bytes"
        mov ax, SEL_DATA32
        mov es, ax
        mov ecx, 0x20002
        xor ax, ax
.lp:    inc ax
        loop .lp
        movzx eax, ax
        CHECK_EQ eax, 2, "loop uses CX in a 16-bit segment"
        mov ecx, 0x10000
        mov ax, 1
        jcxz .jz
        mov ax, 2
.jz:    movzx eax, ax
        CHECK_EQ eax, 1, "jcxz tests CX only"
        mov ebp, 0x6000
        enter 8, 0
        CHECK_EQ esp, 0x7000 - 2 - 8, "enter 8,0 in a 16-bit segment (32-bit SS uses ESP)"
        leave
        CHECK_EQ esp, 0x7000, "leave"
        FINISH

.near:  mov bx, sp
        movzx ebx, word [bx]
        ret
cg16_target:
        mov bx, sp
        movzx eax, word [bx]
        movzx ebx, word [bx + 2]
        retf
int42_16:
        mov bx, sp
        movzx eax, word [bx]
        movzx edx, sp
        movzx ebx, word [bx + 2]
        iret
        RM_LIB
        BLOB_END
END_IMAGE
