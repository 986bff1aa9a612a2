; smc.asm - self-modifying and cross-modifying code, as the SDM (vol. 3
; 11.6) guarantees it on P6 and later processors: a store to an instruction
; that is about to run is seen by that instruction, in 32-bit protected mode
; and in real mode. Covers a store that patches the very next instruction,
; a routine rewritten between calls (MOV and REP MOVSB), a loop that
; rewrites its own body, execution that enters the middle of an
; instruction, data stored beside code in the same page, code run from
; MMIO (pc-testdev's RAM-like window, rewritten between calls: nothing may
; be cached from it), and a real-mode code buffer rewritten and called (the
; case a recompiler's stale translations would get wrong).
%define HAVE_BLOB
%include "lib/pm32.inc"
%include "lib/realmode.inc"
RM_BUF equ 0x6000                       ; real-mode code buffer (0000:6000)
MMIO_CODE equ 0xFF000100                ; pc-testdev's RAM-like MMIO window (-device pc-testdev)
main:
        ; ---- the next instruction, patched by the store before it ------
        mov byte [.p1 + 1], 0x42
.p1:    mov al, 0x00
        movzx eax, al
        CHECK_EQ eax, 0x42, "a store patches the very next instruction"
        mov dword [.p2 + 1], 0x12345678
.p2:    mov ecx, 0
        CHECK_EQ ecx, 0x12345678, "a store patches the next instruction's imm32"
        ; ---- a routine rewritten between calls --------------------------
        mov dword [fn_imm + 1], 1111
        call fn_imm
        CHECK_EQ eax, 1111, "a routine's immediate, first value"
        mov dword [fn_imm + 1], 2222
        call fn_imm
        CHECK_EQ eax, 2222, "the routine after its immediate is rewritten"
        mov esi, tmpl_inc3
        mov edi, fn_imm
        mov ecx, tmpl_inc3_end - tmpl_inc3
        cld
        rep movsb
        mov eax, 10
        call fn_imm
        CHECK_EQ eax, 13, "the routine replaced by rep movsb"
        ; ---- a loop that rewrites its own body ----------------------------
        ; each pass sets the add's imm8 for the next pass to ECX * 16:
        ; 1 + 64 + 48 + 32
        xor ebx, ebx
        mov ecx, 4
.lp:
.p3:    add ebx, strict byte 1
        mov edx, ecx
        shl edx, 4
        mov [.p3 + 2], dl
        loop .lp
        CHECK_EQ ebx, 145, "a loop that rewrites its own body"
        ; ---- into the middle of an instruction ----------------------------
        xor eax, eax
        call mid_insn                   ; mov ecx, imm32; ret
        mov ebx, eax
        mov edx, mid_insn + 1
        call edx                        ; the imm32 as code: inc eax x3, nop; ret
        CHECK_EQ ebx, 0, "a mov imm32 runs as one instruction"
        CHECK_EQ eax, 3, "its immediate bytes run as instructions from the middle"
        ; ---- data beside code in the same page ----------------------------
        xor eax, eax
        mov ecx, 1000
.dl:    add dword [near_data], 3
        add eax, [near_data]
        loop .dl
        CHECK_EQ dword [near_data], 3000, "stores to data beside the code"
        CHECK_EQ eax, 1501500, "loads of data beside the code"
        ; ---- code in MMIO ------------------------------------------------
        mov dword [MMIO_CODE], 0x000111b8       ; mov eax, 0x111; ret
        mov dword [MMIO_CODE + 4], 0xc3000000
        xor eax, eax
        mov edx, MMIO_CODE
        call edx
        CHECK_EQ eax, 0x111, "code run from MMIO"
        mov word [MMIO_CODE + 1], 0x222
        mov ecx, 3
.mm:    call edx                                ; the same call, three times
        loop .mm
        CHECK_EQ eax, 0x222, "code in MMIO rewritten, run again"
        GO_REAL

fn_imm: mov eax, 0
        ret
        times 8 nop
tmpl_inc3:
        inc eax
        inc eax
        inc eax
        ret
tmpl_inc3_end:
mid_insn:
        db 0xb9, 0x40, 0x40, 0x40, 0x90 ; mov ecx, 0x90404040
        ret
        align 4
near_data: dd 0

        BLOB_BEGIN
rm_main:
        ; 0000:6000: mov ax, imm16; ret
        mov dword [RM_BUF], 0xc30001b8
        mov bx, RM_BUF
        call bx
        movzx eax, ax
        CHECK_EQ eax, 1, "real mode: a code buffer, first contents"
        mov dword [RM_BUF], 0xc30002b8
        call bx
        movzx eax, ax
        CHECK_EQ eax, 2, "real mode: the buffer rewritten and called again"
        ; patch only the immediate, through another segment's alias
        mov ax, RM_BUF >> 4
        mov es, ax
        mov byte [es:1], 7
        xor ax, ax
        mov es, ax
        call bx
        movzx eax, ax
        CHECK_EQ eax, 7, "real mode: the immediate patched through ES"
        ; a far call to the buffer as 0600:0000 (another CS, same bytes)
        mov byte [RM_BUF + 3], 0xcb     ; ret -> retf
        mov dword [RES], (RM_BUF >> 4) << 16
        call far [RES]
        movzx eax, ax
        CHECK_EQ eax, 7, "real mode: the same bytes through CS = 0600"
        mov byte [RM_BUF + 1], 9
        call far [RES]
        movzx eax, ax
        CHECK_EQ eax, 9, "real mode: rewritten, through CS = 0600"
        FINISH
        RM_LIB
        BLOB_END
END_IMAGE
