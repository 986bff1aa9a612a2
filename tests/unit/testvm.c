/* The interpreter test VM (testvm.h), shared by the unit tests. */
#include <criterion/criterion.h>

#include "testvm.h"

struct vm *testvm_pm32(uint64_t extra_cr0)
{
    struct vm_config cfg = {.ram_size = 16u << 20, .ncpus = 1, .nodefaults = true};
    char err[256] = "";
    struct vm *vm;
    struct cpu *c;

    cr_assert_eq(vm_create(&cfg, &vm, err, sizeof err), 0, "vm_create: %s", err);
    c = &vm->cpus[0].cpu;
    c->cr0 |= CR0_PE | extra_cr0;
    for (unsigned s = 0; s < 6; s++)
        c->seg[s] = (struct cpu_seg){.sel = s == S_CS ? 0x08 : 0x10, .base = 0, .limit = 0xffffffffu,
                                     .attr = s == S_CS ? 0xc09b : 0xc093};
    c->cpl = 0;
    cpu_set_flags(c, F_1);
    c->gpr[R_SP] = TESTVM_STACK;
    iem_flush(&vm->cpus[0]);
    return vm;
}

void testvm_idt(struct vm *vm)
{
    static const uint64_t gdt[3] = {0, 0x00cf9a000000ffffull, 0x00cf92000000ffffull};
    struct cpu *c = &vm->cpus[0].cpu;
    uint64_t idt[32];

    for (unsigned i = 0; i < 32; i++) {
        uint64_t off = TESTVM_HANDLER(i);
        idt[i] = (off & 0xffff) | (0x08ull << 16) | (0x8eull << 40) | ((off >> 16) << 48);
    }
    pgm_load(&vm->pgm, TESTVM_GDT, gdt, sizeof gdt);
    pgm_load(&vm->pgm, TESTVM_IDT, idt, sizeof idt);
    c->gdtr.base = TESTVM_GDT;
    c->gdtr.limit = sizeof gdt - 1;
    c->idtr.base = TESTVM_IDT;
    c->idtr.limit = sizeof idt - 1;
}
