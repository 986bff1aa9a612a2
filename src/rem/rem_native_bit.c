/* REM's native code: NOT/NEG r, BSWAP r, CBW..CQO, BT/BTS/BTR/BTC r|m,
 * r|imm, MUL r, DIV r|m, CMPXCHG and XADD m, r (not locked), MOV r, Sreg,
 * SETcc m8, CMOVcc r, m, ROL/ROR r, imm whose flags are read, PUSHFQ, TZCNT,
 * PUSH imm, the prefetches and PAUSE (see rem_native.c's invariants).
 *
 * Invariants:
 * - Each form does what its IEM handler does (iem_alu.c, iem_bit.c,
 *   iem_data.c, iem_ctrl.c, iem_shift.c): NEG, CMPXCHG and XADD leave the
 *   lazy flags their handlers store, MUL mul_flags' concrete ones; BT*,
 *   ROL/ROR and PUSHFQ make the lazy flags concrete first (what
 *   iem_flags_update's cpu_get_flags does), then BT* set CF and ROL/ROR
 *   CF and OF alone; DIV leaves every flag.
 * - A zero divisor or a quotient that does not fit (IEM's #DE), a memory
 *   operand the inline lookup refuses and a condition that needs a call
 *   are the helper step of the whole instruction, with nothing written
 *   before.
 */
#include "cpu/cpufeat.h"
#include "rem/rem_native.h"

static bool gpr48(const struct iem_op *op)
{
    return op->type == OPT_REG && op->rclass == RC_GPR && (op->size == 4 || op->size == 8);
}

/* A 32- or 64-bit register, or such a memory operand the code addresses. */
static bool rm48(const struct iem_insn *in, const struct iem_op *op)
{
    return gpr48(op) || (rem_mem_ok(in, op) && (op->size == 4 || op->size == 8));
}

static bool is_bt(unsigned mnemonic)
{
    return mnemonic == ZYDIS_MNEMONIC_BT || mnemonic == ZYDIS_MNEMONIC_BTS ||
           mnemonic == ZYDIS_MNEMONIC_BTR || mnemonic == ZYDIS_MNEMONIC_BTC;
}

static bool is_cbw(unsigned mnemonic)
{
    return mnemonic == ZYDIS_MNEMONIC_CBW || mnemonic == ZYDIS_MNEMONIC_CWDE ||
           mnemonic == ZYDIS_MNEMONIC_CDQE;
}

static bool is_cwd(unsigned mnemonic)
{
    return mnemonic == ZYDIS_MNEMONIC_CWD || mnemonic == ZYDIS_MNEMONIC_CDQ || mnemonic == ZYDIS_MNEMONIC_CQO;
}

/* The prefetches and PAUSE: op_nop, no access */
static bool is_nop(unsigned mnemonic)
{
    return mnemonic == ZYDIS_MNEMONIC_PREFETCHNTA || mnemonic == ZYDIS_MNEMONIC_PREFETCHT0 ||
           mnemonic == ZYDIS_MNEMONIC_PREFETCHT1 || mnemonic == ZYDIS_MNEMONIC_PREFETCHT2 ||
           mnemonic == ZYDIS_MNEMONIC_PREFETCHW || mnemonic == ZYDIS_MNEMONIC_PAUSE;
}

bool rem_bit_ok(const struct iem_insn *in)
{
    const struct iem_op *d = &in->op[0], *s = &in->op[1];
    unsigned mn = in->mnemonic;

    if ((in->ctl & (IEM_CTL_FULL | IEM_CTL_ENDS_TB)) || in->lock || in->fn == iem_unimplemented)
        return false;
    if (is_cbw(mn) || is_cwd(mn))
        return in->osize == 2 || in->osize == 4 || in->osize == 8;
    if (is_nop(mn))
        return true;
    /* PUSHFQ and PUSH imm in 64-bit mode (no VME or virtual-8086 rules
     * there, the stack 8 bytes wide) */
    if (mn == ZYDIS_MNEMONIC_PUSHFQ)
        return in->ipsize == 8 && in->osize == 8;
    if (mn == ZYDIS_MNEMONIC_PUSH && in->nops >= 1 && in->op[0].type == OPT_IMM)
        return in->ipsize == 8 && in->osize == 8;
    if (in->nops < 1)
        return false;
    if (mn == ZYDIS_MNEMONIC_NOT || mn == ZYDIS_MNEMONIC_NEG || mn == ZYDIS_MNEMONIC_BSWAP)
        return gpr48(d);
    if (mn == ZYDIS_MNEMONIC_DIV)
        return rm48(in, d);
    /* MOV r, Sreg: a read of the selector */
    if (mn == ZYDIS_MNEMONIC_MOV && in->nops == 2 && d->type == OPT_REG && d->rclass == RC_GPR &&
        s->type == OPT_REG && s->rclass == RC_SEG && s->reg <= S_GS)
        return true;
    /* SETcc m8 (0F 90+cc) */
    if (in->opmap == ZYDIS_OPCODE_MAP_0F && in->opcode >= 0x90 && in->opcode <= 0x9f)
        return rem_mem_ok(in, d) && d->size == 1;
    /* CMOVcc r, m (0F 40+cc) in 64-bit mode, where a 32-bit destination is
     * written whatever the condition */
    if (in->opmap == ZYDIS_OPCODE_MAP_0F && in->opcode >= 0x40 && in->opcode <= 0x4f && in->nops >= 2)
        return in->ipsize == 8 && gpr48(d) && rem_mem_ok(in, s) && s->size == d->size;
    if (mn == ZYDIS_MNEMONIC_MUL)
        return gpr48(d);
    if (mn == ZYDIS_MNEMONIC_TZCNT && in->nops >= 2)
        return gpr48(d) && rm48(in, s) && s->size == d->size;
    if (mn == ZYDIS_MNEMONIC_XADD && in->nops >= 2)
        return rem_mem_ok(in, d) && (d->size == 4 || d->size == 8) && gpr48(s) && s->size == d->size;
    if (mn == ZYDIS_MNEMONIC_CMPXCHG && in->nops >= 2)
        return rem_mem_ok(in, d) && (d->size == 4 || d->size == 8) && gpr48(s) && s->size == d->size;
    if (is_bt(mn) && in->nops >= 2)
        return rm48(in, d) && ((gpr48(s) && s->size == d->size) || s->type == OPT_IMM);
    return false;
}

enum rem_bit_flags rem_bit_flags(const struct iem_insn *in)
{
    unsigned mn = in->mnemonic;
    if (mn == ZYDIS_MNEMONIC_NEG || mn == ZYDIS_MNEMONIC_MUL)
        return BITF_SETS;
    if (mn == ZYDIS_MNEMONIC_NOT || mn == ZYDIS_MNEMONIC_BSWAP || mn == ZYDIS_MNEMONIC_MOV || is_cbw(mn) ||
        is_cwd(mn) || is_nop(mn))
        return BITF_KEEPS;
    /* BT* and ROL/ROR merge into the old flags, PUSHFQ pushes them, CMOVcc
     * and SETcc read them; the memory forms and DIV may fault */
    return BITF_READS;
}

void rem_emit_retire_n(struct x64 *e, const struct iem_insn *in, uint8_t *const *slow, unsigned n)
{
    rem_emit_cold_done(e, in, rem_emit_cold_step(e, in, slow, n));
}

/* CBW/CWDE/CDQE: rAX = the sign-extended low half; CWD/CDQ/CQO: rDX =
 * copies of rAX's sign bit (op_cbw, op_cwd). */
static void emit_convert(struct x64 *e, const struct iem_insn *in)
{
    unsigned size = in->osize;
    if (is_cbw(in->mnemonic))
        x64_load_sx(e, X_RCX, X_RBX, V_GPR(0), size / 2);
    else if (size == 8)
        x64_load(e, X_RCX, V_GPR(0), true);
    else
        x64_load_sx(e, X_RCX, X_RBX, V_GPR(0), size);
    if (is_cwd(in->mnemonic))
        x64_shift_imm(e, 7, X_RCX, 63, true); /* sar: all ones or zero */
    if (size == 4)
        x64_mov_rr(e, X_RCX, X_RCX, false); /* a 32-bit destination zero-extends */
    x64_store_sz(e, X_RBX, V_GPR(is_cwd(in->mnemonic) ? 2 : 0), X_RCX, size == 2 ? 2 : 8);
}

/* Makes the lazy flags concrete in rflags (lazy op LF_NONE). */
static int native_flags_concrete(struct vcpu *v, uint64_t unused)
{
    (void)unused;
    cpu_set_flags(&v->cpu, cpu_get_flags(&v->cpu));
    return 0;
}

/* The lazy flags made concrete when they are not (a call; first, as it
 * clobbers the scratch registers). */
static void emit_concrete(struct x64 *e)
{
    x64_test_mem8(e, X_RBX, V_LF_OP, 0xff);
    uint8_t *concrete = x64_jz(e);
    x64_call_keep(e, native_flags_concrete, 0);
    x64_patch(e, concrete);
}

/* rflags = (rflags & ~mask) | ecx (ecx within mask) */
static void emit_merge_flags(struct x64 *e, uint32_t mask)
{
    x64_load(e, X_RDX, V_RFLAGS, true);
    x64_alu_imm(e, 4, X_RDX, ~mask, true);
    x64_alu_rr(e, X_OR, X_RDX, X_RCX, true);
    x64_store64(e, V_RFLAGS, X_RDX);
}

/* ROL/ROR r, imm (a count not 0 once masked) whose flags someone reads:
 * CF from the host, OF as shift_calc's first step, the rest kept. */
static void emit_rotate(struct x64 *e, const struct iem_insn *in)
{
    const struct iem_op *d = &in->op[0];
    bool w = d->size == 8, rol = in->mnemonic == ZYDIS_MNEMONIC_ROL;
    unsigned n = d->size * 8;

    emit_concrete(e);
    x64_load(e, X_RDX, V_GPR(d->reg), w);
    x64_mov_rr(e, X_RAX, X_RDX, w);
    x64_shift_imm(e, rol ? 0 : 1, X_RAX, (unsigned)(in->op[1].imm & (n - 1)), w);
    x64_store64(e, V_GPR(d->reg), X_RAX);
    x64_setcc_eax(e, 0x2); /* CF */
    /* ecx = OF: d[n-1] ^ d[n-2] (ROL) or d[n-1] ^ d[0] (ROR) */
    x64_mov_rr(e, X_RCX, X_RDX, true);
    x64_shift_imm(e, 5, X_RCX, n - 1, true);
    if (rol)
        x64_shift_imm(e, 5, X_RDX, n - 2, true);
    x64_alu_rr(e, X_XOR, X_RCX, X_RDX, false);
    x64_alu_imm(e, 4, X_RCX, 1, false);
    x64_shift_imm(e, 4, X_RCX, 11, false);
    x64_alu_rr(e, X_OR, X_RCX, X_RAX, false);
    emit_merge_flags(e, F_CF | F_OF);
    e->pend_len += in->len;
    e->pend_k++;
}

/* PUSHFQ (the concrete flags without VM and RF, as op_pushf) or PUSH
 * imm at SS:RSP - 8, RSP moved once the store went through. */
static void emit_push(struct x64 *e, const struct iem_insn *in)
{
    const struct iem_op m = {.type = OPT_MEM, .seg = S_SS, .size = 8};
    bool flags = in->mnemonic == ZYDIS_MNEMONIC_PUSHFQ;

    if (flags)
        emit_concrete(e);
    x64_load(e, X_RAX, V_GPR(R_SP), true);
    x64_add_imm(e, X_RAX, -8);
    uint8_t *slow = rem_emit_host(e, in, &m, true);
    if (flags) {
        x64_load(e, X_RDX, V_RFLAGS, true);
        x64_alu_imm(e, 4, X_RDX, ~(uint32_t)(F_VM | F_RF), true);
    } else {
        x64_mov_imm(e, X_RDX, in->op[0].imm);
    }
    x64_store_sz(e, X_RAX, 0, X_RDX, 8);
    x64_load(e, X_RCX, V_GPR(R_SP), true);
    x64_add_imm(e, X_RCX, -8);
    x64_store64(e, V_GPR(R_SP), X_RCX);
    rem_emit_retire_n(e, in, &slow, 1);
}

/* MUL r (32/64): rDX:rAX = rAX * r, the flags as mul_flags leaves them. */
static void emit_mul(struct x64 *e, const struct iem_insn *in, bool live)
{
    bool w = in->op[0].size == 8;

    x64_load(e, X_RCX, V_GPR(in->op[0].reg), w);
    x64_load(e, X_RAX, V_GPR(0), w);
    x64_op_rr(e, 0, 0xf7, 4, X_RCX, w, -1); /* mul rcx */
    x64_store64(e, V_GPR(0), X_RAX);
    x64_store64(e, V_GPR(2), X_RDX);
    if (live)
        rem_emit_mul_flags(e, in->op[0].size);
    e->pend_len += in->len;
    e->pend_k++;
}

/* XADD/CMPXCHG m, r: rax = m's host pointer for a write, rdx = m, rcx =
 * r; returns the jump to the helper step. */
static uint8_t *rmw_load(struct x64 *e, const struct iem_insn *in)
{
    const struct iem_op *d = &in->op[0];

    rem_emit_ea(e, in, d);
    uint8_t *slow = rem_emit_host(e, in, d, true);
    x64_load_sz(e, X_RDX, X_RAX, 0, d->size);
    x64_load(e, X_RCX, V_GPR(in->op[1].reg), d->size == 8);
    return slow;
}

/* XADD m, r (not locked): m = m + r, r = the old m; op_xadd's lazy flags. */
static void emit_xadd(struct x64 *e, const struct iem_insn *in, bool live)
{
    const struct iem_op *d = &in->op[0], *s = &in->op[1];
    bool w = d->size == 8;
    uint8_t *slow = rmw_load(e, in);

    x64_mov_rr(e, X_RSI, X_RDX, w);
    x64_alu_rr(e, X_ADD, X_RSI, X_RCX, w);
    x64_store_sz(e, X_RAX, 0, X_RSI, d->size);
    x64_store64(e, V_GPR(s->reg), X_RDX);
    if (live)
        rem_emit_lazy(e, LF_ADD, d->size, X_RSI, X_RDX, X_RCX);
    rem_emit_retire_n(e, in, &slow, 1);
}

/* TZCNT r, r|m (32/64) of a model with BMI1 (without, it is BSF: the
 * helper step): BSF and a CMOVZ for a zero source, so no host BMI1 is
 * needed; the flags as op_count leaves them (CF: the source is zero, ZF:
 * the result is, the rest clear). */
static void emit_tzcnt(struct x64 *e, const struct iem_insn *in)
{
    const struct iem_op *d = &in->op[0], *s = &in->op[1];
    bool w = d->size == 8;
    uint8_t *slow[2];
    unsigned n = 0;

    x64_test_mem8(e, X_RBX, V_FEAT(CF_BMI1), (uint8_t)(1u << (CF_BMI1 % 8)));
    slow[n++] = x64_jz(e);
    if (s->type == OPT_MEM) {
        rem_emit_ea(e, in, s);
        slow[n++] = rem_emit_host(e, in, s, false);
        x64_load_sz(e, X_RSI, X_RAX, 0, s->size);
    } else {
        x64_load(e, X_RSI, V_GPR(s->reg), w);
    }
    x64_mov_imm(e, X_RCX, d->size * 8u);
    x64_op_rr(e, 0, 0x0fbc, X_RAX, X_RSI, w, -1); /* bsf rax, rsi */
    x64_cmov(e, 4, X_RAX, X_RCX, w);              /* cmovz rax, rcx */
    x64_store64(e, V_GPR(d->reg), X_RAX);
    x64_flagop(e, X_F_TEST, X_RAX, X_RAX, d->size);
    x64_lahf_ecx(e, F_ZF);
    x64_mov_imm(e, X_RDX, 1);
    x64_flagop(e, X_F_CMP, X_RSI, X_RDX, d->size); /* CF: rsi < 1 */
    x64_alu_imm(e, 2, X_RCX, 0, false);            /* adc ecx, 0 (F_CF is bit 0) */
    rem_emit_set_arith(e);
    rem_emit_retire_n(e, in, slow, n);
}

/* BT/BTS/BTR/BTC: host bt* on the value in rdx, CF into rflags. The
 * memory form with a register offset addresses the operand-size unit that
 * holds the bit (bt_common's signed offset). */
static void emit_bt(struct x64 *e, const struct iem_insn *in)
{
    const struct iem_op *d = &in->op[0], *s = &in->op[1];
    bool w = d->size == 8, mem = d->type == OPT_MEM;
    unsigned k = in->mnemonic == ZYDIS_MNEMONIC_BT    ? 0
                 : in->mnemonic == ZYDIS_MNEMONIC_BTS ? 1
                 : in->mnemonic == ZYDIS_MNEMONIC_BTR ? 2
                                                      : 3;
    uint8_t *slow = NULL;

    /* the concrete flags are the same ones should the slow path run */
    emit_concrete(e);
    if (mem) {
        rem_emit_ea(e, in, d);
        if (s->type == OPT_REG) { /* rax += (offset >> log2(bits)) * size, signed */
            if (w)
                x64_load(e, X_RCX, V_GPR(s->reg), true);
            else
                x64_load_sx(e, X_RCX, X_RBX, V_GPR(s->reg), 4);
            x64_shift_imm(e, 7, X_RCX, w ? 6 : 5, true);
            x64_shl(e, X_RCX, w ? 3 : 2);
            x64_alu_rr(e, X_ADD, X_RAX, X_RCX, true);
            if (in->asize == 4)
                x64_mov_rr(e, X_RAX, X_RAX, false);
        }
        slow = rem_emit_host(e, in, d, k != 0);
        x64_load_sz(e, X_RDX, X_RAX, 0, d->size);
    } else {
        x64_load(e, X_RDX, V_GPR(d->reg), w);
    }
    if (s->type == OPT_REG) {
        x64_load(e, X_RCX, V_GPR(s->reg), w);
        x64_op_rr(e, 0, (uint16_t)(0x0fa3 + 8 * k), X_RCX, X_RDX, w, -1); /* bt* rdx, rcx */
    } else {
        x64_op_rr(e, 0, 0x0fba, 4 + k, X_RDX, w, (int)(s->imm & (d->size * 8u - 1)));
    }
    if (k && mem)
        x64_store_sz(e, X_RAX, 0, X_RDX, d->size);
    else if (k)
        x64_store64(e, V_GPR(d->reg), X_RDX); /* a 32-bit destination zero-extends */
    x64_setcc_eax(e, 0x2);                    /* eax = CF (F_CF is bit 0) */
    x64_load(e, X_RCX, V_RFLAGS, true);
    x64_alu_imm(e, 4, X_RCX, (uint32_t) ~(uint32_t)F_CF, true);
    x64_alu_rr(e, X_OR, X_RCX, X_RAX, true);
    x64_store64(e, V_RFLAGS, X_RCX);
    if (mem) {
        rem_emit_retire_n(e, in, &slow, 1);
    } else {
        e->pend_len += in->len;
        e->pend_k++;
    }
}

/* DIV r|m (32/64): rDX:rAX / the operand; a zero divisor or rDX >= it
 * (a quotient past the size) goes to the helper step for IEM's #DE. */
static void emit_div(struct x64 *e, const struct iem_insn *in)
{
    const struct iem_op *d = &in->op[0];
    bool w = d->size == 8;
    uint8_t *slow[3] = {NULL, NULL, NULL};

    if (d->type == OPT_MEM) {
        rem_emit_ea(e, in, d);
        slow[0] = rem_emit_host(e, in, d, false);
        x64_load_sz(e, X_RCX, X_RAX, 0, d->size);
    } else {
        x64_load(e, X_RCX, V_GPR(d->reg), w);
    }
    x64_load(e, X_RAX, V_GPR(0), w);
    x64_load(e, X_RDX, V_GPR(2), w);
    x64_op_rr(e, 0, 0x85, X_RCX, X_RCX, w, -1); /* test rcx, rcx */
    slow[1] = x64_jz(e);
    x64_op_rr(e, 0, 0x39, X_RCX, X_RDX, w, -1); /* cmp rdx, rcx */
    slow[2] = x64_jcc(e, 0x3);                  /* jae */
    x64_op_rr(e, 0, 0xf7, 6, X_RCX, w, -1);     /* div rcx */
    x64_store64(e, V_GPR(0), X_RAX);
    x64_store64(e, V_GPR(2), X_RDX);
    rem_emit_retire_n(e, in, slow, 3);
}

/* CMPXCHG m, r (not locked): the lookup for a write (the SDM's and
 * op_cmpxchg's write-back of the old value on a mismatch needs one, but
 * storing the same bytes again changes nothing); equal: m = r, else rAX =
 * m (zero-extended at 32 bits); the lazy flags of CMP rAX, m. */
static void emit_cmpxchg(struct x64 *e, const struct iem_insn *in, bool live)
{
    const struct iem_op *d = &in->op[0];
    bool w = d->size == 8;
    uint8_t *slow = rmw_load(e, in);

    x64_load(e, X_RSI, V_GPR(0), w);
    x64_op_rr(e, 0, 0x39, X_RDX, X_RSI, w, -1); /* cmp rsi, rdx */
    uint8_t *ne = x64_jcc(e, 0x5);
    x64_store_sz(e, X_RAX, 0, X_RCX, d->size);
    uint8_t *join = x64_jmp(e);
    x64_patch(e, ne);
    x64_store64(e, V_GPR(0), X_RDX);
    x64_patch(e, join);
    if (live) {
        x64_mov_rr(e, X_RDI, X_RSI, true);
        x64_alu_rr(e, X_SUB, X_RDI, X_RDX, w);
        rem_emit_lazy(e, LF_SUB, d->size, X_RDI, X_RSI, X_RDX);
    }
    rem_emit_retire_n(e, in, &slow, 1);
}

/* SETcc m8 / CMOVcc r, m: the lookup first (rax), then the condition
 * from the lazy state in rcx and rdx (the lookup leaves no host flag); a
 * condition that needs a call is the helper step. */
static void emit_cond_mem(struct x64 *e, const struct iem_insn *in, const struct lf_known *lf)
{
    const struct iem_op *d = &in->op[0], *m = d->type == OPT_MEM ? d : &in->op[1];
    struct lf_known k = *lf;
    unsigned cc = in->opcode & 0xf;
    bool setcc = in->opcode >= 0x90, w = d->size == 8;

    k.host = LF_HOST_NONE;
    if (!rem_cond_inline(&k, cc)) {
        rem_flush_counts(e);
        rem_emit_step(e, in);
        e->dirty = 0;
        return;
    }
    rem_emit_ea(e, in, m);
    uint8_t *slow = rem_emit_host(e, in, m, setcc);
    if (!setcc) { /* the source is read whatever the condition */
        x64_load_sz(e, X_RSI, X_RAX, 0, m->size);
        x64_load(e, X_RDI, V_GPR(d->reg), w);
    }
    rem_emit_cond_in(e, &k, cc, X_RCX, X_RDX);
    if (setcc) {
        x64_setcc_cl(e, cc);
        x64_store_sz(e, X_RAX, 0, X_RCX, 1);
    } else { /* a 32-bit destination is zero-extended either way (64-bit mode) */
        x64_cmov(e, cc, X_RDI, X_RSI, w);
        x64_store64(e, V_GPR(d->reg), X_RDI);
    }
    rem_emit_retire_n(e, in, &slow, 1);
}

/* The register forms that cannot fault (counts joined first). */
static uint8_t emit_plain(struct x64 *e, const struct iem_insn *in, bool live)
{
    const struct iem_op *d = &in->op[0];
    bool w = d->size == 8;
    unsigned mn = in->mnemonic;

    e->pend_len += in->len;
    e->pend_k++;
    if (is_nop(mn))
        return LF_HOST_NONE;
    if (is_cbw(mn) || is_cwd(mn)) {
        emit_convert(e, in);
        return LF_HOST_NONE;
    }
    if (mn == ZYDIS_MNEMONIC_MOV) { /* MOV r, Sreg: the selector, zero-extended */
        x64_load_sz(e, X_RCX, X_RBX, V_SEGSEL(in->op[1].reg), 2);
        x64_store_sz(e, X_RBX, V_GPR(d->reg), X_RCX, d->size == 2 ? 2 : 8);
        return LF_HOST_NONE;
    }
    x64_load(e, X_RSI, V_GPR(d->reg), w);
    x64_mov_rr(e, X_RAX, X_RSI, w);
    if (mn == ZYDIS_MNEMONIC_BSWAP) {
        x64_bswap(e, X_RAX, w);
    } else if (mn == ZYDIS_MNEMONIC_NOT) {
        x64_op_rr(e, 0, 0xf7, 2, X_RAX, w, -1);
    } else { /* NEG: the host's flags are the guest's after it */
        x64_mov_imm(e, X_RCX, 0);
        x64_op_rr(e, 0, 0xf7, 3, X_RAX, w, -1);
        x64_store64(e, V_GPR(d->reg), X_RAX);
        if (live)
            rem_emit_lazy(e, LF_NEG, d->size, X_RAX, X_RCX, X_RSI);
        return LF_HOST_ALL;
    }
    x64_store64(e, V_GPR(d->reg), X_RAX);
    return LF_HOST_NONE;
}

uint8_t rem_emit_bit(struct x64 *e, const struct iem_insn *in, bool live, const struct lf_known *lf)
{
    unsigned mn = in->mnemonic;

    if (is_bt(mn))
        emit_bt(e, in);
    else if (mn == ZYDIS_MNEMONIC_DIV)
        emit_div(e, in);
    else if (mn == ZYDIS_MNEMONIC_CMPXCHG)
        emit_cmpxchg(e, in, live);
    else if (mn == ZYDIS_MNEMONIC_PUSHFQ || mn == ZYDIS_MNEMONIC_PUSH)
        emit_push(e, in);
    else if (mn == ZYDIS_MNEMONIC_MUL)
        emit_mul(e, in, live);
    else if (mn == ZYDIS_MNEMONIC_TZCNT)
        emit_tzcnt(e, in);
    else if (mn == ZYDIS_MNEMONIC_XADD)
        emit_xadd(e, in, live);
    else if (mn == ZYDIS_MNEMONIC_ROL || mn == ZYDIS_MNEMONIC_ROR)
        emit_rotate(e, in);
    else if (in->opmap == ZYDIS_OPCODE_MAP_0F &&
             ((in->opcode >= 0x90 && in->opcode <= 0x9f) || (in->opcode >= 0x40 && in->opcode <= 0x4f)))
        emit_cond_mem(e, in, lf);
    else
        return emit_plain(e, in, live);
    return LF_HOST_NONE;
}
