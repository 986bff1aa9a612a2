/* Direct Linux boot through the x86 boot protocol (2.10 and later): what a
 * boot loader does after the kernel's real-mode setup would have run; the
 * BIOS then enters the 32-bit (or 64-bit) entry point. Offsets and rules
 * are those of boot.rst. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "devices/bios/bios.h"
#include "devices/devices.h"
#include "devices/linux.h"
#include "vm/vm.h"

/* Setup header fields: offsets in the image and in boot_params alike. */
#define HDR_SETUP_SECTS     0x1f1
#define HDR_SYSSIZE         0x1f4
#define HDR_VID_MODE        0x1fa
#define HDR_BOOT_FLAG       0x1fe
#define HDR_JUMP            0x200
#define HDR_HEADER          0x202
#define HDR_VERSION         0x206
#define HDR_TYPE_OF_LOADER  0x210
#define HDR_LOADFLAGS       0x211
#define HDR_CODE32_START    0x214
#define HDR_RAMDISK_IMAGE   0x218
#define HDR_RAMDISK_SIZE    0x21c
#define HDR_HEAP_END_PTR    0x224
#define HDR_CMD_LINE_PTR    0x228
#define HDR_INITRD_ADDR_MAX 0x22c
#define HDR_KERNEL_ALIGN    0x230
#define HDR_RELOCATABLE     0x234
#define HDR_XLOADFLAGS      0x236
#define HDR_CMDLINE_SIZE    0x238
#define HDR_PREF_ADDRESS    0x258
#define HDR_INIT_SIZE       0x260
#define HDR_END_MAX         0x290 /* end of struct setup_header in boot_params */

/* boot_params fields outside the header. */
#define BP_EXT_MEM_K        0x002 /* screen_info.ext_mem_k */
#define BP_ALT_MEM_K        0x1e0
#define BP_E820_ENTRIES     0x1e8
#define BP_E820_TABLE       0x2d0
#define BP_SIZE             0x1000

#define LOADED_HIGH   0x01
#define KEEP_SEGMENTS 0x40
#define CAN_USE_HEAP  0x80
#define XLF_KERNEL_64 0x01

#define BOOT_CS 0x10
#define BOOT_DS 0x18
#define MIN_PROTOCOL 0x20a
#define KERNEL_LOW 0x100000u

static uint16_t get16(const uint8_t *p, size_t off) { return (uint16_t)(p[off] | p[off + 1] << 8); }
static uint32_t get32(const uint8_t *p, size_t off) { return get16(p, off) | (uint32_t)get16(p, off + 2) << 16; }
static uint64_t get64(const uint8_t *p, size_t off) { return get32(p, off) | (uint64_t)get32(p, off + 4) << 32; }
static void put16(uint8_t *p, size_t off, uint16_t v) { p[off] = (uint8_t)v, p[off + 1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, size_t off, uint32_t v) { put16(p, off, (uint16_t)v), put16(p, off + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, size_t off, uint64_t v) { put32(p, off, (uint32_t)v), put32(p, off + 4, (uint32_t)(v >> 32)); }

static bool is_bzimage(const uint8_t *img, size_t len)
{
    return len >= HDR_END_MAX && get16(img, HDR_BOOT_FLAG) == 0xaa55 && !memcmp(img + HDR_HEADER, "HdrS", 4);
}

int loader_linux_probe(const char *path, char *err, size_t errlen)
{
    uint8_t head[HDR_END_MAX];
    FILE *f;
    size_t n;

    if (loader_check_file(path, err, errlen) < 0)
        return -1;
    f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
        return -1;
    }
    n = fread(head, 1, sizeof(head), f);
    fclose(f);
    return is_bzimage(head, n);
}

/* Reads and concatenates a comma-separated list of initrd files. */
static uint8_t *read_initrd(const char *list, size_t max, size_t *len, char *err, size_t errlen)
{
    char *copy = strdup(list), *save = NULL, *item;
    uint8_t *all = NULL;

    *len = 0;
    if (!copy) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        struct stat st;
        size_t n;
        uint8_t *part, *grown;
        if (!stat(item, &st) && S_ISREG(st.st_mode) && (uint64_t)st.st_size > max - *len) {
            snprintf(err, errlen, "initrd '%s' (%llu KiB) does not fit in guest RAM (%llu KiB)", item,
                     (unsigned long long)(st.st_size + 1023) >> 10, (unsigned long long)max >> 10);
            goto fail;
        }
        part = loader_read_file(item, &n, max - *len, err, errlen);
        if (!part)
            goto fail;
        grown = realloc(all, *len + n + 1);
        if (!grown) {
            free(part);
            snprintf(err, errlen, "out of memory reading '%s'", item);
            goto fail;
        }
        all = grown;
        memcpy(all + *len, part, n);
        *len += n;
        free(part);
    }
    free(copy);
    if (!all)
        snprintf(err, errlen, "empty -initrd list");
    return all;
fail:
    free(copy);
    free(all);
    return NULL;
}

/* The flat segments of the 32-bit boot protocol: __BOOT_CS = 0x10 (code),
 * __BOOT_DS = 0x18 (data); with entry64 the code segment is 64-bit and
 * an identity map of the low 4 GiB (2 MiB pages) covers the kernel,
 * boot_params, the command line and the initrd wherever they are. EBP,
 * EDI and EBX must be zero, ESI points to boot_params. */
static void enter(struct vm *vm, uint64_t entry, bool entry64)
{
    uint64_t gdt[4] = {0, 0, 0x00cf9b000000ffffull, 0x00cf93000000ffffull};
    struct boot_entry e = {.long64 = entry64, .rip = entry, .esi = LINUX_BOOT_PARAMS, .esp = LINUX_STACK_TOP,
                           .gdt_base = LINUX_GDT, .gdt_limit = sizeof(gdt) - 1, .cs = BOOT_CS, .ds = BOOT_DS};

    if (entry64) {
        uint64_t pml4[512] = {0}, pdpt[512] = {0}, pd[512];
        gdt[2] = 0x00af9b000000ffffull;
        pml4[0] = (LINUX_PAGE_TABLES + 0x1000) | 0x03;
        for (unsigned i = 0; i < 4; i++)
            pdpt[i] = (LINUX_PAGE_TABLES + 0x2000 + i * 0x1000) | 0x03;
        pgm_load(&vm->pgm, LINUX_PAGE_TABLES, pml4, sizeof(pml4));
        pgm_load(&vm->pgm, LINUX_PAGE_TABLES + 0x1000, pdpt, sizeof(pdpt));
        for (unsigned i = 0; i < 4; i++) {
            for (unsigned j = 0; j < 512; j++)
                pd[j] = ((uint64_t)i << 30) + ((uint64_t)j << 21) + 0x83; /* P, RW, PS */
            pgm_load(&vm->pgm, LINUX_PAGE_TABLES + 0x2000 + i * 0x1000, pd, sizeof(pd));
        }
        e.cr3 = LINUX_PAGE_TABLES;
    }
    pgm_load(&vm->pgm, LINUX_GDT, gdt, sizeof(gdt));
    loader_enter(vm, &e);
}

/* Everything the loader decided, for the zero page. */
struct layout {
    uint64_t load; /* protected-mode kernel (code32_start) */
    uint64_t end;  /* end of what the kernel occupies before it reads the e820 map */
    uint64_t initrd, initrd_len;
    uint32_t cmdline_len;
};

/* The decompressor always runs the kernel at pref_address (LOAD_PHYSICAL_ADDR)
 * or higher, needing init_size bytes there, wherever it was loaded; so a
 * relocatable kernel is loaded right there (nothing to move), any other at
 * 1 MiB, and the RAM it needs is up to pref_address + init_size. */
static int place_kernel(const uint8_t *img, size_t pm_len, uint64_t top, struct layout *lo, char *err,
                        size_t errlen)
{
    uint64_t pref = get64(img, HDR_PREF_ADDRESS), run;

    if (pref < KERNEL_LOW || pref >= 0x100000000ull)
        pref = KERNEL_LOW;
    lo->load = img[HDR_RELOCATABLE] ? pref : KERNEL_LOW;
    run = pref > lo->load ? pref : lo->load;
    lo->end = run + get32(img, HDR_INIT_SIZE);
    if (lo->end < lo->load + pm_len)
        lo->end = lo->load + pm_len;
    if (lo->end > top) {
        snprintf(err, errlen, "the kernel needs RAM up to %llu MiB; guest RAM from 1 MiB ends at %llu MiB",
                 (unsigned long long)((lo->end + 0xfffff) >> 20), (unsigned long long)(top >> 20));
        return -1;
    }
    return 0;
}

/* The initrd goes as high as the kernel allows (initrd_addr_max is the
 * last byte it may occupy), page aligned, above the kernel's init area. */
static int place_initrd(const uint8_t *img, uint64_t top, const char *name, struct layout *lo, char *err,
                        size_t errlen)
{
    uint64_t limit = (uint64_t)get32(img, HDR_INITRD_ADDR_MAX) + 1, floor = lo->end;

    if (limit > top)
        limit = top;
    if (lo->initrd_len > limit || ((limit - lo->initrd_len) & ~0xfffull) < floor) {
        snprintf(err, errlen, "initrd '%s' (%llu KiB) does not fit in guest RAM below 0x%llx beside the kernel",
                 name, (unsigned long long)(lo->initrd_len + 1023) >> 10, (unsigned long long)limit);
        return -1;
    }
    lo->initrd = (limit - lo->initrd_len) & ~0xfffull;
    return 0;
}

static void build_boot_params(struct vm *vm, const uint8_t *img, const struct layout *lo, uint8_t *bp)
{
    size_t hdr_end = HDR_HEADER + img[HDR_JUMP + 1]; /* the jump at 0x200 skips exactly the header */
    uint64_t top = e820_ram_top_from_1m(vm);
    struct e820_map m;

    memset(bp, 0, BP_SIZE);
    if (hdr_end > HDR_END_MAX)
        hdr_end = HDR_END_MAX;
    memcpy(bp + HDR_SETUP_SECTS, img + HDR_SETUP_SECTS, hdr_end - HDR_SETUP_SECTS);
    /* screen_info stays zero (no lines, no columns): the kernel then knows
     * there is no VGA text console to probe */
    put16(bp, BP_EXT_MEM_K, (uint16_t)((top - KERNEL_LOW) >> 10 > 0xffff ? 0xffff : (top - KERNEL_LOW) >> 10));
    put32(bp, BP_ALT_MEM_K, (uint32_t)((top - KERNEL_LOW) >> 10));
    put16(bp, HDR_VID_MODE, 0xffff); /* "normal" */
    bp[HDR_TYPE_OF_LOADER] = 0xff;   /* undefined loader */
    bp[HDR_LOADFLAGS] = (uint8_t)((bp[HDR_LOADFLAGS] | CAN_USE_HEAP) & ~KEEP_SEGMENTS);
    put16(bp, HDR_HEAP_END_PTR, 0xfe00 - 0x200);
    put32(bp, HDR_CODE32_START, (uint32_t)lo->load);
    put32(bp, HDR_RAMDISK_IMAGE, (uint32_t)lo->initrd);
    put32(bp, HDR_RAMDISK_SIZE, (uint32_t)lo->initrd_len);
    put32(bp, HDR_CMD_LINE_PTR, LINUX_CMDLINE);
    e820_build(vm, &m);
    bp[BP_E820_ENTRIES] = (uint8_t)m.n;
    for (unsigned i = 0; i < m.n; i++) {
        put64(bp, BP_E820_TABLE + i * 20, m.addr[i]);
        put64(bp, BP_E820_TABLE + i * 20 + 8, m.size[i]);
        put32(bp, BP_E820_TABLE + i * 20 + 16, m.type[i]);
    }
}

/* Checks the header: a bzImage of boot protocol 2.10 or later, whole. */
static int check_header(const uint8_t *img, size_t len, size_t *setup_len, char *err, size_t errlen)
{
    uint16_t version = get16(img, HDR_VERSION);
    unsigned sects = img[HDR_SETUP_SECTS] ? img[HDR_SETUP_SECTS] : 4;

    if (version < MIN_PROTOCOL) {
        snprintf(err, errlen, "Linux boot protocol %u.%02u is too old (pcvm needs 2.10 or later)",
                 version >> 8, version & 0xff);
        return -1;
    }
    if (!(img[HDR_LOADFLAGS] & LOADED_HIGH)) {
        snprintf(err, errlen, "a zImage (loaded low) is not supported; use a bzImage");
        return -1;
    }
    *setup_len = (size_t)(sects + 1) * 512;
    /* syssize counts 16-byte paragraphs, rounded up: the image may end up
     * to 15 bytes short of it (memtest86+ does) */
    if (*setup_len >= len || (uint64_t)get32(img, HDR_SYSSIZE) * 16 > len - *setup_len + 15) {
        snprintf(err, errlen, "truncated bzImage (%zu bytes, header says %llu)", len,
                 (unsigned long long)*setup_len + (uint64_t)get32(img, HDR_SYSSIZE) * 16);
        return -1;
    }
    return 0;
}

int loader_linux(struct vm *vm, const char *path, const char *cmdline, const char *initrd, bool entry64,
                 char *err, size_t errlen)
{
    size_t len, setup_len, pm_len;
    uint8_t *img = loader_read_file(path, &len, vm->pgm.ram_size, err, errlen), *rd = NULL;
    uint8_t *bp = NULL;
    struct layout lo = {0};
    uint64_t top = e820_ram_top_from_1m(vm);
    uint32_t cmdline_max;
    size_t rd_len = 0;
    int rc = -1;

    if (!img)
        return -1;
    if (!is_bzimage(img, len)) {
        snprintf(err, errlen, "'%s' is not a Linux bzImage (no \"HdrS\" setup header)", path);
        goto out;
    }
    if (check_header(img, len, &setup_len, err, errlen) < 0)
        goto prefix;
    pm_len = len - setup_len;
    if (entry64 && !(get16(img, HDR_XLOADFLAGS) & XLF_KERNEL_64)) {
        snprintf(err, errlen, "the kernel has no 64-bit entry point (xloadflags lacks XLF_KERNEL_64)");
        goto prefix;
    }
    cmdline_max = get32(img, HDR_CMDLINE_SIZE);
    if (cmdline_max > LINUX_CMDLINE_END - LINUX_CMDLINE - 1)
        cmdline_max = LINUX_CMDLINE_END - LINUX_CMDLINE - 1;
    lo.cmdline_len = cmdline ? (uint32_t)strnlen(cmdline, (size_t)cmdline_max + 1) : 0;
    if (lo.cmdline_len > cmdline_max) {
        snprintf(err, errlen, "the kernel command line is %zu bytes; this kernel accepts at most %u",
                 strlen(cmdline), cmdline_max);
        goto prefix;
    }
    if (place_kernel(img, pm_len, top, &lo, err, errlen) < 0)
        goto prefix;
    if (initrd && *initrd) {
        rd = read_initrd(initrd, vm->pgm.ram_size, &rd_len, err, errlen);
        if (!rd)
            goto out;
        lo.initrd_len = rd_len;
        if (place_initrd(img, top, initrd, &lo, err, errlen) < 0)
            goto out;
    }
    bp = malloc(BP_SIZE);
    if (!bp) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    build_boot_params(vm, img, &lo, bp);
    if (pgm_load(&vm->pgm, lo.load, img + setup_len, pm_len) < 0 ||
        (rd && pgm_load(&vm->pgm, lo.initrd, rd, rd_len) < 0) ||
        pgm_load(&vm->pgm, LINUX_BOOT_PARAMS, bp, BP_SIZE) < 0 ||
        pgm_load(&vm->pgm, LINUX_CMDLINE, cmdline ? cmdline : "", lo.cmdline_len) < 0 ||
        pgm_load(&vm->pgm, LINUX_CMDLINE + lo.cmdline_len, "", 1) < 0) {
        snprintf(err, errlen, "'%s': cannot write the kernel into guest RAM", path);
        goto out;
    }
    enter(vm, entry64 ? lo.load + 0x200 : lo.load, entry64);
    rc = 0;
    goto out;
prefix: {
    char tmp[256];
    snprintf(tmp, sizeof(tmp), "%s", err);
    snprintf(err, errlen, "'%s': %s", path, tmp);
}
out:
    free(bp);
    free(rd);
    free(img);
    return rc;
}

/* Whether a Multiboot v1 header (magic and checksum) lies in the first
 * 8 KiB, as loader_multiboot looks for it. */
static int has_multiboot_header(const char *path)
{
    uint8_t buf[8192];
    FILE *f = fopen(path, "rb");
    size_t n;

    if (!f)
        return 0;
    n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    for (size_t off = 0; off + 12 <= n; off += 4) {
        uint32_t magic = get32(buf, off), flags = get32(buf, off + 4), sum = get32(buf, off + 8);
        if (magic == 0x1badb002u && (uint32_t)(magic + flags + sum) == 0)
            return 1;
    }
    return 0;
}

/* QEMU's wording, which scripts match (kvm-unit-tests' premature_failure). */
static int kernel_failed(const char *path, char *err, size_t errlen)
{
    char why[256];
    snprintf(why, sizeof(why), "%s", err);
    snprintf(err, errlen, "could not load kernel '%s': %s", path, why);
    return -1;
}

int loader_kernel(struct vm *vm, const char *path, const char *cmdline, const char *initrd, char *err,
                  size_t errlen)
{
    int bz = loader_linux_probe(path, err, errlen);

    if (bz < 0)
        return kernel_failed(path, err, errlen);
    if (bz)
        return loader_linux(vm, path, cmdline, initrd, false, err, errlen) < 0 ? kernel_failed(path, err, errlen)
                                                                                : 0;
    if (!has_multiboot_header(path)) {
        snprintf(err, errlen, "neither a Linux bzImage nor Multiboot");
        return kernel_failed(path, err, errlen);
    }
    return loader_multiboot(vm, path, cmdline, initrd, err, errlen) < 0 ? kernel_failed(path, err, errlen) : 0;
}
