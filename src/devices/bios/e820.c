/* The E820 memory map of the VM, as a PC BIOS reports it (INT 15h E820,
 * the Linux zero page, the Multiboot memory map): built from PGM's ranges
 * so it always says what the guest will find. */
#include <stdlib.h>

#include "devices/bios/bios.h"
#include "vm/vm.h"

#define MIB 0x100000ull

uint64_t e820_ram_top_from_1m(struct vm *vm)
{
    uint64_t top = MIB;
    const struct pgm_range *r;
    while (top < 0x100000000ull && (r = pgm_find(&vm->pgm, top)) && r->type == PGM_RAM)
        top = r->end;
    return top < 0x100000000ull ? top : 0x100000000ull;
}

static void add(struct e820_map *m, uint64_t addr, uint64_t size, uint32_t type)
{
    if (!size)
        return;
    if (m->n && m->type[m->n - 1] == type && m->addr[m->n - 1] + m->size[m->n - 1] == addr) {
        m->size[m->n - 1] += size;
        return;
    }
    if (m->n < E820_MAX) {
        m->addr[m->n] = addr, m->size[m->n] = size, m->type[m->n] = type;
        m->n++;
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Below 1 MiB the fixed PC layout: conventional memory up to the 1 KiB
 * EBDA, then reserved up to 1 MiB (VGA window, option ROMs, the ACPI
 * tables at E0000, the BIOS). Above it every boundary of the range table,
 * typed by whichever range wins there: RAM is usable, ROM and MMIO (the
 * I/O APIC, HPET and local APIC pages, the high BIOS) are reserved. */
void e820_build(struct vm *vm, struct e820_map *m)
{
    const struct pgm *p = &vm->pgm;
    uint64_t pts[2 * PGM_MAX_RANGES + 1];
    unsigned n = 0;

    m->n = 0;
    if (pgm_find(p, 0) && pgm_find(p, 0)->type == PGM_RAM)
        add(m, 0, E820_EBDA, E820_RAM);
    add(m, E820_EBDA, MIB - E820_EBDA, E820_RESERVED);
    pts[n++] = MIB;
    for (unsigned i = 0; i < p->nranges; i++) {
        if (p->ranges[i].start > MIB)
            pts[n++] = p->ranges[i].start;
        if (p->ranges[i].end > MIB)
            pts[n++] = p->ranges[i].end;
    }
    qsort(pts, n, sizeof(pts[0]), cmp_u64);
    for (unsigned i = 0; i + 1 < n; i++) {
        const struct pgm_range *r = pgm_find(p, pts[i]);
        if (r && pts[i + 1] > pts[i])
            add(m, pts[i], pts[i + 1] - pts[i], r->type == PGM_RAM ? E820_RAM : E820_RESERVED);
    }
}
