/*
 * Interpreter tests of the protected-mode descriptor checks (src/cpu/seg.c,
 * exc.c, iem_far.c, iem_sys.c): segment loads, call gates, INT/IRET
 * through the IDT with privilege changes, #DF/triple-fault escalation and
 * LAR/LSL. Each test builds a GDT/IDT/TSS in guest RAM, runs a few
 * instructions and looks at the vector taken (every IDT vector enters at
 * HANDLER(vec)), the pushed frame and the registers.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "cpu/cpu.h"
#include "vm/vm.h"

#define CODE_ADDR  0x1000u
#define HANDLERS   0x2000u
#define HANDLER(v) (HANDLERS + 16u * (v))
#define GDT_ADDR   0x3000u
#define IDT_ADDR   0x3400u
#define TSS_ADDR   0x4000u
#define GATE_TARGET 0x5000u
#define STACK0     0x9000u
#define STACK3     0x8000u

/* GDT selectors. */
enum {
    SEL_CODE0 = 0x08, SEL_DATA0 = 0x10, SEL_CODE3 = 0x18, SEL_DATA3 = 0x20, SEL_TSS = 0x28,
    SEL_NP = 0x30, SEL_XONLY = 0x38, SEL_GATE3 = 0x48, SEL_SMALL = 0x50, GDT_ENTRIES = 11,
};

static struct vm *vm;
static struct vcpu *vc;

static uint64_t seg_desc(uint32_t base, uint32_t limit, unsigned access, unsigned flags)
{
    return (limit & 0xffffull) | ((uint64_t)(base & 0xffffff) << 16) | ((uint64_t)access << 40) |
           ((uint64_t)((limit >> 16) & 0xf) << 48) | ((uint64_t)flags << 52) |
           ((uint64_t)(base >> 24) << 56);
}

static uint64_t gate_desc(uint16_t sel, uint32_t off, unsigned access, unsigned params)
{
    return (off & 0xffffull) | ((uint64_t)sel << 16) | ((uint64_t)params << 32) |
           ((uint64_t)access << 40) | ((uint64_t)(off >> 16) << 48);
}

static void put_gdt(unsigned sel, uint64_t d)
{
    cr_assert_eq(pgm_load(&vm->pgm, GDT_ADDR + (sel & ~7u), &d, 8), 0);
}

static void put_idt(unsigned vec, uint64_t d)
{
    cr_assert_eq(pgm_load(&vm->pgm, IDT_ADDR + 8 * vec, &d, 8), 0);
}

static uint32_t rd32(uint32_t addr)
{
    uint32_t v = 0;
    pgm_read(&vm->pgm, addr, &v, 4);
    return v;
}

static void load_seg(unsigned s, uint16_t sel, uint32_t attr)
{
    struct cpu_seg *g = &vc->cpu.seg[s];
    g->sel = sel;
    g->base = 0;
    g->limit = 0xffffffffu;
    g->attr = attr;
}

/* One vCPU in 32-bit flat protected mode at CPL 0, with a GDT, an IDT of
 * 256 interrupt gates whose handlers are HLT, and a 32-bit TSS whose ring-0
 * stack is SEL_DATA0:STACK0. */
static void setup(void)
{
    struct vm_config cfg = {.ram_size = 16u << 20, .ncpus = 1, .nodefaults = true};
    char err[256] = "";
    cr_assert_eq(vm_create(&cfg, &vm, err, sizeof err), 0, "vm_create: %s", err);
    vc = &vm->cpus[0];
    struct cpu *c = &vc->cpu;

    put_gdt(SEL_CODE0, seg_desc(0, 0xfffff, 0x9b, 0xc));
    put_gdt(SEL_DATA0, seg_desc(0, 0xfffff, 0x93, 0xc));
    put_gdt(SEL_CODE3, seg_desc(0, 0xfffff, 0xfb, 0xc));
    put_gdt(SEL_DATA3, seg_desc(0, 0xfffff, 0xf3, 0xc));
    put_gdt(SEL_TSS, seg_desc(TSS_ADDR, 0x67, 0x8b, 0));
    put_gdt(SEL_NP, seg_desc(0, 0xfffff, 0x13, 0xc));
    put_gdt(SEL_XONLY, seg_desc(0, 0xfffff, 0x99, 0xc));
    put_gdt(SEL_GATE3, gate_desc(SEL_CODE0, GATE_TARGET, 0xec, 1));
    put_gdt(SEL_SMALL, seg_desc(0, 0xfff, 0x93, 0x4));
    for (unsigned v = 0; v < 256; v++) {
        uint8_t hlt = 0xf4;
        put_idt(v, gate_desc(SEL_CODE0, HANDLER(v), 0x8e, 0));
        cr_assert_eq(pgm_load(&vm->pgm, HANDLER(v), &hlt, 1), 0);
    }
    uint32_t tss[26] = {0};
    tss[1] = STACK0;
    tss[2] = SEL_DATA0;
    tss[25] = 0x68u << 16; /* I/O bitmap beyond the limit */
    cr_assert_eq(pgm_load(&vm->pgm, TSS_ADDR, tss, sizeof tss), 0);

    c->cr0 |= CR0_PE;
    for (unsigned s = 0; s < 6; s++)
        load_seg(s, s == S_CS ? SEL_CODE0 : SEL_DATA0, s == S_CS ? 0xc09b : 0xc093);
    c->gdtr.base = GDT_ADDR;
    c->gdtr.limit = GDT_ENTRIES * 8 - 1;
    c->idtr.base = IDT_ADDR;
    c->idtr.limit = 256 * 8 - 1;
    c->tr = (struct cpu_seg){.sel = SEL_TSS, .base = TSS_ADDR, .limit = 0x67, .attr = 0x8b};
    c->ldtr = (struct cpu_seg){.attr = SEG_UNUSABLE};
    c->cpl = 0;
    cpu_set_flags(c, F_1);
    c->gpr[R_SP] = STACK0;
    iem_flush(vc);
}

static void teardown(void)
{
    vm_destroy(vm);
    vm = NULL;
}

/* Drops to ring 3 (flat code/data at DPL 3), as an IRET would. */
static void to_ring3(void)
{
    struct cpu *c = &vc->cpu;
    load_seg(S_CS, SEL_CODE3 | 3, 0xc0fb);
    load_seg(S_SS, SEL_DATA3 | 3, 0xc0f3);
    c->cpl = 3;
    c->gpr[R_SP] = STACK3;
    iem_flush(vc);
}

static int run(const void *code, size_t len, unsigned n)
{
    cr_assert_eq(pgm_load(&vm->pgm, CODE_ADDR, code, len), 0);
    iem_flush(vc);
    vc->cpu.rip = CODE_ADDR;
    return iem_exec(vc, n);
}

/* Checks that vector vec was taken at CPL 0 with error code err on top. */
static void expect_exc(unsigned vec, uint32_t err)
{
    cr_assert_eq(vc->cpu.rip, HANDLER(vec), "rip %#llx, expected vector %u",
                 (unsigned long long)vc->cpu.rip, vec);
    cr_assert_eq(vc->cpu.cpl, 0);
    cr_assert_eq(rd32((uint32_t)vc->cpu.gpr[R_SP]), err, "error code %#x, expected %#x",
                 rd32((uint32_t)vc->cpu.gpr[R_SP]), err);
}

TestSuite(seg, .init = setup, .fini = teardown);

static const uint8_t mov_ds_ax[] = {0x8e, 0xd8};
static const uint8_t mov_ss_ax[] = {0x8e, 0xd0};

Test(seg, mov_ds_null_is_unusable)
{
    vc->cpu.gpr[R_AX] = 0;
    cr_assert_eq(run(mov_ds_ax, 2, 1), 0);
    cr_assert_eq(vc->cpu.rip, CODE_ADDR + 2);
    cr_assert(vc->cpu.seg[S_DS].attr & SEG_UNUSABLE);
}

Test(seg, mov_ds_not_present)
{
    vc->cpu.gpr[R_AX] = SEL_NP;
    run(mov_ds_ax, 2, 1);
    expect_exc(X_NP, SEL_NP);
    cr_assert_eq(rd32((uint32_t)vc->cpu.gpr[R_SP] + 4), CODE_ADDR); /* faulting EIP */
    cr_assert_eq(vc->cpu.seg[S_DS].sel, SEL_DATA0);                /* unchanged */
}

Test(seg, mov_ds_execute_only)
{
    vc->cpu.gpr[R_AX] = SEL_XONLY;
    run(mov_ds_ax, 2, 1);
    expect_exc(X_GP, SEL_XONLY);
}

Test(seg, mov_ds_beyond_gdt_limit)
{
    vc->cpu.gpr[R_AX] = 0x1003; /* RPL and TI bits drop from the error code */
    run(mov_ds_ax, 2, 1);
    expect_exc(X_GP, 0x1000);
}

Test(seg, mov_ss_null)
{
    vc->cpu.gpr[R_AX] = 0;
    run(mov_ss_ax, 2, 1);
    expect_exc(X_GP, 0);
}

Test(seg, mov_ss_sets_shadow_and_accessed)
{
    vc->cpu.gpr[R_AX] = SEL_SMALL;
    cr_assert_eq(run(mov_ss_ax, 2, 1), 0);
    cr_assert(vc->cpu.inhibit_irq);
    cr_assert_eq(vc->cpu.inhibit_irq_rip, CODE_ADDR + 2);
    cr_assert_eq(vc->cpu.seg[S_SS].limit, 0xfff);
    uint8_t access = 0;
    pgm_read(&vm->pgm, GDT_ADDR + SEL_SMALL + 5, &access, 1);
    cr_assert_eq(access, 0x93);
}

Test(seg, mov_ds_dpl_violation_from_ring3)
{
    to_ring3();
    vc->cpu.gpr[R_AX] = SEL_DATA0 | 3;
    run(mov_ds_ax, 2, 1);
    expect_exc(X_GP, SEL_DATA0);
    /* Ring 3 -> 0: the TSS stack, with SS:ESP of ring 3 pushed. */
    uint32_t sp = (uint32_t)vc->cpu.gpr[R_SP];
    cr_assert_eq(sp, STACK0 - 24);
    cr_assert_eq(vc->cpu.seg[S_SS].sel, SEL_DATA0);
    cr_assert_eq(rd32(sp + 4), CODE_ADDR);
    cr_assert_eq(rd32(sp + 8), SEL_CODE3 | 3);
    cr_assert_eq(rd32(sp + 16), STACK3);
    cr_assert_eq(rd32(sp + 20), SEL_DATA3 | 3);
}

Test(seg, call_gate_to_ring0_and_retf_back)
{
    /* ring 3: push 0x1234; call far SEL_GATE3:0; at the target: retf 4 */
    static const uint8_t code[] = {0x68, 0x34, 0x12, 0, 0, 0x9a, 0, 0, 0, 0, SEL_GATE3 | 3, 0};
    static const uint8_t target[] = {0xca, 0x04, 0x00};
    cr_assert_eq(pgm_load(&vm->pgm, GATE_TARGET, target, sizeof target), 0);
    to_ring3();
    load_seg(S_DS, SEL_DATA0, 0xc093); /* DPL 0: must become null on the way out */
    cr_assert_eq(run(code, sizeof code, 2), 0);
    struct cpu *c = &vc->cpu;
    cr_assert_eq(c->rip, GATE_TARGET);
    cr_assert_eq(c->cpl, 0);
    cr_assert_eq(c->seg[S_CS].sel, SEL_CODE0);
    cr_assert_eq(c->seg[S_SS].sel, SEL_DATA0);
    uint32_t sp = (uint32_t)c->gpr[R_SP];
    cr_assert_eq(sp, STACK0 - 20);
    cr_assert_eq(rd32(sp), CODE_ADDR + sizeof code);
    cr_assert_eq(rd32(sp + 4), SEL_CODE3 | 3);
    cr_assert_eq(rd32(sp + 8), 0x1234); /* the copied parameter */
    cr_assert_eq(rd32(sp + 12), STACK3 - 4);
    cr_assert_eq(rd32(sp + 16), SEL_DATA3 | 3);

    cr_assert_eq(iem_exec(vc, 1), 0);
    cr_assert_eq(c->rip, CODE_ADDR + sizeof code);
    cr_assert_eq(c->cpl, 3);
    cr_assert_eq(c->seg[S_CS].sel, SEL_CODE3 | 3);
    cr_assert_eq(c->seg[S_SS].sel, SEL_DATA3 | 3);
    cr_assert_eq(c->gpr[R_SP], STACK3);
    cr_assert(c->seg[S_DS].attr & SEG_UNUSABLE);
}

Test(seg, call_gate_rpl_above_dpl)
{
    static const uint8_t code[] = {0x9a, 0, 0, 0, 0, SEL_GATE3 | 3, 0};
    put_gdt(SEL_GATE3, gate_desc(SEL_CODE0, GATE_TARGET, 0x8c, 0)); /* gate DPL 0 */
    to_ring3();
    run(code, sizeof code, 1);
    expect_exc(X_GP, SEL_GATE3);
}

Test(seg, int_not_present_gate)
{
    static const uint8_t code[] = {0xcd, 0x40};
    put_idt(0x40, gate_desc(SEL_CODE0, HANDLER(0x40), 0x0e, 0));
    run(code, sizeof code, 1);
    expect_exc(X_NP, 0x40 * 8 + 2);
    cr_assert_eq(rd32((uint32_t)vc->cpu.gpr[R_SP] + 4), CODE_ADDR); /* points at INT */
}

Test(seg, int_gate_dpl_from_ring3)
{
    static const uint8_t code[] = {0xcd, 0x42, 0xcd, 0x43};
    put_idt(0x43, gate_desc(SEL_CODE0, HANDLER(0x43), 0xee, 0)); /* DPL 3 */
    to_ring3();
    run(code, sizeof code, 1);
    expect_exc(X_GP, 0x42 * 8 + 2);
    to_ring3();
    vc->cpu.rip = CODE_ADDR + 2;
    cr_assert_eq(iem_exec(vc, 1), 0);
    cr_assert_eq(vc->cpu.rip, HANDLER(0x43));
    cr_assert_eq(rd32((uint32_t)vc->cpu.gpr[R_SP]), CODE_ADDR + 4); /* return after INT */
}

Test(seg, exception_sets_ext_bit)
{
    static const uint8_t code[] = {0x0f, 0x0b}; /* ud2 */
    put_idt(X_UD, gate_desc(SEL_CODE0, HANDLER(X_UD), 0x0e, 0));
    run(code, sizeof code, 1);
    expect_exc(X_NP, X_UD * 8 + 2 + 1);
}

Test(seg, double_fault)
{
    static const uint8_t code[] = {0xcd, 0x40};
    put_idt(0x40, gate_desc(SEL_CODE0, HANDLER(0x40), 0x0e, 0));
    put_idt(X_NP, gate_desc(SEL_CODE0, HANDLER(X_NP), 0x0e, 0));
    run(code, sizeof code, 1);
    expect_exc(X_DF, 0);
}

Test(seg, triple_fault)
{
    static const uint8_t code[] = {0x0f, 0x0b};
    vc->cpu.idtr.limit = 0;
    cr_assert_eq(run(code, sizeof code, 1), 4 /* IEM_TRIPLE */);
}

Test(seg, iret_to_ring3)
{
    /* push ss; push esp; push eflags; push cs; push eip; iret */
    static const uint8_t code[] = {0x6a, SEL_DATA3 | 3, 0x68, 0x00, 0x60, 0, 0, 0x68, 0x02, 0x02, 0, 0,
                                   0x6a, SEL_CODE3 | 3, 0x68, 0x00, 0x11, 0, 0, 0xcf};
    cr_assert_eq(run(code, sizeof code, 6), 0);
    struct cpu *c = &vc->cpu;
    cr_assert_eq(c->rip, 0x1100);
    cr_assert_eq(c->cpl, 3);
    cr_assert_eq(c->seg[S_SS].sel, SEL_DATA3 | 3);
    cr_assert_eq(c->gpr[R_SP], 0x6000);
    cr_assert(cpu_get_flags(c) & F_IF);
    cr_assert(c->seg[S_DS].attr & SEG_UNUSABLE); /* DPL 0 data nulled */
}

Test(seg, iret_bad_ss_rpl)
{
    static const uint8_t code[] = {0x6a, SEL_DATA3, 0x68, 0x00, 0x60, 0, 0, 0x6a, 0x02,
                                   0x6a, SEL_CODE3 | 3, 0x68, 0x00, 0x11, 0, 0, 0xcf};
    run(code, sizeof code, 6);
    expect_exc(X_GP, SEL_DATA3);
    cr_assert_eq(rd32((uint32_t)vc->cpu.gpr[R_SP] + 4), CODE_ADDR + sizeof code - 1);
}

Test(seg, lar_lsl)
{
    /* lar eax, ecx; lsl edx, ecx */
    static const uint8_t code[] = {0x0f, 0x02, 0xc1, 0x0f, 0x03, 0xd1};
    struct cpu *c = &vc->cpu;
    c->gpr[R_CX] = SEL_SMALL;
    cr_assert_eq(run(code, sizeof code, 2), 0);
    cr_assert_eq(c->gpr[R_AX], 0x00409300);
    cr_assert_eq(c->gpr[R_DX], 0xfff);
    cr_assert(cpu_get_flags(c) & F_ZF);

    c->gpr[R_CX] = SEL_NP; /* not present is fine for LAR */
    cr_assert_eq(run(code, 3, 1), 0);
    cr_assert_eq(c->gpr[R_AX], 0x00c01300);
    cr_assert(cpu_get_flags(c) & F_ZF);

    c->gpr[R_CX] = SEL_GATE3; /* call gate: LAR yes, LSL no */
    c->gpr[R_DX] = 0x55;
    cr_assert_eq(run(code, sizeof code, 2), 0);
    cr_assert(!(cpu_get_flags(c) & F_ZF));
    cr_assert_eq(c->gpr[R_DX], 0x55);

    c->gpr[R_CX] = 0x2000; /* beyond the GDT: no fault, ZF clear */
    c->gpr[R_AX] = 0x77;
    cr_assert_eq(run(code, 3, 1), 0);
    cr_assert(!(cpu_get_flags(c) & F_ZF));
    cr_assert_eq(c->gpr[R_AX], 0x77);
}

Test(seg, lar_dpl_hidden_from_ring3)
{
    static const uint8_t code[] = {0x0f, 0x02, 0xc1};
    to_ring3();
    vc->cpu.gpr[R_CX] = SEL_DATA0 | 3;
    cr_assert_eq(run(code, sizeof code, 1), 0);
    cr_assert(!(cpu_get_flags(&vc->cpu) & F_ZF));
}

Test(seg, ltr_marks_busy)
{
    static const uint8_t code[] = {0x0f, 0x00, 0xd8}; /* ltr ax */
    put_gdt(SEL_TSS, seg_desc(TSS_ADDR, 0x67, 0x89, 0));
    vc->cpu.gpr[R_AX] = SEL_TSS;
    cr_assert_eq(run(code, sizeof code, 1), 0);
    uint8_t access = 0;
    pgm_read(&vm->pgm, GDT_ADDR + SEL_TSS + 5, &access, 1);
    cr_assert_eq(access, 0x8b);
    cr_assert_eq(vc->cpu.tr.attr & 0xf, 0xb);
    run(code, sizeof code, 1); /* busy now: #GP(sel) */
    expect_exc(X_GP, SEL_TSS);
}

Test(seg, real_mode_int)
{
    static const uint8_t code[] = {0xcd, 0x21};
    struct cpu *c = &vc->cpu;
    c->cr0 &= ~(uint64_t)CR0_PE;
    for (unsigned s = 0; s < 6; s++)
        c->seg[s] = (struct cpu_seg){.sel = 0, .base = 0, .limit = 0xffff, .attr = s == S_CS ? 0x9b : 0x93};
    c->cpl = 0;
    c->idtr.base = 0;
    c->idtr.limit = 0x3ff;
    uint32_t ivt = (0x1234u << 16) | 0x0010;
    cr_assert_eq(pgm_load(&vm->pgm, 0x21 * 4, &ivt, 4), 0);
    cpu_set_flags(c, F_1 | F_IF | F_AC);
    c->gpr[R_SP] = 0x7000;
    cr_assert_eq(run(code, sizeof code, 1), 0);
    cr_assert_eq(c->seg[S_CS].sel, 0x1234, "cs %x rip %llx sp %llx", c->seg[S_CS].sel, (unsigned long long)c->rip, (unsigned long long)c->gpr[R_SP]);
    cr_assert_eq(c->seg[S_CS].base, 0x12340);
    cr_assert_eq(c->rip, 0x10);
    cr_assert_eq(c->gpr[R_SP], 0x7000 - 6);
    uint16_t frame[3];
    pgm_read(&vm->pgm, 0x7000 - 6, frame, 6);
    cr_assert_eq(frame[0], CODE_ADDR + 2);
    cr_assert_eq(frame[1], 0);
    cr_assert_eq(frame[2], F_1 | F_IF);
    cr_assert(!(cpu_get_flags(c) & (F_IF | F_AC)));
}
