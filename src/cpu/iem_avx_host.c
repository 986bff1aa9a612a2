/* Host runners for the AVX floating point that has no SSE twin: the 32
 * compare predicates, FMA and F16C. Like iem_sse_host.c each runs the one
 * instruction on the host under the guest's MXCSR (flags clear, all
 * exceptions masked) inside one asm statement and returns the flags, so
 * rounding, DAZ/FTZ, NaN selection and fused single rounding are the
 * hardware's. They are only called when the model advertises the feature,
 * which it does only when the host has it (cpuid_model.c). Packed FMA runs
 * at 256 bits; 128-bit callers pass zero upper lanes, which raise no flag.
 */
#include "cpu/sse.h"

/* VCMPccPS/PD/SS/SD xmm0, xmm0, xmm1, imm. */
#define HOST_CMP(t, i)                                                                              \
    static uint32_t h_cmp##t##i(xreg *d, const xreg *s, uint32_t m)                                 \
    {                                                                                               \
        uint32_t save, out;                                                                         \
        __asm__ volatile(SSE_HOST_BEGIN "vmovdqu %[d], %%xmm0\n\tvmovdqu %[s], %%xmm1\n\t"               \
                         "vcmp" #t " $" #i ", %%xmm1, %%xmm0, %%xmm0\n\tvmovdqu %%xmm0, %[d]\n\t" SSE_HOST_END \
                         : [d] "+m"(*d), [save] "=m"(save), [out] "=m"(out)                        \
                         : [s] "m"(*s), [m] "m"(m)                                                  \
                         : "xmm0", "xmm1");                                                         \
        return out & MXCSR_FLAGS;                                                                   \
    }
#define P32(X, t) X(t, 0) X(t, 1) X(t, 2) X(t, 3) X(t, 4) X(t, 5) X(t, 6) X(t, 7) X(t, 8) X(t, 9) X(t, 10) X(t, 11) X(t, 12) X(t, 13) X(t, 14) X(t, 15) X(t, 16) X(t, 17) X(t, 18) X(t, 19) X(t, 20) X(t, 21) X(t, 22) X(t, 23) X(t, 24) X(t, 25) X(t, 26) X(t, 27) X(t, 28) X(t, 29) X(t, 30) X(t, 31)
P32(HOST_CMP, ps)
P32(HOST_CMP, pd)
P32(HOST_CMP, ss)
P32(HOST_CMP, sd)

#define CMP_ROW(t, i) h_cmp##t##i,
static const sse_host_fn cmp_tab[4][32] = {{P32(CMP_ROW, ps)}, {P32(CMP_ROW, pd)}, {P32(CMP_ROW, ss)}, {P32(CMP_ROW, sd)}};

sse_host_fn avx_host_cmp(unsigned mnemonic, unsigned imm)
{
    switch (mnemonic) {
    case ZYDIS_MNEMONIC_VCMPPS: return cmp_tab[0][imm & 31];
    case ZYDIS_MNEMONIC_VCMPPD: return cmp_tab[1][imm & 31];
    case ZYDIS_MNEMONIC_VCMPSS: return cmp_tab[2][imm & 31];
    case ZYDIS_MNEMONIC_VCMPSD: return cmp_tab[3][imm & 31];
    default: return NULL;
    }
}

/* FMA: d = op1 (ymm0), b = op2 (ymm1), c = op3 (ymm2); regs: "ymm" or "xmm". */
#define HOST_FMA(mn, regs)                                                                           \
    static uint32_t h_##mn(yreg *d, const yreg *b, const yreg *c, uint32_t mx)                       \
    {                                                                                               \
        uint32_t save, out;                                                                         \
        __asm__ volatile(SSE_HOST_BEGIN "vmovdqu %[d], %%ymm0\n\tvmovdqu %[b], %%ymm1\n\t"               \
                         "vmovdqu %[c], %%ymm2\n\t" #mn " " regs "\n\t"                                 \
                         "vmovdqu %%ymm0, %[d]\n\tvzeroupper\n\t" SSE_HOST_END                          \
                         : [d] "+m"(*d), [save] "=m"(save), [out] "=m"(out)                        \
                         : [b] "m"(*b), [c] "m"(*c), [m] "m"(mx)                                    \
                         : "xmm0", "xmm1", "xmm2");                                                 \
        return out & MXCSR_FLAGS;                                                                   \
    }
#define FMA_Y "%%ymm2, %%ymm1, %%ymm0"
#define FMA_X "%%xmm2, %%xmm1, %%xmm0"
#define FMA_LIST(F) \
    F(VFMADD132PS, Y) F(VFMADD132PD, Y) F(VFMADD132SS, X) F(VFMADD132SD, X)             \
    F(VFMADD213PS, Y) F(VFMADD213PD, Y) F(VFMADD213SS, X) F(VFMADD213SD, X)             \
    F(VFMADD231PS, Y) F(VFMADD231PD, Y) F(VFMADD231SS, X) F(VFMADD231SD, X)             \
    F(VFMSUB132PS, Y) F(VFMSUB132PD, Y) F(VFMSUB132SS, X) F(VFMSUB132SD, X)             \
    F(VFMSUB213PS, Y) F(VFMSUB213PD, Y) F(VFMSUB213SS, X) F(VFMSUB213SD, X)             \
    F(VFMSUB231PS, Y) F(VFMSUB231PD, Y) F(VFMSUB231SS, X) F(VFMSUB231SD, X)             \
    F(VFNMADD132PS, Y) F(VFNMADD132PD, Y) F(VFNMADD132SS, X) F(VFNMADD132SD, X)         \
    F(VFNMADD213PS, Y) F(VFNMADD213PD, Y) F(VFNMADD213SS, X) F(VFNMADD213SD, X)         \
    F(VFNMADD231PS, Y) F(VFNMADD231PD, Y) F(VFNMADD231SS, X) F(VFNMADD231SD, X)         \
    F(VFNMSUB132PS, Y) F(VFNMSUB132PD, Y) F(VFNMSUB132SS, X) F(VFNMSUB132SD, X)         \
    F(VFNMSUB213PS, Y) F(VFNMSUB213PD, Y) F(VFNMSUB213SS, X) F(VFNMSUB213SD, X)         \
    F(VFNMSUB231PS, Y) F(VFNMSUB231PD, Y) F(VFNMSUB231SS, X) F(VFNMSUB231SD, X)         \
    F(VFMADDSUB132PS, Y) F(VFMADDSUB132PD, Y) F(VFMADDSUB213PS, Y)                         \
    F(VFMADDSUB213PD, Y) F(VFMADDSUB231PS, Y) F(VFMADDSUB231PD, Y)                         \
    F(VFMSUBADD132PS, Y) F(VFMSUBADD132PD, Y) F(VFMSUBADD213PS, Y)                         \
    F(VFMSUBADD213PD, Y) F(VFMSUBADD231PS, Y) F(VFMSUBADD231PD, Y)
#define GEN_FMA(m, w) HOST_FMA(m, FMA_##w)
FMA_LIST(GEN_FMA)

#define FMA_ROW(m, w) [ZYDIS_MNEMONIC_##m] = h_##m,
static const avx_host3_fn fma_tab[ZYDIS_MNEMONIC_MAX_VALUE + 1] = {FMA_LIST(FMA_ROW)};

avx_host3_fn avx_host_fma(unsigned mnemonic)
{
    return mnemonic <= ZYDIS_MNEMONIC_MAX_VALUE ? fma_tab[mnemonic] : NULL;
}

/* F16C at 256 bits (the 128-bit forms use the low half): VCVTPH2PS ymm0,
 * xmm1 and VCVTPS2PH xmm0, ymm1, imm (imm[2:0]: rounding, bit 2 = MXCSR.RC). */
static uint32_t h_ph2ps(yreg *d, const yreg *s, const yreg *unused, uint32_t mx)
{
    uint32_t save, out;
    (void)unused;
    __asm__ volatile(SSE_HOST_BEGIN "vmovdqu %[s], %%ymm1\n\tvcvtph2ps %%xmm1, %%ymm0\n\t"
                     "vmovdqu %%ymm0, %[d]\n\tvzeroupper\n\t" SSE_HOST_END
                     : [d] "=m"(*d), [save] "=m"(save), [out] "=m"(out)
                     : [s] "m"(*s), [m] "m"(mx)
                     : "xmm0", "xmm1");
    return out & MXCSR_FLAGS;
}

#define HOST_PS2PH(i)                                                                               \
    static uint32_t h_ps2ph##i(yreg *d, const yreg *s, const yreg *unused, uint32_t mx)             \
    {                                                                                               \
        uint32_t save, out;                                                                         \
        (void)unused;                                                                               \
        __asm__ volatile(SSE_HOST_BEGIN "vmovdqu %[s], %%ymm1\n\tvcvtps2ph $" #i ", %%ymm1, %%xmm0\n\t"  \
                         "vmovdqu %%ymm0, %[d]\n\tvzeroupper\n\t" SSE_HOST_END                          \
                         : [d] "=m"(*d), [save] "=m"(save), [out] "=m"(out)                        \
                         : [s] "m"(*s), [m] "m"(mx)                                                 \
                         : "xmm0", "xmm1");                                                         \
        return out & MXCSR_FLAGS;                                                                   \
    }
HOST_PS2PH(0) HOST_PS2PH(1) HOST_PS2PH(2) HOST_PS2PH(3) HOST_PS2PH(4) HOST_PS2PH(5) HOST_PS2PH(6) HOST_PS2PH(7)

avx_host3_fn avx_host_f16c(unsigned mnemonic, unsigned imm)
{
    static const avx_host3_fn ps2ph[8] = {h_ps2ph0, h_ps2ph1, h_ps2ph2, h_ps2ph3,
                                          h_ps2ph4, h_ps2ph5, h_ps2ph6, h_ps2ph7};
    if (mnemonic == ZYDIS_MNEMONIC_VCVTPH2PS)
        return h_ph2ps;
    return mnemonic == ZYDIS_MNEMONIC_VCVTPS2PH ? ps2ph[imm & 7] : NULL;
}
