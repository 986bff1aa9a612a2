; x87.asm - x87 FPU state and exceptions: FNINIT defaults; FNSTENV/FLDENV
; and FNSAVE/FRSTOR images in the 32-bit and 16-bit protected-mode layouts
; and the 16/32-bit real-mode layouts (control/status/tag words,
; instruction and data pointers, opcode, registers in stack order, FNSAVE's
; re-initialisation, FNSTENV masking every exception); stack overflow and
; underflow (IE+SF, C1, the QNaN indefinite); FCOMI/FUCOMI/FCOMIP EFLAGS
; for >, <, =, unordered; unmasked zero-divide with CR0.NE=1: no fault at
; the division nor at FNSTSW, #MF at the next waiting instruction (FWAIT or
; an x87 arithmetic instruction) with FIP naming the division; FLDCW
; unmasking a pending flag; a few results (sqrt 2, pi, 1/3 under each
; rounding mode).  The arithmetic itself is covered bit for bit by
; tests/unit/test_x87.c against the host x87.
; QEMU 7.2 TCG does not model x87 stack faults, FOP, or the #MF check of
; waiting instructions other than FWAIT, and does not recompute ES on FLDCW:
; those checks are UNLESS_TCG (verified failing there with -DFORCE_NO_TCG).
; CR0.NE=0 (FERR#/IRQ 13) is not tested here: pcvm raises #MF for both
; settings (documented in src/cpu/iem_x87.c), QEMU raises IRQ 13.
; Every expected value is architectural, the same on Intel and AMD: results
; are exactly rounded or SDM constants, no transcendental is checked.  The
; pointer fields follow the two CPUID bits that let a CPU store less (SDM
; vol. 1 8.1.8): CPUID.(7,0):EBX[13] saves FCS and FDS as 0, EBX[6] updates
; FDP (and FDS) only on unmasked exceptions, so after FNINIT they stay 0.
; pcvm sets neither; recent Intel CPUs set both, so a run on the host CPU
; (KVM) expects what the CPU it runs on reports.
%define HAVE_BLOB
%include "lib/pm32.inc"
%include "lib/realmode.inc"

ENV  equ 0x3000                 ; FNSTENV / FNSAVE images
ENV2 equ 0x3100
; expected pointer fields (see above), set from CPUID before the checks
X_FCS    equ 0x3200             ; FCS: SEL_CODE32 or 0
X_FDS    equ 0x3204             ; FDS: SEL_DATA32 or 0
X_FDP    equ 0x3208             ; FDP of "fld qword [two]": two or 0
X_FDP_RM equ 0x320c             ; FDP of "fld qword [rm_two]": rm_two or 0

; FSW16 "desc", expected, mask - checks the status word
%macro FSW16 3
        fnstsw ax
        movzx eax, ax
        CHECK_MASK eax, %2, %3, %1
%endmacro

main:
        mov eax, cr0
        and eax, ~(4 | 8)                   ; EM, TS
        or eax, 0x20 | 2                    ; NE, MP
        mov cr0, eax
        ; ---- what this CPU stores in the pointer fields --------------------
        xor eax, eax
        cpuid
        xor ebx, ebx                    ; no leaf 7: neither bit
        cmp eax, 7
        jb .leaf7_done
        mov eax, 7
        xor ecx, ecx
        cpuid
.leaf7_done:
        mov dword [X_FCS], SEL_CODE32
        mov dword [X_FDS], SEL_DATA32
        mov dword [X_FDP], two
        mov dword [X_FDP_RM], rm_two
        test ebx, 1 << 13               ; FCS/FDS deprecated
        jz .fcs_kept
        mov dword [X_FCS], 0
        mov dword [X_FDS], 0
.fcs_kept:
        test ebx, 1 << 6                ; FDP only on unmasked exceptions
        jz .fdp_kept
        mov dword [X_FDS], 0
        mov dword [X_FDP], 0
        mov dword [X_FDP_RM], 0
.fdp_kept:
        ; ---- FNINIT defaults -----------------------------------------------
        fninit
        fnstcw [ENV]
        movzx eax, word [ENV]
        CHECK_EQ eax, 0x37f, "fninit: control word 0x37f"
        FSW16 "fninit: status word 0", 0, 0xffff
        fnstenv [ENV]
        CHECK_MASK [ENV + 8], 0xffff, 0xffff, "fninit: all tags empty"

        ; ---- results -------------------------------------------------------
        fld qword [two]
        fsqrt
        fstp qword [ENV]
        CHECK_EQ [ENV], 0x667f3bcd, "sqrt 2 (low)"
        CHECK_EQ [ENV + 4], 0x3ff6a09e, "sqrt 2 (high)"
        fldpi
        fstp tword [ENV]
        CHECK_EQ [ENV], 0x2168c235, "fldpi (mantissa low)"
        CHECK_EQ [ENV + 4], 0xc90fdaa2, "fldpi (mantissa high)"
        CHECK_MASK [ENV + 8], 0x4000, 0xffff, "fldpi (exponent)"
        ; 1/3 in single precision (PC=00) under RC nearest / down / up / zero
        mov ecx, 0
.rc:    mov eax, ecx
        shl eax, 10
        or eax, 0x007f
        mov [ENV2], ax
        fldcw [ENV2]
        fld1
        fidiv dword [three]
        fstp tword [ENV]
        fldcw [cw_default]
        mov eax, [ENV + 4]
        CHECK_EQ eax, [third_hi + ecx * 4], "1/3 rounded to 24 bits under each RC"
        inc ecx
        cmp ecx, 4
        jb .rc
        FSW16 "1/3: PE set", 0x20, 0x3f
        fninit

        ; ---- stack overflow / underflow ------------------------------------
        mov ecx, 8
.push8: fld1
        loop .push8
        FSW16 "8 pushes: no exception", 0, 0x3f
        UNLESS_TCG "x87 stack overflow/underflow (IE+SF, C1)"
        fld1                                    ; ninth: overflow
        FSW16 "push onto a full stack: IE+SF, C1=1", 0x241, 0x27f
        fstp tword [ENV]
        CHECK_EQ [ENV], 0, "overflow: QNaN indefinite (low)"
        CHECK_EQ [ENV + 4], 0xc0000000, "overflow: QNaN indefinite (high)"
        CHECK_MASK [ENV + 8], 0xffff, 0xffff, "overflow: QNaN indefinite (sign/exp)"
        fninit
        fadd st0, st1                           ; both empty: underflow
        FSW16 "arith on empty registers: IE+SF, C1=0", 0x041, 0x27f
        fninit
        fld1
        fxch st3                                ; st3 empty
        FSW16 "fxch with an empty register: IE+SF", 0x041, 0x27f
        END_UNLESS_TCG
        fninit
        fld1
        fistp word [ENV]
        movzx eax, word [ENV]
        CHECK_EQ eax, 1, "fistp m16"

        ; ---- FCOMI / FUCOMI / FCOMIP flags -----------------------------------
        fninit
        fld1
        fld qword [two]                         ; st0 = 2, st1 = 1
        fcomi st0, st1
        CHECK_FLAGS F_ZF | F_PF | F_CF, 0, "fcomi 2 > 1: ZF=PF=CF=0"
        fxch st1
        fcomi st0, st1
        CHECK_FLAGS F_ZF | F_PF | F_CF, F_CF, "fcomi 1 < 2: CF=1"
        fld1
        fucomi st0, st1
        CHECK_FLAGS F_ZF | F_PF | F_CF, F_ZF, "fucomi 1 = 1: ZF=1"
        fcomip st0, st1
        CHECK_FLAGS F_ZF | F_PF | F_CF, F_ZF, "fcomip 1 = 1: ZF=1"
        FSW16 "fcomip popped", 0x3000, 0x3800
        fld qword [qnan]
        fucomi st0, st1
        CHECK_FLAGS F_ZF | F_PF | F_CF, F_ZF | F_PF | F_CF, "fucomi QNaN: unordered"
        FSW16 "fucomi QNaN: no IE", 0, 1
        fcomi st0, st1
        CHECK_FLAGS F_ZF | F_PF | F_CF, F_ZF | F_PF | F_CF, "fcomi QNaN: unordered"
        FSW16 "fcomi QNaN: IE", 1, 1

        ; ---- FNSTENV 32-bit protected layout -------------------------------
        fninit
fld_at: fld qword [two]
        fnstenv [ENV]
        CHECK_MASK [ENV + 0], 0x037f, 0xffff, "fnstenv32: control word"
        CHECK_MASK [ENV + 4], 0x3800, 0xffff, "fnstenv32: status word (TOP=7)"
        CHECK_MASK [ENV + 8], 0x3fff, 0xffff, "fnstenv32: tag word (ST0 valid)"
        CHECK_EQ [ENV + 12], fld_at, "fnstenv32: FIP"
        CHECK_MASK [ENV + 16], [X_FCS], 0xffff, "fnstenv32: FCS"
        UNLESS_TCG "x87 FOP"
        mov eax, [ENV + 16]
        shr eax, 16
        CHECK_EQ eax, 0x0505, "fnstenv32: FOP (dd 05)"
        END_UNLESS_TCG
        CHECK_EQ [ENV + 20], [X_FDP], "fnstenv32: FDP"
        CHECK_MASK [ENV + 24], [X_FDS], 0xffff, "fnstenv32: FDS"
        fnstcw [ENV2]
        movzx eax, word [ENV2]
        CHECK_EQ eax, 0x37f, "fnstenv masks all exceptions"
        ; o16: 14-byte layout
        fninit
fld_at16: fld qword [two]
        o16 fnstenv [ENV]
        movzx eax, word [ENV + 0]
        CHECK_EQ eax, 0x037f, "fnstenv16: control word"
        movzx eax, word [ENV + 2]
        CHECK_EQ eax, 0x3800, "fnstenv16: status word"
        movzx eax, word [ENV + 4]
        CHECK_EQ eax, 0x3fff, "fnstenv16: tag word"
        movzx eax, word [ENV + 6]
        CHECK_MASK eax, fld_at16, 0xffff, "fnstenv16: FIP"
        movzx eax, word [ENV + 8]
        CHECK_EQ eax, [X_FCS], "fnstenv16: FCS"
        movzx eax, word [ENV + 10]
        CHECK_MASK eax, [X_FDP], 0xffff, "fnstenv16: FDP"
        movzx eax, word [ENV + 12]
        CHECK_EQ eax, [X_FDS], "fnstenv16: FDS"
        ; FLDENV: status word with a masked flag and C3, tags from the image
        mov word [ENV + 2], 0x4004 | (7 << 11)
        mov word [ENV + 4], 0x3fff
        o16 fldenv [ENV]
        FSW16 "fldenv16: status word loaded", 0x7804, 0xffff
        fnstenv [ENV2]
        CHECK_MASK [ENV2 + 8], 0x3fff, 0xffff, "fldenv16: tags"

        ; ---- FNSAVE / FRSTOR -----------------------------------------------
        fninit
        fld1
        fldpi
        fnsave [ENV]
        fnstcw [ENV2]
        movzx eax, word [ENV2]
        CHECK_EQ eax, 0x37f, "fnsave reinitialises: control word"
        FSW16 "fnsave reinitialises: status word", 0, 0xffff
        CHECK_MASK [ENV + 8], 0x0fff, 0xffff, "fnsave32: tag word"
        CHECK_EQ [ENV + 28 + 4], 0xc90fdaa2, "fnsave32: ST0 = pi"
        CHECK_MASK [ENV + 28 + 8], 0x4000, 0xffff, "fnsave32: ST0 exponent"
        CHECK_EQ [ENV + 38 + 4], 0x80000000, "fnsave32: ST1 = 1"
        CHECK_MASK [ENV + 38 + 8], 0x3fff, 0xffff, "fnsave32: ST1 exponent"
        frstor [ENV]
        FSW16 "frstor32: TOP=6", 0x3000, 0x3800
        fstp qword [ENV2]
        CHECK_EQ [ENV2 + 4], 0x400921fb, "frstor32: ST0 = pi"
        fstp qword [ENV2]
        CHECK_EQ [ENV2 + 4], 0x3ff00000, "frstor32: ST1 = 1"
        ; 16-bit layout: registers at offset 14
        fninit
        fldz
        fld qword [two]
        o16 fnsave [ENV]
        movzx eax, word [ENV + 4]
        CHECK_EQ eax, 0x4fff, "fnsave16: tag word (ST0 valid, ST1 zero)"
        CHECK_EQ [ENV + 14 + 4], 0x80000000, "fnsave16: ST0 = 2"
        CHECK_MASK [ENV + 14 + 8], 0x4000, 0xffff, "fnsave16: ST0 exponent"
        o16 frstor [ENV]
        fcomp st1                               ; 2 vs 0
        FSW16 "frstor16: st0 > st1", 0x0000, 0x4500

        ; ---- #MF: unmasked exceptions are delivered late -------------------
        fninit
        fldcw [cw_ze]
        fld1
        fldz
        TRY
mf_div: fdivp st1, st0
        NO_EXC "unmasked zero-divide: no fault at the division"
        FSW16 "unmasked ZE: ZE, ES and B set", 0x8084, 0x80ff
        TRY
        fwait
        CATCH 16, NOERR, "#MF at the next fwait"
        UNLESS_TCG "#MF before a non-FWAIT x87 instruction, FOP"
        TRY
        fld1
        CATCH 16, NOERR, "#MF at the next x87 instruction"
        fnstenv [ENV]
        CHECK_EQ [ENV + 12], mf_div, "#MF: FIP names the division"
        mov eax, [ENV + 16]
        shr eax, 16
        CHECK_EQ eax, 0x06f9, "#MF: FOP of the division"
        END_UNLESS_TCG
        fnclex
        TRY
        fwait
        NO_EXC "fnclex: no #MF afterwards"
        ; a masked flag that FLDCW unmasks is reported by the next one
        fninit
        fld1
        fldz
        fdivp st1, st0
        fldcw [cw_ze]
        UNLESS_TCG "fldcw unmasking a set flag"
        TRY
        fwait
        CATCH 16, NOERR, "fldcw unmasking a set flag: #MF at the next fwait"
        END_UNLESS_TCG
        fninit

        ; ---- real mode layouts ---------------------------------------------
        GO_REAL

        BLOB_BEGIN
rm_main:
        fninit
rm_fld: fld qword [rm_two]
        fnstenv [ENV]
        mov ax, [ENV + 2]
        movzx eax, ax
        CHECK_EQ eax, 0x3800, "real fnstenv16: status word"
        mov ax, [ENV + 4]
        movzx eax, ax
        CHECK_EQ eax, 0x3fff, "real fnstenv16: tag word"
        movzx eax, word [ENV + 6]
        CHECK_EQ eax, rm_fld, "real fnstenv16: FIP[15:0]"
        movzx eax, word [ENV + 10]
        CHECK_EQ eax, [X_FDP_RM], "real fnstenv16: FDP[15:0]"
        movzx eax, word [ENV + 12]
        CHECK_EQ eax, 0, "real fnstenv16: FDP[19:16]"
        UNLESS_TCG "x87 FOP in the real-mode layout"
        movzx eax, word [ENV + 8]
        CHECK_EQ eax, 0x0506, "real fnstenv16: FIP[19:16] and FOP (dd 06)"
        END_UNLESS_TCG
        fninit
rm_fld2: fld qword [rm_two]
        o32 fnstenv [ENV]
        CHECK_MASK [ENV + 12], rm_fld2, 0xffff, "real fnstenv32: FIP[15:0]"
        CHECK_MASK [ENV + 20], [X_FDP_RM], 0xffff, "real fnstenv32: FDP[15:0]"
        CHECK_EQ [ENV + 24], 0, "real fnstenv32: FDP[31:16]"
        UNLESS_TCG "x87 FOP in the real-mode layout"
        CHECK_EQ [ENV + 16], 0x0506, "real fnstenv32: FIP[31:16] and FOP"
        END_UNLESS_TCG
        fninit
        fld1
        fnsave [ENV]
        movzx eax, word [ENV + 4]
        CHECK_EQ eax, 0x3fff, "real fnsave16: tag word"
        CHECK_EQ [ENV + 14 + 4], 0x80000000, "real fnsave16: ST0 = 1"
        frstor [ENV]
        fistp word [ENV2]
        movzx eax, word [ENV2]
        CHECK_EQ eax, 1, "real frstor16: ST0 = 1"
        FINISH
        align 8
rm_two: dq 2.0
        RM_LIB
        BLOB_END

        align 8
two:    dq 2.0
qnan:   dq __QNaN__
three:  dd 3
cw_default: dw 0x37f
cw_ze:  dw 0x37b
        align 4
; 1/3 rounded to 24 bits (high mantissa dword): nearest, down, up, zero
third_hi: dd 0xaaaaab00, 0xaaaaaa00, 0xaaaaab00, 0xaaaaaa00
END_IMAGE
