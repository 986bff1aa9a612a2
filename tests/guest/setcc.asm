; setcc.asm - setcc (register and memory) and cmovcc (r32, r16 from memory)
; for all 16 conditions against a set of flag combinations (gen/cc.inc), plus
; jcc rel8 and rel32 for all 16 conditions.
%include "lib/pm32.inc"
%include "lib/table.inc"
main:
        RUN_TABLE cc
        ; jcc: for each condition, flags = a combination where it is true and
        ; where it is false.  Result: 1 taken / 0 not taken.
%macro JCC_TEST 3 ; cc, flags-true, flags-false
        push dword %2 | 2
        popfd
        mov eax, 0
        j%1 short %%t1
        jmp %%n1
%%t1:   mov eax, 1
%%n1:   CHECK_EQ eax, 1, "j", %str(%1), " rel8 taken"
        push dword %3 | 2
        popfd
        mov eax, 0
        j%1 near %%t2
        jmp %%n2
%%t2:   mov eax, 1
%%n2:   CHECK_EQ eax, 0, "j", %str(%1), " rel32 not taken"
        push dword %2 | 2
        popfd
        mov eax, 0
        j%1 near %%t3
        jmp %%n3
        times 200 nop
%%t3:   mov eax, 1
%%n3:   CHECK_EQ eax, 1, "j", %str(%1), " rel32 taken (far target)"
%endmacro
        JCC_TEST o, F_OF, 0
        JCC_TEST no, 0, F_OF
        JCC_TEST b, F_CF, 0
        JCC_TEST ae, 0, F_CF
        JCC_TEST e, F_ZF, 0
        JCC_TEST ne, 0, F_ZF
        JCC_TEST be, F_ZF, 0
        JCC_TEST a, 0, F_CF
        JCC_TEST s, F_SF, 0
        JCC_TEST ns, 0, F_SF
        JCC_TEST p, F_PF, 0
        JCC_TEST np, 0, F_PF
        JCC_TEST l, F_SF, F_SF|F_OF
        JCC_TEST ge, F_SF|F_OF, F_OF
        JCC_TEST le, F_ZF, F_SF|F_OF
        JCC_TEST g, F_SF|F_OF, F_OF|F_ZF|F_SF
        FINISH
%include "gen/cc.inc"
END_IMAGE
