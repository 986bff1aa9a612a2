/* The 82093AA I/O APIC at 0xFEC00000: IOREGSEL (offset 0) selects a
 * register that IOWIN (offset 0x10) reads and writes; ID, version
 * 0x00170011 (24 entries), arbitration ID and 24 64-bit redirection
 * entries.
 *
 * Invariants:
 * - It shares the local APICs' lock (apic_bus_lock): a delivery and the
 *   EOI broadcast that clears remote IRR happen under it.
 * - An edge-triggered pin delivers on each rising edge while unmasked;
 *   an edge on a masked pin is lost (datasheet 3.2.4).
 * - A level-triggered pin delivers while its input is asserted, unmasked
 *   and remote IRR is clear; delivery sets remote IRR, an EOI of the
 *   entry's vector clears it and re-delivers if the input is still high.
 * - Polarity is stored but not applied: every source here drives its
 *   line active high, as QEMU's models do, whatever the firmware tables
 *   tell the guest about the board's wiring.
 */
#include <errno.h>
#include <stdlib.h>

#include "devices/ioapic.h"
#include "devices/lapic.h"
#include "vm/vm.h"
#include "vm/ss.h"

#define RTE_MASKED     (1ull << 16)
#define RTE_LEVEL      (1ull << 15)
#define RTE_REMOTE_IRR (1ull << 14)
#define RTE_LOGICAL    (1ull << 11)
/* vector, delivery mode, destination mode, polarity, trigger, mask, destination */
#define RTE_WMASK 0xff0000000001afffull
#define IOAPIC_VERSION (0x11u | (IOAPIC_PINS - 1u) << 16)

struct dev_ioapic {
    struct dev_apic *apic;
    uint8_t sel;
    uint32_t id;
    uint32_t lines; /* input levels */
    uint64_t rte[IOAPIC_PINS];
};

static void deliver(struct dev_ioapic *io, unsigned pin)
{
    uint64_t e = io->rte[pin];
    bool level = e & RTE_LEVEL;
    if (e & RTE_MASKED)
        return;
    if (level) {
        if (e & RTE_REMOTE_IRR)
            return;
        io->rte[pin] |= RTE_REMOTE_IRR;
    }
    apic_bus_deliver_locked(io->apic, (uint32_t)(e >> 56), e & RTE_LOGICAL, false, (e >> 8) & 7,
                            (unsigned)(e & 0xff), level);
}

void ioapic_set_irq(void *opaque, unsigned pin, int level)
{
    struct dev_ioapic *io = opaque;
    if (pin >= IOAPIC_PINS)
        return;
    uint32_t m = 1u << pin;
    apic_bus_lock(io->apic);
    bool was = io->lines & m;
    io->lines = level ? io->lines | m : io->lines & ~m;
    if (level && (!was || (io->rte[pin] & RTE_LEVEL)))
        deliver(io, pin);
    apic_bus_unlock(io->apic);
}

/* Called by a local APIC under the shared lock. */
static void eoi_broadcast(void *opaque, unsigned vector)
{
    struct dev_ioapic *io = opaque;
    for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
        uint64_t e = io->rte[pin];
        if ((e & 0xff) != vector || !(e & RTE_REMOTE_IRR))
            continue;
        io->rte[pin] &= ~RTE_REMOTE_IRR;
        if ((io->lines >> pin) & 1)
            deliver(io, pin);
    }
}

static uint32_t reg_read(struct dev_ioapic *io)
{
    unsigned s = io->sel;
    switch (s) {
    case 0: return io->id;
    case 1: return IOAPIC_VERSION;
    case 2: return io->id; /* arbitration ID follows the ID */
    default:
        if (s >= 0x10 && s < 0x10 + 2 * IOAPIC_PINS)
            return (uint32_t)(io->rte[(s - 0x10) / 2] >> (s & 1 ? 32 : 0));
        return 0;
    }
}

static void reg_write(struct dev_ioapic *io, uint32_t v)
{
    unsigned s = io->sel;
    if (s == 0) {
        io->id = v & 0x0f000000u;
        return;
    }
    if (s < 0x10 || s >= 0x10 + 2 * IOAPIC_PINS)
        return; /* version, arbitration: read only */
    unsigned pin = (s - 0x10) / 2;
    uint64_t e = io->rte[pin], w = s & 1 ? (uint64_t)v << 32 | (e & 0xffffffffu) : (e & ~0xffffffffull) | v;
    io->rte[pin] = (e & ~RTE_WMASK) | (w & RTE_WMASK);
    if (!(io->rte[pin] & RTE_LEVEL))
        io->rte[pin] &= ~RTE_REMOTE_IRR;
    /* an unmasked level input that is already asserted delivers now */
    if ((io->rte[pin] & RTE_LEVEL) && ((io->lines >> pin) & 1))
        deliver(io, pin);
}

static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size)
{
    struct dev_ioapic *io = opaque;
    uint64_t v = 0;
    apic_bus_lock(io->apic);
    if ((off & ~3ull) == 0)
        v = io->sel;
    else if ((off & ~3ull) == 0x10)
        v = reg_read(io);
    apic_bus_unlock(io->apic);
    v >>= 8 * (off & 3);
    return size >= 4 ? v : v & ((1u << (8 * size)) - 1);
}

static void mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct dev_ioapic *io = opaque;
    apic_bus_lock(io->apic);
    if (off == 0)
        io->sel = (uint8_t)val;
    else if (off == 0x10 && size >= 4)
        reg_write(io, (uint32_t)val);
    apic_bus_unlock(io->apic);
}

static const struct io_ops ioapic_ops = {mmio_read, mmio_write};

static void ioapic_reset(void *opaque)
{
    struct dev_ioapic *io = opaque;
    apic_bus_lock(io->apic);
    io->sel = 0;
    io->id = 0;
    for (unsigned i = 0; i < IOAPIC_PINS; i++)
        io->rte[i] = RTE_MASKED;
    apic_bus_unlock(io->apic);
}

static void ioapic_destroy(void *opaque)
{
    free(opaque);
}

static const struct ss_field ioapic_fields[] = {
    SS_FIELD(struct dev_ioapic, sel, U8), SS_FIELD(struct dev_ioapic, id, U32),
    SS_FIELD(struct dev_ioapic, lines, U32), SS_FIELD(struct dev_ioapic, rte, U64), SS_END,
};
static const struct ss_desc ioapic_ss = {1, ioapic_fields, NULL, NULL};

int dev_ioapic_create(struct vm *vm, struct dev_apic *apic, struct dev_ioapic **out)
{
    struct dev_ioapic *io = calloc(1, sizeof(*io));
    if (!io)
        return -ENOMEM;
    io->apic = apic;
    ioapic_reset(io);
    if (pgm_map_mmio(&vm->pgm, IOAPIC_BASE, 0x1000, &ioapic_ops, io, "ioapic") < 0 ||
        bus_add_device(&vm->bus, "ioapic", io, ioapic_reset, ioapic_destroy) < 0 ||
        bus_describe(&vm->bus, io, &ioapic_ss) < 0) {
        free(io);
        return -EBUSY;
    }
    apic_set_eoi_hook(apic, eoi_broadcast, io);
    *out = io;
    return 0;
}
