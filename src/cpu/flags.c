/* Lazy arithmetic flags: the last operation and its operands stand in for
 * OSZAPC until someone reads them. */
#include "cpu/iem.h"

const uint8_t iem_parity[256] = {
#define P2(n) n, n ^ F_PF, n ^ F_PF, n
#define P4(n) P2(n), P2(n ^ F_PF), P2(n ^ F_PF), P2(n)
#define P6(n) P4(n), P4(n ^ F_PF), P4(n ^ F_PF), P4(n)
    P6(F_PF), P6(0), P6(0), P6(F_PF)
#undef P2
#undef P4
#undef P6
};

/* CF and OF of SHL/SHR/SAR of a by the masked count c (not 0), as
 * iem_shift.c defines them: CF the last bit out (8/16-bit SHL counts
 * past the width shift everything out), OF as the first one-bit step
 * would (Intel, for every count); AF clear. The counts are masked again
 * so that a loaded state's cannot shift out of range. */
static uint64_t shift_cf_of(uint8_t op, unsigned size, uint64_t a, uint64_t c)
{
    unsigned n = size * 8, cf, of;

    switch (op) {
    case LF_SHL:
        cf = c <= n ? (a >> ((n - c) & 63)) & 1 : 0;
        of = ((a >> (n - 1)) ^ (a >> (n - 2))) & 1;
        break;
    case LF_SHR:
        cf = (a >> ((c - 1) & 63)) & 1;
        of = (a >> (n - 1)) & 1; /* the original sign */
        break;
    default: /* SAR: the sign never changes */
        cf = (iem_sext(a, size) >> ((c - 1) & 63)) & 1;
        of = 0;
        break;
    }
    return (cf ? F_CF : 0) | (of ? F_OF : 0);
}

/* The carry into an ADC/SBB is not stored: the result tells it. */
static uint64_t lazy_flags(const struct cpu_lazy *lf, uint64_t old)
{
    uint64_t m = iem_mask(lf->size), sb = 1ull << (lf->size * 8 - 1);
    uint64_t r = lf->res, a = lf->src1, b = lf->src2, f = 0;
    bool cin;

    switch (lf->op) {
    case LF_ADD:
        f |= r < a ? F_CF : 0;
        f |= ((a ^ r) & (b ^ r) & sb) ? F_OF : 0;
        f |= (a ^ b ^ r) & F_AF;
        break;
    case LF_ADC:
        cin = ((r - a - b) & m) != 0;
        f |= (cin ? r <= a : r < a) ? F_CF : 0;
        f |= ((a ^ r) & (b ^ r) & sb) ? F_OF : 0;
        f |= (a ^ b ^ r) & F_AF;
        break;
    case LF_SUB:
    case LF_NEG: /* NEG is 0 - src: src1 = 0 */
        f |= a < b ? F_CF : 0;
        f |= ((a ^ b) & (a ^ r) & sb) ? F_OF : 0;
        f |= (a ^ b ^ r) & F_AF;
        break;
    case LF_SBB:
        cin = ((a - b - r) & m) != 0;
        f |= (cin ? a <= b : a < b) ? F_CF : 0;
        f |= ((a ^ b) & (a ^ r) & sb) ? F_OF : 0;
        f |= (a ^ b ^ r) & F_AF;
        break;
    case LF_LOGIC: /* CF = OF = 0; AF undefined, Intel CPUs clear it */
        break;
    case LF_INC:
        f |= old & F_CF;
        f |= r == sb ? F_OF : 0;
        f |= (r & 0xf) == 0 ? F_AF : 0;
        break;
    case LF_DEC:
        f |= old & F_CF;
        f |= r == sb - 1 ? F_OF : 0;
        f |= (r & 0xf) == 0xf ? F_AF : 0;
        break;
    case LF_SHL:
    case LF_SHR:
    case LF_SAR:
        f |= shift_cf_of(lf->op, lf->size, a, b);
        break;
    default:
        return old & F_ARITH;
    }
    f |= r == 0 ? F_ZF : 0;
    f |= (r & sb) ? F_SF : 0;
    f |= iem_parity[r & 0xff];
    return f;
}

uint64_t cpu_get_cf(const struct cpu *c)
{
    const struct cpu_lazy *lf = &c->lf;
    switch (lf->op) {
    case LF_ADD: return lf->res < lf->src1 ? F_CF : 0;
    case LF_SUB:
    case LF_NEG: return lf->src1 < lf->src2 ? F_CF : 0;
    case LF_LOGIC: return 0;
    case LF_NONE:
    case LF_INC:
    case LF_DEC: return c->rflags & F_CF; /* INC/DEC keep the CF pinned there */
    case LF_SHL:
    case LF_SHR:
    case LF_SAR: return shift_cf_of(lf->op, lf->size, lf->src1, lf->src2) & F_CF;
    default: return lazy_flags(lf, c->rflags) & F_CF;
    }
}

uint64_t cpu_get_flags(const struct cpu *c)
{
    if (c->lf.op == LF_NONE)
        return c->rflags;
    return (c->rflags & ~(uint64_t)F_ARITH) | lazy_flags(&c->lf, c->rflags);
}

void cpu_set_flags(struct cpu *c, uint64_t rflags)
{
    c->rflags = rflags | F_1;
    c->lf.op = LF_NONE;
}

void iem_flags_update(struct vcpu *v, uint64_t mask, uint64_t val)
{
    struct cpu *c = &v->cpu;
    /* when every arithmetic flag is replaced, the lazy state need not be
     * worked out (multiplies, double shifts: the common case) */
    uint64_t f = (mask & F_ARITH) == F_ARITH ? c->rflags : cpu_get_flags(c);
    cpu_set_flags(c, (f & ~mask) | (val & mask));
}

bool cpu_cond(const struct cpu *c, unsigned cc)
{
    unsigned k = (cc >> 1) & 7;
    uint64_t f;
    bool r;

    /* Every lazy operation takes ZF and SF from its result alone, so JZ/JNZ
     * and JS/JNS (the usual loop and compare branches) need not work out
     * the other four flags. */
    if (c->lf.op != LF_NONE && (k == 2 || k == 4)) {
        r = k == 2 ? c->lf.res == 0 : (c->lf.res >> (c->lf.size * 8 - 1)) & 1;
        return (cc & 1) ? !r : r;
    }
    /* After CMP/SUB/NEG, ADD and the logical ops (what nearly every
     * conditional branch follows), CF and OF come straight from the
     * operands, as lazy_flags would work them out; only parity needs it. */
    if ((c->lf.op == LF_SUB || c->lf.op == LF_NEG || c->lf.op == LF_ADD || c->lf.op == LF_LOGIC) && k != 5) {
        unsigned sh = c->lf.size * 8 - 1;
        uint64_t a = c->lf.src1, b = c->lf.src2, res = c->lf.res;
        bool cf = false, of = false, zf = res == 0, sf = (res >> sh) & 1;
        if (c->lf.op == LF_ADD) {
            cf = res < a;
            of = (((a ^ res) & (b ^ res)) >> sh) & 1;
        } else if (c->lf.op != LF_LOGIC) {
            cf = a < b;
            of = (((a ^ b) & (a ^ res)) >> sh) & 1;
        }
        switch (k) {
        case 0: r = of; break;
        case 1: r = cf; break;
        case 3: r = cf || zf; break;
        case 6: r = sf != of; break;
        default: r = zf || sf != of; break;
        }
        return (cc & 1) ? !r : r;
    }
    f = cpu_get_flags(c);
    switch (k) {
    case 0: r = f & F_OF; break;
    case 1: r = f & F_CF; break;
    case 2: r = f & F_ZF; break;
    case 3: r = f & (F_CF | F_ZF); break;
    case 4: r = f & F_SF; break;
    case 5: r = f & F_PF; break;
    case 6: r = !(f & F_SF) != !(f & F_OF); break;
    default: r = (f & F_ZF) || (!(f & F_SF) != !(f & F_OF)); break;
    }
    return (cc & 1) ? !r : r;
}
