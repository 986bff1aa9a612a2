; la57.asm - 5-level paging (CR4.LA57; run with -cpu max on QEMU): CPUID
; leaf 7 ECX bit 16 and 57 linear-address bits in leaf 0x80000008, LA57 set
; before IA-32e activation, an address that is canonical only with 57 bits
; read through PML5 entry 255, accessed bits in the PML5 entry, 57-bit
; canonical #GP/#SS, a #PF at a 57-bit address with its CR2, and MOV CR4
; changing LA57 in IA-32e mode #GP(0).
%include "lib/pm32.inc"
%include "lib/long64.inc"
PML4_LOW equ 0x208000           ; the identity map's PML4, under PML5[0]
PML4_HI  equ 0x209000           ; PML5[255]
HI57     equ 0x00FF800000000000 ; PML5 255, PML4 256: canonical only at 57 bits
NP57     equ 0x00FE000000000008 ; PML5 254: not present
NC57     equ 0x0100000000000000 ; bit 56 set, 63:57 clear: not canonical
main:
        mov eax, 7
        xor ecx, ecx
        cpuid
        test ecx, 1 << 16
        jz no_la57
        PASS "cpuid 7.0: ECX bit 16 (LA57)"
        mov eax, 0x80000008
        cpuid
        shr eax, 8
        CHECK_MASK eax, 57, 0xFF, "cpuid 0x80000008: 57 linear-address bits"
        call long_init
        ; LM_PML4 becomes the PML5: entry 0 -> the identity PML4, 255 -> PML4_HI
        mov esi, LM_PML4
        mov edi, PML4_LOW
        mov ecx, 1024
        rep movsd
        mov edi, PML4_HI
        xor eax, eax
        mov ecx, 1024
        rep stosd
        mov edi, LM_PML4
        mov ecx, 1024
        rep stosd
        mov dword [LM_PML4], PML4_LOW | 7
        mov dword [LM_PML4 + 255 * 8], PML4_HI | 7
        mov dword [PML4_HI + 256 * 8], LM_PDPT | 7
        mov eax, cr4
        or eax, 1 << 12
        mov cr4, eax
        PASS "CR4.LA57 set with paging off"
        GO_LONG
        mov rax, cr4
        CHECKQ_MASK rax, 1 << 12, 1 << 12, "CR4.LA57 still set in IA-32e mode"
        CHECKD [0x100000], 0x1BADB002, "identity map through PML5[0]"
        mov rax, HI57 + 0x100000
        mov eax, [rax]
        CHECKD eax, 0x1BADB002, "read at 0x00FF800000100000 through PML5[255]"
        CHECKQ_MASK [LM_PML4 + 255 * 8], 0x20, 0x20, "PML5 entry accessed bit set"
        ; ---- faults at 57-bit addresses --------------------------------------
        mov rbx, NP57
        TRY
        mov eax, [rbx]
        CATCHQ 14, 0, "read through a not-present PML5 entry #PF(0)"
        CHECKQ [q_exc_cr2], NP57, "CR2 holds the 57-bit address"
        mov rbx, NC57
        TRY
        mov eax, [rbx]
        CATCHQ 13, 0, "bit 56 set with 63:57 clear is not canonical #GP(0)"
        mov rbx, HI57 | 0xFE00000000000000
        TRY
        mov eax, [rbx]
        CATCHQ 13, 0, "bits 63:57 not equal to bit 56 #GP(0)"
        UNLESS_TCGQ "#SS for non-canonical stack references"
        mov rbp, NC57
        TRY
        mov eax, [rbp]
        CATCHQ 12, 0, "non-canonical stack reference #SS(0)"
        END_UNLESS_TCG
        ; ---- LA57 is fixed while IA-32e mode is active -----------------------
        mov rax, cr4
        btr rax, 12
        TRY
        mov cr4, rax
        CATCHQ 13, 0, "MOV CR4 clearing LA57 in IA-32e mode #GP(0)"
        mov rax, cr4
        CHECKQ_MASK rax, 1 << 12, 1 << 12, "CR4.LA57 unchanged"
        GO_COMPAT
        LEAVE_LONG
        mov eax, cr4
        btr eax, 12
        mov cr4, eax
        PASS "CR4.LA57 cleared with paging off"
        FINISH
no_la57:
        SKIP "LA57 not advertised by CPUID"
        FINISH
        LONG_IMAGE
        END_IMAGE
