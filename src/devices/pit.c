/* Intel 8254 PIT (ports 0x40-0x43) and the PIIX3 NMI status/control port
 * 0x61 (counter 2 gate, speaker enable, refresh toggle, OUT2).
 *
 * Nothing ticks: each counter records the virtual-clock tick (1.193182 MHz)
 * at which its counting element was loaded with n, and its value and OUT
 * at any tick are computed from the elapsed ticks per the 8254 datasheet's
 * mode descriptions. A count written to a counter in mode 2 or 3 while it
 * counts takes effect at the end of the current period (mode 2) or
 * half-cycle (mode 3); that switch is applied lazily at the first look at
 * a later tick. Counter 0's OUT drives IRQ0: a timer fires at every OUT
 * transition. The lock guards everything.
 */
#include <errno.h>
#include <stdlib.h>

#include "devices/devices.h"
#include "vm/clock.h"
#include "vm/vm.h"
#include "vm/ss.h"

#define PIT_HZ 1193182u
#define NEVER INT64_MAX
#define REFRESH_NS 15085u /* port 0x61 bit 4 period (one DRAM refresh cycle) */

struct pit_counter {
    uint8_t ctrl;         /* RW1 RW0 M2 M1 M0 BCD as last written (status byte) */
    uint8_t mode, rw;
    bool bcd, gate;
    bool have_cr;         /* a complete count was written since the control word */
    bool write_msb, read_msb;
    uint16_t cr;          /* count register as written */
    bool counting;        /* the counting element runs from start with n */
    bool paused;          /* modes 0/4 with GATE low */
    int64_t start, pause_tick;
    uint32_t n;
    bool switch_pending;  /* modes 2/3: a new count waits for the period end */
    int64_t switch_tick, switch_start;
    uint32_t switch_n;
    int64_t null_until;   /* null count is 1 until this tick */
    uint16_t idle_value;  /* counting element while not counting */
    bool idle_out;
    uint8_t latch_bytes;  /* latched count bytes still to read */
    uint16_t latch;
    bool status_latched;
    uint8_t status;
};

struct dev_pit {
    pthread_mutex_t lock;
    struct vm *vm;
    struct vm_clock *clock;
    struct irq_line irq0;
    struct clock_timer timer;
    struct pit_counter c[3];
    int64_t irq_tick;     /* counter 0's OUT was last driven for this tick */
    int irq_level;
    uint8_t port61;       /* bits 0-3 as written */
};

static int64_t now_tick(struct dev_pit *p)
{
    return (int64_t)clock_ns_to_ticks(clock_now(p->clock), PIT_HZ);
}

static uint32_t modulus(const struct pit_counter *c)
{
    return c->bcd ? 10000 : 65536;
}

static uint32_t count_of(const struct pit_counter *c, uint16_t raw)
{
    uint32_t v = raw;
    if (c->bcd)
        v = (raw & 15) + ((raw >> 4) & 15) * 10 + ((raw >> 8) & 15) * 100 + (raw >> 12) * 1000;
    return v ? v : modulus(c);
}

static uint16_t encode(const struct pit_counter *c, uint32_t v)
{
    v %= modulus(c);
    if (!c->bcd)
        return (uint16_t)v;
    return (uint16_t)((v % 10) | (v / 10 % 10) << 4 | (v / 100 % 10) << 8 | (v / 1000) << 12);
}

static uint32_t high_len(uint32_t n)
{
    return (n + 1) / 2; /* mode 3: odd counts are high one clock longer */
}

/* Applies a pending mode 2/3 count once tick t has reached it. */
static void sync(struct pit_counter *c, int64_t t)
{
    if (c->switch_pending && t >= c->switch_tick) {
        c->switch_pending = false;
        c->start = c->switch_start;
        c->n = c->switch_n;
    }
}

static int64_t elapsed(const struct pit_counter *c, int64_t t)
{
    return (c->paused ? c->pause_tick : t) - c->start;
}

static uint32_t value_at(struct pit_counter *c, int64_t t)
{
    sync(c, t);
    int64_t e = elapsed(c, t);
    /* A read in the very clock a count is loaded on sees the new count: on
     * a PC the ISA cycle of the read itself lasts about one 8254 clock, so
     * no read falls between the write and the load. */
    if (e == -1 && c->counting && !c->paused)
        e = 0;
    if (!c->counting || e < 0)
        return c->idle_value;
    uint64_t n = c->n, p = (uint64_t)e % n;
    switch (c->mode) {
    case 2: return (uint32_t)(n - p);
    case 3:
        if (n & 1) {
            if (p < high_len((uint32_t)n))
                return (uint32_t)(n - 1 - 2 * p);
            return (uint32_t)(n - 1 - 2 * (p - high_len((uint32_t)n)));
        }
        return (uint32_t)(n - 2 * (p % (n / 2)));
    default: return (uint32_t)(((int64_t)n - e % modulus(c) + modulus(c)) % modulus(c));
    }
}

static bool out_at(struct pit_counter *c, int64_t t)
{
    sync(c, t);
    int64_t e = elapsed(c, t);
    if (!c->counting || e < 0)
        return c->idle_out;
    uint64_t n = c->n;
    switch (c->mode) {
    case 0: case 1: return (uint64_t)e >= n;
    case 2: return n == 1 || (uint64_t)e % n != n - 1;
    case 3: return (uint64_t)e % n < high_len((uint32_t)n);
    default: return (uint64_t)e != n; /* modes 4, 5: one clock low */
    }
}

/* The first tick after t at which OUT may change, or NEVER. */
static int64_t next_edge(struct pit_counter *c, int64_t t)
{
    sync(c, t);
    int64_t e = elapsed(c, t), k, edge = NEVER;
    uint64_t n = c->n;
    if (!c->counting || c->paused)
        return NEVER;
    if (e < 0)
        edge = c->start; /* the load may change OUT (mode 1 goes low) */
    else switch (c->mode) {
    case 0: case 1:
        if ((uint64_t)e < n)
            edge = c->start + (int64_t)n;
        break;
    case 2: case 3: {
        if (n == 1)
            break;
        uint64_t p = (uint64_t)e % n, mid = c->mode == 2 ? n - 1 : high_len((uint32_t)n);
        k = e / (int64_t)n;
        edge = c->start + k * (int64_t)n + (int64_t)(p < mid ? mid : n);
        break;
    }
    default:
        if ((uint64_t)e <= n)
            edge = c->start + (int64_t)n + ((uint64_t)e == n);
        break;
    }
    if (c->switch_pending && c->switch_tick < edge)
        edge = c->switch_tick;
    return edge;
}

/* Drives IRQ0 through every OUT0 transition up to tick t and re-arms. */
static void irq_catch_up(struct dev_pit *p, int64_t t)
{
    struct pit_counter *c = &p->c[0];
    int64_t e;
    unsigned i;
    for (i = 0; i < 4 && (e = next_edge(c, p->irq_tick)) <= t; i++) {
        p->irq_level = out_at(c, e);
        irq_set(&p->irq0, p->irq_level);
        p->irq_tick = e;
    }
    if (i == 4 && next_edge(c, p->irq_tick) <= t) {
        /* far behind (a host stall): collapse the missed periods into one edge */
        irq_set(&p->irq0, 0);
        p->irq_level = out_at(c, t);
        irq_set(&p->irq0, p->irq_level);
    }
    if (t > p->irq_tick)
        p->irq_tick = t;
    if (out_at(c, t) != p->irq_level) { /* state changed by a register write */
        p->irq_level = out_at(c, t);
        irq_set(&p->irq0, p->irq_level);
    }
    e = next_edge(c, t);
    if (e == NEVER)
        clock_timer_cancel(&p->timer);
    else
        clock_timer_arm(&p->timer, clock_ticks_to_ns((uint64_t)e, PIT_HZ));
}

static void pit_timer(void *opaque, uint64_t now)
{
    struct dev_pit *p = opaque;
    pthread_mutex_lock(&p->lock);
    irq_catch_up(p, (int64_t)clock_ns_to_ticks(now, PIT_HZ));
    pthread_mutex_unlock(&p->lock);
}

static void stop(struct pit_counter *c, int64_t t, bool out)
{
    c->idle_value = (uint16_t)value_at(c, t);
    c->counting = c->paused = c->switch_pending = false;
    c->idle_out = out;
}

static void begin(struct pit_counter *c, int64_t start, uint32_t n)
{
    c->counting = true;
    c->paused = false;
    c->switch_pending = false;
    c->start = start;
    c->n = n;
    if (c->null_until > start)
        c->null_until = start;
}

/* A complete count is in the CR. */
static void count_written(struct pit_counter *c, int64_t t)
{
    uint32_t n = count_of(c, c->cr);
    sync(c, t);
    c->have_cr = true;
    c->null_until = NEVER;
    switch (c->mode) {
    case 0: case 4:
        begin(c, t + 1, n); /* loaded on the next CLK, which does not count */
        if (!c->gate) {
            c->paused = true;
            c->pause_tick = t + 1;
        }
        break;
    case 2: case 3:
        if (!c->counting) {
            if (c->gate)
                begin(c, t + 1, n);
        } else {
            int64_t e = elapsed(c, t), k = e / c->n, p = e % c->n;
            int64_t mid = c->mode == 2 ? c->n : high_len(c->n);
            c->switch_pending = true;
            c->switch_n = n;
            if (e < 0) {
                c->switch_tick = c->switch_start = c->start;
            } else if (p < mid) {
                c->switch_tick = c->start + k * c->n + mid;
                /* mode 3: the new count starts with the low half-cycle */
                c->switch_start = c->mode == 3 ? c->switch_tick - (int64_t)high_len(n) : c->switch_tick;
            } else {
                c->switch_tick = c->switch_start = c->start + (k + 1) * c->n;
            }
            c->null_until = c->switch_tick;
        }
        break;
    default: break; /* modes 1, 5 wait for a GATE trigger */
    }
}

static void set_gate(struct pit_counter *c, bool gate, int64_t t)
{
    bool rising = gate && !c->gate;
    sync(c, t);
    if (gate == c->gate)
        return;
    c->gate = gate;
    switch (c->mode) {
    case 0: case 4:
        if (!c->counting)
            break;
        if (!gate) {
            c->paused = true;
            c->pause_tick = t < c->start ? c->start : t;
        } else if (c->paused) {
            c->start += t - c->pause_tick;
            c->paused = false;
        }
        break;
    case 2: case 3:
        if (!gate)
            stop(c, t, true); /* OUT goes high at once */
        else if (c->have_cr)
            begin(c, t + 1, count_of(c, c->cr));
        break;
    default:
        if (rising && c->have_cr)
            begin(c, t + 1, count_of(c, c->cr));
        break;
    }
}

static void control_word(struct dev_pit *p, uint8_t v, int64_t t)
{
    if ((v >> 6) == 3) { /* read-back */
        for (unsigned i = 0; i < 3; i++) {
            struct pit_counter *c = &p->c[i];
            if (!(v & (2u << i)))
                continue;
            if (!(v & 0x20) && !c->latch_bytes) {
                c->latch = encode(c, value_at(c, t));
                c->latch_bytes = c->rw == 3 ? 2 : 1;
                c->read_msb = c->rw == 2;
            }
            if (!(v & 0x10) && !c->status_latched) {
                c->status = (uint8_t)((out_at(c, t) ? 0x80 : 0) | (t < c->null_until ? 0x40 : 0) | c->ctrl);
                c->status_latched = true;
            }
        }
        return;
    }
    struct pit_counter *c = &p->c[v >> 6];
    if (!(v & 0x30)) { /* counter latch */
        if (!c->latch_bytes) {
            c->latch = encode(c, value_at(c, t));
            c->latch_bytes = c->rw == 3 ? 2 : 1;
            c->read_msb = c->rw == 2;
        }
        return;
    }
    stop(c, t, ((v >> 1) & 7) != 0); /* mode 0 starts with OUT low, the others high */
    c->ctrl = v & 0x3f;
    c->rw = (v >> 4) & 3;
    c->mode = (v >> 1) & 7;
    if (c->mode > 5)
        c->mode -= 4; /* 6 and 7 are 2 and 3 */
    c->bcd = v & 1;
    c->have_cr = false;
    c->write_msb = c->rw == 2;
    c->read_msb = c->rw == 2;
    c->latch_bytes = 0;
    c->status_latched = false;
    c->null_until = NEVER;
}

static uint8_t counter_read(struct pit_counter *c, int64_t t)
{
    uint16_t v;
    bool msb;
    if (c->status_latched) {
        c->status_latched = false;
        return c->status;
    }
    if (c->latch_bytes) {
        v = c->latch;
        c->latch_bytes--;
    } else {
        v = encode(c, value_at(c, t));
    }
    msb = c->read_msb;
    if (c->rw == 3)
        c->read_msb = !c->read_msb;
    return msb ? (uint8_t)(v >> 8) : (uint8_t)v;
}

static void counter_write(struct pit_counter *c, uint8_t b, int64_t t)
{
    if (c->rw == 0)
        return; /* no control word yet */
    if (c->rw == 3 && !c->write_msb) {
        c->cr = (uint16_t)((c->cr & 0xff00) | b);
        c->write_msb = true;
        if (c->mode == 0) /* the first byte stops mode 0 and drops OUT */
            stop(c, t, false);
        return;
    }
    if (c->rw == 1)
        c->cr = b;
    else if (c->rw == 2)
        c->cr = (uint16_t)(b << 8);
    else {
        c->cr = (uint16_t)((c->cr & 0xff) | (b << 8));
        c->write_msb = false;
    }
    count_written(c, t);
}

static uint64_t pit_read(void *opaque, uint64_t off, unsigned size)
{
    struct dev_pit *p = opaque;
    uint8_t v = 0xff;
    (void)size;
    if (off == 3)
        return 0xff; /* the control word register cannot be read */
    pthread_mutex_lock(&p->lock);
    int64_t t = now_tick(p);
    irq_catch_up(p, t);
    v = counter_read(&p->c[off], t);
    pthread_mutex_unlock(&p->lock);
    return v;
}

static void pit_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct dev_pit *p = opaque;
    (void)size;
    pthread_mutex_lock(&p->lock);
    int64_t t = now_tick(p);
    irq_catch_up(p, t);
    if (off == 3)
        control_word(p, (uint8_t)val, t);
    else
        counter_write(&p->c[off], (uint8_t)val, t);
    irq_catch_up(p, t);
    pthread_mutex_unlock(&p->lock);
}

static uint64_t port61_read(void *opaque, uint64_t off, unsigned size)
{
    struct dev_pit *p = opaque;
    uint64_t v;
    (void)off, (void)size;
    pthread_mutex_lock(&p->lock);
    uint64_t now = clock_now(p->clock);
    v = p->port61 & 0x0f;
    v |= (now / REFRESH_NS & 1) << 4;
    v |= (uint64_t)out_at(&p->c[2], (int64_t)clock_ns_to_ticks(now, PIT_HZ)) << 5;
    pthread_mutex_unlock(&p->lock);
    return v;
}

static void port61_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct dev_pit *p = opaque;
    (void)off, (void)size;
    pthread_mutex_lock(&p->lock);
    p->port61 = val & 0x0f;
    set_gate(&p->c[2], val & 1, now_tick(p));
    pthread_mutex_unlock(&p->lock);
}

static const struct io_ops pit_ops = {pit_read, pit_write};
static const struct io_ops port61_ops = {port61_read, port61_write};

static void pit_reset(void *opaque)
{
    struct dev_pit *p = opaque;
    pthread_mutex_lock(&p->lock);
    clock_timer_cancel(&p->timer);
    /* The 8254's state is undefined until programmed; we start with every
     * counter waiting for a control word and OUT low. */
    for (unsigned i = 0; i < 3; i++) {
        p->c[i] = (struct pit_counter){0};
        p->c[i].gate = i != 2; /* counters 0 and 1 have GATE tied high */
        p->c[i].null_until = NEVER;
    }
    p->port61 = 0;
    p->irq_tick = now_tick(p);
    p->irq_level = 0;
    irq_set(&p->irq0, 0);
    pthread_mutex_unlock(&p->lock);
}

static void pit_destroy(void *opaque)
{
    struct dev_pit *p = opaque;
    clock_timer_cancel(&p->timer);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

#define F(m, t) SS_FIELD(struct pit_counter, m, t)
static const struct ss_field counter_fields[] = {
    F(ctrl, U8), SS_FIELD_MAX(struct pit_counter, mode, U8, 5), SS_FIELD_MAX(struct pit_counter, rw, U8, 3),
    F(bcd, BOOL), F(gate, BOOL), F(have_cr, BOOL), F(write_msb, BOOL), F(read_msb, BOOL), F(cr, U16),
    F(counting, BOOL), F(paused, BOOL), F(start, I64), F(pause_tick, I64), F(n, U32), F(switch_pending, BOOL),
    F(switch_tick, I64), F(switch_start, I64), F(switch_n, U32), F(null_until, I64), F(idle_value, U16),
    F(idle_out, BOOL), SS_FIELD_MAX(struct pit_counter, latch_bytes, U8, 2), F(latch, U16),
    F(status_latched, BOOL), F(status, U8), SS_END,
};
#undef F
static const struct ss_field pit_fields[] = {
    SS_TIMER_FIELD(struct dev_pit, timer),
    SS_STRUCT_FIELD(struct dev_pit, c, struct pit_counter, counter_fields),
    SS_FIELD(struct dev_pit, irq_tick, I64), SS_FIELD(struct dev_pit, irq_level, I32),
    SS_FIELD(struct dev_pit, port61, U8), SS_END,
};
static const struct ss_desc pit_ss = {1, pit_fields, NULL, NULL};

int dev_pit_create(struct vm *vm, struct irq_line irq0, struct dev_pit **out)
{
    struct dev_pit *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    pthread_mutex_init(&p->lock, NULL);
    p->vm = vm;
    p->clock = vm_clock(vm);
    p->irq0 = irq0;
    clock_timer_init(&p->timer, p->clock, pit_timer, p);
    pit_reset(p);
    if (bus_pio_register(&vm->bus, 0x40, 4, &pit_ops, p, "pit") < 0 ||
        bus_pio_register(&vm->bus, 0x61, 1, &port61_ops, p, "port61") < 0 ||
        bus_add_device(&vm->bus, "pit", p, pit_reset, pit_destroy) < 0 ||
        bus_describe(&vm->bus, p, &pit_ss) < 0) {
        pit_destroy(p);
        return -EBUSY;
    }
    *out = p;
    return 0;
}
