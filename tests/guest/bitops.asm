; bitops.asm - bt/bts/btr/btc (16/32, register and immediate bit offsets,
; register and memory destinations), bsf/bsr (incl. zero source: ZF=1, the
; destination is not checked), from gen/bitops.inc (only CF and ZF - ZF
; unchanged for bt* - are checked), plus memory bit strings addressed with
; negative and large register offsets.
%include "lib/pm32.inc"
%include "lib/table.inc"
BS equ 0x3000                   ; bit string area 0x2F00..0x30FF
main:
        RUN_TABLE bitops

        ; ---- memory bit strings ----------------------------------------
        mov edi, BS - 0x100
        mov ecx, 0x200 / 4
        xor eax, eax
        rep stosd
        mov eax, -1
        bts dword [BS], eax             ; bit 31 of dword at BS-4
        CHECK_EQ [BS - 4], 0x80000000, "bts m32, -1 sets bit 31 of the previous dword"
        CHECK_FLAGS F_CF, 0, "bts m32, -1: CF = old bit (0)"
        bt dword [BS], eax
        CHECK_FLAGS F_CF, F_CF, "bt m32, -1 reads the bit just set"
        mov eax, 100
        bts dword [BS], eax             ; dword at BS+12, bit 4
        CHECK_EQ [BS + 12], 0x10, "bts m32, 100 sets bit 4 at +12"
        mov eax, -33
        btc dword [BS], eax             ; -33 = -2*32 + 31 : dword BS-8 bit 31
        CHECK_EQ [BS - 8], 0x80000000, "btc m32, -33 complements bit 31 at -8"
        mov ebx, BS + 0x40
        mov eax, -512                   ; 64 bytes back = BS
        bts dword [ebx], eax
        CHECK_EQ [BS], 1, "bts [ebx], -512 sets bit 0 of [ebx-64]"
        mov ax, -17                     ; word at BS-4, bit 15
        bts word [BS], ax
        CHECK_EQ [BS - 4], 0x80008000, "bts m16, -17 sets bit 15 of word at -4"
        mov ax, 0x7fff                  ; word at BS + 0xffe, bit 15 (positive 16-bit offset)
        mov dword [BS + 0xffc], 0
        bts word [BS], ax
        CHECK_EQ [BS + 0xffc], 0x80000000, "bts m16, 0x7fff sets bit 15 of word at +0xffe"
        mov eax, 0x10000 * 8 + 3        ; 64 KiB further, bit 3
        mov dword [BS + 0x10000], 0xffffffff
        btr dword [BS], eax
        CHECK_EQ [BS + 0x10000], 0xfffffff7, "btr m32, 0x80003 clears bit 3 at +64K"
        CHECK_FLAGS F_CF, F_CF, "btr: CF = old bit (1)"
        ; immediate offsets are taken modulo the operand size
        mov dword [BS], 0
        bts dword [BS], 35
        CHECK_EQ [BS], 8, "bts m32, imm 35 = bit 3 (imm masked to 5 bits)"
        mov dword [BS], 0
        bts word [BS], 0x13
        CHECK_EQ [BS], 8, "bts m16, imm 0x13 = bit 3 (imm masked to 4 bits)"
        ; register destination: offset taken modulo the size
        mov eax, 0
        mov ebx, 0x43
        bts eax, ebx
        CHECK_EQ eax, 8, "bts r32, 0x43 = bit 3"
        FINISH
%include "gen/bitops.inc"
END_IMAGE
