; syscall_amd.asm - SYSCALL outside 64-bit mode on an AMD CPU model (run
; with -cpu max,vendor=AuthenticAMD; Intel raises #UD there, long_sys.asm):
; from legacy protected mode it enters STAR[47:32] flat 32-bit code at
; STAR[31:0] with ECX = the next EIP and VM/IF/RF cleared; from
; compatibility mode it enters 64-bit mode at CSTAR with RCX = the next
; RIP, R11 = RFLAGS and RFLAGS masked by SFMASK (AMD APM vol. 3 SYSCALL).
%include "lib/pm32.inc"
%include "lib/long64.inc"
V_RCX   equ 0x700
V_R11   equ 0x708
V_FL    equ 0x710
V_CS    equ 0x718
V_SS    equ 0x720
main:
        mov eax, 0
        cpuid
        cmp ebx, 'Auth'
        je .amd
        SKIP "SYSCALL outside 64-bit mode: not an AMD CPU model"
        FINISH
.amd:
        ; ---- legacy protected mode ----------------------------------------
        mov ecx, MSR_EFER_N
        rdmsr
        or eax, 1                       ; SCE
        wrmsr
        mov ecx, 0xC0000081             ; STAR: CS = SEL_CODE32, EIP = leg_entry
        mov eax, leg_entry
        mov edx, SEL_CODE32
        wrmsr
        mov dword [V_RCX], 0
        pushfd
        or dword [esp], 0x10000         ; RF: SYSCALL clears it
        popfd
        syscall
leg_next:
        CHECK_EQ [V_RCX], leg_next, "legacy mode: ECX = next EIP"
        CHECK_EQ [V_CS], SEL_CODE32, "legacy mode: CS = STAR[47:32]"
        CHECK_EQ [V_SS], SEL_DATA32, "legacy mode: SS = STAR[47:32] + 8"
        CHECK_EQ [V_FL], 0, "legacy mode: STAR[31:0] reached with IF, RF clear"
        ; ---- compatibility mode ---------------------------------------------
        call long_init
        GO_LONG
        mov ecx, 0xC0000081
        xor eax, eax
        mov edx, 0x00500040             ; CS = 0x40 (64-bit), SS = 0x48
        wrmsr
        mov ecx, 0xC0000083             ; CSTAR
        mov eax, compat_entry
        xor edx, edx
        wrmsr
        mov ecx, 0xC0000082             ; LSTAR: not used from compatibility mode
        mov eax, wrong_entry
        wrmsr
        mov ecx, 0xC0000084             ; SFMASK: DF
        mov eax, 0x400
        wrmsr
        GO_COMPAT
        std
        syscall
compat_next:
        bits 64
wrong_entry:
        cld
        FAILQ "compatibility mode: SYSCALL went to LSTAR or fell through"
        FINISHQ
compat_entry:
        pushfq
        pop rbx
        cld
        mov [V_RCX], rcx
        mov [V_R11], r11
        mov word [V_CS], cs
        mov word [V_SS], ss
        CHECKQ [V_RCX], compat_next, "compatibility mode: RCX = next RIP"
        CHECKQ_MASK [V_R11], 0x400, 0x400, "compatibility mode: R11 = RFLAGS (DF set)"
        CHECKQ_MASK rbx, 0, 0x400, "compatibility mode: RFLAGS masked by SFMASK"
        CHECKD [V_CS], LSEL_CODE64, "compatibility mode: CS = STAR[47:32], 64-bit code at CSTAR"
        CHECKD [V_SS], LSEL_CODE64 + 8, "compatibility mode: SS = STAR[47:32] + 8"
        FINISHQ

        bits 32
leg_entry:
        mov [V_RCX], ecx
        mov word [V_CS], cs
        mov word [V_SS], ss
        pushfd
        pop eax
        and eax, 0x10200                ; RF, IF
        mov [V_FL], eax
        jmp ecx
        LONG_IMAGE
END_IMAGE
