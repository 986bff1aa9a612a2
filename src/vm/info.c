/* Info items: mode, cr3, tlb, ram. Each reads the owner's own records
 * (PGM, the vCPU state, the TLB); none changes anything, so they are safe
 * at any stop, including after a guru meditation. */
#include "vm/info.h"

#include <stdio.h>
#include <string.h>

#include "cpu/tlb.h"
#include "vm/vm.h"

static void info_mode(struct vm *vm, int fd)
{
    pgm_info_mode(&vm->pgm, fd);
}

static void info_cr3(struct vm *vm, int fd)
{
    for (unsigned i = 0; i < vm->ncpus; i++) {
        const struct cpu *c = &vm->cpus[i].cpu;
        struct pgm_walk regs = {.cr0 = c->cr0, .cr3 = c->cr3, .cr4 = c->cr4, .efer = c->efer,
                                .pdpte = c->pdpte_loaded ? c->pdpte : NULL};
        dprintf(fd, "vCPU %u:\n", i);
        pgm_info_cr3(&vm->pgm, &regs, fd);
    }
}

static void info_tlb(struct vm *vm, int fd)
{
    for (unsigned i = 0; i < vm->ncpus; i++)
        tlb_info(&vm->cpus[i], fd);
}

static void info_ram(struct vm *vm, int fd)
{
    pgm_info_ram(&vm->pgm, fd);
}

static const struct {
    const char *name;
    void (*fn)(struct vm *vm, int fd);
} items[] = {
    {"mode", info_mode},
    {"cr3", info_cr3},
    {"tlb", info_tlb},
    {"ram", info_ram},
};

const char vm_info_names[] = "mode, cr3, tlb, ram";

bool vm_info_known(const char *item)
{
    for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++)
        if (!strcmp(item, items[i].name))
            return true;
    return false;
}

int vm_info(struct vm *vm, const char *item, int fd)
{
    for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++)
        if (!strcmp(item, items[i].name)) {
            items[i].fn(vm, fd);
            return 0;
        }
    return -1;
}
