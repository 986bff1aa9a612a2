/* Host SSE runners: each runs one guest floating-point instruction on the
 * host's own SSE unit, register form, with xmm0 = destination and xmm1 =
 * source. The host MXCSR is swapped for the guest's (flags cleared, every
 * exception masked so the host never traps) around the one instruction,
 * inside a single asm statement, so no compiler-generated FP code can run
 * under the guest's rounding mode and the flags are exactly those of this
 * instruction. This is legitimate because pcvm only runs on x86-64 hosts,
 * and it makes rounding, DAZ/FTZ, NaN propagation and the flags exact.
 *
 * Vendor differences the host shows through: RCPPS/RSQRTPS results (only
 * bounded by 1.5*2^-12 relative error architecturally) are the host's, and
 * so are DPPS/DPPD: the SDM leaves which NaN a dot product propagates, and
 * where in the destination, to the implementation (Intel and AMD differ),
 * so no sum of separate multiplies and adds can match both; each immediate
 * gets a runner of its own.
 */
#include "cpu/sse.h"

#define HOST_XX(fn, insn)                                                                           \
    static uint32_t fn(xreg *d, const xreg *s, uint32_t m)                                          \
    {                                                                                               \
        uint32_t save, out;                                                                         \
        __asm__ volatile(SSE_HOST_BEGIN "movdqu %[d], %%xmm0\n\tmovdqu %[s], %%xmm1\n\t"               \
                         insn " %%xmm1, %%xmm0\n\tmovdqu %%xmm0, %[d]\n\t" SSE_HOST_END                \
                         : [d] "+m"(*d), [save] "=m"(save), [out] "=m"(out)                        \
                         : [s] "m"(*s), [m] "m"(m)                                                  \
                         : "xmm0", "xmm1");                                                         \
        return out & MXCSR_FLAGS;                                                                   \
    }

/* GPR <-> XMM conversions: *g in rax, d in xmm0. */
#define HOST_XG(fn, insn)                                                                           \
    static uint32_t fn(xreg *d, uint64_t *g, uint32_t m)                                            \
    {                                                                                               \
        uint32_t save, out;                                                                         \
        __asm__ volatile(SSE_HOST_BEGIN "movdqu %[d], %%xmm0\n\tmovq %[g], %%rax\n\t" insn "\n\t"     \
                         "movdqu %%xmm0, %[d]\n\tmovq %%rax, %[g]\n\t" SSE_HOST_END                   \
                         : [d] "+m"(*d), [g] "+m"(*g), [save] "=m"(save), [out] "=m"(out)          \
                         : [m] "m"(m)                                                               \
                         : "xmm0", "rax");                                                          \
        return out & MXCSR_FLAGS;                                                                   \
    }

/* COMISS & co: the resulting EFLAGS (ZF, PF, CF) go to d->q[0]. */
#define HOST_CMPF(fn, insn)                                                                         \
    static uint32_t fn(xreg *d, const xreg *s, uint32_t m)                                          \
    {                                                                                               \
        uint32_t save, out;                                                                         \
        uint64_t fl;                                                                                \
        __asm__ volatile(SSE_HOST_BEGIN "movdqu %[d], %%xmm0\n\tmovdqu %[s], %%xmm1\n\t"               \
                         insn " %%xmm1, %%xmm0\n\tpushfq\n\tpopq %[fl]\n\t" SSE_HOST_END            \
                         : [save] "=m"(save), [out] "=m"(out), [fl] "=r"(fl)                       \
                         : [d] "m"(*d), [s] "m"(*s), [m] "m"(m)                                     \
                         : "xmm0", "xmm1", "cc");                                                   \
        d->q[0] = fl;                                                                               \
        return out & MXCSR_FLAGS;                                                                   \
    }

#define XX_LIST(X)                                                                                  \
    X(ADDPS, "addps") X(ADDSS, "addss") X(ADDPD, "addpd") X(ADDSD, "addsd")                         \
    X(SUBPS, "subps") X(SUBSS, "subss") X(SUBPD, "subpd") X(SUBSD, "subsd")                         \
    X(MULPS, "mulps") X(MULSS, "mulss") X(MULPD, "mulpd") X(MULSD, "mulsd")                         \
    X(DIVPS, "divps") X(DIVSS, "divss") X(DIVPD, "divpd") X(DIVSD, "divsd")                         \
    X(SQRTPS, "sqrtps") X(SQRTSS, "sqrtss") X(SQRTPD, "sqrtpd") X(SQRTSD, "sqrtsd")                 \
    X(MINPS, "minps") X(MINSS, "minss") X(MINPD, "minpd") X(MINSD, "minsd")                         \
    X(MAXPS, "maxps") X(MAXSS, "maxss") X(MAXPD, "maxpd") X(MAXSD, "maxsd")                         \
    X(RCPPS, "rcpps") X(RCPSS, "rcpss") X(RSQRTPS, "rsqrtps") X(RSQRTSS, "rsqrtss")                 \
    X(ADDSUBPS, "addsubps") X(ADDSUBPD, "addsubpd") X(HADDPS, "haddps") X(HADDPD, "haddpd")         \
    X(HSUBPS, "hsubps") X(HSUBPD, "hsubpd")                                                         \
    X(CVTPS2PD, "cvtps2pd") X(CVTPD2PS, "cvtpd2ps") X(CVTSS2SD, "cvtss2sd") X(CVTSD2SS, "cvtsd2ss") \
    X(CVTDQ2PS, "cvtdq2ps") X(CVTPS2DQ, "cvtps2dq") X(CVTTPS2DQ, "cvttps2dq")                        \
    X(CVTDQ2PD, "cvtdq2pd") X(CVTPD2DQ, "cvtpd2dq") X(CVTTPD2DQ, "cvttpd2dq")

#define GEN_XX(m, s) HOST_XX(h_##m, s)
XX_LIST(GEN_XX)

#define CMP_LIST(X)                                                                                 \
    X(PS, 0, "cmpps $0,") X(PS, 1, "cmpps $1,") X(PS, 2, "cmpps $2,") X(PS, 3, "cmpps $3,")         \
    X(PS, 4, "cmpps $4,") X(PS, 5, "cmpps $5,") X(PS, 6, "cmpps $6,") X(PS, 7, "cmpps $7,")         \
    X(SS, 0, "cmpss $0,") X(SS, 1, "cmpss $1,") X(SS, 2, "cmpss $2,") X(SS, 3, "cmpss $3,")         \
    X(SS, 4, "cmpss $4,") X(SS, 5, "cmpss $5,") X(SS, 6, "cmpss $6,") X(SS, 7, "cmpss $7,")         \
    X(PD, 0, "cmppd $0,") X(PD, 1, "cmppd $1,") X(PD, 2, "cmppd $2,") X(PD, 3, "cmppd $3,")         \
    X(PD, 4, "cmppd $4,") X(PD, 5, "cmppd $5,") X(PD, 6, "cmppd $6,") X(PD, 7, "cmppd $7,")         \
    X(SD, 0, "cmpsd $0,") X(SD, 1, "cmpsd $1,") X(SD, 2, "cmpsd $2,") X(SD, 3, "cmpsd $3,")         \
    X(SD, 4, "cmpsd $4,") X(SD, 5, "cmpsd $5,") X(SD, 6, "cmpsd $6,") X(SD, 7, "cmpsd $7,")
#define GEN_CMP(t, i, s) HOST_XX(h_cmp##t##i, s)
CMP_LIST(GEN_CMP)

/* ROUNDxx: imm bit 2 (use MXCSR.RC) is always set here; the caller folds an
 * immediate rounding mode into the MXCSR it passes. Bit 3 masks PE. */
#define ROUND_LIST(X)                                                                               \
    X(PS, 4, "roundps $4,") X(PS, 12, "roundps $12,") X(SS, 4, "roundss $4,")                       \
    X(SS, 12, "roundss $12,") X(PD, 4, "roundpd $4,") X(PD, 12, "roundpd $12,")                     \
    X(SD, 4, "roundsd $4,") X(SD, 12, "roundsd $12,")
#define GEN_ROUND(t, i, s) HOST_XX(h_round##t##i, s)
ROUND_LIST(GEN_ROUND)

/* DPPS/DPPD with every immediate: 16 x 16 runners each, named by the two
 * nibbles. DPPD defines only imm[5:4] and imm[1:0], but the others are
 * reserved rather than ignored, so they too reach the host as they are. */
#define N16(X, t, h) X(t, h, 0) X(t, h, 1) X(t, h, 2) X(t, h, 3) X(t, h, 4) X(t, h, 5) X(t, h, 6) \
    X(t, h, 7) X(t, h, 8) X(t, h, 9) X(t, h, 10) X(t, h, 11) X(t, h, 12) X(t, h, 13) X(t, h, 14) X(t, h, 15)
#define N256(X, t) N16(X, t, 0) N16(X, t, 1) N16(X, t, 2) N16(X, t, 3) N16(X, t, 4) N16(X, t, 5) \
    N16(X, t, 6) N16(X, t, 7) N16(X, t, 8) N16(X, t, 9) N16(X, t, 10) N16(X, t, 11) N16(X, t, 12) \
    N16(X, t, 13) N16(X, t, 14) N16(X, t, 15)
#define GEN_DP(t, h, l) HOST_XX(h_dp##t##_##h##_##l, "dp" #t " $(" #h "*16+" #l "),")
#define TAB_DP(t, h, l) [h * 16 + l] = h_dp##t##_##h##_##l,
N256(GEN_DP, ps)
N256(GEN_DP, pd)
static const sse_host_fn dp_tab[2][256] = {{N256(TAB_DP, ps)}, {N256(TAB_DP, pd)}};

HOST_CMPF(h_COMISS, "comiss")
HOST_CMPF(h_UCOMISS, "ucomiss")
HOST_CMPF(h_COMISD, "comisd")
HOST_CMPF(h_UCOMISD, "ucomisd")

#define XG_LIST(X)                                                                                  \
    X(CVTSI2SS, 4, "cvtsi2ssl %%eax, %%xmm0") X(CVTSI2SS, 8, "cvtsi2ssq %%rax, %%xmm0")             \
    X(CVTSI2SD, 4, "cvtsi2sdl %%eax, %%xmm0") X(CVTSI2SD, 8, "cvtsi2sdq %%rax, %%xmm0")             \
    X(CVTSS2SI, 4, "cvtss2si %%xmm0, %%eax") X(CVTSS2SI, 8, "cvtss2si %%xmm0, %%rax")               \
    X(CVTTSS2SI, 4, "cvttss2si %%xmm0, %%eax") X(CVTTSS2SI, 8, "cvttss2si %%xmm0, %%rax")           \
    X(CVTSD2SI, 4, "cvtsd2si %%xmm0, %%eax") X(CVTSD2SI, 8, "cvtsd2si %%xmm0, %%rax")               \
    X(CVTTSD2SI, 4, "cvttsd2si %%xmm0, %%eax") X(CVTTSD2SI, 8, "cvttsd2si %%xmm0, %%rax")
#define GEN_XG(m, n, s) HOST_XG(h_##m##n, s)
XG_LIST(GEN_XG)

#define TAB_XX(m, s) [ZYDIS_MNEMONIC_##m] = h_##m,
static const sse_host_fn xx_tab[ZYDIS_MNEMONIC_MAX_VALUE + 1] = {
    XX_LIST(TAB_XX)
    [ZYDIS_MNEMONIC_COMISS] = h_COMISS, [ZYDIS_MNEMONIC_UCOMISS] = h_UCOMISS,
    [ZYDIS_MNEMONIC_COMISD] = h_COMISD, [ZYDIS_MNEMONIC_UCOMISD] = h_UCOMISD,
};

static const sse_host_fn cmp_tab[4][8] = {
    {h_cmpPS0, h_cmpPS1, h_cmpPS2, h_cmpPS3, h_cmpPS4, h_cmpPS5, h_cmpPS6, h_cmpPS7},
    {h_cmpSS0, h_cmpSS1, h_cmpSS2, h_cmpSS3, h_cmpSS4, h_cmpSS5, h_cmpSS6, h_cmpSS7},
    {h_cmpPD0, h_cmpPD1, h_cmpPD2, h_cmpPD3, h_cmpPD4, h_cmpPD5, h_cmpPD6, h_cmpPD7},
    {h_cmpSD0, h_cmpSD1, h_cmpSD2, h_cmpSD3, h_cmpSD4, h_cmpSD5, h_cmpSD6, h_cmpSD7},
};

static const sse_host_fn round_tab[4][2] = {
    {h_roundPS4, h_roundPS12}, {h_roundSS4, h_roundSS12}, {h_roundPD4, h_roundPD12}, {h_roundSD4, h_roundSD12},
};

sse_host_fn sse_host_lookup(unsigned mnemonic, unsigned imm)
{
    switch (mnemonic) {
    case ZYDIS_MNEMONIC_CMPPS: return cmp_tab[0][imm & 7];
    case ZYDIS_MNEMONIC_CMPSS: return cmp_tab[1][imm & 7];
    case ZYDIS_MNEMONIC_CMPPD: return cmp_tab[2][imm & 7];
    case ZYDIS_MNEMONIC_CMPSD: return cmp_tab[3][imm & 7];
    case ZYDIS_MNEMONIC_ROUNDPS: return round_tab[0][(imm >> 3) & 1];
    case ZYDIS_MNEMONIC_ROUNDSS: return round_tab[1][(imm >> 3) & 1];
    case ZYDIS_MNEMONIC_ROUNDPD: return round_tab[2][(imm >> 3) & 1];
    case ZYDIS_MNEMONIC_ROUNDSD: return round_tab[3][(imm >> 3) & 1];
    case ZYDIS_MNEMONIC_DPPS: return dp_tab[0][imm & 0xff];
    case ZYDIS_MNEMONIC_DPPD: return dp_tab[1][imm & 0xff];
    default: return mnemonic <= ZYDIS_MNEMONIC_MAX_VALUE ? xx_tab[mnemonic] : NULL;
    }
}

#define TAB_XG(m, n, s) {ZYDIS_MNEMONIC_##m, n, h_##m##n},
static const struct {
    uint16_t mnemonic;
    uint8_t size;
    sse_host_gfn fn;
} xg_tab[] = {XG_LIST(TAB_XG)};

sse_host_gfn sse_host_glookup(unsigned mnemonic, unsigned osize)
{
    for (size_t i = 0; i < sizeof(xg_tab) / sizeof(xg_tab[0]); i++)
        if (xg_tab[i].mnemonic == mnemonic && xg_tab[i].size == (osize == 8 ? 8 : 4))
            return xg_tab[i].fn;
    return NULL;
}
