/* MMX/SSE element rearrangement: shuffles, unpacks (interleaves), packs with
 * saturation, whole-register byte shifts, word insert/extract, PALIGNR and
 * PSHUFB. All are exact bit moves with no SIMD floating-point exceptions. */
#include "cpu/sse.h"

enum shuf_kind {
    SH_NONE, SH_SHUFPS, SH_SHUFPD, SH_UNPCKL, SH_UNPCKH, SH_PSHUFD, SH_PSHUFHW, SH_PSHUFLW, SH_PSHUFW,
    SH_PSLLDQ, SH_PSRLDQ, SH_PINSRW, SH_PEXTRW, SH_PACKSS, SH_PACKUS, SH_PALIGNR, SH_PSHUFB,
};

struct shuf_desc {
    uint8_t kind;
    uint8_t esize; /* element size: source element for packs */
};

#define D(m, k, e) [ZYDIS_MNEMONIC_##m] = {SH_##k, e}
static const struct shuf_desc shuf_tab[ZYDIS_MNEMONIC_MAX_VALUE + 1] = {
    D(SHUFPS, SHUFPS, 4), D(SHUFPD, SHUFPD, 8),
    D(UNPCKLPS, UNPCKL, 4), D(UNPCKHPS, UNPCKH, 4), D(UNPCKLPD, UNPCKL, 8), D(UNPCKHPD, UNPCKH, 8),
    D(PUNPCKLBW, UNPCKL, 1), D(PUNPCKLWD, UNPCKL, 2), D(PUNPCKLDQ, UNPCKL, 4), D(PUNPCKLQDQ, UNPCKL, 8),
    D(PUNPCKHBW, UNPCKH, 1), D(PUNPCKHWD, UNPCKH, 2), D(PUNPCKHDQ, UNPCKH, 4), D(PUNPCKHQDQ, UNPCKH, 8),
    D(PSHUFD, PSHUFD, 4), D(PSHUFHW, PSHUFHW, 2), D(PSHUFLW, PSHUFLW, 2), D(PSHUFW, PSHUFW, 2),
    D(PSLLDQ, PSLLDQ, 1), D(PSRLDQ, PSRLDQ, 1), D(PINSRW, PINSRW, 2), D(PEXTRW, PEXTRW, 2),
    D(PACKSSWB, PACKSS, 2), D(PACKSSDW, PACKSS, 4), D(PACKUSWB, PACKUS, 2), D(PACKUSDW, PACKUS, 4),
    D(PALIGNR, PALIGNR, 1), D(PSHUFB, PSHUFB, 1),
};

/* Packs the signed elements of a then b into half-size elements. */
static void pack(const xreg *a, const xreg *b, xreg *r, unsigned es, unsigned width, bool uns)
{
    unsigned n = width / es, half = es / 2;
    int64_t hi = uns ? (int64_t)iem_mask(half) : (int64_t)(iem_mask(half) >> 1);
    int64_t lo = uns ? 0 : -hi - 1;
    xreg out;
    for (unsigned i = 0; i < 2 * n; i++) {
        int64_t v = (int64_t)iem_sext(sse_elem_get(i < n ? a : b, i % n, es), es);
        sse_elem_put(&out, i, half, (uint64_t)(v > hi ? hi : v < lo ? lo : v));
    }
    memcpy(r, &out, width);
}

int sse_op_shuf(struct vcpu *v, const struct iem_insn *in)
{
    const struct shuf_desc *d = &shuf_tab[in->mnemonic];
    unsigned es = d->esize, width, n, imm = 0;
    xreg a, b, r;
    int rc;

    if (d->kind == SH_NONE || in->nops < 2)
        return iem_unimplemented(v, in);
    if ((rc = sse_check(v, in)))
        return rc;
    if (in->nops >= 3 && in->op[2].type == OPT_IMM)
        imm = in->op[2].imm & 0xff;
    /* PEXTRW's vector is its second operand; every other one's the first */
    width = sse_is_mm(&in->op[d->kind == SH_PEXTRW ? 1 : 0]) ? 8 : 16;
    n = width / es;
    memset(&a, 0, sizeof(a));
    if ((d->kind != SH_PEXTRW && (rc = sse_read(v, in, 0, &a, 0))) || (rc = sse_read(v, in, 1, &b, 0)))
        return rc;
    if (d->kind == SH_PSLLDQ || d->kind == SH_PSRLDQ) /* the count is op1 itself */
        imm = b.q[0] & 0xff, b = a;
    r = a;
    switch (d->kind) {
    case SH_SHUFPS:
        for (unsigned i = 0; i < 4; i++)
            r.d[i] = (i < 2 ? a : b).d[(imm >> (2 * i)) & 3];
        break;
    case SH_SHUFPD:
        r.q[0] = a.q[imm & 1];
        r.q[1] = b.q[(imm >> 1) & 1];
        break;
    case SH_UNPCKL:
    case SH_UNPCKH: {
        unsigned base = d->kind == SH_UNPCKH ? n / 2 : 0;
        for (unsigned i = 0; i < n / 2; i++) {
            sse_elem_put(&r, 2 * i, es, sse_elem_get(&a, base + i, es));
            sse_elem_put(&r, 2 * i + 1, es, sse_elem_get(&b, base + i, es));
        }
        break;
    }
    case SH_PSHUFD:
        for (unsigned i = 0; i < 4; i++)
            r.d[i] = b.d[(imm >> (2 * i)) & 3];
        break;
    case SH_PSHUFHW:
    case SH_PSHUFLW: {
        unsigned o = d->kind == SH_PSHUFHW ? 4 : 0;
        r = b;
        for (unsigned i = 0; i < 4; i++)
            r.w[o + i] = b.w[o + ((imm >> (2 * i)) & 3)];
        break;
    }
    case SH_PSHUFW:
        for (unsigned i = 0; i < 4; i++)
            r.w[i] = b.w[(imm >> (2 * i)) & 3];
        break;
    case SH_PSLLDQ:
    case SH_PSRLDQ:
        memset(&r, 0, sizeof(r));
        for (unsigned i = 0; i < 16; i++) {
            int src = d->kind == SH_PSLLDQ ? (int)i - (int)imm : (int)(i + imm);
            if (src >= 0 && src < 16)
                r.b[i] = a.b[src];
        }
        break;
    case SH_PINSRW:
        r.w[imm & (n - 1)] = b.w[0];
        break;
    case SH_PEXTRW:
        memset(&r, 0, sizeof(r));
        r.w[0] = b.w[imm & (n - 1)];
        break;
    case SH_PACKSS:
    case SH_PACKUS:
        pack(&a, &b, &r, es, width, d->kind == SH_PACKUS);
        break;
    case SH_PALIGNR: /* (a:b) >> imm bytes */
        for (unsigned i = 0; i < width; i++) {
            unsigned k = i + imm;
            r.b[i] = k < width ? b.b[k] : k < 2 * width ? a.b[k - width] : 0;
        }
        break;
    case SH_PSHUFB:
        for (unsigned i = 0; i < width; i++)
            r.b[i] = (b.b[i] & 0x80) ? 0 : a.b[b.b[i] & (width - 1)];
        break;
    default:
        return iem_unimplemented(v, in);
    }
    return sse_write(v, in, 0, &r, 0);
}
