/* System control port A (0x92: fast A20 gate, fast reset) and the PIIX3
 * reset control register (0xCF9; the PCI host bridge forwards byte
 * accesses to it, see pci.c). Both are plain registers without a lock:
 * each access is one byte read or written by a vCPU thread. */
#include <errno.h>
#include <stdlib.h>

#include "devices/devices.h"
#include "vm/vm.h"
#include "vm/ss.h"

struct port92 {
    struct vm *vm;
    uint8_t reg92;
    uint8_t rcr;
};

static uint64_t port92_read(void *opaque, uint64_t off, unsigned size)
{
    struct port92 *p = opaque;
    (void)off, (void)size;
    /* bit 1 shows the real gate, which the i8042 output port also drives */
    return (p->reg92 & ~2u) | (pgm_a20(&p->vm->pgm) ? 2 : 0);
}

static void port92_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct port92 *p = opaque;
    (void)off, (void)size;
    bool reset = (val & 1) && !(p->reg92 & 1); /* the 0 -> 1 edge resets */
    p->reg92 = (uint8_t)val;
    pgm_set_a20(&p->vm->pgm, val & 2);
    if (reset)
        vm_request(p->vm, VM_FF_RESET);
}

uint8_t dev_rcr_read(void *opaque)
{
    struct port92 *p = opaque;
    return p->rcr;
}

void dev_rcr_write(void *opaque, uint8_t v)
{
    struct port92 *p = opaque;
    /* bit 2 (RST_CPU) going 0 -> 1 resets: bit 1 selects hard (full system)
     * or soft (INIT) reset; both reset the whole machine here. */
    bool go = (v & 4) && !(p->rcr & 4);
    p->rcr = v & 0x0a;
    if (go)
        vm_request(p->vm, VM_FF_RESET);
}

static const struct io_ops port92_ops = {port92_read, port92_write};

static void port92_reset(void *opaque)
{
    struct port92 *p = opaque;
    p->reg92 = 0;
    p->rcr = 0;
}

/* A20 itself is PGM's (saved with RAM). */
static const struct ss_field port92_fields[] = {
    SS_FIELD(struct port92, reg92, U8), SS_FIELD(struct port92, rcr, U8), SS_END,
};
static const struct ss_desc port92_ss = {1, port92_fields, NULL, NULL};

int dev_port92_create(struct vm *vm, void **rcr_opaque)
{
    struct port92 *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    p->vm = vm;
    if (bus_pio_register(&vm->bus, 0x92, 1, &port92_ops, p, "port92") < 0 ||
        bus_add_device(&vm->bus, "port92", p, port92_reset, free) < 0 ||
        bus_describe(&vm->bus, p, &port92_ss) < 0) {
        free(p);
        return -EBUSY;
    }
    *rcr_opaque = p;
    return 0;
}
