/* The machine-check architecture's MSRs (SDM vol. 3 16.3): IA32_MCG_CAP,
 * IA32_MCG_STATUS, IA32_MCG_CTL and CPU_MC_BANKS banks of IA32_MCi_CTL,
 * _STATUS, _ADDR and _MISC from 0x400. msr.c asks here after msr_amd.c.
 *
 * Invariants:
 * - They exist only when the model's CPUID.1:EDX.MCA is set; otherwise,
 *   and for the banks past MCG_CAP's count up to 0x47F, #GP(0).
 * - No machine check is ever raised: the status registers only hold what
 *   software wrote (zero after reset).
 * - Reserved bits, and the values the SDM rules out, are #GP(0) and change
 *   nothing: MCG_CAP is read-only, MCG_STATUS has RIPV, EIPV and MCIP,
 *   MCi_CTL on Intel takes all zeros or all ones (16.3.2.1, for the P6
 *   family the models' family 6 signature names), MCi_STATUS only 0
 *   (16.3.2.2: writing 1s #GP). MCG_CTL (values other than all zeros or
 *   ones are undefined), MCi_ADDR and MCi_MISC keep any value.
 */
#include "cpu/cpufeat.h"
#include "cpu/msr.h"

#define MSR_MCG_CAP    0x179
#define MSR_MCG_STATUS 0x17a
#define MSR_MCG_CTL    0x17b
#define MSR_MC_FIRST   0x400
#define MSR_MC_LAST    0x47f /* 32 banks' worth; 0x480 starts the VMX MSRs */
#define MCG_CTL_P      (1ull << 8)
#define MCG_STATUS_OK  0x7ull /* RIPV, EIPV, MCIP */

enum { MC_CTL, MC_STATUS, MC_ADDR, MC_MISC };

static bool mca_msr(uint32_t msr)
{
    return (msr >= MSR_MCG_CAP && msr <= MSR_MCG_CTL) || (msr >= MSR_MC_FIRST && msr <= MSR_MC_LAST);
}

/* The bank register's storage, or NULL past the banks (and for MCG_*). */
static uint64_t *mc_reg(struct vcpu *v, uint32_t msr)
{
    if (msr < MSR_MC_FIRST || msr >= MSR_MC_FIRST + 4 * CPU_MC_BANKS)
        return NULL;
    return &v->cpu.mc_bank[(msr - MSR_MC_FIRST) / 4][(msr - MSR_MC_FIRST) % 4];
}

int msr_mca_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    if (!mca_msr(msr))
        return MSR_NOT_HERE;
    if (!iem_feat(v, CF_MCA))
        return iem_gp(v, 0);
    uint64_t *reg = mc_reg(v, msr);
    if (msr == MSR_MCG_CAP)
        *val = CPU_MC_BANKS | MCG_CTL_P;
    else if (msr == MSR_MCG_STATUS)
        *val = v->cpu.mcg_status;
    else if (msr == MSR_MCG_CTL)
        *val = v->cpu.mcg_ctl;
    else if (reg)
        *val = *reg;
    else
        return iem_gp(v, 0);
    return IEM_OK;
}

int msr_mca_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
    if (!mca_msr(msr))
        return MSR_NOT_HERE;
    if (!iem_feat(v, CF_MCA))
        return iem_gp(v, 0);
    uint64_t *reg = mc_reg(v, msr);
    bool ok;
    if (msr == MSR_MCG_STATUS || msr == MSR_MCG_CTL) {
        ok = msr == MSR_MCG_CTL || !(val & ~MCG_STATUS_OK);
        reg = msr == MSR_MCG_STATUS ? &v->cpu.mcg_status : &v->cpu.mcg_ctl;
    } else if (!reg) { /* MCG_CAP, or a bank past the count */
        ok = false;
    } else {
        switch ((msr - MSR_MC_FIRST) % 4) {
        case MC_CTL: ok = iem_cpu_ident(v)->amd || val == 0 || val == ~0ull; break; /* AMD: one enable per error */
        case MC_STATUS: ok = val == 0; break;
        default: ok = true; break;
        }
    }
    if (!ok)
        return iem_gp(v, 0);
    *reg = val;
    return IEM_OK;
}
