/* x87: the #NM and #MF rules every x87 instruction obeys, the control and
 * status instructions, and the dispatcher that runs every computational
 * x87 instruction on the host's x87 (fpu_host.c explains why).
 *
 * Exceptions: an unmasked exception sets ES/B in the status word and is
 * delivered as #MF before the *next* waiting x87 instruction (all but
 * FNINIT/FNCLEX/FNSTSW/FNSTCW/FNSTENV/FNSAVE and the 8087/287 no-ops).
 * This is done for CR0.NE=0 too: a PC would instead assert FERR# and raise
 * IRQ 13 through the PIC (DOS-compatible reporting), which pcvm does not
 * model; the exception arrives at the same instruction, as a vector 16. */
#include <string.h>

#include "cpu/decode.h"
#include "cpu/fpu.h"

static bool is_nowait(unsigned mnemonic)
{
    switch (mnemonic) {
    case ZYDIS_MNEMONIC_FNINIT:
    case ZYDIS_MNEMONIC_FNCLEX:
    case ZYDIS_MNEMONIC_FNSTSW:
    case ZYDIS_MNEMONIC_FNSTCW:
    case ZYDIS_MNEMONIC_FNSTENV:
    case ZYDIS_MNEMONIC_FNSAVE:
    case ZYDIS_MNEMONIC_FENI8087_NOP:
    case ZYDIS_MNEMONIC_FDISI8087_NOP:
    case ZYDIS_MNEMONIC_FSETPM287_NOP:
        return true;
    default:
        return false;
    }
}

int iem_x87_check_nm(struct vcpu *v, const struct iem_insn *in)
{
    uint64_t cr0 = v->cpu.cr0;
    if (in->mnemonic == ZYDIS_MNEMONIC_FWAIT) { /* WAIT faults only with TS and MP */
        if ((cr0 & CR0_TS) && (cr0 & CR0_MP))
            return iem_raise(v, X_NM, 0, false);
    } else if (cr0 & (CR0_EM | CR0_TS)) {
        return iem_raise(v, X_NM, 0, false);
    }
    if ((v->cpu.fsw & FSW_ES) && !is_nowait(in->mnemonic))
        return iem_raise(v, X_MF, 0, false);
    return IEM_OK;
}

void fpu_init(struct cpu *c)
{
    c->fcw = 0x37f;
    c->fsw = 0;
    c->ftw = 0xffff;
    c->fpu_ip = c->fpu_dp = 0;
    c->fpu_cs = c->fpu_ds = c->fpu_op = 0;
}

static int op_fninit(struct vcpu *v, const struct iem_insn *in)
{
    (void)in;
    fpu_init(&v->cpu);
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
    if (rc)
        return rc;
    v->cpu.fcw = (uint16_t)(val | 0x40); /* bit 6 reads as one */
    v->cpu.fsw = fpu_sync_es(v->cpu.fcw, v->cpu.fsw); /* unmasking a set flag: #MF at the next one */
    return IEM_OK;
}

static int op_fnop(struct vcpu *v, const struct iem_insn *in)
{
    (void)v, (void)in;
    return IEM_OK;
}

/* Memory forms that store (by opcode D8..DF and ModRM.reg); all other
 * memory forms the host runs are loads. */
static bool mem_is_store(unsigned opc, unsigned reg)
{
    static const uint8_t store_regs[8] = {
        [1] = 0x0c,              /* D9: FST, FSTP m32 */
        [3] = 0x8e,              /* DB: FISTTP, FIST, FISTP m32, FSTP m80 */
        [5] = 0x0e,              /* DD: FISTTP, FST, FSTP m64 */
        [7] = 0xce,              /* DF: FISTTP, FIST, FISTP m16, FBSTP, FISTP m64 */
    };
    return (store_regs[opc & 7] >> reg) & 1;
}

static bool writes_eflags(unsigned mnemonic)
{
    return mnemonic == ZYDIS_MNEMONIC_FCOMI || mnemonic == ZYDIS_MNEMONIC_FCOMIP ||
           mnemonic == ZYDIS_MNEMONIC_FUCOMI || mnemonic == ZYDIS_MNEMONIC_FUCOMIP;
}

/* Every computational x87 instruction: operands from guest memory, the
 * instruction itself on the host, results back, then the last-instruction
 * pointers. */
static int op_x87_host(struct vcpu *v, const struct iem_insn *in)
{
    struct cpu *c = &v->cpu;
    const struct iem_op *m = NULL;
    uint8_t mem[16];
    struct fpu_result r;
    unsigned opc = 0, modrm = 0, i;
    uint64_t ea = 0;
    int rc;

    if (!fpu_host_ready())
        return iem_unimplemented(v, in);
    opc = in->opcode; /* the escape byte, D8-DF */
    modrm = in->modrm;

    memset(mem, 0, sizeof mem);
    for (i = 0; i < in->nops; i++)
        if (in->op[i].type == OPT_MEM)
            m = &in->op[i];
    if ((modrm >= 0xc0) != (m == NULL))
        return -1;
    bool store = m && mem_is_store(opc, (modrm >> 3) & 7);
    if (m) {
        ea = iem_ea(v, in, m);
        if (!store && (rc = iem_read_buf(v, m->seg, ea, mem, m->size)))
            return rc;
    }

    fpu_host_exec(c, opc, modrm, mem, cpu_get_flags(c), &r);

    /* An unmasked exception other than precision suppresses the store. */
    if (store && !(r.new_exc & ~c->fcw & 0x1f) && (rc = iem_write_buf(v, m->seg, ea, mem, m->size)))
        return rc;
    if (writes_eflags(in->mnemonic))
        iem_flags_update(v, F_ARITH, r.eflags & F_ARITH);
    fpu_commit(c, &r);
    c->fpu_ip = c->rip;
    c->fpu_cs = c->seg[S_CS].sel;
    c->fpu_op = (uint16_t)(((opc & 7) << 8) | modrm);
    if (m) {
        c->fpu_dp = ea;
        c->fpu_ds = c->seg[m->seg].sel;
    }
    return IEM_OK;
}

const struct iem_op_def iem_ops_x87[] = {
    {ZYDIS_MNEMONIC_FNINIT, op_fninit},   {ZYDIS_MNEMONIC_FNCLEX, op_fnclex},
    {ZYDIS_MNEMONIC_FNSTSW, op_fnstsw},   {ZYDIS_MNEMONIC_FNSTCW, op_fnstcw},
    {ZYDIS_MNEMONIC_FLDCW, op_fldcw},     {ZYDIS_MNEMONIC_FWAIT, op_fnop},
    {ZYDIS_MNEMONIC_FENI8087_NOP, op_fnop}, {ZYDIS_MNEMONIC_FDISI8087_NOP, op_fnop},
    {ZYDIS_MNEMONIC_FSETPM287_NOP, op_fnop},
    {ZYDIS_MNEMONIC_FNSTENV, fpu_op_fnstenv}, {ZYDIS_MNEMONIC_FLDENV, fpu_op_fldenv},
    {ZYDIS_MNEMONIC_FNSAVE, fpu_op_fnsave}, {ZYDIS_MNEMONIC_FRSTOR, fpu_op_frstor},
#define H(m) {ZYDIS_MNEMONIC_##m, op_x87_host}
    H(FNOP),    H(FLD),     H(FST),     H(FSTP),    H(FSTPNCE), H(FILD),    H(FIST),
    H(FISTP),   H(FISTTP),  H(FBLD),    H(FBSTP),   H(FXCH),    H(FFREE),   H(FFREEP),
    H(FINCSTP), H(FDECSTP), H(FLD1),    H(FLDZ),    H(FLDPI),   H(FLDL2E),  H(FLDL2T),
    H(FLDLG2),  H(FLDLN2),  H(FADD),    H(FADDP),   H(FIADD),   H(FSUB),    H(FSUBP),
    H(FISUB),   H(FSUBR),   H(FSUBRP),  H(FISUBR),  H(FMUL),    H(FMULP),   H(FIMUL),
    H(FDIV),    H(FDIVP),   H(FIDIV),   H(FDIVR),   H(FDIVRP),  H(FIDIVR),  H(FCOM),
    H(FCOMP),   H(FCOMPP),  H(FICOM),   H(FICOMP),  H(FUCOM),   H(FUCOMP),  H(FUCOMPP),
    H(FCOMI),   H(FCOMIP),  H(FUCOMI),  H(FUCOMIP), H(FTST),    H(FXAM),    H(FCHS),
    H(FABS),    H(FSQRT),   H(FRNDINT), H(FSCALE),  H(FXTRACT), H(FPREM),   H(FPREM1),
    H(FSIN),    H(FCOS),    H(FSINCOS), H(FPTAN),   H(FPATAN),  H(F2XM1),   H(FYL2X),
    H(FYL2XP1), H(FCMOVB),  H(FCMOVE),  H(FCMOVBE), H(FCMOVU),  H(FCMOVNB), H(FCMOVNE),
    H(FCMOVNBE), H(FCMOVNU),
#undef H
    {0, NULL},
};
