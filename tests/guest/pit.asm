; pit.asm - 8254 modes seen through port 0x61 (counter 2: GATE = bit 0,
; OUT = bit 5) and the latch/read-back commands; counter 0 serves as the
; time base (mode 2, full count, for the mode 3 period; then mode 0
; one-shots, lib/pit.inc, for the waits later checks need). Interrupts stay
; off. QEMU TCG keeps mode 1's OUT low after the count, has no null count
; and reads BCD counts in binary: those checks are skipped there.
%include "lib/pm32.inc"
%include "lib/pit.inc"
%macro CTR2 2                           ; control word, 16-bit count (LSB/MSB)
        mov al, %1
        out 0x43, al
        mov ax, %2
        out 0x42, al
        mov al, ah
        out 0x42, al
%endmacro
%macro GATE 1
        in al, 0x61
        and al, 0xfc
        or al, %1
        out 0x61, al
%endmacro
; waits until OUT2 == %1 (0 or 0x20) or a timeout; EAX = 1 when seen
%macro WAIT_OUT 1
        mov ecx, 20000000
%%w:    in al, 0x61
        and al, 0x20
        cmp al, %1
        je %%ok
        dec ecx
        jnz %%w
        xor eax, eax
        jmp %%e
%%ok:   mov eax, 1
%%e:
%endmacro
; EAX = latched count of counter %1 (0 or 2)
%macro LATCH 1
        mov al, %1 << 6
        out 0x43, al
        in al, 0x40 + %1
        mov ah, al
        in al, 0x40 + %1
        xchg al, ah
        movzx eax, ax
%endmacro
main:
        ; time base: counter 0, mode 2, count 65536
        mov al, 0x34
        out 0x43, al
        xor al, al
        out 0x40, al
        out 0x40, al
        ; mode 0: OUT low after the control word, high at terminal count
        GATE 1
        CTR2 0xb0, 20000
        in al, 0x61
        movzx eax, al
        CHECK_MASK eax, 0, 0x20, "mode 0: OUT2 low while counting"
        LATCH 2
        mov ebx, eax
        cmp ebx, 20000
        setbe al
        movzx eax, al
        CHECK_EQ eax, 1, "mode 0: latched count <= initial count"
        WAIT_OUT 0x20
        CHECK_EQ eax, 1, "mode 0: OUT2 goes high at terminal count"
        LATCH 2
        cmp eax, 20000
        seta al
        movzx eax, al
        CHECK_EQ eax, 1, "mode 0: the count wraps past zero and keeps counting"
        ; mode 1: GATE rising edge triggers a one-shot low pulse
        GATE 0
        CTR2 0xb2, 3000
        in al, 0x61
        movzx eax, al
        CHECK_MASK eax, 0x20, 0x20, "mode 1: OUT2 high before the trigger"
        GATE 1
        WAIT_OUT 0
        CHECK_EQ eax, 1, "mode 1: OUT2 low after the GATE trigger"
        UNLESS_TCG "mode 1: OUT2 high again after the count"
        WAIT_OUT 0x20
        CHECK_EQ eax, 1, "mode 1: OUT2 high again after the count"
        END_UNLESS_TCG
        ; mode 3: square wave; eight rising-to-rising intervals measured with
        ; counter 0, one must be right (a busy host preempting the poll loop
        ; stretches or shrinks the others by whole milliseconds)
        CTR2 0xb6, 2000
        xor edi, edi
        mov edx, 8
.sq:    WAIT_OUT 0
        WAIT_OUT 0x20
        LATCH 0
        mov esi, eax
        WAIT_OUT 0
        WAIT_OUT 0x20
        LATCH 0
        sub esi, eax
        and esi, 0xffff                 ; counter 0 counts down
        cmp esi, 1900
        jb .sqn
        cmp esi, 2150
        ja .sqn
        inc edi
.sqn:   dec edx
        jnz .sq
        cmp edi, 1
        setae al
        movzx eax, al
        CHECK_EQ eax, 1, "mode 3: a period of 2000 clocks lasts ~2000 clocks of counter 0"
        ; mode 2: the count runs N..1 and reloads
        CTR2 0xb4, 100
        mov ecx, 200
        xor ebx, ebx
.m2:    LATCH 2
        test eax, eax
        jz .bad
        cmp eax, 100
        ja .bad
        jmp .next
.bad:   inc ebx
.next:  loop .m2
        CHECK_EQ ebx, 0, "mode 2: 200 latched counts all within 1..100"
        ; mode 4: software strobe; the count wraps after zero
        CTR2 0xb8, 500
        PIT0_DELAY 1000                 ; the 500 clocks run out
        LATCH 2
        cmp eax, 500
        seta al
        movzx eax, al
        CHECK_EQ eax, 1, "mode 4: count wrapped past zero"
        ; mode 5: GATE-triggered strobe
        GATE 0
        CTR2 0xba, 30000
        GATE 1
        LATCH 2
        mov ebx, eax
        LATCH 2
        cmp eax, ebx
        setbe al
        cmp ebx, 30000
        setbe ah
        and al, ah
        movzx eax, al
        CHECK_EQ eax, 1, "mode 5: counting down after the trigger"
        ; latch: a latched value holds until read
        CTR2 0xb4, 50000
        PIT0_DELAY 10
        mov al, 0x80
        out 0x43, al
        PIT0_DELAY 10                   ; the counter moves on
        in al, 0x42
        mov bl, al
        in al, 0x42
        mov bh, al
        movzx ebx, bx
        LATCH 2
        cmp eax, ebx
        setb al
        movzx eax, al
        CHECK_EQ eax, 1, "latch: the held count is older than a fresh one"
        ; read-back: status byte (OUT, null count, RW, mode, BCD)
        UNLESS_TCG "read-back status: null count and a held status"
        mov al, 0xb6
        out 0x43, al
        mov al, 0xe8                    ; status only, counter 2
        out 0x43, al
        in al, 0x42
        movzx eax, al
        CHECK_MASK eax, 0x76, 0x7f, "read-back status after a control word: null count, RW=3, mode 3"
        mov al, 0xe8
        out 0x43, al
        mov al, 0xd8                    ; count and status latched together
        out 0x43, al
        in al, 0x42                     ; the status of the first read-back stays
        movzx eax, al
        CHECK_MASK eax, 0x76, 0x7f, "read-back: a second status latch is ignored"
        mov ax, 4000
        out 0x42, al
        mov al, ah
        out 0x42, al
        PIT0_DELAY 4                    ; the next clock moves the count into CE
        mov al, 0xe8
        out 0x43, al
        in al, 0x42
        movzx eax, al
        CHECK_MASK eax, 0x36, 0x7f, "read-back status after the count is loaded: null count 0"
        END_UNLESS_TCG
        ; BCD: mode 0 with count 1000 (0x1000 in BCD)
        UNLESS_TCG "BCD mode: every digit of the count is 0-9"
        CTR2 0xb1, 0x1000
        mov ecx, 100
.d8:    loop .d8
        LATCH 2
        mov ebx, eax
        xor edx, edx
        mov ecx, 4
.nib:   mov eax, ebx
        and eax, 15
        cmp eax, 9
        jbe .nok
        inc edx
.nok:   shr ebx, 4
        loop .nib
        CHECK_EQ edx, 0, "BCD mode: every digit of the count is 0-9"
        END_UNLESS_TCG
        GATE 0
        FINISH
END_IMAGE
