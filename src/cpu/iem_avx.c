/* AVX/AVX2: the VEX checks and the VEX forms of the legacy SSE instructions.
 *
 * A VEX instruction that AVX defines as its SSE counterpart with a separate
 * first source runs the legacy handler on a copy of the decoded instruction:
 * the destination register is loaded with the VEX.vvvv source first (the
 * legacy two-operand form reads its destination as the first source), the
 * vvvv operand is dropped, and YMM operands become XMM. A 256-bit form runs
 * that twice, once per 128-bit lane: for the high lane the register file is
 * swapped for the upper halves and memory operands move up 16 bytes. Every
 * lane runs on a scratch copy of the XMM file; only after all lanes succeed
 * is the destination written, the high half with the second lane or zeros
 * (VEX.128 clears bits 255:128; legacy SSE keeps them).
 *
 * Exceptions (SDM vol. 2, 2.8): #UD unless CR4.OSXSAVE and XCR0 enables SSE
 * and AVX state, then #NM when CR0.TS; CR0.EM and CR4.OSFXSR do not apply.
 * LOCK/66/F2/F3/REX before VEX, VEX.vvvv != 1111b without a vvvv operand and
 * VEX.L=1 where only L=0 exists are rejected by the decoder (#UD). Memory
 * operands need no alignment except VMOVAPS/APD/DQA/NTxx (sse_align).
 * A 256-bit form runs its lanes with exceptions masked and then applies
 * the flags of both at once, so an unmasked exception in either lane
 * records both lanes' flags and writes nothing.
 */
#include "cpu/cpufeat.h"
#include "cpu/sse.h"

int avx_check(struct vcpu *v)
{
    const struct cpu *c = &v->cpu;
    if (!(c->cr4 & CR4_OSXSAVE) || (c->xcr0 & (XCR0_SSE | XCR0_AVX)) != (XCR0_SSE | XCR0_AVX))
        return iem_ud(v);
    if (c->cr0 & CR0_TS)
        return iem_raise(v, X_NM, 0, false);
    return IEM_OK;
}

bool avx_is_ymm(const struct iem_op *op)
{
    return op->type == OPT_REG && op->rclass == RC_OTHER && op->reg >= ZYDIS_REGISTER_YMM0 &&
           op->reg <= ZYDIS_REGISTER_YMM15;
}

bool avx_is_vreg(const struct iem_op *op)
{
    return sse_is_xmm(op) || avx_is_ymm(op);
}

unsigned avx_regno(const struct iem_op *op)
{
    return (unsigned)(op->reg - (avx_is_ymm(op) ? ZYDIS_REGISTER_YMM0 : ZYDIS_REGISTER_XMM0)) & 15;
}

bool avx_wide(const struct iem_insn *in)
{
    for (unsigned i = 0; i < in->nops; i++)
        if (avx_is_ymm(&in->op[i]) || (in->op[i].type == OPT_MEM && in->op[i].size == 32 && !in->vsib))
            return true;
    return false;
}

int avx_read(struct vcpu *v, const struct iem_insn *in, unsigned i, yreg *y, unsigned len, unsigned align)
{
    const struct iem_op *op = &in->op[i];
    int rc;
    memset(y, 0, sizeof(*y));
    if (op->type == OPT_REG && avx_is_vreg(op)) {
        unsigned r = avx_regno(op);
        memcpy(y->b, v->cpu.xmm[r], len < 16 ? len : 16);
        if (len > 16)
            memcpy(y->b + 16, v->cpu.ymmh[r], 16);
        return IEM_OK;
    }
    if (op->type == OPT_MEM) {
        if (align && (rc = sse_align(v, in, op, align)))
            return rc;
        if (op->size && op->size < len) /* a scalar or half-width memory source */
            len = op->size;
        return iem_read_buf(v, op->seg, iem_ea(v, in, op), y, len);
    }
    if (op->type == OPT_REG && op->rclass == RC_GPR) {
        y->q[0] = iem_gpr(v, op->reg, op->size);
        return IEM_OK;
    }
    return -1;
}

int avx_write(struct vcpu *v, const struct iem_insn *in, unsigned i, const yreg *y, unsigned len,
              unsigned align)
{
    const struct iem_op *op = &in->op[i];
    int rc;
    if (op->type == OPT_REG && avx_is_vreg(op)) {
        avx_set_reg(v, avx_regno(op), y, len);
        return IEM_OK;
    }
    if (op->type == OPT_MEM) {
        if (align && (rc = sse_align(v, in, op, align)))
            return rc;
        return iem_write_buf(v, op->seg, iem_ea(v, in, op), y, len);
    }
    return -1;
}

void avx_set_reg(struct vcpu *v, unsigned r, const yreg *y, unsigned len)
{
    memcpy(v->cpu.xmm[r], y->b, 16);
    if (len > 16)
        memcpy(v->cpu.ymmh[r], y->b + 16, 16);
    else
        memset(v->cpu.ymmh[r], 0, 16);
}

/* An XMM register no operand of L names, nor a nor b (at most 6 of 16 are). */
static unsigned free_reg(const struct iem_insn *L, int a, int b)
{
    for (unsigned t = 0; t < 16; t++) {
        bool used = (int)t == a || (int)t == b;
        for (unsigned j = 0; j < L->nops; j++)
            used |= sse_is_xmm(&L->op[j]) && L->op[j].reg == ZYDIS_REGISTER_XMM0 + t;
        if (!used)
            return t;
    }
    return 15;
}

/* Moves operand i of L (a lane-independent source) to a free scratch
 * register holding `val`. */
static void rename_src(struct vcpu *v, struct iem_insn *L, unsigned i, int a, int b, const uint8_t val[16])
{
    unsigned t = free_reg(L, a, b);
    memcpy(v->cpu.xmm[t], val, 16);
    L->op[i] = (struct iem_op){
        .type = OPT_REG, .size = 16, .rclass = RC_OTHER, .reg = (uint16_t)(ZYDIS_REGISTER_XMM0 + t)};
}

/* Runs the legacy form L on one lane. The XMM file is a scratch copy for
 * the call and comes back unchanged; *out gets the destination register's
 * value (dst >= 0), or XMM0 for the implicit-XMM0 forms. For the high lane
 * the register file is the upper halves and memory moves up 16 bytes, but:
 * AVX_CNT's shift count (the last operand) stays the low one; AVX_WIDEN's
 * source is the next AVX_HALF bytes of the low source; an immediate loses
 * its low AVX_IMMSH bits (MPSADBW, SHUFPD, BLENDPx use the next ones). */
static int run_lane(struct vcpu *v, struct iem_insn *L, int dst, int pre, unsigned flags, unsigned lane,
                    uint8_t out[16])
{
    uint8_t saved[16][16];
    unsigned last = L->nops - 1, half = AVX_HALF_OF(flags);
    int rc;

    memcpy(saved, v->cpu.xmm, sizeof(saved));
    if (lane && (flags & AVX_WIDEN)) {
        struct iem_op *s = &L->op[last];
        if (s->type == OPT_MEM) {
            s->disp += half;
        } else {
            uint8_t hi[16] = {0};
            memcpy(hi, saved[avx_regno(s)] + half, 16 - half);
            rename_src(v, L, last, dst, pre, hi);
        }
    } else if (lane) {
        struct iem_op *c = &L->op[last];
        int creg = (flags & AVX_CNT) && sse_is_xmm(c) ? (int)avx_regno(c) : -1;
        memcpy(v->cpu.xmm, v->cpu.ymmh, sizeof(saved));
        for (unsigned i = 0; i < L->nops; i++)
            if (L->op[i].type == OPT_MEM && !((flags & AVX_CNT) && i == last))
                L->op[i].disp += 16;
        if (creg >= 0)
            rename_src(v, L, last, dst, pre, saved[creg]);
        if (L->op[last].type == OPT_IMM)
            L->op[last].imm >>= AVX_IMMSH_OF(flags);
    }
    if (pre >= 0 && dst >= 0) {
        /* a later source naming the destination must still see its old value: rename it */
        for (unsigned i = 1; i < L->nops; i++)
            if (sse_is_xmm(&L->op[i]) && (int)avx_regno(&L->op[i]) == dst && pre != dst)
                rename_src(v, L, i, dst, pre, v->cpu.xmm[dst]);
        memcpy(v->cpu.xmm[dst], v->cpu.xmm[pre], 16);
    }
    rc = sse_vex_legacy(v, L);
    if (!rc && (dst >= 0 || (flags & AVX_X0)))
        memcpy(out, v->cpu.xmm[(flags & AVX_X0) ? 0 : dst], 16);
    memcpy(v->cpu.xmm, saved, sizeof(saved));
    return rc;
}

int avx_legacy(struct vcpu *v, const struct iem_insn *in, unsigned legacy, unsigned flags)
{
    struct iem_insn L = *in;
    unsigned lanes = avx_wide(in) ? 2 : 1, n = 0;
    int dst = -1, pre = -1;
    uint8_t out[2][16];
    int rc;

    if (lanes == 2 && !(flags & (AVX_256 | AVX_256_AVX2)))
        return iem_ud(v);
    if (lanes == 2 && (flags & AVX_256_AVX2) && !iem_feat(v, CF_AVX2))
        return iem_ud(v);
    L.mnemonic = (uint16_t)legacy;
    for (unsigned i = 0; i < in->nops; i++) {
        if (in->nds && i == 1) {
            pre = (int)avx_regno(&in->op[1]); /* the first source: vvvv or, for NDD, r/m */
            continue;
        }
        L.op[n] = in->op[i];
        if (avx_is_ymm(&L.op[n]))
            L.op[n].reg = (uint16_t)(ZYDIS_REGISTER_XMM0 + avx_regno(&L.op[n]));
        if (L.op[n].type == OPT_MEM && lanes == 2 && !((flags & AVX_CNT) && i == in->nops - 1U))
            L.op[n].size = (flags & AVX_WIDEN) ? (uint8_t)AVX_HALF_OF(flags) : L.op[n].size / 2;
        n++;
    }
    L.nops = (uint8_t)n;
    if (!(flags & AVX_RO) && sse_is_xmm(&L.op[0]))
        dst = (int)avx_regno(&L.op[0]);
    /* Two lanes run with every SIMD exception masked and no flags set; their
     * flags then count once, as the one instruction's (an unmasked one
     * faults with both lanes' flags recorded and nothing written). */
    uint32_t mxcsr = v->cpu.mxcsr, raised = 0;
    for (unsigned lane = 0; lane < lanes; lane++) {
        struct iem_insn l = L;
        if (lanes == 2)
            v->cpu.mxcsr = (mxcsr & ~MXCSR_FLAGS) | MXCSR_MASKS;
        rc = run_lane(v, &l, dst, pre, flags, lane, out[lane]);
        raised |= v->cpu.mxcsr & MXCSR_FLAGS;
        if (lanes == 2)
            v->cpu.mxcsr = mxcsr;
        if (rc)
            return rc;
    }
    if (lanes == 2 && (rc = sse_fp_flags(v, raised)))
        return rc;
    if (dst >= 0 || (flags & AVX_X0)) {
        unsigned r = (flags & AVX_X0) ? 0 : (unsigned)dst;
        memcpy(v->cpu.xmm[r], out[0], 16);
        if (lanes == 2)
            memcpy(v->cpu.ymmh[r], out[1], 16);
        else
            memset(v->cpu.ymmh[r], 0, 16);
    }
    return IEM_OK;
}
