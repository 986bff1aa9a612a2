/* Walker corner cases the cross product does not reach (PS ignored without
 * CR4.PSE, PSE-36 addresses, PS in a PML4E, tables outside RAM), the
 * page-table dump (info cr3), mode names and the physical-memory dump. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pgm/pgm.h"

static struct pgm p;

static void setup(void)
{
    cr_assert_eq(pgm_init(&p, 8 << 20), 0);
    cr_assert_eq(pgm_map_ram(&p, 0, 8 << 20, 0, "ram"), 0);
}

static void teardown(void)
{
    pgm_fini(&p);
}

TestSuite(walk_misc, .init = setup, .fini = teardown);

static struct pgm_walk regs32(uint64_t cr4)
{
    return (struct pgm_walk){.cr0 = CR0_PE | CR0_PG, .cr3 = 0x10000, .cr4 = cr4};
}

static struct pgm_walk regs64(void)
{
    return (struct pgm_walk){.cr0 = CR0_PE | CR0_PG, .cr3 = 0x10000, .cr4 = CR4_PAE,
                             .efer = EFER_LME | EFER_LMA | EFER_NXE};
}

Test(walk_misc, pde_ps_is_ignored_without_pse)
{
    struct pgm_walk w = regs32(0);
    pgm_write_u(&p, 0x10000 + 4, 0x11000 | 0x87, 4); /* PS set, but CR4.PSE = 0 */
    pgm_write_u(&p, 0x11000 + 4 * 3, 0x300000 | 3, 4);
    cr_assert_eq(pgm_walk(&p, 0x403123, &w), 0);
    cr_assert_eq(w.gpa, 0x300123);
    cr_assert_eq(w.page_shift, 12);
}

Test(walk_misc, pse36_high_address_bits)
{
    struct pgm_walk w = regs32(CR4_PSE);
    pgm_write_u(&p, 0x10000 + 4, 0x00c00000 | (0x12u << 13) | 0x83, 4);
    cr_assert_eq(pgm_walk(&p, 0x4abcde, &w), 0);
    cr_assert_eq(w.gpa, 0x1200c00000ull + 0xabcde);
    cr_assert_eq(w.page_shift, 22);
    pgm_write_u(&p, 0x10000 + 4, 0x00c00000 | (1u << 21) | 0x83, 4); /* bit 21 reserved */
    cr_assert_eq(pgm_walk(&p, 0x4abcde, &w), -1);
    cr_assert_eq(w.err, PFERR_P | PFERR_RSVD);
}

Test(walk_misc, ps_in_pml4e_is_reserved)
{
    struct pgm_walk w = regs64();
    pgm_write_u(&p, 0x10000, 0x11000 | 0x83, 8);
    cr_assert_eq(pgm_walk(&p, 0x1000, &w), -1);
    cr_assert_eq(w.err, PFERR_P | PFERR_RSVD);
}

Test(walk_misc, tables_outside_ram_fault_without_crashing)
{
    struct pgm_walk w = regs64();
    pgm_write_u(&p, 0x10000, 0xfffffff000ull | 7, 8); /* PDPT in unassigned space: reads all ones */
    cr_assert_eq(pgm_walk(&p, 0x1000, &w), -1);
    cr_assert_eq(w.err, PFERR_P | PFERR_RSVD);
    w = regs32(CR4_PSE);
    w.cr3 = 0xfffff000; /* 32-bit: all ones is a present 4M page */
    cr_assert_eq(pgm_walk(&p, 0x1000, &w), -1, "bit 21 of an all-ones PDE is reserved");
    cr_assert_eq(w.err, PFERR_P | PFERR_RSVD);
}

Test(walk_misc, modes_from_registers)
{
    cr_assert_eq(pgm_mode_from_regs(0, 0, 0), PGM_MODE_REAL);
    cr_assert_eq(pgm_mode_from_regs(CR0_PE, 0, 0), PGM_MODE_PROTECTED);
    cr_assert_eq(pgm_mode_from_regs(CR0_PE | CR0_PG, 0, EFER_NXE), PGM_MODE_32BIT);
    cr_assert_eq(pgm_mode_from_regs(CR0_PE | CR0_PG, CR4_PAE, EFER_NXE), PGM_MODE_PAE_NX);
    cr_assert_eq(pgm_mode_from_regs(CR0_PE | CR0_PG, CR4_PAE, EFER_LMA), PGM_MODE_AMD64);
    cr_assert_eq(pgm_mode_from_regs(CR0_PE | CR0_PG, CR4_PAE | CR4_LA57, EFER_LMA | EFER_NXE),
                 PGM_MODE_LA57_NX);
    cr_assert_str_eq(pgm_mode_name(PGM_MODE_AMD64_NX), "AMD64+NX");
    cr_assert(pgm_canonical(0, 0xffff800000000000ull));
    cr_assert(!pgm_canonical(0, 0x0000800000000000ull));
    cr_assert(pgm_canonical(CR4_LA57, 0x0000800000000000ull));
    cr_assert(!pgm_canonical(CR4_LA57, 0x0100000000000000ull));
}

static char *capture_cr3(const struct pgm_walk *w)
{
    static char buf[8192];
    int fds[2];
    ssize_t n;
    cr_assert_eq(pipe(fds), 0);
    pgm_info_cr3(&p, w, fds[1]);
    close(fds[1]);
    n = read(fds[0], buf, sizeof(buf) - 1);
    close(fds[0]);
    buf[n > 0 ? n : 0] = 0;
    return buf;
}

Test(walk_misc, info_cr3_dumps_the_hierarchy)
{
    struct pgm_walk w = regs64();
    pgm_write_u(&p, 0x10000 + 511 * 8, 0x11000 | 0x23, 8);                /* PML4E 511: kernel half */
    pgm_write_u(&p, 0x11000, 0x12000 | 0x23, 8);                          /* PDPTE 0 */
    pgm_write_u(&p, 0x12000, 0x200000 | 0x1e3 | (1ull << 63), 8);         /* PDE 0: 2M, G, NX */
    pgm_write_u(&p, 0x12000 + 8, 0x13000 | 0x27, 8);                      /* PDE 1: table */
    pgm_write_u(&p, 0x13000 + 5 * 8, 0x345000 | 0x65, 8);                 /* PTE 5: user, read-only */
    char *out = capture_cr3(&w);
    cr_assert(strstr(out, "paging mode: AMD64+NX"), "%s", out);
    cr_assert(strstr(out, "  ffffff8000000000 PML4E[1ff] -> 0000011000 P W A\n"), "%s", out);
    cr_assert(strstr(out, "    ffffff8000000000 PDPTE[000] -> 0000012000 P W A\n"), "%s", out);
    cr_assert(strstr(out, "      ffffff8000000000 PDE  [000] -> 0000200000 P W A D G PS NX (2M)\n"), "%s", out);
    cr_assert(strstr(out, "        ffffff8000205000 PTE  [005] -> 0000345000 P U A D\n"), "%s", out);
}

Test(walk_misc, dump_phys_skips_zero_pages_and_renames)
{
    char path[] = "/tmp/pcvm-dump-XXXXXX";
    int fd = mkstemp(path);
    struct stat st;
    uint8_t page[4096];
    cr_assert_geq(fd, 0);
    close(fd);
    pgm_write_u(&p, 0x5000, 0x1234, 4);
    cr_assert_eq(pgm_dump_phys(&p, path, true), 0);
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_size, 8 << 20);
    cr_assert_lt(st.st_blocks * 512, 1 << 20, "zero pages were written");
    fd = open(path, O_RDONLY);
    cr_assert_eq(pread(fd, page, sizeof(page), 0x5000), (ssize_t)sizeof(page));
    close(fd);
    cr_assert_eq(page[0], 0x34);
    cr_assert_eq(page[1], 0x12);
    char tmp[64];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    cr_assert_neq(access(tmp, F_OK), 0, "the temporary file is gone");
    unlink(path);
    cr_assert_lt(pgm_dump_phys(&p, "/nonexistent-dir/x", false), 0);
}
