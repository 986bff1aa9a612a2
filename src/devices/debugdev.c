/* Test-harness devices: isa-debug-exit (a write of v ends the run with
 * status (v << 1) | 1, as QEMU's does) and the 0xE9-style debug console. */
#include <stdlib.h>

#include "devices/devices.h"
#include "vm/vm.h"
#include "vm/ss.h"

struct debugexit {
    struct vm *vm;
};

static uint64_t debugexit_read(void *opaque, uint64_t off, unsigned size)
{
    (void)opaque, (void)off, (void)size;
    return 0;
}

static void debugexit_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct debugexit *d = opaque;
    (void)off;
    val &= size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
    d->vm->exit_status = (int)(((val << 1) | 1) & 0xff);
    vm_request(d->vm, VM_FF_POWER_OFF);
}

static const struct io_ops debugexit_ops = {debugexit_read, debugexit_write};

int dev_debugexit_create(struct vm *vm, uint16_t base, uint16_t size)
{
    struct debugexit *d = calloc(1, sizeof(*d));
    if (!d)
        return -1;
    d->vm = vm;
    if (bus_pio_register(&vm->bus, base, size, &debugexit_ops, d, "isa-debug-exit") < 0) {
        free(d);
        return -1;
    }
    int rc = bus_add_device(&vm->bus, "isa-debug-exit", d, NULL, free);
    return rc < 0 ? rc : bus_describe(&vm->bus, d, &ss_stateless);
}

struct debugcon {
    struct chardev *chr;
};

static uint64_t debugcon_read(void *opaque, uint64_t off, unsigned size)
{
    (void)opaque, (void)off, (void)size;
    return 0xe9; /* the Bochs/QEMU readback value that tells a guest the port exists */
}

static void debugcon_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct debugcon *d = opaque;
    uint8_t b = (uint8_t)val;
    (void)off, (void)size;
    chardev_write(d->chr, &b, 1);
}

static const struct io_ops debugcon_ops = {debugcon_read, debugcon_write};

int dev_debugcon_create(struct vm *vm, uint16_t base, struct chardev *chr)
{
    struct debugcon *d = calloc(1, sizeof(*d));
    if (!d)
        return -1;
    d->chr = chr;
    if (bus_pio_register(&vm->bus, base, 1, &debugcon_ops, d, "debugcon") < 0) {
        free(d);
        return -1;
    }
    int rc = bus_add_device(&vm->bus, "debugcon", d, NULL, free);
    return rc < 0 ? rc : bus_describe(&vm->bus, d, &ss_stateless);
}
