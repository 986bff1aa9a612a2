/* General-purpose-register extensions that came with the SIMD generations:
 * POPCNT, LZCNT/TZCNT, BMI1, BMI2, ADX and MOVBE. Flags the SDM leaves
 * undefined (AF/PF of the BMI group, OF/SF/AF/PF of LZCNT/TZCNT) are
 * cleared, which is what current Intel parts do for most of them. */
#include "cpu/sse.h"

static uint64_t popcnt(uint64_t x)
{
    return (uint64_t)__builtin_popcountll(x);
}

/* Bit-count family: POPCNT, LZCNT, TZCNT. */
static int op_count(struct vcpu *v, const struct iem_insn *in)
{
    unsigned bits = in->op[0].size * 8;
    uint64_t src, res, f;
    int rc;

    if ((rc = iem_opnd_read(v, in, 1, &src)))
        return rc;
    src &= iem_mask(in->op[0].size);
    switch (in->mnemonic) {
    case ZYDIS_MNEMONIC_POPCNT:
        res = popcnt(src);
        f = src ? 0 : F_ZF;
        break;
    case ZYDIS_MNEMONIC_LZCNT:
        res = src ? (uint64_t)(__builtin_clzll(src) - (64 - bits)) : bits;
        f = (src ? 0 : F_CF) | (res ? 0 : F_ZF);
        break;
    default: /* TZCNT */
        res = src ? (uint64_t)__builtin_ctzll(src) : bits;
        f = (src ? 0 : F_CF) | (res ? 0 : F_ZF);
        break;
    }
    iem_flags_update(v, F_ARITH, f);
    return iem_opnd_write(v, in, 0, res);
}

static uint64_t sz_flags(uint64_t res, unsigned size)
{
    res &= iem_mask(size);
    return (res ? 0 : F_ZF) | ((res >> (size * 8 - 1)) & 1 ? F_SF : 0);
}

static uint64_t pdep(uint64_t src, uint64_t mask)
{
    uint64_t r = 0;
    for (uint64_t bit = 1; mask; bit <<= 1, mask &= mask - 1)
        if (src & bit)
            r |= mask & -mask;
    return r;
}

static uint64_t pext(uint64_t src, uint64_t mask)
{
    uint64_t r = 0;
    for (uint64_t bit = 1; mask; bit <<= 1, mask &= mask - 1)
        if (src & mask & -mask)
            r |= bit;
    return r;
}

/* BMI1/BMI2: three-operand GPR forms (VEX encoded). */
static int op_bmi(struct vcpu *v, const struct iem_insn *in)
{
    unsigned size = in->op[0].size, bits = size * 8, m = in->mnemonic;
    uint64_t a = 0, b = 0, res, f = 0, mask = iem_mask(size);
    bool flags = true;
    int rc;

    if ((rc = iem_opnd_read(v, in, 1, &a)))
        return rc;
    if (in->nops >= 3 && (rc = iem_opnd_read(v, in, 2, &b)))
        return rc;
    switch (m) {
    case ZYDIS_MNEMONIC_ANDN: res = ~a & b; f = sz_flags(res, size); break;
    case ZYDIS_MNEMONIC_BEXTR: {
        unsigned start = b & 0xff, len = (b >> 8) & 0xff;
        res = start >= bits ? 0 : a >> start;
        if (len < 64)
            res &= (1ull << len) - 1;
        f = (res & mask) ? 0 : F_ZF;
        break;
    }
    case ZYDIS_MNEMONIC_BLSI: res = -a & a; f = sz_flags(res, size) | ((a & mask) ? F_CF : 0); break;
    case ZYDIS_MNEMONIC_BLSMSK: res = (a - 1) ^ a; f = sz_flags(res, size) | ((a & mask) ? 0 : F_CF); f &= ~(uint64_t)F_ZF; break;
    case ZYDIS_MNEMONIC_BLSR: res = (a - 1) & a; f = sz_flags(res, size) | ((a & mask) ? 0 : F_CF); break;
    case ZYDIS_MNEMONIC_BZHI: {
        unsigned n = b & 0xff;
        res = n < bits ? a & ((1ull << n) - 1) : a;
        f = sz_flags(res, size) | (n > bits - 1 ? F_CF : 0);
        break;
    }
    case ZYDIS_MNEMONIC_PDEP: res = pdep(a, b & mask); flags = false; break;
    case ZYDIS_MNEMONIC_PEXT: res = pext(a, b & mask); flags = false; break;
    case ZYDIS_MNEMONIC_RORX: {
        unsigned n = b & (bits - 1);
        a &= mask;
        res = n ? (a >> n) | (a << (bits - n)) : a;
        flags = false;
        break;
    }
    case ZYDIS_MNEMONIC_SARX: res = (uint64_t)((int64_t)iem_sext(a, size) >> (b & (bits - 1))); flags = false; break;
    case ZYDIS_MNEMONIC_SHLX: res = a << (b & (bits - 1)); flags = false; break;
    case ZYDIS_MNEMONIC_SHRX: res = (a & mask) >> (b & (bits - 1)); flags = false; break;
    case ZYDIS_MNEMONIC_MULX: { /* EDX * src: high half to op0, low to op1 (op0 wins if equal) */
        uint64_t dx = iem_gpr(v, R_DX, size), src = b & mask, lo, hi;
        if (size == 8) {
            unsigned __int128 p = (unsigned __int128)dx * src;
            lo = (uint64_t)p, hi = (uint64_t)(p >> 64);
        } else {
            uint64_t p = dx * src;
            lo = p & 0xffffffffu, hi = p >> 32;
        }
        if ((rc = iem_opnd_write(v, in, 1, lo)))
            return rc;
        return iem_opnd_write(v, in, 0, hi);
    }
    default:
        return iem_unimplemented(v, in);
    }
    if (flags)
        iem_flags_update(v, F_ARITH, f);
    return iem_opnd_write(v, in, 0, res);
}

/* ADCX/ADOX: unsigned add through CF or OF alone. */
static int op_adx(struct vcpu *v, const struct iem_insn *in)
{
    unsigned size = in->op[0].size;
    uint64_t a, b, flag = in->mnemonic == ZYDIS_MNEMONIC_ADCX ? F_CF : F_OF, res, carry;
    int rc;
    if ((rc = iem_opnd_read(v, in, 0, &a)) || (rc = iem_opnd_read(v, in, 1, &b)))
        return rc;
    carry = (cpu_get_flags(&v->cpu) & flag) ? 1 : 0;
    if (size == 8) {
        unsigned __int128 s = (unsigned __int128)a + b + carry;
        res = (uint64_t)s;
        carry = (uint64_t)(s >> 64);
    } else {
        uint64_t s = (a & 0xffffffffu) + (b & 0xffffffffu) + carry;
        res = s & 0xffffffffu;
        carry = s >> 32;
    }
    iem_flags_update(v, flag, carry ? flag : 0);
    return iem_opnd_write(v, in, 0, res);
}

static int op_movbe(struct vcpu *v, const struct iem_insn *in)
{
    unsigned size = in->op[0].size;
    uint64_t val, r = 0;
    int rc;
    if (in->op[0].type != OPT_MEM && in->op[1].type != OPT_MEM)
        return iem_ud(v);
    if ((rc = iem_opnd_read(v, in, 1, &val)))
        return rc;
    for (unsigned i = 0; i < size; i++)
        r |= ((val >> (8 * i)) & 0xff) << (8 * (size - 1 - i));
    return iem_opnd_write(v, in, 0, r);
}

int sse_op_gpr(struct vcpu *v, const struct iem_insn *in)
{
    if (in->nops < 2)
        return iem_unimplemented(v, in);
    switch (in->mnemonic) {
    case ZYDIS_MNEMONIC_POPCNT:
    case ZYDIS_MNEMONIC_LZCNT:
    case ZYDIS_MNEMONIC_TZCNT:
        return op_count(v, in);
    case ZYDIS_MNEMONIC_ADCX:
    case ZYDIS_MNEMONIC_ADOX:
        return op_adx(v, in);
    case ZYDIS_MNEMONIC_MOVBE:
        return op_movbe(v, in);
    default:
        return op_bmi(v, in);
    }
}
