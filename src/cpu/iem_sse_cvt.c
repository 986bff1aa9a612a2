/* SSE/SSE2 conversions between int32/int64, float and double. The MMX forms
 * (CVTPI2PS, CVTPS2PI...) are the packed-dword conversions applied to the
 * low two elements, which is exactly how the SDM defines them. */
#include "cpu/sse.h"

struct cvt_desc {
    uint16_t host;   /* mnemonic of the XMM conversion run on the host */
    uint8_t kind;
};
enum { CV_NONE, CV_XX, CV_TO_MMX, CV_FROM_MMX_PS, CV_FROM_MMX_PD, CV_FROM_GPR, CV_TO_GPR };

#define D(m, h, k) [ZYDIS_MNEMONIC_##m] = {ZYDIS_MNEMONIC_##h, CV_##k}
static const struct cvt_desc cvt_tab[ZYDIS_MNEMONIC_MAX_VALUE + 1] = {
    D(CVTPS2PD, CVTPS2PD, XX), D(CVTPD2PS, CVTPD2PS, XX), D(CVTSS2SD, CVTSS2SD, XX),
    D(CVTSD2SS, CVTSD2SS, XX), D(CVTDQ2PS, CVTDQ2PS, XX), D(CVTPS2DQ, CVTPS2DQ, XX),
    D(CVTTPS2DQ, CVTTPS2DQ, XX), D(CVTDQ2PD, CVTDQ2PD, XX), D(CVTPD2DQ, CVTPD2DQ, XX),
    D(CVTTPD2DQ, CVTTPD2DQ, XX),
    D(CVTPI2PS, CVTDQ2PS, FROM_MMX_PS), D(CVTPI2PD, CVTDQ2PD, FROM_MMX_PD),
    D(CVTPS2PI, CVTPS2DQ, TO_MMX), D(CVTTPS2PI, CVTTPS2DQ, TO_MMX),
    D(CVTPD2PI, CVTPD2DQ, TO_MMX), D(CVTTPD2PI, CVTTPD2DQ, TO_MMX),
    D(CVTSI2SS, CVTSI2SS, FROM_GPR), D(CVTSI2SD, CVTSI2SD, FROM_GPR),
    D(CVTSS2SI, CVTSS2SI, TO_GPR), D(CVTTSS2SI, CVTTSS2SI, TO_GPR),
    D(CVTSD2SI, CVTSD2SI, TO_GPR), D(CVTTSD2SI, CVTTSD2SI, TO_GPR),
};

int sse_op_cvt(struct vcpu *v, const struct iem_insn *in)
{
    const struct cvt_desc *d = &cvt_tab[in->mnemonic];
    uint32_t mx = sse_host_mxcsr(v), flags;
    xreg a, b;
    int rc;

    if (d->kind == CV_NONE || in->nops < 2)
        return iem_unimplemented(v, in);
    if ((rc = sse_check(v, in)))
        return rc;
    if ((rc = sse_read(v, in, 0, &a, 0)) || (rc = sse_read(v, in, 1, &b, 0)))
        return rc;
    if (d->kind == CV_FROM_GPR || d->kind == CV_TO_GPR) {
        bool from = d->kind == CV_FROM_GPR;
        uint64_t g = from ? b.q[0] : 0;
        sse_host_gfn fn = sse_host_glookup(d->host, in->op[from ? 1 : 0].size);
        if (!fn)
            return iem_unimplemented(v, in);
        flags = fn(from ? &a : &b, &g, mx);
        if ((rc = sse_fp_flags(v, flags)))
            return rc;
        if (!from) {
            memset(&a, 0, sizeof(a));
            a.q[0] = g;
        }
        return sse_write(v, in, 0, &a, 0);
    }
    sse_host_fn fn = sse_host_lookup(d->host, 0);
    if (!fn)
        return iem_unimplemented(v, in);
    xreg r = a;
    if (d->kind == CV_TO_MMX && (d->host == ZYDIS_MNEMONIC_CVTPS2DQ || d->host == ZYDIS_MNEMONIC_CVTTPS2DQ))
        b.q[1] = 0; /* only two floats are converted: the others must not raise flags */
    if (d->kind == CV_FROM_MMX_PS || d->kind == CV_FROM_MMX_PD)
        b.q[1] = 0;
    flags = fn(&r, &b, mx);
    if ((rc = sse_fp_flags(v, flags)))
        return rc;
    if (d->kind == CV_FROM_MMX_PS)
        r.q[1] = a.q[1]; /* the upper half of the destination is kept */
    return sse_write(v, in, 0, &r, 0);
}
