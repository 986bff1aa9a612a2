/* Guest CPU state shared by IEM, REM and HM, and the CPU's public face.
 *
 * Invariants:
 * - Segment registers hold the hidden (descriptor cache) part as loaded;
 *   nothing re-reads descriptor tables except a segment load.
 * - Arithmetic flags may be lazy: while cpu.lf.op != LF_NONE, the OSZAPC bits
 *   of cpu.rflags are stale and are derived from cpu.lf; cpu_get_flags() is
 *   the only exact view.
 * - cpu.cpl always equals SS.DPL in protected mode (CS.DPL differs from it
 *   in conforming code), 0 in real mode and 3 in virtual-8086 mode.
 */
#ifndef PCVM_CPU_H
#define PCVM_CPU_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct vcpu;
struct vm;

enum { R_AX, R_CX, R_DX, R_BX, R_SP, R_BP, R_SI, R_DI,
       R_R8, R_R9, R_R10, R_R11, R_R12, R_R13, R_R14, R_R15 };
enum { S_ES, S_CS, S_SS, S_DS, S_FS, S_GS, S_NONE = 7 };

/* RFLAGS bits. */
#define F_CF   0x0001u
#define F_1    0x0002u
#define F_PF   0x0004u
#define F_AF   0x0010u
#define F_ZF   0x0040u
#define F_SF   0x0080u
#define F_TF   0x0100u
#define F_IF   0x0200u
#define F_DF   0x0400u
#define F_OF   0x0800u
#define F_IOPL 0x3000u
#define F_NT   0x4000u
#define F_RF   0x10000u
#define F_VM   0x20000u
#define F_AC   0x40000u
#define F_VIF  0x80000u
#define F_VIP  0x100000u
#define F_ID   0x200000u
#define F_ARITH (F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)

#define CR0_PE 0x00000001u
#define CR0_MP 0x00000002u
#define CR0_EM 0x00000004u
#define CR0_TS 0x00000008u
#define CR0_ET 0x00000010u
#define CR0_NE 0x00000020u
#define CR0_WP 0x00010000u
#define CR0_AM 0x00040000u
#define CR0_NW 0x20000000u
#define CR0_CD 0x40000000u
#define CR0_PG 0x80000000u

#define CR4_VME 0x0001u
#define CR4_PVI 0x0002u
#define CR4_TSD 0x0004u
#define CR4_DE  0x0008u
#define CR4_PSE 0x0010u
#define CR4_PAE 0x0020u
#define CR4_MCE 0x0040u
#define CR4_PGE 0x0080u
#define CR4_PCE 0x0100u
#define CR4_OSFXSR 0x0200u
#define CR4_OSXMMEXCPT 0x0400u
#define CR4_UMIP 0x0800u /* SGDT/SIDT/SLDT/SMSW/STR #GP(0) at CPL > 0 */
#define CR4_LA57 0x1000u
#define CR4_FSGSBASE 0x10000u
#define CR4_PCIDE 0x20000u
#define CR4_OSXSAVE 0x40000u /* XSAVE family and XCR0 enabled; mirrored in CPUID.1:ECX[27] */
#define CR4_SMEP 0x100000u
#define CR4_SMAP 0x200000u
#define CR4_PKE 0x400000u
#define CR4_PKS 0x1000000u /* protection keys for supervisor pages (IA32_PKRS) */

#define EFER_SCE 0x001u
#define EFER_LME 0x100u
#define EFER_LMA 0x400u
#define EFER_NXE 0x800u

/* Segment attributes, in the VMX access-rights layout. */
#define SEG_TYPE_MASK 0x000fu
#define SEG_S         0x0010u
#define SEG_DPL_SHIFT 5
#define SEG_P         0x0080u
#define SEG_AVL       0x1000u
#define SEG_L         0x2000u
#define SEG_DB        0x4000u
#define SEG_G         0x8000u
#define SEG_UNUSABLE  0x10000u

struct cpu_seg {
    uint16_t sel;
    uint32_t attr;
    uint32_t limit; /* byte granular, already scaled by G */
    uint64_t base;
};

struct cpu_dtr {
    uint64_t base;
    uint16_t limit;
};

/* Lazy flags: the last flag-setting operation and its operands. The
 * shifts (a masked count that is not 0) keep src1 = the value shifted,
 * src2 = the masked count. New ops go last: saved states store the value. */
enum lf_op {
    LF_NONE, LF_ADD, LF_ADC, LF_SUB, LF_SBB, LF_LOGIC, LF_INC, LF_DEC, LF_NEG,
    LF_SHL, LF_SHR, LF_SAR,
};

struct cpu_lazy {
    uint8_t op;   /* enum lf_op */
    uint8_t size; /* operand size in bytes */
    uint64_t res, src1, src2;
};

enum exc_vector {
    X_DE = 0, X_DB = 1, X_NMI = 2, X_BP = 3, X_OF = 4, X_BR = 5, X_UD = 6,
    X_NM = 7, X_DF = 8, X_TS = 10, X_NP = 11, X_SS = 12, X_GP = 13, X_PF = 14,
    X_MF = 16, X_AC = 17, X_MC = 18, X_XM = 19,
};

/* IA32_APIC_BASE bits. */
#define APIC_BASE_BSP  0x100ull
#define APIC_BASE_EXTD 0x400ull /* x2APIC mode */
#define APIC_BASE_EN   0x800ull

/* MSR numbers the CPU implements. */
#define MSR_TSC            0x10
#define MSR_APIC_BASE      0x1b
#define MSR_SYSENTER_CS    0x174
#define MSR_SYSENTER_ESP   0x175
#define MSR_SYSENTER_EIP   0x176
#define MSR_PAT            0x277
#define MSR_EFER           0xc0000080
#define MSR_STAR           0xc0000081
#define MSR_LSTAR          0xc0000082
#define MSR_CSTAR          0xc0000083
#define MSR_SFMASK         0xc0000084
#define MSR_FS_BASE        0xc0000100
#define MSR_GS_BASE        0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_TSC_AUX        0xc0000103
#define MSR_TSC_ADJUST     0x3b
#define MSR_ARCH_CAPABILITIES 0x10a
#define MSR_MISC_ENABLE    0x1a0
#define MISC_FAST_STRINGS  1ull          /* IA32_MISC_ENABLE bit 0: set at reset */
#define MISC_LIMIT_CPUID   (1ull << 22)  /* CPUID.0:EAX reads 2 */
#define MISC_XD_DISABLE    (1ull << 34)  /* CPUID.80000001H:EDX.NX reads 0 */

/* What CPUID says the processor is: from the -cpu model and its
 * vendor=, family=, model=, stepping=, level=, xlevel=, model-id= (cpuid_model.c). */
struct cpu_ident {
    char vendor[12];     /* leaf 0 EBX, EDX, ECX order as read: "GenuineIntel" */
    bool amd;            /* AMD's CPUID and instruction rules (not "GenuineIntel") */
    uint32_t signature;  /* leaf 1 EAX, EDX at reset */
    uint32_t level;      /* highest basic leaf */
    uint32_t xlevel;     /* highest extended leaf */
    char brand[48];      /* leaves 0x80000002-4 */
};

/* The AMD-only MSRs struct cpu keeps (msr_amd.c). */
enum { CPU_AMD_SYSCFG, CPU_AMD_HWCR, CPU_AMD_NB_CFG, CPU_AMD_INT_PENDING, CPU_AMD_DE_CFG, CPU_AMD_MSRS };
#define CPU_MC_BANKS 10 /* machine-check banks in IA32_MCG_CAP (QEMU's count) */

struct cpu {
    uint64_t gpr[16];
    uint64_t rip;
    uint64_t rflags;
    struct cpu_lazy lf;
    struct cpu_seg seg[6];
    struct cpu_seg ldtr, tr;
    struct cpu_dtr gdtr, idtr;
    uint64_t cr0, cr2, cr3, cr4, cr8;
    uint64_t dr[8];
    uint64_t efer;
    uint64_t xcr0;
    uint8_t cpl;
    /* MSRs */
    uint64_t apic_base;
    uint64_t tsc_offset;
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t star, lstar, cstar, sfmask, kernel_gs_base, tsc_aux, pat;
    uint64_t misc_enable; /* IA32_MISC_ENABLE's writable bits (msr_ia32.c) */
    uint64_t tsc_adjust;  /* IA32_TSC_ADJUST */
    uint64_t mtrr_def, mtrr_fix[11], mtrr_var[16]; /* MTRRdefType, fixed ranges, PHYSBASE/PHYSMASK 0-7 */
    uint64_t amd_msr[CPU_AMD_MSRS];                /* AMD models' SYSCFG ... DE_CFG (msr_amd.c) */
    uint64_t mcg_status, mcg_ctl, mc_bank[CPU_MC_BANKS][4]; /* machine-check MSRs (msr_mca.c) */
    /* Interrupt state */
    bool halted;
    bool nmi_blocked;
    uint64_t inhibit_irq_rip; /* STI/MOV SS shadow: IRQs held for one insn */
    bool inhibit_irq;
    /* x87/SSE storage, interpreted by the SIMD issue's code. */
    uint16_t fcw, fsw, ftw;
    uint32_t mxcsr;
    uint8_t fpr[8][16];
    uint8_t xmm[16][16];
    /* x87 last non-control instruction (FNSTENV/FNSAVE images): offsets,
     * selectors and the 11-bit opcode (fpu*.c, iem_x87.c). */
    uint64_t fpu_ip, fpu_dp;
    uint16_t fpu_cs, fpu_ds, fpu_op;
    /* Paging (src/pgm, mem.c) */
    uint64_t pdpte[4];    /* PAE PDPTE registers, loaded with CR3 (pgm_cr_load_pdptes) */
    uint32_t pkru;        /* protection-key rights for user pages (CR4.PKE) */
    uint32_t pkrs;        /* IA32_PKRS: the same for supervisor pages (CR4.PKS) */
    uint8_t pdpte_loaded; /* 0: pdpte[] not loaded; the walker loads it at first use */
    /* SIMD issue: bits 255:128 of YMM0-15 (legacy SSE forms leave them, VEX.128 zeroes them). */
    uint8_t ymmh[16][16];
    /* The -cpu model's enabled features (cpuid_model.c), a bit per enum cpu_feat;
     * built at first use after reset from vm->cfg.cpu_model. */
    uint64_t feat[2];
    uint8_t feat_ready;
    struct cpu_ident ident; /* valid with feat */
};

/* Reset state (SDM vol. 3 table 9-1); edx holds the CPU signature.
 * (Not cpu_reset: libunicorn exports that name, and the unit tests link both.) */
void cpu_state_reset(struct cpu *c, uint32_t signature);
/* CPUID leaf 1 EAX, also EDX at reset, of v's -cpu model (cpuid.c). */
uint32_t iem_cpu_signature(struct vcpu *v);
/* -cpu help: the models and QEMU's flag names (cpuid_qemu.c). */
void cpu_model_list(FILE *f);
/* -cpu MODEL[,+feat,-feat,feat=on|off...] (cpuid_model.c): 0 when valid,
 * else -1 with one line naming the problem in err. A flag QEMU knows and
 * pcvm does not implement is a warning on stderr and stays off. */
int cpu_model_check(const char *spec, char *err, unsigned len);
/* Whether the -cpu model spec (NULL: the default) has long mode. */
bool cpu_model_has_lm(const char *spec);
/* Prints each feature: name, implemented by IEM, advertised by spec. */
void cpu_model_print(FILE *f, const char *spec);

uint64_t cpu_get_flags(const struct cpu *c);
/* EFLAGS.CF alone (F_CF or 0), without working out the other flags. */
uint64_t cpu_get_cf(const struct cpu *c);
void cpu_set_flags(struct cpu *c, uint64_t rflags);
bool cpu_cond(const struct cpu *c, unsigned cc); /* Jcc condition 0..15 */

static inline bool cpu_is_real(const struct cpu *c) { return !(c->cr0 & CR0_PE); }
static inline bool cpu_is_v86(const struct cpu *c) { return (c->cr0 & CR0_PE) && (c->rflags & F_VM); }
static inline bool cpu_is_long(const struct cpu *c) { return (c->efer & EFER_LMA) != 0; }
static inline bool cpu_is_64(const struct cpu *c)
{
    return (c->efer & EFER_LMA) && (c->seg[S_CS].attr & SEG_L);
}
/* Default operand/address size of CS, in bytes: 2, 4 or 8. */
static inline unsigned cpu_code_size(const struct cpu *c)
{
    if (cpu_is_64(c))
        return 8;
    return (!cpu_is_real(c) && !cpu_is_v86(c) && (c->seg[S_CS].attr & SEG_DB)) ? 4 : 2;
}

/* Status of an instruction or of iem_exec(); < 0 is an internal error. */
enum { IEM_OK = 0, IEM_EXC = 1, IEM_HALT = 2, IEM_BREAK = 3, IEM_TRIPLE = 4 };

/* The interpreter (IEM), the engine every other engine falls back to. */
int iem_init(struct vcpu *v);
void iem_fini(struct vcpu *v);
/* Executes up to max instructions, delivering exceptions and interrupts;
 * stops early on HLT, a forced action or a break. Returns the IEM_* status
 * of the last instruction (IEM_TRIPLE on a triple fault), or < 0 on an
 * internal error. */
int iem_exec(struct vcpu *v, uint64_t max);
/* One instruction for EM's debug loop: delivers a pending interrupt
 * first unless irqs is false (single steps do not enter handlers, as with
 * QEMU's gdb stub), then returns IEM_BREAK without executing when
 * stop_at(v) says the instruction now at CS:RIP must not run. */
int iem_exec_debug(struct vcpu *v, bool irqs, bool (*stop_at)(struct vcpu *v));
/* Drops decoded instructions and TLB entries (mode changes, tests). */
void iem_flush(struct vcpu *v);

/* The one place that decides which interrupt a vCPU takes next: an NMI
 * when nmi_ok, else (irq_ok: the CPU accepts one now) the local APIC's
 * highest deliverable vector, else the 8259's. The vector is acknowledged
 * at its controller (*nmi tells which kind) and returned; -1 when none.
 * IEM delivers it itself; HM injects it with KVM_INTERRUPT / KVM_NMI. */
int iem_ack_interrupt(struct vcpu *v, unsigned ff, bool nmi_ok, bool irq_ok, bool *nmi);
/* Delivers an event through the guest's IDT/IVT as IEM does: an
 * acknowledged external interrupt or NMI, or a hardware exception another
 * engine had in flight when it handed the vCPU over (HM). */
enum { IEM_EVENT_IRQ, IEM_EVENT_NMI, IEM_EVENT_EXC };
int iem_deliver_event(struct vcpu *v, unsigned vector, int kind, uint32_t err, bool has_err);
/* CPUID as the -cpu model answers it (cpuid.c; HM filters it for KVM). */
void iem_cpuid(struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t out[4]);

/* One line of registers for dumps and traces. */
int cpu_dump(const struct cpu *c, char *buf, unsigned len);

#endif
