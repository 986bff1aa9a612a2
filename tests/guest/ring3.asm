; ring3.asm - privilege level changes in 32-bit protected mode: IRET to
; ring 3 (segment registers with DPL < 3 nulled), INT from ring 3 through a
; DPL3 interrupt gate with the TSS ring-0 stack switch (pushed SS:ESP),
; INT to a DPL0 gate from ring 3 (#GP(vector*8+2)), exceptions taken from
; ring 3 (outer SS:ESP pushed), call gates: ring 3 -> ring 0 with parameter
; copy and RETF imm16 back, ring 0 -> ring 0 (no stack switch), gate DPL
; check; conforming code segment keeps CPL; privileged instructions at CPL3
; (#GP(0)); #AC alignment check at CPL3; CR4.UMIP (when CPUID has it).
%include "lib/pm32.inc"
; UMIP_PROBE insn, slot: run insn expecting a fault, keep the vector (or
; 0xFFFFFFFF) in slot without reporting
%macro UMIP_PROBE 2
        TRY
        %1
        mov dword [exc_active], 0
%$catch:
        mov eax, [exc_vector]
        mov [%2], eax
        %pop
%endmacro
SEL_CGATE3   equ 0x40           ; call gate DPL3 -> SEL_CODE32, 2 dword params
SEL_CGATE0   equ 0x48           ; call gate DPL0 -> SEL_CODE32, 0 params
SEL_CONFORM  equ 0x50           ; conforming code DPL0 flat
SEL_CGATE3B  equ 0x58           ; call gate DPL3 -> SEL_CODE32 handler for same-level test
main:
        SET_CALLGATE SEL_CGATE3, cgate3_handler, SEL_CODE32, 0xEC, 2
        SET_CALLGATE SEL_CGATE0, cgate0_handler, SEL_CODE32, 0x8C, 0
        SET_DESC SEL_CONFORM, 0, 0xFFFFF, 0xFE, 0xC
        SET_GATE 3, exc_stub_3, SEL_CODE32, 0x8E
        ; ---- iret to ring 3 and back through an interrupt gate ----------
        ENTER_RING3
        mov eax, cs
        mov [RES], eax
        mov eax, ss
        mov [RES + 4], eax
        mov [RES + 8], esp
        pushfd
        pop dword [RES + 12]
        mov eax, 0x1234abcd
        LEAVE_RING3
        CHECK_EQ [RES], SEL_UCODE32, "iret to ring 3: CS = 0x2B"
        CHECK_EQ [RES + 4], SEL_UDATA32, "iret to ring 3: SS = 0x33"
        CHECK_EQ [RES + 8], USTACK_TOP, "iret to ring 3: ESP from the frame"
        CHECK_MASK [RES + 12], 0, F_IOPL3, "ring 3 runs with IOPL 0"
        CHECK_EQ [r3_eax], 0x1234abcd, "int from ring 3: registers preserved"
        CHECK_EQ [r3_kesp], ESP0_TOP - 20, "int from ring 3: stack switched to TSS esp0 (5 dwords pushed)"
        CHECK_EQ [r3_uss], SEL_UDATA32, "int from ring 3: old SS pushed"
        CHECK_EQ [r3_uesp], USTACK_TOP, "int from ring 3: old ESP pushed"
        CHECK_EQ [r3_cs], SEL_UCODE32, "int from ring 3: old CS pushed"
        ; iret to ring 3 nulls DS/ES/FS/GS that hold DPL0 data selectors
        mov [r3_esp], esp
        mov word [r3_ss], ss
        mov dword [r3_resume], .back1
        mov word [r3_resume_cs], cs
        mov ax, SEL_DATA32
        mov ds, ax
        mov es, ax
        mov ax, SEL_UDATA32
        mov fs, ax
        mov gs, ax
        push dword SEL_UDATA32
        push dword USTACK_TOP
        push dword 2
        push dword SEL_UCODE32
        push dword .user1
        iretd
.user1: mov eax, ds
        mov [fs:RES], eax
        mov eax, es
        mov [fs:RES + 4], eax
        mov eax, fs
        mov [fs:RES + 8], eax
        int R3_VECTOR
.back1: CHECK_EQ [RES], 0, "iret to ring 3 nulls DS holding a DPL0 selector"
        CHECK_EQ [RES + 4], 0, "iret to ring 3 nulls ES holding a DPL0 selector"
        CHECK_EQ [RES + 8], SEL_UDATA32, "iret to ring 3 keeps FS holding a DPL3 selector"

        ; ---- checks made at ring 3 (IOPL 3 for the UART) ------------------
        ENTER_RING3 F_IOPL3
        TRY
        int 0x31                        ; DPL0 gate (not present either; DPL checked first)
        CATCH 13, 0x31 * 8 + 2, "int to a DPL0 gate from ring 3 #GP(vector*8+2+0)"
        TRY
        int 3                           ; vector 3 gate has DPL0 here
        CATCH 13, 3 * 8 + 2, "int 3 (CD 03) to a DPL0 gate from ring 3 #GP"
        TRY
        hlt
        CATCH 13, 0, "hlt at CPL3 #GP(0)"
        TRY
        mov eax, cr0
        CATCH 13, 0, "mov from cr0 at CPL3 #GP(0)"
        TRY
        lgdt [gdt_desc]
        CATCH 13, 0, "lgdt at CPL3 #GP(0)"
        TRY
        clts
        CATCH 13, 0, "clts at CPL3 #GP(0)"
        TRY
        wbinvd
        CATCH 13, 0, "wbinvd at CPL3 #GP(0)"
        TRY
        mov ax, SEL_DATA32
        mov ds, ax
        CATCH_ONLY 13, SEL_DATA32, "loading a DPL0 data segment at CPL3 #GP(sel)"
        TRY
        mov ax, SEL_UDATA32 & ~3        ; RPL0 DPL3: allowed (max(CPL,RPL) <= DPL)
        mov es, ax
        NO_EXC "loading DPL3 data with RPL0 at CPL3"
        mov ax, SEL_UDATA32
        mov es, ax
        TRY
        mov ax, SEL_DATA32 | 3
        mov ss, ax
        CATCH_ONLY 13, SEL_DATA32, "loading SS with DPL != CPL #GP(sel)"
        ; exception from ring 3: outer SS:ESP pushed
        TRY
        mov ecx, esp
        sgdt [esp - 8]                  ; allowed at CPL3 (UMIP off)
.cr3:   mov eax, cr3
        CATCH_AT 13, 0, .cr3, "mov from cr3 at CPL3"
        CHECK_EQ [exc_cs], SEL_UCODE32, "exception from ring 3 pushes CS 0x2B"
        CHECK_EQ [exc_outer_ss], SEL_UDATA32, "exception from ring 3 pushes SS"
        CHECK_EQ [exc_outer_esp], USTACK_TOP, "exception from ring 3 pushes ESP"
        CHECK_EQ [exc_frame_esp], ESP0_TOP - 8, "exception from ring 3 ran on the TSS esp0 stack"
        ; call gate ring 3 -> ring 0 with 2 parameters copied
        push dword 0x1111
        push dword 0x2222
        mov [RES + 0x40], esp
        call SEL_CGATE3:0xdeadbeef      ; offset ignored
        mov [RES + 0x44], esp
        mov eax, cs
        CHECK_EQ eax, SEL_UCODE32, "retf from the call gate returns to ring 3"
        mov eax, [RES + 0x40]
        add eax, 8
        CHECK_EQ [RES + 0x44], eax, "retf 8 releases the parameters on the ring-3 stack"
        CHECK_EQ [RES + 0x20], SEL_UCODE32, "call gate: CS pushed on the ring-0 stack"
        CHECK_EQ [RES + 0x24], 0x2222, "call gate: param 1 (last pushed) copied"
        CHECK_EQ [RES + 0x28], 0x1111, "call gate: param 2 copied"
        CHECK_EQ [RES + 0x2c], [RES + 0x40], "call gate: old ESP pushed"
        CHECK_EQ [RES + 0x30], SEL_UDATA32, "call gate: old SS pushed"
        CHECK_EQ [RES + 0x34], ESP0_TOP - 24, "call gate: handler runs on esp0 stack"
        CHECK_EQ [RES + 0x38], SEL_CODE32, "call gate: handler CS is the gate target"
        ; gate DPL check
        TRY
        call SEL_CGATE0:0
        CATCH 13, SEL_CGATE0, "call through a DPL0 call gate from ring 3 #GP(gate)"
        ; conforming code: CPL stays 3
        call SEL_CONFORM:conform_fn
        CHECK_EQ eax, SEL_CONFORM | 3, "conforming segment: CS.RPL stays CPL 3"
        TRY
        call SEL_CODE32:conform_fn
        CATCH 13, SEL_CODE32, "far call to a DPL0 non-conforming segment from ring 3 #GP"
        LEAVE_RING3

        ; ---- call gate at ring 0 (no stack switch, no copy) ---------------
        mov ebx, esp
        call SEL_CGATE0:0
        CHECK_EQ eax, ebx, "ring 0 call gate to ring 0: no stack switch"

        ; ---- #AC at ring 3 ------------------------------------------------
        mov eax, cr0
        or eax, 1 << 18                 ; AM
        mov cr0, eax
        ENTER_RING3 F_IOPL3 | F_AC
        UNLESS_TCG "#AC alignment check"
        TRY
        mov eax, [RES + 1]
        CATCH 17, 0, "#AC misaligned dword load at CPL3 with CR0.AM and EFLAGS.AC"
        END_UNLESS_TCG
        TRY
        mov ax, [RES + 2]
        NO_EXC "aligned word load with AC=1"
        pushfd
        and dword [esp], ~F_AC
        popfd
        TRY
        mov eax, [RES + 1]
        NO_EXC "misaligned load with EFLAGS.AC=0"
        LEAVE_RING3
        mov eax, [RES + 1]              ; CPL0: never #AC
        PASS "misaligned load at CPL0 with AM=1 does not fault"
        mov eax, cr0
        and eax, ~(1 << 18)
        mov cr0, eax

        ; ---- CR4.UMIP: SGDT/SIDT/SLDT/STR/SMSW #GP(0) at CPL3 -------------
        mov eax, 7
        xor ecx, ecx
        cpuid
        test ecx, 1 << 2
        jnz .umip
        SKIP "UMIP (not in CPUID)"
        jmp .umip_done
.umip:  ENTER_RING3 F_IOPL3                ; IOPL 3 for the UART
        TRY
        smsw ax
        NO_EXC "smsw at CPL3 with CR4.UMIP=0"
        LEAVE_RING3
        mov eax, cr4
        or eax, 1 << 11
        mov cr4, eax
        ; the report routines use SMSW themselves: at CPL3 with UMIP only
        ; the vectors are kept, and checked back at CPL0
        ENTER_RING3 F_IOPL3
        UMIP_PROBE {sgdt [RES + 0x40]}, RES + 0x60
        UMIP_PROBE {sidt [RES + 0x40]}, RES + 0x64
        UMIP_PROBE {sldt ax}, RES + 0x68
        UMIP_PROBE {str ax}, RES + 0x6C
        UMIP_PROBE {smsw [RES + 0x40]}, RES + 0x70
        LEAVE_RING3
        CHECK_EQ [RES + 0x60], 13, "sgdt at CPL3 with CR4.UMIP #GP"
        CHECK_EQ [RES + 0x64], 13, "sidt at CPL3 with CR4.UMIP #GP"
        CHECK_EQ [RES + 0x68], 13, "sldt at CPL3 with CR4.UMIP #GP"
        CHECK_EQ [RES + 0x6C], 13, "str at CPL3 with CR4.UMIP #GP"
        CHECK_EQ [RES + 0x70], 13, "smsw m16 at CPL3 with CR4.UMIP #GP"
        TRY
        sgdt [RES + 0x40]
        smsw ax
        NO_EXC "sgdt and smsw at CPL0 with CR4.UMIP"
        mov eax, cr4
        and eax, ~(1 << 11)
        mov cr4, eax
.umip_done:
        FINISH

; call gate handler (ring 0): record the frame, return with retf 8
cgate3_handler:
        mov eax, [esp + 4]
        mov [RES + 0x20], eax
        mov eax, [esp + 8]
        mov [RES + 0x24], eax
        mov eax, [esp + 12]
        mov [RES + 0x28], eax
        mov eax, [esp + 16]
        mov [RES + 0x2c], eax
        mov eax, [esp + 20]
        mov [RES + 0x30], eax
        mov [RES + 0x34], esp
        mov eax, cs
        mov [RES + 0x38], eax
        retf 8
cgate0_handler:
        lea eax, [esp + 8]
        retf
conform_fn:
        mov eax, cs
        retf

setup:
END_IMAGE
