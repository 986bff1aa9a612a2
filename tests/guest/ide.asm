; ide.asm - the PIIX3 IDE function and an ATA disk on the primary master
; (polled, interrupts off): PCI identity, IDENTIFY DEVICE, PIO reads of a
; known pattern (LBA28, LBA48, CHS, READ MULTIPLE), write and read back,
; READ/WRITE DMA through a PRD table, errors (out-of-range address,
; unsupported command), a missing slave, software reset signature,
; EXECUTE DEVICE DIAGNOSTIC, CHECK POWER MODE, FLUSH CACHE, SET FEATURES.
; Needs: -drive file=build/guest/disk.img,if=ide,format=raw,index=0 -snapshot
; where disk.img is 2048 sectors, dword j of sector s = s << 16 | j.
%include "lib/pm32.inc"

IO      equ 0x1f0
CTL     equ 0x3f6
BMBASE  equ 0xd000
BUF     equ 0x10000                     ; PIO / DMA buffers
BUF2    equ 0x20000
PRD     equ 0x30000

%include "lib/ata.inc"

; LBA28 task file: EBX = LBA, CL = count, then command AL (master)
ata_cmd28:
        push eax
        call wait_bsy
        mov dx, IO + 2
        mov al, cl
        out dx, al
        mov eax, ebx
        inc dx
        out dx, al                      ; sector
        shr eax, 8
        inc dx
        out dx, al                      ; lcyl
        shr eax, 8
        inc dx
        out dx, al                      ; hcyl
        shr eax, 8
        and al, 0x0f
        or al, 0xe0                     ; LBA, master
        inc dx
        out dx, al
        pop eax
        mov dx, IO + 7
        out dx, al
        ret

; reads ECX words from the data port into EDI after each DRQ
pio_in:
        push ecx
        call wait_bsy
        mov dx, IO
        cld
        rep insw
        pop ecx
        ret

; EAX = 0 when ECX dwords at EDI match the pattern from sector EBX, else the first bad offset+1
check_pattern:
        push ebx
        push ecx
        push edx
        push edi
        xor edx, edx                    ; dword index within the sector
.l:     mov eax, ebx
        shl eax, 16
        or eax, edx
        cmp [edi], eax
        jne .bad
        add edi, 4
        inc edx
        cmp edx, 128
        jne .n
        xor edx, edx
        inc ebx
.n:     loop .l
        xor eax, eax
        jmp .o
.bad:   mov eax, edi
        sub eax, [esp]
        inc eax
.o:     pop edi
        pop edx
        pop ecx
        pop ebx
        ret

main:
        ; ---- PCI 0:1.1
        mov dx, 0xcf8
        mov eax, 0x80000900
        out dx, eax
        mov dx, 0xcfc
        in eax, dx
        CHECK_EQ eax, 0x70108086, "0:1.1 is the PIIX3 IDE function (8086:7010)"
        mov dx, 0xcf8
        mov eax, 0x80000908
        out dx, eax
        mov dx, 0xcfc
        in eax, dx
        CHECK_MASK eax, 0x01018000, 0xffffff00, "class: IDE, legacy mode, bus master"
        call ide_bm_enable

        ; ---- select the master, status
        OUTB CTL, 0x02                  ; nIEN: polled
        OUTB IO + 6, 0xa0
        call wait_bsy
        CHECK_MASK eax, 0x40, 0xc9, "master: DRDY, not BSY/DRQ/ERR"

        ; ---- IDENTIFY DEVICE
        OUTB IO + 7, 0xec
        call wait_bsy
        CHECK_MASK eax, 0x48, 0xc9, "IDENTIFY: DRQ"
        mov edi, BUF
        mov ecx, 256
        call pio_in
        INB IO + 7
        CHECK_MASK eax, 0x40, 0x89, "IDENTIFY: DRQ clear after 512 bytes"
        movzx eax, word [BUF + 0]
        CHECK_MASK eax, 0x0040, 0x8040, "word 0: ATA fixed device"
        mov eax, [BUF + 60 * 2]
        CHECK_EQ eax, 2048, "words 60-61: LBA28 capacity 2048"
        mov eax, [BUF + 100 * 2]
        CHECK_EQ eax, 2048, "words 100-103: LBA48 capacity 2048"
        movzx eax, word [BUF + 83 * 2]
        CHECK_MASK eax, 0x4400, 0xc400, "word 83: 48-bit address feature set"
        movzx eax, word [BUF + 49 * 2]
        CHECK_MASK eax, 0x0300, 0x0300, "word 49: LBA and DMA"
        mov eax, [BUF + 29 * 2]
        CHECK_EQ eax, 0x41522048, "model words 29-30: ' HARD'"
        movzx eax, word [BUF + 3 * 2]
        CHECK_EQ eax, 16, "word 3: 16 heads"
        movzx eax, word [BUF + 6 * 2]
        CHECK_EQ eax, 63, "word 6: 63 sectors per track"
        ; checksum: when word 255 carries A5h, the 512 bytes sum to 0
        movzx eax, byte [BUF + 510]
        cmp al, 0xa5
        jne .nosum
        xor eax, eax
        mov esi, BUF
        mov ecx, 512
.sum:   add al, [esi]
        inc esi
        loop .sum
        CHECK_EQ eax, 0, "identify checksum (word 255)"
.nosum:

        ; ---- READ SECTORS LBA28: sectors 5-6
        mov ebx, 5
        mov cl, 2
        mov al, 0x20
        call ata_cmd28
        mov edi, BUF
        mov ecx, 256
        call pio_in
        mov edi, BUF + 512
        call pio_in
        INB IO + 7
        CHECK_MASK eax, 0x40, 0x89, "READ SECTORS: done"
        mov ebx, 5
        mov edi, BUF
        mov ecx, 256
        call check_pattern
        CHECK_EQ eax, 0, "READ SECTORS LBA 5-6: pattern"

        ; ---- READ SECTORS EXT: LBA 0x345, 1 sector
        call wait_bsy
        OUTB IO + 2, 0                  ; count high
        OUTB IO + 3, 0                  ; LBA 31:24
        OUTB IO + 4, 0
        OUTB IO + 5, 0
        OUTB IO + 2, 1                  ; count low
        OUTB IO + 3, 0x45
        OUTB IO + 4, 0x03
        OUTB IO + 5, 0
        OUTB IO + 6, 0x40
        OUTB IO + 7, 0x24
        mov edi, BUF
        mov ecx, 256
        call pio_in
        mov ebx, 0x345
        mov edi, BUF
        mov ecx, 128
        call check_pattern
        CHECK_EQ eax, 0, "READ SECTORS EXT LBA 0x345: pattern"

        ; ---- CHS: cylinder 1, head 2, sector 3 = (1*16+2)*63+2 = 1136
        call wait_bsy
        OUTB IO + 2, 1
        OUTB IO + 3, 3
        OUTB IO + 4, 1
        OUTB IO + 5, 0
        OUTB IO + 6, 0xa2
        OUTB IO + 7, 0x20
        mov edi, BUF
        mov ecx, 256
        call pio_in
        mov ebx, 1136
        mov edi, BUF
        mov ecx, 128
        call check_pattern
        CHECK_EQ eax, 0, "READ SECTORS CHS 1/2/3 = LBA 1136"

        ; ---- SET MULTIPLE 4, READ MULTIPLE 8 sectors from LBA 40: two DRQ blocks
        call wait_bsy
        OUTB IO + 2, 4
        OUTB IO + 6, 0xe0
        OUTB IO + 7, 0xc6
        call wait_bsy
        CHECK_MASK eax, 0x40, 0xc9, "SET MULTIPLE 4"
        mov ebx, 40
        mov cl, 8
        mov al, 0xc4
        call ata_cmd28
        mov edi, BUF
        mov ecx, 1024
        call pio_in
        call wait_bsy
        CHECK_MASK eax, 0x48, 0x89, "READ MULTIPLE: DRQ again after a 4-sector block"
        mov edi, BUF + 2048
        mov ecx, 1024
        call pio_in
        INB IO + 7
        CHECK_MASK eax, 0x40, 0x89, "READ MULTIPLE: done after 8 sectors"
        mov ebx, 40
        mov edi, BUF
        mov ecx, 1024
        call check_pattern
        CHECK_EQ eax, 0, "READ MULTIPLE LBA 40-47: pattern"

        ; ---- WRITE SECTORS at LBA 10 (the image is a snapshot), read back
        mov edi, BUF2
        mov ecx, 128
        mov eax, 0xa5a50000
.fill:  mov [edi], eax
        inc eax
        add edi, 4
        loop .fill
        mov ebx, 10
        mov cl, 1
        mov al, 0x30
        call ata_cmd28
        call wait_bsy
        CHECK_MASK eax, 0x48, 0xc9, "WRITE SECTORS: DRQ for the data"
        mov esi, BUF2
        mov ecx, 256
        mov dx, IO
        rep outsw
        call wait_bsy
        CHECK_MASK eax, 0x40, 0x89, "WRITE SECTORS: done"
        mov ebx, 10
        mov cl, 1
        mov al, 0x20
        call ata_cmd28
        mov edi, BUF
        mov ecx, 256
        call pio_in
        mov esi, BUF
        mov edi, BUF2
        mov ecx, 128
        repe cmpsd
        CHECK_EQ ecx, 0, "read back what was written"

        ; ---- READ DMA: LBA 20-21 into BUF2 through one PRD (INTRQ enabled:
        ; the bus master latches it; the CPU has interrupts off)
        OUTB CTL, 0x00
        mov dword [PRD], BUF2
        mov dword [PRD + 4], 0x80000000 | 1024
        mov dx, BMBASE + 4
        mov eax, PRD
        out dx, eax
        OUTB BMBASE + 2, 0x06           ; clear interrupt and error
        mov ebx, 20
        mov cl, 2
        mov al, 0xc8
        call ata_cmd28
        OUTB BMBASE, 0x09               ; start, towards memory
        mov ecx, 1000000
.dw:    INB BMBASE + 2
        test al, 4
        loopz .dw
        CHECK_MASK eax, 0x04, 0x07, "READ DMA: bus master interrupt, not active, no error"
        OUTB BMBASE, 0x00
        call wait_bsy
        CHECK_MASK eax, 0x40, 0x89, "READ DMA: device done"
        mov ebx, 20
        mov edi, BUF2
        mov ecx, 256
        call check_pattern
        CHECK_EQ eax, 0, "READ DMA LBA 20-21: pattern"

        ; ---- WRITE DMA: BUF2 (sectors 20-21) to LBA 30, then PIO read back
        mov dword [BUF2], 0x12345678
        OUTB BMBASE + 2, 0x06
        mov ebx, 30
        mov cl, 2
        mov al, 0xca
        call ata_cmd28
        OUTB BMBASE, 0x01               ; start, from memory
        mov ecx, 1000000
.ww:    INB BMBASE + 2
        test al, 4
        loopz .ww
        OUTB BMBASE, 0x00
        call wait_bsy
        CHECK_MASK eax, 0x40, 0x89, "WRITE DMA: device done"
        mov ebx, 30
        mov cl, 2
        mov al, 0x20
        call ata_cmd28
        mov edi, BUF
        mov ecx, 256
        call pio_in
        mov edi, BUF + 512
        call pio_in
        mov esi, BUF
        mov edi, BUF2
        mov ecx, 256
        repe cmpsd
        CHECK_EQ ecx, 0, "WRITE DMA: read back"

        INB IO + 7
        OUTB CTL, 0x02
        ; ---- errors
        mov ebx, 5000
        mov cl, 1
        mov al, 0x20
        call ata_cmd28
        call wait_bsy
        CHECK_MASK eax, 0x41, 0x89, "READ past the end: ERR"
        INB IO + 1
        CHECK_MASK eax, 0, 0xeb, "READ past the end: IDNF or ABRT"
        call wait_bsy
        OUTB IO + 7, 0x50               ; not a command this device has
        call wait_bsy
        CHECK_MASK eax, 0x41, 0x89, "unsupported command: ERR"
        INB IO + 1
        CHECK_EQ eax, 0x04, "unsupported command: ABRT"

        ; ---- power, cache, features
        OUTB IO + 2, 0
        OUTB IO + 7, 0xe5
        call wait_bsy
        INB IO + 2
        CHECK_EQ eax, 0xff, "CHECK POWER MODE: active/idle (FFh)"
        OUTB IO + 7, 0xe7
        call wait_bsy
        CHECK_MASK eax, 0x40, 0x89, "FLUSH CACHE"
        OUTB IO + 1, 0x03
        OUTB IO + 2, 0x42               ; UDMA mode 2
        OUTB IO + 7, 0xef
        call wait_bsy
        CHECK_MASK eax, 0x40, 0x89, "SET FEATURES: UDMA 2"
        OUTB IO + 7, 0xec
        mov edi, BUF
        mov ecx, 256
        call pio_in
        movzx eax, word [BUF + 88 * 2]
        CHECK_MASK eax, 0x0400, 0x3f00, "word 88: UDMA 2 selected"

        ; ---- a missing slave reads status 00h
        OUTB IO + 6, 0xb0
        INB IO + 7
        CHECK_EQ eax, 0, "missing slave: status 00h"
        OUTB IO + 6, 0xa0

        ; ---- software reset: signature
        OUTB CTL, 0x06                  ; SRST, nIEN
        OUTB CTL, 0x02
        call wait_bsy
        CHECK_MASK eax, 0x40, 0xc9, "after SRST: DRDY"
        INB IO + 2
        mov ebx, eax
        INB IO + 3
        shl eax, 8
        or ebx, eax
        INB IO + 4
        shl eax, 16
        or ebx, eax
        INB IO + 5
        shl eax, 24
        or ebx, eax
        CHECK_EQ ebx, 0x00000101, "after SRST: ATA signature 01/01/00/00"
        INB IO + 1
        CHECK_EQ eax, 0x01, "after SRST: error 01h (diagnostics passed)"

        ; ---- EXECUTE DEVICE DIAGNOSTIC
        OUTB IO + 7, 0x90
        call wait_bsy
        INB IO + 1
        CHECK_EQ eax, 0x01, "EXECUTE DEVICE DIAGNOSTIC: 01h"
        FINISH
END_IMAGE
