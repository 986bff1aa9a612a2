/* MSR pieces split from msr.c (the descriptor table): msr_ia32.c, msr_amd.c. Only
 * src/cpu/ includes this. */
#ifndef PCVM_MSR_H
#define PCVM_MSR_H

#include "cpu/iem.h"

/* msr is not one of msr_ia32.c's: msr.c's table decides. */
#define MSR_NOT_HERE (-1)

/* IA32_MISC_ENABLE, IA32_TSC_ADJUST and the MTRRs: IEM_OK, a fault status,
 * or MSR_NOT_HERE. */
int msr_ia32_read(struct vcpu *v, uint32_t msr, uint64_t *val);
int msr_ia32_write(struct vcpu *v, uint32_t msr, uint64_t val);
/* SYSCFG, HWCR, NB_CFG, DE_CFG on an AMD model (msr_amd.c): likewise. */
int msr_amd_read(struct vcpu *v, uint32_t msr, uint64_t *val);
int msr_amd_write(struct vcpu *v, uint32_t msr, uint64_t val);
/* The machine-check MSRs with CPUID.1:EDX.MCA (msr_mca.c): likewise. */
int msr_mca_read(struct vcpu *v, uint32_t msr, uint64_t *val);
int msr_mca_write(struct vcpu *v, uint32_t msr, uint64_t val);

#endif
