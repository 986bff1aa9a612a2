/* The vCPU's interrupt-controller interface (vm.h: struct vcpu_intc_ops):
 * what cpu/ and em/ ask of the local APIC without naming it. The APIC
 * registers one set of operations per vCPU; with none registered each
 * call does what a CPU without a local APIC does.
 *
 * Invariants:
 * - v->intc changes only while the vCPU does not run (device creation and
 *   destruction), so the calls read it without a lock.
 * - The CPU-side copies (cpu.cr8, cpu.apic_base) are written here or by
 *   the APIC under its own lock, never by the callers.
 */
#include "vm/vm.h"

void vcpu_intc_register(struct vcpu *v, const struct vcpu_intc_ops *ops, void *opaque)
{
    v->intc = ops;
    v->intc_opaque = opaque;
}

int vcpu_intc_ack(struct vcpu *v)
{
    return v->intc ? v->intc->ack(v->intc_opaque) : -1;
}

/* Without an APIC the 8259's INTR pin is the BSP's. */
bool vcpu_intc_pic_allowed(struct vcpu *v)
{
    return v->intc ? v->intc->pic_allowed(v->intc_opaque) : v->id == 0;
}

bool vcpu_intc_wait_sipi(struct vcpu *v)
{
    return v->intc && v->intc->wait_sipi(v->intc_opaque);
}

void vcpu_intc_init(struct vcpu *v)
{
    if (v->intc)
        v->intc->init(v->intc_opaque);
}

int vcpu_intc_take_sipi(struct vcpu *v)
{
    return v->intc ? v->intc->take_sipi(v->intc_opaque) : -1;
}

uint64_t vcpu_intc_get_cr8(struct vcpu *v)
{
    return v->intc ? v->intc->get_tpr(v->intc_opaque) >> 4 : v->cpu.cr8;
}

void vcpu_intc_set_cr8(struct vcpu *v, uint64_t cr8)
{
    v->cpu.cr8 = cr8;
    if (v->intc)
        v->intc->set_tpr(v->intc_opaque, (uint8_t)((cr8 & 0xf) << 4)); /* TPR[7:4]; TPR[3:0] cleared */
}

int vcpu_intc_base_write(struct vcpu *v, uint64_t val, uint64_t phys_mask)
{
    if (val & ~(phys_mask | APIC_BASE_BSP | APIC_BASE_EN | APIC_BASE_EXTD))
        return -1;
    if (v->intc)
        return v->intc->base_write(v->intc_opaque, val, phys_mask);
    v->cpu.apic_base = (val & (phys_mask | APIC_BASE_EN)) | (v->cpu.apic_base & APIC_BASE_BSP);
    return 0;
}

int vcpu_intc_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    return v->intc ? v->intc->msr_read(v->intc_opaque, msr, val) : -1;
}

int vcpu_intc_msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
    return v->intc ? v->intc->msr_write(v->intc_opaque, msr, val) : -1;
}

uint64_t vcpu_intc_tsc_deadline_read(struct vcpu *v)
{
    return v->intc ? v->intc->tsc_deadline_read(v->intc_opaque) : 0;
}

void vcpu_intc_tsc_deadline_write(struct vcpu *v, uint64_t val)
{
    if (v->intc)
        v->intc->tsc_deadline_write(v->intc_opaque, val);
}

void vcpu_intc_thread_start(struct vcpu *v)
{
    if (v->intc && v->intc->thread_start)
        v->intc->thread_start(v->intc_opaque);
}
