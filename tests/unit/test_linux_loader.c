/* The Linux boot protocol loader: a fake bzImage built here (just the setup
 * header fields the loader reads, then a marked protected-mode part) goes
 * through vm_create, and the zero page, e820 map, command line, initrd and
 * entry state are read back from guest memory. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "devices/linux.h"
#include "vm/vm.h"

#define SETUP_SECTS 1
#define SETUP_LEN ((SETUP_SECTS + 1) * 512)
#define PM_LEN 8192
#define MiB (1ull << 20)

struct fake {
    uint16_t version;
    uint8_t loadflags, relocatable;
    uint16_t xloadflags;
    uint32_t cmdline_size, init_size, initrd_addr_max;
    uint64_t pref;
    unsigned trim; /* bytes cut off the end of the file */
};

static const struct fake default_fake = {.version = 0x20f, .loadflags = 0x01, .relocatable = 1,
                                         .xloadflags = 0x01, .cmdline_size = 255, .init_size = 2 * MiB,
                                         .initrd_addr_max = 0x7fffffff, .pref = 16 * MiB};

static void put(uint8_t *p, size_t off, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[off + i] = (uint8_t)(v >> 8 * i);
}

static uint64_t get(const uint8_t *p, size_t off, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = n; i-- > 0;)
        v = v << 8 | p[off + i];
    return v;
}

/* Writes len bytes of pattern-or-zero data to a new temporary file. */
static char *temp_file(const void *data, size_t len)
{
    char *path = strdup("/tmp/pcvm-linux-XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    if (data)
        cr_assert_eq(write(fd, data, len), (ssize_t)len);
    else
        cr_assert_eq(ftruncate(fd, (off_t)len), 0);
    close(fd);
    return path;
}

static char *fake_bzimage(const struct fake *f)
{
    uint8_t img[SETUP_LEN + PM_LEN] = {0};
    put(img, 0x1f1, SETUP_SECTS, 1);
    put(img, 0x1f4, PM_LEN / 16, 4);
    put(img, 0x1fe, 0xaa55, 2);
    put(img, 0x200, 0xeb, 1);
    put(img, 0x201, 0x6a, 1); /* header ends at 0x26c */
    memcpy(img + 0x202, "HdrS", 4);
    put(img, 0x206, f->version, 2);
    put(img, 0x211, f->loadflags, 1);
    put(img, 0x214, 0x100000, 4);
    put(img, 0x22c, f->initrd_addr_max, 4);
    put(img, 0x230, 0x200000, 4);
    put(img, 0x234, f->relocatable, 1);
    put(img, 0x236, f->xloadflags, 2);
    put(img, 0x238, f->cmdline_size, 4);
    put(img, 0x258, f->pref, 8);
    put(img, 0x260, f->init_size, 4);
    for (unsigned i = 0; i < PM_LEN; i++)
        img[SETUP_LEN + i] = (uint8_t)(i * 7 + 1);
    return temp_file(img, sizeof(img) - f->trim);
}

static int boot(uint64_t ram, const char *kernel, const char *append, const char *initrd, struct vm **vm,
                char *err, size_t errlen)
{
    struct vm_config cfg = {.ram_size = ram, .ncpus = 1, .nodefaults = true, .kernel = kernel,
                            .append = append, .initrd = initrd};
    return vm_create(&cfg, vm, err, errlen);
}

/* Runs vCPU 0 from the reset vector through the built-in BIOS until it
 * enters the kernel at rip (in protected or long mode). */
static void run_bios_to(struct vm *vm, uint64_t rip)
{
    struct vcpu *v = &vm->cpus[0];
    unsigned n;

    for (n = 0; n < 200000 && !(v->cpu.rip == rip && (v->cpu.cr0 & CR0_PE)); n++)
        cr_assert_eq(iem_exec(v, 1), IEM_OK, "BIOS instruction %u at %04x:%llx", n, v->cpu.seg[S_CS].sel,
                     (unsigned long long)v->cpu.rip);
    cr_assert_eq(v->cpu.rip, rip, "the BIOS enters the kernel");
}

static void read_bp(struct vm *vm, uint8_t *bp)
{
    pgm_read(&vm->pgm, LINUX_BOOT_PARAMS, bp, 4096);
}

static void expect_failure(uint64_t ram, const char *kernel, const char *append, const char *initrd,
                           const char *needle)
{
    char err[256] = "";
    struct vm *vm = (struct vm *)1;
    cr_assert_lt(boot(ram, kernel, append, initrd, &vm, err, sizeof(err)), 0, "expected '%s'", needle);
    cr_assert_null(vm);
    cr_assert(strstr(err, needle), "error '%s' should mention '%s'", err, needle);
    cr_assert(!strchr(err, '\n'), "one line: '%s'", err);
}

Test(linux_loader, zero_page_cmdline_initrd_and_32bit_entry)
{
    char *k = fake_bzimage(&default_fake), err[256];
    uint8_t rd[10000], bp[4096], buf[PM_LEN];
    char *r, cl[64];
    struct vm *vm;

    for (unsigned i = 0; i < sizeof(rd); i++)
        rd[i] = (uint8_t)(i ^ 0x5a);
    r = temp_file(rd, sizeof(rd));
    cr_assert_eq(boot(64 * MiB, k, "console=ttyS0 quiet", r, &vm, err, sizeof(err)), 0, "%s", err);
    read_bp(vm, bp);

    /* the header is copied, with the loader's fields filled in */
    cr_assert_eq(memcmp(bp + 0x202, "HdrS", 4), 0);
    cr_assert_eq(get(bp, 0x206, 2), 0x20f);
    cr_assert_eq(get(bp, 0x238, 4), 255, "cmdline_size copied from the image");
    cr_assert_eq(bp[0x210], 0xff, "type_of_loader");
    cr_assert_eq(get(bp, 0x1fa, 2), 0xffff, "vid_mode normal");
    cr_assert(bp[0x211] & 0x80, "CAN_USE_HEAP");
    cr_assert(bp[0x211] & 0x01, "LOADED_HIGH kept");
    cr_assert_eq(get(bp, 0x224, 2), 0xfe00 - 0x200, "heap_end_ptr");
    cr_assert_eq(get(bp, 0x214, 4), 16 * MiB, "relocatable kernel at pref_address");
    cr_assert_eq(bp[0x0f] | bp[0x07] | bp[0x0e], 0, "screen_info says no VGA text console");

    /* the protected-mode part sits at code32_start */
    pgm_read(&vm->pgm, 16 * MiB, buf, sizeof(buf));
    for (unsigned i = 0; i < PM_LEN; i++)
        cr_assert_eq(buf[i], (uint8_t)(i * 7 + 1), "kernel byte %u", i);

    /* command line */
    cr_assert_eq(get(bp, 0x228, 4), LINUX_CMDLINE);
    pgm_read(&vm->pgm, LINUX_CMDLINE, cl, sizeof(cl));
    cr_assert_str_eq(cl, "console=ttyS0 quiet");

    /* initrd: as high as RAM allows, page aligned, intact */
    uint64_t at = get(bp, 0x218, 4);
    cr_assert_eq(get(bp, 0x21c, 4), sizeof(rd));
    cr_assert_eq(at, (64 * MiB - sizeof(rd)) & ~0xfffull);
    cr_assert_geq(at, 18 * MiB, "above the kernel's init_size area");
    uint8_t back[sizeof(rd)];
    pgm_read(&vm->pgm, at, back, sizeof(back));
    cr_assert_eq(memcmp(back, rd, sizeof(rd)), 0);

    /* e820: conventional memory less the EBDA, the BIOS area, RAM from 1 MiB,
     * then the MMIO pages of the I/O APIC, the HPET and the local APIC, and
     * the BIOS ROM below 4 GiB */
    cr_assert_eq(bp[0x1e8], 7);
    static const uint64_t want[7][3] = {
        {0, 0x9fc00, 1},          {0x9fc00, 0x60400, 2},    {MiB, 63 * MiB, 1},
        {0xfec00000, 0x1000, 2}, {0xfed00000, 0x400, 2}, {0xfee00000, 0x1000, 2},
        {0xffff0000, 0x10000, 2},
    };
    for (unsigned i = 0; i < 7; i++) {
        cr_assert_eq(get(bp, 0x2d0 + i * 20, 8), want[i][0], "e820[%u].addr", i);
        cr_assert_eq(get(bp, 0x2d0 + i * 20 + 8, 8), want[i][1], "e820[%u].size", i);
        cr_assert_eq(get(bp, 0x2d0 + i * 20 + 16, 4), want[i][2], "e820[%u].type", i);
    }

    /* entry, through the BIOS: flat 32-bit protected mode,
     * __BOOT_CS/__BOOT_DS, ESI = zero page */
    const struct cpu *c = &vm->cpus[0].cpu;
    cr_assert_eq(c->rip, 0xfff0, "vCPU 0 starts at the reset vector");
    run_bios_to(vm, 16 * MiB);
    cr_assert_eq(c->seg[S_CS].sel, 0x10);
    cr_assert_eq(c->seg[S_CS].base, 0);
    cr_assert_eq(c->seg[S_CS].limit, 0xffffffff);
    cr_assert(c->seg[S_CS].attr & SEG_DB);
    for (int s = 0; s < 6; s++)
        if (s != S_CS)
            cr_assert_eq(c->seg[s].sel, 0x18, "segment %d", s);
    cr_assert_eq(c->gpr[R_SI], LINUX_BOOT_PARAMS);
    cr_assert_eq(c->gpr[R_BP] | c->gpr[R_DI] | c->gpr[R_BX], 0);
    cr_assert(!(cpu_get_flags(c) & F_IF), "interrupts off");
    cr_assert(c->cr0 & CR0_PE);
    cr_assert(!(c->cr0 & CR0_PG));
    uint64_t gdt[4];
    pgm_read(&vm->pgm, c->gdtr.base, gdt, sizeof(gdt));
    cr_assert_eq(gdt[2], 0x00cf9b000000ffffull, "__BOOT_CS: flat 4 GiB execute/read");
    cr_assert_eq(gdt[3], 0x00cf93000000ffffull, "__BOOT_DS: flat 4 GiB read/write");

    /* a reset loads everything again */
    pgm_write(&vm->pgm, 16 * MiB, "\0\0\0\0", 4);
    vm_reset(vm);
    run_bios_to(vm, 16 * MiB);
    pgm_read(&vm->pgm, 16 * MiB, buf, 4);
    cr_assert_eq(buf[0], 1);
    vm_destroy(vm);
    unlink(k), unlink(r);
    free(k), free(r);
}

Test(linux_loader, non_relocatable_kernel_at_1mib_without_initrd)
{
    struct fake f = default_fake;
    char *k, err[256], cl[4];
    uint8_t bp[4096];
    struct vm *vm;

    f.relocatable = 0;
    k = fake_bzimage(&f);
    cr_assert_eq(boot(32 * MiB, k, NULL, NULL, &vm, err, sizeof(err)), 0, "%s", err);
    read_bp(vm, bp);
    cr_assert_eq(get(bp, 0x214, 4), MiB);
    run_bios_to(vm, MiB);
    cr_assert_eq(get(bp, 0x218, 4) | get(bp, 0x21c, 4), 0, "no initrd");
    pgm_read(&vm->pgm, LINUX_CMDLINE, cl, sizeof(cl));
    cr_assert_eq(cl[0], 0, "empty command line");
    vm_destroy(vm);
    unlink(k);
    free(k);
}

Test(linux_loader, external_firmware_gets_the_entry_state_directly)
{
    static uint8_t rom[0x10000];
    char *k = fake_bzimage(&default_fake), *b = temp_file(rom, sizeof(rom)), err[256];
    struct vm_config cfg = {.ram_size = 64 * MiB, .ncpus = 1, .nodefaults = true, .kernel = k, .bios = b};
    struct vm *vm;

    cr_assert_eq(vm_create(&cfg, &vm, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(vm->cpus[0].cpu.rip, 16 * MiB, "-bios: no built-in BIOS in the way");
    cr_assert_eq(vm->cpus[0].cpu.gpr[R_SI], LINUX_BOOT_PARAMS);
    cr_assert_eq(pgm_read_u(&vm->pgm, 0xffff0000u, 1), 0, "the -bios image is mapped");
    vm_destroy(vm);
    unlink(k), unlink(b);
    free(k), free(b);
}

Test(linux_loader, ram_for_pref_address_plus_init_size_is_required)
{
    char *k = fake_bzimage(&default_fake);
    /* the kernel decompresses to 16 MiB and needs 2 MiB there */
    expect_failure(17 * MiB, k, "", NULL, "needs RAM up to 18 MiB");
    unlink(k);
    free(k);
}

Test(linux_loader, rom_and_mmio_are_reserved_in_e820)
{
    static const struct io_ops none = {0};
    uint8_t rom[0x10000] = {0}, bp[4096];
    char *k = fake_bzimage(&default_fake), err[256];
    struct vm *vm;
    unsigned n, found = 0;

    cr_assert_eq(boot(64 * MiB, k, "", NULL, &vm, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(pgm_map_rom(&vm->pgm, 0xffff0000ull, sizeof(rom), rom, "test-rom"), 0);
    cr_assert_eq(pgm_map_mmio(&vm->pgm, 0x3000000, 0x1000, &none, NULL, "test-mmio"), 0);
    cr_assert_eq(loader_linux(vm, k, "", NULL, false, err, sizeof(err)), 0, "%s", err);
    read_bp(vm, bp);
    n = bp[0x1e8];
    for (unsigned i = 0; i < n; i++) {
        uint64_t a = get(bp, 0x2d0 + i * 20, 8), s = get(bp, 0x2d0 + i * 20 + 8, 8);
        uint32_t t = (uint32_t)get(bp, 0x2d0 + i * 20 + 16, 4);
        if (a == 0xffff0000ull && s == 0x10000 && t == 2)
            found |= 1;
        if (a == 0x3000000 && s == 0x1000 && t == 2)
            found |= 2;
        if (a == MiB && s == 0x3000000 - MiB && t == 1)
            found |= 4; /* RAM up to the MMIO window */
        if (a == 0x3001000 && s == 64 * MiB - 0x3001000 && t == 1)
            found |= 8; /* and after it */
    }
    cr_assert_eq(found, 15, "e820 has the ROM, the MMIO window and RAM around it (%u entries)", n);
    vm_destroy(vm);
    unlink(k);
    free(k);
}

Test(linux_loader, entry64_identity_maps_and_enters_at_plus_0x200)
{
    char *k = fake_bzimage(&default_fake), err[256];
    struct vm *vm;
    uint64_t pml4e, pdpte, pde;

    cr_assert_eq(boot(64 * MiB, k, "", NULL, &vm, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(loader_linux(vm, k, "x", NULL, true, err, sizeof(err)), 0, "%s", err);
    const struct cpu *c = &vm->cpus[0].cpu;
    run_bios_to(vm, 16 * MiB + 0x200);
    cr_assert(c->efer & EFER_LMA);
    cr_assert(c->cr0 & CR0_PG);
    cr_assert(c->cr4 & CR4_PAE);
    cr_assert(c->seg[S_CS].attr & SEG_L);
    cr_assert(!(c->seg[S_CS].attr & SEG_DB));
    cr_assert_eq(c->seg[S_CS].sel, 0x10);
    cr_assert_eq(c->gpr[R_SI], LINUX_BOOT_PARAMS);
    /* walk 0x1000000 + 0x200 by hand: identity, 2 MiB pages */
    pml4e = pgm_read_u(&vm->pgm, c->cr3, 8);
    pdpte = pgm_read_u(&vm->pgm, (pml4e & ~0xfffull), 8);
    pde = pgm_read_u(&vm->pgm, (pdpte & ~0xfffull) + 8 * (16 * MiB >> 21), 8);
    cr_assert_eq(pde & ~0xfffull, 16 * MiB);
    cr_assert_eq(pde & 0x83, 0x83);
    pdpte = pgm_read_u(&vm->pgm, (pml4e & ~0xfffull) + 3 * 8, 8);
    pde = pgm_read_u(&vm->pgm, (pdpte & ~0xfffull) + 511 * 8, 8);
    cr_assert_eq(pde & ~0xfffull, 0xffe00000ull, "the whole low 4 GiB is mapped");

    /* a kernel without XLF_KERNEL_64 has no 64-bit entry */
    struct fake f = default_fake;
    f.xloadflags = 0;
    char *k32 = fake_bzimage(&f);
    cr_assert_lt(loader_linux(vm, k32, "", NULL, true, err, sizeof(err)), 0);
    cr_assert(strstr(err, "64-bit"), "%s", err);
    vm_destroy(vm);
    unlink(k), unlink(k32);
    free(k), free(k32);
}

Test(linux_loader, bad_input_is_one_clear_line)
{
    struct fake f;
    char *k, *k_old, *k_zimage, *junk, *big, *huge, longcl[400];
    uint8_t noise[4096];

    for (unsigned i = 0; i < sizeof(noise); i++)
        noise[i] = (uint8_t)(i * 13);
    junk = temp_file(noise, sizeof(noise));
    expect_failure(32 * MiB, junk, NULL, NULL, "neither a Linux bzImage nor Multiboot");

    f = default_fake;
    f.version = 0x209;
    k_old = fake_bzimage(&f);
    expect_failure(32 * MiB, k_old, NULL, NULL, "2.09 is too old");

    f = default_fake;
    f.loadflags = 0;
    k_zimage = fake_bzimage(&f);
    expect_failure(32 * MiB, k_zimage, NULL, NULL, "zImage");

    k = fake_bzimage(&default_fake);
    memset(longcl, 'a', sizeof(longcl) - 1);
    longcl[sizeof(longcl) - 1] = 0;
    expect_failure(32 * MiB, k, longcl, NULL, "at most 255");
    longcl[255] = 0;
    char err[256];
    struct vm *vm;
    cr_assert_eq(boot(32 * MiB, k, longcl, NULL, &vm, err, sizeof(err)), 0, "255 bytes fit: %s", err);
    vm_destroy(vm);

    /* 20 MiB cannot sit between the kernel (16..18 MiB) and 32 MiB */
    big = temp_file(NULL, 20 * MiB);
    expect_failure(32 * MiB, k, "", big, "does not fit");
    huge = temp_file(NULL, 40 * MiB);
    expect_failure(32 * MiB, k, "", huge, "does not fit in guest RAM");
    expect_failure(32 * MiB, k, "", "/nonexistent/initrd", "/nonexistent/initrd");
    expect_failure(32 * MiB, "/nonexistent/vmlinuz", "", NULL, "/nonexistent/vmlinuz");

    unlink(junk), unlink(k_old), unlink(k_zimage), unlink(k), unlink(big), unlink(huge);
    free(junk), free(k_old), free(k_zimage), free(k), free(big), free(huge);
}

/* syssize is in 16-byte paragraphs rounded up, so an image may end up to
 * 15 bytes before it says (memtest86+'s does); 16 bytes short is truncated. */
Test(linux_loader, syssize_rounds_up_to_a_paragraph)
{
    struct fake f = default_fake;
    char err[256];
    struct vm *vm;
    f.trim = 15;
    char *k = fake_bzimage(&f);
    cr_assert_eq(boot(32 * MiB, k, "", NULL, &vm, err, sizeof(err)), 0, "15 bytes short: %s", err);
    vm_destroy(vm);
    f.trim = 16;
    char *k16 = fake_bzimage(&f);
    expect_failure(32 * MiB, k16, "", NULL, "truncated bzImage");
    unlink(k), unlink(k16);
    free(k), free(k16);
}

Test(linux_loader, frontend_exits_2_with_one_line)
{
    struct fake f = default_fake;
    char cmd[1024], line[512];
    char *k, *out;
    FILE *p;
    int st, lines = 0;

    f.cmdline_size = 8;
    k = fake_bzimage(&f);
    out = temp_file(NULL, 0);
    snprintf(cmd, sizeof(cmd), "%s -nodefaults -display none -kernel %s -append 'console=ttyS0' 2>%s", PCVM_BIN,
             k, out);
    st = system(cmd);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 2, "exit status %d", st);
    p = fopen(out, "r");
    cr_assert_not_null(p);
    while (fgets(line, sizeof(line), p)) {
        lines++;
        cr_assert(strstr(line, "command line"), "%s", line);
    }
    fclose(p);
    cr_assert_eq(lines, 1);
    unlink(k), unlink(out);
    free(k), free(out);
}

/* -kernel also takes Multiboot images (multiboot.c): image files with
 * bogus sizes and offsets are refused, or loaded, without harm. */

/* An a.out-kludge Multiboot header at offset 0 of an 8 KiB image. */
static char *fake_multiboot(uint32_t load_addr, uint32_t load_end, uint32_t bss_end)
{
    uint8_t img[8192] = {0};
    uint32_t flags = 1u << 16;
    put(img, 0, 0x1badb002, 4);
    put(img, 4, flags, 4);
    put(img, 8, -(0x1badb002u + flags), 4);
    put(img, 12, load_addr, 4); /* header_addr: the header is the first byte loaded */
    put(img, 16, load_addr, 4);
    put(img, 20, load_end, 4);
    put(img, 24, bss_end, 4);
    put(img, 28, load_addr + 32, 4);
    return temp_file(img, sizeof(img));
}

Test(linux_loader, multiboot_aout_past_4gib_is_refused)
{
    char *k = fake_multiboot(0xfffff000u, 0, 0), *ok = fake_multiboot(0x100000, 0, 0x110000), err[256];
    struct vm *vm;
    expect_failure(32 * MiB, k, NULL, NULL, "larger than guest RAM");
    cr_assert_eq(boot(32 * MiB, ok, NULL, NULL, &vm, err, sizeof(err)), 0, "%s", err);
    vm_destroy(vm);
    unlink(k), unlink(ok);
    free(k), free(ok);
}

/* Program headers at an odd file offset are read, not dereferenced in place. */
Test(linux_loader, multiboot_elf_with_unaligned_program_headers)
{
    uint8_t img[8192] = {0};
    char err[256];
    struct vm *vm;
    const size_t phoff = 0x1001;
    memcpy(img, "\x7f" "ELF", 4);
    img[4] = 1, img[5] = 1, img[6] = 1;   /* ELFCLASS32, little endian, version 1 */
    put(img, 16, 2, 2);                   /* ET_EXEC */
    put(img, 18, 3, 2);                   /* EM_386 */
    put(img, 20, 1, 4);
    put(img, 24, 0x100000, 4);            /* e_entry */
    put(img, 28, phoff, 4);               /* e_phoff */
    put(img, 40, 52, 2);                  /* e_ehsize */
    put(img, 42, 32, 2);                  /* e_phentsize */
    put(img, 44, 1, 2);                   /* e_phnum */
    put(img, 64, 0x1badb002, 4);          /* Multiboot header, no a.out addresses */
    put(img, 72, -0x1badb002u, 4);
    put(img, phoff, 1, 4);                /* PT_LOAD */
    put(img, phoff + 4, 0x100, 4);        /* p_offset */
    put(img, phoff + 12, 0x100000, 4);    /* p_paddr */
    put(img, phoff + 16, 16, 4);          /* p_filesz */
    put(img, phoff + 20, 16, 4);          /* p_memsz */
    memcpy(img + 0x100, "multiboot-elf-ok", 16);
    char *k = temp_file(img, sizeof(img));
    uint8_t got[16];
    cr_assert_eq(boot(32 * MiB, k, NULL, NULL, &vm, err, sizeof(err)), 0, "%s", err);
    pgm_read(&vm->pgm, 0x100000, got, sizeof(got));
    cr_assert_arr_eq(got, "multiboot-elf-ok", 16);
    vm_destroy(vm);
    unlink(k);
    free(k);
}
