/* Guest page-table walkers: 32-bit (4K; 4M with CR4.PSE, PSE-36 address
 * bits), PAE (4K, 2M; PDPTE registers), 4-level (4K, 2M, 1G) and 5-level.
 * One loop walks every mode; a per-mode descriptor says how wide entries
 * are, how many levels there are, where a level may map a large page and
 * which bits it reserves (SDM vol. 3 ch. 4). A/D bits are set with atomic
 * ORs on the guest's own entries, as hardware does, so a guest spinning on
 * them sees them appear. Every table address comes from the guest: reads
 * go through pgm_read_u, which answers all ones outside RAM, so a bad
 * pointer ends in a reserved-bit fault, never a host access. A walk may
 * take a table's host page from the caller's pgm_walk_cache instead of
 * the map, only while the map version it was found under still holds;
 * the entries themselves are always read from guest memory. */
#include <errno.h>
#include "pgm/pgm.h"

#include <stdio.h>

/* Bits hi..lo inclusive; empty when hi < lo. */
#define BITS(hi, lo) ((hi) < (lo) ? 0ull : ((~0ull >> (63 - (hi))) & ~((1ull << (lo)) - 1)))
#define ADDR_HI  BITS(51, PGM_MAXPHYADDR) /* above MAXPHYADDR in 8-byte entries */
#define PAE_HI   BITS(62, 52)             /* PAE paging reserves these too */
#define ADDR8    BITS(PGM_MAXPHYADDR - 1, 12)
#define PSE36_HI BITS(20, 13 + PGM_MAXPHYADDR - 32) /* 4M PDE address bits past MAXPHYADDR */

/* Inlined into the walk, whose descriptor is then constant. */
#define HOT static inline __attribute__((always_inline))

#define PTE_P   0x001ull
#define PTE_W   0x002ull
#define PTE_U   0x004ull
#define PTE_PWT 0x008ull
#define PTE_PCD 0x010ull
#define PTE_A   0x020ull
#define PTE_D   0x040ull
#define PTE_PS  0x080ull
#define PTE_G   0x100ull
#define PTE_NX  (1ull << 63)

enum { PS_NO, PS_YES, PS_PSE /* only with CR4.PSE; otherwise bit 7 is ignored */ };

struct level_desc {
    uint8_t shift;       /* lowest linear-address bit this level indexes */
    uint8_t ps;          /* PS_*: may bit 7 map a page here */
    uint64_t rsvd;       /* reserved bits of an entry pointing to a table or a 4K page */
    uint64_t rsvd_large; /* reserved bits of an entry mapping a large page */
    const char *name;
};

struct mode_desc {
    uint8_t size;     /* entry bytes */
    uint8_t levels;   /* walked levels (PAE: not counting the PDPTE registers) */
    uint8_t idx_bits; /* index bits per level */
    bool pae_root;    /* the level above the first is the four PDPTE registers */
    bool pkeys;       /* bits 62:59 hold a protection key */
    uint8_t lin_bits; /* linear-address width, for sign extension in dumps */
    uint64_t addr;    /* address bits of a table pointer or a 4K frame */
    struct level_desc lvl[5]; /* top level first */
};

enum { D_32, D_PAE, D_4L, D_5L };

static const struct mode_desc modes[] = {
    [D_32] = {4, 2, 10, false, false, 32, 0xfffff000ull,
              {{22, PS_PSE, 0, (1ull << 21) | PSE36_HI, "PDE"}, {12, PS_NO, 0, 0, "PTE"}}},
    [D_PAE] = {8, 2, 9, true, false, 32, ADDR8,
               {{21, PS_YES, ADDR_HI | PAE_HI, ADDR_HI | PAE_HI | BITS(20, 13), "PDE"},
                {12, PS_NO, ADDR_HI | PAE_HI, 0, "PTE"}}},
    [D_4L] = {8, 4, 9, false, true, 48, ADDR8,
              {{39, PS_NO, ADDR_HI | PTE_PS, 0, "PML4E"},
               {30, PS_YES, ADDR_HI, ADDR_HI | BITS(29, 13), "PDPTE"},
               {21, PS_YES, ADDR_HI, ADDR_HI | BITS(20, 13), "PDE"},
               {12, PS_NO, ADDR_HI, 0, "PTE"}}},
    [D_5L] = {8, 5, 9, false, true, 57, ADDR8,
              {{48, PS_NO, ADDR_HI | PTE_PS, 0, "PML5E"},
               {39, PS_NO, ADDR_HI | PTE_PS, 0, "PML4E"},
               {30, PS_YES, ADDR_HI, ADDR_HI | BITS(29, 13), "PDPTE"},
               {21, PS_YES, ADDR_HI, ADDR_HI | BITS(20, 13), "PDE"},
               {12, PS_NO, ADDR_HI, 0, "PTE"}}},
};
/* PDPTE registers: bits 2:1, 8:5 and everything from MAXPHYADDR (NX too). */
#define PDPTE_RSVD (BITS(2, 1) | BITS(8, 5) | BITS(63, PGM_MAXPHYADDR))

unsigned pgm_mode_from_regs(uint64_t cr0, uint64_t cr4, uint64_t efer)
{
    bool nx = efer & EFER_NXE;
    if (!(cr0 & CR0_PE))
        return PGM_MODE_REAL;
    if (!(cr0 & CR0_PG))
        return PGM_MODE_PROTECTED;
    if (efer & EFER_LMA) {
        if (cr4 & CR4_LA57)
            return nx ? PGM_MODE_LA57_NX : PGM_MODE_LA57;
        return nx ? PGM_MODE_AMD64_NX : PGM_MODE_AMD64;
    }
    if (cr4 & CR4_PAE)
        return nx ? PGM_MODE_PAE_NX : PGM_MODE_PAE;
    return PGM_MODE_32BIT;
}

static const struct mode_desc *desc_for(const struct pgm_walk *w)
{
    if (w->efer & EFER_LMA)
        return &modes[(w->cr4 & CR4_LA57) ? D_5L : D_4L];
    return &modes[(w->cr4 & CR4_PAE) ? D_PAE : D_32];
}

/* The writable host page of a page table. */
HOT uint8_t *table_page(struct pgm *p, struct pgm_walk_cache *c, uint64_t gpa)
{
    return c ? pgm_cached_page_ptr(p, c, gpa, true) : pgm_page_ptr(p, gpa, true);
}

/* Reads an entry and a host pointer for the A/D update, or NULL when the
 * table is not in RAM (then the bits are read through MMIO/ROM and not
 * updated). */
HOT uint64_t read_entry(struct pgm *p, struct pgm_walk_cache *c, uint64_t gpa, unsigned size,
                        uint8_t **host)
{
    uint8_t *page = table_page(p, c, gpa);
    if (!page) {
        *host = NULL;
        return pgm_read_u(p, gpa, size);
    }
    /* the range is already found: read the entry where set_bits will OR */
    *host = page + (gpa & 0xfff);
    return size == 4 ? __atomic_load_n((uint32_t *)*host, __ATOMIC_RELAXED)
                     : __atomic_load_n((uint64_t *)*host, __ATOMIC_RELAXED);
}

HOT void set_bits(struct pgm *p, uint8_t *host, uint64_t entry, uint64_t bits, unsigned size)
{
    if ((entry & bits) == bits || !host)
        return;
    if (size == 4)
        __atomic_fetch_or((uint32_t *)host, (uint32_t)bits, __ATOMIC_SEQ_CST);
    else
        __atomic_fetch_or((uint64_t *)host, bits, __ATOMIC_SEQ_CST);
    pgm_note_ram_page(p, pgm_host_index(p, host), (uintptr_t)host & 0xfff, size); /* host is in RAM: no range search */
}

/* The error code's access bits follow the access, whatever the cause. */
static __attribute__((noinline, cold)) int fault(struct pgm_walk *w, uint32_t cause)
{
    bool fetch_id = (w->acc & PGM_ACC_X) &&
                    ((w->cr4 & CR4_SMEP) || ((w->cr4 & CR4_PAE) && (w->efer & EFER_NXE)));
    w->err = cause | ((w->acc & PGM_ACC_W) ? PFERR_W : 0) | ((w->acc & PGM_ACC_USER) ? PFERR_U : 0) |
             (fetch_id ? PFERR_I : 0);
    return -1;
}

/* Access rights of a completed translation (SDM 4.6): 0 when allowed, else
 * the cause bits (P, plus PK for a protection-key denial). */
HOT uint32_t check_rights(const struct pgm_walk *w, const struct mode_desc *d, unsigned acc)
{
    bool user_acc = acc & PGM_ACC_USER, write = acc & PGM_ACC_W, fetch = acc & PGM_ACC_X;
    bool wp = w->cr0 & CR0_WP, bad = false;
    uint32_t pk = 0;

    if (user_acc) {
        bad = !w->user || (write && !w->writable);
    } else {
        bool smap_blocks = (w->cr4 & CR4_SMAP) && ((acc & PGM_ACC_IMPLICIT) || !(acc & PGM_ACC_AC));
        bad = (w->user && fetch && (w->cr4 & CR4_SMEP)) || (w->user && !fetch && smap_blocks) ||
              (write && !w->writable && wp);
    }
    bad |= fetch && w->nx;
    /* user pages under PKRU with CR4.PKE, supervisor pages under PKRS with
     * CR4.PKS (SDM vol. 3 4.6.2), for data accesses of either privilege */
    if (d->pkeys && (w->cr4 & (w->user ? CR4_PKE : CR4_PKS)) && !fetch) {
        uint32_t keys = w->user ? w->pkru : w->pkrs;
        unsigned ad = (keys >> (2 * w->pkey)) & 1, wd = (keys >> (2 * w->pkey + 1)) & 1;
        if (ad || (wd && write && (user_acc || wp)))
            pk = PFERR_PK;
    }
    return (bad || pk) ? PFERR_P | pk : 0;
}

int pgm_load_pdptes(struct pgm *p, uint64_t cr3, uint64_t pdpte[4])
{
    uint64_t e[4];
    for (unsigned i = 0; i < 4; i++) {
        e[i] = pgm_read_u(p, (cr3 & 0xffffffe0ull) + i * 8, 8);
        if ((e[i] & PTE_P) && (e[i] & PDPTE_RSVD))
            return -1;
    }
    for (unsigned i = 0; i < 4; i++)
        pdpte[i] = e[i];
    return 0;
}

/* The first table: CR3's, or the PDPTE that covers lin in PAE mode. */
HOT int root_table(struct pgm *p, uint64_t lin, struct pgm_walk *w, const struct mode_desc *d,
                   uint64_t *table)
{
    if (!d->pae_root) {
        *table = w->cr3 & d->addr;
        return 0;
    }
    unsigned i = (lin >> 30) & 3;
    uint64_t e = w->pdpte ? w->pdpte[i] : pgm_read_u(p, (w->cr3 & 0xffffffe0ull) + i * 8, 8);
    if (!(e & PTE_P))
        return fault(w, 0);
    if (e & PDPTE_RSVD) /* only when read from memory: the registers were checked at load */
        return fault(w, PFERR_P | PFERR_RSVD);
    *table = e & ADDR8;
    return 0;
}

/* The walk for one mode. Inlined with d constant (pgm_walk), so each
 * mode's loop is unrolled with its widths, shifts and reserved bits as
 * immediates. */
HOT int walk_tables(struct pgm *p, uint64_t lin, struct pgm_walk *w, const struct mode_desc *d)
{
    uint64_t table = 0, entry = 0, ent[5];
    uint8_t *host[5];
    struct pgm_walk_cache *cache;
    bool nxe = w->efer & EFER_NXE, writable = true, user = true, nx = false;
    uint64_t nx_rsvd = (d->size == 8 && !nxe) ? PTE_NX : 0;
    unsigned i, shift = 12;

    w->writable = w->user = true;
    w->nx = w->global = false;
    w->pkey = 0;
    w->page_shift = 12;
    if (root_table(p, lin, w, d, &table))
        return -1;
    cache = w->cache;
#pragma GCC unroll 5
    for (i = 0; i < d->levels; i++) {
        const struct level_desc *l = &d->lvl[i];
        uint64_t idx = (lin >> l->shift) & ((1u << d->idx_bits) - 1);
        bool large;
        ent[i] = entry = read_entry(p, cache, table + idx * d->size, d->size, &host[i]);
        if (!(entry & PTE_P))
            return fault(w, 0);
        large = (entry & PTE_PS) && (l->ps == PS_YES || (l->ps == PS_PSE && (w->cr4 & CR4_PSE)));
        if (entry & ((large ? l->rsvd_large : l->rsvd) | nx_rsvd))
            return fault(w, PFERR_P | PFERR_RSVD);
        writable &= (entry & PTE_W) != 0;
        user &= (entry & PTE_U) != 0;
        nx |= (entry & PTE_NX) && nxe;
        if (large || i + 1 == d->levels) {
            shift = l->shift;
            break;
        }
        table = entry & d->addr;
    }
    w->writable = writable;
    w->user = user;
    w->nx = nx;
    w->page_shift = (uint8_t)shift;
    if (d->pkeys)
        w->pkey = (entry >> 59) & 15;
    w->global = (entry & PTE_G) != 0;

    uint32_t denied = check_rights(w, d, w->acc);
    if (denied)
        return fault(w, denied);
    /* a write now: allowed, and with D (and every A) set it changes nothing */
    if (w->acc & PGM_ACC_W)
        w->write_too = !(w->acc & PGM_ACC_PROBE);
    else
        w->write_too = (entry & PTE_D) && !(w->acc & PGM_ACC_X) && !check_rights(w, d, w->acc | PGM_ACC_W);

    /* Accessed on every level, dirty on the leaf for writes. */
    if (!(w->acc & PGM_ACC_PROBE))
        for (unsigned k = 0; k <= i; k++)
            set_bits(p, host[k], ent[k], PTE_A | ((k == i && (w->acc & PGM_ACC_W)) ? PTE_D : 0), d->size);

    uint64_t off_mask = (1ull << shift) - 1, base;
    if (d->size == 4 && shift == 22) /* PSE-36: PDE bits 20:13 are address bits 39:32 */
        base = (entry & 0xffc00000ull) | (((entry >> 13) & 0xff) << 32);
    else
        base = entry & d->addr & ~off_mask;
    w->gpa = base | (lin & off_mask);
    return 0;
}

int pgm_walk(struct pgm *p, uint64_t lin, struct pgm_walk *w)
{
    if (!(w->cr0 & CR0_PG)) {
        w->writable = w->user = true;
        w->nx = w->global = false;
        w->pkey = 0;
        w->page_shift = 12;
        w->write_too = !(w->acc & PGM_ACC_X);
        w->gpa = lin & 0xffffffffull;
        return 0;
    }
    if (w->efer & EFER_LMA)
        return (w->cr4 & CR4_LA57) ? walk_tables(p, lin, w, &modes[D_5L])
                                   : walk_tables(p, lin, w, &modes[D_4L]);
    return (w->cr4 & CR4_PAE) ? walk_tables(p, lin, w, &modes[D_PAE]) : walk_tables(p, lin, w, &modes[D_32]);
}

int pgm_debug_translate(struct pgm *p, const struct pgm_walk *regs, uint64_t lin, uint64_t *gpa)
{
    struct pgm_walk w = *regs;
    w.acc = PGM_ACC_PROBE | PGM_ACC_AC;
    if (!(w.efer & EFER_LMA))
        lin &= 0xffffffffull;
    if (pgm_walk(p, lin, &w) < 0)
        return -EFAULT;
    *gpa = w.gpa;
    return 0;
}

/* ---- info cr3 ---- */

#define DUMP_MAX_LINES 65536

struct dump {
    struct pgm *p;
    const struct pgm_walk *r;
    const struct mode_desc *d;
    int fd;
    unsigned lines;
    uint64_t skipped;
};

static uint64_t sign_extend(uint64_t lin, unsigned bits)
{
    return bits >= 64 ? lin : (uint64_t)((int64_t)(lin << (64 - bits)) >> (64 - bits));
}

static void dump_entry(struct dump *s, unsigned lvl, unsigned idx, uint64_t lin, uint64_t e, bool large,
                       uint64_t gpa)
{
    const struct level_desc *l = &s->d->lvl[lvl];
    static const struct { uint64_t bit; const char *name; } flags[] = {
        {PTE_W, "W"}, {PTE_U, "U"}, {PTE_PWT, "PWT"}, {PTE_PCD, "PCD"}, {PTE_A, "A"},
        {PTE_D, "D"}, {PTE_G, "G"},
    };
    char fl[64];
    int n = snprintf(fl, sizeof(fl), "P");
    if (s->lines >= DUMP_MAX_LINES) {
        s->skipped++;
        return;
    }
    s->lines++;
    for (unsigned k = 0; k < sizeof(flags) / sizeof(flags[0]); k++)
        if ((e & flags[k].bit) && (flags[k].bit != PTE_D || large || lvl + 1 == s->d->levels) &&
            (flags[k].bit != PTE_G || large || lvl + 1 == s->d->levels))
            n += snprintf(fl + n, sizeof(fl) - (size_t)n, " %s", flags[k].name);
    if (large)
        n += snprintf(fl + n, sizeof(fl) - (size_t)n, " PS");
    if (s->d->size == 8 && (e & PTE_NX))
        n += snprintf(fl + n, sizeof(fl) - (size_t)n, " NX");
    if (s->d->pkeys && (e >> 59) & 15 && (large || lvl + 1 == s->d->levels))
        snprintf(fl + n, sizeof(fl) - (size_t)n, " PK%u", (unsigned)((e >> 59) & 15));
    dprintf(s->fd, "%*s%016llx %-5s[%03x] -> %010llx %s%s\n", (int)(2 * (lvl + s->d->pae_root) + 2), "",
            (unsigned long long)sign_extend(lin, s->d->lin_bits), l->name, idx, (unsigned long long)gpa,
            fl, large ? (l->shift == 30 ? " (1G)" : l->shift == 22 ? " (4M)" : " (2M)") : "");
}

static void dump_table(struct dump *s, unsigned lvl, uint64_t table, uint64_t lin_base)
{
    const struct level_desc *l = &s->d->lvl[lvl];
    for (unsigned idx = 0; idx < (1u << s->d->idx_bits) && s->lines < DUMP_MAX_LINES; idx++) {
        uint64_t e = pgm_read_u(s->p, table + (uint64_t)idx * s->d->size, s->d->size);
        uint64_t lin = lin_base | ((uint64_t)idx << l->shift), gpa;
        bool large;
        if (!(e & PTE_P))
            continue;
        large = (e & PTE_PS) && (l->ps == PS_YES || (l->ps == PS_PSE && (s->r->cr4 & CR4_PSE)));
        if (s->d->size == 4 && large)
            gpa = (e & 0xffc00000ull) | (((e >> 13) & 0xff) << 32);
        else
            gpa = e & s->d->addr & ~((1ull << (large ? l->shift : 12)) - 1);
        dump_entry(s, lvl, idx, lin, e, large, gpa);
        if (!large && lvl + 1 < s->d->levels)
            dump_table(s, lvl + 1, e & s->d->addr, lin);
    }
}

void pgm_info_cr3(struct pgm *p, const struct pgm_walk *r, int fd)
{
    unsigned mode = pgm_mode_from_regs(r->cr0, r->cr4, r->efer);
    struct dump s = {p, r, desc_for(r), fd, 0, 0};

    dprintf(fd, "CR3=%016llx CR4=%08llx paging mode: %s\n", (unsigned long long)r->cr3,
            (unsigned long long)r->cr4, pgm_mode_name(mode));
    if (!(r->cr0 & CR0_PG)) {
        dprintf(fd, "  paging is off: linear = physical\n");
        return;
    }
    if (s.d->pae_root) {
        for (unsigned i = 0; i < 4; i++) {
            uint64_t e = r->pdpte ? r->pdpte[i] : pgm_read_u(p, (r->cr3 & 0xffffffe0ull) + i * 8, 8);
            if (!(e & PTE_P))
                continue;
            dprintf(fd, "  %016llx PDPTE[%u]   -> %010llx P%s%s\n", (unsigned long long)i << 30, i,
                    (unsigned long long)(e & ADDR8), (e & PTE_PWT) ? " PWT" : "", (e & PTE_PCD) ? " PCD" : "");
            s.lines++;
            dump_table(&s, 0, e & ADDR8, (uint64_t)i << 30);
        }
    } else {
        dump_table(&s, 0, r->cr3 & s.d->addr, 0);
    }
    if (s.skipped || s.lines >= DUMP_MAX_LINES)
        dprintf(fd, "  ... output stopped after %u lines\n", s.lines);
}
