/* Virtual-8086 mode extensions and protected-mode virtual interrupts
 * (CR4.VME, CR4.PVI; SDM vol. 3 20.3-20.4). With IOPL < 3:
 * - CLI/STI in v86 mode (VME) or at CPL 3 in protected mode (PVI) act on
 *   EFLAGS.VIF instead of faulting; STI faults while VIP is set;
 * - in v86 mode (VME), 16-bit PUSHF/POPF/IRET show VIF in the IF position
 *   (PUSHF also shows IOPL 3), and a popped TF, or IF while VIP is set,
 *   is #GP(0);
 * - INT n in v86 mode consults the TSS's interrupt redirection bitmap (the
 *   32 bytes below the I/O map base): a clear bit sends it to the 8086
 *   handler in the IVT without leaving v86 mode.
 */
#include "cpu/iem.h"

static bool iopl3(const struct cpu *c)
{
    return (c->rflags & F_IOPL) == F_IOPL;
}

bool iem_vif_mode(const struct cpu *c)
{
    if (cpu_is_real(c) || iopl3(c))
        return false;
    if (cpu_is_v86(c))
        return (c->cr4 & CR4_VME) != 0;
    return c->cpl == 3 && (c->cr4 & CR4_PVI);
}

/* VIF and VIP both set when v86 code is entered: #GP(0) before its first
 * instruction, so the monitor can deliver the pending interrupt (SDM vol. 3
 * 20.3.2); only IRET from the monitor or a task switch can get there. */
bool iem_vme_vip_pending(const struct cpu *c)
{
    return cpu_is_v86(c) && !iopl3(c) && (c->cr4 & CR4_VME) && (c->rflags & F_VIF) && (c->rflags & F_VIP);
}

bool iem_vme_flags16(const struct cpu *c, unsigned osize)
{
    return osize == 2 && cpu_is_v86(c) && !iopl3(c) && (c->cr4 & CR4_VME);
}

uint64_t iem_vme_pushed_flags(uint64_t f)
{
    uint64_t image = (f & 0xffff & ~(uint64_t)F_IF) | F_IOPL;
    return (f & F_VIF) ? image | F_IF : image;
}

int iem_vme_popped_flags(struct vcpu *v, uint64_t popped, uint64_t *flags)
{
    uint64_t f = cpu_get_flags(&v->cpu);
    if ((popped & F_TF) || ((popped & F_IF) && (f & F_VIP)))
        return iem_gp(v, 0);
    uint64_t mask = F_ARITH | F_TF | F_DF | F_NT; /* IF and IOPL stay */
    f = (f & ~mask) | (popped & mask);
    *flags = (popped & F_IF) ? f | F_VIF : f & ~(uint64_t)F_VIF;
    return IEM_OK;
}

/* Bit vec of the redirection bitmap: set means "not redirected". */
static int redirection_bit(struct vcpu *v, unsigned vec, bool *set)
{
    const struct cpu_seg *tr = &v->cpu.tr;
    uint16_t iobase;
    int rc = iem_tss_io_base(v, &iobase);
    if (rc)
        return rc;
    int64_t off = (int64_t)iobase - 32 + vec / 8;
    if (off < 0 || (uint64_t)off > tr->limit)
        return iem_gp(v, 0);
    uint8_t b;
    rc = iem_lin_read(v, (tr->base + (uint64_t)off) & 0xffffffffu, &b, 1, ACC_R | ACC_SYS);
    if (rc)
        return rc;
    *set = (b >> (vec & 7)) & 1;
    return IEM_OK;
}

/* Redirects INT vec to the 8086 handler: a real-mode style frame on the
 * v86 stack, CS:IP from the IVT at linear 0. */
static int redirect(struct vcpu *v, unsigned vec, uint64_t ret_ip)
{
    struct cpu *c = &v->cpu;
    uint32_t ent;
    int rc = iem_lin_read(v, (uint64_t)vec * 4, &ent, 4, ACC_R);
    if (rc)
        return rc;
    uint64_t f = cpu_get_flags(c), image = iopl3(c) ? f & 0xffff : iem_vme_pushed_flags(f);
    uint64_t items[3] = {image, c->seg[S_CS].sel, ret_ip & 0xffff};
    unsigned width = iem_stack_size(v);
    uint64_t sp = c->gpr[R_SP] & iem_mask(width);
    for (unsigned i = 0; i < 3; i++) {
        rc = iem_stk_push(v, &c->seg[S_SS], width, &sp, 2, items[i], 0, 0);
        if (rc)
            return rc;
    }
    iem_gpr_set(v, R_SP, width, sp);
    f &= ~(uint64_t)(F_TF | F_RF | (iopl3(c) ? F_IF : F_VIF));
    cpu_set_flags(c, f);
    iem_seg_load_real(v, S_CS, (uint16_t)(ent >> 16));
    c->rip = ent & 0xffff;
    return IEM_OK;
}

int iem_v86_softint(struct vcpu *v, unsigned vec, uint64_t ret_ip, bool *done)
{
    struct cpu *c = &v->cpu;
    *done = false;
    if (!(c->cr4 & CR4_VME))
        return iopl3(c) ? IEM_OK : iem_gp(v, 0);
    bool set = false;
    int rc = redirection_bit(v, vec, &set);
    if (rc)
        return rc;
    if (set)
        return iopl3(c) ? IEM_OK : iem_gp(v, 0);
    rc = redirect(v, vec, ret_ip);
    *done = rc == IEM_OK;
    return rc;
}
