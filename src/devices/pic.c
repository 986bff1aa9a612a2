/* Dual Intel 8259A PIC as wired in a PC (slave INT on master IR2) with the
 * PIIX3 edge/level control registers (ELCR, ports 0x4D0/0x4D1).
 *
 * Per the 8259A datasheet an IR input must stay high until the first INTA:
 * the request latch follows the falling edge in both trigger modes, and an
 * acknowledge without a valid request yields the default IR7 (spurious)
 * vector without setting an ISR bit. LTIM in ICW1 is ignored: the PIIX3
 * replaces it with the ELCR. Priorities: `lowest` is the IR with the lowest
 * priority (IR7 after ICW1); the one after it (mod 8) has the highest.
 * The lock guards everything; the INTR output is pushed to vCPU 0's
 * VCPU_FF_INTERRUPT_PIC whenever it changes.
 */
#include <errno.h>
#include <stdlib.h>

#include "devices/devices.h"
#include "vm/vm.h"
#include "vm/ss.h"

struct pic_chip {
    uint8_t edge;       /* rising edges latched since the last INTA / falling edge */
    uint8_t lines;      /* current input levels */
    uint8_t isr, imr, elcr, elcr_mask;
    uint8_t vector_base, icw3, lowest;
    uint8_t init_step;  /* 0: operational; 2,3,4: the ICW expected next */
    bool icw4_needed, single, auto_eoi, rotate_aeoi, sfnm, special_mask;
    bool read_isr, poll;
};

struct dev_pic {
    pthread_mutex_t lock;
    struct vm *vm;
    struct pic_chip c[2];
    bool intr;
};

static uint8_t chip_irr(const struct pic_chip *p)
{
    return (uint8_t)((p->edge & ~p->elcr) | (p->lines & p->elcr));
}

/* Priority level of IR n: 0 is the highest. */
static unsigned prio(const struct pic_chip *p, unsigned n)
{
    return (n - p->lowest - 1) & 7;
}

/* The highest-priority IR set in mask, or -1. */
static int highest(const struct pic_chip *p, uint8_t mask)
{
    for (unsigned i = 0; i < 8; i++) {
        unsigned n = (p->lowest + 1 + i) & 7;
        if (mask & (1u << n))
            return (int)n;
    }
    return -1;
}

/* The IR this chip would present at INTA, or -1 (INT output low). */
static int pending(const struct pic_chip *p, bool master)
{
    int req = highest(p, chip_irr(p) & ~p->imr);
    if (req < 0)
        return -1;
    uint8_t blocking = p->special_mask ? (uint8_t)(p->isr & ~p->imr) : p->isr;
    int svc = highest(p, blocking);
    if (svc < 0 || prio(p, (unsigned)req) < prio(p, (unsigned)svc))
        return req;
    /* special fully nested: the slave in service may interrupt again */
    if (master && p->sfnm && req == 2 && svc == 2)
        return req;
    return -1;
}

static void set_line(struct pic_chip *p, unsigned n, int level)
{
    uint8_t m = (uint8_t)(1u << n);
    if (level) {
        if (!(p->lines & m))
            p->edge |= m;
        p->lines |= m;
    } else {
        p->lines &= (uint8_t)~m;
        p->edge &= (uint8_t)~m;
    }
}

static void update(struct dev_pic *pic)
{
    set_line(&pic->c[0], 2, pending(&pic->c[1], false) >= 0);
    bool intr = pending(&pic->c[0], true) >= 0;
    if (intr == pic->intr)
        return;
    pic->intr = intr;
    if (intr)
        vcpu_ff_set(&pic->vm->cpus[0], VCPU_FF_INTERRUPT_PIC);
    else
        vcpu_ff_clear(&pic->vm->cpus[0], VCPU_FF_INTERRUPT_PIC);
}

void dev_pic_set_irq(void *opaque, unsigned n, int level)
{
    struct dev_pic *pic = opaque;
    if (n >= 16 || n == 2)
        return; /* IR2 of the master is the cascade input */
    pthread_mutex_lock(&pic->lock);
    set_line(&pic->c[n >> 3], n & 7, level);
    update(pic);
    pthread_mutex_unlock(&pic->lock);
}

/* One chip's INTA cycle: returns the IR acknowledged, or 7 for a spurious one. */
static unsigned ack_chip(struct pic_chip *p, bool master)
{
    int n = pending(p, master);
    if (n < 0)
        return 7;
    uint8_t m = (uint8_t)(1u << n);
    p->edge &= (uint8_t)~m;
    if (p->auto_eoi) {
        if (p->rotate_aeoi)
            p->lowest = (uint8_t)n;
    } else {
        p->isr |= m;
    }
    return (unsigned)n;
}

static int ack_locked(struct dev_pic *pic)
{
    unsigned n = ack_chip(&pic->c[0], true);
    int vec;
    if (n == 2 && !pic->c[0].single) {
        unsigned s = ack_chip(&pic->c[1], false);
        vec = (pic->c[1].vector_base & 0xf8) | (int)s;
    } else {
        vec = (pic->c[0].vector_base & 0xf8) | (int)n;
    }
    update(pic);
    return vec;
}

int dev_pic_intr_ack(void *opaque)
{
    struct dev_pic *pic = opaque;
    int vec;
    pthread_mutex_lock(&pic->lock);
    vec = ack_locked(pic);
    pthread_mutex_unlock(&pic->lock);
    return vec;
}

/* Poll command: the read acts as an INTA and returns I (bit 7) and the IR. */
static uint8_t poll_read(struct dev_pic *pic, unsigned idx)
{
    struct pic_chip *p = &pic->c[idx];
    int n = pending(p, idx == 0);
    p->poll = false;
    if (n < 0)
        return 0;
    ack_chip(p, idx == 0);
    update(pic);
    return (uint8_t)(0x80 | n);
}

static void eoi(struct pic_chip *p, unsigned cmd)
{
    unsigned level = cmd & 7;
    uint8_t in_service = p->special_mask ? (uint8_t)(p->isr & ~p->imr) : p->isr;
    int n;

    switch (cmd >> 5) {
    case 1: /* non-specific EOI */
    case 5: /* rotate on non-specific EOI */
        n = highest(p, in_service);
        if (n >= 0) {
            p->isr &= (uint8_t)~(1u << n);
            if (cmd >> 5 == 5)
                p->lowest = (uint8_t)n;
        }
        break;
    case 3: /* specific EOI */
        p->isr &= (uint8_t)~(1u << level);
        break;
    case 7: /* rotate on specific EOI */
        p->isr &= (uint8_t)~(1u << level);
        p->lowest = (uint8_t)level;
        break;
    case 6: /* set priority */
        p->lowest = (uint8_t)level;
        break;
    case 4: p->rotate_aeoi = true; break;
    case 0: p->rotate_aeoi = false; break;
    default: break; /* 2: no operation */
    }
}

static void icw1(struct pic_chip *p, uint8_t v)
{
    /* ICW1 resets the edge sense circuit, clears IMR and special mask,
     * gives IR7 the lowest priority and selects IRR for status reads. */
    p->edge = 0;
    p->isr = 0;
    p->imr = 0;
    p->lowest = 7;
    p->special_mask = false;
    p->read_isr = false;
    p->poll = false;
    p->rotate_aeoi = false;
    p->icw4_needed = v & 1;
    p->single = (v & 2) != 0;
    if (!p->icw4_needed)
        p->auto_eoi = p->sfnm = false;
    p->init_step = 2;
}

static void chip_write(struct pic_chip *p, unsigned a0, uint8_t v)
{
    if (!a0) {
        if (v & 0x10)
            icw1(p, v);
        else if (v & 0x08) { /* OCW3 */
            if (v & 0x40)
                p->special_mask = (v & 0x20) != 0;
            if (v & 0x02)
                p->read_isr = v & 1;
            p->poll = (v & 0x04) != 0;
        } else {
            eoi(p, v);
        }
        return;
    }
    switch (p->init_step) {
    case 2:
        p->vector_base = v & 0xf8;
        p->init_step = p->single ? (p->icw4_needed ? 4 : 0) : 3;
        break;
    case 3:
        p->icw3 = v;
        p->init_step = p->icw4_needed ? 4 : 0;
        break;
    case 4:
        p->auto_eoi = (v & 2) != 0;
        p->sfnm = (v & 0x10) != 0;
        p->init_step = 0;
        break;
    default:
        p->imr = v; /* OCW1 */
        break;
    }
}

static uint64_t pic_read(void *opaque, uint64_t off, unsigned size, unsigned idx)
{
    struct dev_pic *pic = opaque;
    struct pic_chip *p = &pic->c[idx];
    uint8_t v;
    (void)size;
    pthread_mutex_lock(&pic->lock);
    if (p->poll)
        v = poll_read(pic, idx);
    else if (off & 1)
        v = p->imr;
    else
        v = p->read_isr ? p->isr : chip_irr(p);
    pthread_mutex_unlock(&pic->lock);
    return v;
}

static void pic_write(void *opaque, uint64_t off, uint64_t val, unsigned size, unsigned idx)
{
    struct dev_pic *pic = opaque;
    (void)size;
    pthread_mutex_lock(&pic->lock);
    chip_write(&pic->c[idx], off & 1, (uint8_t)val);
    update(pic);
    pthread_mutex_unlock(&pic->lock);
}

static uint64_t master_read(void *o, uint64_t off, unsigned size) { return pic_read(o, off, size, 0); }
static uint64_t slave_read(void *o, uint64_t off, unsigned size) { return pic_read(o, off, size, 1); }
static void master_write(void *o, uint64_t off, uint64_t v, unsigned size) { pic_write(o, off, v, size, 0); }
static void slave_write(void *o, uint64_t off, uint64_t v, unsigned size) { pic_write(o, off, v, size, 1); }

static uint64_t elcr_read(void *opaque, uint64_t off, unsigned size)
{
    struct dev_pic *pic = opaque;
    uint64_t v;
    pthread_mutex_lock(&pic->lock);
    v = pic->c[off & 1].elcr;
    if (size >= 2 && off == 0)
        v |= (uint64_t)pic->c[1].elcr << 8;
    pthread_mutex_unlock(&pic->lock);
    return v;
}

static void elcr_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct dev_pic *pic = opaque;
    pthread_mutex_lock(&pic->lock);
    for (unsigned i = 0; i < size && off + i < 2; i++) {
        struct pic_chip *p = &pic->c[off + i];
        p->elcr = (uint8_t)(val >> (8 * i)) & p->elcr_mask;
    }
    update(pic);
    pthread_mutex_unlock(&pic->lock);
}

static const struct io_ops master_ops = {master_read, master_write};
static const struct io_ops slave_ops = {slave_read, slave_write};
static const struct io_ops elcr_ops = {elcr_read, elcr_write};

static void pic_reset(void *opaque)
{
    struct dev_pic *pic = opaque;
    pthread_mutex_lock(&pic->lock);
    for (unsigned i = 0; i < 2; i++) {
        struct pic_chip *p = &pic->c[i];
        uint8_t lines = p->lines;
        *p = (struct pic_chip){0};
        p->lines = lines; /* inputs are wires: their levels survive the reset */
        /* The 8259A is undefined until ICW1; all-masked keeps a guest that
         * never programs it from seeing vectors 0-15 as interrupts. */
        p->imr = 0xff;
        p->lowest = 7;
        p->elcr_mask = i ? 0xde : 0xf8; /* PIIX3: IRQ0-2, 8 and 13 are edge only */
    }
    pic->c[1].vector_base = 8; /* distinct vectors until the guest sets ICW2 */
    update(pic);
    pthread_mutex_unlock(&pic->lock);
}

static void pic_destroy(void *opaque)
{
    struct dev_pic *pic = opaque;
    pthread_mutex_destroy(&pic->lock);
    free(pic);
}

#define F(m, t) SS_FIELD(struct pic_chip, m, t)
static const struct ss_field chip_fields[] = {
    F(edge, U8), F(lines, U8), F(isr, U8), F(imr, U8), F(elcr, U8), F(elcr_mask, U8), F(vector_base, U8),
    F(icw3, U8), SS_FIELD_MAX(struct pic_chip, lowest, U8, 7),
    SS_FIELD_MAX(struct pic_chip, init_step, U8, 4),
    F(icw4_needed, BOOL), F(single, BOOL), F(auto_eoi, BOOL), F(rotate_aeoi, BOOL), F(sfnm, BOOL),
    F(special_mask, BOOL), F(read_isr, BOOL), F(poll, BOOL), SS_END,
};
#undef F
static const struct ss_field pic_fields[] = {
    SS_STRUCT_FIELD(struct dev_pic, c, struct pic_chip, chip_fields), SS_FIELD(struct dev_pic, intr, BOOL),
    SS_END,
};
static const struct ss_desc pic_ss = {1, pic_fields, NULL, NULL};

int dev_pic_create(struct vm *vm, struct dev_pic **out)
{
    struct dev_pic *pic = calloc(1, sizeof(*pic));
    if (!pic)
        return -ENOMEM;
    pthread_mutex_init(&pic->lock, NULL);
    pic->vm = vm;
    pic_reset(pic);
    if (bus_pio_register(&vm->bus, 0x20, 2, &master_ops, pic, "pic-master") < 0 ||
        bus_pio_register(&vm->bus, 0xa0, 2, &slave_ops, pic, "pic-slave") < 0 ||
        bus_pio_register(&vm->bus, 0x4d0, 2, &elcr_ops, pic, "elcr") < 0 ||
        bus_add_device(&vm->bus, "pic", pic, pic_reset, pic_destroy) < 0 ||
        bus_describe(&vm->bus, pic, &pic_ss) < 0) {
        pic_destroy(pic);
        return -EBUSY;
    }
    vm->intr_ack = dev_pic_intr_ack;
    vm->intr_opaque = pic;
    *out = pic;
    return 0;
}
