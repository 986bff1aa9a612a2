; v86.asm - virtual-8086 mode.  The 32-bit monitor enters small v86
; snippets with IRETD (VM=1, from a 32-bit TSS with esp0) and each snippet
; ends in a trap back to the monitor, which checks vector, error code, IP,
; the v86 frame (VM, segment registers) and values the snippet stored:
; real-mode style addressing, IOPL-sensitive instructions (cli, sti, pushf,
; popf, int n, iret) #GP(0) with IOPL<3 and allowed with IOPL=3, int3 to a
; DPL0 gate #GP(vector*8+2), privileged instructions (hlt, mov cr0),
; IN/OUT through the TSS I/O bitmap regardless of IOPL, #DE/#UD in v86,
; INT n with IOPL=3 through a DPL3 gate (9-dword frame, data segments
; zeroed in the handler, restored by IRETD).  CR4.VME (when CPUID has it):
; CLI/STI on VIF, 16-bit PUSHF/POPF/IRET showing VIF as IF (IOPL 3 in the
; pushed image), #GP(0) for a popped TF, STI/POPF IF=1 with VIP and the
; 32-bit forms, VIF+VIP on entry, INT n redirected to the IVT through the TSS redirection
; bitmap or not (bit set: #GP(0) with IOPL<3, the IDT with IOPL=3);
; CR4.PVI: CLI/STI at CPL3 on VIF, STI with VIP #GP(0).
%define HAVE_BLOB
%include "lib/pm32.inc"
%include "lib/realmode.inc"
V_VEC   equ RES + 0x100         ; trap record: vector, error, eip, cs, eflags, esp, ss, es, ds, fs, gs
V_OUT   equ RES + 0x140         ; values stored by the snippets
V_H     equ RES + 0x180         ; int 0x31 handler record
V86_SP  equ 0x7000
F_VIF   equ 0x80000
F_VIP   equ 0x100000
IOMAP   equ tss32 + 104

; V86 snippet, eflags-extra
%macro V86 1-2 0
        %push v86
        mov [r3_esp], esp
        mov word [r3_ss], ss
        mov dword [r3_resume], %$back
        mov word [r3_resume_cs], cs
        mov dword [V_VEC], 0xffffffff
        mov dword [V_VEC + 4], 0xffffffff
        mov dword [V_VEC + 8], 0xffffffff
        push dword 0                    ; gs
        push dword 0                    ; fs
        push dword 0                    ; ds
        push dword 0                    ; es
        push dword 0                    ; ss
        push dword V86_SP
        push dword F_VM | 2 | (%2)
        push dword 0                    ; cs
        push dword %1
        iretd
%$back:
        %pop
%endmacro

; V86_TRAP vector, error, ip, "desc"
%macro V86_TRAP 4
        CHECK_EQ [V_VEC], %1, {%4, " - vector"}
        CHECK_EQ [V_VEC + 4], %2, {%4, " - error code"}
        CHECK_EQ [V_VEC + 8], %3, {%4, " - IP"}
%endmacro

main:
        ; trap gates for the monitor
        SET_GATE 0, v86_stub_0, SEL_CODE32, 0x8E
        SET_GATE 3, v86_stub_3, SEL_CODE32, 0x8E
        SET_GATE 6, v86_stub_6, SEL_CODE32, 0x8E
        SET_GATE 13, v86_stub_13, SEL_CODE32, 0x8E
        SET_GATE 0x31, v86_int31, SEL_CODE32, 0xEE
        mov eax, 0x80
        bts [IOMAP], eax                ; deny port 0x80
        mov esi, section..blob.start
        mov edi, BLOB_BASE
        mov ecx, blob_end - blob_start
        rep movsb

        V86 s_basic
        V86_TRAP 13, 0, s_basic.int21, "v86 IOPL0: int 0x21 #GP(0)"
        CHECK_EQ [V_OUT], 0, "v86: CS = 0"
        CHECK_EQ [V_OUT + 4], 0x11223344, "v86: DS=0x0100 addresses linear 0x1000"
        CHECK_MASK [V_OUT + 8], 1, 1, "v86: smsw shows PE=1"
        CHECK_EQ [V_OUT + 12], 0x0100, "v86: mov ds loads a paragraph number"
        CHECK_MASK [V_VEC + 16], F_VM, F_VM | F_IOPL3, "v86 #GP frame: EFLAGS.VM=1 IOPL=0"
        CHECK_EQ [V_VEC + 32], 0x0100, "v86 #GP frame: DS pushed"
        CHECK_EQ [V_VEC + 20], V86_SP, "v86 #GP frame: SP pushed"
        CHECK_EQ [V_VEC + 12], 0, "v86 #GP frame: CS pushed"
        V86 s_cli
        V86_TRAP 13, 0, s_cli, "v86 IOPL0: cli #GP(0)"
        V86 s_sti
        V86_TRAP 13, 0, s_sti, "v86 IOPL0: sti #GP(0)"
        V86 s_pushf
        V86_TRAP 13, 0, s_pushf, "v86 IOPL0: pushf #GP(0)"
        V86 s_popf
        V86_TRAP 13, 0, s_popf.p, "v86 IOPL0: popf #GP(0)"
        V86 s_iret
        V86_TRAP 13, 0, s_iret.i, "v86 IOPL0: iret #GP(0)"
        V86 s_hlt
        V86_TRAP 13, 0, s_hlt, "v86: hlt #GP(0)"
        V86 s_cr0
        V86_TRAP 13, 0, s_cr0, "v86: mov eax, cr0 #GP(0)"
        V86 s_io
        V86_TRAP 13, 0, s_io.denied, "v86 IOPL0: in from a port denied in the bitmap #GP(0)"
        CHECK_MASK [V_OUT], 0x5a, 0xff, "v86 IOPL0: in/out through a permitted port (no IOPL check)"
        V86 s_io, F_IOPL3
        V86_TRAP 13, 0, s_io.denied, "v86 IOPL3: the I/O bitmap still applies #GP(0)"
        V86 s_de
        V86_TRAP 0, NOERR, s_de.d, "v86: #DE goes to the monitor"
        CHECK_MASK [V_VEC + 16], F_VM, F_VM, "v86 #DE frame: VM=1"
        V86 s_int3
        V86_TRAP 13, 3 * 8 + 2, s_int3, "v86: int3 to a DPL0 gate #GP(3*8+2)"
        V86 s_int_3
        V86_TRAP 13, 0, s_int_3, "v86 IOPL0: int 3 (CD 03) is IOPL-sensitive #GP(0)"
        V86 s_ud
        V86_TRAP 6, NOERR, s_ud, "v86: ud2 #UD"
        ; IOPL 3
        V86 s_iopl3, F_IOPL3
        V86_TRAP 13, 0, s_iopl3.end, "v86 IOPL3: snippet ran to the final hlt"
        CHECK_MASK [V_OUT], F_IOPL3 | 2, F_IOPL3 | 2 | F_IF, "v86 IOPL3: pushf works, IF=0 after cli"
        CHECK_EQ [V_OUT + 4], 0x38d7, "v86 IOPL3: popf/pushf round trip, IOPL kept"
        CHECK_EQ [V_H], s_iopl3.after31, "v86 int 0x31: pushed IP"
        CHECK_EQ [V_H + 4], 0, "v86 int 0x31: pushed CS"
        CHECK_MASK [V_H + 8], F_VM | F_IOPL3, F_VM | F_IOPL3, "v86 int 0x31: pushed EFLAGS with VM"
        CHECK_EQ [V_H + 20], 0x0200, "v86 int 0x31: pushed ES"
        CHECK_EQ [V_H + 24], 0x0100, "v86 int 0x31: pushed DS"
        CHECK_EQ [V_H + 28], 0x0300, "v86 int 0x31: pushed FS"
        CHECK_EQ [V_H + 32], 0x0400, "v86 int 0x31: pushed GS"
        CHECK_EQ [V_H + 36], 0, "v86 int 0x31: DS zeroed in the handler"
        CHECK_EQ [V_H + 40], ESP0_TOP - 36, "v86 int 0x31: 9 dwords on the esp0 stack"
        CHECK_EQ [V_OUT + 8], 0x0100, "v86: iretd restored DS"
        CHECK_EQ [V_OUT + 12], 0x0400, "v86: iretd restored GS"
        V86 s_int21, F_IOPL3
        V86_TRAP 13, 0x21 * 8 + 2, s_int21, "v86 IOPL3: int 0x21 to an empty IDT entry #GP(0x21*8+2)"
        V86 s_exit, F_IOPL3
        CHECK_MASK [r3_eflags], F_VM, F_VM, "v86 IOPL3: int 0x30 reached the ring-0 gate from v86"
        CHECK_EQ [r3_eip], s_exit.after, "v86 int 0x30: pushed IP"
        ; ---- CR4.VME -----------------------------------------------------------
        mov eax, 1
        cpuid
        test edx, 2
        jnz .vme
        SKIP "CR4.VME and CR4.PVI: CPUID does not advertise VME"
        jmp .novme
.vme:   mov eax, cr4
        or eax, 1                       ; VME
        mov cr4, eax
        ; the redirection bitmap takes the 32 bytes below the I/O map base;
        ; port 0x80's deny bit becomes vector 0x80's "not redirected" bit
        mov word [tss32 + 102], 104 + 32
        mov byte [tss32 + 104 + 0x22 / 8], 1 << (0x22 & 7)
        mov dword [0x21 * 4], s_vme_isr         ; IVT: 0000:s_vme_isr
        V86 s_vme_if
        V86_TRAP 13, 0, s_vme_if.end, "VME: cli/sti do not fault with IOPL 0"
        CHECK_MASK [V_OUT], F_IF | F_IOPL3, F_IF | F_IOPL3, "VME: pushf after sti shows VIF=1 as IF, IOPL 3"
        CHECK_MASK [V_OUT + 4], F_IOPL3, F_IF | F_IOPL3, "VME: pushf after cli shows VIF=0 as IF"
        CHECK_MASK [V_VEC + 16], F_VIF, F_VIF | F_IF | F_IOPL3, "VME: sti sets VIF, IF and IOPL unchanged"
        V86 s_vme_popf
        V86_TRAP 13, 0, s_vme_popf.end, "VME: popf IF=1 does not fault"
        CHECK_MASK [V_VEC + 16], F_VIF | F_CF, F_VIF | F_IF | F_CF, "VME: popf loads CF, IF goes to VIF"
        V86 s_vme_popf_tf
        V86_TRAP 13, 0, s_vme_popf_tf.p, "VME: popf with TF #GP(0)"
        V86 s_sti, F_VIP
        V86_TRAP 13, 0, s_sti, "VME: sti with VIP #GP(0)"
        V86 s_vme_popf, F_VIP
        V86_TRAP 13, 0, s_vme_popf.p, "VME: popf IF=1 with VIP #GP(0)"
        V86 s_vme_iret, F_VIP
        V86_TRAP 13, 0, s_vme_iret.i, "VME: iret IF=1 with VIP #GP(0)"
        V86 s_vme_pushfd
        V86_TRAP 13, 0, s_vme_pushfd, "VME: pushfd #GP(0)"
        V86 s_vme_popfd
        V86_TRAP 13, 0, s_vme_popfd.p, "VME: popfd #GP(0)"
        V86 s_vme_iretd
        V86_TRAP 13, 0, s_vme_iretd.i, "VME: iretd #GP(0)"
        V86 s_vme_iret, F_VIF | F_VIP
        V86_TRAP 13, 0, s_vme_iret, "VME: entering v86 code with VIF and VIP #GP(0) before its first instruction"
        V86 s_vme_iret
        V86_TRAP 13, 0, s_vme_iret.back, "VME: 16-bit iret returns"
        CHECK_MASK [V_VEC + 16], F_VIF, F_VIF | F_IF, "VME: iret sets VIF from the popped IF"
        V86 s_vme_int, F_VIF
        V86_TRAP 13, 0, s_vme_int.after, "VME: int 0x21 redirected to the IVT handler and back"
        CHECK_EQ [V_OUT], s_vme_int.after, "VME redirection: pushed IP"
        CHECK_EQ [V_OUT + 4], 0, "VME redirection: pushed CS"
        CHECK_MASK [V_OUT + 8], F_IF | F_IOPL3, F_IF | F_IOPL3, "VME redirection: pushed FLAGS show VIF and IOPL 3"
        CHECK_MASK [V_OUT + 12], 0, F_IF, "VME redirection: VIF clear in the handler"
        CHECK_MASK [V_VEC + 16], F_VIF, F_VIF | F_IF, "VME redirection: iret restores VIF"
        V86 s_vme_int22
        V86_TRAP 13, 0, s_vme_int22, "VME: int n with its redirection bit set and IOPL 0 #GP(0)"
        V86 s_vme_int22, F_IOPL3
        V86_TRAP 13, 0x22 * 8 + 2, s_vme_int22, "VME: int n with its bit set and IOPL 3 uses the IDT"
        V86 s_vme_int, F_IOPL3 | F_IF
        V86_TRAP 13, 0, s_vme_int.after, "VME IOPL 3: int 0x21 redirected"
        CHECK_MASK [V_OUT + 8], F_IF | F_IOPL3, F_IF | F_IOPL3, "VME IOPL 3: pushed FLAGS are EFLAGS"
        CHECK_MASK [V_OUT + 12], 0, F_IF, "VME IOPL 3: IF clear in the handler"
        mov word [tss32 + 102], 104
        ; ---- CR4.PVI ----------------------------------------------------------
        SET_GATE 13, exc_stub_13, SEL_CODE32, 0x8E      ; TRY/CATCH outside v86
        mov eax, cr4
        xor eax, 3                      ; VME off, PVI on
        mov cr4, eax
        ENTER_RING3 F_VIF
        cli
        pushfd
        pop dword [V_OUT]
        sti
        LEAVE_RING3
        CHECK_MASK [V_OUT], 0, F_VIF | F_IF, "PVI: cli at CPL3 clears VIF"
        CHECK_MASK [r3_eflags], F_VIF, F_VIF | F_IF, "PVI: sti at CPL3 sets VIF, IF stays 0"
        TRY
        ENTER_RING3 F_VIP
.pvi_sti:
        sti
%$back:
        %pop
        CATCH_AT 13, 0, .pvi_sti, "PVI: sti with VIP #GP(0)"
        mov eax, cr4
        and eax, ~3
        mov cr4, eax
.novme:
        FINISH

; ---- monitor trap handlers ------------------------------------------------
v86_stub_0:  push dword NOERR
             push dword 0
             jmp v86_common
v86_stub_3:  push dword NOERR
             push dword 3
             jmp v86_common
v86_stub_6:  push dword NOERR
             push dword 6
             jmp v86_common
v86_stub_13: push dword 13
             jmp v86_common
v86_common:
        mov ax, SEL_DATA32
        mov ds, ax
        mov es, ax
        pop dword [V_VEC]
        pop dword [V_VEC + 4]
        mov esi, esp
        mov edi, V_VEC + 8
        mov ecx, 9                      ; eip cs eflags esp ss es ds fs gs
        rep movsd
        test dword [V_VEC + 16], F_VM
        jnz .ok
        push dword [V_VEC + 4]          ; not from v86: the normal path reports it
        push dword [V_VEC]
        jmp exc_common
.ok:    lss esp, [r3_esp]
        mov ax, SEL_DATA32
        mov fs, ax
        mov gs, ax
        jmp far [cs:r3_resume]

v86_int31:                             ; DPL3 gate used from v86 with IOPL=3
        push eax
        mov [ss:V_H + 40], esp
        add dword [ss:V_H + 40], 4
        mov eax, ds
        mov [ss:V_H + 36], eax
        mov ax, SEL_DATA32
        mov ds, ax
        push esi
        push edi
        push ecx
        push es
        mov es, ax
        lea esi, [esp + 20]
        mov edi, V_H
        mov ecx, 9
        rep movsd
        pop es
        pop ecx
        pop edi
        pop esi
        pop eax
        iretd                           ; back to v86, restores ES DS FS GS

        BLOB_BEGIN
s_basic:
        mov ax, 0x0100
        mov ds, ax
        mov dword [0], 0x11223344       ; linear 0x1000
        xor ax, ax
        mov es, ax
        mov ax, cs
        movzx eax, ax
        mov [es:V_OUT], eax
        mov eax, [es:0x1000]
        mov [es:V_OUT + 4], eax
        smsw ax
        mov [es:V_OUT + 8], eax
        mov ax, ds
        movzx eax, ax
        mov [es:V_OUT + 12], eax
.int21: int 0x21
s_cli:  cli
s_sti:  sti
s_pushf: pushf
s_popf: push word 0
.p:     popf
s_iret: push word 0
        push word 0
        push word 0
.i:     iret
s_hlt:  hlt
s_cr0:  mov eax, cr0
s_io:   mov dx, 0x3ff
        mov al, 0x5a
        out dx, al
        xor al, al
        in al, dx
        mov [V_OUT], al
.denied: in al, 0x80
s_de:   xor cl, cl
        mov ax, 0x0100
        mov ds, ax
.d:     div cl
s_int3: int3
s_int_3: int 3
s_ud:   ud2
s_iopl3:
        cli
        pushf
        pop ax
        movzx eax, ax
        mov [V_OUT], eax
        push word 0x08d5
        popf
        pushf
        pop ax
        movzx eax, ax
        mov [V_OUT + 4], eax
        push word 0x3002
        popf
        mov ax, 0x0200
        mov es, ax
        mov ax, 0x0100
        mov ds, ax
        mov ax, 0x0300
        mov fs, ax
        mov ax, 0x0400
        mov gs, ax
        int 0x31
.after31:
        mov bx, ds
        mov cx, gs
        xor ax, ax
        mov es, ax
        movzx ebx, bx
        movzx ecx, cx
        mov [es:V_OUT + 8], ebx
        mov [es:V_OUT + 12], ecx
.end:   hlt
s_int21: int 0x21
s_exit: int 0x30
.after:
s_vme_if:
        sti
        pushf
        pop ax
        movzx eax, ax
        mov [V_OUT], eax
        cli
        pushf
        pop ax
        movzx eax, ax
        mov [V_OUT + 4], eax
        sti
.end:   hlt
s_vme_popf:
        push word F_IF | F_CF | 2
.p:     popf
.end:   hlt
s_vme_popf_tf:
        push word F_TF | 2
.p:     popf
s_vme_pushfd:
        pushfd
s_vme_popfd:
        push dword 2
.p:     popfd
s_vme_iretd:
        push dword 2
        push dword 0
        push dword 0
.i:     iretd
s_vme_iret:
        push word F_IF | 2
        push word 0
        push word .back
.i:     iret
.back:  hlt
s_vme_int:
        int 0x21
.after: hlt
s_vme_isr:                      ; 8086 handler of int 0x21 (IVT)
        RM_IRET_FRAME V_OUT
        iret
s_vme_int22:
        int 0x22
        BLOB_END
END_IMAGE
