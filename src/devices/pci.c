/* PCI: configuration mechanism #1 (0xCF8 address, 0xCFC-0xCFF data) on
 * bus 0, a small device framework (config space with writable masks, BAR
 * sizing and mapping, INTx), the i440FX host bridge (0:0.0) and the PIIX3
 * PCI-to-ISA bridge (0:1.0) with its PIRQ route registers.
 *
 * Byte accesses to 0xCF9 reach the PIIX3 reset control register; other
 * non-dword accesses to 0xCF8-0xCFB are not configuration cycles and go
 * nowhere (all ones). INTx of a device in slot s, pin p (1-4 = A-D) is
 * PIRQ (s + p - 1) mod 4; a PIRQ route register maps it to an ISA IRQ
 * (bit 7 disables). Lines are level and shared: an IRQ is high while any
 * routed INTx is. The lock guards the address latch, config spaces and the
 * INTx levels.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/devices.h"
#include "devices/pci.h"
#include "vm/vm.h"
#include "vm/ss.h"

struct dev_pci {
    pthread_mutex_t lock;
    struct vm *vm;
    void *rcr;
    uint32_t addr;
    struct pci_device *devs[256]; /* by devfn on bus 0 */
    struct pci_device host, isa;
    uint8_t pirq_irq[4];          /* the ISA IRQ each PIRQ drives now, 0xff none */
    int pirq_level[4];            /* devices asserting each PIRQ */
    uint16_t pirq_high;           /* the ISA IRQs the PIRQs hold high now */
};

static uint32_t cfg_get(const struct pci_device *d, unsigned off, unsigned size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)d->cfg[off + i] << (8 * i);
    return v;
}

void pci_set_ids(struct pci_device *d, uint16_t vendor, uint16_t device, uint32_t class_rev, uint8_t header)
{
    d->cfg[0] = (uint8_t)vendor;
    d->cfg[1] = (uint8_t)(vendor >> 8);
    d->cfg[2] = (uint8_t)device;
    d->cfg[3] = (uint8_t)(device >> 8);
    for (unsigned i = 0; i < 4; i++)
        d->cfg[8 + i] = (uint8_t)(class_rev >> (8 * i));
    d->cfg[0x0e] = header;
    d->wmask[0x04] = 0xff; /* command */
    d->wmask[0x05] = 0x03;
    d->wmask[0x0c] = 0xff; /* cache line size */
    d->wmask[0x0d] = 0xff; /* latency timer */
    d->wmask[0x3c] = 0xff; /* interrupt line */
}

int pci_register_bar(struct pci_device *d, unsigned n, uint32_t size, bool io, const struct io_ops *ops,
                     void *opaque)
{
    if (n >= 6 || size < (io ? 4u : 16u) || (size & (size - 1)))
        return -EINVAL;
    d->bar[n] = (struct pci_bar){.size = size, .io = io, .ops = ops, .opaque = opaque, .mapped = ~0ull};
    uint32_t mask = ~(size - 1);
    for (unsigned i = 0; i < 4; i++)
        d->wmask[0x10 + 4 * n + i] = (uint8_t)(mask >> (8 * i)) & (i ? 0xff : (io ? 0xfc : 0xf0));
    d->cfg[0x10 + 4 * n] = io ? 1 : 0;
    return 0;
}

void pci_set_rom(struct pci_device *d, const uint8_t *rom, uint32_t size)
{
    uint32_t mask = ~(size - 1);
    d->rom = rom;
    d->rom_size = size;
    d->rom_mapped = ~0ull;
    for (unsigned i = 0; i < 4; i++)
        d->wmask[0x30 + i] = (uint8_t)(mask >> (8 * i));
    d->wmask[0x30] = (uint8_t)((mask & 0xfe) | 1); /* bit 0: decode enable */
}

static void unmap_bar(struct dev_pci *p, struct pci_bar *b)
{
    if (b->mapped == ~0ull)
        return;
    if (b->io)
        bus_pio_unregister(&p->vm->bus, (uint32_t)b->mapped, b->size);
    else
        pgm_unmap(&p->vm->pgm, b->mapped, b->size);
    b->mapped = ~0ull;
}

/* Where BAR n decodes now, or ~0: not enabled, or at an address no one
 * can reach (0, or all ones while the guest sizes it). */
static uint64_t bar_target(const struct pci_device *d, const struct pci_bar *b, unsigned n)
{
    uint16_t cmd = (uint16_t)cfg_get(d, 4, 2);
    uint32_t base = cfg_get(d, 0x10 + 4 * n, 4) & ~(b->size - 1) & (b->io ? ~3u : ~15u);
    if (!b->size || !base || base == ~(b->size - 1) || !(cmd & (b->io ? 1 : 2)))
        return ~0ull;
    return base;
}

static uint64_t rom_target(const struct pci_device *d)
{
    uint32_t v = cfg_get(d, 0x30, 4), base = v & ~(d->rom_size - 1);
    if (!d->rom_size || !(v & 1) || !base || !(cfg_get(d, 4, 2) & 2))
        return ~0ull;
    return base;
}

/* Makes the mappings follow the BARs, the expansion ROM BAR and the
 * command register: a BAR that moved or lost its decode is unmapped
 * before it is mapped again. */
static void map_bars(struct dev_pci *p, struct pci_device *d)
{
    for (unsigned n = 0; n < 6; n++) {
        struct pci_bar *b = &d->bar[n];
        uint64_t base = bar_target(d, b, n);
        if (base == b->mapped)
            continue;
        unmap_bar(p, b);
        if (base == ~0ull)
            continue;
        int rc = b->io ? bus_pio_register(&p->vm->bus, (uint32_t)base, b->size, b->ops, b->opaque, d->name)
                       : pgm_map_mmio(&p->vm->pgm, base, b->size, b->ops, b->opaque, d->name);
        if (rc >= 0)
            b->mapped = base;
    }
    uint64_t rom = rom_target(d);
    if (rom != d->rom_mapped) {
        if (d->rom_mapped != ~0ull)
            pgm_unmap(&p->vm->pgm, d->rom_mapped, d->rom_size);
        d->rom_mapped = ~0ull;
        if (rom != ~0ull && pgm_map_rom(&p->vm->pgm, rom, d->rom_size, d->rom, d->name) >= 0)
            d->rom_mapped = rom;
    }
}

static void route_pirqs(struct dev_pci *p);

static void cfg_write(struct dev_pci *p, struct pci_device *d, unsigned off, uint32_t val, unsigned size)
{
    for (unsigned i = 0; i < size; i++) {
        uint8_t m = d->wmask[off + i];
        d->cfg[off + i] = (uint8_t)((d->cfg[off + i] & ~m) | ((val >> (8 * i)) & m));
    }
    if (off + size > 4 && off < 0x34)
        map_bars(p, d);
    if (d->config_written)
        d->config_written(d, off, size);
    if (d == &p->isa && off + size > 0x60 && off < 0x64)
        route_pirqs(p);
}

static uint64_t cf8_read(void *opaque, uint64_t off, unsigned size)
{
    struct dev_pci *p = opaque;
    uint64_t v = ~0ull >> (64 - 8 * size);
    pthread_mutex_lock(&p->lock);
    if (off == 0 && size == 4)
        v = p->addr;
    else if (off == 1 && size == 1)
        v = dev_rcr_read(p->rcr);
    else if (off >= 4) {
        unsigned reg = (p->addr & 0xfc) + (unsigned)(off & 3);
        struct pci_device *d = (p->addr >> 16 & 0xff) ? NULL : p->devs[(p->addr >> 8) & 0xff];
        if ((p->addr & 0x80000000u) && d && reg + size <= 256)
            v = cfg_get(d, reg, size);
    }
    pthread_mutex_unlock(&p->lock);
    return v;
}

static void cf8_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct dev_pci *p = opaque;
    pthread_mutex_lock(&p->lock);
    if (off == 0 && size == 4)
        p->addr = (uint32_t)val & 0x80fffffcu;
    else if (off == 1 && size == 1)
        dev_rcr_write(p->rcr, (uint8_t)val);
    else if (off >= 4) {
        unsigned reg = (p->addr & 0xfc) + (unsigned)(off & 3);
        struct pci_device *d = (p->addr >> 16 & 0xff) ? NULL : p->devs[(p->addr >> 8) & 0xff];
        if ((p->addr & 0x80000000u) && d && reg + size <= 256)
            cfg_write(p, d, reg, (uint32_t)val, size);
    }
    pthread_mutex_unlock(&p->lock);
}

static const struct io_ops cf8_ops = {cf8_read, cf8_write};

/* Caller holds the lock: drives the ISA IRQs from the PIRQs routed to them.
 * Only lines whose PIRQ contribution changed are touched, so re-routing
 * never lowers an IRQ that another device (the ACPI SCI, say) holds. */
static void route_pirqs(struct dev_pci *p)
{
    uint16_t high = 0;
    for (unsigned i = 0; i < 4; i++) {
        uint8_t r = p->isa.cfg[0x60 + i];
        p->pirq_irq[i] = (r & 0x80) || (r & 15) < 3 || (r & 15) == 8 || (r & 15) == 13 ? 0xff : (r & 15);
        if (p->pirq_irq[i] != 0xff && p->pirq_level[i] > 0)
            high |= (uint16_t)(1u << p->pirq_irq[i]);
    }
    for (unsigned irq = 0; irq < 16; irq++)
        if ((p->pirq_high ^ high) & (1u << irq)) {
            struct irq_line l = pc_isa_irq(p->vm, irq);
            irq_set(&l, (high >> irq) & 1);
        }
    p->pirq_high = high;
}

void pci_set_intx(struct pci_device *d, int level)
{
    struct dev_pci *p = d->bus;
    unsigned pin = d->cfg[0x3d];
    pthread_mutex_lock(&p->lock);
    level = level != 0;
    if (pin >= 1 && pin <= 4 && level != d->intx_level) {
        unsigned pirq = ((d->devfn >> 3) + pin - 1) & 3;
        d->intx_level = level;
        p->pirq_level[pirq] += level ? 1 : -1;
        route_pirqs(p);
    }
    pthread_mutex_unlock(&p->lock);
}

int pci_add_device(struct dev_pci *p, struct pci_device *d, unsigned devfn, const char *name)
{
    if (devfn > 255 || p->devs[devfn])
        return -EBUSY;
    d->bus = p;
    d->devfn = (uint8_t)devfn;
    d->name = name;
    for (unsigned n = 0; n < 6; n++)
        if (!d->bar[n].size)
            d->bar[n].mapped = ~0ull;
    if (!d->rom_size)
        d->rom_mapped = ~0ull;
    memcpy(d->reset_cfg, d->cfg, sizeof(d->cfg));
    p->devs[devfn] = d;
    map_bars(p, d); /* BARs a model programmed as firmware would decode now */
    return 0;
}

int pci_free_slot(struct dev_pci *p, unsigned first)
{
    for (unsigned slot = first; slot < 32; slot++)
        if (!p->devs[slot << 3])
            return (int)(slot << 3);
    return -ENOSPC;
}

static void host_init(struct pci_device *d)
{
    pci_set_ids(d, 0x8086, 0x1237, 0x06000002, 0x00); /* i440FX PMC, host bridge, rev 2 */
    d->cfg[0x04] = 0x06; /* memory space, bus master */
    d->cfg[0x06] = 0x80; /* fast back-to-back capable */
    d->cfg[0x07] = 0x02; /* DEVSEL medium */
    memset(d->wmask + 0x50, 0xff, 0x100 - 0x50); /* chipset registers (PAM, DRB, SMRAM, ...) */
    d->cfg[0x72] = 0x02; /* SMRAM: C_BASE_SEG = 010 */
}

static void isa_init(struct pci_device *d)
{
    pci_set_ids(d, 0x8086, 0x7000, 0x06010000, 0x80); /* PIIX3 ISA bridge, multifunction */
    d->cfg[0x04] = 0x07; /* I/O, memory, bus master */
    d->cfg[0x07] = 0x02;
    memset(d->wmask + 0x4c, 0xff, 0x100 - 0x4c);
    memset(d->cfg + 0x60, 0x80, 4); /* PIRQA-D routing disabled */
    d->cfg[0x4c] = 0x4d; /* ISA I/O recovery timer */
    d->cfg[0x4e] = 0x03; /* X-bus chip select */
    d->cfg[0x69] = 0x02; /* top of memory */
    d->cfg[0x70] = 0x80; /* motherboard IRQ routing disabled */
    d->cfg[0x76] = 0x0c; /* DMA routing */
    d->cfg[0x77] = 0x0c;
    d->cfg[0x78] = 0x02; /* programmable chip select */
    d->cfg[0xa0] = 0x08; /* SMI control */
    d->cfg[0xa8] = 0x0f; /* system event */
}

static void pci_reset(void *opaque)
{
    struct dev_pci *p = opaque;
    pthread_mutex_lock(&p->lock);
    p->addr = 0;
    for (unsigned i = 0; i < 256; i++) {
        struct pci_device *d = p->devs[i];
        if (!d)
            continue;
        memcpy(d->cfg, d->reset_cfg, sizeof(d->cfg));
        map_bars(p, d); /* decoding is off after reset: everything unmaps */
        if (d->config_written)
            d->config_written(d, 0, 256);
    }
    route_pirqs(p);
    pthread_mutex_unlock(&p->lock);
}

static void pci_destroy(void *opaque)
{
    struct dev_pci *p = opaque;
    pthread_mutex_destroy(&p->lock);
    free(p);
}

struct dev_pci *pc_pci(struct vm *vm)
{
    return bus_find_device(&vm->bus, "pci");
}

const struct ss_field pci_device_ss_fields[] = {
    SS_FIELD(struct pci_device, cfg, U8), SS_FIELD_MAX(struct pci_device, intx_level, I32, 1), SS_END,
};

/* Every function's config space is in (each model saves its own): the
 * BARs, the expansion ROMs and the PAM follow it again. */
static void pci_post_load(void *opaque)
{
    struct dev_pci *p = opaque;
    pthread_mutex_lock(&p->lock);
    for (unsigned i = 0; i < 256; i++) {
        struct pci_device *d = p->devs[i];
        if (!d)
            continue;
        map_bars(p, d);
        if (d->config_written)
            d->config_written(d, 0, 256);
    }
    route_pirqs(p);
    pthread_mutex_unlock(&p->lock);
}

static const struct ss_field pci_fields[] = {
    SS_FIELD(struct dev_pci, addr, U32),
    SS_STRUCT_FIELD(struct dev_pci, host, struct pci_device, pci_device_ss_fields),
    SS_STRUCT_FIELD(struct dev_pci, isa, struct pci_device, pci_device_ss_fields),
    SS_FIELD(struct dev_pci, pirq_irq, U8), SS_FIELD(struct dev_pci, pirq_level, I32),
    SS_FIELD(struct dev_pci, pirq_high, U16), SS_END,
};
static const struct ss_desc pci_ss = {1, pci_fields, NULL, pci_post_load};

int dev_pci_create(struct vm *vm, void *rcr)
{
    struct dev_pci *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    pthread_mutex_init(&p->lock, NULL);
    p->vm = vm;
    p->rcr = rcr;
    memset(p->pirq_irq, 0xff, sizeof(p->pirq_irq));
    host_init(&p->host);
    isa_init(&p->isa);
    pci_add_device(p, &p->host, 0, "i440fx");
    pci_add_device(p, &p->isa, 1 << 3, "piix3");
    if (bus_pio_register(&vm->bus, 0xcf8, 8, &cf8_ops, p, "pci-conf") < 0 ||
        bus_add_device(&vm->bus, "pci", p, pci_reset, pci_destroy) < 0 ||
        bus_describe(&vm->bus, p, &pci_ss) < 0) {
        pci_destroy(p);
        return -EBUSY;
    }
    if (i440fx_pam_create(vm, &p->host) < 0)
        return -ENOMEM;
    return 0;
}
