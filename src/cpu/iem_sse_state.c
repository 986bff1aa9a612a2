/* SIMD state instructions: LDMXCSR/STMXCSR and FXSAVE/FXRSTOR.
 *
 * FXSAVE image (legacy and 64-bit forms, SDM vol. 1 table 10-2):
 *   0 FCW, 2 FSW, 4 abridged FTW (1 bit per physical register: not empty),
 *   6 FOP, 8 FIP (64-bit with REX.W, else FIP:32 FCS:16), 16 FDP (likewise),
 *   24 MXCSR, 28 MXCSR_MASK, 32 + 16*i ST(i) (80 bits), 160 + 16*i XMMi
 *   (8 registers outside 64-bit mode, 16 in it); 288/416..511 untouched.
 * cpu.fpr[i] is physical register i, so ST(i) is fpr[(TOP + i) & 7].
 */
#include "cpu/fpu.h"
#include "cpu/sse.h"

#define FX_SIZE 512

static int op_ldmxcsr(struct vcpu *v, const struct iem_insn *in)
{
    xreg b;
    int rc;
    if ((!in->vex && (rc = sse_check_kind(v, SSE_K_SSE))) || (rc = sse_read(v, in, 0, &b, 0)))
        return rc;
    if (b.d[0] & ~MXCSR_VALID)
        return iem_gp(v, 0);
    v->cpu.mxcsr = b.d[0];
    return IEM_OK;
}

static int op_stmxcsr(struct vcpu *v, const struct iem_insn *in)
{
    xreg b;
    int rc;
    if (!in->vex && (rc = sse_check_kind(v, SSE_K_SSE)))
        return rc;
    memset(&b, 0, sizeof(b));
    b.d[0] = v->cpu.mxcsr;
    return sse_write(v, in, 0, &b, 0);
}

/* #NM when CR0.TS or CR0.EM; #GP(0) unless the image is 16-byte aligned;
 * segment checks over all 512 bytes up front. */
static int fx_prepare(struct vcpu *v, const struct iem_insn *in, unsigned acc, uint64_t *ea)
{
    const struct iem_op *op = &in->op[0];
    uint64_t lin;
    int rc;
    if (v->cpu.cr0 & (CR0_TS | CR0_EM))
        return iem_raise(v, X_NM, 0, false);
    if (op->type != OPT_MEM)
        return iem_ud(v);
    *ea = iem_ea(v, in, op);
    if ((rc = sse_align(v, in, op, 16)))
        return rc;
    return iem_seg_lin(v, op->seg, *ea, FX_SIZE, acc, &lin);
}

/* The last x87 instruction and operand pointers: 64-bit offsets in the
 * REX.W forms, else 32-bit offsets with their selectors. */
static void fx_pointers(uint8_t *img, const struct cpu *c, bool wide)
{
    if (wide) {
        memcpy(img + 8, &c->fpu_ip, 8);
        memcpy(img + 16, &c->fpu_dp, 8);
        return;
    }
    memcpy(img + 8, &c->fpu_ip, 4);
    memcpy(img + 12, &c->fpu_cs, 2);
    memcpy(img + 16, &c->fpu_dp, 4);
    memcpy(img + 20, &c->fpu_ds, 2);
}

static void fx_load_pointers(struct cpu *c, const uint8_t *img, bool wide)
{
    c->fpu_ip = c->fpu_dp = 0;
    if (wide) {
        memcpy(&c->fpu_ip, img + 8, 8);
        memcpy(&c->fpu_dp, img + 16, 8);
        return;
    }
    memcpy(&c->fpu_ip, img + 8, 4);
    memcpy(&c->fpu_cs, img + 12, 2);
    memcpy(&c->fpu_dp, img + 16, 4);
    memcpy(&c->fpu_ds, img + 20, 2);
}

void sse_fx_image(const struct cpu *c, uint8_t img[512], bool wide, unsigned nxmm)
{
    unsigned top = (c->fsw >> 11) & 7;
    uint8_t ftw = 0;
    uint32_t mask = MXCSR_VALID;

    memset(img, 0, FX_SIZE);
    for (unsigned i = 0; i < 8; i++)
        if (((c->ftw >> (2 * i)) & 3) != 3)
            ftw |= (uint8_t)(1u << i);
    memcpy(img + 0, &c->fcw, 2);
    memcpy(img + 2, &c->fsw, 2);
    img[4] = ftw;
    memcpy(img + 24, &c->mxcsr, 4);
    memcpy(img + 28, &mask, 4);
    memcpy(img + 6, &c->fpu_op, 2);
    fx_pointers(img, c, wide);
    for (unsigned i = 0; i < 8; i++)
        memcpy(img + 32 + 16 * i, c->fpr[(top + i) & 7], 10);
    for (unsigned i = 0; i < nxmm; i++)
        memcpy(img + 160 + 16 * i, c->xmm[i], 16);
}

void sse_fx_load_x87(struct cpu *c, const uint8_t *img, bool wide)
{
    uint16_t fcw, fsw, ftw = 0;
    unsigned top;
    memcpy(&fcw, img + 0, 2);
    memcpy(&fsw, img + 2, 2);
    top = (fsw >> 11) & 7;
    c->fcw = fcw;
    c->fsw = fsw;
    memcpy(&c->fpu_op, img + 6, 2);
    c->fpu_op &= 0x7ff;
    fx_load_pointers(c, img, wide);
    for (unsigned i = 0; i < 8; i++)
        memcpy(c->fpr[(top + i) & 7], img + 32 + 16 * i, 10);
    for (unsigned i = 0; i < 8; i++)
        ftw |= (uint16_t)(((img[4] >> i) & 1 ? fpu_tag_of(c->fpr[i]) : 3u) << (2 * i));
    c->ftw = ftw;
}

static int op_fxsave(struct vcpu *v, const struct iem_insn *in)
{
    uint8_t img[FX_SIZE];
    unsigned n = sse_nregs(v);
    uint64_t ea;
    int rc;

    if ((rc = fx_prepare(v, in, ACC_W, &ea)))
        return rc;
    sse_fx_image(&v->cpu, img, in->mnemonic == ZYDIS_MNEMONIC_FXSAVE64, n);
    return iem_write_buf(v, in->op[0].seg, ea, img, 160 + 16 * n);
}

static int op_fxrstor(struct vcpu *v, const struct iem_insn *in)
{
    struct cpu *c = &v->cpu;
    uint8_t img[FX_SIZE];
    unsigned n = sse_nregs(v), len = 160 + 16 * n;
    uint32_t mxcsr;
    uint64_t ea;
    int rc;

    if ((rc = fx_prepare(v, in, ACC_R, &ea)) || (rc = iem_read_buf(v, in->op[0].seg, ea, img, len)))
        return rc;
    memcpy(&mxcsr, img + 24, 4);
    if (mxcsr & ~MXCSR_VALID)
        return iem_gp(v, 0);
    sse_fx_load_x87(c, img, in->mnemonic == ZYDIS_MNEMONIC_FXRSTOR64);
    c->mxcsr = mxcsr;
    for (unsigned i = 0; i < n; i++)
        memcpy(c->xmm[i], img + 160 + 16 * i, 16);
    return IEM_OK;
}

int sse_op_state(struct vcpu *v, const struct iem_insn *in)
{
    switch (in->mnemonic) {
    case ZYDIS_MNEMONIC_LDMXCSR: return op_ldmxcsr(v, in);
    case ZYDIS_MNEMONIC_STMXCSR: return op_stmxcsr(v, in);
    case ZYDIS_MNEMONIC_FXSAVE:
    case ZYDIS_MNEMONIC_FXSAVE64: return op_fxsave(v, in);
    case ZYDIS_MNEMONIC_FXRSTOR:
    case ZYDIS_MNEMONIC_FXRSTOR64: return op_fxrstor(v, in);
    default: return iem_unimplemented(v, in);
    }
}
