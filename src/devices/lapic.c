/* Local APIC, one per vCPU (Intel SDM vol. 3 ch. 11): one register file
 * reached through the xAPIC page at the APIC base or the x2APIC MSRs
 * 0x800-0x8FF; TPR/PPR priority, IRR/ISR/TMR, EOI (broadcast to the I/O
 * APIC for level-triggered vectors), the six LVT entries of a version
 * 0x14 part, the timer and the ICR's IPIs including INIT and SIPI.
 * What the CPU asks of its APIC is in lapic_cpu.c; the state both share
 * is in lapic_priv.h.
 *
 * Invariants:
 * - One lock (dev_apic.lock) guards every local APIC and the I/O APIC:
 *   IPIs, the I/O APIC and timer callbacks all reach other vCPUs' APICs.
 *   It is taken after any device's own lock (PIC, HPET, PIT) and before
 *   the clock's lock and vm->lock (vcpu_ff_set).
 * - VCPU_FF_INTERRUPT_APIC is set exactly when the APIC holds a vector in
 *   a higher priority class than the PPR (lapic_update()).
 * - The timer runs at 1 GHz (the TSC's rate) over the divide
 *   configuration; the current count is computed from when the count was
 *   loaded, never ticked.
 * - Fields read without the lock (halt checks) use atomic loads.
 */
#include <errno.h>
#include <stdlib.h>

#include "devices/lapic_priv.h"
#include "vm/ss.h"

static _Thread_local struct vcpu *cur_vcpu;

/* Writable bits of each LVT entry (vector, delivery mode, polarity,
 * trigger, mask, timer mode). */
static const uint32_t lvt_wmask[LVT_N] = {0x700ff, 0x107ff, 0x107ff, 0x1a7ff, 0x1a7ff, 0x100ff};

static int top_bit(const uint32_t r[8])
{
    for (int i = 7; i >= 0; i--)
        if (r[i])
            return i * 32 + 31 - __builtin_clz(r[i]);
    return -1;
}
static bool bit_test(const uint32_t r[8], unsigned v) { return (r[v >> 5] >> (v & 31)) & 1; }

static bool sw_enabled(const struct lapic *l) { return hw_enabled(l) && (l->svr & SVR_ENABLE); }

struct dev_apic *pc_apic(struct vm *vm)
{
    return bus_find_device(&vm->bus, "apic");
}

void lapic_set_current(struct vcpu *v)
{
    cur_vcpu = v;
}

static uint32_t ppr(const struct lapic *l)
{
    int isrv = top_bit(l->isr);
    uint32_t cls = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;
    return (l->tpr & 0xf0) >= cls ? l->tpr & 0xff : cls;
}

static uint32_t apr(const struct lapic *l)
{
    int irrv = top_bit(l->irr), isrv = top_bit(l->isr);
    uint32_t cls = (uint32_t)(irrv > isrv ? irrv : isrv) & 0xf0;
    return irrv < 0 && isrv < 0 ? l->tpr & 0xff : (l->tpr & 0xf0) >= cls ? l->tpr & 0xff : cls;
}

/* The vector the APIC would present now, or -1. */
int lapic_deliverable(const struct lapic *l)
{
    int v = top_bit(l->irr);
    if (!sw_enabled(l) || v < 0 || ((unsigned)v & 0xf0) <= (ppr(l) & 0xf0))
        return -1;
    return v;
}

void lapic_update(struct lapic *l)
{
    if (lapic_deliverable(l) >= 0) {
        if (!(atomic_load(&l->v->ff) & VCPU_FF_INTERRUPT_APIC))
            vcpu_ff_set(l->v, VCPU_FF_INTERRUPT_APIC);
    } else {
        vcpu_ff_clear(l->v, VCPU_FF_INTERRUPT_APIC);
    }
}

static void error(struct lapic *l, uint32_t bits);

/* A fixed interrupt arrives: into the IRR (lost if already requested). */
static void accept(struct lapic *l, unsigned vec, bool level)
{
    if (vec < 16) {
        error(l, ESR_RECV_ILLEGAL);
        return;
    }
    if (!sw_enabled(l))
        return; /* a software-disabled APIC takes no fixed interrupts */
    bit_set(l->irr, vec);
    if (level)
        bit_set(l->tmr, vec);
    else
        bit_clr(l->tmr, vec);
    lapic_update(l);
}

static void error(struct lapic *l, uint32_t bits)
{
    uint32_t e = l->lvt[LVT_ERROR];
    l->esr_pending |= bits;
    if (!(e & LVT_MASKED) && (e & 0xff) >= 16 && sw_enabled(l))
        accept(l, e & 0xff, false);
}

static void deliver(struct lapic *l, unsigned dm, unsigned vec, bool level)
{
    switch (dm) {
    case DM_FIXED:
    case DM_LOWEST:
        accept(l, vec, level);
        break;
    case DM_NMI:
        vcpu_ff_set(l->v, VCPU_FF_NMI);
        break;
    case DM_INIT:
        /* the AP stops at once; its thread resets the CPU (em.c) */
        if (!(l->base & APIC_BASE_BSP))
            __atomic_store_n(&l->wait_sipi, true, __ATOMIC_RELEASE);
        vcpu_ff_set(l->v, VCPU_FF_INIT);
        break;
    case DM_SIPI:
        if (l->wait_sipi) { /* a SIPI outside wait-for-SIPI is ignored */
            l->sipi_vector = (int)vec;
            vcpu_ff_set(l->v, VCPU_FF_SIPI);
        }
        break;
    default:
        break; /* SMI: no SMM; ExtINT reaches the BSP through LINT0 (lapic_pic_allowed) */
    }
}

static void lvt_fire(struct lapic *l, unsigned idx)
{
    uint32_t e = l->lvt[idx];
    if (e & LVT_MASKED)
        return;
    unsigned dm = idx == LVT_TIMER || idx == LVT_ERROR ? DM_FIXED : (e >> 8) & 7;
    deliver(l, dm, e & 0xff, dm == DM_FIXED && idx >= LVT_LINT0 && idx <= LVT_LINT1 && (e & 0x8000));
}

/* --- timer --- */


static uint64_t divisor(const struct lapic *l)
{
    unsigned d = (l->divide & 3) | ((l->divide >> 1) & 4);
    return d == 7 ? 1 : 2u << d;
}

static uint64_t now_ns(struct lapic *l) { return vm_clock_ns(l->sys->vm); }

static uint32_t current_count(struct lapic *l)
{
    if (!l->counting || timer_mode(l) == TIMER_DEADLINE)
        return 0;
    uint64_t ticks = (now_ns(l) - l->t0) / divisor(l);
    if (timer_mode(l) == TIMER_PERIODIC)
        return l->initial - (uint32_t)(ticks % l->initial);
    return ticks >= l->initial ? 0 : l->initial - (uint32_t)ticks;
}

static void timer_arm(struct lapic *l, uint64_t now)
{
    if (!l->counting) {
        clock_timer_cancel(&l->timer);
        return;
    }
    uint64_t period = (uint64_t)l->initial * divisor(l), next = l->t0 + period;
    if (timer_mode(l) == TIMER_PERIODIC && now >= next) {
        uint64_t k = (now - l->t0) / period + 1;
        next = l->t0 + k * period;
        if (period < MIN_PERIOD_NS && next < now + MIN_PERIOD_NS)
            next = now + MIN_PERIOD_NS;
    }
    clock_timer_arm(&l->timer, next);
}

static uint64_t tsc_to_ns(struct lapic *l, uint64_t tsc) { return tsc - l->v->cpu.tsc_offset; }

static void timer_fire(void *opaque, uint64_t now)
{
    struct lapic *l = opaque;
    pthread_mutex_lock(&l->sys->lock);
    if (timer_mode(l) == TIMER_DEADLINE) {
        if (l->deadline && now >= tsc_to_ns(l, l->deadline)) {
            l->deadline = 0;
            lvt_fire(l, LVT_TIMER);
        }
    } else if (l->counting && now >= l->t0 + (uint64_t)l->initial * divisor(l)) {
        lvt_fire(l, LVT_TIMER);
        if (timer_mode(l) == TIMER_ONESHOT)
            l->counting = false;
        timer_arm(l, now);
    }
    pthread_mutex_unlock(&l->sys->lock);
}

void lapic_deadline_write(struct lapic *l, uint64_t val)
{
    if (timer_mode(l) != TIMER_DEADLINE)
        return; /* the MSR is ignored outside TSC-deadline mode */
    l->deadline = val;
    if (!val) {
        clock_timer_cancel(&l->timer);
        return;
    }
    uint64_t t = tsc_to_ns(l, val), now = now_ns(l);
    if ((int64_t)(t - now) <= 0) { /* already passed: fires at once */
        l->deadline = 0;
        clock_timer_cancel(&l->timer);
        lvt_fire(l, LVT_TIMER);
    } else {
        clock_timer_arm(&l->timer, t);
    }
}

/* --- destinations and IPIs --- */


/* dest: 32 bits, 0xFFFFFFFF broadcast (8-bit senders are widened). */
static bool match(const struct lapic *l, uint32_t dest, bool logical)
{
    if (dest == 0xffffffffu)
        return true;
    if (!logical)
        return dest == (x2(l) ? l->id : (l->id & 0xff));
    if (x2(l))
        return (dest >> 16) == (l->ldr >> 16) && (dest & l->ldr & 0xffff);
    uint8_t d = (uint8_t)dest, lid = (uint8_t)(l->ldr >> 24);
    if ((l->dfr >> 28) == 0xf)
        return (d & lid) != 0; /* flat: one bit per APIC */
    return (d >> 4) == (lid >> 4) && (d & lid & 0xf); /* cluster: 4-bit cluster, 4 members */
}

/* Delivers to every APIC in the set (bit i: cpus[i]); lowest priority
 * picks the member with the lowest task priority. */
static void deliver_set(struct dev_apic *a, uint64_t set, unsigned dm, unsigned vec, bool level)
{
    if (dm == DM_LOWEST && set) {
        unsigned best = a->n;
        for (unsigned k = 0; k < a->n; k++) {
            unsigned i = (a->rr + k) % a->n;
            if ((set >> i) & 1 && (best == a->n || (a->cpus[i].tpr & 0xf0) < (a->cpus[best].tpr & 0xf0)))
                best = i;
        }
        a->rr = (best + 1) % a->n;
        set = 1ull << best;
    }
    for (unsigned i = 0; i < a->n; i++)
        if ((set >> i) & 1)
            deliver(&a->cpus[i], dm, vec, level);
}

void apic_bus_deliver_locked(struct dev_apic *a, uint32_t dest, bool logical, bool wide, unsigned dm,
                             unsigned vector, bool level)
{
    uint64_t set = 0;
    if (!wide && (dest & 0xff) == 0xff)
        dest = 0xffffffffu;
    else if (!wide)
        dest &= 0xff;
    for (unsigned i = 0; i < a->n; i++)
        if (hw_enabled(&a->cpus[i]) && match(&a->cpus[i], dest, logical))
            set |= 1ull << i;
    deliver_set(a, set, dm, vector, level);
}

static void send_ipi(struct lapic *l, uint32_t lo, uint32_t dest)
{
    struct dev_apic *a = l->sys;
    unsigned vec = lo & 0xff, dm = (lo >> 8) & 7, sh = (lo >> 18) & 3;
    uint64_t all = a->n >= 64 ? ~0ull : (1ull << a->n) - 1, self = 1ull << l->v->id;

    if (dm == DM_INIT && !(lo & 0x4000) && (lo & 0x8000))
        return; /* INIT level de-assert: only resynchronises arbitration IDs */
    if ((dm == DM_FIXED || dm == DM_LOWEST) && vec < 16) {
        error(l, ESR_SEND_ILLEGAL);
        return;
    }
    switch (sh) {
    case 1: deliver_set(a, self, dm, vec, false); break;
    case 2: deliver_set(a, all, dm, vec, false); break;
    case 3: deliver_set(a, all & ~self, dm, vec, false); break;
    default: apic_bus_deliver_locked(a, dest, (lo >> 11) & 1, x2(l), dm, vec, false); break;
    }
}

static void eoi(struct lapic *l)
{
    int v = top_bit(l->isr);
    if (v < 0)
        return;
    bit_clr(l->isr, (unsigned)v);
    /* The TMR bit stays: only the next acceptance of the vector changes it
     * (SDM vol. 3 11.8.4). */
    if (bit_test(l->tmr, (unsigned)v)) {
        if (l->sys->eoi_hook)
            l->sys->eoi_hook(l->sys->eoi_opaque, (unsigned)v);
    }
    lapic_update(l);
}

/* --- the register file (index = xAPIC offset >> 4 = x2APIC MSR - 0x800) --- */

void lapic_regs_reset(struct lapic *l)
{
    l->tpr = l->ldr = l->esr = l->esr_pending = l->icr_lo = l->icr_hi = 0;
    l->dfr = 0xffffffffu;
    l->svr = 0xff;
    for (unsigned i = 0; i < 8; i++)
        l->irr[i] = l->isr[i] = l->tmr[i] = 0;
    for (unsigned i = 0; i < LVT_N; i++)
        l->lvt[i] = LVT_MASKED;
    l->initial = l->divide = 0;
    l->counting = false;
    l->deadline = 0;
    clock_timer_cancel(&l->timer);
    if (x2(l))
        l->ldr = x2_ldr(l->id);
    lapic_update(l);
}

/* 0, or -1: no such register (xAPIC: ESR bit 7; x2APIC: #GP). */
int lapic_reg_read(struct lapic *l, unsigned idx, uint64_t *out)
{
    bool x = x2(l);
    uint64_t v = 0;
    if (idx >= 0x10 && idx < 0x28) {
        const uint32_t *r = idx < 0x18 ? l->isr : idx < 0x20 ? l->tmr : l->irr;
        *out = r[idx & 7];
        return 0;
    }
    if (idx >= 0x32 && idx < 0x32 + LVT_N) {
        *out = l->lvt[idx - 0x32];
        return 0;
    }
    switch (idx) {
    case 0x02: v = x ? l->id : l->id << 24; break;
    case 0x03: v = APIC_VERSION; break;
    case 0x08: v = l->tpr; break;
    case 0x09: if (x) return -1; v = apr(l); break;
    case 0x0a: v = ppr(l); break;
    case 0x0b: if (x) return -1; break; /* EOI: write only */
    case 0x0c: if (x) return -1; break; /* remote read: never valid */
    case 0x0d: v = l->ldr; break;
    case 0x0e: if (x) return -1; v = l->dfr; break;
    case 0x0f: v = l->svr; break;
    case 0x28: v = l->esr; break;
    case 0x30: v = l->icr_lo | (x ? (uint64_t)l->icr_hi << 32 : 0); break;
    case 0x31: if (x) return -1; v = l->icr_hi; break;
    case 0x38: v = l->initial; break;
    case 0x39: v = current_count(l); break;
    case 0x3e: v = l->divide; break;
    default: return -1;
    }
    *out = v;
    return 0;
}

static void lvt_write(struct lapic *l, unsigned i, uint32_t val)
{
    uint32_t old = l->lvt[i];
    if (i == LVT_TIMER && ((val >> 17) & 3) == 3)
        val &= ~(1u << 18); /* mode 3 is reserved */
    l->lvt[i] = (old & ~lvt_wmask[i]) | (val & lvt_wmask[i]);
    if (!sw_enabled(l))
        l->lvt[i] |= LVT_MASKED; /* software-disabled: the masks stay set */
    if (i == LVT_TIMER && ((old ^ l->lvt[i]) & (3u << 17))) { /* a mode change disarms */
        l->counting = false;
        l->deadline = 0;
        clock_timer_cancel(&l->timer);
    }
}

int lapic_reg_write(struct lapic *l, unsigned idx, uint64_t val)
{
    bool x = x2(l);
    uint32_t v32 = (uint32_t)val;
    if (x && idx != 0x30 && (val >> 32))
        return -1;
    if (idx >= 0x32 && idx < 0x32 + LVT_N) {
        lvt_write(l, idx - 0x32, v32);
        return 0;
    }
    switch (idx) {
    case 0x02: if (x) return -1; l->id = v32 >> 24; break;
    case 0x08: l->tpr = v32 & 0xff; lapic_update(l); break;
    case 0x0b: if (x && v32) return -1; eoi(l); break;
    case 0x0d: if (x) return -1; l->ldr = v32 & 0xff000000u; break;
    case 0x0e: if (x) return -1; l->dfr = v32 | 0x0fffffffu; break;
    case 0x0f:
        l->svr = v32 & 0x3ff; /* vector, enable, focus checking */
        if (!(l->svr & SVR_ENABLE))
            for (unsigned i = 0; i < LVT_N; i++)
                l->lvt[i] |= LVT_MASKED;
        lapic_update(l);
        break;
    case 0x28:
        if (x && v32) return -1;
        l->esr = l->esr_pending; /* a write latches the errors seen since the last one */
        l->esr_pending = 0;
        break;
    case 0x30:
        if (x) {
            if (val & 0xfff33000ull) /* reserved bits of the 64-bit ICR (status and remote-read bits) */
                return -1;
            l->icr_hi = (uint32_t)(val >> 32);
        }
        l->icr_lo = v32 & 0xccfff;
        send_ipi(l, l->icr_lo, x ? l->icr_hi : l->icr_hi >> 24);
        break;
    case 0x31: if (x) return -1; l->icr_hi = v32 & 0xff000000u; break;
    case 0x38:
        if (timer_mode(l) == TIMER_DEADLINE)
            break; /* ignored in TSC-deadline mode */
        l->initial = v32;
        l->t0 = now_ns(l);
        l->counting = v32 != 0;
        timer_arm(l, l->t0);
        break;
    case 0x3e: l->divide = v32 & 0xb; break;
    case 0x3f:
        if (!x) return -1;
        send_ipi(l, (v32 & 0xff) | 1u << 18, 0); /* self IPI: fixed, edge */
        break;
    case 0x03: case 0x09: case 0x0a: case 0x0c: case 0x39:
        if (x) return -1;
        break; /* read-only */
    default:
        if (idx >= 0x10 && idx < 0x28 && !x)
            break; /* ISR/TMR/IRR are read-only */
        return -1;
    }
    return 0;
}

/* --- xAPIC page --- */

static struct lapic *mmio_lapic(struct apic_map *m)
{
    struct dev_apic *a = m->a;
    struct vcpu *v = cur_vcpu && cur_vcpu->vm == a->vm ? cur_vcpu : &a->vm->cpus[0];
    struct lapic *l = &a->cpus[v->id];
    /* a disabled, x2APIC or relocated APIC does not decode this page */
    if (!hw_enabled(l) || x2(l) || (l->base & ~0xfffull) != m->base)
        return NULL;
    return l;
}

static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size)
{
    struct apic_map *m = opaque;
    uint64_t v = 0;
    pthread_mutex_lock(&m->a->lock);
    struct lapic *l = mmio_lapic(m);
    if (!l)
        v = ~0ull;
    else if ((off & 0xf) < 4 && lapic_reg_read(l, (unsigned)(off >> 4) & 0xff, &v) < 0)
        error(l, ESR_ILLEGAL_REG);
    pthread_mutex_unlock(&m->a->lock);
    v >>= 8 * (off & 3);
    return size >= 8 ? v : v & ((1ull << (8 * size)) - 1);
}

static void mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct apic_map *m = opaque;
    pthread_mutex_lock(&m->a->lock);
    struct lapic *l = mmio_lapic(m);
    /* the registers take aligned 32-bit writes; anything else is dropped */
    if (l && (off & 0xf) == 0 && size >= 4 && lapic_reg_write(l, (unsigned)(off >> 4) & 0xff, val & 0xffffffffu) < 0)
        error(l, ESR_ILLEGAL_REG);
    pthread_mutex_unlock(&m->a->lock);
}

static const struct io_ops mmio_ops = {mmio_read, mmio_write};

/* The xAPIC page at base decodes for every APIC whose base names it. The
 * maps are few; when they run out, one that no APIC but `moving` (which is
 * leaving it) still uses is unmapped and taken, so a guest may move its
 * APIC as often as hardware allows. */
int lapic_map_page(struct dev_apic *a, uint64_t base, const struct lapic *moving)
{
    struct apic_map *m = NULL;
    for (unsigned i = 0; i < a->nmaps; i++)
        if (a->maps[i].base == base)
            return 0;
    if (a->nmaps < MAX_MAPS) {
        m = &a->maps[a->nmaps];
    } else {
        for (unsigned i = 0; i < a->nmaps && !m; i++) {
            bool used = false;
            for (unsigned c = 0; c < a->n; c++)
                used |= &a->cpus[c] != moving && hw_enabled(&a->cpus[c]) && !x2(&a->cpus[c]) &&
                        (a->cpus[c].base & ~0xfffull) == a->maps[i].base;
            if (!used)
                m = &a->maps[i];
        }
        if (!m || pgm_unmap(&a->vm->pgm, m->base, 0x1000) < 0)
            return -1;
    }
    *m = (struct apic_map){a, base};
    if (pgm_map_mmio(&a->vm->pgm, base, 0x1000, &mmio_ops, m, "lapic") < 0)
        return -1;
    if (m == &a->maps[a->nmaps])
        a->nmaps++;
    return 0;
}

/* --- the device --- */

void apic_bus_lock(struct dev_apic *a) { pthread_mutex_lock(&a->lock); }
void apic_bus_unlock(struct dev_apic *a) { pthread_mutex_unlock(&a->lock); }

void apic_set_eoi_hook(struct dev_apic *a, void (*fn)(void *, unsigned), void *opaque)
{
    a->eoi_hook = fn;
    a->eoi_opaque = opaque;
}

static void apic_reset(void *opaque)
{
    struct dev_apic *a = opaque;
    pthread_mutex_lock(&a->lock);
    for (unsigned i = 0; i < a->n; i++) {
        struct lapic *l = &a->cpus[i];
        l->id = i;
        l->base = APIC_DEFAULT_BASE | APIC_BASE_EN | (i == 0 ? APIC_BASE_BSP : 0);
        l->sipi_vector = -1;
        __atomic_store_n(&l->wait_sipi, i != 0, __ATOMIC_RELEASE); /* APs wait for INIT-SIPI */
        lapic_regs_reset(l);
    }
    pthread_mutex_unlock(&a->lock);
}

static void apic_destroy(void *opaque)
{
    struct dev_apic *a = opaque;
    for (unsigned i = 0; i < a->n; i++) {
        clock_timer_cancel(&a->cpus[i].timer);
        if (a->vm->cpus[i].intc_opaque == &a->cpus[i])
            vcpu_intc_register(&a->vm->cpus[i], NULL, NULL);
    }
    pthread_mutex_destroy(&a->lock);
    free(a->cpus);
    free(a);
}

#define F(m, t) SS_FIELD(struct lapic, m, t)
static const struct ss_field lapic_fields[] = {
    F(id, U32), F(base, U64), F(tpr, U32), F(ldr, U32), F(dfr, U32), F(svr, U32), F(esr, U32),
    F(esr_pending, U32), F(icr_lo, U32), F(icr_hi, U32), F(irr, U32), F(isr, U32), F(tmr, U32), F(lvt, U32),
    F(initial, U32), F(divide, U32), F(t0, U64), F(counting, BOOL), F(deadline, U64),
    SS_TIMER_FIELD(struct lapic, timer), F(wait_sipi, BOOL), F(sipi_vector, I32), SS_END,
};
#undef F
static const struct ss_field apic_fields[] = {
    SS_PSTRUCT_FIELD(struct dev_apic, cpus, struct lapic, lapic_fields, n),
    SS_FIELD(struct dev_apic, rr, U32),
    SS_END,
};

/* Each APIC's page where its base says (xAPIC mode, enabled). */
static void apic_post_load(void *opaque)
{
    struct dev_apic *a = opaque;
    for (unsigned i = 0; i < a->n; i++) {
        const struct lapic *l = &a->cpus[i];
        if (hw_enabled(l) && !x2(l))
            lapic_map_page(a, l->base & ~0xfffull, NULL);
    }
}
static const struct ss_desc apic_ss = {1, apic_fields, NULL, apic_post_load};

int dev_apic_create(struct vm *vm, struct dev_apic **out)
{
    struct dev_apic *a = calloc(1, sizeof(*a));
    if (!a)
        return -ENOMEM;
    a->cpus = calloc(vm->ncpus, sizeof(*a->cpus));
    if (!a->cpus) {
        free(a);
        return -ENOMEM;
    }
    pthread_mutex_init(&a->lock, NULL);
    a->vm = vm;
    a->n = vm->ncpus;
    for (unsigned i = 0; i < a->n; i++) {
        a->cpus[i].sys = a;
        a->cpus[i].v = &vm->cpus[i];
        clock_timer_init(&a->cpus[i].timer, vm_clock(vm), timer_fire, &a->cpus[i]);
    }
    apic_reset(a);
    if (lapic_map_page(a, APIC_DEFAULT_BASE, NULL) < 0 ||
        bus_add_device(&vm->bus, "apic", a, apic_reset, apic_destroy) < 0 ||
        bus_describe(&vm->bus, a, &apic_ss) < 0) {
        apic_destroy(a);
        return -EBUSY;
    }
    for (unsigned i = 0; i < a->n; i++)
        vcpu_intc_register(&vm->cpus[i], &lapic_intc_ops, &a->cpus[i]);
    *out = a;
    return 0;
}
