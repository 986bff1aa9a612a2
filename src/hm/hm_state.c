/* HM: moving the vCPU state between struct cpu and the KVM vCPU.
 *
 * Registers, segments, control registers and pending events travel in
 * kvm_run's synced-register area (KVM_CAP_SYNC_REGS): KVM fills it at
 * every exit and reads back the groups marked dirty at the next entry, so
 * they cost no ioctl. FPU/SSE/AVX (XSAVE), XCR0, MSRs and debug registers
 * take one ioctl each and are written only when struct cpu differs from
 * what KVM was last given or gave (the shadow), as VirtualBox's NEM
 * imports and exports state groups only when they are needed.
 *
 * What KVM cannot carry: the x87 last-instruction CS and DS selectors
 * (KVM's image is the 64-bit FXSAVE format), which keep struct cpu's
 * values; and the x87 tag word, of which only "empty" is kept (IEM
 * recomputes the other tags from the registers, see cpu/fpu.h).
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "hm/hm_priv.h"

#define MSR_TSC_DEADLINE 0x6e0
#define XS_FCW 0
#define XS_FSW 2
#define XS_FTW 4
#define XS_FOP 6
#define XS_FIP 8
#define XS_FDP 16
#define XS_MXCSR 24
#define XS_ST 32
#define XS_XMM 160
#define XS_BV 512
#define XS_YMMH 576
#define XFEATURE_YMM 4ull

static void seg_to_kvm(const struct cpu_seg *s, struct kvm_segment *k)
{
    memset(k, 0, sizeof(*k));
    k->base = s->base;
    k->limit = s->limit;
    k->selector = s->sel;
    k->type = s->attr & SEG_TYPE_MASK;
    k->s = !!(s->attr & SEG_S);
    k->dpl = (s->attr >> SEG_DPL_SHIFT) & 3;
    k->present = !!(s->attr & SEG_P);
    k->avl = !!(s->attr & SEG_AVL);
    k->l = !!(s->attr & SEG_L);
    k->db = !!(s->attr & SEG_DB);
    k->g = !!(s->attr & SEG_G);
    k->unusable = !!(s->attr & SEG_UNUSABLE);
}

static void seg_from_kvm(const struct kvm_segment *k, struct cpu_seg *s)
{
    s->base = k->base;
    s->limit = k->limit;
    s->sel = k->selector;
    s->attr = (k->type & SEG_TYPE_MASK) | (k->s ? SEG_S : 0) | (uint32_t)(k->dpl & 3) << SEG_DPL_SHIFT |
              (k->present ? SEG_P : 0) | (k->avl ? SEG_AVL : 0) | (k->l ? SEG_L : 0) | (k->db ? SEG_DB : 0) |
              (k->g ? SEG_G : 0) | (k->unusable ? SEG_UNUSABLE : 0);
}

static bool seg_eq(const struct cpu_seg *a, const struct cpu_seg *b)
{
    return a->sel == b->sel && a->attr == b->attr && a->limit == b->limit && a->base == b->base;
}

static bool dtr_eq(const struct cpu_dtr *a, const struct cpu_dtr *b)
{
    return a->base == b->base && a->limit == b->limit;
}

#define SAME(f) (!memcmp(&c->f, &s->f, sizeof(c->f)))

/* Register groups, each written to KVM only when it changed. */
static bool regs_same(const struct cpu *c, const struct cpu *s)
{
    return SAME(gpr) && SAME(rip) && cpu_get_flags(c) == s->rflags;
}

static bool sregs_same(const struct cpu *c, const struct cpu *s)
{
    for (int i = 0; i < 6; i++)
        if (!seg_eq(&c->seg[i], &s->seg[i]))
            return false;
    return seg_eq(&c->ldtr, &s->ldtr) && seg_eq(&c->tr, &s->tr) && dtr_eq(&c->gdtr, &s->gdtr) &&
           dtr_eq(&c->idtr, &s->idtr) && SAME(cr0) && SAME(cr2) && SAME(cr3) && SAME(cr4) && SAME(efer) &&
           SAME(apic_base);
}

static bool shadow_active(const struct cpu *c)
{
    return c->inhibit_irq && c->inhibit_irq_rip == c->rip;
}

static bool events_same(const struct cpu *c, const struct cpu *s)
{
    return shadow_active(c) == shadow_active(s) && c->nmi_blocked == s->nmi_blocked;
}

static bool fpu_same(const struct cpu *c, const struct cpu *s)
{
    return SAME(fcw) && SAME(fsw) && SAME(ftw) && SAME(mxcsr) && SAME(fpr) && SAME(xmm) && SAME(ymmh) &&
           SAME(fpu_ip) && SAME(fpu_dp) && SAME(fpu_op) && SAME(xcr0);
}

static bool msrs_same(const struct cpu *c, const struct cpu *s)
{
    return SAME(sysenter_cs) && SAME(sysenter_esp) && SAME(sysenter_eip) && SAME(star) && SAME(lstar) &&
           SAME(cstar) && SAME(sfmask) && SAME(kernel_gs_base) && SAME(tsc_aux) && SAME(pat) && SAME(tsc_offset);
}

static bool debug_same(const struct cpu *c, const struct cpu *s)
{
    return !memcmp(c->dr, s->dr, 4 * sizeof(c->dr[0])) && c->dr[6] == s->dr[6] && c->dr[7] == s->dr[7];
}

static void regs_put(const struct cpu *c, struct kvm_regs *r)
{
    r->rax = c->gpr[R_AX], r->rbx = c->gpr[R_BX], r->rcx = c->gpr[R_CX], r->rdx = c->gpr[R_DX];
    r->rsi = c->gpr[R_SI], r->rdi = c->gpr[R_DI], r->rsp = c->gpr[R_SP], r->rbp = c->gpr[R_BP];
    r->r8 = c->gpr[R_R8], r->r9 = c->gpr[R_R9], r->r10 = c->gpr[R_R10], r->r11 = c->gpr[R_R11];
    r->r12 = c->gpr[R_R12], r->r13 = c->gpr[R_R13], r->r14 = c->gpr[R_R14], r->r15 = c->gpr[R_R15];
    r->rip = c->rip;
    r->rflags = cpu_get_flags(c);
}

static void regs_get(struct cpu *c, const struct kvm_regs *r)
{
    c->gpr[R_AX] = r->rax, c->gpr[R_BX] = r->rbx, c->gpr[R_CX] = r->rcx, c->gpr[R_DX] = r->rdx;
    c->gpr[R_SI] = r->rsi, c->gpr[R_DI] = r->rdi, c->gpr[R_SP] = r->rsp, c->gpr[R_BP] = r->rbp;
    c->gpr[R_R8] = r->r8, c->gpr[R_R9] = r->r9, c->gpr[R_R10] = r->r10, c->gpr[R_R11] = r->r11;
    c->gpr[R_R12] = r->r12, c->gpr[R_R13] = r->r13, c->gpr[R_R14] = r->r14, c->gpr[R_R15] = r->r15;
    c->rip = r->rip;
    cpu_set_flags(c, r->rflags);
}

static void sregs_put(struct vcpu *v, struct kvm_sregs *k)
{
    const struct cpu *c = &v->cpu;
    for (int i = 0; i < 6; i++) {
        static const int order[6] = {S_ES, S_CS, S_SS, S_DS, S_FS, S_GS};
        struct kvm_segment *dst[6] = {&k->es, &k->cs, &k->ss, &k->ds, &k->fs, &k->gs};
        seg_to_kvm(&c->seg[order[i]], dst[i]);
    }
    seg_to_kvm(&c->ldtr, &k->ldt);
    seg_to_kvm(&c->tr, &k->tr);
    k->gdt.base = c->gdtr.base, k->gdt.limit = c->gdtr.limit;
    k->idt.base = c->idtr.base, k->idt.limit = c->idtr.limit;
    memset(k->gdt.padding, 0, sizeof(k->gdt.padding));
    memset(k->idt.padding, 0, sizeof(k->idt.padding));
    k->cr0 = c->cr0, k->cr2 = c->cr2, k->cr3 = c->cr3, k->cr4 = c->cr4;
    k->cr8 = vcpu_intc_get_cr8(v);
    k->efer = c->efer;
    k->apic_base = c->apic_base;
}

static void sregs_get(struct vcpu *v, const struct kvm_sregs *k)
{
    struct cpu *c = &v->cpu;
    seg_from_kvm(&k->es, &c->seg[S_ES]);
    seg_from_kvm(&k->cs, &c->seg[S_CS]);
    seg_from_kvm(&k->ss, &c->seg[S_SS]);
    seg_from_kvm(&k->ds, &c->seg[S_DS]);
    seg_from_kvm(&k->fs, &c->seg[S_FS]);
    seg_from_kvm(&k->gs, &c->seg[S_GS]);
    seg_from_kvm(&k->ldt, &c->ldtr);
    seg_from_kvm(&k->tr, &c->tr);
    c->gdtr.base = k->gdt.base, c->gdtr.limit = k->gdt.limit;
    c->idtr.base = k->idt.base, c->idtr.limit = k->idt.limit;
    if (c->cr0 != k->cr0 || c->cr3 != k->cr3 || c->cr4 != k->cr4 || c->efer != k->efer)
        c->pdpte_loaded = 0; /* the walker reloads the PAE PDPTEs */
    c->cr0 = k->cr0, c->cr2 = k->cr2, c->cr3 = k->cr3, c->cr4 = k->cr4;
    c->efer = k->efer;
    /* the APIC base MSR reaches pcvm's APIC as a user-space MSR exit, so
     * struct cpu's value stays the one in force */
    if (vcpu_intc_get_cr8(v) != k->cr8)
        vcpu_intc_set_cr8(v, k->cr8);
    c->cpl = cpu_is_real(c) ? 0 : cpu_is_v86(c) ? 3 : (c->seg[S_SS].attr >> SEG_DPL_SHIFT) & 3;
}

static void events_put(const struct cpu *c, struct kvm_vcpu_events *e)
{
    /* the STI and MOV SS shadows both hold interrupts for one instruction */
    e->interrupt.shadow = shadow_active(c) ? KVM_X86_SHADOW_INT_MOV_SS : 0;
    e->nmi.masked = c->nmi_blocked;
    e->flags = KVM_VCPUEVENT_VALID_SHADOW;
}

static void events_get(struct cpu *c, const struct kvm_vcpu_events *e)
{
    c->inhibit_irq = e->interrupt.shadow != 0;
    if (c->inhibit_irq)
        c->inhibit_irq_rip = c->rip;
    c->nmi_blocked = e->nmi.masked;
}

/* FXSAVE's ST(i) is physical register (TOP + i) & 7; its abridged tag
 * word has one "not empty" bit per physical register. */
static void fpu_put(const struct cpu *c, uint8_t *xs, bool ymm)
{
    unsigned top = (c->fsw >> 11) & 7;
    uint8_t ftw = 0;
    memcpy(xs + XS_FCW, &c->fcw, 2);
    memcpy(xs + XS_FSW, &c->fsw, 2);
    for (unsigned j = 0; j < 8; j++)
        if (((c->ftw >> (2 * j)) & 3) != 3)
            ftw |= (uint8_t)(1u << j);
    xs[XS_FTW] = ftw;
    xs[XS_FTW + 1] = 0;
    memcpy(xs + XS_FOP, &c->fpu_op, 2);
    memcpy(xs + XS_FIP, &c->fpu_ip, 8);
    memcpy(xs + XS_FDP, &c->fpu_dp, 8);
    memcpy(xs + XS_MXCSR, &c->mxcsr, 4);
    for (unsigned i = 0; i < 8; i++) {
        memset(xs + XS_ST + 16 * i, 0, 16);
        memcpy(xs + XS_ST + 16 * i, c->fpr[(top + i) & 7], 10);
    }
    memcpy(xs + XS_XMM, c->xmm, sizeof(c->xmm));
    uint64_t bv;
    memcpy(&bv, xs + XS_BV, 8);
    bv |= 3; /* x87 and SSE state are in the image */
    if (ymm) {
        memcpy(xs + XS_YMMH, c->ymmh, sizeof(c->ymmh));
        bv |= XFEATURE_YMM;
    }
    memcpy(xs + XS_BV, &bv, 8);
}

static void fpu_get(struct cpu *c, const uint8_t *xs, bool ymm)
{
    uint64_t bv;
    memcpy(&bv, xs + XS_BV, 8);
    memcpy(&c->fcw, xs + XS_FCW, 2);
    memcpy(&c->fsw, xs + XS_FSW, 2);
    unsigned top = (c->fsw >> 11) & 7;
    c->ftw = 0;
    for (unsigned j = 0; j < 8; j++)
        if (!(xs[XS_FTW] & (1u << j)))
            c->ftw |= (uint16_t)(3u << (2 * j));
    memcpy(&c->fpu_op, xs + XS_FOP, 2);
    memcpy(&c->fpu_ip, xs + XS_FIP, 8);
    memcpy(&c->fpu_dp, xs + XS_FDP, 8);
    memcpy(&c->mxcsr, xs + XS_MXCSR, 4);
    for (unsigned i = 0; i < 8; i++) {
        memset(c->fpr[(top + i) & 7], 0, sizeof(c->fpr[0]));
        memcpy(c->fpr[(top + i) & 7], xs + XS_ST + 16 * i, 10);
    }
    memcpy(c->xmm, xs + XS_XMM, sizeof(c->xmm));
    if (ymm && (bv & XFEATURE_YMM))
        memcpy(c->ymmh, xs + XS_YMMH, sizeof(c->ymmh));
    else if (ymm)
        memset(c->ymmh, 0, sizeof(c->ymmh)); /* the AVX state is in its initial (zero) state */
}

/* The legacy FPU ioctls, where KVM has no XSAVE: the same image's first
 * 512 bytes in struct kvm_fpu's layout. */
static int fpu_ioctl(struct hm_vcpu *h, uint8_t *xs, bool set)
{
    struct kvm_fpu f;
    if (set) {
        memset(&f, 0, sizeof(f));
        memcpy(f.fpr, xs + XS_ST, sizeof(f.fpr));
        memcpy(&f.fcw, xs + XS_FCW, 2);
        memcpy(&f.fsw, xs + XS_FSW, 2);
        f.ftwx = xs[XS_FTW];
        memcpy(&f.last_opcode, xs + XS_FOP, 2);
        memcpy(&f.last_ip, xs + XS_FIP, 8);
        memcpy(&f.last_dp, xs + XS_FDP, 8);
        memcpy(f.xmm, xs + XS_XMM, sizeof(f.xmm));
        memcpy(&f.mxcsr, xs + XS_MXCSR, 4);
        return ioctl(h->fd, KVM_SET_FPU, &f);
    }
    if (ioctl(h->fd, KVM_GET_FPU, &f) < 0)
        return -1;
    memset(xs, 0, 576);
    memcpy(xs + XS_ST, f.fpr, sizeof(f.fpr));
    memcpy(xs + XS_FCW, &f.fcw, 2);
    memcpy(xs + XS_FSW, &f.fsw, 2);
    xs[XS_FTW] = f.ftwx;
    memcpy(xs + XS_FOP, &f.last_opcode, 2);
    memcpy(xs + XS_FIP, &f.last_ip, 8);
    memcpy(xs + XS_FDP, &f.last_dp, 8);
    memcpy(xs + XS_XMM, f.xmm, sizeof(f.xmm));
    memcpy(xs + XS_MXCSR, &f.mxcsr, 4);
    return 0;
}

static int fpu_sync(struct vcpu *v, bool set)
{
    struct hm_vcpu *h = v->hm;
    struct cpu *c = &v->cpu;
    bool ymm = h->hvm->xsave;

    if (!h->hvm->xsave) {
        if (set)
            fpu_put(c, h->xsave, false);
        if (fpu_ioctl(h, h->xsave, set) < 0)
            return -errno;
        if (!set)
            fpu_get(c, h->xsave, false);
        return 0;
    }
    /* the image KVM gave keeps the components struct cpu has no place for */
    if (ioctl(h->fd, KVM_GET_XSAVE, h->xsave) < 0)
        return -errno;
    if (!set) {
        fpu_get(c, h->xsave, ymm);
    } else {
        fpu_put(c, h->xsave, ymm && (c->xcr0 & XFEATURE_YMM));
        if (ioctl(h->fd, KVM_SET_XSAVE, h->xsave) < 0)
            return -errno;
    }
    if (!h->hvm->xcrs)
        return 0;
    struct kvm_xcrs x;
    memset(&x, 0, sizeof(x));
    if (set) {
        x.nr_xcrs = 1;
        x.xcrs[0].xcr = 0;
        x.xcrs[0].value = c->xcr0 ? c->xcr0 : 1;
        return ioctl(h->fd, KVM_SET_XCRS, &x) < 0 ? -errno : 0;
    }
    if (ioctl(h->fd, KVM_GET_XCRS, &x) < 0)
        return -errno;
    for (unsigned i = 0; i < x.nr_xcrs; i++)
        if (x.xcrs[i].xcr == 0)
            c->xcr0 = x.xcrs[i].value;
    return 0;
}

/* struct cpu's place for each MSR HM moves; the TSC is the guest's
 * (virtual clock + offset), not a field. */
static uint64_t *msr_field(struct cpu *c, uint32_t msr)
{
    switch (msr) {
    case MSR_SYSENTER_CS: return &c->sysenter_cs;
    case MSR_SYSENTER_ESP: return &c->sysenter_esp;
    case MSR_SYSENTER_EIP: return &c->sysenter_eip;
    case MSR_STAR: return &c->star;
    case MSR_LSTAR: return &c->lstar;
    case MSR_CSTAR: return &c->cstar;
    case MSR_SFMASK: return &c->sfmask;
    case MSR_KERNEL_GS_BASE: return &c->kernel_gs_base;
    case MSR_TSC_AUX: return &c->tsc_aux;
    case MSR_PAT: return &c->pat;
    default: return NULL;
    }
}

struct hm_msrs {
    struct kvm_msrs hdr;
    struct kvm_msr_entry e[HM_MAX_MSRS];
};

/* KVM_GET_MSRS / KVM_SET_MSRS of all m->hdr.nmsrs entries. */
static int msrs_io(struct hm_vcpu *h, struct hm_msrs *m, bool set)
{
    int n = ioctl(h->fd, set ? KVM_SET_MSRS : KVM_GET_MSRS, m);
    return n < 0 ? -errno : n != (int)m->hdr.nmsrs ? -EIO : 0;
}

/* The guest TSC IEM reads now (cpu/msr.c): the virtual clock as a 1 GHz
 * counter, plus the offset. */
static uint64_t cpu_tsc(struct vcpu *v)
{
    return vm_clock_ns(v->vm) + v->cpu.tsc_offset;
}

/* KVM's TSC goes on from IEM's: its offset moves by the difference of the
 * two read together. KVM_VCPU_TSC_OFFSET is added after KVM's TSC
 * scaling, so this holds at any TSC rate; writing MSR_TSC instead is not
 * exact (KVM takes a value close to the one it expects as a request to
 * keep the vCPUs' TSCs in step, and keeps its own). */
static int tsc_move(struct hm_vcpu *h, int64_t by)
{
    uint64_t off;
    struct kvm_device_attr a = {.group = KVM_VCPU_TSC_CTRL, .attr = KVM_VCPU_TSC_OFFSET, .addr = (uintptr_t)&off};
    if (ioctl(h->fd, KVM_GET_DEVICE_ATTR, &a) < 0)
        return -errno;
    off += (uint64_t)by;
    return ioctl(h->fd, KVM_SET_DEVICE_ATTR, &a) < 0 ? -errno : 0;
}

static int tsc_get(struct hm_vcpu *h, uint64_t *tsc)
{
    struct hm_msrs m = {.hdr.nmsrs = 1, .e[0].index = MSR_TSC};
    int rc = msrs_io(h, &m, false);
    *tsc = m.e[0].data;
    return rc;
}

static int tsc_put(struct vcpu *v)
{
    uint64_t now;
    int rc = tsc_get(v->hm, &now);
    return rc < 0 ? rc : tsc_move(v->hm, (int64_t)(cpu_tsc(v) - now));
}

/* Moves KVM's TSC far (2^40 ticks, beyond the second within which KVM
 * takes a written TSC for the one it expects) by each method in turn and
 * keeps the first that moves it; kvm-pvm offers the attribute and takes
 * both without effect (measured). */
enum hm_tsc hm_tsc_probe(struct hm_vcpu *h)
{
    const uint64_t far = 1ull << 40;
    struct kvm_device_attr a = {.group = KVM_VCPU_TSC_CTRL, .attr = KVM_VCPU_TSC_OFFSET};
    uint64_t t0, t1;
    if (tsc_get(h, &t0) < 0)
        return HM_TSC_HOST;
    if (ioctl(h->fd, KVM_HAS_DEVICE_ATTR, &a) == 0 && tsc_move(h, (int64_t)far) == 0) {
        bool moved = tsc_get(h, &t1) == 0 && t1 - t0 >= far / 2;
        tsc_move(h, -(int64_t)far);
        if (moved)
            return HM_TSC_OFFSET;
    }
    struct hm_msrs m = {.hdr.nmsrs = 1, .e[0].index = MSR_TSC, .e[0].data = t0 + far};
    if (msrs_io(h, &m, true) == 0 && tsc_get(h, &t1) == 0 && t1 - t0 >= far / 2)
        return HM_TSC_MSR; /* the first entry writes the guest's */
    return HM_TSC_HOST;
}

enum hm_tsc hm_tsc_method(struct vcpu *v)
{
    return v->hm->tsc;
}

static int msrs_sync(struct vcpu *v, bool set)
{
    struct hm_vm *hvm = v->hm->hvm;
    struct hm_msrs m;
    int rc;
    memset(&m, 0, sizeof(m));
    for (unsigned i = 0; i < hvm->nmsrs; i++) {
        uint64_t *f = msr_field(&v->cpu, hvm->msrs[i]);
        if (set && !f && v->hm->tsc != HM_TSC_MSR)
            continue; /* tsc_put's, or nobody's */
        m.e[m.hdr.nmsrs].index = hvm->msrs[i];
        m.e[m.hdr.nmsrs++].data = f ? *f : cpu_tsc(v);
    }
    if ((rc = msrs_io(v->hm, &m, set)) < 0)
        return rc;
    for (unsigned i = 0; !set && i < m.hdr.nmsrs; i++) {
        uint64_t *f = msr_field(&v->cpu, m.e[i].index);
        if (f)
            *f = m.e[i].data;
        else /* the TSC runs on under KVM at KVM's rate; IEM goes on from here */
            v->cpu.tsc_offset = m.e[i].data - vm_clock_ns(v->vm);
    }
    return 0;
}

static int debug_sync(struct vcpu *v, bool set)
{
    struct kvm_debugregs d;
    struct cpu *c = &v->cpu;
    memset(&d, 0, sizeof(d));
    if (set) {
        memcpy(d.db, c->dr, sizeof(d.db));
        d.dr6 = c->dr[6];
        d.dr7 = c->dr[7];
        return ioctl(v->hm->fd, KVM_SET_DEBUGREGS, &d) < 0 ? -errno : 0;
    }
    if (ioctl(v->hm->fd, KVM_GET_DEBUGREGS, &d) < 0)
        return -errno;
    memcpy(c->dr, d.db, sizeof(d.db));
    c->dr[6] = d.dr6;
    c->dr[7] = d.dr7;
    return 0;
}

void hm_state_init(struct hm_vcpu *h)
{
    struct kvm_sync_regs *s = &h->run->s.regs;
    ioctl(h->fd, KVM_GET_REGS, &s->regs);
    ioctl(h->fd, KVM_GET_SREGS, &s->sregs);
    ioctl(h->fd, KVM_GET_VCPU_EVENTS, &s->events);
    h->run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS | KVM_SYNC_X86_EVENTS;
    h->shadow_valid = false;
}

int hm_sync_in(struct vcpu *v)
{
    struct hm_vcpu *h = v->hm;
    struct cpu *c = &v->cpu, *s = &h->shadow;
    struct kvm_sync_regs *k = &h->run->s.regs;
    bool all = !h->shadow_valid;
    int rc = 0;

    if (all || !regs_same(c, s)) {
        regs_put(c, &k->regs);
        h->run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
    }
    /* the TPR changes outside KVM too (IEM, the APIC page): KVM's CR8 follows it */
    if (all || !sregs_same(c, s) || k->sregs.cr8 != vcpu_intc_get_cr8(v)) {
        sregs_put(v, &k->sregs);
        memset(k->sregs.interrupt_bitmap, 0, sizeof(k->sregs.interrupt_bitmap));
        h->run->kvm_dirty_regs |= KVM_SYNC_X86_SREGS;
    }
    if (all || !events_same(c, s) || (h->run->kvm_dirty_regs & KVM_SYNC_X86_REGS)) {
        events_put(c, &k->events);
        h->run->kvm_dirty_regs |= KVM_SYNC_X86_EVENTS;
    }
    if ((all || !fpu_same(c, s)) && (rc = fpu_sync(v, true)) < 0)
        return rc;
    if ((all || !msrs_same(c, s)) && (rc = msrs_sync(v, true)) < 0)
        return rc;
    /* struct cpu held the vCPU since KVM last ran it, with IEM's TSC,
     * which KVM's goes on from (by MSR_TSC it is written only when IEM
     * moved it: KVM's TSC went on running meanwhile, at KVM's rate) */
    if (h->tsc == HM_TSC_OFFSET && (rc = tsc_put(v)) < 0)
        return rc;
    if ((all || !debug_same(c, s)) && (rc = debug_sync(v, true)) < 0)
        return rc;
    if (h->run->kvm_dirty_regs || all)
        h->st.syncs_in++;
    memcpy(s, c, sizeof(*s));
    s->rflags = cpu_get_flags(c);
    s->lf.op = LF_NONE;
    h->shadow_valid = true;
    h->kvm_newer = false;
    return 0;
}

int hm_sync_out(struct vcpu *v)
{
    struct hm_vcpu *h = v->hm;
    struct cpu *c = &v->cpu;
    const struct kvm_sync_regs *k = &h->run->s.regs;
    int rc;

    /* nothing ran since the last sync: struct cpu is exact, and a round trip
     * would only disturb the TSC (KVM "synchronizes" a TSC written close to
     * the one it expects, so what it reads back is not what it was given) */
    if (!h->kvm_newer)
        return 0;
    regs_get(c, &k->regs);
    sregs_get(v, &k->sregs);
    events_get(c, &k->events);
    if ((rc = fpu_sync(v, false)) < 0 || (rc = msrs_sync(v, false)) < 0 || (rc = debug_sync(v, false)) < 0)
        return rc;
    h->st.syncs_out++;
    memcpy(&h->shadow, c, sizeof(*c));
    h->shadow_valid = true;
    h->kvm_newer = false;
    return 0;
}

int hm_events_to_iem(struct vcpu *v)
{
    struct kvm_vcpu_events *e = &v->hm->run->s.regs.events;
    int rc = IEM_OK;

    if (e->exception.injected || e->exception.pending) {
        /* #BP and #OF from INT3/INTO restart at the instruction, as INT n does */
        if (e->exception.nr != X_BP && e->exception.nr != X_OF)
            rc = iem_deliver_event(v, e->exception.nr, IEM_EVENT_EXC, e->exception.error_code,
                                   e->exception.has_error_code);
    } else if (e->nmi.injected) {
        rc = iem_deliver_event(v, X_NMI, IEM_EVENT_NMI, 0, false);
    } else if (e->interrupt.injected && !e->interrupt.soft) {
        rc = iem_deliver_event(v, e->interrupt.nr, IEM_EVENT_IRQ, 0, false);
    }
    e->exception.injected = e->exception.pending = 0;
    e->nmi.injected = 0;
    e->interrupt.injected = 0;
    v->hm->run->kvm_dirty_regs |= KVM_SYNC_X86_EVENTS;
    return rc;
}

int hm_state_put(struct vcpu *v)
{
    struct hm_vcpu *h = v->hm;
    struct kvm_sync_regs *k = &h->run->s.regs;
    h->shadow_valid = false;
    int rc = hm_sync_in(v);
    if (rc < 0)
        return rc;
    if (ioctl(h->fd, KVM_SET_REGS, &k->regs) < 0 || ioctl(h->fd, KVM_SET_SREGS, &k->sregs) < 0 ||
        ioctl(h->fd, KVM_SET_VCPU_EVENTS, &k->events) < 0)
        return -errno;
    h->run->kvm_dirty_regs = 0;
    return 0;
}

int hm_state_get(struct vcpu *v)
{
    struct hm_vcpu *h = v->hm;
    struct kvm_sync_regs *k = &h->run->s.regs;
    if (ioctl(h->fd, KVM_GET_REGS, &k->regs) < 0 || ioctl(h->fd, KVM_GET_SREGS, &k->sregs) < 0 ||
        ioctl(h->fd, KVM_GET_VCPU_EVENTS, &k->events) < 0)
        return -errno;
    h->kvm_newer = true;
    return hm_sync_out(v);
}

uint64_t hm_tsc_khz(struct vcpu *v)
{
    int khz = ioctl(v->hm->fd, KVM_GET_TSC_KHZ, 0);
    return khz > 0 ? (uint64_t)khz : 0;
}
