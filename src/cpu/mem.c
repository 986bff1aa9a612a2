/* Guest memory access for IEM: segmentation, then paging through the
 * per-vCPU software TLB, then PGM.
 *
 * TLB entries map a linear page to `host - linear` for one access kind;
 * the tag carries a user bit so a supervisor fill never serves CPL 3. A
 * write entry exists only for RAM pages that hold no decoded code, so
 * every write that could change code goes through pgm_write(). */
#include <string.h>

#include "cpu/iem.h"

static inline bool is_user_access(struct vcpu *v, unsigned acc)
{
    return v->cpu.cpl == 3 && !(acc & ACC_SYS);
}

void iem_tlb_flush(struct vcpu *v)
{
    for (unsigned i = 0; i < TLB_SIZE; i++) {
        v->iem.tlb_r[i].tag = TLB_INVALID;
        v->iem.tlb_w[i].tag = TLB_INVALID;
        v->iem.tlb_x[i].tag = TLB_INVALID;
    }
}

static struct tlb_entry *tlb_for(struct vcpu *v, unsigned acc, uint64_t lin)
{
    unsigned i = (lin >> 12) & (TLB_SIZE - 1);
    return (acc & ACC_W) ? &v->iem.tlb_w[i] : (acc & ACC_X) ? &v->iem.tlb_x[i] : &v->iem.tlb_r[i];
}

static uint64_t tlb_tag(struct vcpu *v, uint64_t lin, unsigned acc)
{
    return (lin & ~0xfffull) | (is_user_access(v, acc) ? 2 : 0);
}

int iem_translate(struct vcpu *v, uint64_t lin, unsigned acc, uint64_t *gpa)
{
    struct cpu *c = &v->cpu;
    struct pgm_walk w;

    if (!(c->cr0 & CR0_PG)) {
        *gpa = lin & 0xffffffffull;
        return IEM_OK;
    }
    w.cr0 = c->cr0, w.cr3 = c->cr3, w.cr4 = c->cr4, w.efer = c->efer;
    w.acc = ((acc & ACC_W) ? PGM_ACC_W : 0) | ((acc & ACC_X) ? PGM_ACC_X : 0) |
            (is_user_access(v, acc) ? PGM_ACC_USER : 0);
    if (pgm_walk(&v->vm->pgm, lin, &w) < 0) {
        c->cr2 = lin;
        return iem_raise(v, X_PF, w.err, true);
    }
    *gpa = w.gpa;
    return IEM_OK;
}

/* Resolves one page's worth of access: a host pointer (fast) or a gpa. */
static int page_lookup(struct vcpu *v, uint64_t lin, unsigned acc, uint8_t **host, uint64_t *gpa)
{
    struct tlb_entry *e = tlb_for(v, acc, lin);
    uint64_t tag = tlb_tag(v, lin, acc);
    uint8_t *page;
    int rc;

    if (e->tag == tag) {
        *host = (uint8_t *)(uintptr_t)(lin + e->addend);
        return IEM_OK;
    }
    rc = iem_translate(v, lin, acc, gpa);
    if (rc)
        return rc;
    *host = NULL;
    page = pgm_page_ptr(&v->vm->pgm, *gpa, (acc & ACC_W) != 0);
    if (!page)
        return IEM_OK;
    if (acc & ACC_W) {
        const struct pgm_range *r = pgm_find(&v->vm->pgm, *gpa & v->vm->pgm.a20_mask);
        if (v->vm->pgm.page_flags[pgm_ram_index(r, *gpa & v->vm->pgm.a20_mask)] & PGM_PF_CODE)
            return IEM_OK; /* code page: writes take the slow path */
    }
    e->tag = tag;
    e->addend = (uintptr_t)page - (lin & ~0xfffull);
    e->gpa = *gpa & ~0xfffull;
    *host = page + (lin & 0xfff);
    return IEM_OK;
}

/* Instruction fetch translation through the fetch TLB: the decoder's hot path. */
int iem_fetch_translate(struct vcpu *v, uint64_t lin, uint64_t *gpa)
{
    struct tlb_entry *e = tlb_for(v, ACC_X, lin);
    uint8_t *host;

    if (e->tag == tlb_tag(v, lin, ACC_X)) {
        *gpa = e->gpa | (lin & 0xfff);
        return IEM_OK;
    }
    return page_lookup(v, lin, ACC_X, &host, gpa);
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
    if ((v->cpu.dr[7] & 0xff) && !(acc & (ACC_X | ACC_SYS)))
        check_data_bp(v, lin, len, acc);
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
                memcpy(h[i], buf + off, n[i]);
            else
                pgm_write(&v->vm->pgm, g[i], buf + off, n[i]);
        } else {
            if (h[i])
                memcpy(buf + off, h[i], n[i]);
            else
                pgm_read(&v->vm->pgm, g[i], buf + off, n[i]);
        }
    }
    return IEM_OK;
}

int iem_lin_read(struct vcpu *v, uint64_t lin, void *buf, unsigned len, unsigned acc)
{
    return lin_access(v, lin, buf, len, (acc & ~ACC_W) | ((acc & ACC_X) ? 0 : ACC_R));
}

int iem_lin_write(struct vcpu *v, uint64_t lin, const void *buf, unsigned len, unsigned acc)
{
    return lin_access(v, lin, (uint8_t *)buf, len, acc | ACC_W);
}

static bool canonical(uint64_t a)
{
    return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

int iem_seg_lin(struct vcpu *v, unsigned seg, uint64_t off, unsigned size, unsigned acc, uint64_t *lin)
{
    struct cpu *c = &v->cpu;
    const struct cpu_seg *s = &c->seg[seg];
    unsigned vec = seg == S_SS ? X_SS : X_GP;
    uint64_t last = off + size - 1;

    if (cpu_is_64(c)) {
        *lin = off + ((seg == S_FS || seg == S_GS) ? s->base : 0);
        if (!canonical(*lin) || !canonical(*lin + size - 1))
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

/* Alignment check: CPL 3 data accesses with CR0.AM and EFLAGS.AC set, for
 * operands of 2, 4 and 8 bytes (larger buffers are checked by their users). */
static int check_align(struct vcpu *v, uint64_t lin, unsigned len)
{
    const struct cpu *c = &v->cpu;
    if (c->cpl == 3 && (c->cr0 & CR0_AM) && (c->rflags & F_AC) && len <= 8 && (lin & (len - 1)))
        return iem_raise(v, X_AC, 0, true);
    return IEM_OK;
}

int iem_read_buf(struct vcpu *v, unsigned seg, uint64_t off, void *buf, unsigned len)
{
    uint64_t lin;
    int rc = iem_seg_lin(v, seg, off, len, ACC_R, &lin);
    if (!rc)
        rc = check_align(v, lin, len);
    return rc ? rc : iem_lin_read(v, lin, buf, len, ACC_R);
}

int iem_write_buf(struct vcpu *v, unsigned seg, uint64_t off, const void *buf, unsigned len)
{
    uint64_t lin;
    int rc = iem_seg_lin(v, seg, off, len, ACC_W, &lin);
    if (!rc)
        rc = check_align(v, lin, len);
    return rc ? rc : iem_lin_write(v, lin, buf, len, ACC_W);
}

int iem_read(struct vcpu *v, unsigned seg, uint64_t off, unsigned size, uint64_t *val)
{
    *val = 0;
    return iem_read_buf(v, seg, off, val, size);
}

int iem_write(struct vcpu *v, unsigned seg, uint64_t off, unsigned size, uint64_t val)
{
    return iem_write_buf(v, seg, off, &val, size);
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
