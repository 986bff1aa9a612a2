/* SSE4.2 string compares (PCMPESTRI/PCMPESTRM/PCMPISTRI/PCMPISTRM) and
 * CRC32, from the SDM's description (vol. 2, 4.1 "Imm8 control byte"). */
#include "cpu/sse.h"

/* The n elements of a 16-byte operand per imm[1:0] (ub, uw, sb, sw), widened
 * once so the compares below do not look at the format again. */
static void elems(const xreg *x, unsigned n, unsigned fmt, int32_t *e)
{
    for (unsigned i = 0; i < n; i++) {
        switch (fmt & 3) {
        case 0: e[i] = x->b[i]; break;
        case 1: e[i] = x->w[i]; break;
        case 2: e[i] = x->sb[i]; break;
        default: e[i] = x->sw[i]; break;
        }
    }
}

static unsigned implicit_len(const int32_t *e, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (e[i] == 0)
            return i;
    return n;
}

static unsigned explicit_len(struct vcpu *v, unsigned reg, unsigned osize, unsigned n)
{
    int64_t l = (int64_t)iem_sext(iem_gpr(v, reg, osize == 8 ? 8 : 4), osize == 8 ? 8 : 4);
    if (l < 0)
        l = l == INT64_MIN ? INT64_MAX : -l;
    return l > (int64_t)n ? n : (unsigned)l;
}

/* IntRes2 of the comparison of a (xmm1's elements, la valid) with b
 * (xmm2/m128's, lb valid). */
static unsigned str_compare(const int32_t *a, const int32_t *b, unsigned la, unsigned lb, unsigned imm,
                            unsigned n)
{
    unsigned res = 0, valid_b = (1u << lb) - 1;

    switch ((imm >> 2) & 3) {
    case 0:            /* equal any: b[j] is one of a's elements */
        if (n == 16) { /* bytes: a's set of values, then one look-up per b[j] */
            uint64_t set[4] = {0, 0, 0, 0};
            for (unsigned i = 0; i < la; i++)
                set[(a[i] & 0xff) >> 6] |= 1ull << (a[i] & 63);
            for (unsigned j = 0; j < n; j++)
                res |= (unsigned)((set[(b[j] & 0xff) >> 6] >> (b[j] & 63)) & 1) << j;
        } else {
            for (unsigned i = 0; i < la; i++)
                for (unsigned j = 0; j < n; j++)
                    res |= (unsigned)(a[i] == b[j]) << j;
        }
        res &= valid_b;
        break;
    case 1: /* ranges: a holds (low, high) pairs */
        for (unsigned i = 0; i + 1 < la; i += 2)
            for (unsigned j = 0; j < n; j++)
                res |= (unsigned)(a[i] <= b[j] && b[j] <= a[i + 1]) << j;
        res &= valid_b;
        break;
    case 2: /* equal each: both invalid matches, one invalid does not */
        for (unsigned j = 0; j < n; j++)
            res |= (unsigned)((j >= la && j >= lb) || (j < la && j < lb && a[j] == b[j])) << j;
        break;
    default: /* equal ordered: a (needle) starts at b[j]; past b's end or n it matches */
        for (unsigned j = 0; j < n; j++) {
            bool bit = true;
            for (unsigned i = 0; i < la && i < n - j && bit; i++)
                bit = i + j < lb && a[i] == b[i + j];
            res |= (unsigned)bit << j;
        }
        break;
    }
    switch ((imm >> 4) & 3) {
    case 1: res = ~res; break;
    case 3: res ^= valid_b; break; /* negate the valid elements only */
    default: break;
    }
    return res & ((1u << n) - 1);
}

int sse_op_pcmpstr(struct vcpu *v, const struct iem_insn *in)
{
    unsigned m = in->mnemonic, imm, n, la, lb, res;
    bool expl = m == ZYDIS_MNEMONIC_PCMPESTRI || m == ZYDIS_MNEMONIC_PCMPESTRM;
    bool index = m == ZYDIS_MNEMONIC_PCMPESTRI || m == ZYDIS_MNEMONIC_PCMPISTRI;
    xreg a, b;
    int32_t ea[16], eb[16];
    int rc;

    if (in->nops < 3 || in->op[2].type != OPT_IMM)
        return iem_unimplemented(v, in);
    if ((rc = sse_check(v, in)))
        return rc;
    if ((rc = sse_read(v, in, 0, &a, 0)) || (rc = sse_read(v, in, 1, &b, 0)))
        return rc;
    imm = in->op[2].imm & 0xff;
    n = (imm & 1) ? 8 : 16;
    elems(&a, n, imm, ea);
    elems(&b, n, imm, eb);
    if (expl) {
        la = explicit_len(v, R_AX, in->osize, n);
        lb = explicit_len(v, R_DX, in->osize, n);
    } else {
        la = implicit_len(ea, n);
        lb = implicit_len(eb, n);
    }
    res = str_compare(ea, eb, la, lb, imm, n);
    if (index) {
        unsigned idx = n;
        if (res)
            idx = (imm & 0x40) ? 31u - (unsigned)__builtin_clz(res) : (unsigned)__builtin_ctz(res);
        iem_gpr_set(v, R_CX, 4, idx);
    } else {
        xreg out;
        memset(&out, 0, sizeof(out));
        if (imm & 0x40) {
            for (unsigned i = 0; i < n; i++)
                if (res & (1u << i))
                    memset(out.b + i * (16 / n), 0xff, 16 / n);
        } else {
            out.d[0] = res;
        }
        memcpy(v->cpu.xmm[0], &out, 16);
    }
    iem_flags_update(v, F_ARITH,
                     (res ? F_CF : 0) | (lb < n ? F_ZF : 0) | (la < n ? F_SF : 0) | ((res & 1) ? F_OF : 0));
    return IEM_OK;
}

/* CRC32 (Castagnoli polynomial, bit-reflected) of 1, 2, 4 or 8 source bytes. */
int sse_op_crc32(struct vcpu *v, const struct iem_insn *in)
{
    uint64_t src, crc;
    int rc;
    if (in->nops < 2)
        return iem_unimplemented(v, in);
    if ((rc = iem_opnd_read(v, in, 1, &src)))
        return rc;
    crc = iem_gpr(v, in->op[0].reg, 4);
    for (unsigned i = 0; i < in->op[1].size; i++) {
        crc ^= (src >> (8 * i)) & 0xff;
        for (unsigned k = 0; k < 8; k++)
            crc = (crc >> 1) ^ ((crc & 1) ? 0x82f63b78u : 0);
    }
    iem_gpr_set(v, in->op[0].reg, in->op[0].size, crc);
    return IEM_OK;
}
