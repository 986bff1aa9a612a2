; stack.asm - push/pop (r32, r16, m32, imm8/imm32, segment registers), push
; esp / push sp (value before the decrement), pop esp, pop [esp+n] (address
; computed after the increment), pushad/popad (ESP skipped), pusha/popa,
; pushfd/popfd/pushf/popf, enter with nesting levels 0, 1, 3 (32-bit and
; 16-bit operand size) and leave; pop ss moving (E)SP by the address size of
; the stack it popped from, not by the B bit of the SS it loads.
%include "lib/pm32.inc"
S0 equ 0x60000
S1 equ 0xF000
SEL16SS equ 0x40
main:
        mov [RES], esp
        mov esp, S0
        push dword 0x12345678
        CHECK_EQ esp, S0 - 4, "push imm32: ESP -= 4"
        CHECK_EQ [S0 - 4], 0x12345678, "push imm32 value"
        push byte -2
        CHECK_EQ [S0 - 8], 0xfffffffe, "push imm8 sign-extended"
        push word 0xbeef
        CHECK_EQ esp, S0 - 10, "o16 push imm16: ESP -= 2"
        CHECK_MASK [S0 - 12], 0xbeef0000, 0xffff0000, "o16 push imm16 value"
        pop ax
        CHECK_EQ esp, S0 - 8, "o16 pop: ESP += 2"
        CHECK_MASK eax, 0xbeef, 0xffff, "o16 pop value"
        ; push esp pushes the value before decrementing
        mov esp, S0
        push esp
        CHECK_EQ [S0 - 4], S0, "push esp pushes old ESP"
        push sp
        CHECK_MASK [S0 - 8], (S0 & 0xffff) - 4 << 16, 0xffff0000, "push sp pushes old SP"
        ; pop esp
        mov esp, S0 - 4
        mov dword [S0 - 4], 0x61230
        pop esp
        CHECK_EQ esp, 0x61230, "pop esp loads the popped value"
        ; pop [esp+4]: effective address computed with the incremented ESP
        mov esp, S0 - 16
        mov dword [S0 - 16], 0xaaaa5555
        mov dword [S0 - 12], 0
        mov dword [S0 - 8], 0
        pop dword [esp + 4]
        CHECK_EQ [S0 - 8], 0xaaaa5555, "pop [esp+4] uses ESP after increment"
        CHECK_EQ esp, S0 - 12, "pop m32: ESP += 4"
        ; push m32 / push [esp]
        mov esp, S0 - 8
        mov dword [S0 - 8], 0x600d
        push dword [esp]
        CHECK_EQ [S0 - 12], 0x600d, "push [esp] reads before decrement"
        ; segment registers
        mov esp, S0
        mov dword [S0 - 4], 0xffffffff
        push ds
        CHECK_EQ esp, S0 - 4, "push ds: 32-bit push takes 4 bytes"
        CHECK_MASK [S0 - 4], SEL_DATA32, 0xffff, "push ds: selector in the low word (upper word not checked: implementation choice)"
        mov dword [S0 - 4], 0xabcd0000 | SEL_UDATA32
        pop fs
        mov ax, fs
        CHECK_MASK eax, SEL_UDATA32, 0xffff, "pop fs uses the low word"
        CHECK_EQ esp, S0, "pop fs: ESP += 4"
        o16 push es
        CHECK_EQ esp, S0 - 2, "o16 push es: 2 bytes"
        o16 pop gs
        CHECK_EQ esp, S0, "o16 pop gs: 2 bytes"
        ; pushad / popad
        mov esp, S0
        mov eax, 1
        mov ecx, 2
        mov edx, 3
        mov ebx, 4
        mov ebp, 6
        mov esi, 7
        mov edi, 8
        pushad
        CHECK_EQ [S0 - 4], 1, "pushad EAX at top"
        CHECK_EQ [S0 - 16], 4, "pushad EBX"
        CHECK_EQ [S0 - 20], S0, "pushad pushes original ESP"
        CHECK_EQ [S0 - 32], 8, "pushad EDI last"
        mov dword [S0 - 20], 0x1111     ; popad ignores the ESP slot
        mov dword [S0 - 4], 0x99
        popad
        CHECK_EQ esp, S0, "popad skips the ESP slot"
        CHECK_EQ eax, 0x99, "popad EAX"
        CHECK_EQ edi, 8, "popad EDI"
        mov esp, S0
        mov eax, 0xaaaa1111
        mov edi, 0xbbbb2222
        pushaw
        CHECK_EQ esp, S0 - 16, "pushaw: 16 bytes"
        CHECK_MASK [S0 - 4], 0x11110000, 0xffff0000, "pushaw AX"
        CHECK_MASK [S0 - 12], (S0 & 0xffff) << 16, 0xffff0000, "pushaw original SP"
        mov word [S0 - 16], 0x3333
        popaw
        CHECK_EQ edi, 0xbbbb3333, "popaw loads DI only (upper EDI kept)"
        CHECK_EQ esp, S0, "popaw ESP"
        ; pushfd / popfd
        mov esp, S0
        push dword 0x8d5 | 2
        popfd
        pushfd
        CHECK_EQ [S0 - 4], 0x8d7, "popfd/pushfd arithmetic flags"
        pop eax
        push dword 0x3fffff & ~(F_VM | F_RF | F_IF | F_TF)
        popfd
        pushfd
        pop eax
        CHECK_MASK eax, 0x247fd7, 0x3fffff & ~(F_VM | F_RF | F_IF | F_TF | 0x100000 | 0x80000), "popfd at CPL0 sets IOPL NT AC ID; reserved bits read as fixed"
        push dword F_VM | F_RF | 2
        popfd
        pushfd
        pop eax
        CHECK_EQ eax, 2, "popfd cannot set VM; RF reads as 0 in the pushed image"
        push dword 2
        popfd
        push word 0x08d5
        popf
        pushf
        CHECK_EQ esp, S0 - 2, "pushf/popf 16-bit"
        pop ax
        CHECK_MASK eax, 0x8d7, 0xffff, "popf/pushf 16-bit value"
        pushfd
        pop eax
        CHECK_EQ eax, 0x8d7, "popf 16-bit leaves upper EFLAGS"
        push dword 2
        popfd
        ; ---- enter / leave ----------------------------------------------
        mov esp, S0
        mov ebp, 0x12345
        enter 0x20, 0
        CHECK_EQ [S0 - 4], 0x12345, "enter 0x20,0 pushes EBP"
        CHECK_EQ ebp, S0 - 4, "enter 0x20,0: EBP = frame"
        CHECK_EQ esp, S0 - 4 - 0x20, "enter 0x20,0: ESP"
        leave
        CHECK_EQ esp, S0, "leave restores ESP"
        CHECK_EQ ebp, 0x12345, "leave restores EBP"
        mov esp, S0
        mov ebp, 0x50000
        mov dword [0x50000 - 4], 0xa1
        mov dword [0x50000 - 8], 0xa2
        mov dword [0x50000 - 12], 0xa3
        enter 8, 1
        CHECK_EQ [S0 - 8], S0 - 4, "enter 8,1 pushes the frame pointer"
        CHECK_EQ esp, S0 - 8 - 8, "enter 8,1: ESP"
        CHECK_EQ ebp, S0 - 4, "enter 8,1: EBP"
        leave
        mov esp, S0
        mov ebp, 0x50000
        enter 8, 3
        CHECK_EQ [S0 - 4], 0x50000, "enter 8,3: old EBP"
        CHECK_EQ [S0 - 8], 0xa1, "enter 8,3: display[1] from [EBP-4]"
        CHECK_EQ [S0 - 12], 0xa2, "enter 8,3: display[2] from [EBP-8]"
        CHECK_EQ [S0 - 16], S0 - 4, "enter 8,3: frame pointer"
        CHECK_EQ esp, S0 - 24, "enter 8,3: ESP"
        CHECK_EQ ebp, S0 - 4, "enter 8,3: EBP"
        leave
        CHECK_EQ ebp, 0x50000, "leave after enter 8,3"
        ; level is taken modulo 32
        mov esp, S0
        mov ebp, 0x50000
        enter 4, 33                     ; = level 1
        CHECK_EQ esp, S0 - 8 - 4, "enter 4,33 = level 1"
        leave
        ; 16-bit operand size (stack below 64K, so BP and EBP agree)
        mov esp, S1
        mov ebp, 0x5000
        mov word [0x5000 - 2], 0x1111
        o16 enter 6, 2
        CHECK_EQ esp, S1 - 6 - 6, "o16 enter 6,2: ESP"
        CHECK_EQ [S1 - 4], 0x50001111, "o16 enter 6,2: BP and display word"
        CHECK_MASK [S1 - 8], ((S1 - 2) & 0xffff) << 16, 0xffff0000, "o16 enter 6,2: frame pointer word"
        CHECK_MASK ebp, S1 - 2, 0xffff, "o16 enter: BP = frame"
        o16 leave
        CHECK_EQ esp, S1, "o16 leave"
        CHECK_MASK ebp, 0x5000, 0xffff, "o16 leave restores BP"
        ; pop ss: the pop uses the old stack, so ESP/SP moves by its size
        SET_DESC SEL16SS, 0, 0xFFFF, 0x93, 0  ; 16-bit data, B=0
        mov esp, 0x1FFFC                ; 32-bit SS: ESP 0x1FFFC -> 0x20000
        mov dword [0x1FFFC], SEL16SS
        pop ss
        mov ebx, esp
        mov ax, SEL_DATA32
        mov ss, ax
        CHECK_EQ ebx, 0x20000, "pop ss to a 16-bit SS from a 32-bit stack: ESP + 4"
        mov esp, 0x2FFFC                ; 16-bit SS: SP 0xFFFC -> 0x0000, ESP[31:16] kept
        mov ax, SEL16SS
        mov ss, ax
        mov dword [0xFFFC], SEL_DATA32
        pop ss
        mov ebx, esp
        CHECK_EQ ebx, 0x20000, "pop ss to a 32-bit SS from a 16-bit stack: SP wraps, ESP[31:16] kept"
        mov esp, [RES]
        FINISH
END_IMAGE
