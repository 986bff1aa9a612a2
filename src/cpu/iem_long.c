/* Instructions that exist for Intel 64 (SDM vol. 2): SYSCALL/SYSRET,
 * SWAPGS, RDFSBASE/RDGSBASE/WRFSBASE/WRGSBASE and INVPCID.
 *
 * Where Intel and AMD differ, the CPUID vendor decides. Intel: SYSCALL and
 * SYSRET are #UD outside 64-bit mode (also in compatibility mode). AMD
 * (APM vol. 3): SYSCALL works in every protected mode; from compatibility
 * mode it enters 64-bit mode at CSTAR, from legacy mode it enters flat
 * 32-bit code at STAR[31:0]. SYSRET to a non-canonical RCX faults with
 * #GP(0) at CPL 0 instead of loading it (Intel).
 * The segments SYSCALL/SYSRET load are fixed flat descriptors built from
 * STAR; the GDT is not read.
 */
#include "cpu/cpufeat.h"
#include "cpu/long.h"
#include "pgm/tlb.h"

static int need_64_sce(struct vcpu *v)
{
    if (!cpu_is_64(&v->cpu) || !(v->cpu.efer & EFER_SCE))
        return iem_ud(v);
    return IEM_OK;
}

/* AMD's SYSCALL outside 64-bit mode (not in real or virtual-8086 mode). */
static int syscall_amd_legacy(struct vcpu *v)
{
    struct cpu *c = &v->cpu;
    uint16_t sel = (uint16_t)(c->star >> 32);
    uint64_t flags = cpu_get_flags(c);
    if (cpu_is_long(c)) { /* compatibility mode: as from 64-bit mode, at CSTAR */
        c->gpr[R_CX] = (uint32_t)v->iem.next_rip;
        c->gpr[R_R11] = flags & ~(uint64_t)F_RF;
        cpu_set_flags(c, (flags & ~(c->sfmask | F_RF)) | F_1);
        iem_seg_flat(&c->seg[S_CS], sel & 0xfffc, ATTR_CS64_DPL0);
        v->iem.next_rip = c->cstar;
    } else {
        iem_gpr_set(v, R_CX, 4, v->iem.next_rip);
        cpu_set_flags(c, (flags & ~(uint64_t)(F_VM | F_IF | F_RF)) | F_1);
        iem_seg_flat(&c->seg[S_CS], sel & 0xfffc, ATTR_CS32_DPL0);
        v->iem.next_rip = (uint32_t)c->star;
    }
    iem_seg_flat(&c->seg[S_SS], (uint16_t)(sel + 8), ATTR_SS_DPL0);
    iem_mode_changed(v);
    return IEM_OK;
}

static int op_syscall(struct vcpu *v, const struct iem_insn *in)
{
    struct cpu *c = &v->cpu;
    (void)in;
    if (!cpu_is_64(c) && iem_cpu_ident(v)->amd) {
        if (!(c->efer & EFER_SCE) || !(c->cr0 & CR0_PE) || cpu_is_v86(c))
            return iem_ud(v);
        return syscall_amd_legacy(v);
    }
    int rc = need_64_sce(v);
    if (rc)
        return rc;
    uint16_t sel = (uint16_t)(c->star >> 32);
    uint64_t flags = cpu_get_flags(c);
    c->gpr[R_CX] = v->iem.next_rip;
    c->gpr[R_R11] = flags;
    cpu_set_flags(c, (flags & ~(c->sfmask | F_RF)) | F_1);
    iem_seg_flat(&c->seg[S_CS], sel & 0xfffc, ATTR_CS64_DPL0);
    iem_seg_flat(&c->seg[S_SS], (uint16_t)(sel + 8), ATTR_SS_DPL0);
    v->iem.next_rip = c->lstar;
    iem_mode_changed(v);
    return IEM_OK;
}

static int op_sysret(struct vcpu *v, const struct iem_insn *in)
{
    struct cpu *c = &v->cpu;
    int rc = need_64_sce(v);
    if (rc)
        return rc;
    if (c->cpl != 0)
        return iem_gp(v, 0);
    bool to64 = in->osize == 8;
    uint64_t rip = to64 ? c->gpr[R_CX] : (uint32_t)c->gpr[R_CX];
    if (to64 && !iem_canonical(v, rip))
        return iem_gp(v, 0); /* Intel: at CPL 0, before anything changes */
    uint16_t base = (uint16_t)(c->star >> 48);
    cpu_set_flags(c, (c->gpr[R_R11] & 0x3c7fd7u) | F_1);
    if (to64)
        iem_seg_flat(&c->seg[S_CS], (uint16_t)((base + 16) | 3), ATTR_CS64_DPL3);
    else
        iem_seg_flat(&c->seg[S_CS], (uint16_t)(base | 3), ATTR_CS32_DPL3);
    iem_seg_flat(&c->seg[S_SS], (uint16_t)((base + 8) | 3), ATTR_SS_DPL3);
    v->iem.next_rip = rip;
    iem_mode_changed(v);
    return IEM_OK;
}

static int op_swapgs(struct vcpu *v, const struct iem_insn *in)
{
    struct cpu *c = &v->cpu;
    (void)in;
    if (!cpu_is_64(c))
        return iem_ud(v);
    if (c->cpl != 0)
        return iem_gp(v, 0);
    uint64_t t = c->seg[S_GS].base;
    c->seg[S_GS].base = c->kernel_gs_base;
    c->kernel_gs_base = t;
    return IEM_OK;
}

/* STAC/CLAC: set or clear EFLAGS.AC, which lifts SMAP; CPL 0 only. */
static int op_stac_clac(struct vcpu *v, const struct iem_insn *in)
{
    struct cpu *c = &v->cpu;
    if (!has_smap(v) || cpu_is_v86(c))
        return iem_ud(v);
    if (c->cpl != 0)
        return iem_ud(v); /* #UD, not #GP, at CPL > 0 (SDM STAC/CLAC) */
    uint64_t f = cpu_get_flags(c);
    cpu_set_flags(c, in->mnemonic == ZYDIS_MNEMONIC_STAC ? f | F_AC : f & ~(uint64_t)F_AC);
    return IEM_OK;
}

/* RDPKRU/WRPKRU: CR4.PKE enables them; ECX (and EDX for WRPKRU) must be 0. */
static int op_pkru(struct vcpu *v, const struct iem_insn *in)
{
    struct cpu *c = &v->cpu;
    if (!(c->cr4 & CR4_PKE))
        return iem_ud(v);
    if ((uint32_t)c->gpr[R_CX] != 0)
        return iem_gp(v, 0);
    if (in->mnemonic == ZYDIS_MNEMONIC_RDPKRU) {
        iem_gpr_set(v, R_AX, 4, c->pkru);
        iem_gpr_set(v, R_DX, 4, 0);
        return IEM_OK;
    }
    if ((uint32_t)c->gpr[R_DX] != 0)
        return iem_gp(v, 0);
    uint32_t old = c->pkru;
    c->pkru = (uint32_t)c->gpr[R_AX];
    pgm_cr_written(v, PGM_REG_PKRU, old, c->pkru);
    return IEM_OK;
}

/* RDFSBASE/RDGSBASE/WRFSBASE/WRGSBASE: 64-bit mode, CR4.FSGSBASE and the
 * CPUID bit, at any CPL. */
static int op_fsgsbase(struct vcpu *v, const struct iem_insn *in)
{
    struct cpu *c = &v->cpu;
    if (!cpu_is_64(c) || !(c->cr4 & CR4_FSGSBASE) || !has_fsgsbase(v))
        return iem_ud(v);
    bool gs = in->mnemonic == ZYDIS_MNEMONIC_RDGSBASE || in->mnemonic == ZYDIS_MNEMONIC_WRGSBASE;
    bool wr = in->mnemonic == ZYDIS_MNEMONIC_WRFSBASE || in->mnemonic == ZYDIS_MNEMONIC_WRGSBASE;
    struct cpu_seg *s = &c->seg[gs ? S_GS : S_FS];
    unsigned size = in->op[0].size >= 8 ? 8 : 4;
    if (!wr) {
        iem_gpr_set(v, in->op[0].reg, size, s->base);
        return IEM_OK;
    }
    uint64_t val = iem_gpr(v, in->op[0].reg, size);
    if (!iem_canonical_reg(v, val))
        return iem_gp(v, 0);
    s->base = val;
    return IEM_OK;
}

/* INVPCID (SDM vol. 2): types 0 (one address in one PCID), 1 (one PCID),
 * 2 (all, with globals), 3 (all but globals). */
static int op_invpcid(struct vcpu *v, const struct iem_insn *in)
{
    struct cpu *c = &v->cpu;
    if (!has_invpcid(v) || in->op[1].type != OPT_MEM)
        return iem_ud(v);
    if (c->cpl != 0)
        return iem_gp(v, 0);
    uint64_t type = iem_gpr(v, in->op[0].reg, cpu_is_64(c) ? 8 : 4);
    uint64_t desc[2];
    int rc = iem_read_buf(v, in->op[1].seg, iem_ea(v, in, &in->op[1]), desc, 16);
    if (rc)
        return rc;
    if (type > 3)
        return iem_gp(v, 0);
    uint64_t pcid = desc[0] & 0xfff;
    if (desc[0] >> 12)
        return iem_gp(v, 0); /* reserved descriptor bits */
    if (type == 0 && !iem_canonical_reg(v, desc[1]))
        return iem_gp(v, 0);
    if (type <= 1 && !(c->cr4 & CR4_PCIDE) && pcid != 0)
        return iem_gp(v, 0);
    if (tlb_invpcid(v, type, desc))
        return iem_gp(v, 0);
    return IEM_OK;
}

const struct iem_op_def iem_ops_long[] = {
    {ZYDIS_MNEMONIC_SYSCALL, op_syscall},
    {ZYDIS_MNEMONIC_SYSRET, op_sysret},
    {ZYDIS_MNEMONIC_SWAPGS, op_swapgs},
    {ZYDIS_MNEMONIC_STAC, op_stac_clac},
    {ZYDIS_MNEMONIC_CLAC, op_stac_clac},
    {ZYDIS_MNEMONIC_RDPKRU, op_pkru},
    {ZYDIS_MNEMONIC_WRPKRU, op_pkru},
    {ZYDIS_MNEMONIC_RDFSBASE, op_fsgsbase},
    {ZYDIS_MNEMONIC_RDGSBASE, op_fsgsbase},
    {ZYDIS_MNEMONIC_WRFSBASE, op_fsgsbase},
    {ZYDIS_MNEMONIC_WRGSBASE, op_fsgsbase},
    {ZYDIS_MNEMONIC_INVPCID, op_invpcid},
    {0, NULL},
};
