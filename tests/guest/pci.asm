; pci.asm - PCI configuration mechanism #1: the i440FX host bridge at
; 0:0.0 and the PIIX3 ISA bridge at 0:1.0 (IDs, class codes, header
; types), byte and word data accesses, the address register, an absent
; device, and a writable PIRQ route register.
%include "lib/pm32.inc"
%macro CFGRD 2                          ; EAX = dword at address %1, data port offset %2 (size by reg)
        mov eax, %1
        mov dx, 0xcf8
        out dx, eax
        mov dx, 0xcfc + %2
%endmacro
main:
        CFGRD 0x80000000, 0
        in eax, dx
        CHECK_EQ eax, 0x12378086, "0:0.0 is the i440FX (8086:1237)"
        CFGRD 0x80000008, 0
        in eax, dx
        CHECK_MASK eax, 0x06000000, 0xffffff00, "0:0.0 class: host bridge"
        CFGRD 0x8000000c, 2
        in al, dx
        movzx eax, al
        CHECK_MASK eax, 0, 0x7f, "0:0.0 header type 0"
        CFGRD 0x80000800, 0
        in eax, dx
        CHECK_EQ eax, 0x70008086, "0:1.0 is the PIIX3 ISA bridge (8086:7000)"
        CFGRD 0x80000808, 0
        in eax, dx
        CHECK_MASK eax, 0x06010000, 0xffffff00, "0:1.0 class: ISA bridge"
        CFGRD 0x8000080c, 2
        in al, dx
        movzx eax, al
        CHECK_EQ eax, 0x80, "0:1.0 header type: multifunction"
        CFGRD 0x80000000, 2
        in ax, dx
        movzx eax, ax
        CHECK_EQ eax, 0x1237, "word read at 0xCFE: device ID"
        CFGRD 0x80000800, 1
        in al, dx
        movzx eax, al
        CHECK_EQ eax, 0x80, "byte read at 0xCFD: vendor ID high byte"
        mov dx, 0xcf8
        in eax, dx
        CHECK_EQ eax, 0x80000800, "the address register reads back"
        CFGRD 0x8000f800, 0
        in eax, dx
        CHECK_EQ eax, 0xffffffff, "absent device 0:31.0 reads all ones"
        ; PIRQC route register (0x62)
        CFGRD 0x80000860, 2
        in al, dx
        mov bl, al
        mov al, 0x0b
        out dx, al
        in al, dx
        movzx eax, al
        CHECK_EQ eax, 0x0b, "PIRQ route register 0x62 is writable"
        mov al, bl
        out dx, al
        ; the vendor ID is read only
        CFGRD 0x80000000, 0
        mov eax, 0xffffffff
        out dx, ax
        in eax, dx
        CHECK_EQ eax, 0x12378086, "IDs are read only"
        FINISH
END_IMAGE
