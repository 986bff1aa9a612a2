/* AVX2 instructions of their own (cross-lane permutes, variable shifts,
 * dword blends, masked integer moves; gathers are in iem_avx_gather.c, the
 * broadcasts and 128-bit lane moves share iem_avx_ops.c's), FMA and F16C,
 * whose floating point runs on the host (iem_avx_host.c). */
#include "cpu/cpufeat.h"
#include "cpu/sse.h"

/* VPERMD/VPERMPS y1, y2 (indices), y3/m256; VPERMQ/VPERMPD y1, y2/m256, imm. */
static int op_perm(struct vcpu *v, const struct iem_insn *in)
{
    bool q = in->mnemonic == ZYDIS_MNEMONIC_VPERMQ || in->mnemonic == ZYDIS_MNEMONIC_VPERMPD;
    yreg s, c, d;
    int rc;
    if (q) {
        unsigned imm = in->op[2].imm & 0xff;
        if ((rc = avx_read(v, in, 1, &s, 32, 0)))
            return rc;
        for (unsigned i = 0; i < 4; i++)
            d.q[i] = s.q[(imm >> (2 * i)) & 3];
    } else {
        if ((rc = avx_read(v, in, 1, &c, 32, 0)) || (rc = avx_read(v, in, 2, &s, 32, 0)))
            return rc;
        for (unsigned i = 0; i < 8; i++)
            d.d[i] = s.d[c.d[i] & 7];
    }
    return avx_write(v, in, 0, &d, 32, 0);
}

/* VPBLENDD: dword i from src2 where imm bit i is set. */
static int op_blendd(struct vcpu *v, const struct iem_insn *in)
{
    unsigned len = avx_vlen(in), imm = in->op[3].imm & 0xff;
    yreg a, b;
    int rc;
    if ((rc = avx_read(v, in, 1, &a, len, 0)) || (rc = avx_read(v, in, 2, &b, len, 0)))
        return rc;
    for (unsigned i = 0; i < len / 4; i++)
        if (imm & (1u << i))
            a.d[i] = b.d[i];
    return avx_write(v, in, 0, &a, len, 0);
}

/* VPSLLVD/Q, VPSRLVD/Q, VPSRAVD: each element shifted by its own count;
 * counts past the width give 0 (or the sign for VPSRAVD). */
static int op_shiftv(struct vcpu *v, const struct iem_insn *in)
{
    unsigned m = in->mnemonic, len = avx_vlen(in);
    bool q = m == ZYDIS_MNEMONIC_VPSLLVQ || m == ZYDIS_MNEMONIC_VPSRLVQ;
    unsigned bits = q ? 64 : 32;
    yreg a, c;
    int rc;
    if ((rc = avx_read(v, in, 1, &a, len, 0)) || (rc = avx_read(v, in, 2, &c, len, 0)))
        return rc;
    for (unsigned i = 0; i < len * 8 / bits; i++) {
        uint64_t x = q ? a.q[i] : a.d[i], n = q ? c.q[i] : c.d[i];
        if (m == ZYDIS_MNEMONIC_VPSRAVD)
            x = (uint32_t)((int32_t)x >> (n > 31 ? 31 : n));
        else if (n >= bits)
            x = 0;
        else if (m == ZYDIS_MNEMONIC_VPSLLVD || m == ZYDIS_MNEMONIC_VPSLLVQ)
            x <<= n;
        else
            x >>= n;
        if (q)
            a.q[i] = x;
        else
            a.d[i] = (uint32_t)x;
    }
    return avx_write(v, in, 0, &a, len, 0);
}

static int op_pmaskmov(struct vcpu *v, const struct iem_insn *in)
{
    return avx_maskmov(v, in, in->mnemonic == ZYDIS_MNEMONIC_VPMASKMOVQ ? 8 : 4);
}

/* FMA: op1 = fma(op1, op2, op3) in the operand order of the mnemonic, one
 * fused rounding, on the host. Scalar forms keep op1's upper elements. */
static int op_fma(struct vcpu *v, const struct iem_insn *in)
{
    avx_host3_fn fn = avx_host_fma(in->mnemonic);
    unsigned len = avx_vlen(in);
    uint32_t mx = sse_host_mxcsr(v);
    yreg a, b, c;
    int rc;
    if (!fn)
        return iem_unimplemented(v, in);
    if ((rc = avx_read(v, in, 0, &a, len, 0)) || (rc = avx_read(v, in, 1, &b, len, 0)) ||
        (rc = avx_read(v, in, 2, &c, len, 0)))
        return rc;
    if ((rc = sse_fp_flags(v, fn(&a, &b, &c, mx))))
        return rc;
    return avx_write(v, in, 0, &a, len, 0);
}

/* F16C: VCVTPH2PS widens 4/8 halves; VCVTPS2PH narrows 4/8 singles to a
 * register or memory (64/128 bits), rounding by imm[2:0]. */
static int op_f16c(struct vcpu *v, const struct iem_insn *in)
{
    bool ph2ps = in->mnemonic == ZYDIS_MNEMONIC_VCVTPH2PS;
    unsigned wide = ph2ps ? avx_vlen(in) : (avx_is_ymm(&in->op[1]) ? 32 : 16);
    avx_host3_fn fn = avx_host_f16c(in->mnemonic, ph2ps ? 0 : in->op[2].imm & 0xff);
    uint32_t mx = sse_host_mxcsr(v);
    yreg s, d;
    int rc;
    if ((rc = avx_read(v, in, 1, &s, ph2ps ? wide / 2 : wide, 0)))
        return rc;
    memset(&d, 0, sizeof(d));
    uint32_t flags = fn(&d, &s, &s, mx);
    if (flags & ~(v->cpu.mxcsr >> 7) & MXCSR_FLAGS)
        return sse_fp_flags(v, flags); /* unmasked: #XM/#UD, nothing stored */
    if (!ph2ps)
        memset(d.b + wide / 2, 0, 32 - wide / 2);
    /* a faulting store leaves MXCSR as it was: the flags go in after it */
    if ((rc = avx_write(v, in, 0, &d, ph2ps ? wide : in->op[0].type == OPT_MEM ? wide / 2 : 16, 0)))
        return rc;
    return sse_fp_flags(v, flags);
}

static const iem_fn tab[ZYDIS_MNEMONIC_MAX_VALUE + 1] = {
    [ZYDIS_MNEMONIC_VPERMD] = op_perm, [ZYDIS_MNEMONIC_VPERMPS] = op_perm, [ZYDIS_MNEMONIC_VPERMQ] = op_perm,
    [ZYDIS_MNEMONIC_VPERMPD] = op_perm, [ZYDIS_MNEMONIC_VPBLENDD] = op_blendd,
    [ZYDIS_MNEMONIC_VPSLLVD] = op_shiftv, [ZYDIS_MNEMONIC_VPSLLVQ] = op_shiftv,
    [ZYDIS_MNEMONIC_VPSRLVD] = op_shiftv, [ZYDIS_MNEMONIC_VPSRLVQ] = op_shiftv,
    [ZYDIS_MNEMONIC_VPSRAVD] = op_shiftv, [ZYDIS_MNEMONIC_VPMASKMOVD] = op_pmaskmov,
    [ZYDIS_MNEMONIC_VPMASKMOVQ] = op_pmaskmov, [ZYDIS_MNEMONIC_VCVTPH2PS] = op_f16c,
    [ZYDIS_MNEMONIC_VCVTPS2PH] = op_f16c,
};

int avx2_dispatch(struct vcpu *v, const struct iem_insn *in)
{
    if (avx_host_fma(in->mnemonic))
        return op_fma(v, in);
    if (tab[in->mnemonic])
        return tab[in->mnemonic](v, in);
    return avx_gather(v, in);
}
