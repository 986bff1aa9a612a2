/* The software TLB (src/pgm/tlb.c, reached through cpu/mem.c): it caches walks, keeps a stale
 * translation exactly until the architecture says it goes (INVLPG, MOV CR3
 * with global pages and PCIDs, INVPCID, CR0/CR4/EFER/PKRU writes, PGM map
 * changes), and never lets an entry serve an access its walk did not
 * allow. Tests change page tables behind the TLB's back and look at which
 * translation a read uses. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cpu/iem.h"
#include "pgm/tlb.h"

#define PD     0x10000ull /* 32-bit: page directory; long mode: PML4, PDPT, PD, PT follow */
#define PT     0x11000ull
#define PAGE_A 0x200000ull
#define PAGE_B 0x201000ull
#define LIN    0x400000ull
#define VAL_A  0xaaaa0001u
#define VAL_B  0xbbbb0002u

static struct vm *vm;
static struct vcpu *vc;

static void setup(void)
{
    char err[200];
    struct vm_config cfg = {.ram_size = 16u << 20, .ncpus = 1, .nodefaults = true};
    cr_assert_eq(vm_create(&cfg, &vm, err, sizeof err), 0, "vm_create: %s", err);
    vc = &vm->cpus[0];
    pgm_write_u(&vm->pgm, PAGE_A, VAL_A, 4);
    pgm_write_u(&vm->pgm, PAGE_B, VAL_B, 4);
}

static void teardown(void)
{
    vm_destroy(vm);
}

TestSuite(tlb, .init = setup, .fini = teardown);

/* 32-bit paging: LIN -> frame through PD[1] -> PT[0]. */
static void paging32(uint32_t pte, uint32_t cr4)
{
    pgm_write_u(&vm->pgm, PD + 4, PT | 0x7, 4);
    pgm_write_u(&vm->pgm, PT, pte, 4);
    vc->cpu.cr0 = CR0_PE | CR0_PG | CR0_ET;
    vc->cpu.cr3 = PD;
    vc->cpu.cr4 = cr4;
    vc->cpu.cpl = 0;
    tlb_flush_all(vc);
}

/* 4-level paging with PCIDs: PML4 PD, PDPT PD+0x1000, PD PD+0x2000, PT PD+0x3000. */
static void paging64(uint64_t pte, uint64_t cr4, unsigned pcid)
{
    pgm_write_u(&vm->pgm, PD, (PD + 0x1000) | 7, 8);
    pgm_write_u(&vm->pgm, PD + 0x1000, (PD + 0x2000) | 7, 8);
    pgm_write_u(&vm->pgm, PD + 0x2000 + 2 * 8, (PD + 0x3000) | 7, 8);
    pgm_write_u(&vm->pgm, PD + 0x3000, pte, 8);
    vc->cpu.cr0 = CR0_PE | CR0_PG | CR0_ET;
    vc->cpu.cr3 = PD | pcid;
    vc->cpu.cr4 = CR4_PAE | cr4;
    vc->cpu.efer = EFER_LME | EFER_LMA;
    vc->cpu.cpl = 0;
    tlb_flush_all(vc);
}

static void set_pte64(uint64_t pte) { pgm_write_u(&vm->pgm, PD + 0x3000, pte, 8); }
static void set_pte32(uint32_t pte) { pgm_write_u(&vm->pgm, PT, pte, 4); }

static uint32_t rd(uint64_t lin)
{
    uint32_t x = 0;
    int rc = iem_lin_read(vc, lin, &x, 4, ACC_R);
    cr_assert_eq(rc, IEM_OK, "read of %llx faulted (vector %u err %x)", (unsigned long long)lin,
                 vc->iem.exc.vector, vc->iem.exc.err);
    return x;
}

/* Expects a #PF with err at lin for an access of kind acc. */
static void expect_pf(uint64_t lin, unsigned acc, uint32_t err)
{
    uint32_t x = 0;
    vc->iem.exc.pending = false;
    int rc = (acc & ACC_W) ? iem_lin_write(vc, lin, &x, 4, acc) : iem_lin_read(vc, lin, &x, 4, acc);
    cr_assert_eq(rc, IEM_EXC);
    cr_assert_eq(vc->iem.exc.vector, X_PF);
    cr_assert_eq(vc->iem.exc.err, err, "err %x, want %x", vc->iem.exc.err, err);
    cr_assert_eq(vc->cpu.cr2, lin);
    vc->iem.exc.pending = false;
}

static void write_cr3(uint64_t operand)
{
    uint64_t old = vc->cpu.cr3;
    vc->cpu.cr3 = operand & ~(1ull << 63);
    pgm_cr_written(vc, PGM_REG_CR3, old, operand);
}

Test(tlb, stale_entry_used_until_invlpg)
{
    paging32(PAGE_A | 7, 0);
    cr_assert_eq(rd(LIN), VAL_A);
    set_pte32(PAGE_B | 7);
    cr_assert_eq(rd(LIN), VAL_A, "the TLB should still hold the old translation");
    tlb_flush_page(vc, LIN + 0x1000); /* another page: no effect */
    cr_assert_eq(rd(LIN), VAL_A);
    tlb_flush_page(vc, LIN + 0x123);
    cr_assert_eq(rd(LIN), VAL_B);
}

Test(tlb, cr3_write_keeps_global_pages_only_with_pge)
{
    paging32(PAGE_A | 0x107, CR4_PGE); /* G */
    cr_assert_eq(rd(LIN), VAL_A);
    set_pte32(PAGE_B | 0x107);
    write_cr3(PD);
    cr_assert_eq(rd(LIN), VAL_A, "a global entry survives MOV CR3 with CR4.PGE");
    uint64_t old = vc->cpu.cr4;
    vc->cpu.cr4 &= ~(uint64_t)CR4_PGE;
    pgm_cr_written(vc, PGM_REG_CR4, old, vc->cpu.cr4);
    cr_assert_eq(rd(LIN), VAL_B, "clearing CR4.PGE flushes global entries");

    paging32(PAGE_A | 0x107, 0); /* G without PGE: not global */
    cr_assert_eq(rd(LIN), VAL_A);
    set_pte32(PAGE_B | 0x107);
    write_cr3(PD);
    cr_assert_eq(rd(LIN), VAL_B);

    paging32(PAGE_A | 7, CR4_PGE); /* PGE, but not a global page */
    cr_assert_eq(rd(LIN), VAL_A);
    set_pte32(PAGE_B | 7);
    write_cr3(PD);
    cr_assert_eq(rd(LIN), VAL_B);
}

Test(tlb, invlpg_drops_a_large_page_from_any_address_inside)
{
    /* 4M page at LIN (PDE 1 with PS) */
    paging32(0, CR4_PSE);
    pgm_write_u(&vm->pgm, PD + 4, 0x000000 | 0x87, 4);
    cr_assert_eq(rd(LIN + PAGE_A), VAL_A);
    pgm_write_u(&vm->pgm, PD + 4, PT | 7, 4); /* now a 4K table: LIN+PAGE_A unmapped */
    cr_assert_eq(rd(LIN + PAGE_A), VAL_A);
    tlb_flush_page(vc, LIN + 0x3ff000); /* last 4K of the same 4M page */
    expect_pf(LIN + PAGE_A, ACC_R, 0);
}

Test(tlb, pcid_tags_and_the_no_flush_bit)
{
    paging64(PAGE_A | 7, CR4_PCIDE, 1);
    cr_assert_eq(rd(LIN), VAL_A);
    set_pte64(PAGE_B | 7);
    write_cr3(PD | 2); /* PCID 2, flushing PCID 2 only */
    cr_assert_eq(rd(LIN), VAL_B, "PCID 2 has no entry: a fresh walk");
    write_cr3(PD | 1 | (1ull << 63)); /* back to PCID 1, no flush */
    cr_assert_eq(vc->cpu.cr3, PD | 1);
    cr_assert_eq(rd(LIN), VAL_A, "PCID 1's entry is kept by the no-flush bit");
    write_cr3(PD | 2 | (1ull << 63));
    cr_assert_eq(rd(LIN), VAL_B);
    write_cr3(PD | 1); /* flushes PCID 1 */
    cr_assert_eq(rd(LIN), VAL_B);
}

/* The TLB tags entries with a small id per PCID (pgm/tlb.h): when more
 * PCIDs than ids have been used, a PCID never seen before still owns no
 * entry, so its first access walks the (changed) tables. */
Test(tlb, pcid_tag_ids_run_out)
{
    paging64(PAGE_A | 7, CR4_PCIDE, 1);
    cr_assert_eq(rd(LIN), VAL_A);
    for (unsigned p = 2; p < 2 + 2 * TLB_ASIDS; p++) {
        write_cr3(PD | p | (1ull << 63)); /* no flush */
        cr_assert_eq(rd(LIN), VAL_A);
    }
    set_pte64(PAGE_B | 7);
    write_cr3(PD | 0xabc | (1ull << 63));
    cr_assert_eq(rd(LIN), VAL_B, "a PCID never used has no entries");
    /* and an id handed out again does not bring back the old entries */
    for (unsigned p = 0xac0; p < 0xac0 + TLB_ASIDS; p++) {
        write_cr3(PD | p | (1ull << 63));
        cr_assert_eq(rd(LIN), VAL_B);
    }
}

Test(tlb, invpcid_types)
{
    uint64_t d[2] = {1, LIN};
    paging64(PAGE_A | 7, CR4_PCIDE, 1);
    cr_assert_eq(tlb_invpcid(vc, 4, d), -1);
    d[0] = 1 | (1ull << 12);
    cr_assert_eq(tlb_invpcid(vc, 1, d), -1, "descriptor bits 63:12 must be zero");
    d[0] = 1, d[1] = 0x0000800000000000ull;
    /* INVPCID checks the address against the CPU's widest linear address
     * (iem_long.c); one not canonical at this paging depth drops nothing */
    cr_assert_eq(tlb_invpcid(vc, 0, d), 0, "address not canonical at 48 bits");

    /* type 0: that page of that PCID */
    cr_assert_eq(rd(LIN), VAL_A);
    set_pte64(PAGE_B | 7);
    d[0] = 2, d[1] = LIN;
    cr_assert_eq(tlb_invpcid(vc, 0, d), 0);
    cr_assert_eq(rd(LIN), VAL_A, "another PCID's flush");
    d[0] = 1;
    cr_assert_eq(tlb_invpcid(vc, 0, d), 0);
    cr_assert_eq(rd(LIN), VAL_B);

    /* type 1 keeps globals, type 2 drops them, type 3 keeps them */
    paging64(PAGE_A | 0x107, CR4_PCIDE | CR4_PGE, 1);
    cr_assert_eq(rd(LIN), VAL_A);
    set_pte64(PAGE_B | 0x107);
    d[0] = 1;
    cr_assert_eq(tlb_invpcid(vc, 1, d), 0);
    cr_assert_eq(rd(LIN), VAL_A);
    cr_assert_eq(tlb_invpcid(vc, 3, d), 0);
    cr_assert_eq(rd(LIN), VAL_A);
    cr_assert_eq(tlb_invpcid(vc, 2, d), 0);
    cr_assert_eq(rd(LIN), VAL_B);

    /* type 1 on a non-global page */
    set_pte64(PAGE_A | 7);
    cr_assert_eq(tlb_invpcid(vc, 2, d), 0);
    cr_assert_eq(rd(LIN), VAL_A);
    set_pte64(PAGE_B | 7);
    cr_assert_eq(tlb_invpcid(vc, 1, d), 0);
    cr_assert_eq(rd(LIN), VAL_B);
}

Test(tlb, supervisor_fill_does_not_serve_user)
{
    paging32(PAGE_A | 3, 0); /* supervisor page */
    cr_assert_eq(rd(LIN), VAL_A);
    vc->cpu.cpl = 3;
    expect_pf(LIN, ACC_R, PFERR_P | PFERR_U);
    /* an implicit supervisor access from CPL 3 is still allowed */
    uint32_t x;
    cr_assert_eq(iem_lin_read(vc, LIN, &x, 4, ACC_R | ACC_SYS), IEM_OK);
}

Test(tlb, read_fill_does_not_serve_write_and_write_sets_dirty)
{
    paging32(PAGE_A | 5, 0); /* read-only user page, WP = 0 */
    vc->cpu.cr0 |= CR0_WP;
    cr_assert_eq(rd(LIN), VAL_A);
    expect_pf(LIN, ACC_W, PFERR_P | PFERR_W);
    set_pte32(PAGE_A | 7);
    tlb_flush_page(vc, LIN);
    cr_assert_eq(rd(LIN), VAL_A);
    cr_assert_eq(pgm_read_u(&vm->pgm, PT, 4) & 0x60, 0x20, "a read sets A only");
    uint32_t v = 5;
    cr_assert_eq(iem_lin_write(vc, LIN, &v, 4, ACC_W), IEM_OK);
    cr_assert_eq(pgm_read_u(&vm->pgm, PT, 4) & 0x60, 0x60, "the write walk sets D");
    cr_assert_eq(pgm_read_u(&vm->pgm, PAGE_A, 4), 5);
}

/* One walk fills the read and the write entry of a page when the other
 * access would change nothing in the tables: a read of a writable page
 * already dirty, any successful write. The tests move the PTE behind the
 * TLB's back to see which access still uses the old translation. */
Test(tlb, a_walk_fills_the_other_data_kind_when_nothing_would_change)
{
    uint32_t v = 5;
    paging32(PAGE_A | 0x67, 0); /* user, writable, A and D set */
    cr_assert_eq(rd(LIN), VAL_A);
    set_pte32(PAGE_B | 0x67);
    cr_assert_eq(iem_lin_write(vc, LIN, &v, 4, ACC_W), IEM_OK);
    cr_assert_eq(pgm_read_u(&vm->pgm, PAGE_A, 4), 5, "the read's walk should serve the write");

    /* not dirty yet: the write walks, sets D and sees the new PTE */
    pgm_write_u(&vm->pgm, PAGE_A, VAL_A, 4);
    paging32(PAGE_A | 0x27, 0);
    cr_assert_eq(rd(LIN), VAL_A);
    set_pte32(PAGE_B | 0x27);
    v = 6;
    cr_assert_eq(iem_lin_write(vc, LIN, &v, 4, ACC_W), IEM_OK);
    cr_assert_eq(pgm_read_u(&vm->pgm, PAGE_B, 4), 6);
    cr_assert_eq(pgm_read_u(&vm->pgm, PT, 4) & 0x60, 0x60);
    /* ... and its walk serves the next read */
    set_pte32(PAGE_A | 0x67);
    cr_assert_eq(rd(LIN), 6);

    /* dirty but read only (CR0.WP): the write still faults */
    paging32(PAGE_A | 0x65, 0);
    vc->cpu.cr0 |= CR0_WP;
    cr_assert_eq(rd(LIN), VAL_A);
    expect_pf(LIN, ACC_W, PFERR_P | PFERR_W);
    /* dirty, writable, but a supervisor page: a user read faults, and a
     * supervisor read fills nothing a user write could use */
    paging32(PAGE_A | 0x63, 0);
    cr_assert_eq(rd(LIN), VAL_A);
    vc->cpu.cpl = 3;
    expect_pf(LIN, ACC_W, PFERR_P | PFERR_W | PFERR_U);
}

Test(tlb, cr0_wp_change_flushes_supervisor_write_entries)
{
    paging32(PAGE_A | 5, 0);
    uint32_t v = 7;
    cr_assert_eq(iem_lin_write(vc, LIN, &v, 4, ACC_W), IEM_OK, "WP=0: supervisor writes a read-only page");
    uint64_t old = vc->cpu.cr0;
    vc->cpu.cr0 |= CR0_WP;
    pgm_cr_written(vc, PGM_REG_CR0, old, vc->cpu.cr0);
    expect_pf(LIN, ACC_W, PFERR_P | PFERR_W);
}

Test(tlb, smap_follows_eflags_ac_without_a_flush)
{
    paging32(PAGE_A | 7, CR4_SMAP); /* user page */
    vc->cpu.rflags |= F_AC;
    cr_assert_eq(rd(LIN), VAL_A);
    vc->cpu.rflags &= ~(uint64_t)F_AC;
    expect_pf(LIN, ACC_R, PFERR_P);
    vc->cpu.rflags |= F_AC;
    expect_pf(LIN, ACC_R | ACC_SYS, PFERR_P); /* implicit: SMAP regardless of AC */
    cr_assert_eq(rd(LIN), VAL_A);
}

Test(tlb, pkru_write_flushes)
{
    paging64(PAGE_A | 7 | (1ull << 59), CR4_PKE, 0); /* user page, key 1 */
    vc->cpu.cpl = 3;
    cr_assert_eq(rd(LIN), VAL_A);
    vc->cpu.pkru = 4; /* AD for key 1 */
    pgm_cr_written(vc, PGM_REG_PKRU, 0, 4);
    expect_pf(LIN, ACC_R, PFERR_P | PFERR_U | PFERR_PK);
}

Test(tlb, a20_change_drops_translations)
{
    /* paging off: linear = physical, A20 wraps at 1 MiB */
    vc->cpu.cr0 = CR0_ET;
    pgm_write_u(&vm->pgm, 0x100010, 0x1111, 4);
    pgm_write_u(&vm->pgm, 0x000010, 0x2222, 4);
    cr_assert_eq(rd(0x100010), 0x1111);
    pgm_set_a20(&vm->pgm, false);
    cr_assert_eq(rd(0x100010), 0x2222);
    pgm_set_a20(&vm->pgm, true);
    cr_assert_eq(rd(0x100010), 0x1111);
}

/* The walker keeps the host pointers of page-table pages across walks:
 * when the map puts something else at a table's address (a ROM, the A20
 * wrap), the next walk reads the table from there. */
Test(tlb, walks_follow_map_changes_under_the_page_tables)
{
    static uint8_t rom[0x1000];
    uint32_t pte_b = (uint32_t)PAGE_B | 7;

    paging32(PAGE_A | 7, 0);
    cr_assert_eq(rd(LIN), VAL_A);
    memcpy(rom, &pte_b, 4); /* a ROM over the page table: PT[0] -> PAGE_B */
    cr_assert_eq(pgm_map_rom(&vm->pgm, PT, sizeof(rom), rom, "pt-rom"), 0);
    cr_assert_eq(rd(LIN), VAL_B, "the walk should read the ROM's PTE");
    cr_assert_eq(pgm_unmap(&vm->pgm, PT, sizeof(rom)), 0);
    cr_assert_eq(rd(LIN), VAL_A, "the RAM page table shows again");

    /* PDE -> a table at PT + 1 MiB, which A20 off wraps onto PT */
    pgm_write_u(&vm->pgm, PD + 4, (PT + 0x100000) | 7, 4);
    pgm_write_u(&vm->pgm, PT + 0x100000, PAGE_A | 7, 4);
    set_pte32(pte_b);
    tlb_flush_all(vc);
    cr_assert_eq(rd(LIN), VAL_A);
    pgm_set_a20(&vm->pgm, false);
    cr_assert_eq(rd(LIN), VAL_B, "A20 off: the table at PT + 1 MiB is PT");
    pgm_set_a20(&vm->pgm, true);
    cr_assert_eq(rd(LIN), VAL_A);
}

Test(tlb, pae_pdptes_are_registers)
{
    uint64_t pdpt = 0x20000;
    pgm_write_u(&vm->pgm, pdpt + 8, 0x21000 | 1, 8); /* PDPTE 1 covers LIN 0x40000000.. */
    pgm_write_u(&vm->pgm, 0x21000, 0x22000 | 7, 8);  /* PD[0] */
    pgm_write_u(&vm->pgm, 0x22000, PAGE_A | 7, 8);   /* PT[0] */
    vc->cpu.cr0 = CR0_PE | CR0_ET;
    vc->cpu.cr4 = CR4_PAE;
    vc->cpu.cr3 = pdpt;
    cr_assert_eq(pgm_cr_load_pdptes(vc, PGM_REG_CR0, vc->cpu.cr0 | CR0_PG), 0);
    vc->cpu.cr0 |= CR0_PG;
    pgm_cr_written(vc, PGM_REG_CR0, CR0_PE | CR0_ET, vc->cpu.cr0);
    cr_assert_eq(vc->cpu.pdpte[1], 0x21001);
    cr_assert_eq(rd(0x40000000), VAL_A);
    /* the PDPT in memory changes: not seen until CR3 is loaded again */
    pgm_write_u(&vm->pgm, pdpt + 8, 0, 8);
    tlb_flush_all(vc);
    cr_assert_eq(rd(0x40000000), VAL_A);
    cr_assert_eq(pgm_cr_load_pdptes(vc, PGM_REG_CR3, pdpt), 0);
    write_cr3(pdpt);
    expect_pf(0x40000000, ACC_R, 0);
    /* reserved bits in a present PDPTE: the MOV faults and nothing changes */
    pgm_write_u(&vm->pgm, pdpt + 8, 0x21000 | 1 | 2, 8);
    cr_assert_eq(pgm_cr_load_pdptes(vc, PGM_REG_CR3, pdpt), -1);
    cr_assert_eq(vc->cpu.pdpte[1], 0);
}

Test(tlb, mode_changes_are_recorded_in_order)
{
    char buf[4096] = {0};
    int fds[2];
    vc->cpu.cr0 = CR0_PE | CR0_ET;
    tlb_mode_changed(vc);
    paging32(PAGE_A | 7, 0);
    tlb_mode_changed(vc);
    vc->cpu.cr4 = CR4_PAE;
    tlb_mode_changed(vc);
    paging64(PAGE_A | 7, 0, 0);
    vc->cpu.efer |= EFER_NXE;
    tlb_mode_changed(vc);
    cr_assert_eq(pipe(fds), 0);
    pgm_info_mode(&vm->pgm, fds[1]);
    tlb_info(vc, fds[1]);
    close(fds[1]);
    cr_assert_gt(read(fds[0], buf, sizeof(buf) - 1), 0);
    close(fds[0]);
    cr_assert(strstr(buf, "Guest paging mode: AMD64+NX, shadow paging mode: (software TLB)"), "%s", buf);
    cr_assert(strstr(buf, "modes: Real -> Protected -> 32-bit -> PAE -> AMD64+NX\n"), "%s", buf);
    cr_assert(strstr(buf, "Mode changes: 4"), "%s", buf);
}
