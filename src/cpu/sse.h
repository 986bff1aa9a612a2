/* Shared helpers of the SIMD handlers (iem_sse*.c): MMX/SSE availability
 * checks, XMM/MMX/memory operand access, MXCSR exception delivery and the
 * host-SSE runner used for floating-point arithmetic.
 *
 * Register model:
 * - XMM registers live in cpu.xmm[16][16], little-endian element order.
 * - MMX register i is the low 64 bits of cpu.fpr[i] (physical x87 register
 *   i, not ST(i)). An MMX instruction sets the x87 tag word to all valid and
 *   TOP to 0; a write to MMi also sets bits 64..79 of fpr[i] to all ones.
 *   EMMS sets the tag word to all empty. (The x87 code owns the rest of fpr.)
 *
 * Floating point runs on the host's SSE unit under the guest's MXCSR (all
 * exceptions masked on the host, the flags read back), which makes rounding,
 * DAZ/FTZ, NaN propagation and the exception flags exact for an x86 host.
 * The flags are then merged like Bochs/hardware do: if any unmasked
 * pre-computation exception (IE, DE, ZE) is found, post-computation flags
 * (OE, UE, PE) are dropped; the flags are ORed into MXCSR and an unmasked
 * one raises #XM (CR4.OSXMMEXCPT=1) or #UD, the destination untouched.
 */
#ifndef PCVM_SSE_H
#define PCVM_SSE_H

#include <string.h>

#include "cpu/iem.h"

typedef union {
    uint8_t b[16];
    int8_t sb[16];
    uint16_t w[8];
    int16_t sw[8];
    uint32_t d[4];
    int32_t sd[4];
    uint64_t q[2];
    int64_t sq[2];
    float f[4];
    double fd[2];
} xreg;

#define MXCSR_IE 0x01u
#define MXCSR_DE 0x02u
#define MXCSR_ZE 0x04u
#define MXCSR_OE 0x08u
#define MXCSR_UE 0x10u
#define MXCSR_PE 0x20u
#define MXCSR_FLAGS 0x3fu
#define MXCSR_DAZ 0x40u
#define MXCSR_MASKS 0x1f80u
/* Bits LDMXCSR/FXRSTOR accept (DAZ supported); FXSAVE stores it as MXCSR_MASK. */
#define MXCSR_VALID 0xffffu

/* Which checks an instruction needs before it touches state. */
enum sse_kind {
    SSE_K_SSE, /* XMM form: #UD if CR0.EM or !CR4.OSFXSR, #NM if CR0.TS */
    SSE_K_MMX, /* MMX form: #UD if CR0.EM, #NM if CR0.TS, #MF if x87 error pending */
};

static inline bool sse_is_xmm(const struct iem_op *op)
{
    return op->type == OPT_REG && op->rclass == RC_OTHER && op->reg >= ZYDIS_REGISTER_XMM0 &&
           op->reg <= ZYDIS_REGISTER_XMM15;
}
static inline bool sse_is_mm(const struct iem_op *op)
{
    return op->type == OPT_REG && op->rclass == RC_OTHER && op->reg >= ZYDIS_REGISTER_MM0 &&
           op->reg <= ZYDIS_REGISTER_MM7;
}
/* XMM/YMM registers the current mode can name (and FXSAVE/XSAVE store):
 * 16 in 64-bit mode, else 8. */
static inline unsigned sse_nregs(const struct vcpu *v)
{
    return cpu_is_64(&v->cpu) ? 16 : 8;
}
static inline uint8_t *sse_xmm(struct vcpu *v, const struct iem_op *op)
{
    return v->cpu.xmm[(op->reg - ZYDIS_REGISTER_XMM0) & 15];
}

/* Element i of es (1, 2, 4 or 8) bytes of an XMM/MMX value, zero-extended. */
static inline uint64_t sse_elem_get(const xreg *x, unsigned i, unsigned es)
{
    switch (es) {
    case 1: return x->b[i];
    case 2: return x->w[i];
    case 4: return x->d[i];
    default: return x->q[i];
    }
}

static inline void sse_elem_put(xreg *x, unsigned i, unsigned es, uint64_t val)
{
    switch (es) {
    case 1: x->b[i] = (uint8_t)val; break;
    case 2: x->w[i] = (uint16_t)val; break;
    case 4: x->d[i] = (uint32_t)val; break;
    default: x->q[i] = val; break;
    }
}

/* The sign bits of the len / es elements of es bytes at b, packed from bit 0
 * (MOVMSKPS/PD, PMOVMSKB and their VEX forms). */
static inline uint64_t sse_sign_mask(const uint8_t *b, unsigned es, unsigned len)
{
    uint64_t m = 0;
    for (unsigned i = 0; i < len / es; i++)
        m |= (uint64_t)(b[i * es + es - 1] >> 7) << i;
    return m;
}

/* The checks for an instruction whose first MMX/XMM operand decides the
 * form (MMX when any operand is an MM register). */
int sse_check(struct vcpu *v, const struct iem_insn *in);
int sse_check_kind(struct vcpu *v, enum sse_kind k);
/* An MMX instruction executed: tags all valid, TOP = 0. */
void sse_mmx_enter(struct vcpu *v);
bool sse_insn_is_mmx(const struct iem_insn *in);

/* Reads operand i into buf (zero-filled to 16 bytes): XMM/MM register, GPR
 * (op.size bytes) or memory (op.size bytes). align: 0 for none, else a
 * memory operand whose linear address is not a multiple of it raises #GP(0). */
int sse_read(struct vcpu *v, const struct iem_insn *in, unsigned i, xreg *buf, unsigned align);
/* Writes operand i: the whole XMM register (16 bytes), MM register (8, with
 * the x87 side effects), GPR (op.size) or memory (op.size bytes). */
int sse_write(struct vcpu *v, const struct iem_insn *in, unsigned i, const xreg *buf, unsigned align);
/* Linear-address alignment check of a memory operand: #GP(0). */
int sse_align(struct vcpu *v, const struct iem_insn *in, const struct iem_op *op, unsigned align);

/* Merges host-computed exception flags into MXCSR; IEM_OK when every raised
 * flag is masked, else the #XM/#UD status (destination must stay unchanged). */
int sse_fp_flags(struct vcpu *v, uint32_t flags);
/* The MXCSR a host runner gets: the guest's modes, flags clear, all masked. */
static inline uint32_t sse_host_mxcsr(const struct vcpu *v)
{
    return (v->cpu.mxcsr & ~MXCSR_FLAGS) | MXCSR_MASKS;
}

/* Host SSE runners: run one instruction on (d, s) with xmm0 = d, xmm1 = s,
 * under mxcsr with exceptions masked; d gets xmm0; returns the flags.
 * Their asm swaps the host MXCSR for the guest's around the instruction
 * (operands [save], [m] the guest's, [out] the flags after) so no compiled
 * FP code ever runs under the guest's modes (iem_sse_host.c, iem_avx_host.c). */
#define SSE_HOST_BEGIN "stmxcsr %[save]\n\tldmxcsr %[m]\n\t"
#define SSE_HOST_END "stmxcsr %[out]\n\tldmxcsr %[save]"
typedef uint32_t (*sse_host_fn)(xreg *d, const xreg *s, uint32_t mxcsr);
/* Looks up the host runner of an SSE FP instruction by mnemonic and, for
 * CMPccPS/SD, ROUNDxx and DPPS/DPPD, its imm8; NULL if none. */
sse_host_fn sse_host_lookup(unsigned mnemonic, unsigned imm);
/* Conversions with a GPR side: gpr in/out through *g (64 bits). */
typedef uint32_t (*sse_host_gfn)(xreg *d, uint64_t *g, uint32_t mxcsr);
sse_host_gfn sse_host_glookup(unsigned mnemonic, unsigned osize);

/* Handlers of the families, registered in iem_sse.c's table. */
int sse_op_mov(struct vcpu *v, const struct iem_insn *in);   /* iem_sse_mov.c */
int sse_op_int(struct vcpu *v, const struct iem_insn *in);   /* iem_sse_int.c */
int sse_op_fp(struct vcpu *v, const struct iem_insn *in);    /* iem_sse_fp.c */
int sse_op_cvt(struct vcpu *v, const struct iem_insn *in);   /* iem_sse_cvt.c */
int sse_op_shuf(struct vcpu *v, const struct iem_insn *in);  /* iem_sse_shuf.c */
int sse_op_state(struct vcpu *v, const struct iem_insn *in); /* iem_sse_state.c */
int sse_op_41(struct vcpu *v, const struct iem_insn *in);    /* iem_sse_41.c */
int sse_op_pcmpstr(struct vcpu *v, const struct iem_insn *in); /* iem_sse_str.c */
int sse_op_crc32(struct vcpu *v, const struct iem_insn *in);   /* iem_sse_str.c */
int sse_op_gpr(struct vcpu *v, const struct iem_insn *in);   /* iem_sse_bmi.c */

/* The FXSAVE image of the x87/SSE state (iem_sse_state.c), shared with XSAVE:
 * wide = the REX.W pointer layout; nxmm XMM registers are stored. */
void sse_fx_image(const struct cpu *c, uint8_t img[512], bool wide, unsigned nxmm);
/* Loads FCW, FSW, FTW (from the abridged tags), FOP, pointers and ST0-7. */
void sse_fx_load_x87(struct cpu *c, const uint8_t *img, bool wide);


/* ---- AVX (iem_avx*.c) ---- */
typedef union {
    uint8_t b[32];
    uint16_t w[16];
    uint32_t d[8];
    uint64_t q[4];
    xreg x[2];
} yreg;

/* Flags of a VEX form of a legacy instruction. */
#define AVX_256      1u /* VEX.256 exists (AVX): two independent 128-bit lanes */
#define AVX_256_AVX2 2u /* VEX.256 exists with AVX2 */
#define AVX_RO       4u /* operand 0 is a source (compares to flags, PCMPxSTRx) */
#define AVX_X0       8u /* the result goes to XMM0 (PCMPxSTRM) */
#define AVX_CNT      16u /* the last operand (a shift count) is the same for both lanes */
#define AVX_IMMSH(n) ((unsigned)(n) << 12) /* the high lane takes imm8 >> n */
#define AVX_IMMSH_OF(f) ((f) >> 12)
#define AVX_WIDEN    64u /* each lane widens the next AVX_HALF bytes of an XMM source */
#define AVX_HALF(n)  ((unsigned)(n) << 8)
#define AVX_HALF_OF(f) (((f) >> 8) & 15)

/* #UD unless CR4.OSXSAVE and XCR0 enables SSE and AVX; #NM on CR0.TS. */
int avx_check(struct vcpu *v);
bool avx_is_ymm(const struct iem_op *op);
bool avx_is_vreg(const struct iem_op *op); /* an XMM or YMM register */
unsigned avx_regno(const struct iem_op *op);
bool avx_wide(const struct iem_insn *in); /* a YMM operand: the 256-bit form */
static inline unsigned avx_vlen(const struct iem_insn *in) /* 32 or 16 bytes */
{
    return avx_wide(in) ? 32 : 16;
}
/* Reads len (<= 32) bytes of operand i: vector register (its low len
 * bytes), memory (with a #GP check at align when nonzero) or GPR. */
int avx_read(struct vcpu *v, const struct iem_insn *in, unsigned i, yreg *y, unsigned len, unsigned align);
/* Writes operand i: a vector register gets len bytes and zeros up to bit
 * 255; memory gets len bytes. */
int avx_write(struct vcpu *v, const struct iem_insn *in, unsigned i, const yreg *y, unsigned len, unsigned align);
void avx_set_reg(struct vcpu *v, unsigned r, const yreg *y, unsigned len);
/* The VEX form of legacy mnemonic `legacy` through its legacy handler. */
int avx_legacy(struct vcpu *v, const struct iem_insn *in, unsigned legacy, unsigned flags);
/* The VEX moves that keep an alignment check at their full width (VMOVAPS,
 * VMOVAPD, VMOVDQA, VMOVNTxx), by V or legacy mnemonic (iem_sse.c). */
bool sse_vex_aligned(unsigned mnemonic);
/* iem_sse.c: runs the legacy handler of L->mnemonic (gated by its feature). */
int sse_vex_legacy(struct vcpu *v, const struct iem_insn *L);
int sse_op_avx(struct vcpu *v, const struct iem_insn *in); /* iem_avx_ops.c */
/* VMASKMOVPS/PD, VPMASKMOVD/Q with element size es (iem_avx_ops.c). */
int avx_maskmov(struct vcpu *v, const struct iem_insn *in, unsigned es);
/* AVX2, FMA, F16C handlers (iem_avx2.c, iem_avx_fma.c); AVX_NOT_MINE when
 * the mnemonic is not theirs. */
#define AVX_NOT_MINE 0x7fff
int avx2_dispatch(struct vcpu *v, const struct iem_insn *in);
int avx_gather(struct vcpu *v, const struct iem_insn *in); /* iem_avx_gather.c */
/* Host runners (iem_avx_host.c): compares with predicates 0-31, and the
 * three-source FMA / F16C runners on 256-bit values under mxcsr. */
sse_host_fn avx_host_cmp(unsigned mnemonic, unsigned imm);
typedef uint32_t (*avx_host3_fn)(yreg *d, const yreg *b, const yreg *c, uint32_t mxcsr);
avx_host3_fn avx_host_fma(unsigned mnemonic);
avx_host3_fn avx_host_f16c(unsigned mnemonic, unsigned imm);

/* The VEX forms of legacy instructions, V##m runs m through avx_legacy:
 * L(X, m, flags). W: VEX.256 with AVX, W2: VEX.256 with AVX2. */
#define AVX_W AVX_256
#define AVX_W2 AVX_256_AVX2
#define AVX_LEGACY_LIST(L, X)                                                                      \
    AVX_FP4(L, X, ADD) AVX_FP4(L, X, SUB) AVX_FP4(L, X, MUL) AVX_FP4(L, X, DIV) AVX_FP4(L, X, MIN)  \
    AVX_FP4(L, X, MAX) AVX_FP4(L, X, SQRT) L(X, RCPPS, AVX_W) L(X, RCPSS, 0) L(X, RSQRTPS, AVX_W)   \
    L(X, RSQRTSS, 0) L(X, COMISS, AVX_RO) L(X, UCOMISS, AVX_RO) L(X, COMISD, AVX_RO)                \
    L(X, UCOMISD, AVX_RO) L(X, ADDSUBPS, AVX_W) L(X, ADDSUBPD, AVX_W) L(X, HADDPS, AVX_W)           \
    L(X, HADDPD, AVX_W) L(X, HSUBPS, AVX_W) L(X, HSUBPD, AVX_W) L(X, ROUNDPS, AVX_W)                \
    L(X, ROUNDPD, AVX_W) L(X, ROUNDSS, 0) L(X, ROUNDSD, 0) L(X, DPPS, AVX_W) L(X, DPPD, 0)          \
    L(X, ANDPS, AVX_W) L(X, ANDNPS, AVX_W) L(X, ORPS, AVX_W) L(X, XORPS, AVX_W) L(X, ANDPD, AVX_W)  \
    L(X, ANDNPD, AVX_W) L(X, ORPD, AVX_W) L(X, XORPD, AVX_W) L(X, SHUFPS, AVX_W) L(X, SHUFPD, AVX_W | AVX_IMMSH(2)) \
    L(X, UNPCKLPS, AVX_W) L(X, UNPCKHPS, AVX_W) L(X, UNPCKLPD, AVX_W) L(X, UNPCKHPD, AVX_W)         \
    L(X, BLENDPS, AVX_W | AVX_IMMSH(4)) L(X, BLENDPD, AVX_W | AVX_IMMSH(2)) L(X, MOVSHDUP, AVX_W) L(X, MOVSLDUP, AVX_W)           \
    L(X, MOVDDUP, AVX_W) L(X, CVTDQ2PS, AVX_W) L(X, CVTPS2DQ, AVX_W) L(X, CVTTPS2DQ, AVX_W)         \
    L(X, CVTPS2PD, AVX_W | AVX_WIDEN | AVX_HALF(8)) L(X, CVTDQ2PD, AVX_W | AVX_WIDEN | AVX_HALF(8)) \
    L(X, CVTSI2SS, 0) L(X, CVTSI2SD, 0) L(X, CVTSS2SI, 0) L(X, CVTSD2SI, 0) L(X, CVTTSS2SI, 0)      \
    L(X, CVTTSD2SI, 0) L(X, CVTSS2SD, 0) L(X, CVTSD2SS, 0) L(X, MOVSS, 0) L(X, MOVSD, 0)             \
    L(X, MOVLPS, 0) L(X, MOVHPS, 0) L(X, MOVLPD, 0) L(X, MOVHPD, 0) L(X, MOVLHPS, 0)                \
    L(X, MOVHLPS, 0) L(X, MOVD, 0) L(X, MOVQ, 0) L(X, MASKMOVDQU, AVX_RO) L(X, INSERTPS, 0)         \
    L(X, EXTRACTPS, 0) L(X, PEXTRB, 0) L(X, PEXTRW, 0) L(X, PEXTRD, 0) L(X, PEXTRQ, 0)              \
    L(X, PINSRB, 0) L(X, PINSRW, 0) L(X, PINSRD, 0) L(X, PINSRQ, 0) L(X, PCMPESTRI, AVX_RO)         \
    L(X, PCMPISTRI, AVX_RO) L(X, PCMPESTRM, AVX_RO | AVX_X0) L(X, PCMPISTRM, AVX_RO | AVX_X0)       \
    L(X, AESENC, 0) L(X, AESENCLAST, 0) L(X, AESDEC, 0) L(X, AESDECLAST, 0) L(X, AESIMC, 0)         \
    L(X, AESKEYGENASSIST, 0) L(X, PCLMULQDQ, 0) L(X, LDMXCSR, 0) L(X, STMXCSR, 0)                   \
    L(X, PHMINPOSUW, 0)                                                                             \
    /* integer: VEX.256 with AVX2 */                                                                \
    AVX_I(L, X, PADDB) AVX_I(L, X, PADDW) AVX_I(L, X, PADDD) AVX_I(L, X, PADDQ) AVX_I(L, X, PADDSB) \
    AVX_I(L, X, PADDSW) AVX_I(L, X, PADDUSB) AVX_I(L, X, PADDUSW) AVX_I(L, X, PSUBB)                \
    AVX_I(L, X, PSUBW) AVX_I(L, X, PSUBD) AVX_I(L, X, PSUBQ) AVX_I(L, X, PSUBSB) AVX_I(L, X, PSUBSW) \
    AVX_I(L, X, PSUBUSB) AVX_I(L, X, PSUBUSW) AVX_I(L, X, PMULLW) AVX_I(L, X, PMULHW)               \
    AVX_I(L, X, PMULHUW) AVX_I(L, X, PMULUDQ) AVX_I(L, X, PMADDWD) AVX_I(L, X, PSADBW)              \
    AVX_I(L, X, PAVGB) AVX_I(L, X, PAVGW) AVX_I(L, X, PCMPEQB) AVX_I(L, X, PCMPEQW)                 \
    AVX_I(L, X, PCMPEQD) AVX_I(L, X, PCMPEQQ) AVX_I(L, X, PCMPGTB) AVX_I(L, X, PCMPGTW)             \
    AVX_I(L, X, PCMPGTD) AVX_I(L, X, PCMPGTQ) AVX_I(L, X, PMINUB) AVX_I(L, X, PMAXUB)               \
    AVX_I(L, X, PMINSW) AVX_I(L, X, PMAXSW) AVX_I(L, X, PMINSB) AVX_I(L, X, PMAXSB)                 \
    AVX_I(L, X, PMINUW) AVX_I(L, X, PMAXUW) AVX_I(L, X, PMINSD) AVX_I(L, X, PMAXSD)                 \
    AVX_I(L, X, PMINUD) AVX_I(L, X, PMAXUD) AVX_I(L, X, PAND) AVX_I(L, X, PANDN) AVX_I(L, X, POR)   \
    AVX_I(L, X, PXOR) AVX_I(L, X, PABSB) AVX_I(L, X, PABSW) AVX_I(L, X, PABSD) AVX_I(L, X, PSIGNB)  \
    AVX_I(L, X, PSIGNW) AVX_I(L, X, PSIGND) AVX_I(L, X, PMULHRSW) AVX_I(L, X, PMADDUBSW)            \
    AVX_I(L, X, PHADDW) AVX_I(L, X, PHADDD) AVX_I(L, X, PHADDSW) AVX_I(L, X, PHSUBW)                \
    AVX_I(L, X, PHSUBD) AVX_I(L, X, PHSUBSW) AVX_I(L, X, PMULLD) AVX_I(L, X, PMULDQ)                \
    AVX_I(L, X, PSHUFB) AVX_I(L, X, PALIGNR) AVX_I(L, X, PACKSSWB) AVX_I(L, X, PACKSSDW)            \
    AVX_I(L, X, PACKUSWB) AVX_I(L, X, PACKUSDW) AVX_I(L, X, PUNPCKLBW) AVX_I(L, X, PUNPCKLWD)       \
    AVX_I(L, X, PUNPCKLDQ) AVX_I(L, X, PUNPCKLQDQ) AVX_I(L, X, PUNPCKHBW) AVX_I(L, X, PUNPCKHWD)    \
    AVX_I(L, X, PUNPCKHDQ) AVX_I(L, X, PUNPCKHQDQ) AVX_I(L, X, PSHUFD) AVX_I(L, X, PSHUFHW)         \
    AVX_I(L, X, PSHUFLW) AVX_I(L, X, PSLLDQ) AVX_I(L, X, PSRLDQ) AVX_I(L, X, PBLENDW)               \
    L(X, MPSADBW, AVX_W2 | AVX_IMMSH(3)) AVX_SH(L, X, PSLLW) AVX_SH(L, X, PSLLD) AVX_SH(L, X, PSLLQ)   \
    AVX_SH(L, X, PSRLW) AVX_SH(L, X, PSRLD) AVX_SH(L, X, PSRLQ) AVX_SH(L, X, PSRAW)                 \
    AVX_SH(L, X, PSRAD) AVX_MOVX(L, X, BW, 8) AVX_MOVX(L, X, BD, 4) AVX_MOVX(L, X, BQ, 2)           \
    AVX_MOVX(L, X, WD, 8) AVX_MOVX(L, X, WQ, 4) AVX_MOVX(L, X, DQ, 8)
#define AVX_FP4(L, X, m) L(X, m##PS, AVX_W) L(X, m##PD, AVX_W) L(X, m##SS, 0) L(X, m##SD, 0)
#define AVX_I(L, X, m) L(X, m, AVX_W2)
#define AVX_SH(L, X, m) L(X, m, AVX_W2 | AVX_CNT)
#define AVX_MOVX(L, X, t, h) L(X, PMOVSX##t, AVX_W2 | AVX_WIDEN | AVX_HALF(h)) L(X, PMOVZX##t, AVX_W2 | AVX_WIDEN | AVX_HALF(h))

/* AVX instructions with a handler of their own (iem_avx_ops.c and
 * iem_avx2.c): C(X, mnemonic, feature). The full moves, the compares and
 * the mask extraction are here too for their 256-bit or imm >= 8 forms. */
#define AVX_CUSTOM_LIST(C, X)                                                                      \
    C(X, VMOVAPS, AVX) C(X, VMOVAPD, AVX) C(X, VMOVDQA, AVX) C(X, VMOVUPS, AVX) C(X, VMOVUPD, AVX)  \
    C(X, VMOVDQU, AVX) C(X, VLDDQU, AVX) C(X, VMOVNTPS, AVX) C(X, VMOVNTPD, AVX)                    \
    C(X, VMOVNTDQ, AVX) C(X, VMOVNTDQA, AVX) C(X, VCMPPS, AVX) C(X, VCMPPD, AVX) C(X, VCMPSS, AVX)  \
    C(X, VCMPSD, AVX) C(X, VMOVMSKPS, AVX) C(X, VMOVMSKPD, AVX) C(X, VPMOVMSKB, AVX)                \
    C(X, VPTEST, AVX) C(X, VTESTPS, AVX) C(X, VTESTPD, AVX) C(X, VZEROUPPER, AVX)                   \
    C(X, VZEROALL, AVX) C(X, VBROADCASTSS, AVX) C(X, VBROADCASTSD, AVX) C(X, VBROADCASTF128, AVX)   \
    C(X, VINSERTF128, AVX) C(X, VEXTRACTF128, AVX) C(X, VPERM2F128, AVX) C(X, VPERMILPS, AVX)       \
    C(X, VPERMILPD, AVX) C(X, VMASKMOVPS, AVX) C(X, VMASKMOVPD, AVX) C(X, VBLENDVPS, AVX)           \
    C(X, VBLENDVPD, AVX) C(X, VPBLENDVB, AVX) C(X, VCVTPD2PS, AVX) C(X, VCVTPD2DQ, AVX)             \
    C(X, VCVTTPD2DQ, AVX) C(X, VPERMD, AVX2) C(X, VPERMPS, AVX2) C(X, VPERMQ, AVX2)                 \
    C(X, VPERMPD, AVX2) C(X, VPBLENDD, AVX2) C(X, VPSLLVD, AVX2) C(X, VPSLLVQ, AVX2)                \
    C(X, VPSRLVD, AVX2) C(X, VPSRLVQ, AVX2) C(X, VPSRAVD, AVX2) C(X, VPBROADCASTB, AVX2)            \
    C(X, VPBROADCASTW, AVX2) C(X, VPBROADCASTD, AVX2) C(X, VPBROADCASTQ, AVX2)                      \
    C(X, VBROADCASTI128, AVX2) C(X, VINSERTI128, AVX2) C(X, VEXTRACTI128, AVX2)                     \
    C(X, VPERM2I128, AVX2) C(X, VPMASKMOVD, AVX2) C(X, VPMASKMOVQ, AVX2) C(X, VGATHERDPS, AVX2)     \
    C(X, VGATHERDPD, AVX2) C(X, VGATHERQPS, AVX2) C(X, VGATHERQPD, AVX2) C(X, VPGATHERDD, AVX2)     \
    C(X, VPGATHERDQ, AVX2) C(X, VPGATHERQD, AVX2) C(X, VPGATHERQQ, AVX2) C(X, VCVTPH2PS, F16C)      \
    C(X, VCVTPS2PH, F16C) AVX_FMA_LIST(C, X)
#define AVX_FMA3(C, X, op, t) C(X, op##132##t, FMA) C(X, op##213##t, FMA) C(X, op##231##t, FMA)
#define AVX_FMA4(C, X, op) AVX_FMA3(C, X, op, PS) AVX_FMA3(C, X, op, PD) AVX_FMA3(C, X, op, SS) AVX_FMA3(C, X, op, SD)
#define AVX_FMA_LIST(C, X)                                                                         \
    AVX_FMA4(C, X, VFMADD) AVX_FMA4(C, X, VFMSUB) AVX_FMA4(C, X, VFNMADD) AVX_FMA4(C, X, VFNMSUB)   \
    AVX_FMA3(C, X, VFMADDSUB, PS) AVX_FMA3(C, X, VFMADDSUB, PD) AVX_FMA3(C, X, VFMSUBADD, PS)       \
    AVX_FMA3(C, X, VFMSUBADD, PD)

/* New families (iem_aes.c, iem_xsave.c, iem_avx*.c). */
int sse_op_aes(struct vcpu *v, const struct iem_insn *in);
int sse_op_rand(struct vcpu *v, const struct iem_insn *in);
int sse_op_xsave(struct vcpu *v, const struct iem_insn *in);
int sse_op_xcr(struct vcpu *v, const struct iem_insn *in);

#endif
