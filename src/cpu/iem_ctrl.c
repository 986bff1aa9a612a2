/* Near control transfer, the stack, and flag instructions. Far forms and
 * segment-register pushes are handed to iem_far.c. */
#include "cpu/iem.h"


/* Checks a near branch target against CS (limit, or canonical in 64-bit
 * mode) and makes it the next RIP. */
static int branch_to(struct vcpu *v, uint64_t target, unsigned osize)
{
    target &= iem_mask(osize);
    if (cpu_is_64(&v->cpu)) {
        if (!iem_canonical(v, target))
            return iem_gp(v, 0);
    } else if (target > v->cpu.seg[S_CS].limit) {
        return iem_gp(v, 0);
    }
    v->iem.next_rip = target;
    return IEM_OK;
}

static int target_of(struct vcpu *v, const struct iem_insn *in, uint64_t *t)
{
    if (in->op[0].type == OPT_IMM && in->op[0].rel) {
        *t = v->iem.next_rip + in->op[0].imm;
        return IEM_OK;
    }
    return iem_opnd_read(v, in, 0, t);
}

static int op_jmp(struct vcpu *v, const struct iem_insn *in)
{
    uint64_t t;
    int rc;
    if (in->far)
        return iem_far_jmp_call(v, in);
    rc = target_of(v, in, &t);
    return rc ? rc : branch_to(v, t, in->osize);
}

static int op_call(struct vcpu *v, const struct iem_insn *in)
{
    uint64_t t, ret = v->iem.next_rip;
    int rc;
    if (in->far)
        return iem_far_jmp_call(v, in);
    rc = target_of(v, in, &t);
    if (!rc)
        rc = branch_to(v, t, in->osize);
    if (!rc)
        rc = iem_push(v, in->osize, ret);
    if (rc)
        v->iem.next_rip = ret;
    return rc;
}

static int op_ret(struct vcpu *v, const struct iem_insn *in)
{
    uint64_t t;
    int rc;
    if (in->far)
        return iem_far_ret(v, in);
    rc = iem_stack_peek(v, 0, in->osize, &t);
    if (!rc)
        rc = branch_to(v, t, in->osize);
    if (rc)
        return rc;
    iem_sp_add(v, in->osize + (in->nops ? (int64_t)(in->op[0].imm & 0xffff) : 0));
    return IEM_OK;
}

/* 70+cc / 0F 80+cc: the low opcode nibble is the condition, as for SETcc. */
static int op_jcc(struct vcpu *v, const struct iem_insn *in)
{
    if (!cpu_cond(&v->cpu, in->opcode & 0xf))
        return IEM_OK;
    return branch_to(v, v->iem.next_rip + in->op[0].imm, in->osize);
}

static int op_loop(struct vcpu *v, const struct iem_insn *in)
{
    uint64_t cnt = (iem_gpr(v, R_CX, in->asize) - 1) & iem_mask(in->asize);
    bool take = cnt != 0;
    int rc = IEM_OK;

    if (in->mnemonic == ZYDIS_MNEMONIC_LOOPE)
        take = take && cpu_cond(&v->cpu, 4);
    else if (in->mnemonic == ZYDIS_MNEMONIC_LOOPNE)
        take = take && cpu_cond(&v->cpu, 5);
    if (take)
        rc = branch_to(v, v->iem.next_rip + in->op[0].imm, in->osize);
    if (!rc)
        iem_gpr_set(v, R_CX, in->asize, cnt);
    return rc;
}

static int op_jcxz(struct vcpu *v, const struct iem_insn *in)
{
    unsigned size = in->mnemonic == ZYDIS_MNEMONIC_JCXZ ? 2 : in->mnemonic == ZYDIS_MNEMONIC_JECXZ ? 4 : 8;
    if (iem_gpr(v, R_CX, size) != 0)
        return IEM_OK;
    return branch_to(v, v->iem.next_rip + in->op[0].imm, in->osize);
}

static int op_push(struct vcpu *v, const struct iem_insn *in)
{
    uint64_t val;
    int rc;
    if (in->op[0].type == OPT_REG && in->op[0].rclass == RC_SEG)
        return iem_push_seg(v, in);
    rc = iem_opnd_read(v, in, 0, &val);
    return rc ? rc : iem_push(v, in->osize, val);
}

static int op_pop(struct vcpu *v, const struct iem_insn *in)
{
    uint64_t val, old_sp = v->cpu.gpr[R_SP];
    int rc;
    if (in->op[0].type == OPT_REG && in->op[0].rclass == RC_SEG)
        return iem_pop_seg(v, in);
    rc = iem_stack_peek(v, 0, in->osize, &val);
    if (rc)
        return rc;
    /* a memory destination addressed through RSP sees the popped RSP */
    iem_sp_add(v, in->osize);
    if (in->op[0].type == OPT_REG && in->op[0].rclass == RC_GPR && in->op[0].reg == R_SP) {
        iem_gpr_set(v, R_SP, in->osize, val);
        return IEM_OK;
    }
    rc = iem_opnd_write(v, in, 0, val);
    if (rc)
        v->cpu.gpr[R_SP] = old_sp;
    return rc;
}

static int op_pusha(struct vcpu *v, const struct iem_insn *in)
{
    unsigned s = in->osize, ss = iem_stack_size(v);
    uint64_t sp = v->cpu.gpr[R_SP];
    int rc;
    /* write all eight first so a fault leaves ESP unchanged */
    for (int r = 0; r < 8; r++) {
        rc = iem_write(v, S_SS, (sp - (uint64_t)(r + 1) * s) & iem_mask(ss), s, iem_gpr(v, r, s));
        if (rc)
            return rc;
    }
    iem_sp_add(v, -8 * (int64_t)s);
    return IEM_OK;
}

static int op_popa(struct vcpu *v, const struct iem_insn *in)
{
    unsigned s = in->osize;
    uint64_t val[8];
    int rc;
    for (int r = 0; r < 8; r++) {
        rc = iem_stack_peek(v, (uint64_t)(7 - r) * s, s, &val[r]);
        if (rc)
            return rc;
    }
    for (int r = 0; r < 8; r++)
        if (r != R_SP)
            iem_gpr_set(v, r, s, val[r]);
    iem_sp_add(v, 8 * (int64_t)s);
    return IEM_OK;
}

static int op_enter(struct vcpu *v, const struct iem_insn *in)
{
    unsigned s = in->osize, ss = iem_stack_size(v), level = in->op[1].imm & 31;
    uint64_t m = iem_mask(ss), sp = v->cpu.gpr[R_SP], bp = v->cpu.gpr[R_BP], frame, val;
    int rc;

    sp = (sp - s) & m;
    rc = iem_write(v, S_SS, sp, s, iem_gpr(v, R_BP, s));
    frame = sp;
    for (unsigned i = 1; !rc && i < level; i++) {
        bp = (bp - s) & m;
        rc = iem_read(v, S_SS, bp & iem_mask(ss), s, &val);
        if (!rc) {
            sp = (sp - s) & m;
            rc = iem_write(v, S_SS, sp, s, val);
        }
    }
    if (!rc && level) {
        sp = (sp - s) & m;
        rc = iem_write(v, S_SS, sp, s, frame);
    }
    sp = (sp - (in->op[0].imm & 0xffff)) & m;
    if (!rc) /* the final RSP must be a valid stack address too */
        rc = iem_read(v, S_SS, sp, 1, &val);
    if (rc)
        return rc;
    iem_gpr_set(v, R_BP, s, frame);
    iem_gpr_set(v, R_SP, ss, sp);
    return IEM_OK;
}

static int op_leave(struct vcpu *v, const struct iem_insn *in)
{
    unsigned ss = iem_stack_size(v);
    uint64_t bp = iem_gpr(v, R_BP, ss), val;
    int rc = iem_read(v, S_SS, bp, in->osize, &val);
    if (rc)
        return rc;
    iem_gpr_set(v, R_SP, ss, bp + in->osize);
    iem_gpr_set(v, R_BP, in->osize, val);
    return IEM_OK;
}

static int op_pushf(struct vcpu *v, const struct iem_insn *in)
{
    struct cpu *c = &v->cpu;
    uint64_t f = cpu_get_flags(c);
    if (iem_vme_flags16(c, in->osize))
        return iem_push(v, 2, iem_vme_pushed_flags(f));
    if (cpu_is_v86(c) && ((f & F_IOPL) >> 12) < 3)
        return iem_gp(v, 0);
    return iem_push(v, in->osize, f & ~(uint64_t)(F_VM | F_RF));
}

static int op_popf(struct vcpu *v, const struct iem_insn *in)
{
    struct cpu *c = &v->cpu;
    uint64_t old = cpu_get_flags(c), val, mask;
    unsigned iopl = (unsigned)((old & F_IOPL) >> 12);
    int rc;

    bool vme = iem_vme_flags16(c, in->osize);
    if (cpu_is_v86(c) && iopl < 3 && !vme)
        return iem_gp(v, 0);
    rc = iem_stack_peek(v, 0, in->osize, &val);
    if (rc)
        return rc;
    if (vme) {
        rc = iem_vme_popped_flags(v, val, &val);
        if (rc)
            return rc;
        iem_sp_add(v, 2);
        cpu_set_flags(c, val & ~(uint64_t)F_RF);
        return IEM_OK;
    }
    mask = F_ARITH | F_TF | F_DF | F_NT | F_AC | F_ID;
    if (cpu_is_real(c) || c->cpl == 0)
        mask |= F_IOPL | F_IF;
    else if (c->cpl <= iopl || cpu_is_v86(c))
        mask |= F_IF;
    mask &= iem_mask(in->osize);
    iem_sp_add(v, in->osize);
    cpu_set_flags(c, ((old & ~mask) | (val & mask)) & ~(uint64_t)F_RF);
    return IEM_OK;
}

static int op_flagbit(struct vcpu *v, const struct iem_insn *in)
{
    uint64_t f = cpu_get_flags(&v->cpu);
    switch (in->mnemonic) {
    case ZYDIS_MNEMONIC_CLC: f &= ~(uint64_t)F_CF; break;
    case ZYDIS_MNEMONIC_STC: f |= F_CF; break;
    case ZYDIS_MNEMONIC_CMC: f ^= F_CF; break;
    case ZYDIS_MNEMONIC_CLD: f &= ~(uint64_t)F_DF; break;
    case ZYDIS_MNEMONIC_STD: f |= F_DF; break;
    case ZYDIS_MNEMONIC_SAHF:
        f = (f & ~(uint64_t)(F_SF | F_ZF | F_AF | F_PF | F_CF)) |
            ((v->cpu.gpr[R_AX] >> 8) & (F_SF | F_ZF | F_AF | F_PF | F_CF));
        break;
    case ZYDIS_MNEMONIC_LAHF:
        v->cpu.gpr[R_AX] = (v->cpu.gpr[R_AX] & ~0xff00ull) | (((f & 0xd5) | F_1) << 8);
        return IEM_OK;
    default: return iem_unimplemented(v, in);
    }
    cpu_set_flags(&v->cpu, f);
    return IEM_OK;
}

const struct iem_op_def iem_ops_ctrl[] = {
    {ZYDIS_MNEMONIC_JMP, op_jmp},     {ZYDIS_MNEMONIC_CALL, op_call},   {ZYDIS_MNEMONIC_RET, op_ret},
    {ZYDIS_MNEMONIC_JO, op_jcc},      {ZYDIS_MNEMONIC_JNO, op_jcc},     {ZYDIS_MNEMONIC_JB, op_jcc},
    {ZYDIS_MNEMONIC_JNB, op_jcc},     {ZYDIS_MNEMONIC_JZ, op_jcc},      {ZYDIS_MNEMONIC_JNZ, op_jcc},
    {ZYDIS_MNEMONIC_JBE, op_jcc},     {ZYDIS_MNEMONIC_JNBE, op_jcc},    {ZYDIS_MNEMONIC_JS, op_jcc},
    {ZYDIS_MNEMONIC_JNS, op_jcc},     {ZYDIS_MNEMONIC_JP, op_jcc},      {ZYDIS_MNEMONIC_JNP, op_jcc},
    {ZYDIS_MNEMONIC_JL, op_jcc},      {ZYDIS_MNEMONIC_JNL, op_jcc},     {ZYDIS_MNEMONIC_JLE, op_jcc},
    {ZYDIS_MNEMONIC_JNLE, op_jcc},    {ZYDIS_MNEMONIC_LOOP, op_loop},   {ZYDIS_MNEMONIC_LOOPE, op_loop},
    {ZYDIS_MNEMONIC_LOOPNE, op_loop}, {ZYDIS_MNEMONIC_JCXZ, op_jcxz},   {ZYDIS_MNEMONIC_JECXZ, op_jcxz},
    {ZYDIS_MNEMONIC_JRCXZ, op_jcxz},  {ZYDIS_MNEMONIC_PUSH, op_push},   {ZYDIS_MNEMONIC_POP, op_pop},
    {ZYDIS_MNEMONIC_PUSHA, op_pusha}, {ZYDIS_MNEMONIC_PUSHAD, op_pusha}, {ZYDIS_MNEMONIC_POPA, op_popa},
    {ZYDIS_MNEMONIC_POPAD, op_popa},  {ZYDIS_MNEMONIC_ENTER, op_enter}, {ZYDIS_MNEMONIC_LEAVE, op_leave},
    {ZYDIS_MNEMONIC_PUSHF, op_pushf}, {ZYDIS_MNEMONIC_PUSHFD, op_pushf}, {ZYDIS_MNEMONIC_PUSHFQ, op_pushf},
    {ZYDIS_MNEMONIC_POPF, op_popf},   {ZYDIS_MNEMONIC_POPFD, op_popf},  {ZYDIS_MNEMONIC_POPFQ, op_popf},
    {ZYDIS_MNEMONIC_CLC, op_flagbit}, {ZYDIS_MNEMONIC_STC, op_flagbit}, {ZYDIS_MNEMONIC_CMC, op_flagbit},
    {ZYDIS_MNEMONIC_CLD, op_flagbit}, {ZYDIS_MNEMONIC_STD, op_flagbit}, {ZYDIS_MNEMONIC_SAHF, op_flagbit},
    {ZYDIS_MNEMONIC_LAHF, op_flagbit}, {0, NULL},
};
