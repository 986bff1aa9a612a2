/* CPUID: one table of leaves describing exactly what IEM implements (the
 * "max" model); cpuid_model.c then clears what the -cpu model leaves out.
 *
 * The model is a P6-era part (family 6, model 5, stepping 2: a Pentium II
 * "Deschutes"), old enough that guests expect no SSE/APIC, new enough
 * that SYSENTER is not disabled by the PPro erratum check Linux applies to
 * family 6 model < 3 stepping < 3. It has grown Intel 64: long mode,
 * SYSCALL, NX, 1 GiB pages, RDTSCP, CMPXCHG16B, PCID/INVPCID and
 * FSGSBASE, each advertised because IEM (and the PGM walker) implement it.
 */
#include "cpu/cpufeat.h"
#include "cpu/iem.h"

#include <string.h>

#define CPU_SIGNATURE 0x00000652u

/* Leaf 1 EDX feature bits. */
#define F1_FPU  (1u << 0)
#define F1_DE   (1u << 2)
#define F1_TSC  (1u << 4)
#define F1_MSR  (1u << 5)
#define F1_CX8  (1u << 8)
#define F1_SEP  (1u << 11)
#define F1_CMOV (1u << 15)
#define F1_PSE  (1u << 3)
#define F1_PAE  (1u << 6)
#define F1_PGE  (1u << 13)
#define F1_PSE36 (1u << 17)
#define F1_APIC  (1u << 9)  /* cleared while IA32_APIC_BASE.EN is 0 */
#define F1_HTT   (1u << 28)
#define F1C_X2APIC       (1u << 21)
#define F1C_TSC_DEADLINE (1u << 24)
#define F6A_ARAT (1u << 2) /* the APIC timer runs in every C-state */
/* Leaf 1 ECX. */
#define F1_CLFSH (1u << 19)
#define F1_MMX   (1u << 23)
#define F1_FXSR  (1u << 24)
#define F1_SSE   (1u << 25)
#define F1_SSE2  (1u << 26)
#define F1C_SSE3   (1u << 0)
#define F1C_SSSE3  (1u << 9)
#define F1C_SSE41  (1u << 19)
#define F1C_SSE42  (1u << 20)
#define F1C_MOVBE  (1u << 22)
#define F1C_POPCNT (1u << 23)
#define F1C_CX16 (1u << 13)
#define F1C_PCLMUL (1u << 1)
#define F1C_AES    (1u << 25)
#define F1C_XSAVE  (1u << 26) /* CR4.OSXSAVE is writable when this is advertised (iem_sys.c) */
#define F1C_RDRAND (1u << 30)
#define F1C_FMA    (1u << 12)
#define F1C_AVX    (1u << 28) /* AVX, FMA, F16C, AVX2: only on a host that has them (cpuid_model.c) */
#define F1C_F16C   (1u << 29)
#define F7B_AVX2   (1u << 5)
#define F7B_RDSEED     (1u << 18)
#define F7B_CLFLUSHOPT (1u << 23)
#define F7B_CLWB       (1u << 24)
#define F1C_PCID (1u << 17)
/* Leaf 7 subleaf 0 EBX. */
#define F7B_FSGSBASE (1u << 0)
#define F7B_BMI1     (1u << 3)
#define F7B_BMI2     (1u << 8)
#define F7B_ADX      (1u << 19)
#define F7B_INVPCID  (1u << 10)
#define F7B_SMEP     (1u << 7)
#define F7B_SMAP     (1u << 20)
#define F7C_PKU      (1u << 3)
#define F7C_OSPKE    (1u << 4) /* mirrors CR4.PKE */
#define F7C_LA57     (1u << 16)
/* Leaf 0x80000001 EDX. */
/* Leaf 0x80000001 ECX. */
#define FXC_LZCNT  (1u << 5)
#define FX_SYSCALL (1u << 11)
#define FX_NX      (1u << 20)
#define FX_PG1G    (1u << 26)
#define FX_RDTSCP  (1u << 27)
#define FX_LM      (1u << 29)

/* Address sizes (leaf 0x80000008 EAX): the walker's MAXPHYADDR is 40; linear
 * addresses are 57 bits with LA57 (iem_cpuid says 48 for a model without). */
#define PHYS_BITS 40u
#define LIN_BITS  57u

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
    {0x00000001, {CPU_SIGNATURE, 8u << 8 /* CLFLUSH line: 8 quadwords */,
                  F1C_SSE3 | F1C_SSSE3 | F1C_CX16 | F1C_PCID | F1C_SSE41 | F1C_SSE42 | F1C_MOVBE | F1C_POPCNT |
                      F1C_PCLMUL | F1C_AES | F1C_XSAVE | F1C_RDRAND | F1C_X2APIC | F1C_TSC_DEADLINE | F1C_FMA |
                      F1C_AVX | F1C_F16C,
                  F1_FPU | (1u << 1) /* VME */ | F1_APIC | F1_DE | F1_PSE | F1_TSC | F1_MSR | F1_PAE | F1_CX8 | F1_SEP | F1_PGE | F1_CMOV | F1_PSE36 | F1_CLFSH |
                      F1_MMX | F1_FXSR | F1_SSE | F1_SSE2}},
    {0x00000006, {F6A_ARAT, 0, 0, 0}},
    {0x00000007, {0, F7B_FSGSBASE | F7B_BMI1 | F7B_AVX2 | F7B_SMEP | F7B_BMI2 | F7B_INVPCID | F7B_ADX | F7B_SMAP |
                      F7B_RDSEED | F7B_CLFLUSHOPT | F7B_CLWB, F7C_PKU | F7C_LA57, 0}}, /* subleaf 0; EAX = max subleaf */
    {0x80000000, {MAX_EXT, 0, 0, 0}},
    {0x80000001, {0, 0, FXC_LZCNT, FX_SYSCALL | FX_NX | FX_PG1G | FX_RDTSCP | FX_LM}},
    {0x80000008, {(LIN_BITS << 8) | PHYS_BITS, 0, 0, 0}},
};

static const char brand[48] = "pcvm virtual CPU";

uint32_t iem_cpu_signature(void)
{
    return CPU_SIGNATURE;
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

void iem_cpuid(struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    /* Intel answers leaves beyond the maximum with the highest basic leaf. */
    if ((leaf < 0x80000000u && leaf > MAX_BASIC) || leaf > MAX_EXT)
        leaf = MAX_BASIC;
    if (leaf >= 0x80000002u && leaf <= 0x80000004u) {
        memcpy(out, brand + (leaf - 0x80000002u) * 16, 16);
        return;
    }
    iem_cpuid_impl(leaf, sub, out);
    if (leaf == 1) {
        out[1] |= (uint32_t)(v->id & 0xff) << 24; /* initial APIC id */
        unsigned n = v->vm ? v->vm->ncpus : 1;
        if (n > 1) { /* logical processors per package */
            out[1] |= (n & 0xff) << 16;
            out[3] |= F1_HTT;
        }
        if (!(v->cpu.apic_base & 0x800))
            out[3] &= ~F1_APIC;
    }
    if (leaf == 0xb)
        cpuid_topology(v, sub, out);
    if (leaf == 2 || leaf == 4)
        cpuid_cache_leaf(v, leaf, sub, out);
    if (leaf == 7 && (v->cpu.cr4 & CR4_PKE))
        out[2] |= F7C_OSPKE;
    cpuid_model_apply(v, leaf, sub, out);
    if (leaf == 0x80000008u && !iem_feat(v, CF_LA57))
        out[0] = (out[0] & ~0xff00u) | 48u << 8;
}

bool iem_cpuid_has(struct vcpu *v, uint32_t leaf, unsigned reg, uint32_t bit)
{
    uint32_t r[4];
    iem_cpuid(v, leaf, 0, r);
    return (r[reg & 3] & bit) != 0;
}
