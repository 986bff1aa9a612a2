/* REM against IEM on identical VMs (rem_diff.h). Time is frozen (--icount
 * with no accounting), so RDTSC and the timers read the same in both. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "pgm/tlb.h"
#include "rem/rem.h"
#include "rem_diff.h"
#include "testvm.h"
#include "vm/clock.h"

#define PT_BASE 0x30000u /* page tables (not compared) */
#define HANDLER_COMMON 0x2400u

/* Every exception handler restarts with a fresh stack and the vector added
 * to EAX, so one fault does not end the run. */
static void put_handlers(struct vm *vm, bool indirect)
{
    /* common: inc dword ss:[RD_FAULTS]; jmp ss:[RD_RESUME] (absolute, in
     * both modes; SS, as a program may have left DS with a base or a limit) */
    uint8_t common[16] = {0x36, 0xff, 0x04, 0x25, 0, 0, 0, 0, 0x36, 0xff, 0x24, 0x25};
    memcpy(common + 4, &(uint32_t){RD_FAULTS}, 4);
    memcpy(common + 12, &(uint32_t){RD_RESUME}, 4);
    pgm_load(&vm->pgm, HANDLER_COMMON, common, sizeof common);
    for (unsigned i = 0; i < 32; i++) {
        uint32_t at = TESTVM_HANDLER(i), rel = RD_RESTART - (at + 15);
        uint8_t h[15] = {0xbc, 0, 0, 0, 0, 0x05, (uint8_t)i, 0, 0, 0, 0xe9};
        memcpy(h + 1, &(uint32_t){TESTVM_STACK}, 4);
        if (indirect) { /* mov esp, imm32; add al, i; jmp common */
            uint8_t ind[12] = {0xbc, 0, 0, 0, 0, 0x04, (uint8_t)i, 0xe9};
            memcpy(ind + 1, &(uint32_t){TESTVM_STACK}, 4);
            memcpy(ind + 8, &(uint32_t){HANDLER_COMMON - (at + 12)}, 4);
            pgm_load(&vm->pgm, at, ind, sizeof ind);
            continue;
        }
        memcpy(h + 11, &rel, 4);
        pgm_load(&vm->pgm, at, h, sizeof h);
    }
}

static uint64_t page_flags(uint32_t addr)
{
    if (addr == RD_NP1 || addr == RD_NP2)
        return 0;
    return addr == RD_RO ? 1 : 3;
}

/* 32-bit paging (PD, PT) or 4-level paging (PML4, PDPT, PD with one PT
 * for the first 2 MiB and 2 MiB pages above), identity; in 4-level paging
 * the first GiB again at RD_HIGH. */
static void put_paging(struct vm *vm, bool l64)
{
    struct cpu *c = &vm->cpus[0].cpu;
    static uint32_t pt32[1024];
    static uint64_t pt64[512];

    if (!l64) {
        for (uint32_t i = 0; i < 1024; i++)
            pt32[i] = (i << 12) | (uint32_t)page_flags(i << 12);
        pgm_load(&vm->pgm, PT_BASE, &(uint32_t){(PT_BASE + 0x1000) | 3}, 4);
        pgm_load(&vm->pgm, PT_BASE + 0x1000, pt32, sizeof pt32);
    } else {
        for (uint32_t i = 0; i < 512; i++)
            pt64[i] = ((uint64_t)i << 12) | page_flags(i << 12);
        pgm_load(&vm->pgm, PT_BASE + 0x3000, pt64, sizeof pt64);
        for (uint32_t i = 0; i < 8; i++)
            pt64[i] = i ? ((uint64_t)i << 21) | 0x83 : (PT_BASE + 0x3000) | 3;
        pgm_load(&vm->pgm, PT_BASE + 0x2000, pt64, 8 * 8);
        pgm_load(&vm->pgm, PT_BASE, &(uint64_t){(PT_BASE + 0x1000) | 3}, 8);
        pgm_load(&vm->pgm, PT_BASE + 256 * 8, &(uint64_t){(PT_BASE + 0x1000) | 3}, 8); /* RD_HIGH */
        pgm_load(&vm->pgm, PT_BASE + 0x1000, &(uint64_t){(PT_BASE + 0x2000) | 3}, 8);
        c->cr4 |= CR4_PAE;
        c->efer |= EFER_LME | EFER_LMA;
        c->seg[S_CS].attr = 0xa09b;
    }
    c->cr3 = PT_BASE;
    c->cr0 |= CR0_PG | CR0_WP;
    tlb_mode_changed(&vm->cpus[0]);
    iem_flush(&vm->cpus[0]);
}

/* 64-bit code segment and 16-byte gates at the places testvm_idt uses. */
static void put_idt64(struct vm *vm)
{
    static const uint64_t gdt[3] = {0, 0x00af9a000000ffffull, 0x00cf92000000ffffull};
    struct cpu *c = &vm->cpus[0].cpu;
    uint64_t idt[64];

    for (unsigned i = 0; i < 32; i++) {
        uint64_t off = TESTVM_HANDLER(i);
        idt[2 * i] = (off & 0xffff) | (0x08ull << 16) | (0x8eull << 40) | ((off >> 16 & 0xffff) << 48);
        idt[2 * i + 1] = off >> 32;
    }
    pgm_load(&vm->pgm, TESTVM_GDT, gdt, sizeof gdt);
    pgm_load(&vm->pgm, TESTVM_IDT, idt, sizeof idt);
    c->idtr.limit = sizeof idt - 1;
}

/* The data descriptors of rem_diff.h's RD_SEL_* after the flat code and
 * data ones (in 64-bit mode only FS and GS take their base). */
static void put_gdt_extra(struct vm *vm)
{
    static const uint64_t extra[] = {
        0x00cf93001000ffffull, /* 0x18: base 0x1000, 4 GiB */
        0x004093000000a7ffull, /* 0x20: base 0, limit 0xa7ff */
        0xffcf93fff000ffffull, /* 0x28: base 0xfffff000, 4 GiB: offsets wrap */
        0x00cf91000000ffffull, /* 0x30: read-only, flat */
        0x0040970000008fffull, /* 0x38: expand-down above 0x8fff */
        0x00cf92000000ffffull, /* 0x40: flat, writable (not accessed yet) */
        0x0040930038007fffull, /* 0x48: base 0x3800, limit 0x7fff */
    };
    pgm_load(&vm->pgm, TESTVM_GDT + 0x18, extra, sizeof extra);
    vm->cpus[0].cpu.gdtr.limit = 0x18 + sizeof extra - 1;
}

struct vm *rd_make_vm(const uint8_t *code, size_t n, const uint64_t gpr[16], unsigned tier,
                      const struct rd_setup *s)
{
    struct vm *vm = testvm_pm32(0);
    testvm_idt(vm);
    if (s->mode == RD_LONG64)
        put_idt64(vm);
    put_gdt_extra(vm);
    if (s->mode != RD_PM32)
        put_paging(vm, s->mode == RD_LONG64);
    if (s->mode == RD_LONG64) /* WRFSBASE/WRGSBASE */
        vm->cpus[0].cpu.cr4 |= CR4_FSGSBASE;
    put_handlers(vm, s->indirect);
    pgm_load(&vm->pgm, RD_CODE, code, n);
    clock_set_icount(vm_clock(vm), true, 0);
    struct vcpu *v = &vm->cpus[0];
    for (unsigned r = 0; r < 16; r++)
        if (r != R_SP)
            v->cpu.gpr[r] = gpr[r];
    /* XMM registers and YMM upper halves from the same values: lanes that
     * differ and lanes that are equal (PCMPEQ*) */
    for (unsigned r = 0; r < 16; r++) {
        memcpy(v->cpu.xmm[r], &gpr[r], 8);
        memcpy(v->cpu.xmm[r] + 8, &gpr[(r + 1) & 7], 8);
        memcpy(v->cpu.ymmh[r], &gpr[(r + 3) & 15], 8);
    }
    v->cpu.rip = RD_CODE;
    vm->cfg.cpu_model = s->cpu_model;
    vm->cfg.rem_tier = tier;
    vm->cfg.rem_hot = 1;
    if (tier)
        cr_assert_eq(rem_init(v), 0, "rem_init");
    return vm;
}

void rd_free_vm(struct vm *vm)
{
    rem_fini(&vm->cpus[0]);
    vm_destroy(vm);
}

const char *rd_differs(struct vm *a, struct vm *b, char *buf, size_t len)
{
    struct cpu *x = &a->cpus[0].cpu, *y = &b->cpus[0].cpu;
    static uint8_t ma[RD_MEM_CMP], mb[RD_MEM_CMP];

    for (unsigned r = 0; r < 16; r++)
        if (x->gpr[r] != y->gpr[r]) {
            snprintf(buf, len, "gpr%u iem %llx rem %llx", r, (unsigned long long)x->gpr[r],
                     (unsigned long long)y->gpr[r]);
            return buf;
        }
    if (x->rip != y->rip || cpu_get_flags(x) != cpu_get_flags(y) || x->cr2 != y->cr2) {
        snprintf(buf, len, "rip %llx/%llx flags %llx/%llx cr2 %llx/%llx", (unsigned long long)x->rip,
                 (unsigned long long)y->rip, (unsigned long long)cpu_get_flags(x),
                 (unsigned long long)cpu_get_flags(y), (unsigned long long)x->cr2,
                 (unsigned long long)y->cr2);
        return buf;
    }
    for (unsigned s = 0; s < 6; s++)
        if (x->seg[s].sel != y->seg[s].sel || x->seg[s].base != y->seg[s].base ||
            x->seg[s].limit != y->seg[s].limit || x->seg[s].attr != y->seg[s].attr) {
            snprintf(buf, len, "segment %u: sel %x/%x base %llx/%llx", s, x->seg[s].sel, y->seg[s].sel,
                     (unsigned long long)x->seg[s].base, (unsigned long long)y->seg[s].base);
            return buf;
        }
    if (x->kernel_gs_base != y->kernel_gs_base) {
        snprintf(buf, len, "kernel_gs_base %llx/%llx", (unsigned long long)x->kernel_gs_base,
                 (unsigned long long)y->kernel_gs_base);
        return buf;
    }
    for (unsigned r = 0; r < 16; r++)
        for (unsigned i = 0; i < 16; i++)
            if (x->xmm[r][i] != y->xmm[r][i] || x->ymmh[r][i] != y->ymmh[r][i]) {
                snprintf(buf, len, "%s%u byte %u: iem %02x rem %02x", x->xmm[r][i] != y->xmm[r][i] ? "xmm" : "ymmh",
                         r, i, x->xmm[r][i] != y->xmm[r][i] ? x->xmm[r][i] : x->ymmh[r][i],
                         x->xmm[r][i] != y->xmm[r][i] ? y->xmm[r][i] : y->ymmh[r][i]);
                return buf;
            }
    if (x->cr0 != y->cr0 || x->cr4 != y->cr4 || x->xcr0 != y->xcr0) {
        snprintf(buf, len, "cr0 %llx/%llx cr4 %llx/%llx xcr0 %llx/%llx", (unsigned long long)x->cr0,
                 (unsigned long long)y->cr0, (unsigned long long)x->cr4, (unsigned long long)y->cr4,
                 (unsigned long long)x->xcr0, (unsigned long long)y->xcr0);
        return buf;
    }
    if (a->cpus[0].insns != b->cpus[0].insns) {
        snprintf(buf, len, "retired iem %llu rem %llu", (unsigned long long)a->cpus[0].insns,
                 (unsigned long long)b->cpus[0].insns);
        return buf;
    }
    pgm_read(&a->pgm, 0, ma, RD_MEM_CMP);
    pgm_read(&b->pgm, 0, mb, RD_MEM_CMP);
    for (unsigned i = 0; i < RD_MEM_CMP; i++)
        if (ma[i] != mb[i]) {
            snprintf(buf, len, "memory at %#x: iem %02x rem %02x", i, ma[i], mb[i]);
            return buf;
        }
    return NULL;
}

void rd_run_both(const uint8_t *code, size_t n, const uint64_t gpr[16], uint64_t max, const char *what,
                 const struct rd_setup *s, struct rd_stats *st)
{
    struct vm *a = rd_make_vm(code, n, gpr, 0, s);
    int ra = iem_exec(&a->cpus[0], max);

    for (unsigned tier = 1; tier <= 2; tier++) {
        struct vm *b = rd_make_vm(code, n, gpr, tier, s);
        int rb = rem_exec(&b->cpus[0], max);
        char buf[160];
        const char *d = ra != rb ? "status" : rd_differs(a, b, buf, sizeof buf);
        cr_expect_null(d, "%s: REM tier %u differs from IEM: %s (status iem %d rem %d)", what, tier,
                       d ? d : "", ra, rb);
        struct rem_counts cnt;
        rem_get_counts(&b->cpus[0], &cnt);
        if (tier == 2)
            st->native += cnt.native_insns;
        rd_free_vm(b);
    }
    uint32_t faults = 0;
    pgm_read(&a->pgm, RD_FAULTS, &faults, 4);
    st->faults += faults;
    st->insns += a->cpus[0].insns;
    rd_free_vm(a);
}
