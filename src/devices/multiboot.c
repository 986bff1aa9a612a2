/* Multiboot v1 loading: ELF32 program headers or the a.out kludge, the info
 * structure with memory sizes, command line, modules and a memory map (the
 * BIOS's E820 map), and the entry state of the specification (flat 32-bit
 * protected mode, EAX = 0x2BADB002, EBX = the info structure). */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/bios/bios.h"
#include "devices/devices.h"
#include "vm/vm.h"

#define MB_MAGIC      0x1badb002u
#define MB_BOOT_MAGIC 0x2badb002u
#define MB_AOUT_KLUDGE (1u << 16)
/* Required flags (bits 0-15) pcvm honours: modules page aligned, memory
 * information. The specification makes a loader refuse any other one. */
#define MB_REQUIRED_MASK 0xffffu
#define MB_REQUIRED_OK   0x0003u
#define MB_SEARCH 8192
/* The loader's own area: a flat GDT the kernel may keep using until it
 * loads its own, then (MB_INFO_OFF on) the info structure, its strings,
 * mmap and module list. Below 640 KiB unless the kernel is loaded there
 * (kvm-unit-tests' realmode test is linked at 32 KiB); then right after the
 * kernel, before the modules, as QEMU also keeps it clear of the image. */
#define MB_LOW_BASE 0x8000u
#define MB_LOW_END  0x9fc00u
#define MB_HIGH_SIZE 0x20000u
#define MB_INFO_OFF 0x1000u
#define MAX_MODULES 16

struct mb_info_area {
    struct vm *vm;
    uint32_t base, end; /* [base, end), once chosen (base 0: not yet) */
    uint32_t next;      /* allocation pointer in [base + MB_INFO_OFF, end) */
    bool low_taken;     /* a kernel segment covers part of the low area */
};

static uint32_t area_put(struct mb_info_area *a, const void *data, uint32_t len)
{
    uint32_t at = (a->next + 3) & ~3u;
    if (at + len > a->end)
        return 0;
    pgm_load(&a->vm->pgm, at, data, len);
    a->next = at + len;
    return at;
}

/* What the loader writes at [addr, addr + size) must land in guest RAM
 * (one RAM entry of the E820 map): elsewhere pgm_load would drop it, or
 * write a ROM, and the guest would run something else. It must also
 * stay clear of the loader's area once that is chosen; before, a kernel
 * segment in the low area only moves the area. */
static int check_placement(struct vm *vm, struct mb_info_area *a, const char *what, uint64_t addr, uint64_t size,
                           char *err, size_t errlen)
{
    struct e820_map map;
    uint64_t end = addr + size, top = e820_ram_top_from_1m(vm);

    if (a->base && addr < a->end && end > a->base) {
        snprintf(err, errlen, "%s at 0x%llx-0x%llx overlaps the Multiboot info area (0x%x-0x%x)", what,
                 (unsigned long long)addr, (unsigned long long)end - 1, a->base, a->end - 1);
        return -1;
    }
    if (!a->base && addr < MB_LOW_END && end > MB_LOW_BASE)
        a->low_taken = true;
    e820_build(vm, &map);
    for (unsigned i = 0; i < map.n; i++)
        if (map.type[i] == E820_RAM && addr >= map.addr[i] && end <= map.addr[i] + map.size[i])
            return 0;
    if (addr < 0x100000 && end > E820_EBDA)
        snprintf(err, errlen, "%s at 0x%llx-0x%llx is not in guest RAM: 0x%x-0xfffff holds the EBDA, the VGA "
                 "window and ROMs", what, (unsigned long long)addr, (unsigned long long)end - 1, E820_EBDA);
    else if (end > top)
        snprintf(err, errlen, "%s at 0x%llx-0x%llx does not fit in guest RAM (RAM from 1 MiB ends at 0x%llx)",
                 what, (unsigned long long)addr, (unsigned long long)end - 1, (unsigned long long)top - 1);
    else
        snprintf(err, errlen, "%s at 0x%llx-0x%llx is not in guest RAM (ROM or device memory)", what,
                 (unsigned long long)addr, (unsigned long long)end - 1);
    return -1;
}

static int load_elf(struct vm *vm, struct mb_info_area *a, const uint8_t *img, size_t len, uint32_t *entry,
                    uint32_t *end, char *err, size_t errlen)
{
    const Elf32_Ehdr *eh = (const void *)img;

    if (len < sizeof(*eh) || eh->e_ident[EI_CLASS] != ELFCLASS32 || eh->e_machine != EM_386 ||
        eh->e_phentsize != sizeof(Elf32_Phdr) || eh->e_phoff > len ||
        (uint64_t)eh->e_phnum * sizeof(Elf32_Phdr) > len - eh->e_phoff) {
        snprintf(err, errlen, "not a 32-bit x86 ELF image");
        return -1;
    }
    *end = 0;
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        Elf32_Phdr phdr, *ph = &phdr; /* copied: e_phoff need not be aligned */
        memcpy(&phdr, img + eh->e_phoff + i * sizeof(Elf32_Phdr), sizeof(phdr));
        if (ph->p_type != PT_LOAD || ph->p_memsz == 0)
            continue;
        if (ph->p_offset > len || ph->p_filesz > len - ph->p_offset) {
            snprintf(err, errlen, "the file is truncated: ELF segment at 0x%x needs bytes 0x%x-0x%llx of it, "
                     "it has %zu", ph->p_paddr, ph->p_offset, (unsigned long long)ph->p_offset + ph->p_filesz - 1,
                     len);
            return -1;
        }
        if (ph->p_filesz > ph->p_memsz) {
            snprintf(err, errlen, "ELF segment at 0x%x has more file bytes (%u) than memory bytes (%u)",
                     ph->p_paddr, ph->p_filesz, ph->p_memsz);
            return -1;
        }
        /* ld gives the ELF and program headers a read-only segment of their
         * own below the first (-Ttext 0x100000 puts it at 0xff000, in the
         * BIOS): no kernel code or data, so it is left out where it cannot go */
        bool headers_only = ph->p_offset == 0 && ph->p_filesz == ph->p_memsz && !(ph->p_flags & (PF_W | PF_X)) &&
                            ph->p_filesz <= (uint64_t)eh->e_phoff + eh->e_phnum * sizeof(Elf32_Phdr);
        if (check_placement(vm, a, "ELF segment", ph->p_paddr, ph->p_memsz, err, errlen) < 0) {
            if (headers_only)
                continue;
            return -1;
        }
        uint8_t *seg = calloc(1, ph->p_memsz);
        if (!seg) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        memcpy(seg, img + ph->p_offset, ph->p_filesz);
        pgm_load(&vm->pgm, ph->p_paddr, seg, ph->p_memsz);
        free(seg);
        if (ph->p_paddr + ph->p_memsz > *end)
            *end = ph->p_paddr + ph->p_memsz;
    }
    *entry = eh->e_entry;
    return 0;
}

static int load_aout(struct vm *vm, struct mb_info_area *a, const uint8_t *img, size_t len, const uint32_t *h,
                     size_t hoff, uint32_t *entry, uint32_t *end, char *err, size_t errlen)
{
    uint32_t header_addr = h[3], load_addr = h[4], load_end = h[5], bss_end = h[6];
    uint64_t top = e820_ram_top_from_1m(vm), off, size, end64;

    if (load_addr > header_addr || header_addr - load_addr > hoff) {
        snprintf(err, errlen, "bad Multiboot a.out addresses");
        return -1;
    }
    off = hoff - (header_addr - load_addr);
    size = load_end ? (uint64_t)load_end - load_addr : len - off;
    if (load_end && load_end < load_addr) {
        snprintf(err, errlen, "bad Multiboot load_end_addr");
        return -1;
    }
    if (off + size > len)
        size = len - off;
    if (bss_end && bss_end < load_addr + size) {
        snprintf(err, errlen, "bad Multiboot bss_end_addr");
        return -1;
    }
    end64 = bss_end ? bss_end : load_addr + size; /* 64-bit: load_addr + size may pass 4 GiB */
    if (end64 > top) {
        snprintf(err, errlen, "kernel (%llu KiB at 0x%x) is larger than guest RAM",
                 (unsigned long long)(end64 - load_addr) >> 10, load_addr);
        return -1;
    }
    if (check_placement(vm, a, "the kernel", load_addr, end64 - load_addr, err, errlen) < 0)
        return -1;
    *end = (uint32_t)end64;
    pgm_load(&vm->pgm, load_addr, img + off, size);
    if (bss_end > load_addr + size) {
        uint8_t *z = calloc(1, bss_end - load_addr - size);
        if (!z) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        pgm_load(&vm->pgm, load_addr + size, z, bss_end - load_addr - size);
        free(z);
    }
    *entry = h[7];
    return 0;
}

/* Loads each "path args" module of a comma-separated list after end. */
static int load_modules(struct vm *vm, struct mb_info_area *a, const char *list, uint32_t *end,
                        uint32_t *mods_addr, uint32_t *count, char *err, size_t errlen)
{
    uint32_t mods[MAX_MODULES][4];
    char *copy = strdup(list), *save = NULL, *item;
    int rc = -1;

    *count = 0;
    if (!copy)
        return -1;
    for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char path[4096], what[220];
        size_t len;
        uint8_t *img;
        uint32_t at = (*end + 0xfff) & ~0xfffu;
        if (*count >= MAX_MODULES) {
            snprintf(err, errlen, "too many Multiboot modules (at most %d)", MAX_MODULES);
            goto out;
        }
        snprintf(path, sizeof(path), "%s", item);
        strtok(path, " ");
        img = loader_read_file(path, &len, vm->pgm.ram_size, err, errlen);
        if (!img)
            goto out;
        snprintf(what, sizeof(what), "module '%.200s'", path);
        if (check_placement(vm, a, what, at, len, err, errlen) < 0) {
            free(img);
            goto out;
        }
        pgm_load(&vm->pgm, at, img, len);
        free(img);
        mods[*count][0] = at;
        mods[*count][1] = at + (uint32_t)len;
        mods[*count][2] = area_put(a, item, (uint32_t)strlen(item) + 1);
        mods[*count][3] = 0;
        *end = at + (uint32_t)len;
        (*count)++;
    }
    *mods_addr = *count ? area_put(a, mods, *count * 16) : 0;
    rc = 0;
out:
    free(copy);
    return rc;
}

/* The specification's state: flat 32-bit code and data segments (from a
 * GDT the kernel may keep until it loads its own), EAX the magic, EBX the
 * info structure; the IDT is left at the real-mode IVT. */
static void enter(struct vm *vm, uint32_t entry, uint32_t gdt_at, uint32_t info)
{
    static const uint64_t gdt[3] = {0, 0x00cf9b000000ffffull, 0x00cf93000000ffffull};
    struct boot_entry e = {.rip = entry, .eax = MB_BOOT_MAGIC, .ebx = info, .esp = 0x7c00,
                           .gdt_base = gdt_at, .gdt_limit = sizeof(gdt) - 1, .idt_limit = 0x3ff,
                           .cs = 0x08, .ds = 0x10};

    pgm_load(&vm->pgm, gdt_at, gdt, sizeof(gdt));
    loader_enter(vm, &e);
}

int loader_multiboot(struct vm *vm, const char *path, const char *cmdline, const char *modules, char *err,
                     size_t errlen)
{
    size_t len, hoff;
    uint8_t *img = loader_read_file(path, &len, vm->pgm.ram_size, err, errlen);
    const uint32_t *h = NULL;
    uint32_t entry, end, info[22] = {0}, mmap[6 * E820_MAX];
    struct e820_map map;
    struct mb_info_area area = {.vm = vm};
    char *cl;
    uint64_t top;
    int rc = -1;
    unsigned n = 0;

    if (!img)
        return -1;
    for (hoff = 0; hoff + 12 <= len && hoff < MB_SEARCH; hoff += 4) {
        const uint32_t *p = (const void *)(img + hoff);
        if (p[0] == MB_MAGIC && (uint32_t)(p[0] + p[1] + p[2]) == 0) {
            h = p;
            break;
        }
    }
    if (!h) {
        snprintf(err, errlen, "'%s' is not a Multiboot kernel (no header in its first 8 KiB)", path);
        goto out;
    }
    if (h[1] & MB_REQUIRED_MASK & ~MB_REQUIRED_OK) {
        snprintf(err, errlen, "'%s': its Multiboot header requires features pcvm does not provide (flags 0x%x: "
                 "of bits 0-15 only 0 and 1 are implemented)", path, h[1]);
        goto out;
    }
    if ((h[1] & MB_AOUT_KLUDGE) && hoff + 32 <= len)
        rc = load_aout(vm, &area, img, len, h, hoff, &entry, &end, err, errlen);
    else if (len >= 4 && !memcmp(img, ELFMAG, SELFMAG))
        rc = load_elf(vm, &area, img, len, &entry, &end, err, errlen);
    else
        snprintf(err, errlen, "'%s': Multiboot header without a.out addresses and not ELF32", path);
    if (rc < 0)
        goto prefix;
    if (area.low_taken) {
        uint32_t at = (end + 0xfff) & ~0xfffu;
        if (at < end || check_placement(vm, &area, "the Multiboot info area after the kernel", at, MB_HIGH_SIZE,
                                        err, errlen) < 0) {
            rc = -1;
            goto prefix;
        }
        area.base = at;
        area.end = end = at + MB_HIGH_SIZE;
    } else {
        area.base = MB_LOW_BASE;
        area.end = MB_LOW_END;
    }
    area.next = area.base + MB_INFO_OFF + sizeof(info);
    rc = -1;

    top = e820_ram_top_from_1m(vm);
    info[0] = 1u << 0 | 1u << 2 | 1u << 6 | 1u << 9; /* mem, cmdline, mmap, loader name */
    info[1] = 639;
    info[2] = (uint32_t)((top - 0x100000) >> 10);
    cl = malloc(strlen(path) + (cmdline ? strlen(cmdline) : 0) + 2);
    if (!cl) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    sprintf(cl, "%s%s%s", path, cmdline && *cmdline ? " " : "", cmdline ? cmdline : "");
    info[4] = area_put(&area, cl, (uint32_t)strlen(cl) + 1);
    free(cl);
    if (!info[4]) {
        snprintf(err, errlen, "the kernel command line is too long");
        goto out;
    }
    if (modules && *modules) {
        uint32_t count, addr;
        if (load_modules(vm, &area, modules, &end, &addr, &count, err, errlen) < 0)
            goto out;
        info[0] |= 1u << 3;
        info[5] = count;
        info[6] = addr;
    }
    /* memory map entries: size, base (64), length (64), type: the BIOS's E820 map */
    e820_build(vm, &map);
    for (unsigned i = 0; i < map.n; i++, n++) {
        uint32_t *e = &mmap[n * 6];
        e[0] = 20, e[1] = (uint32_t)map.addr[i], e[2] = (uint32_t)(map.addr[i] >> 32);
        e[3] = (uint32_t)map.size[i], e[4] = (uint32_t)(map.size[i] >> 32), e[5] = map.type[i];
    }
    info[11] = (uint32_t)n * 24;
    info[12] = area_put(&area, mmap, info[11]);
    info[16] = area_put(&area, "pcvm", 5);
    pgm_load(&vm->pgm, area.base + MB_INFO_OFF, info, sizeof(info));
    enter(vm, entry, area.base, area.base + MB_INFO_OFF);
    rc = 0;
    goto out;
prefix: {
    char tmp[256];
    snprintf(tmp, sizeof(tmp), "%s", err);
    if (strncmp(tmp, "'", 1))
        snprintf(err, errlen, "'%s': %s", path, tmp);
}
out:
    free(img);
    return rc;
}
