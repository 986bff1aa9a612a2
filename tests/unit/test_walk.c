/* Guest page walkers (src/pgm/pgm_walk.c) against a reference model.
 *
 * For each paging mode a synthetic hierarchy maps one linear address; every
 * case rewrites the entries on its path and walks once. The cross product
 * covers the leaf's P, R/W, U/S, NX, page size, a reserved bit, preset A/D
 * and protection key; the level above it (R/W, U/S, NX, not present,
 * reserved); CR0.WP, CR4.SMEP/SMAP/PKE/PKS, EFER.NXE, EFLAGS.AC, PKRU, PKRS, CPL and
 * the access kind. ref() states the SDM rules (vol. 3 4.6, 4.7) straight,
 * per access kind, so it shares no structure with the walker's loop. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "pgm/pgm.h"

enum kind { K_READ, K_WRITE, K_FETCH, K_IMPLICIT, K_COUNT };
/* The entry above the leaf: permissive, or one thing wrong with it. */
enum { UP_OK, UP_NP, UP_RO, UP_SUP, UP_RSVD, UP_NX, UP_COUNT };

#define TBL(i) (0x10000ull + (uint64_t)(i) * 0x1000)
#define FRAME_4K 0x00200000ull
#define FRAME_LG 0x00800000ull /* 2M- and 4M-aligned */
#define FRAME_1G 0x40000000ull

struct geom {
    const char *name;
    unsigned size, idx_bits, levels; /* walked levels */
    bool pae, lm, la57;
    uint64_t lin;
    unsigned nsizes; /* page sizes to try: 4K, then large, then 1G */
};

static const struct geom geoms[] = {
    {"32-bit", 4, 10, 2, false, false, false, 0x80403abcull, 2},
    {"PAE", 8, 9, 2, true, false, false, 0xc0603abcull, 2},
    {"4-level", 8, 9, 4, false, true, false, 0x00007f8040603abcull, 3},
    {"5-level", 8, 9, 5, false, true, true, 0x00ff7f8040603abcull, 3},
};

struct tcase {
    /* leaf */
    bool p, w, u, nx, rsvd, ad;
    unsigned psz; /* 0: 4K, 1: 2M/4M, 2: 1G */
    /* the entry above the leaf */
    unsigned up;
    bool uw, uu, unx;
    /* state */
    bool wp, smep, smap, pke, pks, ac, nxe;
    uint32_t pkru, pkrs;
    unsigned cpl, kind;
};

/* The SDM's rules, one access kind at a time. Returns true on a fault. */
static bool ref(const struct geom *g, const struct tcase *t, uint32_t *err)
{
    bool user = t->cpl == 3 && t->kind != K_IMPLICIT;
    bool write = t->kind == K_WRITE, fetch = t->kind == K_FETCH;
    bool has_nx = g->size == 8, has_upper = g->levels - 1 - t->psz > 0;
    uint32_t base = (write ? PFERR_W : 0) | (user ? PFERR_U : 0) |
                    (fetch && (t->smep || (has_nx && t->nxe)) ? PFERR_I : 0);

    if (has_upper) {
        if (t->up == UP_NP) {
            *err = base;
            return true;
        }
        if (t->up == UP_RSVD || (has_nx && t->unx && !t->nxe)) {
            *err = base | PFERR_P | PFERR_RSVD;
            return true;
        }
    }
    if (!t->p) {
        *err = base;
        return true;
    }
    if (t->rsvd || (has_nx && t->nx && !t->nxe)) {
        *err = base | PFERR_P | PFERR_RSVD;
        return true;
    }
    bool uw = has_upper ? t->uw : true, uu = has_upper ? t->uu : true, unx = has_upper && t->unx;
    bool W = uw && t->w, U = uu && t->u, XD = has_nx && t->nxe && (unx || t->nx);
    bool denied = false;
    switch (t->kind) {
    case K_READ:
        if (user)
            denied = !U;
        else
            denied = U && t->smap && !t->ac;
        break;
    case K_IMPLICIT:
        denied = U && t->smap;
        break;
    case K_WRITE:
        if (user)
            denied = !U || !W;
        else
            denied = (U && t->smap && !t->ac) || (!W && t->wp);
        break;
    case K_FETCH:
        if (user)
            denied = !U || XD;
        else
            denied = (U && t->smep) || XD;
        break;
    }
    uint32_t pk = 0;
    /* the leaf's key is 1: user pages under PKRU (CR4.PKE), supervisor
     * pages under PKRS (CR4.PKS) */
    if (g->lm && (U ? t->pke : t->pks) && !fetch) {
        uint32_t keys = U ? t->pkru : t->pkrs;
        bool ad = keys & 4, wd = keys & 8;
        if (ad || (wd && write && (user || t->wp)))
            pk = PFERR_PK;
    }
    if (denied || pk) {
        *err = base | PFERR_P | pk;
        return true;
    }
    return false;
}

static unsigned idx(const struct geom *g, unsigned level)
{
    unsigned shift = 12 + (g->levels - 1 - level) * g->idx_bits;
    return (unsigned)(g->lin >> shift) & ((1u << g->idx_bits) - 1);
}

static uint64_t ent_addr(const struct geom *g, unsigned level)
{
    return TBL(level + 1) + (uint64_t)idx(g, level) * g->size;
}

/* Builds the path for t; returns the expected physical address. */
static uint64_t build(struct pgm *p, const struct geom *g, const struct tcase *t, unsigned *leaf, int *upper)
{
    unsigned li = g->levels - 1 - t->psz;
    uint64_t pa = 0;
    *leaf = li;
    *upper = (int)li - 1;
    if (g->pae) /* the PDPT: CR3 = TBL(0) */
        for (unsigned i = 0; i < 4; i++)
            pgm_write_u(p, TBL(0) + i * 8, TBL(1) | 1, 8);
    for (unsigned l = 0; l <= li; l++) {
        uint64_t e;
        if (l < li) {
            e = TBL(l + 2) | 0x27; /* P W U A */
            if ((int)l == *upper) {
                e = TBL(l + 2) | 1 | (t->uw ? 2 : 0) | (t->uu ? 4 : 0) | (t->ad ? 0x20 : 0);
                if (t->unx)
                    e |= 1ull << 63;
                if (t->up == UP_NP)
                    e &= ~1ull;
                if (t->up == UP_RSVD)
                    e |= g->pae ? 1ull << 55 : 1ull << 45;
            }
        } else {
            uint64_t frame = t->psz == 0 ? FRAME_4K : t->psz == 1 ? FRAME_LG : FRAME_1G;
            e = frame | (t->p ? 1 : 0) | (t->w ? 2 : 0) | (t->u ? 4 : 0) | (t->ad ? 0x60 : 0);
            if (t->psz)
                e |= 0x80;
            if (t->nx)
                e |= 1ull << 63;
            if (g->lm)
                e |= 1ull << 59; /* protection key 1 */
            if (t->rsvd)
                e |= g->size == 4 ? 1ull << 21 : t->psz ? 1ull << 13 : g->pae ? 1ull << 52 : 1ull << 45;
            pa = frame | (g->lin & ((t->psz == 0 ? 0xfffull : t->psz == 2 ? (1ull << 30) - 1
                                                             : g->size == 4 ? (1ull << 22) - 1 : (1ull << 21) - 1)));
        }
        pgm_write_u(p, ent_addr(g, l), e, g->size);
    }
    return pa;
}

/* Splits n into the case's fields (mixed radix); false when n is past the end. */
static bool decode(const struct geom *g, uint64_t n, struct tcase *t)
{
#define TAKE(field, radix) do { t->field = n % (radix); n /= (radix); } while (0)
#define TAKEV(var, radix) do { var = n % (radix); n /= (radix); } while (0)
    memset(t, 0, sizeof(*t));
    TAKE(kind, K_COUNT);
    TAKE(cpl, 2);
    t->cpl *= 3;
    TAKE(p, 2);
    TAKE(w, 2);
    TAKE(u, 2);
    TAKE(ad, 2);
    TAKE(psz, g->nsizes);
    TAKE(rsvd, (g->size == 8 || t->psz) ? 2 : 1);
    TAKE(up, g->size == 8 ? UP_COUNT : UP_RSVD);
    t->uw = t->up != UP_RO;
    t->uu = t->up != UP_SUP;
    t->unx = t->up == UP_NX;
    TAKE(wp, 2);
    TAKE(smep, 2);
    TAKE(smap, 2);
    TAKE(ac, 2);
    if (g->size == 8) {
        TAKE(nx, 2);
        TAKE(nxe, 2);
    }
    if (g->lm) {
        unsigned pk;
        TAKEV(pk, 6); /* none; PKE with key 0 only, AD or WD of key 1; PKS with AD or WD of key 1 */
        t->pke = pk >= 1 && pk <= 3;
        t->pks = pk >= 4;
        t->pkru = pk == 2 ? 4 : pk == 3 ? 8 : pk == 1 ? 1 /* key 0 only: no effect */ : 0;
        t->pkrs = pk == 4 ? 4 : pk == 5 ? 8 : 0;
    }
#undef TAKE
#undef TAKEV
    return n == 0;
}

static void run_mode(const struct geom *g)
{
    struct pgm p;
    uint64_t fails = 0, faults = 0, total = 0;
    cr_assert_eq(pgm_init(&p, 4 << 20), 0);
    cr_assert_eq(pgm_map_ram(&p, 0, 4 << 20, 0, "ram"), 0);

    for (uint64_t n = 0;; n++) {
        struct tcase t;
        unsigned leaf;
        int upper;
        uint32_t rerr = 0;
        if (!decode(g, n, &t))
            break;
        if (g->levels - 1 - t.psz == 0 && t.up != UP_OK)
            continue; /* no walked level above the leaf (PAE 2M, 32-bit 4M) */
        total++;
        uint64_t pa = build(&p, g, &t, &leaf, &upper);
        uint64_t before_leaf = pgm_read_u(&p, ent_addr(g, leaf), g->size);
        uint64_t before_up = upper >= 0 ? pgm_read_u(&p, ent_addr(g, (unsigned)upper), g->size) : 0;
        uint64_t pdpte[4];
        struct pgm_walk w = {0};
        w.cr0 = CR0_PE | CR0_PG | (t.wp ? CR0_WP : 0);
        w.cr3 = TBL(g->pae ? 0 : 1);
        w.cr4 = (g->size == 4 ? CR4_PSE : CR4_PAE) | (g->la57 ? CR4_LA57 : 0) | (t.smep ? CR4_SMEP : 0) |
                (t.smap ? CR4_SMAP : 0) | (t.pke ? CR4_PKE : 0) |
                (t.pks ? CR4_PKS : 0);
        w.efer = (g->lm ? EFER_LME | EFER_LMA : 0) | (t.nxe ? EFER_NXE : 0);
        w.pkru = t.pkru;
        w.pkrs = t.pkrs;
        if (g->pae) {
            cr_assert_eq(pgm_load_pdptes(&p, w.cr3, pdpte), 0);
            w.pdpte = (n & 1) ? pdpte : NULL; /* registers, or read from memory */
        }
        w.acc = (t.kind == K_WRITE ? PGM_ACC_W : 0) | (t.kind == K_FETCH ? PGM_ACC_X : 0) |
                (t.kind == K_IMPLICIT ? PGM_ACC_IMPLICIT : 0) |
                (t.cpl == 3 && t.kind != K_IMPLICIT ? PGM_ACC_USER : 0) | (t.ac ? PGM_ACC_AC : 0);

        bool want_fault = ref(g, &t, &rerr);
        int rc = pgm_walk(&p, g->lin, &w);
        uint64_t after_leaf = pgm_read_u(&p, ent_addr(g, leaf), g->size);
        uint64_t after_up = upper >= 0 ? pgm_read_u(&p, ent_addr(g, (unsigned)upper), g->size) : 0;
        uint64_t want_leaf = before_leaf, want_up = before_up;
        if (!want_fault) {
            want_leaf |= 0x20 | (t.kind == K_WRITE ? 0x40 : 0);
            want_up |= upper >= 0 ? 0x20 : 0;
        }
        faults += want_fault;
        bool bad = (rc < 0) != want_fault || (want_fault && w.err != rerr) || (!want_fault && w.gpa != pa) ||
                   after_leaf != want_leaf || after_up != want_up;
        if (bad && fails++ < 5)
            cr_log_error("%s case %llu: kind %u cpl %u p%u w%u u%u nx%u ps%u rsvd%u ad%u up%u uw%u uu%u unx%u "
                         "wp%u smep%u smap%u pke%u ac%u nxe%u pkru %x: rc %d err %02x (want %s %02x) gpa %llx "
                         "(want %llx) leaf %llx (want %llx) up %llx (want %llx)",
                         g->name, (unsigned long long)n, t.kind, t.cpl, t.p, t.w, t.u, t.nx, t.psz, t.rsvd, t.ad,
                         t.up, t.uw, t.uu, t.unx, t.wp, t.smep, t.smap, t.pke, t.ac, t.nxe, t.pkru, rc, w.err,
                         want_fault ? "fault" : "ok", rerr, (unsigned long long)w.gpa, (unsigned long long)pa,
                         (unsigned long long)after_leaf, (unsigned long long)want_leaf,
                         (unsigned long long)after_up, (unsigned long long)want_up);
    }
    cr_log_info("%s: %llu cases, %llu faults", g->name, (unsigned long long)total, (unsigned long long)faults);
    cr_expect_eq(fails, 0, "%s: %llu of %llu cases differ from the reference", g->name,
                 (unsigned long long)fails, (unsigned long long)total);
    cr_expect_gt(faults, 0);
    cr_expect_lt(faults, total);
    pgm_fini(&p);
}

Test(walk, cross_product_32bit) { run_mode(&geoms[0]); }
Test(walk, cross_product_pae) { run_mode(&geoms[1]); }
Test(walk, cross_product_4level, .timeout = 600) { run_mode(&geoms[2]); }
Test(walk, cross_product_5level, .timeout = 600) { run_mode(&geoms[3]); }
