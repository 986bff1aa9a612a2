; branch.asm - near and far jmp/call/ret in 32-bit protected mode: rel8,
; rel32, register and memory indirect, far direct (ptr16:32) and indirect
; (m16:32), ret, ret imm16, retf, retf imm16, o16 retf to a 16-bit segment,
; loop/loope/loopne (ECX and a16 CX), jecxz/jcxz.
%include "lib/pm32.inc"
S0 equ 0x60000
main:
        mov [RES], esp
        mov esp, S0
        ; jmp forms
        mov eax, 0
        jmp short .j1
        mov eax, 0xbad
.j1:    CHECK_EQ eax, 0, "jmp rel8"
        jmp near .j2
        mov eax, 0xbad
.j2:    CHECK_EQ eax, 0, "jmp rel32"
        mov ebx, .j3
        jmp ebx
        mov eax, 0xbad
.j3:    CHECK_EQ eax, 0, "jmp r32"
        mov dword [RES + 4], .j4
        jmp [RES + 4]
        mov eax, 0xbad
.j4:    CHECK_EQ eax, 0, "jmp m32"
        jmp SEL_CODE32:.j5
        mov eax, 0xbad
.j5:    CHECK_EQ eax, 0, "jmp ptr16:32"
        mov dword [RES + 8], .j6
        mov word [RES + 12], SEL_CODE32
        jmp far [RES + 8]
        mov eax, 0xbad
.j6:    CHECK_EQ eax, 0, "jmp m16:32"
        ; call / ret
        mov esp, S0
        call .f1
.f1r:   CHECK_EQ eax, .f1r, "call rel32 pushes the return address"
        CHECK_EQ esp, S0, "ret pops it"
        mov ebx, .f1
        call ebx
        CHECK_EQ esp, S0, "call r32 / ret"
        mov dword [RES + 4], .f1
        call [RES + 4]
        CHECK_EQ esp, S0, "call m32 / ret"
        push dword 0x11
        push dword 0x22
        call .f2
        CHECK_EQ esp, S0, "ret 8 releases the arguments"
        CHECK_EQ eax, 0x33, "ret imm16: arguments seen by callee"
        ; far call / retf
        call SEL_CODE32:.f3
.f3r:   CHECK_EQ eax, .f3r, "call ptr16:32 pushes EIP"
        CHECK_EQ ebx, SEL_CODE32, "call ptr16:32 pushes CS (low word)"
        CHECK_EQ esp, S0, "retf pops CS:EIP"
        mov dword [RES + 8], .f4
        mov word [RES + 12], SEL_CODE32
        push dword 5
        push dword 6
        call far [RES + 8]
        CHECK_EQ esp, S0, "call m16:32 / retf 8"
        CHECK_EQ eax, 11, "retf imm16 arguments"
        ; o16 far call into a 16-bit code segment (base 0) and o16 retf
        mov esi, low16
        mov edi, 0x4000
        mov ecx, low16_end - low16
        rep movsb
        mov eax, 0
        call SEL_CODE16:0x4000
        CHECK_EQ eax, 0x1616, "far call into a 16-bit segment, o32 retf back"
        ; ---- loop family ------------------------------------------------
        mov ecx, 5
        xor eax, eax
.l1:    inc eax
        loop .l1
        CHECK_EQ eax, 5, "loop runs ECX times"
        CHECK_EQ ecx, 0, "loop leaves ECX=0"
        mov ecx, 0x10003                ; a16: only CX = 3 counts
        xor eax, eax
.l2:    inc eax
        a16 loop .l2
        CHECK_EQ eax, 3, "a16 loop uses CX"
        CHECK_EQ ecx, 0x10000, "a16 loop keeps ECX upper half"
        mov ecx, 10
        xor eax, eax
.l3:    inc eax
        cmp eax, 4
        loopne .l3                      ; stops when eax == 4 (ZF=1)
        CHECK_EQ eax, 4, "loopne stops on ZF=1"
        CHECK_EQ ecx, 6, "loopne ECX"
        mov ecx, 10
        xor eax, eax
.l4:    inc eax
        cmp eax, 1
        loope .l4                       ; runs once more? ZF=1 only at eax==1
        CHECK_EQ eax, 2, "loope stops on ZF=0"
        CHECK_EQ ecx, 8, "loope ECX"
        mov ecx, 1
        cmp eax, eax
        loope .l5                       ; ECX becomes 0: not taken even with ZF=1
        mov ebx, 1
        jmp .l6
.l5:    mov ebx, 2
.l6:    CHECK_EQ ebx, 1, "loope not taken when ECX reaches 0"
        xor ecx, ecx
        mov ebx, 0
        jecxz .l7
        mov ebx, 1
.l7:    CHECK_EQ ebx, 0, "jecxz taken with ECX=0"
        mov ecx, 0x10000
        mov ebx, 0
        jecxz .l8
        mov ebx, 1
.l8:    CHECK_EQ ebx, 1, "jecxz not taken with ECX=0x10000"
        mov ebx, 0
        jcxz .l9
        mov ebx, 1
.l9:    CHECK_EQ ebx, 0, "jcxz taken with CX=0 (ECX=0x10000)"
        mov esp, [RES]
        FINISH

.f1:    mov eax, [esp]
        ret
.f2:    mov eax, [esp + 4]
        add eax, [esp + 8]
        ret 8
.f3:    mov eax, [esp]
        movzx ebx, word [esp + 4]
        retf
.f4:    mov eax, [esp + 8]
        add eax, [esp + 12]
        retf 8

; 16-bit code copied to 0x4000 (segment SEL_CODE16, base 0)
low16:
        bits 16
        mov ax, 0x1616
        o32 retf
        bits 32
low16_end:
END_IMAGE
