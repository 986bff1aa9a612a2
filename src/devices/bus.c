/* The port I/O bus and the device list.
 *
 * Invariants:
 * - A PCI I/O BAR moves while other vCPUs do port I/O: the port table
 *   changes only under pio_seq and readers use a copy of the range they
 *   found (a device's ops and opaque live as long as the VM).
 * - The device list is fixed once the VM is created.
 */
#include <errno.h>
#include <string.h>

#include "devices/devices.h"

int bus_pio_register(struct bus *b, uint32_t base, uint32_t len, const struct io_ops *ops, void *opaque,
                     const char *name)
{
    int rc = 0;
    if (len == 0 || base + len > 0x10000)
        return -EINVAL;
    seqlock_write_begin(&b->pio_seq);
    for (unsigned i = 0; i < b->npio && !rc; i++)
        if (base < b->pio[i].base + b->pio[i].len && b->pio[i].base < base + len)
            rc = -EBUSY;
    if (!rc && b->npio >= BUS_MAX_PIO)
        rc = -EINVAL;
    if (!rc)
        b->pio[b->npio++] = (struct pio_range){base, len, ops, opaque, name};
    seqlock_write_end(&b->pio_seq);
    return rc;
}

int bus_pio_unregister(struct bus *b, uint32_t base, uint32_t len)
{
    int rc = -ENOENT;
    seqlock_write_begin(&b->pio_seq);
    for (unsigned i = 0; i < b->npio; i++)
        if (b->pio[i].base == base && b->pio[i].len == len) {
            memmove(&b->pio[i], &b->pio[i + 1], (b->npio - i - 1) * sizeof(b->pio[0]));
            b->npio--;
            rc = 0;
            break;
        }
    seqlock_write_end(&b->pio_seq);
    return rc;
}

/* A consistent copy of the range holding port; false in none. */
static bool find(const struct bus *b, uint16_t port, struct pio_range *out)
{
    bool found;
    unsigned seq;
    do {
        seq = seqlock_read_begin(&b->pio_seq);
        found = false;
        for (unsigned i = 0; i < b->npio && i < BUS_MAX_PIO && !found; i++)
            if (port >= b->pio[i].base && port < b->pio[i].base + b->pio[i].len) {
                *out = b->pio[i];
                found = true;
            }
    } while (seqlock_read_retry(&b->pio_seq, seq));
    return found;
}

uint64_t bus_pio_read(struct bus *b, uint16_t port, unsigned size)
{
    struct pio_range r;
    if (!find(b, port, &r) || !r.ops->read)
        return ~0ull >> (64 - size * 8);
    return r.ops->read(r.opaque, port - r.base, size);
}

void bus_pio_write(struct bus *b, uint16_t port, uint64_t val, unsigned size)
{
    struct pio_range r;
    if (find(b, port, &r) && r.ops->write)
        r.ops->write(r.opaque, port - r.base, val, size);
}

int bus_add_device(struct bus *b, const char *name, void *opaque, void (*reset)(void *),
                   void (*destroy)(void *))
{
    if (b->ndevs >= BUS_MAX_DEVS)
        return -ENOSPC;
    b->devs[b->ndevs++] = (struct device){name, opaque, reset, destroy, NULL};
    return 0;
}

int bus_describe(struct bus *b, void *opaque, const struct ss_desc *ss)
{
    for (unsigned i = 0; i < b->ndevs; i++)
        if (b->devs[i].opaque == opaque) {
            b->devs[i].ss = ss;
            return 0;
        }
    return -ENOENT;
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
