/* Port I/O and the interrupt-flag instructions: IN/OUT, INS/OUTS (with
 * REP), CLI/STI, HLT, and the I/O permission check (IOPL, then the TSS
 * I/O bitmap; SDM vol. 1 ch. 19, vol. 3 20.2.8).
 *
 * Under CR4.VME/PVI, CLI/STI that IOPL forbids act on VIF (vme.c).
 */
#include "cpu/iem.h"

#define IO_BATCH 1024

int iem_tss_io_base(struct vcpu *v, uint16_t *iobase)
{
    /* Only a 32-bit (or 64-bit) TSS has the bitmaps. */
    const struct cpu_seg *tr = &v->cpu.tr;
    unsigned type = tr->attr & 0xf;
    if ((tr->attr & SEG_UNUSABLE) || (type != 9 && type != 0xb) || tr->limit < 0x67)
        return iem_gp(v, 0);
    return iem_lin_read(v, tr->base + 0x66, iobase, 2, ACC_R | ACC_SYS);
}

int iem_io_allowed(struct vcpu *v, uint16_t port, unsigned size)
{
    struct cpu *c = &v->cpu;
    if (cpu_is_real(c))
        return IEM_OK;
    unsigned iopl = (c->rflags & F_IOPL) >> 12;
    if (!cpu_is_v86(c) && c->cpl <= iopl)
        return IEM_OK;
    const struct cpu_seg *tr = &c->tr;
    uint16_t iobase;
    int rc = iem_tss_io_base(v, &iobase);
    if (rc)
        return rc;
    uint64_t off = (uint64_t)iobase + port / 8;
    if (off + 1 > tr->limit)
        return iem_gp(v, 0);
    uint16_t bits;
    rc = iem_lin_read(v, tr->base + off, &bits, 2, ACC_R | ACC_SYS);
    if (rc)
        return rc;
    if ((bits >> (port & 7)) & ((1u << size) - 1))
        return iem_gp(v, 0);
    return IEM_OK;
}

static int port_operand(struct vcpu *v, const struct iem_op *op, uint16_t *port)
{
    if (op->type == OPT_IMM) {
        *port = (uint8_t)op->imm;
        return IEM_OK;
    }
    *port = (uint16_t)v->cpu.gpr[R_DX];
    return IEM_OK;
}

static int op_in(struct vcpu *v, const struct iem_insn *in)
{
    uint16_t port;
    unsigned size = in->op[0].size;
    port_operand(v, &in->op[1], &port);
    int rc = iem_io_allowed(v, port, size);
    if (rc)
        return rc;
    return iem_opnd_write(v, in, 0, bus_pio_read(&v->vm->bus, port, size) & iem_mask(size));
}

static int op_out(struct vcpu *v, const struct iem_insn *in)
{
    uint16_t port;
    unsigned size = in->op[1].size;
    uint64_t val;
    port_operand(v, &in->op[0], &port);
    int rc = iem_io_allowed(v, port, size);
    if (!rc)
        rc = iem_opnd_read(v, in, 1, &val);
    if (rc)
        return rc;
    bus_pio_write(&v->vm->bus, port, val & iem_mask(size), size);
    return IEM_OK;
}

static unsigned str_size(uint16_t mnemonic)
{
    switch (mnemonic) {
    case ZYDIS_MNEMONIC_INSB: case ZYDIS_MNEMONIC_OUTSB: return 1;
    case ZYDIS_MNEMONIC_INSW: case ZYDIS_MNEMONIC_OUTSW: return 2;
    default: return 4;
    }
}

/* One INS/OUTS element: every check that can fault comes before the port
 * access, so a faulting iteration has no device side effect. */
static int io_str_once(struct vcpu *v, bool ins, unsigned seg, unsigned asize, unsigned size, uint16_t port,
                       int64_t delta)
{
    unsigned reg = ins ? R_DI : R_SI;
    uint64_t off = iem_gpr(v, reg, asize), lin, gpa, val = 0;
    unsigned acc = ins ? ACC_W : ACC_R;
    int rc = iem_seg_lin(v, seg, off, size, acc, &lin);
    if (!rc)
        rc = iem_translate(v, lin, acc, &gpa);
    if (!rc)
        rc = iem_translate(v, lin + size - 1, acc, &gpa);
    if (rc)
        return rc;
    if (ins) {
        val = bus_pio_read(&v->vm->bus, port, size);
        rc = iem_lin_write(v, lin, &val, size, ACC_W);
    } else {
        rc = iem_lin_read(v, lin, &val, size, ACC_R);
        if (!rc)
            bus_pio_write(&v->vm->bus, port, val & iem_mask(size), size);
    }
    if (rc)
        return rc;
    iem_gpr_set(v, reg, asize, off + (uint64_t)delta);
    return IEM_OK;
}

static int op_ins_outs(struct vcpu *v, const struct iem_insn *in)
{
    bool ins = in->mnemonic == ZYDIS_MNEMONIC_INSB || in->mnemonic == ZYDIS_MNEMONIC_INSW ||
               in->mnemonic == ZYDIS_MNEMONIC_INSD;
    unsigned size = str_size(in->mnemonic), asize = in->asize;
    unsigned seg = ins ? S_ES : (in->seg != S_NONE ? in->seg : S_DS);
    uint16_t port = (uint16_t)v->cpu.gpr[R_DX];
    int64_t delta = (v->cpu.rflags & F_DF) ? -(int64_t)size : (int64_t)size;
    int rc = iem_io_allowed(v, port, size);
    if (rc)
        return rc;
    if (!in->rep)
        return io_str_once(v, ins, seg, asize, size, port, delta);
    for (unsigned n = 0; n < IO_BATCH; n++) {
        uint64_t cnt = iem_gpr(v, R_CX, asize);
        if (!cnt)
            return IEM_OK;
        rc = io_str_once(v, ins, seg, asize, size, port, delta);
        if (rc)
            return rc;
        iem_gpr_set(v, R_CX, asize, cnt - 1);
    }
    if (iem_gpr(v, R_CX, asize))
        v->iem.next_rip = v->cpu.rip; /* resume after pending interrupts */
    return IEM_OK;
}

/* CLI/STI: allowed when CPL <= IOPL (always in real mode, IOPL 3 in v86). */
static int if_allowed(struct vcpu *v)
{
    struct cpu *c = &v->cpu;
    if (cpu_is_real(c))
        return IEM_OK;
    unsigned iopl = (c->rflags & F_IOPL) >> 12;
    return c->cpl <= iopl ? IEM_OK : iem_gp(v, 0);
}

static int op_cli(struct vcpu *v, const struct iem_insn *in)
{
    (void)in;
    if (iem_vif_mode(&v->cpu)) {
        v->cpu.rflags &= ~(uint64_t)F_VIF;
        return IEM_OK;
    }
    int rc = if_allowed(v);
    if (!rc)
        v->cpu.rflags &= ~(uint64_t)F_IF;
    return rc;
}

static int op_sti(struct vcpu *v, const struct iem_insn *in)
{
    (void)in;
    if (iem_vif_mode(&v->cpu)) { /* no interrupt shadow: IF does not change */
        if (v->cpu.rflags & F_VIP)
            return iem_gp(v, 0);
        v->cpu.rflags |= F_VIF;
        return IEM_OK;
    }
    int rc = if_allowed(v);
    if (rc)
        return rc;
    if (!(v->cpu.rflags & F_IF)) {
        /* The interrupt shadow: IRQs wait until after the next instruction,
         * so STI; HLT and STI; RET sequences cannot lose a wakeup. */
        v->cpu.inhibit_irq = true;
        v->cpu.inhibit_irq_rip = v->iem.next_rip;
    }
    v->cpu.rflags |= F_IF;
    return IEM_OK;
}

static int op_hlt(struct vcpu *v, const struct iem_insn *in)
{
    (void)in;
    if (v->cpu.cpl)
        return iem_gp(v, 0);
    v->cpu.halted = true;
    return IEM_HALT;
}

const struct iem_op_def iem_ops_io[] = {
    {ZYDIS_MNEMONIC_IN, op_in},         {ZYDIS_MNEMONIC_OUT, op_out},
    {ZYDIS_MNEMONIC_INSB, op_ins_outs}, {ZYDIS_MNEMONIC_INSW, op_ins_outs},
    {ZYDIS_MNEMONIC_INSD, op_ins_outs}, {ZYDIS_MNEMONIC_OUTSB, op_ins_outs},
    {ZYDIS_MNEMONIC_OUTSW, op_ins_outs}, {ZYDIS_MNEMONIC_OUTSD, op_ins_outs},
    {ZYDIS_MNEMONIC_CLI, op_cli},       {ZYDIS_MNEMONIC_STI, op_sti},
    {ZYDIS_MNEMONIC_HLT, op_hlt},       {0, NULL},
};
