/* CPUID: one table of leaves describing exactly what IEM implements (the
 * "max" model); cpuid_model.c then clears what the -cpu model leaves out.
 *
 * The model is a P6-era part (family 6, model 5, stepping 2: a Pentium II
 * "Deschutes"), old enough that guests expect no SSE/APIC, new enough
 * that SYSENTER is not disabled by the PPro erratum check Linux applies to
 * family 6 model < 3 stepping < 3. It has grown Intel 64: long mode,
 * SYSCALL, NX, 1 GiB pages, RDTSCP, CMPXCHG16B, PCID/INVPCID and
 * FSGSBASE, each advertised because IEM (and the PGM walker) implement it.
 * MCE/MCA: CR4.MCE and the machine-check MSRs (msr_mca.c) exist, as on
 * QEMU's models; no machine check is ever signalled.
 */
#include "cpu/cpufeat.h"
#include "cpu/iem.h"

#include <string.h>

#define CPU_SIGNATURE 0x00000652u

/* Feature bits come from cpufeat.h's list, which also names them for -cpu;
 * these are the bits that are not -cpu features. */
#define F(id) CPU_FEAT_MASK(id)
#define F1_HTT    (1u << 28) /* EDX: more than one logical processor (-smp) */
#define F6A_ARAT  (1u << 2)  /* the APIC timer runs in every C-state */
#define F7C_OSPKE (1u << 4)  /* mirrors CR4.PKE */

/* Address sizes (leaf 0x80000008 EAX): the walker's MAXPHYADDR is 40; linear
 * addresses are 57 bits with LA57 (iem_cpuid says 48 for a model without). */
#define PHYS_BITS 40u
#define LIN_BITS  57u

/* Leaf 1 EDX bits an AMD part repeats in leaf 0x80000001 EDX: 0-9, 12-17, 23, 24. */
#define AMD_EXT_MIRROR 0x0183f3ffu

#define MAX_BASIC 0x0000000du
#define XSAVE_IMPL_SUB1 3u /* leaf 0xD subleaf 1 EAX: XSAVEOPT bit 0, XSAVEC bit 1 */
#define MAX_EXT   0x80000008u

struct cpuid_leaf {
    uint32_t leaf;
    uint32_t r[4]; /* eax, ebx, ecx, edx */
};

/* "GenuineIntel" is EBX, EDX, ECX order. Leaves 2 and 4 (caches) come from
 * cpuid_cache.c; 3 and 5 read as zero. */
static const struct cpuid_leaf leaves[] = {
    {0x00000000, {MAX_BASIC, 0x756e6547 /* Genu */, 0x6c65746e /* ntel */, 0x49656e69 /* ineI */}},
    /* XSAVE: CR4.OSXSAVE is writable when it is advertised (iem_sys.c);
     * AVX, FMA, F16C (and AVX2): only on a host that has them (cpuid_model.c) */
    {0x00000001, {CPU_SIGNATURE, 8u << 8 /* CLFLUSH line: 8 quadwords */,
                  F(SSE3) | F(SSSE3) | F(CX16) | F(PCID) | F(SSE41) | F(SSE42) | F(MOVBE) | F(POPCNT) |
                      F(PCLMULQDQ) | F(AES) | F(XSAVE) | F(RDRAND) | F(X2APIC) | F(TSCDL) | F(FMA) | F(AVX) |
                      F(F16C),
                  F(FPU) | F(VME) | F(APIC) | F(DE) | F(PSE) | F(TSC) | F(MSR) | F(PAE) | F(CX8) | F(SEP) | F(PGE) |
                      F(MTRR) | F(MCE) | F(MCA) | F(PAT) | F(CMOV) | F(PSE36) | F(CLFLUSH) | F(MMX) | F(FXSR) | F(SSE) | F(SSE2)}},
    {0x00000006, {F6A_ARAT, 0, 0, 0}},
    /* subleaf 0; EAX = max subleaf */
    {0x00000007, {0, F(FSGSBASE) | F(TSC_ADJUST) | F(BMI1) | F(AVX2) | F(SMEP) | F(BMI2) | F(INVPCID) | F(ADX) |
                      F(SMAP) | F(RDSEED) | F(CLFLUSHOPT) | F(CLWB), F(UMIP) | F(PKU) | F(LA57) | F(RDPID) | F(PKS), F(ARCH_CAP)}},
    {0x80000000, {MAX_EXT, 0, 0, 0}},
    {0x80000001, {0, 0, F(ABM) /* LZCNT */, F(SYSCALL) | F(NX) | F(PDPE1GB) | F(RDTSCP) | F(LM)}},
    {0x80000008, {(LIN_BITS << 8) | PHYS_BITS, 0, 0, 0}},
};

uint32_t iem_cpu_signature(struct vcpu *v)
{
    return iem_cpu_ident(v)->signature;
}

/* The table alone: every feature IEM implements (the "max" model). */
void iem_cpuid_impl(uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    memset(out, 0, 4 * sizeof(uint32_t));
    if (leaf == 0xd && sub == 1) {
        out[0] = XSAVE_IMPL_SUB1; /* XSAVEOPT, XSAVEC */
        return;
    }
    if ((leaf == 7 || leaf == 4 || leaf == 0xd) && sub != 0)
        return; /* only subleaf 0 is in the table (leaf 4: cpuid_cache.c) */
    for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
        if (leaves[i].leaf != leaf)
            continue;
        memcpy(out, leaves[i].r, sizeof(leaves[i].r));
        break;
    }
}

/* Leaf 0xB from -smp N: one thread per core, N cores in one package;
 * EDX is the x2APIC ID, subleaf 0 the SMT level, 1 the core level. */
static void cpuid_topology(struct vcpu *v, uint32_t sub, uint32_t out[4])
{
    unsigned n = v->vm ? v->vm->ncpus : 1, shift = 0;
    while ((1u << shift) < n)
        shift++;
    out[0] = sub == 0 ? 0 : sub == 1 ? shift : 0;
    out[1] = sub == 0 ? 1 : sub == 1 ? n : 0;
    out[2] = (sub & 0xff) | (sub == 0 ? 1u << 8 : sub == 1 ? 2u << 8 : 0);
    out[3] = v->id;
}

/* Leaf 0's EBX, EDX, ECX (and an AMD part's leaf 0x80000000's) spell the vendor. */
static void put_vendor(const struct cpu_ident *id, uint32_t out[4])
{
    memcpy(&out[1], id->vendor, 4);
    memcpy(&out[3], id->vendor + 4, 4);
    memcpy(&out[2], id->vendor + 8, 4);
}

void iem_cpuid(struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    const struct cpu_ident *id = iem_cpu_ident(v);
    bool ext = (leaf & 0x80000000u) != 0;
    /* IA32_MISC_ENABLE.Limit CPUID Maxval: leaf 0 says 2 (Intel only). */
    uint32_t level = (v->cpu.misc_enable & MISC_LIMIT_CPUID) && !id->amd && id->level > 2 ? 2 : id->level;
    uint32_t top = ext ? id->xlevel : level;

    /* Beyond the model's level/xlevel, Intel answers with the highest basic
     * leaf, AMD with zeros. */
    if (leaf > top || (ext && top < 0x80000000u)) {
        if (id->amd) {
            memset(out, 0, 4 * sizeof(uint32_t));
            return;
        }
        leaf = level;
    }
    if (leaf >= 0x80000002u && leaf <= 0x80000004u) {
        memcpy(out, id->brand + (leaf - 0x80000002u) * 16, 16);
        return;
    }
    iem_cpuid_impl(leaf, sub, out);
    if (leaf == 0) {
        out[0] = level;
        put_vendor(id, out);
    }
    if (leaf == 0x80000000u) {
        out[0] = id->xlevel;
        if (id->amd)
            put_vendor(id, out);
    }
    if (leaf == 1) {
        out[0] = id->signature;
        out[1] |= (uint32_t)(v->id & 0xff) << 24; /* initial APIC id */
        unsigned n = v->vm ? v->vm->ncpus : 1;
        if (n > 1) { /* logical processors per package */
            out[1] |= (n & 0xff) << 16;
            out[3] |= F1_HTT;
        }
        if (!(v->cpu.apic_base & 0x800))
            out[3] &= ~F(APIC); /* cleared while IA32_APIC_BASE.EN is 0 */
    }
    if (leaf == 0xb)
        cpuid_topology(v, sub, out);
    if (leaf == 2 || leaf == 4)
        cpuid_cache_leaf(v, leaf, sub, out);
    if (leaf == 0x80000005u || leaf == 0x80000006u)
        cpuid_cache_ext_leaf(leaf, id->amd, out);
    if (leaf == 0x80000008u && id->amd) { /* cores per package - 1, and the APIC ID bits for them */
        unsigned n = v->vm ? v->vm->ncpus : 1, shift = 0;
        while ((1u << shift) < n)
            shift++;
        out[2] = (n - 1) | shift << 12;
    }
    if (leaf == 7 && (v->cpu.cr4 & CR4_PKE))
        out[2] |= F7C_OSPKE;
    cpuid_model_apply(v, leaf, sub, out);
    if (leaf == 0x80000001u && id->amd) { /* AMD repeats leaf 1's FPU..FXSR bits here */
        uint32_t l1[4];
        iem_cpuid(v, 1, 0, l1);
        out[3] |= l1[3] & AMD_EXT_MIRROR;
    }
    if (leaf == 0x80000001u && (v->cpu.misc_enable & MISC_XD_DISABLE))
        out[3] &= ~F(NX); /* IA32_MISC_ENABLE.XD Bit Disable */
    if (leaf == 0x80000008u && !iem_feat(v, CF_LA57))
        out[0] = (out[0] & ~0xff00u) | 48u << 8;
}

bool iem_cpuid_has(struct vcpu *v, uint32_t leaf, unsigned reg, uint32_t bit)
{
    uint32_t r[4];
    iem_cpuid(v, leaf, 0, r);
    return (r[reg & 3] & bit) != 0;
}
