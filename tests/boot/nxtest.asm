; nxtest - the boot guests' NX probe (i386 Linux, static, no libc): copies
; "exit(0)" into a fresh read/write, not executable page and calls it.
; Exit status 0: the page ran (no NX: 32-bit paging, or a CPU without NX);
; killed by SIGSEGV: the fetch faulted on the page's XD bit, which only PAE
; and 4-level page tables have.  2: mmap failed, 3: the call returned.
; Linked with -z noexecstack: without PT_GNU_STACK an i386 process gets
; READ_IMPLIES_EXEC and every readable mapping executes.
        bits 32
        global _start
        section .text
_start:
        mov eax, 192                    ; mmap2(NULL, 4096, PROT_READ | PROT_WRITE,
        xor ebx, ebx                    ;       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        mov ecx, 4096
        mov edx, 3
        mov esi, 0x22
        mov edi, -1
        xor ebp, ebp
        int 0x80
        cmp eax, -4096
        ja .no_map
        mov esi, payload
        mov edi, eax
        mov ecx, payload_len
        cld
        rep movsb
        call eax
        mov ebx, 3
        jmp .exit
.no_map:
        mov ebx, 2
.exit:
        mov eax, 1
        int 0x80

        section .rodata
payload:
        mov eax, 1                      ; exit(0)
        xor ebx, ebx
        int 0x80
payload_len equ $ - payload
