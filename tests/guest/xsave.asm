; xsave.asm - the XSAVE family in 32-bit protected mode: CR4.OSXSAVE and
; XCR0 (x87, SSE, and AVX when CPUID.0xD offers it), CPUID leaf 0xD sizes
; against the bytes XSAVE really writes, the standard layout (FCW, MXCSR,
; XMM0-7, YMM0-7 upper halves at 576, XSTATE_BV), every register scrambled
; and brought back by XRSTOR, XRSTOR initialising a component whose
; XSTATE_BV bit is clear, XSAVEOPT and the compacted XSAVEC form with
; XCOMP_BV where CPUID offers them, and #GP for a reserved XSTATE_BV bit.
; Skipped when CPUID lacks XSAVE.
%include "lib/pm32.inc"
SCR   equ 0x3000                ; scratch, 0x3000..0x33FF
AREA  equ 0x4000                ; XSAVE image (64-byte aligned, 1 KiB)
AREA2 equ 0x4400                ; second image
AREA3 equ 0x4800                ; compacted image
FILL  equ 0xEEEEEEEE

; FILL_AREA addr, dword - 1 KiB of the dword pattern at addr
%macro FILL_AREA 2
        mov edi, %1
        mov eax, %2
        mov ecx, 256
        rep stosd
%endmacro

main:
        mov eax, 1
        cpuid
        test ecx, 1 << 26
        jz no_xsave
        mov eax, cr0
        and eax, ~0xC                   ; EM=0 TS=0
        or eax, 2                       ; MP=1
        mov cr0, eax
        mov eax, cr4
        or eax, 0x40600                 ; OSXSAVE | OSXMMEXCPT | OSFXSR
        mov cr4, eax
        mov eax, 1
        cpuid
        test ecx, 1 << 27
        CHECK_FLAGS F_ZF, 0, "CPUID.1:ECX.OSXSAVE follows CR4.OSXSAVE"

        ; ---- XCR0 and leaf 0xD -------------------------------------------
        xor ecx, ecx
        xgetbv
        CHECK_EQ eax, 1, "XCR0 starts as x87 only"
        mov eax, 0xD
        xor ecx, ecx
        cpuid
        and eax, 7                      ; x87, SSE and AVX if supported
        mov [xcr0], eax
        test eax, 4
        setnz byte [has_avx]
        mov eax, 1
        cpuid
        test ecx, 1 << 28
        jnz .avx_ok
        mov byte [has_avx], 0           ; the YMM state without AVX: leave it
        and dword [xcr0], 3
.avx_ok:
        mov eax, [xcr0]
        xor edx, edx
        xor ecx, ecx
        xsetbv
        xor ecx, ecx
        xgetbv
        CHECK_EQ eax, [xcr0], "XSETBV/XGETBV round trip"
        mov eax, 0xD
        xor ecx, ecx
        cpuid
        mov [size], ebx
        mov eax, 576
        cmp byte [has_avx], 0
        je .sz
        add eax, 256
.sz:    CHECK_EQ [size], eax, "CPUID.0xD.0:EBX is the size for this XCR0"
        cmp byte [has_avx], 0
        je .no_sub2
        mov eax, 0xD
        mov ecx, 2
        cpuid
        CHECK_EQ eax, 256, "CPUID.0xD.2: YMM_Hi128 is 256 bytes"
        CHECK_EQ ebx, 576, "CPUID.0xD.2: at offset 576"
.no_sub2:

        ; ---- fill every register with a pattern ----------------------------
        call fill_state
        FILL_AREA AREA, FILL
        mov edi, AREA + 512             ; a clean header (XSTATE_BV, XCOMP_BV...)
        xor eax, eax
        mov ecx, 16
        rep stosd
        mov eax, -1
        mov edx, -1
        xsave [AREA]
        CHECK_MASK [AREA], 0x0A7F, 0xFFFF, "xsave: FCW"
        CHECK_EQ [AREA + 24], MXCSR_PAT, "xsave: MXCSR"
        mov esi, AREA + 160
        mov edi, xmm_pat
        mov ecx, 128
        call compare
        CHECK_EQ eax, 0, "xsave: XMM0-7 (0 = equal, else 1 + first differing byte)"
        CHECK_EQ [AREA + 512], [xcr0], "xsave: XSTATE_BV = every enabled component"
        CHECK_EQ [AREA + 516], 0, "xsave: XSTATE_BV high"
        CHECK_EQ [AREA + 520], 0, "xsave: XCOMP_BV untouched (standard form)"
        mov eax, [size]
        CHECK_EQ [AREA + eax], FILL, "xsave: nothing written at the CPUID size"
        cmp byte [has_avx], 0
        je .no_ymm_layout
        mov esi, AREA + 576
        mov edi, ymm_pat
        mov ecx, 128
        call compare
        CHECK_EQ eax, 0, "xsave: YMM0-7 bits 255:128 at 576"
        CHECK_EQ [AREA + 576 + 128], FILL, "xsave: YMM8-15 not stored outside 64-bit mode"
.no_ymm_layout:

        ; ---- scramble, XRSTOR, check every register --------------------------
        call scramble
        mov eax, -1
        mov edx, -1
        xrstor [AREA]

        ; saved again at once, the image is byte for byte the first
        FILL_AREA AREA2, FILL
        mov esi, AREA + 512
        mov edi, AREA2 + 512
        mov ecx, 16
        rep movsd
        mov eax, -1
        mov edx, -1
        xsave [AREA2]
        mov esi, AREA
        mov edi, AREA2
        mov ecx, [size]
        call compare
        CHECK_EQ eax, 0, "xsave after xrstor: the same image"
        call check_state

        ; ---- XSTATE_BV clear: the component is initialised -----------------
        mov eax, [xcr0]
        and eax, 1                      ; x87 only from the image
        mov [AREA2 + 512], eax
        call scramble
        mov eax, -1
        mov edx, -1
        xrstor [AREA2]
        stmxcsr [SCR]
        CHECK_EQ [SCR], MXCSR_PAT, "xrstor, SSE bit clear: MXCSR still loaded (standard form)"
        movdqu [SCR], xmm5
        CHECK_EQ [SCR + 8], 0, "xrstor, SSE bit clear: XMM5 zeroed"
        fnstcw [SCR]
        CHECK_MASK [SCR], 0x0A7F, 0xFFFF, "xrstor, x87 bit set: FCW restored"
        cmp byte [has_avx], 0
        je .no_ymm_init
        vextractf128 [SCR], ymm6, 1
        CHECK_EQ [SCR + 12], 0, "xrstor, AVX bit clear: YMM6 upper zeroed"
.no_ymm_init:

        ; ---- a reserved XSTATE_BV bit: #GP(0) ---------------------------------
        mov eax, [xcr0]
        or eax, 0x100                   ; component 8 is not in XCR0
        mov [AREA2 + 512], eax
        mov eax, -1
        mov edx, -1
        TRY
        xrstor [AREA2]
        CATCH 13, 0, "xrstor with an XSTATE_BV bit outside XCR0: #GP(0)"
        mov eax, -1
        mov edx, -1
        TRY
        xsave [AREA + 8]
        CATCH 13, 0, "xsave misaligned: #GP(0)"

        ; ---- XSAVEOPT ----------------------------------------------------------
        mov eax, 0xD
        mov ecx, 1
        cpuid
        mov [sub1], eax
        test eax, 1
        jz .no_xsaveopt
        call fill_state
        FILL_AREA AREA2, FILL
        mov edi, AREA2 + 512
        xor eax, eax
        mov ecx, 16
        rep stosd
        mov eax, -1
        mov edx, -1
        xsaveopt [AREA2]
        mov esi, AREA2 + 160
        mov edi, xmm_pat
        mov ecx, 128
        call compare
        CHECK_EQ eax, 0, "xsaveopt: XMM0-7"
        CHECK_EQ [AREA2 + 24], MXCSR_PAT, "xsaveopt: MXCSR"
        CHECK_EQ [AREA2 + 512], [xcr0], "xsaveopt: XSTATE_BV"
        call scramble
        mov eax, -1
        mov edx, -1
        xrstor [AREA2]
        call check_state
        jmp .xsavec
.no_xsaveopt:
        SKIP "XSAVEOPT not offered"

        ; ---- XSAVEC: compacted form --------------------------------------------
.xsavec:
        test dword [sub1], 2
        jz .no_xsavec
        call fill_state
        FILL_AREA AREA3, FILL
        mov eax, -1
        mov edx, -1
        xsavec [AREA3]
        CHECK_EQ [AREA3 + 512], [xcr0], "xsavec: XSTATE_BV"
        CHECK_EQ [AREA3 + 520], [xcr0], "xsavec: XCOMP_BV = RFBM"
        CHECK_EQ [AREA3 + 524], 0x80000000, "xsavec: XCOMP_BV bit 63 (compacted)"
        mov esi, AREA3 + 160
        mov edi, xmm_pat
        mov ecx, 128
        call compare
        CHECK_EQ eax, 0, "xsavec: XMM0-7 in the legacy region"
        cmp byte [has_avx], 0
        je .xsavec_restore
        mov esi, AREA3 + 576
        mov edi, ymm_pat
        mov ecx, 128
        call compare
        CHECK_EQ eax, 0, "xsavec: YMM_Hi128 right after the header"
        CHECK_EQ [AREA3 + 832], FILL, "xsavec: nothing past 832"
        mov eax, 0xD
        mov ecx, 1
        cpuid
        CHECK_EQ ebx, 832, "CPUID.0xD.1:EBX: the compacted size XSAVEC wrote"
.xsavec_restore:
        call scramble
        mov eax, -1
        mov edx, -1
        xrstor [AREA3]
        call check_state
        jmp .done
.no_xsavec:
        SKIP "XSAVEC not offered"
.done:
        FINISH

no_xsave:
        SKIP "CPUID lacks XSAVE"
        FINISH

; ---- state helpers ------------------------------------------------------------
MXCSR_PAT equ 0xDF81            ; FZ, round up, all masked, IE flag set

; x87: FCW 0x0A7F and four values; MXCSR; XMM0-7; YMM0-7 upper halves.
fill_state:
        fninit
        fldcw [fcw_pat]
        fld qword [x87_pat]
        fld qword [x87_pat + 8]
        fld qword [x87_pat + 16]
        fld qword [x87_pat + 24]
        ldmxcsr [mxcsr_pat]
        movdqu xmm0, [xmm_pat + 0]
        movdqu xmm1, [xmm_pat + 16]
        movdqu xmm2, [xmm_pat + 32]
        movdqu xmm3, [xmm_pat + 48]
        movdqu xmm4, [xmm_pat + 64]
        movdqu xmm5, [xmm_pat + 80]
        movdqu xmm6, [xmm_pat + 96]
        movdqu xmm7, [xmm_pat + 112]
        cmp byte [has_avx], 0
        je .r
%assign i 0
%rep 8
        vinsertf128 ymm %+ i, ymm %+ i, [ymm_pat + 16 * i], 1
%assign i i + 1
%endrep
.r:     ret

; Everything to other values: x87 empty with another FCW, MXCSR default,
; every XMM/YMM bit set.
scramble:
        fninit
        fldz
        fldz
        ldmxcsr [mxcsr_def]
%assign i 0
%rep 8
        pcmpeqb xmm %+ i, xmm %+ i
%assign i i + 1
%endrep
        cmp byte [has_avx], 0
        je .r
%assign i 0
%rep 8
        vinsertf128 ymm %+ i, ymm %+ i, [ones], 1
%assign i i + 1
%endrep
.r:     ret

; Checks what fill_state loaded, register by register.
check_state:
        fnstcw [SCR]
        CHECK_MASK [SCR], 0x0A7F, 0xFFFF, "xrstor: FCW"
        fnstsw ax
        CHECK_MASK eax, 0x2000, 0x3800, "xrstor: TOP = 4"
        fnstenv [SCR]
        CHECK_MASK [SCR + 8], 0x00FF, 0xFFFF, "xrstor: tag word, 4 valid at the top"
        fldcw [fcw_def]
        fstp qword [SCR]
        fstp qword [SCR + 8]
        fstp qword [SCR + 16]
        fstp qword [SCR + 24]
        fldcw [fcw_pat]
        mov esi, SCR
        mov edi, x87_rev
        mov ecx, 32
        call compare
        CHECK_EQ eax, 0, "xrstor: ST0-3"
        stmxcsr [SCR]
        CHECK_EQ [SCR], MXCSR_PAT, "xrstor: MXCSR"
%assign i 0
%rep 8
        movdqu [SCR + 16 * i], xmm %+ i
%assign i i + 1
%endrep
        mov esi, SCR
        mov edi, xmm_pat
        mov ecx, 128
        call compare
        CHECK_EQ eax, 0, "xrstor: XMM0-7"
        cmp byte [has_avx], 0
        je .r
%assign i 0
%rep 8
        vextractf128 [SCR + 16 * i], ymm %+ i, 1
%assign i i + 1
%endrep
        mov esi, SCR
        mov edi, ymm_pat
        mov ecx, 128
        call compare
        CHECK_EQ eax, 0, "xrstor: YMM0-7 bits 255:128"
.r:     ret

; compare ESI and EDI over ECX bytes: EAX = 0 when equal, else 1 + the
; offset of the first difference.
compare:
        push ebx
        xor eax, eax
.l:     test ecx, ecx
        jz .r
        mov bl, [esi + eax]
        cmp bl, [edi + eax]
        jne .ne
        inc eax
        dec ecx
        jmp .l
.ne:    inc eax
        pop ebx
        ret
.r:     xor eax, eax
        pop ebx
        ret

align 16
xcr0:      dd 0
size:      dd 0
sub1:      dd 0
has_avx:   dd 0
fcw_pat:   dw 0x0A7F            ; round up, double precision, all masked
fcw_def:   dw 0x037F
mxcsr_pat: dd MXCSR_PAT
mxcsr_def: dd 0x1F80
align 16
x87_pat:   dq 1.5, -2.25, 1.0e100, 3.0e-5
x87_rev:   dq 3.0e-5, 1.0e100, -2.25, 1.5
xmm_pat:
%assign i 0
%rep 32
        dd 0x01020304 * (i + 1) + 0x10000 * i
%assign i i + 1
%endrep
ymm_pat:
%assign i 0
%rep 32
        dd 0xA5000000 + 0x01030507 * i
%assign i i + 1
%endrep
ones:      times 16 db 0xFF
END_IMAGE
