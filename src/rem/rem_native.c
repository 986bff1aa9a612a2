/* REM, second tier: hot TBs compiled to host x86-64 code.
 *
 * Invariants:
 * - Compiled code runs a TB's instructions in order with exactly IEM's
 *   results. Register-only MOV, ALU and LEA forms become host instructions
 *   on struct cpu (the lazy flags stored as iem_lazy stores them); every
 *   other instruction is a call to rem_native_step, which runs it through
 *   IEM's plain or full path as the first tier does.
 * - It is entered only at a TB's start, with nothing for the full path
 *   to watch (iem_plain_ok, RF clear) and budget for all of the TB; so a
 *   native instruction can neither fault nor overrun the budget, and RIP
 *   and the retired count need to be exact only before a helper call and
 *   at the end.
 * - A helper that changes anything REM must look at (a fault, a branch, a
 *   write to the TB's code, a forced action, an instruction for the full
 *   path) makes the code return 1 at once, with the state at that
 *   instruction boundary.
 * - Interrupts and forced actions are looked at after each helper call,
 *   not between two native instructions: neither can raise one or change
 *   EFLAGS.IF, and a request from another thread waits at most one TB.
 *   REM's loop has offered the pending interrupt before entering, and does
 *   not enter in an STI / MOV SS shadow (where one becomes deliverable
 *   after the next instruction).
 */
#include <stddef.h>
#include <stdio.h>

#include "cpu/decode.h"
#include "pgm/tlb.h"
#include "rem/rem_x64.h"

#define V_GPR(i)  ((int32_t)(offsetof(struct vcpu, cpu.gpr) + 8 * (i)))
#define V_RIP     ((int32_t)offsetof(struct vcpu, cpu.rip))
#define V_LF_OP   ((int32_t)offsetof(struct vcpu, cpu.lf.op))
#define V_LF_RES  ((int32_t)offsetof(struct vcpu, cpu.lf.res))
#define V_LF_SRC1 ((int32_t)offsetof(struct vcpu, cpu.lf.src1))
#define V_LF_SRC2 ((int32_t)offsetof(struct vcpu, cpu.lf.src2))
#define V_INSNS   ((int32_t)offsetof(struct vcpu, insns))
#define V_RFLAGS  ((int32_t)offsetof(struct vcpu, cpu.rflags))
#define V_FF      ((int32_t)offsetof(struct vcpu, ff))
#define V_VM      ((int32_t)offsetof(struct vcpu, vm))
#define VM_FF     ((int32_t)offsetof(struct vm, ff))
#define R_NATIVE_N ((int32_t)offsetof(struct rem_state, native_n))
#define R_CUR     ((int32_t)offsetof(struct rem_state, cur))
#define R_LEFT    ((int32_t)offsetof(struct rem_state, left))
#define R_EXIT    ((int32_t)offsetof(struct rem_state, exit))
#define R_TLB_CTX ((int32_t)offsetof(struct rem_state, tlb_ctx))
#define R_TLB_ADD ((int32_t)offsetof(struct rem_state, tlb_add))
#define R_FLAT    ((int32_t)offsetof(struct rem_state, flat))
#define V_TLB(kind, field)                                                                          \
    ((int32_t)(offsetof(struct vcpu, tlb) + (kind) * TLB_SIZE * TLB_ENTRY_SIZE +                      \
               offsetof(struct tlb_entry, field)))

_Static_assert(offsetof(struct cpu_lazy, size) == offsetof(struct cpu_lazy, op) + 1,
               "one 16-bit store sets the lazy op and size");

void rem_native_sync(struct vcpu *v)
{
    struct rem_state *r = v->rem;
    const struct cpu *c = &v->cpu;
    unsigned pcid = tlb_cur_pcid(c->cr3, c->cr4);
    unsigned acc = (c->cpl == 3 ? PGM_ACC_USER : 0) | (c->rflags & F_AC ? PGM_ACC_AC : 0);

    r->tlb_ctx = tlb_ctx(c->cr4, acc, pcid);
    r->tlb_add = pcid * 37;
    r->flat = 0;
    /* the inline lookup knows nothing of #AC or a debugger's watch: a
     * context no tag holds sends every access to the full path */
    if (((c->cr0 & CR0_AM) && c->cpl == 3 && (c->rflags & F_AC)) || v->dbg_watch)
        r->tlb_ctx = TLB_INVALID;
    if (c->efer & EFER_LMA && c->seg[S_CS].attr & SEG_L) {
        r->flat = 1u << S_ES | 1u << S_SS | 1u << S_DS | 1u << S_CS;
        return;
    }
    if (!(c->cr0 & CR0_PE) || (c->rflags & F_VM))
        return;
    for (unsigned s = S_ES; s <= S_GS; s++) {
        const struct cpu_seg *g = &c->seg[s];
        /* writable data, expanding up, over all of the 4 GiB */
        if (g->base == 0 && g->limit == 0xffffffffu && !(g->attr & SEG_UNUSABLE) && (g->attr & SEG_P) &&
            ((g->attr & SEG_TYPE_MASK) & 0xe) == 0x2)
            r->flat |= 1u << s;
    }
}

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
    int rc = full ? iem_step_decoded(v, in) : iem_step_plain(v, in, next);

    r->native_n++;
    if (rc) {
        r->native_rc = rc;
        return 1;
    }
    if (c->rip != next || !rem_tb_valid(r->cur) || (full && !iem_plain_ok(v)))
        return 1;
    unsigned ff = atomic_load_explicit(&v->ff, memory_order_relaxed);
    return rem_intr_possible(c, ff) || atomic_load_explicit(&v->vm->ff, memory_order_relaxed);
}

/* native_step for an instruction that changes_ctx(). */
static int native_step_sync(struct vcpu *v, const struct iem_insn *in)
{
    int stop = native_step(v, in);
    rem_native_sync(v);
    return stop;
}

/* The call for a helper step of in. */
static const void *step_fn(const struct iem_insn *in)
{
    return changes_ctx(in) ? (const void *)native_step_sync : (const void *)native_step;
}

/* The near branch (CALL, RET, an indirect JMP...) at a TB's end, run by
 * IEM: the chain entry of the compiled TB that runs next, or NULL when
 * REM's loop must take over (a fault, a TB not compiled yet...). */
static const uint8_t *native_branch(struct vcpu *v, const struct iem_insn *in)
{
    struct rem_state *r = v->rem;
    bool full = (in->ctl & IEM_CTL_FULL) != 0;
    int rc = full ? iem_step_decoded(v, in) : iem_step_plain(v, in, (v->cpu.rip + in->len) & in->ipmask);

    r->native_n++;
    if (rc) {
        r->native_rc = rc;
        return NULL;
    }
    if (changes_ctx(in)) /* IRET is a "near" branch to Zydis */
        rem_native_sync(v);
    return rem_next_compiled(v);
}

static bool gpr(const struct iem_op *op)
{
    return op->type == OPT_REG && op->rclass == RC_GPR && (op->size == 4 || op->size == 8);
}

/* A general register of any size: AL..R15B, AH..BH, AX.., EAX.., RAX.. */
static bool reg_any(const struct iem_op *op)
{
    return op->type == OPT_REG && (op->rclass == RC_GPR8 || op->rclass == RC_GPR8H ||
                                   (op->rclass == RC_GPR && op->size >= 2));
}

/* Where reg_any's bytes live in struct cpu. */
static int32_t reg_disp(const struct iem_op *op)
{
    return V_GPR(op->reg) + (op->rclass == RC_GPR8H ? 1 : 0);
}

enum nkind { N_NONE, N_MOV, N_ALU, N_LEA, N_LOAD, N_STORE, N_ALU_MEM, N_CALL, N_SHIFT, N_IMUL, N_NOP };

/* Instructions whose IEM handler, with register and immediate operands
 * only, cannot fault, does not branch and reads nothing but the registers
 * and flags: the code calls the handler itself (N_CALL), without the
 * checks a helper step makes. */
static const uint16_t pure[] = {
    ZYDIS_MNEMONIC_ADD,    ZYDIS_MNEMONIC_ADC,    ZYDIS_MNEMONIC_SUB,    ZYDIS_MNEMONIC_SBB,
    ZYDIS_MNEMONIC_AND,    ZYDIS_MNEMONIC_OR,     ZYDIS_MNEMONIC_XOR,    ZYDIS_MNEMONIC_CMP,
    ZYDIS_MNEMONIC_TEST,   ZYDIS_MNEMONIC_MOV,    ZYDIS_MNEMONIC_LEA,    ZYDIS_MNEMONIC_INC,
    ZYDIS_MNEMONIC_DEC,    ZYDIS_MNEMONIC_NEG,    ZYDIS_MNEMONIC_NOT,    ZYDIS_MNEMONIC_ROL,
    ZYDIS_MNEMONIC_ROR,    ZYDIS_MNEMONIC_RCL,    ZYDIS_MNEMONIC_RCR,    ZYDIS_MNEMONIC_SHL,
    ZYDIS_MNEMONIC_SHR,    ZYDIS_MNEMONIC_SAR,    ZYDIS_MNEMONIC_SHLD,   ZYDIS_MNEMONIC_SHRD,
    ZYDIS_MNEMONIC_IMUL,   ZYDIS_MNEMONIC_MUL,    ZYDIS_MNEMONIC_MOVZX,  ZYDIS_MNEMONIC_MOVSX,
    ZYDIS_MNEMONIC_MOVSXD, ZYDIS_MNEMONIC_BSWAP,  ZYDIS_MNEMONIC_BSF,    ZYDIS_MNEMONIC_BSR,
    ZYDIS_MNEMONIC_BT,     ZYDIS_MNEMONIC_BTS,    ZYDIS_MNEMONIC_BTR,    ZYDIS_MNEMONIC_BTC,
    ZYDIS_MNEMONIC_XCHG,   ZYDIS_MNEMONIC_CBW,    ZYDIS_MNEMONIC_CWDE,   ZYDIS_MNEMONIC_CDQE,
    ZYDIS_MNEMONIC_CWD,    ZYDIS_MNEMONIC_CDQ,    ZYDIS_MNEMONIC_CQO,    ZYDIS_MNEMONIC_NOP,
    ZYDIS_MNEMONIC_CLC,    ZYDIS_MNEMONIC_STC,    ZYDIS_MNEMONIC_CMC,    ZYDIS_MNEMONIC_CLD,
    ZYDIS_MNEMONIC_STD,    ZYDIS_MNEMONIC_SETO,   ZYDIS_MNEMONIC_SETNO,  ZYDIS_MNEMONIC_SETB,
    ZYDIS_MNEMONIC_SETNB,  ZYDIS_MNEMONIC_SETZ,   ZYDIS_MNEMONIC_SETNZ,  ZYDIS_MNEMONIC_SETBE,
    ZYDIS_MNEMONIC_SETNBE, ZYDIS_MNEMONIC_SETS,   ZYDIS_MNEMONIC_SETNS,  ZYDIS_MNEMONIC_SETP,
    ZYDIS_MNEMONIC_SETNP,  ZYDIS_MNEMONIC_SETL,   ZYDIS_MNEMONIC_SETNL,  ZYDIS_MNEMONIC_SETLE,
    ZYDIS_MNEMONIC_SETNLE, ZYDIS_MNEMONIC_CMOVO,  ZYDIS_MNEMONIC_CMOVNO, ZYDIS_MNEMONIC_CMOVB,
    ZYDIS_MNEMONIC_CMOVNB, ZYDIS_MNEMONIC_CMOVZ,  ZYDIS_MNEMONIC_CMOVNZ, ZYDIS_MNEMONIC_CMOVBE,
    ZYDIS_MNEMONIC_CMOVNBE, ZYDIS_MNEMONIC_CMOVS, ZYDIS_MNEMONIC_CMOVNS, ZYDIS_MNEMONIC_CMOVP,
    ZYDIS_MNEMONIC_CMOVNP, ZYDIS_MNEMONIC_CMOVL,  ZYDIS_MNEMONIC_CMOVNL, ZYDIS_MNEMONIC_CMOVLE,
    ZYDIS_MNEMONIC_CMOVNLE,
};

static bool pure_call(const struct iem_insn *in)
{
    bool found = false;
    for (size_t i = 0; i < sizeof(pure) / sizeof(pure[0]) && !found; i++)
        found = pure[i] == in->mnemonic;
    if (!found || in->fn == iem_unimplemented)
        return false;
    for (unsigned i = 0; i < in->nops; i++) {
        const struct iem_op *op = &in->op[i];
        bool reg = op->type == OPT_REG &&
                   (op->rclass == RC_GPR || op->rclass == RC_GPR8 || op->rclass == RC_GPR8H);
        /* LEA reads no memory; RIP-relative, it reads next_rip, which only a
         * step sets */
        bool lea = in->mnemonic == ZYDIS_MNEMONIC_LEA && op->type == OPT_MEM && op->base != IEM_RIPREG;
        if (!reg && op->type != OPT_IMM && !lea)
            return false;
    }
    return true;
}

/* The host ALU op and lazy op of each guest mnemonic; CMP and TEST
 * compute like SUB and AND without writing back. */
static bool alu_of(unsigned mnemonic, enum x64_alu *op, uint8_t *lf, bool *writes)
{
    *writes = true;
    switch (mnemonic) {
    case ZYDIS_MNEMONIC_ADD: *op = X_ADD, *lf = LF_ADD; return true;
    case ZYDIS_MNEMONIC_SUB: *op = X_SUB, *lf = LF_SUB; return true;
    case ZYDIS_MNEMONIC_CMP: *op = X_SUB, *lf = LF_SUB, *writes = false; return true;
    case ZYDIS_MNEMONIC_AND: *op = X_AND, *lf = LF_LOGIC; return true;
    case ZYDIS_MNEMONIC_TEST: *op = X_AND, *lf = LF_LOGIC, *writes = false; return true;
    case ZYDIS_MNEMONIC_OR: *op = X_OR, *lf = LF_LOGIC; return true;
    case ZYDIS_MNEMONIC_XOR: *op = X_XOR, *lf = LF_LOGIC; return true;
    default: return false;
    }
}

/* A memory operand whose address the code can work out: no VSIB, a
 * 32- or 64-bit address size. */
static bool mem_ok(const struct iem_insn *in, const struct iem_op *m)
{
    return m->type == OPT_MEM && !in->vsib && (in->asize == 4 || in->asize == 8) &&
           (m->base != IEM_RIPREG || in->ipsize == 8);
}

static enum nkind kind_of(const struct iem_insn *in)
{
    enum x64_alu op;
    uint8_t lf;
    bool w;

    /* every NOP form, the hinting ones with a ModRM included: no access */
    if (in->mnemonic == ZYDIS_MNEMONIC_NOP && !(in->ctl & (IEM_CTL_FULL | IEM_CTL_ENDS_TB)) &&
        in->fn != iem_unimplemented)
        return N_NOP;
    if ((in->ctl & (IEM_CTL_FULL | IEM_CTL_ENDS_TB)) || in->lock || in->nops < 2)
        return N_NONE;
    const struct iem_op *d = &in->op[0], *s = &in->op[1];
    /* SHL/SHR/SAR r, imm with a count that is not 0 once masked (the
     * group-2 forms: ModRM.reg 4, 5, 7; D1 is a count of 1) */
    if ((in->mnemonic == ZYDIS_MNEMONIC_SHL || in->mnemonic == ZYDIS_MNEMONIC_SHR ||
         in->mnemonic == ZYDIS_MNEMONIC_SAR) && in->nops == 2 && gpr(d) && s->type == OPT_IMM &&
        (s->imm & (d->size == 8 ? 0x3f : 0x1f)) != 0 && in->fn != iem_unimplemented)
        return N_SHIFT;
    /* IMUL r, r (0F AF) / IMUL r, r, imm (69, 6B) */
    if (in->mnemonic == ZYDIS_MNEMONIC_IMUL && gpr(d) && gpr(s) && s->size == d->size &&
        ((in->opmap == ZYDIS_OPCODE_MAP_0F && in->opcode == 0xaf && in->nops == 2) ||
         (in->opmap == ZYDIS_OPCODE_MAP_DEFAULT && (in->opcode == 0x69 || in->opcode == 0x6b) && in->nops == 3 &&
          in->op[2].type == OPT_IMM)))
        return N_IMUL;
    if (in->nops != 2)
        return N_NONE;
    /* MOV r, m / MOVZX r32, m8|m16 and MOV m, r|imm, of any size */
    if (in->mnemonic == ZYDIS_MNEMONIC_MOV && reg_any(d) && mem_ok(in, s) && s->size == d->size)
        return N_LOAD;
    if (in->mnemonic == ZYDIS_MNEMONIC_MOVZX && gpr(d) && d->size == 4 && mem_ok(in, s) &&
        (s->size == 1 || s->size == 2))
        return N_LOAD;
    if (in->mnemonic == ZYDIS_MNEMONIC_MOV && mem_ok(in, d) && ((reg_any(s) && s->size == d->size) || s->type == OPT_IMM))
        return N_STORE;
    /* ALU r, m / ALU m, r|imm (not locked: that is the SMP path) */
    if (alu_of(in->mnemonic, &op, &lf, &w) && ((reg_any(d) && mem_ok(in, s) && s->size == d->size) ||
                                               (mem_ok(in, d) && ((reg_any(s) && s->size == d->size) ||
                                                                  s->type == OPT_IMM))))
        return N_ALU_MEM;
    if (!gpr(d))
        return N_NONE;
    bool src_ok = (s->type == OPT_REG && gpr(s) && s->size == in->op[0].size) || s->type == OPT_IMM;
    if (in->mnemonic == ZYDIS_MNEMONIC_MOV && src_ok)
        return N_MOV;
    if (alu_of(in->mnemonic, &op, &lf, &w) && src_ok)
        return N_ALU;
    if (in->mnemonic == ZYDIS_MNEMONIC_LEA && s->type == OPT_MEM && !in->vsib && s->base != IEM_RIPREG &&
        (in->asize == 4 || in->asize == 8) && (s->scale == 0 || s->scale == 1 || s->scale == 2 ||
                                               s->scale == 4 || s->scale == 8))
        return N_LEA;
    return N_NONE;
}

static enum nkind classify(const struct iem_insn *in)
{
    enum nkind k = kind_of(in);
    if (k == N_NONE && !(in->ctl & (IEM_CTL_FULL | IEM_CTL_ENDS_TB)) && !in->lock && pure_call(in))
        return N_CALL;
    return k;
}

/* The source operand (a register or an immediate, masked to the size as
 * IEM masks it) into rcx. */
static void load_src(struct x64 *e, const struct iem_op *s, bool w)
{
    if (s->type == OPT_REG)
        x64_load(e, X_RCX, V_GPR(s->reg), w);
    else
        x64_mov_imm(e, X_RCX, w ? s->imm : (uint32_t)s->imm);
}

/* rax = the effective address of m as iem_ea works it out: disp + base
 * (or the next RIP) + index * scale, wrapped to the address size. RIP is
 * exact here: the counts were flushed before a memory instruction. */
static void emit_ea(struct x64 *e, const struct iem_insn *in, const struct iem_op *m)
{
    bool aw = in->asize == 8;

    if (m->base == IEM_RIPREG) {
        x64_load(e, X_RAX, V_RIP, true);
        x64_add_imm(e, X_RAX, (int32_t)(m->disp + in->len));
    } else {
        x64_mov_imm(e, X_RAX, (uint64_t)m->disp);
        if (m->base != IEM_NOREG) {
            x64_load(e, X_RCX, V_GPR(m->base), aw);
            x64_alu_rr(e, X_ADD, X_RAX, X_RCX, true);
        }
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

static void emit_insn(struct x64 *e, const struct iem_insn *in, enum nkind k);

/* The TLB lookup of pgm/tlb.h inline, for the operand m whose linear
 * address is in rax (its segment's base is 0 when rem_state.flat says
 * so). On a hit rax becomes the host pointer and the code jumps to the
 * returned rel32 (the caller aims it); on anything else it falls through
 * with rax unchanged, to the call that does the whole lookup. */
static uint8_t *emit_tlb(struct x64 *e, const struct iem_insn *in, const struct iem_op *m, bool store)
{
    unsigned kind = store ? TLB_KIND_WRITE : TLB_KIND_READ, seg = m->seg;
    uint8_t *miss[4];

    x64_load_base(e, X_RCX, X_RBP, R_FLAT, false);
    x64_test_imm32(e, X_RCX, 1u << seg);
    miss[0] = x64_jz(e);
    if (in->ipsize == 8) { /* canonical at 48 bits (a 57-bit one takes the call) */
        x64_mov_rr(e, X_RCX, X_RAX, true);
        x64_shift_imm(e, 4, X_RCX, 16, true);
        x64_shift_imm(e, 7, X_RCX, 16, true);
        x64_flagop(e, X_F_CMP, X_RCX, X_RAX, 8);
        miss[1] = x64_jcc(e, 0x5);
    } else {
        miss[1] = NULL;
    }
    /* within one page */
    x64_mov_rr(e, X_RCX, X_RAX, false);
    x64_alu_imm(e, 4, X_RCX, 0xfff, false);
    x64_cmp_imm32(e, X_RCX, 0x1000 - m->size);
    miss[2] = x64_jcc(e, 0x7); /* ja */
    /* rcx = the slot's byte offset in its table */
    x64_mov_rr(e, X_RCX, X_RAX, true);
    x64_shift_imm(e, 5, X_RCX, 12, true);
    x64_mem(e, false, 0x03, X_RCX, X_RBP, R_TLB_ADD); /* add ecx, [rbp + tlb_add] */
    x64_alu_imm(e, 4, X_RCX, TLB_SIZE - 1, false);
    x64_imul_imm8(e, X_RCX, TLB_ENTRY_SIZE);
    /* rdx = tag without attributes, rdi = what it must be */
    x64_mem_rcx(e, true, 0x8b, X_RDX, V_TLB(kind, tag));
    x64_alu_imm(e, 4, X_RDX, (uint32_t)~TLB_ATTRS, true);
    x64_mov_imm(e, X_RDI, TLB_PAGE);
    x64_alu_rr(e, X_AND, X_RDI, X_RAX, true);
    x64_mem(e, true, 0x0b, X_RDI, X_RBP, R_TLB_CTX); /* or rdi, [rbp + tlb_ctx] */
    x64_flagop(e, X_F_CMP, X_RDX, X_RDI, 8);
    miss[3] = x64_jcc(e, 0x5);
    x64_mem_rcx(e, true, 0x03, X_RAX, V_TLB(kind, addend)); /* add rax, addend */
    uint8_t *hit = x64_jmp(e);
    for (unsigned i = 0; i < 4; i++)
        x64_patch(e, miss[i]);
    return hit;
}

/* A memory MOV: the operand's host pointer, then one load or store, or
 * (a fault, MMIO, a code page...) the whole instruction through the
 * helper. Counts for it are added here, on the fast path only. */
static void emit_mem(struct x64 *e, const struct iem_insn *in, enum nkind k)
{
    const struct iem_op *d = &in->op[0], *s = &in->op[1], *m = d->type == OPT_MEM ? d : s;
    enum x64_alu op = X_ADD;
    uint8_t lf = 0;
    bool writes = false, w = d->size == 8;
    if (k == N_ALU_MEM)
        alu_of(in->mnemonic, &op, &lf, &writes);
    bool store = k == N_STORE || (k == N_ALU_MEM && writes && m == d);
    uint64_t packed = m->seg | (uint64_t)m->size << 8 | (uint64_t)store << 16;

    emit_ea(e, in, m);
    uint8_t *hit = emit_tlb(e, in, m, store);
    x64_mov_rr(e, X_RDX, X_RAX, true);
    x64_call(e, host_ptr, packed);
    x64_test_rax(e);
    uint8_t *slow = x64_jz(e);
    x64_patch(e, hit);
    unsigned size = d->size;
    if (k == N_ALU_MEM) { /* rdx = a, rcx = b, rsi = a kept for the flags */
        if (m == d)
            x64_load_sz(e, X_RDX, X_RAX, 0, size);
        else
            x64_load_sz(e, X_RDX, X_RBX, reg_disp(d), size);
        if (m == s)
            x64_load_sz(e, X_RCX, X_RAX, 0, size);
        else if (s->type == OPT_IMM)
            x64_mov_imm(e, X_RCX, s->imm & iem_mask(size));
        else
            x64_load_sz(e, X_RCX, X_RBX, reg_disp(s), size);
        x64_mov_rr(e, X_RSI, X_RDX, true);
        x64_alu_rr(e, op, X_RDX, X_RCX, w);
        if (size < 4) /* the lazy result is masked to the size */
            x64_alu_imm(e, 4, X_RDX, (uint32_t)iem_mask(size), false);
        if (writes && m == d)
            x64_store_sz(e, X_RAX, 0, X_RDX, size);
        else if (writes)
            x64_store_sz(e, X_RBX, size == 4 ? V_GPR(d->reg) : reg_disp(d), X_RDX, size == 4 ? 8 : size);
        x64_store64(e, V_LF_RES, X_RDX);
        x64_store64(e, V_LF_SRC1, X_RSI);
        x64_store64(e, V_LF_SRC2, X_RCX);
        x64_store_imm16(e, V_LF_OP, (uint16_t)(lf | size << 8));
    } else if (k == N_LOAD) {
        x64_load_sz(e, X_RCX, X_RAX, 0, m->size);
        /* a 32-bit destination is zero-extended; 8 and 16 bits merge */
        x64_store_sz(e, X_RBX, reg_disp(d), X_RCX, d->size == 4 ? 8 : d->size);
    } else {
        if (s->type == OPT_IMM)
            x64_mov_imm(e, X_RCX, s->imm & iem_mask(size));
        else
            x64_load_sz(e, X_RCX, X_RBX, reg_disp(s), size);
        x64_store_sz(e, X_RAX, 0, X_RCX, size);
    }
    x64_add_mem(e, X_RBX, V_RIP, in->len, in->ipsize);
    x64_add_mem(e, X_RBX, V_INSNS, 1, 8);
    x64_add_mem(e, X_RBP, R_NATIVE_N, 1, 8);
    uint8_t *done = x64_jmp(e);
    x64_patch(e, slow);
    x64_call(e, step_fn(in), (uint64_t)(uintptr_t)in);
    x64_return_if_eax(e);
    x64_patch(e, done);
}

/* rflags' arithmetic flags = ecx (CF, PF, ZF, SF, OF; AF clear), the
 * lazy state cleared: what iem_flags_update(F_ARITH, ...) leaves. */
static void emit_set_arith(struct x64 *e)
{
    x64_load(e, X_RAX, V_RFLAGS, true);
    x64_alu_imm(e, 4, X_RAX, (uint32_t)~(uint32_t)F_ARITH, true); /* sign-extends: the high bits stay */
    x64_alu_rr(e, X_OR, X_RAX, X_RCX, true);
    x64_store64(e, V_RFLAGS, X_RAX);
    x64_store_imm8(e, V_LF_OP, LF_NONE);
}

/* SHL/SHR/SAR r, imm and IMUL r, r(, imm): the host instruction, then
 * the flags as IEM defines them (iem_shift.c, iem_alu.c: OF for counts
 * above 1 as for the first step, AF clear; IMUL: CF = OF = overflow, SF
 * and PF from the result, ZF and AF clear). Host SF, ZF, PF and CF come
 * through LAHF; the host's undefined OF and AF are never used. */
static void emit_flagged(struct x64 *e, const struct iem_insn *in, enum nkind k)
{
    const struct iem_op *d = &in->op[0], *s = &in->op[1];
    bool w = d->size == 8;
    unsigned n = d->size * 8;

    if (k == N_SHIFT) {
        unsigned ext = in->mnemonic == ZYDIS_MNEMONIC_SHL ? 4 : in->mnemonic == ZYDIS_MNEMONIC_SHR ? 5 : 7;
        unsigned cnt = (unsigned)(s->imm & (w ? 0x3f : 0x1f));
        x64_load(e, X_RAX, V_GPR(d->reg), w);
        x64_mov_rr(e, X_RDX, X_RAX, true);
        x64_shift_imm(e, ext, X_RAX, cnt, w);
        x64_store64(e, V_GPR(d->reg), X_RAX); /* before LAHF writes AH */
        x64_lahf_ecx(e, 0xc5);                /* SF ZF PF CF */
        if (ext == 7) { /* SAR: OF = 0 */
            emit_set_arith(e);
            return;
        }
        /* SHR: OF = d[n-1]; SHL: OF = d[n-1] ^ d[n-2] */
        x64_shift_imm(e, 5, X_RDX, ext == 5 ? n - 1 : n - 2, true);
        if (ext == 4) {
            x64_mov_rr(e, X_RSI, X_RDX, true);
            x64_shift_imm(e, 5, X_RSI, 1, true);
            x64_alu_rr(e, X_XOR, X_RDX, X_RSI, true);
        }
        x64_alu_imm(e, 4, X_RDX, 1, false);
        x64_shift_imm(e, 4, X_RDX, 11, false);
        x64_alu_rr(e, X_OR, X_RCX, X_RDX, false);
        emit_set_arith(e);
        return;
    }
    x64_load(e, X_RAX, V_GPR(s->reg), w);
    if (in->nops == 3)
        x64_mov_imm(e, X_RCX, w ? in->op[2].imm : (uint32_t)in->op[2].imm);
    else
        x64_load(e, X_RCX, V_GPR(d->reg), w);
    x64_imul_rr(e, X_RAX, X_RCX, w);
    x64_seto_dl(e);
    x64_store64(e, V_GPR(d->reg), X_RAX);
    x64_flagop(e, X_F_TEST, X_RAX, X_RAX, d->size);
    x64_lahf_ecx(e, 0x84); /* SF PF */
    x64_movzx_edx_dl(e);
    x64_imul_imm32(e, X_RDX, F_CF | F_OF);
    x64_alu_rr(e, X_OR, X_RCX, X_RDX, false);
    emit_set_arith(e);
}

static void emit_insn(struct x64 *e, const struct iem_insn *in, enum nkind k)
{
    const struct iem_op *d = &in->op[0], *s = &in->op[1];
    bool w = d->size == 8;

    switch (k) {
    case N_MOV:
        load_src(e, s, w);
        x64_store64(e, V_GPR(d->reg), X_RCX); /* a 32-bit value is zero-extended */
        break;
    case N_ALU: {
        enum x64_alu op;
        uint8_t lf;
        bool writes;
        alu_of(in->mnemonic, &op, &lf, &writes);
        x64_load(e, X_RAX, V_GPR(d->reg), w);
        load_src(e, s, w);
        x64_mov_rr(e, X_RDX, X_RAX, true);
        x64_alu_rr(e, op, X_RAX, X_RCX, w);
        if (writes)
            x64_store64(e, V_GPR(d->reg), X_RAX);
        x64_store64(e, V_LF_RES, X_RAX);
        x64_store64(e, V_LF_SRC1, X_RDX);
        x64_store64(e, V_LF_SRC2, X_RCX);
        x64_store_imm16(e, V_LF_OP, (uint16_t)(lf | d->size << 8));
        break;
    }
    case N_SHIFT:
    case N_IMUL:
        emit_flagged(e, in, k);
        break;
    case N_NOP:
        break;
    default: /* LEA */
        emit_ea(e, in, s);
        if (!w)
            x64_mov_rr(e, X_RAX, X_RAX, false); /* zero-extend from 32 bits */
        x64_store64(e, V_GPR(d->reg), X_RAX);
        break;
    }
}

/* RIP and the counts for the `k` native instructions (`len` bytes) since
 * the last flush. */
static void flush_counts(struct x64 *e, unsigned ipsize, unsigned len, unsigned k)
{
    if (!k)
        return;
    x64_add_mem(e, X_RBX, V_RIP, len, ipsize);
    x64_add_mem(e, X_RBX, V_INSNS, k, 8);
    x64_add_mem(e, X_RBP, R_NATIVE_N, k, 8);
}

/* What the compiler knows of the lazy flags at a point of the TB: the
 * lazy op and size the last flag-writing instruction left, or LF_NONE
 * when that is not known statically. */
struct lf_known {
    uint8_t op, size;
};

/* Instructions that leave the lazy flags alone. */
static const uint16_t keeps_flags[] = {
    ZYDIS_MNEMONIC_MOV,  ZYDIS_MNEMONIC_LEA,  ZYDIS_MNEMONIC_MOVZX, ZYDIS_MNEMONIC_MOVSX,
    ZYDIS_MNEMONIC_MOVSXD, ZYDIS_MNEMONIC_NOT, ZYDIS_MNEMONIC_NOP,  ZYDIS_MNEMONIC_PUSH,
    ZYDIS_MNEMONIC_POP,  ZYDIS_MNEMONIC_XCHG, ZYDIS_MNEMONIC_BSWAP,
};

static void lf_track(struct lf_known *k, const struct iem_insn *in)
{
    static const struct {
        uint16_t mnemonic;
        uint8_t op;
    } sets[] = {
        {ZYDIS_MNEMONIC_ADD, LF_ADD},   {ZYDIS_MNEMONIC_SUB, LF_SUB},  {ZYDIS_MNEMONIC_CMP, LF_SUB},
        {ZYDIS_MNEMONIC_AND, LF_LOGIC}, {ZYDIS_MNEMONIC_OR, LF_LOGIC}, {ZYDIS_MNEMONIC_XOR, LF_LOGIC},
        {ZYDIS_MNEMONIC_TEST, LF_LOGIC}, {ZYDIS_MNEMONIC_INC, LF_INC}, {ZYDIS_MNEMONIC_DEC, LF_DEC},
        {ZYDIS_MNEMONIC_NEG, LF_NEG},   {ZYDIS_MNEMONIC_ADC, LF_ADC},  {ZYDIS_MNEMONIC_SBB, LF_SBB},
    };
    for (size_t i = 0; i < sizeof(keeps_flags) / sizeof(keeps_flags[0]); i++)
        if (keeps_flags[i] == in->mnemonic)
            return;
    k->op = LF_NONE;
    if (in->lock || in->nops < 1)
        return;
    for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
        if (sets[i].mnemonic == in->mnemonic) {
            k->op = sets[i].op;
            k->size = in->op[0].size;
        }
}

static int native_cond(struct vcpu *v, uint64_t cc)
{
    return cpu_cond(&v->cpu, (unsigned)cc);
}

/* Host flags such that j<cc> decides as the guest's Jcc with condition
 * cc does, from the lazy state; or a call that leaves the answer in eax
 * (returns false then: the caller tests eax). */
static bool emit_cond(struct x64 *e, const struct lf_known *k, unsigned cc)
{
    unsigned kind = (cc >> 1) & 7;
    /* ZF and SF come from the result alone, whatever the op */
    if (k->op != LF_NONE && (kind == 2 || kind == 4)) {
        x64_load(e, X_RAX, V_LF_RES, true);
        x64_flagop(e, X_F_TEST, X_RAX, X_RAX, k->size);
        return true;
    }
    /* SUB/CMP/NEG (src1 - src2), ADD and the logical ops: the host op on
     * the same operands sets all six flags as the guest's did */
    if (k->op == LF_SUB || k->op == LF_NEG || k->op == LF_ADD) {
        x64_load(e, X_RAX, V_LF_SRC1, true);
        x64_load(e, X_RCX, V_LF_SRC2, true);
        x64_flagop(e, k->op == LF_ADD ? X_F_ADD : X_F_CMP, X_RAX, X_RCX, k->size);
        return true;
    }
    if (k->op == LF_LOGIC) {
        x64_load(e, X_RAX, V_LF_RES, true);
        x64_flagop(e, X_F_TEST, X_RAX, X_RAX, k->size);
        return true;
    }
    x64_call(e, native_cond, cc);
    x64_test_eax(e);
    return false;
}

/* A near JMP/Jcc with a relative target that the code can take itself:
 * the operand size is the RIP width (no 16-bit truncation), and the
 * target needs no check: a flat 32-bit CS (any 32-bit target is within
 * its limit) or, in 64-bit mode, a target on the TB's page (canonical as
 * the TB is). *off is the target's offset from the TB's first byte. */
static bool direct_branch(const struct rem_tb *tb, const struct iem_insn *in, unsigned at, int64_t *off,
                          bool *canon)
{
    bool jcc = in->fn != iem_unimplemented &&
               ((in->opmap == ZYDIS_OPCODE_MAP_DEFAULT && in->opcode >= 0x70 && in->opcode <= 0x7f) ||
                (in->opmap == ZYDIS_OPCODE_MAP_0F && in->opcode >= 0x80 && in->opcode <= 0x8f));
    bool jmp = in->mnemonic == ZYDIS_MNEMONIC_JMP && !in->far;

    *canon = false;
    if (!(jcc || jmp) || in->nops < 1 || in->op[0].type != OPT_IMM || !in->op[0].rel ||
        in->osize != in->ipsize)
        return false;
    *off = (int64_t)(at + in->len) + (int64_t)in->op[0].imm;
    if (in->ipsize == 4)
        return (tb->key & REM_KEY_FLAT) != 0;
    /* 64-bit: a target off the TB's page is checked for canonical form */
    int64_t page_off = (int64_t)(tb->gpa & 0xfff) + *off;
    *canon = page_off < 0 || page_off >= 0x1000;
    return in->ipsize == 8;
}

static const uint8_t *native_next(struct vcpu *v, uint64_t unused)
{
    (void)unused;
    return rem_next_compiled(v);
}

/* The compiled TB at CS:RIP through the jump cache, else REM's loop. */
static void emit_next(struct x64 *e)
{
    x64_call(e, native_next, 0);
    x64_test_rax(e);
    uint8_t *stop = x64_jz(e);
    x64_jmp_rax(e);
    x64_patch(e, stop);
    x64_return(e, false, REM_NX_STOP);
}

/* Exit k to the TB's byte offset off (RIP and the counts are final): on
 * the TB's page, a jump patched to the next TB's entry once REM's loop
 * has found it (an exit stub until then); elsewhere, the jump cache. */
static void emit_exit(struct x64 *e, struct rem_tb *tb, unsigned k, int64_t off)
{
    int64_t page_off = (int64_t)(tb->gpa & 0xfff) + off;
    /* a chained TB skips the CS limit check: flat or 64-bit code only */
    if (page_off < 0 || page_off >= 0x1000 || !(tb->key & REM_KEY_FLAT || tb->insns[0].ipsize == 8)) {
        emit_next(e);
        return;
    }
    uint8_t *slot = x64_jmp(e);
    x64_patch(e, slot);
    x64_store_imm32(e, X_RBP, R_EXIT, k);
    x64_return(e, false, REM_NX_EXIT);
    if (slot) {
        tb->slot[k] = slot;
        tb->exit_gpa[k] = tb->gpa + (uint64_t)off;
    }
}

/* PUSH r / POP r of the stack's width (32-bit with SS.B, or 64-bit
 * mode): *ss is that width. */
static bool push_pop(const struct rem_tb *tb, const struct iem_insn *in, unsigned *ss)
{
    if ((in->mnemonic != ZYDIS_MNEMONIC_PUSH && in->mnemonic != ZYDIS_MNEMONIC_POP) || in->nops < 1 ||
        in->op[0].type != OPT_REG || in->op[0].rclass != RC_GPR || in->op[0].size != in->osize ||
        (in->ctl & (IEM_CTL_FULL | IEM_CTL_ENDS_TB)) || in->fn == iem_unimplemented)
        return false;
    *ss = (tb->key & 7) == DMODE_LONG ? 8 : (tb->key & 0x100) ? 4 : 0;
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
static void emit_stack(struct x64 *e, const struct iem_insn *in, unsigned ss)
{
    bool push = in->mnemonic == ZYDIS_MNEMONIC_PUSH;
    struct iem_op m = {.type = OPT_MEM, .seg = S_SS, .size = (uint8_t)ss};
    uint64_t packed = S_SS | (uint64_t)ss << 8 | (uint64_t)push << 16;

    emit_sp(e, ss, push ? -(int32_t)ss : 0);
    x64_mov_rr(e, X_RAX, X_RCX, true);
    uint8_t *hit = emit_tlb(e, in, &m, push);
    x64_mov_rr(e, X_RDX, X_RAX, true);
    x64_call(e, host_ptr, packed);
    x64_test_rax(e);
    uint8_t *slow = x64_jz(e);
    x64_patch(e, hit);
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
    x64_add_mem(e, X_RBX, V_RIP, in->len, in->ipsize);
    x64_add_mem(e, X_RBX, V_INSNS, 1, 8);
    x64_add_mem(e, X_RBP, R_NATIVE_N, 1, 8);
    uint8_t *done = x64_jmp(e);
    x64_patch(e, slow);
    x64_call(e, step_fn(in), (uint64_t)(uintptr_t)in);
    x64_return_if_eax(e);
    x64_patch(e, done);
}

/* A near CALL rel / RET (imm16) at a TB's end that the code can run: its
 * operand and stack sizes are the RIP width, and no target can pass the
 * CS limit (flat 32-bit CS, or 64-bit mode). *ss is the stack width. */
static bool call_ret(const struct rem_tb *tb, const struct iem_insn *in, unsigned *ss)
{
    bool call = in->mnemonic == ZYDIS_MNEMONIC_CALL && in->nops >= 1 && in->op[0].type == OPT_IMM && in->op[0].rel;
    bool ret = in->mnemonic == ZYDIS_MNEMONIC_RET && (in->nops == 0 || in->op[0].type == OPT_IMM);

    if (!(call || ret) || in->far || in->fn == iem_unimplemented || in->osize != in->ipsize ||
        (in->ctl & IEM_CTL_FULL) || !(in->ipsize == 8 || (tb->key & REM_KEY_FLAT)))
        return false;
    *ss = (tb->key & 7) == DMODE_LONG ? 8 : (tb->key & 0x100) ? 4 : 0;
    return *ss == in->osize;
}

/* jne to the returned rel32 unless reg is canonical at 48 bits (rcx is
 * clobbered; a 57-bit address takes the helper too). */
static uint8_t *emit_canon(struct x64 *e, unsigned reg)
{
    x64_mov_rr(e, X_RCX, reg, true);
    x64_shift_imm(e, 4, X_RCX, 16, true);
    x64_shift_imm(e, 7, X_RCX, 16, true);
    x64_flagop(e, X_F_CMP, X_RCX, reg, 8);
    return x64_jcc(e, 0x5);
}

/* CALL rel: the return address pushed through the inline TLB lookup, then
 * the exit to the target (at TB offset off); RET: the popped target, then
 * the jump cache. Nothing is written before every check passed; a miss
 * or a fault is the helper step of the whole instruction. */
static void emit_call_ret(struct x64 *e, struct rem_tb *tb, const struct iem_insn *in, unsigned ss, int64_t off)
{
    bool call = in->mnemonic == ZYDIS_MNEMONIC_CALL;
    struct iem_op m = {.type = OPT_MEM, .seg = S_SS, .size = (uint8_t)ss};
    uint64_t packed = S_SS | (uint64_t)ss << 8 | (uint64_t)call << 16;
    uint8_t *bad[2] = {NULL, NULL};
    int64_t page_off = (int64_t)(tb->gpa & 0xfff) + off;

    if (call && in->ipsize == 8 && (page_off < 0 || page_off >= 0x1000)) {
        x64_load(e, X_RAX, V_RIP, true);
        x64_add_imm(e, X_RAX, (int32_t)(in->len + in->op[0].imm));
        bad[0] = emit_canon(e, X_RAX);
    }
    emit_sp(e, ss, call ? -(int32_t)ss : 0);
    x64_mov_rr(e, X_RAX, X_RCX, true);
    uint8_t *hit = emit_tlb(e, in, &m, call);
    x64_mov_rr(e, X_RDX, X_RAX, true);
    x64_call(e, host_ptr, packed);
    x64_test_rax(e);
    uint8_t *slow = x64_jz(e);
    x64_patch(e, hit);
    if (call) {
        x64_load(e, X_RDX, V_RIP, true);
        x64_add_imm(e, X_RDX, in->len);
        if (ss == 4)
            x64_mov_rr(e, X_RDX, X_RDX, false);
        x64_store_sz(e, X_RAX, 0, X_RDX, ss);
        emit_sp(e, ss, -(int32_t)ss);
        x64_store64(e, V_GPR(R_SP), X_RCX);
        x64_add_mem(e, X_RBX, V_RIP, (uint32_t)(in->len + in->op[0].imm), in->ipsize);
    } else {
        x64_load_sz(e, X_RDX, X_RAX, 0, ss);
        if (ss == 8)
            bad[1] = emit_canon(e, X_RDX);
        x64_store64(e, V_RIP, X_RDX);
        emit_sp(e, ss, (int32_t)(ss + (in->nops ? (in->op[0].imm & 0xffff) : 0)));
        x64_store64(e, V_GPR(R_SP), X_RCX);
    }
    x64_add_mem(e, X_RBX, V_INSNS, 1, 8);
    x64_add_mem(e, X_RBP, R_NATIVE_N, 1, 8);
    if (call)
        emit_exit(e, tb, 1, off);
    else
        emit_next(e);
    x64_patch(e, slow);
    x64_patch(e, bad[0]);
    x64_patch(e, bad[1]);
    x64_call(e, step_fn(in), (uint64_t)(uintptr_t)in);
    x64_return(e, false, REM_NX_STOP);
}

/* The checks at a TB's entry, from REM's loop or a chained jump: the TB
 * is still valid, the budget holds all of it, no interrupt could be
 * delivered and nothing is asked of the VM; else REM_NX_BAIL. */
static void emit_entry(struct x64 *e, const struct rem_tb *tb)
{
    x64_mov_imm(e, X_RAX, (uint64_t)(uintptr_t)tb);
    x64_store_rbp64(e, R_CUR, X_RAX);
    x64_mov_imm(e, X_RAX, (uint64_t)(uintptr_t)tb->genp);
    x64_load_rax(e, X_RAX, 4);
    x64_cmp_imm32(e, X_RAX, tb->gen);
    uint8_t *stale = x64_jcc(e, 0x5), *stale2 = NULL; /* jne */
    if (tb->genp2) {
        x64_mov_imm(e, X_RAX, (uint64_t)(uintptr_t)tb->genp2);
        x64_load_rax(e, X_RAX, 4);
        x64_cmp_imm32(e, X_RAX, tb->gen2);
        stale2 = x64_jcc(e, 0x5);
    }
    x64_load(e, X_RAX, V_FF, false);
    x64_test_imm32(e, X_RAX, VCPU_FF_NMI);
    uint8_t *nmi = x64_jcc(e, 0x5);
    x64_test_imm32(e, X_RAX, VCPU_FF_INTERRUPT_PIC | VCPU_FF_INTERRUPT_APIC);
    uint8_t *no_irq = x64_jz(e);
    x64_test_mem32(e, V_RFLAGS, F_IF);
    uint8_t *irq = x64_jcc(e, 0x5);
    x64_patch(e, no_irq);
    x64_load(e, X_RAX, V_VM, true);
    x64_load_base(e, X_RAX, X_RAX, VM_FF, false);
    x64_test_eax(e);
    uint8_t *vmff = x64_jcc(e, 0x5);
    x64_sub_mem64(e, X_RBP, R_LEFT, tb->ninsns);
    uint8_t *run = x64_jcc(e, 0x3); /* jae: no borrow */
    x64_add_mem(e, X_RBP, R_LEFT, tb->ninsns, 8);
    x64_patch(e, stale);
    x64_patch(e, stale2);
    x64_patch(e, nmi);
    x64_patch(e, irq);
    x64_patch(e, vmff);
    x64_return(e, false, REM_NX_BAIL);
    x64_patch(e, run);
}

bool rem_native_compile(struct vcpu *v, struct rem_tb *tb)
{
    struct rem_state *r = v->rem;
    struct rem_code *cb = &r->code;
    unsigned ipsize = tb->insns[0].ipsize, natives = 0, len = 0, k = 0, at = 0;
    struct x64 e = {cb->rw + cb->used, cb->rw + cb->size, false};
    uint8_t *start = e.p, *chain;
    struct lf_known lf = {LF_NONE, 0};
    bool exits = false;

    /* 16-bit code wraps IP at 64 KiB: left to the first tier */
    if (ipsize < 4)
        return false;
    for (unsigned i = 0; i < tb->ninsns; i++)
        natives += classify(&tb->insns[i]) != N_NONE;
    if (!natives && !(tb->key & REM_KEY_FLAT))
        return false;
    tb->slot[0] = tb->slot[1] = NULL;
    x64_prologue(&e);
    chain = e.p;
    emit_entry(&e, tb);
    for (unsigned i = 0; i < tb->ninsns; i++) {
        const struct iem_insn *in = &tb->insns[i];
        enum nkind kind = classify(in);
        int64_t off;
        bool canon;
        unsigned ss;
        if (i + 1u == tb->ninsns && direct_branch(tb, in, at, &off, &canon)) {
            uint8_t *bad = NULL;
            if (canon) { /* a non-canonical target is IEM's #GP */
                flush_counts(&e, ipsize, len, k);
                len = k = 0;
                x64_load(&e, X_RAX, V_RIP, true);
                x64_add_imm(&e, X_RAX, (int32_t)(in->len + in->op[0].imm));
                x64_mov_rr(&e, X_RCX, X_RAX, true);
                x64_shift_imm(&e, 4, X_RCX, 16, true);
                x64_shift_imm(&e, 7, X_RCX, 16, true);
                x64_flagop(&e, X_F_CMP, X_RCX, X_RAX, 8);
                bad = x64_jcc(&e, 0x5);
            }
            /* the branch retires here whichever way it goes */
            flush_counts(&e, ipsize, len + in->len, k + 1);
            uint8_t *taken;
            if (in->mnemonic == ZYDIS_MNEMONIC_JMP) {
                taken = x64_jmp(&e);
            } else {
                unsigned cc = in->opcode & 0xf;
                taken = emit_cond(&e, &lf, cc) ? x64_jcc(&e, cc) : x64_jcc(&e, 0x5);
                emit_exit(&e, tb, 0, at + in->len);
            }
            x64_patch(&e, taken);
            x64_add_mem(&e, X_RBX, V_RIP, (uint32_t)in->op[0].imm, ipsize);
            emit_exit(&e, tb, 1, off);
            if (bad) {
                x64_patch(&e, bad);
                x64_call(&e, step_fn(in), (uint64_t)(uintptr_t)in);
                x64_return(&e, false, REM_NX_STOP);
            }
            exits = true;
            break;
        }
        if (push_pop(tb, in, &ss)) {
            flush_counts(&e, ipsize, len, k);
            len = k = 0;
            emit_stack(&e, in, ss);
            at += in->len;
            lf_track(&lf, in);
            continue;
        }
        at += in->len;
        if (i + 1u == tb->ninsns && call_ret(tb, in, &ss)) {
            flush_counts(&e, ipsize, len, k);
            len = k = 0;
            emit_call_ret(&e, tb, in, ss, (int64_t)at + (in->nops ? (int64_t)in->op[0].imm : 0));
            exits = true;
            break;
        }
        if (i + 1u == tb->ninsns && (in->ctl & IEM_CTL_NEAR_BR)) {
            flush_counts(&e, ipsize, len, k);
            len = k = 0;
            x64_call(&e, native_branch, (uint64_t)(uintptr_t)in);
            x64_test_rax(&e);
            uint8_t *stop = x64_jz(&e);
            x64_jmp_rax(&e);
            x64_patch(&e, stop);
            x64_return(&e, false, REM_NX_STOP);
            exits = true;
            break;
        }
        if (kind == N_CALL) {
            /* counts exact first: the rare slow path below is a helper step */
            flush_counts(&e, ipsize, len, k);
            len = k = 0;
            x64_call(&e, in->fn, (uint64_t)(uintptr_t)in);
            x64_test_eax(&e);
            uint8_t *ok = x64_jz(&e);
            x64_call(&e, step_fn(in), (uint64_t)(uintptr_t)in); /* counts it itself */
            x64_return_if_eax(&e);
            uint8_t *done = x64_jmp(&e);
            x64_patch(&e, ok);
            flush_counts(&e, ipsize, in->len, 1);
            x64_patch(&e, done);
        } else if (kind == N_LOAD || kind == N_STORE || kind == N_ALU_MEM) {
            flush_counts(&e, ipsize, len, k);
            len = k = 0;
            emit_mem(&e, in, kind);
        } else if (kind != N_NONE) {
            emit_insn(&e, in, kind);
            len += in->len;
            k++;
        } else {
            flush_counts(&e, ipsize, len, k);
            len = k = 0;
            x64_call(&e, step_fn(in), (uint64_t)(uintptr_t)in);
            x64_return_if_eax(&e);
        }
        lf_track(&lf, in);
    }
    if (!exits) {
        flush_counts(&e, ipsize, len, k);
        /* past a branch or mode change through a helper, the next TB is
         * REM's loop's to find; past the length cap or a page end it is
         * static */
        if (tb->insns[tb->ninsns - 1].ctl & IEM_CTL_ENDS_TB)
            x64_return(&e, false, REM_NX_STOP);
        else
            emit_exit(&e, tb, 0, at);
    }
    if (e.full) {
        tb->slot[0] = tb->slot[1] = NULL;
        return false;
    }
    tb->native = (rem_native_fn)(uintptr_t)(cb->rx + (start - cb->rw));
    tb->chain = cb->rx + (chain - cb->rw);
    cb->used = ((size_t)(e.p - cb->rw) + 15) & ~(size_t)15;
    r->st.compiled++;
    if (v->vm->trace_tb_out)
        rem_trace_tb(v, tb, cb->rx + (start - cb->rw), (size_t)(e.p - start));
    return true;
}
