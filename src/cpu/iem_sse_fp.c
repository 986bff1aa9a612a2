/* SSE/SSE2/SSE3/SSE4.1 floating-point arithmetic, compares and rounding,
 * computed by the host runners (iem_sse_host.c) under the guest MXCSR;
 * the exception flags decide between writing the result and #XM/#UD. */
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

/* DPPS/DPPD: products of the elements selected by imm[7:4], summed in the
 * SDM's order with a rounding at each step, broadcast to the elements
 * selected by imm[3:0]. Each step runs on the host so the flags accumulate
 * exactly as each rounding raises them. */
static uint32_t dot_product(bool dbl, unsigned imm, xreg *a, const xreg *b, uint32_t m)
{
    sse_host_fn mul = sse_host_lookup(dbl ? ZYDIS_MNEMONIC_MULPD : ZYDIS_MNEMONIC_MULPS, 0);
    sse_host_fn add = sse_host_lookup(dbl ? ZYDIS_MNEMONIC_ADDSD : ZYDIS_MNEMONIC_ADDSS, 0);
    unsigned n = dbl ? 2 : 4;
    uint32_t flags;
    xreg p = *a, q = *b, x, y;

    for (unsigned i = 0; i < n; i++) /* unselected products are never computed: +0.0 */
        if (!(imm & (0x10u << i))) {
            if (dbl)
                p.q[i] = q.q[i] = 0;
            else
                p.d[i] = q.d[i] = 0;
        }
    flags = mul(&p, &q, m);
    memset(&x, 0, sizeof(x));
    memset(&y, 0, sizeof(y));
    if (dbl) {
        x.q[0] = p.q[0], y.q[0] = p.q[1];
        flags |= add(&x, &y, m);
    } else {
        xreg u = x, w = y;
        x.d[0] = p.d[0], y.d[0] = p.d[1];
        flags |= add(&x, &y, m);
        u.d[0] = p.d[2], w.d[0] = p.d[3];
        flags |= add(&u, &w, m);
        flags |= add(&x, &u, m);
    }
    for (unsigned i = 0; i < n; i++) {
        bool on = imm & (1u << i);
        if (dbl)
            a->q[i] = on ? x.q[0] : 0;
        else
            a->d[i] = on ? x.d[0] : 0;
    }
    return flags;
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
    bool dot = m == ZYDIS_MNEMONIC_DPPS || m == ZYDIS_MNEMONIC_DPPD;
    if (!dot && !(fn = sse_host_lookup(m, imm)))
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
    flags = dot ? dot_product(m == ZYDIS_MNEMONIC_DPPD, imm, &a, &b, mx) : fn(&a, &b, mx);
    if ((rc = sse_fp_flags(v, flags)))
        return rc;
    if (is_comis(m)) {
        iem_flags_update(v, F_ARITH, a.q[0] & (F_ZF | F_PF | F_CF));
        return IEM_OK;
    }
    return sse_write(v, in, 0, &a, 0);
}
