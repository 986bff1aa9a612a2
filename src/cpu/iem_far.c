/* Far control transfers (SDM vol. 2 JMP, CALL, RET, IRET, INT n, vol. 3
 * ch. 5.8): far JMP/CALL direct and through call gates, far RET, INT n /
 * INT3 / INTO / INT1 / BOUND, IRET in every mode, PUSH/POP of segment
 * registers, LDS..LSS.
 *
 * Exported beside the iem.h entry points, for iem_ctrl.c's PUSH/POP when
 * the operand is a segment register (RC_SEG):
 *   int iem_push_seg(struct vcpu *v, const struct iem_insn *in);
 *   int iem_pop_seg(struct vcpu *v, const struct iem_insn *in);
 *
 * JMP/CALL to a TSS or task gate and IRET with NT=1 switch tasks (task.c);
 * in IA-32e mode they raise #GP (with the selector, resp. 0).
 */
#include "cpu/iem.h"

#define IS_CODE(d) (D_S(d) && (D_TYPE(d) & 8))
#define CONFORMING(d) ((D_TYPE(d) & 0xc) == 0xc)

/* The new RIP must be inside the target CS (or canonical for 64-bit code). */
static int check_target(struct vcpu *v, uint64_t desc, uint64_t off)
{
    if (cpu_is_long(&v->cpu) && D_L(desc))
        return iem_canonical(v, off) ? IEM_OK : iem_gp(v, 0);
    struct cpu_seg s;
    iem_desc_to_seg(desc, 0, &s);
    return off > s.limit ? iem_gp(v, 0) : IEM_OK;
}

static void commit_cs(struct vcpu *v, uint16_t sel, uint64_t desc, unsigned cpl, uint64_t off)
{
    iem_load_cs(v, sel, desc, cpl);
    v->iem.next_rip = off;
    iem_mode_changed(v);
}

/* Reads a far pointer operand (ptr16:xx immediate, or m16:xx offset first). */
static int far_operand(struct vcpu *v, const struct iem_insn *in, unsigned i, uint16_t *sel, uint64_t *off)
{
    const struct iem_op *op = &in->op[i];
    if (op->type == OPT_PTR) {
        *sel = op->sel;
        *off = op->imm & iem_mask(in->osize);
        return IEM_OK;
    }
    if (op->type != OPT_MEM)
        return iem_ud(v);
    uint64_t ea = iem_ea(v, in, op), o, s;
    int rc = iem_read(v, op->seg, ea, in->osize, &o);
    if (!rc)
        rc = iem_read(v, op->seg, (ea + in->osize) & iem_mask(in->asize), 2, &s);
    if (rc)
        return rc;
    *sel = (uint16_t)s;
    *off = o;
    return IEM_OK;
}

/* Pushes CS:IP of the return address on the current stack (caller's copy of SP). */
static int push_ret(struct vcpu *v, unsigned size, uint64_t *sp)
{
    struct cpu *c = &v->cpu;
    unsigned acc = c->cpl < 3 ? ACC_SYS : 0;
    int rc = iem_stk_push(v, &c->seg[S_SS], iem_stack_size(v), sp, size, c->seg[S_CS].sel, acc, 0);
    if (!rc)
        rc = iem_stk_push(v, &c->seg[S_SS], iem_stack_size(v), sp, size,
                          v->iem.next_rip & iem_mask(size), acc, 0);
    return rc;
}

/* Call gate to a more privileged non-conforming segment: new stack from
 * the TSS, parameters copied from the caller's stack. */
static int call_gate_inner(struct vcpu *v, const uint64_t g[2], uint16_t csel, uint64_t cd, uint64_t off)
{
    struct cpu *c = &v->cpu;
    unsigned dpl = D_DPL(cd);
    bool lm = cpu_is_long(c);
    unsigned gsz = lm ? 8 : (D_TYPE(g[0]) & 8) ? 4 : 2;
    unsigned nparams = lm ? 0 : (g[0] >> 32) & 0x1f;
    struct cpu_seg nss;
    uint64_t nsp;
    unsigned width;
    int rc;
    if (lm) {
        rc = iem_tss_rsp64(v, 4 + 8 * dpl, &nsp);
        if (rc)
            return rc;
        iem_seg_null(&nss, (uint16_t)dpl);
        nss.attr |= dpl << SEG_DPL_SHIFT;
        width = 8;
    } else {
        uint16_t ssel;
        rc = iem_tss_stack(v, dpl, &ssel, &nsp);
        if (!rc)
            rc = iem_check_new_ss(v, ssel, dpl, X_TS, &nss);
        if (rc)
            return rc;
        width = (nss.attr & SEG_DB) ? 4 : 2;
    }
    rc = check_target(v, cd, off);
    if (rc)
        return rc;
    uint64_t items[36];
    unsigned n = 0;
    items[n++] = c->seg[S_SS].sel;
    items[n++] = c->gpr[R_SP] & iem_mask(iem_stack_size(v));
    for (unsigned i = nparams; i-- > 0;) {
        rc = iem_stack_peek(v, (uint64_t)i * gsz, gsz, &items[n]);
        if (rc)
            return rc;
        n++;
    }
    items[n++] = c->seg[S_CS].sel;
    items[n++] = v->iem.next_rip;
    uint64_t sp = nsp & iem_mask(width);
    for (unsigned i = 0; i < n; i++) {
        rc = iem_stk_push(v, &nss, width, &sp, gsz, items[i] & iem_mask(gsz), ACC_SYS, nss.sel & 0xfffc);
        if (rc)
            return rc;
    }
    c->seg[S_SS] = nss;
    c->gpr[R_SP] = width == 8 ? sp : (nsp & ~iem_mask(width)) | sp;
    commit_cs(v, csel, cd, dpl, off);
    return IEM_OK;
}

static int through_call_gate(struct vcpu *v, const struct iem_insn *in, uint16_t gsel, const uint64_t g[2])
{
    struct cpu *c = &v->cpu;
    bool call = in->mnemonic == ZYDIS_MNEMONIC_CALL;
    unsigned cpl = c->cpl;
    if (D_DPL(g[0]) < cpl || (gsel & 3) > D_DPL(g[0]))
        return iem_gp(v, gsel & 0xfffc);
    if (!D_P(g[0]))
        return iem_np(v, gsel & 0xfffc);
    uint16_t csel = (uint16_t)(g[0] >> 16);
    uint64_t off = (g[0] & 0xffff) | ((g[0] >> 48) << 16);
    if (cpu_is_long(c))
        off |= (g[1] & 0xffffffffu) << 32;
    else if (!(D_TYPE(g[0]) & 8))
        off &= 0xffff;
    if (!(csel & 0xfffc))
        return iem_gp(v, 0);
    uint64_t cd;
    int rc = iem_desc_read(v, csel, &cd, X_GP);
    if (rc)
        return rc;
    if (!IS_CODE(cd) || D_DPL(cd) > cpl || (!call && !CONFORMING(cd) && D_DPL(cd) != cpl))
        return iem_gp(v, csel & 0xfffc);
    if (cpu_is_long(c) && (!D_L(cd) || D_DB(cd)))
        return iem_gp(v, csel & 0xfffc);
    if (!D_P(cd))
        return iem_np(v, csel & 0xfffc);
    rc = iem_desc_set_accessed(v, csel, cd);
    if (rc)
        return rc;
    if (call && !CONFORMING(cd) && D_DPL(cd) < cpl)
        return call_gate_inner(v, g, csel, cd, off);
    rc = check_target(v, cd, off);
    if (rc)
        return rc;
    if (call) {
        unsigned gsz = cpu_is_long(c) ? 8 : (D_TYPE(g[0]) & 8) ? 4 : 2;
        uint64_t sp = c->gpr[R_SP];
        rc = push_ret(v, gsz, &sp);
        if (rc)
            return rc;
        iem_gpr_set(v, R_SP, iem_stack_size(v), sp);
    }
    commit_cs(v, csel, cd, cpl, off);
    return IEM_OK;
}

int iem_far_jmp_call(struct vcpu *v, const struct iem_insn *in)
{
    struct cpu *c = &v->cpu;
    bool call = in->mnemonic == ZYDIS_MNEMONIC_CALL;
    uint16_t sel;
    uint64_t off, sp = c->gpr[R_SP];
    int rc = far_operand(v, in, 0, &sel, &off);
    if (rc)
        return rc;
    if (cpu_is_real(c) || cpu_is_v86(c)) {
        if (off > c->seg[S_CS].limit)
            return iem_gp(v, 0);
        if (call) {
            rc = push_ret(v, in->osize, &sp);
            if (rc)
                return rc;
            iem_gpr_set(v, R_SP, iem_stack_size(v), sp);
        }
        iem_seg_load_real(v, S_CS, sel);
        v->iem.next_rip = off;
        return IEM_OK;
    }
    if (!(sel & 0xfffc))
        return iem_gp(v, 0);
    uint64_t d[2] = {0, 0};
    rc = iem_desc_read(v, sel, &d[0], X_GP);
    if (!rc && !D_S(d[0]) && cpu_is_long(c))
        rc = iem_desc_read_sys(v, sel, d, X_GP); /* 16-byte gate */
    if (rc)
        return rc;
    unsigned cpl = c->cpl;
    if (IS_CODE(d[0])) {
        if (CONFORMING(d[0]) ? D_DPL(d[0]) > cpl : ((sel & 3) > cpl || D_DPL(d[0]) != cpl))
            return iem_gp(v, sel & 0xfffc);
        if (!D_P(d[0]))
            return iem_np(v, sel & 0xfffc);
        rc = check_target(v, d[0], off);
        if (!rc && call)
            rc = push_ret(v, in->osize, &sp);
        if (!rc)
            rc = iem_desc_set_accessed(v, sel, d[0]);
        if (rc)
            return rc;
        if (call)
            iem_gpr_set(v, R_SP, iem_stack_size(v), sp);
        commit_cs(v, sel, d[0], cpl, off);
        return IEM_OK;
    }
    if (D_S(d[0]))
        return iem_gp(v, sel & 0xfffc); /* data segment */
    unsigned t = D_TYPE(d[0]);
    if (cpu_is_long(c) ? (t == 0xc && !((d[1] >> 40) & 0x1f)) : (t == 4 || t == 0xc))
        return through_call_gate(v, in, sel, d);
    /* TSS (1, 9; busy 3, B) and task gates (5); IA-32e mode has no tasks. */
    if (!cpu_is_long(c) && (t == 1 || t == 3 || t == 5 || t == 9 || t == 0xb))
        return iem_task_far(v, call, sel, d[0]);
    return iem_gp(v, sel & 0xfffc);
}

/* Checks the SS popped on a return to an outer level whose CPL is rpl. */
static int check_return_ss(struct vcpu *v, uint16_t sel, unsigned rpl, uint64_t cd, struct cpu_seg *out)
{
    /* 64-bit code may run on a null SS below ring 3. */
    if (!(sel & 0xfffc) && cpu_is_long(&v->cpu) && D_L(cd) && rpl != 3 && (sel & 3) == rpl) {
        iem_seg_null(out, sel);
        out->attr |= rpl << SEG_DPL_SHIFT;
        return IEM_OK;
    }
    return iem_check_new_ss(v, sel, rpl, X_GP, out);
}

/* Commits a return to an outer level: SS:SP, CS:IP, data segment nulling. */
static void commit_outer(struct vcpu *v, const struct cpu_seg *nss, uint64_t nsp, uint16_t csel, uint64_t cd,
                         uint64_t off)
{
    struct cpu *c = &v->cpu;
    unsigned rpl = csel & 3;
    c->seg[S_SS] = *nss;
    if (cpu_is_long(c) && D_L(cd))
        c->gpr[R_SP] = nsp;
    else if (nss->attr & SEG_DB)
        c->gpr[R_SP] = (uint32_t)nsp;
    else
        c->gpr[R_SP] = (c->gpr[R_SP] & ~0xffffull) | (nsp & 0xffff);
    commit_cs(v, csel, cd, rpl, off);
    iem_null_outer_segs(v, rpl);
}

int iem_far_ret(struct vcpu *v, const struct iem_insn *in)
{
    struct cpu *c = &v->cpu;
    unsigned osz = in->osize;
    uint64_t imm = in->nops && in->op[0].type == OPT_IMM ? in->op[0].imm & 0xffff : 0;
    uint64_t off, sel;
    int rc = iem_stack_peek(v, 0, osz, &off);
    if (!rc)
        rc = iem_stack_peek(v, osz, osz, &sel);
    if (rc)
        return rc;
    if (cpu_is_real(c) || cpu_is_v86(c)) {
        if (off > c->seg[S_CS].limit)
            return iem_gp(v, 0);
        iem_seg_load_real(v, S_CS, (uint16_t)sel);
        iem_sp_add(v, (int64_t)(2 * osz + imm));
        v->iem.next_rip = off;
        return IEM_OK;
    }
    uint64_t cd;
    rc = iem_check_return_cs(v, (uint16_t)sel, X_GP, &cd);
    if (rc)
        return rc;
    unsigned rpl = sel & 3;
    if (rpl == c->cpl) {
        rc = check_target(v, cd, off);
        if (rc)
            return rc;
        iem_sp_add(v, (int64_t)(2 * osz + imm));
        commit_cs(v, (uint16_t)sel, cd, rpl, off);
        return IEM_OK;
    }
    uint64_t nsp, nss_sel;
    rc = iem_stack_peek(v, 2 * osz + imm, osz, &nsp);
    if (!rc)
        rc = iem_stack_peek(v, 3 * osz + imm, osz, &nss_sel);
    struct cpu_seg nss;
    if (!rc)
        rc = check_return_ss(v, (uint16_t)nss_sel, rpl, cd, &nss);
    if (!rc)
        rc = check_target(v, cd, off);
    if (rc)
        return rc;
    commit_outer(v, &nss, nsp + imm, (uint16_t)sel, cd, off);
    return IEM_OK;
}

/* Applies a popped EFLAGS image with the privilege rules of IRET/POPF. */
static void iret_flags(struct vcpu *v, uint64_t tmp, unsigned osz, unsigned cpl)
{
    struct cpu *c = &v->cpu;
    uint64_t f = cpu_get_flags(c);
    uint64_t mask = F_ARITH | F_TF | F_DF | F_NT;
    unsigned iopl = (f & F_IOPL) >> 12;
    if (osz >= 4)
        mask |= F_RF | F_AC | F_ID;
    if (cpl <= iopl)
        mask |= F_IF;
    if (cpl == 0) {
        mask |= F_IOPL;
        if (osz >= 4)
            mask |= F_VIF | F_VIP;
    }
    cpu_set_flags(c, (f & ~mask) | (tmp & mask) | F_1);
}

static int iret_real_v86(struct vcpu *v, unsigned osz)
{
    struct cpu *c = &v->cpu;
    bool v86 = cpu_is_v86(c), vme = iem_vme_flags16(c, osz);
    if (v86 && ((c->rflags & F_IOPL) >> 12) < 3 && !vme)
        return iem_gp(v, 0);
    uint64_t ip, cs, fl;
    int rc = iem_stack_peek(v, 0, osz, &ip);
    if (!rc)
        rc = iem_stack_peek(v, osz, osz, &cs);
    if (!rc)
        rc = iem_stack_peek(v, 2 * osz, osz, &fl);
    if (!rc && vme)
        rc = iem_vme_popped_flags(v, fl, &fl);
    if (rc)
        return rc;
    if (ip > c->seg[S_CS].limit)
        return iem_gp(v, 0);
    uint64_t f = cpu_get_flags(c), keep;
    if (vme)
        keep = 0; /* fl is already the whole new EFLAGS */
    else if (osz == 2)
        keep = ~0xffffull | (v86 ? F_IOPL : 0);
    else
        keep = v86 ? (F_VM | F_IOPL | F_VIP | F_VIF) : (F_VM | F_VIP | F_VIF);
    iem_sp_add(v, 3 * osz);
    cpu_set_flags(c, (f & keep) | (fl & ~keep & 0x3f7fd7) | F_1);
    iem_seg_load_real(v, S_CS, (uint16_t)cs);
    v->iem.next_rip = ip;
    return IEM_OK;
}

/* IRET from CPL 0 with VM set in the popped EFLAGS (SDM IRET). */
static int iret_to_v86(struct vcpu *v, uint64_t ip, uint64_t cs, uint64_t fl)
{
    struct cpu *c = &v->cpu;
    uint64_t s[6]; /* ESP, SS, ES, DS, FS, GS */
    for (unsigned i = 0; i < 6; i++) {
        int rc = iem_stack_peek(v, 12 + 4 * i, 4, &s[i]);
        if (rc)
            return rc;
    }
    if (ip > 0xffff)
        return iem_gp(v, 0);
    cpu_set_flags(c, (fl & 0x3f7fd7) | F_1 | F_VM);
    static const uint8_t regs[] = {S_SS, S_ES, S_DS, S_FS, S_GS};
    for (unsigned i = 0; i < 5; i++)
        iem_seg_load_real(v, regs[i], (uint16_t)s[i + 1]);
    iem_seg_load_real(v, S_CS, (uint16_t)cs);
    c->gpr[R_SP] = (uint32_t)s[0];
    v->iem.next_rip = ip;
    iem_mode_changed(v);
    if (iem_vme_vip_pending(c)) {
        c->rip = ip; /* the #GP belongs to the first v86 instruction */
        return iem_gp(v, 0);
    }
    return IEM_OK;
}

static int op_iret(struct vcpu *v, const struct iem_insn *in)
{
    struct cpu *c = &v->cpu;
    unsigned osz = in->osize;
    int rc;
    c->nmi_blocked = false;
    if (cpu_is_real(c) || cpu_is_v86(c))
        return iret_real_v86(v, osz);
    bool lm = cpu_is_long(c);
    if (c->rflags & F_NT)
        return lm ? iem_gp(v, 0) : iem_task_iret(v);
    uint64_t ip, cs, fl;
    rc = iem_stack_peek(v, 0, osz, &ip);
    if (!rc)
        rc = iem_stack_peek(v, osz, osz, &cs);
    if (!rc)
        rc = iem_stack_peek(v, 2 * osz, osz, &fl);
    if (rc)
        return rc;
    if (osz == 2)
        fl &= 0xffff;
    if (!lm && (fl & F_VM) && c->cpl == 0 && osz == 4)
        return iret_to_v86(v, ip, cs, fl);
    uint64_t cd;
    rc = iem_check_return_cs(v, (uint16_t)cs, X_GP, &cd);
    if (rc)
        return rc;
    unsigned rpl = cs & 3, cpl = c->cpl;
    if (rpl > cpl || cpu_is_64(c)) {
        uint64_t nsp, nss_sel;
        struct cpu_seg nss;
        rc = iem_stack_peek(v, 3 * osz, osz, &nsp);
        if (!rc)
            rc = iem_stack_peek(v, 4 * osz, osz, &nss_sel);
        if (!rc)
            rc = check_return_ss(v, (uint16_t)nss_sel, rpl, cd, &nss);
        if (!rc)
            rc = check_target(v, cd, ip);
        if (rc)
            return rc;
        iret_flags(v, fl, osz, cpl);
        commit_outer(v, &nss, nsp, (uint16_t)cs, cd, ip);
        return IEM_OK;
    }
    rc = check_target(v, cd, ip);
    if (rc)
        return rc;
    iret_flags(v, fl, osz, cpl);
    iem_sp_add(v, 3 * osz);
    commit_cs(v, (uint16_t)cs, cd, rpl, ip);
    return IEM_OK;
}

static int op_int(struct vcpu *v, const struct iem_insn *in)
{
    return iem_deliver(v, in->op[0].imm & 0xff, EV_SOFTINT, 0, false, v->iem.next_rip);
}

static int op_int3(struct vcpu *v, const struct iem_insn *in)
{
    (void)in;
    return iem_deliver(v, X_BP, EV_INT3, 0, false, v->iem.next_rip);
}

static int op_into(struct vcpu *v, const struct iem_insn *in)
{
    (void)in;
    if (!(cpu_get_flags(&v->cpu) & F_OF))
        return IEM_OK;
    return iem_deliver(v, X_OF, EV_INTO, 0, false, v->iem.next_rip);
}

static int op_int1(struct vcpu *v, const struct iem_insn *in)
{
    (void)in;
    return iem_deliver(v, X_DB, EV_ICEBP, 0, false, v->iem.next_rip);
}

static int op_bound(struct vcpu *v, const struct iem_insn *in)
{
    const struct iem_op *m = &in->op[1];
    if (m->type != OPT_MEM)
        return iem_ud(v);
    unsigned sz = in->osize;
    uint64_t idx, lo, hi, ea = iem_ea(v, in, m);
    int rc = iem_opnd_read(v, in, 0, &idx);
    if (!rc)
        rc = iem_read(v, m->seg, ea, sz, &lo);
    if (!rc)
        rc = iem_read(v, m->seg, (ea + sz) & iem_mask(in->asize), sz, &hi);
    if (rc)
        return rc;
    int64_t i = (int64_t)iem_sext(idx, sz);
    if (i < (int64_t)iem_sext(lo, sz) || i > (int64_t)iem_sext(hi, sz))
        return iem_raise(v, X_BR, 0, false);
    return IEM_OK;
}

int iem_push_seg(struct vcpu *v, const struct iem_insn *in)
{
    unsigned sreg = in->op[0].reg;
    if (sreg > S_GS)
        return iem_ud(v);
    return iem_push(v, in->osize, v->cpu.seg[sreg].sel);
}

int iem_pop_seg(struct vcpu *v, const struct iem_insn *in)
{
    unsigned sreg = in->op[0].reg;
    uint64_t val;
    if (sreg == S_CS || sreg > S_GS)
        return iem_ud(v);
    /* The pop used the stack in effect before the load: (E)SP moves by
     * that stack's address size, not by the new SS's B bit. */
    unsigned width = iem_stack_size(v);
    int rc = iem_stack_peek(v, 0, in->osize, &val);
    if (!rc)
        rc = iem_load_seg(v, sreg, (uint16_t)val);
    if (rc)
        return rc;
    iem_gpr_set(v, R_SP, width, v->cpu.gpr[R_SP] + in->osize);
    if (sreg == S_SS) {
        v->cpu.inhibit_irq = true;
        v->cpu.inhibit_irq_rip = v->iem.next_rip;
    }
    return IEM_OK;
}

static int op_lxs(struct vcpu *v, const struct iem_insn *in)
{
    unsigned sreg;
    switch (in->mnemonic) {
    case ZYDIS_MNEMONIC_LDS: sreg = S_DS; break;
    case ZYDIS_MNEMONIC_LES: sreg = S_ES; break;
    case ZYDIS_MNEMONIC_LFS: sreg = S_FS; break;
    case ZYDIS_MNEMONIC_LGS: sreg = S_GS; break;
    default: sreg = S_SS; break;
    }
    uint16_t sel;
    uint64_t off;
    if (in->op[1].type != OPT_MEM)
        return iem_ud(v);
    int rc = far_operand(v, in, 1, &sel, &off);
    if (!rc)
        rc = iem_load_seg(v, sreg, sel);
    if (rc)
        return rc;
    iem_gpr_set(v, in->op[0].reg, in->osize, off);
    return IEM_OK;
}

const struct iem_op_def iem_ops_far[] = {
    {ZYDIS_MNEMONIC_INT, op_int},
    {ZYDIS_MNEMONIC_INT3, op_int3},
    {ZYDIS_MNEMONIC_INTO, op_into},
    {ZYDIS_MNEMONIC_INT1, op_int1},
    {ZYDIS_MNEMONIC_BOUND, op_bound},
    {ZYDIS_MNEMONIC_IRET, op_iret},
    {ZYDIS_MNEMONIC_IRETD, op_iret},
    {ZYDIS_MNEMONIC_IRETQ, op_iret},
    {ZYDIS_MNEMONIC_LDS, op_lxs},
    {ZYDIS_MNEMONIC_LES, op_lxs},
    {ZYDIS_MNEMONIC_LFS, op_lxs},
    {ZYDIS_MNEMONIC_LGS, op_lxs},
    {ZYDIS_MNEMONIC_LSS, op_lxs},
    {0, NULL},
};
