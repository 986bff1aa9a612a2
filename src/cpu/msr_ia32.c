/* The IA-32 architectural MSRs that hold configuration but no address:
 * IA32_MISC_ENABLE, IA32_TSC_ADJUST and the MTRRs (SDM vol. 4 table 2-2,
 * vol. 3 12.11 and 18.17.3). msr.c asks here first.
 *
 * Invariants:
 * - An MSR exists only when the model's CPUID says so: MTRRs with
 *   CPUID.1:EDX.MTRR, TSC_ADJUST with CPUID.7.0:EBX[1], MISC_ENABLE on an
 *   Intel vendor (AMD parts have no MSR 0x1A0). Otherwise #GP(0).
 * - Reserved bits and reserved memory types raise #GP(0) and change nothing.
 * - Memory types are stored and read back, never acted on: guest RAM is
 *   host memory, coherent whatever the type.
 */
#include "cpu/cpufeat.h"
#include "cpu/long.h"
#include "cpu/msr.h"

#define MSR_MTRR_CAP     0xfe
#define MSR_MTRR_VAR     0x200 /* PHYSBASE0, PHYSMASK0, ... PHYSMASK7 = 0x20f */
#define MSR_MTRR_FIX64K  0x250
#define MSR_MTRR_FIX16K  0x258 /* and 0x259 */
#define MSR_MTRR_FIX4K   0x268 /* to 0x26f */
#define MSR_MTRR_DEF     0x2ff
#define MTRR_VCNT        8u
/* MTRRcap: VCNT variable ranges, FIX (fixed ranges), WC supported, no SMRR. */
#define MTRR_CAP_VALUE   (MTRR_VCNT | 1u << 8 | 1u << 10)

/* IA32_MISC_ENABLE bits (SDM vol. 4 table 2-2) beyond cpu.h's. */
#define MISC_TCC        (1ull << 3)  /* automatic thermal control circuit */
#define MISC_PERFMON    (1ull << 7)  /* RO: RDPMC's two P6 counters exist */
#define MISC_BTS_UNAV   (1ull << 11) /* RO: no DS area (CPUID.1:EDX.DS = 0) */
#define MISC_PEBS_UNAV  (1ull << 12) /* RO: likewise */
#define MISC_EIST       (1ull << 16) /* if CPUID.1:ECX.EIST */
#define MISC_MONITOR    (1ull << 18) /* if CPUID.1:ECX.SSE3 */
#define MISC_XTPR       (1ull << 23) /* if CPUID.1:ECX.xTPR */
#define MISC_RO         (MISC_PERFMON | MISC_BTS_UNAV | MISC_PEBS_UNAV)

static bool has_mtrr(struct vcpu *v) { return iem_feat(v, CF_MTRR); }

/* The writable MISC_ENABLE bits; each conditional one only when the CPUID
 * bit the SDM names for it is set (else it is reserved). */
static uint64_t misc_writable(struct vcpu *v)
{
    uint32_t l1[4];
    iem_cpuid(v, 1, 0, l1);
    uint64_t w = MISC_FAST_STRINGS | MISC_TCC;
    if (l1[2] & (1u << 7))
        w |= MISC_EIST;
    if (l1[2] & 1u)
        w |= MISC_MONITOR;
    if (l1[2] & (1u << 14))
        w |= MISC_XTPR;
    if (iem_cpu_ident(v)->level > 2)
        w |= MISC_LIMIT_CPUID;
    if (iem_feat(v, CF_NX)) /* the model's NX, before XD Bit Disable hides it */
        w |= MISC_XD_DISABLE;
    return w;
}

/* Types a memory-type field may hold: UC, WC, WT, WP, WB (and UC- for PAT). */
static bool mtrr_type_ok(unsigned t)
{
    return t == 0 || t == 1 || t == 4 || t == 5 || t == 6;
}

static bool mtrr_fixed_ok(uint64_t val)
{
    for (unsigned i = 0; i < 8; i++)
        if (!mtrr_type_ok((val >> (i * 8)) & 0xff))
            return false;
    return true;
}

/* The fixed-range MSR's slot in cpu.mtrr_fix, or -1. */
static int mtrr_fix_index(uint32_t msr)
{
    if (msr == MSR_MTRR_FIX64K)
        return 0;
    if (msr == MSR_MTRR_FIX16K || msr == MSR_MTRR_FIX16K + 1)
        return 1 + (int)(msr - MSR_MTRR_FIX16K);
    if (msr >= MSR_MTRR_FIX4K && msr <= MSR_MTRR_FIX4K + 7)
        return 3 + (int)(msr - MSR_MTRR_FIX4K);
    return -1;
}

static bool is_mtrr(uint32_t msr)
{
    return msr == MSR_MTRR_CAP || msr == MSR_MTRR_DEF || mtrr_fix_index(msr) >= 0 ||
           (msr >= MSR_MTRR_VAR && msr < MSR_MTRR_VAR + 2 * MTRR_VCNT);
}

/* Bits MAXPHYADDR-1:12 of PHYSBASE/PHYSMASK. */
#define MTRR_ADDR_MASK (((1ull << IEM_MAXPHYADDR) - 1) & ~0xfffull)

static int mtrr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
    struct cpu *c = &v->cpu;
    int fix = mtrr_fix_index(msr);
    if (msr == MSR_MTRR_CAP)
        return iem_gp(v, 0); /* read-only */
    if (msr == MSR_MTRR_DEF) {
        if ((val & ~0xcffull) || !mtrr_type_ok(val & 0xff)) /* type, FE (10), E (11) */
            return iem_gp(v, 0);
        c->mtrr_def = val;
        return IEM_OK;
    }
    if (fix >= 0) {
        if (!mtrr_fixed_ok(val))
            return iem_gp(v, 0);
        c->mtrr_fix[fix] = val;
        return IEM_OK;
    }
    unsigned i = msr - MSR_MTRR_VAR;
    bool mask = i & 1;
    uint64_t ok = MTRR_ADDR_MASK | (mask ? 1u << 11 /* V */ : 0xffu /* type */);
    if ((val & ~ok) || (!mask && !mtrr_type_ok(val & 0xff)))
        return iem_gp(v, 0);
    c->mtrr_var[i] = val;
    return IEM_OK;
}

static uint64_t mtrr_read(struct vcpu *v, uint32_t msr)
{
    int fix = mtrr_fix_index(msr);
    if (msr == MSR_MTRR_CAP)
        return MTRR_CAP_VALUE;
    if (msr == MSR_MTRR_DEF)
        return v->cpu.mtrr_def;
    if (fix >= 0)
        return v->cpu.mtrr_fix[fix];
    return v->cpu.mtrr_var[msr - MSR_MTRR_VAR];
}

static bool misc_exists(struct vcpu *v) { return !iem_cpu_ident(v)->amd; }
static bool tsc_adjust_exists(struct vcpu *v) { return iem_feat(v, CF_TSC_ADJUST); }

/* IA32_ARCH_CAPABILITIES: what an emulator is not open to. Its loads and
 * stores complete in order and leave no data in fill buffers, ports or
 * caches for a guest's speculation to sample: RDCL_NO (Meltdown: a kernel
 * need not isolate its page tables), SKIP_L1DFL_VMENTRY, SSB_NO, MDS_NO,
 * PSCHANGE_MC_NO, TAA_NO, SBDR_SSDP_NO, FBSDP_NO, PSDP_NO, GDS_NO and
 * RFDS_NO (SDM vol. 4 table 2-2). Read-only. */
static const uint64_t arch_cap = 1ull << 0 | 1ull << 3 | 1ull << 4 | 1ull << 5 | 1ull << 6 | 1ull << 8 |
                                 1ull << 13 | 1ull << 14 | 1ull << 15 | 1ull << 26 | 1ull << 27;

int msr_ia32_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    if (msr == MSR_MISC_ENABLE) {
        if (!misc_exists(v))
            return iem_gp(v, 0);
        *val = v->cpu.misc_enable | MISC_RO;
        return IEM_OK;
    }
    if (msr == MSR_TSC_ADJUST) {
        if (!tsc_adjust_exists(v))
            return iem_gp(v, 0);
        *val = v->cpu.tsc_adjust;
        return IEM_OK;
    }
    if (msr == MSR_ARCH_CAPABILITIES) {
        if (!iem_feat(v, CF_ARCH_CAP))
            return iem_gp(v, 0);
        *val = arch_cap;
        return IEM_OK;
    }
    if (!is_mtrr(msr))
        return MSR_NOT_HERE;
    if (!has_mtrr(v))
        return iem_gp(v, 0);
    *val = mtrr_read(v, msr);
    return IEM_OK;
}

int msr_ia32_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
    if (msr == MSR_MISC_ENABLE) {
        if (!misc_exists(v))
            return iem_gp(v, 0);
        /* Writes to the read-only bits are ignored; reserved bits #GP. */
        if (val & ~(misc_writable(v) | MISC_RO))
            return iem_gp(v, 0);
        v->cpu.misc_enable = val & ~MISC_RO;
        return IEM_OK;
    }
    if (msr == MSR_TSC_ADJUST) {
        if (!tsc_adjust_exists(v))
            return iem_gp(v, 0);
        /* Moving TSC_ADJUST by X moves the TSC by X (SDM vol. 3 18.17.3). */
        v->cpu.tsc_offset += val - v->cpu.tsc_adjust;
        v->cpu.tsc_adjust = val;
        return IEM_OK;
    }
    if (msr == MSR_ARCH_CAPABILITIES) /* read-only */
        return iem_gp(v, 0);
    if (!is_mtrr(msr))
        return MSR_NOT_HERE;
    if (!has_mtrr(v))
        return iem_gp(v, 0);
    return mtrr_write(v, msr, val);
}
