; debug64.asm - debug facilities around a kernel's GS-relative per-CPU data
; in 64-bit mode (after kvm-unit-tests' debug test): GS base set with WRMSR
; 0xC0000101 and SWAPGS; TF single-stepping over GS loads, SWAPGS and WRMSR
; (one trap per instruction, DR6.BS, the #DB handler reading its per-CPU
; data through GS each time); single-stepping ring-3 code after IRETQ has
; nulled GS (a DPL0 selector): the selector is nulled, the GS base stays
; (SDM IRET: only SegmentSelector := 0), so ring 3 and the ring-0 #DB handler
; still address the per-CPU area; a DR1 write watchpoint on a GS-relative
; linear address (trap after the write, not on a read, not on the same
; offset without the base); a DR0 instruction breakpoint on a GS load,
; resumed with RF=1 (one fault, the load completes); SYSCALL/SYSRET and
; SYSENTER with TF (the trap follows TF as SYSCALL/SYSRET leave it: none in
; the kernel when SFMASK clears TF, one right after a SYSRET setting it;
; SYSENTER keeps TF: #DB at its entry point); MOV SS hitting a data
; breakpoint then ICEBP (one #DB); an instruction breakpoint on the
; instruction after MOV SS (inhibited on Intel, delivered on AMD).
%include "lib/pm32.inc"
%include "lib/long64.inc"
GSB     equ 0x60000             ; per-CPU area of GS_BASE
GSB2    equ 0x61000             ; the one KERNEL_GS_BASE holds
MAGIC   equ 0x1122334455667788
MAGIC2  equ 0x0123456789ABCDEF
NDB     equ 0x600               ; #DB count
DBRIP   equ 0x610               ; RIP of each #DB (16 qwords)
DBDR6   equ 0x690               ; DR6 of each
DBGSV   equ 0x710               ; qword [gs:0] read by the handler
V_X     equ 0x790
V_VEND  equ 0x62000             ; CPUID vendor (EBX)
V_URSP  equ 0x62008             ; ring-3 RSP across SYSENTER
V_SSV   equ 0x62010             ; SS selector MOV SS loads (watched by DR0)
DR6_MASK equ 0xE00F             ; BT BS BD B3-B0
main:
        call long_init
        GO_LONG
        SET_GATE64 1, db_handler, LSEL_CODE64, 0x8E, 0
        mov rax, MAGIC
        mov [GSB], rax
        mov rax, MAGIC2
        mov [GSB2], rax
        mov ax, LSEL_DATA64             ; a DPL0 data selector in GS
        mov gs, ax
        mov ecx, 0xC0000101
        mov eax, GSB
        xor edx, edx
        wrmsr
        mov ecx, 0xC0000102
        mov eax, GSB2
        wrmsr
        mov rax, [gs:0]
        CHECKQ rax, MAGIC, "[gs:0] reads through GS_BASE"

        ; ---- single-step over GS loads, SWAPGS and WRMSR (ring 0) ----------
        mov dword [NDB], 0
        mov eax, GSB
        xor edx, edx
        pushfq
        or qword [rsp], F_TF
        popfq
ss0:    mov rsi, [gs:0]                 ; TF set by POPFQ: first trap after this
ss1:    swapgs
ss2:    mov rbx, [gs:0]
ss3:    swapgs
ss4:    mov ecx, 0xC0000101
ss5:    wrmsr                           ; GS_BASE = GSB again (EDX:EAX)
ss6:    pushfq
ss7:    and qword [rsp], ~F_TF
ss8:    popfq                           ; TF still set at its start: traps after it
ss9:    CHECKD [NDB], 9, "single-step: one #DB per instruction"
        CHECKQ rsi, MAGIC, "single-step: [gs:0] through GS_BASE"
        CHECKQ rbx, MAGIC2, "single-step: [gs:0] after SWAPGS through KERNEL_GS_BASE"
        CHECKQ [DBRIP], ss1, "single-step #DB 1 after the GS load"
        CHECKQ [DBRIP + 8], ss2, "single-step #DB 2 after SWAPGS"
        CHECKQ [DBRIP + 16], ss3, "single-step #DB 3"
        CHECKQ [DBRIP + 24], ss4, "single-step #DB 4 after the second SWAPGS"
        CHECKQ [DBRIP + 40], ss6, "single-step #DB 6 after WRMSR"
        CHECKQ [DBRIP + 64], ss9, "single-step #DB 9 after the POPFQ clearing TF"
        CHECKQ_MASK [DBDR6], 0x4000, DR6_MASK, "single-step: DR6.BS alone"
        CHECKQ_MASK [DBDR6 + 64], 0x4000, DR6_MASK, "single-step after POPFQ: DR6.BS alone"
        CHECKQ [DBGSV], MAGIC, "handler's [gs:0] after the GS load"
        CHECKQ [DBGSV + 8], MAGIC2, "handler's [gs:0] between the SWAPGS pair"
        CHECKQ [DBGSV + 24], MAGIC, "handler's [gs:0] after SWAPGS back"
        CHECKQ [DBGSV + 40], MAGIC, "handler's [gs:0] after WRMSR GS_BASE"

        ; ---- ring 3: IRETQ nulls GS, the base stays -------------------------
        mov dword [NDB], 0
        ENTER_RING3_64
        mov rax, [gs:0]
        mov [V_X], rax
        pushfq
        or qword [rsp], F_TF
        popfq
        nop
r3a:    nop
r3b:    pushfq
        and qword [rsp], ~F_TF
        popfq
r3c:    mov word [V_X + 8], gs
        LEAVE_RING3_64
        CHECKQ [V_X], MAGIC, "ring 3: [gs:0] with GS nulled by IRETQ uses the GS base"
        CHECKD [V_X + 8], 0, "ring 3: IRETQ nulled the DPL0 GS selector"
        CHECKD [NDB], 5, "ring 3: single-step #DBs"
        CHECKQ [DBRIP], r3a, "ring 3: first single-step #DB"
        CHECKQ [DBRIP + 32], r3c, "ring 3: last single-step #DB"
        CHECKQ [DBGSV], MAGIC, "ring-0 #DB handler from ring 3: [gs:0] through the kept GS base"
        CHECKQ [DBGSV + 32], MAGIC, "ring-0 #DB handler, last step: [gs:0]"
        ; (LEAVE_RING3_64 reloads GS: set the per-CPU base again)
        mov ax, LSEL_DATA64
        mov gs, ax
        mov ecx, 0xC0000101
        mov eax, GSB
        xor edx, edx
        wrmsr

        ; ---- DR1 write watchpoint on a GS-relative address ------------------
        mov dword [NDB], 0
        mov rax, GSB + 0x10
        mov dr1, rax
        mov rax, 0x00D00408             ; G1, RW1 = 01 (write), LEN1 = 11 (4 bytes)
        mov dr7, rax
        mov eax, [gs:0x10]              ; a read: no #DB
        mov dword [V_X + 0x10], 0       ; another address
        mov dword [gs:0x10], 1
wp1:    nop
        mov eax, 0x400
        mov dr7, rax
        CHECKD [NDB], 1, "watchpoint on gs:0x10: one #DB, for the write only"
        CHECKQ [DBRIP], wp1, "watchpoint: trap after the write"
        CHECKQ_MASK [DBDR6], 2, DR6_MASK, "watchpoint: DR6.B1"
        CHECKQ [DBGSV], MAGIC, "watchpoint: handler's [gs:0]"

        ; ---- DR0 instruction breakpoint on a GS load, RF -------------------
        mov dword [NDB], 0
        mov rax, bp0
        mov dr0, rax
        mov eax, 0x402                  ; G0, RW0 = 00 (execute), LEN0 = 00
        mov dr7, rax
        xor eax, eax
bp0:    mov rax, [gs:0]
        mov ebx, 0x400
        mov dr7, rbx
        CHECKD [NDB], 1, "instruction breakpoint: one #DB, RF=1 lets the load run"
        CHECKQ [DBRIP], bp0, "instruction breakpoint: fault at the GS load"
        CHECKQ_MASK [DBDR6], 1, DR6_MASK, "instruction breakpoint: DR6.B0"
        CHECKQ rax, MAGIC, "instruction breakpoint: the load completes after IRETQ with RF"

        xor eax, eax
        cpuid
        mov [V_VEND], ebx               ; "Genu" or "Auth"

        ; ---- SYSCALL / SYSRET with TF (ring 3 -> 0 -> 3) --------------------
        ; The single-step trap follows TF as SYSCALL/SYSRET leave it: SFMASK
        ; clears TF, so no #DB at the kernel entry; SYSRET restoring TF from
        ; R11 traps right after itself, before the next user instruction.
        mov ecx, MSR_EFER_N
        rdmsr
        or eax, 1                       ; SCE
        wrmsr
        SET_SYSCALL_MSRS sc_entry, F_TF ; SFMASK: TF
        mov dword [NDB], 0
        ENTER_RING3_64
        pushfq
        or qword [rsp], F_TF
        popfq
sc0:    syscall                         ; TF set at its start, clear at its end
sc1:    pushfq                          ; SYSRET set TF: #DB before this
sc2:    and qword [rsp], ~F_TF
sc3:    popfq
sc4:    LEAVE_RING3_64
        CHECKD [NDB], 4, "SYSCALL/SYSRET with TF: 4 single-step #DBs, none in the kernel"
        CHECKQ [DBRIP], sc1, "SYSRET setting TF: #DB right after it, at ring 3"
        CHECKQ_MASK [DBDR6], 0x4000, DR6_MASK, "SYSRET setting TF: DR6.BS"
        CHECKQ [DBRIP + 24], sc4, "SYSRET with TF: last #DB after the POPFQ clearing TF"

        ; ---- SYSENTER with TF (Intel; #UD in long mode on AMD) --------------
        ; SYSENTER clears IF, VM and RF but not TF: the single-step #DB comes
        ; at the first kernel instruction (CPL 0).
        cmp dword [V_VEND], 'Genu'
        jne no_sysenter
        mov ecx, 0x174                  ; SYSENTER_CS: CS 0x40, SS 0x48; SYSEXIT 0x63/0x6B
        mov eax, LSEL_CODE64
        xor edx, edx
        wrmsr
        mov ecx, 0x175                  ; SYSENTER_ESP
        mov eax, ESP0_TOP - 0x1000
        wrmsr
        mov ecx, 0x176                  ; SYSENTER_EIP
        mov eax, se_entry
        wrmsr
        mov dword [NDB], 0
        ENTER_RING3_64
        mov [V_URSP], rsp
        pushfq
        or qword [rsp], F_TF
        popfq
        sysenter
se_back:
        LEAVE_RING3_64
        CHECKD [NDB], 4, "SYSENTER with TF: #DB at the kernel entry, then each step to POPFQ"
        CHECKQ [DBRIP], se_entry, "SYSENTER with TF: #DB at SYSENTER_EIP (TF kept)"
        CHECKQ_MASK [DBDR6], 0x4000, DR6_MASK, "SYSENTER with TF: DR6.BS"
        jmp sysenter_done
no_sysenter:
        SKIPQ "SYSENTER with TF in long mode: AMD model (#UD)"
sysenter_done:

        ; ---- MOV SS hitting a data breakpoint, then ICEBP --------------------
        ; MOV SS holds the data breakpoint's #DB over the next instruction;
        ; ICEBP's own #DB (a trap after it) then reports it: one #DB, not a
        ; second one at the handler's first instruction as after INT n.
        UNLESS_TCGQ "MOV SS + data breakpoint + ICEBP"
        mov word [V_SSV], ss
        mov dword [NDB], 0
        mov rax, V_SSV
        mov dr0, rax
        mov eax, 0x00070402             ; G0, RW0 = 11 (read/write), LEN0 = 01 (2 bytes)
        mov dr7, rax
        mov ss, [V_SSV]
        db 0xF1                         ; ICEBP (INT1)
ice1:   mov eax, 0x400
        mov dr7, rax
        CHECKD [NDB], 1, "MOV SS + data breakpoint + ICEBP: one #DB"
        CHECKQ [DBRIP], ice1, "MOV SS + data breakpoint + ICEBP: #DB after ICEBP"
        END_UNLESS_TCG

        ; ---- instruction breakpoint in the MOV SS shadow ---------------------
        ; Intel (SDM vol. 3 17.3.1.1) inhibits it and the instruction runs;
        ; AMD reports it like any instruction breakpoint (a fault, DR6.B0).
        mov rax, mssbp
        mov dr0, rax
        mov eax, 0x402                  ; G0, RW0 = 00 (execute), LEN0 = 00
        mov dr7, rax
        mov dword [NDB], 0
        mov ebx, 1
        mov ax, ss
        mov ss, ax
mssbp:  xor ebx, ebx
        mov eax, 0x400
        mov dr7, rax
        CHECKD ebx, 0, "instruction after MOV SS ran"
        cmp dword [V_VEND], 'Genu'
        jne mss_amd
        UNLESS_TCGQ "Intel: instruction breakpoint after MOV SS inhibited"
        CHECKD [NDB], 0, "Intel: instruction breakpoint after MOV SS inhibited"
        END_UNLESS_TCG
        jmp mss_done
mss_amd:
        CHECKD [NDB], 1, "AMD: instruction breakpoint after MOV SS delivered"
        CHECKQ [DBRIP], mssbp, "AMD: #DB at the instruction after MOV SS"
        CHECKQ_MASK [DBDR6], 1, DR6_MASK, "AMD: instruction breakpoint after MOV SS: DR6.B0"
mss_done:
        FINISHQ

; SYSCALL's kernel entry: TF is clear here (SFMASK); R11 still holds it.
sc_entry:
        o64 sysret

; SYSENTER's kernel entry, stepped (TF kept): clear TF, back with SYSEXIT.
se_entry:
        pushfq
        and qword [rsp], ~F_TF
        popfq
        mov rdx, se_back
        mov rcx, [V_URSP]
        o64 sysexit

; #DB: records RIP, DR6 and [gs:0]; resumes with RF set after an
; instruction breakpoint (DR6.B0), as a debugger does; stops stepping after 12.
db_handler:
        push rax
        push rbx
        mov ebx, [NDB]
        and ebx, 15
        mov rax, [rsp + 16]
        mov [DBRIP + rbx * 8], rax
        mov rax, dr6
        mov [DBDR6 + rbx * 8], rax
        test al, 1
        jz .norf
        or qword [rsp + 32], 0x10000    ; RF in the frame's RFLAGS
.norf:  mov rax, [gs:0]
        mov [DBGSV + rbx * 8], rax
        xor eax, eax
        mov dr6, rax
        inc dword [NDB]
        cmp dword [NDB], 12
        jb .out
        and qword [rsp + 32], ~F_TF
.out:   pop rbx
        pop rax
        iretq
        LONG_IMAGE
END_IMAGE
