/* Integer arithmetic: the two-operand ALU group, INC/DEC/NEG/NOT, the
 * multiplies and divides, sign extensions of the accumulator, BCD adjusts
 * and SALC.
 *
 * Flags the SDM calls undefined are set as a recent Intel Core does
 * (Skylake/Cascade Lake measurements); each choice is noted where it is made.
 *
 * A memory destination is read, changed and written by iem_opnd_rmw
 * (mem_atomic.c), atomically between vCPUs under a LOCK prefix; the flags
 * come from the old value it returns.
 */
#include "cpu/iem.h"

/* ---- ADD ADC SUB SBB AND OR XOR CMP TEST ---- */

enum alu_kind { K_ADD, K_ADC, K_SUB, K_SBB, K_AND, K_OR, K_XOR, K_CMP, K_TEST };

static const struct {
    uint8_t lf;    /* enum lf_op for the lazy flags */
    bool write;    /* false for CMP/TEST */
    uint8_t rmw;   /* enum iem_rmw_op */
} alu_kinds[] = {
    [K_ADD] = {LF_ADD, true, RMW_ADD},   [K_ADC] = {LF_ADC, true, RMW_ADC},
    [K_SUB] = {LF_SUB, true, RMW_SUB},   [K_SBB] = {LF_SBB, true, RMW_SBB},
    [K_AND] = {LF_LOGIC, true, RMW_AND}, [K_OR] = {LF_LOGIC, true, RMW_OR},
    [K_XOR] = {LF_LOGIC, true, RMW_XOR}, [K_CMP] = {LF_SUB, false, 0},
    [K_TEST] = {LF_LOGIC, false, 0},
};

static uint64_t carry_in(struct vcpu *v)
{
    return cpu_get_cf(&v->cpu);
}

/* Inline into each op_*: the kind is a constant there. */
static inline __attribute__((always_inline)) int alu_binary(struct vcpu *v, const struct iem_insn *in,
                                                            enum alu_kind k)
{
    unsigned size = in->op[0].size;
    uint64_t m = iem_mask(size), a, b, r;
    int rc;

    if (in->op[0].type == OPT_MEM && alu_kinds[k].write) {
        if ((rc = iem_opnd_read(v, in, 1, &b)))
            return rc;
        struct iem_rmw op = {alu_kinds[k].rmw, b & m, carry_in(v)};
        if ((rc = iem_opnd_rmw(v, in, 0, in->lock, &op, &a)))
            return rc;
        iem_lazy(v, (enum lf_op)alu_kinds[k].lf, size, iem_rmw_apply(&op, a, size), a, b & m);
        return IEM_OK;
    }
    if ((rc = iem_opnd_read(v, in, 0, &a)) || (rc = iem_opnd_read(v, in, 1, &b)))
        return rc;
    a &= m;
    b &= m; /* immediates arrive sign-extended to 64 bits */
    switch (k) {
    case K_ADD: r = a + b; break;
    case K_ADC: r = a + b + carry_in(v); break;
    case K_SUB: case K_CMP: r = a - b; break;
    case K_SBB: r = a - b - carry_in(v); break;
    case K_AND: case K_TEST: r = a & b; break;
    case K_OR: r = a | b; break;
    default: r = a ^ b; break;
    }
    r &= m;
    if (alu_kinds[k].write && (rc = iem_opnd_write(v, in, 0, r)))
        return rc;
    iem_lazy(v, (enum lf_op)alu_kinds[k].lf, size, r, a, b);
    return IEM_OK;
}

#define ALU_OP(name, kind) \
    static int name(struct vcpu *v, const struct iem_insn *in) { return alu_binary(v, in, kind); }
ALU_OP(op_add, K_ADD)
ALU_OP(op_adc, K_ADC)
ALU_OP(op_sub, K_SUB)
ALU_OP(op_sbb, K_SBB)
ALU_OP(op_and, K_AND)
ALU_OP(op_or, K_OR)
ALU_OP(op_xor, K_XOR)
ALU_OP(op_cmp, K_CMP)
ALU_OP(op_test, K_TEST)
#undef ALU_OP

/* ---- INC DEC NEG NOT ---- */

/* Operand 0 (register or memory) becomes iem_rmw_apply of itself: *old
 * and *res give the flags. */
static int rmw_unary(struct vcpu *v, const struct iem_insn *in, const struct iem_rmw *op, uint64_t *old,
                     uint64_t *res)
{
    unsigned size = in->op[0].size;
    int rc;

    if (in->op[0].type == OPT_MEM) {
        if ((rc = iem_opnd_rmw(v, in, 0, in->lock, op, old)))
            return rc;
        *res = iem_rmw_apply(op, *old, size);
        return IEM_OK;
    }
    if ((rc = iem_opnd_read(v, in, 0, old)))
        return rc;
    *old &= iem_mask(size);
    *res = iem_rmw_apply(op, *old, size);
    return iem_opnd_write(v, in, 0, *res);
}

static int op_incdec(struct vcpu *v, const struct iem_insn *in)
{
    unsigned size = in->op[0].size;
    bool inc = in->mnemonic == ZYDIS_MNEMONIC_INC;
    struct iem_rmw op = {inc ? RMW_ADD : RMW_SUB, 1, 0};
    uint64_t a, r;
    int rc;

    if ((rc = rmw_unary(v, in, &op, &a, &r)))
        return rc;
    iem_lazy(v, inc ? LF_INC : LF_DEC, size, r, a, 1);
    return IEM_OK;
}

static int op_neg(struct vcpu *v, const struct iem_insn *in)
{
    unsigned size = in->op[0].size;
    struct iem_rmw op = {RMW_NEG, 0, 0};
    uint64_t a, r;
    int rc;

    if ((rc = rmw_unary(v, in, &op, &a, &r)))
        return rc;
    iem_lazy(v, LF_NEG, size, r, 0, a);
    return IEM_OK;
}

static int op_not(struct vcpu *v, const struct iem_insn *in)
{
    struct iem_rmw op = {RMW_NOT, 0, 0};
    uint64_t a, r;
    return rmw_unary(v, in, &op, &a, &r);
}

/* ---- MUL IMUL DIV IDIV ---- */

typedef unsigned __int128 u128;
typedef __int128 s128;

/* The accumulator pair for a one-operand multiply/divide: AX for bytes
 * (AL/AH halves), else rDX:rAX. */
static u128 acc_pair(struct vcpu *v, unsigned size)
{
    if (size == 1)
        return iem_gpr(v, R_AX, 2);
    return ((u128)iem_gpr(v, R_DX, size) << (size * 8)) | iem_gpr(v, R_AX, size);
}

static void acc_pair_set(struct vcpu *v, unsigned size, uint64_t lo, uint64_t hi)
{
    if (size == 1) {
        iem_gpr_set(v, R_AX, 2, (lo & 0xff) | ((hi & 0xff) << 8));
        return;
    }
    iem_gpr_set(v, R_AX, size, lo);
    iem_gpr_set(v, R_DX, size, hi);
}

/* Multiply flags. CF = OF = the product does not fit the destination.
 * Undefined SF/ZF/AF/PF: Intel Skylake and Cascade Lake set SF from the
 * top bit and PF from the low byte of the (low half of the) product and
 * always clear ZF and AF (AMD Zen leaves them unchanged instead). */
static void mul_flags(struct vcpu *v, unsigned size, uint64_t lo, bool overflow)
{
    uint64_t f = iem_parity[lo & 0xff];

    if (lo & (1ull << (size * 8 - 1)))
        f |= F_SF;
    if (overflow)
        f |= F_CF | F_OF;
    iem_flags_update(v, F_ARITH, f);
}

static int op_mul(struct vcpu *v, const struct iem_insn *in)
{
    unsigned size = in->op[0].size, bits = size * 8;
    uint64_t src, m = iem_mask(size);
    u128 p;
    int rc;

    if ((rc = iem_opnd_read(v, in, 0, &src)))
        return rc;
    p = (u128)iem_gpr(v, R_AX, size) * (src & m);
    acc_pair_set(v, size, (uint64_t)p & m, (uint64_t)(p >> bits) & m);
    mul_flags(v, size, (uint64_t)p & m, (p >> bits) != 0);
    return IEM_OK;
}

/* IMUL has three encodings: F6/F7 /5 (rDX:rAX = rAX * r/m), 0F AF
 * (reg = reg * r/m) and 69/6B (reg = r/m * imm). */
static int op_imul(struct vcpu *v, const struct iem_insn *in)
{
    unsigned size = in->op[0].size, bits = size * 8;
    uint64_t m = iem_mask(size), a, b, lo;
    s128 p;
    int rc;

    if (in->opmap == ZYDIS_OPCODE_MAP_DEFAULT && (in->opcode == 0xf6 || in->opcode == 0xf7)) {
        if ((rc = iem_opnd_read(v, in, 0, &b)))
            return rc;
        a = iem_gpr(v, R_AX, size);
        p = (s128)(int64_t)iem_sext(a, size) * (int64_t)iem_sext(b, size);
        lo = (uint64_t)p & m;
        acc_pair_set(v, size, lo, (uint64_t)((u128)p >> bits) & m);
        mul_flags(v, size, lo, p != (s128)(int64_t)iem_sext(lo, size));
        return IEM_OK;
    }
    /* Two-operand: op[1] is the source; three-operand: op[1] * op[2]. */
    if (in->nops >= 3 && in->op[2].type == OPT_IMM) {
        if ((rc = iem_opnd_read(v, in, 1, &a)) || (rc = iem_opnd_read(v, in, 2, &b)))
            return rc;
    } else if ((rc = iem_opnd_read(v, in, 0, &a)) || (rc = iem_opnd_read(v, in, 1, &b))) {
        return rc;
    }
    p = (s128)(int64_t)iem_sext(a & m, size) * (int64_t)iem_sext(b & m, size);
    lo = (uint64_t)p & m;
    if ((rc = iem_opnd_write(v, in, 0, lo)))
        return rc;
    mul_flags(v, size, lo, p != (s128)(int64_t)iem_sext(lo, size));
    return IEM_OK;
}

/* DIV/IDIV: every arithmetic flag is undefined; Intel Skylake and Cascade
 * Lake leave them all unchanged, and so do we (AMD Zen sets AF and clears
 * SF/ZF/PF). #DE for a zero divisor or a quotient that does not fit. */
static int op_div(struct vcpu *v, const struct iem_insn *in)
{
    unsigned size = in->op[0].size;
    uint64_t d, m = iem_mask(size);
    u128 n, q;
    int rc;

    if ((rc = iem_opnd_read(v, in, 0, &d)))
        return rc;
    d &= m;
    if (d == 0)
        return iem_de(v);
    n = acc_pair(v, size);
    q = n / d;
    if (q > m)
        return iem_de(v);
    acc_pair_set(v, size, (uint64_t)q, (uint64_t)(n % d));
    return IEM_OK;
}

static int op_idiv(struct vcpu *v, const struct iem_insn *in)
{
    unsigned size = in->op[0].size, bits = size * 8;
    uint64_t dv, m = iem_mask(size);
    s128 n, d, q, r;
    int rc;

    if ((rc = iem_opnd_read(v, in, 0, &dv)))
        return rc;
    d = (int64_t)iem_sext(dv & m, size);
    if (d == 0)
        return iem_de(v);
    /* Sign-extend the double-width dividend from 2*bits to 128. */
    n = (s128)(acc_pair(v, size) << (128 - 2 * bits)) >> (128 - 2 * bits);
    if (d == -1) {
        /* Avoids the C overflow of MIN / -1; the range check below turns
         * the most-negative dividend into #DE. */
        q = (s128)(0 - (u128)n);
        r = 0;
    } else {
        q = n / d;
        r = n % d; /* truncating division, remainder takes the dividend's sign */
    }
    if (q < -((s128)1 << (bits - 1)) || q > ((s128)1 << (bits - 1)) - 1)
        return iem_de(v);
    acc_pair_set(v, size, (uint64_t)q & m, (uint64_t)r & m);
    return IEM_OK;
}

/* ---- CBW CWDE CDQE CWD CDQ CQO ---- */

static int op_cbw(struct vcpu *v, const struct iem_insn *in)
{
    /* CBW/CWDE/CDQE: rAX = sign-extend the low half of rAX. */
    unsigned size = in->osize;
    iem_gpr_set(v, R_AX, size, iem_sext(iem_gpr(v, R_AX, size / 2), size / 2));
    return IEM_OK;
}

static int op_cwd(struct vcpu *v, const struct iem_insn *in)
{
    /* CWD/CDQ/CQO: rDX = copies of rAX's sign bit. */
    unsigned size = in->osize;
    uint64_t ax = iem_gpr(v, R_AX, size);
    iem_gpr_set(v, R_DX, size, (ax >> (size * 8 - 1)) ? ~0ull : 0);
    return IEM_OK;
}

/* ---- BCD adjusts (invalid in 64-bit mode) ---- */

static uint64_t szp8(uint8_t al)
{
    return iem_parity[al] | (al == 0 ? F_ZF : 0) | ((al & 0x80) ? F_SF : 0);
}

static void set_al(struct vcpu *v, uint8_t al)
{
    iem_gpr_set(v, R_AX, 1, al);
}

/* DAA/DAS follow the SDM pseudo-code for AL, AF and CF. OF is undefined:
 * P6-family and later Intel CPUs clear it (as Bochs validated on hardware);
 * SF/ZF/PF come from the adjusted AL. */
static int op_daa_das(struct vcpu *v, const struct iem_insn *in)
{
    bool das = in->mnemonic == ZYDIS_MNEMONIC_DAS;
    uint64_t f = cpu_get_flags(&v->cpu), nf = 0;
    uint8_t old = (uint8_t)iem_gpr(v, R_AX, 1), al = old;

    if (cpu_is_64(&v->cpu))
        return iem_ud(v);
    if ((old & 0x0f) > 9 || (f & F_AF)) {
        if (das) {
            nf |= (old < 6 || (f & F_CF)) ? F_CF : 0;
            al -= 6;
        } else {
            al += 6; /* a carry out here implies old > 0x99: CF is set below */
        }
        nf |= F_AF;
    }
    if (old > 0x99 || (f & F_CF)) {
        al = das ? al - 0x60 : al + 0x60;
        nf |= F_CF;
    }
    set_al(v, al);
    iem_flags_update(v, F_ARITH, nf | szp8(al));
    return IEM_OK;
}

/* AAA/AAS adjust AX by +-0x106 (the 286+ form: the AL carry reaches AH)
 * and keep AL's low nibble. OF/SF/ZF/PF are undefined: P6 and later set
 * them as a logic operation on the final AL (OF = 0, SF = 0). */
static int op_aaa_aas(struct vcpu *v, const struct iem_insn *in)
{
    bool aas = in->mnemonic == ZYDIS_MNEMONIC_AAS;
    uint64_t f = cpu_get_flags(&v->cpu), nf = 0;
    uint16_t ax = (uint16_t)iem_gpr(v, R_AX, 2);

    if (cpu_is_64(&v->cpu))
        return iem_ud(v);
    if ((ax & 0x0f) > 9 || (f & F_AF)) {
        ax = aas ? ax - 0x106 : ax + 0x106;
        nf = F_AF | F_CF;
    }
    ax &= 0xff0f;
    iem_gpr_set(v, R_AX, 2, ax);
    iem_flags_update(v, F_ARITH, nf | szp8((uint8_t)ax));
    return IEM_OK;
}

/* The AAM/AAD base: the immediate operand (D4 0A / D5 0A is decimal). */
static uint8_t bcd_base(const struct iem_insn *in)
{
    for (unsigned i = 0; i < in->nops; i++)
        if (in->op[i].type == OPT_IMM)
            return (uint8_t)in->op[i].imm;
    return 10;
}

/* AAM/AAD: SF/ZF/PF from AL; OF/AF/CF are undefined and P6-family Intel
 * CPUs clear them (logic-operation flags). AAM 0 raises #DE. */
static int op_aam(struct vcpu *v, const struct iem_insn *in)
{
    uint8_t base = bcd_base(in), al = (uint8_t)iem_gpr(v, R_AX, 1);

    if (cpu_is_64(&v->cpu))
        return iem_ud(v);
    if (base == 0)
        return iem_de(v);
    iem_gpr_set(v, R_AX, 2, (uint16_t)(((al / base) << 8) | (al % base)));
    iem_flags_update(v, F_ARITH, szp8(al % base));
    return IEM_OK;
}

static int op_aad(struct vcpu *v, const struct iem_insn *in)
{
    uint8_t base = bcd_base(in);
    uint16_t ax = (uint16_t)iem_gpr(v, R_AX, 2);
    uint8_t al = (uint8_t)((ax & 0xff) + (ax >> 8) * base);

    if (cpu_is_64(&v->cpu))
        return iem_ud(v);
    iem_gpr_set(v, R_AX, 2, al);
    iem_flags_update(v, F_ARITH, szp8(al));
    return IEM_OK;
}

/* SALC (D6, undocumented): AL = CF ? 0xFF : 0, flags unchanged. */
static int op_salc(struct vcpu *v, const struct iem_insn *in)
{
    (void)in;
    if (cpu_is_64(&v->cpu))
        return iem_ud(v);
    set_al(v, (cpu_get_flags(&v->cpu) & F_CF) ? 0xff : 0);
    return IEM_OK;
}

const struct iem_op_def iem_ops_alu[] = {
    {ZYDIS_MNEMONIC_ADD, op_add},   {ZYDIS_MNEMONIC_ADC, op_adc},   {ZYDIS_MNEMONIC_SUB, op_sub},
    {ZYDIS_MNEMONIC_SBB, op_sbb},   {ZYDIS_MNEMONIC_AND, op_and},   {ZYDIS_MNEMONIC_OR, op_or},
    {ZYDIS_MNEMONIC_XOR, op_xor},   {ZYDIS_MNEMONIC_CMP, op_cmp},   {ZYDIS_MNEMONIC_TEST, op_test},
    {ZYDIS_MNEMONIC_INC, op_incdec}, {ZYDIS_MNEMONIC_DEC, op_incdec}, {ZYDIS_MNEMONIC_NEG, op_neg},
    {ZYDIS_MNEMONIC_NOT, op_not},   {ZYDIS_MNEMONIC_MUL, op_mul},   {ZYDIS_MNEMONIC_IMUL, op_imul},
    {ZYDIS_MNEMONIC_DIV, op_div},   {ZYDIS_MNEMONIC_IDIV, op_idiv}, {ZYDIS_MNEMONIC_CBW, op_cbw},
    {ZYDIS_MNEMONIC_CWDE, op_cbw},  {ZYDIS_MNEMONIC_CDQE, op_cbw},  {ZYDIS_MNEMONIC_CWD, op_cwd},
    {ZYDIS_MNEMONIC_CDQ, op_cwd},   {ZYDIS_MNEMONIC_CQO, op_cwd},   {ZYDIS_MNEMONIC_DAA, op_daa_das},
    {ZYDIS_MNEMONIC_DAS, op_daa_das}, {ZYDIS_MNEMONIC_AAA, op_aaa_aas}, {ZYDIS_MNEMONIC_AAS, op_aaa_aas},
    {ZYDIS_MNEMONIC_AAM, op_aam},   {ZYDIS_MNEMONIC_AAD, op_aad},   {ZYDIS_MNEMONIC_SALC, op_salc},
    {0, NULL},
};
