; sse.asm - SSE/SSE2 in 32-bit protected mode: CPUID bits, enabling
; CR4.OSFXSR/OSXMMEXCPT, integer/float/convert/shuffle operations with known
; results, MXCSR flags, FXSAVE image layout, scrambling the state and
; FXRSTOR bringing it back, MMX/EMMS, and the faults: #GP(0) for misaligned
; aligned forms / FXSAVE and reserved MXCSR bits, #XM for an unmasked
; exception (destination unchanged), #UD without CR4.OSXMMEXCPT or
; CR4.OSFXSR, #NM with CR0.TS.  Skipped when CPUID lacks SSE, SSE2 or FXSR.
%include "lib/pm32.inc"
SCR  equ 0x3000                 ; 16-byte aligned scratch, 0x3000..0x33FF
FXA  equ 0x3200                 ; FXSAVE image (512 bytes)
main:
        mov eax, 1
        cpuid
        and edx, (1 << 24) | (1 << 25) | (1 << 26)
        cmp edx, (1 << 24) | (1 << 25) | (1 << 26)
        jne no_sse
        mov eax, cr0
        and eax, ~0xC                   ; EM=0 TS=0
        or eax, 2                       ; MP=1
        mov cr0, eax
        mov eax, cr4
        or eax, 0x600                   ; OSFXSR | OSXMMEXCPT
        mov cr4, eax
        fninit
        mov eax, cr4
        CHECK_MASK eax, 0x600, 0x600, "CR4.OSFXSR and CR4.OSXMMEXCPT set"

        ; ---- MXCSR ---------------------------------------------------------
        stmxcsr [SCR]
        CHECK_EQ [SCR], 0x1F80, "stmxcsr: reset value 0x1f80"

        ; ---- integer -------------------------------------------------------
        movdqa xmm0, [v_int1]
        paddd xmm0, [v_int2]
        movdqa [SCR], xmm0
        CHECK_EQ [SCR], 11, "paddd lane 0"
        CHECK_EQ [SCR + 12], 0x80000003, "paddd lane 3 wraps"
        pshufd xmm3, xmm0, 0x1B
        movdqu [SCR + 1], xmm3          ; misaligned store is fine for movdqu
        movdqu xmm4, [SCR + 1]
        movd eax, xmm4
        CHECK_EQ eax, 0x80000003, "pshufd 0x1b reverses; movdqu misaligned round trip"
        movdqa xmm1, [v_sat]
        paddsw xmm1, xmm1
        movdqa [SCR], xmm1
        CHECK_EQ [SCR], 0x80007FFF, "paddsw saturates both ways"
        packsswb xmm1, xmm1
        movd eax, xmm1
        CHECK_EQ eax, 0x0000807F, "packsswb saturates"
        pcmpeqb xmm5, xmm5
        pmovmskb eax, xmm5
        CHECK_EQ eax, 0xFFFF, "pcmpeqb self + pmovmskb"
        psrlq xmm5, 60
        movd eax, xmm5
        CHECK_EQ eax, 0xF, "psrlq by 60"
        pmuludq xmm0, [v_int2]          ; 11 * 10
        movd eax, xmm0
        CHECK_EQ eax, 110, "pmuludq"

        ; ---- floating point ------------------------------------------------
        movaps xmm1, [v_f1]
        mulps xmm1, [v_f2]
        movaps [SCR], xmm1
        CHECK_EQ [SCR], 0x40400000, "mulps 1.5*2 = 3.0"
        CHECK_EQ [SCR + 8], 0xC0C00000, "mulps -3*2 = -6.0"
        CHECK_EQ [SCR + 12], 0x3F000000, "mulps 0.25*2 = 0.5"
        movsd xmm2, [v_d1]
        addsd xmm2, [v_d2]
        movsd [SCR], xmm2
        CHECK_EQ [SCR + 4], 0x40080000, "addsd 1.0 + 2.0 = 3.0 (high)"
        CHECK_EQ [SCR], 0, "addsd 1.0 + 2.0 = 3.0 (low)"
        cvttsd2si eax, xmm2
        CHECK_EQ eax, 3, "cvttsd2si"
        comisd xmm2, [v_d1]
        CHECK_FLAGS F_ZF | F_PF | F_CF, 0, "comisd 3.0 > 1.0"
        ucomisd xmm2, [v_nan]
        CHECK_FLAGS F_ZF | F_PF | F_CF, F_ZF | F_PF | F_CF, "ucomisd with a NaN: unordered"
        mov eax, -7
        cvtsi2ss xmm6, eax
        sqrtss xmm6, xmm6               ; sqrt(-7): masked invalid -> default NaN
        movd eax, xmm6
        CHECK_EQ eax, 0xFFC00000, "sqrtss of a negative: QNaN indefinite"
        stmxcsr [SCR]
        CHECK_EQ [SCR], 0x1F81, "MXCSR.IE set by the masked invalid"
        xorps xmm7, xmm7
        movaps xmm6, [v_f1]
        divps xmm6, xmm7
        stmxcsr [SCR]
        CHECK_MASK [SCR], 0x1F85, 0xFFFF, "divps by zero: ZE set"
        movd eax, xmm6
        CHECK_EQ eax, 0x7F800000, "1.5/0 = +inf"
        mov dword [SCR], 0x1F80 | 0x6000 ; round toward zero
        ldmxcsr [SCR]
        cvtsd2si eax, [v_d25]
        CHECK_EQ eax, -2, "cvtsd2si -2.5 with RC=toward zero"
        mov dword [SCR], 0x1F80
        ldmxcsr [SCR]
        cvtsd2si eax, [v_d25]
        CHECK_EQ eax, -2, "cvtsd2si -2.5 with RC=nearest even"

        ; ---- MMX -----------------------------------------------------------
        movq mm0, [v_int1]
        paddw mm0, [v_int2]
        movd eax, mm0
        CHECK_EQ eax, 11, "paddw mm"
        fxsave [FXA]
        CHECK_MASK [FXA + 4], 0xFF, 0xFF, "MMX: every register tagged non-empty (abridged tags)"
        emms
        fxsave [FXA]
        CHECK_MASK [FXA + 4], 0, 0xFF, "EMMS: every register empty (abridged tags)"

        ; ---- FXSAVE / FXRSTOR ---------------------------------------------
        movdqa xmm0, [v_int1]
        movdqa xmm7, [v_int2]
        mov dword [SCR], 0x1F80 | 0x2000 | 0x20 ; RC=down, PE set
        ldmxcsr [SCR]
        fxsave [FXA]
        CHECK_MASK [FXA], 0x037F, 0xFFFF, "fxsave: FCW"
        CHECK_EQ [FXA + 24], 0x3FA0, "fxsave: MXCSR"
        CHECK_MASK [FXA + 28], 0xFFBF, 0xFFBF, "fxsave: MXCSR_MASK"
        CHECK_EQ [FXA + 160], 1, "fxsave: xmm0"
        CHECK_EQ [FXA + 160 + 7 * 16 + 4], 20, "fxsave: xmm7"
        pxor xmm0, xmm0
        pcmpeqd xmm7, xmm7
        mov dword [SCR], 0x1F80
        ldmxcsr [SCR]
        fxrstor [FXA]
        stmxcsr [SCR]
        CHECK_EQ [SCR], 0x3FA0, "fxrstor: MXCSR back"
        movdqa [SCR], xmm0
        CHECK_EQ [SCR + 12], 0x7FFFFFFF, "fxrstor: xmm0 back"
        movdqa [SCR], xmm7
        CHECK_EQ [SCR + 12], 4, "fxrstor: xmm7 back"
        mov dword [SCR], 0x1F80
        ldmxcsr [SCR]

        ; ---- faults --------------------------------------------------------
        TRY
        movaps xmm0, [SCR + 8]
        CATCH 13, 0, "movaps misaligned: #GP(0)"
        TRY
        fxsave [FXA + 8]
        CATCH 13, 0, "fxsave misaligned: #GP(0)"
        UNLESS_TCG "reserved MXCSR bits #GP and unmasked SIMD exceptions (#XM)"
        mov dword [SCR], 0x11F80
        TRY
        ldmxcsr [SCR]
        CATCH 13, 0, "ldmxcsr reserved bit: #GP(0)"
        mov dword [FXA + 24], 0x11F80
        TRY
        fxrstor [FXA]
        CATCH 13, 0, "fxrstor reserved MXCSR bit: #GP(0)"
        movaps xmm6, [v_f1]
        xorps xmm7, xmm7
        mov dword [SCR], 0x1F80 & ~0x200  ; ZM clear
        ldmxcsr [SCR]
        TRY
        divps xmm6, xmm7
        CATCH 19, NOERR, "unmasked divide by zero: #XM"
        movd eax, xmm6
        CHECK_EQ eax, 0x3FC00000, "#XM leaves the destination"
        stmxcsr [SCR]
        CHECK_EQ [SCR], 0x1D84, "#XM: ZE set"
        mov eax, cr4
        and eax, ~0x400
        mov cr4, eax
        TRY
        divps xmm6, xmm7
        CATCH 6, NOERR, "unmasked exception without CR4.OSXMMEXCPT: #UD"
        mov eax, cr4
        or eax, 0x400
        mov cr4, eax
        END_UNLESS_TCG
        mov dword [SCR], 0x1F80
        ldmxcsr [SCR]
        mov eax, cr0
        or eax, 8
        mov cr0, eax
        TRY
        addps xmm0, xmm1
        CATCH 7, NOERR, "CR0.TS: #NM"
        clts
        mov eax, cr4
        and eax, ~0x200
        mov cr4, eax
        TRY
        addps xmm0, xmm1
        CATCH 6, NOERR, "CR4.OSFXSR=0: #UD"
        mov eax, cr4
        or eax, 0x200
        mov cr4, eax
        FINISH

no_sse:
        SKIP "CPUID lacks SSE, SSE2 or FXSR"
        FINISH

align 16
v_int1: dd 1, 2, 3, 0x7FFFFFFF
v_int2: dd 10, 20, 30, 4
v_sat:  dw 0x7FFF, 0x8000, 0, 0, 0, 0, 0, 0
v_f1:   dd 1.5, 2.0, -3.0, 0.25
v_f2:   dd 2.0, 2.0, 2.0, 2.0
v_d1:   dq 1.0
v_d2:   dq 2.0
v_nan:  dq 0x7FF8000000000000
v_d25:  dq -2.5
END_IMAGE
