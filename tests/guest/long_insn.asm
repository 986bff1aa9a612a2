; long_insn.asm - 64-bit mode instruction semantics: mov r64, imm64;
; sign-extended imm32/imm8; 32-bit destinations zero-extend, 8/16-bit ones
; merge; REX byte registers (SPL/BPL/SIL/DIL) vs AH..BH; R8-R15; MOVSXD;
; CDQE/CQO; RIP-relative loads, stores and LEA; 32-bit address size (0x67);
; 64-bit push/pop and push imm32; 128/64 division; shift count masking to 6
; bits; CMPXCHG16B (equal, not equal, misaligned #GP, register form #UD);
; non-canonical addresses: data access #GP(0), RSP/RBP-based access #SS(0),
; push with a non-canonical RSP #SS(0) (taken on an IST stack), near
; JMP/CALL/RET to a non-canonical target #GP(0) at the branch.
%include "lib/pm32.inc"
%include "lib/long64.inc"
NONCANON equ 0x0000800000000000
main:
        mov eax, 1
        cpuid
        CHECK_MASK ecx, 1 << 13, 1 << 13, "cpuid 1: CMPXCHG16B (CX16)"
        call long_init
        GO_LONG
        ; #GP and #SS on IST1 so a bad RSP can be reported
        SET_GATE64 12, q_exc_stub_12, LSEL_CODE64, 0x8E, 1
        SET_GATE64 13, q_exc_stub_13, LSEL_CODE64, 0x8E, 1
        ; ---- immediates and register widths ----------------------------
        mov rax, 0x1122334455667788
        CHECKQ rax, 0x1122334455667788, "mov r64, imm64"
        mov rbx, -5
        CHECKQ rbx, 0xFFFFFFFFFFFFFFFB, "mov r64, imm32 sign-extends"
        mov rcx, 0x100000000
        add rcx, -1
        CHECKQ rcx, 0xFFFFFFFF, "add r64, imm8 sign-extends"
        mov rdx, 0xFFFFFFFFFFFFFFFF
        and rdx, -0x80000000
        CHECKQ rdx, 0xFFFFFFFF80000000, "and r64, imm32 sign-extends"
        mov eax, 0xFFFFFFFF
        CHECKQ rax, 0xFFFFFFFF, "mov r32 zero-extends into the upper half"
        mov rax, -1
        add eax, 1
        CHECKQ rax, 0, "add r32 zero-extends"
        mov rax, -1
        mov ax, 0x1234
        CHECKQ rax, 0xFFFFFFFFFFFF1234, "mov r16 merges"
        mov al, 0x56
        CHECKQ rax, 0xFFFFFFFFFFFF1256, "mov r8 merges"
        mov rax, -1
        db 0x90                         ; xchg eax, eax as 0x90 is NOP: no zero-extension
        CHECKQ rax, -1, "xchg eax, eax (0x90) is a NOP"
        mov rbx, -1
        db 0x87, 0xDB                   ; xchg ebx, ebx: zero-extends
        CHECKQ rbx, 0xFFFFFFFF, "xchg ebx, ebx zero-extends"
        ; ---- byte registers -------------------------------------------------
        mov rsi, 0x1122
        mov sil, 0x55
        CHECKQ rsi, 0x1155, "mov sil (REX)"
        mov rdi, 0
        mov dil, 0xAB
        CHECKQ rdi, 0xAB, "mov dil (REX)"
        mov rbp, 0x7700
        mov bpl, 0x66
        CHECKQ rbp, 0x7766, "mov bpl (REX)"
        mov rax, 0x1234
        db 0x88, 0xE0                   ; mov al, ah
        CHECKQ rax, 0x1212, "88 E0 without REX: mov al, ah"
        mov rax, 0x1234
        db 0x40, 0x88, 0xE0             ; mov al, spl
        mov rbx, rsp
        and rbx, 0xFF
        or rbx, 0x1200
        CHECKQ rax, rbx, "40 88 E0: mov al, spl"
        mov rbx, 0
        mov bh, 0x12
        CHECKQ rbx, 0x1200, "mov bh without REX"
        mov r15, 0x0123456789ABCDEF
        mov r8, -1
        mov r8d, r15d
        CHECKQ r8, 0x89ABCDEF, "mov r8d, r15d zero-extends"
        mov r9, -1
        mov r9b, 0
        CHECKQ r9, 0xFFFFFFFFFFFFFF00, "mov r9b merges"
        mov r10w, 0x55AA
        mov r11, r10
        and r11, 0xFFFF
        CHECKQ r11, 0x55AA, "r10w"
        ; ---- sign extension -------------------------------------------------
        mov ebx, 0x80000000
        movsxd rax, ebx
        CHECKQ rax, 0xFFFFFFFF80000000, "movsxd rax, ebx"
        mov dword [RES], 0x7FFFFFFF
        movsxd rcx, dword [RES]
        CHECKQ rcx, 0x7FFFFFFF, "movsxd rcx, m32 (positive)"
        mov eax, 0x80000001
        cdqe
        CHECKQ rax, 0xFFFFFFFF80000001, "cdqe"
        mov rax, -2
        cqo
        CHECKQ rdx, -1, "cqo"
        ; ---- RIP-relative -------------------------------------------------------
        lea rax, [rel qdata]
        CHECKQ rax, qdata, "lea rip-relative"
        mov rbx, [rel qdata]
        CHECKQ rbx, 0xFEDCBA9876543210, "load rip-relative"
        mov rcx, 0x5555AAAA5555AAAA
        mov [rel qdata + 8], rcx
        CHECKQ [qdata + 8], 0x5555AAAA5555AAAA, "store rip-relative"
        mov dword [rel qdata + 16], 0x01020304   ; imm after the disp: rip = end of insn
        CHECKD [qdata + 16], 0x01020304, "store imm32 rip-relative (rip after the immediate)"
        ; ---- address size -----------------------------------------------------
        mov rcx, 0x1FFFFFFFF
        mov rdx, 3
        lea eax, [ecx + edx]            ; 0x67: 32-bit effective address wraps
        CHECKQ rax, 2, "a32 lea wraps at 4 GiB"
        lea rax, [rcx + rdx]
        CHECKQ rax, 0x200000002, "a64 lea"
        ; ---- stack ---------------------------------------------------------
        mov rbx, rsp
        push qword -2
        mov rcx, rbx
        sub rcx, rsp
        CHECKQ rcx, 8, "push imm: 8 bytes"
        pop rax
        CHECKQ rax, -2, "push imm32 sign-extends to 64"
        mov rax, 0x8877665544332211
        push rax
        pop rdx
        CHECKQ rdx, 0x8877665544332211, "push/pop r64"
        ; ---- arithmetic --------------------------------------------------------
        mov rdx, 1
        mov rax, 0
        mov rbx, 0x100000000
        div rbx
        CHECKQ rax, 0x100000000, "div r64: 128/64 quotient"
        mov rax, 3
        mov cl, 65
        shl rax, cl
        CHECKQ rax, 6, "shl r64: count masked to 6 bits"
        mov rax, 0x0102030405060708
        bswap rax
        CHECKQ rax, 0x0807060504030201, "bswap r64"
        mov rax, 0x100000000
        imul rax, rax, 3
        CHECKQ rax, 0x300000000, "imul r64, r64, imm"
        ; ---- CMPXCHG16B -----------------------------------------------------
        mov qword [xdata16], 0x1111
        mov qword [xdata16 + 8], 0x2222
        mov rax, 0x1111
        mov rdx, 0x2222
        mov rbx, 0x3333
        mov rcx, 0x4444
        lock cmpxchg16b [xdata16]
        CHECK_FLAGSQ F_ZF, F_ZF, "cmpxchg16b equal: ZF=1"
        CHECKQ [xdata16], 0x3333, "cmpxchg16b equal: low qword stored"
        CHECKQ [xdata16 + 8], 0x4444, "cmpxchg16b equal: high qword stored"
        mov rax, 0
        mov rdx, 0
        cmpxchg16b [xdata16]
        CHECK_FLAGSQ F_ZF, 0, "cmpxchg16b not equal: ZF=0"
        CHECKQ rax, 0x3333, "cmpxchg16b not equal: RAX loaded"
        CHECKQ rdx, 0x4444, "cmpxchg16b not equal: RDX loaded"
        mov rax, 0
        mov rdx, 0
        lock cmpxchg16b [xdata16]
        CHECK_FLAGSQ F_ZF, 0, "lock cmpxchg16b not equal: ZF=0"
        CHECKQ rax, 0x3333, "lock cmpxchg16b not equal: RAX loaded"
        CHECKQ rdx, 0x4444, "lock cmpxchg16b not equal: RDX loaded"
        CHECKQ [xdata16 + 8], 0x4444, "lock cmpxchg16b not equal: memory unchanged"
        TRY
        cmpxchg16b [xdata16 + 8]
        CATCHQ 13, 0, "cmpxchg16b misaligned #GP(0)"
        TRY
        db 0x48, 0x0F, 0xC7, 0xC9       ; cmpxchg16b with a register operand
        CATCHQ 6, NOERR, "cmpxchg16b register form #UD"
        ; ---- non-canonical -----------------------------------------------------
        mov rax, NONCANON
        TRY
        mov rbx, [rax]
        CATCHQ 13, 0, "load from a non-canonical address #GP(0)"
        mov rax, 0xFFFF7FFFFFFFFFF8
        TRY
        mov qword [rax], 0
        CATCHQ 13, 0, "store to 0xFFFF7FFFFFFFFFF8 #GP(0)"
        UNLESS_TCGQ "canonical check before paging, #SS for stack references, #GP at the branch"
        mov rax, 0x00007FFFFFFFFFFC
        TRY
        mov rbx, [rax]                  ; last bytes cross into non-canonical space
        CATCHQ 13, 0, "8-byte load ending past 0x7FFFFFFFFFFF #GP(0)"
        mov rbp, NONCANON
        TRY
        mov rbx, [rbp + 8]
        CATCHQ 12, 0, "RBP-based non-canonical access #SS(0)"
        mov rbp, 0
        TRY
        mov rsp, NONCANON + 8
        push rax
        CATCHQ_ONLY 12, 0, "push with a non-canonical RSP #SS(0)"
        CHECKQ [q_exc_rsp], NONCANON + 8, "the faulting RSP was pushed"
        mov rax, [q_exc_frame]
        and rax, ~0xFFF
        CHECKQ rax, LM_IST_BASE, "#SS delivered on the IST1 stack"
        mov rax, NONCANON
        TRY
        jmp rax
        CATCHQ 13, 0, "jmp to a non-canonical target #GP(0) at the jmp"
        mov rbx, rsp
        TRY
        call rax
        CATCHQ 13, 0, "call to a non-canonical target #GP(0) at the call"
        CHECKQ [q_exc_rsp], rbx, "call: nothing pushed"
        push rax
        TRY
        ret
        CATCHQ 13, 0, "ret to a non-canonical address #GP(0) at the ret"
        pop rax
        END_UNLESS_TCG
        mov rax, 0x00007FFFFFFFF000
        TRY
        jmp rax
        CATCHQ_AT 14, 0, 0x00007FFFFFFFF000, "jmp to the highest canonical page: #PF (not a #GP)"
        GO_COMPAT
        LEAVE_LONG
        FINISH

        align 16
qdata:  dq 0xFEDCBA9876543210, 0, 0
        align 16
xdata16:  dq 0, 0
        LONG_IMAGE
        END_IMAGE
