; smap.asm - SMEP and SMAP in 32-bit paging: a supervisor fetch from a user
; page is #PF(P|I/D) with SMEP; supervisor data accesses to user pages are
; #PF with SMAP unless EFLAGS.AC is set (STAC/CLAC).
; Needs CPUID.7:EBX SMEP (bit 7) and SMAP (bit 20); skipped without them.
%include "lib/pm32.inc"
PD       equ 0x200000
PT0      equ 0x201000           ; 0..4 MiB: supervisor except the two pages below
TP_UDATA equ 0x300000           ; user data page
TP_UCODE equ 0x301000           ; user code page (holds a RET)
PG_P equ 1
PG_W equ 2
PG_U equ 4
CR4_SMEP equ 1 << 20
CR4_SMAP equ 1 << 21
main:
        mov eax, 7
        xor ecx, ecx
        cpuid
        and ebx, (1 << 7) | (1 << 20)
        cmp ebx, (1 << 7) | (1 << 20)
        je .have
        SKIP "SMEP/SMAP not offered by this CPU"
        FINISH
.have:
        mov edi, PT0
        mov eax, PG_P | PG_W
        mov ecx, 1024
.fill:  stosd
        add eax, 0x1000
        loop .fill
        mov dword [PT0 + (TP_UDATA >> 12) * 4], TP_UDATA | PG_P | PG_W | PG_U
        mov dword [PT0 + (TP_UCODE >> 12) * 4], TP_UCODE | PG_P | PG_W | PG_U
        mov edi, PD
        mov ecx, 1024
        xor eax, eax
        rep stosd
        mov dword [PD], PT0 | PG_P | PG_W | PG_U
        mov dword [TP_UDATA], 0x5a5a1234
        mov byte [TP_UCODE], 0xc3       ; ret
        mov eax, PD
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        ; ---- without SMEP/SMAP the supervisor may use user pages ------------
        CHECK_EQ [TP_UDATA], 0x5a5a1234, "supervisor read of a user page without SMAP"
        TRY
        call TP_UCODE
        NO_EXC "supervisor call into a user page without SMEP"
        ; ---- SMEP ------------------------------------------------------------
        mov eax, cr4
        or eax, CR4_SMEP
        mov cr4, eax
        TRY
        call TP_UCODE
        CATCH_ONLY 14, 0x11, "SMEP: supervisor fetch from a user page #PF(P|I)"
        CHECK_EQ [exc_cr2], TP_UCODE, "SMEP: CR2 is the user code address"
        CHECK_EQ [TP_UDATA], 0x5a5a1234, "SMEP alone does not restrict data"
        ; ---- SMAP ------------------------------------------------------------
        mov eax, cr4
        or eax, CR4_SMAP
        mov cr4, eax
        clac
        TRY
        mov eax, [TP_UDATA]
        CATCH 14, 0x01, "SMAP: supervisor read of a user page #PF(P)"
        TRY
        mov dword [TP_UDATA + 4], 1
        CATCH 14, 0x03, "SMAP: supervisor write to a user page #PF(P|W)"
        stac
        TRY
        mov eax, [TP_UDATA]
        NO_EXC "SMAP: EFLAGS.AC=1 (STAC) allows the read"
        CHECK_EQ eax, 0x5a5a1234, "SMAP: the value read with AC=1"
        pushfd
        pop eax
        CHECK_MASK eax, 1 << 18, 1 << 18, "STAC sets EFLAGS.AC"
        clac
        pushfd
        pop eax
        CHECK_MASK eax, 0, 1 << 18, "CLAC clears EFLAGS.AC"
        TRY
        mov eax, [TP_UDATA]
        CATCH 14, 0x01, "SMAP: CLAC brings the #PF back"
        mov eax, cr4
        and eax, ~(CR4_SMEP | CR4_SMAP)
        mov cr4, eax
        CHECK_EQ [TP_UDATA], 0x5a5a1234, "clearing CR4.SMAP lifts the check"
        FINISH
END_IMAGE
