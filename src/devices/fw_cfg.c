/* QEMU's fw_cfg on the PC: a 16-bit selector at 0x510 picks an item whose
 * bytes port 0x511 then reads one at a time (docs/specs/fw_cfg.rst).
 * Items: the signature, ID (traditional interface only), UUID, RAM size,
 * CPU counts, the -kernel/-initrd/-append sizes and bytes, boot device,
 * NUMA (none), and the file directory with etc/e820, bootorder and the
 * ACPI tables with their loader script (etc/acpi/tables, etc/acpi/rsdp,
 * etc/table-loader), which SeaBIOS uses instead of building its own.
 *
 * Invariants:
 * - Numbers are little-endian, except the file directory's fields, which
 *   are big-endian, as QEMU documents.
 * - Selecting an item rewinds its offset; reads past its end return 0.
 *   The key's bit 14 (QEMU's write channel) does not take part in the
 *   lookup; bit 15 (the x86 "arch" keys) does.
 * - The -kernel/-initrd files are read when first selected, so a VM that
 *   never asks does not hold a second copy.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/acpi.h"
#include "devices/devices.h"
#include "devices/fw_cfg.h"
#include "vm/vm.h"
#include "vm/ss.h"

enum {
    K_SIGNATURE = 0x00, K_ID = 0x01, K_UUID = 0x02, K_RAM_SIZE = 0x03, K_NOGRAPHIC = 0x04, K_NB_CPUS = 0x05,
    K_MACHINE_ID = 0x06, K_KERNEL_ADDR = 0x07, K_KERNEL_SIZE = 0x08, K_KERNEL_CMDLINE = 0x09,
    K_INITRD_ADDR = 0x0a, K_INITRD_SIZE = 0x0b, K_BOOT_DEVICE = 0x0c, K_NUMA = 0x0d, K_BOOT_MENU = 0x0e,
    K_MAX_CPUS = 0x0f, K_KERNEL_ENTRY = 0x10, K_KERNEL_DATA = 0x11, K_INITRD_DATA = 0x12,
    K_CMDLINE_ADDR = 0x13, K_CMDLINE_SIZE = 0x14, K_CMDLINE_DATA = 0x15, K_FILE_DIR = 0x19,
    K_IRQ0_OVERRIDE = 0x8002,
};
#define MAX_ITEMS 40
#define KEY_WRITE_CHANNEL 0x4000
#define KERNEL_LOAD 0x100000u
#define CMDLINE_LOAD 0x20000u

struct fw_item {
    uint16_t key;
    const char *name; /* file name, NULL for a fixed key */
    uint8_t *data;
    uint32_t len;
    const char *lazy; /* a host file read at first select */
};

struct dev_fw_cfg {
    pthread_mutex_t lock;
    struct vm *vm;
    struct fw_item items[MAX_ITEMS];
    unsigned n;
    uint16_t nfiles;
    struct fw_item *cur; /* the selected item, NULL for an unknown key */
    uint32_t off;
    uint16_t ss_key;     /* saved state: cur's key (0xffff: none) */
};

static int add(struct dev_fw_cfg *f, uint16_t key, const char *name, const void *data, uint32_t len)
{
    if (f->n == MAX_ITEMS)
        return -ENOSPC;
    struct fw_item *it = &f->items[f->n];
    *it = (struct fw_item){.key = key, .name = name, .len = len};
    it->data = malloc(len ? len : 1);
    if (!it->data)
        return -ENOMEM;
    if (len)
        memcpy(it->data, data, len);
    f->n++;
    return 0;
}

static int add_int(struct dev_fw_cfg *f, uint16_t key, uint64_t v, unsigned size)
{
    uint8_t b[8];
    for (unsigned i = 0; i < size; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    return add(f, key, NULL, b, size);
}

static int add_file(struct dev_fw_cfg *f, const char *name, const void *data, uint32_t len)
{
    return add(f, (uint16_t)(FW_CFG_FILE_FIRST + f->nfiles++), name, data, len);
}

/* A file's size now, without reading it (0 when it cannot be opened). */
static uint32_t file_size(const char *path)
{
    FILE *fp = fopen(path, "rb");
    long n = 0;
    if (fp && fseek(fp, 0, SEEK_END) == 0)
        n = ftell(fp);
    if (fp)
        fclose(fp);
    return n > 0 && n < 0x7fffffff ? (uint32_t)n : 0;
}

static void be(uint8_t *p, uint64_t v, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        p[i] = (uint8_t)(v >> (8 * (size - 1 - i)));
}

static int add_file_dir(struct dev_fw_cfg *f)
{
    uint32_t len = 4 + 64u * f->nfiles;
    uint8_t *d = calloc(1, len);
    int rc;
    if (!d)
        return -ENOMEM;
    be(d, f->nfiles, 4);
    for (unsigned i = 0, k = 0; i < f->n; i++) {
        const struct fw_item *it = &f->items[i];
        if (!it->name)
            continue;
        uint8_t *e = d + 4 + 64 * k++;
        be(e, it->len, 4);
        be(e + 4, it->key, 2);
        strncpy((char *)e + 8, it->name, 55);
    }
    rc = add(f, K_FILE_DIR, NULL, d, len);
    free(d);
    return rc;
}

/* etc/e820: {u64 address, u64 length, u32 type} per PGM RAM (1) or ROM (2)
 * range; the low RAM runs on to the top of the range holding 1 MiB, as in
 * QEMU's table (firmware reserves its own areas inside it). */
static int add_e820(struct dev_fw_cfg *f)
{
    const struct pgm *p = &f->vm->pgm;
    uint8_t buf[PGM_MAX_RANGES * 20];
    uint32_t n = 0;
    uint64_t low_end = 0;
    for (unsigned i = 0; i < p->nranges; i++)
        if (p->ranges[i].type == PGM_RAM && p->ranges[i].start <= 0x100000 && p->ranges[i].end > 0x100000)
            low_end = p->ranges[i].end;
    for (unsigned i = 0; i < p->nranges; i++) {
        const struct pgm_range *r = &p->ranges[i];
        uint64_t start = r->start, end = r->end;
        if (r->type == PGM_MMIO)
            continue;
        if (r->type == PGM_RAM && low_end && start < low_end) {
            if (start != 0)
                continue; /* folded into the entry that starts at 0 */
            end = low_end;
        }
        uint8_t *e = buf + 20 * n++;
        for (unsigned b = 0; b < 8; b++) {
            e[b] = (uint8_t)(start >> (8 * b));
            e[8 + b] = (uint8_t)((end - start) >> (8 * b));
        }
        e[16] = r->type == PGM_RAM ? 1 : 2;
        e[17] = e[18] = e[19] = 0;
    }
    return add_file(f, "etc/e820", buf, 20 * n);
}

static int add_acpi(struct dev_fw_cfg *f)
{
    struct acpi_tables *t = malloc(sizeof(*t));
    uint8_t *script = malloc(64 * 128);
    int rc = -ENOMEM;
    if (t && script && (rc = acpi_build(f->vm, t)) == 0) {
        size_t n = acpi_loader_script(t, script, 64 * 128);
        rc = add_file(f, "etc/acpi/rsdp", t->rsdp, sizeof(t->rsdp));
        if (!rc)
            rc = add_file(f, "etc/acpi/tables", t->tables, (uint32_t)t->len);
        if (!rc)
            rc = add_file(f, "etc/table-loader", script, (uint32_t)n);
    }
    free(script);
    free(t);
    return rc;
}

static int add_kernel(struct dev_fw_cfg *f)
{
    const struct vm_config *c = &f->vm->cfg;
    const char *cmd = c->append ? c->append : "";
    uint32_t ksize = c->kernel ? file_size(c->kernel) : 0, isize = c->initrd ? file_size(c->initrd) : 0;
    int rc = 0;
    rc |= add_int(f, K_KERNEL_ADDR, c->kernel ? KERNEL_LOAD : 0, 4);
    rc |= add_int(f, K_KERNEL_ENTRY, c->kernel ? KERNEL_LOAD : 0, 4);
    rc |= add_int(f, K_KERNEL_SIZE, ksize, 4);
    rc |= add_int(f, K_KERNEL_CMDLINE, c->kernel ? CMDLINE_LOAD : 0, 4);
    rc |= add_int(f, K_CMDLINE_ADDR, c->kernel ? CMDLINE_LOAD : 0, 4);
    rc |= add_int(f, K_CMDLINE_SIZE, c->kernel ? strlen(cmd) + 1 : 0, 4);
    rc |= add(f, K_CMDLINE_DATA, NULL, cmd, c->kernel ? (uint32_t)strlen(cmd) + 1 : 0);
    rc |= add_int(f, K_INITRD_ADDR, 0, 4);
    rc |= add_int(f, K_INITRD_SIZE, isize, 4);
    rc |= add(f, K_KERNEL_DATA, NULL, NULL, 0);
    if (!rc)
        f->items[f->n - 1].lazy = c->kernel;
    rc |= add(f, K_INITRD_DATA, NULL, NULL, 0);
    if (!rc)
        f->items[f->n - 1].lazy = c->initrd;
    return rc ? -ENOMEM : 0;
}

static int build(struct dev_fw_cfg *f)
{
    struct vm *vm = f->vm;
    const char *order = vm->cfg.boot_order ? vm->cfg.boot_order : "c";
    uint8_t zero[16] = {0};
    int rc = 0;
    rc |= add(f, K_SIGNATURE, NULL, "QEMU", 4);
    rc |= add_int(f, K_ID, 1, 4); /* traditional interface; no DMA */
    rc |= add(f, K_UUID, NULL, zero, 16);
    rc |= add_int(f, K_RAM_SIZE, vm->cfg.ram_size, 8);
    rc |= add_int(f, K_NOGRAPHIC, 0, 2);
    rc |= add_int(f, K_NB_CPUS, vm->ncpus, 2);
    rc |= add_int(f, K_MAX_CPUS, vm->ncpus, 2);
    rc |= add_int(f, K_MACHINE_ID, 0, 4);
    rc |= add_int(f, K_BOOT_DEVICE, (uint8_t)order[0], 2);
    rc |= add_int(f, K_BOOT_MENU, 0, 2);
    rc |= add_int(f, K_IRQ0_OVERRIDE, 1, 4);
    uint8_t *numa = calloc(1 + vm->ncpus, 8); /* no nodes, no CPU-to-node map */
    rc |= numa ? add(f, K_NUMA, NULL, numa, 8 * (1 + vm->ncpus)) : -ENOMEM;
    free(numa);
    rc |= add_kernel(f);
    rc |= add_file(f, "bootorder", "", 0);
    rc |= add_e820(f);
    rc |= add_acpi(f);
    if (rc)
        return -ENOMEM;
    return add_file_dir(f);
}

static struct fw_item *find(struct dev_fw_cfg *f, uint16_t key)
{
    for (unsigned i = 0; i < f->n; i++)
        if (f->items[i].key == key)
            return &f->items[i];
    return NULL;
}

static void select_item(struct dev_fw_cfg *f, uint16_t key)
{
    struct fw_item *it = find(f, key & ~KEY_WRITE_CHANNEL);
    f->cur = it;
    f->off = 0;
    if (it && it->lazy) {
        char err[200];
        size_t len = 0;
        void *d = loader_read_file(it->lazy, &len, 0x7fffffff, err, sizeof(err));
        it->lazy = NULL;
        if (d) {
            free(it->data);
            it->data = d;
            it->len = (uint32_t)len;
        }
    }
}

static uint64_t sel_read(void *opaque, uint64_t off, unsigned size)
{
    struct dev_fw_cfg *f = opaque;
    uint64_t v = 0;
    (void)size;
    if (off == 1) { /* the data port: bytes in order, the first most significant */
        pthread_mutex_lock(&f->lock);
        const struct fw_item *it = f->cur;
        for (unsigned i = 0; i < size; i++) {
            uint8_t b = 0;
            if (it && f->off < it->len)
                b = it->data[f->off++];
            v = v << 8 | b;
        }
        pthread_mutex_unlock(&f->lock);
    }
    return v;
}

static void sel_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct dev_fw_cfg *f = opaque;
    if (off != 0 || size < 2)
        return; /* data writes are not supported (as in QEMU since 2.4) */
    pthread_mutex_lock(&f->lock);
    select_item(f, (uint16_t)val);
    pthread_mutex_unlock(&f->lock);
}

static const struct io_ops fw_cfg_ops = {sel_read, sel_write};

static void fw_cfg_reset(void *opaque)
{
    struct dev_fw_cfg *f = opaque;
    pthread_mutex_lock(&f->lock);
    select_item(f, K_SIGNATURE);
    pthread_mutex_unlock(&f->lock);
}

static void fw_cfg_destroy(void *opaque)
{
    struct dev_fw_cfg *f = opaque;
    for (unsigned i = 0; i < f->n; i++)
        free(f->items[i].data);
    pthread_mutex_destroy(&f->lock);
    free(f);
}

/* The items are built from the configuration: only the selection and the
 * read position are state. */
static int fw_cfg_pre_save(void *opaque, char *err, size_t errlen)
{
    struct dev_fw_cfg *f = opaque;
    (void)err, (void)errlen;
    f->ss_key = f->cur ? f->cur->key : 0xffff;
    return 0;
}

static void fw_cfg_post_load(void *opaque)
{
    struct dev_fw_cfg *f = opaque;
    uint32_t off = f->off;
    pthread_mutex_lock(&f->lock);
    select_item(f, f->ss_key);
    f->off = f->cur && off <= f->cur->len ? off : 0;
    pthread_mutex_unlock(&f->lock);
}

static const struct ss_field fw_cfg_fields[] = {
    SS_FIELD(struct dev_fw_cfg, ss_key, U16), SS_FIELD(struct dev_fw_cfg, off, U32), SS_END,
};
static const struct ss_desc fw_cfg_ss = {1, fw_cfg_fields, fw_cfg_pre_save, fw_cfg_post_load};

int dev_fw_cfg_create(struct vm *vm)
{
    struct dev_fw_cfg *f = calloc(1, sizeof(*f));
    if (!f)
        return -ENOMEM;
    pthread_mutex_init(&f->lock, NULL);
    f->vm = vm;
    if (build(f) < 0 || bus_pio_register(&vm->bus, FW_CFG_PORT_SEL, 2, &fw_cfg_ops, f, "fw_cfg") < 0 ||
        bus_add_device(&vm->bus, "fw_cfg", f, fw_cfg_reset, fw_cfg_destroy) < 0 ||
        bus_describe(&vm->bus, f, &fw_cfg_ss) < 0) {
        fw_cfg_destroy(f);
        return -EBUSY;
    }
    select_item(f, K_SIGNATURE); /* no vCPU runs yet */
    return 0;
}
