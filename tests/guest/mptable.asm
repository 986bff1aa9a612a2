; mptable.asm - the firmware's MP tables (-smp 2, MP spec 1.4): finds the
; floating pointer on a 16-byte boundary in 0xF0000-0xFFFFF, checks its
; checksum and revision, follows it to the PCMP configuration table, checks
; that checksum and the local APIC address, and walks the entries: two
; enabled processors with APIC IDs 0 and 1 (only ID 0 the BSP), the I/O
; APIC at 0xFEC00000, ISA IRQ0 on its pin 2 and the SCI (IRQ 9) level
; triggered.
%include "lib/pm32.inc"
NCPU        equ RES + 0x10
IDSUM       equ RES + 0x14
BSPS        equ RES + 0x18
BSPID       equ RES + 0x1C
IOAPIC      equ RES + 0x20
IRQ0PIN     equ RES + 0x24
SCIFLAGS    equ RES + 0x28

main:
        mov esi, 0xF0000
        mov edx, '_MP_'
        xor ebx, ebx
        mov ecx, 16
        call scan16
        jz .found
        FAILMSG "no MP floating pointer"
        FINISH
.found: PASS "MP floating pointer found with a valid checksum"
        movzx eax, byte [esi + 9]
        CHECK_EQ eax, 4, "MP spec revision 1.4"
        movzx eax, byte [esi + 11]
        CHECK_EQ eax, 0, "feature byte 1: a configuration table, no default config"
        mov edi, [esi + 4]
        CHECK_EQ [edi], 'PCMP', "configuration table signature"
        mov esi, edi
        movzx ecx, word [edi + 4]
        call sum
        movzx eax, al
        CHECK_EQ eax, 0, "configuration table checksum"
        CHECK_EQ [edi + 36], 0xFEE00000, "local APIC address"
        mov dword [NCPU], 0
        mov dword [IDSUM], 0
        mov dword [BSPS], 0
        mov dword [BSPID], 0xFF
        mov dword [IOAPIC], 0
        mov dword [IRQ0PIN], 0xFF
        mov dword [SCIFLAGS], 0xFFFF
        movzx ecx, word [edi + 34]      ; entries
        lea esi, [edi + 44]
.ent:   test ecx, ecx
        jz .done
        movzx eax, byte [esi]
        cmp al, 0
        je .cpu
        cmp al, 2
        je .ioapic
        cmp al, 3
        je .irq
        add esi, 8                      ; bus, local interrupt
        jmp .next
.cpu:   test byte [esi + 3], 1
        jz .cpu_n
        inc dword [NCPU]
        movzx eax, byte [esi + 1]
        add [IDSUM], eax
        test byte [esi + 3], 2
        jz .cpu_n
        inc dword [BSPS]
        mov [BSPID], eax
.cpu_n: add esi, 20
        jmp .next
.ioapic:
        mov eax, [esi + 4]
        mov [IOAPIC], eax
        add esi, 8
        jmp .next
.irq:   cmp byte [esi + 1], 0           ; INT type
        jne .irq_n
        movzx eax, byte [esi + 7]
        cmp byte [esi + 5], 0
        jne .irq9
        mov [IRQ0PIN], eax
.irq9:  cmp byte [esi + 5], 9
        jne .irq_n
        movzx eax, word [esi + 2]
        mov [SCIFLAGS], eax
.irq_n: add esi, 8
.next:  dec ecx
        jmp .ent
.done:  CHECK_EQ [NCPU], 2, "two enabled processors"
        CHECK_EQ [IDSUM], 1, "APIC IDs 0 and 1"
        CHECK_EQ [BSPS], 1, "one BSP"
        CHECK_EQ [BSPID], 0, "the BSP has APIC ID 0"
        CHECK_EQ [IOAPIC], 0xFEC00000, "I/O APIC address"
        CHECK_EQ [IRQ0PIN], 2, "ISA IRQ0 on I/O APIC pin 2"
        CHECK_EQ [SCIFLAGS], 0x0D, "SCI (IRQ 9) level triggered, active high"
        FINISH

%include "lib/bytesum.inc"
END_IMAGE
