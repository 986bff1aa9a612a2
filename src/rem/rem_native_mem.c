/* REM's native code: memory operands through the inline TLB lookup, PUSH
 * and POP, near CALL and RET (see rem_native.c's invariants).
 *
 * Invariants:
 * - The inline lookup is pgm/tlb.h's, taken only for a segment that
 *   rem_native_sync found flat and an access within one page; a miss calls
 *   iem_host_ptr, and what that refuses is the helper step of the whole
 *   instruction, so nothing is written before every check passed.
 */
#include "cpu/decode.h"
#include "pgm/tlb.h"
#include "rem/rem_native.h"

void rem_native_sync(struct vcpu *v)
{
    struct rem_state *r = v->rem;
    const struct cpu *c = &v->cpu;
    unsigned pcid = tlb_cur_pcid(c->cr3, c->cr4);
    unsigned acc = (c->cpl == 3 ? PGM_ACC_USER : 0) | (c->rflags & F_AC ? PGM_ACC_AC : 0);

    r->tlb_ctx = tlb_ctx(v, &v->tlb, c->cr4, acc, pcid);
    r->tlb_salt = tlb_salt(r->tlb_ctx) << 5;
    r->ff_mask = rem_ff_mask(c);
    r->flat = 0;
    /* the inline lookup knows nothing of #AC or a debugger's watch: a
     * context no tag holds sends every access to the full path */
    if (((c->cr0 & CR0_AM) && c->cpl == 3 && (c->rflags & F_AC)) || v->dbg_watch)
        r->tlb_ctx = TLB_NEVER;
    if (c->efer & EFER_LMA && c->seg[S_CS].attr & SEG_L) {
        /* FS and GS add their base (emit_tlb) */
        r->flat = 1u << S_ES | 1u << S_SS | 1u << S_DS | 1u << S_CS | 1u << S_FS | 1u << S_GS;
        return;
    }
    if (!(c->cr0 & CR0_PE) || (c->rflags & F_VM))
        return;
    for (unsigned s = S_ES; s <= S_GS; s++)
        if (rem_seg_flat(&c->seg[s]))
            r->flat |= 1u << s;
}

/* rax = the effective address of m as iem_ea works it out: disp + base
 * (or the next RIP, a constant) + index * scale, wrapped to the address
 * size. */
void rem_emit_ea(struct x64 *e, const struct iem_insn *in, const struct iem_op *m)
{
    bool aw = in->asize == 8;
    int hb = m->base != IEM_RIPREG && m->base != IEM_NOREG ? x64_cached_reg(e, V_GPR(m->base)) : -1;
    int hi = m->index != IEM_NOREG ? x64_cached_reg(e, V_GPR(m->index)) : -1;

    /* base and index in host registers: one LEA (a 32-bit one wraps at
     * 4 GiB, as the address size does) */
    if (hb >= 0 && (m->index == IEM_NOREG || hi >= 0) && (aw || in->asize == 4)) {
        x64_lea(e, X_RAX, (unsigned)hb, hi, m->scale == 8 ? 3 : m->scale == 4 ? 2 : m->scale == 2 ? 1 : 0,
                (int32_t)m->disp, aw);
        return;
    }
    if (m->base == IEM_RIPREG) {
        x64_mov_imm(e, X_RAX, e->rip + e->pend_len + in->len + (uint64_t)(int64_t)m->disp);
    } else if (m->base != IEM_NOREG) {
        x64_load(e, X_RAX, V_GPR(m->base), aw);
        if (m->disp)
            x64_add_imm(e, X_RAX, (int32_t)m->disp);
    } else {
        x64_mov_imm(e, X_RAX, (uint64_t)m->disp);
    }
    if (m->index != IEM_NOREG) {
        x64_load(e, X_RCX, V_GPR(m->index), aw);
        if (m->scale > 1)
            x64_shl(e, X_RCX, m->scale == 2 ? 1 : m->scale == 4 ? 2 : 3);
        x64_alu_rr(e, X_ADD, X_RAX, X_RCX, true);
    }
    if (!aw)
        x64_mov_rr(e, X_RAX, X_RAX, false);
}

/* Looks the host pointer up for v (rbx). */
static uint8_t *host_ptr(struct vcpu *v, uint64_t packed, uint64_t ea)
{
    return iem_host_ptr(v, packed & 7, ea, (packed >> 8) & 0xff, (packed >> 16) & 1);
}

/* The TLB lookup of pgm/tlb.h inline, for the operand m whose linear
 * address is in rax (its segment's base is 0 when rem_state.flat says
 * so). On a hit rax becomes the host pointer and the code falls through;
 * anything else goes to the cold stream with rax unchanged, where the
 * code goes on (emitting there) for the call that does the whole lookup:
 * *hit is where that call's success jumps back to. */
static void emit_tlb(struct x64 *e, const struct iem_insn *in, const struct iem_op *m, bool store, uint8_t **hit)
{
    unsigned kind = store ? TLB_KIND_WRITE : TLB_KIND_READ, seg = m->seg;

    bool based = in->ipsize == 8 && (seg == S_FS || seg == S_GS);

    /* every segment is flat in 64-bit mode (the TB's key) */
    uint8_t *not_flat = NULL;
    if (in->ipsize != 8 && !(e->dflat && (seg == S_ES || seg == S_SS || seg == S_DS))) {
        x64_test_mem8(e, X_RBP, R_FLAT, (uint8_t)(1u << seg));
        not_flat = x64_jz(e);
    }
    if (based) { /* 64-bit FS/GS: the base added, the offset kept in rsi for a miss */
        x64_mov_rr(e, X_RSI, X_RAX, true);
        x64_mem(e, true, 0x03, X_RAX, X_RBX, V_SEGBASE(seg)); /* add rax, [rbx + base] */
    }
    /* rcx = the slot's byte offset in its table; no canonical check: a
     * non-canonical address is in no tag (tlb.h) */
    _Static_assert(TLB_ENTRY_SIZE == 32, "slot offsets are index << 5");
    x64_mov_rr(e, X_RCX, X_RAX, true);
    x64_shift_imm(e, 5, X_RCX, 12 - 5, true);
    x64_mem(e, false, 0x03, X_RCX, X_RBP, R_TLB_SALT); /* add ecx, [rbp + tlb_salt] */
    x64_alu_imm(e, 4, X_RCX, (TLB_SIZE - 1) << 5, false);
    /* rdi = the tag the operand's last byte wants: an access that crosses
     * into the next page wants that page's tag, which is never in this
     * page's slot (consecutive pages have consecutive slots) */
    if (m->size > 1)
        x64_lea8(e, X_RDI, X_RAX, (int8_t)(m->size - 1));
    else
        x64_mov_rr(e, X_RDI, X_RAX, true);
    x64_alu_imm(e, 4, X_RDI, 0xfffff000u, true);     /* and rdi, ~0xfff */
    x64_mem(e, true, 0x0b, X_RDI, X_RBP, R_TLB_CTX); /* or rdi, [rbp + tlb_ctx] */
    x64_mem_rcx_base(e, true, 0x3b, X_RDI, X_RBX, V_TLB(kind, tag)); /* cmp rdi, tag */
    uint8_t *miss = x64_jcc(e, 0x5);
    x64_mem_rcx_base(e, true, 0x03, X_RAX, X_RBX, V_TLB(kind, addend)); /* add rax, addend */
    *hit = e->p;
    x64_cold(e);
    x64_patch(e, miss);
    if (based)
        x64_mov_rr(e, X_RAX, X_RSI, true);
    x64_patch(e, not_flat);
}

uint8_t *rem_emit_host(struct x64 *e, const struct iem_insn *in, const struct iem_op *m, bool store)
{
    uint64_t packed = m->seg | (uint64_t)m->size << 8 | (uint64_t)store << 16;
    uint8_t *hit;
    emit_tlb(e, in, m, store, &hit);
    x64_mov_rr(e, X_RDX, X_RAX, true);
    x64_call_keep(e, host_ptr, packed);
    x64_test_rax(e);
    uint8_t *slow = x64_jz(e);
    x64_jmp_to(e, hit);
    x64_hot(e);
    return slow;
}

uint8_t *rem_emit_cold_step(struct x64 *e, const struct iem_insn *in, uint8_t *const *slow, unsigned n)
{
    uint8_t *done = e->p;
    x64_cold(e);
    for (unsigned i = 0; i < n; i++)
        x64_patch(e, slow[i]);
    rem_emit_step_deferred(e, in);
    return done;
}

void rem_emit_cold_done(struct x64 *e, const struct iem_insn *in, uint8_t *done)
{
    x64_jmp_to(e, done);
    x64_hot(e);
    e->pend_len += in->len;
    e->pend_k++;
}

void rem_emit_retire(struct x64 *e, const struct iem_insn *in, uint8_t *slow)
{
    rem_emit_cold_done(e, in, rem_emit_cold_step(e, in, &slow, 1));
}

/* A memory MOV: the operand's host pointer, then one load or store, or
 * (a fault, MMIO, a code page...) the whole instruction through the
 * helper. Counts for it are added here, on the fast path only. */
/* INC/DEC/NEG/NOT m: rdx = the new value from rdx, rsi = the old one;
 * the lazy flags as op_incdec and op_neg leave them when live. */
static void emit_unary(struct x64 *e, const struct iem_insn *in, bool live)
{
    unsigned size = in->op[0].size;
    bool w = size == 8;
    uint8_t lf = in->mnemonic == ZYDIS_MNEMONIC_INC ? LF_INC : in->mnemonic == ZYDIS_MNEMONIC_DEC ? LF_DEC : LF_NEG;

    x64_mov_rr(e, X_RSI, X_RDX, true);
    if (in->mnemonic == ZYDIS_MNEMONIC_NOT) {
        x64_alu_imm(e, 6, X_RDX, w ? 0xffffffffu : (uint32_t)iem_mask(size), w); /* xor */
        return;
    }
    if (lf == LF_NEG) { /* 0 - old */
        x64_mov_imm(e, X_RDX, 0);
        x64_alu_rr(e, X_SUB, X_RDX, X_RSI, w);
    } else {
        x64_alu_imm(e, lf == LF_INC ? 0 : 5, X_RDX, 1, w);
    }
    if (size < 4)
        x64_alu_imm(e, 4, X_RDX, (uint32_t)iem_mask(size), false);
    if (live) {
        x64_mov_imm(e, X_RCX, 0);
        rem_emit_lazy(e, lf, size, X_RDX, X_RCX, X_RSI);
    }
}

/* rem_emit_retire for a 32/64-bit ALU op whose fast path leaves the
 * guest's flags in the host's: the slow path, after IEM's step, sets them
 * again from the lazy state the step left (the op's own: alu_binary). */
static void retire_alu_flags(struct x64 *e, const struct iem_insn *in, uint8_t *slow, uint8_t lf, unsigned size)
{
    uint8_t *done = rem_emit_cold_step(e, in, &slow, 1);
    x64_load(e, X_RAX, lf == LF_LOGIC ? V_LF_RES : V_LF_SRC1, true);
    if (lf == LF_LOGIC) {
        x64_flagop(e, X_F_TEST, X_RAX, X_RAX, size);
    } else {
        x64_load(e, X_RCX, V_LF_SRC2, true);
        x64_flagop(e, lf == LF_ADD ? X_F_ADD : X_F_CMP, X_RAX, X_RCX, size);
    }
    rem_emit_cold_done(e, in, done);
}

uint8_t rem_emit_mem(struct x64 *e, const struct iem_insn *in, enum nkind k, bool live, const struct lf_known *before)
{
    const struct iem_op *d = &in->op[0], *s = &in->op[1], *m = d->type == OPT_MEM ? d : s;
    if (k == N_UNARY_MEM) {
        if (live && (in->mnemonic == ZYDIS_MNEMONIC_INC || in->mnemonic == ZYDIS_MNEMONIC_DEC))
            rem_emit_keep_cf(e, before); /* rflags' CF is the same flag either way: safe before any check */
        rem_emit_ea(e, in, d);
        uint8_t *slow = rem_emit_host(e, in, d, true);
        x64_load_sz(e, X_RDX, X_RAX, 0, d->size);
        emit_unary(e, in, live);
        x64_store_sz(e, X_RAX, 0, X_RDX, d->size);
        rem_emit_retire(e, in, slow);
        return LF_HOST_NONE;
    }
    enum x64_alu op = X_ADD;
    uint8_t lf = 0;
    bool writes = false, w = d->size == 8;
    if (k == N_ALU_MEM)
        rem_alu_of(in->mnemonic, &op, &lf, &writes);
    bool store = k == N_STORE || (k == N_ALU_MEM && writes && m == d);

    rem_emit_ea(e, in, m);
    uint8_t *slow = rem_emit_host(e, in, m, store);
    unsigned size = d->size;
    if (k == N_ALU_MEM) { /* rdx = a, rcx = b, rsi = a kept for the flags */
        if (m == d)
            x64_load_sz(e, X_RDX, X_RAX, 0, size);
        else
            x64_load_sz(e, X_RDX, X_RBX, rem_reg_disp(d), size);
        if (m == s)
            x64_load_sz(e, X_RCX, X_RAX, 0, size);
        else if (s->type == OPT_IMM)
            x64_mov_imm(e, X_RCX, s->imm & iem_mask(size));
        else
            x64_load_sz(e, X_RCX, X_RBX, rem_reg_disp(s), size);
        x64_mov_rr(e, X_RSI, X_RDX, true);
        x64_alu_rr(e, op, X_RDX, X_RCX, w);
        if (size < 4) /* the lazy result is masked to the size */
            x64_alu_imm(e, 4, X_RDX, (uint32_t)iem_mask(size), false);
        if (writes && m == d)
            x64_store_sz(e, X_RAX, 0, X_RDX, size);
        else if (writes)
            x64_store_sz(e, X_RBX, size == 4 ? V_GPR(d->reg) : rem_reg_disp(d), X_RDX, size == 4 ? 8 : size);
        if (live)
            rem_emit_lazy(e, lf, size, X_RDX, X_RSI, X_RCX);
        if (size < 4) { /* the host flags at the operand's size (registers 0-3) */
            if (lf == LF_LOGIC) {
                x64_flagop(e, X_F_TEST, X_RDX, X_RDX, size);
            } else {
                x64_mov_rr(e, X_RAX, X_RSI, true);
                x64_flagop(e, lf == LF_ADD ? X_F_ADD : X_F_CMP, X_RAX, X_RCX, size);
            }
        }
        /* only moves since: the host flags are the guest's */
        retire_alu_flags(e, in, slow, lf, size);
        return LF_HOST_ALL;
    } else if (k == N_LOAD && in->mnemonic != ZYDIS_MNEMONIC_MOV) { /* MOVZX/MOVSX/MOVSXD */
        rem_load_ext(e, in, X_RAX, 0, m->size);
        x64_store_sz(e, X_RBX, V_GPR(d->reg), X_RCX, d->size == 2 ? 2 : 8);
    } else if (k == N_LOAD) {
        int h = d->rclass == RC_GPR && d->size >= 4 ? x64_cached_reg(e, V_GPR(d->reg)) : -1;
        if (h >= 0) { /* straight into the host register (32 bits zero-extend) */
            x64_load_sz(e, (unsigned)h, X_RAX, 0, d->size);
            e->dirty |= (uint16_t)(1u << d->reg);
        } else {
            x64_load_sz(e, X_RCX, X_RAX, 0, m->size);
            /* a 32-bit destination is zero-extended; 8 and 16 bits merge */
            x64_store_sz(e, X_RBX, rem_reg_disp(d), X_RCX, d->size == 4 ? 8 : d->size);
        }
    } else if (s->type == OPT_REG && s->rclass == RC_GPR && size >= 4 && x64_cached_reg(e, V_GPR(s->reg)) >= 0) {
        x64_store_sz(e, X_RAX, 0, (unsigned)x64_cached_reg(e, V_GPR(s->reg)), size);
    } else {
        if (s->type == OPT_IMM)
            x64_mov_imm(e, X_RCX, s->imm & iem_mask(size));
        else
            x64_load_sz(e, X_RCX, X_RBX, rem_reg_disp(s), size);
        x64_store_sz(e, X_RAX, 0, X_RCX, size);
    }
    rem_emit_retire(e, in, slow);
    return LF_HOST_NONE;
}

/* The stack's width where compiled code moves RSP itself: 64-bit mode, or
 * a 32-bit stack (SS.B in the key); 0 for a 16-bit one. */
static unsigned stack_width(const struct rem_tb *tb)
{
    return (tb->key & 7) == DMODE_LONG ? 8 : (tb->key & 0x100) ? 4 : 0;
}

/* PUSH r / POP r of the stack's width (32-bit with SS.B, or 64-bit
 * mode): *ss is that width. */
bool rem_push_pop(const struct rem_tb *tb, const struct iem_insn *in, unsigned *ss)
{
    if ((in->mnemonic != ZYDIS_MNEMONIC_PUSH && in->mnemonic != ZYDIS_MNEMONIC_POP) || in->nops < 1 ||
        in->op[0].type != OPT_REG || in->op[0].rclass != RC_GPR || in->op[0].size != in->osize ||
        (in->ctl & (IEM_CTL_FULL | IEM_CTL_ENDS_TB)) || in->fn == iem_unimplemented)
        return false;
    *ss = stack_width(tb);
    return *ss && in->osize == *ss;
}

/* rcx = RSP moved by delta, wrapped at the stack width */
static void emit_sp(struct x64 *e, unsigned ss, int32_t delta)
{
    x64_load(e, X_RCX, V_GPR(R_SP), true);
    x64_add_imm(e, X_RCX, delta);
    if (ss == 4)
        x64_mov_rr(e, X_RCX, X_RCX, false);
}

/* PUSH/POP: SS:RSP through the inline TLB lookup, RSP moved only once the
 * access went through; anything else (a fault...) is the helper step. */
void rem_emit_stack(struct x64 *e, const struct iem_insn *in, unsigned ss)
{
    bool push = in->mnemonic == ZYDIS_MNEMONIC_PUSH;
    struct iem_op m = {.type = OPT_MEM, .seg = S_SS, .size = (uint8_t)ss};

    emit_sp(e, ss, push ? -(int32_t)ss : 0);
    x64_mov_rr(e, X_RAX, X_RCX, true);
    uint8_t *slow = rem_emit_host(e, in, &m, push);
    if (push) { /* PUSH RSP pushes the old value */
        x64_load(e, X_RDX, V_GPR(in->op[0].reg), ss == 8);
        x64_store_sz(e, X_RAX, 0, X_RDX, ss);
        emit_sp(e, ss, -(int32_t)ss);
        x64_store64(e, V_GPR(R_SP), X_RCX);
    } else { /* POP RSP keeps the popped value */
        x64_load_sz(e, X_RDX, X_RAX, 0, ss);
        emit_sp(e, ss, (int32_t)ss);
        x64_store64(e, V_GPR(R_SP), X_RCX);
        x64_store64(e, V_GPR(in->op[0].reg), X_RDX);
    }
    rem_emit_retire(e, in, slow);
}

/* A near CALL rel / RET (imm16) at a TB's end that the code can run: its
 * operand and stack sizes are the RIP width, and no target can pass the
 * CS limit (flat 32-bit CS, or 64-bit mode). *ss is the stack width. */
/* A near CALL/JMP through a general register other than rSP or through
 * memory the inline lookup reads, of the RIP width. */
static bool via_reg(const struct iem_insn *in)
{
    const struct iem_op *o = &in->op[0];
    if ((in->mnemonic != ZYDIS_MNEMONIC_CALL && in->mnemonic != ZYDIS_MNEMONIC_JMP) || in->nops < 1 ||
        o->size != in->ipsize)
        return false;
    return (o->type == OPT_REG && o->rclass == RC_GPR && o->reg != R_SP) || rem_mem_ok(in, o);
}

bool rem_call_ret(const struct rem_tb *tb, const struct iem_insn *in, unsigned *ss)
{
    bool call =
        in->mnemonic == ZYDIS_MNEMONIC_CALL && in->nops >= 1 && in->op[0].type == OPT_IMM && in->op[0].rel;
    bool ret = in->mnemonic == ZYDIS_MNEMONIC_RET && (in->nops == 0 || in->op[0].type == OPT_IMM);

    if (!(call || ret || via_reg(in)) || in->far || in->fn == iem_unimplemented || in->osize != in->ipsize ||
        (in->ctl & IEM_CTL_FULL) || !(in->ipsize == 8 || (tb->key & REM_KEY_FLAT)))
        return false;
    *ss = stack_width(tb);
    return *ss == in->osize;
}

bool rem_canonical(const struct x64 *e, uint64_t a)
{
    return (uint64_t)((int64_t)(a << e->canon_shift) >> e->canon_shift) == a;
}

uint8_t *rem_emit_canon(struct x64 *e, unsigned reg)
{
    /* sign-extend from bit 47 or 56: equal to reg when canonical */
    x64_mov_rr(e, X_RDI, reg, true);
    x64_shift_imm(e, 4, X_RDI, e->canon_shift, true);
    x64_shift_imm(e, 7, X_RDI, e->canon_shift, true);
    x64_flagop(e, X_F_CMP, X_RDI, reg, 8);
    return x64_jcc(e, 0x5);
}

/* CALL's push of ret through the inline TLB lookup, RSP moved once it
 * went through; the returned rel32 is the slow path. */
static uint8_t *push_ret(struct x64 *e, const struct iem_insn *in, unsigned ss, uint64_t ret)
{
    struct iem_op m = {.type = OPT_MEM, .seg = S_SS, .size = (uint8_t)ss};
    emit_sp(e, ss, -(int32_t)ss);
    x64_mov_rr(e, X_RAX, X_RCX, true);
    uint8_t *slow = rem_emit_host(e, in, &m, true);
    x64_mov_imm(e, X_RDX, ret);
    x64_store_sz(e, X_RAX, 0, X_RDX, ss);
    emit_sp(e, ss, -(int32_t)ss);
    x64_store64(e, V_GPR(R_SP), X_RCX);
    return slow;
}

/* CALL rel: the return address pushed through the inline TLB lookup, then
 * the exit to the target (at TB offset off); RET: the popped target, then
 * the jump cache; CALL/JMP r: the target checked first, the return
 * address pushed (CALL), then the jump cache. Nothing is written before
 * every check passed; a miss or a fault is the helper step of the whole
 * instruction. */
void rem_emit_call_ret(struct x64 *e, struct rem_tb *tb, const struct iem_insn *in, unsigned ss, int64_t off)
{
    bool ind = via_reg(in), call = in->mnemonic == ZYDIS_MNEMONIC_CALL, w = in->ipsize == 8;
    struct iem_op m = {.type = OPT_MEM, .seg = S_SS, .size = (uint8_t)ss};
    uint8_t *slow = NULL, *bad = NULL;
    uint64_t rip = e->rip, mask = in->ipsize == 4 ? 0xffffffffull : ~0ull;
    uint64_t ret = (rip + e->pend_len + in->len) & mask;
    uint32_t len0 = e->pend_len;
    int32_t k0 = e->pend_k;
    bool ahead = e->rip_ahead;

    if (ind) {
        /* the target in RIP first (the slow path stores RIP again), after
         * its canonical check (IEM's #GP) */
        const struct iem_op *t = &in->op[0];
        uint8_t *slow_t = NULL;
        if (t->type == OPT_REG) {
            x64_load(e, X_RDX, V_GPR(t->reg), w);
        } else {
            rem_emit_ea(e, in, t);
            slow_t = rem_emit_host(e, in, t, false);
            x64_load_sz(e, X_RDX, X_RAX, 0, t->size);
        }
        if (w)
            bad = rem_emit_canon(e, X_RDX);
        x64_store64(e, V_RIP, X_RDX);
        if (call)
            slow = push_ret(e, in, ss, ret);
        e->rip_ahead = false; /* RIP is stored */
        rem_emit_counts(e, 0, k0 + 1);
        rem_emit_next(e, tb);
        x64_patch(e, slow_t);
        x64_patch(e, slow);
        x64_patch(e, bad);
        ahead = true; /* RIP holds the target on these paths */
    } else if (!call || in->ipsize == 4 || rem_canonical(e, ret + (uint64_t)in->op[0].imm)) {
        /* (a non-canonical CALL target is IEM's #GP: the slow path only) */
        if (call) {
            slow = push_ret(e, in, ss, ret);
            rem_emit_counts(e, (int64_t)len0 + in->len + (int64_t)in->op[0].imm, k0 + 1);
            rem_emit_exit(e, tb, 1, off);
        } else {
            emit_sp(e, ss, 0);
            x64_mov_rr(e, X_RAX, X_RCX, true);
            slow = rem_emit_host(e, in, &m, false);
            x64_load_sz(e, X_RDX, X_RAX, 0, ss);
            if (ss == 8)
                bad = rem_emit_canon(e, X_RDX);
            x64_store64(e, V_RIP, X_RDX);
            emit_sp(e, ss, (int32_t)(ss + (in->nops ? (in->op[0].imm & 0xffff) : 0)));
            x64_store64(e, V_GPR(R_SP), X_RCX);
            e->rip_ahead = false; /* RIP is stored */
            rem_emit_counts(e, 0, k0 + 1);
            rem_emit_next(e, tb);
        }
        x64_patch(e, slow);
        x64_patch(e, bad);
    }
    e->rip = rip;
    e->rip_ahead = ahead;
    rem_emit_counts(e, len0, k0);
    x64_cache_writeback(e);
    x64_call_cur(e, rem_step_fn(in), (uint64_t)(uintptr_t)in);
    x64_return(e, false, REM_NX_STOP);
}

void rem_load_ext(struct x64 *e, const struct iem_insn *in, unsigned base, int32_t disp, unsigned size)
{
    bool sx = in->mnemonic != ZYDIS_MNEMONIC_MOVZX;
    if (!sx || size == 8) {
        x64_load_sz(e, X_RCX, base, disp, size); /* zero-extends to 64 bits */
        return;
    }
    x64_load_sx(e, X_RCX, base, disp, size); /* sign-extends to 64 bits */
    if (in->op[0].size == 4)
        x64_mov_rr(e, X_RCX, X_RCX, false); /* a 32-bit destination is zero-extended */
}
