; testdev.asm - QEMU's test devices, as kvm-unit-tests uses them (run with
; -device pc-testdev -device pci-testdev):
; * pc-testdev's scratch register at ports 0xE0-0xE3 (any size, any byte);
; * its 64 KiB MMIO window at 0xFF000000, which must behave as RAM: ALU
;   instructions with a memory operand there (mov, or, add, xor, sub, adc,
;   inc, xchg, cmpxchg, string moves) give the RAM result, at every size,
;   unaligned and at the window's last bytes;
; * pci-testdev (1b36:0005): its memory and I/O BARs run the header protocol
;   of QEMU's docs/specs/pci-testdev: select a test, read width/offset/data,
;   write there 16 times, read the count back; three tests per BAR.
;   QEMU backs the two "-eventfd" tests with ioeventfds, which swallow the
;   writes (count 0): there 0 or 16 is accepted, as kvm-unit-tests does; the
;   "no-eventfd" test must count all 16. A write with the wrong data never
;   counts for the "datamatch" test.
%include "lib/pm32.inc"
MM      equ 0xFF000000

%macro CFGADDR 1                        ; CONFIG_ADDRESS = %1 (reg or imm)
        mov eax, %1
        mov dx, 0xcf8
        out dx, eax
        mov dx, 0xcfc
%endmacro

main:
        ; ---- pc-testdev scratch ports ----
        mov eax, 0x12345678
        out 0xe0, eax
        in eax, 0xe0
        CHECK_EQ eax, 0x12345678, "pc-testdev: dword at 0xE0 reads back"
        xor eax, eax
        in al, 0xe2
        CHECK_EQ eax, 0x34, "pc-testdev: byte 2 of the scratch register"
        mov al, 0xab
        out 0xe1, al
        in eax, 0xe0
        CHECK_EQ eax, 0x1234ab78, "pc-testdev: a byte write replaces one byte"
        mov ax, 0xcdef
        out 0xe2, ax
        in eax, 0xe0
        CHECK_EQ eax, 0xcdefab78, "pc-testdev: a word write at 0xE2"

        ; ---- the MMIO window behaves as RAM ----
        mov dword [MM], 0x11223344
        CHECK_EQ dword [MM], 0x11223344, "iomem: mov m32, imm / mov r32, m32"
        mov ebx, [MM]
        CHECK_EQ ebx, 0x11223344, "iomem: mov reg, r/m (1)"
        movzx eax, byte [MM + 1]
        CHECK_EQ eax, 0x33, "iomem: byte read"
        movzx eax, word [MM + 2]
        CHECK_EQ eax, 0x1122, "iomem: word read"
        or dword [MM], 0x0f0f0000
        CHECK_EQ dword [MM], 0x1f2f3344, "iomem: or m32, imm"
        mov eax, 0xf0000001
        add [MM], eax
        CHECK_FLAGS F_CF, F_CF, "iomem: add m32, r32 carries out"
        CHECK_EQ dword [MM], 0x0f2f3345, "iomem: add m32, r32"
        mov dword [MM + 4], 0xffff0000
        xor dword [MM + 4], 0x0ff00ff0
        CHECK_EQ dword [MM + 4], 0xf00f0ff0, "iomem: xor m32, imm"
        sub dword [MM + 4], 0x0ff0
        CHECK_EQ dword [MM + 4], 0xf00f0000, "iomem: sub m32, imm"
        stc
        adc dword [MM + 4], 1
        CHECK_EQ dword [MM + 4], 0xf00f0002, "iomem: adc m32, imm with CF"
        mov ecx, 0x100
        add ecx, [MM + 4]
        CHECK_EQ ecx, 0xf00f0102, "iomem: add r32, m32"
        mov byte [MM + 0x10], 0xff
        inc byte [MM + 0x10]
        CHECK_FLAGS F_ZF, F_ZF, "iomem: inc m8 wraps to zero"
        movzx eax, byte [MM + 0x10]
        CHECK_EQ eax, 0, "iomem: inc m8"
        mov word [MM + 0x12], 0x7fff
        add word [MM + 0x12], 1
        CHECK_FLAGS F_OF, F_OF, "iomem: add m16 overflows"
        movzx eax, word [MM + 0x12]
        CHECK_EQ eax, 0x8000, "iomem: add m16, imm"
        mov eax, 0x55aa55aa
        xchg [MM + 0x20], eax
        CHECK_EQ eax, 0, "iomem: xchg reads the old value"
        CHECK_EQ dword [MM + 0x20], 0x55aa55aa, "iomem: xchg writes"
        mov eax, 0x55aa55aa
        mov ecx, 0x01020304
        lock cmpxchg [MM + 0x20], ecx
        CHECK_FLAGS F_ZF, F_ZF, "iomem: lock cmpxchg matches"
        CHECK_EQ dword [MM + 0x20], 0x01020304, "iomem: lock cmpxchg stores"
        ; unaligned, across an 8-byte boundary
        mov dword [MM + 0x36], 0xa1b2c3d4
        CHECK_EQ dword [MM + 0x36], 0xa1b2c3d4, "iomem: unaligned dword across 8 bytes"
        movzx eax, word [MM + 0x38]
        CHECK_EQ eax, 0xa1b2, "iomem: its upper half"
        ; the last dword of the window
        mov dword [MM + 0xfffc], 0xcafef00d
        not dword [MM + 0xfffc]
        CHECK_EQ dword [MM + 0xfffc], 0x35010ff2, "iomem: not m32 at the window's end"
        ; string moves: RAM -> MMIO -> RAM
        mov dword [RES], 0x03020100
        mov dword [RES + 4], 0x07060504
        mov esi, RES
        mov edi, MM + 0x100
        mov ecx, 2
        cld
        rep movsd
        mov esi, MM + 0x101
        mov edi, RES + 0x10
        mov ecx, 4
        rep movsb
        CHECK_EQ dword [RES + 0x10], 0x04030201, "iomem: rep movs through the window"

        ; ---- pci-testdev ----
        mov ebx, 0x80000000             ; bus 0, device 0
.scan:  CFGADDR ebx
        in eax, dx
        cmp eax, 0x00051b36
        je .found
        add ebx, 0x800
        cmp ebx, 0x80010000
        jb .scan
        FAILMSG "pci-testdev 1b36:0005 not found on bus 0"
        FINISH
.found: PASS "pci-testdev 1b36:0005 found"
        lea eax, [ebx + 0x10]
        CFGADDR eax
        in eax, dx
        mov [bar0], eax
        CHECK_MASK eax, 0, 0x7, "BAR0: 32-bit memory"
        lea eax, [ebx + 0x14]
        CFGADDR eax
        in eax, dx
        mov [bar1], eax
        CHECK_MASK eax, 1, 0x3, "BAR1: I/O"
        lea eax, [ebx + 4]
        CFGADDR eax
        in ax, dx
        or ax, 3                        ; decode I/O and memory
        out dx, ax
        and dword [bar0], ~0xf
        and dword [bar1], ~0x3
        xor eax, eax
        cmp dword [bar0], 0x100000
        setae al
        CHECK_EQ eax, 1, "BAR0 is assigned (above 1 MiB)"
        xor eax, eax
        cmp dword [bar1], 0x1000
        setae al
        CHECK_EQ eax, 1, "BAR1 is assigned (port 0x1000 or above)"
        ; memory BAR
        mov dword [nok], 0
        xor ebp, ebp                    ; test number
.mtest: mov edi, [bar0]
        mov eax, ebp
        mov [edi], al                   ; select
        cmp dword [edi + 12], 0
        jne .mdone
        movzx eax, byte [edi + 1]
        cmp eax, 1
        jne .mdone
        mov esi, [edi + 4]              ; offset
        mov eax, [edi + 8]              ; data
        mov ecx, 16
.mw:    mov [edi + esi], al
        loop .mw
        mov eax, [edi + 12]
        call count_ok
        jne .mdone
        inc dword [nok]
        inc ebp
        cmp ebp, 8
        jb .mtest
.mdone: CHECK_EQ dword [nok], 3, "pci-testdev memory BAR: 3 tests pass"
        mov edi, [bar0]
        mov byte [edi], 0
        movzx eax, byte [edi + 16]
        CHECK_EQ eax, 'm', "memory BAR test 0 is named mmio-..."
        ; datamatch (test 2): a write of other data is not counted
        mov byte [edi], 2
        mov esi, [edi + 4]
        mov eax, [edi + 8]
        not eax
        mov [edi + esi], al
        CHECK_EQ dword [edi + 12], 0, "datamatch: a write of other data does not count"
        mov byte [edi], 3
        movzx eax, byte [edi + 1]
        CHECK_EQ eax, 0, "memory BAR test 3 does not exist (width 0)"
        ; I/O BAR
        mov dword [nok], 0
        xor ebp, ebp
.itest: mov edx, [bar1]
        mov eax, ebp
        out dx, al
        add dx, 12
        in eax, dx
        test eax, eax
        jnz .idone
        mov edx, [bar1]
        inc dx
        in al, dx
        cmp al, 1
        jne .idone
        add dx, 3
        in eax, dx
        mov esi, eax                    ; offset
        add dx, 4
        in eax, dx                      ; data
        mov edx, [bar1]
        add edx, esi
        mov ecx, 16
.iw:    out dx, al
        loop .iw
        mov edx, [bar1]
        add dx, 12
        in eax, dx
        call count_ok
        jne .idone
        inc dword [nok]
        inc ebp
        cmp ebp, 8
        jb .itest
.idone: CHECK_EQ dword [nok], 3, "pci-testdev I/O BAR: 3 tests pass"
        mov edx, [bar1]
        xor al, al
        out dx, al
        add dx, 16
        in al, dx
        movzx eax, al
        CHECK_EQ eax, 'p', "I/O BAR test 0 is named portio-..."
        FINISH

; ZF set when count EAX is right for test EBP: 16, or for the eventfd tests
; (1 and 2) also 0, what QEMU's ioeventfds leave.
count_ok:
        cmp eax, 16
        je .r
        test ebp, ebp
        jz .bad
        test eax, eax
        ret
.bad:   or eax, 1                       ; clears ZF (eax != 16 here)
.r:     ret

bar0:   dd 0
bar1:   dd 0
nok:    dd 0
END_IMAGE
