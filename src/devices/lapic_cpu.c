/* What a vCPU asks of its local APIC (lapic.c holds the APIC itself),
 * registered on each vCPU as its struct vcpu_intc_ops (vm.h): the
 * interrupt acknowledge cycle, whether the 8259's INTR gets through,
 * INIT/SIPI, TPR (CR8), IA32_APIC_BASE, the x2APIC MSRs and
 * IA32_TSC_DEADLINE. Each takes dev_apic.lock, but for the lock-free
 * reads the halt checks make. */
#include "devices/lapic_priv.h"

static int intc_ack(void *opaque)
{
    struct lapic *l = opaque;
    int vec;
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

static bool intc_pic_allowed(void *opaque)
{
    struct lapic *l = opaque;
    uint64_t base = __atomic_load_n(&l->base, __ATOMIC_RELAXED);
    uint32_t svr = __atomic_load_n(&l->svr, __ATOMIC_RELAXED), lint0 = __atomic_load_n(&l->lvt[LVT_LINT0], __ATOMIC_RELAXED);
    if (l->v->id != 0)
        return false;
    /* a disabled APIC passes INTR straight to the core, as without one */
    if (!(base & APIC_BASE_EN) || !(svr & SVR_ENABLE))
        return true;
    return !(lint0 & LVT_MASKED) && ((lint0 >> 8) & 7) == DM_EXTINT;
}

static bool intc_wait_sipi(void *opaque)
{
    struct lapic *l = opaque;
    return __atomic_load_n(&l->wait_sipi, __ATOMIC_ACQUIRE);
}

static void intc_init(void *opaque)
{
    struct lapic *l = opaque;
    pthread_mutex_lock(&l->sys->lock);
    lapic_regs_reset(l); /* INIT keeps the APIC ID and the base MSR */
    pthread_mutex_unlock(&l->sys->lock);
}

static int intc_take_sipi(void *opaque)
{
    struct lapic *l = opaque;
    int vec = -1;
    pthread_mutex_lock(&l->sys->lock);
    if (l->wait_sipi && l->sipi_vector >= 0) {
        vec = l->sipi_vector;
        l->sipi_vector = -1;
        __atomic_store_n(&l->wait_sipi, false, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&l->sys->lock);
    return vec;
}

static uint8_t intc_get_tpr(void *opaque)
{
    struct lapic *l = opaque;
    return (uint8_t)__atomic_load_n(&l->tpr, __ATOMIC_RELAXED);
}

static void intc_set_tpr(void *opaque, uint8_t tpr)
{
    struct lapic *l = opaque;
    pthread_mutex_lock(&l->sys->lock);
    l->tpr = tpr;
    lapic_update(l);
    pthread_mutex_unlock(&l->sys->lock);
}

static int intc_base_write(void *opaque, uint64_t val, uint64_t phys_mask)
{
    struct lapic *l = opaque;
    int rc = 0;
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
    /* A disabled APIC comes back in its power-on state, its ID the initial
     * one; x2APIC mode's ID is read-only and also the initial one, whatever
     * software wrote to the xAPIC ID (SDM vol. 3 11.12.5.1). */
    if (was_en && !is_en) {
        l->id = l->v->id;
        lapic_regs_reset(l);
    } else if (is_x2 && !was_x2) {
        l->id = l->v->id;
        l->ldr = x2_ldr(l->id);
    }
    l->v->cpu.apic_base = nw;
out:
    pthread_mutex_unlock(&l->sys->lock);
    return rc;
}

static int intc_msr_read(void *opaque, uint32_t msr, uint64_t *val)
{
    struct lapic *l = opaque;
    int rc = -1;
    pthread_mutex_lock(&l->sys->lock);
    if (x2(l))
        rc = lapic_reg_read(l, msr - 0x800, val);
    pthread_mutex_unlock(&l->sys->lock);
    return rc;
}

static int intc_msr_write(void *opaque, uint32_t msr, uint64_t val)
{
    struct lapic *l = opaque;
    int rc = -1;
    pthread_mutex_lock(&l->sys->lock);
    if (x2(l))
        rc = lapic_reg_write(l, msr - 0x800, val);
    pthread_mutex_unlock(&l->sys->lock);
    return rc;
}

static uint64_t intc_tsc_deadline_read(void *opaque)
{
    struct lapic *l = opaque;
    uint64_t d = 0;
    pthread_mutex_lock(&l->sys->lock);
    if (timer_mode(l) == TIMER_DEADLINE)
        d = l->deadline;
    pthread_mutex_unlock(&l->sys->lock);
    return d;
}

static void intc_tsc_deadline_write(void *opaque, uint64_t val)
{
    struct lapic *l = opaque;
    pthread_mutex_lock(&l->sys->lock);
    lapic_deadline_write(l, val);
    pthread_mutex_unlock(&l->sys->lock);
}

static void intc_thread_start(void *opaque)
{
    struct lapic *l = opaque;
    lapic_set_current(l->v);
}

const struct vcpu_intc_ops lapic_intc_ops = {
    .ack = intc_ack,
    .pic_allowed = intc_pic_allowed,
    .wait_sipi = intc_wait_sipi,
    .init = intc_init,
    .take_sipi = intc_take_sipi,
    .get_tpr = intc_get_tpr,
    .set_tpr = intc_set_tpr,
    .base_write = intc_base_write,
    .msr_read = intc_msr_read,
    .msr_write = intc_msr_write,
    .tsc_deadline_read = intc_tsc_deadline_read,
    .tsc_deadline_write = intc_tsc_deadline_write,
    .thread_start = intc_thread_start,
};
