; taskswitch.asm - hardware task switches in 32-bit protected mode (SDM vol. 3
; ch. 7): JMP and CALL to a TSS and through a task gate, IRET back through
; the back link (NT), INT n / #GP / #DF through task gates in the IDT with
; the error code on the new task's stack, busy-bit errors #GP(sel), a TSS
; below its minimum limit #TS(sel), not-present TSS and gate #NP, a bad CS
; or SS in the new TSS (#TS raised in the new task), CR0.TS, the fields
; saved in the old TSS, 16-bit TSSs, CR3 loaded from the TSS with 32-bit
; and PAE paging (PDPTEs reloaded),
; task switch faults while delivering an event (no EXT for INT n, #DF), the
; T bit (#DB before the new task's first instruction, DR6.BT), DR7.Ln, the
; new task's LDT, the new task's I/O bitmap at CPL3, a virtual-8086 task
; faulting through a task gate, and the classic double
; fault on a stack overflow through a task gate.
%include "lib/pm32.inc"

SEL_TSSA    equ 0x40            ; task A (32-bit TSS, rebuilt before each test)
SEL_TGATE   equ 0x48            ; task gate -> task A
SEL_TSSH    equ 0x50            ; handler task H (for faults in the new task)
SEL_TSS16   equ 0x58            ; 16-bit TSS
SEL_CODE16T equ 0x60            ; 16-bit code segment of the 16-bit task
SEL_SMALL   equ 0x68            ; TSS descriptor with a too small limit
SEL_NPTSS   equ 0x70            ; not-present TSS
SEL_NPGATE  equ 0x78            ; not-present task gate
SEL_BGATE   equ 0x80            ; task gate -> the busy main TSS
SEL_CGATE   equ 0x88            ; task gate -> a code segment
SEL_LDT     equ 0x90            ; LDT of task A
SEL_LDATA   equ 0x04 | 3        ; flat DPL3 data in that LDT (index 0, TI, RPL 3)

; recorded by the tasks (RES scratch area)
rec_eax       equ RES + 0x00
rec_eflags    equ RES + 0x04
rec_esp       equ RES + 0x08
rec_top       equ RES + 0x0C    ; dword on top of the task's stack at entry
rec_cr0       equ RES + 0x10
rec_cr3       equ RES + 0x14
rec_tr        equ RES + 0x18
rec_main_desc equ RES + 0x1C    ; high dword of the main TSS descriptor
rec_val       equ RES + 0x20
rec_saved_eip equ RES + 0x24    ; EIP saved in the old TSS, read by the new task
rec_cr2       equ RES + 0x28
fix_eip       equ RES + 0x2C    ; where an exception task resumes the main task
fix_esp       equ RES + 0x30
main_esp      equ RES + 0x34
rec_dr6       equ RES + 0x38
rec_ldtr      equ RES + 0x3C
rec_ds        equ RES + 0x40
rec_dr7       equ RES + 0x44

TASK_ESP    equ 0x3F0           ; initial ESP, relative to a task stack
PD1         equ 0x10000         ; page directories (4 MiB pages)
PD2         equ 0x11000
PDPT1       equ 0x12000         ; PAE: two PDPTs (32-byte aligned), one PD each
PDPT2       equ 0x12020
PAE_PD1     equ 0x13000
PAE_PD2     equ 0x14000
STACK16     equ 0x6000

; INIT_TASK tss, entry, selector: a fresh 32-bit TSS (CS 0x08, data 0x10,
; EAX 0xA5A5A5A5, EFLAGS 2, CR3 = current CR3) and an available descriptor
%macro INIT_TASK 3
        pushad
        mov edi, %1
        mov eax, %2
        mov edx, %3
        call init_task
        popad
%endmacro

main:
        SET_CALLGATE SEL_TGATE, 0, SEL_TSSA, 0x85, 0
        ; ---- JMP to a TSS and back -----------------------------------------
        INIT_TASK tss_a, te_jmp, SEL_TSSA
        clts
        mov [main_esp], esp
        mov eax, 0x9999AAAA
        mov ebx, 0x11112222
        mov esi, 0x33334444
        mov edi, 0x55556666
        mov ebp, 0x77778888
        push dword 0xC3                 ; SF ZF CF
        popfd
        jmp SEL_TSSA:0
.j1_back:
        CHECK_EQ ebx, 0x11112222, "JMP back: EBX reloaded from the old TSS"
        CHECK_EQ ebp, 0x77778888, "JMP back: EBP reloaded from the old TSS"
        CHECK_EQ [rec_eax], 0xA5A5A5A5, "JMP to a TSS: EAX loaded from the new TSS"
        CHECK_EQ [rec_esp], stack_a + TASK_ESP, "JMP to a TSS: ESP loaded from the new TSS"
        CHECK_EQ [rec_tr], SEL_TSSA, "JMP to a TSS: TR is the new TSS"
        CHECK_MASK [rec_eflags], 0, F_NT, "JMP to a TSS: NT clear in the new task"
        CHECK_MASK [rec_cr0], 8, 8, "task switch sets CR0.TS"
        CHECK_MASK [rec_main_desc], 0x0900, 0x0F00, "JMP clears the old TSS's busy bit"
        CHECK_MASK [gdt + SEL_TSS + 4], 0x0B00, 0x0F00, "JMP back sets the main TSS busy"
        CHECK_MASK [gdt + SEL_TSSA + 4], 0x0900, 0x0F00, "JMP back clears task A's busy bit"
        CHECK_EQ [tss32 + 0x20], .j1_back, "old TSS: saved EIP is the next instruction"
        CHECK_EQ [tss32 + 0x24], 0xC3, "old TSS: saved EFLAGS"
        CHECK_EQ [tss32 + 0x28], 0x9999AAAA, "old TSS: saved EAX"
        CHECK_EQ [tss32 + 0x34], 0x11112222, "old TSS: saved EBX"
        CHECK_EQ [tss32 + 0x38], [main_esp], "old TSS: saved ESP"
        CHECK_EQ [tss32 + 0x3C], 0x77778888, "old TSS: saved EBP"
        CHECK_EQ [tss32 + 0x40], 0x33334444, "old TSS: saved ESI"
        CHECK_EQ [tss32 + 0x44], 0x55556666, "old TSS: saved EDI"
        CHECK_MASK [tss32 + 0x4C], SEL_CODE32, 0xFFFF, "old TSS: saved CS"
        CHECK_MASK [tss32 + 0x50], SEL_DATA32, 0xFFFF, "old TSS: saved SS"
        CHECK_MASK [tss32 + 0x54], SEL_DATA32, 0xFFFF, "old TSS: saved DS"
        CHECK_EQ [tss_a + 0x20], te_jmp.after, "task A's TSS: its EIP saved by its JMP back"
        CHECK_MASK [tss_a], 0, 0xFFFF, "JMP writes no back link"
        mov eax, cr0
        CHECK_MASK eax, 8, 8, "CR0.TS set after switching back"
        ; ---- CALL to a TSS, IRET back ----------------------------------------
        INIT_TASK tss_a, te_iret, SEL_TSSA
        call SEL_TSSA:0
.c1_back:
        CHECK_MASK [rec_eflags], F_NT, F_NT, "CALL to a TSS: NT set in the new task"
        CHECK_MASK [tss_a], SEL_TSS, 0xFFFF, "CALL to a TSS: back link is the old TSS"
        CHECK_MASK [rec_main_desc], 0x0B00, 0x0F00, "CALL leaves the old TSS busy"
        CHECK_MASK [gdt + SEL_TSSA + 4], 0x0900, 0x0F00, "IRET clears the returning task's busy bit"
        CHECK_MASK [tss_a + 0x24], 0, F_NT, "IRET clears NT in the saved EFLAGS"
        CHECK_EQ [tss_a + 0x20], te_iret.after, "IRET saves the EIP after it"
        CHECK_EQ [tss32 + 0x20], .c1_back, "CALL: old TSS EIP is the next instruction"
        CHECK_FLAGS F_NT, 0, "back in the main task: NT clear"
        ; ---- JMP / CALL through a task gate ----------------------------------
        INIT_TASK tss_a, te_jmp, SEL_TSSA
        mov dword [rec_tr], 0
        jmp SEL_TGATE:0
        CHECK_EQ [rec_tr], SEL_TSSA, "JMP through a task gate"
        CHECK_MASK [rec_eflags], 0, F_NT, "JMP through a task gate: NT clear"
        INIT_TASK tss_a, te_iret, SEL_TSSA
        mov dword [rec_tr], 0
        call SEL_TGATE:0
        CHECK_EQ [rec_tr], SEL_TSSA, "CALL through a task gate"
        CHECK_MASK [rec_eflags], F_NT, F_NT, "CALL through a task gate: NT set"
        CHECK_MASK [tss_a], SEL_TSS, 0xFFFF, "CALL through a task gate: back link"
        ; ---- INT n through a task gate ---------------------------------------
        INIT_TASK tss_a, te_iret, SEL_TSSA
        SET_GATE 0x50, 0, SEL_TSSA, 0x85
        mov dword [rec_tr], 0
        int 0x50
.int_back:
        CHECK_EQ [rec_tr], SEL_TSSA, "INT n through a task gate"
        CHECK_EQ [rec_esp], stack_a + TASK_ESP, "INT n through a task gate: nothing pushed"
        CHECK_MASK [rec_eflags], F_NT, F_NT, "INT n through a task gate: NT set"
        CHECK_MASK [tss_a], SEL_TSS, 0xFFFF, "INT n through a task gate: back link"
        CHECK_EQ [tss32 + 0x20], .int_back, "INT n: old TSS EIP is the next instruction"
        ; ---- #GP through a task gate: error code on the new stack ------------
        INIT_TASK tss_a, te_fix, SEL_TSSA
        SET_GATE 13, 0, SEL_TSSA, 0x85
        mov dword [fix_eip], .gp_back
        mov ax, 0x1238                  ; beyond the GDT limit
.gp_insn:
        mov ds, ax
.gp_back:
        SET_GATE 13, exc_stub_13, SEL_CODE32, 0x8E
        CHECK_EQ [rec_tr], SEL_TSSA, "#GP through a task gate"
        CHECK_EQ [rec_top], 0x1238, "#GP through a task gate: error code on the new stack"
        CHECK_EQ [rec_esp], stack_a + TASK_ESP - 4, "#GP through a task gate: ESP below the error code"
        CHECK_EQ [rec_saved_eip], .gp_insn, "#GP through a task gate: old TSS EIP is the faulting instruction"
        CHECK_MASK [tss_a], SEL_TSS, 0xFFFF, "#GP through a task gate: back link"
        UNLESS_TCG "#GP through a task gate: RF in the saved EFLAGS"
        CHECK_MASK [rec_val], F_RF, F_RF, "#GP through a task gate: RF set in the saved EFLAGS (a fault)"
        END_UNLESS_TCG
        ; ---- #DF through a task gate (#GP whose gate is not present) ---------
        INIT_TASK tss_a, te_fix, SEL_TSSA
        SET_GATE 8, 0, SEL_TSSA, 0x85
        SET_GATE 13, exc_stub_13, SEL_CODE32, 0x0E
        mov dword [fix_eip], .df_back
        mov ax, 0x1238
.df_insn:
        mov ds, ax
.df_back:
        SET_GATE 13, exc_stub_13, SEL_CODE32, 0x8E
        SET_GATE 8, exc_stub_8, SEL_CODE32, 0x8E
        CHECK_EQ [rec_tr], SEL_TSSA, "#DF through a task gate"
        CHECK_EQ [rec_top], 0, "#DF through a task gate: error code 0 on the new stack"
        CHECK_EQ [rec_saved_eip], .df_insn, "#DF through a task gate: old TSS EIP"
        ; ---- busy and type checks --------------------------------------------
        TRY
        jmp SEL_TSS:0
        CATCH 13, SEL_TSS, "JMP to the busy current TSS #GP(sel)"
        TRY
        call SEL_TSS:0
        CATCH 13, SEL_TSS, "CALL to a busy TSS #GP(sel)"
        SET_CALLGATE SEL_BGATE, 0, SEL_TSS, 0x85, 0
        TRY
        jmp SEL_BGATE:0
        CATCH 13, SEL_TSS, "JMP through a task gate to a busy TSS #GP(TSS sel)"
        SET_GATE 0x51, 0, SEL_TSS, 0x85
        TRY
        int 0x51
        CATCH 13, SEL_TSS, "INT n through a task gate to a busy TSS #GP(TSS sel)"
        SET_CALLGATE SEL_CGATE, 0, SEL_CODE32, 0x85, 0
        TRY
        jmp SEL_CGATE:0
        CATCH 13, SEL_CODE32, "task gate naming a code segment #GP(sel)"
        INIT_TASK tss_a, te_jmp, SEL_TSSA
        TRY
        jmp (SEL_TSSA | 3):0
        CATCH 13, SEL_TSSA, "JMP to a TSS with RPL > DPL #GP(sel)"
        ; ---- limit and presence; the old task stays intact ------------------
        SET_DESC SEL_SMALL, tss_b, 0x66, 0x89, 0x0
        mov ebx, 0x0BADF00D
        TRY
        jmp SEL_SMALL:0
        CATCH 10, SEL_SMALL, "32-bit TSS with limit 0x66 #TS(sel)"
        CHECK_EQ ebx, 0x0BADF00D, "failed switch: registers unchanged"
        str ax
        CHECK_MASK eax, SEL_TSS, 0xFFFF, "failed switch: TR unchanged"
        CHECK_MASK [gdt + SEL_TSS + 4], 0x0B00, 0x0F00, "failed switch: current TSS still busy"
        CHECK_MASK [gdt + SEL_SMALL + 4], 0x0900, 0x0F00, "failed switch: target not marked busy"
        SET_DESC SEL_SMALL, tss_b, 0x2A, 0x81, 0x0
        TRY
        call SEL_SMALL:0
        CATCH 10, SEL_SMALL, "16-bit TSS with limit 0x2A #TS(sel)"
        SET_DESC SEL_NPTSS, tss_b, 0x67, 0x09, 0x0
        TRY
        jmp SEL_NPTSS:0
        CATCH 11, SEL_NPTSS, "not-present TSS #NP(sel)"
        SET_CALLGATE SEL_NPGATE, 0, SEL_TSSA, 0x05, 0
        TRY
        call SEL_NPGATE:0
        CATCH 11, SEL_NPGATE, "not-present task gate #NP(gate sel)"
        ; ---- bad CS / SS in the new TSS: #TS in the new task -----------------
        SET_GATE 10, 0, SEL_TSSH, 0x85
        INIT_TASK tss_a, te_jmp, SEL_TSSA
        INIT_TASK tss_h, te_handler, SEL_TSSH
        mov word [tss_a + 0x4C], SEL_DATA32     ; CS: not a code segment
        mov dword [rec_top], 0
        jmp SEL_TSSA:0
        CHECK_EQ [rec_tr], SEL_TSSH, "bad CS in the new TSS: #TS through a task gate"
        CHECK_EQ [rec_top], SEL_DATA32, "bad CS in the new TSS: #TS(CS sel)"
        CHECK_MASK [tss_h], SEL_TSSA, 0xFFFF, "bad CS: #TS raised in the new task (back link)"
        UNLESS_TCG "bad CS: the new task's EIP is saved"
        CHECK_EQ [rec_saved_eip], te_jmp, "bad CS: the new task's EIP is saved"
        END_UNLESS_TCG
        INIT_TASK tss_a, te_jmp, SEL_TSSA
        INIT_TASK tss_h, te_handler, SEL_TSSH
        mov word [tss_a + 0x50], SEL_CODE32     ; SS: not writable data
        mov dword [rec_top], 0
        jmp SEL_TSSA:0
        CHECK_EQ [rec_top], SEL_CODE32, "bad SS in the new TSS: #TS(SS sel)"
        CHECK_MASK [tss_h], SEL_TSSA, 0xFFFF, "bad SS: #TS raised in the new task (back link)"
        INIT_TASK tss_a, te_jmp, SEL_TSSA
        INIT_TASK tss_h, te_handler, SEL_TSSH
        mov word [tss_a + 0x50], SEL_DATA32 | 3 ; SS RPL differs from CPL 0
        mov dword [rec_top], 0
        jmp SEL_TSSA:0
        CHECK_EQ [rec_top], SEL_DATA32, "SS RPL != CPL in the new TSS: #TS(SS sel)"
        SET_GATE 10, exc_stub_10, SEL_CODE32, 0x8E
        ; ---- task switch faults while delivering an event --------------------
        SET_DESC SEL_SMALL, tss_b, 0x66, 0x89, 0x0
        SET_GATE 0x52, 0, SEL_SMALL, 0x85
        TRY
        int 0x52
        CATCH 10, SEL_SMALL, "INT n through a task gate to a short TSS #TS(sel), no EXT"
        SET_GATE 13, 0, SEL_SMALL, 0x85
        TRY
        mov ax, 0x1238
        mov ds, ax
        CATCH_ONLY 8, 0, "#GP through a task gate to a short TSS: #TS becomes #DF"
        SET_GATE 13, exc_stub_13, SEL_CODE32, 0x8E
        ; ---- T bit: #DB before the new task's first instruction --------------
        SET_GATE 1, 0, SEL_TSSH, 0x85
        INIT_TASK tss_a, te_jmp, SEL_TSSA
        INIT_TASK tss_h, te_handler, SEL_TSSH
        mov byte [tss_a + 0x64], 1              ; T
        xor eax, eax
        mov dr6, eax
        mov dword [rec_tr], 0
        jmp SEL_TSSA:0
        SET_GATE 1, exc_stub_1, SEL_CODE32, 0x8E
        UNLESS_TCG "T bit in the new TSS"
        CHECK_EQ [rec_tr], SEL_TSSH, "T bit: #DB delivered (through a task gate)"
        CHECK_MASK [rec_dr6], 0x8000, 0xC00F, "T bit: DR6.BT"
        CHECK_MASK [tss_h], SEL_TSSA, 0xFFFF, "T bit: #DB raised in the new task"
        CHECK_EQ [rec_saved_eip], te_jmp, "T bit: before the new task's first instruction"
        END_UNLESS_TCG
        ; ---- DR7: local breakpoint enables are per task ----------------------
        INIT_TASK tss_a, te_jmp, SEL_TSSA
        mov eax, 0xFFFFF000             ; execute breakpoints nobody reaches
        mov dr0, eax
        mov dr1, eax
        mov eax, 0x0000000B             ; L0 G0 G1
        mov dr7, eax
        jmp SEL_TSSA:0
        mov eax, dr7
        xor ecx, ecx
        mov dr7, ecx
        CHECK_MASK [rec_dr7], 0x0A, 0xFF, "task switch clears DR7.L0-L3, keeps G0-G3"
        CHECK_MASK eax, 0x0A, 0xFF, "DR7.L0 stays clear after switching back"
        ; ---- the new task's LDT ----------------------------------------------
        SET_DESC SEL_LDT, ldt_a, 7, 0x82, 0x0
        INIT_TASK tss_a, te_jmp, SEL_TSSA
        mov word [tss_a + 0x60], SEL_LDT
        mov word [tss_a + 0x54], SEL_LDATA      ; DS from the LDT
        mov dword [rec_ds], 0
        jmp SEL_TSSA:0
        CHECK_EQ [rec_ldtr], SEL_LDT, "LDTR loaded from the new TSS"
        CHECK_EQ [rec_ds], SEL_LDATA, "DS loaded through the new task's LDT"
        xor eax, eax
        sldt ax
        CHECK_EQ eax, 0, "LDTR loaded from the main TSS on the way back"
        SET_GATE 10, 0, SEL_TSSH, 0x85
        INIT_TASK tss_a, te_jmp, SEL_TSSA
        INIT_TASK tss_h, te_handler, SEL_TSSH
        mov word [tss_a + 0x60], SEL_TSSH       ; not an LDT descriptor
        mov dword [rec_top], 0
        jmp SEL_TSSA:0
        CHECK_EQ [rec_top], SEL_TSSH, "LDT selector naming a TSS: #TS(LDT sel)"
        CHECK_MASK [tss_h], SEL_TSSA, 0xFFFF, "bad LDT: #TS raised in the new task"
        SET_GATE 10, exc_stub_10, SEL_CODE32, 0x8E
        ; ---- the new task's I/O bitmap, at CPL3 -------------------------------
        SET_GATE 13, 0, SEL_TSSH, 0x85
        INIT_TASK tss_a, te_io, SEL_TSSA
        INIT_TASK tss_h, te_handler, SEL_TSSH
        SET_DESC SEL_TSSA, tss_a, 0x68 + 0x20, 0x89, 0x0
        mov word [tss_a + 0x66], 0x68           ; bitmap: port 0x80 allowed, 0x81 denied
        mov byte [tss_a + 0x68 + 0x10], 0x02
        mov byte [tss_a + 0x68 + 0x20], 0xFF
        mov word [tss_a + 0x4C], SEL_UCODE32
        mov word [tss_a + 0x50], SEL_UDATA32
        mov word [tss_a + 0x54], SEL_UDATA32
        mov word [tss_a + 0x48], SEL_UDATA32
        mov word [tss_a + 0x58], SEL_UDATA32
        mov word [tss_a + 0x5C], SEL_UDATA32
        mov dword [rec_val], 0
        mov dword [rec_top], 0xFFFFFFFF
        jmp SEL_TSSA:0
        SET_GATE 13, exc_stub_13, SEL_CODE32, 0x8E
        CHECK_EQ [rec_val], 1, "new task at CPL3: port allowed by its I/O bitmap"
        CHECK_EQ [rec_top], 0, "new task at CPL3: port denied by its I/O bitmap #GP(0)"
        CHECK_EQ [rec_saved_eip], te_io.denied, "new task at CPL3: #GP at the denied IN"
        ; ---- a virtual-8086 task, and #GP from it through a task gate ---------
        mov dword [0x7000], 0xF40000A1  ; mov ax, [0] ; hlt
        mov word [0x1000], 0x5A5A
        SET_GATE 13, 0, SEL_TSSH, 0x85
        INIT_TASK tss_a, 0, SEL_TSSA
        INIT_TASK tss_h, te_handler, SEL_TSSH
        mov dword [tss_a + 0x24], F_VM | 2
        mov dword [tss_a + 0x38], 0x100
        mov word [tss_a + 0x4C], 0x0700         ; CS: code at linear 0x7000
        mov word [tss_a + 0x50], 0x0600         ; SS
        mov word [tss_a + 0x54], 0x0100         ; DS: linear 0x1000
        mov word [tss_a + 0x48], 0
        mov word [tss_a + 0x58], 0
        mov word [tss_a + 0x5C], 0
        mov dword [rec_top], 0xFFFFFFFF
        jmp SEL_TSSA:0
        SET_GATE 13, exc_stub_13, SEL_CODE32, 0x8E
        CHECK_EQ [rec_tr], SEL_TSSH, "v86 task: hlt #GP through a task gate"
        CHECK_EQ [rec_top], 0, "v86 task: #GP(0) on the handler task's stack"
        CHECK_MASK [tss_h], SEL_TSSA, 0xFFFF, "v86 task: back link"
        CHECK_EQ [rec_saved_eip], 3, "v86 task: its IP saved at the hlt"
        CHECK_MASK [tss_a + 0x24], F_VM, F_VM, "v86 task: EFLAGS.VM saved"
        CHECK_MASK [tss_a + 0x28], 0x5A5A, 0xFFFF, "v86 task: DS base is paragraph * 16"
        CHECK_MASK [tss_a + 0x4C], 0x0700, 0xFFFF, "v86 task: CS saved"
        ; ---- 16-bit TSS ------------------------------------------------------
        SET_DESC SEL_CODE16T, te16, 0xFFFF, 0x9A, 0x0
        call init_tss16
        call SEL_TSS16:0
        CHECK_MASK [rec_eax], 0x1616, 0xFFFF, "16-bit TSS: AX loaded"
        CHECK_MASK [rec_eflags], F_NT, F_NT, "16-bit TSS: NT set by CALL"
        CHECK_MASK [tss16], SEL_TSS, 0xFFFF, "16-bit TSS: back link"
        CHECK_MASK [tss16 + 0x0E], te16.after - te16, 0xFFFF, "16-bit TSS: IP saved by IRET"
        CHECK_MASK [tss16 + 0x10], 0, F_NT, "16-bit TSS: NT clear in the saved FLAGS"
        CHECK_MASK [tss16 + 0x12], 0x4242, 0xFFFF, "16-bit TSS: AX saved"
        CHECK_MASK [tss16 + 0x24], SEL_CODE16T, 0xFFFF, "16-bit TSS: CS saved"
        CHECK_MASK [tss16 + 0x26], SEL_DATA16, 0xFFFF, "16-bit TSS: SS saved"
        CHECK_MASK [gdt + SEL_TSS16 + 4], 0x0100, 0x0F00, "16-bit TSS: available again after IRET"
        ; ---- paging: CR3 from the TSS, #DF on a stack overflow ---------------
        call setup_paging
        mov dword [0x800000], 0x11110001
        mov dword [0xC00000], 0x22220002
        INIT_TASK tss_a, te_cr3, SEL_TSSA
        mov dword [tss_a + 0x1C], PD2
        jmp SEL_TSSA:0
        CHECK_EQ [rec_cr3], PD2, "paging: CR3 loaded from the new TSS"
        CHECK_EQ [rec_val], 0x22220002, "paging: the new task sees its address space"
        mov eax, cr3
        CHECK_EQ eax, PD1, "paging: CR3 loaded from the main TSS on the way back"
        CHECK_EQ [0x800000], 0x11110001, "paging: the main task sees its address space"
        INIT_TASK tss_a, te_fix, SEL_TSSA
        SET_GATE 8, 0, SEL_TSSA, 0x85
        mov dword [fix_eip], .so_back
        mov [fix_esp], esp
        mov esp, 0x1000100              ; unmapped: the #PF cannot push its frame
.so_insn:
        push eax
.so_back:
        SET_GATE 8, exc_stub_8, SEL_CODE32, 0x8E
        CHECK_EQ [rec_tr], SEL_TSSA, "stack overflow: #DF through a task gate"
        CHECK_EQ [rec_top], 0, "stack overflow: #DF error code 0"
        CHECK_EQ [rec_cr2], 0x10000FC, "stack overflow: CR2"
        CHECK_EQ [rec_saved_eip], .so_insn, "stack overflow: old TSS EIP"
        call setup_pae
        INIT_TASK tss_a, te_cr3, SEL_TSSA
        mov dword [tss_a + 0x1C], PDPT2
        jmp SEL_TSSA:0
        CHECK_EQ [rec_cr3], PDPT2, "PAE: CR3 loaded from the new TSS"
        CHECK_EQ [rec_val], 0x22220002, "PAE: the new task's PDPTEs are loaded"
        mov eax, cr3
        CHECK_EQ eax, PDPT1, "PAE: CR3 loaded from the main TSS on the way back"
        CHECK_EQ [0x800000], 0x11110001, "PAE: the main task's PDPTEs are loaded again"
        mov eax, cr0
        and eax, 0x7FFFFFFF
        mov cr0, eax
        FINISH

; ---- tasks -------------------------------------------------------------------
; Records the task's state at entry; called first thing by every task.
task_record:
        mov [rec_eax], eax
        pushfd
        pop eax
        mov [rec_eflags], eax
        lea eax, [esp + 4]
        mov [rec_esp], eax
        mov eax, [esp + 4]
        mov [rec_top], eax
        mov eax, cr0
        mov [rec_cr0], eax
        mov eax, cr3
        mov [rec_cr3], eax
        mov eax, cr2
        mov [rec_cr2], eax
        xor eax, eax
        str ax
        mov [rec_tr], eax
        mov eax, [gdt + SEL_TSS + 4]
        mov [rec_main_desc], eax
        mov eax, dr6
        mov [rec_dr6], eax
        mov eax, dr7
        mov [rec_dr7], eax
        xor eax, eax
        sldt ax
        mov [rec_ldtr], eax
        mov ax, ds
        mov [rec_ds], eax
        ret

te_jmp:                         ; entered by JMP: goes back by JMP
        call task_record
        jmp SEL_TSS:0
.after: jmp te_jmp

te_iret:                        ; entered by CALL / INT: goes back by IRET
        call task_record
        iretd
.after: jmp te_iret

te_fix:                         ; exception task: resume the main task at fix_eip
        call task_record
        mov eax, [tss32 + 0x20]
        mov [rec_saved_eip], eax
        mov eax, [tss32 + 0x24]
        mov [rec_val], eax
        mov eax, [fix_eip]
        mov [tss32 + 0x20], eax
        mov eax, [fix_esp]
        test eax, eax
        jz .iret
        mov [tss32 + 0x38], eax
.iret:  iretd
        jmp te_fix

te_handler:                     ; #TS task: record, then back to main by JMP
        call task_record
        mov eax, [tss_a + 0x20]
        mov [rec_saved_eip], eax
        jmp SEL_TSS:0

te_io:                          ; CPL3 task, IOPL 0: ports through its own bitmap
        in al, 0x80
        mov dword [rec_val], 1
.denied:
        in al, 0x81
        jmp te_io

te_cr3:
        call task_record
        mov eax, [0x800000]
        mov [rec_val], eax
        jmp SEL_TSS:0

        align 16
        bits 16
te16:                           ; 16-bit task, CS base te16
        mov [rec_eax], eax
        pushfd
        pop eax
        mov [rec_eflags], eax
        mov ax, 0x4242
        iret
.after: jmp .after
        bits 32

; EDI = TSS, EAX = entry, EDX = selector
init_task:
        pushad
        push eax
        push edi
        mov ecx, 256 / 4
        xor eax, eax
        rep stosd
        pop edi
        pop eax
        mov [edi + 0x20], eax
        mov dword [edi + 0x24], 2
        mov dword [edi + 0x28], 0xA5A5A5A5
        lea eax, [edi + stack_a - tss_a + TASK_ESP]     ; each TSS is followed by its stack
        mov [edi + 0x38], eax
        mov eax, cr3
        mov [edi + 0x1C], eax
        mov word [edi + 0x4C], SEL_CODE32
        mov word [edi + 0x48], SEL_DATA32
        mov word [edi + 0x50], SEL_DATA32
        mov word [edi + 0x54], SEL_DATA32
        mov word [edi + 0x58], SEL_DATA32
        mov word [edi + 0x5C], SEL_DATA32
        mov word [edi + 0x66], 104      ; no I/O bitmap
        mov eax, edi
        mov ebx, 0x67
        mov ecx, 0x89
        call set_desc
        popad
        ret

init_tss16:
        pushad
        mov edi, tss16
        mov ecx, 44 / 2
        xor eax, eax
        rep stosw
        mov word [tss16 + 0x0E], 0              ; IP
        mov word [tss16 + 0x10], 2              ; FLAGS
        mov word [tss16 + 0x12], 0x1616         ; AX
        mov word [tss16 + 0x1A], STACK16        ; SP
        mov word [tss16 + 0x22], SEL_DATA32     ; ES
        mov word [tss16 + 0x24], SEL_CODE16T    ; CS
        mov word [tss16 + 0x26], SEL_DATA16     ; SS
        mov word [tss16 + 0x28], SEL_DATA32     ; DS
        SET_DESC SEL_TSS16, tss16, 0x2B, 0x81, 0x0
        popad
        ret

; Two page directories of 4 MiB pages identity-mapping 0..32 MiB, except
; 16..20 MiB (not present); PD2 maps 8..12 MiB to 12..16 MiB.
setup_paging:
        pushad
        xor ecx, ecx
.pde:   mov eax, ecx
        shl eax, 22
        or eax, 0x83
        cmp ecx, 4
        jne .p
        xor eax, eax
.p:     mov [PD1 + ecx * 4], eax
        mov [PD2 + ecx * 4], eax
        inc ecx
        cmp ecx, 1024
        jb .pde
        mov dword [PD2 + 2 * 4], (3 << 22) | 0x83
        mov eax, cr4
        or eax, 0x10                    ; PSE
        mov cr4, eax
        mov eax, PD1
        mov cr3, eax
        mov [tss32 + 0x1C], eax         ; the main task's CR3 (a static field)
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        popad
        ret

; PAE paging with 2 MiB pages over 0..32 MiB; PDPT2's directory maps
; 8..10 MiB to 12..14 MiB.
setup_pae:
        pushad
        mov eax, cr0
        and eax, 0x7FFFFFFF
        mov cr0, eax
        xor ecx, ecx
.pde:   mov eax, ecx
        shl eax, 21
        or eax, 0x83
        mov [PAE_PD1 + ecx * 8], eax
        mov dword [PAE_PD1 + ecx * 8 + 4], 0
        mov [PAE_PD2 + ecx * 8], eax
        mov dword [PAE_PD2 + ecx * 8 + 4], 0
        inc ecx
        cmp ecx, 16
        jb .pde
        mov dword [PAE_PD2 + 4 * 8], (6 << 21) | 0x83
        mov edi, PDPT1
        mov ecx, 16
        xor eax, eax
        rep stosd
        mov dword [PDPT1], PAE_PD1 | 1
        mov dword [PDPT2], PAE_PD2 | 1
        mov eax, cr4
        or eax, 0x20                    ; PAE
        mov cr4, eax
        mov eax, PDPT1
        mov cr3, eax
        mov [tss32 + 0x1C], eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        popad
        ret

        align 16
tss_a:  times 256 db 0            ; each TSS is followed by its stack (init_task)
stack_a: times 0x400 db 0
tss_h:  times 256 db 0
stack_h: times 0x400 db 0
tss16:  times 48 db 0
tss_b:  times 128 db 0
        align 8
ldt_a:  DESC32 0, 0xFFFFF, 0xF2, 0xC

END_IMAGE
