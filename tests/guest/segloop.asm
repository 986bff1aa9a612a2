; segloop.asm - data segments with a nonzero base loaded in the middle of a
; hot loop (32-bit protected mode): every access after the load uses the
; new base, every one before it the flat one. The loop runs often enough
; for the recompiler to compile it, whose inline lookup skips the segment
; test while ES, SS and DS are flat; the segment load must end that.
%include "lib/pm32.inc"
SEL_DB  equ 0x40                ; data, base 0x1000, 4 GiB
SEL_EB  equ 0x48                ; data, base 0x2000, 4 GiB
ROUNDS  equ 300
main:
        SET_DESC SEL_DB, 0x1000, 0xFFFFF, 0x92, 0xC
        SET_DESC SEL_EB, 0x2000, 0xFFFFF, 0x92, 0xC
        mov dword [0x5000], 0x22222222  ; flat [0x5000]
        mov dword [0x6000], 0x11111111  ; [0x5000] through base 0x1000, [0x4000] through 0x2000
        mov dword [0x5004], 0
        mov dword [0x6004], 0
        mov ecx, ROUNDS
        xor esi, esi                    ; rounds that read a wrong value
.loop:  mov edx, [0x5000]               ; DS flat: 0x22222222
        mov ax, SEL_DB
        mov ds, ax
        mov ebx, [0x5000]               ; base 0x1000: 0x11111111
        add dword [0x5004], 1           ; linear 0x6004
        mov ax, SEL_DATA32
        mov ds, ax
        mov ax, SEL_EB
        mov es, ax
        mov edi, [es:0x4000]            ; base 0x2000: 0x11111111
        mov ax, SEL_DATA32
        mov es, ax
        cmp edx, 0x22222222
        jne .bad
        cmp ebx, 0x11111111
        jne .bad
        cmp edi, 0x11111111
        je .next
.bad:   inc esi
.next:  dec ecx
        jnz .loop
        CHECK_EQ esi, 0, "loads before and after each segment load use that load's base"
        CHECK_EQ [0x6004], ROUNDS, "read-modify-writes through DS base 0x1000"
        CHECK_EQ [0x5004], 0, "nothing written through the flat DS at that offset"
        FINISH
END_IMAGE
