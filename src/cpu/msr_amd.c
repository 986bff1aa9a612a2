/* The AMD MSRs that kernels program on an AMD model (AMD APM vol. 2
 * appendix A, and the family 10h-17h BKDGs/PPRs): SYSCFG, HWCR, NB_CFG and
 * DE_CFG, and the K8/family 10h interrupt-pending message register. msr.c
 * asks here after msr_ia32.c.
 *
 * Invariants:
 * - They exist only on a model whose vendor is AMD: on an Intel one each
 *   is #GP(0), as on hardware.
 * - struct cpu keeps the writable bits only (zero after reset); a read adds
 *   the bits fixed at one. A write with a bit outside writable | fixed set
 *   is #GP(0) and changes nothing; fixed bits are not stored.
 * - Nothing here has an effect: they configure caches, the northbridge and
 *   the decoder, which the emulation has no counterpart for. SYSCFG's
 *   TOM2/variable-DRAM enables stay clear after reset, so a kernel does not
 *   go on to read TOP_MEM2.
 */
#include "cpu/cpufeat.h"
#include "cpu/msr.h"

struct amd_msr {
    uint32_t msr;
    uint64_t writable, fixed;
};

static const struct amd_msr amd_msrs[CPU_AMD_MSRS] = {
    /* SYSCFG: 16 ChgToDirtyDis .. 22 Tom2ForceMemTypeWB */
    [CPU_AMD_SYSCFG] = {0xc0010010u, 0x7full << 16, 0},
    /* HWCR: bit 24 TscFreqSel reads one (the TSC counts at P0's rate) */
    [CPU_AMD_HWCR] = {0xc0010015u, 0xffffffffull & ~(1ull << 24), 1ull << 24},
    /* NB_CFG: bit 46 EnableCf8ExtCfg among others */
    [CPU_AMD_NB_CFG] = {0xc001001fu, ~0ull, 0},
    /* INT_PENDING_MSG: C1E never active (bits 28:27 read zero), so Linux
     * needs no erratum-400 idle workaround */
    [CPU_AMD_INT_PENDING] = {0xc0010055u, (1ull << 27) - 1, 0},
    /* DE_CFG: bit 1 makes LFENCE dispatch-serialising */
    [CPU_AMD_DE_CFG] = {0xc0011029u, 0xffffffffull, 0},
};

static int amd_msr_index(struct vcpu *v, uint32_t msr)
{
    for (int i = 0; i < CPU_AMD_MSRS; i++)
        if (amd_msrs[i].msr == msr)
            return iem_cpu_ident(v)->amd ? i : -2;
    return -1;
}

int msr_amd_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    int i = amd_msr_index(v, msr);
    if (i == -1)
        return MSR_NOT_HERE;
    if (i < 0)
        return iem_gp(v, 0);
    *val = v->cpu.amd_msr[i] | amd_msrs[i].fixed;
    return IEM_OK;
}

int msr_amd_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
    int i = amd_msr_index(v, msr);
    if (i == -1)
        return MSR_NOT_HERE;
    if (i < 0 || (val & ~(amd_msrs[i].writable | amd_msrs[i].fixed)))
        return iem_gp(v, 0);
    v->cpu.amd_msr[i] = val & amd_msrs[i].writable;
    return IEM_OK;
}
