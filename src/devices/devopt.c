/* QEMU-style -device strings: "driver,key=value,...". Each driver lists the
 * keys it takes, so a typo is reported rather than silently ignored. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/devices.h"
#include "vm/vm.h"

#define MAX_KV 8

struct kv {
    char key[32];
    char val[256];
};

/* Splits "drv,k=v,k=v"; returns the number of pairs or -1. */
static int parse(const char *opt, char *drv, size_t drvlen, struct kv *kv, char *err, size_t errlen)
{
    const char *p = strchr(opt, ',');
    size_t n = p ? (size_t)(p - opt) : strlen(opt);
    int count = 0;

    if (n == 0 || n >= drvlen) {
        snprintf(err, errlen, "bad -device '%s'", opt);
        return -1;
    }
    memcpy(drv, opt, n);
    drv[n] = 0;
    while (p && *p == ',') {
        const char *item = p + 1, *eq, *end;
        p = strchr(item, ',');
        end = p ? p : item + strlen(item);
        eq = memchr(item, '=', (size_t)(end - item));
        if (!eq || count >= MAX_KV || (size_t)(eq - item) >= sizeof(kv->key) ||
            (size_t)(end - eq - 1) >= sizeof(kv->val)) {
            snprintf(err, errlen, "bad property in -device '%s'", opt);
            return -1;
        }
        snprintf(kv[count].key, sizeof(kv->key), "%.*s", (int)(eq - item), item);
        snprintf(kv[count].val, sizeof(kv->val), "%.*s", (int)(end - eq - 1), eq + 1);
        count++;
    }
    return count;
}

static int num(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    *out = strtoull(s, &end, 0);
    return (errno || end == s || *end) ? -1 : 0;
}

struct devopts {
    uint64_t iobase, iosize, addr;
    const char *file, *chardev;
};

static int props(const char *drv, const struct kv *kv, int n, const char *allowed, struct devopts *o,
                 char *err, size_t errlen)
{
    for (int i = 0; i < n; i++) {
        char k[40];
        snprintf(k, sizeof(k), " %s ", kv[i].key);
        if (!strstr(allowed, k)) {
            snprintf(err, errlen, "device '%s' has no property '%s'", drv, kv[i].key);
            return -1;
        }
        int bad = 0;
        if (!strcmp(kv[i].key, "iobase")) bad = num(kv[i].val, &o->iobase) || o->iobase > 0xffff;
        else if (!strcmp(kv[i].key, "iosize")) bad = num(kv[i].val, &o->iosize) || !o->iosize || o->iosize > 0x100;
        else if (!strcmp(kv[i].key, "addr")) bad = num(kv[i].val, &o->addr);
        else if (!strcmp(kv[i].key, "file")) o->file = kv[i].val;
        else if (!strcmp(kv[i].key, "chardev")) o->chardev = kv[i].val;
        if (bad) {
            snprintf(err, errlen, "bad value '%s' for %s.%s", kv[i].val, drv, kv[i].key);
            return -1;
        }
    }
    return 0;
}

/* QEMU's PCI addr=SLOT[.FUNCTION] (hexadecimal): removed from kv, devfn
 * set; -1 when it is malformed. */
static int take_pci_addr(struct kv *kv, int *n, int *devfn)
{
    for (int i = 0; i < *n; i++) {
        if (strcmp(kv[i].key, "addr"))
            continue;
        char *end;
        errno = 0;
        unsigned long slot = strtoul(kv[i].val, &end, 16), fn = 0;
        if (errno || end == kv[i].val || slot > 31)
            return -1;
        if (*end == '.') {
            const char *f = end + 1;
            fn = strtoul(f, &end, 16);
            if (end == f || fn > 7)
                return -1;
        }
        if (*end)
            return -1;
        *devfn = (int)(slot << 3 | fn);
        kv[i] = kv[--*n];
        i--;
    }
    return 0;
}

/* What -device help lists, in QEMU's format (scripts grep it). */
static const struct {
    const char *name, *bus, *desc;
} known_devices[] = {
    {"isa-debug-exit", "ISA", NULL},
    {"isa-debugcon", "ISA", NULL},
    {"pc-testdev", "ISA", NULL},
    {"pci-testdev", "PCI", "PCI Test Device"},
    {"VGA", "PCI", NULL},
    {"loader", NULL, "Generic Loader"},
};

void dev_print_list(FILE *f)
{
    for (size_t i = 0; i < sizeof(known_devices) / sizeof(known_devices[0]); i++) {
        fprintf(f, "name \"%s\"", known_devices[i].name);
        if (known_devices[i].bus)
            fprintf(f, ", bus %s", known_devices[i].bus);
        if (known_devices[i].desc)
            fprintf(f, ", desc \"%s\"", known_devices[i].desc);
        fputc('\n', f);
    }
}

int dev_create_from_option(struct vm *vm, const char *opt, char *err, size_t errlen)
{
    char drv[32];
    struct kv kv[MAX_KV];
    struct devopts o = {0};
    int n = parse(opt, drv, sizeof(drv), kv, err, errlen);

    if (n < 0)
        return -1;
    if (!strcmp(drv, "isa-debug-exit")) {
        o.iobase = 0x501, o.iosize = 2; /* QEMU's defaults */
        if (props(drv, kv, n, " iobase iosize ", &o, err, errlen) < 0)
            return -1;
        if (dev_debugexit_create(vm, (uint16_t)o.iobase, (uint16_t)o.iosize) < 0)
            goto busy;
        return 0;
    }
    if (!strcmp(drv, "isa-debugcon")) {
        struct chardev *chr;
        o.iobase = 0xe9;
        if (props(drv, kv, n, " iobase chardev ", &o, err, errlen) < 0)
            return -1;
        /* chardev= names a -chardev id, or (pcvm) a backend spec: stdio, file:PATH, null */
        if (vm_chardev(vm, o.chardev ? o.chardev : "stdio", &chr, err, errlen) < 0)
            return -1;
        if (dev_debugcon_create(vm, (uint16_t)o.iobase, chr) < 0)
            goto busy;
        return 0;
    }
    if (!strcmp(drv, "loader")) { /* applied at every boot by loader_options() */
        if (props(drv, kv, n, " file addr force-raw cpu-num ", &o, err, errlen) < 0)
            return -1;
        if (!o.file) {
            snprintf(err, errlen, "-device loader needs file= and addr=");
            return -1;
        }
        return 0;
    }
    if (!strcmp(drv, "pc-testdev")) {
        if (props(drv, kv, n, " ", &o, err, errlen) < 0)
            return -1;
        if (dev_testdev_create(vm) < 0) {
            snprintf(err, errlen, "cannot create pc-testdev (ports 0xe0-0xeb or 0x2000 in use?)");
            return -1;
        }
        return 0;
    }
    if (!strcmp(drv, "pci-testdev")) {
        int devfn = -1;
        if (take_pci_addr(kv, &n, &devfn) < 0) {
            snprintf(err, errlen, "bad addr= in -device '%s' (SLOT[.FUNCTION], hexadecimal)", opt);
            return -1;
        }
        if (props(drv, kv, n, " ", &o, err, errlen) < 0)
            return -1;
        return dev_pci_testdev_create(vm, devfn, err, errlen);
    }
    snprintf(err, errlen, "unknown device '%s'", drv);
    return -1;
busy:
    snprintf(err, errlen, "cannot create %s at port 0x%llx (ports in use?)", drv, (unsigned long long)o.iobase);
    return -1;
}

int loader_options(struct vm *vm, char *err, size_t errlen)
{
    for (unsigned i = 0; i < vm->cfg.ndevices; i++) {
        char drv[32];
        struct kv kv[MAX_KV];
        struct devopts o = {0};
        int n = parse(vm->cfg.devices[i], drv, sizeof(drv), kv, err, errlen);
        if (n < 0)
            return -1;
        if (strcmp(drv, "loader"))
            continue;
        if (props(drv, kv, n, " file addr force-raw cpu-num ", &o, err, errlen) < 0)
            return -1;
        if (loader_raw(vm, o.file, o.addr, err, errlen) < 0)
            return -1;
    }
    return 0;
}
