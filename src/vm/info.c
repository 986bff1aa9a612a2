/* Info items: mode, cr3, tlb, ram, tb, engines. Each reads the owner's own records
 * (PGM, the vCPU state, the TLB); none changes anything, so they are safe
 * at any stop, including after a guru meditation. */
#include "vm/info.h"

#include <stdio.h>
#include <string.h>

#include "pgm/tlb.h"
#include "em/em.h"
#include "vm/vm.h"

static void info_mode(struct vm *vm, int fd)
{
    pgm_info_mode(&vm->pgm, fd);
}

static void info_cr3(struct vm *vm, int fd)
{
    for (unsigned i = 0; i < vm->ncpus; i++) {
        const struct cpu *c = &vm->cpus[i].cpu;
        struct pgm_walk regs = pgm_walk_regs(c);
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

/* The translation caches of the engines that have one (REM). */
static void info_tb(struct vm *vm, int fd)
{
    for (unsigned i = 0; i < vm->ncpus; i++) {
        struct vcpu *v = &vm->cpus[i];
        if (v->engine && v->engine->info && v->engine->id != ENGINE_HM)
            v->engine->info(v, fd);
        else
            dprintf(fd, "cpu%u: %s keeps no translations\n", i, v->engine ? v->engine->name : "no engine");
    }
}

static void info_engines(struct vm *vm, int fd)
{
    for (unsigned i = 0; i < vm->ncpus; i++) {
        const struct vcpu *v = &vm->cpus[i];
        dprintf(fd, "cpu%u: %s, %llu instructions retired\n", i, v->engine ? v->engine->name : "none",
                (unsigned long long)v->insns);
        if (v->engine && v->engine->id == ENGINE_HM && v->engine->info) /* time in KVM and in IEM */
            v->engine->info((struct vcpu *)v, fd);
    }
}

static const struct {
    const char *name;
    void (*fn)(struct vm *vm, int fd);
} items[] = {
    {"mode", info_mode},
    {"cr3", info_cr3},
    {"tlb", info_tlb},
    {"ram", info_ram},
    {"tb", info_tb},
    {"engines", info_engines},
};

const char vm_info_names[] = "mode, cr3, tlb, ram, tb, engines";

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
