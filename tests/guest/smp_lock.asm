; smp_lock.asm - (-smp 4) LOCK-prefixed read-modify-writes are atomic
; between vCPUs. The BSP starts every AP with a broadcast INIT-SIPI-SIPI;
; then all CPUs at once run ITERS rounds, each of which adds 1 to a set of
; shared counters, every one with another locked instruction:
;   LOCK ADD, LOCK XADD, a LOCK CMPXCHG retry loop, a LOCK CMPXCHG8B retry
;   loop, a plain INC inside a spinlock taken with LOCK BTS (released with
;   LOCK BTR), XCHG as a second spinlock, LOCK INC of a word that crosses
;   an 8-byte boundary, and LOCK ADD of a dword that crosses a page.
; Each total must be exactly (1 + APs) * ITERS: one lost update fails it.
; The counters sit on pages that hold no code (the slow write path of a
; code page is covered by the trampoline's LOCK INC).
%include "lib/pm32.inc"
%include "lib/apic.inc"
%include "lib/smp.inc"
ITERS       equ 1000000
AP_READY    equ RES + 0x10
GO          equ RES + 0x14
DONE        equ RES + 0x18
AP_STACK    equ RES + 0x1C
DATA        equ 0x300000                ; the shared counters, away from the image
C_ADD       equ DATA + 0x00
C_XADD      equ DATA + 0x40
C_CMPX      equ DATA + 0x80
C_CX8       equ DATA + 0xC0             ; qword
C_BTS       equ DATA + 0x100            ; guarded by bit 3 of LOCKW
LOCKW       equ DATA + 0x104
C_XCHG      equ DATA + 0x140            ; guarded by XLOCK
XLOCK       equ DATA + 0x144
C_SPLIT8    equ DATA + 0x187            ; word over an 8-byte boundary
C_PAGE      equ DATA + 0xFFE            ; dword over a page boundary

%macro IPI_ALL 1                        ; ICR low to all excluding self
        mov dword [A_ICR2], 0
        mov dword [A_ICR], %1
%endmacro

main:
        mov dword [A_SVR], 0x1FF
        mov dword [AP_STACK], 0x80000
        mov dword [LOCKW], 0x80000001    ; bits the lock must leave alone
        COPY_TRAMPOLINE
        IPI_ALL 0x000C4500               ; INIT, assert
        DELAY
        IPI_ALL 0x000C8500               ; INIT, de-assert (level)
        DELAY
        IPI_ALL 0x000C4609               ; SIPI vector 9
        DELAY
        IPI_ALL 0x000C4609               ; second SIPI: ignored by running APs
        WAIT_FOR AP_READY, 3
        CHECK_EQ [AP_READY], 3, "three APs reached protected mode"
        movzx eax, word [AP_ALIVE]
        CHECK_EQ eax, 3, "each AP started once (LOCK INC on the trampoline's code page)"
        mov dword [GO], 1
        call work
.wait:  pause
        cmp dword [DONE], 3
        jb .wait
        mov ebx, [AP_READY]
        inc ebx
        imul ebx, ebx, ITERS            ; every CPU's rounds
        CHECK_EQ [C_ADD], ebx, "LOCK ADD total"
        CHECK_EQ [C_XADD], ebx, "LOCK XADD total"
        CHECK_EQ [C_CMPX], ebx, "LOCK CMPXCHG loop total"
        CHECK_EQ [C_CX8], ebx, "LOCK CMPXCHG8B loop total (low dword)"
        CHECK_EQ [C_CX8 + 4], 0, "LOCK CMPXCHG8B loop total (high dword)"
        CHECK_EQ [C_BTS], ebx, "increments under a LOCK BTS spinlock"
        CHECK_EQ [LOCKW], 0x80000001, "LOCK BTS/BTR lock word free, other bits intact"
        CHECK_EQ [C_XCHG], ebx, "increments under an XCHG spinlock"
        movzx eax, word [C_SPLIT8]
        mov ecx, ebx
        and ecx, 0xFFFF
        CHECK_EQ eax, ecx, "LOCK INC of a word across 8 bytes (mod 2^16)"
        CHECK_EQ [C_PAGE], ebx, "LOCK ADD of a dword across a page"
        FINISH

; One CPU's share: ITERS rounds over every counter. Clobbers everything
; but ESP.
work:
        mov ebp, ITERS
.round:
        lock add dword [C_ADD], 1
        mov eax, 1
        lock xadd [C_XADD], eax
.cmpx:  mov eax, [C_CMPX]
        lea edx, [eax + 1]
        lock cmpxchg [C_CMPX], edx
        jnz .cmpx
.cx8:   mov eax, [C_CX8]
        mov edx, [C_CX8 + 4]
        mov ebx, eax
        mov ecx, edx
        add ebx, 1
        adc ecx, 0
        lock cmpxchg8b [C_CX8]
        jnz .cx8
.bts:   lock bts dword [LOCKW], 3
        jnc .btsok
        pause
        jmp .bts
.btsok: inc dword [C_BTS]
        lock btr dword [LOCKW], 3
.xchg:  mov eax, 1
        xchg [XLOCK], eax
        test eax, eax
        jz .xok
        pause
        jmp .xchg
.xok:   inc dword [C_XCHG]
        mov dword [XLOCK], 0
        lock inc word [C_SPLIT8]
        lock add dword [C_PAGE], 1
        dec ebp
        jnz .round
        ret

; the AP's 32-bit side: its own stack, then the same work
ap_pm32:
        mov ax, SEL_DATA32
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, -0x1000
        lock xadd [AP_STACK], esp        ; ESP = this AP's stack top
        lidt [idt_desc]
        lock inc dword [AP_READY]
.go:    pause
        cmp dword [GO], 0
        je .go
        call work
        lock inc dword [DONE]
.idle:  hlt
        jmp .idle

        AP_TRAMPOLINE ap_pm32
END_IMAGE
