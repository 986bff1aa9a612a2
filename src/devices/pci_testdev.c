/* QEMU's pci-testdev (vendor 1b36, device 0005; QEMU's
 * docs/specs/pci-testdev): BAR0 is memory, BAR1 I/O ports. Each BAR starts
 * with a header: test (write: select test N of this BAR), width (1, 2 or 4:
 * the access size the test wants; anything else: no such test), offset
 * and data (where to write, and what), count (the writes the device saw
 * at that offset since the test was selected), then the test's name, NUL
 * terminated. Each BAR has three tests, after QEMU's: "no-eventfd" and
 * "wildcard-eventfd" count every write at the offset, "datamatch-eventfd"
 * only writes of the test's width and data (QEMU backs the last two with
 * KVM ioeventfds; without them it counts as here).
 *
 * Without -bios the built-in BIOS does no PCI enumeration, so the device
 * comes with its BARs assigned and decoding on, as firmware leaves them;
 * firmware given with -bios reprograms them.
 *
 * Invariant: reads outside the selected test's header and name are zero;
 * writes other than the test register and the test's offset are ignored.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/devices.h"
#include "devices/pci.h"
#include "vm/vm.h"
#include "vm/ss.h"

#define MEM_SIZE 2048u
#define IO_SIZE 128u
#define NTESTS 3 /* per BAR */
#define HDR_LEN 16u
#define DATAMATCH 0xfau
#define NOMATCH 0xceu
#define MEM_BASE 0xfeb00000u /* + slot * 4 KiB: below the I/O APIC, where SeaBIOS puts BARs */
#define IO_BASE 0xc000u      /* + slot * 256 */

static const char *const test_names[NTESTS] = {"no-eventfd", "wildcard-eventfd", "datamatch-eventfd"};

struct pci_testdev {
    struct pci_device pci;
    pthread_mutex_t lock;
    int current; /* bar * NTESTS + test, -1 none */
    uint8_t hdr[2 * NTESTS][64];
    uint32_t count[2 * NTESTS];
};

static uint32_t test_offset(const uint8_t *h)
{
    return h[4] | (uint32_t)h[5] << 8 | (uint32_t)h[6] << 16 | (uint32_t)h[7] << 24;
}

static uint64_t bar_read(struct pci_testdev *t, uint64_t off, unsigned size)
{
    uint64_t v = 0;
    pthread_mutex_lock(&t->lock);
    if (t->current >= 0) {
        uint8_t buf[sizeof(t->hdr[0])];
        memcpy(buf, t->hdr[t->current], sizeof(buf));
        for (unsigned i = 0; i < 4; i++)
            buf[12 + i] = (uint8_t)(t->count[t->current] >> (8 * i));
        for (unsigned i = 0; i < size && i < 8; i++)
            if (off + i < sizeof(buf))
                v |= (uint64_t)buf[off + i] << (8 * i);
    }
    pthread_mutex_unlock(&t->lock);
    return v;
}

static void bar_write(struct pci_testdev *t, unsigned bar, uint64_t off, uint64_t val, unsigned size)
{
    pthread_mutex_lock(&t->lock);
    if (off == 0) {
        uint8_t n = (uint8_t)val;
        t->current = n < NTESTS ? (int)(bar * NTESTS + n) : -1;
        if (t->current >= 0)
            t->count[t->current] = 0;
    } else if (t->current >= 0 && t->current / NTESTS == (int)bar) {
        const uint8_t *h = t->hdr[t->current];
        bool match = t->current % NTESTS != 2 || (size == h[1] && (val & 0xffffffffu) == h[8]);
        if (off == test_offset(h) && match)
            t->count[t->current]++;
    }
    pthread_mutex_unlock(&t->lock);
}

static uint64_t mem_read(void *opaque, uint64_t off, unsigned size)
{
    return bar_read(opaque, off, size);
}

static void mem_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    bar_write(opaque, 0, off, val, size);
}

static void io_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    bar_write(opaque, 1, off, val, size);
}

static const struct io_ops mem_ops = {mem_read, mem_write};
static const struct io_ops io_ops = {mem_read, io_write};

static void testdev_reset(void *opaque)
{
    struct pci_testdev *t = opaque;
    pthread_mutex_lock(&t->lock);
    t->current = -1;
    memset(t->count, 0, sizeof(t->count));
    pthread_mutex_unlock(&t->lock);
}

static void testdev_destroy(void *opaque)
{
    struct pci_testdev *t = opaque;
    pthread_mutex_destroy(&t->lock);
    free(t);
}

/* Test i of BAR bar: width 1, its data, the name after the header and the
 * write offset after the name, dword aligned. */
static void header_init(struct pci_testdev *t, unsigned bar, unsigned i)
{
    uint8_t *h = t->hdr[bar * NTESTS + i];
    int n = snprintf((char *)h + HDR_LEN, sizeof(t->hdr[0]) - HDR_LEN, "%s-%s", bar ? "portio" : "mmio",
                     test_names[i]);
    uint32_t off = (HDR_LEN + (uint32_t)n + 1 + 3) & ~3u;
    h[1] = 1;
    for (unsigned k = 0; k < 4; k++)
        h[4 + k] = (uint8_t)(off >> (8 * k));
    h[8] = i == 2 ? DATAMATCH : NOMATCH;
}

static void bar_assign(struct pci_device *d, unsigned n, uint32_t base)
{
    for (unsigned i = 0; i < 4; i++)
        d->cfg[0x10 + 4 * n + i] = (uint8_t)((d->cfg[0x10 + 4 * n + i] & (i ? 0 : 0x0f)) | (base >> (8 * i)));
}

static const struct ss_field pci_testdev_fields[] = {
    SS_STRUCT_FIELD(struct pci_testdev, pci, struct pci_device, pci_device_ss_fields),
    SS_FIELD_MAX(struct pci_testdev, current, I32, 2 * NTESTS - 1), SS_FIELD(struct pci_testdev, hdr, U8),
    SS_FIELD(struct pci_testdev, count, U32), SS_END,
};
static const struct ss_desc pci_testdev_ss = {1, pci_testdev_fields, NULL, NULL};

int dev_pci_testdev_create(struct vm *vm, int devfn, char *err, size_t errlen)
{
    struct dev_pci *bus = pc_pci(vm);
    struct pci_testdev *t;

    if (!bus) {
        snprintf(err, errlen, "pci-testdev: the machine has no PCI bus");
        return -1;
    }
    if (devfn < 0)
        devfn = pci_free_slot(bus, 3);
    if (devfn < 0 || devfn > 255 || (devfn & 7)) {
        snprintf(err, errlen, "pci-testdev: no free PCI slot (or bad addr=)");
        return -1;
    }
    t = calloc(1, sizeof(*t));
    if (!t) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    pthread_mutex_init(&t->lock, NULL);
    t->current = -1;
    for (unsigned bar = 0; bar < 2; bar++)
        for (unsigned i = 0; i < NTESTS; i++)
            header_init(t, bar, i);
    pci_set_ids(&t->pci, 0x1b36, 0x0005, 0xff000000u, 0x00); /* class "other", rev 0 */
    t->pci.cfg[0x2c] = 0xf4, t->pci.cfg[0x2d] = 0x1a;        /* subsystem 1af4:1100, as QEMU */
    t->pci.cfg[0x2e] = 0x00, t->pci.cfg[0x2f] = 0x11;
    pci_register_bar(&t->pci, 0, MEM_SIZE, false, &mem_ops, t);
    pci_register_bar(&t->pci, 1, IO_SIZE, true, &io_ops, t);
    if (!vm->cfg.bios) {
        bar_assign(&t->pci, 0, MEM_BASE + (uint32_t)(devfn >> 3) * 0x1000u);
        bar_assign(&t->pci, 1, IO_BASE + (uint32_t)(devfn >> 3) * 0x100u);
        t->pci.cfg[0x04] = 0x03; /* I/O and memory decoding */
    }
    if (bus_add_device(&vm->bus, "pci-testdev", t, testdev_reset, testdev_destroy) < 0 ||
        bus_describe(&vm->bus, t, &pci_testdev_ss) < 0) {
        testdev_destroy(t);
        snprintf(err, errlen, "pci-testdev: too many devices");
        return -1;
    }
    if (pci_add_device(bus, &t->pci, (unsigned)devfn, "pci-testdev") < 0) {
        snprintf(err, errlen, "pci-testdev: PCI slot %d is taken", devfn >> 3);
        return -1;
    }
    return 0;
}
