; realmode.asm - real-address mode (entered from the Multiboot protected
; mode environment): segment:offset addressing, 16-bit addressing modes
; and 64 KiB offset wrap, BP-based default SS, segment override, lds/les,
; far jmp/call/retf, int n / iret through the IVT (pushed FLAGS/CS/IP, IF and
; TF cleared), int3 / into / bound / #DE / #UD as IVT vectors with the
; faulting IP, push sp, pushf/popf, pusha/popa, enter/leave, 16-bit string
; ops, loop/jcxz, 32-bit operand and address prefixes, cpuid/rdtsc, and
; "unreal" mode (FS keeps the 4 GiB limit from protected mode).
%define HAVE_BLOB
%include "lib/pm32.inc"
%include "lib/realmode.inc"
PM_CPUID0 equ RES + 0x20               ; CPUID leaf 0 (EAX, EBX, ECX, EDX) seen in protected mode
main:
        xor eax, eax
        cpuid
        mov [PM_CPUID0], eax
        mov [PM_CPUID0 + 4], ebx
        mov [PM_CPUID0 + 8], ecx
        mov [PM_CPUID0 + 12], edx
        GO_REAL

        BLOB_BEGIN
rm_main:
        PASS "entered real mode"
        mov eax, cr0
        CHECK_MASK eax, 0, 1, "CR0.PE = 0"
        ; ---- segment arithmetic ---------------------------------------
        mov ax, 0x1000
        mov es, ax
        mov dword [es:0x10], 0x11223344
        mov eax, [fs:dword 0x10010]
        CHECK_EQ eax, 0x11223344, "ES=0x1000:[0x10] is linear 0x10010"
        mov ax, 0x1001
        mov ds, ax
        mov eax, [0]
        push word 0
        pop ds
        CHECK_EQ eax, 0x11223344, "DS=0x1001:[0] is linear 0x10010"
        ; 16-bit effective address wraps at 64 KiB
        mov dword [es:0x0004], 0x55667788          ; linear 0x10004
        mov bx, 0xfff0
        mov si, 0x0014
        mov eax, [es:bx + si]                      ; (0xfff0+0x14) & 0xffff = 4
        CHECK_EQ eax, 0x55667788, "[bx+si] wraps at 64 KiB"
        mov di, 0x0008
        mov eax, [es:di - 4]                        ; 8-4
        CHECK_EQ eax, 0x55667788, "[di-4] displacement"
        ; BP defaults to SS
        mov ax, 0x1000
        mov ss, ax
        mov bp, 0x10
        mov eax, [bp]
        xor bx, bx
        mov ss, bx
        CHECK_EQ eax, 0x11223344, "[bp] uses SS"
        mov ax, 0x1000
        mov gs, ax
        mov bp, 0x10
        mov eax, [gs:bp]
        CHECK_EQ eax, 0x11223344, "gs:[bp] override"
        ; lds / les
        mov word [0x3000], 0x0010
        mov word [0x3002], 0x1000
        lds si, [0x3000]
        mov eax, [si]
        mov bx, ds
        push word 0
        pop ds
        CHECK_EQ eax, 0x11223344, "lds si loads offset and segment"
        movzx ebx, bx
        CHECK_EQ ebx, 0x1000, "lds: DS = 0x1000"
        les di, [0x3000]
        mov ax, es
        movzx eax, ax
        CHECK_EQ eax, 0x1000, "les: ES"
        ; ---- unreal mode: FS keeps the 4 GiB limit -------------------------
        mov eax, [fs:dword 0x100000]
        CHECK_EQ eax, 0x1BADB002, "FS with cached 4 GiB limit reads 1 MiB (unreal mode)"
        ; ---- far control transfer ---------------------------------------------
        jmp 0x0000:.fj
        FAILMSG "jmp far skipped"
.fj:    mov ax, cs
        movzx eax, ax
        CHECK_EQ eax, 0, "jmp ptr16:16 keeps CS=0"
        ; code at 0x9000:0000 = linear 0x90000 is a far function
        mov esi, far_fn
        mov ax, 0x2000
        mov es, ax
        xor di, di
        mov cx, far_fn_end - far_fn
        rep movsb
        xor ax, ax
        mov es, ax
        mov sp, RM_STACK
        call 0x2000:0x0000
.after_call:
        mov bx, sp
        movzx ebx, bx
        CHECK_EQ ebx, RM_STACK, "call far / retf balance"
        CHECK_EQ eax, 0x2000, "far function ran with CS=0x2000"
        CHECK_EQ edx, .after_call, "call far pushed IP"
        ; ---- int / iret through the IVT -----------------------------------
        mov word [0x40 * 4], int40
        mov word [0x40 * 4 + 2], 0
        mov sp, RM_STACK
        push word 0x08d5
        popf
        int 0x40
.after_int:
        pushf
        pop ax
        CHECK_MASK eax, 0x8d7, 0xfff, "iret restores FLAGS"
        CHECK_EQ [RES], .after_int, "int pushes IP of the next instruction"
        CHECK_EQ [RES + 4], 0, "int pushes CS"
        CHECK_MASK [RES + 8], 0x8d7, 0xfff, "int pushes FLAGS"
        CHECK_MASK [RES + 12], 0, 0x300, "handler runs with IF=0 TF=0"
        CHECK_EQ [RES + 16], RM_STACK - 6, "int pushes 6 bytes"
        ; ---- exceptions through the IVT ------------------------------------
        xor bl, bl
        mov ax, 0x100
        TRY
        div bl
        CATCH 0, NOERR, "real mode #DE, IP at the divide"
        CHECK_EQ [exc_cs], 0, "real mode #DE pushed CS"
        TRY
        int3
.a3:    CATCH_AT 3, NOERR, .a3, "real mode int3"
        mov al, 0x7f
        add al, 1
        TRY
        into
.a4:    CATCH_AT 4, NOERR, .a4, "real mode into with OF=1"
        mov word [0x3000], 1
        mov word [0x3002], 5
        mov ax, 6
        TRY
        bound ax, [0x3000]
        CATCH 5, NOERR, "real mode bound #BR"
        TRY
        ud2
        CATCH 6, NOERR, "real mode ud2 #UD"
        ; ---- stack ---------------------------------------------------------
        mov sp, RM_STACK
        push sp
        pop ax
        movzx eax, ax
        CHECK_EQ eax, RM_STACK, "push sp pushes the value before the decrement"
        mov ax, 0x1111
        mov cx, 0x2222
        mov dx, 0x3333
        mov bx, 0x4444
        mov bp, 0x6666
        mov si, 0x7777
        mov di, 0x8888
        pusha
        mov bx, sp
        movzx ebx, bx
        CHECK_EQ ebx, RM_STACK - 16, "pusha pushes 8 words"
        CHECK_MASK [RM_STACK - 10], RM_STACK, 0xffff, "pusha pushes the original SP"
        xor ax, ax
        xor di, di
        popa
        CHECK_MASK edi, 0x8888, 0xffff, "popa DI"
        CHECK_MASK eax, 0x1111, 0xffff, "popa AX"
        pushfd
        mov bx, sp
        movzx ebx, bx
        CHECK_EQ ebx, RM_STACK - 4, "pushfd (o32) pushes 4 bytes"
        pop eax
        xor eax, 1 << 21                ; ID: writable on a CPU with CPUID
        push eax
        popfd
        pushfd
        pop ebx
        xor ebx, eax
        CHECK_MASK ebx, 0, 1 << 21, "popfd (o32) writes EFLAGS.ID in real mode"
        mov ebp, 0x12340000 | 0x7000
        enter 4, 1
        mov bx, sp
        movzx ebx, bx
        CHECK_EQ ebx, RM_STACK - 4 - 4, "enter 4,1 (16-bit)"
        CHECK_MASK ebp, RM_STACK - 2, 0xffff, "enter: BP = frame"
        leave
        CHECK_MASK ebp, 0x7000, 0xffff, "leave restores BP"
        ; ---- strings ---------------------------------------------------------
        mov si, 0x3000
        mov di, 0x3100
        mov dword [0x3000], 0x04030201
        mov cx, 2
        rep movsw
        CHECK_EQ [0x3100], 0x04030201, "rep movsw in real mode"
        CHECK_EQ ecx, 0, "rep movsw CX=0"
        mov ax, 0x1000
        mov es, ax
        mov di, 0xffff
        mov al, 0x99
        stosb
        CHECK_MASK [es:0xfffc], 0x99000000, 0xff000000, "stosb at ES:0xFFFF"
        xor ax, ax
        mov es, ax
        movzx edi, di
        CHECK_EQ edi, 0, "DI wraps to 0"
        std
        mov si, 0x3003
        lodsb
        cld
        CHECK_MASK eax, 0x04, 0xff, "std lodsb"
        movzx esi, si
        CHECK_EQ esi, 0x3002, "std lodsb decrements SI"
        ; ---- loops -----------------------------------------------------------
        mov ecx, 0x12340003
        xor ax, ax
.lp:    inc ax
        loop .lp
        movzx eax, ax
        CHECK_EQ eax, 3, "loop uses CX in real mode"
        CHECK_EQ ecx, 0x12340000, "loop keeps the upper half of ECX"
        mov cx, 0
        mov ax, 1
        jcxz .jz
        mov ax, 2
.jz:    movzx eax, ax
        CHECK_EQ eax, 1, "jcxz"
        ; ---- 32-bit operand / address size in real mode -------------------
        mov ebx, 0x3000
        mov dword [0x3000], 0xcafebabe
        mov eax, [ebx]
        CHECK_EQ eax, 0xcafebabe, "a32 [ebx] in real mode"
        mov eax, 0x10000
        mov ecx, 0x10
        mul ecx
        CHECK_EQ edx, 0, "o32 mul high"
        CHECK_EQ eax, 0x100000, "o32 mul in real mode"
        xor eax, eax
        cpuid
        CHECK_EQ eax, [PM_CPUID0], "cpuid 0 in real mode: max leaf as in protected mode"
        CHECK_EQ ebx, [PM_CPUID0 + 4], "cpuid 0 in real mode: vendor (EBX)"
        CHECK_EQ ecx, [PM_CPUID0 + 8], "cpuid 0 in real mode: vendor (ECX)"
        CHECK_EQ edx, [PM_CPUID0 + 12], "cpuid 0 in real mode: vendor (EDX)"
        rdtsc
        mov esi, eax
        mov edi, edx
        mov ecx, 1000
.tsc:   loop .tsc
        rdtsc
        sub eax, esi
        sbb edx, edi
        or eax, edx
        setnz al
        movzx eax, al
        CHECK_EQ eax, 1, "rdtsc in real mode: the TSC moves on"
        FINISH

int40:  RM_IRET_FRAME RES
        movzx eax, sp
        mov [RES + 16], eax
        iret

far_fn: mov ax, cs
        movzx eax, ax
        mov bp, sp
        movzx edx, word [bp]
        retf
far_fn_end:
        RM_LIB
        BLOB_END
END_IMAGE
