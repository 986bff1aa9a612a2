; apic_madt.asm - the firmware's ACPI tables (-smp 2): finds the RSDP on a
; 16-byte boundary in 0xE0000-0xFFFFF, follows the XSDT (revision >= 2) or
; the RSDT, checks every table's checksum, walks the MADT (two enabled
; local APICs with IDs 0 and 1, the I/O APIC at 0xFEC00000, the override
; IRQ0 -> GSI 2), and checks the FADT (SCI 9, PM1a control 0x604, a DSDT
; with a valid checksum) and the HPET table (base 0xFED00000).
%include "lib/pm32.inc"
RSDP        equ RES + 0x10
BAD_SUM     equ RES + 0x14
MADT        equ RES + 0x18
FADT        equ RES + 0x1C
HPETT       equ RES + 0x20
NCPU        equ RES + 0x24
IDSUM       equ RES + 0x28
IOAPIC      equ RES + 0x2C
IRQ0GSI     equ RES + 0x30

main:
        mov esi, 0xE0000
        mov edx, 'RSD '
        mov ebx, 'PTR '
        mov ecx, 20
        call scan16
        jz .found
        FAILMSG "no RSDP"
        FINISH
.found: mov [RSDP], esi
        PASS "RSDP found with a valid checksum"
        mov dword [BAD_SUM], 0
        ; entries: XSDT (8 bytes each) when revision >= 2, else RSDT
        mov ebx, 4
        mov edi, [esi + 16]
        cmp byte [esi + 15], 2
        jb .root
        mov ecx, 36
        call sum
        movzx eax, al
        CHECK_EQ eax, 0, "RSDP extended checksum"
        mov edi, [esi + 24]
        mov ebx, 8
.root:  mov esi, edi
        call table_sum
        mov ecx, [edi + 4]
        sub ecx, 36
        lea esi, [edi + 36]
.ent:   test ecx, ecx
        jle .ents_done
        mov edx, [esi]
        push esi
        mov esi, edx
        call table_sum
        pop esi
        cmp dword [edx], 'APIC'
        jne .e1
        mov [MADT], edx
.e1:    cmp dword [edx], 'FACP'
        jne .e2
        mov [FADT], edx
.e2:    cmp dword [edx], 'HPET'
        jne .e3
        mov [HPETT], edx
.e3:    add esi, ebx
        sub ecx, ebx
        jmp .ent
.ents_done:
        CHECK_EQ [BAD_SUM], 0, "root table and every entry sum to zero"
        ; MADT
        mov edi, [MADT]
        test edi, edi
        jnz .have_madt
        FAILMSG "no MADT"
        FINISH
.have_madt:
        CHECK_EQ [edi + 36], 0xFEE00000, "MADT local APIC address"
        mov dword [NCPU], 0
        mov dword [IDSUM], 0
        mov dword [IRQ0GSI], 0xFFFFFFFF
        lea esi, [edi + 44]
        mov ecx, [edi + 4]
        add ecx, edi
.m:     cmp esi, ecx
        jae .mdone
        movzx eax, byte [esi]
        cmp al, 0
        jne .m1
        test byte [esi + 4], 1
        jz .mn
        inc dword [NCPU]
        movzx eax, byte [esi + 3]
        add [IDSUM], eax
        jmp .mn
.m1:    cmp al, 1
        jne .m2
        mov eax, [esi + 4]
        mov [IOAPIC], eax
        jmp .mn
.m2:    cmp al, 2
        jne .mn
        cmp byte [esi + 3], 0
        jne .mn
        mov eax, [esi + 4]
        mov [IRQ0GSI], eax
.mn:    movzx eax, byte [esi + 1]
        test eax, eax
        jz .mdone
        add esi, eax
        jmp .m
.mdone: CHECK_EQ [NCPU], 2, "MADT: two enabled local APICs"
        CHECK_EQ [IDSUM], 1, "MADT: APIC IDs 0 and 1"
        CHECK_EQ [IOAPIC], 0xFEC00000, "MADT: I/O APIC address"
        CHECK_EQ [IRQ0GSI], 2, "MADT: override IRQ0 -> GSI 2"
        ; FADT
        mov edi, [FADT]
        movzx eax, word [edi + 46]
        CHECK_EQ eax, 9, "FADT: SCI interrupt 9"
        CHECK_EQ [edi + 64], 0x604, "FADT: PM1a control block 0x604"
        CHECK_EQ [edi + 76], 0x608, "FADT: PM timer block 0x608"
        mov esi, [edi + 40]
        CHECK_EQ [esi], 'DSDT', "FADT -> DSDT signature"
        mov dword [BAD_SUM], 0
        call table_sum
        CHECK_EQ [BAD_SUM], 0, "DSDT checksum"
        ; HPET
        mov edi, [HPETT]
        test edi, edi
        jz .nohpet
        CHECK_EQ [edi + 44], 0xFED00000, "HPET table: base address"
        jmp .end
.nohpet:
        FAILMSG "no HPET table"
.end:   FINISH

%include "lib/bytesum.inc"
; counts a table at esi whose bytes do not sum to zero
table_sum:
        push ecx
        mov ecx, [esi + 4]
        call sum
        test al, al
        jz .ok
        inc dword [BAD_SUM]
.ok:    pop ecx
        ret
END_IMAGE
