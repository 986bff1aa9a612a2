/* The per-vCPU software TLB: filling entries from PGM's walker, the
 * flushes the architecture asks for, and the paging-register hooks
 * (tlb.h has the entry layout and the lookup).
 *
 * Invariants:
 * - An entry is written only by tlb_fill, from a walk that succeeded for
 *   the context in its tag and either its kind or the other data kind,
 *   when that walk's success means this kind's walk would succeed and
 *   change nothing (pgm_walk's write_too); everything else only
 *   invalidates (tag = TLB_INVALID).
 * - The walker's cache (tlb.walk_cache) holds host pointers only, checked
 *   against PGM's map version on use, so no flush needs to touch it.
 * - Every flush that can drop a fetch entry bumps the epoch REM checks
 *   its chained jumps against; one that can drop a global entry also
 *   bumps the global epoch (tlb_epoch_g).
 * - Other threads invalidate entries of this vCPU (PGM map changes, code
 *   pages); they never fill them.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "pgm/tlb.h"
#include "vm/vm.h"

static const uint8_t size_shift[4] = {12, 21, 22, 30};

/* Every entry of the read, write and fetch tables. */
#define TLB_FOR_EACH(v, e)                                                                                   \
    for (struct tlb_entry *e = &(v)->tlb.ent[0][0]; e < &(v)->tlb.ent[0][0] + TLB_KINDS * TLB_SIZE; e++)

static void bump_epoch(struct vcpu *v, bool global)
{
    atomic_fetch_add_explicit(&v->iem.tlb_epoch, 1, memory_order_relaxed);
    if (global)
        atomic_fetch_add_explicit(&v->iem.tlb_epoch_g, 1, memory_order_relaxed);
}

bool tlb_fetch_global(struct vcpu *v, uint64_t lin)
{
    const struct cpu *c = &v->cpu;
    unsigned pacc = PGM_ACC_X | (c->cpl == 3 ? PGM_ACC_USER : 0) | (c->rflags & F_AC ? PGM_ACC_AC : 0);
    uint64_t want = tlb_want(lin, tlb_ctx(v, &v->tlb, c->cr4, pacc, tlb_cur_pcid(c->cr3, c->cr4)));
    const struct tlb_entry *e = tlb_slot(&v->tlb, TLB_KIND_FETCH, lin, want);
    return (int64_t)lin < 0 && (tlb_hit(e, want) || tlb_slow_hit(e, want)) && e->global;
}

uint32_t tlb_epoch(struct vcpu *v)
{
    return atomic_load_explicit(&v->iem.tlb_epoch, memory_order_relaxed);
}

void tlb_flush_all(struct vcpu *v)
{
    TLB_FOR_EACH(v, e)
    e->tag = TLB_INVALID;
    bump_epoch(v, true);
}

void tlb_flush_nonglobal(struct vcpu *v)
{
    TLB_FOR_EACH(v, e)
    if (!e->global)
        e->tag = TLB_INVALID;
    bump_epoch(v, false);
}

static bool covers(const struct tlb_entry *e, uint64_t lin)
{
    uint64_t span = (1ull << size_shift[e->size & 3]) - 1;
    return !(e->tag & TLB_INVALID) && !((e->tag ^ lin) & ~0xfffull & ~span);
}

void tlb_flush_page(struct vcpu *v, uint64_t lin)
{
    TLB_FOR_EACH(v, e)
    if (covers(e, lin))
        e->tag = TLB_INVALID;
    /* REM takes a global translation past flushes only for the upper
     * half (tlb_fetch_global's callers): one of the lower half cannot be
     * it */
    bump_epoch(v, (int64_t)lin < 0);
}

void tlb_code_page(struct vcpu *v, uint64_t gpa)
{
    struct vm *vm = v->vm;
    uint64_t mask = vm->pgm.a20_mask & ~0xfffull, page = gpa & mask;
    /* Other vCPUs' entries are dropped from this thread, as tlb_pgm_changed
     * does: a fast entry left there would let that vCPU rewrite the code
     * without the decode cache noticing. */
    for (unsigned c = 0; c < vm->ncpus; c++) {
        struct tlb_entry *w = vm->cpus[c].tlb.ent[TLB_KIND_WRITE];
        for (struct tlb_entry *e = w; e < w + TLB_SIZE; e++)
            if ((e->gpa & mask) == page)
                e->tag = TLB_INVALID;
    }
}

static void flush_pcid_where(struct vcpu *v, unsigned pcid, bool keep_global, bool one, uint64_t lin)
{
    TLB_FOR_EACH(v, e)
    if (!(e->tag & TLB_INVALID) && e->pcid == pcid && !(keep_global && e->global) &&
        (!one || covers(e, lin)))
        e->tag = TLB_INVALID;
    bump_epoch(v, !keep_global);
}

void tlb_flush_pcid(struct vcpu *v, unsigned pcid, bool keep_global)
{
    flush_pcid_where(v, pcid, keep_global, false, 0);
}

int tlb_invpcid(struct vcpu *v, uint64_t type, const uint64_t desc[2])
{
    unsigned pcid = desc[0] & 0xfff;
    if (type > 3 || (desc[0] >> 12))
        return -1;
    if (type <= 1 && pcid && !(v->cpu.cr4 & CR4_PCIDE))
        return -1;
    switch (type) {
    case 0: /* individual address, non-global */
        if (pgm_canonical(v->cpu.cr4, desc[1]))
            flush_pcid_where(v, pcid, true, true, desc[1]);
        break;
    case 1: tlb_flush_pcid(v, pcid, true); break; /* single context */
    case 2: tlb_flush_all(v); break;              /* all contexts, global too */
    default: tlb_flush_nonglobal(v); break;       /* all contexts but global */
    }
    return 0;
}

static void tlb_pgm_changed(struct pgm *p, void *opaque)
{
    (void)opaque;
    struct vm *vm = (struct vm *)((char *)p - offsetof(struct vm, pgm));
    /* Other vCPUs may be running: the FF makes them flush before their next
     * instruction too (em: VCPU_FF_TLB_FLUSH -> tlb_flush_all). */
    for (unsigned i = 0; i < vm->ncpus; i++) {
        tlb_flush_all(&vm->cpus[i]);
        if (vm->ncpus > 1)
            atomic_fetch_or(&vm->cpus[i].ff, VCPU_FF_TLB_FLUSH);
    }
}

unsigned tlb_asid_new(struct vcpu *v, unsigned pcid)
{
    struct tlb *t = &v->tlb;
    /* all ids given out: start over, and no entry may keep an old one */
    if (t->next_asid == 0 || t->next_asid >= TLB_ASIDS) {
        tlb_flush_all(v);
        memset(t->asid, 0, sizeof(t->asid));
        t->next_asid = 1;
    }
    t->asid[pcid & 0xfff] = (uint8_t)t->next_asid;
    return t->next_asid++;
}

void tlb_init(struct vcpu *v)
{
    memset(v->tlb.asid, 0, sizeof(v->tlb.asid));
    v->tlb.next_asid = 1;
    tlb_flush_all(v);
    memset(&v->tlb.walk_cache, 0, sizeof(v->tlb.walk_cache));
    pgm_add_listener(&v->vm->pgm, tlb_pgm_changed, NULL);
}

void tlb_mode_changed(struct vcpu *v)
{
    const struct cpu *c = &v->cpu;
    unsigned mode = pgm_mode_from_regs(c->cr0, c->cr4, c->efer);
    if (v->vm && v->vm->pgm.mode != mode) {
        pgm_change_mode(&v->vm->pgm, mode);
        tlb_flush_all(v);
    }
}

static bool pae_paging(uint64_t cr0, uint64_t cr4, uint64_t efer)
{
    return (cr0 & CR0_PG) && (cr4 & CR4_PAE) && !(efer & (EFER_LME | EFER_LMA));
}

int pgm_cr_load_pdptes(struct vcpu *v, unsigned reg, uint64_t val)
{
    struct cpu *c = &v->cpu;
    uint64_t cr0 = reg == PGM_REG_CR0 ? val : c->cr0, cr3 = reg == PGM_REG_CR3 ? val : c->cr3;
    uint64_t cr4 = reg == PGM_REG_CR4 ? val : c->cr4, pdpte[4];
    bool reload = reg == PGM_REG_CR3 ||
                  (reg == PGM_REG_CR0 && ((c->cr0 ^ val) & (CR0_CD | CR0_NW | CR0_PG))) ||
                  (reg == PGM_REG_CR4 && ((c->cr4 ^ val) & (CR4_PAE | CR4_PGE | CR4_PSE | CR4_SMEP)));
    if (!reload || !pae_paging(cr0, cr4, c->efer))
        return 0;
    if (pgm_load_pdptes(&v->vm->pgm, cr3, pdpte) < 0)
        return -1;
    memcpy(c->pdpte, pdpte, sizeof(pdpte));
    c->pdpte_loaded = 1;
    return 0;
}

void pgm_cr_written(struct vcpu *v, unsigned reg, uint64_t old, uint64_t new_val)
{
    const struct cpu *c = &v->cpu;
    bool all = false;

    switch (reg) {
    case PGM_REG_CR0: all = (old ^ new_val) & (CR0_PE | CR0_PG | CR0_WP); break;
    case PGM_REG_CR3:
        /* even without a flush (a PCID switch) the address space changed:
         * what REM remembers by linear address under this epoch is void */
        bump_epoch(v, false);
        if (!(c->cr4 & CR4_PCIDE))
            tlb_flush_nonglobal(v);
        else if (!(new_val >> 63))
            tlb_flush_pcid(v, new_val & 0xfff, true);
        return;
    case PGM_REG_CR4:
        all = ((old ^ new_val) & (CR4_PSE | CR4_PAE | CR4_PGE | CR4_SMEP | CR4_SMAP | CR4_PKE | CR4_PKS | CR4_LA57)) ||
              ((old & CR4_PCIDE) && !(new_val & CR4_PCIDE));
        break;
    case PGM_REG_EFER: all = (old ^ new_val) & (EFER_NXE | EFER_LME | EFER_LMA); break;
    case PGM_REG_PKRU: /* entries hold the rights PKRU or PKRS gave at fill time */ all = old != new_val; break;
    }
    if (all)
        tlb_flush_all(v);
    tlb_mode_changed(v);
}

/* Walks lin with the vCPU's paging registers. */
static int walk(struct vcpu *v, uint64_t lin, unsigned pgm_acc, struct pgm_walk *w)
{
    struct cpu *c = &v->cpu;
    w->cr0 = c->cr0, w->cr3 = c->cr3, w->cr4 = c->cr4, w->efer = c->efer;
    w->pkru = c->pkru;
    w->pkrs = c->pkrs;
    w->pdpte = NULL;
    if (pae_paging(c->cr0, c->cr4, c->efer)) {
        if (!c->pdpte_loaded) {
            /* Not loaded by the CR writer: take them now, reserved bits and
             * all (the walker then faults with RSVD). */
            for (unsigned i = 0; i < 4; i++)
                c->pdpte[i] = pgm_read_u(&v->vm->pgm, (c->cr3 & 0xffffffe0ull) + i * 8, 8);
            c->pdpte_loaded = 1;
        }
        w->pdpte = c->pdpte;
    }
    w->acc = pgm_acc;
    w->cache = &v->tlb.walk_cache;
    return pgm_walk(&v->vm->pgm, lin, w);
}

/* Caches the walk w of lin in e under want, with page its host page for
 * the entry's kind (NULL: a TLB_SLOW entry). */
static inline void set_entry(struct vcpu *v, struct tlb_entry *e, uint64_t want, uint64_t lin,
                             const struct pgm_walk *w, uint8_t *page)
{
    e->size = w->page_shift == 30 ? 3 : w->page_shift == 22 ? 2 : w->page_shift == 21 ? 1 : 0;
    e->global = w->global && (v->cpu.cr4 & CR4_PGE);
    e->pcid = (uint16_t)tlb_cur_pcid(v->cpu.cr3, v->cpu.cr4);
    e->addend = page ? (uintptr_t)page - (uintptr_t)(lin & ~0xfffull) : 0;
    e->gpa = w->gpa & ~0xfffull;
    e->tag = want | (page ? 0 : TLB_SLOW);
}

/* The host page for writes through a TLB entry: NULL for what is not
 * writable RAM, and for a code page (writes go through pgm_write to drop
 * the decoded code). */
static inline uint8_t *write_page(struct pgm *p, struct pgm_walk_cache *c, uint64_t gpa)
{
    uint8_t *page = pgm_cached_page_ptr(p, c, gpa, true);
    if (page && (__atomic_load_n(&p->page_flags[pgm_host_index(p, page)], __ATOMIC_RELAXED) & PGM_PF_CODE))
        return NULL;
    return page;
}

int tlb_fill(struct vcpu *v, uint64_t lin, unsigned pgm_acc, struct tlb_entry *e, uint64_t want,
             uint8_t **host, uint64_t *gpa, uint32_t *pferr)
{
    struct pgm *p = &v->vm->pgm;
    struct pgm_walk_cache *c = &v->tlb.walk_cache;
    struct pgm_walk w;
    bool write = (pgm_acc & PGM_ACC_W) != 0;
    unsigned kind = tlb_kind(pgm_acc);
    uint8_t *page;

    if (walk(v, lin, pgm_acc, &w) < 0) {
        *pferr = w.err;
        return -1;
    }
    *gpa = w.gpa;
    page = write ? write_page(p, c, w.gpa) : pgm_cached_page_ptr(p, c, w.gpa, false);
    set_entry(v, e, want, lin, &w, page);
    *host = page ? page + (lin & 0xfff) : NULL;

    /* A load and a store to the same page usually come together: one walk
     * fills both data kinds when the other access needs no walk of its
     * own, i.e. changes nothing in the tables. A write allows reads (the
     * same checks and more) and has set every A bit; a read allows writes
     * when its rights say so and the leaf is already dirty. Only direct
     * RAM pages, so no access kind changes its path. */
    if (kind == TLB_KIND_FETCH)
        return 0;
    if (write) {
        uint8_t *rpage = pgm_cached_page_ptr(p, c, w.gpa, false);
        if (rpage)
            set_entry(v, tlb_slot(&v->tlb, TLB_KIND_READ, lin, want), want, lin, &w, rpage);
    } else if (page && w.write_too) {
        uint8_t *wpage = write_page(p, c, w.gpa);
        if (wpage)
            set_entry(v, tlb_slot(&v->tlb, TLB_KIND_WRITE, lin, want), want, lin, &w, wpage);
    }
    return 0;
}

void tlb_info(struct vcpu *v, int fd)
{
    static const char kind[TLB_KINDS] = {'R', 'W', 'X'};
    unsigned n = 0;
    dprintf(fd, "vCPU %u software TLB (%u entries each for read, write, fetch):\n", v->id, TLB_SIZE);
    for (unsigned k = 0; k < TLB_KINDS; k++)
        for (unsigned i = 0; i < TLB_SIZE; i++) {
            const struct tlb_entry *e = &v->tlb.ent[k][i];
            uint64_t t = e->tag;
            if (t & TLB_INVALID)
                continue;
            n++;
            dprintf(fd, "  %c[%02x] %016llx -> %010llx %s%s%s%s %s pcid=%03x\n", kind[k], i,
                    (unsigned long long)(t & ~0xfffull), (unsigned long long)e->gpa,
                    (t & TLB_USER) ? "user" : "sup", (t & TLB_SMAPOK) ? "+ac" : "",
                    (t & TLB_SLOW) ? " slow" : "", e->global ? " G" : "",
                    (const char *[]){"4K", "2M", "4M", "1G"}[e->size & 3], e->pcid);
        }
    dprintf(fd, "  %u live entries\n", n);
}
