/* REM's native code: which guest instructions compile to host code (the
 * nkind of each), which guest registers a TB keeps in host registers, and
 * which flags nobody reads (see rem_native.c's invariants).
 *
 * Invariants:
 * - A kind is given only to a form whose emitter does exactly what IEM's
 *   handler does; N_NONE (a helper step) is always safe.
 */
#include <string.h>

#include "cpu/decode.h"
#include "rem/rem_native.h"

static bool gpr(const struct iem_op *op)
{
    return op->type == OPT_REG && op->rclass == RC_GPR && (op->size == 4 || op->size == 8);
}

/* A general register of any size: AL..R15B, AH..BH, AX.., EAX.., RAX.. */
bool rem_reg_any(const struct iem_op *op)
{
    return op->type == OPT_REG &&
           (op->rclass == RC_GPR8 || op->rclass == RC_GPR8H || (op->rclass == RC_GPR && op->size >= 2));
}

/* Where rem_reg_any's bytes live in struct cpu. */
int32_t rem_reg_disp(const struct iem_op *op)
{
    return V_GPR(op->reg) + (op->rclass == RC_GPR8H ? 1 : 0);
}

/* Instructions whose IEM handler, with register and immediate operands
 * only, cannot fault, does not branch and reads nothing but the registers
 * and flags: the code calls the handler itself (N_CALL), without the
 * checks a helper step makes. */
static const uint16_t pure[] = {
    ZYDIS_MNEMONIC_ADD,     ZYDIS_MNEMONIC_ADC,   ZYDIS_MNEMONIC_SUB,    ZYDIS_MNEMONIC_SBB,
    ZYDIS_MNEMONIC_AND,     ZYDIS_MNEMONIC_OR,    ZYDIS_MNEMONIC_XOR,    ZYDIS_MNEMONIC_CMP,
    ZYDIS_MNEMONIC_TEST,    ZYDIS_MNEMONIC_MOV,   ZYDIS_MNEMONIC_LEA,    ZYDIS_MNEMONIC_INC,
    ZYDIS_MNEMONIC_DEC,     ZYDIS_MNEMONIC_NEG,   ZYDIS_MNEMONIC_NOT,    ZYDIS_MNEMONIC_ROL,
    ZYDIS_MNEMONIC_ROR,     ZYDIS_MNEMONIC_RCL,   ZYDIS_MNEMONIC_RCR,    ZYDIS_MNEMONIC_SHL,
    ZYDIS_MNEMONIC_SHR,     ZYDIS_MNEMONIC_SAR,   ZYDIS_MNEMONIC_SHLD,   ZYDIS_MNEMONIC_SHRD,
    ZYDIS_MNEMONIC_IMUL,    ZYDIS_MNEMONIC_MUL,   ZYDIS_MNEMONIC_MOVZX,  ZYDIS_MNEMONIC_MOVSX,
    ZYDIS_MNEMONIC_MOVSXD,  ZYDIS_MNEMONIC_BSWAP, ZYDIS_MNEMONIC_BSF,    ZYDIS_MNEMONIC_BSR,
    ZYDIS_MNEMONIC_BT,      ZYDIS_MNEMONIC_BTS,   ZYDIS_MNEMONIC_BTR,    ZYDIS_MNEMONIC_BTC,
    ZYDIS_MNEMONIC_XCHG,    ZYDIS_MNEMONIC_CBW,   ZYDIS_MNEMONIC_CWDE,   ZYDIS_MNEMONIC_CDQE,
    ZYDIS_MNEMONIC_CWD,     ZYDIS_MNEMONIC_CDQ,   ZYDIS_MNEMONIC_CQO,    ZYDIS_MNEMONIC_NOP,
    ZYDIS_MNEMONIC_CLC,     ZYDIS_MNEMONIC_STC,   ZYDIS_MNEMONIC_CMC,    ZYDIS_MNEMONIC_CLD,
    ZYDIS_MNEMONIC_STD,     ZYDIS_MNEMONIC_SETO,  ZYDIS_MNEMONIC_SETNO,  ZYDIS_MNEMONIC_SETB,
    ZYDIS_MNEMONIC_SETNB,   ZYDIS_MNEMONIC_SETZ,  ZYDIS_MNEMONIC_SETNZ,  ZYDIS_MNEMONIC_SETBE,
    ZYDIS_MNEMONIC_SETNBE,  ZYDIS_MNEMONIC_SETS,  ZYDIS_MNEMONIC_SETNS,  ZYDIS_MNEMONIC_SETP,
    ZYDIS_MNEMONIC_SETNP,   ZYDIS_MNEMONIC_SETL,  ZYDIS_MNEMONIC_SETNL,  ZYDIS_MNEMONIC_SETLE,
    ZYDIS_MNEMONIC_SETNLE,  ZYDIS_MNEMONIC_CMOVO, ZYDIS_MNEMONIC_CMOVNO, ZYDIS_MNEMONIC_CMOVB,
    ZYDIS_MNEMONIC_CMOVNB,  ZYDIS_MNEMONIC_CMOVZ, ZYDIS_MNEMONIC_CMOVNZ, ZYDIS_MNEMONIC_CMOVBE,
    ZYDIS_MNEMONIC_CMOVNBE, ZYDIS_MNEMONIC_CMOVS, ZYDIS_MNEMONIC_CMOVNS, ZYDIS_MNEMONIC_CMOVP,
    ZYDIS_MNEMONIC_CMOVNP,  ZYDIS_MNEMONIC_CMOVL, ZYDIS_MNEMONIC_CMOVNL, ZYDIS_MNEMONIC_CMOVLE,
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
        bool reg =
            op->type == OPT_REG && (op->rclass == RC_GPR || op->rclass == RC_GPR8 || op->rclass == RC_GPR8H);
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
bool rem_alu_of(unsigned mnemonic, enum x64_alu *op, uint8_t *lf, bool *writes)
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
bool rem_mem_ok(const struct iem_insn *in, const struct iem_op *m)
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
    if ((in->mnemonic == ZYDIS_MNEMONIC_INC || in->mnemonic == ZYDIS_MNEMONIC_DEC) && in->nops >= 1 &&
        gpr(&in->op[0]) && !in->lock && !(in->ctl & (IEM_CTL_FULL | IEM_CTL_ENDS_TB)) &&
        in->fn != iem_unimplemented)
        return N_INCDEC;
    /* SETcc r8 (0F 90+cc) */
    if (in->opmap == ZYDIS_OPCODE_MAP_0F && in->opcode >= 0x90 && in->opcode <= 0x9f && in->nops >= 1 &&
        in->op[0].type == OPT_REG && (in->op[0].rclass == RC_GPR8 || in->op[0].rclass == RC_GPR8H) &&
        !(in->ctl & (IEM_CTL_FULL | IEM_CTL_ENDS_TB)) && in->fn != iem_unimplemented)
        return N_SETCC;
    if ((in->ctl & (IEM_CTL_FULL | IEM_CTL_ENDS_TB)) || in->lock || in->nops < 1)
        return N_NONE;
    if ((in->mnemonic == ZYDIS_MNEMONIC_INC || in->mnemonic == ZYDIS_MNEMONIC_DEC ||
         in->mnemonic == ZYDIS_MNEMONIC_NEG || in->mnemonic == ZYDIS_MNEMONIC_NOT) &&
        rem_mem_ok(in, &in->op[0]) && in->fn != iem_unimplemented)
        return N_UNARY_MEM;
    if (in->nops < 2)
        return N_NONE;
    const struct iem_op *d = &in->op[0], *s = &in->op[1];
    /* SHL/SHR/SAR r, imm with a count that is not 0 once masked (the
     * group-2 forms: ModRM.reg 4, 5, 7; D1 is a count of 1) */
    if ((in->mnemonic == ZYDIS_MNEMONIC_SHL || in->mnemonic == ZYDIS_MNEMONIC_SHR ||
         in->mnemonic == ZYDIS_MNEMONIC_SAR) &&
        in->nops == 2 && gpr(d) && s->type == OPT_IMM && (s->imm & (d->size == 8 ? 0x3f : 0x1f)) != 0 &&
        in->fn != iem_unimplemented)
        return N_SHIFT;
    /* ... of 8- and 16-bit registers, by a count below the width (the host
     * defines its flags as IEM does only there) */
    if ((in->mnemonic == ZYDIS_MNEMONIC_SHL || in->mnemonic == ZYDIS_MNEMONIC_SHR ||
         in->mnemonic == ZYDIS_MNEMONIC_SAR) &&
        in->nops == 2 && d->type == OPT_REG &&
        ((d->rclass == RC_GPR && d->size == 2) || (d->rclass == RC_GPR8 && d->size == 1)) &&
        s->type == OPT_IMM && (s->imm & 0x1f) != 0 && (s->imm & 0x1f) < d->size * 8u &&
        in->fn != iem_unimplemented)
        return N_SHIFT;
    /* ... and by CL */
    if ((in->mnemonic == ZYDIS_MNEMONIC_SHL || in->mnemonic == ZYDIS_MNEMONIC_SHR ||
         in->mnemonic == ZYDIS_MNEMONIC_SAR) &&
        in->nops == 2 && gpr(d) && rem_shift_by_cl(in) && in->fn != iem_unimplemented)
        return N_SHIFT_CL;
    /* IMUL r, r (0F AF) / IMUL r, r, imm (69, 6B) */
    if (in->mnemonic == ZYDIS_MNEMONIC_IMUL && gpr(d) && gpr(s) && s->size == d->size &&
        ((in->opmap == ZYDIS_OPCODE_MAP_0F && in->opcode == 0xaf && in->nops == 2) ||
         (in->opmap == ZYDIS_OPCODE_MAP_DEFAULT && (in->opcode == 0x69 || in->opcode == 0x6b) &&
          in->nops == 3 && in->op[2].type == OPT_IMM)))
        return N_IMUL;
    if ((in->mnemonic == ZYDIS_MNEMONIC_ROL || in->mnemonic == ZYDIS_MNEMONIC_ROR) && in->nops == 2 &&
        gpr(d) && s->type == OPT_IMM && (s->imm & (d->size == 8 ? 0x3f : 0x1f)) != 0 &&
        in->fn != iem_unimplemented)
        return N_ROT;
    if ((in->mnemonic == ZYDIS_MNEMONIC_ADC || in->mnemonic == ZYDIS_MNEMONIC_SBB) && in->nops == 2 &&
        gpr(d) && ((gpr(s) && s->size == d->size) || s->type == OPT_IMM))
        return N_ADC;
    if (in->nops != 2)
        return N_NONE;
    /* MOV r, m / MOVZX r32, m8|m16 and MOV m, r|imm, of any size */
    if (in->mnemonic == ZYDIS_MNEMONIC_MOV && rem_reg_any(d) && rem_mem_ok(in, s) && s->size == d->size)
        return N_LOAD;
    if (in->mnemonic == ZYDIS_MNEMONIC_MOVZX && gpr(d) && d->size == 4 && rem_mem_ok(in, s) &&
        (s->size == 1 || s->size == 2))
        return N_LOAD;
    if (in->mnemonic == ZYDIS_MNEMONIC_MOV && rem_mem_ok(in, d) &&
        ((rem_reg_any(s) && s->size == d->size) || s->type == OPT_IMM))
        return N_STORE;
    /* ALU r, m / ALU m, r|imm (not locked: that is the SMP path) */
    if (rem_alu_of(in->mnemonic, &op, &lf, &w) &&
        ((rem_reg_any(d) && rem_mem_ok(in, s) && s->size == d->size) ||
         (rem_mem_ok(in, d) && ((rem_reg_any(s) && s->size == d->size) || s->type == OPT_IMM))))
        return N_ALU_MEM;
    /* CMOVcc r, r (0F 40+cc) */
    if (in->opmap == ZYDIS_OPCODE_MAP_0F && in->opcode >= 0x40 && in->opcode <= 0x4f && gpr(d) && gpr(s) &&
        s->size == d->size && in->fn != iem_unimplemented)
        return N_CMOV;
    /* MOVZX/MOVSX r16|32|64, r|m8|16; MOVSXD r64, r|m32 */
    if ((in->mnemonic == ZYDIS_MNEMONIC_MOVZX || in->mnemonic == ZYDIS_MNEMONIC_MOVSX ||
         (in->mnemonic == ZYDIS_MNEMONIC_MOVSXD && d->size == 8)) &&
        d->type == OPT_REG && d->rclass == RC_GPR && d->size >= 2 && s->size < d->size &&
        ((s->type == OPT_REG && rem_reg_any(s)) || rem_mem_ok(in, s)))
        return s->type == OPT_MEM ? N_LOAD : N_EXT;
    /* 8- and 16-bit register MOV and ALU */
    if ((d->type == OPT_REG &&
         (d->rclass == RC_GPR8 || d->rclass == RC_GPR8H || (d->rclass == RC_GPR && d->size == 2))) &&
        ((rem_reg_any(s) && s->size == d->size) || s->type == OPT_IMM) &&
        (in->mnemonic == ZYDIS_MNEMONIC_MOV || rem_alu_of(in->mnemonic, &op, &lf, &w)))
        return N_ALU8;
    if (!gpr(d))
        return N_NONE;
    bool src_ok = (s->type == OPT_REG && gpr(s) && s->size == in->op[0].size) || s->type == OPT_IMM;
    if (in->mnemonic == ZYDIS_MNEMONIC_MOV && src_ok)
        return N_MOV;
    if (rem_alu_of(in->mnemonic, &op, &lf, &w) && src_ok)
        return N_ALU;
    if (in->mnemonic == ZYDIS_MNEMONIC_LEA && s->type == OPT_MEM && !in->vsib &&
        (s->base != IEM_RIPREG || in->ipsize == 8) && (in->asize == 4 || in->asize == 8) &&
        (s->scale == 0 || s->scale == 1 || s->scale == 2 || s->scale == 4 || s->scale == 8))
        return N_LEA;
    return N_NONE;
}

enum nkind rem_classify(const struct iem_insn *in)
{
    enum nkind k = kind_of(in);
    if (k == N_NONE && !(in->ctl & (IEM_CTL_FULL | IEM_CTL_ENDS_TB)) && !in->lock &&
        in->fn != iem_unimplemented && rem_sse_ok(in))
        return N_SSE;
    if (k == N_NONE && !(in->ctl & (IEM_CTL_FULL | IEM_CTL_ENDS_TB)) && !in->lock &&
        in->fn != iem_unimplemented && rem_avx_ok(in))
        return N_AVX;
    if (k == N_NONE && rem_bit_ok(in))
        return N_BIT;
    if (k == N_NONE && !(in->ctl & (IEM_CTL_FULL | IEM_CTL_ENDS_TB)) && !in->lock && pure_call(in))
        return N_CALL;
    return k;
}

/* The guest registers this TB keeps in host registers (rem_x64.h): the
 * pinned ones, except those an instruction addresses as AH, CH, DH or BH
 * (bits 15:8 have no host register form): the TB keeps those in struct
 * cpu and reloads their pinned register on its way out. */
void rem_cache_alloc(const struct rem_tb *tb, struct x64 *e)
{
    uint8_t no = 0;

    e->gpr0 = V_GPR(0);
    memset(e->host, -1, sizeof(e->host));
    e->dirty = 0;
    for (unsigned i = 0; i < tb->ninsns; i++)
        for (unsigned j = 0; j < tb->insns[i].nops; j++) {
            const struct iem_op *op = &tb->insns[i].op[j];
            if (op->type == OPT_REG && op->rclass == RC_GPR8H)
                no |= (uint8_t)(1u << (op->reg & 7));
        }
    for (unsigned g = 0; g < 8; g++)
        if (!(no >> g & 1))
            e->host[g] = x64_pin_host[g];
    e->unpinned = no;
    e->dirty = (uint8_t)~no;
}

/* Flag liveness: live[i] is false when every flag instruction i sets is
 * overwritten by a later one in the TB before anything can read it (an
 * instruction, a fault, an exit), so i need not produce them. Walking
 * back: a full writer that cannot fault (native ALU, shift, IMUL) makes
 * the flags before it dead; a native instruction that neither reads nor
 * writes them leaves that as it is; ROL/ROR and INC/DEC read the old
 * flags only for the ones they keep, and a shift by CL keeps them all
 * for a count of 0, so they need them exactly when their own are live;
 * anything else may read them. */
void rem_flag_liveness(const struct rem_tb *tb, bool *live)
{
    bool need = true;
    for (unsigned i = tb->ninsns; i-- > 0;) {
        enum nkind k = rem_classify(&tb->insns[i]);
        live[i] = need;
        bool mov8 = k == N_ALU8 && tb->insns[i].mnemonic == ZYDIS_MNEMONIC_MOV;
        enum rem_bit_flags bf = k == N_BIT ? rem_bit_flags(&tb->insns[i]) : BITF_READS;
        if (k == N_ALU || k == N_SHIFT || k == N_IMUL || (k == N_ALU8 && !mov8) || bf == BITF_SETS)
            need = false;
        else if (bf != BITF_KEEPS && k != N_MOV && k != N_LEA && k != N_NOP && k != N_ROT && k != N_INCDEC &&
                 k != N_EXT && k != N_SHIFT_CL && !mov8)
            need = true;
    }
}

/* Flags a fault alone may read: the TB's end and every instruction not
 * known to leave the flags alone read them, memory accesses only when
 * they fault (rem_emit_pend_flags then stores them on the rare path). */
void rem_flag_fault_only(const struct rem_tb *tb, bool *fonly)
{
    bool real = true;
    for (unsigned i = tb->ninsns; i-- > 0;) {
        const struct iem_insn *in = &tb->insns[i];
        enum nkind k = rem_classify(in);
        fonly[i] = !real;
        bool mov8 = k == N_ALU8 && in->mnemonic == ZYDIS_MNEMONIC_MOV;
        if (k == N_ALU || k == N_SHIFT || k == N_IMUL || (k == N_ALU8 && !mov8) || k == N_ALU_MEM)
            real = false;
        else if (k != N_MOV && k != N_LEA && k != N_NOP && k != N_EXT && k != N_LOAD && k != N_STORE && !mov8)
            real = true;
    }
}

/* A register write that would change what rem_emit_pend_flags reads. */
static bool writes_pend_reg(const struct iem_insn *p, const struct iem_op *o)
{
    if (o->type != OPT_REG)
        return false;
    if (o->rclass != RC_GPR)
        return true;
    return o->reg == p->op[0].reg || (p->op[1].type == OPT_REG && o->reg == p->op[1].reg);
}

bool rem_pend_ok(const struct iem_insn *in, enum nkind k)
{
    const struct iem_op *d = &in->op[0], *s = &in->op[1];
    enum x64_alu op;
    uint8_t lf;
    bool writes;
    if (k == N_INCDEC)
        return true;
    /* ADD/SUB r, r of one register: the source is gone */
    return k == N_ALU && rem_alu_of(in->mnemonic, &op, &lf, &writes) &&
           !(writes && lf != LF_LOGIC && s->type == OPT_REG && s->reg == d->reg);
}

bool rem_pend_keeps(const struct x64 *e, const struct iem_insn *in, enum nkind k, bool *kills)
{
    const struct iem_insn *p = e->pend_flags;
    bool mov8 = k == N_ALU8 && in->mnemonic == ZYDIS_MNEMONIC_MOV;
    *kills = k == N_ALU || k == N_SHIFT || k == N_IMUL || (k == N_ALU8 && !mov8) || k == N_ALU_MEM;
    if (k == N_ALU_MEM) /* its fault comes before its writes */
        return true;
    if (*kills) /* registers only: cannot fault */
        return true;
    if (k != N_MOV && k != N_LEA && k != N_NOP && k != N_EXT && k != N_LOAD && k != N_STORE)
        return false;
    return !writes_pend_reg(p, &in->op[0]);
}
