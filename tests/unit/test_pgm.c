/* PGM: the physical map, lazily backed RAM, MMIO dispatch, A20, and the
 * code-generation stamps that invalidate decoded instructions. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pgm/pgm.h"

struct mmio_log {
    uint64_t off[16], val[16];
    unsigned size[16], n;
    int writes;
};

static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size)
{
    struct mmio_log *l = opaque;
    if (l->n < 16) {
        l->off[l->n] = off;
        l->size[l->n++] = size;
    }
    return 0x1122334455667788ull >> (64 - size * 8);
}

static void mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct mmio_log *l = opaque;
    if (l->n < 16) {
        l->off[l->n] = off;
        l->val[l->n] = val;
        l->size[l->n++] = size;
    }
    l->writes++;
}

static const struct io_ops mmio_ops = {mmio_read, mmio_write};

Test(pgm, unassigned_reads_all_ones_and_drops_writes)
{
    struct pgm p;
    uint8_t buf[8];
    cr_assert_eq(pgm_init(&p, 4 << 20), 0);
    cr_assert_eq(pgm_map_pc_ram(&p), 0);
    pgm_write_u(&p, 0xa0000, 0x12345678, 4); /* VGA window: nothing there yet */
    cr_assert_eq(pgm_read_u(&p, 0xa0000, 4), 0xffffffffu);
    pgm_read(&p, 0xfee00000, buf, sizeof(buf));
    for (unsigned i = 0; i < sizeof(buf); i++)
        cr_assert_eq(buf[i], 0xff);
    pgm_fini(&p);
}

Test(pgm, ram_read_write_across_ranges)
{
    struct pgm p;
    uint8_t in[64], out[64];
    cr_assert_eq(pgm_init(&p, 4 << 20), 0);
    cr_assert_eq(pgm_map_pc_ram(&p), 0);
    for (unsigned i = 0; i < sizeof(in); i++)
        in[i] = (uint8_t)(i * 7 + 1);
    pgm_write(&p, 0x100000 - 32, in, sizeof(in));
    pgm_read(&p, 0x100000 - 32, out, sizeof(out));
    cr_assert_arr_eq(in, out, sizeof(in));
    pgm_fini(&p);
}

Test(pgm, rom_ignores_writes_but_loads)
{
    struct pgm p;
    uint8_t rom[4096];
    memset(rom, 0xab, sizeof(rom));
    cr_assert_eq(pgm_init(&p, 4 << 20), 0);
    cr_assert_eq(pgm_map_pc_ram(&p), 0);
    cr_assert_eq(pgm_map_rom(&p, 0xf0000, sizeof(rom), rom, "rom"), 0);
    pgm_write_u(&p, 0xf0010, 0, 4);
    cr_assert_eq(pgm_read_u(&p, 0xf0010, 4), 0xababababu);
    uint32_t v = 0x55aa55aa;
    cr_assert_eq(pgm_load(&p, 0xf0010, &v, 4), 0);
    cr_assert_eq(pgm_read_u(&p, 0xf0010, 4), 0x55aa55aau);
    cr_assert_null(pgm_page_ptr(&p, 0xf0000, true));
    cr_assert_not_null(pgm_page_ptr(&p, 0xf0000, false));
    pgm_fini(&p);
}

/* The walk cache answers what pgm_page_ptr answers, for whole-RAM MiBs
 * and mixed ones, and follows map changes. */
Test(pgm, cached_page_pointers_match_the_map)
{
    struct pgm p;
    struct pgm_walk_cache c;
    static uint8_t rom[4096];
    static const uint64_t gpas[] = {0x0, 0x9f000, 0xa0000, 0xf0000, 0x100000, 0x1ff000, 0x300000, 0x3ff000};
    memset(&c, 0, sizeof(c));
    cr_assert_eq(pgm_init(&p, 4 << 20), 0);
    cr_assert_eq(pgm_map_pc_ram(&p), 0);
    cr_assert_eq(pgm_map_rom(&p, 0xf0000, sizeof(rom), rom, "rom"), 0);
    for (int round = 0; round < 3; round++) {
        for (unsigned i = 0; i < sizeof(gpas) / sizeof(gpas[0]); i++)
            for (int w = 0; w < 2; w++)
                for (int again = 0; again < 2; again++) /* a miss, then a hit */
                    cr_assert_eq(pgm_cached_page_ptr(&p, &c, gpas[i] + 0x123, w),
                                 pgm_page_ptr(&p, gpas[i], w), "round %d gpa %llx write %d", round,
                                 (unsigned long long)gpas[i], w);
        if (round == 0) /* a read-only MiB of RAM */
            cr_assert_eq(pgm_map_ram_ro(&p, 0x300000, 0x100000, 0x100000, "ro"), 0);
        if (round == 1) /* A20 off: MiB 3 is MiB 2 */
            pgm_set_a20(&p, false);
    }
    pgm_set_a20(&p, true);
    cr_assert_null(pgm_cached_page_ptr(&p, &c, 0x300000, true));
    cr_assert_eq(pgm_cached_page_ptr(&p, &c, 0x300000, false), p.ram + 0x100000);
    pgm_fini(&p);
}

Test(pgm, mmio_dispatch_every_size)
{
    struct pgm p;
    struct mmio_log log = {0};
    uint8_t buf[16];
    cr_assert_eq(pgm_init(&p, 4 << 20), 0);
    cr_assert_eq(pgm_map_mmio(&p, 0xfec00000, 0x1000, &mmio_ops, &log, "mmio"), 0);
    for (unsigned size = 1; size <= 8; size *= 2) {
        log.n = 0;
        uint64_t v = pgm_read_u(&p, 0xfec00000 + 8, size);
        cr_assert_eq(log.n, 1);
        cr_assert_eq(log.size[0], size);
        cr_assert_eq(log.off[0], 8);
        cr_assert_eq(v, 0x1122334455667788ull >> (64 - size * 8));
        log.n = 0;
        pgm_write_u(&p, 0xfec00000 + 16, 0xa5a5a5a5a5a5a5a5ull, size);
        cr_assert_eq(log.n, 1);
        cr_assert_eq(log.size[0], size);
        cr_assert_eq(log.val[0], 0xa5a5a5a5a5a5a5a5ull >> (64 - size * 8));
    }
    /* an unaligned 16-byte access is split into naturally aligned pieces */
    log.n = 0;
    pgm_read(&p, 0xfec00001, buf, 16);
    cr_assert_eq(log.size[0], 1);
    cr_assert_eq(log.size[1], 2);
    cr_assert_eq(log.size[2], 4);
    cr_assert_eq(log.size[3], 8);
    pgm_fini(&p);
}

Test(pgm, untouched_ram_costs_no_host_memory)
{
    struct pgm p;
    long page = sysconf(_SC_PAGESIZE);
    size_t size = 256u << 20, pages = size / (size_t)page, resident = 0;
    unsigned char *vec = malloc(pages);
    cr_assert_eq(pgm_init(&p, size), 0);
    cr_assert_eq(pgm_map_pc_ram(&p), 0);
    pgm_write_u(&p, 0x200000, 1, 4);
    cr_assert_eq(mincore(p.ram, size, vec), 0);
    for (size_t i = 0; i < pages; i++)
        resident += vec[i] & 1;
    cr_assert_lt(resident, 16, "%zu pages resident after one write", resident);
    cr_assert_eq(pgm_read_u(&p, 0x300000, 4), 0); /* untouched pages read as zero */
    free(vec);
    pgm_fini(&p);
}

Test(pgm, a20_gate_wraps_at_1mib)
{
    struct pgm p;
    cr_assert_eq(pgm_init(&p, 4 << 20), 0);
    cr_assert_eq(pgm_map_pc_ram(&p), 0);
    pgm_write_u(&p, 0x100, 0x11111111, 4);
    pgm_write_u(&p, 0x100100, 0x22222222, 4);
    pgm_set_a20(&p, false);
    cr_assert_eq(pgm_read_u(&p, 0x100100, 4), 0x11111111u);
    pgm_set_a20(&p, true);
    cr_assert_eq(pgm_read_u(&p, 0x100100, 4), 0x22222222u);
    pgm_fini(&p);
}

Test(pgm, code_granules)
{
    cr_assert_eq(pgm_granules(0, 1), 1ull);
    cr_assert_eq(pgm_granules(63, 2), 3ull);
    cr_assert_eq(pgm_granules(0xfc0, 64), 1ull << 63);
    cr_assert_eq(pgm_granules(0xffe, 8), 1ull << 63); /* clamped to the page */
    cr_assert_eq(pgm_granules(0, 0x1000), ~0ull);
    cr_assert_eq(pgm_granules(0x40, 0), 0ull);
}

Test(pgm, writes_to_code_pages_bump_the_generation)
{
    struct pgm p;
    cr_assert_eq(pgm_init(&p, 4 << 20), 0);
    cr_assert_eq(pgm_map_pc_ram(&p), 0);
    uint32_t g0 = pgm_code_gen(&p, 0x101000);
    pgm_write_u(&p, 0x101000, 1, 1); /* not code: no change */
    cr_assert_eq(pgm_code_gen(&p, 0x101000), g0);
    bool newly;
    cr_assert_not_null(pgm_code_page(&p, 0x101f80, 0x80, &newly));
    cr_assert(newly);
    pgm_write_u(&p, 0x101f7c, 0x90909090, 4); /* data beside the code: the code stays */
    cr_assert_eq(pgm_code_gen(&p, 0x101000), g0);
    pgm_write_u(&p, 0x101f7e, 0x90909090, 4); /* two of those bytes are in its granule */
    cr_assert_eq(pgm_code_gen(&p, 0x101000), g0 + 1);
    cr_assert_not_null(pgm_code_page(&p, 0x101ffe, 2, &newly));
    cr_assert(newly);
    pgm_write_u(&p, 0x101ffe, 0x9090, 2);
    cr_assert_eq(pgm_code_gen(&p, 0x101000), g0 + 2);
    cr_assert_eq(pgm_code_gen(&p, 0x102000), 0); /* the neighbour is untouched */
    pgm_fini(&p);
}

Test(pgm, bad_mappings_are_refused)
{
    struct pgm p;
    cr_assert_eq(pgm_init(&p, 4 << 20), 0);
    cr_assert_lt(pgm_map_ram(&p, 0x1000, 0x1000, 8 << 20, "past-end"), 0);
    cr_assert_lt(pgm_map_ram(&p, 0x1001, 0x1000, 0, "unaligned"), 0);
    cr_assert_lt(pgm_load(&p, 0x1000, "x", 1), 0); /* nothing mapped there */
    pgm_fini(&p);
}

/* A guest moving a BAR or toggling a ROM BAR maps and unmaps while other
 * vCPUs read: a reader must always see the RAM below a window it is not
 * touching, never a half-moved table. */
struct remap_ctx {
    struct pgm *p;
    volatile int stop;
    uint8_t rom[0x1000];
};

static void *remapper(void *arg)
{
    struct remap_ctx *c = arg;
    static struct mmio_log log;
    for (unsigned i = 0; !c->stop; i++) {
        uint64_t at = 0x100000 + (i % 8) * 0x10000;
        pgm_map_mmio(c->p, at, 0x1000, &mmio_ops, &log, "bar");
        pgm_map_rom(c->p, 0x200000, sizeof(c->rom), c->rom, "rom"); /* a ROM BAR toggled */
        pgm_unmap(c->p, 0x200000, sizeof(c->rom));
        pgm_unmap(c->p, at, 0x1000);
    }
    return NULL;
}

Test(pgm, readers_see_a_whole_map_while_another_thread_remaps)
{
    static struct pgm p;
    static struct remap_ctx c;
    pthread_t t;
    cr_assert_eq(pgm_init(&p, 4 << 20), 0);
    cr_assert_eq(pgm_map_ram(&p, 0, 4 << 20, 0, "ram"), 0);
    pgm_write_u(&p, 0x3000, 0x5a5a5a5a, 4);
    pgm_write_u(&p, 0x200000, 0x11111111, 4); /* the RAM under the ROM */
    c.p = &p;
    memset(c.rom, 0xa5, sizeof(c.rom));
    cr_assert_eq(pthread_create(&t, NULL, remapper, &c), 0);
    unsigned bad = 0;
    for (unsigned i = 0; i < 3000000; i++) {
        bad += pgm_read_u(&p, 0x3000, 4) != 0x5a5a5a5a;
        bad += pgm_page_ptr(&p, 0x3000, true) != p.ram + 0x3000;
        uint64_t v = pgm_read_u(&p, 0x200000, 4); /* the ROM or the RAM, nothing else */
        bad += v != 0xa5a5a5a5 && v != 0x11111111;
    }
    c.stop = 1;
    pthread_join(t, NULL);
    cr_expect_eq(bad, 0, "%u reads saw another range", bad);
    cr_expect_leq(p.nroms, 2, "mapping one ROM image again reuses its copy (%u copies)", p.nroms);
    pgm_fini(&p);
}
