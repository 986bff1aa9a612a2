/* x87 control: the device-not-available rules every x87 instruction obeys,
 * and the control/status instructions. The arithmetic belongs to the SIMD
 * and x87 work; until then those opcodes raise #UD (logged once), and CPUID
 * does not advertise an FPU. */
#include "cpu/iem.h"

int iem_x87_check_nm(struct vcpu *v, const struct iem_insn *in)
{
    uint64_t cr0 = v->cpu.cr0;
    if (in->mnemonic == ZYDIS_MNEMONIC_FWAIT) /* WAIT faults only with TS and MP */
        return (cr0 & CR0_TS) && (cr0 & CR0_MP) ? iem_raise(v, X_NM, 0, false) : IEM_OK;
    return (cr0 & (CR0_EM | CR0_TS)) ? iem_raise(v, X_NM, 0, false) : IEM_OK;
}

static int op_fninit(struct vcpu *v, const struct iem_insn *in)
{
    (void)in;
    v->cpu.fcw = 0x37f;
    v->cpu.fsw = 0;
    v->cpu.ftw = 0xffff;
    return IEM_OK;
}

static int op_fnclex(struct vcpu *v, const struct iem_insn *in)
{
    (void)in;
    v->cpu.fsw &= 0x7f00; /* exception flags, ES and B cleared */
    return IEM_OK;
}

static int op_fnstsw(struct vcpu *v, const struct iem_insn *in)
{
    return iem_opnd_write(v, in, 0, v->cpu.fsw);
}

static int op_fnstcw(struct vcpu *v, const struct iem_insn *in)
{
    return iem_opnd_write(v, in, 0, v->cpu.fcw);
}

static int op_fldcw(struct vcpu *v, const struct iem_insn *in)
{
    uint64_t val;
    int rc = iem_opnd_read(v, in, 0, &val);
    if (!rc)
        v->cpu.fcw = (uint16_t)(val | 0x40); /* bit 6 reads as one */
    return rc;
}

static int op_fnop(struct vcpu *v, const struct iem_insn *in)
{
    (void)v, (void)in;
    return IEM_OK;
}

const struct iem_op_def iem_ops_x87[] = {
    {ZYDIS_MNEMONIC_FNINIT, op_fninit}, {ZYDIS_MNEMONIC_FNCLEX, op_fnclex},
    {ZYDIS_MNEMONIC_FNSTSW, op_fnstsw}, {ZYDIS_MNEMONIC_FNSTCW, op_fnstcw},
    {ZYDIS_MNEMONIC_FLDCW, op_fldcw},   {ZYDIS_MNEMONIC_FWAIT, op_fnop},
    {ZYDIS_MNEMONIC_FNOP, op_fnop},     {0, NULL},
};
