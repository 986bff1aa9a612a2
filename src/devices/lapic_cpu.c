/* What a vCPU asks of its local APIC (lapic.c holds the APIC itself):
 * the interrupt acknowledge cycle, whether the 8259's INTR gets through,
 * INIT/SIPI, CR8, IA32_APIC_BASE, the x2APIC MSRs and IA32_TSC_DEADLINE.
 * Each takes dev_apic.lock; a vCPU without an APIC falls back to what a
 * CPU without one does. */
#include "devices/lapic_priv.h"

int lapic_intr_ack(struct vcpu *v)
{
    struct lapic *l = lapic_of(v);
    int vec;
    if (!l)
        return -1;
    pthread_mutex_lock(&l->sys->lock);
    vec = lapic_deliverable(l);
    if (vec >= 0) {
        bit_clr(l->irr, (unsigned)vec);
        bit_set(l->isr, (unsigned)vec);
    }
    lapic_update(l);
    pthread_mutex_unlock(&l->sys->lock);
    return vec;
}

bool lapic_pic_allowed(struct vcpu *v)
{
    struct lapic *l = lapic_of(v);
    if (!l)
        return v->id == 0;
    uint64_t base = __atomic_load_n(&l->base, __ATOMIC_RELAXED);
    uint32_t svr = __atomic_load_n(&l->svr, __ATOMIC_RELAXED), lint0 = __atomic_load_n(&l->lvt[LVT_LINT0], __ATOMIC_RELAXED);
    if (v->id != 0)
        return false;
    /* a disabled APIC passes INTR straight to the core, as without one */
    if (!(base & APIC_BASE_EN) || !(svr & SVR_ENABLE))
        return true;
    return !(lint0 & LVT_MASKED) && ((lint0 >> 8) & 7) == DM_EXTINT;
}

bool lapic_wait_sipi(struct vcpu *v)
{
    struct lapic *l = lapic_of(v);
    return l && __atomic_load_n(&l->wait_sipi, __ATOMIC_ACQUIRE);
}

void lapic_init_done(struct vcpu *v)
{
    struct lapic *l = lapic_of(v);
    if (!l)
        return;
    pthread_mutex_lock(&l->sys->lock);
    lapic_regs_reset(l); /* INIT keeps the APIC ID and the base MSR */
    pthread_mutex_unlock(&l->sys->lock);
}

int lapic_take_sipi(struct vcpu *v)
{
    struct lapic *l = lapic_of(v);
    int vec = -1;
    if (!l)
        return -1;
    pthread_mutex_lock(&l->sys->lock);
    if (l->wait_sipi && l->sipi_vector >= 0) {
        vec = l->sipi_vector;
        l->sipi_vector = -1;
        __atomic_store_n(&l->wait_sipi, false, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&l->sys->lock);
    return vec;
}

uint64_t lapic_get_cr8(struct vcpu *v)
{
    struct lapic *l = lapic_of(v);
    return l ? (__atomic_load_n(&l->tpr, __ATOMIC_RELAXED) >> 4) & 0xf : v->cpu.cr8;
}

void lapic_set_cr8(struct vcpu *v, uint64_t cr8)
{
    struct lapic *l = lapic_of(v);
    v->cpu.cr8 = cr8;
    if (!l)
        return;
    pthread_mutex_lock(&l->sys->lock);
    l->tpr = (uint32_t)(cr8 & 0xf) << 4; /* CR8 writes TPR[7:4] and clears TPR[3:0] */
    lapic_update(l);
    pthread_mutex_unlock(&l->sys->lock);
}

int lapic_base_write(struct vcpu *v, uint64_t val, uint64_t phys_mask)
{
    struct lapic *l = lapic_of(v);
    int rc = 0;
    if (val & ~(phys_mask | APIC_BASE_BSP | APIC_BASE_EN | APIC_BASE_EXTD))
        return -1;
    if (!l) {
        v->cpu.apic_base = (val & (phys_mask | APIC_BASE_EN)) | (v->cpu.apic_base & APIC_BASE_BSP);
        return 0;
    }
    pthread_mutex_lock(&l->sys->lock);
    uint64_t old = l->base, nw = (val & ~APIC_BASE_BSP) | (old & APIC_BASE_BSP);
    bool was_x2 = x2(l), was_en = hw_enabled(l);
    bool is_en = nw & APIC_BASE_EN, is_x2 = nw & APIC_BASE_EXTD;
    /* SDM 11.12.5: x2APIC without EN, x2APIC -> xAPIC and disabled -> x2APIC are invalid */
    if ((is_x2 && !is_en) || (was_x2 && is_en && !is_x2) || (!was_en && is_x2) ||
        (is_en && !is_x2 && lapic_map_page(l->sys, nw & phys_mask, l) < 0)) {
        rc = -1;
        goto out;
    }
    __atomic_store_n(&l->base, nw, __ATOMIC_RELAXED);
    if (was_en && !is_en)
        lapic_regs_reset(l); /* a disabled APIC comes back in its power-on state */
    else if (is_x2 && !was_x2)
        l->ldr = x2_ldr(l->id);
    v->cpu.apic_base = nw;
out:
    pthread_mutex_unlock(&l->sys->lock);
    return rc;
}

int lapic_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    struct lapic *l = lapic_of(v);
    int rc = -1;
    if (!l)
        return -1;
    pthread_mutex_lock(&l->sys->lock);
    if (x2(l))
        rc = lapic_reg_read(l, msr - 0x800, val);
    pthread_mutex_unlock(&l->sys->lock);
    return rc;
}

int lapic_msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
    struct lapic *l = lapic_of(v);
    int rc = -1;
    if (!l)
        return -1;
    pthread_mutex_lock(&l->sys->lock);
    if (x2(l))
        rc = lapic_reg_write(l, msr - 0x800, val);
    pthread_mutex_unlock(&l->sys->lock);
    return rc;
}

uint64_t lapic_tsc_deadline_read(struct vcpu *v)
{
    struct lapic *l = lapic_of(v);
    uint64_t d = 0;
    if (!l)
        return 0;
    pthread_mutex_lock(&l->sys->lock);
    if (timer_mode(l) == TIMER_DEADLINE)
        d = l->deadline;
    pthread_mutex_unlock(&l->sys->lock);
    return d;
}

void lapic_tsc_deadline_write(struct vcpu *v, uint64_t val)
{
    struct lapic *l = lapic_of(v);
    if (!l)
        return;
    pthread_mutex_lock(&l->sys->lock);
    lapic_deadline_write(l, val);
    pthread_mutex_unlock(&l->sys->lock);
}
