/* Segment registers and descriptor tables: descriptor reads, segment loads
 * with the protected-mode checks of SDM vol. 3 ch. 5 and the MOV/POP/LDS
 * pages, and stack helpers for frames built on a stack that is not (yet)
 * the current SS (interrupt delivery, call gates).
 */
#include "cpu/iem.h"
#include "pgm/tlb.h"


#define D_ACCESSED (1ull << 40)


/* Linear address of the descriptor for sel, or a fault with sel's error code. */
static int desc_addr(struct vcpu *v, uint16_t sel, unsigned len, unsigned vec, uint64_t *lin)
{
    uint64_t base, limit;
    if (sel & 4) {
        const struct cpu_seg *l = &v->cpu.ldtr;
        if ((l->attr & SEG_UNUSABLE) || !(l->sel & 0xfffc))
            return iem_raise(v, vec, sel & 0xfffc, true);
        base = l->base;
        limit = l->limit;
    } else {
        base = v->cpu.gdtr.base;
        limit = v->cpu.gdtr.limit;
    }
    uint64_t off = sel & 0xfff8;
    if (off + len - 1 > limit)
        return iem_raise(v, vec, sel & 0xfffc, true);
    *lin = base + off;
    if (!cpu_is_long(&v->cpu))
        *lin &= 0xffffffffu;
    return IEM_OK;
}

int iem_desc_read(struct vcpu *v, uint16_t sel, uint64_t *desc, unsigned exc_vector)
{
    uint64_t lin;
    int rc = desc_addr(v, sel, 8, exc_vector, &lin);
    if (rc)
        return rc;
    return iem_lin_read(v, lin, desc, 8, ACC_R | ACC_SYS);
}

/* LAR/LSL/VERR/VERW: a selector outside its table is not a fault, only
 * "not found"; paging faults on the table still are. */
int iem_desc_probe(struct vcpu *v, uint16_t sel, uint64_t *desc, bool *found)
{
    uint64_t lin;
    *found = false;
    if (!(sel & 0xfffc))
        return IEM_OK;
    bool pending = v->iem.exc.pending;
    if (desc_addr(v, sel, 8, X_GP, &lin) != IEM_OK) {
        v->iem.exc.pending = pending;
        return IEM_OK;
    }
    int rc = iem_lin_read(v, lin, desc, 8, ACC_R | ACC_SYS);
    *found = rc == IEM_OK;
    return rc;
}

/* System descriptors are 16 bytes in long mode; desc[1] is 0 otherwise. */
int iem_desc_read_sys(struct vcpu *v, uint16_t sel, uint64_t desc[2], unsigned vec)
{
    uint64_t lin;
    unsigned len = cpu_is_long(&v->cpu) ? 16 : 8;
    int rc = desc_addr(v, sel, len, vec, &lin);
    if (rc)
        return rc;
    desc[1] = 0;
    return iem_lin_read(v, lin, desc, len, ACC_R | ACC_SYS);
}

void iem_desc_to_seg(uint64_t desc, uint16_t sel, struct cpu_seg *s)
{
    uint32_t limit = (uint32_t)(desc & 0xffff) | (uint32_t)((desc >> 32) & 0xf0000);
    s->sel = sel;
    s->attr = (uint32_t)(desc >> 40) & 0xf0ffu;
    s->limit = (s->attr & SEG_G) ? (limit << 12) | 0xfff : limit;
    s->base = ((desc >> 16) & 0xffffff) | (((desc >> 56) & 0xff) << 24);
}

int iem_desc_set_accessed(struct vcpu *v, uint16_t sel, uint64_t desc)
{
    if (desc & D_ACCESSED)
        return IEM_OK;
    uint64_t lin;
    int rc = desc_addr(v, sel, 8, X_GP, &lin);
    if (rc)
        return rc;
    uint8_t b = (uint8_t)(desc >> 40) | 1;
    return iem_lin_write(v, lin + 5, &b, 1, ACC_W | ACC_SYS);
}

void iem_seg_null(struct cpu_seg *s, uint16_t sel)
{
    s->sel = sel;
    s->base = 0;
    s->limit = 0;
    s->attr = SEG_UNUSABLE;
}

void iem_seg_load_real(struct vcpu *v, unsigned sreg, uint16_t sel)
{
    struct cpu_seg *s = &v->cpu.seg[sreg];
    s->sel = sel;
    s->base = (uint64_t)sel << 4;
    if (cpu_is_v86(&v->cpu)) {
        s->limit = 0xffff;
        s->attr = 0xf3; /* present, DPL 3, read/write data, accessed */
        return;
    }
    /* Real mode keeps the hidden limit and attributes (unreal mode relies on
     * it) but a segment left unusable by protected mode becomes usable. */
    if (s->attr & SEG_UNUSABLE) {
        s->limit = 0xffff;
        s->attr = sreg == S_CS ? 0x9b : 0x93;
    }
    s->attr = (s->attr & ~(3u << SEG_DPL_SHIFT)) | SEG_P;
}

void iem_mode_changed(struct vcpu *v)
{
    struct cpu *c = &v->cpu;
    if (cpu_is_real(c))
        c->cpl = 0;
    else if (cpu_is_v86(c))
        c->cpl = 3;
    else /* SS.DPL is CPL in protected mode, even in conforming code */
        c->cpl = (c->seg[S_SS].attr >> SEG_DPL_SHIFT) & 3;
    if (v->vm)
        tlb_mode_changed(v); /* records the paging mode; flushes when it changes */
}

/* Checks a stack segment taken from a TSS or a call gate for privilege
 * level cpl; #TS (or #SS when not present) with the selector. */
int iem_check_new_ss(struct vcpu *v, uint16_t sel, unsigned cpl, unsigned vec, struct cpu_seg *out)
{
    uint64_t d;
    if (!(sel & 0xfffc))
        return iem_raise(v, vec, 0, true);
    int rc = iem_desc_read(v, sel, &d, vec);
    if (rc)
        return rc;
    if ((sel & 3) != cpl || D_DPL(d) != cpl || !D_S(d) || (D_TYPE(d) & 0xa) != 0x2)
        return iem_raise(v, vec, sel & 0xfffc, true);
    if (!D_P(d))
        return iem_ss(v, sel & 0xfffc);
    rc = iem_desc_set_accessed(v, sel, d);
    if (rc)
        return rc;
    iem_desc_to_seg(d | D_ACCESSED, sel, out);
    return IEM_OK;
}

/* Loads CS from a checked descriptor at privilege cpl (RPL := CPL). */
void iem_load_cs(struct vcpu *v, uint16_t sel, uint64_t desc, unsigned cpl)
{
    iem_desc_to_seg(desc | D_ACCESSED, (uint16_t)((sel & 0xfffc) | cpl), &v->cpu.seg[S_CS]);
    v->cpu.cpl = (uint8_t)cpl;
}

/* RET/IRET to an outer level: data segments the new CPL may not use become
 * null. Only the selector is cleared (SDM RET/IRET: SegmentSelector := 0);
 * the hidden base stays, and 64-bit code at the new level still addresses
 * through the FS and GS bases, as hardware does (a kernel's per-CPU GS base
 * survives its IRETQ to user mode and is there for its next #DB or #PF). */
void iem_null_outer_segs(struct vcpu *v, unsigned new_cpl)
{
    static const uint8_t regs[] = {S_ES, S_DS, S_FS, S_GS};
    for (unsigned i = 0; i < sizeof(regs); i++) {
        struct cpu_seg *s = &v->cpu.seg[regs[i]];
        if (s->attr & SEG_UNUSABLE)
            continue;
        unsigned dpl = (s->attr >> SEG_DPL_SHIFT) & 3;
        bool conforming_code = (s->attr & 0xc) == 0xc;
        if (dpl < new_cpl && !conforming_code) {
            uint64_t base = s->base;
            iem_seg_null(s, 0);
            s->base = base;
        }
    }
}

/* Writes one stack item below *sp on the stack described by ss (which need
 * not be the current SS); *sp moves only in the caller's copy. */
int iem_stk_push(struct vcpu *v, const struct cpu_seg *ss, unsigned width, uint64_t *sp,
                 unsigned size, uint64_t val, unsigned acc, uint32_t err)
{
    uint64_t nsp = (*sp - size) & iem_mask(width);
    uint64_t lin;
    if (width == 8) {
        if (!iem_canonical(v, nsp))
            return iem_ss(v, err);
        lin = nsp;
    } else {
        uint64_t top = (ss->attr & SEG_DB) ? 0xffffffffu : 0xffffu;
        uint64_t last = nsp + size - 1;
        bool ok = (ss->attr & 0x4) ? (nsp > ss->limit && last <= top) : last <= ss->limit;
        if (!ok)
            return iem_ss(v, err);
        lin = (ss->base + nsp) & 0xffffffffu;
    }
    int rc = iem_lin_write(v, lin, &val, size, ACC_W | acc);
    if (rc)
        return rc;
    *sp = nsp;
    return IEM_OK;
}

/* The CS popped by RETF/IRET or taken from a new TSS: a code segment
 * whose privilege is the selector's RPL (conforming: DPL <= RPL), not
 * inner to CPL. vec (#GP, #TS in a task switch) when not, #NP when not
 * present; sets the accessed bit and returns the descriptor. */
int iem_check_return_cs(struct vcpu *v, uint16_t sel, unsigned vec, uint64_t *cd)
{
    if (!(sel & 0xfffc))
        return iem_raise(v, vec, 0, true);
    int rc = iem_desc_read(v, sel, cd, vec);
    if (rc)
        return rc;
    uint64_t d = *cd;
    unsigned rpl = sel & 3, type = D_TYPE(d), dpl = D_DPL(d);
    bool conforming = (type & 0xc) == 0xc;
    if (!D_S(d) || !(type & 8) || rpl < v->cpu.cpl || (conforming ? dpl > rpl : dpl != rpl))
        return iem_raise(v, vec, sel & 0xfffc, true);
    if (!D_P(d))
        return iem_np(v, sel & 0xfffc);
    return iem_desc_set_accessed(v, sel, d);
}

/* DS/ES/FS/GS from a non-null selector at the current CPL: vec (#GP for
 * MOV/POP/LDS, #TS in a task switch) for a segment the register cannot
 * hold, #NP when it is not present. */
int iem_load_data_seg(struct vcpu *v, unsigned sreg, uint16_t sel, unsigned vec)
{
    uint64_t d;
    int rc = iem_desc_read(v, sel, &d, vec);
    if (rc)
        return rc;
    unsigned type = D_TYPE(d), dpl = D_DPL(d), rpl = sel & 3;
    bool code = type & 8, conforming = code && (type & 4);
    if (!D_S(d) || (code && !(type & 2)) || (!conforming && (rpl > dpl || v->cpu.cpl > dpl)))
        return iem_raise(v, vec, sel & 0xfffc, true);
    if (!D_P(d))
        return iem_np(v, sel & 0xfffc);
    rc = iem_desc_set_accessed(v, sel, d);
    if (rc)
        return rc;
    iem_desc_to_seg(d | D_ACCESSED, sel, &v->cpu.seg[sreg]);
    return IEM_OK;
}

/* MOV/POP/LDS to a data or stack segment register (SDM vol. 2 MOV). */
int iem_load_seg(struct vcpu *v, unsigned sreg, uint16_t sel)
{
    struct cpu *c = &v->cpu;
    if (sreg == S_CS || sreg > S_GS)
        return iem_ud(v);
    if (cpu_is_real(c) || cpu_is_v86(c)) {
        iem_seg_load_real(v, sreg, sel);
        return IEM_OK;
    }
    unsigned rpl = sel & 3, cpl = c->cpl;
    if (!(sel & 0xfffc)) {
        if (sreg == S_SS) {
            if (!cpu_is_64(c) || cpl == 3 || rpl != cpl)
                return iem_gp(v, 0);
            iem_seg_null(&c->seg[S_SS], sel);
            c->seg[S_SS].attr |= cpl << SEG_DPL_SHIFT; /* SS.DPL stays CPL */
            return IEM_OK;
        }
        iem_seg_null(&c->seg[sreg], sel);
        return IEM_OK;
    }
    if (sreg == S_SS)
        return iem_check_new_ss(v, sel, cpl, X_GP, &c->seg[S_SS]);
    return iem_load_data_seg(v, sreg, sel, X_GP);
}

int iem_mov_to_seg(struct vcpu *v, const struct iem_insn *in)
{
    unsigned sreg = in->op[0].reg;
    uint64_t val;
    if (sreg == S_CS || sreg > S_GS)
        return iem_ud(v);
    int rc = iem_opnd_read(v, in, 1, &val);
    if (rc)
        return rc;
    rc = iem_load_seg(v, sreg, (uint16_t)val);
    if (rc)
        return rc;
    if (sreg == S_SS) {
        /* Interrupts wait until the instruction after MOV SS has run, so a
         * following MOV (E)SP completes the stack switch atomically. */
        v->cpu.inhibit_irq = true;
        v->cpu.inhibit_irq_rip = v->iem.next_rip;
    }
    return IEM_OK;
}
