/* REM's native code: instructions that set flags IEM's way (shifts,
 * IMUL) and Jcc conditions decided from the lazy flags.
 *
 * Invariants:
 * - Flags come from the host only where the host defines them as IEM
 *   does (LAHF's SF and PF after IMUL, CMP/ADD/TEST on the lazy
 *   operands); OF and AF are worked out or cleared as IEM does.
 * - A shift leaves the lazy state op_shift leaves (LF_SHL/SHR/SAR); any
 *   lazy op the code does not evaluate inline goes through cpu/flags.c.
 */
#include "rem/rem_native.h"

void rem_emit_set_arith(struct x64 *e)
{
    x64_load(e, X_RAX, V_RFLAGS, true);
    x64_alu_imm(e, 4, X_RAX, (uint32_t) ~(uint32_t)F_ARITH, true); /* sign-extends: the high bits stay */
    x64_alu_rr(e, X_OR, X_RAX, X_RCX, true);
    x64_store64(e, V_RFLAGS, X_RAX);
    x64_store_imm8(e, V_LF_OP, LF_NONE);
}

/* SHL/SHR/SAR r, imm|CL and IMUL r, r(, imm): the host instruction, then
 * the flags as IEM leaves them: a shift's lazy (the value shifted, the
 * masked count, the result: cpu/flags.c works them out); IMUL's (CF = OF
 * = overflow, SF and PF from the result, ZF and AF clear) with host SF and
 * PF through LAHF. */
bool rem_shift_by_cl(const struct iem_insn *in)
{
    const struct iem_op *s = &in->op[1];
    return s->type == OPT_REG && s->rclass == RC_GPR8 && s->reg == 1;
}

/* The lazy op op_shift leaves after SHL/SHR/SAR (a count not 0). */
static uint8_t shift_lf(unsigned mnemonic)
{
    return mnemonic == ZYDIS_MNEMONIC_SHL ? LF_SHL : mnemonic == ZYDIS_MNEMONIC_SHR ? LF_SHR : LF_SAR;
}

void rem_emit_flagged(struct x64 *e, const struct iem_insn *in, enum nkind k, bool live)
{
    const struct iem_op *d = &in->op[0], *s = &in->op[1];
    bool w = d->size == 8, by_cl = k == N_SHIFT_CL;
    unsigned mask = w ? 0x3f : 0x1f;
    unsigned ext = in->mnemonic == ZYDIS_MNEMONIC_ROL   ? 0
                   : in->mnemonic == ZYDIS_MNEMONIC_ROR ? 1
                   : in->mnemonic == ZYDIS_MNEMONIC_SHL ? 4
                   : in->mnemonic == ZYDIS_MNEMONIC_SHR ? 5
                                                        : 7;
    uint8_t *zero = NULL;

    if (by_cl) { /* the host masks CL as the guest does */
        x64_load_sz(e, X_RCX, X_RBX, V_GPR(1), 1);
        if (live) { /* a count of 0 changes no flag: only the write */
            x64_alu_imm(e, 4, X_RCX, mask, false);
            zero = x64_jz(e);
        }
    }
    if (k == N_ROT || ((k == N_SHIFT || by_cl) && !live)) { /* the result alone (count 0: a 32-bit register zero-extended, as the host does) */
        x64_load_sz(e, X_RAX, X_RBX, rem_reg_disp(d), d->size);
        if (by_cl)
            x64_shift_cl(e, ext, X_RAX, w);
        else
            x64_shift_imm_sz(e, ext, X_RAX, (unsigned)(s->imm & mask), d->size);
        x64_store_sz(e, X_RBX, rem_reg_disp(d), X_RAX, d->size < 4 ? d->size : 8);
        return;
    }
    if (k == N_SHIFT || by_cl) {
        x64_load_sz(e, X_RAX, X_RBX, rem_reg_disp(d), d->size);
        x64_mov_rr(e, X_RDX, X_RAX, true);
        if (by_cl)
            x64_shift_cl(e, ext, X_RAX, w);
        else
            x64_shift_imm_sz(e, ext, X_RAX, (unsigned)(s->imm & mask), d->size);
        x64_store_sz(e, X_RBX, rem_reg_disp(d), X_RAX, d->size < 4 ? d->size : 8);
        /* the flags lazy, as op_shift leaves them: rax and rdx are at
         * the size (zero-extended), rcx the masked count */
        if (!by_cl)
            x64_mov_imm(e, X_RCX, s->imm & mask);
        rem_emit_lazy(e, shift_lf(in->mnemonic), d->size, X_RAX, X_RDX, X_RCX);
        if (zero) {
            uint8_t *done = x64_jmp(e);
            x64_patch(e, zero);
            if (!w) { /* count 0: the 32-bit register is still written */
                x64_load(e, X_RAX, V_GPR(d->reg), false);
                x64_store64(e, V_GPR(d->reg), X_RAX);
            }
            x64_patch(e, done);
        }
        return;
    }
    x64_load(e, X_RAX, V_GPR(s->reg), w);
    if (in->nops == 3)
        x64_mov_imm(e, X_RCX, w ? in->op[2].imm : (uint32_t)in->op[2].imm);
    else
        x64_load(e, X_RCX, V_GPR(d->reg), w);
    x64_imul_rr(e, X_RAX, X_RCX, w);
    if (!live) {
        x64_store64(e, V_GPR(d->reg), X_RAX);
        return;
    }
    x64_store64(e, V_GPR(d->reg), X_RAX);
    rem_emit_mul_flags(e, d->size);
}

void rem_emit_mul_flags(struct x64 *e, unsigned size)
{
    x64_seto_dl(e);
    x64_flagop(e, X_F_TEST, X_RAX, X_RAX, size);
    x64_lahf_ecx(e, 0x84); /* SF PF */
    x64_movzx_edx_dl(e);
    x64_imul_imm32(e, X_RDX, F_CF | F_OF);
    x64_alu_rr(e, X_OR, X_RCX, X_RDX, false);
    rem_emit_set_arith(e);
}

/* Instructions that leave the lazy flags alone. */
static const uint16_t keeps_flags[] = {
    ZYDIS_MNEMONIC_MOV,    ZYDIS_MNEMONIC_LEA,  ZYDIS_MNEMONIC_MOVZX, ZYDIS_MNEMONIC_MOVSX,
    ZYDIS_MNEMONIC_MOVSXD, ZYDIS_MNEMONIC_NOT,  ZYDIS_MNEMONIC_NOP,   ZYDIS_MNEMONIC_PUSH,
    ZYDIS_MNEMONIC_POP,    ZYDIS_MNEMONIC_XCHG, ZYDIS_MNEMONIC_BSWAP,
};

void rem_lf_track(struct lf_known *k, const struct iem_insn *in)
{
    /* SETcc, CMOVcc: they read the flags, not write them */
    if (in->opmap == ZYDIS_OPCODE_MAP_0F &&
        ((in->opcode >= 0x90 && in->opcode <= 0x9f) || (in->opcode >= 0x40 && in->opcode <= 0x4f)))
        return;
    static const struct {
        uint16_t mnemonic;
        uint8_t op;
    } sets[] = {
        {ZYDIS_MNEMONIC_ADD, LF_ADD},    {ZYDIS_MNEMONIC_SUB, LF_SUB},  {ZYDIS_MNEMONIC_CMP, LF_SUB},
        {ZYDIS_MNEMONIC_AND, LF_LOGIC},  {ZYDIS_MNEMONIC_OR, LF_LOGIC}, {ZYDIS_MNEMONIC_XOR, LF_LOGIC},
        {ZYDIS_MNEMONIC_TEST, LF_LOGIC}, {ZYDIS_MNEMONIC_INC, LF_INC},  {ZYDIS_MNEMONIC_DEC, LF_DEC},
        {ZYDIS_MNEMONIC_NEG, LF_NEG},    {ZYDIS_MNEMONIC_ADC, LF_ADC},  {ZYDIS_MNEMONIC_SBB, LF_SBB},
    };
    for (size_t i = 0; i < sizeof(keeps_flags) / sizeof(keeps_flags[0]); i++)
        if (keeps_flags[i] == in->mnemonic)
            return;
    k->op = LF_NONE;
    if (in->lock || in->nops < 1)
        return;
    /* a shift by an immediate sets its lazy op when the masked count is
     * not 0 (by CL: not known here) */
    if ((in->mnemonic == ZYDIS_MNEMONIC_SHL || in->mnemonic == ZYDIS_MNEMONIC_SHR ||
         in->mnemonic == ZYDIS_MNEMONIC_SAR) &&
        in->nops == 2 && in->op[1].type == OPT_IMM && (in->op[1].imm & (in->op[0].size == 8 ? 0x3f : 0x1f))) {
        k->op = shift_lf(in->mnemonic);
        k->size = in->op[0].size;
        return;
    }
    for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
        if (sets[i].mnemonic == in->mnemonic) {
            k->op = sets[i].op;
            k->size = in->op[0].size;
        }
}

static int native_cond(struct vcpu *v, uint64_t cc)
{
    return cpu_cond(&v->cpu, (unsigned)cc);
}

bool rem_cond_inline(const struct lf_known *k, unsigned cc)
{
    unsigned kind = (cc >> 1) & 7;
    return k->host == LF_HOST_ALL || k->host == LF_HOST_RFLAGS ||
           (k->host == LF_HOST_NO_CF && kind != 1 && kind != 3) ||
           (k->op != LF_NONE && (kind == 2 || kind == 4)) || k->op == LF_SUB || k->op == LF_NEG ||
           k->op == LF_ADD || k->op == LF_LOGIC;
}

/* Host flags such that j<cc> decides as the guest's Jcc with condition
 * cc does, from the lazy state (ra and rb scratch); or a call that leaves
 * the answer in eax (returns false then: the caller tests eax). */
bool rem_emit_cond_in(struct x64 *e, const struct lf_known *k, unsigned cc, unsigned ra, unsigned rb)
{
    unsigned kind = (cc >> 1) & 7;
    /* B and BE read CF, which INC/DEC's host ADD/SUB does not keep */
    if (k->host == LF_HOST_ALL || (k->host == LF_HOST_NO_CF && kind != 1 && kind != 3))
        return true;
    /* concrete flags: the host's from them (POPF of the six alone) */
    if (k->host == LF_HOST_RFLAGS) {
        x64_load(e, ra, V_RFLAGS, false);
        x64_alu_imm(e, 4, ra, F_ARITH, false);
        x64_popf(e, ra);
        return true;
    }
    /* ZF and SF come from the result alone, whatever the op */
    if (k->op != LF_NONE && (kind == 2 || kind == 4)) {
        x64_load(e, ra, V_LF_RES, true);
        x64_flagop(e, X_F_TEST, ra, ra, k->size);
        return true;
    }
    /* SUB/CMP/NEG (src1 - src2), ADD and the logical ops: the host op on
     * the same operands sets all six flags as the guest's did */
    if (k->op == LF_SUB || k->op == LF_NEG || k->op == LF_ADD) {
        x64_load(e, ra, V_LF_SRC1, true);
        x64_load(e, rb, V_LF_SRC2, true);
        x64_flagop(e, k->op == LF_ADD ? X_F_ADD : X_F_CMP, ra, rb, k->size);
        return true;
    }
    if (k->op == LF_LOGIC) {
        x64_load(e, ra, V_LF_RES, true);
        x64_flagop(e, X_F_TEST, ra, ra, k->size);
        return true;
    }
    x64_call_keep(e, native_cond, cc);
    x64_test_eax(e);
    return false;
}

bool rem_emit_cond(struct x64 *e, const struct lf_known *k, unsigned cc)
{
    return rem_emit_cond_in(e, k, cc, X_RAX, X_RCX);
}

/* CF as cpu_get_cf works it out from the lazy state (0 or 1). */
static int native_cf(struct vcpu *v, uint64_t unused)
{
    (void)unused;
    return cpu_get_cf(&v->cpu) != 0;
}

/* eax = CF (0 or 1) as cpu_get_cf works it out from the lazy state: the
 * ops compiled code leaves most inline (the operands and result are
 * stored masked to their size), the others through native_cf. */
static void emit_cf(struct x64 *e)
{
    /* CF = a < b, unsigned, after these */
    static const struct {
        uint8_t op;
        int32_t a, b;
    } below[] = {{LF_SUB, V_LF_SRC1, V_LF_SRC2}, {LF_NEG, V_LF_SRC1, V_LF_SRC2}, {LF_ADD, V_LF_RES, V_LF_SRC1}};
    /* CF is rflags' after these */
    static const uint8_t in_rflags[] = {LF_NONE, LF_INC, LF_DEC};
    uint8_t *done[5], *take[3];
    unsigned nd = 0;

    x64_load_sz(e, X_RAX, X_RBX, V_LF_OP, 1);
    /* a logical op first (TEST/AND/OR/XOR, the most common before a TB
     * ends): CF = 0 */
    x64_cmp_imm32(e, X_RAX, LF_LOGIC);
    uint8_t *next = x64_jcc(e, 0x5);
    x64_mov_imm(e, X_RAX, 0);
    done[nd++] = x64_jmp(e);
    x64_patch(e, next);
    for (unsigned i = 0; i < sizeof(below) / sizeof(below[0]); i++) {
        x64_cmp_imm32(e, X_RAX, below[i].op);
        uint8_t *skip = x64_jcc(e, 0x5);
        x64_load(e, X_RCX, below[i].a, true);
        x64_mem(e, true, 0x3b, X_RCX, X_RBX, below[i].b); /* cmp rcx, b */
        x64_setcc_eax(e, 0x2);
        done[nd++] = x64_jmp(e);
        x64_patch(e, skip);
    }
    for (unsigned i = 0; i < sizeof(in_rflags); i++) {
        x64_cmp_imm32(e, X_RAX, in_rflags[i]);
        take[i] = x64_jcc(e, 0x4);
    }
    x64_call_keep(e, native_cf, 0);
    done[nd++] = x64_jmp(e);
    for (unsigned i = 0; i < sizeof(in_rflags); i++)
        x64_patch(e, take[i]);
    x64_load(e, X_RAX, V_RFLAGS, false);
    x64_alu_imm(e, 4, X_RAX, F_CF, false);
    for (unsigned i = 0; i < nd; i++)
        x64_patch(e, done[i]);
}

/* INC/DEC keep CF: pinned into rflags as iem_lazy does, unless the
 * previous flag op is known to have left it there or clear. */
static void emit_pin_cf(struct x64 *e)
{
    emit_cf(e);
    x64_load(e, X_RDX, V_RFLAGS, true);
    x64_alu_imm(e, 4, X_RDX, (uint32_t) ~(uint32_t)F_CF, true);
    x64_alu_rr(e, X_OR, X_RDX, X_RAX, true);
    x64_store64(e, V_RFLAGS, X_RDX);
}

void rem_emit_keep_cf(struct x64 *e, const struct lf_known *lf)
{
    if (lf->op == LF_LOGIC) { /* CF = 0 */
        x64_load(e, X_RAX, V_RFLAGS, true);
        x64_alu_imm(e, 4, X_RAX, (uint32_t) ~(uint32_t)F_CF, true);
        x64_store64(e, V_RFLAGS, X_RAX);
    } else if (lf->op != LF_INC && lf->op != LF_DEC) {
        emit_pin_cf(e);
    }
}

void rem_emit_incdec(struct x64 *e, const struct iem_insn *in, bool live, const struct lf_known *lf)
{
    const struct iem_op *d = &in->op[0];
    bool w = d->size == 8, inc = in->mnemonic == ZYDIS_MNEMONIC_INC;

    if (live)
        rem_emit_keep_cf(e, lf);
    int h = x64_cached_reg(e, V_GPR(d->reg));
    if (h >= 0) { /* on the cached register itself; the lazy state is the result */
        x64_alu_imm(e, inc ? 0 : 5, (unsigned)h, 1, w);
        e->dirty |= (uint16_t)(1u << d->reg);
        if (live)
            rem_emit_lazy(e, inc ? LF_INC : LF_DEC, d->size, (unsigned)h, X_RDX, X_RCX);
        return;
    }
    x64_load(e, X_RAX, V_GPR(d->reg), w);
    x64_mov_rr(e, X_RDX, X_RAX, true);
    x64_alu_imm(e, inc ? 0 : 5, X_RAX, 1, w);
    x64_store64(e, V_GPR(d->reg), X_RAX);
    if (live)
        rem_emit_lazy(e, inc ? LF_INC : LF_DEC, d->size, X_RAX, X_RDX, X_RCX);
}

/* ADC/SBB r, r|imm: the carry in from the lazy state (known statically
 * after a logical op or INC/DEC), the lazy result as op_adc leaves it. */
void rem_emit_adc(struct x64 *e, const struct iem_insn *in, bool live, const struct lf_known *lf)
{
    const struct iem_op *d = &in->op[0], *s = &in->op[1];
    bool w = d->size == 8, adc = in->mnemonic == ZYDIS_MNEMONIC_ADC;
    enum x64_alu op = adc ? X_ADD : X_SUB;

    if (lf->op == LF_INC || lf->op == LF_DEC) {
        x64_load(e, X_RDX, V_RFLAGS, false);
        x64_alu_imm(e, 4, X_RDX, F_CF, false);
    } else if (lf->op != LF_LOGIC) {
        emit_cf(e);
        x64_mov_rr(e, X_RDX, X_RAX, false);
    }
    x64_load(e, X_RAX, V_GPR(d->reg), w);
    rem_load_src(e, s, w);
    x64_mov_rr(e, X_RSI, X_RAX, true);
    x64_alu_rr(e, op, X_RSI, X_RCX, w);
    if (lf->op != LF_LOGIC) /* a logical op leaves no carry */
        x64_alu_rr(e, op, X_RSI, X_RDX, w);
    x64_store64(e, V_GPR(d->reg), X_RSI);
    if (live)
        rem_emit_lazy(e, adc ? LF_ADC : LF_SBB, d->size, X_RSI, X_RAX, X_RCX);
}

void rem_emit_setcc(struct x64 *e, const struct iem_insn *in, const struct lf_known *lf)
{
    const struct iem_op *d = &in->op[0];
    unsigned cc = in->opcode & 0xf;
    bool setcc = in->opcode >= 0x90;

    /* host flags (or eax = the condition) first: the loads below keep them */
    if (!rem_emit_cond(e, lf, cc))
        cc = 0x5; /* eax != 0 */
    if (setcc) {
        x64_setcc_cl(e, cc);
        x64_store_sz(e, X_RBX, rem_reg_disp(d), X_RCX, 1);
        return;
    }
    /* CMOV r32 writes (zero-extends) the destination either way */
    x64_load(e, X_RDX, V_GPR(d->reg), d->size == 8);
    x64_load(e, X_RCX, V_GPR(in->op[1].reg), d->size == 8);
    x64_cmov(e, cc, X_RDX, X_RCX, d->size == 8);
    x64_store64(e, V_GPR(d->reg), X_RDX);
}
