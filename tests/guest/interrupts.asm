; interrupts.asm - software interrupts in 32-bit protected mode: INT n
; through 32-bit interrupt and trap gates at CPL0 (frame: EIP of the next
; instruction, CS, EFLAGS; TF/NT cleared in the handler), IRETD restoring
; flags changed in the frame, INT3/INTO/INT1 frames, gates with a bad type,
; a null or not-present target code segment (exact error codes), and a
; handler that itself faults (exception inside a handler).
%include "lib/pm32.inc"
SEL_NPCODE equ 0x40
S0 equ 0x60000
main:
        SET_DESC SEL_NPCODE, 0, 0xFFFFF, 0x1A, 0xC
        SET_GATE 0x44, h_record, SEL_CODE32, 0x8E       ; interrupt gate
        SET_GATE 0x45, h_record, SEL_CODE32, 0x8F       ; trap gate
        SET_GATE 0x46, h_setcf, SEL_CODE32, 0x8E
        SET_GATE 0x47, h_record, SEL_CODE32, 0x81       ; type 1 (16-bit TSS): invalid in the IDT
        SET_GATE 0x48, h_record, 0, 0x8E                ; null target selector
        SET_GATE 0x49, h_record, SEL_NPCODE, 0x8E       ; not-present target
        SET_GATE 0x4a, h_fault, SEL_CODE32, 0x8E
        mov [RES + 0x40], esp
        mov esp, S0
        push dword F_NT | 0x8d5 | 2
        popfd
        int 0x44
.r44:   pushfd
        pop ebx
        mov esp, [RES + 0x40]
        CHECK_EQ [RES], .r44, "int 0x44: pushed EIP of the next instruction"
        CHECK_EQ [RES + 4], SEL_CODE32, "int 0x44: pushed CS"
        CHECK_EQ [RES + 8], F_NT | 0x8d7, "int 0x44: pushed EFLAGS (NT, arithmetic flags)"
        CHECK_EQ [RES + 12], S0 - 12, "int 0x44: 3 dwords at the same privilege level"
        CHECK_MASK [RES + 16], 0, F_NT | F_TF | F_IF, "interrupt gate handler: NT=TF=IF=0"
        CHECK_EQ ebx, F_NT | 0x8d7, "iretd restores EFLAGS"
        mov esp, S0
        push dword 2
        popfd
        int 0x45
.r45:   mov esp, [RES + 0x40]
        CHECK_EQ [RES], .r45, "trap gate: pushed EIP"
        CHECK_MASK [RES + 16], 0, F_NT | F_TF, "trap gate handler: NT=TF=0"
        clc
        int 0x46
        setc al
        movzx eax, al
        CHECK_EQ eax, 1, "iretd loads CF modified in the frame"
        ; bad gates
        TRY
        int 0x47
        CATCH 13, 0x47 * 8 + 2, "int through an invalid gate type #GP(n*8+2)"
        TRY
        int 0x48
        CATCH 13, 0, "int through a gate with a null code selector #GP(0)"
        TRY
        int 0x49
        CATCH 11, SEL_NPCODE, "int through a gate to a not-present code segment #NP(sel)"
        ; exception inside a handler: #UD raised at the handler's instruction
        TRY
        int 0x4a
        CATCH_AT 6, NOERR, h_fault.ud, "#UD inside an interrupt handler"
        FINISH

h_record:
        mov eax, [esp]
        mov [RES], eax
        mov eax, [esp + 4]
        mov [RES + 4], eax
        mov eax, [esp + 8]
        mov [RES + 8], eax
        mov [RES + 12], esp
        pushfd
        pop dword [RES + 16]
        iretd
h_setcf:
        or dword [esp + 8], F_CF
        iretd
h_fault:
.ud:    ud2
        iretd
END_IMAGE
