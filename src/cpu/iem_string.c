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
 * - REP MOVS/STOS move whole runs of elements that stay within one page on
 *   each side through host pointers (str_run), in either direction; a run
 *   is only taken when every access in it would hit plain RAM without a
 *   fault, so the result is that of the element loop, faults included, and
 *   it counts its elements against the batch like the loop does (the
 *   retired-instruction count does not depend on which path ran).
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

/* How many elements from the one at page offset `po` on stay within its
 * page, going up or (DF = 1) down. */
static uint64_t page_room(unsigned po, unsigned size, bool down)
{
    if (!down)
        return (0x1000 - po) / size;
    return po + size <= 0x1000 ? po / size + 1 : 0;
}

/* Whether the pointer p, moved over a run of span + size bytes, would wrap
 * at the address size (4 or 8) before the run's last element. */
static bool run_wraps(uint64_t p, uint64_t span, unsigned size, unsigned asize, bool down)
{
    return down ? p < span : asize == 4 && p + span + size > 0x100000000ull;
}

/* The element loop's stores with a constant size (so the compiler emits
 * plain moves): in order, each element read before it is written. */
static inline __attribute__((always_inline)) void elems_copy(uint8_t *dst, const uint8_t *src, unsigned size,
                                                             uint64_t n, bool down)
{
    for (uint64_t k = 0; k < n; k++) {
        uint64_t i = down ? n - 1 - k : k, t;
        memcpy(&t, src + i * size, size);
        memcpy(dst + i * size, &t, size);
    }
}

static inline __attribute__((always_inline)) void elems_fill(uint8_t *dst, uint64_t val, unsigned size,
                                                             uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        memcpy(dst + i * size, &val, size);
}

/* STOS of n elements from dst up: memset when every byte of the element is
 * the same (zeroing pages, the common case). */
static void str_fill(uint8_t *dst, uint64_t val, unsigned size, uint64_t n)
{
    if (((val ^ ((val & 0xff) * 0x0101010101010101ull)) & iem_mask(size)) == 0) {
        memset(dst, (int)(val & 0xff), n * size);
        return;
    }
    switch (size) {
    case 2: elems_fill(dst, val, 2, n); break;
    case 4: elems_fill(dst, val, 4, n); break;
    default: elems_fill(dst, val, 8, n); break;
    }
}

/* MOVS of the n elements at src..src + n * size to dst, in the element
 * loop's order (down: the highest first). That equals memmove unless the
 * destination overlaps the source ahead of the copy, which replicates a
 * pattern element by element. */
static void str_copy(uint8_t *dst, const uint8_t *src, unsigned size, uint64_t n, bool down)
{
    uint64_t len = n * size;

    if (dst >= src + len || src >= dst + len || (down ? dst >= src : dst <= src)) {
        memmove(dst, src, len);
        return;
    }
    switch (size) {
    case 1: elems_copy(dst, src, 1, n, down); break;
    case 2: elems_copy(dst, src, 2, n, down); break;
    case 4: elems_copy(dst, src, 4, n, down); break;
    default: elems_copy(dst, src, 8, n, down); break;
    }
}

/* Up to max elements of REP MOVS/STOS at once: returns how many were moved
 * (0: the element loop must go on, for a page end, MMIO, a fault, a data
 * breakpoint...). The run is the elements from rSI/rDI on in the DF
 * direction that stay within one page on each side, and is taken only
 * when iem_host_ptr accepts all of it, so the result is that of the element
 * loop, faults included. */
static uint64_t str_run(struct vcpu *v, enum str_kind kind, unsigned size, unsigned asize, unsigned sseg,
                        uint64_t max, bool down)
{
    const struct cpu *c = &v->cpu;
    uint64_t si = iem_gpr(v, R_SI, asize), di = iem_gpr(v, R_DI, asize), n, span, lo_si, lo_di;
    uint8_t *src = NULL, *dst;

    /* #AC checks each element: left to the loop */
    if (asize < 4 || (c->cpl == 3 && (c->cr0 & CR0_AM) && (c->rflags & F_AC)))
        return 0;
    n = page_room(page_off(v, S_ES, di), size, down);
    if (kind == STR_MOVS && page_room(page_off(v, sseg, si), size, down) < n)
        n = page_room(page_off(v, sseg, si), size, down);
    if (max < n)
        n = max;
    if (n < 2)
        return 0;
    /* no pointer may wrap at the address size within the run */
    span = (n - 1) * size;
    if (run_wraps(di, span, size, asize, down) ||
        (kind == STR_MOVS && run_wraps(si, span, size, asize, down)))
        return 0;
    lo_si = down ? si - span : si;
    lo_di = down ? di - span : di;
    if (kind == STR_MOVS && !(src = iem_host_ptr(v, sseg, lo_si, (unsigned)(n * size), false)))
        return 0;
    if (!(dst = iem_host_ptr(v, S_ES, lo_di, (unsigned)(n * size), true)))
        return 0;
    if (kind == STR_STOS) {
        str_fill(dst, iem_gpr(v, R_AX, size), size, n);
    } else {
        str_copy(dst, src, size, n, down);
        iem_gpr_set(v, R_SI, asize, down ? si - n * size : si + n * size);
    }
    iem_gpr_set(v, R_DI, asize, down ? di - n * size : di + n * size);
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
    delta = (v->cpu.rflags & F_DF) ? -(int64_t)size : (int64_t)size; /* DF is never lazy */
    if (!in->rep)
        return str_once(v, kind, size, asize, sseg, delta);

    cnt = iem_gpr(v, R_CX, asize);
    for (unsigned i = 0; i < STR_BATCH; i++) {
        if (cnt == 0)
            return IEM_OK;
        if (kind == STR_MOVS || kind == STR_STOS) {
            uint64_t n =
                str_run(v, kind, size, asize, sseg, cnt < STR_BATCH - i ? cnt : STR_BATCH - i, delta < 0);
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
