/* Model-specific registers: one descriptor per MSR says where the value
 * lives and which rule validates a write; a handful with side effects get a
 * hook. Anything not in the table is #GP(0), as on hardware.
 */
#include "cpu/cpufeat.h"
#include "cpu/long.h"
#include "cpu/msr.h"
#include "pgm/tlb.h"

#include <stddef.h>

#define MSR_UCODE_REV    0x8b
#define MSR_PLATFORM_ID  0x17 /* read by Linux's microcode driver: no platform bits */

/* Write validation rules. */
enum msr_rule {
    R_ANY,       /* any 64-bit value */
    R_CANON,     /* canonical linear address (iem_canonical_reg) */
    R_LOW32,     /* bits 63:32 reserved */
    R_RO,        /* writes ignored (reads return the field or 0) */
    R_SPECIAL,   /* hook */
};

struct msr_desc {
    uint32_t msr;
    uint8_t rule;
    int16_t off; /* offsetof(struct cpu, field) or -1: reads as 0 */
    int (*rd)(struct vcpu *v, uint64_t *val);
    int (*wr)(struct vcpu *v, uint64_t val);
};

uint64_t iem_tsc(struct vcpu *v)
{
    /* The virtual clock in nanoseconds is a 1 GHz TSC: constant rate and
     * monotonic across halts, like an invariant TSC. */
    return vm_clock_ns(v->vm) + v->cpu.tsc_offset;
}

static int tsc_rd(struct vcpu *v, uint64_t *val)
{
    *val = iem_tsc(v);
    return IEM_OK;
}

static int tsc_wr(struct vcpu *v, uint64_t val)
{
    /* Moving the TSC by X moves IA32_TSC_ADJUST by X (SDM vol. 3 18.17.3). */
    v->cpu.tsc_adjust += val - iem_tsc(v);
    v->cpu.tsc_offset = val - vm_clock_ns(v->vm);
    return IEM_OK;
}

/* MAXPHYADDR as CPUID 0x80000008 reports it. */
#define PHYS_MASK (((1ull << IEM_MAXPHYADDR) - 1) & ~0xfffull)
#define MSR_TSC_DEADLINE 0x6e0
#define MSR_X2APIC_FIRST 0x800
#define MSR_X2APIC_LAST  0x8ff

/* APIC base relocation, enable and x2APIC mode switches (the local APIC, through vcpu_intc). */
static int apic_base_wr(struct vcpu *v, uint64_t val)
{
    return vcpu_intc_base_write(v, val, PHYS_MASK) < 0 ? iem_gp(v, 0) : IEM_OK;
}

static int tsc_deadline_rd(struct vcpu *v, uint64_t *val)
{
    *val = vcpu_intc_tsc_deadline_read(v);
    return IEM_OK;
}

static int tsc_deadline_wr(struct vcpu *v, uint64_t val)
{
    vcpu_intc_tsc_deadline_write(v, val);
    return IEM_OK;
}

/* IA32_PAT exists with CPUID.1:EDX.PAT. */
static int pat_rd(struct vcpu *v, uint64_t *val)
{
    if (!iem_feat(v, CF_PAT))
        return iem_gp(v, 0);
    *val = v->cpu.pat;
    return IEM_OK;
}

static int pat_wr(struct vcpu *v, uint64_t val)
{
    if (!iem_feat(v, CF_PAT))
        return iem_gp(v, 0);
    for (unsigned i = 0; i < 8; i++) {
        unsigned t = (val >> (i * 8)) & 0xff;
        if (t == 2 || t == 3 || t > 7)
            return iem_gp(v, 0);
    }
    v->cpu.pat = val;
    return IEM_OK;
}

static uint32_t ext_features(struct vcpu *v)
{
    uint32_t r[4];
    iem_cpuid(v, 0x80000001u, 0, r);
    return r[3];
}

static int efer_wr(struct vcpu *v, uint64_t val)
{
    uint32_t f = ext_features(v);
    uint64_t ok = EFER_LMA; /* read-only: a written value is ignored */
    if (f & (1u << 11))
        ok |= EFER_SCE;
    if (f & (1u << 29))
        ok |= EFER_LME;
    if (f & (1u << 20))
        ok |= EFER_NXE;
    if (val & ~ok)
        return iem_gp(v, 0);
    /* LME may not change while paging is on (SDM vol. 3 10.8.5). */
    if ((v->cpu.cr0 & CR0_PG) && ((val ^ v->cpu.efer) & EFER_LME))
        return iem_gp(v, 0);
    uint64_t old = v->cpu.efer;
    v->cpu.efer = (val & ~(uint64_t)EFER_LMA) | (old & EFER_LMA);
    if ((old ^ v->cpu.efer) & EFER_NXE) {
        pgm_cr_written(v, PGM_REG_EFER, old, v->cpu.efer);
        iem_mode_changed(v); /* the walker mode carries NX */
    }
    return IEM_OK;
}

static int fs_base_rd(struct vcpu *v, uint64_t *val)
{
    *val = v->cpu.seg[S_FS].base;
    return IEM_OK;
}

static int gs_base_rd(struct vcpu *v, uint64_t *val)
{
    *val = v->cpu.seg[S_GS].base;
    return IEM_OK;
}

static int fs_base_wr(struct vcpu *v, uint64_t val)
{
    if (!iem_canonical_reg(v, val))
        return iem_gp(v, 0);
    v->cpu.seg[S_FS].base = val;
    return IEM_OK;
}

static int gs_base_wr(struct vcpu *v, uint64_t val)
{
    if (!iem_canonical_reg(v, val))
        return iem_gp(v, 0);
    v->cpu.seg[S_GS].base = val;
    return IEM_OK;
}

/* IA32_TSC_AUX exists with RDTSCP or RDPID. */
static bool has_tsc_aux(struct vcpu *v)
{
    return has_rdtscp(v) || iem_feat(v, CF_RDPID);
}

static int tsc_aux_rd(struct vcpu *v, uint64_t *val)
{
    if (!has_tsc_aux(v))
        return iem_gp(v, 0);
    *val = v->cpu.tsc_aux;
    return IEM_OK;
}

static int tsc_aux_wr(struct vcpu *v, uint64_t val)
{
    if (!has_tsc_aux(v) || (val >> 32))
        return iem_gp(v, 0);
    v->cpu.tsc_aux = val;
    return IEM_OK;
}

/* IA32_PKRS exists with CPUID PKS; bits 63:32 are reserved. The TLB's
 * entries hold the rights it gave, as for PKRU. */
#define MSR_PKRS 0x6e1

static int pkrs_rd(struct vcpu *v, uint64_t *val)
{
    if (!has_pks(v))
        return iem_gp(v, 0);
    *val = v->cpu.pkrs;
    return IEM_OK;
}

static int pkrs_wr(struct vcpu *v, uint64_t val)
{
    if (!has_pks(v) || (val >> 32))
        return iem_gp(v, 0);
    uint32_t old = v->cpu.pkrs;
    v->cpu.pkrs = (uint32_t)val;
    pgm_cr_written(v, PGM_REG_PKRU, old, v->cpu.pkrs);
    return IEM_OK;
}

#define F(field) (int16_t)offsetof(struct cpu, field)

static const struct msr_desc msrs[] = {
    {MSR_TSC,            R_SPECIAL, -1,            tsc_rd,     tsc_wr},
    {MSR_APIC_BASE,      R_SPECIAL, F(apic_base),  NULL,       apic_base_wr},
    {MSR_TSC_DEADLINE,   R_SPECIAL, -1,            tsc_deadline_rd, tsc_deadline_wr},
    {MSR_UCODE_REV,      R_RO,      -1,            NULL,       NULL},
    {MSR_PLATFORM_ID,    R_RO,      -1,            NULL,       NULL},
    {MSR_SYSENTER_CS,    R_ANY,     F(sysenter_cs), NULL,      NULL}, /* 63:16: unused, writable */
    {MSR_SYSENTER_ESP,   R_CANON,   F(sysenter_esp), NULL,     NULL},
    {MSR_SYSENTER_EIP,   R_CANON,   F(sysenter_eip), NULL,     NULL},
    {MSR_PAT,            R_SPECIAL, F(pat),        pat_rd,     pat_wr},
    {MSR_EFER,           R_SPECIAL, F(efer),       NULL,       efer_wr},
    {MSR_STAR,           R_ANY,     F(star),       NULL,       NULL},
    {MSR_LSTAR,          R_CANON,   F(lstar),      NULL,       NULL},
    {MSR_CSTAR,          R_CANON,   F(cstar),      NULL,       NULL},
    {MSR_SFMASK,         R_LOW32,   F(sfmask),     NULL,       NULL},
    {MSR_FS_BASE,        R_SPECIAL, -1,            fs_base_rd, fs_base_wr},
    {MSR_GS_BASE,        R_SPECIAL, -1,            gs_base_rd, gs_base_wr},
    {MSR_KERNEL_GS_BASE, R_CANON,   F(kernel_gs_base), NULL,   NULL},
    {MSR_TSC_AUX,        R_SPECIAL, -1,            tsc_aux_rd, tsc_aux_wr},
    {MSR_PKRS,           R_SPECIAL, -1,            pkrs_rd,    pkrs_wr},
};

static const struct msr_desc *msr_find(uint32_t msr)
{
    for (size_t i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++)
        if (msrs[i].msr == msr)
            return &msrs[i];
    return NULL;
}

static uint64_t *msr_field(struct vcpu *v, const struct msr_desc *d)
{
    return (uint64_t *)((char *)&v->cpu + d->off);
}


int iem_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    if (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST) /* #GP unless in x2APIC mode */
        return vcpu_intc_msr_read(v, msr, val) < 0 ? iem_gp(v, 0) : IEM_OK;
    int rc = msr_ia32_read(v, msr, val);
    if (rc == MSR_NOT_HERE)
        rc = msr_amd_read(v, msr, val);
    if (rc == MSR_NOT_HERE)
        rc = msr_mca_read(v, msr, val);
    if (rc != MSR_NOT_HERE)
        return rc;
    const struct msr_desc *d = msr_find(msr);
    if (!d)
        return iem_gp(v, 0);
    if (d->rd)
        return d->rd(v, val);
    *val = d->off >= 0 ? *msr_field(v, d) : 0;
    return IEM_OK;
}

int iem_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val)
{
    if (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST)
        return vcpu_intc_msr_write(v, msr, val) < 0 ? iem_gp(v, 0) : IEM_OK;
    int rc = msr_ia32_write(v, msr, val);
    if (rc == MSR_NOT_HERE)
        rc = msr_amd_write(v, msr, val);
    if (rc == MSR_NOT_HERE)
        rc = msr_mca_write(v, msr, val);
    if (rc != MSR_NOT_HERE)
        return rc;
    const struct msr_desc *d = msr_find(msr);
    if (!d)
        return iem_gp(v, 0);
    if (d->wr)
        return d->wr(v, val);
    switch (d->rule) {
    case R_ANY:
        break;
    case R_CANON:
        if (!iem_canonical_reg(v, val))
            return iem_gp(v, 0);
        break;
    case R_LOW32:
        if (val >> 32)
            return iem_gp(v, 0);
        break;
    case R_RO:
        return IEM_OK;
    default: /* R_SPECIAL without a hook: read-only register */
        return iem_gp(v, 0);
    }
    if (d->off >= 0)
        *msr_field(v, d) = val;
    return IEM_OK;
}
