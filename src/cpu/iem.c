/* IEM: the instruction interpreter and the reference for every engine.
 *
 * Invariants:
 * - An instruction either completes (RIP = next_rip, retired count + 1) or
 *   faults with RIP at its first byte and no architectural change; the
 *   exception is then delivered before anything else runs.
 * - Interrupts are taken only between instructions, never inside the STI /
 *   MOV SS shadow, and only when EFLAGS.IF is set.
 * - Forced actions are looked at before every instruction, so a request
 *   from another thread stops the loop within one instruction.
 */
#include <stdlib.h>

#include "cpu/cpufeat.h"
#include "cpu/decode.h"
#include "cpu/trace.h"
#include "pgm/tlb.h"

int iem_init(struct vcpu *v)
{
    if (iem_decode_init(v) < 0)
        return -1;
    tlb_init(v);
    return 0;
}

void iem_fini(struct vcpu *v)
{
    iem_trace_fini(v);
    iem_decode_fini(v);
}

void iem_flush(struct vcpu *v)
{
    iem_decode_flush(v);
    tlb_flush_all(v);
    /* CPU state set from outside (loaders, tests) did not go through MOV
     * CR3: the walker reloads the PAE PDPTE registers at first use */
    v->cpu.pdpte_loaded = 0;
}

int iem_raise(struct vcpu *v, unsigned vector, uint32_t err, bool has_err)
{
    v->iem.exc.pending = true;
    v->iem.exc.vector = (uint8_t)vector;
    v->iem.exc.err = err;
    v->iem.exc.has_err = has_err;
    return IEM_EXC;
}

static int deliver_pending(struct vcpu *v)
{
    unsigned vec = v->iem.exc.vector;
    uint32_t err = v->iem.exc.err;
    bool has_err = v->iem.exc.has_err;

    v->iem.exc.pending = false;
    v->iem.fault_depth = 0;
    return iem_deliver(v, vec, EV_EXC, err, has_err, v->cpu.rip);
}

/* Instruction breakpoints (DR7 R/W = 00) are faults, suppressed by RF. */
static unsigned insn_breakpoints(struct vcpu *v)
{
    const struct cpu *c = &v->cpu;
    uint64_t lin = cpu_is_64(c) ? c->rip : (c->seg[S_CS].base + c->rip) & 0xffffffffull;
    unsigned hits = 0;
    for (unsigned i = 0; i < 4; i++)
        if ((c->dr[7] & (3u << (i * 2))) && !((c->dr[7] >> (16 + i * 4)) & 3) && c->dr[i] == lin)
            hits |= 1u << i;
    return hits;
}

/* Whether CS:RIP is the instruction in a MOV SS / POP SS shadow. */
static bool in_ss_shadow(const struct vcpu *v)
{
    const struct cpu *c = &v->cpu;
    return (v->iem.dr6_carry & IEM_CARRY_SS_SHADOW) && c->inhibit_irq && c->rip == c->inhibit_irq_rip;
}

/* An instruction breakpoint at CS:RIP is delivered before the
 * instruction: IEM_OK with *taken when it was. */
static inline __attribute__((always_inline)) int insn_breakpoint_check(struct vcpu *v, bool *taken)
{
    struct cpu *c = &v->cpu;
    unsigned dbg;

    *taken = false;
    if (__builtin_expect(!(c->dr[7] & 0xff), 1) || (c->rflags & F_RF) || !(dbg = insn_breakpoints(v)))
        return IEM_OK;
    /* Intel inhibits an instruction breakpoint on the instruction after
     * MOV SS / POP SS, which then runs (SDM vol. 3 17.3.1.1); AMD CPUs
     * deliver it as on any other instruction */
    if (in_ss_shadow(v) && !iem_cpu_ident(v)->amd)
        return IEM_OK;
    *taken = true;
    /* a data breakpoint MOV SS held back is reported by the same #DB */
    c->dr[6] = (c->dr[6] & ~0xfull) | dbg | (v->iem.dr6_carry & 0xf);
    v->iem.dr6_carry = 0;
    v->iem.fault_depth = 0;
    return iem_deliver(v, X_DB, EV_EXC, 0, false, c->rip);
}

/* After the handler of `in` returned rc: commits or delivers its fault,
 * and raises the debug traps after it (tf: EFLAGS.TF before it ran). */
static inline __attribute__((always_inline)) int finish(struct vcpu *v, const struct iem_insn *in, int rc,
                                                        uint64_t fallthrough, bool tf)
{
    struct cpu *c = &v->cpu;

    switch (rc) {
    case IEM_OK:
    case IEM_HALT:
    case IEM_BREAK:
        /* INT n, INT3, INT1 and a taken INTO clear TF on their way into the
         * handler and raise no single-step trap (SDM vol. 3 17.3.1.4) */
        if ((in->ctl & IEM_CTL_SOFTINT) || ((in->ctl & IEM_CTL_INTO) && v->iem.next_rip != fallthrough))
            tf = false;
        if (in->ctl & IEM_CTL_TF_AFTER)
            tf = (c->rflags & F_TF) != 0;
        c->rip = v->iem.next_rip;
        v->insns++;
        if ((c->rflags & F_RF) && !(in->ctl & IEM_CTL_IRET)) /* RF lasts one instruction */
            c->rflags &= ~(uint64_t)F_RF;
        if (v->iem.trace)
            iem_trace_after(v);
        /* MOV SS and POP SS hold debug traps (and interrupts) until the next
         * instruction has run, so a stack switch completes as a pair */
        if (in->ctl & IEM_CTL_LOADS_SS) {
            /* both trap after the next instruction */
            v->iem.dr6_carry = (uint16_t)(v->iem.dr6_pending | IEM_CARRY_SS_SHADOW);
            v->iem.dr6_pending = 0;
            tf = false;
        }
        /* ICEBP's own #DB (already delivered) reports the data breakpoint
         * MOV SS held back: one #DB, not a second one at the handler's
         * first instruction as after INT n / INT3 */
        if (v->iem.dr6_pending && in->mnemonic == ZYDIS_MNEMONIC_INT1 && rc == IEM_OK) {
            c->dr[6] = (c->dr[6] & ~0xfull) | (v->iem.dr6_pending & 0xf);
            v->iem.dr6_pending = 0;
        }
        if ((tf && rc != IEM_HALT) || v->iem.dr6_pending) { /* debug traps after the instruction */
            c->dr[6] = (c->dr[6] & ~0xfull) | v->iem.dr6_pending | (tf ? 0x4000 : 0);
            v->iem.dr6_pending = 0;
            v->iem.fault_depth = 0;
            int rc2 = iem_deliver(v, X_DB, EV_EXC, 0, false, c->rip);
            if (rc2)
                return rc2;
        }
        return rc;
    case IEM_EXC:
        if (v->iem.trace)
            iem_trace_after(v);
        return deliver_pending(v);
    default:
        return rc;
    }
}

/* Everything after decoding: runs `in` (the instruction at CS:RIP),
 * commits or delivers its fault, and raises the debug traps after it. */
static inline __attribute__((always_inline)) int exec_decoded(struct vcpu *v, const struct iem_insn *in)
{
    struct cpu *c = &v->cpu;
    uint64_t fallthrough = (c->rip + in->len) & in->ipmask;
    bool tf = (c->rflags & F_TF) != 0;
    int rc;

    v->iem.dr6_pending = v->iem.dr6_carry & (uint16_t)~IEM_CARRY_SS_SHADOW;
    v->iem.dr6_carry = 0;
    v->iem.next_rip = fallthrough;
    if (v->iem.trace)
        iem_trace_before(v, in);
    rc = in->x87 ? iem_x87_check_nm(v, in) : IEM_OK;
    if (rc == IEM_OK)
        rc = in->fn(v, in);
    return finish(v, in, rc, fallthrough, tf);
}

int iem_step_plain_finish(struct vcpu *v, const struct iem_insn *in, int rc, uint64_t fallthrough)
{
    return finish(v, in, rc, fallthrough, false);
}

static int step(struct vcpu *v)
{
    const struct iem_insn *in;
    bool bp;
    int rc = insn_breakpoint_check(v, &bp);

    if (bp || rc)
        return rc;
    rc = iem_fetch_decode(v, &in);
    if (rc == IEM_EXC)
        return deliver_pending(v);
    if (rc)
        return rc;
    return exec_decoded(v, in);
}

int iem_step_decoded(struct vcpu *v, const struct iem_insn *in)
{
    bool bp;
    int rc = insn_breakpoint_check(v, &bp);

    if (bp || rc)
        return rc;
    return exec_decoded(v, in);
}

int iem_step(struct vcpu *v)
{
    return step(v);
}

static bool irq_window(struct vcpu *v)
{
    struct cpu *c = &v->cpu;
    if (c->inhibit_irq) {
        if (c->rip == c->inhibit_irq_rip)
            return false;
        c->inhibit_irq = false;
    }
    return (c->rflags & F_IF) != 0;
}

int iem_ack_interrupt(struct vcpu *v, unsigned ff, bool nmi_ok, bool irq_ok, bool *nmi)
{
    struct vm *vm = v->vm;
    int vec = -1;

    *nmi = false;
    if ((ff & VCPU_FF_NMI) && nmi_ok) {
        vcpu_ff_clear(v, VCPU_FF_NMI);
        *nmi = true;
        return X_NMI;
    }
    if (!irq_ok || !(ff & (VCPU_FF_INTERRUPT_PIC | VCPU_FF_INTERRUPT_APIC)))
        return -1;
    if (ff & VCPU_FF_INTERRUPT_APIC)
        vec = vcpu_intc_ack(v);
    if (vec < 0 && (ff & VCPU_FF_INTERRUPT_PIC) && vm->intr_ack && vcpu_intc_pic_allowed(v))
        vec = vm->intr_ack(vm->intr_opaque);
    return vec;
}

int iem_deliver_event(struct vcpu *v, unsigned vector, int kind, uint32_t err, bool has_err)
{
    struct cpu *c = &v->cpu;
    c->halted = false;
    v->iem.fault_depth = 0;
    int rc = iem_deliver(v, vector, kind == IEM_EVENT_NMI ? EV_NMI : kind == IEM_EVENT_EXC ? EV_EXC : EV_HWINT, err,
                         has_err, c->rip);
    if (rc == IEM_EXC)
        rc = deliver_pending(v);
    return rc;
}

/* NMI first (held while a previous NMI's handler runs and in the MOV SS /
 * STI shadow), then, with EFLAGS.IF, the local APIC's highest vector above
 * its PPR, then the 8259's INTR when the APIC passes it (ExtINT on LINT0,
 * or the APIC disabled). */
int iem_take_interrupt(struct vcpu *v, unsigned ff)
{
    struct cpu *c = &v->cpu;
    bool nmi_ok = !c->nmi_blocked && !(c->inhibit_irq && c->rip == c->inhibit_irq_rip), nmi;
    bool irq_ok = !((ff & VCPU_FF_NMI) && nmi_ok) && (ff & (VCPU_FF_INTERRUPT_PIC | VCPU_FF_INTERRUPT_APIC)) &&
                  irq_window(v);
    int vec = iem_ack_interrupt(v, ff, nmi_ok, irq_ok, &nmi);

    return vec < 0 ? IEM_OK : iem_deliver_event(v, (unsigned)vec, nmi ? IEM_EVENT_NMI : IEM_EVENT_IRQ, 0, false);
}

int iem_exec_debug(struct vcpu *v, bool irqs, bool (*stop_at)(struct vcpu *v))
{
    unsigned ff = atomic_load_explicit(&v->ff, memory_order_relaxed);
    if (irqs && (ff & (VCPU_FF_INTERRUPT_PIC | VCPU_FF_INTERRUPT_APIC | VCPU_FF_NMI))) {
        int rc = iem_take_interrupt(v, ff);
        if (rc)
            return rc;
    }
    if (v->cpu.halted)
        return IEM_HALT;
    if (atomic_load_explicit(&v->vm->ff, memory_order_relaxed) || stop_at(v))
        return IEM_BREAK;
    return step(v);
}

int iem_exec(struct vcpu *v, uint64_t max)
{
    struct vm *vm = v->vm;
    int rc = IEM_OK;

    for (uint64_t n = 0; n < max; n++) {
        unsigned ff = atomic_load_explicit(&v->ff, memory_order_relaxed);
        if (ff & (VCPU_FF_INTERRUPT_PIC | VCPU_FF_INTERRUPT_APIC | VCPU_FF_NMI)) {
            rc = iem_take_interrupt(v, ff);
            if (rc)
                return rc;
        }
        if (v->cpu.halted)
            return IEM_HALT;
        if (atomic_load_explicit(&vm->ff, memory_order_relaxed))
            return IEM_BREAK;
        rc = step(v);
        if (rc != IEM_OK)
            return rc;
    }
    return rc;
}
