/* Guest memory access for IEM: segmentation, then paging through the
 * per-vCPU software TLB, then PGM.
 *
 * A TLB entry maps one linear 4K page for one access kind (separate read,
 * write and fetch arrays) to `host - linear`. Its tag holds the page and
 * the context it was filled in: user or supervisor, SMAP lifted by
 * EFLAGS.AC, and the PCID; a lookup builds the same tag and compares once.
 * An entry with TLB_SLOW keeps the translation but sends the access to
 * pgm_read/pgm_write (MMIO, ROM writes, writes to pages holding decoded
 * code), so those never need the walker either. The entry's page size and
 * global bit ride in attribute bits the compare masks off: INVLPG of a
 * large page and MOV CR3 with CR4.PGE use them. */
#include <stddef.h>
#include <string.h>

#include "cpu/iem.h"
#include "cpu/tlb.h"

/* Tag layout: bit 0 is TLB_INVALID (vm.h) and never set in a valid tag. */
#define TLB_USER    0x002ull /* context: user-mode access */
#define TLB_SMAPOK  0x004ull /* context: explicit supervisor access, SMAP on, EFLAGS.AC = 1 */
#define TLB_SLOW    0x008ull /* valid, but take pgm_read/pgm_write with e->gpa */
#define TLB_GLOBAL  0x010ull /* attribute */
#define TLB_SZ_SHIFT 5       /* attribute: page size code, 2 bits */
#define TLB_ATTR    0x060ull
#define TLB_ATTRS   (TLB_ATTR | TLB_GLOBAL)
/* Bits 63:57 of a canonical address copy bit 56 (or 47): the tag drops them
 * and keeps the PCID's high bits there, its low bits in 11:7. */
#define TLB_PAGE    0x01fffffffffff000ull
#define TLB_PCID    (0xf80ull | (0x7full << 57))

static const uint8_t size_shift[4] = {12, 21, 22, 30};

static inline uint64_t pcid_bits(unsigned pcid)
{
    return ((uint64_t)(pcid & 0x1f) << 7) | ((uint64_t)((pcid >> 5) & 0x7f) << 57);
}

static inline bool is_user_access(struct vcpu *v, unsigned acc)
{
    return v->cpu.cpl == 3 && !(acc & ACC_SYS);
}

static inline unsigned cur_pcid(const struct cpu *c)
{
    return (c->cr4 & CR4_PCIDE) ? (unsigned)(c->cr3 & 0xfff) : 0;
}

/* The part of the tag that depends on who accesses, not on the entry. */
static inline uint64_t tlb_ctx(struct vcpu *v, unsigned acc, unsigned pcid)
{
    const struct cpu *c = &v->cpu;
    uint64_t t = pcid_bits(pcid);
    if (is_user_access(v, acc))
        t |= TLB_USER;
    else if ((c->cr4 & CR4_SMAP) && !(acc & ACC_SYS) && (c->rflags & F_AC))
        t |= TLB_SMAPOK;
    return t;
}

/* Direct mapped; the PCID moves the slot so address spaces sharing
 * linear pages do not evict each other. */
static inline struct tlb_entry *tlb_for(struct vcpu *v, unsigned acc, uint64_t lin, unsigned pcid)
{
    unsigned i = (unsigned)((lin >> 12) + pcid * 37) & (TLB_SIZE - 1);
    return (acc & ACC_W) ? &v->iem.tlb_w[i] : (acc & ACC_X) ? &v->iem.tlb_x[i] : &v->iem.tlb_r[i];
}

/* Every entry of the read, write and fetch arrays. */
#define TLB_FOR_EACH(v, e)                                                                          \
    for (struct tlb_entry *e##_arr[3] = {(v)->iem.tlb_r, (v)->iem.tlb_w, (v)->iem.tlb_x},          \
                          **e##_a = e##_arr;                                                        \
         e##_a < e##_arr + 3; e##_a++)                                                              \
        for (struct tlb_entry *e = *e##_a; e < *e##_a + TLB_SIZE; e++)

void tlb_flush_all(struct vcpu *v)
{
    TLB_FOR_EACH(v, e)
        e->tag = TLB_INVALID;
    atomic_fetch_add_explicit(&v->iem.tlb_epoch, 1, memory_order_relaxed);
}

/* cpu.h's entry point for a full flush (shootdowns, memory-map changes):
 * a pure cache flush; the PDPTE registers stay as loaded. */
void iem_tlb_flush(struct vcpu *v)
{
    tlb_flush_all(v);
}

void tlb_flush_nonglobal(struct vcpu *v)
{
    TLB_FOR_EACH(v, e)
        if (!(e->tag & TLB_GLOBAL))
            e->tag = TLB_INVALID;
    atomic_fetch_add_explicit(&v->iem.tlb_epoch, 1, memory_order_relaxed);
}

static bool covers(const struct tlb_entry *e, uint64_t lin)
{
    uint64_t span = (1ull << size_shift[(e->tag & TLB_ATTR) >> TLB_SZ_SHIFT]) - 1;
    return !(e->tag & TLB_INVALID) && !((e->tag ^ lin) & TLB_PAGE & ~span);
}

void tlb_flush_page(struct vcpu *v, uint64_t lin)
{
    TLB_FOR_EACH(v, e)
        if (covers(e, lin))
            e->tag = TLB_INVALID;
    atomic_fetch_add_explicit(&v->iem.tlb_epoch, 1, memory_order_relaxed);
}

void tlb_code_page(struct vcpu *v, uint64_t gpa)
{
    struct vm *vm = v->vm;
    uint64_t mask = vm->pgm.a20_mask & ~0xfffull, page = gpa & mask;
    /* Other vCPUs' entries are dropped from this thread, as tlb_pgm_changed
     * does: a fast entry left there would let that vCPU rewrite the code
     * without the decode cache noticing. */
    for (unsigned c = 0; c < vm->ncpus; c++)
        for (struct tlb_entry *e = vm->cpus[c].iem.tlb_w; e < vm->cpus[c].iem.tlb_w + TLB_SIZE; e++)
            if ((e->gpa & mask) == page)
                e->tag = TLB_INVALID;
}

static void flush_pcid_where(struct vcpu *v, unsigned pcid, bool keep_global, bool one, uint64_t lin)
{
    uint64_t want = pcid_bits(pcid);
    TLB_FOR_EACH(v, e)
        if (!(e->tag & TLB_INVALID) && (e->tag & TLB_PCID) == want &&
            !(keep_global && (e->tag & TLB_GLOBAL)) && (!one || covers(e, lin)))
            e->tag = TLB_INVALID;
    atomic_fetch_add_explicit(&v->iem.tlb_epoch, 1, memory_order_relaxed);
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
    case 1: tlb_flush_pcid(v, pcid, true); break;   /* single context */
    case 2: tlb_flush_all(v); break;                /* all contexts, global too */
    default: tlb_flush_nonglobal(v); break;         /* all contexts but global */
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

void tlb_init(struct vcpu *v)
{
    tlb_flush_all(v);
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
    case PGM_REG_CR0:
        all = (old ^ new_val) & (CR0_PE | CR0_PG | CR0_WP);
        break;
    case PGM_REG_CR3:
        if (!(c->cr4 & CR4_PCIDE))
            tlb_flush_nonglobal(v);
        else if (!(new_val >> 63))
            tlb_flush_pcid(v, new_val & 0xfff, true);
        return;
    case PGM_REG_CR4:
        all = ((old ^ new_val) & (CR4_PSE | CR4_PAE | CR4_PGE | CR4_SMEP | CR4_SMAP | CR4_PKE | CR4_LA57)) ||
              ((old & CR4_PCIDE) && !(new_val & CR4_PCIDE));
        break;
    case PGM_REG_EFER:
        all = (old ^ new_val) & (EFER_NXE | EFER_LME | EFER_LMA);
        break;
    case PGM_REG_PKRU: /* entries hold the rights PKRU gave at fill time */
        all = old != new_val;
        break;
    }
    if (all)
        tlb_flush_all(v);
    tlb_mode_changed(v);
}

/* Walks for lin with the vCPU's registers; #PF (CR2) on a fault. */
static int walk(struct vcpu *v, uint64_t lin, unsigned acc, struct pgm_walk *w)
{
    struct cpu *c = &v->cpu;
    w->cr0 = c->cr0, w->cr3 = c->cr3, w->cr4 = c->cr4, w->efer = c->efer;
    w->pkru = c->pkru;
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
    w->acc = ((acc & ACC_W) ? PGM_ACC_W : 0) | ((acc & ACC_X) ? PGM_ACC_X : 0) |
             (is_user_access(v, acc) ? PGM_ACC_USER : 0) | ((acc & ACC_SYS) ? PGM_ACC_IMPLICIT : 0) |
             ((c->rflags & F_AC) ? PGM_ACC_AC : 0);
    if (pgm_walk(&v->vm->pgm, lin, w) < 0) {
        c->cr2 = lin;
        return iem_raise(v, X_PF, w->err, true);
    }
    return IEM_OK;
}

/* Walks and caches the translation in e; *host is NULL for slow pages. */
static int tlb_fill(struct vcpu *v, uint64_t lin, unsigned acc, uint64_t tag, struct tlb_entry *e,
                    uint8_t **host, uint64_t *gpa)
{
    struct pgm *p = &v->vm->pgm;
    struct pgm_walk w;
    uint8_t *page;
    unsigned sz;
    int rc = walk(v, lin, acc, &w);
    if (rc)
        return rc;
    *gpa = w.gpa;
    page = pgm_page_ptr(p, w.gpa, (acc & ACC_W) != 0);
    if (page && (acc & ACC_W) && (p->page_flags[pgm_host_index(p, page)] & PGM_PF_CODE))
        page = NULL; /* code page: writes go through pgm_write to drop decoded code */
    sz = w.page_shift == 30 ? 3 : w.page_shift == 22 ? 2 : w.page_shift == 21 ? 1 : 0;
    tag |= (page ? 0 : TLB_SLOW) | ((uint64_t)sz << TLB_SZ_SHIFT) |
           ((w.global && (v->cpu.cr4 & CR4_PGE)) ? TLB_GLOBAL : 0);
    e->tag = tag;
    e->addend = page ? (uintptr_t)page - (uintptr_t)(lin & ~0xfffull) : 0;
    e->gpa = w.gpa & ~0xfffull;
    *host = page ? page + (lin & 0xfff) : NULL;
    return IEM_OK;
}

/* Resolves one page's worth of access: a host pointer (fast) or a gpa. */
static inline int page_lookup(struct vcpu *v, uint64_t lin, unsigned acc, uint8_t **host, uint64_t *gpa)
{
    unsigned pcid = cur_pcid(&v->cpu);
    struct tlb_entry *e = tlb_for(v, acc, lin, pcid);
    uint64_t tag = (lin & TLB_PAGE) | tlb_ctx(v, acc, pcid), have = e->tag & ~TLB_ATTRS;

    if (have == tag) {
        *host = (uint8_t *)(uintptr_t)(lin + e->addend);
        return IEM_OK;
    }
    if (have == (tag | TLB_SLOW)) {
        *host = NULL;
        *gpa = e->gpa | (lin & 0xfff);
        return IEM_OK;
    }
    return tlb_fill(v, lin, acc, tag, e, host, gpa);
}

static bool lin_canonical(const struct cpu *c, uint64_t lin)
{
    return !(c->efer & EFER_LMA) || pgm_canonical(c->cr4, lin);
}

static inline int translate(struct vcpu *v, uint64_t lin, unsigned acc, uint64_t *gpa)
{
    unsigned pcid = cur_pcid(&v->cpu);
    struct tlb_entry *e = tlb_for(v, acc, lin, pcid);
    uint64_t tag = (lin & TLB_PAGE) | tlb_ctx(v, acc, pcid), have = e->tag & ~(TLB_ATTRS | TLB_SLOW);
    uint8_t *host;

    if (!lin_canonical(&v->cpu, lin))
        return iem_raise(v, X_GP, 0, true);
    if (have == tag) {
        *gpa = e->gpa | (lin & 0xfff);
        return IEM_OK;
    }
    return tlb_fill(v, lin, acc, tag, e, &host, gpa);
}

int iem_translate(struct vcpu *v, uint64_t lin, unsigned acc, uint64_t *gpa)
{
    return translate(v, lin, acc, gpa);
}

/* Instruction fetch translation through the fetch TLB: the decoder's hot
 * path, with the access kind folded into the lookup at compile time. */
int iem_fetch_translate(struct vcpu *v, uint64_t lin, uint64_t *gpa)
{
    return translate(v, lin, ACC_X, gpa);
}

void tlb_info(struct vcpu *v, int fd)
{
    static const char kind[3] = {'R', 'W', 'X'};
    const struct tlb_entry *arr[3] = {v->iem.tlb_r, v->iem.tlb_w, v->iem.tlb_x};
    unsigned n = 0;
    dprintf(fd, "vCPU %u software TLB (%u entries each for read, write, fetch):\n", v->id, TLB_SIZE);
    for (unsigned k = 0; k < 3; k++)
        for (unsigned i = 0; i < TLB_SIZE; i++) {
            uint64_t t = arr[k][i].tag;
            unsigned pcid = (unsigned)(((t >> 7) & 0x1f) | ((t >> 57) << 5));
            if (t & TLB_INVALID)
                continue;
            n++;
            dprintf(fd, "  %c[%02x] %016llx -> %010llx %s%s%s%s %s pcid=%03x\n", kind[k], i,
                    (unsigned long long)(t & TLB_PAGE), (unsigned long long)arr[k][i].gpa,
                    (t & TLB_USER) ? "user" : "sup", (t & TLB_SMAPOK) ? "+ac" : "",
                    (t & TLB_SLOW) ? " slow" : "", (t & TLB_GLOBAL) ? " G" : "",
                    (const char *[]){"4K", "2M", "4M", "1G"}[(t & TLB_ATTR) >> TLB_SZ_SHIFT], pcid);
        }
    dprintf(fd, "  %u live entries\n", n);
}

/* Data breakpoints (DR7 R/W = 01 write, 11 read/write) hit by an access are
 * collected and reported as one #DB trap after the instruction. */
static void check_data_bp(struct vcpu *v, uint64_t lin, unsigned len, unsigned acc)
{
    uint64_t dr7 = v->cpu.dr[7];
    for (unsigned i = 0; i < 4; i++) {
        unsigned rw = (dr7 >> (16 + i * 4)) & 3, ln = (dr7 >> (18 + i * 4)) & 3;
        uint64_t blen = ln == 0 ? 1 : ln == 1 ? 2 : ln == 2 ? 8 : 4;
        uint64_t start = v->cpu.dr[i] & ~(blen - 1);
        if (!(dr7 & (3u << (i * 2))) || (rw != 1 && rw != 3) || (rw == 1 && !(acc & ACC_W)))
            continue;
        if (lin < start + blen && start < lin + len)
            v->iem.dr6_pending |= (uint8_t)(1u << i);
    }
}

/* Operand-sized host copies become one load and store, not a libc call
 * (memcpy with a constant size). */
static inline void host_copy(void *dst, const void *src, unsigned n)
{
    switch (n) {
    case 1: memcpy(dst, src, 1); break;
    case 2: memcpy(dst, src, 2); break;
    case 4: memcpy(dst, src, 4); break;
    case 8: memcpy(dst, src, 8); break;
    default: memcpy(dst, src, n); break;
    }
}

/* Both pages of a crossing access are translated before anything is
 * written, so a fault on the second leaves memory untouched. */
static int lin_access(struct vcpu *v, uint64_t lin, uint8_t *buf, unsigned len, unsigned acc)
{
    unsigned first = 0x1000 - (lin & 0xfff);
    uint8_t *h[2] = {NULL, NULL};
    uint64_t g[2] = {0, 0};
    unsigned n[2];
    int rc;

    if (!cpu_is_64(&v->cpu) && !(v->cpu.efer & EFER_LMA))
        lin &= 0xffffffffull;
    else if (!lin_canonical(&v->cpu, lin) || !lin_canonical(&v->cpu, lin + len - 1))
        return iem_raise(v, X_GP, 0, true);
    if ((v->cpu.dr[7] & 0xff) && !(acc & (ACC_X | ACC_SYS)))
        check_data_bp(v, lin, len, acc);
    if (__builtin_expect(v->dbg_watch != NULL, 0) && !(acc & (ACC_X | ACC_SYS)))
        v->dbg_watch(v, lin, len, (acc & ACC_W) != 0);
    n[0] = len < first ? len : first;
    n[1] = len - n[0];
    rc = page_lookup(v, lin, acc, &h[0], &g[0]);
    if (!rc && n[1])
        rc = page_lookup(v, lin + n[0], acc, &h[1], &g[1]);
    if (rc)
        return rc;
    for (int i = 0, off = 0; i < 2 && n[i]; off += n[i], i++) {
        if (acc & ACC_W) {
            if (h[i])
                host_copy(h[i], buf + off, n[i]);
            else
                pgm_write(&v->vm->pgm, g[i], buf + off, n[i]);
        } else {
            if (h[i])
                host_copy(buf + off, h[i], n[i]);
            else
                pgm_read(&v->vm->pgm, g[i], buf + off, n[i]);
        }
    }
    return IEM_OK;
}

int iem_lin_rmw_page(struct vcpu *v, uint64_t lin, uint8_t **host, uint64_t *gpa)
{
    uint8_t *h;
    uint64_t g;
    int rc = page_lookup(v, lin, ACC_R, &h, &g);
    return rc ? rc : page_lookup(v, lin, ACC_W, host, gpa);
}

int iem_lin_read(struct vcpu *v, uint64_t lin, void *buf, unsigned len, unsigned acc)
{
    return lin_access(v, lin, buf, len, (acc & ~ACC_W) | ((acc & ACC_X) ? 0 : ACC_R));
}

int iem_lin_write(struct vcpu *v, uint64_t lin, const void *buf, unsigned len, unsigned acc)
{
    return lin_access(v, lin, (uint8_t *)buf, len, acc | ACC_W);
}

/* Inline for the operand paths below (iem_read, iem_write, iem_host_ptr). */
static inline __attribute__((always_inline)) int seg_lin(struct vcpu *v, unsigned seg, uint64_t off, unsigned size,
                                                         unsigned acc, uint64_t *lin)
{
    struct cpu *c = &v->cpu;
    const struct cpu_seg *s = &c->seg[seg];
    unsigned vec = seg == S_SS ? X_SS : X_GP;
    uint64_t last = off + size - 1;

    if (cpu_is_64(c)) {
        *lin = off + ((seg == S_FS || seg == S_GS) ? s->base : 0);
        if (!pgm_canonical(c->cr4, *lin) || !pgm_canonical(c->cr4, *lin + size - 1))
            return iem_raise(v, vec, 0, true);
        return IEM_OK;
    }
    if (!cpu_is_real(c) && !cpu_is_v86(c)) {
        unsigned type = s->attr & SEG_TYPE_MASK;
        if (s->attr & SEG_UNUSABLE)
            return iem_raise(v, vec, 0, true);
        if (type & 8) { /* code: readable for reads, never writable */
            if ((acc & ACC_W) || ((acc & ACC_R) && !(type & 2)))
                return iem_raise(v, vec, 0, true);
        } else if ((acc & ACC_W) && !(type & 2)) {
            return iem_raise(v, vec, 0, true);
        }
        if (!(type & 8) && (type & 4)) { /* expand-down: valid above the limit */
            uint64_t upper = (s->attr & SEG_DB) ? 0xffffffffull : 0xffff;
            if (off <= s->limit || last > upper)
                return iem_raise(v, vec, 0, true);
            *lin = (s->base + off) & 0xffffffffull;
            return IEM_OK;
        }
    }
    if (last > s->limit || last < off)
        return iem_raise(v, vec, 0, true);
    *lin = (s->base + off) & 0xffffffffull;
    return IEM_OK;
}

int iem_seg_lin(struct vcpu *v, unsigned seg, uint64_t off, unsigned size, unsigned acc, uint64_t *lin)
{
    return seg_lin(v, seg, off, size, acc, lin);
}

/* Alignment check: CPL 3 data accesses with CR0.AM and EFLAGS.AC set, for
 * operands of 2, 4 and 8 bytes (larger buffers are checked by their users). */
static inline int check_align(struct vcpu *v, uint64_t lin, unsigned len)
{
    const struct cpu *c = &v->cpu;
    if (c->cpl == 3 && (c->cr0 & CR0_AM) && (c->rflags & F_AC) && len <= 8 && (lin & (len - 1)))
        return iem_raise(v, X_AC, 0, true);
    return IEM_OK;
}

int iem_check_align(struct vcpu *v, uint64_t lin, unsigned len)
{
    return check_align(v, lin, len);
}

int iem_read_buf(struct vcpu *v, unsigned seg, uint64_t off, void *buf, unsigned len)
{
    uint64_t lin;
    int rc = iem_seg_lin(v, seg, off, len, ACC_R, &lin);
    if (!rc)
        rc = iem_check_align(v, lin, len);
    return rc ? rc : iem_lin_read(v, lin, buf, len, ACC_R);
}

int iem_write_buf(struct vcpu *v, unsigned seg, uint64_t off, const void *buf, unsigned len)
{
    uint64_t lin;
    int rc = iem_seg_lin(v, seg, off, len, ACC_W, &lin);
    if (!rc)
        rc = iem_check_align(v, lin, len);
    return rc ? rc : iem_lin_write(v, lin, buf, len, ACC_W);
}

/* An operand that lies in one page, with no data breakpoint or debugger
 * watchpoint to look for, is one TLB lookup and one host load or store:
 * iem_seg_lin has already wrapped or checked the linear address as
 * lin_access would. Anything else (page crossings, slow pages,
 * breakpoints) takes lin_access. */
static inline bool one_page(const struct vcpu *v, uint64_t lin, unsigned size)
{
    return (lin & 0xfff) + size <= 0x1000 && !(v->cpu.dr[7] & 0xff) && !v->dbg_watch;
}

int iem_read(struct vcpu *v, unsigned seg, uint64_t off, unsigned size, uint64_t *val)
{
    uint64_t lin = 0, gpa;
    uint8_t *host;
    int rc;

    *val = 0;
    if ((rc = seg_lin(v, seg, off, size, ACC_R, &lin)) || (rc = check_align(v, lin, size)))
        return rc;
    if (!one_page(v, lin, size))
        return iem_lin_read(v, lin, val, size, ACC_R);
    if ((rc = page_lookup(v, lin, ACC_R, &host, &gpa)))
        return rc;
    if (host)
        host_copy(val, host, size);
    else
        pgm_read(&v->vm->pgm, gpa, val, size);
    return IEM_OK;
}

int iem_write(struct vcpu *v, unsigned seg, uint64_t off, unsigned size, uint64_t val)
{
    uint64_t lin = 0, gpa;
    uint8_t *host;
    int rc;

    if ((rc = seg_lin(v, seg, off, size, ACC_W, &lin)) || (rc = check_align(v, lin, size)))
        return rc;
    if (!one_page(v, lin, size))
        return iem_lin_write(v, lin, &val, size, ACC_W);
    if ((rc = page_lookup(v, lin, ACC_W, &host, &gpa)))
        return rc;
    if (host)
        host_copy(host, &val, size);
    else
        pgm_write(&v->vm->pgm, gpa, &val, size);
    return IEM_OK;
}

uint8_t *iem_host_ptr(struct vcpu *v, unsigned seg, uint64_t off, unsigned size, bool write)
{
    unsigned acc = write ? ACC_W : ACC_R;
    uint64_t lin = 0, gpa;
    uint8_t *host = NULL;

    if (seg_lin(v, seg, off, size, acc, &lin) || check_align(v, lin, size) || !one_page(v, lin, size) ||
        page_lookup(v, lin, acc, &host, &gpa)) {
        v->iem.exc.pending = false; /* raised again by the full path */
        return NULL;
    }
    return host;
}

unsigned iem_stack_size(struct vcpu *v)
{
    if (cpu_is_64(&v->cpu))
        return 8;
    return (!cpu_is_real(&v->cpu) && !cpu_is_v86(&v->cpu) && (v->cpu.seg[S_SS].attr & SEG_DB)) ? 4 : 2;
}

void iem_sp_add(struct vcpu *v, int64_t delta)
{
    unsigned ss = iem_stack_size(v);
    iem_gpr_set(v, R_SP, ss, v->cpu.gpr[R_SP] + (uint64_t)delta);
}

int iem_push(struct vcpu *v, unsigned size, uint64_t val)
{
    unsigned ss = iem_stack_size(v);
    uint64_t sp = (v->cpu.gpr[R_SP] - size) & iem_mask(ss);
    int rc = iem_write(v, S_SS, sp, size, val);
    if (rc)
        return rc;
    iem_gpr_set(v, R_SP, ss, sp);
    return IEM_OK;
}

int iem_stack_peek(struct vcpu *v, uint64_t off, unsigned size, uint64_t *val)
{
    unsigned ss = iem_stack_size(v);
    return iem_read(v, S_SS, (v->cpu.gpr[R_SP] + off) & iem_mask(ss), size, val);
}

int iem_pop(struct vcpu *v, unsigned size, uint64_t *val)
{
    int rc = iem_stack_peek(v, 0, size, val);
    if (rc)
        return rc;
    iem_sp_add(v, size);
    return IEM_OK;
}
