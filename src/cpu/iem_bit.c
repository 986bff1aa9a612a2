/* Bit tests and scans, SETcc/CMOVcc, BSWAP and the exchange family
 * (XCHG, XADD, CMPXCHG, CMPXCHG8B/16B).
 *
 * A memory destination is read, changed and written by iem_mem_rmw
 * (mem_atomic.c): atomically between vCPUs under a LOCK prefix, and always
 * for XCHG with memory (implicitly locked).
 */
#include "cpu/iem.h"

/* ---- BT BTS BTR BTC ---- */

enum bt_kind { BT_TEST, BT_SET, BT_RESET, BT_COMPL };

static int bt_common(struct vcpu *v, const struct iem_insn *in, enum bt_kind k)
{
    const struct iem_op *dst = &in->op[0];
    unsigned size = dst->size, n = size * 8;
    uint64_t off, val, newval, mask;
    uint64_t addr = 0;
    int rc;

    if ((rc = iem_opnd_read(v, in, 1, &off)))
        return rc;
    if (dst->type == OPT_MEM) {
        addr = iem_ea(v, in, dst);
        if (in->op[1].type == OPT_REG) {
            /* A register offset is signed and selects any bit of the bit
             * string at the effective address: the operand-size unit that
             * holds the bit is accessed (never one past it). */
            int64_t soff = (int64_t)iem_sext(off & iem_mask(size), size);
            int64_t unit = soff >> (size == 2 ? 4 : size == 4 ? 5 : 6); /* floor */
            addr = (addr + (uint64_t)(unit * (int64_t)size)) & iem_mask(in->asize);
        }
        if (k != BT_TEST) {
            uint64_t bit = 1ull << (off & (n - 1));
            struct iem_rmw op = {k == BT_SET ? RMW_OR : k == BT_RESET ? RMW_AND : RMW_XOR,
                                 k == BT_RESET ? ~bit : bit, 0};
            if ((rc = iem_mem_rmw(v, dst->seg, addr, size, in->lock, &op, &val)))
                return rc;
            iem_flags_update(v, F_CF, (val & bit) ? F_CF : 0);
            return IEM_OK;
        }
        if ((rc = iem_read(v, dst->seg, addr, size, &val)))
            return rc;
    } else if ((rc = iem_opnd_read(v, in, 0, &val))) {
        return rc;
    }
    mask = 1ull << (off & (n - 1));
    switch (k) {
    case BT_SET: newval = val | mask; break;
    case BT_RESET: newval = val & ~mask; break;
    case BT_COMPL: newval = val ^ mask; break;
    default: newval = val; break;
    }
    if (k != BT_TEST && dst->type != OPT_MEM && (rc = iem_opnd_write(v, in, 0, newval)))
        return rc;
    /* Only CF is defined; Intel and AMD leave OF/SF/ZF/AF/PF unchanged. */
    iem_flags_update(v, F_CF, (val & mask) ? F_CF : 0);
    return IEM_OK;
}

static int op_bt(struct vcpu *v, const struct iem_insn *in) { return bt_common(v, in, BT_TEST); }
static int op_bts(struct vcpu *v, const struct iem_insn *in) { return bt_common(v, in, BT_SET); }
static int op_btr(struct vcpu *v, const struct iem_insn *in) { return bt_common(v, in, BT_RESET); }
static int op_btc(struct vcpu *v, const struct iem_insn *in) { return bt_common(v, in, BT_COMPL); }

/* ---- BSF BSR ---- */

/* Zero source: ZF = 1 and the destination is left unchanged (what Intel
 * and AMD CPUs do; the SDM says undefined). Other flags are undefined:
 * Intel Cascade Lake clears OF/SF/AF/CF and sets PF from the parity of the
 * result index (PF = 1 with ZF for a zero source). The opcode, not the
 * mnemonic, picks the direction: without BMI1/ABM the decoder's TZCNT
 * (F3 0F BC) and LZCNT (F3 0F BD) come here as BSF and BSR. */
static int op_bsf_bsr(struct vcpu *v, const struct iem_insn *in)
{
    unsigned size = in->op[0].size;
    uint64_t src, idx;
    int rc;

    if ((rc = iem_opnd_read(v, in, 1, &src)))
        return rc;
    src &= iem_mask(size);
    if (src == 0) {
        iem_flags_update(v, F_ARITH, F_ZF | F_PF);
        return IEM_OK;
    }
    idx = (in->opcode & 0xff) == 0xbc ? (uint64_t)__builtin_ctzll(src) : (uint64_t)(63 - __builtin_clzll(src));
    if ((rc = iem_opnd_write(v, in, 0, idx)))
        return rc;
    iem_flags_update(v, F_ARITH, iem_parity[idx]);
    return IEM_OK;
}

/* ---- SETcc CMOVcc ---- */

/* 0F 90+cc / 0F 40+cc: the low opcode nibble is the Jcc condition. */
static int op_setcc(struct vcpu *v, const struct iem_insn *in)
{
    return iem_opnd_write(v, in, 0, cpu_cond(&v->cpu, in->opcode & 0xf) ? 1 : 0);
}

static int op_cmovcc(struct vcpu *v, const struct iem_insn *in)
{
    const struct iem_op *dst = &in->op[0];
    uint64_t src;
    int rc;

    /* The source is read (and may fault) whatever the condition. */
    if ((rc = iem_opnd_read(v, in, 1, &src)))
        return rc;
    if (cpu_cond(&v->cpu, in->opcode & 0xf))
        return iem_opnd_write(v, in, 0, src);
    /* A 32-bit destination in 64-bit mode is zero-extended even when
     * nothing moves. */
    if (dst->size == 4 && cpu_is_64(&v->cpu))
        iem_gpr_set(v, dst->reg, 4, iem_gpr(v, dst->reg, 4));
    return IEM_OK;
}

/* ---- BSWAP ---- */

/* A 16-bit BSWAP (66 0F C8+r) is undefined: Intel and AMD CPUs write zero
 * to the low word and keep the rest of the register; so do we. */
static int op_bswap(struct vcpu *v, const struct iem_insn *in)
{
    const struct iem_op *dst = &in->op[0];
    uint64_t val = iem_gpr(v, dst->reg, dst->size);

    switch (dst->size) {
    case 8: val = __builtin_bswap64(val); break;
    case 4: val = __builtin_bswap32((uint32_t)val); break;
    default: val = 0; break;
    }
    iem_gpr_set(v, dst->reg, dst->size, val);
    return IEM_OK;
}

/* ---- XCHG XADD CMPXCHG ---- */

static int op_xchg(struct vcpu *v, const struct iem_insn *in)
{
    uint64_t a, b;
    int rc;

    /* The memory operand (if any) is exchanged first so a fault leaves the
     * register untouched. */
    for (unsigned m = 0; m < 2; m++) {
        if (in->op[m].type != OPT_MEM)
            continue;
        if ((rc = iem_opnd_read(v, in, !m, &a)))
            return rc;
        struct iem_rmw op = {RMW_XCHG, a, 0};
        if ((rc = iem_opnd_rmw(v, in, m, true, &op, &b)))
            return rc;
        return iem_opnd_write(v, in, !m, b);
    }
    if ((rc = iem_opnd_read(v, in, 0, &a)) || (rc = iem_opnd_read(v, in, 1, &b)))
        return rc;
    if ((rc = iem_opnd_write(v, in, 0, b)))
        return rc;
    return iem_opnd_write(v, in, 1, a);
}

/* XADD r/m, reg: TEMP = r/m + reg; reg = r/m; r/m = TEMP (the destination
 * is written last, so XADD reg,reg with the same register keeps the sum). */
static int op_xadd(struct vcpu *v, const struct iem_insn *in)
{
    unsigned size = in->op[0].size;
    uint64_t m = iem_mask(size), d, s, sum;
    int rc;

    if (in->op[0].type == OPT_MEM) {
        if ((rc = iem_opnd_read(v, in, 1, &s)))
            return rc;
        s &= m;
        struct iem_rmw op = {RMW_ADD, s, 0};
        if ((rc = iem_opnd_rmw(v, in, 0, in->lock, &op, &d)))
            return rc;
        sum = (d + s) & m;
        if ((rc = iem_opnd_write(v, in, 1, d)))
            return rc;
        iem_lazy(v, LF_ADD, size, sum, d, s);
        return IEM_OK;
    }
    if ((rc = iem_opnd_read(v, in, 0, &d)) || (rc = iem_opnd_read(v, in, 1, &s)))
        return rc;
    d &= m;
    s &= m;
    sum = (d + s) & m;
    if ((rc = iem_opnd_write(v, in, 1, d)) || (rc = iem_opnd_write(v, in, 0, sum)))
        return rc;
    iem_lazy(v, LF_ADD, size, sum, d, s);
    return IEM_OK;
}

/* CMPXCHG r/m, reg: compares the accumulator with r/m (flags as CMP acc,
 * r/m). Equal: r/m = reg. Not equal: acc = r/m, and a memory destination
 * is written back with its own value (the SDM: the processor always writes
 * the destination, so a read-only page faults either way). A register
 * destination that is not written is not zero-extended, nor is the
 * accumulator when the comparison succeeds. */
static int op_cmpxchg(struct vcpu *v, const struct iem_insn *in)
{
    unsigned size = in->op[0].size;
    uint64_t m = iem_mask(size), d, s, acc = v->cpu.gpr[R_AX] & m;
    bool mem = in->op[0].type == OPT_MEM;
    int rc;

    if ((rc = iem_opnd_read(v, in, 1, &s)))
        return rc;
    if (mem) {
        struct iem_rmw op = {RMW_CMPXCHG, s & m, acc};
        if ((rc = iem_opnd_rmw(v, in, 0, in->lock, &op, &d)))
            return rc;
    } else if ((rc = iem_opnd_read(v, in, 0, &d))) {
        return rc;
    }
    d &= m;
    if (acc == d) {
        if (!mem && (rc = iem_opnd_write(v, in, 0, s)))
            return rc;
    } else {
        if (size == 1)
            v->cpu.gpr[R_AX] = (v->cpu.gpr[R_AX] & ~0xffull) | d;
        else
            iem_gpr_set(v, R_AX, size, d);
    }
    iem_lazy(v, LF_SUB, size, (acc - d) & m, acc, d);
    return IEM_OK;
}

/* CMPXCHG8B m64 / CMPXCHG16B m128 (REX.W): compares rDX:rAX with the
 * memory operand; equal: store rCX:rBX, ZF = 1; else load rDX:rAX from
 * memory (and write the old value back), ZF = 0. Other flags unchanged. */
static int op_cmpxchg8b(struct vcpu *v, const struct iem_insn *in)
{
    const struct iem_op *dst = &in->op[0];
    bool wide = in->mnemonic == ZYDIS_MNEMONIC_CMPXCHG16B;
    unsigned half = wide ? 8 : 4;
    uint64_t off = iem_ea(v, in, dst), mem[2] = {0, 0}, cmp_lo, cmp_hi, lo, hi;
    int rc;

    if (dst->type != OPT_MEM)
        return iem_ud(v);
    if (wide) {
        if (!cpu_is_64(&v->cpu))
            return iem_ud(v);
        if ((v->cpu.seg[dst->seg].base + off) & 15)
            return iem_gp(v, 0);
    }
    cmp_lo = iem_gpr(v, R_AX, half);
    cmp_hi = iem_gpr(v, R_DX, half);
    lo = iem_gpr(v, R_BX, half);
    hi = iem_gpr(v, R_CX, half);
    if (wide) {
        const uint64_t cmp[2] = {cmp_lo, cmp_hi}, nw[2] = {lo, hi};
        if ((rc = iem_mem_cmpxchg16(v, dst->seg, off, in->lock, cmp, nw, mem)))
            return rc;
    } else {
        struct iem_rmw op = {RMW_CMPXCHG, lo | (hi << 32), cmp_lo | (cmp_hi << 32)};
        uint64_t q;
        if ((rc = iem_mem_rmw(v, dst->seg, off, 8, in->lock, &op, &q)))
            return rc;
        mem[0] = q & 0xffffffffu;
        mem[1] = q >> 32;
    }
    if (mem[0] == cmp_lo && mem[1] == cmp_hi) {
        iem_flags_update(v, F_ZF, F_ZF);
    } else {
        iem_gpr_set(v, R_AX, half, mem[0]);
        iem_gpr_set(v, R_DX, half, mem[1]);
        iem_flags_update(v, F_ZF, 0);
    }
    return IEM_OK;
}

const struct iem_op_def iem_ops_bit[] = {
    {ZYDIS_MNEMONIC_BT, op_bt},       {ZYDIS_MNEMONIC_BTS, op_bts},     {ZYDIS_MNEMONIC_BTR, op_btr},
    {ZYDIS_MNEMONIC_BTC, op_btc},     {ZYDIS_MNEMONIC_BSF, op_bsf_bsr}, {ZYDIS_MNEMONIC_BSR, op_bsf_bsr},
    {ZYDIS_MNEMONIC_SETO, op_setcc},  {ZYDIS_MNEMONIC_SETNO, op_setcc}, {ZYDIS_MNEMONIC_SETB, op_setcc},
    {ZYDIS_MNEMONIC_SETNB, op_setcc}, {ZYDIS_MNEMONIC_SETZ, op_setcc},  {ZYDIS_MNEMONIC_SETNZ, op_setcc},
    {ZYDIS_MNEMONIC_SETBE, op_setcc}, {ZYDIS_MNEMONIC_SETNBE, op_setcc}, {ZYDIS_MNEMONIC_SETS, op_setcc},
    {ZYDIS_MNEMONIC_SETNS, op_setcc}, {ZYDIS_MNEMONIC_SETP, op_setcc},  {ZYDIS_MNEMONIC_SETNP, op_setcc},
    {ZYDIS_MNEMONIC_SETL, op_setcc},  {ZYDIS_MNEMONIC_SETNL, op_setcc}, {ZYDIS_MNEMONIC_SETLE, op_setcc},
    {ZYDIS_MNEMONIC_SETNLE, op_setcc},
    {ZYDIS_MNEMONIC_CMOVO, op_cmovcc},  {ZYDIS_MNEMONIC_CMOVNO, op_cmovcc}, {ZYDIS_MNEMONIC_CMOVB, op_cmovcc},
    {ZYDIS_MNEMONIC_CMOVNB, op_cmovcc}, {ZYDIS_MNEMONIC_CMOVZ, op_cmovcc},  {ZYDIS_MNEMONIC_CMOVNZ, op_cmovcc},
    {ZYDIS_MNEMONIC_CMOVBE, op_cmovcc}, {ZYDIS_MNEMONIC_CMOVNBE, op_cmovcc}, {ZYDIS_MNEMONIC_CMOVS, op_cmovcc},
    {ZYDIS_MNEMONIC_CMOVNS, op_cmovcc}, {ZYDIS_MNEMONIC_CMOVP, op_cmovcc},  {ZYDIS_MNEMONIC_CMOVNP, op_cmovcc},
    {ZYDIS_MNEMONIC_CMOVL, op_cmovcc},  {ZYDIS_MNEMONIC_CMOVNL, op_cmovcc}, {ZYDIS_MNEMONIC_CMOVLE, op_cmovcc},
    {ZYDIS_MNEMONIC_CMOVNLE, op_cmovcc},
    {ZYDIS_MNEMONIC_BSWAP, op_bswap},     {ZYDIS_MNEMONIC_XCHG, op_xchg},         {ZYDIS_MNEMONIC_XADD, op_xadd},
    {ZYDIS_MNEMONIC_CMPXCHG, op_cmpxchg}, {ZYDIS_MNEMONIC_CMPXCHG8B, op_cmpxchg8b},
    {ZYDIS_MNEMONIC_CMPXCHG16B, op_cmpxchg8b},
    {0, NULL},
};
