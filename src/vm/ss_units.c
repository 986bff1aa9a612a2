/* Saved state: which units a VM has (each vCPU, PGM, every device) and
 * the vCPU's description.
 *
 * A vCPU is saved between instructions: struct cpu whole (the FPU, SSE and
 * AVX registers included), the instruction count, its forced-action word
 * and the IEM fields that live across an instruction boundary (a debug
 * trap held over MOV SS). IEM's decode cache, the software TLB and REM's
 * translations are caches: they are dropped on load, never saved.
 */
#include <string.h>

#include "pgm/tlb.h"
#include "em/em.h"
#include "vm/ss_priv.h"

#define SEG_FIELDS(st)                                                                                       \
    SS_FIELD(st, sel, U16), SS_FIELD(st, attr, U32), SS_FIELD(st, limit, U32), SS_FIELD(st, base, U64), SS_END

static const struct ss_field seg_fields[] = {SEG_FIELDS(struct cpu_seg)};
static const struct ss_field dtr_fields[] = {
    SS_FIELD(struct cpu_dtr, base, U64),
    SS_FIELD(struct cpu_dtr, limit, U16),
    SS_END,
};

#define C(m, t) SS_FIELD(struct vcpu, cpu.m, t)
static const struct ss_field vcpu_fields[] = {
    C(gpr, U64),
    C(rip, U64),
    C(rflags, U64),
    SS_FIELD_MAX(struct vcpu, cpu.lf.op, U8, LF_SAR),
    SS_FIELD_MAX(struct vcpu, cpu.lf.size, U8, 8),
    C(lf.res, U64),
    C(lf.src1, U64),
    C(lf.src2, U64),
    SS_STRUCT_FIELD(struct vcpu, cpu.seg, struct cpu_seg, seg_fields),
    SS_STRUCT_FIELD(struct vcpu, cpu.ldtr, struct cpu_seg, seg_fields),
    SS_STRUCT_FIELD(struct vcpu, cpu.tr, struct cpu_seg, seg_fields),
    SS_STRUCT_FIELD(struct vcpu, cpu.gdtr, struct cpu_dtr, dtr_fields),
    SS_STRUCT_FIELD(struct vcpu, cpu.idtr, struct cpu_dtr, dtr_fields),
    C(cr0, U64),
    C(cr2, U64),
    C(cr3, U64),
    C(cr4, U64),
    C(cr8, U64),
    C(dr, U64),
    C(efer, U64),
    C(xcr0, U64),
    SS_FIELD_MAX(struct vcpu, cpu.cpl, U8, 3),
    C(apic_base, U64),
    C(tsc_offset, U64),
    C(sysenter_cs, U64),
    C(sysenter_esp, U64),
    C(sysenter_eip, U64),
    C(star, U64),
    C(lstar, U64),
    C(cstar, U64),
    C(sfmask, U64),
    C(kernel_gs_base, U64),
    C(tsc_aux, U64),
    C(pat, U64),
    C(misc_enable, U64),
    C(tsc_adjust, U64),
    C(mtrr_def, U64),
    C(mtrr_fix, U64),
    C(mtrr_var, U64),
    /* version 2: AMD MSRs, machine-check MSRs, IA32_PKRS */
    SS_FIELD_V(struct vcpu, cpu.amd_msr, U64, 2),
    SS_FIELD_V(struct vcpu, cpu.mcg_status, U64, 2),
    SS_FIELD_V(struct vcpu, cpu.mcg_ctl, U64, 2),
    SS_FIELD_V(struct vcpu, cpu.mc_bank, U64, 2),
    C(halted, BOOL),
    C(nmi_blocked, BOOL),
    C(inhibit_irq_rip, U64),
    C(inhibit_irq, BOOL),
    C(fcw, U16),
    C(fsw, U16),
    C(ftw, U16),
    C(mxcsr, U32),
    C(fpr, U8),
    C(xmm, U8),
    C(fpu_ip, U64),
    C(fpu_dp, U64),
    C(fpu_cs, U16),
    C(fpu_ds, U16),
    C(fpu_op, U16),
    C(pdpte, U64),
    C(pkru, U32),
    SS_FIELD_V(struct vcpu, cpu.pkrs, U32, 2),
    SS_FIELD_MAX(struct vcpu, cpu.pdpte_loaded, U8, 1),
    C(ymmh, U8),
    C(feat, U64),
    SS_FIELD_MAX(struct vcpu, cpu.feat_ready, U8, 1),
    C(ident.vendor, U8),
    C(ident.amd, BOOL),
    C(ident.signature, U32),
    C(ident.level, U32),
    C(ident.xlevel, U32),
    C(ident.brand, U8),
    /* outside struct cpu */
    SS_FIELD(struct vcpu, insns, U64),
    SS_FIELD(struct vcpu, ff, U32),
    SS_FIELD(struct vcpu, iem.dr6_pending, U16),
    SS_FIELD(struct vcpu, iem.dr6_carry, U16),
    SS_END,
};
#undef C

static int vcpu_pre_save(void *opaque, char *err, size_t errlen)
{
    struct vcpu *v = opaque;
    if (v->iem.exc.pending || v->iem.fault_depth) { /* never between instructions */
        snprintf(err, errlen, "cpu%u is in the middle of delivering an exception", v->id);
        return -1;
    }
    /* The arithmetic flags are saved worked out, with no lazy operation
     * behind them: the engines keep them lazily in different but equivalent
     * forms (REM does not produce flags no instruction reads), and a state
     * must be the same file whichever engine reached it. */
    cpu_set_flags(&v->cpu, cpu_get_flags(&v->cpu));
    v->cpu.lf = (struct cpu_lazy){LF_NONE, 0, 0, 0, 0};
    return 0;
}

/* Every cache of the old state goes: decoded instructions, the TLB,
 * the engine's translations. The PDPTE registers are state, not cache:
 * they stay as loaded (iem_flush would have the walker reread them). */
static void vcpu_post_load(void *opaque)
{
    struct vcpu *v = opaque;
    uint8_t pdpte_loaded = v->cpu.pdpte_loaded;
    unsigned lsz = v->cpu.lf.size;
    /* a lazy op of a size no instruction has (not a state pcvm wrote:
     * those have none) would shift by out-of-range counts: dropped */
    if (v->cpu.lf.op != LF_NONE && (lsz == 0 || (lsz & (lsz - 1))))
        v->cpu.lf.op = LF_NONE;
    v->iem.exc.pending = false;
    v->iem.fault_depth = 0;
    if (v->engine && v->engine->flush)
        v->engine->flush(v);
    iem_flush(v);
    v->cpu.pdpte_loaded = pdpte_loaded;
    tlb_mode_changed(v);
}

static const struct ss_desc vcpu_desc = {2, vcpu_fields, vcpu_pre_save, vcpu_post_load};

int ss_targets(struct vm *vm, struct ss_target *t, char *err, size_t errlen)
{
    unsigned n = 0;
    for (unsigned i = 0; i < vm->ncpus; i++)
        t[n++] = (struct ss_target){"cpu", i, &vcpu_desc, &vm->cpus[i]};
    t[n++] = (struct ss_target){"pgm", 0, NULL, &vm->pgm};
    for (unsigned i = 0; i < vm->bus.ndevs; i++) {
        const struct device *d = &vm->bus.devs[i];
        uint32_t inst = 0;
        if (!d->ss) {
            snprintf(err, errlen, "the device '%s' cannot be saved yet (no saved-state description)",
                     d->name);
            return -1;
        }
        if (strlen(d->name) > SS_NAME_MAX) {
            snprintf(err, errlen, "the device name '%s' is too long for a saved state", d->name);
            return -1;
        }
        for (unsigned j = 0; j < i; j++)
            inst += !strcmp(vm->bus.devs[j].name, d->name);
        t[n] = (struct ss_target){"", inst, d->ss, d->opaque};
        strcpy(t[n].name, d->name);
        n++;
    }
    return (int)n;
}

void ss_after_load(struct vm *vm, struct ss_target *t, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (t[i].desc && t[i].desc->post_load)
            t[i].desc->post_load(t[i].obj);
    em_wake(vm);
}
