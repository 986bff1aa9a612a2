/* REM, second tier: hot TBs compiled to host x86-64 code.
 *
 * Invariants:
 * - Compiled code runs a TB's instructions in order with exactly IEM's
 *   results. MOV/ALU/CMP/TEST of every size, LEA, SHL/SHR/SAR by an
 *   immediate, IMUL, NOP, PUSH/POP, JMP/Jcc, CALL/RET, the legacy
 *   SSE/SSE2 moves and integer ops of rem_native_sse.c and their VEX
 *   forms there (run lane by lane as host SSE2, no host AVX), and the
 *   bit, multiply/divide, exchange and flag forms of rem_native_bit.c
 *   (a #DE goes to the helper step) become host
 *   instructions on struct cpu (lazy flags stored as iem_lazy stores them,
 *   other flags as IEM defines them); pure register forms call their IEM
 *   handler; everything else is a helper step (native_step) that runs the
 *   instruction through IEM's plain or full path as the first tier does.
 * - Memory operands use pgm/tlb.h's lookup inline, only for a segment
 *   rem_native_sync found flat and an access within one page; a miss calls
 *   iem_host_ptr, and anything it refuses (a fault, MMIO, a code page) is
 *   the helper step of the whole instruction: nothing is written before
 *   every check passed, so a fault leaves IEM's exact state.
 * - Each TB's entry (from REM's loop or a chained jump) checks the TB's
 *   code generation(s) (from REM's loop), then takes its length off
 *   vcpu.run.left, the instructions left before rem_state.limit, and
 *   returns REM_NX_BAIL when that would go below zero or vcpu.run.stop is
 *   set; each instruction retires against that charge. While compiled
 *   code runs, vcpu.insns is rem_state.limit - vcpu.run.left at
 *   instruction boundaries, and C sets it so (rem_sync_insns) before it
 *   uses it: in the helpers and when the code returns. So inside a TB RIP
 *   and the count need to be exact only before a helper call and at the
 *   exits, and a TB that runs to its end adds nothing at its exit. A step
 *   that did not retire (a fault) stops the code, as vcpu.insns does not
 *   count it.
 * - Whoever raises a forced action sets vcpu.run.stop (vcpu_ff_set,
 *   vm_request); REM's loop clears it before it looks at the forced
 *   actions and sets it again when one must be taken (rem_state.ff_mask:
 *   NMI, VM requests, interrupts when EFLAGS.IF is set), and helpers that
 *   may set EFLAGS.IF do too.
 * - A TB's code runs at one RIP (rem_tb.rip0) and stores RIP as
 *   constants: REM's loop, the jump cache and chain_link check that RIP
 *   before they enter it.
 * - Between TBs (at every chain entry and chained jump) the guest's
 *   rax..rdi are in their pinned host registers (rem_x64.h); struct cpu's
 *   copies may be older. A TB writes them back (all it caches, until a
 *   helper call has) before each helper call and on every way back to C
 *   (its bail included), keeps those it addresses as AH-BH in struct cpu
 *   from its entry to its exits, and entries from C load them all.
 * - A helper that changes anything REM must look at (a fault, a branch, a
 *   write to the TB's code, a forced action, an instruction for the full
 *   path) makes the code return REM_NX_STOP at once, with the state at that
 *   instruction boundary; helpers that may change the inline lookup's
 *   context (paging registers, CPL, EFLAGS.AC, segments) resync it.
 * - Static exits on the TB's page become jumps to the next TB's entry
 *   (rem.c patches them); other exits, and near branches and mode changes
 *   a helper ran, go on through the jump cache (rem_next_compiled:
 *   REM's loop's checks first), which never builds or
 *   compiles, so the code running never moves under itself.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>

#include "cpu/decode.h"
#include "pgm/tlb.h"
#include "rem/rem_native.h"

/* Whether running in may change what rem_native_sync reads (paging
 * registers, CPL, EFLAGS.AC, segments): decided when compiling, so the
 * common helper steps skip the sync. */
static bool changes_ctx(const struct iem_insn *in)
{
    static const uint16_t mn[] = {
        ZYDIS_MNEMONIC_POPF, ZYDIS_MNEMONIC_POPFD, ZYDIS_MNEMONIC_POPFQ, ZYDIS_MNEMONIC_STAC,
        ZYDIS_MNEMONIC_CLAC, ZYDIS_MNEMONIC_LDS,   ZYDIS_MNEMONIC_LES,   ZYDIS_MNEMONIC_LFS,
        ZYDIS_MNEMONIC_LGS,  ZYDIS_MNEMONIC_LSS,
    };
    if (in->ctl & (IEM_CTL_FULL | IEM_CTL_ENDS_TB))
        return true;
    for (size_t i = 0; i < sizeof(mn) / sizeof(mn[0]); i++)
        if (mn[i] == in->mnemonic)
            return true;
    for (unsigned i = 0; i < in->nops; i++)
        if (in->op[i].type == OPT_REG && in->op[i].rclass == RC_SEG)
            return true;
    return false;
}

/* Runs one instruction the code does not translate (see the invariants). */
static int native_step(struct vcpu *v, const struct iem_insn *in)
{
    struct rem_state *r = v->rem;
    struct cpu *c = &v->cpu;
    uint64_t next = (c->rip + in->len) & in->ipmask;
    bool full = (in->ctl & IEM_CTL_FULL) != 0;
    uint64_t insns = rem_sync_insns(v);
    int rc = full ? iem_step_decoded(v, in) : iem_step_plain(v, in, next);

    bool retired = v->insns != insns;
    v->run.left -= (uint32_t)retired;
    r->native_n += !retired;
    r->ff_mask = rem_ff_mask(c); /* STI, CLI, POPF... */
    if (rc) {
        r->native_rc = rc;
        r->why = REM_WHY_STEP_RC;
        return 1;
    }
    /* a fault stops too: the TB entries check the budget against
     * vcpu.insns, which counts retired instructions only */
    r->why = !retired                        ? REM_WHY_STEP_FAULT
             : c->rip != next                ? REM_WHY_STEP_BRANCH
             : !rem_tb_valid(r->cur)         ? REM_WHY_STEP_CODE
             : (full && !iem_plain_ok(v))    ? REM_WHY_STEP_FULL
                                             : REM_WHY_NONE;
    if (r->why)
        return 1;
    unsigned ff = atomic_load_explicit(&v->ff, memory_order_relaxed);
    if (rem_intr_possible(c, ff) || atomic_load_explicit(&v->vm->ff, memory_order_relaxed)) {
        r->why = REM_WHY_STEP_FF;
        return 1;
    }
    return 0;
}

/* native_step for an instruction that changes_ctx(). */
static int native_step_sync(struct vcpu *v, const struct iem_insn *in)
{
    int stop = native_step(v, in);
    rem_native_sync(v);
    /* the code after it counts on ES, SS and DS staying flat */
    if ((v->rem->cur->key & REM_KEY_DFLAT) && !rem_data_flat(&v->cpu))
        return 1;
    return stop;
}

/* The call for a helper step of in. */
const void *rem_step_fn(const struct iem_insn *in)
{
    return changes_ctx(in) ? (const void *)native_step_sync : (const void *)native_step;
}

/* The helper step of in, from compiled code: the cached registers go to
 * struct cpu first and come back after it (IEM reads and writes them
 * there); a step that stops returns from the TB. */
void rem_emit_step(struct x64 *e, const struct iem_insn *in)
{
    x64_cache_writeback(e);
    x64_call_cur(e, rem_step_fn(in), (uint64_t)(uintptr_t)in);
    x64_return_if_eax(e);
    x64_cache_reload(e);
    e->rip += in->len; /* IEM stored it: the code goes on only at the next instruction */
    if (e->ipsize == 4)
        e->rip = (uint32_t)e->rip;
}

/* The near branch (CALL, RET, an indirect JMP...) or the instruction that
 * ends the TB otherwise (IEM_CTL_ENDS_TB: a far branch, a control
 * register, RDTSC...) at a TB's end, run by IEM: the chain entry of the
 * compiled TB that runs next, or NULL when REM's loop must take over (a
 * fault, a TB not compiled yet, a halt, a debug feature...). */
static const uint8_t *native_branch(struct vcpu *v, const struct iem_insn *in)
{
    struct rem_state *r = v->rem;
    bool full = (in->ctl & IEM_CTL_FULL) != 0;
    uint64_t insns = rem_sync_insns(v);
    int rc = full ? iem_step_decoded(v, in) : iem_step_plain(v, in, (v->cpu.rip + in->len) & in->ipmask);

    bool retired = v->insns != insns;
    v->run.left -= (uint32_t)retired;
    r->native_n += !retired;
    r->ff_mask = rem_ff_mask(&v->cpu); /* IRET */
    rem_stop_if_pending(v);
    if (rc || !retired) { /* a fault: see native_step */
        r->native_rc = rc;
        r->why = rc ? REM_WHY_STEP_RC : REM_WHY_STEP_FAULT;
        return NULL;
    }
    if (changes_ctx(in)) /* IRET is a "near" branch to Zydis */
        rem_native_sync(v);
    return rem_next_compiled(v);
}

/* The lazy flags of an op of `size` bytes: the result, the operands (the
 * flags of a logical op, INC and DEC need only the result: cpu/flags.c). */
void rem_emit_lazy(struct x64 *e, uint8_t lf, unsigned size, unsigned res, unsigned src1, unsigned src2)
{
    x64_store64(e, V_LF_RES, res);
    if (lf != LF_LOGIC && lf != LF_INC && lf != LF_DEC) {
        x64_store64(e, V_LF_SRC1, src1);
        x64_store64(e, V_LF_SRC2, src2);
    }
    x64_store_imm16(e, V_LF_OP, (uint16_t)(lf | size << 8));
}

/* The source operand (a register or an immediate, masked to the size as
 * IEM masks it) into rcx. */
void rem_load_src(struct x64 *e, const struct iem_op *s, bool w)
{
    if (s->type == OPT_REG)
        x64_load(e, X_RCX, V_GPR(s->reg), w);
    else
        x64_mov_imm(e, X_RCX, w ? s->imm : (uint32_t)s->imm);
}

/* Emits a native instruction that cannot fault; returns what the host
 * flags hold after it (LF_HOST_*). */
static uint8_t emit_insn(struct x64 *e, const struct iem_insn *in, enum nkind k, bool live,
                         const struct lf_known *lf)
{
    const struct iem_op *d = &in->op[0], *s = &in->op[1];
    bool w = d->size == 8;

    switch (k) {
    case N_MOV:
        rem_load_src(e, s, w);
        x64_store64(e, V_GPR(d->reg), X_RCX); /* a 32-bit value is zero-extended */
        break;
    case N_ALU: {
        enum x64_alu op;
        uint8_t lf;
        bool writes;
        rem_alu_of(in->mnemonic, &op, &lf, &writes);
        int h = x64_cached_reg(e, V_GPR(d->reg));
        if (writes && h >= 0) { /* the host op on the cached register itself */
            static const uint8_t ext[] = {[X_ADD] = 0, [X_OR] = 1, [X_AND] = 4, [X_SUB] = 5, [X_XOR] = 6};
            int hs = s->type == OPT_REG ? x64_cached_reg(e, V_GPR(s->reg)) : -1;
            bool operands = live && lf != LF_LOGIC; /* the lazy flags need both */
            if (operands)
                x64_mov_rr(e, X_RDX, (unsigned)h, w); /* the old value, at the size */
            if (s->type == OPT_IMM && !operands) {
                x64_alu_imm(e, ext[op], (unsigned)h, (uint32_t)s->imm, w);
                e->dirty |= (uint16_t)(1u << d->reg);
                if (live)
                    rem_emit_lazy(e, lf, d->size, (unsigned)h, X_RDX, X_RCX);
                return LF_HOST_ALL;
            }
            if (hs < 0 || operands) { /* rcx: the source, at the size (the lazy operand) */
                rem_load_src(e, s, w);
                hs = X_RCX;
            }
            x64_alu_rr(e, op, (unsigned)h, (unsigned)hs, w);
            e->dirty |= (uint16_t)(1u << d->reg);
            if (live)
                rem_emit_lazy(e, lf, d->size, (unsigned)h, X_RDX, X_RCX);
            return LF_HOST_ALL;
        }
        x64_load(e, X_RAX, V_GPR(d->reg), w);
        rem_load_src(e, s, w);
        x64_mov_rr(e, X_RDX, X_RAX, true);
        x64_alu_rr(e, op, X_RAX, X_RCX, w);
        /* only moves below: the host flags stay the guest's */
        if (writes)
            x64_store64(e, V_GPR(d->reg), X_RAX);
        if (live)
            rem_emit_lazy(e, lf, d->size, X_RAX, X_RDX, X_RCX);
        return LF_HOST_ALL;
    }
    case N_SHIFT:
    case N_SHIFT_CL:
    case N_IMUL:
    case N_ROT: rem_emit_flagged(e, in, k, live); break;
    case N_INCDEC: rem_emit_incdec(e, in, live, lf); return LF_HOST_NO_CF;
    case N_SETCC:
    case N_CMOV: rem_emit_setcc(e, in, lf); break;
    case N_EXT:
        rem_load_ext(e, in, X_RBX, rem_reg_disp(s), s->size);
        x64_store_sz(e, X_RBX, V_GPR(d->reg), X_RCX, d->size == 2 ? 2 : 8);
        break;
    case N_ALU8: {
        enum x64_alu op = X_ADD;
        uint8_t lf8 = 0;
        bool writes = true, mov = in->mnemonic == ZYDIS_MNEMONIC_MOV;
        unsigned size = d->size;
        if (s->type == OPT_IMM)
            x64_mov_imm(e, X_RCX, s->imm & iem_mask(size));
        else
            x64_load_sz(e, X_RCX, X_RBX, rem_reg_disp(s), size);
        if (mov) {
            x64_store_sz(e, X_RBX, rem_reg_disp(d), X_RCX, size);
            break;
        }
        rem_alu_of(in->mnemonic, &op, &lf8, &writes);
        x64_load_sz(e, X_RDX, X_RBX, rem_reg_disp(d), size);
        x64_mov_rr(e, X_RSI, X_RDX, true);
        x64_alu_rr(e, op, X_RDX, X_RCX, false);
        x64_alu_imm(e, 4, X_RDX, (uint32_t)iem_mask(size), false);
        if (writes)
            x64_store_sz(e, X_RBX, rem_reg_disp(d), X_RDX, size);
        if (live)
            rem_emit_lazy(e, lf8, size, X_RDX, X_RSI, X_RCX);
        break;
    }
    case N_ADC: rem_emit_adc(e, in, live, lf); break;
    case N_NOP: break;
    default: /* LEA */
        rem_emit_ea(e, in, s);
        if (!w && in->asize == 8) /* a 32-bit address is zero-extended already */
            x64_mov_rr(e, X_RAX, X_RAX, false);
        x64_store64(e, V_GPR(d->reg), X_RAX);
        break;
    }
    return LF_HOST_NONE;
}

void rem_emit_counts(struct x64 *e, int64_t len, int64_t k)
{
    e->rip += (uint64_t)len;
    if (e->ipsize == 4)
        e->rip = (uint32_t)e->rip;
    if (len || e->rip_ahead) {
        e->rip_ahead = false;
        if (e->ipsize == 4) {
            x64_store_imm32(e, X_RBX, V_RIP, (uint32_t)e->rip);
        } else if ((uint64_t)(int64_t)(int32_t)e->rip == e->rip) {
            x64_store_simm32_q(e, X_RBX, V_RIP, (int32_t)e->rip);
        } else { /* rax is free wherever counts are stored */
            x64_mov_imm(e, X_RAX, e->rip);
            x64_store64(e, V_RIP, X_RAX);
        }
    }
    if (k)
        x64_add_mem(e, X_RBX, V_RUN, (uint32_t)-k, 4); /* run.left -= k */
}
#define emit_counts rem_emit_counts

void rem_flush_counts(struct x64 *e)
{
    emit_counts(e, e->pend_len, e->pend_k);
    e->pend_len = e->pend_k = 0;
}

void rem_emit_pend_flags(struct x64 *e)
{
    const struct iem_insn *in = e->pend_flags;
    if (!in)
        return;
    const struct iem_op *d = &in->op[0], *s = &in->op[1];
    bool w = d->size == 8;
    if (in->mnemonic == ZYDIS_MNEMONIC_INC || in->mnemonic == ZYDIS_MNEMONIC_DEC) {
        /* CF from the lazy state as it is here: on a path that stored
         * these flags already, it is INC's own */
        struct lf_known unknown = {LF_NONE, 0, LF_HOST_NONE};
        rem_emit_keep_cf(e, &unknown);
        x64_load(e, X_RAX, V_GPR(d->reg), w);
        rem_emit_lazy(e, in->mnemonic == ZYDIS_MNEMONIC_INC ? LF_INC : LF_DEC, d->size, X_RAX, X_RDX, X_RCX);
        return;
    }
    enum x64_alu op;
    uint8_t lf;
    bool writes;
    rem_alu_of(in->mnemonic, &op, &lf, &writes);
    x64_load(e, X_RAX, V_GPR(d->reg), w);
    rem_load_src(e, s, w);
    if (!writes) { /* CMP, TEST: the result again */
        x64_mov_rr(e, X_RDX, X_RAX, true);
        x64_alu_rr(e, op, X_RAX, X_RCX, w);
    } else if (lf != LF_LOGIC) { /* ADD, SUB: the first operand back */
        x64_mov_rr(e, X_RDX, X_RAX, true);
        x64_alu_rr(e, op == X_ADD ? X_SUB : X_ADD, X_RDX, X_RCX, w);
    }
    rem_emit_lazy(e, lf, d->size, X_RAX, X_RDX, X_RCX);
}

void rem_emit_step_deferred(struct x64 *e, const struct iem_insn *in)
{
    uint64_t rip = e->rip;
    rem_emit_pend_flags(e);
    x64_cache_writeback(e);
    emit_counts(e, e->pend_len, e->pend_k);
    x64_call_cur(e, rem_step_fn(in), (uint64_t)(uintptr_t)in);
    x64_return_if_eax(e);
    x64_cache_reload(e);
    emit_counts(e, 0, -(int64_t)(e->pend_k + 1));
    e->rip = rip;
    e->rip_ahead = true; /* struct cpu's RIP is past in */
}

/* A near JMP/Jcc with a relative target that the code can take itself:
 * the operand size is the RIP width (no 16-bit truncation), and the
 * target needs no check: a flat 32-bit CS (any 32-bit target is within
 * its limit) or, in 64-bit mode, a target on the TB's page (canonical as
 * the TB is). *off is the target's offset from the TB's first byte. */
static bool direct_branch(const struct rem_tb *tb, const struct iem_insn *in, unsigned at, int64_t *off)
{
    bool jcc = in->fn != iem_unimplemented &&
               ((in->opmap == ZYDIS_OPCODE_MAP_DEFAULT && in->opcode >= 0x70 && in->opcode <= 0x7f) ||
                (in->opmap == ZYDIS_OPCODE_MAP_0F && in->opcode >= 0x80 && in->opcode <= 0x8f));
    bool jmp = in->mnemonic == ZYDIS_MNEMONIC_JMP && !in->far;

    if (!(jcc || jmp) || in->nops < 1 || in->op[0].type != OPT_IMM || !in->op[0].rel ||
        in->osize != in->ipsize)
        return false;
    *off = (int64_t)(at + in->len) + (int64_t)in->op[0].imm;
    if (in->ipsize == 4)
        return (tb->key & REM_KEY_FLAT) != 0;
    return in->ipsize == 8; /* a non-canonical target is #GP: rem_native_compile */
}

static const uint8_t *native_next(struct vcpu *v, uint64_t key)
{
    const uint8_t *p = rem_fjc_miss(v, (uint32_t)key);
    return p ? p : rem_next_in_mode(v, (uint32_t)key);
}

/* rem_state.fjc inline for CS:RIP (flat or 64-bit code, the pinned
 * registers handed off): a hit jumps to its chain entry; miss[] are the
 * jumps taken on a miss. */
#define FJC_MISSES 4
static void emit_fjc(struct x64 *e, const struct rem_tb *tb, uint8_t *miss[FJC_MISSES])
{
    /* rax = the linear PC: RIP, or CS.base + EIP wrapped at 4 GiB */
    x64_load(e, X_RAX, V_RIP, true);
    if (tb->insns[0].ipsize == 4)
        x64_mem(e, false, 0x03, X_RAX, X_RBX, V_SEGBASE(S_CS)); /* add eax, [cs.base] */
    /* rcx = the slot's byte offset: rem_fjc_slot(lin) * 32 */
    x64_mov_rr(e, X_RCX, X_RAX, true);
    x64_shift_imm(e, 5, X_RCX, 12, true);
    x64_alu_rr(e, X_XOR, X_RCX, X_RAX, true);
    x64_alu_imm(e, 4, X_RCX, REM_FJC - 1, false);
    x64_shift_imm(e, 4, X_RCX, 5, false);
    x64_mem_rcx_base(e, true, 0x3b, X_RAX, X_RBP, R_FJC); /* cmp rax, fjc.lin */
    miss[0] = x64_jcc(e, 0x5);
    x64_load(e, X_RDX, V_EPOCH, false);
    x64_shift_imm(e, 4, X_RDX, 32, true);
    x64_alu_imm(e, 1, X_RDX, tb->key, true);                  /* or rdx, key */
    x64_mem_rcx_base(e, true, 0x3b, X_RDX, X_RBP, R_FJC + 8); /* cmp rdx, fjc.tag */
    uint8_t *hit = x64_jcc(e, 0x4);
    /* or a global page's entry (rem_fjc_tag) */
    x64_load(e, X_RDX, V_EPOCH_G, false);
    x64_shift_imm(e, 4, X_RDX, 32, true);
    x64_alu_imm(e, 1, X_RDX, REM_FJC_GLOBAL | tb->key, true);
    x64_mem_rcx_base(e, true, 0x3b, X_RDX, X_RBP, R_FJC + 8);
    uint8_t *hit2 = x64_jcc(e, 0x4);
    /* The epoch moved (a CR3 load): the entry is good again when lin's
     * fetch entry in the TLB is there and maps the TB's page (as
     * rem_fjc_miss checks in C; an entry another key filled, or one with
     * no page, fails these compares) */
    x64_mem_rcx_base(e, false, 0x8b, X_RDX, X_RBP, R_FJC + 8);
    x64_alu_imm(e, 7, X_RDX, tb->key, false); /* the tag's key, not global */
    miss[1] = x64_jcc(e, 0x5);
    x64_mov_rr(e, X_RSI, X_RAX, true);
    x64_shift_imm(e, 5, X_RSI, 12 - 5, true);
    x64_mem(e, false, 0x03, X_RSI, X_RBP, R_TLB_SALT);
    x64_alu_imm(e, 4, X_RSI, (TLB_SIZE - 1) << 5, false);
    x64_mov_rr(e, X_RDI, X_RAX, true);
    x64_alu_imm(e, 4, X_RDI, 0xfffff000u, true);
    x64_mem(e, true, 0x0b, X_RDI, X_RBP, R_TLB_CTX);
    x64_mem_idx(e, true, 0x3b, X_RDI, X_RBX, X_RSI, V_TLB(TLB_KIND_FETCH, tag));
    miss[2] = x64_jcc(e, 0x5);
    x64_mem_idx(e, true, 0x8b, X_RDI, X_RBX, X_RSI, V_TLB(TLB_KIND_FETCH, gpa));
    x64_mov_rr(e, X_RDX, X_RAX, false);
    x64_alu_imm(e, 4, X_RDX, 0xfff, false);
    x64_alu_rr(e, X_OR, X_RDI, X_RDX, true);                  /* lin's guest-physical address */
    x64_mem_rcx_base(e, true, 0x3b, X_RDI, X_RBP, R_FJC + 24); /* cmp rdi, fjc.gpa */
    miss[3] = x64_jcc(e, 0x5);
    x64_load(e, X_RDX, V_EPOCH, false); /* renewed under this epoch */
    x64_shift_imm(e, 4, X_RDX, 32, true);
    x64_alu_imm(e, 1, X_RDX, tb->key, true);
    x64_mem_rcx_base(e, true, 0x89, X_RDX, X_RBP, R_FJC + 8); /* mov fjc.tag, rdx */
    x64_patch(e, hit);
    x64_patch(e, hit2);
    x64_mem_rcx_base(e, true, 0x8b, X_RAX, X_RBP, R_FJC + 16); /* rax = fjc.chain */
    x64_jmp_rax(e);
}

/* The compiled TB at CS:RIP (same mode as tb): rem_state.fjc inline,
 * then the jump cache and hash through a call, else REM's loop. */
void rem_emit_next(struct x64 *e, const struct rem_tb *tb)
{
    uint8_t *miss[FJC_MISSES];
    x64_cache_handoff(e);
    /* a hit skips the CS limit check: flat or 64-bit code only */
    if (!(tb->key & REM_KEY_FLAT) && tb->insns[0].ipsize != 8)
        goto call;
    emit_fjc(e, tb, miss);
    for (unsigned i = 0; i < FJC_MISSES; i++)
        x64_patch(e, miss[i]);
call:
    x64_cache_writeback(e);
    x64_call(e, native_next, tb->key);
    x64_test_rax(e);
    uint8_t *stop = x64_jz(e);
    x64_pin_reload(e);
    x64_jmp_rax(e);
    x64_patch(e, stop);
    x64_return(e, false, REM_NX_STOP);
}

static void emit_exit_stub(struct x64 *e, unsigned k)
{
    x64_cache_writeback(e);
    x64_store_imm32(e, X_RBP, R_EXIT, k);
    x64_return(e, false, REM_NX_EXIT);
}

/* Exit k to the TB's byte offset off (RIP and the counts are final): on
 * the TB's page, a jump patched to the next TB's entry once REM's loop
 * has found it (an exit stub until then); elsewhere, the jump cache. */
void rem_emit_exit(struct x64 *e, struct rem_tb *tb, unsigned k, int64_t off)
{
    int64_t page_off = (int64_t)(tb->gpa & 0xfff) + off;
    /* a chained TB skips the CS limit check: flat or 64-bit code only */
    if (page_off < 0 || page_off >= 0x1000 || !(tb->key & REM_KEY_FLAT || tb->insns[0].ipsize == 8)) {
        rem_emit_next(e, tb);
        return;
    }
    x64_cache_handoff(e);
    tb->exit_rip[k] = e->rip;
    uint8_t *slot = x64_jmp(e);
    x64_patch(e, slot);
    emit_exit_stub(e, k);
    /* where chain_link aims the jump when the next TB runs into a second
     * page (whose translation this page's does not imply): the jump cache */
    uint8_t *probe = e->p, *miss[FJC_MISSES];
    emit_fjc(e, tb, miss);
    for (unsigned i = 0; i < FJC_MISSES; i++)
        x64_patch(e, miss[i]);
    emit_exit_stub(e, k);
    if (slot) {
        tb->slot[k] = slot;
        tb->probe[k] = probe;
        tb->exit_gpa[k] = tb->gpa + (uint64_t)off;
    }
}

/* The checks at a TB's entry, from REM's loop or a chained jump: the TB
 * is still valid (from REM's loop only), the budget holds all of it and
 * nobody asked the vCPU to stop (vcpu.run); else REM_NX_BAIL (out of
 * line: emit_bail). A chained entry is two loads, two tests and a store;
 * rem_state.cur is stored only on the way out (x64_return) and before a
 * helper step (x64_call_cur). */
#define ENTRY_BAILS 4
static void emit_entry(struct x64 *e, const struct rem_tb *tb, uint8_t *bail[ENTRY_BAILS])
{
    x64_mov_imm(e, X_RAX, (uint64_t)(uintptr_t)tb->genp);
    x64_cmp_at_rax(e, tb->gen);
    bail[0] = x64_jcc(e, 0x5); /* jne */
    bail[1] = NULL;
    if (tb->genp2) {
        x64_mov_imm(e, X_RAX, (uint64_t)(uintptr_t)tb->genp2);
        x64_cmp_at_rax(e, tb->gen2);
        bail[1] = x64_jcc(e, 0x5);
    }
    e->chain_same = e->p;
    x64_pin_store(e, e->unpinned); /* this TB reads and writes them in struct cpu */
    /* run.stop clear, and run.left -= the TB's length unless that goes
     * below zero; 32-bit loads of 32-bit stores, which forward */
    x64_load(e, X_RAX, V_RUN + 4, false);
    x64_test_eax(e);
    bail[2] = x64_jcc(e, 0x5);
    x64_load(e, X_RAX, V_RUN, false);
    x64_alu_imm(e, 5, X_RAX, tb->ninsns, false); /* sub eax, n */
    bail[3] = x64_jcc(e, 0x2);                  /* jb */
    x64_mem(e, false, 0x89, X_RAX, X_RBX, V_RUN); /* mov [run.left], eax */
}

/* The way out of emit_entry's refusals, out of line after the body. */
static void emit_bail(struct x64 *e, uint8_t *bail[ENTRY_BAILS])
{
    for (unsigned i = 0; i < ENTRY_BAILS; i++)
        x64_patch(e, bail[i]);
    x64_pin_store(e, 0xff);
    x64_return(e, false, REM_NX_BAIL);
}

bool rem_native_compile(struct vcpu *v, struct rem_tb *tb)
{
    struct rem_state *r = v->rem;
    struct rem_code *cb = &r->code;
    unsigned ipsize = tb->insns[0].ipsize, natives = 0, at = 0;
    struct x64 e = {.p = cb->rw + cb->used,
                    .end = cb->rw + cb->cold,
                    .alt_p = cb->rw + cb->cold_used,
                    .alt_end = cb->rw + cb->size,
                    .ipsize = ipsize,
                    .canon_shift = tb->key & REM_KEY_LA57 ? 7 : 16,
                    .tb = (uint64_t)(uintptr_t)tb,
                    .rip = v->cpu.rip,
                    .r_cur = R_CUR,
                    .dflat = (tb->key & REM_KEY_DFLAT) != 0};
    uint8_t *start = e.p, *cold = e.alt_p, *chain, *bail[ENTRY_BAILS];
    struct lf_known lf = {LF_NONE, 0, LF_HOST_NONE};
    bool exits = false;

    /* 16-bit code wraps IP at 64 KiB: left to the first tier */
    if (ipsize < 4)
        return false;
    for (unsigned i = 0; i < tb->ninsns; i++)
        natives += rem_classify(&tb->insns[i]) != N_NONE;
    if (!natives && !(tb->key & REM_KEY_FLAT))
        return false;
    bool live[REM_TB_MAX], fonly[REM_TB_MAX];
    rem_flag_liveness(tb, live);
    rem_flag_fault_only(tb, fonly);
    rem_cache_alloc(tb, &e);
    tb->exit_rip[0] = tb->exit_rip[1] = ~0ull;
    e.pend_k = -(int32_t)tb->ninsns; /* the entry adds them all */
    tb->slot[0] = tb->slot[1] = NULL;
    x64_prologue(&e);
    x64_pin_reload(&e);
    chain = e.p;
    emit_entry(&e, tb, bail);
    for (unsigned i = 0; i < tb->ninsns; i++) {
        const struct iem_insn *in = &tb->insns[i];
        enum nkind kind = rem_classify(in);
        uint8_t host = LF_HOST_NONE;
        bool kills = false, defer = false;
        if (e.pend_flags && (i + 1u == tb->ninsns || !rem_pend_keeps(&e, in, kind, &kills))) {
            rem_emit_pend_flags(&e);
            e.pend_flags = NULL;
        } else if (kills && kind != N_ALU_MEM) {
            e.pend_flags = NULL;
        }
        if (live[i] && fonly[i] && i + 1u < tb->ninsns && rem_pend_ok(in, kind)) {
            /* the lazy flags only for the rare paths: rem_emit_pend_flags */
            defer = true;
            live[i] = false;
        }
        if (kind == N_ROT && live[i]) /* its flags merge with the old ones: rem_native_bit.c */
            kind = N_BIT;
        int64_t off;
        unsigned ss;
        if (i + 1u == tb->ninsns && direct_branch(tb, in, at, &off)) {
            /* the condition first, from the host flags when they are the
             * guest's; each way then retires the branch with its RIP */
            uint64_t rip = e.rip;
            bool ahead = e.rip_ahead;
            if (in->mnemonic != ZYDIS_MNEMONIC_JMP) {
                unsigned cc = in->opcode & 0xf;
                uint8_t *taken = rem_emit_cond(&e, &lf, cc) ? x64_jcc(&e, cc) : x64_jcc(&e, 0x5);
                emit_counts(&e, e.pend_len + in->len, e.pend_k + 1);
                rem_emit_exit(&e, tb, 0, at + in->len);
                x64_patch(&e, taken);
                e.rip = rip;
                e.rip_ahead = ahead;
            }
            uint64_t target = rip + e.pend_len + in->len + (uint64_t)in->op[0].imm;
            if (ipsize == 8 && !rem_canonical(&e, target)) { /* IEM's #GP */
                rem_flush_counts(&e);
                x64_cache_writeback(&e);
                x64_call_cur(&e, rem_step_fn(in), (uint64_t)(uintptr_t)in);
                x64_return(&e, false, REM_NX_STOP);
            } else {
                emit_counts(&e, (int64_t)e.pend_len + in->len + (int64_t)in->op[0].imm, e.pend_k + 1);
                rem_emit_exit(&e, tb, 1, off);
            }
            exits = true;
            break;
        }
        if (rem_push_pop(tb, in, &ss)) {
            rem_emit_stack(&e, in, ss);
            at += in->len;
            rem_lf_track(&lf, in);
            lf.host = LF_HOST_NONE;
            continue;
        }
        at += in->len;
        if (i + 1u == tb->ninsns && rem_call_ret(tb, in, &ss)) {
            bool rel = in->nops && in->op[0].type == OPT_IMM;
            rem_emit_call_ret(&e, tb, in, ss, (int64_t)at + (rel ? (int64_t)in->op[0].imm : 0));
            exits = true;
            break;
        }
        /* a near branch IEM runs, or an instruction that may change the
         * mode or paging: the next TB as REM's loop would find it */
        if (i + 1u == tb->ninsns && (in->ctl & (IEM_CTL_NEAR_BR | IEM_CTL_ENDS_TB))) {
            rem_flush_counts(&e);
            x64_cache_writeback(&e);
            x64_call_cur(&e, native_branch, (uint64_t)(uintptr_t)in);
            x64_test_rax(&e);
            uint8_t *stop = x64_jz(&e);
            x64_pin_reload(&e);
            x64_jmp_rax(&e);
            x64_patch(&e, stop);
            x64_return(&e, false, REM_NX_STOP);
            exits = true;
            break;
        }
        if (kind == N_CALL) {
            /* counts exact first: the rare slow path below is a helper step */
            rem_flush_counts(&e);
            x64_cache_writeback(&e);
            e.dirty = 0;
            x64_call(&e, in->fn, (uint64_t)(uintptr_t)in);
            x64_test_eax(&e);
            uint8_t *ok = x64_jz(&e);
            x64_call_cur(&e, rem_step_fn(in), (uint64_t)(uintptr_t)in); /* counts it itself */
            x64_return_if_eax(&e);
            uint8_t *done = x64_jmp(&e);
            x64_patch(&e, ok);
            emit_counts(&e, in->len, 1);
            x64_patch(&e, done);
            x64_cache_reload(&e);
        } else if (kind == N_LOAD || kind == N_STORE || kind == N_ALU_MEM || kind == N_UNARY_MEM) {
            host = rem_emit_mem(&e, in, kind, live[i], &lf);
        } else if (kind == N_SSE) {
            host = rem_emit_sse(&e, in);
        } else if (kind == N_AVX) {
            rem_emit_avx(&e, in);
        } else if (kind == N_BIT) {
            host = rem_emit_bit(&e, in, live[i], &lf);
        } else if (kind != N_NONE) {
            host = emit_insn(&e, in, kind, live[i], &lf);
            e.pend_len += in->len;
            e.pend_k++;
        } else {
            rem_flush_counts(&e);
            rem_emit_step(&e, in);
            e.dirty = 0;
        }
        rem_lf_track(&lf, in);
        lf.host = host;
        if (kind == N_ALU_MEM)
            e.pend_flags = NULL;
        if (defer)
            e.pend_flags = in;
    }
    if (e.pend_flags) { /* not reached: the TB's end reads the flags */
        rem_emit_pend_flags(&e);
        e.pend_flags = NULL;
    }
    if (!exits) {
        rem_flush_counts(&e);
        /* past the length cap or a page end the next TB is static (a TB
         * ending in a branch or a mode change has its exit above) */
        rem_emit_exit(&e, tb, 0, at);
    }
    emit_bail(&e, bail);
    x64_cold(&e);
    uint8_t *cold_end = e.p;
    x64_hot(&e);
    if (e.full) {
        tb->slot[0] = tb->slot[1] = NULL;
        return false;
    }
    tb->native = (rem_native_fn)(uintptr_t)(cb->rx + (start - cb->rw));
    tb->rip0 = v->cpu.rip;
    tb->chain = cb->rx + (chain - cb->rw);
    tb->chain_same = cb->rx + (e.chain_same - cb->rw);
    cb->used = ((size_t)(e.p - cb->rw) + 15) & ~(size_t)15;
    cb->cold_used = ((size_t)(cold_end - cb->rw) + 15) & ~(size_t)15;
    r->st.compiled++;
    if (v->vm->perfmap_out)
        fprintf(v->vm->perfmap_out, "%" PRIxPTR " %zx pcvm-tb-%" PRIx64 "-%u\n", (uintptr_t)tb->native,
                (size_t)(e.p - start), tb->gpa, tb->key);
    if (v->vm->trace_tb_out)
        rem_trace_tb(v, tb, cb->rx + (start - cb->rw), (size_t)(e.p - start), cb->rx + (cold - cb->rw),
                     (size_t)(cold_end - cold));
    return true;
}
