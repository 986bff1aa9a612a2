/* MMX/SSE data movement: full-register moves, scalar and half moves, GPR
 * transfers, sign-bit masks and masked stores. */
#include "cpu/sse.h"

enum mov_kind {
    MV_NONE, MV_FULL, MV_SCALAR, MV_LOW, MV_HIGH, MV_HLPS, MV_ZEXT, MV_MSK, MV_MASKMOV, MV_NTI,
    MV_DDUP, MV_SHDUP, MV_SLDUP,
};

struct mov_desc {
    uint8_t kind;
    uint8_t size; /* element / transfer size in bytes */
};

#define D(m, k, s) [ZYDIS_MNEMONIC_##m] = {MV_##k, s}
static const struct mov_desc mov_tab[ZYDIS_MNEMONIC_MAX_VALUE + 1] = {
    D(MOVAPS, FULL, 16), D(MOVUPS, FULL, 16), D(MOVAPD, FULL, 16), D(MOVUPD, FULL, 16),
    D(MOVDQA, FULL, 16), D(MOVDQU, FULL, 16), D(LDDQU, FULL, 16), D(MOVNTPS, FULL, 16),
    D(MOVNTPD, FULL, 16), D(MOVNTDQ, FULL, 16), D(MOVNTDQA, FULL, 16), D(MOVNTQ, FULL, 8),
    D(MOVSS, SCALAR, 4), D(MOVSD, SCALAR, 8),
    D(MOVLPS, LOW, 8), D(MOVLPD, LOW, 8), D(MOVHPS, HIGH, 8), D(MOVHPD, HIGH, 8),
    D(MOVLHPS, HIGH, 8), D(MOVHLPS, HLPS, 8), /* MOVLHPS is MOVHPS's register form */
    D(MOVD, ZEXT, 4), D(MOVQ, ZEXT, 8), D(MOVQ2DQ, ZEXT, 8), D(MOVDQ2Q, ZEXT, 8),
    D(MOVMSKPS, MSK, 4), D(MOVMSKPD, MSK, 8), D(PMOVMSKB, MSK, 1),
    D(MASKMOVDQU, MASKMOV, 16), D(MASKMOVQ, MASKMOV, 8), D(MOVNTI, NTI, 0),
    D(MOVDDUP, DDUP, 8), D(MOVSHDUP, SHDUP, 4), D(MOVSLDUP, SLDUP, 4),
};

/* MASKMOVDQU/MASKMOVQ: bytes of op0 whose op1 byte has its top bit set go to
 * [seg:rDI]. Only those bytes are accessed (an unselected byte may be
 * another CPU's or a device register's), and every one is checked before
 * any is written, so a fault stores nothing. */
static int maskmov(struct vcpu *v, const struct iem_insn *in, unsigned width)
{
    unsigned seg = in->seg != S_NONE ? in->seg : S_DS;
    uint64_t ea = iem_gpr(v, R_DI, in->asize), lin, gpa;
    xreg data, mask;
    int rc;

    if ((rc = sse_read(v, in, 0, &data, 0)) || (rc = sse_read(v, in, 1, &mask, 0)))
        return rc;
    for (unsigned i = 0; i < width; i++)
        if ((mask.b[i] & 0x80) && ((rc = iem_seg_lin(v, seg, ea + i, 1, ACC_W, &lin)) ||
                                   (rc = iem_translate(v, lin, ACC_W, &gpa))))
            return rc;
    for (unsigned i = 0; i < width; i++)
        if ((mask.b[i] & 0x80) && (rc = iem_write_buf(v, seg, ea + i, &data.b[i], 1)))
            return rc;
    return IEM_OK;
}

int sse_op_mov(struct vcpu *v, const struct iem_insn *in)
{
    const struct mov_desc *d = &mov_tab[in->mnemonic];
    const struct iem_op *dst = &in->op[0], *src = &in->op[1];
    xreg s, r;
    int rc;

    if (d->kind == MV_NONE || in->nops < 2)
        return iem_unimplemented(v, in);
    if (d->kind == MV_NTI) { /* a GPR store: no SIMD state involved */
        uint64_t val;
        if ((rc = iem_opnd_read(v, in, 1, &val)))
            return rc;
        return iem_opnd_write(v, in, 0, val);
    }
    if ((rc = sse_check(v, in)))
        return rc;
    if (d->kind == MV_MASKMOV)
        return maskmov(v, in, d->size);
    if ((rc = sse_read(v, in, 1, &s, 0)))
        return rc;
    if (dst->type == OPT_MEM) { /* stores write exactly the operand size */
        if (d->kind == MV_HIGH)
            s.q[0] = s.q[1];
        return sse_write(v, in, 0, &s, 0);
    }
    if ((rc = sse_read(v, in, 0, &r, 0)))
        return rc;
    switch (d->kind) {
    case MV_FULL:
        r = s;
        break;
    case MV_SCALAR: /* a load zeroes the rest of the register; a register move keeps it */
        if (src->type == OPT_MEM)
            memset(&r, 0, sizeof(r));
        memcpy(&r, &s, d->size);
        break;
    case MV_LOW:
        r.q[0] = s.q[0];
        break;
    case MV_HIGH:
        r.q[1] = s.q[0];
        break;
    case MV_HLPS:
        r.q[0] = s.q[1];
        break;
    case MV_ZEXT:
        memset(&r, 0, sizeof(r));
        memcpy(&r, &s, d->size);
        break;
    case MV_MSK:
        memset(&r, 0, sizeof(r));
        r.q[0] = sse_sign_mask(s.b, d->size, sse_is_mm(src) ? 8 : 16);
        break;
    case MV_DDUP:
        r.q[0] = r.q[1] = s.q[0];
        break;
    case MV_SHDUP:
    case MV_SLDUP: {
        unsigned o = d->kind == MV_SHDUP;
        r.d[0] = r.d[1] = s.d[o];
        r.d[2] = r.d[3] = s.d[2 + o];
        break;
    }
    default:
        return iem_unimplemented(v, in);
    }
    return sse_write(v, in, 0, &r, 0);
}
