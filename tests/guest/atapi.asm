; atapi.asm - an ATAPI CD-ROM on the secondary master (polled, interrupts
; off): the packet signature after reset, IDENTIFY DEVICE aborted with the
; signature, IDENTIFY PACKET DEVICE, and the PACKET protocol with INQUIRY,
; REQUEST SENSE, TEST UNIT READY, READ CAPACITY, READ(10) of known sectors
; (in one DRQ chunk and in chunks cut by the byte count limit), READ TOC,
; an out-of-range READ with its sense, and READ(10) by DMA.
; Needs: -drive file=build/guest/cd.iso,if=ide,media=cdrom,index=2 where
; cd.iso is 64 sectors of 2048 bytes, dword j of sector s = CD000000h | s << 16 | j.
%include "lib/pm32.inc"

IO      equ 0x170
CTL     equ 0x376
BMBASE  equ 0xd000
BUF     equ 0x10000
PRD     equ 0x30000
PKT     equ 0x600                       ; RES: the 12-byte packet

%include "lib/ata.inc"
; PACKET b0, b1, ... (up to 12 bytes; the rest zero)
%macro PACKET 1-12
        mov dword [PKT], 0
        mov dword [PKT + 4], 0
        mov dword [PKT + 8], 0
%assign i 0
%rep %0
        mov byte [PKT + i], %1
%rotate 1
%assign i i + 1
%endrep
%endmacro

; Sends the packet at PKT with byte count limit CX, feature BL (1 = DMA);
; PIO data goes to BUF. Returns EAX = bytes received, ESI = DRQ chunks,
; BL = final status, BH = final interrupt reason (PIO only; with DMA it
; returns once the packet is sent).
atapi:
        push ecx
        call wait_bsy
        pop ecx
        mov dx, IO + 1
        mov al, bl
        out dx, al
        mov dx, IO + 4
        mov al, cl
        out dx, al
        inc dx
        mov al, ch
        out dx, al
        OUTB IO + 6, 0xa0
        OUTB IO + 7, 0xa0
        call wait_bsy
        mov esi, PKT
        mov ecx, 6
        mov dx, IO
        cld
        rep outsw
        test bl, 1
        jnz .ret                        ; DMA: the bus master moves the data
        mov edi, BUF
        xor esi, esi
.chunk: call wait_bsy
        test al, 0x08
        jz .done
        INB IO + 5
        mov ecx, eax
        INB IO + 4
        shl ecx, 8
        or ecx, eax
        inc ecx
        shr ecx, 1
        mov dx, IO
        rep insw
        inc esi
        jmp .chunk
.done:  mov bl, al
        INB IO + 2
        mov bh, al
        mov eax, edi
        sub eax, BUF
.ret:   ret

main:
        OUTB CTL, 0x02
        ; ---- reset: the packet signature
        OUTB IO + 6, 0xa0
        OUTB CTL, 0x06
        OUTB CTL, 0x02
        call wait_bsy
        INB IO + 4
        mov ebx, eax
        INB IO + 5
        shl eax, 8
        or eax, ebx
        CHECK_EQ eax, 0xeb14, "after SRST: packet signature 14h/EBh"
        ; ---- IDENTIFY DEVICE is aborted, the signature stays
        OUTB IO + 7, 0xec
        call wait_bsy
        CHECK_MASK eax, 0x01, 0x89, "IDENTIFY DEVICE: ERR"
        INB IO + 1
        CHECK_MASK eax, 0x04, 0x04, "IDENTIFY DEVICE: ABRT"
        INB IO + 5
        CHECK_EQ eax, 0xeb, "IDENTIFY DEVICE: signature EBh"
        ; ---- IDENTIFY PACKET DEVICE
        OUTB IO + 7, 0xa1
        call wait_bsy
        CHECK_MASK eax, 0x08, 0x89, "IDENTIFY PACKET DEVICE: DRQ"
        mov edi, BUF
        mov ecx, 256
        mov dx, IO
        rep insw
        movzx eax, word [BUF]
        CHECK_MASK eax, 0x8580, 0xdf83, "word 0: ATAPI, CD-ROM, removable, 12-byte packets"
        movzx eax, word [BUF + 49 * 2]
        CHECK_MASK eax, 0x0300, 0x0300, "word 49: LBA and DMA"

        ; ---- INQUIRY
        PACKET 0x12, 0, 0, 0, 36
        xor ebx, ebx
        mov cx, 0xfffe
        call atapi
        CHECK_EQ eax, 36, "INQUIRY: 36 bytes"
        movzx eax, bh
        CHECK_EQ eax, 3, "INQUIRY: interrupt reason I/O, C/D at the end"
        movzx eax, byte [BUF]
        CHECK_EQ eax, 5, "INQUIRY: CD/DVD device"
        movzx eax, byte [BUF + 1]
        CHECK_EQ eax, 0x80, "INQUIRY: removable"
        ; ---- REQUEST SENSE (clears a unit attention), TEST UNIT READY
        PACKET 0x03, 0, 0, 0, 18
        xor ebx, ebx
        mov cx, 0xfffe
        call atapi
        CHECK_EQ eax, 18, "REQUEST SENSE: 18 bytes"
        movzx eax, byte [BUF]
        CHECK_MASK eax, 0x70, 0x7f, "REQUEST SENSE: fixed format"
        PACKET 0x00
        xor ebx, ebx
        mov cx, 0xfffe
        call atapi
        movzx eax, bl
        CHECK_MASK eax, 0x40, 0xc9, "TEST UNIT READY: ready"
        ; ---- READ CAPACITY
        PACKET 0x25
        xor ebx, ebx
        mov cx, 0xfffe
        call atapi
        CHECK_EQ eax, 8, "READ CAPACITY: 8 bytes"
        mov eax, [BUF]
        bswap eax
        CHECK_EQ eax, 63, "READ CAPACITY: last LBA 63"
        mov eax, [BUF + 4]
        bswap eax
        CHECK_EQ eax, 2048, "READ CAPACITY: 2048-byte blocks"
        ; ---- READ(10) LBA 7, 1 sector
        PACKET 0x28, 0, 0, 0, 0, 7, 0, 0, 1
        xor ebx, ebx
        mov cx, 0xfffe
        call atapi
        CHECK_EQ eax, 2048, "READ(10): 2048 bytes"
        CHECK_EQ esi, 1, "READ(10): one DRQ chunk"
        movzx eax, bl
        CHECK_MASK eax, 0x40, 0xc9, "READ(10): good status"
        mov eax, [BUF]
        CHECK_EQ eax, 0xcd070000, "READ(10) LBA 7: first dword"
        mov eax, [BUF + 2044]
        CHECK_EQ eax, 0xcd0701ff, "READ(10) LBA 7: last dword"
        ; ---- READ(10) LBA 30, 2 sectors, byte count limit 1024: 4 chunks
        PACKET 0x28, 0, 0, 0, 0, 30, 0, 0, 2
        xor ebx, ebx
        mov cx, 1024
        call atapi
        CHECK_EQ eax, 4096, "READ(10) limit 1024: 4096 bytes"
        CHECK_EQ esi, 4, "READ(10) limit 1024: 4 DRQ chunks"
        mov eax, [BUF + 2048]
        CHECK_EQ eax, 0xcd1f0000, "READ(10) limit 1024: sector 31"
        ; ---- READ TOC format 0, LBA
        PACKET 0x43, 0, 0, 0, 0, 0, 0, 0, 100
        xor ebx, ebx
        mov cx, 0xfffe
        call atapi
        CHECK_EQ eax, 20, "READ TOC: header and two descriptors"
        mov eax, [BUF]
        CHECK_EQ eax, 0x01011200, "READ TOC: length 18, tracks 1-1"
        movzx eax, byte [BUF + 4 + 8 + 2]
        CHECK_EQ eax, 0xaa, "READ TOC: lead-out descriptor"
        mov eax, [BUF + 4 + 8 + 4]
        bswap eax
        CHECK_EQ eax, 64, "READ TOC: lead-out at LBA 64"
        ; ---- out of range: CHECK CONDITION, sense ILLEGAL REQUEST / 21h
        PACKET 0x28, 0, 0, 0, 0, 100, 0, 0, 1
        xor ebx, ebx
        mov cx, 0xfffe
        call atapi
        movzx eax, bl
        CHECK_MASK eax, 0x41, 0x89, "READ(10) past the end: ERR"
        INB IO + 1
        CHECK_MASK eax, 0x50, 0xf0, "READ(10) past the end: error sense key 5"
        PACKET 0x03, 0, 0, 0, 18
        xor ebx, ebx
        mov cx, 0xfffe
        call atapi
        movzx eax, byte [BUF + 2]
        CHECK_EQ eax, 5, "REQUEST SENSE: ILLEGAL REQUEST"
        movzx eax, byte [BUF + 12]
        CHECK_EQ eax, 0x21, "REQUEST SENSE: LBA out of range"

        ; ---- READ(10) by DMA: LBA 9 into BUF + 0x8000
        call ide_bm_enable
        mov dword [PRD], BUF + 0x8000
        mov dword [PRD + 4], 0x80000000 | 2048
        mov dx, BMBASE + 8 + 4
        mov eax, PRD
        out dx, eax
        OUTB BMBASE + 8 + 2, 0x06
        OUTB CTL, 0x00
        PACKET 0x28, 0, 0, 0, 0, 9, 0, 0, 1
        mov bl, 1
        mov cx, 0xfffe
        call atapi                      ; sends the packet; no PIO data follows
        OUTB BMBASE + 8, 0x09
        mov ecx, 1000000
.dw:    INB BMBASE + 8 + 2
        test al, 4
        loopz .dw
        CHECK_MASK eax, 0x04, 0x07, "READ(10) DMA: bus master interrupt, not active"
        OUTB BMBASE + 8, 0x00
        call wait_bsy
        CHECK_MASK eax, 0x40, 0x89, "READ(10) DMA: good status"
        mov eax, [BUF + 0x8000]
        CHECK_EQ eax, 0xcd090000, "READ(10) DMA LBA 9: first dword"
        mov eax, [BUF + 0x8000 + 2044]
        CHECK_EQ eax, 0xcd0901ff, "READ(10) DMA LBA 9: last dword"
        OUTB CTL, 0x02
        FINISH
END_IMAGE
