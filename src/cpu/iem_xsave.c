/* XSAVE family: XGETBV/XSETBV and XSAVE/XSAVEOPT/XSAVEC/XRSTOR in their
 * 32- and 64-bit (REX.W pointer layout) forms (SDM vol. 1 ch. 13).
 *
 * Area: bytes 0..511 the FXSAVE legacy region (x87 = component 0, MXCSR and
 * XMM = component 1), 512..575 the header (XSTATE_BV, XCOMP_BV), 576..831
 * the AVX component (bits 255:128 of YMM0-15). In the compacted format
 * (XSAVEC) the AVX component is the first extended one, so it sits at 576
 * too (CPUID.(0DH,2):ECX[1] = 0: no 64-byte alignment).
 *
 * Simplification (allowed by the SDM, which lets XINUSE be 1 whenever it
 * cannot tell): every enabled component counts as in use, so XSTATE_BV gets
 * every requested bit and XSAVEOPT is XSAVE (no modified tracking).
 * The area is read, updated and written back as one block so a fault leaves
 * memory untouched.
 */
#include "cpu/cpufeat.h"
#include "cpu/fpu.h"
#include "cpu/sse.h"

#define XS_LEGACY 512u
#define XS_HDR 512u
#define XS_AVX 576u
#define XS_MAX 832u
#define XCOMP_COMPACT (1ull << 63)

/* #UD unless the feature, CR4.OSXSAVE; #NM with CR0.TS. */
static int xs_check(struct vcpu *v, unsigned feat)
{
    if (!iem_feat(v, CF_XSAVE) || !iem_feat(v, feat) || !(v->cpu.cr4 & CR4_OSXSAVE))
        return iem_ud(v);
    if (v->cpu.cr0 & CR0_TS)
        return iem_raise(v, X_NM, 0, false);
    return IEM_OK;
}

static bool wide_form(unsigned m)
{
    return m == ZYDIS_MNEMONIC_XSAVE64 || m == ZYDIS_MNEMONIC_XSAVEOPT64 || m == ZYDIS_MNEMONIC_XSAVEC64 ||
           m == ZYDIS_MNEMONIC_XRSTOR64;
}

static uint64_t rfbm(struct vcpu *v)
{
    return v->cpu.xcr0 & ((v->cpu.gpr[R_DX] & 0xffffffffull) << 32 | (v->cpu.gpr[R_AX] & 0xffffffffull));
}

static int xsave(struct vcpu *v, const struct iem_insn *in, bool compact)
{
    const struct iem_op *op = &in->op[0];
    uint64_t rf = rfbm(v), ea, bv, comp;
    unsigned n = sse_nregs(v), len = (rf & XCR0_AVX) ? XS_MAX : XS_AVX;
    uint8_t area[XS_MAX], fx[XS_LEGACY];
    int rc;

    if ((rc = sse_align(v, in, op, 64)))
        return rc;
    ea = iem_ea(v, in, op);
    if ((rc = iem_read_buf(v, op->seg, ea, area, len)))
        return rc;
    sse_fx_image(&v->cpu, fx, wide_form(in->mnemonic), n);
    if (rf & XCR0_X87) {
        memcpy(area, fx, 24);
        memcpy(area + 32, fx + 32, 128);
    }
    /* MXCSR belongs to SSE, but the standard form also saves it for AVX */
    if (rf & (compact ? XCR0_SSE : XCR0_SSE | XCR0_AVX))
        memcpy(area + 24, fx + 24, 8);
    if (rf & XCR0_SSE)
        memcpy(area + 160, fx + 160, 16 * n);
    if (rf & XCR0_AVX)
        for (unsigned i = 0; i < n; i++)
            memcpy(area + XS_AVX + 16 * i, v->cpu.ymmh[i], 16);
    /* XSTATE_BV[i] = XINUSE[i] for the requested i, and every one is in use */
    if (compact) {
        bv = rf;
        comp = rf | XCOMP_COMPACT;
        memset(area + XS_HDR, 0, 64);
        memcpy(area + XS_HDR + 8, &comp, 8);
    } else { /* the other bits stay */
        memcpy(&bv, area + XS_HDR, 8);
        bv |= rf;
    }
    memcpy(area + XS_HDR, &bv, 8);
    return iem_write_buf(v, op->seg, ea, area, len);
}

static int xrstor(struct vcpu *v, const struct iem_insn *in)
{
    const struct iem_op *op = &in->op[0];
    struct cpu *c = &v->cpu;
    uint64_t rf = rfbm(v), ea, bv, comp, hi[6];
    unsigned n = sse_nregs(v);
    uint8_t area[XS_MAX];
    uint32_t mxcsr;
    bool compact;
    int rc;

    if ((rc = sse_align(v, in, op, 64)))
        return rc;
    ea = iem_ea(v, in, op);
    if ((rc = iem_read_buf(v, op->seg, ea, area, XS_AVX)))
        return rc;
    memcpy(&bv, area + XS_HDR, 8);
    memcpy(&comp, area + XS_HDR + 8, 8);
    memcpy(hi, area + XS_HDR + 16, sizeof(hi));
    compact = comp & XCOMP_COMPACT;
    if (compact) {
        /* XCOMP_BV within XCR0, XSTATE_BV within XCOMP_BV, bytes 63:16 zero */
        if (!iem_feat(v, CF_XSAVEC) || (comp & ~XCOMP_COMPACT & ~c->xcr0) || (bv & ~comp) || hi[0] || hi[1] ||
            hi[2] || hi[3] || hi[4] || hi[5])
            return iem_gp(v, 0);
    } else if ((bv & ~c->xcr0) || comp || hi[0]) { /* standard: bytes 23:8 zero */
        return iem_gp(v, 0);
    }
    if (rf & bv & XCR0_AVX) {
        if ((rc = iem_read_buf(v, op->seg, ea + XS_AVX, area + XS_AVX, XS_MAX - XS_AVX)))
            return rc;
    }
    memcpy(&mxcsr, area + 24, 4);
    /* standard: MXCSR is loaded for SSE or AVX whatever XSTATE_BV says;
     * compacted: only with the SSE data, else SSE's init value (as measured
     * on hardware) */
    bool mx_touched = rf & (compact ? XCR0_SSE : XCR0_SSE | XCR0_AVX);
    bool load_mxcsr = mx_touched && (!compact || (bv & XCR0_SSE));
    if (load_mxcsr && (mxcsr & ~MXCSR_VALID))
        return iem_gp(v, 0);
    /* every check passed: load or initialise each requested component */
    if (rf & XCR0_X87) {
        if (bv & XCR0_X87) {
            sse_fx_load_x87(c, area, wide_form(in->mnemonic));
        } else { /* the x87 initial configuration: FNINIT with ST0-7 zeroed */
            fpu_init(c);
            memset(c->fpr, 0, sizeof(c->fpr));
        }
    }
    if (mx_touched)
        c->mxcsr = load_mxcsr ? mxcsr : 0x1f80;
    if (rf & XCR0_SSE)
        for (unsigned i = 0; i < n; i++) {
            if (bv & XCR0_SSE)
                memcpy(c->xmm[i], area + 160 + 16 * i, 16);
            else
                memset(c->xmm[i], 0, 16);
        }
    if (rf & XCR0_AVX)
        for (unsigned i = 0; i < n; i++) {
            if (bv & XCR0_AVX)
                memcpy(c->ymmh[i], area + XS_AVX + 16 * i, 16);
            else
                memset(c->ymmh[i], 0, 16);
        }
    return IEM_OK;
}

int sse_op_xsave(struct vcpu *v, const struct iem_insn *in)
{
    unsigned m = in->mnemonic, feat = CF_XSAVE;
    int rc;
    if (m == ZYDIS_MNEMONIC_XSAVEOPT || m == ZYDIS_MNEMONIC_XSAVEOPT64)
        feat = CF_XSAVEOPT;
    else if (m == ZYDIS_MNEMONIC_XSAVEC || m == ZYDIS_MNEMONIC_XSAVEC64)
        feat = CF_XSAVEC;
    if ((rc = xs_check(v, feat)))
        return rc;
    if (in->op[0].type != OPT_MEM)
        return iem_ud(v);
    switch (m) {
    case ZYDIS_MNEMONIC_XRSTOR:
    case ZYDIS_MNEMONIC_XRSTOR64:
        return xrstor(v, in);
    default:
        return xsave(v, in, feat == CF_XSAVEC);
    }
}

/* XGETBV/XSETBV: ECX selects the XCR; only XCR0 exists (no XGETBV1). */
int sse_op_xcr(struct vcpu *v, const struct iem_insn *in)
{
    struct cpu *c = &v->cpu;
    uint32_t idx = (uint32_t)c->gpr[R_CX];
    if (!iem_feat(v, CF_XSAVE) || !(c->cr4 & CR4_OSXSAVE))
        return iem_ud(v);
    if (in->mnemonic == ZYDIS_MNEMONIC_XGETBV) {
        if (idx != 0)
            return iem_gp(v, 0);
        iem_gpr_set(v, R_AX, 4, (uint32_t)c->xcr0);
        iem_gpr_set(v, R_DX, 4, (uint32_t)(c->xcr0 >> 32));
        return IEM_OK;
    }
    uint64_t val = (c->gpr[R_DX] & 0xffffffffull) << 32 | (c->gpr[R_AX] & 0xffffffffull);
    /* x87 must stay on; AVX needs SSE; nothing beyond what CPUID 0xD lists */
    if (c->cpl != 0 || cpu_is_v86(c) || idx != 0 || !(val & XCR0_X87) || (val & ~iem_xcr0_supported(v)) ||
        ((val & XCR0_AVX) && !(val & XCR0_SSE)))
        return iem_gp(v, 0);
    c->xcr0 = val;
    return IEM_OK;
}
