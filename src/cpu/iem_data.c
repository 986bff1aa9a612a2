/* Data movement: MOV (and its CR/DR/Sreg forms), MOVZX/MOVSX/MOVSXD, LEA,
 * XLAT, NOP. */
#include "cpu/iem.h"

static int op_mov(struct vcpu *v, const struct iem_insn *in)
{
    uint64_t val;
    int rc;

    if (in->op[0].type == OPT_REG && in->op[0].rclass == RC_SEG)
        return iem_mov_to_seg(v, in);
    for (int i = 0; i < 2; i++) {
        if (in->op[i].type != OPT_REG)
            continue;
        if (in->op[i].rclass == RC_CR)
            return iem_mov_cr(v, in);
        if (in->op[i].rclass == RC_DR)
            return iem_mov_dr(v, in);
    }
    rc = iem_opnd_read(v, in, 1, &val);
    if (rc)
        return rc;
    if (in->op[1].type == OPT_REG && in->op[1].rclass == RC_SEG && in->op[0].type == OPT_MEM) {
        /* MOV m16, Sreg stores 16 bits whatever the operand size */
        return iem_write(v, in->op[0].seg, iem_ea(v, in, &in->op[0]), 2, val);
    }
    return iem_opnd_write(v, in, 0, val);
}

static int op_movzx(struct vcpu *v, const struct iem_insn *in)
{
    uint64_t val;
    int rc = iem_opnd_read(v, in, 1, &val);
    return rc ? rc : iem_opnd_write(v, in, 0, val & iem_mask(in->op[1].size));
}

static int op_movsx(struct vcpu *v, const struct iem_insn *in)
{
    uint64_t val;
    int rc = iem_opnd_read(v, in, 1, &val);
    return rc ? rc : iem_opnd_write(v, in, 0, iem_sext(val, in->op[1].size));
}

static int op_lea(struct vcpu *v, const struct iem_insn *in)
{
    return iem_opnd_write(v, in, 0, iem_ea(v, in, &in->op[1]));
}

static int op_xlat(struct vcpu *v, const struct iem_insn *in)
{
    unsigned seg = in->seg != S_NONE ? in->seg : S_DS;
    uint64_t off = (iem_gpr(v, R_BX, in->asize) + (v->cpu.gpr[R_AX] & 0xff)) & iem_mask(in->asize);
    uint64_t val;
    int rc = iem_read(v, seg, off, 1, &val);
    if (rc)
        return rc;
    iem_gpr_set(v, R_AX, 1, val);
    return IEM_OK;
}

static int op_nop(struct vcpu *v, const struct iem_insn *in)
{
    (void)v, (void)in;
    return IEM_OK;
}

const struct iem_op_def iem_ops_data[] = {
    {ZYDIS_MNEMONIC_MOV, op_mov},       {ZYDIS_MNEMONIC_MOVZX, op_movzx},
    {ZYDIS_MNEMONIC_MOVSX, op_movsx},   {ZYDIS_MNEMONIC_MOVSXD, op_movsx},
    {ZYDIS_MNEMONIC_LEA, op_lea},       {ZYDIS_MNEMONIC_XLAT, op_xlat},
    {ZYDIS_MNEMONIC_NOP, op_nop},       {ZYDIS_MNEMONIC_PAUSE, op_nop},
    {ZYDIS_MNEMONIC_ENDBR32, op_nop},   {ZYDIS_MNEMONIC_ENDBR64, op_nop},
    {ZYDIS_MNEMONIC_PREFETCHNTA, op_nop}, {ZYDIS_MNEMONIC_PREFETCHT0, op_nop},
    {ZYDIS_MNEMONIC_PREFETCHT1, op_nop}, {ZYDIS_MNEMONIC_PREFETCHT2, op_nop},
    {ZYDIS_MNEMONIC_PREFETCHW, op_nop}, {0, NULL},
};
