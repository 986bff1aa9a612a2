/* MMX/SSE2/SSSE3/SSE4.1 integer arithmetic on packed elements: one table
 * maps each mnemonic to an element size and an operation; one loop applies
 * it to 8 (MMX) or 16 (XMM) bytes. Bitwise float ops (ANDPS...) are the
 * same bit operations and live here too. */
#include <stdlib.h>

#include "cpu/sse.h"

enum int_op {
    I_NONE, I_ADD, I_ADDS, I_ADDUS, I_SUB, I_SUBS, I_SUBUS, I_MULLO, I_MULHS, I_MULHU, I_MULHRS,
    I_CMPEQ, I_CMPGT, I_MINU, I_MINS, I_MAXU, I_MAXS, I_AVG, I_AND, I_ANDN, I_OR, I_XOR,
    I_SLL, I_SRL, I_SRA, I_ABS, I_SIGN,
    /* operations that combine several source elements into one result */
    I_MULUDQ, I_MULDQ, I_MADDWD, I_MADDUBSW, I_SADBW, I_HADD, I_HSUB, I_HADDS, I_HSUBS,
};

struct int_desc {
    uint8_t op;    /* enum int_op */
    uint8_t esize; /* element (result) size in bytes */
};

#define D(m, o, e) [ZYDIS_MNEMONIC_##m] = {I_##o, e}
static const struct int_desc int_tab[ZYDIS_MNEMONIC_MAX_VALUE + 1] = {
    D(PADDB, ADD, 1), D(PADDW, ADD, 2), D(PADDD, ADD, 4), D(PADDQ, ADD, 8),
    D(PADDSB, ADDS, 1), D(PADDSW, ADDS, 2), D(PADDUSB, ADDUS, 1), D(PADDUSW, ADDUS, 2),
    D(PSUBB, SUB, 1), D(PSUBW, SUB, 2), D(PSUBD, SUB, 4), D(PSUBQ, SUB, 8),
    D(PSUBSB, SUBS, 1), D(PSUBSW, SUBS, 2), D(PSUBUSB, SUBUS, 1), D(PSUBUSW, SUBUS, 2),
    D(PMULLW, MULLO, 2), D(PMULLD, MULLO, 4), D(PMULHW, MULHS, 2), D(PMULHUW, MULHU, 2),
    D(PMULHRSW, MULHRS, 2), D(PMULUDQ, MULUDQ, 8), D(PMULDQ, MULDQ, 8),
    D(PMADDWD, MADDWD, 4), D(PMADDUBSW, MADDUBSW, 2), D(PSADBW, SADBW, 8),
    D(PAVGB, AVG, 1), D(PAVGW, AVG, 2),
    D(PCMPEQB, CMPEQ, 1), D(PCMPEQW, CMPEQ, 2), D(PCMPEQD, CMPEQ, 4), D(PCMPEQQ, CMPEQ, 8),
    D(PCMPGTB, CMPGT, 1), D(PCMPGTW, CMPGT, 2), D(PCMPGTD, CMPGT, 4), D(PCMPGTQ, CMPGT, 8),
    D(PMINUB, MINU, 1), D(PMINUW, MINU, 2), D(PMINUD, MINU, 4),
    D(PMAXUB, MAXU, 1), D(PMAXUW, MAXU, 2), D(PMAXUD, MAXU, 4),
    D(PMINSB, MINS, 1), D(PMINSW, MINS, 2), D(PMINSD, MINS, 4),
    D(PMAXSB, MAXS, 1), D(PMAXSW, MAXS, 2), D(PMAXSD, MAXS, 4),
    D(PAND, AND, 8), D(ANDPS, AND, 8), D(ANDPD, AND, 8), D(PANDN, ANDN, 8), D(ANDNPS, ANDN, 8),
    D(ANDNPD, ANDN, 8), D(POR, OR, 8), D(ORPS, OR, 8), D(ORPD, OR, 8), D(PXOR, XOR, 8), D(XORPS, XOR, 8),
    D(XORPD, XOR, 8),
    D(PSLLW, SLL, 2), D(PSLLD, SLL, 4), D(PSLLQ, SLL, 8), D(PSRLW, SRL, 2), D(PSRLD, SRL, 4),
    D(PSRLQ, SRL, 8), D(PSRAW, SRA, 2), D(PSRAD, SRA, 4),
    D(PABSB, ABS, 1), D(PABSW, ABS, 2), D(PABSD, ABS, 4),
    D(PSIGNB, SIGN, 1), D(PSIGNW, SIGN, 2), D(PSIGND, SIGN, 4),
    D(PHADDW, HADD, 2), D(PHADDD, HADD, 4), D(PHADDSW, HADDS, 2),
    D(PHSUBW, HSUB, 2), D(PHSUBD, HSUB, 4), D(PHSUBSW, HSUBS, 2),
};

static int64_t sget(const xreg *x, unsigned i, unsigned es)
{
    return (int64_t)iem_sext(sse_elem_get(x, i, es), es);
}

static int64_t sat_s(int64_t v, unsigned es)
{
    int64_t hi = (int64_t)(iem_mask(es) >> 1), lo = -hi - 1;
    return v > hi ? hi : v < lo ? lo : v;
}

static uint64_t sat_u(int64_t v, unsigned es)
{
    return v < 0 ? 0 : (uint64_t)v > iem_mask(es) ? iem_mask(es) : (uint64_t)v;
}

/* One element of an element-wise operation; cnt is the shift count. */
static uint64_t elem(unsigned op, unsigned es, uint64_t a, uint64_t b, uint64_t cnt)
{
    int64_t sa = (int64_t)iem_sext(a, es), sb = (int64_t)iem_sext(b, es);
    unsigned bits = es * 8;
    switch (op) {
    case I_ADD: return a + b;
    case I_ADDS: return (uint64_t)sat_s(sa + sb, es);
    case I_ADDUS: return sat_u((int64_t)(a + b), es);
    case I_SUB: return a - b;
    case I_SUBS: return (uint64_t)sat_s(sa - sb, es);
    case I_SUBUS: return sat_u((int64_t)a - (int64_t)b, es);
    case I_MULLO: return (uint64_t)(sa * sb);
    case I_MULHS: return (uint64_t)(sa * sb) >> bits;
    case I_MULHU: return (a * b) >> bits;
    case I_MULHRS: return (uint64_t)((((sa * sb) >> 14) + 1) >> 1);
    case I_CMPEQ: return a == b ? ~0ull : 0;
    case I_CMPGT: return sa > sb ? ~0ull : 0;
    case I_MINU: return a < b ? a : b;
    case I_MAXU: return a > b ? a : b;
    case I_MINS: return sa < sb ? a : b;
    case I_MAXS: return sa > sb ? a : b;
    case I_AVG: return (a + b + 1) >> 1;
    case I_AND: return a & b;
    case I_ANDN: return ~a & b;
    case I_OR: return a | b;
    case I_XOR: return a ^ b;
    case I_SLL: return cnt >= bits ? 0 : a << cnt;
    case I_SRL: return cnt >= bits ? 0 : a >> cnt;
    case I_SRA: return (uint64_t)(sa >> (cnt >= bits ? bits - 1 : cnt));
    case I_ABS: return (uint64_t)(sb < 0 ? -sb : sb);
    case I_SIGN: return sb < 0 ? (uint64_t)-sa : sb == 0 ? 0 : a;
    default: return 0;
    }
}

/* Horizontal add/sub: pairs of the destination, then pairs of the source. */
static void horizontal(unsigned op, unsigned es, unsigned n, const xreg *a, const xreg *b, xreg *r)
{
    for (unsigned i = 0; i < n; i++) {
        const xreg *x = i < n / 2 ? a : b;
        unsigned j = (i % (n / 2)) * 2;
        int64_t p = sget(x, j, es), q = sget(x, j + 1, es);
        int64_t v = (op == I_HADD || op == I_HADDS) ? p + q : p - q;
        if (op == I_HADDS || op == I_HSUBS)
            v = sat_s(v, es);
        sse_elem_put(r, i, es, (uint64_t)v);
    }
}

/* Operations whose result element is made from several source elements. */
static void combine(unsigned op, unsigned n, const xreg *a, const xreg *b, xreg *r)
{
    for (unsigned i = 0; i < n; i++) {
        switch (op) {
        case I_MULUDQ:
            r->q[i] = (uint64_t)a->d[2 * i] * b->d[2 * i];
            break;
        case I_MULDQ:
            r->q[i] = (uint64_t)((int64_t)a->sd[2 * i] * b->sd[2 * i]);
            break;
        case I_MADDWD:
            /* 0x8000 * 0x8000 twice wraps to 0x80000000, as the hardware gives */
            r->d[i] = (uint32_t)((int64_t)a->sw[2 * i] * b->sw[2 * i] + (int64_t)a->sw[2 * i + 1] * b->sw[2 * i + 1]);
            break;
        case I_MADDUBSW: /* destination bytes unsigned, source bytes signed */
            r->w[i] = (uint16_t)sat_s((int64_t)a->b[2 * i] * b->sb[2 * i] + (int64_t)a->b[2 * i + 1] * b->sb[2 * i + 1], 2);
            break;
        case I_SADBW: {
            unsigned s = 0;
            for (unsigned j = 0; j < 8; j++)
                s += (unsigned)abs((int)a->b[8 * i + j] - (int)b->b[8 * i + j]);
            r->q[i] = s;
            break;
        }
        default:
            break;
        }
    }
}

int sse_op_int(struct vcpu *v, const struct iem_insn *in)
{
    const struct int_desc *d = &int_tab[in->mnemonic];
    unsigned width, es = d->esize, n;
    uint64_t cnt = 0;
    xreg a, b, r;
    int rc;

    if (d->op == I_NONE || in->nops < 2)
        return iem_unimplemented(v, in);
    if ((rc = sse_check(v, in)))
        return rc;
    width = sse_is_mm(&in->op[0]) ? 8 : 16;
    n = width / es;
    if ((rc = sse_read(v, in, 0, &a, 0)) || (rc = sse_read(v, in, 1, &b, 0)))
        return rc;
    if (d->op >= I_SLL && d->op <= I_SRA)
        cnt = in->op[1].type == OPT_IMM ? (b.q[0] & 0xff) : b.q[0];
    r = a;
    switch (d->op) {
    case I_MULUDQ: case I_MULDQ: case I_MADDWD: case I_MADDUBSW: case I_SADBW:
        combine(d->op, n, &a, &b, &r);
        break;
    case I_HADD: case I_HSUB: case I_HADDS: case I_HSUBS:
        horizontal(d->op, es, n, &a, &b, &r);
        break;
    default:
        for (unsigned i = 0; i < n; i++)
            sse_elem_put(&r, i, es, elem(d->op, es, sse_elem_get(&a, i, es), sse_elem_get(&b, i, es), cnt));
        break;
    }
    return sse_write(v, in, 0, &r, 0);
}
