/* SSE/SSE2/SSE3/SSE4.1 floating-point arithmetic, compares, rounding and
 * dot products, computed by the host runners (iem_sse_host.c) under the
 * guest MXCSR; the exception flags decide between writing the result and
 * #XM/#UD. */
#include "cpu/sse.h"

static bool is_comis(unsigned m)
{
    return m == ZYDIS_MNEMONIC_COMISS || m == ZYDIS_MNEMONIC_UCOMISS || m == ZYDIS_MNEMONIC_COMISD ||
           m == ZYDIS_MNEMONIC_UCOMISD;
}

static bool is_round(unsigned m)
{
    return m == ZYDIS_MNEMONIC_ROUNDPS || m == ZYDIS_MNEMONIC_ROUNDSS || m == ZYDIS_MNEMONIC_ROUNDPD ||
           m == ZYDIS_MNEMONIC_ROUNDSD;
}

int sse_op_fp(struct vcpu *v, const struct iem_insn *in)
{
    unsigned m = in->mnemonic, imm = 0;
    uint32_t mx, flags;
    sse_host_fn fn = NULL;
    xreg a, b;
    int rc;

    if (in->nops >= 3 && in->op[2].type == OPT_IMM)
        imm = in->op[2].imm & 0xff;
    if (!(fn = sse_host_lookup(m, imm)))
        return iem_unimplemented(v, in);
    if (in->nops < 2 || !sse_is_xmm(&in->op[0]))
        return iem_unimplemented(v, in);
    if ((rc = sse_check(v, in)))
        return rc;
    if ((rc = sse_read(v, in, 0, &a, 0)) || (rc = sse_read(v, in, 1, &b, 0)))
        return rc;
    mx = sse_host_mxcsr(v);
    if (is_round(m) && !(imm & 4)) /* the immediate's rounding mode overrides MXCSR.RC */
        mx = (mx & ~0x6000u) | ((imm & 3) << 13);
    flags = fn(&a, &b, mx);
    if ((rc = sse_fp_flags(v, flags)))
        return rc;
    if (is_comis(m)) {
        iem_flags_update(v, F_ARITH, a.q[0] & (F_ZF | F_PF | F_CF));
        return IEM_OK;
    }
    return sse_write(v, in, 0, &a, 0);
}
