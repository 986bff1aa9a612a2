/* System instructions (SDM vol. 2): descriptor-table registers, LDTR/TR,
 * LAR/LSL/VERR/VERW/ARPL, control and debug registers, cache and TLB
 * maintenance, CPUID, TSC, MSRs, performance counters, SYSENTER/SYSEXIT
 * and the defined-undefined opcodes.
 */
#include "cpu/cpufeat.h"
#include "cpu/long.h"
#include "pgm/tlb.h"

static bool prot(const struct cpu *c)
{
    return !cpu_is_real(c) && !cpu_is_v86(c);
}

/* Privileged instructions: CPL 0 (real mode is CPL 0, v86 is CPL 3). */
static int need_cpl0(struct vcpu *v)
{
    return v->cpu.cpl ? iem_gp(v, 0) : IEM_OK;
}

static void set_zf(struct vcpu *v, bool zf)
{
    iem_flags_update(v, F_ZF, zf ? F_ZF : 0);
}

/* ---- GDTR / IDTR ---- */

static int op_lxdt(struct vcpu *v, const struct iem_insn *in)
{
    const struct iem_op *m = &in->op[0];
    if (m->type != OPT_MEM)
        return iem_ud(v);
    int rc = need_cpl0(v);
    if (rc)
        return rc;
    bool b64 = cpu_is_64(&v->cpu);
    uint64_t ea = iem_ea(v, in, m), limit, base;
    rc = iem_read(v, m->seg, ea, 2, &limit);
    if (!rc)
        rc = iem_read(v, m->seg, (ea + 2) & iem_mask(in->asize), b64 ? 8 : 4, &base);
    if (rc)
        return rc;
    if (b64 && !iem_canonical_reg(v, base))
        return iem_gp(v, 0);
    if (!b64 && in->osize == 2)
        base &= 0xffffff; /* 16-bit operand size loads a 24-bit base */
    struct cpu_dtr *t = in->mnemonic == ZYDIS_MNEMONIC_LGDT ? &v->cpu.gdtr : &v->cpu.idtr;
    t->base = base;
    t->limit = (uint16_t)limit;
    return IEM_OK;
}

/* CR4.UMIP: the store-descriptor-table family (SGDT, SIDT, SLDT, STR, SMSW)
 * is #GP(0) outside ring 0, virtual-8086 mode included (CPL 3). */
static int umip_check(struct vcpu *v)
{
    return (v->cpu.cr4 & CR4_UMIP) && v->cpu.cpl > 0 ? iem_gp(v, 0) : IEM_OK;
}

static int op_sxdt(struct vcpu *v, const struct iem_insn *in)
{
    const struct iem_op *m = &in->op[0];
    if (m->type != OPT_MEM)
        return iem_ud(v);
    int rc = umip_check(v);
    if (rc)
        return rc;
    const struct cpu_dtr *t = in->mnemonic == ZYDIS_MNEMONIC_SGDT ? &v->cpu.gdtr : &v->cpu.idtr;
    bool b64 = cpu_is_64(&v->cpu);
    uint8_t buf[10];
    uint64_t base = b64 ? t->base : (uint32_t)t->base; /* the full 32-bit base, even for o16 */
    buf[0] = (uint8_t)t->limit;
    buf[1] = (uint8_t)(t->limit >> 8);
    for (unsigned i = 0; i < 8; i++)
        buf[2 + i] = (uint8_t)(base >> (8 * i));
    return iem_write_buf(v, m->seg, iem_ea(v, in, m), buf, b64 ? 10 : 6);
}

/* ---- LDTR / TR ---- */

static int op_lldt_ltr(struct vcpu *v, const struct iem_insn *in)
{
    struct cpu *c = &v->cpu;
    bool ltr = in->mnemonic == ZYDIS_MNEMONIC_LTR;
    if (!prot(c))
        return iem_ud(v);
    int rc = need_cpl0(v);
    uint64_t val;
    if (!rc)
        rc = iem_opnd_read(v, in, 0, &val);
    if (rc)
        return rc;
    uint16_t sel = (uint16_t)val;
    if (!(sel & 0xfffc)) {
        if (ltr)
            return iem_gp(v, 0);
        iem_seg_null(&c->ldtr, sel);
        return IEM_OK;
    }
    if (sel & 4)
        return iem_gp(v, sel & 0xfffc);
    uint64_t d[2];
    rc = iem_desc_read_sys(v, sel, d, X_GP);
    if (rc)
        return rc;
    bool lm = cpu_is_long(c);
    unsigned t = D_TYPE(d[0]);
    bool ok = !D_S(d[0]) && (ltr ? (t == 9 || (t == 1 && !lm)) : t == 2);
    if (lm && ((d[1] >> 40) & 0x1f))
        ok = false;
    if (!ok)
        return iem_gp(v, sel & 0xfffc);
    if (!D_P(d[0]))
        return iem_np(v, sel & 0xfffc);
    struct cpu_seg s;
    iem_desc_to_seg(d[0], sel, &s);
    if (lm) {
        s.base |= (d[1] & 0xffffffffu) << 32;
        if (!iem_canonical_reg(v, s.base))
            return iem_gp(v, sel & 0xfffc);
    }
    if (ltr) {
        /* Mark the TSS busy in the GDT (type 1/9 -> 3/B). */
        uint8_t b = (uint8_t)(d[0] >> 40) | 2;
        rc = iem_lin_write(v, (c->gdtr.base + (sel & 0xfff8) + 5) & (lm ? ~0ull : 0xffffffffu), &b, 1,
                           ACC_W | ACC_SYS);
        if (rc)
            return rc;
        s.attr |= 2;
        c->tr = s;
    } else {
        c->ldtr = s;
    }
    return IEM_OK;
}

static int op_sldt_str(struct vcpu *v, const struct iem_insn *in)
{
    if (!prot(&v->cpu))
        return iem_ud(v);
    int rc = umip_check(v);
    if (rc)
        return rc;
    const struct cpu_seg *s = in->mnemonic == ZYDIS_MNEMONIC_STR ? &v->cpu.tr : &v->cpu.ldtr;
    return iem_opnd_write(v, in, 0, s->sel);
}

/* ---- LAR / LSL / VERR / VERW / ARPL ---- */

/* System types LAR (bit 0) and LSL (bit 1) accept, legacy and long mode. */
static const uint8_t sys_ok_legacy[16] = {[1] = 3, [2] = 3, [3] = 3, [4] = 1, [5] = 1,
                                          [9] = 3, [0xb] = 3, [0xc] = 1};
static const uint8_t sys_ok_long[16] = {[2] = 3, [9] = 3, [0xb] = 3, [0xc] = 1};

/* Looks the selector up as LAR/LSL/VERx do; *ok false means ZF=0. */
static int probe_visible(struct vcpu *v, const struct iem_insn *in, uint64_t *d, uint16_t *sel, bool *ok)
{
    uint64_t val;
    int rc = iem_opnd_read(v, in, in->nops > 1 ? 1 : 0, &val);
    if (rc)
        return rc;
    *sel = (uint16_t)val;
    rc = iem_desc_probe(v, *sel, d, ok);
    if (rc || !*ok)
        return rc;
    bool conforming = D_S(*d) && (D_TYPE(*d) & 0xc) == 0xc;
    if (!conforming && (D_DPL(*d) < v->cpu.cpl || D_DPL(*d) < (*sel & 3)))
        *ok = false;
    return IEM_OK;
}

static int op_lar_lsl(struct vcpu *v, const struct iem_insn *in)
{
    if (!prot(&v->cpu))
        return iem_ud(v);
    bool lsl = in->mnemonic == ZYDIS_MNEMONIC_LSL;
    uint64_t d;
    uint16_t sel;
    bool ok;
    int rc = probe_visible(v, in, &d, &sel, &ok);
    if (rc)
        return rc;
    if (ok && !D_S(d)) {
        const uint8_t *tab = cpu_is_long(&v->cpu) ? sys_ok_long : sys_ok_legacy;
        ok = (tab[D_TYPE(d)] >> lsl) & 1;
        if (ok && cpu_is_long(&v->cpu)) {
            /* 16-byte system descriptor: its upper half must be inside the
             * table and have a zero type field. */
            uint64_t hi;
            rc = iem_desc_probe(v, (uint16_t)(sel + 8), &hi, &ok);
            if (rc)
                return rc;
            ok = ok && !((hi >> 40) & 0x1f);
        }
    }
    if (ok) {
        uint64_t res;
        if (lsl) {
            struct cpu_seg s;
            iem_desc_to_seg(d, sel, &s);
            res = s.limit;
        } else {
            res = (d >> 32) & 0x00f0ff00;
        }
        rc = iem_opnd_write(v, in, 0, res & iem_mask(in->op[0].size));
        if (rc)
            return rc;
    }
    set_zf(v, ok);
    return IEM_OK;
}

static int op_verr_verw(struct vcpu *v, const struct iem_insn *in)
{
    if (!prot(&v->cpu))
        return iem_ud(v);
    uint64_t d;
    uint16_t sel;
    bool ok;
    int rc = probe_visible(v, in, &d, &sel, &ok);
    if (rc)
        return rc;
    if (ok) {
        unsigned t = D_TYPE(d);
        if (in->mnemonic == ZYDIS_MNEMONIC_VERW)
            ok = D_S(d) && !(t & 8) && (t & 2);
        else
            ok = D_S(d) && (!(t & 8) || (t & 2));
    }
    set_zf(v, ok);
    return IEM_OK;
}

static int op_arpl(struct vcpu *v, const struct iem_insn *in)
{
    if (!prot(&v->cpu))
        return iem_ud(v);
    uint64_t dst, src;
    int rc = iem_opnd_read(v, in, 0, &dst);
    if (!rc)
        rc = iem_opnd_read(v, in, 1, &src);
    if (rc)
        return rc;
    bool adj = (dst & 3) < (src & 3);
    if (adj) {
        rc = iem_opnd_write(v, in, 0, (dst & 0xfffc) | (src & 3));
        if (rc)
            return rc;
    }
    set_zf(v, adj);
    return IEM_OK;
}

/* ---- control registers ---- */

#define CR0_WRITABLE (CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_NE | CR0_WP | CR0_AM | CR0_NW | CR0_CD | CR0_PG)

int iem_write_cr0(struct vcpu *v, uint64_t val)
{
    struct cpu *c = &v->cpu;
    if (val >> 32)
        return iem_gp(v, 0);
    /* Reserved bits 31:0 are ignored, ET is hardwired to 1 since the P6. */
    val = (val & CR0_WRITABLE) | CR0_ET;
    if (((val & CR0_PG) && !(val & CR0_PE)) || ((val & CR0_NW) && !(val & CR0_CD)))
        return iem_gp(v, 0);
    uint64_t old = c->cr0, efer = c->efer;
    if (!(val & CR0_PG) && (old & CR0_PG) && (c->cr4 & CR4_PCIDE))
        return iem_gp(v, 0); /* paging cannot be turned off while PCIDs are on */
    if ((val & CR0_PG) && !(old & CR0_PG) && (efer & EFER_LME)) {
        /* Long mode activation (SDM vol. 3 10.8.5). */
        if (!(c->cr4 & CR4_PAE) || (c->seg[S_CS].attr & SEG_L))
            return iem_gp(v, 0);
        efer |= EFER_LMA;
    } else if (!(val & CR0_PG) && (old & CR0_PG) && (efer & EFER_LMA)) {
        if (cpu_is_64(c))
            return iem_gp(v, 0);
        efer &= ~(uint64_t)EFER_LMA;
    }
    /* enabling PAE paging loads the PDPTE registers, which may #GP */
    uint64_t old_efer = c->efer;
    c->efer = efer;
    if (pgm_cr_load_pdptes(v, PGM_REG_CR0, val)) {
        c->efer = old_efer;
        return iem_gp(v, 0);
    }
    c->cr0 = val;
    pgm_cr_written(v, PGM_REG_CR0, old, val);
    if ((old ^ val) & (CR0_PE | CR0_PG))
        iem_mode_changed(v); /* LMA follows PG here; the walker mode changes */
    return IEM_OK;
}

/* CR4 bits follow the CPUID feature flags, so enabling a feature in
 * cpuid.c makes its CR4 bit writable. */
static uint64_t cr4_writable(struct vcpu *v)
{
    static const struct { uint8_t bit; uint16_t cr4; } map[] = {
        {1, CR4_VME | CR4_PVI}, {3, CR4_PSE}, {6, CR4_PAE}, {7, CR4_MCE}, {13, CR4_PGE},
        {24, CR4_OSFXSR}, {25, CR4_OSXMMEXCPT},
    };
    uint32_t r[4];
    iem_cpuid(v, 1, 0, r);
    uint64_t ok = CR4_TSD | CR4_DE | CR4_PCE;
    for (unsigned i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (r[3] & (1u << map[i].bit))
            ok |= map[i].cr4;
    if (has_pcid(v))
        ok |= CR4_PCIDE;
    if (has_fsgsbase(v))
        ok |= CR4_FSGSBASE;
    if (has_smep(v))
        ok |= CR4_SMEP;
    if (has_smap(v))
        ok |= CR4_SMAP;
    if (has_pku(v))
        ok |= CR4_PKE;
    if (has_umip(v))
        ok |= CR4_UMIP;
    if (has_pks(v))
        ok |= CR4_PKS;
    if (has_la57(v))
        ok |= CR4_LA57;
    if (iem_cpuid_has(v, 1, CPUID_ECX, 1u << 26))
        ok |= CR4_OSXSAVE; /* with XSAVE */
    return ok;
}

int iem_write_cr4(struct vcpu *v, uint64_t val)
{
    struct cpu *c = &v->cpu;
    if (val & ~cr4_writable(v))
        return iem_gp(v, 0);
    uint64_t old = c->cr4;
    /* IA-32e mode fixes PAE on and the paging depth (LA57). */
    if (cpu_is_long(c) && (!(val & CR4_PAE) || ((old ^ val) & CR4_LA57)))
        return iem_gp(v, 0);
    /* PCIDs need IA-32e mode, and CR3 must name PCID 0 when they turn on. */
    if ((val & CR4_PCIDE) && !(old & CR4_PCIDE) && (!cpu_is_long(c) || (c->cr3 & 0xfff)))
        return iem_gp(v, 0);
    if (pgm_cr_load_pdptes(v, PGM_REG_CR4, val))
        return iem_gp(v, 0);
    c->cr4 = val;
    pgm_cr_written(v, PGM_REG_CR4, old, val);
    if ((old ^ val) & (CR4_PAE | CR4_PSE))
        iem_mode_changed(v);
    return IEM_OK;
}

int iem_write_cr3(struct vcpu *v, uint64_t val)
{
    struct cpu *c = &v->cpu;
    uint64_t src = val, old = c->cr3;
    if (cpu_is_long(c)) {
        if (c->cr4 & CR4_PCIDE)
            val &= ~(1ull << 63); /* "don't flush this PCID": a hint, never stored */
        if (val >> IEM_MAXPHYADDR)
            return iem_gp(v, 0);
    } else {
        val &= 0xffffffffu;
    }
    if (pgm_cr_load_pdptes(v, PGM_REG_CR3, val))
        return iem_gp(v, 0);
    c->cr3 = val;
    pgm_cr_written(v, PGM_REG_CR3, old, src); /* sees bit 63 */
    return IEM_OK;
}

int iem_mov_cr(struct vcpu *v, const struct iem_insn *in)
{
    struct cpu *c = &v->cpu;
    bool to_cr = in->op[0].type == OPT_REG && in->op[0].rclass == RC_CR;
    unsigned n = to_cr ? in->op[0].reg : in->op[1].reg;
    if (n != 0 && n != 2 && n != 3 && n != 4 && !(n == 8 && cpu_is_64(c)))
        return iem_ud(v);
    int rc = need_cpl0(v);
    if (rc)
        return rc;
    if (!to_cr) {
        uint64_t val = n == 0 ? c->cr0 : n == 2 ? c->cr2 : n == 3 ? c->cr3 : n == 4 ? c->cr4 : vcpu_intc_get_cr8(v);
        return iem_opnd_write(v, in, 0, val & iem_mask(in->op[0].size));
    }
    uint64_t val;
    rc = iem_opnd_read(v, in, 1, &val);
    if (rc)
        return rc;
    switch (n) {
    case 0: return iem_write_cr0(v, val);
    case 2: c->cr2 = val; return IEM_OK;
    case 3: return iem_write_cr3(v, val);
    case 4: return iem_write_cr4(v, val);
    default:
        if (val > 15)
            return iem_gp(v, 0);
        vcpu_intc_set_cr8(v, val); /* CR8 is TPR[7:4] */
        return IEM_OK;
    }
}

int iem_mov_dr(struct vcpu *v, const struct iem_insn *in)
{
    struct cpu *c = &v->cpu;
    bool to_dr = in->op[0].type == OPT_REG && in->op[0].rclass == RC_DR;
    unsigned n = to_dr ? in->op[0].reg : in->op[1].reg;
    if (n > 7 || ((n == 4 || n == 5) && (c->cr4 & CR4_DE)))
        return iem_ud(v);
    int rc = need_cpl0(v);
    if (rc)
        return rc;
    if (c->dr[7] & 0x2000) { /* general detect: #DB fault before the access */
        c->dr[6] |= 0x2000;
        c->dr[7] &= ~0x2000ull;
        return iem_raise(v, X_DB, 0, false);
    }
    if (n == 4 || n == 5)
        n += 2;
    if (!to_dr)
        return iem_opnd_write(v, in, 0, c->dr[n] & iem_mask(in->op[0].size));
    uint64_t val;
    rc = iem_opnd_read(v, in, 1, &val);
    if (rc)
        return rc;
    if (n >= 6 && (val >> 32))
        return iem_gp(v, 0);
    if (n == 6)
        val = (val & 0xe00f) | 0xffff0ff0;
    else if (n == 7)
        val = (val & 0xffff23ff) | 0x400;
    c->dr[n] = val;
    return IEM_OK;
}

static int op_clts(struct vcpu *v, const struct iem_insn *in)
{
    (void)in;
    int rc = need_cpl0(v);
    if (!rc)
        v->cpu.cr0 &= ~(uint64_t)CR0_TS;
    return rc;
}

static int op_lmsw(struct vcpu *v, const struct iem_insn *in)
{
    uint64_t val;
    int rc = need_cpl0(v);
    if (!rc)
        rc = iem_opnd_read(v, in, 0, &val);
    if (rc)
        return rc;
    /* Only PE, MP, EM, TS; PE can be set but never cleared. */
    uint64_t cr0 = (v->cpu.cr0 & ~0xeull) | (val & 0xf) | (v->cpu.cr0 & CR0_PE);
    return iem_write_cr0(v, cr0);
}

static int op_smsw(struct vcpu *v, const struct iem_insn *in)
{
    int rc = umip_check(v);
    if (rc)
        return rc;
    return iem_opnd_write(v, in, 0, v->cpu.cr0 & iem_mask(in->op[0].size));
}

static int op_priv_nop(struct vcpu *v, const struct iem_insn *in)
{
    (void)in;
    return need_cpl0(v);
}

static int op_invlpg(struct vcpu *v, const struct iem_insn *in)
{
    if (in->op[0].type != OPT_MEM)
        return iem_ud(v);
    int rc = need_cpl0(v);
    if (rc)
        return rc;
    /* no segment-limit check and no fault: a non-canonical address is a no-op */
    const struct cpu *c = &v->cpu;
    unsigned seg = in->op[0].seg;
    uint64_t lin = iem_ea(v, in, &in->op[0]);
    if (!cpu_is_64(c))
        lin = (lin + c->seg[seg].base) & 0xffffffffu;
    else if (seg == S_FS || seg == S_GS)
        lin += c->seg[seg].base;
    if (!cpu_is_64(c) || iem_canonical(v, lin))
        tlb_flush_page(v, lin);
    return IEM_OK;
}

/* ---- CPUID, TSC, MSRs, PMCs ---- */

static int op_cpuid(struct vcpu *v, const struct iem_insn *in)
{
    (void)in;
    uint32_t r[4];
    iem_cpuid(v, (uint32_t)v->cpu.gpr[R_AX], (uint32_t)v->cpu.gpr[R_CX], r);
    iem_gpr_set(v, R_AX, 4, r[0]);
    iem_gpr_set(v, R_BX, 4, r[1]);
    iem_gpr_set(v, R_CX, 4, r[2]);
    iem_gpr_set(v, R_DX, 4, r[3]);
    return IEM_OK;
}

static void set_edx_eax(struct vcpu *v, uint64_t val)
{
    iem_gpr_set(v, R_AX, 4, (uint32_t)val);
    iem_gpr_set(v, R_DX, 4, val >> 32);
}

static int op_rdtsc(struct vcpu *v, const struct iem_insn *in)
{
    if (in->mnemonic == ZYDIS_MNEMONIC_RDTSCP && !has_rdtscp(v))
        return iem_ud(v);
    if ((v->cpu.cr4 & CR4_TSD) && v->cpu.cpl)
        return iem_gp(v, 0);
    set_edx_eax(v, iem_tsc(v));
    if (in->mnemonic == ZYDIS_MNEMONIC_RDTSCP)
        iem_gpr_set(v, R_CX, 4, (uint32_t)v->cpu.tsc_aux);
    return IEM_OK;
}

/* RDPID: IA32_TSC_AUX into a register at any CPL (CR4.TSD does not apply);
 * 64 bits in 64-bit mode, else 32. */
static int op_rdpid(struct vcpu *v, const struct iem_insn *in)
{
    if (!iem_feat(v, CF_RDPID) || in->op[0].type != OPT_REG)
        return iem_ud(v);
    iem_gpr_set(v, in->op[0].reg, cpu_is_64(&v->cpu) ? 8 : 4, v->cpu.tsc_aux);
    return IEM_OK;
}

static int op_rdmsr(struct vcpu *v, const struct iem_insn *in)
{
    (void)in;
    uint64_t val;
    int rc = need_cpl0(v);
    if (!rc)
        rc = iem_rdmsr(v, (uint32_t)v->cpu.gpr[R_CX], &val);
    if (!rc)
        set_edx_eax(v, val);
    return rc;
}

static int op_wrmsr(struct vcpu *v, const struct iem_insn *in)
{
    (void)in;
    int rc = need_cpl0(v);
    if (rc)
        return rc;
    uint64_t val = (v->cpu.gpr[R_DX] << 32) | (uint32_t)v->cpu.gpr[R_AX];
    return iem_wrmsr(v, (uint32_t)v->cpu.gpr[R_CX], val);
}

static int op_rdpmc(struct vcpu *v, const struct iem_insn *in)
{
    (void)in;
    if (v->cpu.cpl && !(v->cpu.cr4 & CR4_PCE))
        return iem_gp(v, 0);
    if ((uint32_t)v->cpu.gpr[R_CX] > 1) /* two counters, as on the P6 */
        return iem_gp(v, 0);
    set_edx_eax(v, 0); /* counters exist but never count */
    return IEM_OK;
}

static int op_ud(struct vcpu *v, const struct iem_insn *in)
{
    (void)in;
    return iem_ud(v);
}

static int op_sysenter(struct vcpu *v, const struct iem_insn *in)
{
    struct cpu *c = &v->cpu;
    (void)in;
    if (cpu_is_long(c) && iem_cpu_ident(v)->amd) /* AMD: SYSENTER/SYSEXIT are #UD in long mode */
        return iem_ud(v);
    if (cpu_is_real(c) || !(c->sysenter_cs & 0xfffc))
        return iem_gp(v, 0);
    uint16_t cs = (uint16_t)(c->sysenter_cs & 0xfffc);
    bool lm = cpu_is_long(c);
    c->rflags &= ~(uint64_t)(F_VM | F_IF | F_RF);
    iem_seg_flat(&c->seg[S_CS], cs, lm ? ATTR_CS64_DPL0 : ATTR_CS32_DPL0);
    iem_seg_flat(&c->seg[S_SS], (uint16_t)(cs + 8), ATTR_SS_DPL0);
    c->gpr[R_SP] = lm ? c->sysenter_esp : (uint32_t)c->sysenter_esp;
    v->iem.next_rip = lm ? c->sysenter_eip : (uint32_t)c->sysenter_eip;
    iem_mode_changed(v);
    return IEM_OK;
}

static int op_sysexit(struct vcpu *v, const struct iem_insn *in)
{
    struct cpu *c = &v->cpu;
    if (cpu_is_long(c) && iem_cpu_ident(v)->amd)
        return iem_ud(v);
    if (cpu_is_real(c) || cpu_is_v86(c) || c->cpl != 0 || !(c->sysenter_cs & 0xfffc))
        return iem_gp(v, 0);
    bool to64 = in->osize == 8;
    uint16_t base = (uint16_t)(c->sysenter_cs & 0xfffc);
    uint64_t rip = to64 ? c->gpr[R_DX] : (uint32_t)c->gpr[R_DX];
    if (to64 && (!iem_canonical(v, rip) || !iem_canonical(v, c->gpr[R_CX])))
        return iem_gp(v, 0);
    iem_seg_flat(&c->seg[S_CS], (uint16_t)((base + (to64 ? 32 : 16)) | 3),
                 to64 ? ATTR_CS64_DPL3 : ATTR_CS32_DPL3);
    iem_seg_flat(&c->seg[S_SS], (uint16_t)((base + (to64 ? 40 : 24)) | 3), ATTR_SS_DPL3);
    c->gpr[R_SP] = to64 ? c->gpr[R_CX] : (uint32_t)c->gpr[R_CX];
    v->iem.next_rip = rip;
    iem_mode_changed(v);
    return IEM_OK;
}

const struct iem_op_def iem_ops_sys[] = {
    {ZYDIS_MNEMONIC_LGDT, op_lxdt},       {ZYDIS_MNEMONIC_LIDT, op_lxdt},
    {ZYDIS_MNEMONIC_SGDT, op_sxdt},       {ZYDIS_MNEMONIC_SIDT, op_sxdt},
    {ZYDIS_MNEMONIC_LLDT, op_lldt_ltr},   {ZYDIS_MNEMONIC_LTR, op_lldt_ltr},
    {ZYDIS_MNEMONIC_SLDT, op_sldt_str},   {ZYDIS_MNEMONIC_STR, op_sldt_str},
    {ZYDIS_MNEMONIC_LAR, op_lar_lsl},     {ZYDIS_MNEMONIC_LSL, op_lar_lsl},
    {ZYDIS_MNEMONIC_VERR, op_verr_verw},  {ZYDIS_MNEMONIC_VERW, op_verr_verw},
    {ZYDIS_MNEMONIC_ARPL, op_arpl},       {ZYDIS_MNEMONIC_CLTS, op_clts},
    {ZYDIS_MNEMONIC_LMSW, op_lmsw},       {ZYDIS_MNEMONIC_SMSW, op_smsw},
    {ZYDIS_MNEMONIC_INVD, op_priv_nop},   {ZYDIS_MNEMONIC_WBINVD, op_priv_nop},
    {ZYDIS_MNEMONIC_INVLPG, op_invlpg},   {ZYDIS_MNEMONIC_CPUID, op_cpuid},
    {ZYDIS_MNEMONIC_RDTSC, op_rdtsc},     {ZYDIS_MNEMONIC_RDTSCP, op_rdtsc},
    {ZYDIS_MNEMONIC_RDPID, op_rdpid},     {ZYDIS_MNEMONIC_RDMSR, op_rdmsr},     {ZYDIS_MNEMONIC_WRMSR, op_wrmsr},
    {ZYDIS_MNEMONIC_RDPMC, op_rdpmc},     {ZYDIS_MNEMONIC_UD0, op_ud},
    {ZYDIS_MNEMONIC_UD1, op_ud},          {ZYDIS_MNEMONIC_UD2, op_ud},
    {ZYDIS_MNEMONIC_SYSENTER, op_sysenter}, {ZYDIS_MNEMONIC_SYSEXIT, op_sysexit},
    {0, NULL},
};
