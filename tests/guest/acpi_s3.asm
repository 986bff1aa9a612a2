; acpi_s3.asm - ACPI S3 (suspend to RAM) through the PM1a registers, as an
; OS does it (ACPI 6.4 sections 7.4.2, 16.1): the DSDT has a \_S3 package
; whose SLP_TYP goes with SLP_EN into PM1a control; the RTC alarm (AIE, all
; fields "don't care": the next second) with RTC_EN in PM1a enable wakes
; the machine, and the firmware starts the FACS firmware waking vector in
; real mode at CS:IP = (vector >> 4):(vector & 0xF). After the wake:
; WAK_STS and RTC_STS are set in PM1a status, SLP_EN reads as 0, RAM kept
; what was written before the sleep, and the status bits clear when
; written with 1. Runs the same on QEMU (SeaBIOS resumes there).
%include "lib/pm32.inc"
RSDP        equ RES + 0x10
FADT        equ RES + 0x14
FACS        equ RES + 0x18
SLPTYP      equ RES + 0x1C
WAKE_STS    equ RES + 0x24          ; PM1a status the stub read first
WAKE_CS     equ RES + 0x28          ; CS the stub ran with
PATTERN_AT  equ 0x300000
PATTERN     equ 0x5a3c96e1
WAKE_VEC    equ 0x7000              ; the stub, copied here (below 1 MiB)
PM1_STS     equ 0x600
PM1_EN      equ 0x602
PM1_CNT     equ 0x604

%include "lib/cmos.inc"

main:
        ; --- find the FADT, the FACS and \_S3 in the DSDT ---
        mov esi, 0xE0000
        mov edx, 'RSD '
        mov ebx, 'PTR '
        mov ecx, 20
        call scan16
        jz .rsdp
        FAILMSG "no RSDP"
        FINISH
.rsdp:  mov edi, [esi + 16]             ; RSDT
        mov ecx, [edi + 4]
        sub ecx, 36
        lea esi, [edi + 36]
.ent:   test ecx, ecx
        jle .noent
        mov edx, [esi]
        cmp dword [edx], 'FACP'
        je .fadt
        add esi, 4
        sub ecx, 4
        jmp .ent
.noent: FAILMSG "no FADT"
        FINISH
.fadt:  mov [FADT], edx
        mov eax, [edx + 36]             ; FIRMWARE_CTRL
        test eax, eax
        jnz .facs
        mov eax, [edx + 132]            ; X_FIRMWARE_CTRL (low half)
.facs:  mov [FACS], eax
        CHECK_EQ [eax], 'FACS', "FADT -> FACS signature"
        CHECK_EQ [edx + 64], PM1_CNT, "FADT: PM1a control block"
        ; \_S3_: NameOp "_S3_" PackageOp PkgLength NumElements SLP_TYPa ...
        mov esi, [edx + 40]             ; DSDT
        mov ecx, [esi + 4]
        add ecx, esi
        sub ecx, 8
        add esi, 36
        mov dword [SLPTYP], 0xffffffff
.s3:    cmp esi, ecx
        jae .s3done
        cmp dword [esi], '_S3_'
        je .s3found
        inc esi
        jmp .s3
.s3found:
        cmp byte [esi + 4], 0x12        ; PackageOp
        jne .s3done
        movzx eax, byte [esi + 5]       ; PkgLength: bits 7:6 = extra bytes
        shr eax, 6
        lea esi, [esi + 7 + eax]        ; past PkgLength and NumElements
        movzx eax, byte [esi]
        cmp al, 0x0a                    ; BytePrefix
        jne .s3const
        movzx eax, byte [esi + 1]
        jmp .s3val
.s3const:
        cmp al, 1                       ; ZeroOp / OneOp
        ja .s3done
.s3val: mov [SLPTYP], eax
.s3done:
        CHECK_MASK [SLPTYP], 0, 0xfffffff8, "DSDT has \_S3 with a 3-bit SLP_TYP"
        cmp dword [SLPTYP], 7
        jbe .go
        FINISH

        ; --- prepare the wake ---
.go:    mov dword [PATTERN_AT], PATTERN
        mov esi, wake16
        mov edi, WAKE_VEC
        mov ecx, wake16_end - wake16
        rep movsb
        mov eax, [gdt_desc + 2]         ; the stub loads this GDT
        mov [WAKE_VEC + (wake_gdtr - wake16) + 2], eax
        mov ax, [gdt_desc]
        mov [WAKE_VEC + (wake_gdtr - wake16)], ax
        mov eax, [FACS]
        mov dword [eax + 12], WAKE_VEC  ; firmware waking vector
        mov dword [eax + 24], 0         ; no 64-bit X_ waking vector
        mov dword [eax + 28], 0
        mov dx, PM1_STS                 ; clear stale status, enable RTC wake
        mov ax, 0xffff
        out dx, ax
        mov dx, PM1_EN
        mov ax, 0x0400                  ; RTC_EN
        out dx, ax
        ; RTC alarm: every field "don't care" matches at the next update
        CMOS_WR 0x01, 0xc0
        CMOS_WR 0x03, 0xc0
        CMOS_WR 0x05, 0xc0
        CMOS_RD 0x0c                    ; clear register C
        CMOS_RD 0x0b
        or al, 0x20                     ; AIE
        mov bl, al
        CMOS_WR 0x0b, bl
        wbinvd
        mov eax, [SLPTYP]
        shl eax, 10
        or eax, 0x2000                  ; SLP_EN
        mov dx, PM1_CNT
        out dx, ax
.sleep: pause                           ; the chipset stops the CPU in a while
        jmp .sleep

        ; --- 32-bit again after the stub ---
resumed32:
        mov ax, SEL_DATA32
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        mov ss, ax
        mov esp, STACK_TOP
        lidt [idt_desc]
        mov al, 0xff
        out 0x21, al
        out 0xa1, al
        PASS "resumed at the FACS waking vector in real mode"
        CHECK_EQ [WAKE_CS], WAKE_VEC >> 4, "waking vector: CS = vector >> 4"
        CHECK_EQ [PATTERN_AT], PATTERN, "RAM kept across S3"
        CHECK_MASK [WAKE_STS], 0x8000, 0x8000, "PM1a status: WAK_STS after the wake"
        CHECK_MASK [WAKE_STS], 0x0400, 0x0400, "PM1a status: RTC_STS (the RTC alarm woke it)"
        mov dx, PM1_CNT
        in ax, dx
        movzx eax, ax
        CHECK_MASK eax, 0, 0x2000, "PM1a control: SLP_EN reads as 0"
        mov dx, PM1_STS
        mov ax, 0x8400                  ; write 1 to clear
        out dx, ax
        in ax, dx
        movzx eax, ax
        CHECK_MASK eax, 0, 0x8400, "PM1a status: WAK_STS and RTC_STS clear when written with 1"
        FINISH

        align 16
wake16:
        bits 16
        cli
        mov ax, cs
        xor bx, bx
        mov ds, bx
        mov [WAKE_CS], ax
        mov dx, PM1_STS
        in ax, dx
        mov [WAKE_STS], ax
        o32 lgdt [cs:wake_gdtr - wake16]
        mov eax, cr0
        or al, 1
        mov cr0, eax
        jmp dword SEL_CODE32:resumed32
        align 4
wake_gdtr:
        dw 0
        dd 0
wake16_end:
        bits 32

%include "lib/bytesum.inc"
END_IMAGE
