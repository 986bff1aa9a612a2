/* The i440FX Programmable Attribute Map: host bridge config 0x59-0x5F
 * route each segment of 0xC0000-0xFFFFF to DRAM or to the PCI bus, for
 * reads and writes separately, so firmware can copy itself and option
 * ROMs into RAM ("shadowing") and then write-protect them.
 *
 * Segments: 0xF0000-0xFFFFF (0x59 bits 5:4), then twelve 16 KiB segments
 * from 0xC0000 (0x5A low nibble, 0x5A high nibble, 0x5B low, ...). Per
 * segment, bit 0 enables DRAM reads and bit 1 DRAM writes; what is not
 * DRAM goes to PCI, where only the BIOS image below 1 MiB answers (other
 * addresses read all ones, as unclaimed PCI memory cycles do).
 *
 * Invariants:
 * - Each segment has at most one range of its own in PGM, newer than
 *   RAM and the BIOS image, so it decides what the segment shows; with
 *   both reads and writes on PCI over the BIOS image it has none.
 * - Remapping happens only with -bios: without a firmware, pcvm plays it
 *   and the area keeps its fixed layout (RAM, and the VGA BIOS at 0xC0000
 *   for guests that call it), whatever the registers say.
 */
#include <stdlib.h>

#include "devices/devices.h"
#include "devices/pci.h"
#include "vm/vm.h"
#include "vm/ss.h"

#define PAM_SEGS 13

struct pam;
struct pam_seg {
    struct pam *pam;
    uint32_t base, size;
    uint8_t mode;       /* bit 0: reads from DRAM, bit 1: writes to DRAM */
    bool mapped;        /* a range of ours is in PGM */
    const uint8_t *rom; /* the BIOS image's bytes at base, when it covers the segment */
};

struct pam {
    struct vm *vm;
    struct pam_seg seg[PAM_SEGS];
};

static unsigned seg_mode(const uint8_t *cfg, unsigned i)
{
    if (i == 0)
        return cfg[0x59] >> 4 & 3;
    uint8_t r = cfg[0x5a + (i - 1) / 2];
    return ((i - 1) & 1 ? r >> 4 : r) & 3;
}

/* Reads go to PCI (the BIOS image or nothing), writes to DRAM. */
static uint64_t pci_read(void *opaque, uint64_t off, unsigned size)
{
    const struct pam_seg *s = opaque;
    uint64_t v = ~0ull;
    if (s->rom && off + size <= s->size) {
        v = 0;
        for (unsigned i = 0; i < size; i++)
            v |= (uint64_t)s->rom[off + i] << (8 * i);
    }
    return v;
}

static void dram_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    const struct pam_seg *s = opaque;
    pgm_ram_write(&s->pam->vm->pgm, s->base + off, &val, size);
}

static const struct io_ops pci_only_ops = {pci_read, NULL};
static const struct io_ops write_only_ops = {pci_read, dram_write};

static void remap(struct pam *pm, struct pam_seg *s, unsigned mode)
{
    struct pgm *p = &pm->vm->pgm;
    const struct pgm_range *below;
    int rc = 0;

    if (s->mapped)
        pgm_unmap(p, s->base, s->size);
    s->mapped = false;
    s->mode = (uint8_t)mode;
    below = pgm_find(p, s->base);
    s->rom = below && below->type == PGM_ROM && below->end >= s->base + s->size
                 ? below->host + (s->base - below->start)
                 : NULL;
    switch (mode) {
    case 0:
        if (s->rom)
            return; /* the BIOS image beneath is what PCI shows */
        rc = pgm_map_mmio(p, s->base, s->size, &pci_only_ops, s, "pam-pci");
        break;
    case 1:
        rc = pgm_map_ram_ro(p, s->base, s->size, s->base, "pam-ro");
        break;
    case 2:
        rc = pgm_map_mmio(p, s->base, s->size, &write_only_ops, s, "pam-wo");
        break;
    default:
        rc = pgm_map_ram(p, s->base, s->size, s->base, "pam-rw");
        break;
    }
    s->mapped = rc == 0;
}

static void pam_config_written(struct pci_device *d, unsigned off, unsigned size)
{
    struct pam *pm = d->priv;
    bool all = off == 0 && size == 256; /* reset: redo every segment */
    if (off > 0x5f || off + size <= 0x59)
        return;
    for (unsigned i = 0; i < PAM_SEGS; i++) {
        unsigned mode = seg_mode(d->cfg, i);
        if (all || mode != pm->seg[i].mode)
            remap(pm, &pm->seg[i], mode);
    }
}

int i440fx_pam_create(struct vm *vm, struct pci_device *host)
{
    struct pam *pm;
    if (!vm->cfg.bios)
        return 0;
    pm = calloc(1, sizeof(*pm));
    if (!pm)
        return -1;
    pm->vm = vm;
    for (unsigned i = 0; i < PAM_SEGS; i++) {
        struct pam_seg *s = &pm->seg[i];
        s->pam = pm;
        s->base = i ? 0xc0000 + (i - 1) * 0x4000 : 0xf0000;
        s->size = i ? 0x4000 : 0x10000;
        /* The BIOS image is mapped after the machine is made; being newer,
         * it shows over these ranges until the firmware first writes a PAM. */
        remap(pm, s, seg_mode(host->cfg, i));
    }
    host->priv = pm;
    host->config_written = pam_config_written;
    if (bus_add_device(&vm->bus, "pam", pm, NULL, free) < 0 ||
        bus_describe(&vm->bus, pm, &ss_stateless) < 0) {
        host->config_written = NULL;
        free(pm);
        return -1;
    }
    return 0;
}
