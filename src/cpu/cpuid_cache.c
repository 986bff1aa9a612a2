/* CPUID leaves 2 and 4, and 0x80000005/6: the cache hierarchy. Every model describes the same
 * plausible hierarchy (a client part of the Haswell/Skylake kind): private
 * 32 KiB L1d and L1i and a 256 KiB L2 per core, and an 8 MiB L3 shared by
 * the package. Leaf 2 carries only descriptor 0xFF ("use leaf 4"), as
 * current Intel parts do, so the two leaves can never disagree; a model
 * whose highest leaf is below 4 gets the legacy descriptors instead. The sharing
 * fields follow -smp the way leaf 0xB does: one thread per core, every
 * vCPU a core of the one package. Leaves 0x80000005 (AMD only: Intel
 * reserves it) and 0x80000006 (L2 in ECX; AMD adds L3 in EDX) describe the
 * same caches, with TLBs of the same era: kernels divide by these
 * associativities (Linux on AMD family 15h), so none reads as zero.
 */
#include "cpu/cpufeat.h"

#include <string.h>

struct cache_desc {
    uint8_t type, level;        /* leaf 4 EAX[4:0] (1 data, 2 code, 3 unified) and [7:5] */
    uint8_t ways, shared;       /* shared: by every core of the package */
    uint32_t size;              /* bytes */
    uint8_t inclusive, complex; /* EDX[1], EDX[2] */
};

#define LINE 64u

static const struct cache_desc caches[] = {
    {1, 1, 8, 0, 32u << 10, 0, 0},
    {2, 1, 8, 0, 32u << 10, 0, 0},
    {3, 2, 4, 0, 256u << 10, 0, 0},
    {3, 3, 16, 1, 8u << 20, 1, 1},
};

/* Addressable IDs for n cores, a power of two as APIC IDs are assigned. */
static unsigned id_span(unsigned n)
{
    unsigned s = 1;
    while (s < n)
        s <<= 1;
    return s;
}

void cpuid_cache_leaf(struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t out[4])
{
    memset(out, 0, 4 * sizeof(uint32_t));
    if (leaf == 2 && iem_cpu_ident(v)->level < 4) {
        /* no leaf 4 to point at (a Pentium II model): the legacy descriptors
         * of the same caches, 0x2C L1d and 0x30 L1i (32 KiB 8-way), 0x3C L2
         * (256 KiB 4-way), 0x4B L3 (8 MiB 16-way), all 64-byte lines. glibc
         * follows descriptor 0xFF to leaf 4 without checking the level, and
         * a leaf past it answers leaf 2 again: it looped forever. */
        out[0] = 0x3c302c01;
        out[1] = 0x4b;
        return;
    }
    if (leaf == 2) {
        out[0] = 0xff01; /* AL = 1 iteration; descriptor 0xFF: see leaf 4 */
        return;
    }
    if (sub >= sizeof(caches) / sizeof(caches[0]))
        return; /* type 0: no more caches */
    const struct cache_desc *c = &caches[sub];
    unsigned span = id_span(v->vm ? v->vm->ncpus : 1);
    unsigned cores = span > 64 ? 64 : span; /* EAX[31:26] holds at most 63 */
    uint32_t sets = c->size / (LINE * c->ways);
    out[0] = c->type | (uint32_t)c->level << 5 | 1u << 8 /* self-initialising */ |
             (c->shared ? span - 1 : 0) << 14 | (cores - 1) << 26;
    out[1] = (LINE - 1) | 0u << 12 /* one partition */ | (uint32_t)(c->ways - 1) << 22;
    out[2] = sets - 1;
    out[3] = (uint32_t)c->inclusive << 1 | (uint32_t)c->complex << 2;
}

/* AMD's 4-bit associativity code of leaf 0x80000006 (Intel uses the same
 * values for L2): 2^k ways as 2k for k = 1..4, 0xF fully associative. */
static uint32_t assoc_code(unsigned ways)
{
    switch (ways) {
    case 1: return 1;
    case 2: return 2;
    case 4: return 4;
    case 8: return 6;
    case 16: return 8;
    default: return 0xf;
    }
}

/* Leaf 0x80000005 ECX/EDX (size KiB, ways, lines per tag, line size). */
static uint32_t l1_desc(const struct cache_desc *c)
{
    return (c->size >> 10) << 24 | (uint32_t)c->ways << 16 | 1u << 8 | LINE;
}

void cpuid_cache_ext_leaf(uint32_t leaf, bool amd, uint32_t out[4])
{
    memset(out, 0, 4 * sizeof(uint32_t));
    if (leaf == 0x80000005u && amd) {
        /* L1 TLBs: 2M/4M and 4K pages, data in the high half; 0xFF = fully
         * associative */
        out[0] = 0xffu << 24 | 32u << 16 | 0xffu << 8 | 8u;
        out[1] = 0xffu << 24 | 64u << 16 | 0xffu << 8 | 64u;
        out[2] = l1_desc(&caches[0]);
        out[3] = l1_desc(&caches[1]);
    } else if (leaf == 0x80000006u) {
        const struct cache_desc *l2 = &caches[2], *l3 = &caches[3];
        if (amd) { /* L2 TLBs: 4-way, 1024 entries of 2M/4M, 512 of 4K */
            out[0] = 4u << 28 | 1024u << 16 | 4u << 12 | 1024u;
            out[1] = 4u << 28 | 512u << 16 | 4u << 12 | 512u;
            out[3] = (l3->size >> 19) << 18 | assoc_code(l3->ways) << 12 | 1u << 8 | LINE;
        }
        out[2] = (l2->size >> 10) << 16 | assoc_code(l2->ways) << 12 | (amd ? 1u << 8 : 0) | LINE;
    }
}
