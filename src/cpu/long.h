/* Shared by the long-mode pieces of IEM (iem_long.c, iem_sys.c, msr.c,
 * cpuid.c): CPUID feature queries and canonical checks.
 * Only src/cpu/ includes this.
 */
#ifndef PCVM_LONG_H
#define PCVM_LONG_H

#include "cpu/iem.h"

/* CPUID registers for iem_cpuid_has(). */
enum { CPUID_EAX, CPUID_EBX, CPUID_ECX, CPUID_EDX };

/* True when CPUID leaf (subleaf 0) reports bit in register reg. */
bool iem_cpuid_has(struct vcpu *v, uint32_t leaf, unsigned reg, uint32_t bit);

static inline bool has_fsgsbase(struct vcpu *v) { return iem_cpuid_has(v, 7, CPUID_EBX, 1u << 0); }
static inline bool has_invpcid(struct vcpu *v) { return iem_cpuid_has(v, 7, CPUID_EBX, 1u << 10); }
static inline bool has_smep(struct vcpu *v) { return iem_cpuid_has(v, 7, CPUID_EBX, 1u << 7); }
static inline bool has_smap(struct vcpu *v) { return iem_cpuid_has(v, 7, CPUID_EBX, 1u << 20); }
static inline bool has_pku(struct vcpu *v) { return iem_cpuid_has(v, 7, CPUID_ECX, 1u << 3); }
static inline bool has_umip(struct vcpu *v) { return iem_cpuid_has(v, 7, CPUID_ECX, 1u << 2); }
static inline bool has_pks(struct vcpu *v) { return iem_cpuid_has(v, 7, CPUID_ECX, 1u << 31); }
static inline bool has_la57(struct vcpu *v) { return iem_cpuid_has(v, 7, CPUID_ECX, 1u << 16); }
static inline bool has_pcid(struct vcpu *v) { return iem_cpuid_has(v, 1, CPUID_ECX, 1u << 17); }
static inline bool has_rdtscp(struct vcpu *v) { return iem_cpuid_has(v, 0x80000001u, CPUID_EDX, 1u << 27); }

/* A linear address loaded into a register (GDTR/IDTR, the TR/LDTR/FS/GS
 * bases, KERNEL_GS_BASE, LSTAR, CSTAR, SYSENTER_ESP/EIP, INVPCID's
 * operand) is checked against the widest linear address the processor
 * supports, whatever the current paging depth: 57 bits when CPUID has LA57,
 * even with CR4.LA57 = 0 (Intel's LAM and 5-level paging documents). Memory
 * accesses and RIP use iem_canonical(), which follows CR4.LA57. */
static inline bool iem_canonical_reg(struct vcpu *v, uint64_t a)
{
    return pgm_canonical(has_la57(v) ? CR4_LA57 : 0, a);
}

/* The flat 4 GiB segments SYSCALL/SYSRET and SYSENTER/SYSEXIT load
 * without reading the GDT, with VMX-layout attributes. */
#define ATTR_CS64_DPL0 0xa09bu /* G, L, P, S, type 11 */
#define ATTR_CS32_DPL0 0xc09bu /* G, D, P, S, type 11 */
#define ATTR_SS_DPL0   0xc093u /* G, B, P, S, type 3 */
#define ATTR_CS64_DPL3 0xa0fbu
#define ATTR_CS32_DPL3 0xc0fbu
#define ATTR_SS_DPL3   0xc0f3u

static inline void iem_seg_flat(struct cpu_seg *s, uint16_t sel, uint32_t attr)
{
    s->sel = sel;
    s->base = 0;
    s->limit = 0xffffffffu;
    s->attr = attr;
}

/* MAXPHYADDR of the walker (CPUID 0x80000008 EAX[7:0]). */
#define IEM_MAXPHYADDR 40

#endif
