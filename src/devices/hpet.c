/* The HPET at 0xFED00000 (IA-PC HPET spec 1.0a): a 64-bit main counter at
 * 100 MHz and three comparators, each one-shot or periodic, 32- or 64-bit,
 * edge or level, routed to an I/O APIC pin or, with legacy replacement,
 * timer 0 to IRQ0 (I/O APIC pin 2) and timer 1 to IRQ8.
 *
 * Invariants:
 * - The counter is computed from the virtual clock: `counter` is its value
 *   at `t_base` (and its frozen value while the HPET is halted).
 * - Each comparator's next match is kept as an unwrapped counter value
 *   (`target`) with a clock timer at the time the counter reaches it; a
 *   periodic comparator adds its period on each match (skipping periods
 *   the guest was too slow for), a 32-bit one-shot matches again after the
 *   low 32 bits wrap.
 * - Clock timers run up to a slice late: every register access first
 *   applies the matches already due (catch_up), so it sees and builds on
 *   the comparators the hardware would have by then.
 * - Level-triggered timers set their status bit and hold the line until
 *   the guest writes 1 to it; edge-triggered timers pulse it.
 * - The lock is taken before the interrupt controllers' locks.
 */
#include <errno.h>
#include <stdlib.h>

#include "devices/devices.h"
#include "devices/hpet.h"
#include "devices/ioapic.h"
#include "vm/clock.h"
#include "vm/vm.h"
#include "vm/ss.h"

#define NS_PER_TICK 10u
#define CONF_ENABLE 1ull
#define CONF_LEGACY 2ull
#define TN_LEVEL    (1ull << 1)
#define TN_ENABLE   (1ull << 2)
#define TN_PERIODIC (1ull << 3)
#define TN_PER_CAP  (1ull << 4)
#define TN_SIZE_CAP (1ull << 5)
#define TN_VAL_SET  (1ull << 6)
#define TN_32BIT    (1ull << 8)
#define TN_WMASK    0x3f4eull /* type, enable, periodic, val-set, 32-bit, route */
/* I/O APIC pins a timer may use: 2, 8 (the legacy ones) and 20-23. */
#define ROUTE_CAP   0x00f00104ull
#define NEVER       UINT64_MAX

struct dev_hpet;
struct hpet_timer {
    struct dev_hpet *h;
    unsigned n;
    uint64_t config, cmp, period, target;
    struct clock_timer t;
};

struct dev_hpet {
    pthread_mutex_t lock;
    struct vm *vm;
    struct dev_ioapic *io;
    struct irq_line legacy[2];
    uint64_t config, isr, counter, t_base;
    struct hpet_timer tm[HPET_TIMERS];
};

static uint64_t counter_at(struct dev_hpet *h, uint64_t now)
{
    return h->config & CONF_ENABLE ? h->counter + (now - h->t_base) / NS_PER_TICK : h->counter;
}

static unsigned route(const struct hpet_timer *t) { return (t->config >> 9) & 31; }

static void set_line(struct hpet_timer *t, int level)
{
    struct dev_hpet *h = t->h;
    if ((h->config & CONF_LEGACY) && t->n < 2)
        irq_set(&h->legacy[t->n], level);
    else
        ioapic_set_irq(h->io, route(t), level);
}

static void raise_irq(struct hpet_timer *t)
{
    if (!(t->config & TN_ENABLE))
        return;
    if (t->config & TN_LEVEL) {
        t->h->isr |= 1ull << t->n;
        set_line(t, 1);
    } else {
        set_line(t, 1);
        set_line(t, 0);
    }
}

/* Counter ticks from cur until the comparator matches (0: now). */
static uint64_t ticks_to_match(const struct hpet_timer *t, uint64_t cur)
{
    if (t->config & TN_32BIT)
        return (uint32_t)((uint32_t)t->cmp - (uint32_t)cur);
    return t->cmp - cur;
}

static void arm(struct hpet_timer *t, uint64_t now)
{
    struct dev_hpet *h = t->h;
    if (!(h->config & CONF_ENABLE) || t->target == NEVER || t->target - h->counter > (1ull << 56)) {
        clock_timer_cancel(&t->t);
        return;
    }
    uint64_t when = h->t_base + (t->target - h->counter) * NS_PER_TICK;
    clock_timer_arm(&t->t, when > now ? when : now);
}

static void retarget(struct hpet_timer *t, uint64_t now)
{
    uint64_t cur = counter_at(t->h, now), d = ticks_to_match(t, cur);
    t->target = d > (1ull << 56) ? NEVER : cur + d;
    arm(t, now);
}

/* The match the hardware made when the counter reached the target, if it
 * has: the interrupt, and the comparator moved on by the period. The
 * clock timer runs only between instruction slices, so a guest access can
 * come after the counter passed the target and before the timer ran: it
 * must see (and build on) the match, as on hardware, not a comparator in
 * the past, which a 64-bit comparator would then match only after the
 * counter wraps (a short period stopped after one interrupt). */
static void catch_up(struct hpet_timer *t, uint64_t now)
{
    struct dev_hpet *h = t->h;
    uint64_t cur = counter_at(h, now);
    if (!(h->config & CONF_ENABLE) || t->target == NEVER || cur < t->target)
        return;
    raise_irq(t);
    uint64_t mask = t->config & TN_32BIT ? 0xffffffffull : ~0ull;
    if ((t->config & TN_PERIODIC) && (t->period & mask)) {
        uint64_t p = t->period & mask, k = (cur - t->target) / p + 1;
        t->target += k * p;
        t->cmp = (t->cmp + k * p) & mask; /* the comparator accumulates the period */
    } else {
        t->target = t->config & TN_32BIT ? t->target + (1ull << 32) : NEVER;
    }
}

static void timer_fire(void *opaque, uint64_t now)
{
    struct hpet_timer *t = opaque;
    struct dev_hpet *h = t->h;
    pthread_mutex_lock(&h->lock);
    catch_up(t, now);
    arm(t, now);
    pthread_mutex_unlock(&h->lock);
}

static uint64_t reg_read(struct dev_hpet *h, uint64_t off)
{
    uint64_t now = vm_clock_ns(h->vm);
    for (unsigned i = 0; i < HPET_TIMERS; i++)
        catch_up(&h->tm[i], now); /* the status and comparators as of now */
    switch (off) {
    case 0x000: return HPET_ID | (uint64_t)HPET_PERIOD_FS << 32;
    case 0x010: return h->config;
    case 0x020: return h->isr;
    case 0x0f0: return counter_at(h, now);
    }
    if (off >= 0x100 && off < 0x100 + 0x20 * HPET_TIMERS) {
        struct hpet_timer *t = &h->tm[(off - 0x100) / 0x20];
        switch (off & 0x1f) {
        case 0x00: return t->config | ROUTE_CAP << 32;
        case 0x08: return t->config & TN_32BIT ? (uint32_t)t->cmp : t->cmp;
        }
    }
    return 0;
}

static void reg_write(struct dev_hpet *h, uint64_t off, uint64_t val, uint64_t wmask)
{
    uint64_t now = vm_clock_ns(h->vm), old;
    val &= wmask;
    for (unsigned i = 0; i < HPET_TIMERS; i++)
        catch_up(&h->tm[i], now); /* matches due before this write happened first */
    switch (off) {
    case 0x010:
        old = h->config;
        if ((old ^ val) & CONF_LEGACY) /* the lines change: release the old ones */
            for (unsigned i = 0; i < 2; i++)
                set_line(&h->tm[i], 0);
        h->config = (old & ~wmask) | (val & 3);
        if ((old ^ h->config) & CONF_ENABLE) {
            if (h->config & CONF_ENABLE)
                h->t_base = now;
            else
                h->counter += (now - h->t_base) / NS_PER_TICK; /* halted: the count freezes */
            for (unsigned i = 0; i < HPET_TIMERS; i++)
                retarget(&h->tm[i], now);
        }
        if ((old ^ h->config) & CONF_LEGACY)
            for (unsigned i = 0; i < 2; i++)
                if (h->isr & (1ull << i))
                    set_line(&h->tm[i], 1);
        return;
    case 0x020:
        for (unsigned i = 0; i < HPET_TIMERS; i++)
            if ((val >> i) & 1 && (h->isr >> i) & 1) {
                h->isr &= ~(1ull << i);
                set_line(&h->tm[i], 0);
            }
        return;
    case 0x0f0:
        h->counter = (counter_at(h, now) & ~wmask) | val;
        h->t_base = now;
        for (unsigned i = 0; i < HPET_TIMERS; i++)
            retarget(&h->tm[i], now);
        return;
    }
    if (off < 0x100 || off >= 0x100 + 0x20 * HPET_TIMERS)
        return;
    struct hpet_timer *t = &h->tm[(off - 0x100) / 0x20];
    switch (off & 0x1f) {
    case 0x00:
        old = t->config;
        t->config = (old & ~(wmask & TN_WMASK)) | (val & TN_WMASK);
        if (((old ^ t->config) & TN_LEVEL) || !(t->config & TN_ENABLE)) {
            if (h->isr & (1ull << t->n))
                set_line(t, 0);
            h->isr &= ~(1ull << t->n);
        }
        if (t->config & TN_32BIT) {
            t->cmp = (uint32_t)t->cmp;
            t->period = (uint32_t)t->period;
        }
        break;
    case 0x08:
        if (t->config & TN_32BIT)
            val = (uint32_t)val, wmask &= 0xffffffffull;
        if (!(t->config & TN_PERIODIC) || (t->config & TN_VAL_SET))
            t->cmp = (t->cmp & ~wmask) | val;
        if (t->config & TN_PERIODIC) /* without VAL_SET a write sets only the period */
            t->period = (t->period & ~wmask) | val;
        t->config &= ~TN_VAL_SET;
        break;
    default:
        return;
    }
    retarget(t, now);
}

static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size)
{
    struct dev_hpet *h = opaque;
    pthread_mutex_lock(&h->lock);
    uint64_t v = reg_read(h, off & ~7ull) >> (8 * (off & 7));
    pthread_mutex_unlock(&h->lock);
    return size >= 8 ? v : v & ((1ull << (8 * size)) - 1);
}

static void mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct dev_hpet *h = opaque;
    unsigned sh = 8 * (off & 7);
    uint64_t wmask = size >= 8 ? ~0ull : ((1ull << (8 * size)) - 1) << sh;
    pthread_mutex_lock(&h->lock);
    reg_write(h, off & ~7ull, val << sh, wmask);
    pthread_mutex_unlock(&h->lock);
}

static const struct io_ops hpet_ops = {mmio_read, mmio_write};

static void hpet_reset(void *opaque)
{
    struct dev_hpet *h = opaque;
    pthread_mutex_lock(&h->lock);
    h->config = h->isr = h->counter = h->t_base = 0;
    for (unsigned i = 0; i < HPET_TIMERS; i++) {
        struct hpet_timer *t = &h->tm[i];
        t->config = TN_PER_CAP | TN_SIZE_CAP;
        t->cmp = t->period = ~0ull;
        t->target = NEVER;
        clock_timer_cancel(&t->t);
    }
    pthread_mutex_unlock(&h->lock);
}

static void hpet_destroy(void *opaque)
{
    struct dev_hpet *h = opaque;
    for (unsigned i = 0; i < HPET_TIMERS; i++)
        clock_timer_cancel(&h->tm[i].t);
    pthread_mutex_destroy(&h->lock);
    free(h);
}

static const struct ss_field timer_fields[] = {
    SS_FIELD(struct hpet_timer, config, U64), SS_FIELD(struct hpet_timer, cmp, U64),
    SS_FIELD(struct hpet_timer, period, U64), SS_FIELD(struct hpet_timer, target, U64),
    SS_TIMER_FIELD(struct hpet_timer, t), SS_END,
};
static const struct ss_field hpet_fields[] = {
    SS_FIELD(struct dev_hpet, config, U64), SS_FIELD(struct dev_hpet, isr, U64),
    SS_FIELD(struct dev_hpet, counter, U64), SS_FIELD(struct dev_hpet, t_base, U64),
    SS_STRUCT_FIELD(struct dev_hpet, tm, struct hpet_timer, timer_fields), SS_END,
};
static const struct ss_desc hpet_ss = {1, hpet_fields, NULL, NULL};

int dev_hpet_create(struct vm *vm, struct dev_ioapic *ioapic)
{
    struct dev_hpet *h = calloc(1, sizeof(*h));
    if (!h)
        return -ENOMEM;
    pthread_mutex_init(&h->lock, NULL);
    h->vm = vm;
    h->io = ioapic;
    h->legacy[0] = pc_isa_irq(vm, 0);
    h->legacy[1] = pc_isa_irq(vm, 8);
    for (unsigned i = 0; i < HPET_TIMERS; i++) {
        h->tm[i].h = h;
        h->tm[i].n = i;
        clock_timer_init(&h->tm[i].t, vm_clock(vm), timer_fire, &h->tm[i]);
    }
    hpet_reset(h);
    if (pgm_map_mmio(&vm->pgm, HPET_BASE, 0x400, &hpet_ops, h, "hpet") < 0 ||
        bus_add_device(&vm->bus, "hpet", h, hpet_reset, hpet_destroy) < 0 ||
        bus_describe(&vm->bus, h, &hpet_ss) < 0) {
        hpet_destroy(h);
        return -EBUSY;
    }
    return 0;
}
