/* AVX2 gathers: VGATHERDPS/DPD/QPS/QPD and VPGATHERDD/DQ/QD/QQ.
 *
 * Elements load one at a time, lowest first, each only where the mask
 * element's sign bit is set; a loaded element is written to the destination
 * and its mask element cleared at once, so a fault leaves the registers
 * showing exactly what completed and the instruction restarts where it
 * stopped (SDM vol. 2, VGATHER*). On completion the whole mask is zero.
 * Destination elements past the gathered ones and bits above the vector
 * length are zeroed, as are the mask's. #UD when any two of destination,
 * index and mask are the same register.
 */
#include "cpu/sse.h"

struct gather_desc {
    uint16_t mnemonic;
    uint8_t qindex, esize;
};

static const struct gather_desc gathers[] = {
    {ZYDIS_MNEMONIC_VGATHERDPS, 0, 4}, {ZYDIS_MNEMONIC_VGATHERDPD, 0, 8}, {ZYDIS_MNEMONIC_VGATHERQPS, 1, 4},
    {ZYDIS_MNEMONIC_VGATHERQPD, 1, 8}, {ZYDIS_MNEMONIC_VPGATHERDD, 0, 4}, {ZYDIS_MNEMONIC_VPGATHERDQ, 0, 8},
    {ZYDIS_MNEMONIC_VPGATHERQD, 1, 4}, {ZYDIS_MNEMONIC_VPGATHERQQ, 1, 8},
};

/* Writes the gathered state back: n elements of es bytes kept, the rest zero. */
static void gather_commit(struct vcpu *v, unsigned d, unsigned m, yreg *dst, yreg *mask, unsigned n,
                          unsigned es)
{
    memset(dst->b + n * es, 0, 32 - n * es);
    memset(mask->b + n * es, 0, 32 - n * es);
    avx_set_reg(v, d, dst, 32);
    avx_set_reg(v, m, mask, 32);
}

int avx_gather(struct vcpu *v, const struct iem_insn *in)
{
    const struct gather_desc *g = NULL;
    for (size_t i = 0; i < sizeof(gathers) / sizeof(gathers[0]); i++)
        if (gathers[i].mnemonic == in->mnemonic)
            g = &gathers[i];
    if (!g)
        return AVX_NOT_MINE;
    const struct iem_op *mem = &in->op[1];
    unsigned d = avx_regno(&in->op[0]), m = avx_regno(&in->op[2]), x = in->vsib & 15;
    unsigned ilen = (in->vsib & IEM_VSIB_Y) ? 32 : 16, dlen = avx_is_ymm(&in->op[0]) ? 32 : 16;
    unsigned n = g->qindex ? ilen / 8 : ilen / 4, es = g->esize;
    uint64_t base = iem_ea(v, in, mem), amask = in->asize == 8   ? ~0ull
                                                : in->asize == 4 ? 0xffffffffull
                                                                 : 0xffff;
    yreg dst, mask, idx;
    int rc;

    if (!(in->vsib & IEM_VSIB) || in->op[1].type != OPT_MEM)
        return iem_ud(v);
    if (d == m || d == x || m == x)
        return iem_ud(v);
    if (n > dlen / es)
        n = dlen / es;
    memset(&dst, 0, sizeof(dst));
    memset(&mask, 0, sizeof(mask));
    memset(&idx, 0, sizeof(idx));
    memcpy(dst.b, v->cpu.xmm[d], 16);
    memcpy(dst.b + 16, v->cpu.ymmh[d], 16);
    memcpy(mask.b, v->cpu.xmm[m], 16);
    memcpy(mask.b + 16, v->cpu.ymmh[m], 16);
    memcpy(idx.b, v->cpu.xmm[x], 16);
    memcpy(idx.b + 16, v->cpu.ymmh[x], 16);
    if (dlen == 16) { /* VEX.128: bits 255:128 are not part of the operation */
        memset(dst.b + 16, 0, 16);
        memset(mask.b + 16, 0, 16);
    }
    for (unsigned i = 0; i < n; i++) {
        if (!(mask.b[i * es + es - 1] & 0x80))
            continue;
        int64_t ix = g->qindex ? (int64_t)idx.q[i] : (int64_t)(int32_t)idx.d[i];
        uint64_t ea = (base + (uint64_t)ix * mem->scale) & amask;
        if ((rc = iem_read_buf(v, mem->seg, ea, dst.b + i * es, es))) {
            gather_commit(v, d, m, &dst, &mask, n, es);
            return rc;
        }
        memset(mask.b + i * es, 0, es);
    }
    memset(&mask, 0, sizeof(mask));
    gather_commit(v, d, m, &dst, &mask, n, es);
    return IEM_OK;
}
