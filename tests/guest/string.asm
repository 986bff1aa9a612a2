; string.asm - movs/cmps/scas/lods/stos (byte/word/dword), rep/repe/repne,
; ECX=0, DF=1, address-size override (a16: SI/DI/CX, 16-bit wrap, upper
; halves preserved), segment override on the source, ES base for the
; destination (32-bit protected mode).
%include "lib/pm32.inc"
SRC equ 0x10000
DST equ 0x11000
SEL_FSBASE equ 0x40             ; data segment with base 0x10000
SEL_ESBASE equ 0x48             ; data segment with base 0x20000
main:
        ; fill SRC with 0,1,2,...
        mov edi, SRC
        xor eax, eax
.fill:  mov [edi], al
        inc edi
        inc al
        jnz .fill
        ; ---- movs ----------------------------------------------------
        mov esi, SRC
        mov edi, DST
        mov ecx, 10
        rep movsb
        CHECK_EQ ecx, 0, "rep movsb: ECX=0"
        CHECK_EQ esi, SRC + 10, "rep movsb: ESI advanced"
        CHECK_EQ edi, DST + 10, "rep movsb: EDI advanced"
        CHECK_EQ [DST + 4], 0x07060504, "rep movsb: data"
        mov esi, SRC
        mov edi, DST + 0x100
        mov ecx, 3
        rep movsd
        CHECK_EQ [DST + 0x108], 0x0b0a0908, "rep movsd: data"
        CHECK_EQ edi, DST + 0x10c, "rep movsd: EDI += 12"
        movsw
        CHECK_EQ esi, SRC + 14, "movsw: ESI += 2"
        ; rep with ECX = 0 does nothing
        mov esi, SRC
        mov edi, DST + 0x200
        mov dword [DST + 0x200], 0xdeadbeef
        xor ecx, ecx
        rep movsd
        CHECK_EQ [DST + 0x200], 0xdeadbeef, "rep movsd ECX=0: no store"
        CHECK_EQ esi, SRC, "rep movsd ECX=0: ESI unchanged"
        ; DF=1: backwards
        std
        mov esi, SRC + 9
        mov edi, DST + 0x309
        mov ecx, 10
        rep movsb
        cld
        CHECK_EQ esi, SRC - 1, "std rep movsb: ESI decremented"
        CHECK_EQ edi, DST + 0x2ff, "std rep movsb: EDI decremented"
        CHECK_EQ [DST + 0x300], 0x03020100, "std rep movsb: data"
        std
        mov esi, SRC + 8
        mov edi, DST + 0x408
        movsd
        cld
        CHECK_EQ esi, SRC + 4, "std movsd: ESI -= 4"
        CHECK_EQ [DST + 0x408], 0x0b0a0908, "std movsd: data"
        ; ---- stos / lods --------------------------------------------------
        mov edi, DST + 0x500
        mov eax, 0x11223344
        mov ecx, 4
        rep stosd
        CHECK_EQ [DST + 0x50c], 0x11223344, "rep stosd"
        mov ax, 0x5566
        stosw
        CHECK_EQ [DST + 0x510], 0x00005566, "stosw writes 2 bytes"
        CHECK_EQ edi, DST + 0x512, "stosw EDI += 2"
        mov esi, SRC + 0x20
        lodsb
        CHECK_EQ eax, 0x11225520, "lodsb loads AL only"
        lodsd
        CHECK_EQ eax, 0x24232221, "lodsd"
        CHECK_EQ esi, SRC + 0x25, "lodsd ESI += 4"
        mov esi, SRC + 0x30
        mov ecx, 3
        rep lodsw
        CHECK_EQ eax, 0x24233534, "rep lodsw keeps last word"
        ; ---- scas ----------------------------------------------------
        mov edi, SRC
        mov al, 0x40
        mov ecx, 0x100
        repne scasb
        CHECK_FLAGS F_ZF, F_ZF, "repne scasb found: ZF=1"
        CHECK_EQ edi, SRC + 0x41, "repne scasb: EDI after match"
        CHECK_EQ ecx, 0x100 - 0x41, "repne scasb: ECX after match"
        mov edi, SRC
        mov al, 0x40
        mov ecx, 0x10
        repne scasb
        CHECK_FLAGS F_ZF, 0, "repne scasb not found: ZF=0"
        CHECK_EQ ecx, 0, "repne scasb not found: ECX=0"
        mov edi, SRC + 4
        mov eax, 0x07060504
        scasd
        CHECK_FLAGS F_ZF|F_CF, F_ZF, "scasd equal"
        mov eax, 0x01
        mov edi, SRC + 2
        scasb                           ; 1 - 2
        CHECK_FLAGS F_ARITH, F_CF|F_SF|F_AF|F_PF, "scasb 1-2 flags like cmp"
        ; ---- cmps ----------------------------------------------------
        mov esi, SRC
        mov edi, DST
        mov ecx, 0x40
        rep movsb
        mov byte [DST + 0x23], 0xff
        mov esi, SRC
        mov edi, DST
        mov ecx, 0x40
        repe cmpsb
        CHECK_FLAGS F_ZF|F_CF, F_CF, "repe cmpsb stops at mismatch (0x23 < 0xff)"
        CHECK_EQ esi, SRC + 0x24, "repe cmpsb: ESI past mismatch"
        CHECK_EQ ecx, 0x40 - 0x24, "repe cmpsb: ECX"
        mov esi, SRC
        mov edi, DST
        mov ecx, 8
        repe cmpsd
        CHECK_FLAGS F_ZF, F_ZF, "repe cmpsd all equal: ZF=1"
        CHECK_EQ ecx, 0, "repe cmpsd all equal: ECX=0"
        mov esi, SRC
        mov edi, SRC + 0x80
        mov ecx, 0x40
        repne cmpsw                     ; never equal words
        CHECK_EQ ecx, 0, "repne cmpsw no match: ECX=0"
        mov esi, SRC
        mov edi, DST
        mov ecx, 0
        cmp eax, eax                    ; ZF=1
        repne cmpsb                     ; ECX=0: flags untouched
        CHECK_FLAGS F_ZF, F_ZF, "repne cmpsb with ECX=0 leaves flags"
        mov esi, SRC + 1
        mov edi, DST
        cmpsb                           ; [esi]=1 - [edi]=0 -> no borrow
        CHECK_FLAGS F_ARITH, 0, "cmpsb 1-0 flags"
        ; ---- address size 16 -------------------------------------------
        mov dword [0x1000], 0x44332211
        mov esi, 0xabcd1000             ; upper half ignored and preserved
        mov edi, 0x12342000
        mov ecx, 0x55550004             ; CX = 4
        a16 rep movsb
        CHECK_EQ [0x2000], 0x44332211, "a16 rep movsb copies through SI/DI"
        CHECK_EQ esi, 0xabcd1004, "a16 rep movsb: only SI advanced"
        CHECK_EQ edi, 0x12342004, "a16 rep movsb: only DI advanced"
        CHECK_EQ ecx, 0x55550000, "a16 rep movsb: only CX counted"
        mov byte [0xffff], 0x5a
        mov esi, 0x0001ffff
        mov eax, 0x12345678
        a16 lodsb
        CHECK_EQ eax, 0x1234565a, "a16 lodsb reads DS:0xFFFF"
        CHECK_EQ esi, 0x00010000, "a16 lodsb wraps SI to 0"
        mov edi, 0xffff
        mov al, 0x77
        a16 stosb
        CHECK_EQ edi, 0, "a16 stosb wraps DI to 0"
        ; a32 via jecxz-style: a16 rep with CX=0 and ECX upper bits set
        mov ecx, 0x10000
        mov edi, 0x2000
        mov dword [0x2000], 0
        mov al, 0xee
        a16 rep stosb
        CHECK_EQ [0x2000], 0, "a16 rep stosb with CX=0 (ECX=0x10000) does nothing"
        ; ---- segment override / ES base ------------------------------------
        SET_DESC SEL_FSBASE, 0x10000, 0xFFFF, 0x92, 0x4
        SET_DESC SEL_ESBASE, 0x20000, 0xFFFF, 0x92, 0x4
        mov ax, SEL_FSBASE
        mov fs, ax
        mov ax, SEL_ESBASE
        mov es, ax
        mov esi, 0x10
        mov edi, 0x0
        mov ecx, 2
        fs rep movsd                    ; from 0x10010 to 0x20000
        mov ax, SEL_DATA32
        mov es, ax
        CHECK_EQ [0x20004], 0x17161514, "fs: rep movsd source override, ES base dest"
        mov ax, SEL_FSBASE
        mov fs, ax
        mov esi, 0x40
        fs lodsd
        CHECK_EQ eax, 0x43424140, "fs: lodsd"
        mov ax, SEL_ESBASE
        mov es, ax
        mov edi, 0x100
        mov eax, 0xcafef00d
        es stosd                        ; override ignored for destination... ES anyway
        mov edi, 0x104
        fs stosd                        ; FS override cannot redirect stos: still ES
        mov ax, SEL_DATA32
        mov es, ax
        CHECK_EQ [0x20104], 0xcafef00d, "fs stosd still writes ES:EDI"
        mov esi, SRC + 0x40
        mov ax, SEL_ESBASE
        mov gs, ax
        mov esi, 0x100
        mov edi, SRC + 0x80 - 0x10000 + 0x10000
        gs cmpsd                        ; gs:[0x100]=cafef00d vs [SRC+0x80]=83828180
        CHECK_FLAGS F_ZF|F_CF, 0, "gs: cmpsd source override compares"
        FINISH
END_IMAGE
