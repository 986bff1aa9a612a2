/* The port-I/O bus and the device list. */
#include <errno.h>
#include <string.h>

#include "devices/devices.h"

int bus_pio_register(struct bus *b, uint32_t base, uint32_t len, const struct io_ops *ops, void *opaque,
                     const char *name)
{
    if (b->npio >= BUS_MAX_PIO || len == 0 || base + len > 0x10000)
        return -EINVAL;
    for (unsigned i = 0; i < b->npio; i++)
        if (base < b->pio[i].base + b->pio[i].len && b->pio[i].base < base + len)
            return -EBUSY;
    b->pio[b->npio++] = (struct pio_range){base, len, ops, opaque, name};
    return 0;
}

int bus_pio_unregister(struct bus *b, uint32_t base, uint32_t len)
{
    for (unsigned i = 0; i < b->npio; i++)
        if (b->pio[i].base == base && b->pio[i].len == len) {
            memmove(&b->pio[i], &b->pio[i + 1], (b->npio - i - 1) * sizeof(b->pio[0]));
            b->npio--;
            return 0;
        }
    return -ENOENT;
}

static const struct pio_range *find(const struct bus *b, uint16_t port)
{
    for (unsigned i = 0; i < b->npio; i++)
        if (port >= b->pio[i].base && port < b->pio[i].base + b->pio[i].len)
            return &b->pio[i];
    return NULL;
}

uint64_t bus_pio_read(struct bus *b, uint16_t port, unsigned size)
{
    const struct pio_range *r = find(b, port);
    if (!r || !r->ops->read)
        return ~0ull >> (64 - size * 8);
    return r->ops->read(r->opaque, port - r->base, size);
}

void bus_pio_write(struct bus *b, uint16_t port, uint64_t val, unsigned size)
{
    const struct pio_range *r = find(b, port);
    if (r && r->ops->write)
        r->ops->write(r->opaque, port - r->base, val, size);
}

int bus_add_device(struct bus *b, const char *name, void *opaque, void (*reset)(void *),
                   void (*destroy)(void *))
{
    if (b->ndevs >= BUS_MAX_DEVS)
        return -ENOSPC;
    b->devs[b->ndevs++] = (struct device){name, opaque, reset, destroy};
    return 0;
}

void *bus_find_device(const struct bus *b, const char *name)
{
    for (unsigned i = 0; i < b->ndevs; i++)
        if (!strcmp(b->devs[i].name, name))
            return b->devs[i].opaque;
    return NULL;
}

void bus_reset(struct bus *b)
{
    for (unsigned i = 0; i < b->ndevs; i++)
        if (b->devs[i].reset)
            b->devs[i].reset(b->devs[i].opaque);
}

void bus_destroy(struct bus *b)
{
    for (unsigned i = b->ndevs; i-- > 0;)
        if (b->devs[i].destroy)
            b->devs[i].destroy(b->devs[i].opaque);
    b->ndevs = 0;
    b->npio = 0;
}
