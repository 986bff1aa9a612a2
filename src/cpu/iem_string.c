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
 * - REP MOVS/STOS with DF = 0 move whole runs of elements that stay within
 *   one page on each side through host pointers (str_run); a run is only
 *   taken when every access in it would hit plain RAM without a fault, so
 *   the result is that of the element loop, faults included.
 */
#include <string.h>

#include "cpu/iem.h"

#define STR_BATCH 1024

/* A4/A5 MOVS, A6/A7 CMPS, AA/AB STOS, AC/AD LODS, AE/AF SCAS: the kind is
 * (opcode - A4) / 2 (A8/A9 is TEST), the odd opcode the operand size. */
enum str_kind { STR_MOVS, STR_CMPS, STR_TEST, STR_STOS, STR_LODS, STR_SCAS };

/* Advances a pointer register by one element in the DF direction, wrapping
 * at the address size (a 16-bit SI leaves the rest of ESI alone). */
static void str_step(struct vcpu *v, unsigned reg, unsigned asize, int64_t delta)
{
    iem_gpr_set(v, reg, asize, iem_gpr(v, reg, asize) + (uint64_t)delta);
}

/* One iteration: every access first, then the register updates. */
static int str_once(struct vcpu *v, enum str_kind kind, unsigned size, unsigned asize, unsigned sseg,
                    int64_t delta)
{
    uint64_t si = iem_gpr(v, R_SI, asize), di = iem_gpr(v, R_DI, asize), a, b;
    int rc;

    switch (kind) {
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

/* The offset of seg:off within its page, as seg_lin would form the linear
 * address (a wrong guess only makes iem_host_ptr refuse the run). */
static unsigned page_off(const struct vcpu *v, unsigned seg, uint64_t off)
{
    bool based = !cpu_is_64(&v->cpu) || seg == S_FS || seg == S_GS;
    return (unsigned)((off + (based ? v->cpu.seg[seg].base : 0)) & 0xfff);
}

/* Up to max elements of REP MOVS/STOS (DF = 0) at once: returns how many
 * were moved (0: the element loop must go on, for a page end, MMIO, a
 * fault, a data breakpoint...). */
static uint64_t str_run(struct vcpu *v, enum str_kind kind, unsigned size, unsigned asize, unsigned sseg,
                        uint64_t max)
{
    const struct cpu *c = &v->cpu;
    uint64_t si = iem_gpr(v, R_SI, asize), di = iem_gpr(v, R_DI, asize);
    uint64_t n = (0x1000 - page_off(v, S_ES, di)) / size;
    uint8_t *src = NULL, *dst;

    /* #AC checks each element: left to the loop */
    if (asize < 4 || (c->cpl == 3 && (c->cr0 & CR0_AM) && (c->rflags & F_AC)))
        return 0;
    if (kind == STR_MOVS && (0x1000 - page_off(v, sseg, si)) / size < n)
        n = (0x1000 - page_off(v, sseg, si)) / size;
    if (max < n)
        n = max;
    /* no pointer may wrap at the address size within the run */
    if (n < 2 || (asize == 4 && (di + n * size > 0x100000000ull || si + n * size > 0x100000000ull)))
        return 0;
    if (kind == STR_MOVS && !(src = iem_host_ptr(v, sseg, si, (unsigned)(n * size), false)))
        return 0;
    if (!(dst = iem_host_ptr(v, S_ES, di, (unsigned)(n * size), true)))
        return 0;
    if (kind == STR_STOS) {
        uint64_t a = iem_gpr(v, R_AX, size);
        for (uint64_t i = 0; i < n; i++)
            memcpy(dst + i * size, &a, size);
    } else if (dst >= src + n * size || src >= dst + n * size) {
        memcpy(dst, src, n * size);
    } else { /* overlapping: element by element, in order, as the loop does */
        for (uint64_t i = 0; i < n; i++)
            memmove(dst + i * size, src + i * size, size);
    }
    if (kind == STR_MOVS)
        iem_gpr_set(v, R_SI, asize, si + n * size);
    iem_gpr_set(v, R_DI, asize, di + n * size);
    return n;
}

static int op_string(struct vcpu *v, const struct iem_insn *in)
{
    enum str_kind kind = (enum str_kind)((in->opcode - 0xa4) >> 1);
    unsigned size = in->opcode & 1 ? in->osize : 1, asize = in->asize;
    unsigned sseg = in->seg != S_NONE ? in->seg : S_DS;
    int64_t delta;
    uint64_t cnt;
    int rc;

    /* MOVSD/CMPSD also name SSE2 instructions (F2 0F 10/11, F2 0F C2). */
    if (in->opmap != ZYDIS_OPCODE_MAP_DEFAULT)
        return iem_unimplemented(v, in);
    delta = (cpu_get_flags(&v->cpu) & F_DF) ? -(int64_t)size : (int64_t)size;
    if (!in->rep)
        return str_once(v, kind, size, asize, sseg, delta);

    cnt = iem_gpr(v, R_CX, asize);
    for (unsigned i = 0; i < STR_BATCH; i++) {
        if (cnt == 0)
            return IEM_OK;
        if ((kind == STR_MOVS || kind == STR_STOS) && delta > 0) {
            uint64_t n = str_run(v, kind, size, asize, sseg, cnt < STR_BATCH - i ? cnt : STR_BATCH - i);
            if (n) {
                cnt -= n;
                iem_gpr_set(v, R_CX, asize, cnt);
                i += (unsigned)n - 1;
                continue;
            }
        }
        if ((rc = str_once(v, kind, size, asize, sseg, delta)))
            return rc;
        iem_gpr_set(v, R_CX, asize, --cnt);
        /* REPE (F3) stops on a mismatch, REPNE (F2) on a match; only
         * CMPS/SCAS look at ZF, the others treat F2 like F3. */
        if (kind == STR_CMPS || kind == STR_SCAS) {
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
    {ZYDIS_MNEMONIC_MOVSB, op_string}, {ZYDIS_MNEMONIC_MOVSW, op_string}, {ZYDIS_MNEMONIC_MOVSD, op_string},
    {ZYDIS_MNEMONIC_MOVSQ, op_string}, {ZYDIS_MNEMONIC_CMPSB, op_string}, {ZYDIS_MNEMONIC_CMPSW, op_string},
    {ZYDIS_MNEMONIC_CMPSD, op_string}, {ZYDIS_MNEMONIC_CMPSQ, op_string}, {ZYDIS_MNEMONIC_SCASB, op_string},
    {ZYDIS_MNEMONIC_SCASW, op_string}, {ZYDIS_MNEMONIC_SCASD, op_string}, {ZYDIS_MNEMONIC_SCASQ, op_string},
    {ZYDIS_MNEMONIC_LODSB, op_string}, {ZYDIS_MNEMONIC_LODSW, op_string}, {ZYDIS_MNEMONIC_LODSD, op_string},
    {ZYDIS_MNEMONIC_LODSQ, op_string}, {ZYDIS_MNEMONIC_STOSB, op_string}, {ZYDIS_MNEMONIC_STOSW, op_string},
    {ZYDIS_MNEMONIC_STOSD, op_string}, {ZYDIS_MNEMONIC_STOSQ, op_string}, {0, NULL},
};
