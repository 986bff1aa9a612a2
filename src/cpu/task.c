/* Hardware task switching (SDM vol. 3 ch. 7, vol. 2 JMP/CALL/INT n/IRET):
 * JMP/CALL to a TSS descriptor or through a task gate, events through a
 * task gate in the IDT, IRET with EFLAGS.NT back to the previous task.
 *
 * Order of a switch: every check that may fault in the old task (the
 * caller's privilege/busy/present checks, then the TSS limit, reading the
 * new TSS, probing every location the switch writes) runs first and leaves
 * the old task as it was. The writes (old task's dynamic fields, busy bits,
 * back link) and loading TR/EIP/EFLAGS/GPRs/selectors are the commit point;
 * from there on CR3, the LDT and the segment descriptors are checked in the
 * context of the new task (RIP is already the new EIP when they fault).
 * IA-32e mode has no task switches: the callers raise #GP there.
 */
#include "cpu/iem.h"

#define D_BUSY    2u /* type bit: 1/9 available, 3/B busy */
#define DR7_LOCAL 0x55u /* L0-L3: cleared by every task switch */

/* Where the fields live in a 16-bit and a 32-bit TSS. The dynamic fields,
 * saved on a switch away, run from eip up to the LDT selector; selectors
 * are in ES, CS, SS, DS, FS, GS order (enum S_*), as are the GPRs. */
struct tss_layout {
    uint8_t min_limit, width, nsegs;
    uint8_t eip, eflags, gpr, seg, ldt;
};
static const struct tss_layout tss_layouts[2] = {
    {0x2b, 2, 4, 0x0e, 0x10, 0x12, 0x22, 0x2a},
    {0x67, 4, 6, 0x20, 0x24, 0x28, 0x48, 0x60},
};
#define TSS32_CR3   0x1c
#define TSS32_TRAP  0x64
#define TSS_MAX_LEN 0x68

static uint32_t get_le(const uint8_t *p, unsigned width)
{
    uint32_t x = 0;
    for (unsigned i = width; i-- > 0;)
        x = x << 8 | p[i];
    return x;
}

static void put_le(uint8_t *p, unsigned width, uint32_t x)
{
    for (unsigned i = 0; i < width; i++, x >>= 8)
        p[i] = (uint8_t)x;
}

static const struct tss_layout *layout_of(unsigned type)
{
    return &tss_layouts[(type & 8) ? 1 : 0];
}

/* A write the switch will do must not fault once writing has begun. */
static int probe_write(struct vcpu *v, uint64_t lin, unsigned len)
{
    uint64_t gpa;
    int rc = iem_translate(v, lin & 0xffffffffu, ACC_W | ACC_SYS, &gpa);
    if (!rc)
        rc = iem_translate(v, (lin + len - 1) & 0xffffffffu, ACC_W | ACC_SYS, &gpa);
    return rc;
}

static uint64_t gdt_type_byte(const struct vcpu *v, uint16_t sel)
{
    return (v->cpu.gdtr.base + (sel & 0xfff8) + 5) & 0xffffffffu;
}

static int set_busy(struct vcpu *v, uint16_t sel, bool busy)
{
    uint8_t b;
    uint64_t lin = gdt_type_byte(v, sel);
    int rc = iem_lin_read(v, lin, &b, 1, ACC_R | ACC_SYS);
    if (rc)
        return rc;
    b = busy ? (b | D_BUSY) : (b & ~D_BUSY);
    return iem_lin_write(v, lin, &b, 1, ACC_W | ACC_SYS);
}

static int load_task_ldt(struct vcpu *v, uint16_t sel)
{
    uint64_t d;
    iem_seg_null(&v->cpu.ldtr, sel);
    if (!(sel & 0xfffc))
        return IEM_OK;
    if (sel & 4)
        return iem_ts(v, sel & 0xfffc);
    int rc = iem_desc_read(v, sel, &d, X_TS);
    if (rc)
        return rc;
    if (D_S(d) || D_TYPE(d) != 2 || !D_P(d))
        return iem_ts(v, sel & 0xfffc);
    iem_desc_to_seg(d, sel, &v->cpu.ldtr);
    return IEM_OK;
}

/* The part of the switch after the commit point: faults here belong to the
 * new task. */
static int load_new_context(struct vcpu *v, const struct tss_layout *l, const uint8_t *t, bool tss32)
{
    struct cpu *c = &v->cpu;
    uint16_t sel[6] = {0};
    for (unsigned i = 0; i < l->nsegs; i++)
        sel[i] = (uint16_t)get_le(t + l->seg + i * l->width, 2);
    int rc = IEM_OK;
    if (tss32 && (c->cr0 & CR0_PG))
        rc = iem_write_cr3(v, get_le(t + TSS32_CR3, 4));
    if (!rc)
        rc = load_task_ldt(v, (uint16_t)get_le(t + l->ldt, 2));
    if (rc)
        return rc;
    if (cpu_is_v86(c)) {
        for (unsigned i = 0; i < 6; i++)
            iem_seg_load_real(v, i, sel[i]);
        iem_mode_changed(v);
        return c->rip > c->seg[S_CS].limit || iem_vme_vip_pending(c) ? iem_gp(v, 0) : IEM_OK;
    }
    /* CPL is already the new CS.RPL (commit), which the checks rely on */
    unsigned cpl = sel[S_CS] & 3;
    uint64_t cd;
    rc = iem_check_return_cs(v, sel[S_CS], X_TS, &cd);
    if (!rc) {
        iem_load_cs(v, sel[S_CS], cd, cpl);
        rc = iem_check_new_ss(v, sel[S_SS], cpl, X_TS, &c->seg[S_SS]);
    }
    static const uint8_t data[] = {S_ES, S_DS, S_FS, S_GS};
    for (unsigned i = 0; i < sizeof(data) && !rc; i++)
        if (sel[data[i]] & 0xfffc) /* a null data segment stays null */
            rc = iem_load_data_seg(v, data[i], sel[data[i]], X_TS);
    iem_mode_changed(v);
    if (rc)
        return rc;
    return c->rip > c->seg[S_CS].limit ? iem_gp(v, 0) : IEM_OK;
}

/* Stores the outgoing task's dynamic fields into its TSS image o. */
static void save_old_state(struct vcpu *v, const struct tss_layout *l, uint8_t *o, uint64_t eip,
                           uint64_t eflags)
{
    const struct cpu *c = &v->cpu;
    put_le(o + l->eip, l->width, (uint32_t)eip);
    put_le(o + l->eflags, l->width, (uint32_t)eflags);
    for (unsigned i = 0; i < 8; i++)
        put_le(o + l->gpr + i * l->width, l->width, (uint32_t)c->gpr[i]);
    for (unsigned i = 0; i < l->nsegs; i++) /* the upper word of a 32-bit slot is left alone */
        put_le(o + l->seg + i * l->width, 2, c->seg[i].sel);
}

/* One switch in progress: the new TSS (t, as read) and the old one's
 * dynamic fields (o, at their TSS offsets). */
struct task_switch {
    uint16_t sel;
    enum iem_task_src src;
    struct cpu_seg ntr;
    const struct tss_layout *nl, *ol;
    uint64_t obase;
    unsigned olen;
    uint8_t t[TSS_MAX_LEN], o[TSS_MAX_LEN];
};

/* CALL and events nest: back link, NT, the old task stays busy. */
static bool links(enum iem_task_src src)
{
    return src == TASK_CALL || src == TASK_INT || src == TASK_FAULT;
}

/* Reads both TSSs and probes every location the switch writes, so that
 * a fault here leaves the old task as it was. */
static int read_and_probe(struct vcpu *v, struct task_switch *s)
{
    struct cpu *c = &v->cpu;
    s->olen = s->ol->ldt - s->ol->eip;
    s->obase = (c->tr.base + s->ol->eip) & 0xffffffffu;
    int rc = iem_lin_read(v, s->ntr.base & 0xffffffffu, s->t, s->nl->min_limit + 1u, ACC_R | ACC_SYS);
    if (!rc)
        rc = iem_lin_read(v, s->obase, s->o + s->ol->eip, s->olen, ACC_R | ACC_SYS);
    if (!rc)
        rc = probe_write(v, s->obase, s->olen);
    if (!rc && !links(s->src))
        rc = probe_write(v, gdt_type_byte(v, c->tr.sel), 1);
    if (!rc && s->src != TASK_IRET)
        rc = probe_write(v, gdt_type_byte(v, s->sel), 1);
    if (!rc && links(s->src))
        rc = probe_write(v, s->ntr.base, 2);
    return rc;
}

/* The old task's state, its busy bit (JMP, IRET), the back link and the
 * new task's busy bit (CALL, INT). */
static int write_old(struct vcpu *v, struct task_switch *s, uint64_t ret_eip)
{
    struct cpu *c = &v->cpu;
    uint64_t oflags = cpu_get_flags(c);
    if (s->src == TASK_IRET)
        oflags &= ~(uint64_t)F_NT;
    if (s->src == TASK_FAULT) /* as in a frame pushed for a fault (exc.c) */
        oflags |= F_RF;
    save_old_state(v, s->ol, s->o, ret_eip, oflags);
    uint16_t link = c->tr.sel;
    int rc = iem_lin_write(v, s->obase, s->o + s->ol->eip, s->olen, ACC_W | ACC_SYS);
    if (!rc && !links(s->src))
        rc = set_busy(v, c->tr.sel, false);
    if (!rc && links(s->src))
        rc = iem_lin_write(v, s->ntr.base & 0xffffffffu, &link, 2, ACC_W | ACC_SYS);
    if (!rc && s->src != TASK_IRET)
        rc = set_busy(v, s->sel, true);
    return rc;
}

/* The commit point: TR, CR0.TS, DR7, EIP, EFLAGS, GPRs, bare selectors. */
static void commit(struct vcpu *v, struct task_switch *s, bool tss32)
{
    struct cpu *c = &v->cpu;
    const struct tss_layout *nl = s->nl;
    const uint8_t *t = s->t;
    s->ntr.attr |= D_BUSY;
    c->tr = s->ntr;
    c->cr0 |= CR0_TS;
    c->dr[7] &= ~(uint64_t)DR7_LOCAL;
    uint64_t nflags = get_le(t + nl->eflags, nl->width) & 0x3f7fd5u;
    if (links(s->src))
        nflags |= F_NT;
    cpu_set_flags(c, nflags);
    c->rip = v->iem.next_rip = get_le(t + nl->eip, nl->width);
    for (unsigned i = 0; i < 8; i++) {
        uint32_t r = get_le(t + nl->gpr + i * nl->width, nl->width);
        /* a 16-bit TSS holds only the low words */
        c->gpr[i] = tss32 ? r : ((c->gpr[i] & 0xffff0000u) | r);
    }
    for (unsigned i = 0; i < 6; i++)
        iem_seg_null(&c->seg[i], i < nl->nsegs ? (uint16_t)get_le(t + nl->seg + i * nl->width, 2) : 0);
    /* CPL is SS.DPL while the descriptors are checked */
    c->seg[S_SS].attr |= (c->seg[S_CS].sel & 3u) << SEG_DPL_SHIFT;
    iem_mode_changed(v);
    if (tss32 && (t[TSS32_TRAP] & 1))
        v->iem.dr6_pending |= DR6_BT; /* a debug trap before the new task's first instruction */
}

int iem_task_switch(struct vcpu *v, uint16_t sel, uint64_t desc, enum iem_task_src src, uint64_t ret_eip,
                    bool has_err, uint32_t err)
{
    struct cpu *c = &v->cpu;
    struct task_switch s = {.sel = sel, .src = src};
    iem_desc_to_seg(desc, sel, &s.ntr);
    s.nl = layout_of(D_TYPE(desc));
    s.ol = layout_of(c->tr.attr);
    bool tss32 = (D_TYPE(desc) & 8) != 0;
    if (s.ntr.limit < s.nl->min_limit)
        return iem_ts(v, sel & 0xfffc);
    int rc = read_and_probe(v, &s);
    if (!rc)
        rc = write_old(v, &s, ret_eip); /* probed: does not fault */
    if (rc)
        return rc;
    commit(v, &s, tss32);
    rc = load_new_context(v, s.nl, s.t, tss32);
    if (rc || !has_err)
        return rc;
    /* An exception's error code goes on the new task's stack. */
    unsigned width = iem_stack_size(v);
    uint64_t sp = c->gpr[R_SP];
    rc = iem_stk_push(v, &c->seg[S_SS], width, &sp, s.nl->width, err, c->cpl < 3 ? ACC_SYS : 0, 0);
    if (!rc)
        iem_gpr_set(v, R_SP, width, sp);
    return rc;
}

/* The TSS a task gate names must be an available TSS in the GDT. */
static int gate_target(struct vcpu *v, uint64_t gate, uint16_t *tsel, uint64_t *tdesc)
{
    *tsel = (uint16_t)(gate >> 16);
    if (*tsel & 4)
        return iem_gp(v, *tsel & 0xfffc);
    int rc = iem_desc_read(v, *tsel, tdesc, X_GP);
    if (rc)
        return rc;
    unsigned type = D_TYPE(*tdesc);
    if (D_S(*tdesc) || (type != 1 && type != 9))
        return iem_gp(v, *tsel & 0xfffc);
    if (!D_P(*tdesc))
        return iem_np(v, *tsel & 0xfffc);
    return IEM_OK;
}

int iem_task_far(struct vcpu *v, bool call, uint16_t sel, uint64_t desc)
{
    struct cpu *c = &v->cpu;
    unsigned dpl = D_DPL(desc), type = D_TYPE(desc);
    enum iem_task_src src = call ? TASK_CALL : TASK_JMP;
    if (dpl < c->cpl || dpl < (sel & 3u))
        return iem_gp(v, sel & 0xfffc);
    if (type == 5) {
        if (!D_P(desc))
            return iem_np(v, sel & 0xfffc);
        uint16_t tsel;
        uint64_t tdesc;
        int rc = gate_target(v, desc, &tsel, &tdesc);
        if (rc)
            return rc;
        return iem_task_switch(v, tsel, tdesc, src, v->iem.next_rip, false, 0);
    }
    /* A TSS descriptor lives in the GDT only, and must not be busy. */
    if ((sel & 4) || (type & D_BUSY))
        return iem_gp(v, sel & 0xfffc);
    if (!D_P(desc))
        return iem_np(v, sel & 0xfffc);
    return iem_task_switch(v, sel, desc, src, v->iem.next_rip, false, 0);
}

int iem_task_gate_event(struct vcpu *v, uint64_t gate, bool fault, uint64_t ret_eip, bool has_err, uint32_t err)
{
    uint16_t tsel;
    uint64_t tdesc;
    int rc = gate_target(v, gate, &tsel, &tdesc);
    if (rc)
        return rc;
    return iem_task_switch(v, tsel, tdesc, fault ? TASK_FAULT : TASK_INT, ret_eip, has_err, err);
}

int iem_task_iret(struct vcpu *v)
{
    uint16_t link;
    int rc = iem_lin_read(v, v->cpu.tr.base & 0xffffffffu, &link, 2, ACC_R | ACC_SYS);
    if (rc)
        return rc;
    if (link & 4)
        return iem_ts(v, link & 0xfffc);
    uint64_t d;
    rc = iem_desc_read(v, link, &d, X_TS);
    if (rc)
        return rc;
    if (D_S(d) || (D_TYPE(d) != 3 && D_TYPE(d) != 0xb))
        return iem_ts(v, link & 0xfffc);
    if (!D_P(d))
        return iem_np(v, link & 0xfffc);
    return iem_task_switch(v, link, d, TASK_IRET, v->iem.next_rip, false, 0);
}
