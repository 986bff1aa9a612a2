/* Register and operand access for handlers. */
#include "cpu/iem.h"

uint64_t iem_ea(struct vcpu *v, const struct iem_insn *in, const struct iem_op *op)
{
    uint64_t ea = (uint64_t)op->disp;

    if (op->base == IEM_RIPREG)
        ea += v->iem.next_rip;
    else if (op->base != IEM_NOREG)
        ea += v->cpu.gpr[op->base] & iem_mask(in->asize);
    if (op->index != IEM_NOREG)
        ea += (v->cpu.gpr[op->index] & iem_mask(in->asize)) * op->scale;
    return ea & iem_mask(in->asize);
}

int iem_opnd_read_any(struct vcpu *v, const struct iem_insn *in, unsigned i, uint64_t *val)
{
    const struct iem_op *op = &in->op[i];

    switch (op->type) {
    case OPT_REG:
        switch (op->rclass) {
        case RC_GPR8: *val = v->cpu.gpr[op->reg] & 0xff; return IEM_OK;
        case RC_GPR8H: *val = (v->cpu.gpr[op->reg] >> 8) & 0xff; return IEM_OK;
        case RC_GPR: *val = iem_gpr(v, op->reg, op->size); return IEM_OK;
        case RC_SEG: *val = v->cpu.seg[op->reg].sel; return IEM_OK;
        default: return -1;
        }
    case OPT_MEM:
        return iem_read(v, op->seg, iem_ea(v, in, op), op->size, val);
    case OPT_IMM:
        *val = op->imm;
        return IEM_OK;
    default:
        return -1;
    }
}

int iem_opnd_write_any(struct vcpu *v, const struct iem_insn *in, unsigned i, uint64_t val)
{
    const struct iem_op *op = &in->op[i];

    switch (op->type) {
    case OPT_REG:
        switch (op->rclass) {
        case RC_GPR8:
            v->cpu.gpr[op->reg] = (v->cpu.gpr[op->reg] & ~0xffull) | (val & 0xff);
            return IEM_OK;
        case RC_GPR8H:
            v->cpu.gpr[op->reg] = (v->cpu.gpr[op->reg] & ~0xff00ull) | ((val & 0xff) << 8);
            return IEM_OK;
        case RC_GPR:
            iem_gpr_set(v, op->reg, op->size, val);
            return IEM_OK;
        default:
            return -1;
        }
    case OPT_MEM:
        return iem_write(v, op->seg, iem_ea(v, in, op), op->size, val);
    default:
        return -1;
    }
}
