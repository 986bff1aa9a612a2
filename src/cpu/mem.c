/* Guest memory access for IEM: segmentation, then paging through the
 * per-vCPU software TLB (pgm/tlb.h: the entry layout, the lookup and the
 * fill), then PGM.
 *
 * A fast TLB hit is one host load or store; a TLB_SLOW entry keeps the
 * translation but sends the access to pgm_read/pgm_write (MMIO, ROM
 * writes, writes to pages holding decoded code), so those never need the
 * walker either; a miss walks (tlb_fill) and raises #PF here when the
 * walk faults. */
#include <stddef.h>
#include <string.h>

#include "cpu/iem.h"
#include "pgm/tlb.h"

static inline bool is_user_access(struct vcpu *v, unsigned acc)
{
    return v->cpu.cpl == 3 && !(acc & ACC_SYS);
}

/* IEM's access kind in the walker's terms. */
static inline unsigned pgm_acc(struct vcpu *v, unsigned acc)
{
    return ((acc & ACC_W) ? PGM_ACC_W : 0) | ((acc & ACC_X) ? PGM_ACC_X : 0) |
           (is_user_access(v, acc) ? PGM_ACC_USER : 0) | ((acc & ACC_SYS) ? PGM_ACC_IMPLICIT : 0) |
           ((v->cpu.rflags & F_AC) ? PGM_ACC_AC : 0);
}

/* Fills e for lin; a faulting walk raises #PF with CR2 = lin. */
static int fill(struct vcpu *v, uint64_t lin, unsigned pacc, struct tlb_entry *e, uint64_t want, uint8_t **host,
                uint64_t *gpa)
{
    uint32_t err;
    if (tlb_fill(v, lin, pacc, e, want, host, gpa, &err) < 0) {
        v->cpu.cr2 = lin;
        return iem_raise(v, X_PF, err, true);
    }
    return IEM_OK;
}

/* Resolves one page's worth of access: a host pointer (fast) or a gpa. */
static inline int page_lookup(struct vcpu *v, uint64_t lin, unsigned acc, uint8_t **host, uint64_t *gpa)
{
    const struct cpu *c = &v->cpu;
    unsigned pcid = tlb_cur_pcid(c->cr3, c->cr4), pacc = pgm_acc(v, acc);
    uint64_t want = tlb_want(lin, tlb_ctx(v, &v->tlb, c->cr4, pacc, pcid));
    struct tlb_entry *e = tlb_slot(&v->tlb, tlb_kind(pacc), lin, want);

    if (tlb_hit(e, want)) {
        *host = tlb_host(e, lin);
        return IEM_OK;
    }
    if (tlb_slow_hit(e, want)) {
        *host = NULL;
        *gpa = tlb_gpa(e, lin);
        return IEM_OK;
    }
    return fill(v, lin, pacc, e, want, host, gpa);
}

static bool lin_canonical(const struct cpu *c, uint64_t lin)
{
    return !(c->efer & EFER_LMA) || pgm_canonical(c->cr4, lin);
}

static inline int translate(struct vcpu *v, uint64_t lin, unsigned acc, uint64_t *gpa)
{
    const struct cpu *c = &v->cpu;
    unsigned pcid = tlb_cur_pcid(c->cr3, c->cr4), pacc = pgm_acc(v, acc);
    uint64_t want = tlb_want(lin, tlb_ctx(v, &v->tlb, c->cr4, pacc, pcid));
    struct tlb_entry *e = tlb_slot(&v->tlb, tlb_kind(pacc), lin, want);
    uint8_t *host;

    if (!lin_canonical(c, lin))
        return iem_raise(v, X_GP, 0, true);
    if (tlb_hit(e, want) || tlb_slow_hit(e, want)) {
        *gpa = tlb_gpa(e, lin);
        return IEM_OK;
    }
    return fill(v, lin, pacc, e, want, &host, gpa);
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
