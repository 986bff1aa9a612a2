/* SIMD instructions: the shared checks and operand access (see sse.h), the
 * small system instructions (EMMS, fences, CLFLUSH) and the one handler
 * table that routes every MMX/SSE mnemonic to its family file. */
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

static int auto_align(struct vcpu *v, const struct iem_insn *in, const struct iem_op *op)
{
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

int sse_string_insn(struct vcpu *v, const struct iem_insn *in)
{
    for (const struct iem_op_def *o = iem_ops_string; o->fn; o++)
        if (o->mnemonic == in->mnemonic)
            return o->fn(v, in);
    return iem_unimplemented(v, in);
}

static int op_emms(struct vcpu *v, const struct iem_insn *in)
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
static int op_fence(struct vcpu *v, const struct iem_insn *in)
{
    (void)v, (void)in;
    return IEM_OK;
}

static int op_clflush(struct vcpu *v, const struct iem_insn *in)
{
    uint64_t lin, gpa;
    const struct iem_op *op = &in->op[0];
    int rc = iem_seg_lin(v, op->seg, iem_ea(v, in, op), 1, ACC_R, &lin);
    if (!rc)
        rc = iem_translate(v, lin, ACC_R, &gpa);
    return rc;
}

#define M(name, fam) {ZYDIS_MNEMONIC_##name, sse_op_##fam}

const struct iem_op_def iem_ops_sse[] = {
    {ZYDIS_MNEMONIC_EMMS, op_emms},
    {ZYDIS_MNEMONIC_LFENCE, op_fence}, {ZYDIS_MNEMONIC_SFENCE, op_fence}, {ZYDIS_MNEMONIC_MFENCE, op_fence},
    {ZYDIS_MNEMONIC_CLFLUSH, op_clflush},
    /* moves (iem_sse_mov.c) */
    M(MOVAPS, mov), M(MOVUPS, mov), M(MOVAPD, mov), M(MOVUPD, mov), M(MOVDQA, mov), M(MOVDQU, mov),
    M(MOVNTPS, mov), M(MOVNTPD, mov), M(MOVNTDQ, mov), M(MOVNTI, mov), M(MOVNTQ, mov), M(LDDQU, mov),
    M(MOVSS, mov), M(MOVSD, mov), M(MOVLPS, mov), M(MOVHPS, mov), M(MOVLPD, mov), M(MOVHPD, mov),
    M(MOVLHPS, mov), M(MOVHLPS, mov), M(MOVD, mov), M(MOVQ, mov), M(MOVQ2DQ, mov), M(MOVDQ2Q, mov),
    M(MOVMSKPS, mov), M(MOVMSKPD, mov), M(PMOVMSKB, mov), M(MASKMOVDQU, mov), M(MASKMOVQ, mov),
    M(MOVDDUP, mov), M(MOVSHDUP, mov), M(MOVSLDUP, mov), M(MOVNTDQA, mov),
    /* state (iem_sse_state.c) */
    M(LDMXCSR, state), M(STMXCSR, state), M(FXSAVE, state), M(FXRSTOR, state), M(FXSAVE64, state),
    M(FXRSTOR64, state),
    /* floating point (iem_sse_fp.c) */
    M(ADDPS, fp), M(ADDSS, fp), M(ADDPD, fp), M(ADDSD, fp), M(SUBPS, fp), M(SUBSS, fp), M(SUBPD, fp),
    M(SUBSD, fp), M(MULPS, fp), M(MULSS, fp), M(MULPD, fp), M(MULSD, fp), M(DIVPS, fp), M(DIVSS, fp),
    M(DIVPD, fp), M(DIVSD, fp), M(SQRTPS, fp), M(SQRTSS, fp), M(SQRTPD, fp), M(SQRTSD, fp), M(MINPS, fp),
    M(MINSS, fp), M(MINPD, fp), M(MINSD, fp), M(MAXPS, fp), M(MAXSS, fp), M(MAXPD, fp), M(MAXSD, fp),
    M(RCPPS, fp), M(RCPSS, fp), M(RSQRTPS, fp), M(RSQRTSS, fp), M(CMPPS, fp), M(CMPSS, fp), M(CMPPD, fp),
    M(CMPSD, fp), M(COMISS, fp), M(UCOMISS, fp), M(COMISD, fp), M(UCOMISD, fp),
    M(ADDSUBPS, fp), M(ADDSUBPD, fp), M(HADDPS, fp), M(HADDPD, fp), M(HSUBPS, fp), M(HSUBPD, fp),
    M(ROUNDPS, fp), M(ROUNDSS, fp), M(ROUNDPD, fp), M(ROUNDSD, fp), M(DPPS, fp), M(DPPD, fp),
    /* conversions (iem_sse_cvt.c) */
    M(CVTPI2PS, cvt), M(CVTPS2PI, cvt), M(CVTTPS2PI, cvt), M(CVTPI2PD, cvt), M(CVTPD2PI, cvt),
    M(CVTTPD2PI, cvt), M(CVTSI2SS, cvt), M(CVTSI2SD, cvt), M(CVTSS2SI, cvt), M(CVTTSS2SI, cvt),
    M(CVTSD2SI, cvt), M(CVTTSD2SI, cvt), M(CVTPS2PD, cvt), M(CVTPD2PS, cvt), M(CVTSS2SD, cvt),
    M(CVTSD2SS, cvt), M(CVTDQ2PS, cvt), M(CVTPS2DQ, cvt), M(CVTTPS2DQ, cvt), M(CVTDQ2PD, cvt),
    M(CVTPD2DQ, cvt), M(CVTTPD2DQ, cvt),
    /* shuffles (iem_sse_shuf.c) */
    M(SHUFPS, shuf), M(SHUFPD, shuf), M(UNPCKLPS, shuf), M(UNPCKHPS, shuf), M(UNPCKLPD, shuf),
    M(UNPCKHPD, shuf), M(PSHUFD, shuf), M(PSHUFHW, shuf), M(PSHUFLW, shuf), M(PSHUFW, shuf),
    M(PSLLDQ, shuf), M(PSRLDQ, shuf), M(PINSRW, shuf), M(PEXTRW, shuf), M(PUNPCKLBW, shuf),
    M(PUNPCKLWD, shuf), M(PUNPCKLDQ, shuf), M(PUNPCKLQDQ, shuf), M(PUNPCKHBW, shuf), M(PUNPCKHWD, shuf),
    M(PUNPCKHDQ, shuf), M(PUNPCKHQDQ, shuf), M(PACKSSWB, shuf), M(PACKSSDW, shuf), M(PACKUSWB, shuf),
    M(PACKUSDW, shuf), M(PALIGNR, shuf), M(PSHUFB, shuf),
    /* integer (iem_sse_int.c) */
    M(PADDB, int), M(PADDW, int), M(PADDD, int), M(PADDQ, int), M(PADDSB, int), M(PADDSW, int),
    M(PADDUSB, int), M(PADDUSW, int), M(PSUBB, int), M(PSUBW, int), M(PSUBD, int), M(PSUBQ, int),
    M(PSUBSB, int), M(PSUBSW, int), M(PSUBUSB, int), M(PSUBUSW, int), M(PMULLW, int), M(PMULHW, int),
    M(PMULHUW, int), M(PMULUDQ, int), M(PMADDWD, int), M(PSADBW, int), M(PAVGB, int), M(PAVGW, int),
    M(PCMPEQB, int), M(PCMPEQW, int), M(PCMPEQD, int), M(PCMPGTB, int), M(PCMPGTW, int), M(PCMPGTD, int),
    M(PMINUB, int), M(PMAXUB, int), M(PMINSW, int), M(PMAXSW, int), M(PAND, int), M(PANDN, int),
    M(POR, int), M(PXOR, int), M(ANDPS, int), M(ANDPD, int), M(ANDNPS, int), M(ANDNPD, int), M(ORPS, int),
    M(ORPD, int), M(XORPS, int), M(XORPD, int), M(PSLLW, int), M(PSLLD, int), M(PSLLQ, int),
    M(PSRLW, int), M(PSRLD, int), M(PSRLQ, int), M(PSRAW, int), M(PSRAD, int),
    M(PABSB, int), M(PABSW, int), M(PABSD, int), M(PSIGNB, int), M(PSIGNW, int), M(PSIGND, int),
    M(PMULHRSW, int), M(PMADDUBSW, int), M(PHADDW, int), M(PHADDD, int), M(PHADDSW, int),
    M(PHSUBW, int), M(PHSUBD, int), M(PHSUBSW, int),
    M(PMULLD, int), M(PMULDQ, int), M(PMINSB, int), M(PMAXSB, int), M(PMINUW, int), M(PMAXUW, int),
    M(PMINSD, int), M(PMAXSD, int), M(PMINUD, int), M(PMAXUD, int), M(PCMPEQQ, int), M(PCMPGTQ, int),
    /* SSE4.1 (iem_sse_41.c) */
    M(PBLENDW, 41), M(BLENDPS, 41), M(BLENDPD, 41), M(PBLENDVB, 41), M(BLENDVPS, 41), M(BLENDVPD, 41),
    M(INSERTPS, 41), M(EXTRACTPS, 41), M(PEXTRB, 41), M(PEXTRD, 41), M(PEXTRQ, 41), M(PINSRB, 41),
    M(PINSRD, 41), M(PINSRQ, 41), M(PMOVSXBW, 41), M(PMOVSXBD, 41), M(PMOVSXBQ, 41), M(PMOVSXWD, 41),
    M(PMOVSXWQ, 41), M(PMOVSXDQ, 41), M(PMOVZXBW, 41), M(PMOVZXBD, 41), M(PMOVZXBQ, 41), M(PMOVZXWD, 41),
    M(PMOVZXWQ, 41), M(PMOVZXDQ, 41), M(PTEST, 41), M(PHMINPOSUW, 41), M(MPSADBW, 41),
    /* SSE4.2 (iem_sse_str.c) */
    M(PCMPESTRI, pcmpstr), M(PCMPESTRM, pcmpstr), M(PCMPISTRI, pcmpstr), M(PCMPISTRM, pcmpstr),
    M(CRC32, crc32),
    /* GPR extensions (iem_sse_bmi.c) */
    M(POPCNT, gpr), M(LZCNT, gpr), M(TZCNT, gpr), M(ANDN, gpr), M(BEXTR, gpr), M(BLSI, gpr),
    M(BLSMSK, gpr), M(BLSR, gpr), M(BZHI, gpr), M(MULX, gpr), M(PDEP, gpr), M(PEXT, gpr), M(RORX, gpr),
    M(SARX, gpr), M(SHLX, gpr), M(SHRX, gpr), M(ADCX, gpr), M(ADOX, gpr), M(MOVBE, gpr),
    {0, NULL},
};
