; long_sys.asm - 64-bit system programming (run with
; -cpu max,vendor=GenuineIntel on QEMU: SYSENTER in 64-bit mode is Intel-only):
; SYSCALL/SYSRET round trips from ring 3 (RCX/R11, SFMASK, STAR selectors,
; SYSRET to 64-bit and to compatibility mode, #UD with EFER.SCE=0 and in
; compatibility mode, #GP at CPL3, non-canonical RCX #GP(0) at CPL0),
; SWAPGS and KERNEL_GS_BASE, FS/GS base MSRs and segment loads,
; RDFSBASE/WRFSBASE/RDGSBASE/WRGSBASE (CR4.FSGSBASE), RDTSCP/TSC_AUX,
; SYSENTER/SYSEXIT in 64-bit mode, IRETQ to ring 3 and INT back through
; RSP0, interrupts on IST stacks and the 16-byte frame alignment, far call
; through a 64-bit call gate ring 3 -> 0 and RETFQ back, IRETQ to
; compatibility mode, null SS rules of IRETQ and MOV SS, LAR/LSL/VERR/VERW
; on 16-byte system descriptors.
%include "lib/pm32.inc"
%include "lib/long64.inc"
NONCANON equ 0x0100000000000000 ; not canonical at 48 or 57 bits (canon57.asm)
V_RCX   equ 0x700
V_R11   equ 0x708
V_FL    equ 0x710
V_CS    equ 0x718
V_SS    equ 0x720
V_RSP   equ 0x728
V_X     equ 0x730
V_Y     equ 0x738
SE_STACK equ 0x50000
SEL_TSS16 equ 0x98
main:
        mov eax, 0x80000001
        cpuid
        CHECK_MASK edx, 1 << 27, 1 << 27, "cpuid 0x80000001: RDTSCP"
        mov eax, 7
        xor ecx, ecx
        cpuid
        CHECK_MASK ebx, 1, 1, "cpuid 7: FSGSBASE"
        call long_init
        SET_DESC SEL_TSS16, 0, 0x67, 0x81, 0x0    ; 16-bit TSS: invalid in long mode
        GO_LONG
        ; ---- SYSCALL / SYSRET ------------------------------------------------
        SET_SYSCALL_MSRS sc_entry, 0x40700      ; SFMASK: TF IF DF AC
        TRY
        syscall
        CATCHQ 6, NOERR, "syscall with EFER.SCE=0 #UD"
        mov ecx, MSR_EFER_N
        rdmsr
        or eax, 1
        wrmsr
        ENTER_RING3_64 F_IOPL3
        mov eax, 1
        std
        mov r11, 0x1234
        syscall
sc_ret1:
        pushfq
        pop rbx
        cld
        mov [V_X], rcx
        mov word [V_Y], cs
        LEAVE_RING3_64
        CHECKQ [V_RCX], sc_ret1, "syscall: RCX = next RIP"
        CHECKQ_MASK [V_R11], F_DF | F_IOPL3 | 2, F_DF | F_IOPL3 | 2 | F_IF | F_TF, "syscall: R11 = RFLAGS"
        CHECKQ_MASK [V_FL], 2, F_DF | F_IF | F_TF | F_AC | 2, "syscall: RFLAGS masked by SFMASK"
        CHECKQ [V_CS], LSEL_CODE64, "syscall: CS = STAR[47:32]"
        CHECKQ [V_SS], LSEL_CODE64 + 8, "syscall: SS = STAR[47:32] + 8"
        CHECKQ [V_RSP], USTACK_TOP, "syscall: RSP unchanged"
        CHECKQ_MASK rbx, F_DF, F_DF, "sysret: RFLAGS from R11"
        CHECKD [V_Y], LSEL_UCODE64, "sysret (REX.W): CS = STAR[63:48] + 16 | 3"
        CHECKD [r3_uss], LSEL_UDATA, "sysret: SS = STAR[63:48] + 8 | 3"
        ; to compatibility mode
        mov [q_r3_rsp], rsp
        mov qword [q_r3_resume], sc_back
        push qword LSEL_UDATA
        push qword USTACK_TOP
        push qword F_IOPL3 | 2
        push qword LSEL_UCODE64
        push qword sc_user2
        iretq
sc_user2:
        mov eax, 2
        syscall                         ; returns to compat_r3 with a 32-bit SYSRET
        bits 32
compat_r3:
        mov eax, cs
        mov [ss:V_X], eax
        mov eax, ss
        mov [ss:V_Y], eax
        int LM_R3_VECTOR                ; back to ring 0 through the 64-bit IDT
        bits 64
sc_back:
        CHECKD [V_X], LSEL_UCODE32, "sysret (32-bit): CS = STAR[63:48] | 3, compatibility mode"
        CHECKD [V_Y], LSEL_UDATA, "sysret (32-bit): SS"
        CHECKD [r3_cs], LSEL_UCODE32, "int from compatibility-mode ring 3: pushed CS"
        ENTER_RING3_64 F_IOPL3
        TRY
        o64 sysret
        CATCHQ 13, 0, "sysret at CPL3 #GP(0)"
        LEAVE_RING3_64
        UNLESS_TCGQ "sysret to a non-canonical RCX"
        mov rcx, NONCANON
        TRY
        o64 sysret
        CATCHQ 13, 0, "sysret to a non-canonical RCX #GP(0) at CPL0 (Intel)"
        END_UNLESS_TCG
        GO_COMPAT
        UNLESS_TCG "syscall/sysret in compatibility mode"
        TRY
        syscall
        CATCH 6, NOERR, "syscall in compatibility mode #UD (Intel)"
        TRY
        sysret
        CATCH 6, NOERR, "sysret in compatibility mode #UD (Intel)"
        END_UNLESS_TCG
        TRY
        db 0x0F, 0x01, 0xF8              ; swapgs
        CATCH 6, NOERR, "swapgs in compatibility mode #UD"
        GO_64
        ; ---- SWAPGS and the base MSRs ------------------------------------------
        mov qword [RES], 0x1111
        mov qword [RES + 0x100], 0x2222
        mov ecx, 0xC0000101             ; GS_BASE
        mov eax, RES
        xor edx, edx
        wrmsr
        mov ecx, 0xC0000102             ; KERNEL_GS_BASE
        mov eax, RES + 0x100
        wrmsr
        mov rax, [gs:0]
        CHECKQ rax, 0x1111, "gs: uses IA32_GS_BASE"
        swapgs
        mov rax, [gs:0]
        CHECKQ rax, 0x2222, "swapgs: gs: uses the old KERNEL_GS_BASE"
        mov ecx, 0xC0000102
        rdmsr
        CHECKD eax, RES, "swapgs: KERNEL_GS_BASE = old GS base"
        swapgs
        ENTER_RING3_64 F_IOPL3
        TRY
        swapgs
        CATCHQ 13, 0, "swapgs at CPL3 #GP(0)"
        LEAVE_RING3_64
        mov ecx, 0xC0000100             ; FS_BASE
        mov eax, RES
        xor edx, edx
        wrmsr
        mov rax, [fs:0x100]
        CHECKQ rax, 0x2222, "fs: uses IA32_FS_BASE"
        mov ax, SEL_DATA32
        mov fs, ax
        mov ecx, 0xC0000100
        rdmsr
        CHECKD eax, 0, "mov fs loads the descriptor base into FS_BASE"
        UNLESS_TCGQ "wrmsr FS_BASE with a non-canonical value"
        mov ecx, 0xC0000100
        xor eax, eax
        mov edx, NONCANON >> 32
        TRY
        wrmsr
        CATCHQ 13, 0, "wrmsr FS_BASE non-canonical #GP(0)"
        END_UNLESS_TCG
        ; ---- RDFSBASE and friends ------------------------------------------------
        TRY
        rdfsbase rax
        CATCHQ 6, NOERR, "rdfsbase with CR4.FSGSBASE=0 #UD"
        mov rax, cr4
        bts rax, 16
        mov cr4, rax
        mov rax, 0xFFFF800012345000
        wrfsbase rax
        rdfsbase rbx
        CHECKQ rbx, 0xFFFF800012345000, "wrfsbase/rdfsbase"
        mov ecx, 0xC0000100
        rdmsr
        CHECKD edx, 0xFFFF8000, "wrfsbase sets IA32_FS_BASE"
        mov eax, RES + 0x100
        wrgsbase rax
        mov rax, [gs:0]
        CHECKQ rax, 0x2222, "wrgsbase: gs: uses the new base"
        mov rbx, -1
        rdgsbase ebx
        CHECKQ rbx, RES + 0x100, "rdgsbase r32 zero-extends"
        UNLESS_TCGQ "wrgsbase with a non-canonical value"
        mov rax, NONCANON
        TRY
        wrgsbase rax
        CATCHQ 13, 0, "wrgsbase non-canonical #GP(0)"
        END_UNLESS_TCG
        ENTER_RING3_64 F_IOPL3
        mov eax, 0x4000
        wrfsbase rax
        rdfsbase rcx
        mov [V_X], rcx
        LEAVE_RING3_64
        CHECKQ [V_X], 0x4000, "wrfsbase/rdfsbase at CPL3"
        xor eax, eax
        wrfsbase rax
        ; ---- RDTSCP ----------------------------------------------------------------
        mov ecx, 0xC0000103
        mov eax, 0x42
        xor edx, edx
        wrmsr
        mov rcx, -1
        rdtscp
        CHECKQ rcx, 0x42, "rdtscp: RCX = TSC_AUX, zero-extended"
        shl rdx, 32
        or rax, rdx
        mov rbx, rax
        rdtsc
        shl rdx, 32
        or rax, rdx
        sub rax, rbx
        sar rax, 63
        CHECKQ rax, 0, "rdtscp: TSC does not go backwards"
        ; ---- SYSENTER / SYSEXIT -----------------------------------------------------
        mov ecx, 0x174
        mov eax, LSEL_CODE64
        xor edx, edx
        wrmsr
        mov ecx, 0x175
        mov eax, SE_STACK
        wrmsr
        mov ecx, 0x176
        mov eax, se_entry
        wrmsr
        ENTER_RING3_64 F_IOPL3
        mov rcx, USTACK_TOP - 0x100
        mov rdx, se_ret
        sysenter
se_ret: mov word [V_X], cs
        mov word [V_Y], ss
        mov [V_RSP], rsp
        LEAVE_RING3_64
        CHECKQ [V_CS], LSEL_CODE64, "sysenter in long mode: CS = SYSENTER_CS"
        CHECKQ [V_SS], LSEL_CODE64 + 8, "sysenter: SS = SYSENTER_CS + 8"
        CHECKQ [V_RCX], SE_STACK, "sysenter: RSP = SYSENTER_ESP"
        CHECKD [V_X], LSEL_CODE64 + 32 + 3, "sysexit (REX.W): CS = SYSENTER_CS + 32 | 3"
        CHECKD [V_Y], LSEL_CODE64 + 40 + 3, "sysexit (REX.W): SS = SYSENTER_CS + 40 | 3"
        CHECKQ [V_RSP], USTACK_TOP - 0x100, "sysexit: RSP = RCX"
        ; ---- IRETQ to ring 3, INT back -------------------------------------------
        ENTER_RING3_64 F_IOPL3
        mov eax, 0x5A
        LEAVE_RING3_64
        CHECKD [r3_kesp], ESP0_TOP - 40, "int from ring 3: RSP0 from the TSS, 5 qwords pushed"
        CHECKQ [q_r3_ursp], USTACK_TOP, "int from ring 3: user RSP pushed"
        CHECKD [r3_uss], LSEL_UDATA, "int from ring 3: user SS pushed"
        CHECKD [r3_cs], LSEL_UCODE64, "int from ring 3: user CS pushed"
        CHECKD [r3_eax], 0x5A, "ring 3 ran"
        ; ---- IST and frame alignment ------------------------------------------------
        SET_GATE64 0x32, ist_handler, LSEL_CODE64, 0x8E, 3
        SET_GATE64 0x33, ist_handler, LSEL_CODE64, 0x8E, 0
        int 0x32
        CHECKQ [V_X], LM_IST_BASE + 3 * 0x1000 - 40, "int through an IST3 gate at CPL0 switches to IST3"
        mov r12, rsp
        and rsp, ~0xF
        mov rbx, rsp
        sub rsp, 8                      ; RSP = 8 mod 16
        int 0x33
        mov rsp, r12
        lea rax, [rbx - 16 - 40]
        CHECKQ [V_X], rax, "64-bit frame: RSP aligned to 16 before the pushes"
        lea rax, [rbx - 8]
        CHECKQ [V_Y], rax, "64-bit frame: original RSP pushed"
        SET_GATE64 6, q_exc_stub_6, LSEL_CODE64, 0x8E, 2
        ENTER_RING3_64 F_IOPL3
        TRY
        ud2
        CATCHQ 6, NOERR, "#UD from ring 3 through an IST2 gate"
        LEAVE_RING3_64
        mov rax, [q_exc_frame]
        CHECKQ rax, LM_IST_BASE + 2 * 0x1000 - 40, "exception from ring 3 on the IST2 stack"
        SET_GATE64 6, q_exc_stub_6, LSEL_CODE64, 0x8E, 0
        ; ---- 64-bit call gate ------------------------------------------------------
        SET_CALLGATE64 LSEL_GATE, cg_target, LSEL_CODE64, 0xEC
        mov dword [RES], 0
        mov word [RES + 4], LSEL_GATE | 3
        mov qword [V_Y], 0
        ENTER_RING3_64 F_IOPL3
        call far dword [RES]
        mov word [V_Y], cs
        LEAVE_RING3_64
        CHECKQ [V_RSP], ESP0_TOP - 32, "call gate ring 3 -> 0: RSP0, 4 qwords pushed"
        CHECKQ [V_CS], LSEL_UCODE64, "call gate: caller CS pushed"
        CHECKQ [V_SS], LSEL_UDATA, "call gate: caller SS pushed"
        CHECKQ [V_X], 0, "call gate: new SS is null"
        CHECKD [V_Y], LSEL_UCODE64, "retfq back to ring 3"
        SET_CALLGATE64 LSEL_GATE, cg_target, SEL_CODE32, 0xEC
        TRY
        call far dword [RES]
        CATCHQ 13, SEL_CODE32, "64-bit call gate to a non-64-bit code segment #GP(sel)"
        ; ---- IRETQ to compatibility mode ring 3 --------------------------------------
        mov [q_r3_rsp], rsp
        mov qword [q_r3_resume], ir_back
        push qword LSEL_UDATA
        push qword USTACK_TOP
        push qword F_IOPL3 | 2
        push qword LSEL_UCODE32
        push qword ir_compat
        iretq
        bits 32
ir_compat:
        mov eax, cs
        mov [ss:V_X], eax
        int LM_R3_VECTOR
        bits 64
ir_back:
        CHECKD [V_X], LSEL_UCODE32, "iretq to compatibility mode ring 3"
        ; ---- null SS -------------------------------------------------------------------
        mov rbx, rsp
        push qword 0
        push rbx
        pushfq
        push qword LSEL_CODE64
        push qword nss_ok
        iretq
nss_ok: mov eax, ss
        CHECKD eax, 0, "iretq to CPL0 64-bit code with a null SS"
        mov ax, SEL_DATA32
        mov ss, ax
        xor eax, eax
        mov ss, ax
        PASSQ "mov ss, 0 at CPL0 in 64-bit mode"
        mov ax, SEL_DATA32
        mov ss, ax
        mov rbx, rsp
        TRY
        push qword 3
        push rbx
        pushfq
        push qword LSEL_UCODE64
        push qword nss_ok
        iretq
        CATCHQ_ONLY 13, 0, "iretq to ring 3 with a null SS #GP(0)"
        UNLESS_TCGQ "iretq to compatibility mode with a null SS"
        TRY
        push qword 0
        push rbx
        pushfq
        push qword SEL_CODE32
        push qword nss_ok
        iretq
        CATCHQ_ONLY 13, 0, "iretq to compatibility mode with a null SS #GP(0)"
        END_UNLESS_TCG
        ; ---- LAR / LSL / VERR / VERW ----------------------------------------------------
        mov ecx, LSEL_TSS64
        lar eax, ecx
        CHECK_FLAGSQ F_ZF, F_ZF, "lar on the 64-bit TSS: ZF=1"
        CHECKD eax, 0x8B00, "lar on the 64-bit TSS: busy TSS, present"
        lsl rax, rcx
        CHECKQ rax, 103, "lsl on the 64-bit TSS"
        mov ecx, LSEL_GATE
        lar eax, ecx
        CHECK_FLAGSQ F_ZF, F_ZF, "lar on a 64-bit call gate: ZF=1"
        lsl eax, ecx
        CHECK_FLAGSQ F_ZF, 0, "lsl on a call gate: ZF=0"
        mov ecx, LSEL_CODE64
        verr cx
        CHECK_FLAGSQ F_ZF, F_ZF, "verr on 64-bit code: ZF=1"
        verw cx
        CHECK_FLAGSQ F_ZF, 0, "verw on code: ZF=0"
        UNLESS_TCGQ "lar/lsl system-descriptor types in long mode"
        mov ecx, SEL_TSS16
        lar eax, ecx
        CHECK_FLAGSQ F_ZF, 0, "lar on a 16-bit TSS in long mode: ZF=0"
        mov ecx, LSEL_TSS64 + 8
        lsl eax, ecx
        CHECK_FLAGSQ F_ZF, 0, "lsl on the upper half of a 16-byte descriptor: ZF=0"
        END_UNLESS_TCG
        GO_COMPAT
        LEAVE_LONG
        FINISH

        bits 64
sc_entry:
        mov [V_RCX], rcx
        mov [V_R11], r11
        mov [V_RSP], rsp
        pushfq
        pop qword [V_FL]
        mov qword [V_CS], 0
        mov qword [V_SS], 0
        mov word [V_CS], cs
        mov word [V_SS], ss
        cmp eax, 2
        je .compat
        o64 sysret
.compat:
        mov ecx, compat_r3
        sysret

se_entry:
        mov [V_RCX], rsp
        mov qword [V_CS], 0
        mov qword [V_SS], 0
        mov word [V_CS], cs
        mov word [V_SS], ss
        o64 sysexit

ist_handler:
        mov [V_X], rsp
        mov rax, [rsp + 24]
        mov [V_Y], rax
        iretq

cg_target:
        mov [V_RSP], rsp
        mov rax, [rsp + 8]
        mov [V_CS], rax
        mov rax, [rsp + 24]
        mov [V_SS], rax
        mov qword [V_X], 0
        mov word [V_X], ss
        o64 retf
        bits 32
        LONG_IMAGE
        END_IMAGE
