/* String instructions: MOVS CMPS SCAS LODS STOS in byte/word/dword/qword
 * forms, with REP/REPE/REPNE.
 *
 * - The address size (in->asize) picks SI/DI/CX, ESI/EDI/ECX or RSI/RDI/RCX
 *   and the width the pointers wrap at.
 * - The source is DS:rSI unless a segment prefix overrides it; the
 *   destination is always ES:rDI.
 * - A repeated instruction runs at most STR_BATCH iterations per call and,
 *   when not finished, leaves RIP on itself (next_rip = rip) so the executor
 *   re-enters it and interrupts get in between batches.
 * - A fault in iteration k leaves rSI/rDI/rCX (and the flags of CMPS/SCAS)
 *   as after iteration k-1, which is the architectural restart state.
 */
#include "cpu/iem.h"

#define STR_BATCH 1024

enum str_kind { STR_MOVS, STR_CMPS, STR_SCAS, STR_LODS, STR_STOS };

static const struct str_def {
    uint16_t mnemonic;
    uint8_t kind;
    uint8_t size;
} str_defs[] = {
    {ZYDIS_MNEMONIC_MOVSB, STR_MOVS, 1}, {ZYDIS_MNEMONIC_MOVSW, STR_MOVS, 2},
    {ZYDIS_MNEMONIC_MOVSD, STR_MOVS, 4}, {ZYDIS_MNEMONIC_MOVSQ, STR_MOVS, 8},
    {ZYDIS_MNEMONIC_CMPSB, STR_CMPS, 1}, {ZYDIS_MNEMONIC_CMPSW, STR_CMPS, 2},
    {ZYDIS_MNEMONIC_CMPSD, STR_CMPS, 4}, {ZYDIS_MNEMONIC_CMPSQ, STR_CMPS, 8},
    {ZYDIS_MNEMONIC_SCASB, STR_SCAS, 1}, {ZYDIS_MNEMONIC_SCASW, STR_SCAS, 2},
    {ZYDIS_MNEMONIC_SCASD, STR_SCAS, 4}, {ZYDIS_MNEMONIC_SCASQ, STR_SCAS, 8},
    {ZYDIS_MNEMONIC_LODSB, STR_LODS, 1}, {ZYDIS_MNEMONIC_LODSW, STR_LODS, 2},
    {ZYDIS_MNEMONIC_LODSD, STR_LODS, 4}, {ZYDIS_MNEMONIC_LODSQ, STR_LODS, 8},
    {ZYDIS_MNEMONIC_STOSB, STR_STOS, 1}, {ZYDIS_MNEMONIC_STOSW, STR_STOS, 2},
    {ZYDIS_MNEMONIC_STOSD, STR_STOS, 4}, {ZYDIS_MNEMONIC_STOSQ, STR_STOS, 8},
};

static const struct str_def *str_lookup(uint16_t mnemonic)
{
    for (unsigned i = 0; i < sizeof str_defs / sizeof str_defs[0]; i++)
        if (str_defs[i].mnemonic == mnemonic)
            return &str_defs[i];
    return NULL;
}

/* Advances a pointer register by one element in the DF direction, wrapping
 * at the address size (a 16-bit SI leaves the rest of ESI alone). */
static void str_step(struct vcpu *v, unsigned reg, unsigned asize, int64_t delta)
{
    iem_gpr_set(v, reg, asize, iem_gpr(v, reg, asize) + (uint64_t)delta);
}

/* One iteration: every access first, then the register updates. */
static int str_once(struct vcpu *v, const struct str_def *d, unsigned asize, unsigned sseg, int64_t delta)
{
    uint64_t si = iem_gpr(v, R_SI, asize), di = iem_gpr(v, R_DI, asize), a, b;
    unsigned size = d->size;
    int rc;

    switch (d->kind) {
    case STR_MOVS:
        if ((rc = iem_read(v, sseg, si, size, &a)) || (rc = iem_write(v, S_ES, di, size, a)))
            return rc;
        str_step(v, R_SI, asize, delta);
        str_step(v, R_DI, asize, delta);
        break;
    case STR_CMPS:
        if ((rc = iem_read(v, sseg, si, size, &a)) || (rc = iem_read(v, S_ES, di, size, &b)))
            return rc;
        a &= iem_mask(size);
        b &= iem_mask(size);
        iem_lazy(v, LF_SUB, size, a - b, a, b);
        str_step(v, R_SI, asize, delta);
        str_step(v, R_DI, asize, delta);
        break;
    case STR_SCAS:
        if ((rc = iem_read(v, S_ES, di, size, &b)))
            return rc;
        a = iem_gpr(v, R_AX, size);
        b &= iem_mask(size);
        iem_lazy(v, LF_SUB, size, a - b, a, b);
        str_step(v, R_DI, asize, delta);
        break;
    case STR_LODS:
        if ((rc = iem_read(v, sseg, si, size, &a)))
            return rc;
        iem_gpr_set(v, R_AX, size, a);
        str_step(v, R_SI, asize, delta);
        break;
    default: /* STOS */
        if ((rc = iem_write(v, S_ES, di, size, iem_gpr(v, R_AX, size))))
            return rc;
        str_step(v, R_DI, asize, delta);
        break;
    }
    return IEM_OK;
}

static int op_string(struct vcpu *v, const struct iem_insn *in)
{
    const struct str_def *d = str_lookup(in->mnemonic);
    unsigned asize = in->asize, sseg = in->seg != S_NONE ? in->seg : S_DS;
    int64_t delta;
    uint64_t cnt;
    int rc;

    /* MOVSD/CMPSD also name SSE2 instructions (F2 0F 10/11, F2 0F C2). */
    if (!d || in->opmap != ZYDIS_OPCODE_MAP_DEFAULT)
        return iem_unimplemented(v, in);
    delta = (cpu_get_flags(&v->cpu) & F_DF) ? -(int64_t)d->size : (int64_t)d->size;
    if (!in->rep)
        return str_once(v, d, asize, sseg, delta);

    cnt = iem_gpr(v, R_CX, asize);
    for (unsigned i = 0; i < STR_BATCH; i++) {
        if (cnt == 0)
            return IEM_OK;
        if ((rc = str_once(v, d, asize, sseg, delta)))
            return rc;
        iem_gpr_set(v, R_CX, asize, --cnt);
        /* REPE (F3) stops on a mismatch, REPNE (F2) on a match; only
         * CMPS/SCAS look at ZF, the others treat F2 like F3. */
        if (d->kind == STR_CMPS || d->kind == STR_SCAS) {
            bool zf = (cpu_get_flags(&v->cpu) & F_ZF) != 0;
            if (zf != (in->rep == IEM_REP))
                return IEM_OK;
        }
    }
    if (cnt != 0)
        v->iem.next_rip = v->cpu.rip; /* not done: come back after a look at interrupts */
    return IEM_OK;
}

const struct iem_op_def iem_ops_string[] = {
    {ZYDIS_MNEMONIC_MOVSB, op_string}, {ZYDIS_MNEMONIC_MOVSW, op_string},
    {ZYDIS_MNEMONIC_MOVSD, op_string}, {ZYDIS_MNEMONIC_MOVSQ, op_string},
    {ZYDIS_MNEMONIC_CMPSB, op_string}, {ZYDIS_MNEMONIC_CMPSW, op_string},
    {ZYDIS_MNEMONIC_CMPSD, op_string}, {ZYDIS_MNEMONIC_CMPSQ, op_string},
    {ZYDIS_MNEMONIC_SCASB, op_string}, {ZYDIS_MNEMONIC_SCASW, op_string},
    {ZYDIS_MNEMONIC_SCASD, op_string}, {ZYDIS_MNEMONIC_SCASQ, op_string},
    {ZYDIS_MNEMONIC_LODSB, op_string}, {ZYDIS_MNEMONIC_LODSW, op_string},
    {ZYDIS_MNEMONIC_LODSD, op_string}, {ZYDIS_MNEMONIC_LODSQ, op_string},
    {ZYDIS_MNEMONIC_STOSB, op_string}, {ZYDIS_MNEMONIC_STOSW, op_string},
    {ZYDIS_MNEMONIC_STOSD, op_string}, {ZYDIS_MNEMONIC_STOSQ, op_string},
    {0, NULL},
};
