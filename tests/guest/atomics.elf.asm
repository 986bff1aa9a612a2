; atomics.elf.asm - ELF32 Multiboot kernel (exercises the ELF loader).
; xadd/cmpxchg/xchg (8/16/32, register and memory), bswap (gen/atomic.inc),
; cmpxchg8b equal / not equal / #UD with a register operand, LOCK prefix
; on the memory forms and #UD for LOCK on a non-memory instruction.
; Build: nasm -f elf32 -I tests/guest/ -o atomics.o tests/guest/atomics.elf.asm
;        ld -m elf_i386 -Ttext 0x100000 -o atomics.elf atomics.o
%define ELF
%include "lib/pm32.inc"
%include "lib/table.inc"
Q equ 0x3000
main:
        RUN_TABLE atomic

        ; cmpxchg8b equal: EDX:EAX == m64 -> m64 = ECX:EBX, ZF=1
        mov dword [Q], 0x11111111
        mov dword [Q + 4], 0x22222222
        mov eax, 0x11111111
        mov edx, 0x22222222
        mov ebx, 0x33333333
        mov ecx, 0x44444444
        cmpxchg8b [Q]
        CHECK_FLAGS F_ZF, F_ZF, "cmpxchg8b equal sets ZF"
        CHECK_EQ [Q], 0x33333333, "cmpxchg8b equal stores EBX"
        CHECK_EQ [Q + 4], 0x44444444, "cmpxchg8b equal stores ECX"
        CHECK_EQ eax, 0x11111111, "cmpxchg8b equal keeps EAX"
        ; not equal: EDX:EAX = m64, ZF=0, memory unchanged
        mov eax, 0x33333333
        mov edx, 0x55555555
        lock cmpxchg8b [Q]
        CHECK_FLAGS F_ZF, 0, "lock cmpxchg8b not equal clears ZF"
        CHECK_EQ eax, 0x33333333, "cmpxchg8b not equal loads EAX"
        CHECK_EQ edx, 0x44444444, "cmpxchg8b not equal loads EDX"
        CHECK_EQ [Q + 4], 0x44444444, "cmpxchg8b not equal leaves memory"
        ; cmpxchg8b with a register operand (mod=11) is #UD
        TRY
        db 0x0f, 0xc7, 0xc8             ; cmpxchg8b eax
        CATCH 6, NOERR, "cmpxchg8b with register operand #UD"
        ; lock prefix on memory read-modify-write works
        mov dword [Q], 5
        mov eax, 3
        lock xadd [Q], eax
        CHECK_EQ [Q], 8, "lock xadd m32"
        CHECK_EQ eax, 5, "lock xadd returns old value"
        mov dword [Q], 0xf0
        lock or dword [Q], 0x0f
        CHECK_EQ [Q], 0xff, "lock or m32"
        mov dword [Q], 1
        lock btr dword [Q], 0
        CHECK_EQ [Q], 0, "lock btr m32"
        mov ebx, 7
        xchg [Q], ebx
        CHECK_EQ [Q], 7, "xchg m32 (implicitly locked)"
        ; lock with a register destination is #UD
        TRY
        db 0xf0, 0x01, 0xd8             ; lock add eax, ebx
        CATCH 6, NOERR, "lock add r32, r32 #UD"
        TRY
        db 0xf0, 0x90                   ; lock nop
        CATCH 6, NOERR, "lock nop #UD"
        FINISH
%include "gen/atomic.inc"
END_IMAGE
