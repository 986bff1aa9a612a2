/* Exceptions and interrupt delivery (SDM vol. 3 ch. 6, vol. 2 INT n).
 *
 * iem_raise() only records an exception; iem_deliver() vectors an event
 * through the IVT (real mode) or IDT (protected/long mode). A fault while
 * delivering is folded with the event being delivered by the rules of
 * SDM table 6-5: #DF, or a triple fault when #DF itself cannot be delivered.
 * A task gate switches tasks (task.c); the switch's own faults fold into
 * #DF the same way, and a T bit in the new TSS traps before its first
 * instruction.
 */
#include "cpu/decode.h"

#include <capstone/capstone.h>
#include <stdio.h>

/* iem_raise() lives in iem.c beside the executor that consumes it. */

/* #UD for what IEM does not decode or implement. With -d unimp (QEMU's log
 * item) each distinct byte sequence is named once on stderr; by default the
 * guest gets its #UD silently, as from QEMU: test runners count any other
 * line on stderr as a failure, and a #UD is often what a test expects. */
int iem_unimplemented(struct vcpu *v, const struct iem_insn *in)
{
    if (!v->vm || !v->vm->cfg.debug_unimp)
        return iem_ud(v);
    uint8_t bytes[16];
    int got = iem_insn_bytes(v, bytes, in->len > 15 ? 15 : in->len);
    unsigned len = got > 0 ? (unsigned)got : 0;
    uint32_t h = 2166136261u; /* FNV-1a */
    for (unsigned i = 0; i < len; i++)
        h = (h ^ bytes[i]) * 16777619u;
    h = (h ^ (h >> 12) ^ (h >> 24)) & (sizeof(v->iem.logged_ud) * 8 - 1);
    if (!(v->iem.logged_ud[h / 8] & (1u << (h % 8)))) {
        v->iem.logged_ud[h / 8] |= (uint8_t)(1u << (h % 8));
        char hex[3 * 16 + 1] = "";
        for (unsigned i = 0; i < len; i++)
            snprintf(hex + 3 * i, 4, "%02x ", bytes[i]);
        unsigned cs = cpu_code_size(&v->cpu);
        cs_mode mode = cs == 8 ? CS_MODE_64 : cs == 4 ? CS_MODE_32 : CS_MODE_16;
        csh h_cs;
        cs_insn *ci = NULL;
        size_t n = 0;
        if (cs_open(CS_ARCH_X86, mode, &h_cs) == CS_ERR_OK) {
            n = cs_disasm(h_cs, bytes, len, v->cpu.rip, 1, &ci);
            fprintf(stderr, "pcvm: cpu%u: unimplemented instruction at %04x:%llx: %s%s%s [%s]\n",
                    v->id, v->cpu.seg[S_CS].sel, (unsigned long long)v->cpu.rip,
                    n ? ci->mnemonic : "(bad)", n ? " " : "", n ? ci->op_str : "", hex);
            if (n)
                cs_free(ci, n);
            cs_close(&h_cs);
        } else {
            fprintf(stderr, "pcvm: cpu%u: unimplemented instruction at %04x:%llx [%s]\n", v->id,
                    v->cpu.seg[S_CS].sel, (unsigned long long)v->cpu.rip, hex);
        }
    }
    return iem_ud(v);
}

enum { CLS_BENIGN, CLS_CONTRIB, CLS_PF };

static unsigned exc_class(unsigned vec)
{
    if (vec == X_DE || (vec >= X_TS && vec <= X_GP))
        return CLS_CONTRIB;
    return vec == X_PF ? CLS_PF : CLS_BENIGN;
}

/* Faults (not traps) leave RF set in the pushed EFLAGS so that returning to
 * the instruction does not re-trigger an instruction breakpoint. */
static bool is_fault(unsigned vec)
{
    return vec == X_DE || vec == X_BR || vec == X_UD || vec == X_NM || (vec >= X_TS && vec <= X_PF) ||
           vec == X_MF || vec == X_AC || vec == X_XM;
}

int iem_tss_stack(struct vcpu *v, unsigned cpl, uint16_t *ss, uint64_t *sp)
{
    const struct cpu_seg *tr = &v->cpu.tr;
    uint32_t err = tr->sel & 0xfffc;
    bool tss32 = (tr->attr & 8) != 0;
    uint64_t off = tss32 ? (uint64_t)cpl * 8 + 4 : (uint64_t)cpl * 4 + 2;
    if ((tr->attr & SEG_UNUSABLE) || off + (tss32 ? 5 : 3) > tr->limit)
        return iem_ts(v, err);
    uint8_t b[6] = {0};
    int rc = iem_lin_read(v, (tr->base + off) & 0xffffffffu, b, tss32 ? 6 : 4, ACC_R | ACC_SYS);
    if (rc)
        return rc;
    if (tss32) {
        *sp = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
        *ss = (uint16_t)(b[4] | b[5] << 8);
    } else {
        *sp = (uint16_t)(b[0] | b[1] << 8);
        *ss = (uint16_t)(b[2] | b[3] << 8);
    }
    return IEM_OK;
}

/* 64-bit TSS: RSPn at 4 + 8n, ISTn at 0x1c + 8n. */
int iem_tss_rsp64(struct vcpu *v, unsigned off, uint64_t *rsp)
{
    const struct cpu_seg *tr = &v->cpu.tr;
    if ((tr->attr & SEG_UNUSABLE) || (uint64_t)off + 7 > tr->limit)
        return iem_ts(v, tr->sel & 0xfffc);
    return iem_lin_read(v, tr->base + off, rsp, 8, ACC_R | ACC_SYS);
}

static int deliver_real(struct vcpu *v, unsigned vec, uint64_t ret_rip)
{
    struct cpu *c = &v->cpu;
    if ((uint64_t)vec * 4 + 3 > c->idtr.limit)
        return iem_gp(v, 0);
    uint32_t ent;
    int rc = iem_lin_read(v, (c->idtr.base + vec * 4) & 0xffffffffu, &ent, 4, ACC_R | ACC_SYS);
    if (rc)
        return rc;
    unsigned width = iem_stack_size(v);
    uint64_t sp = c->gpr[R_SP] & iem_mask(width);
    uint64_t items[3] = {cpu_get_flags(c) & 0xffff, c->seg[S_CS].sel, ret_rip & 0xffff};
    for (unsigned i = 0; i < 3; i++) {
        rc = iem_stk_push(v, &c->seg[S_SS], width, &sp, 2, items[i], 0, 0);
        if (rc)
            return rc;
    }
    iem_gpr_set(v, R_SP, width, sp);
    iem_seg_load_real(v, S_CS, (uint16_t)(ent >> 16));
    c->rip = ent & 0xffff;
    c->rflags &= ~(uint64_t)(F_IF | F_TF | F_AC);
    return IEM_OK;
}

static int deliver_prot(struct vcpu *v, unsigned vec, enum iem_event kind, uint32_t err, bool has_err,
                        uint64_t ret_rip)
{
    struct cpu *c = &v->cpu;
    bool lm = cpu_is_long(c), v86 = cpu_is_v86(c);
    bool soft = kind == EV_SOFTINT || kind == EV_INT3 || kind == EV_INTO;
    uint32_t idt_err = vec * 8 + 2;
    unsigned cpl = c->cpl;

    /* INT n in v86 mode is IOPL-sensitive, or redirected under VME. */
    if (v86 && kind == EV_SOFTINT) {
        bool done;
        int rc = iem_v86_softint(v, vec, ret_rip, &done);
        if (rc || done)
            return rc;
    }

    unsigned esz = lm ? 16 : 8;
    if ((uint64_t)vec * esz + esz - 1 > c->idtr.limit)
        return iem_gp(v, idt_err);
    uint64_t g[2] = {0, 0};
    uint64_t gaddr = c->idtr.base + (uint64_t)vec * esz;
    int rc = iem_lin_read(v, lm ? gaddr : (gaddr & 0xffffffffu), g, esz, ACC_R | ACC_SYS);
    if (rc)
        return rc;
    unsigned gtype = D_TYPE(g[0]), gdpl = D_DPL(g[0]);
    bool gvalid = lm ? ((gtype == 0xe || gtype == 0xf) && !((g[1] >> 40) & 0x1f))
                     : (gtype == 5 || gtype == 6 || gtype == 7 || gtype == 0xe || gtype == 0xf);
    if (!gvalid || D_S(g[0]))
        return iem_gp(v, idt_err);
    if (soft && gdpl < cpl)
        return iem_gp(v, idt_err);
    if (!D_P(g[0]))
        return iem_np(v, idt_err);
    if (gtype == 5)
        return iem_task_gate_event(v, g[0], kind == EV_EXC && is_fault(vec), ret_rip, has_err, err);

    uint16_t sel = (uint16_t)(g[0] >> 16);
    uint64_t off = (g[0] & 0xffff) | ((g[0] >> 48) << 16);
    if (lm)
        off |= (g[1] & 0xffffffffu) << 32;
    else if (!(gtype & 8))
        off &= 0xffff;
    unsigned isz = lm ? 8 : (gtype & 8) ? 4 : 2;

    if (!(sel & 0xfffc))
        return iem_gp(v, 0);
    uint64_t cd;
    rc = iem_desc_read(v, sel, &cd, X_GP);
    if (rc)
        return rc;
    unsigned ctype = D_TYPE(cd), dpl = D_DPL(cd);
    if (!D_S(cd) || !(ctype & 8) || dpl > cpl)
        return iem_gp(v, sel & 0xfffc);
    if (!D_P(cd))
        return iem_np(v, sel & 0xfffc);
    if (lm && (!D_L(cd) || D_DB(cd)))
        return iem_gp(v, sel & 0xfffc);
    unsigned new_cpl = (ctype & 4) ? cpl : dpl;
    if (v86 && new_cpl != 0)
        return iem_gp(v, sel & 0xfffc);
    bool switch_stack = new_cpl < cpl;

    struct cpu_seg nss = c->seg[S_SS];
    uint64_t nsp = c->gpr[R_SP];
    unsigned width;
    unsigned ist = lm ? (g[0] >> 32) & 7 : 0;
    if (lm) {
        if (ist)
            rc = iem_tss_rsp64(v, 0x1c + 8 * ist, &nsp);
        else if (switch_stack)
            rc = iem_tss_rsp64(v, 4 + 8 * new_cpl, &nsp);
        if (rc)
            return rc;
        if (switch_stack) {
            iem_seg_null(&nss, (uint16_t)new_cpl);
            nss.attr |= new_cpl << SEG_DPL_SHIFT;
        }
        nsp &= ~0xfull;
        width = 8;
    } else if (switch_stack) {
        uint16_t ssel;
        rc = iem_tss_stack(v, new_cpl, &ssel, &nsp);
        if (!rc)
            rc = iem_check_new_ss(v, ssel, new_cpl, X_TS, &nss);
        if (rc)
            return rc;
        width = (nss.attr & SEG_DB) ? 4 : 2;
    } else {
        width = iem_stack_size(v);
    }

    struct cpu_seg ncs;
    iem_desc_to_seg(cd, sel, &ncs);
    if (lm ? !iem_canonical(v, off) : off > ncs.limit)
        return iem_gp(v, 0);

    uint64_t flags = cpu_get_flags(c);
    if (kind == EV_EXC && is_fault(vec))
        flags |= F_RF;
    uint64_t items[12];
    unsigned n = 0;
    if (v86) {
        items[n++] = c->seg[S_GS].sel;
        items[n++] = c->seg[S_FS].sel;
        items[n++] = c->seg[S_DS].sel;
        items[n++] = c->seg[S_ES].sel;
    }
    if (switch_stack || lm) {
        items[n++] = c->seg[S_SS].sel;
        items[n++] = c->gpr[R_SP];
    }
    items[n++] = flags;
    items[n++] = c->seg[S_CS].sel;
    items[n++] = ret_rip;
    if (has_err)
        items[n++] = err;
    uint64_t sp = nsp & iem_mask(width);
    unsigned acc = new_cpl < 3 ? ACC_SYS : 0;
    uint32_t sserr = switch_stack ? (nss.sel & 0xfffc) : 0;
    for (unsigned i = 0; i < n; i++) {
        rc = iem_stk_push(v, &nss, width, &sp, isz, items[i] & iem_mask(isz), acc, sserr);
        if (rc)
            return rc;
    }

    /* Nothing faults past this point. */
    if (switch_stack) {
        c->seg[S_SS] = nss;
        c->gpr[R_SP] = width == 8 ? sp : (nsp & ~iem_mask(width)) | sp;
    } else {
        iem_gpr_set(v, R_SP, width, sp);
    }
    if (v86) {
        static const uint8_t dsegs[] = {S_ES, S_DS, S_FS, S_GS};
        for (unsigned i = 0; i < sizeof(dsegs); i++)
            iem_seg_null(&c->seg[dsegs[i]], 0);
    }
    c->rflags &= ~(uint64_t)(F_TF | F_NT | F_RF | F_VM);
    if (!(gtype & 1))
        c->rflags &= ~(uint64_t)F_IF;
    iem_load_cs(v, sel, cd, new_cpl);
    c->rip = off;
    iem_mode_changed(v);
    return IEM_OK;
}

int iem_deliver(struct vcpu *v, unsigned vector, enum iem_event kind, uint32_t err, bool has_err,
                uint64_t return_rip)
{
    struct cpu *c = &v->cpu;
    /* The class of what is being delivered: interrupts and software
     * events are benign for the double-fault rules. */
    unsigned cur_cls = kind == EV_EXC ? exc_class(vector) : CLS_BENIGN;
    bool in_df = kind == EV_EXC && vector == X_DF;
    bool ext = kind == EV_EXC || kind == EV_HWINT || kind == EV_NMI || kind == EV_ICEBP;

    for (v->iem.fault_depth = 0;; v->iem.fault_depth++) {
        v->iem.exc.pending = false;
        int rc = cpu_is_real(c) ? deliver_real(v, vector, return_rip)
                                : deliver_prot(v, vector, kind, err, has_err, return_rip);
        unsigned nv;
        uint32_t nerr;
        bool nhas;
        if (rc == IEM_OK) {
            v->iem.next_rip = c->rip;
            c->halted = false;
            if (kind == EV_NMI)
                c->nmi_blocked = true;
        }
        bool t_bit = rc == IEM_OK && (v->iem.dr6_pending & DR6_BT);
        if (rc != IEM_EXC && !t_bit) {
            v->iem.fault_depth = 0;
            return rc;
        }
        if (t_bit) {
            /* A new task's T bit: a #DB trap before its first instruction. */
            v->iem.dr6_pending &= (uint16_t)~DR6_BT;
            c->dr[6] |= DR6_BT;
            nv = X_DB;
            nerr = 0;
            nhas = false;
            in_df = false;
        } else {
            nv = v->iem.exc.vector;
            nerr = v->iem.exc.err;
            nhas = v->iem.exc.has_err;
            v->iem.exc.pending = false;
            if (in_df || v->iem.fault_depth >= 3) {
                v->iem.fault_depth = 0;
                return IEM_TRIPLE;
            }
            /* Selector error codes carry EXT when an external event (or an
             * earlier exception) was being delivered. */
            if (ext && nhas && nv >= X_TS && nv <= X_GP)
                nerr |= 1;
            unsigned ncls = exc_class(nv);
            if ((cur_cls == CLS_CONTRIB && ncls == CLS_CONTRIB) || (cur_cls == CLS_PF && ncls != CLS_BENIGN)) {
                nv = X_DF;
                nerr = 0;
                nhas = true;
                in_df = true;
            }
        }
        vector = nv;
        err = nerr;
        has_err = nhas && !cpu_is_real(c);
        kind = EV_EXC;
        ext = true;
        cur_cls = exc_class(nv);
        return_rip = c->rip; /* faults in delivery point at the instruction (or the new task's) */
    }
}
