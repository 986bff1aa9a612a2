; gdbstub.elf.asm - the target of the gdb stub test (tests/dbg/gdb.sh):
; calls bump five times (counter 1..5), then exits through isa-debug-exit
; with `result`, which the test sets from gdb. Run alone it exits with
; status 1 (result 0).
        bits 32
        global _start, bump, counter, result, finish
        section .text
        align 4
mb_header:
        dd 0x1badb002, 0, -0x1badb002   ; Multiboot v1, ELF: no flags needed
_start:
        mov esp, stack_top
        xor ecx, ecx
.again: call bump
        inc ecx
        cmp ecx, 5
        jne .again
finish: mov eax, [result]
        mov dx, 0xf4
        out dx, al                      ; exit status (result << 1) | 1
.halt:  cli
        hlt
        jmp .halt
bump:   add dword [counter], 1
        ret
        section .data
counter: dd 0
result: dd 0
        section .bss
        resb 4096
stack_top:
