/* AVX: the dispatcher of every VEX vector instruction and the instructions
 * that are not a legacy one with a separate source: full-width moves,
 * broadcasts, 128-bit lane inserts/extracts/permutes, VPERMILPx, masked
 * moves, VTESTPx/VPTEST, the variable blends, mask extraction, the 32
 * compare predicates and the narrowing 256-bit conversions. */
#include "cpu/cpufeat.h"
#include "cpu/sse.h"

/* Does the 256-bit form need AVX2 (integer forms), and is it there? */
static int need_avx2(struct vcpu *v, const struct iem_insn *in)
{
    return avx_wide(in) && !iem_feat(v, CF_AVX2) ? iem_ud(v) : IEM_OK;
}

static int op_move(struct vcpu *v, const struct iem_insn *in)
{
    unsigned len = avx_vlen(in), al = sse_vex_aligned(in->mnemonic) ? len : 0;
    yreg y;
    int rc;
    if (in->mnemonic == ZYDIS_MNEMONIC_VMOVNTDQA && (rc = need_avx2(v, in)))
        return rc;
    if ((rc = avx_read(v, in, 1, &y, len, al)))
        return rc;
    return avx_write(v, in, 0, &y, len, al);
}

/* VMOVMSKPS/PD, VPMOVMSKB: the sign bit of each element into a GPR. */
static int op_movmsk(struct vcpu *v, const struct iem_insn *in)
{
    unsigned len = avx_vlen(in), es = in->mnemonic == ZYDIS_MNEMONIC_VMOVMSKPS ? 4
                                : in->mnemonic == ZYDIS_MNEMONIC_VMOVMSKPD ? 8 : 1;
    yreg y;
    int rc;
    if (es == 1 && (rc = need_avx2(v, in)))
        return rc;
    if ((rc = avx_read(v, in, 1, &y, len, 0)))
        return rc;
    iem_gpr_set(v, in->op[0].reg, in->op[0].size, sse_sign_mask(y.b, es, len));
    return IEM_OK;
}

/* VPTEST (all bits) and VTESTPS/PD (sign bits): ZF = (a AND b) == 0,
 * CF = (NOT a AND b) == 0; OF, AF, PF, SF cleared. */
static int op_test(struct vcpu *v, const struct iem_insn *in)
{
    unsigned len = avx_vlen(in), es = in->mnemonic == ZYDIS_MNEMONIC_VTESTPS ? 4
                                : in->mnemonic == ZYDIS_MNEMONIC_VTESTPD ? 8 : 1;
    bool z = true, c = true;
    yreg a, b;
    int rc;
    if ((rc = avx_read(v, in, 0, &a, len, 0)) || (rc = avx_read(v, in, 1, &b, len, 0)))
        return rc;
    for (unsigned i = 0; i < len; i++) {
        uint8_t m = es == 1 || i % es == es - 1 ? (es == 1 ? 0xff : 0x80) : 0;
        z &= !(a.b[i] & b.b[i] & m);
        c &= !(~a.b[i] & b.b[i] & m);
    }
    iem_flags_update(v, F_ARITH, (z ? F_ZF : 0) | (c ? F_CF : 0));
    return IEM_OK;
}

static int op_zero(struct vcpu *v, const struct iem_insn *in)
{
    unsigned n = sse_nregs(v); /* YMM8-15 are untouched outside 64-bit mode */
    for (unsigned r = 0; r < n; r++) {
        memset(v->cpu.ymmh[r], 0, 16);
        if (in->mnemonic == ZYDIS_MNEMONIC_VZEROALL)
            memset(v->cpu.xmm[r], 0, 16);
    }
    return IEM_OK;
}

/* VBROADCASTSS/SD/F128 and AVX2's VPBROADCASTB/W/D/Q, VBROADCASTI128: the
 * source element in every element. The register forms of VBROADCASTSS/SD
 * are AVX2 (the AVX ones take memory only). */
static int op_broadcast(struct vcpu *v, const struct iem_insn *in)
{
    unsigned m = in->mnemonic, len = avx_vlen(in), es = 16;
    yreg s, d;
    int rc;
    if (m == ZYDIS_MNEMONIC_VPBROADCASTB)
        es = 1;
    else if (m == ZYDIS_MNEMONIC_VPBROADCASTW)
        es = 2;
    else if (m == ZYDIS_MNEMONIC_VPBROADCASTD || m == ZYDIS_MNEMONIC_VBROADCASTSS)
        es = 4;
    else if (m == ZYDIS_MNEMONIC_VPBROADCASTQ || m == ZYDIS_MNEMONIC_VBROADCASTSD)
        es = 8;
    if (in->op[1].type != OPT_MEM && !iem_feat(v, CF_AVX2))
        return iem_ud(v);
    if ((rc = avx_read(v, in, 1, &s, es, 0)))
        return rc;
    for (unsigned i = 0; i < len; i += es)
        memcpy(d.b + i, s.b, es);
    return avx_write(v, in, 0, &d, len, 0);
}

/* VINSERTF128/I128 y1, y2, x3/m128, imm: y2 with lane imm[0] replaced. */
static int op_insert128(struct vcpu *v, const struct iem_insn *in)
{
    yreg d, s;
    int rc;
    if ((rc = avx_read(v, in, 1, &d, 32, 0)) || (rc = avx_read(v, in, 2, &s, 16, 0)))
        return rc;
    d.x[in->op[3].imm & 1] = s.x[0];
    return avx_write(v, in, 0, &d, 32, 0);
}

/* VEXTRACTF128/I128 x/m128, y, imm. */
static int op_extract128(struct vcpu *v, const struct iem_insn *in)
{
    yreg s, d;
    int rc;
    if ((rc = avx_read(v, in, 1, &s, 32, 0)))
        return rc;
    memset(&d, 0, sizeof(d));
    d.x[0] = s.x[in->op[2].imm & 1];
    return avx_write(v, in, 0, &d, 16, 0);
}

/* VPERM2F128/I128: each result lane picks one of the four source lanes
 * (imm[1:0], imm[5:4]) or zero (imm[3], imm[7]). */
static int op_perm2(struct vcpu *v, const struct iem_insn *in)
{
    unsigned imm = in->op[3].imm & 0xff;
    yreg a, b, d;
    int rc;
    if ((rc = avx_read(v, in, 1, &a, 32, 0)) || (rc = avx_read(v, in, 2, &b, 32, 0)))
        return rc;
    for (unsigned l = 0; l < 2; l++) {
        unsigned sel = (imm >> (4 * l)) & 0xf;
        const xreg *src = sel & 2 ? &b.x[sel & 1] : &a.x[sel & 1];
        if (sel & 8)
            memset(&d.x[l], 0, 16);
        else
            d.x[l] = *src;
    }
    return avx_write(v, in, 0, &d, 32, 0);
}

/* VPERMILPS/PD: elements permuted within each 128-bit lane, by an
 * immediate or by a control vector (PS: bits 1:0 of each dword; PD: bit 1
 * of each qword). */
static int op_permil(struct vcpu *v, const struct iem_insn *in)
{
    bool pd = in->mnemonic == ZYDIS_MNEMONIC_VPERMILPD, imm = in->op[in->nops - 1].type == OPT_IMM;
    unsigned len = avx_vlen(in), n = len / (pd ? 8 : 4), per = pd ? 2 : 4;
    yreg s, c, d;
    int rc;
    if ((rc = avx_read(v, in, 1, &s, len, 0)))
        return rc;
    if (!imm && (rc = avx_read(v, in, 2, &c, len, 0)))
        return rc;
    for (unsigned i = 0; i < n; i++) {
        unsigned base = i / per * per, sel;
        if (pd) {
            sel = imm ? (in->op[2].imm >> (i % 8)) & 1 : (c.q[i] >> 1) & 1;
            d.q[i] = s.q[base + sel];
        } else {
            sel = imm ? (in->op[2].imm >> (2 * (i % 4))) & 3 : c.d[i] & 3;
            d.d[i] = s.d[base + sel];
        }
    }
    return avx_write(v, in, 0, &d, len, 0);
}

/* VMASKMOVPS/PD (and AVX2 VPMASKMOVD/Q): elements whose mask sign bit is
 * set move; the others load as zero and are never accessed, so a masked-off
 * element on an unmapped page does not fault. */
int avx_maskmov(struct vcpu *v, const struct iem_insn *in, unsigned es)
{
    bool store = in->op[0].type == OPT_MEM;
    const struct iem_op *mop = &in->op[store ? 0 : 2];
    unsigned len = avx_vlen(in), n = len / es;
    uint64_t ea = iem_ea(v, in, mop), lin, gpa;
    yreg mask, data, d;
    int rc;

    if ((rc = avx_read(v, in, 1, &mask, len, 0)))
        return rc;
    if (store && (rc = avx_read(v, in, 2, &data, len, 0)))
        return rc;
    memset(&d, 0, sizeof(d));
    /* every selected element is checked before anything is stored */
    for (unsigned i = 0; i < n; i++) {
        if (!(mask.b[i * es + es - 1] & 0x80))
            continue;
        if ((rc = iem_seg_lin(v, mop->seg, ea + i * es, es, store ? ACC_W : ACC_R, &lin)) ||
            (rc = iem_translate(v, lin, store ? ACC_W : ACC_R, &gpa)) ||
            (rc = iem_translate(v, lin + es - 1, store ? ACC_W : ACC_R, &gpa)))
            return rc;
        if (!store && (rc = iem_read_buf(v, mop->seg, ea + i * es, d.b + i * es, es)))
            return rc;
    }
    if (!store)
        return avx_write(v, in, 0, &d, len, 0);
    for (unsigned i = 0; i < n; i++)
        if ((mask.b[i * es + es - 1] & 0x80) &&
            (rc = iem_write_buf(v, mop->seg, ea + i * es, data.b + i * es, es)))
            return rc;
    return IEM_OK;
}

static int op_maskmov(struct vcpu *v, const struct iem_insn *in)
{
    return avx_maskmov(v, in, in->mnemonic == ZYDIS_MNEMONIC_VMASKMOVPD ? 8 : 4);
}

/* VBLENDVPS/PD, VPBLENDVB: element from src2 where the selector's sign bit
 * (the register in imm[7:4]) is set, else from src1. */
static int op_blendv(struct vcpu *v, const struct iem_insn *in)
{
    unsigned es = in->mnemonic == ZYDIS_MNEMONIC_VBLENDVPS ? 4 : in->mnemonic == ZYDIS_MNEMONIC_VBLENDVPD ? 8 : 1;
    unsigned len = avx_vlen(in);
    yreg a, b, m;
    int rc;
    if (es == 1 && (rc = need_avx2(v, in)))
        return rc;
    if ((rc = avx_read(v, in, 1, &a, len, 0)) || (rc = avx_read(v, in, 2, &b, len, 0)) ||
        (rc = avx_read(v, in, 3, &m, len, 0)))
        return rc;
    for (unsigned i = 0; i < len; i += es)
        if (m.b[i + es - 1] & 0x80)
            memcpy(a.b + i, b.b + i, es);
    return avx_write(v, in, 0, &a, len, 0);
}

/* VCMPPS/PD/SS/SD: predicates 0-31 on the host (iem_avx_host.c). */
static int op_cmp(struct vcpu *v, const struct iem_insn *in)
{
    unsigned len = avx_vlen(in), imm = in->op[3].imm & 31;
    sse_host_fn fn = avx_host_cmp(in->mnemonic, imm);
    uint32_t mx = sse_host_mxcsr(v), flags = 0;
    yreg a, b;
    int rc;
    if (!fn)
        return iem_unimplemented(v, in);
    if ((rc = avx_read(v, in, 1, &a, len, 0)) || (rc = avx_read(v, in, 2, &b, len, 0)))
        return rc;
    for (unsigned l = 0; l < len / 16; l++)
        flags |= fn(&a.x[l], &b.x[l], mx);
    if ((rc = sse_fp_flags(v, flags)))
        return rc;
    return avx_write(v, in, 0, &a, len, 0);
}

/* VCVTPD2PS/PD2DQ/TPD2DQ: the 128-bit form is the legacy one; the 256-bit
 * form converts each source lane into one half of an XMM result. */
static int op_narrow(struct vcpu *v, const struct iem_insn *in)
{
    static const uint16_t legacy[][2] = {
        {ZYDIS_MNEMONIC_VCVTPD2PS, ZYDIS_MNEMONIC_CVTPD2PS},
        {ZYDIS_MNEMONIC_VCVTPD2DQ, ZYDIS_MNEMONIC_CVTPD2DQ},
        {ZYDIS_MNEMONIC_VCVTTPD2DQ, ZYDIS_MNEMONIC_CVTTPD2DQ},
    };
    unsigned l = 0;
    while (legacy[l][0] != in->mnemonic)
        l++;
    if (!avx_wide(in))
        return avx_legacy(v, in, legacy[l][1], 0);
    sse_host_fn fn = sse_host_lookup(legacy[l][1], 0);
    uint32_t mx = sse_host_mxcsr(v), flags;
    yreg s, d;
    xreg lo, hi;
    int rc;
    if ((rc = avx_read(v, in, 1, &s, 32, 0)))
        return rc;
    lo = s.x[0], hi = s.x[1];
    flags = fn(&lo, &s.x[0], mx) | fn(&hi, &s.x[1], mx);
    if ((rc = sse_fp_flags(v, flags)))
        return rc;
    memset(&d, 0, sizeof(d));
    d.q[0] = lo.q[0], d.q[1] = hi.q[0];
    return avx_write(v, in, 0, &d, 16, 0);
}

static const iem_fn custom[ZYDIS_MNEMONIC_MAX_VALUE + 1] = {
    [ZYDIS_MNEMONIC_VMOVAPS] = op_move, [ZYDIS_MNEMONIC_VMOVAPD] = op_move, [ZYDIS_MNEMONIC_VMOVDQA] = op_move,
    [ZYDIS_MNEMONIC_VMOVUPS] = op_move, [ZYDIS_MNEMONIC_VMOVUPD] = op_move, [ZYDIS_MNEMONIC_VMOVDQU] = op_move,
    [ZYDIS_MNEMONIC_VLDDQU] = op_move, [ZYDIS_MNEMONIC_VMOVNTPS] = op_move, [ZYDIS_MNEMONIC_VMOVNTPD] = op_move,
    [ZYDIS_MNEMONIC_VMOVNTDQ] = op_move, [ZYDIS_MNEMONIC_VMOVNTDQA] = op_move, [ZYDIS_MNEMONIC_VCMPPS] = op_cmp,
    [ZYDIS_MNEMONIC_VCMPPD] = op_cmp, [ZYDIS_MNEMONIC_VCMPSS] = op_cmp, [ZYDIS_MNEMONIC_VCMPSD] = op_cmp,
    [ZYDIS_MNEMONIC_VMOVMSKPS] = op_movmsk, [ZYDIS_MNEMONIC_VMOVMSKPD] = op_movmsk,
    [ZYDIS_MNEMONIC_VPMOVMSKB] = op_movmsk, [ZYDIS_MNEMONIC_VPTEST] = op_test,
    [ZYDIS_MNEMONIC_VTESTPS] = op_test, [ZYDIS_MNEMONIC_VTESTPD] = op_test,
    [ZYDIS_MNEMONIC_VZEROUPPER] = op_zero, [ZYDIS_MNEMONIC_VZEROALL] = op_zero,
    [ZYDIS_MNEMONIC_VBROADCASTSS] = op_broadcast, [ZYDIS_MNEMONIC_VBROADCASTSD] = op_broadcast,
    [ZYDIS_MNEMONIC_VBROADCASTF128] = op_broadcast, [ZYDIS_MNEMONIC_VINSERTF128] = op_insert128,
    [ZYDIS_MNEMONIC_VEXTRACTF128] = op_extract128, [ZYDIS_MNEMONIC_VPERM2F128] = op_perm2,
    [ZYDIS_MNEMONIC_VPERMILPS] = op_permil, [ZYDIS_MNEMONIC_VPERMILPD] = op_permil,
    [ZYDIS_MNEMONIC_VMASKMOVPS] = op_maskmov, [ZYDIS_MNEMONIC_VMASKMOVPD] = op_maskmov,
    [ZYDIS_MNEMONIC_VBLENDVPS] = op_blendv, [ZYDIS_MNEMONIC_VBLENDVPD] = op_blendv,
    [ZYDIS_MNEMONIC_VPBLENDVB] = op_blendv, [ZYDIS_MNEMONIC_VCVTPD2PS] = op_narrow,
    [ZYDIS_MNEMONIC_VCVTPD2DQ] = op_narrow, [ZYDIS_MNEMONIC_VCVTTPD2DQ] = op_narrow,
    [ZYDIS_MNEMONIC_VPBROADCASTB] = op_broadcast, [ZYDIS_MNEMONIC_VPBROADCASTW] = op_broadcast,
    [ZYDIS_MNEMONIC_VPBROADCASTD] = op_broadcast, [ZYDIS_MNEMONIC_VPBROADCASTQ] = op_broadcast,
    [ZYDIS_MNEMONIC_VBROADCASTI128] = op_broadcast, [ZYDIS_MNEMONIC_VINSERTI128] = op_insert128,
    [ZYDIS_MNEMONIC_VEXTRACTI128] = op_extract128, [ZYDIS_MNEMONIC_VPERM2I128] = op_perm2,
};

#define LEGACY(X, m, flags) [ZYDIS_MNEMONIC_V##m] = {ZYDIS_MNEMONIC_##m, (flags)},
static const struct {
    uint16_t legacy, flags;
} legacy_tab[ZYDIS_MNEMONIC_MAX_VALUE + 1] = {AVX_LEGACY_LIST(LEGACY, _)};

int sse_op_avx(struct vcpu *v, const struct iem_insn *in)
{
    int rc = avx_check(v);
    if (rc)
        return rc;
    if (custom[in->mnemonic])
        return custom[in->mnemonic](v, in);
    if ((rc = avx2_dispatch(v, in)) != AVX_NOT_MINE)
        return rc;
    if (!legacy_tab[in->mnemonic].legacy)
        return iem_unimplemented(v, in);
    return avx_legacy(v, in, legacy_tab[in->mnemonic].legacy, legacy_tab[in->mnemonic].flags);
}
