/* QEMU's pc-testdev, for kvm-unit-tests: scratch ports 0xE0-0xE3 and
 * 0xE8-0xEB, a page-flush hook at 0xE4 (a write asks every vCPU to flush
 * its TLB) and 0x2000+N (N < 24, the ISA IRQs 0-15 here): writing a
 * nonzero value raises IRQ N, zero lowers it. Also the ACPI PM timer: a
 * free-running 24-bit count at 3.579545 MHz read as a dword. */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "devices/devices.h"
#include "vm/clock.h"
#include "vm/vm.h"

#define PM_HZ 3579545u

struct testdev {
    struct vm *vm;
    _Atomic uint32_t scratch[3];
};

static uint64_t io_read(void *opaque, uint64_t off, unsigned size)
{
    struct testdev *t = opaque;
    uint32_t v = atomic_load(&t->scratch[off / 4]) >> (8 * (off & 3));
    return size >= 4 ? v : v & ((1u << (8 * size)) - 1);
}

static void io_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct testdev *t = opaque;
    if (off / 4 == 1) {
        for (unsigned i = 0; i < t->vm->ncpus; i++)
            vcpu_ff_set(&t->vm->cpus[i], VCPU_FF_TLB_FLUSH);
        return;
    }
    unsigned shift = 8 * (off & 3);
    uint32_t mask = (size >= 4 ? ~0u : (1u << (8 * size)) - 1) << shift;
    uint32_t old = atomic_load(&t->scratch[off / 4]), new;
    do
        new = (old & ~mask) | (((uint32_t)val << shift) & mask);
    while (!atomic_compare_exchange_weak(&t->scratch[off / 4], &old, new));
}

static uint64_t irq_read(void *opaque, uint64_t off, unsigned size)
{
    (void)opaque, (void)off, (void)size;
    return 0;
}

static void irq_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct testdev *t = opaque;
    struct irq_line l = pc_isa_irq(t->vm, (unsigned)off);
    (void)size;
    irq_set(&l, val != 0);
}

static const struct io_ops io_ops = {io_read, io_write};
static const struct io_ops irq_ops = {irq_read, irq_write};

static void testdev_reset(void *opaque)
{
    struct testdev *t = opaque;
    for (unsigned i = 0; i < 3; i++)
        atomic_store(&t->scratch[i], 0);
}

int dev_testdev_create(struct vm *vm)
{
    struct testdev *t = calloc(1, sizeof(*t));
    if (!t)
        return -ENOMEM;
    t->vm = vm;
    if (bus_pio_register(&vm->bus, 0xe0, 12, &io_ops, t, "pc-testdev") < 0 ||
        bus_pio_register(&vm->bus, 0x2000, 24, &irq_ops, t, "pc-testdev-irq") < 0 ||
        bus_add_device(&vm->bus, "pc-testdev", t, testdev_reset, free) < 0) {
        free(t);
        return -EBUSY;
    }
    return 0;
}

static uint64_t pmtimer_read(void *opaque, uint64_t off, unsigned size)
{
    struct vm_clock *c = opaque;
    uint32_t v = (uint32_t)clock_ns_to_ticks(clock_now(c), PM_HZ) & 0xffffff;
    v >>= 8 * (off & 3);
    return size >= 4 ? v : v & ((1u << (8 * size)) - 1);
}

static void pmtimer_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    (void)opaque, (void)off, (void)val, (void)size; /* read only */
}

static const struct io_ops pmtimer_ops = {pmtimer_read, pmtimer_write};

int dev_pmtimer_create(struct vm *vm, uint16_t port)
{
    return bus_pio_register(&vm->bus, port, 4, &pmtimer_ops, vm_clock(vm), "acpi-pm-timer");
}
