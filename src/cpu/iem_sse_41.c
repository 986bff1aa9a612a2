/* SSE4.1 data-movement and integer instructions that are not plain
 * element-wise operations: blends, inserts/extracts, sign/zero extension,
 * PTEST, PHMINPOSUW and MPSADBW. */
#include <stdlib.h>

#include "cpu/sse.h"

enum s41_kind {
    Q_NONE, Q_BLEND, Q_BLENDV, Q_INSERTPS, Q_EXTRACT, Q_INSERT, Q_MOVX, Q_PTEST, Q_PHMINPOS, Q_MPSADBW,
};

struct s41_desc {
    uint8_t kind;
    uint8_t esize; /* element size (destination element for Q_MOVX) */
    uint8_t ssize; /* Q_MOVX: source element size */
    uint8_t sign;  /* Q_MOVX: sign extension */
};

#define D(m, k, e, s, g) [ZYDIS_MNEMONIC_##m] = {Q_##k, e, s, g}
static const struct s41_desc s41_tab[ZYDIS_MNEMONIC_MAX_VALUE + 1] = {
    D(PBLENDW, BLEND, 2, 0, 0), D(BLENDPS, BLEND, 4, 0, 0), D(BLENDPD, BLEND, 8, 0, 0),
    D(PBLENDVB, BLENDV, 1, 0, 0), D(BLENDVPS, BLENDV, 4, 0, 0), D(BLENDVPD, BLENDV, 8, 0, 0),
    D(INSERTPS, INSERTPS, 4, 0, 0), D(EXTRACTPS, EXTRACT, 4, 0, 0), D(PEXTRB, EXTRACT, 1, 0, 0),
    D(PEXTRD, EXTRACT, 4, 0, 0), D(PEXTRQ, EXTRACT, 8, 0, 0), D(PINSRB, INSERT, 1, 0, 0),
    D(PINSRD, INSERT, 4, 0, 0), D(PINSRQ, INSERT, 8, 0, 0),
    D(PMOVSXBW, MOVX, 2, 1, 1), D(PMOVSXBD, MOVX, 4, 1, 1), D(PMOVSXBQ, MOVX, 8, 1, 1),
    D(PMOVSXWD, MOVX, 4, 2, 1), D(PMOVSXWQ, MOVX, 8, 2, 1), D(PMOVSXDQ, MOVX, 8, 4, 1),
    D(PMOVZXBW, MOVX, 2, 1, 0), D(PMOVZXBD, MOVX, 4, 1, 0), D(PMOVZXBQ, MOVX, 8, 1, 0),
    D(PMOVZXWD, MOVX, 4, 2, 0), D(PMOVZXWQ, MOVX, 8, 2, 0), D(PMOVZXDQ, MOVX, 8, 4, 0),
    D(PTEST, PTEST, 16, 0, 0), D(PHMINPOSUW, PHMINPOS, 2, 0, 0), D(MPSADBW, MPSADBW, 2, 0, 0),
};

static int ptest(struct vcpu *v, const xreg *a, const xreg *b)
{
    uint64_t f = 0;
    if (!((a->q[0] & b->q[0]) | (a->q[1] & b->q[1])))
        f |= F_ZF;
    if (!((~a->q[0] & b->q[0]) | (~a->q[1] & b->q[1])))
        f |= F_CF;
    iem_flags_update(v, F_ARITH, f);
    return IEM_OK;
}

int sse_op_41(struct vcpu *v, const struct iem_insn *in)
{
    const struct s41_desc *d = &s41_tab[in->mnemonic];
    unsigned es = d->esize, n = 16 / es, imm = 0;
    bool extract = d->kind == Q_EXTRACT;
    xreg a, b, r;
    int rc;

    if (d->kind == Q_NONE || in->nops < 2)
        return iem_unimplemented(v, in);
    if ((rc = sse_check(v, in)))
        return rc;
    if (in->nops >= 3 && in->op[2].type == OPT_IMM)
        imm = in->op[2].imm & 0xff;
    memset(&a, 0, sizeof(a));
    if ((!extract && (rc = sse_read(v, in, 0, &a, 0))) || (rc = sse_read(v, in, 1, &b, 0)))
        return rc;
    r = a;
    switch (d->kind) {
    case Q_BLEND:
        for (unsigned i = 0; i < n; i++)
            if (imm & (1u << i))
                sse_elem_put(&r, i, es, sse_elem_get(&b, i, es));
        break;
    case Q_BLENDV: { /* the selector is the implicit XMM0 */
        xreg m;
        memcpy(&m, v->cpu.xmm[0], 16);
        for (unsigned i = 0; i < n; i++)
            if (m.b[i * es + es - 1] & 0x80)
                sse_elem_put(&r, i, es, sse_elem_get(&b, i, es));
        break;
    }
    case Q_INSERTPS:
        r.d[(imm >> 4) & 3] = in->op[1].type == OPT_MEM ? b.d[0] : b.d[(imm >> 6) & 3];
        for (unsigned i = 0; i < 4; i++)
            if (imm & (1u << i))
                r.d[i] = 0;
        break;
    case Q_EXTRACT:
        memset(&r, 0, sizeof(r));
        r.q[0] = sse_elem_get(&b, imm & (n - 1), es);
        break;
    case Q_INSERT:
        sse_elem_put(&r, imm & (n - 1), es, b.q[0]);
        break;
    case Q_MOVX:
        for (unsigned i = 0; i < n; i++) {
            uint64_t x = sse_elem_get(&b, i, d->ssize);
            sse_elem_put(&r, i, es, d->sign ? iem_sext(x, d->ssize) : x);
        }
        break;
    case Q_PTEST:
        return ptest(v, &a, &b);
    case Q_PHMINPOS: {
        unsigned idx = 0;
        for (unsigned i = 1; i < 8; i++)
            if (b.w[i] < b.w[idx])
                idx = i;
        memset(&r, 0, sizeof(r));
        r.w[0] = b.w[idx];
        r.w[1] = (uint16_t)idx;
        break;
    }
    case Q_MPSADBW: {
        unsigned o1 = ((imm >> 2) & 1) * 4, o2 = (imm & 3) * 4;
        for (unsigned i = 0; i < 8; i++) {
            unsigned s = 0;
            for (unsigned j = 0; j < 4; j++)
                s += (unsigned)abs((int)a.b[o1 + i + j] - (int)b.b[o2 + j]);
            r.w[i] = (uint16_t)s;
        }
        break;
    }
    default:
        return iem_unimplemented(v, in);
    }
    return sse_write(v, in, 0, &r, 0);
}
