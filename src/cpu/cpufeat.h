/* CPU features by name (QEMU's spelling) and the -cpu model that enables
 * them (cpuid_model.c). CPUID shows a feature when IEM implements it (its
 * bit is in cpuid.c's leaf table) and the model enables it; an instruction
 * of a feature the model leaves out raises #UD. Only src/cpu/ includes this,
 * and src/rem/, whose compiled code makes the same feature checks.
 */
#ifndef PCVM_CPUFEAT_H
#define PCVM_CPUFEAT_H

#include "cpu/iem.h"

#define CPU_FEAT_LIST(X)                                                                            \
    X(FPU, "fpu", 1, 0, 3, 0) X(VME, "vme", 1, 0, 3, 1) X(DE, "de", 1, 0, 3, 2)                     \
    X(PSE, "pse", 1, 0, 3, 3) X(TSC, "tsc", 1, 0, 3, 4) X(MSR, "msr", 1, 0, 3, 5)                   \
    X(PAE, "pae", 1, 0, 3, 6) X(MCE, "mce", 1, 0, 3, 7) X(CX8, "cx8", 1, 0, 3, 8)                   \
    X(APIC, "apic", 1, 0, 3, 9) X(SEP, "sep", 1, 0, 3, 11) X(MTRR, "mtrr", 1, 0, 3, 12)             \
    X(PGE, "pge", 1, 0, 3, 13) X(MCA, "mca", 1, 0, 3, 14) X(CMOV, "cmov", 1, 0, 3, 15)              \
    X(PAT, "pat", 1, 0, 3, 16) X(PSE36, "pse36", 1, 0, 3, 17) X(CLFLUSH, "clflush", 1, 0, 3, 19)    \
    X(MMX, "mmx", 1, 0, 3, 23) X(FXSR, "fxsr", 1, 0, 3, 24) X(SSE, "sse", 1, 0, 3, 25)              \
    X(SSE2, "sse2", 1, 0, 3, 26)                                                                    \
    X(SSE3, "pni", 1, 0, 2, 0) X(PCLMULQDQ, "pclmulqdq", 1, 0, 2, 1) X(SSSE3, "ssse3", 1, 0, 2, 9)  \
    X(FMA, "fma", 1, 0, 2, 12) X(CX16, "cx16", 1, 0, 2, 13) X(PCID, "pcid", 1, 0, 2, 17)            \
    X(SSE41, "sse4.1", 1, 0, 2, 19) X(SSE42, "sse4.2", 1, 0, 2, 20) X(X2APIC, "x2apic", 1, 0, 2, 21) \
    X(MOVBE, "movbe", 1, 0, 2, 22) X(POPCNT, "popcnt", 1, 0, 2, 23)                                 \
    X(TSCDL, "tsc-deadline", 1, 0, 2, 24) X(AES, "aes", 1, 0, 2, 25) X(XSAVE, "xsave", 1, 0, 2, 26) \
    X(AVX, "avx", 1, 0, 2, 28) X(F16C, "f16c", 1, 0, 2, 29) X(RDRAND, "rdrand", 1, 0, 2, 30)        \
    X(HYPERVISOR, "hypervisor", 1, 0, 2, 31)                                                        \
    X(FSGSBASE, "fsgsbase", 7, 0, 1, 0) X(BMI1, "bmi1", 7, 0, 1, 3) X(AVX2, "avx2", 7, 0, 1, 5)     \
    X(SMEP, "smep", 7, 0, 1, 7) X(BMI2, "bmi2", 7, 0, 1, 8) X(ERMS, "erms", 7, 0, 1, 9)             \
    X(INVPCID, "invpcid", 7, 0, 1, 10) X(RDSEED, "rdseed", 7, 0, 1, 18) X(ADX, "adx", 7, 0, 1, 19)  \
    X(TSC_ADJUST, "tsc-adjust", 7, 0, 1, 1) X(RDPID, "rdpid", 7, 0, 2, 22)                         \
    X(SMAP, "smap", 7, 0, 1, 20) X(CLFLUSHOPT, "clflushopt", 7, 0, 1, 23)                           \
    X(CLWB, "clwb", 7, 0, 1, 24) X(PKU, "pku", 7, 0, 2, 3) X(LA57, "la57", 7, 0, 2, 16)                                        \
    X(UMIP, "umip", 7, 0, 2, 2) X(PKS, "pks", 7, 0, 2, 31)                                          \
    X(ARCH_CAP, "arch-capabilities", 7, 0, 3, 29)                                                   \
    X(XSAVEOPT, "xsaveopt", 0xd, 1, 0, 0) X(XSAVEC, "xsavec", 0xd, 1, 0, 1)                         \
    X(LAHF_LM, "lahf_lm", 0x80000001u, 0, 2, 0) X(ABM, "abm", 0x80000001u, 0, 2, 5)                 \
    X(SYSCALL, "syscall", 0x80000001u, 0, 3, 11) X(NX, "nx", 0x80000001u, 0, 3, 20)                 \
    X(PDPE1GB, "pdpe1gb", 0x80000001u, 0, 3, 26) X(RDTSCP, "rdtscp", 0x80000001u, 0, 3, 27)         \
    X(LM, "lm", 0x80000001u, 0, 3, 29)

#define CPU_FEAT_ENUM(id, name, leaf, sub, reg, bit) CF_##id,
enum cpu_feat { CPU_FEAT_LIST(CPU_FEAT_ENUM) CF_COUNT, CF_NONE = 0xff };
/* A feature's bit in its CPUID register, usable in constant expressions
 * (cpuid.c's leaf table): CPU_FEAT_MASK(SSE) is 1u << 25. */
#define CPU_FEAT_BITNO(id, name, leaf, sub, reg, bit) CFB_##id = bit,
enum cpu_feat_bitno { CPU_FEAT_LIST(CPU_FEAT_BITNO) };
#define CPU_FEAT_MASK(id) (1u << CFB_##id)

/* The -cpu model's identity for v (vendor, signature, levels, brand). */
const struct cpu_ident *iem_cpu_ident(struct vcpu *v);
/* True when the model enables f and IEM implements it. */
bool iem_feat(struct vcpu *v, unsigned f);
/* CPUID's per-model view: clears the bits of features the model leaves out,
 * mirrors CR4.OSXSAVE, and answers leaf 0xD (cpuid.c calls it last). */
void cpuid_model_apply(struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t out[4]);
/* Leaves 2 and 4, the cache hierarchy (cpuid_cache.c). */
void cpuid_cache_leaf(struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t out[4]);
/* Leaves 0x80000005 and 0x80000006 for an AMD or an Intel model. */
void cpuid_cache_ext_leaf(uint32_t leaf, bool amd, uint32_t out[4]);
/* The leaf table of what IEM implements, without the model (cpuid.c). */
void iem_cpuid_impl(uint32_t leaf, uint32_t sub, uint32_t out[4]);

/* QEMU's CPU models and flag names (cpuid_qemu.c). feats: the model's
 * features, space separated; NULL means every implemented one (max, host). */
struct cpu_model_def {
    const char *name, *vendor;
    unsigned family, model, stepping;
    uint32_t level, xlevel;
    const char *model_id, *feats;
};
extern const struct cpu_model_def cpu_model_defs[];
extern const unsigned cpu_model_count;
/* The model called s[0..n) (or its "-v1"), or NULL. */
const struct cpu_model_def *cpu_model_def_find(const char *s, size_t n);
/* True when a[0..n) is the flag name b, '_' and '-' alike (QEMU's rule). */
bool cpu_flag_name_eq(const char *a, size_t n, const char *b);
/* True when QEMU names a CPUID flag s[0..n) ('_' and '-' alike). */
bool cpu_qemu_flag_known(const char *s, size_t n);

/* XCR0 components (SDM vol. 1, 13.1). */
#define XCR0_X87 1u
#define XCR0_SSE 2u
#define XCR0_AVX 4u
/* XCR0 bits this vCPU supports (CPUID.(EAX=0DH,ECX=0):EAX). */
uint64_t iem_xcr0_supported(struct vcpu *v);

#endif
