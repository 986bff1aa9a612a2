; bitcount.asm - F3 0F BC and F3 0F BD follow the CPU model: TZCNT and
; LZCNT where CPUID advertises BMI1 (leaf 7 EBX bit 3) and ABM (leaf
; 80000001h ECX bit 5), else BSF and BSR with the F3 prefix ignored (zero
; source: ZF=1, destination unchanged). unittests.cfg runs it on the
; default model (both present) and on qemu64 (neither), as kernels built
; for generic x86-64 emit `rep bsf` for every count of trailing zeros.
%include "lib/pm32.inc"
main:
        xor ebx, ebx                    ; EBX bit 0: BMI1, bit 1: ABM
        xor eax, eax
        cpuid
        cmp eax, 7
        jb .nobmi
        mov eax, 7
        xor ecx, ecx
        cpuid
        shr ebx, 3
        and ebx, 1
.nobmi: mov esi, ebx
        mov eax, 0x80000000
        cpuid
        cmp eax, 0x80000001
        jb .noabm
        mov eax, 0x80000001
        cpuid
        test ecx, 1 << 5
        jz .noabm
        or esi, 2
.noabm: mov [RES], esi

        ; ---- F3 0F BC on 0x00F0 (nonzero: 4 either way) ----------------
        mov eax, 0xdead
        mov ecx, 0xf0
        rep bsf eax, ecx
        CHECK_EQ eax, 4, "F3 0F BC r32, 0xF0 = 4 (TZCNT and BSF agree)"
        test dword [RES], 1
        jz .bsf
        ; ---- TZCNT -----------------------------------------------------
        mov eax, 0xdead
        xor ecx, ecx
        rep bsf eax, ecx
        CHECK_EQ eax, 32, "TZCNT r32, 0 = 32"
        CHECK_FLAGS F_CF | F_ZF, F_CF, "TZCNT r32, 0: CF=1 ZF=0"
        mov ax, 0xdead
        mov cx, 0x8000
        rep bsf ax, cx
        CHECK_EQ eax, 0xf, "TZCNT r16, 0x8000 = 15"
        CHECK_FLAGS F_CF | F_ZF, 0, "TZCNT r16, 0x8000: CF=0 ZF=0"
        mov eax, 0xdead
        mov ecx, 1
        rep bsf eax, ecx
        CHECK_FLAGS F_CF | F_ZF, F_ZF, "TZCNT r32, 1 = 0: ZF=1"
        jmp .lz
.bsf:   ; ---- BSF with an ignored F3 ------------------------------------
        mov eax, 0xdead
        xor ecx, ecx
        rep bsf eax, ecx
        CHECK_EQ eax, 0xdead, "F3 BSF r32, 0 leaves the destination"
        CHECK_FLAGS F_ZF, F_ZF, "F3 BSF r32, 0: ZF=1"
        mov ax, 0xdead
        mov cx, 0x8000
        rep bsf ax, cx
        CHECK_EQ eax, 0xf, "F3 BSF r16, 0x8000 = 15"
        CHECK_FLAGS F_ZF, 0, "F3 BSF r16, 0x8000: ZF=0"
        mov dword [RES + 4], 0x00030000
        mov eax, 0xdead
        rep bsf eax, [RES + 4]
        CHECK_EQ eax, 16, "F3 BSF r32, m32 0x30000 = 16"

.lz:    mov eax, 0xdead
        mov ecx, 0x00f0
        rep bsr eax, ecx
        test dword [RES], 2
        jz .bsr
        ; ---- LZCNT -----------------------------------------------------
        CHECK_EQ eax, 24, "LZCNT r32, 0xF0 = 24"
        mov eax, 0xdead
        xor ecx, ecx
        rep bsr eax, ecx
        CHECK_EQ eax, 32, "LZCNT r32, 0 = 32"
        CHECK_FLAGS F_CF | F_ZF, F_CF, "LZCNT r32, 0: CF=1 ZF=0"
        jmp .done
.bsr:   ; ---- BSR with an ignored F3 ------------------------------------
        CHECK_EQ eax, 7, "F3 BSR r32, 0xF0 = 7"
        mov eax, 0xdead
        xor ecx, ecx
        rep bsr eax, ecx
        CHECK_EQ eax, 0xdead, "F3 BSR r32, 0 leaves the destination"
        CHECK_FLAGS F_ZF, F_ZF, "F3 BSR r32, 0: ZF=1"
.done:  FINISH
END_IMAGE
