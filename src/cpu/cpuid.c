/* CPUID: one table of leaves describing exactly what IEM implements.
 *
 * The model is a P6-era part (family 6, model 5, stepping 2: a Pentium II
 * "Deschutes"), old enough that guests expect no SSE/APIC/PAE, new enough
 * that SYSENTER is not disabled by the PPro erratum check Linux applies to
 * family 6 model < 3 stepping < 3.
 */
#include "cpu/iem.h"

#include <string.h>

#define CPU_SIGNATURE 0x00000652u

/* Leaf 1 EDX feature bits. */
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

#define MAX_BASIC 0x00000001u
#define MAX_EXT   0x80000004u

struct cpuid_leaf {
    uint32_t leaf;
    uint32_t r[4]; /* eax, ebx, ecx, edx */
};

/* "GenuineIntel" is EBX, EDX, ECX order. */
static const struct cpuid_leaf leaves[] = {
    {0x00000000, {MAX_BASIC, 0x756e6547 /* Genu */, 0x6c65746e /* ntel */, 0x49656e69 /* ineI */}},
    {0x00000001, {CPU_SIGNATURE, 0, 0, F1_DE | F1_PSE | F1_TSC | F1_MSR | F1_PAE | F1_CX8 | F1_SEP | F1_PGE |
                                        F1_CMOV | F1_PSE36}},
    {0x80000000, {MAX_EXT, 0, 0, 0}},
    {0x80000001, {0, 0, 0, 0}},
};

static const char brand[48] = "pcvm virtual CPU";

uint32_t iem_cpu_signature(void)
{
    return CPU_SIGNATURE;
}

void iem_cpuid(struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    (void)sub;
    /* Intel answers leaves beyond the maximum with the highest basic leaf. */
    if ((leaf < 0x80000000u && leaf > MAX_BASIC) || leaf > MAX_EXT)
        leaf = MAX_BASIC;
    if (leaf >= 0x80000002u && leaf <= 0x80000004u) {
        memcpy(out, brand + (leaf - 0x80000002u) * 16, 16);
        return;
    }
    memset(out, 0, 4 * sizeof(uint32_t));
    for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
        if (leaves[i].leaf != leaf)
            continue;
        memcpy(out, leaves[i].r, sizeof(leaves[i].r));
        break;
    }
    if (leaf == 1)
        out[1] |= (uint32_t)(v->id & 0xff) << 24; /* initial APIC id */
}
