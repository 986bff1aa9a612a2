/* QEMU's pc-testdev, for kvm-unit-tests; present only with -device
 * pc-testdev (the QEMU machine has it only then, and its 0xE0-0xEB ports
 * would shadow a debug console at 0xE9). As QEMU's model:
 * - 0xE0-0xE3 and 0xE8-0xEB: one 32-bit scratch register, reachable
 *   through either window with any access size at any byte offset (a
 *   debug console at 0xE9, created first, keeps that port);
 * - 0xE4-0xE7: a write names a guest page whose cached translations must
 *   go; here every vCPU flushes its TLB;
 * - 0x2000+N (N < 24; the ISA IRQs 0-15 here): a nonzero write raises
 *   IRQ N, zero lowers it;
 * - 64 KiB of MMIO at 0xFF000000 that behaves as RAM (what is written is
 *   read back, whatever the sizes), so instruction-emulation tests can put
 *   memory operands on an MMIO page.
 * Also the ACPI PM timer (always present): a free-running 24-bit count at
 * 3.579545 MHz read as a dword.
 *
 * Invariant: the scratch register and the MMIO window are the device's
 * only state; both are zero after reset.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "devices/devices.h"
#include "vm/clock.h"
#include "vm/vm.h"
#include "vm/ss.h"

#define PM_HZ 3579545u
#define IOMEM_BASE 0xff000000u
#define IOMEM_LEN 0x10000u

struct testdev {
    struct vm *vm;
    _Atomic uint32_t scratch;
    uint8_t iomem[IOMEM_LEN];
};

static uint32_t size_mask(unsigned size)
{
    return size >= 4 ? ~0u : (1u << (8 * size)) - 1;
}

static uint64_t io_read(void *opaque, uint64_t off, unsigned size)
{
    struct testdev *t = opaque;
    return (atomic_load(&t->scratch) >> (8 * (off & 3))) & size_mask(size);
}

static void io_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct testdev *t = opaque;
    unsigned shift = 8 * (off & 3);
    uint32_t mask = size_mask(size) << shift;
    uint32_t old = atomic_load(&t->scratch), new;
    do
        new = (old & ~mask) | (((uint32_t)val << shift) & mask);
    while (!atomic_compare_exchange_weak(&t->scratch, &old, new));
}

/* The upper half of the 0xE8 window on its own (0xEA-0xEB). */
static uint64_t io_hi_read(void *opaque, uint64_t off, unsigned size)
{
    return io_read(opaque, off + 2, size);
}

static void io_hi_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    io_write(opaque, off + 2, val, size);
}

static uint64_t flush_read(void *opaque, uint64_t off, unsigned size)
{
    (void)opaque, (void)off, (void)size;
    return 0;
}

static void flush_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct testdev *t = opaque;
    (void)off, (void)val, (void)size;
    for (unsigned i = 0; i < t->vm->ncpus; i++)
        vcpu_ff_set(&t->vm->cpus[i], VCPU_FF_TLB_FLUSH);
}

static void irq_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct testdev *t = opaque;
    struct irq_line l = pc_isa_irq(t->vm, (unsigned)off);
    (void)size;
    irq_set(&l, val != 0);
}

/* The MMIO window: PGM splits accesses into naturally aligned pieces of at
 * most 8 bytes inside the range, so offset + size never passes the end. */
static uint64_t iomem_read(void *opaque, uint64_t off, unsigned size)
{
    struct testdev *t = opaque;
    uint64_t v = 0;
    if (off < IOMEM_LEN && size <= 8 && size <= IOMEM_LEN - off)
        memcpy(&v, t->iomem + off, size);
    return v;
}

static void iomem_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct testdev *t = opaque;
    if (off < IOMEM_LEN && size <= 8 && size <= IOMEM_LEN - off)
        memcpy(t->iomem + off, &val, size);
}

static const struct io_ops io_ops = {io_read, io_write};
static const struct io_ops io_hi_ops = {io_hi_read, io_hi_write};
static const struct io_ops flush_ops = {flush_read, flush_write};
static const struct io_ops irq_ops = {flush_read, irq_write};
static const struct io_ops iomem_ops = {iomem_read, iomem_write};

static void testdev_reset(void *opaque)
{
    struct testdev *t = opaque;
    atomic_store(&t->scratch, 0);
    memset(t->iomem, 0, sizeof(t->iomem));
}

static const struct ss_field testdev_fields[] = {
    SS_FIELD(struct testdev, scratch, U32), SS_FIELD(struct testdev, iomem, U8), SS_END,
};
static const struct ss_desc testdev_ss = {1, testdev_fields, NULL, NULL};

int dev_testdev_create(struct vm *vm)
{
    struct testdev *t = calloc(1, sizeof(*t));
    if (!t)
        return -ENOMEM;
    t->vm = vm;
    if (bus_add_device(&vm->bus, "pc-testdev", t, testdev_reset, free) < 0 ||
        bus_describe(&vm->bus, t, &testdev_ss) < 0) {
        free(t);
        return -ENOSPC;
    }
    /* the bus owns t from here: a failure leaves it to vm_destroy */
    if (bus_pio_register(&vm->bus, 0xe0, 4, &io_ops, t, "pc-testdev") < 0 ||
        bus_pio_register(&vm->bus, 0xe4, 4, &flush_ops, t, "pc-testdev-flush") < 0 ||
        bus_pio_register(&vm->bus, 0x2000, 24, &irq_ops, t, "pc-testdev-irq") < 0 ||
        pgm_map_mmio(&vm->pgm, IOMEM_BASE, IOMEM_LEN, &iomem_ops, t, "pc-testdev-iomem") < 0)
        return -EBUSY;
    /* a debug console at 0xE9 keeps its port: the window is then 0xE8, 0xEA-0xEB */
    if (bus_pio_register(&vm->bus, 0xe8, 4, &io_ops, t, "pc-testdev-byte") < 0 &&
        (bus_pio_register(&vm->bus, 0xe8, 1, &io_ops, t, "pc-testdev-byte") < 0 ||
         bus_pio_register(&vm->bus, 0xea, 2, &io_hi_ops, t, "pc-testdev-byte") < 0))
        return -EBUSY;
    return 0;
}

static uint64_t pmtimer_read(void *opaque, uint64_t off, unsigned size)
{
    struct vm_clock *c = opaque;
    uint32_t v = (uint32_t)clock_ns_to_ticks(clock_now(c), PM_HZ) & 0xffffff;
    return (v >> (8 * (off & 3))) & size_mask(size);
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
