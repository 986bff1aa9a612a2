; paging.asm - 32-bit paging (4 KiB pages and 4 MiB PSE pages): #PF error
; codes (P, W/R, U/S, RSVD) and CR2 for not-present / read-only /
; supervisor pages at CPL0 and CPL3, CR0.WP, instruction fetch from a
; not-present page, a page-split access, not-present and supervisor PDEs,
; reserved bit in a 4 MiB PDE, accessed/dirty bits, INVLPG and CR3 reload.
%include "lib/pm32.inc"
PD      equ 0x200000
PT0     equ 0x201000            ; 0..4 MiB
PT4     equ 0x202000            ; 16..20 MiB, reached through a supervisor PDE
TP_NP   equ 0x300000            ; not present
TP_RO   equ 0x301000            ; read-only, user
TP_SUP  equ 0x302000            ; supervisor, writable
TP_AD   equ 0x303000            ; A/D tracking
TP_MAP  equ 0x304000            ; remapped to 0x305000 / 0x306000
PG_P equ 1
PG_W equ 2
PG_U equ 4
PG_A equ 0x20
PG_D equ 0x40
PG_PS equ 0x80
%macro PTE_ADDR 1               ; address of the PT0 entry for a linear address
        (PT0 + ((%1) >> 12) * 4)
%endmacro
main:
        ; identity map 0..4 MiB, user + writable
        mov edi, PT0
        mov eax, PG_P | PG_W | PG_U
        mov ecx, 1024
.fill:  stosd
        add eax, 0x1000
        loop .fill
        mov dword [PT0 + (TP_NP >> 12) * 4], 0
        mov dword [PT0 + (TP_RO >> 12) * 4], TP_RO | PG_P | PG_U
        mov dword [PT0 + (TP_SUP >> 12) * 4], TP_SUP | PG_P | PG_W
        mov dword [PT0 + (TP_AD >> 12) * 4], TP_AD | PG_P | PG_W | PG_U
        mov dword [PT0 + (TP_MAP >> 12) * 4], 0x305000 | PG_P | PG_W | PG_U
        mov edi, PD
        mov ecx, 1024
        xor eax, eax
        rep stosd
        mov dword [PD + 0], PT0 | PG_P | PG_W | PG_U
        mov dword [PD + 4], 0x400000 | PG_P | PG_W | PG_U | PG_PS     ; 4 MiB page
        mov dword [PD + 8], 0x800000 | PG_P | PG_W | PG_U | PG_PS | (1 << 21) ; reserved bit
        mov dword [PD + 16], PT4 | PG_P | PG_W                        ; supervisor PDE
        mov edi, PT4
        mov eax, 0x1000000 | PG_P | PG_W | PG_U
        mov ecx, 1024
.fill4: stosd
        add eax, 0x1000
        loop .fill4
        mov dword [0x305000], 0x55555555
        mov dword [0x306000], 0x66666666
        mov dword [0x400100], 0x44444444
        mov dword [TP_RO], 0x0badf00d
        mov eax, PD
        mov cr3, eax
        mov eax, cr4
        or eax, 0x10                    ; PSE
        mov cr4, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        PASS "paging enabled (identity map)"
        ; ---- CPL0 --------------------------------------------------------
        CHECK_EQ [0x400100], 0x44444444, "read through a 4 MiB PSE page"
        CHECK_EQ [TP_MAP], 0x55555555, "read through a 4 KiB page"
        TRY
        mov eax, [TP_NP + 0x123]
        CATCH 14, 0, "CPL0 read from a not-present page #PF(0)"
        CHECK_EQ [exc_cr2], TP_NP + 0x123, "CR2 = faulting linear address"
        TRY
        mov dword [TP_NP + 8], 1
        CATCH 14, 2, "CPL0 write to a not-present page #PF(W)"
        TRY
        mov eax, [TP_NP - 2]
        CATCH 14, 0, "page-split read into a not-present page"
        CHECK_EQ [exc_cr2], TP_NP, "page-split access: CR2 = first byte in the faulting page"
        TRY
        mov eax, [0xC00010]
        CATCH 14, 0, "read through a not-present PDE #PF(0)"
        mov dword [TP_RO + 4], 0x1234
        CHECK_EQ [TP_RO + 4], 0x1234, "CPL0 write to a read-only page with CR0.WP=0"
        mov eax, cr0
        or eax, 1 << 16                 ; WP
        mov cr0, eax
        TRY
        mov dword [TP_RO + 4], 0x5678
        CATCH 14, 3, "CPL0 write to a read-only page with CR0.WP=1 #PF(P|W)"
        CHECK_EQ [TP_RO + 4], 0x1234, "faulting write did not store"
        mov eax, cr0
        and eax, ~(1 << 16)
        mov cr0, eax
        mov eax, TP_NP
        TRY
        call eax                        ; fetch from a not-present page
        CATCH_AT 14, 0, TP_NP, "instruction fetch from a not-present page #PF(0), EIP = target"
        CHECK_EQ [exc_cr2], TP_NP, "fetch fault: CR2 = target"
        UNLESS_TCG "reserved bit in a 4 MiB PDE"
        TRY
        mov eax, [0x800000]
        CATCH 14, 9, "reserved bit 21 in a 4 MiB PDE #PF(P|RSVD)"
        END_UNLESS_TCG
        ; ---- accessed / dirty --------------------------------------------
        mov eax, [TP_AD]
        CHECK_MASK [PT0 + (TP_AD >> 12) * 4], PG_A, PG_A | PG_D, "read sets A, not D"
        mov dword [TP_AD], 1
        CHECK_MASK [PT0 + (TP_AD >> 12) * 4], PG_A | PG_D, PG_A | PG_D, "write sets D"
        CHECK_MASK [PD], PG_A, PG_A, "PDE accessed bit set"
        mov dword [0x400104], 1
        CHECK_MASK [PD + 4], PG_A | PG_D, PG_A | PG_D, "4 MiB PDE: A and D set by a write"
        ; ---- INVLPG / CR3 reload -------------------------------------------
        mov dword [PT0 + (TP_MAP >> 12) * 4], 0x306000 | PG_P | PG_W | PG_U
        invlpg [TP_MAP]
        CHECK_EQ [TP_MAP], 0x66666666, "invlpg: new mapping visible"
        mov dword [PT0 + (TP_MAP >> 12) * 4], 0x305000 | PG_P | PG_W | PG_U
        mov eax, cr3
        mov cr3, eax
        CHECK_EQ [TP_MAP], 0x55555555, "CR3 reload: new mapping visible"
        mov dword [PT0 + (TP_MAP >> 12) * 4], 0
        invlpg [TP_MAP]
        TRY
        mov eax, [TP_MAP]
        CATCH 14, 0, "invlpg after clearing P: #PF"
        ; ---- CPL3 --------------------------------------------------------
        ENTER_RING3 F_IOPL3
        CHECK_EQ [TP_RO], 0x0badf00d, "CPL3 read from a user read-only page"
        TRY
        mov dword [TP_RO], 0
        CATCH 14, 7, "CPL3 write to a read-only page #PF(P|W|U)"
        TRY
        mov eax, [TP_SUP]
        CATCH 14, 5, "CPL3 read from a supervisor page #PF(P|U)"
        TRY
        mov dword [TP_SUP], 0
        CATCH 14, 7, "CPL3 write to a supervisor page #PF(P|W|U)"
        TRY
        mov eax, [TP_NP]
        CATCH 14, 4, "CPL3 read from a not-present page #PF(U)"
        TRY
        mov dword [TP_NP], 0
        CATCH 14, 6, "CPL3 write to a not-present page #PF(W|U)"
        TRY
        mov eax, [0x1000100]
        CATCH 14, 5, "CPL3 read through a supervisor PDE #PF(P|U)"
        CHECK_EQ [exc_cr2], 0x1000100, "CR2 for the supervisor-PDE fault"
        LEAVE_RING3
        mov eax, [0x1000100]
        PASS "CPL0 read through a supervisor PDE"
        mov eax, cr0
        and eax, ~0x80000000
        mov cr0, eax
        PASS "paging disabled again"
        FINISH
END_IMAGE
