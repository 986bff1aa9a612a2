; long_paging.asm - 4-level paging in 64-bit mode (run with
; -cpu max,vendor=GenuineIntel on QEMU for 1 GiB pages, PCID, INVPCID):
; 4 KiB pages under a 2 MiB-page identity map, a 1 GiB page in the upper
; canonical half, #PF error codes and 64-bit CR2 (not present, CR0.WP
; write, CPL3 supervisor/read-only, reserved address bit above MAXPHYADDR,
; NX instruction fetch with the I/D bit), accessed/dirty bits, INVLPG
; (also a non-canonical address: no fault), global pages with CR4.PGE,
; PCID: CR4.PCIDE rules, MOV CR3 with the no-flush bit 63, INVPCID types.
%include "lib/pm32.inc"
%include "lib/long64.inc"
PT      equ 0x205000            ; 4 KiB table for 0x400000..0x5FFFFF
PDPT_HI equ 0x206000            ; PML4[256]: 0xFFFF800000000000
TP_NP   equ 0x500000
TP_RO   equ 0x501000
TP_SUP  equ 0x502000
TP_NX   equ 0x503000
TP_MAP  equ 0x504000
TP_RSV  equ 0x507000
HIGH    equ 0xFFFF800000000000
%define PTE(a) (PT + (((a) - 0x400000) >> 12) * 8)
main:
        mov eax, 0x80000001
        cpuid
        CHECK_MASK edx, 1 << 26, 1 << 26, "cpuid 0x80000001: 1 GiB pages"
        call long_init
        GO_LONG
        ; 4 KiB page table for 4..6 MiB
        mov rdi, PT
        mov rax, 0x400000 | 7
        mov ecx, 512
.pt:    mov [rdi], rax
        add rax, 0x1000
        add rdi, 8
        loop .pt
        mov qword [PTE(TP_NP)], 0
        mov qword [PTE(TP_RO)], TP_RO | 5
        mov qword [PTE(TP_SUP)], TP_SUP | 3
        mov qword [PTE(TP_NX)], TP_NX | 7
        mov qword [PTE(TP_MAP)], 0x505000 | 7
        mov rax, (1 << 51) | TP_RSV | 7
        mov [PTE(TP_RSV)], rax
        mov qword [LM_PD + 2 * 8], PT | 7
        ; upper half: PML4[256] -> PDPT_HI, entry 0 is a 1 GiB page at 0
        mov rdi, PDPT_HI
        xor eax, eax
        mov ecx, 512
        rep stosq
        mov qword [PDPT_HI], 0x87
        mov qword [LM_PML4 + 256 * 8], PDPT_HI | 7
        mov dword [0x505000], 0x55555555
        mov dword [0x506000], 0x66666666
        mov byte [TP_NX], 0xC3          ; ret
        mov rax, cr3
        mov cr3, rax
        PASSQ "4 KiB page tables installed"
        mov rax, HIGH + 0x100000
        mov eax, [rax]
        CHECKD eax, 0x1BADB002, "read through a 1 GiB page at 0xFFFF800000100000"
        CHECKD [TP_MAP], 0x55555555, "read through a 4 KiB page"
        ; ---- #PF error codes -----------------------------------------------------
        TRY
        mov eax, [TP_NP + 0x10]
        CATCHQ 14, 0, "read from a not-present page #PF(0)"
        CHECKQ [q_exc_cr2], TP_NP + 0x10, "CR2"
        mov rbx, HIGH + 0x40000000 + 8
        TRY
        mov dword [rbx], 1
        CATCHQ 14, 2, "write through a not-present PDPTE in the upper half #PF(W)"
        CHECKQ [q_exc_cr2], HIGH + 0x40000000 + 8, "CR2 holds the 64-bit address"
        mov rax, cr0
        bts rax, 16
        mov cr0, rax
        TRY
        mov dword [TP_RO], 1
        CATCHQ 14, 3, "CR0.WP write to a read-only page #PF(P|W)"
        mov rax, cr0
        btr rax, 16
        mov cr0, rax
        UNLESS_TCGQ "#PF error code P bit on reserved-bit faults"
        TRY
        mov eax, [TP_RSV]
        CATCHQ 14, 9, "PTE bit 51 (above MAXPHYADDR) #PF(P|RSVD)"
        END_UNLESS_TCG
        ENTER_RING3_64 F_IOPL3
        TRY
        mov eax, [TP_SUP]
        CATCHQ 14, 5, "CPL3 read from a supervisor page #PF(P|U)"
        TRY
        mov dword [TP_RO], 1
        CATCHQ 14, 7, "CPL3 write to a read-only page #PF(P|W|U)"
        LEAVE_RING3_64
        mov rax, TP_NX
        call rax
        PASSQ "execute from a page without NX"
        bts qword [PTE(TP_NX)], 63
        invlpg [TP_NX]
        UNLESS_TCGQ "#PF error code P bit on reserved-bit faults"
        TRY
        mov eax, [TP_NX]
        CATCHQ 14, 9, "PTE bit 63 with EFER.NXE=0 is reserved #PF(P|RSVD)"
        END_UNLESS_TCG
        mov ecx, MSR_EFER_N
        rdmsr
        bts eax, 11
        wrmsr
        mov rax, TP_NX
        TRY
        call rax
        CATCHQ_AT 14, 0x11, TP_NX, "fetch from an NX page #PF(P|I/D)"
        mov eax, [TP_NX]
        CHECKD eax, 0xC3, "data read from an NX page"
        ; ---- accessed / dirty --------------------------------------------------
        and qword [PTE(TP_MAP)], ~0x60
        invlpg [TP_MAP]
        mov eax, [TP_MAP]
        CHECKQ_MASK [PTE(TP_MAP)], 0x20, 0x60, "read sets A only"
        mov dword [TP_MAP + 4], 0
        CHECKQ_MASK [PTE(TP_MAP)], 0x60, 0x60, "write sets D"
        ; ---- INVLPG, global pages ---------------------------------------------
        mov qword [PTE(TP_MAP)], 0x506000 | 7
        invlpg [TP_MAP]
        CHECKD [TP_MAP], 0x66666666, "invlpg: new mapping visible"
        mov rax, NONCANON_ADDR
        invlpg [rax]
        PASSQ "invlpg of a non-canonical address: no fault"
        mov rax, cr4
        bts rax, 7                      ; PGE
        mov cr4, rax
        mov qword [PTE(TP_MAP)], 0x505000 | 7 | 0x100
        invlpg [TP_MAP]
        CHECKD [TP_MAP], 0x55555555, "global page mapped"
        mov qword [PTE(TP_MAP)], 0x506000 | 7 | 0x100
        invlpg [TP_MAP]
        CHECKD [TP_MAP], 0x66666666, "invlpg flushes a global page"
        mov rax, cr4
        btr rax, 7
        mov cr4, rax
        ; ---- PCID (where CPUID has PCID and INVPCID; QEMU 7.2 TCG has neither) ----
        mov eax, 1
        cpuid
        bt ecx, 17
        jnc no_pcid
        mov eax, 7
        xor ecx, ecx
        cpuid
        bt ebx, 10
        jnc no_pcid
        mov rax, cr3
        or rax, 1
        mov cr3, rax
        mov rax, cr4
        bts rax, 17
        TRY
        mov cr4, rax
        CATCHQ 13, 0, "CR4.PCIDE with CR3[11:0] != 0 #GP(0)"
        mov rax, cr3
        and rax, ~0xFFF
        mov cr3, rax
        mov rax, cr4
        bts rax, 17
        mov cr4, rax
        PASSQ "CR4.PCIDE set with PCID 0"
        mov rax, cr3
        or rax, 5
        bts rax, 63
        mov cr3, rax
        mov rbx, cr3
        btr rax, 63
        CHECKQ rbx, rax, "mov cr3 with bit 63: PCID kept, bit 63 not stored"
        mov qword [PTE(TP_MAP)], 0x505000 | 7
        mov qword [RES], 5
        mov qword [RES + 8], TP_MAP
        xor eax, eax
        invpcid rax, [RES]
        CHECKD [TP_MAP], 0x55555555, "invpcid type 0 (address): new mapping visible"
        mov qword [PTE(TP_MAP)], 0x506000 | 7
        mov eax, 1
        invpcid rax, [RES]
        CHECKD [TP_MAP], 0x66666666, "invpcid type 1 (PCID): new mapping visible"
        mov eax, 2
        invpcid rax, [RES]
        mov eax, 3
        invpcid rax, [RES]
        PASSQ "invpcid types 2 and 3"
        mov eax, 4
        TRY
        invpcid rax, [RES]
        CATCHQ 13, 0, "invpcid type 4 #GP(0)"
        mov qword [RES], 0x1005
        mov eax, 1
        TRY
        invpcid rax, [RES]
        CATCHQ 13, 0, "invpcid descriptor bits 63:12 set #GP(0)"
        mov rax, cr3
        and rax, ~0xFFF
        mov cr3, rax
        mov rax, cr4
        btr rax, 17
        mov cr4, rax
        PASSQ "CR4.PCIDE cleared"
        jmp pcid_done
no_pcid:
        SKIPQ "PCID/INVPCID not advertised by CPUID"
pcid_done:
        GO_COMPAT
        LEAVE_LONG
        FINISH
NONCANON_ADDR equ 0x0000800000000000
        LONG_IMAGE
        END_IMAGE
