/* SIMD instructions: the shared checks and operand access (see sse.h), the
 * small system instructions (EMMS, fences, CLFLUSH) and the one handler
 * table that routes every MMX/SSE mnemonic to its family file. */
#include "cpu/cpufeat.h"
#include "cpu/sse.h"

bool sse_insn_is_mmx(const struct iem_insn *in)
{
    for (unsigned i = 0; i < in->nops; i++)
        if (sse_is_mm(&in->op[i]))
            return true;
    return false;
}

static bool insn_has_xmm(const struct iem_insn *in)
{
    for (unsigned i = 0; i < in->nops; i++)
        if (sse_is_xmm(&in->op[i]))
            return true;
    return false;
}

int sse_check_kind(struct vcpu *v, enum sse_kind k)
{
    const struct cpu *c = &v->cpu;
    if (c->cr0 & CR0_EM)
        return iem_ud(v);
    if (k == SSE_K_SSE && !(c->cr4 & CR4_OSFXSR))
        return iem_ud(v);
    if (c->cr0 & CR0_TS)
        return iem_raise(v, X_NM, 0, false);
    if (k == SSE_K_MMX && (c->fsw & 0x80)) /* FSW.ES: a pending x87 exception */
        return iem_raise(v, X_MF, 0, false);
    return IEM_OK;
}

int sse_check(struct vcpu *v, const struct iem_insn *in)
{
    bool mmx = sse_insn_is_mmx(in);
    int rc;
    if (in->vex) /* VEX forms were checked by avx_check */
        return IEM_OK;
    if (insn_has_xmm(in) || !mmx) {
        if ((rc = sse_check_kind(v, SSE_K_SSE)))
            return rc;
    }
    if (mmx) {
        if ((rc = sse_check_kind(v, SSE_K_MMX)))
            return rc;
        sse_mmx_enter(v);
    }
    return IEM_OK;
}

void sse_mmx_enter(struct vcpu *v)
{
    v->cpu.ftw = 0;                   /* every register valid */
    v->cpu.fsw &= (uint16_t)~0x3800u; /* TOP = 0 */
}

/* 16-byte legacy-SSE memory operands must be aligned, except these. */
static bool unaligned_ok(unsigned mnemonic)
{
    switch (mnemonic) {
    case ZYDIS_MNEMONIC_MOVUPS: case ZYDIS_MNEMONIC_MOVUPD: case ZYDIS_MNEMONIC_MOVDQU:
    case ZYDIS_MNEMONIC_LDDQU: case ZYDIS_MNEMONIC_MASKMOVDQU:
    case ZYDIS_MNEMONIC_PCMPESTRI: case ZYDIS_MNEMONIC_PCMPESTRM:
    case ZYDIS_MNEMONIC_PCMPISTRI: case ZYDIS_MNEMONIC_PCMPISTRM:
        return true;
    default:
        return false;
    }
}

int sse_align(struct vcpu *v, const struct iem_insn *in, const struct iem_op *op, unsigned align)
{
    const struct cpu *c = &v->cpu;
    uint64_t base = (cpu_is_64(c) && op->seg != S_FS && op->seg != S_GS) ? 0 : c->seg[op->seg].base;
    if ((base + iem_ea(v, in, op)) & (align - 1))
        return iem_gp(v, 0);
    return IEM_OK;
}

bool sse_vex_aligned(unsigned mnemonic)
{
    switch (mnemonic) {
    case ZYDIS_MNEMONIC_MOVAPS: case ZYDIS_MNEMONIC_MOVAPD: case ZYDIS_MNEMONIC_MOVDQA:
    case ZYDIS_MNEMONIC_MOVNTPS: case ZYDIS_MNEMONIC_MOVNTPD: case ZYDIS_MNEMONIC_MOVNTDQ:
    case ZYDIS_MNEMONIC_MOVNTDQA: case ZYDIS_MNEMONIC_VMOVAPS: case ZYDIS_MNEMONIC_VMOVAPD:
    case ZYDIS_MNEMONIC_VMOVDQA: case ZYDIS_MNEMONIC_VMOVNTPS: case ZYDIS_MNEMONIC_VMOVNTPD:
    case ZYDIS_MNEMONIC_VMOVNTDQ: case ZYDIS_MNEMONIC_VMOVNTDQA:
        return true;
    default:
        return false;
    }
}

static int auto_align(struct vcpu *v, const struct iem_insn *in, const struct iem_op *op)
{
    if (in->vex)
        return op->size == 16 && sse_vex_aligned(in->mnemonic) ? sse_align(v, in, op, in->vl > 16 ? 32 : 16) : IEM_OK;
    if (op->size == 16 && !unaligned_ok(in->mnemonic))
        return sse_align(v, in, op, 16);
    return IEM_OK;
}

int sse_read(struct vcpu *v, const struct iem_insn *in, unsigned i, xreg *buf, unsigned align)
{
    const struct iem_op *op = &in->op[i];
    int rc;

    memset(buf, 0, sizeof(*buf));
    switch (op->type) {
    case OPT_REG:
        if (sse_is_xmm(op))
            memcpy(buf, sse_xmm(v, op), 16);
        else if (sse_is_mm(op))
            memcpy(buf, v->cpu.fpr[op->reg - ZYDIS_REGISTER_MM0], 8);
        else if (op->rclass == RC_GPR)
            buf->q[0] = iem_gpr(v, op->reg, op->size);
        else
            return -1;
        return IEM_OK;
    case OPT_MEM:
        rc = align ? sse_align(v, in, op, align) : auto_align(v, in, op);
        if (rc)
            return rc;
        return iem_read_buf(v, op->seg, iem_ea(v, in, op), buf, op->size > 16 ? 16 : op->size);
    case OPT_IMM:
        buf->q[0] = op->imm;
        return IEM_OK;
    default:
        return -1;
    }
}

int sse_write(struct vcpu *v, const struct iem_insn *in, unsigned i, const xreg *buf, unsigned align)
{
    const struct iem_op *op = &in->op[i];
    int rc;

    switch (op->type) {
    case OPT_REG:
        if (sse_is_xmm(op)) {
            memcpy(sse_xmm(v, op), buf, 16);
        } else if (sse_is_mm(op)) {
            uint8_t *r = v->cpu.fpr[op->reg - ZYDIS_REGISTER_MM0];
            memcpy(r, buf, 8);
            r[8] = r[9] = 0xff; /* the exponent field of the aliased x87 register */
        } else if (op->rclass == RC_GPR) {
            iem_gpr_set(v, op->reg, op->size, buf->q[0]);
        } else {
            return -1;
        }
        return IEM_OK;
    case OPT_MEM:
        rc = align ? sse_align(v, in, op, align) : auto_align(v, in, op);
        if (rc)
            return rc;
        return iem_write_buf(v, op->seg, iem_ea(v, in, op), buf, op->size > 16 ? 16 : op->size);
    default:
        return -1;
    }
}

int sse_fp_flags(struct vcpu *v, uint32_t flags)
{
    uint32_t unmasked = flags & ~(v->cpu.mxcsr >> 7) & MXCSR_FLAGS;
    if (unmasked & (MXCSR_IE | MXCSR_DE | MXCSR_ZE)) /* post-computation is never reached */
        flags &= MXCSR_IE | MXCSR_DE | MXCSR_ZE;
    v->cpu.mxcsr |= flags & MXCSR_FLAGS;
    if (!unmasked)
        return IEM_OK;
    if (v->cpu.cr4 & CR4_OSXMMEXCPT)
        return iem_raise(v, X_XM, 0, false);
    return iem_ud(v);
}

/* MOVSD and CMPSD also name the string instructions (A5, A7): those run
 * the string handler, ungated by any SIMD feature. */
static int sse_string_insn(struct vcpu *v, const struct iem_insn *in)
{
    for (const struct iem_op_def *o = iem_ops_string; o->fn; o++)
        if (o->mnemonic == in->mnemonic)
            return o->fn(v, in);
    return iem_unimplemented(v, in);
}

static int sse_op_emms(struct vcpu *v, const struct iem_insn *in)
{
    (void)in;
    int rc = sse_check_kind(v, SSE_K_MMX);
    if (!rc)
        v->cpu.ftw = 0xffff;
    return rc;
}

/* Fences and cache-line flushes: IEM is in-order and coherent, so they only
 * need their faults: fences have none beyond the decoder's; CLFLUSH checks
 * the byte address like a read (segment and paging faults). */
static int sse_op_fence(struct vcpu *v, const struct iem_insn *in)
{
    (void)v, (void)in;
    return IEM_OK;
}

static int sse_op_clflush(struct vcpu *v, const struct iem_insn *in)
{
    uint64_t lin, gpa;
    const struct iem_op *op = &in->op[0];
    int rc = iem_seg_lin(v, op->seg, iem_ea(v, in, op), 1, ACC_R, &lin);
    if (!rc)
        rc = iem_translate(v, lin, ACC_R, &gpa);
    return rc;
}

/* Every SIMD mnemonic: its family handler and the CPUID feature that
 * gates its XMM (or GPR) form and its MMX form. One table so a feature a
 * -cpu model leaves out can be found and made to #UD in one place. */
#define SSE_OPS(X)                                                                                  \
    X(EMMS, emms, MMX, MMX) X(LFENCE, fence, SSE2, SSE2) X(SFENCE, fence, SSE, SSE)                 \
    X(MFENCE, fence, SSE2, SSE2) X(CLFLUSH, clflush, CLFLUSH, CLFLUSH)                              \
    /* moves (iem_sse_mov.c) */                                                                     \
    X(MOVAPS, mov, SSE, SSE) X(MOVUPS, mov, SSE, SSE) X(MOVAPD, mov, SSE2, SSE2)                    \
    X(MOVUPD, mov, SSE2, SSE2) X(MOVDQA, mov, SSE2, SSE2) X(MOVDQU, mov, SSE2, SSE2)                \
    X(MOVNTPS, mov, SSE, SSE) X(MOVNTPD, mov, SSE2, SSE2) X(MOVNTDQ, mov, SSE2, SSE2)               \
    X(MOVNTI, mov, SSE2, SSE2) X(MOVNTQ, mov, SSE, SSE) X(LDDQU, mov, SSE3, SSE3)                   \
    X(MOVSS, mov, SSE, SSE) X(MOVSD, mov, SSE2, SSE2) X(MOVLPS, mov, SSE, SSE)                      \
    X(MOVHPS, mov, SSE, SSE) X(MOVLPD, mov, SSE2, SSE2) X(MOVHPD, mov, SSE2, SSE2)                  \
    X(MOVLHPS, mov, SSE, SSE) X(MOVHLPS, mov, SSE, SSE) X(MOVD, mov, SSE2, MMX)                     \
    X(MOVQ, mov, SSE2, MMX) X(MOVQ2DQ, mov, SSE2, SSE2) X(MOVDQ2Q, mov, SSE2, SSE2)                 \
    X(MOVMSKPS, mov, SSE, SSE) X(MOVMSKPD, mov, SSE2, SSE2) X(PMOVMSKB, mov, SSE2, SSE)             \
    X(MASKMOVDQU, mov, SSE2, SSE2) X(MASKMOVQ, mov, SSE, SSE) X(MOVDDUP, mov, SSE3, SSE3)           \
    X(MOVSHDUP, mov, SSE3, SSE3) X(MOVSLDUP, mov, SSE3, SSE3) X(MOVNTDQA, mov, SSE41, SSE41)        \
    /* state (iem_sse_state.c) */                                                                   \
    X(LDMXCSR, state, SSE, SSE) X(STMXCSR, state, SSE, SSE) X(FXSAVE, state, FXSR, FXSR)            \
    X(FXRSTOR, state, FXSR, FXSR) X(FXSAVE64, state, FXSR, FXSR) X(FXRSTOR64, state, FXSR, FXSR)    \
    /* floating point (iem_sse_fp.c) */                                                             \
    FP4(X, ADD) FP4(X, SUB) FP4(X, MUL) FP4(X, DIV) FP4(X, SQRT) FP4(X, MIN) FP4(X, MAX) FP4(X, CMP) \
    X(RCPPS, fp, SSE, SSE) X(RCPSS, fp, SSE, SSE) X(RSQRTPS, fp, SSE, SSE)                          \
    X(RSQRTSS, fp, SSE, SSE) X(COMISS, fp, SSE, SSE) X(UCOMISS, fp, SSE, SSE)                       \
    X(COMISD, fp, SSE2, SSE2) X(UCOMISD, fp, SSE2, SSE2) X(ADDSUBPS, fp, SSE3, SSE3)                \
    X(ADDSUBPD, fp, SSE3, SSE3) X(HADDPS, fp, SSE3, SSE3) X(HADDPD, fp, SSE3, SSE3)                 \
    X(HSUBPS, fp, SSE3, SSE3) X(HSUBPD, fp, SSE3, SSE3) X(ROUNDPS, fp, SSE41, SSE41)                \
    X(ROUNDSS, fp, SSE41, SSE41) X(ROUNDPD, fp, SSE41, SSE41) X(ROUNDSD, fp, SSE41, SSE41)          \
    X(DPPS, fp, SSE41, SSE41) X(DPPD, fp, SSE41, SSE41)                                             \
    /* conversions (iem_sse_cvt.c) */                                                               \
    X(CVTPI2PS, cvt, SSE, SSE) X(CVTPS2PI, cvt, SSE, SSE) X(CVTTPS2PI, cvt, SSE, SSE)               \
    X(CVTSI2SS, cvt, SSE, SSE) X(CVTSS2SI, cvt, SSE, SSE) X(CVTTSS2SI, cvt, SSE, SSE)               \
    X(CVTPI2PD, cvt, SSE2, SSE2) X(CVTPD2PI, cvt, SSE2, SSE2) X(CVTTPD2PI, cvt, SSE2, SSE2)         \
    X(CVTSI2SD, cvt, SSE2, SSE2) X(CVTSD2SI, cvt, SSE2, SSE2) X(CVTTSD2SI, cvt, SSE2, SSE2)         \
    X(CVTPS2PD, cvt, SSE2, SSE2) X(CVTPD2PS, cvt, SSE2, SSE2) X(CVTSS2SD, cvt, SSE2, SSE2)          \
    X(CVTSD2SS, cvt, SSE2, SSE2) X(CVTDQ2PS, cvt, SSE2, SSE2) X(CVTPS2DQ, cvt, SSE2, SSE2)          \
    X(CVTTPS2DQ, cvt, SSE2, SSE2) X(CVTDQ2PD, cvt, SSE2, SSE2) X(CVTPD2DQ, cvt, SSE2, SSE2)         \
    X(CVTTPD2DQ, cvt, SSE2, SSE2)                                                                   \
    /* shuffles (iem_sse_shuf.c) */                                                                 \
    X(SHUFPS, shuf, SSE, SSE) X(UNPCKLPS, shuf, SSE, SSE) X(UNPCKHPS, shuf, SSE, SSE)               \
    X(SHUFPD, shuf, SSE2, SSE2) X(UNPCKLPD, shuf, SSE2, SSE2) X(UNPCKHPD, shuf, SSE2, SSE2)         \
    X(PSHUFD, shuf, SSE2, SSE2) X(PSHUFHW, shuf, SSE2, SSE2) X(PSHUFLW, shuf, SSE2, SSE2)           \
    X(PSHUFW, shuf, SSE, SSE) X(PSLLDQ, shuf, SSE2, SSE2) X(PSRLDQ, shuf, SSE2, SSE2)               \
    X(PINSRW, shuf, SSE2, SSE) X(PEXTRW, shuf, SSE2, SSE) X(PUNPCKLBW, shuf, SSE2, MMX)             \
    X(PUNPCKLWD, shuf, SSE2, MMX) X(PUNPCKLDQ, shuf, SSE2, MMX) X(PUNPCKLQDQ, shuf, SSE2, SSE2)     \
    X(PUNPCKHBW, shuf, SSE2, MMX) X(PUNPCKHWD, shuf, SSE2, MMX) X(PUNPCKHDQ, shuf, SSE2, MMX)       \
    X(PUNPCKHQDQ, shuf, SSE2, SSE2) X(PACKSSWB, shuf, SSE2, MMX) X(PACKSSDW, shuf, SSE2, MMX)       \
    X(PACKUSWB, shuf, SSE2, MMX) X(PACKUSDW, shuf, SSE41, SSE41) X(PALIGNR, shuf, SSSE3, SSSE3)     \
    X(PSHUFB, shuf, SSSE3, SSSE3)                                                                   \
    /* integer (iem_sse_int.c) */                                                                   \
    MMX4(X, PADDB) MMX4(X, PADDW) MMX4(X, PADDD) X(PADDQ, int, SSE2, SSE2) MMX4(X, PADDSB)          \
    MMX4(X, PADDSW) MMX4(X, PADDUSB) MMX4(X, PADDUSW) MMX4(X, PSUBB) MMX4(X, PSUBW) MMX4(X, PSUBD)  \
    X(PSUBQ, int, SSE2, SSE2) MMX4(X, PSUBSB) MMX4(X, PSUBSW) MMX4(X, PSUBUSB) MMX4(X, PSUBUSW)     \
    MMX4(X, PMULLW) MMX4(X, PMULHW) X(PMULHUW, int, SSE2, SSE) X(PMULUDQ, int, SSE2, SSE2)          \
    MMX4(X, PMADDWD) X(PSADBW, int, SSE2, SSE) X(PAVGB, int, SSE2, SSE) X(PAVGW, int, SSE2, SSE)    \
    MMX4(X, PCMPEQB) MMX4(X, PCMPEQW) MMX4(X, PCMPEQD) MMX4(X, PCMPGTB) MMX4(X, PCMPGTW)            \
    MMX4(X, PCMPGTD) X(PMINUB, int, SSE2, SSE) X(PMAXUB, int, SSE2, SSE) X(PMINSW, int, SSE2, SSE)  \
    X(PMAXSW, int, SSE2, SSE) MMX4(X, PAND) MMX4(X, PANDN) MMX4(X, POR) MMX4(X, PXOR)               \
    X(ANDPS, int, SSE, SSE) X(ANDNPS, int, SSE, SSE) X(ORPS, int, SSE, SSE) X(XORPS, int, SSE, SSE) \
    X(ANDPD, int, SSE2, SSE2) X(ANDNPD, int, SSE2, SSE2) X(ORPD, int, SSE2, SSE2)                   \
    X(XORPD, int, SSE2, SSE2) MMX4(X, PSLLW) MMX4(X, PSLLD) MMX4(X, PSLLQ) MMX4(X, PSRLW)           \
    MMX4(X, PSRLD) MMX4(X, PSRLQ) MMX4(X, PSRAW) MMX4(X, PSRAD)                                     \
    S3(X, PABSB) S3(X, PABSW) S3(X, PABSD) S3(X, PSIGNB) S3(X, PSIGNW) S3(X, PSIGND)                \
    S3(X, PMULHRSW) S3(X, PMADDUBSW) S3(X, PHADDW) S3(X, PHADDD) S3(X, PHADDSW) S3(X, PHSUBW)       \
    S3(X, PHSUBD) S3(X, PHSUBSW)                                                                    \
    S41(X, PMULLD, int) S41(X, PMULDQ, int) S41(X, PMINSB, int) S41(X, PMAXSB, int)                 \
    S41(X, PMINUW, int) S41(X, PMAXUW, int) S41(X, PMINSD, int) S41(X, PMAXSD, int)                 \
    S41(X, PMINUD, int) S41(X, PMAXUD, int) S41(X, PCMPEQQ, int) X(PCMPGTQ, int, SSE42, SSE42)      \
    /* SSE4.1 (iem_sse_41.c) */                                                                     \
    S41(X, PBLENDW, 41) S41(X, BLENDPS, 41) S41(X, BLENDPD, 41) S41(X, PBLENDVB, 41)                \
    S41(X, BLENDVPS, 41) S41(X, BLENDVPD, 41) S41(X, INSERTPS, 41) S41(X, EXTRACTPS, 41)            \
    S41(X, PEXTRB, 41) S41(X, PEXTRD, 41) S41(X, PEXTRQ, 41) S41(X, PINSRB, 41) S41(X, PINSRD, 41)  \
    S41(X, PINSRQ, 41) S41(X, PMOVSXBW, 41) S41(X, PMOVSXBD, 41) S41(X, PMOVSXBQ, 41)               \
    S41(X, PMOVSXWD, 41) S41(X, PMOVSXWQ, 41) S41(X, PMOVSXDQ, 41) S41(X, PMOVZXBW, 41)             \
    S41(X, PMOVZXBD, 41) S41(X, PMOVZXBQ, 41) S41(X, PMOVZXWD, 41) S41(X, PMOVZXWQ, 41)             \
    S41(X, PMOVZXDQ, 41) S41(X, PTEST, 41) S41(X, PHMINPOSUW, 41) S41(X, MPSADBW, 41)               \
    /* SSE4.2 (iem_sse_str.c) */                                                                    \
    X(PCMPESTRI, pcmpstr, SSE42, SSE42) X(PCMPESTRM, pcmpstr, SSE42, SSE42)                         \
    X(PCMPISTRI, pcmpstr, SSE42, SSE42) X(PCMPISTRM, pcmpstr, SSE42, SSE42)                         \
    X(CRC32, crc32, SSE42, SSE42)                                                                   \
    /* GPR extensions (iem_sse_bmi.c) */                                                            \
    X(POPCNT, gpr, POPCNT, POPCNT) X(LZCNT, gpr, ABM, ABM) X(TZCNT, gpr, BMI1, BMI1)                \
    X(ANDN, gpr, BMI1, BMI1) X(BEXTR, gpr, BMI1, BMI1) X(BLSI, gpr, BMI1, BMI1)                     \
    X(BLSMSK, gpr, BMI1, BMI1) X(BLSR, gpr, BMI1, BMI1) X(BZHI, gpr, BMI2, BMI2)                    \
    X(MULX, gpr, BMI2, BMI2) X(PDEP, gpr, BMI2, BMI2) X(PEXT, gpr, BMI2, BMI2)                      \
    X(RORX, gpr, BMI2, BMI2) X(SARX, gpr, BMI2, BMI2) X(SHLX, gpr, BMI2, BMI2)                      \
    X(SHRX, gpr, BMI2, BMI2) X(ADCX, gpr, ADX, ADX) X(ADOX, gpr, ADX, ADX) X(MOVBE, gpr, MOVBE, MOVBE) \
    SSE_OPS_NEW(X)
/* AES, PCLMULQDQ, RDRAND/RDSEED, cache hints (iem_aes.c), XSAVE (iem_xsave.c) */
#define SSE_OPS_NEW(X)                                                                              \
    X(AESENC, aes, AES, AES) X(AESENCLAST, aes, AES, AES) X(AESDEC, aes, AES, AES)                  \
    X(AESDECLAST, aes, AES, AES) X(AESIMC, aes, AES, AES) X(AESKEYGENASSIST, aes, AES, AES)         \
    X(PCLMULQDQ, aes, PCLMULQDQ, PCLMULQDQ) X(RDRAND, rand, RDRAND, RDRAND)                         \
    X(RDSEED, rand, RDSEED, RDSEED) X(CLFLUSHOPT, clflush, CLFLUSHOPT, CLFLUSHOPT)                  \
    X(CLWB, clflush, CLWB, CLWB) X(XSAVE, xsave, XSAVE, XSAVE) X(XSAVE64, xsave, XSAVE, XSAVE)       \
    X(XSAVEOPT, xsave, XSAVEOPT, XSAVEOPT) X(XSAVEOPT64, xsave, XSAVEOPT, XSAVEOPT)                 \
    X(XSAVEC, xsave, XSAVEC, XSAVEC) X(XSAVEC64, xsave, XSAVEC, XSAVEC) X(XRSTOR, xsave, XSAVE, XSAVE) \
    X(XRSTOR64, xsave, XSAVE, XSAVE) X(XGETBV, xcr, XSAVE, XSAVE) X(XSETBV, xcr, XSAVE, XSAVE)      \
    AVX_OPS(X)
#define AVX_OPS(X) AVX_LEGACY_LIST(AVX_GATE, X) AVX_CUSTOM_LIST(AVX_GATE_C, X)
#define AVX_GATE(X, m, flags) X(V##m, avx, AVX, AVX)
#define AVX_GATE_C(X, m, feat) X(m, avx, feat, feat)
#define FP4(X, op) X(op##PS, fp, SSE, SSE) X(op##SS, fp, SSE, SSE) X(op##PD, fp, SSE2, SSE2) X(op##SD, fp, SSE2, SSE2)
#define MMX4(X, m) X(m, int, SSE2, MMX)
#define S3(X, m) X(m, int, SSSE3, SSSE3)
#define S41(X, m, fam) X(m, fam, SSE41, SSE41)

struct sse_entry {
    iem_fn fn;
    uint8_t fx, fm; /* enum cpu_feat of the XMM/GPR form and of the MMX form */
};

#define ENTRY(m, fam, fx, fm) [ZYDIS_MNEMONIC_##m] = {sse_op_##fam, CF_##fx, CF_##fm},
static const struct sse_entry sse_tab[ZYDIS_MNEMONIC_MAX_VALUE + 1] = {SSE_OPS(ENTRY)};

/* Without its feature, TZCNT/LZCNT are BSF/BSR with an ignored F3 prefix. */
static int missing(struct vcpu *v, const struct iem_insn *in)
{
    unsigned alt = in->mnemonic == ZYDIS_MNEMONIC_TZCNT ? ZYDIS_MNEMONIC_BSF
                 : in->mnemonic == ZYDIS_MNEMONIC_LZCNT ? ZYDIS_MNEMONIC_BSR : 0;
    if (alt)
        for (const struct iem_op_def *o = iem_ops_bit; o->fn; o++)
            if (o->mnemonic == alt)
                return o->fn(v, in);
    return iem_ud(v);
}

static int sse_gate(struct vcpu *v, const struct iem_insn *in)
{
    const struct sse_entry *e = &sse_tab[in->mnemonic];
    if (in->opmap == ZYDIS_OPCODE_MAP_DEFAULT &&
        (in->mnemonic == ZYDIS_MNEMONIC_MOVSD || in->mnemonic == ZYDIS_MNEMONIC_CMPSD))
        return sse_string_insn(v, in);
    if (!iem_feat(v, sse_insn_is_mmx(in) ? e->fm : e->fx))
        return missing(v, in);
    return e->fn(v, in);
}

int sse_vex_legacy(struct vcpu *v, const struct iem_insn *L)
{
    const struct sse_entry *e = &sse_tab[L->mnemonic];
    if (!e->fn)
        return iem_unimplemented(v, L);
    if (!iem_feat(v, e->fx))
        return iem_ud(v);
    return e->fn(v, L);
}

#define DEF(m, fam, fx, fm) {ZYDIS_MNEMONIC_##m, sse_gate},
const struct iem_op_def iem_ops_sse[] = {SSE_OPS(DEF){0, NULL}};
