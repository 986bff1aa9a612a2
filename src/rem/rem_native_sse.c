/* REM's native code: SSE/SSE2 forms (see rem_native.c's invariants).
 *
 * Invariants:
 * - Only legacy (no VEX) forms whose every operand is an XMM register, a
 *   general register or memory: full 16-byte moves, MOVD/MOVQ, MOVSS/MOVSD,
 *   PMOVMSKB, and integer ops the host's SSE2 computes bit for bit as IEM
 *   does (no MXCSR involved); PSHUFB/PALIGNR (SSSE3), PTEST (SSE4.1) and
 *   PCMPISTRI/PCMPISTRM (SSE4.2) as the host's same instruction only when
 *   the host has it (H_*), their flags as iem_flags_update leaves them
 *   (concrete, the lazy op LF_NONE). They run on host xmm0/xmm1, loaded from and stored
 *   back to cpu.xmm at once: no value stays in a host XMM register past
 *   the instruction, and the YMM upper halves are never touched (legacy
 *   SSE keeps them).
 * - The fast path runs only when IEM would not fault before it: CR0.EM
 *   and CR0.TS clear, CR4.OSFXSR set, the -cpu model's feature bit set
 *   (cpu.feat, as sse_gate asks iem_feat), a 16-byte operand aligned where
 *   IEM checks it (the linear address, segment base included), and the
 *   inline lookup or iem_host_ptr giving the operand's host pointer.
 *   Anything else is the helper step of the whole instruction, before
 *   anything is written.
 * - Their VEX forms (VEX.128 and VEX.256 moves, logic, byte compares,
 *   VPMOVMSKB, VPBROADCASTB, VZEROUPPER, VMOVD/VMOVQ) run as the same host
 *   SSE2 on one 128-bit lane at a time (cpu.xmm, then cpu.ymmh), which is
 *   exact because each lane of these reads only that lane of its sources;
 *   the host's YMM state is never used, so no host AVX is needed. A
 *   VEX.128 write of a vector register zeroes its cpu.ymmh (avx_set_reg).
 *   Their fast path runs only when IEM's would: the feature sse_gate asks,
 *   avx_check's CR4.OSXSAVE, XCR0 SSE|AVX and CR0.TS, AVX2 for a VEX.256
 *   integer form, the legacy handler's feature (sse_vex_legacy), the
 *   full-width alignment of VMOVDQA/VMOVAPS/VMOVAPD. Encodings IEM's
 *   decoder refuses (prefixes before VEX, vvvv, L) never get here.
 */
#include <stddef.h>

#include "cpu/cpufeat.h"
#include "cpu/decode.h"
#include "rem/rem_native.h"

#define V_XMM(i) ((int32_t)(offsetof(struct vcpu, cpu.xmm) + 16 * (i)))
#define V_CR0 ((int32_t)offsetof(struct vcpu, cpu.cr0))
#define V_CR4 ((int32_t)offsetof(struct vcpu, cpu.cr4))

enum sk {
    SK_NONE,
    SK_MOV,    /* MOVDQA/MOVDQU/MOVAPS/MOVUPS/MOVAPD/MOVUPD */
    SK_BIN,    /* op xmm, xmm/m128 as the host's 66 0F opcode */
    SK_SHI,    /* shift xmm, imm8 (66 0F 71-73 /ext ib) or xmm, xmm/m128 (as the guest's opcode) */
    SK_PSHUFD, /* PSHUFD xmm, xmm/m128, imm8 */
    SK_MSK,    /* PMOVMSKB r, xmm */
    SK_MOVDQ,  /* MOVD/MOVQ between an XMM register and a GPR, memory or (MOVQ) an XMM register */
    SK_BIN38,  /* op xmm, xmm/m128 as the host's 66 0F 38 opcode (PSHUFB) */
    SK_ALIGN,  /* PALIGNR xmm, xmm/m128, imm8 */
    SK_PTEST,  /* PTEST xmm, xmm/m128: ZF and CF */
    SK_STR,    /* PCMPISTRI/PCMPISTRM xmm, xmm/m128, imm8: ECX or XMM0, and the flags */
    SK_SCALAR, /* MOVSS/MOVSD (hop: 4 or 8 bytes) between XMM registers or with memory */
};

/* What the host must have for a form's host instruction (not x86-64's
 * baseline past SSE2): asked of libgcc's CPUID result, read once at
 * startup; without it the form stays the helper step. */
enum { H_NONE, H_SSSE3, H_SSE41, H_SSE42 };

struct sform {
    uint16_t mnemonic;
    uint8_t kind, feat;
    uint8_t hop;     /* SK_BIN: the host opcode (66 0F hop) */
    uint8_t aligned; /* a 16-byte memory operand must be aligned (IEM's auto_align) */
    uint8_t host;    /* H_*: the host feature the form's host instruction needs */
};

#define F(m, k, f, op, a) {ZYDIS_MNEMONIC_##m, SK_##k, CF_##f, op, a, H_NONE}
#define H(m, k, f, op, a) {ZYDIS_MNEMONIC_##m, SK_##k, CF_##f, op, a, H_##f}
static const struct sform forms[] = {
    F(MOVDQA, MOV, SSE2, 0, 1), F(MOVDQU, MOV, SSE2, 0, 0), F(MOVAPS, MOV, SSE, 0, 1),
    F(MOVUPS, MOV, SSE, 0, 0), F(MOVAPD, MOV, SSE2, 0, 1), F(MOVUPD, MOV, SSE2, 0, 0),
    F(PXOR, BIN, SSE2, 0xef, 1), F(POR, BIN, SSE2, 0xeb, 1), F(PAND, BIN, SSE2, 0xdb, 1),
    F(PANDN, BIN, SSE2, 0xdf, 1), F(XORPS, BIN, SSE, 0xef, 1), F(ORPS, BIN, SSE, 0xeb, 1),
    F(ANDPS, BIN, SSE, 0xdb, 1), F(ANDNPS, BIN, SSE, 0xdf, 1), F(XORPD, BIN, SSE2, 0xef, 1),
    F(ORPD, BIN, SSE2, 0xeb, 1), F(ANDPD, BIN, SSE2, 0xdb, 1), F(ANDNPD, BIN, SSE2, 0xdf, 1),
    F(PCMPEQB, BIN, SSE2, 0x74, 1), F(PCMPEQW, BIN, SSE2, 0x75, 1), F(PCMPEQD, BIN, SSE2, 0x76, 1),
    F(PCMPGTB, BIN, SSE2, 0x64, 1), F(PCMPGTW, BIN, SSE2, 0x65, 1), F(PCMPGTD, BIN, SSE2, 0x66, 1),
    F(PADDB, BIN, SSE2, 0xfc, 1), F(PADDW, BIN, SSE2, 0xfd, 1), F(PADDD, BIN, SSE2, 0xfe, 1),
    F(PADDQ, BIN, SSE2, 0xd4, 1), F(PSUBB, BIN, SSE2, 0xf8, 1), F(PSUBW, BIN, SSE2, 0xf9, 1),
    F(PSUBD, BIN, SSE2, 0xfa, 1), F(PSUBQ, BIN, SSE2, 0xfb, 1), F(PMINUB, BIN, SSE2, 0xda, 1),
    F(PMAXUB, BIN, SSE2, 0xde, 1), F(PUNPCKLBW, BIN, SSE2, 0x60, 1), F(PUNPCKLWD, BIN, SSE2, 0x61, 1),
    F(PUNPCKLDQ, BIN, SSE2, 0x62, 1), F(PUNPCKLQDQ, BIN, SSE2, 0x6c, 1), F(PUNPCKHBW, BIN, SSE2, 0x68, 1),
    F(PUNPCKHWD, BIN, SSE2, 0x69, 1), F(PUNPCKHDQ, BIN, SSE2, 0x6a, 1), F(PUNPCKHQDQ, BIN, SSE2, 0x6d, 1),
    F(PSRLW, SHI, SSE2, 0, 1), F(PSRLD, SHI, SSE2, 0, 1), F(PSRLQ, SHI, SSE2, 0, 1),
    F(PSLLW, SHI, SSE2, 0, 1), F(PSLLD, SHI, SSE2, 0, 1), F(PSLLQ, SHI, SSE2, 0, 1),
    F(PSRAW, SHI, SSE2, 0, 1), F(PSRAD, SHI, SSE2, 0, 1), F(PSRLDQ, SHI, SSE2, 0, 1),
    F(PSLLDQ, SHI, SSE2, 0, 1), F(PSHUFD, PSHUFD, SSE2, 0, 1), F(PMOVMSKB, MSK, SSE2, 0, 0),
    F(MOVD, MOVDQ, SSE2, 0, 0), F(MOVQ, MOVDQ, SSE2, 0, 0), F(MOVSS, SCALAR, SSE, 4, 0),
    F(MOVSD, SCALAR, SSE2, 8, 0),
    /* the host opcodes (66 0F 38 / 66 0F 3A hop) */
    H(PSHUFB, BIN38, SSSE3, 0x00, 1), H(PALIGNR, ALIGN, SSSE3, 0x0f, 1), H(PTEST, PTEST, SSE41, 0x17, 1),
    H(PCMPISTRI, STR, SSE42, 0x63, 0), H(PCMPISTRM, STR, SSE42, 0x62, 0),
};
#undef F
#undef H

static bool host_has(unsigned h)
{
    switch (h) {
    case H_SSSE3: return __builtin_cpu_supports("ssse3");
    case H_SSE41: return __builtin_cpu_supports("sse4.1");
    case H_SSE42: return __builtin_cpu_supports("sse4.2");
    default: return true;
    }
}

/* MOVD/VMOVD move 4 bytes, MOVQ/VMOVQ 8 */
static unsigned movdq_size(const struct iem_insn *in)
{
    return in->mnemonic == ZYDIS_MNEMONIC_MOVD || in->mnemonic == ZYDIS_MNEMONIC_VMOVD ? 4 : 8;
}

/* The entry for mnemonic m in a table of n entries of `size` bytes, each
 * opening with its uint16_t mnemonic (struct sform, struct aform). */
static const void *find_form(const void *tab, size_t n, size_t size, unsigned m)
{
    for (const char *p = tab; n--; p += size)
        if (*(const uint16_t *)(const void *)p == m)
            return p;
    return NULL;
}

static const struct sform *form_of(const struct iem_insn *in)
{
    return find_form(forms, sizeof(forms) / sizeof(forms[0]), sizeof(forms[0]), in->mnemonic);
}

/* a register of the 16 from `first` (ZYDIS_REGISTER_XMM0 or YMM0) */
static bool vreg_from(const struct iem_op *op, unsigned first)
{
    return op->type == OPT_REG && op->rclass == RC_OTHER && op->reg >= first && op->reg <= first + 15;
}

static bool xmm(const struct iem_op *op)
{
    return vreg_from(op, ZYDIS_REGISTER_XMM0);
}

static int32_t xdisp(const struct iem_op *op)
{
    return V_XMM((op->reg - ZYDIS_REGISTER_XMM0) & 15);
}

static bool gpr(const struct iem_op *op, unsigned size)
{
    return op->type == OPT_REG && op->rclass == RC_GPR && op->size == size;
}

/* xmm or a 16-byte memory operand */
static bool xm128(const struct iem_insn *in, const struct iem_op *op)
{
    return xmm(op) || (rem_mem_ok(in, op) && op->size == 16);
}

/* MOVD/MOVQ (and VEX) between an XMM register and a GPR, memory or (MOVQ) an XMM register */
static bool movdq_ok(const struct iem_insn *in)
{
    const struct iem_op *d = &in->op[0], *s = &in->op[1];
    unsigned size = movdq_size(in);
    if (in->nops != 2)
        return false;
    if (xmm(d))
        return gpr(s, size) || (rem_mem_ok(in, s) && s->size == size) || (size == 8 && xmm(s));
    return xmm(s) && (gpr(d, size) || (rem_mem_ok(in, d) && d->size == size));
}

bool rem_sse_ok(const struct iem_insn *in)
{
    const struct sform *f = form_of(in);
    const struct iem_op *d = &in->op[0], *s = &in->op[1];

    if (!f || in->vex || in->lock || in->nops < 2 || !host_has(f->host))
        return false;
    if (in->opmap != (f->kind == SK_BIN38 || f->kind == SK_PTEST ? ZYDIS_OPCODE_MAP_0F38
                      : f->kind == SK_ALIGN || f->kind == SK_STR ? ZYDIS_OPCODE_MAP_0F3A
                                                                 : ZYDIS_OPCODE_MAP_0F))
        return false;
    /* a shift by an XMM/m128 count is the host's same opcode on xmm0, xmm1 */
    switch (f->kind == SK_SHI && s->type != OPT_IMM ? SK_BIN : f->kind) {
    case SK_MOV:
        return in->nops == 2 && ((xmm(d) && xm128(in, s)) || (xmm(s) && rem_mem_ok(in, d) && d->size == 16));
    case SK_BIN:
    case SK_BIN38:
    case SK_PTEST:
        return in->nops == 2 && xmm(d) && xm128(in, s);
    case SK_SHI: /* by imm8 (71-73 /ext), or by an XMM/m128 count (opcode D1-F3, emitted as SK_BIN's) */
        return in->nops == 2 && xmm(d) &&
               ((s->type == OPT_IMM && in->opcode >= 0x71 && in->opcode <= 0x73) ||
                (xm128(in, s) && in->opcode >= 0xd1 && in->opcode <= 0xf3));
    case SK_PSHUFD:
    case SK_ALIGN:
    case SK_STR:
        return in->nops == 3 && xmm(d) && xm128(in, s) && in->op[2].type == OPT_IMM;
    case SK_MSK:
        return in->nops == 2 && (gpr(d, 4) || gpr(d, 8)) && xmm(s);
    case SK_MOVDQ:
        return movdq_ok(in);
    case SK_SCALAR: /* 0F 10/11 (MOVSD with no 0F is the string move) */
        return in->nops == 2 && (in->opcode == 0x10 || in->opcode == 0x11) &&
               ((xmm(d) && (xmm(s) || (rem_mem_ok(in, s) && s->size == f->hop))) ||
                (xmm(s) && rem_mem_ok(in, d) && d->size == f->hop));
    default:
        return false;
    }
}

/* The checks IEM makes before the instruction (sse_gate, sse_check):
 * each a jump to the slow path, added to slow[]. */
static unsigned emit_gate(struct x64 *e, const struct sform *f, uint8_t **slow)
{
    x64_test_mem32(e, V_CR0, CR0_EM | CR0_TS);
    slow[0] = x64_jcc(e, 0x5);
    x64_test_mem32(e, V_CR4, CR4_OSFXSR);
    slow[1] = x64_jz(e);
    x64_test_mem8(e, X_RBX, V_FEAT(f->feat), (uint8_t)(1u << (f->feat % 8)));
    slow[2] = x64_jz(e);
    return 3;
}

/* rax = the host pointer of memory operand m (fast path), after IEM's
 * alignment check (align: 0 or a power of two) on its linear address. */
static unsigned emit_mem(struct x64 *e, const struct iem_insn *in, unsigned align, const struct iem_op *m,
                         bool store, uint8_t **slow)
{
    unsigned n = 0;
    rem_emit_ea(e, in, m);
    if (align) {
        if (in->ipsize == 8 && m->seg != S_FS && m->seg != S_GS) {
            x64_test_imm32(e, X_RAX, align - 1);
        } else {
            x64_load(e, X_RCX, V_SEGBASE(m->seg), false);
            x64_alu_rr(e, X_ADD, X_RCX, X_RAX, false);
            x64_test_imm32(e, X_RCX, align - 1);
        }
        slow[n++] = x64_jcc(e, 0x5);
    }
    slow[n++] = rem_emit_host(e, in, m, store);
    return n;
}

enum { MOVDQU_LD = 0x6f, MOVDQU_ST = 0x7f, PFX_F3 = 0xf3, PFX_66 = 0x66 };

/* xmm<x> = the 16 bytes of op (an XMM register, or memory at [rax]) */
static void load_x(struct x64 *e, unsigned x, const struct iem_op *op)
{
    if (op->type == OPT_MEM)
        x64_sse_mem(e, PFX_F3, MOVDQU_LD, x, X_RAX, 0);
    else
        x64_sse_mem(e, PFX_F3, MOVDQU_LD, x, X_RBX, xdisp(op));
}

static void store_x(struct x64 *e, unsigned x, const struct iem_op *op)
{
    if (op->type == OPT_MEM)
        x64_sse_mem(e, PFX_F3, MOVDQU_ST, x, X_RAX, 0);
    else
        x64_sse_mem(e, PFX_F3, MOVDQU_ST, x, X_RBX, xdisp(op));
}

/* MOVD/MOVQ, MOVSS/MOVSD: rcx = the source's low `size` (4 or 8) bytes
 * (zero-extended), then the destination: a GPR (zero-extended), memory,
 * or an XMM register whose other bytes become zero, or (merge: MOVSS/MOVSD
 * between XMM registers) stay. */
static void emit_movdq(struct x64 *e, const struct iem_insn *in, unsigned size, bool merge)
{
    const struct iem_op *d = &in->op[0], *s = &in->op[1];

    if (s->type == OPT_MEM)
        x64_load_sz(e, X_RCX, X_RAX, 0, size);
    else if (xmm(s))
        x64_load_sz(e, X_RCX, X_RBX, xdisp(s), size);
    else
        x64_load(e, X_RCX, V_GPR(s->reg), size == 8);
    if (d->type == OPT_MEM) {
        x64_store_sz(e, X_RAX, 0, X_RCX, size);
    } else if (merge) {
        x64_store_sz(e, X_RBX, xdisp(d), X_RCX, size);
    } else if (xmm(d)) {
        x64_store_sz(e, X_RBX, xdisp(d), X_RCX, 8);
        x64_store_imm32(e, X_RBX, xdisp(d) + 8, 0);
        x64_store_imm32(e, X_RBX, xdisp(d) + 12, 0);
    } else {
        x64_store64(e, V_GPR(d->reg), X_RCX);
    }
}

/* PTEST, PCMPISTRI/PCMPISTRM on xmm0, xmm1: the host instruction sets
 * the flags as IEM does (iem_flags_update of every arithmetic flag: CF,
 * ZF, SF, OF from the compare, AF and PF clear), and the result. */
static void emit_flagged(struct x64 *e, const struct sform *f, const struct iem_insn *in)
{
    if (f->kind == SK_PTEST) {
        x64_sse3_rr(e, 0x38, f->hop, 0, 1, -1);
        x64_lahf_ecx(e, F_ZF | F_CF);
        rem_emit_set_arith(e);
        return;
    }
    x64_sse3_rr(e, 0x3a, f->hop, 0, 1, (int)(in->op[2].imm & 0xff));
    if (in->mnemonic == ZYDIS_MNEMONIC_PCMPISTRI)
        x64_store64(e, V_GPR(1), X_RCX); /* ecx: the index, zero-extended */
    else
        x64_sse_mem(e, PFX_F3, MOVDQU_ST, 0, X_RBX, V_XMM(0)); /* xmm0: the mask */
    x64_seto_dl(e);
    x64_lahf_ecx(e, F_SF | F_ZF | F_CF);
    x64_movzx_edx_dl(e);
    x64_shift_imm(e, 4, X_RDX, 11, false); /* OF: bit 11 */
    x64_alu_rr(e, X_OR, X_RCX, X_RDX, false);
    rem_emit_set_arith(e);
}

uint8_t rem_emit_sse(struct x64 *e, const struct iem_insn *in)
{
    const struct sform *f = form_of(in);
    const struct iem_op *d = &in->op[0], *s = &in->op[1];
    uint8_t *slow[8];
    unsigned n = emit_gate(e, f, slow);

    if (d->type == OPT_MEM)
        n += emit_mem(e, in, d->size == 16 && f->aligned ? 16 : 0, d, true, slow + n);
    else if (s->type == OPT_MEM)
        n += emit_mem(e, in, s->size == 16 && f->aligned ? 16 : 0, s, false, slow + n);
    /* a shift by an XMM/m128 count is the host's same opcode on xmm0, xmm1 */
    switch (f->kind == SK_SHI && s->type != OPT_IMM ? SK_BIN : f->kind) {
    case SK_MOV:
        load_x(e, 0, s);
        store_x(e, 0, d);
        break;
    case SK_BIN:
    case SK_BIN38:
    case SK_ALIGN:
    case SK_PTEST:
    case SK_STR:
        load_x(e, 0, d);
        load_x(e, 1, s);
        if (f->kind == SK_PTEST || f->kind == SK_STR) {
            emit_flagged(e, f, in);
            break;
        }
        if (f->kind == SK_BIN38 || f->kind == SK_ALIGN)
            x64_sse3_rr(e, f->kind == SK_ALIGN ? 0x3a : 0x38, f->hop, 0, 1,
                        f->kind == SK_ALIGN ? (int)(in->op[2].imm & 0xff) : -1);
        else
            x64_sse_rr(e, PFX_66, f->kind == SK_BIN ? f->hop : in->opcode, 0, 1, -1);
        store_x(e, 0, d);
        break;
    case SK_SHI:
        load_x(e, 0, d);
        x64_sse_rr(e, PFX_66, in->opcode, in->modrm_reg & 7, 0, (int)(s->imm & 0xff));
        store_x(e, 0, d);
        break;
    case SK_PSHUFD:
        load_x(e, 1, s);
        x64_sse_rr(e, PFX_66, 0x70, 0, 1, (int)(in->op[2].imm & 0xff));
        store_x(e, 0, d);
        break;
    case SK_MSK:
        load_x(e, 0, s);
        x64_sse_rr(e, PFX_66, 0xd7, X_RCX, 0, -1); /* pmovmskb ecx, xmm0 */
        x64_store64(e, V_GPR(d->reg), X_RCX);
        break;
    case SK_SCALAR:
        emit_movdq(e, in, f->hop, xmm(d) && xmm(s));
        break;
    default:
        emit_movdq(e, in, movdq_size(in), false);
        break;
    }
    rem_emit_retire_n(e, in, slow, n);
    /* the helper step, when it retires the instruction, leaves the flags
     * concrete too (iem_flags_update) */
    return f->kind == SK_PTEST || f->kind == SK_STR ? LF_HOST_RFLAGS : LF_HOST_NONE;
}

/* VEX forms. The host runs them as legacy SSE2 on xmm0/xmm1, one 128-bit
 * lane at a time (lane 1: cpu.ymmh, memory 16 bytes up): every lane of
 * these forms reads only the same lane of its sources, so no host AVX is
 * needed and no host YMM state is ever dirtied. */
enum ak { AK_MOV = 1, AK_BIN, AK_MSK, AK_BCST, AK_ZU, AK_MOVDQ };

struct aform {
    uint16_t mnemonic;
    uint8_t kind;
    uint8_t gate;    /* the feature sse_gate asks for (AVX_LEGACY_LIST: AVX; AVX_CUSTOM_LIST's) */
    uint8_t legacy;  /* the legacy handler's feature sse_vex_legacy asks for, or NOF */
    uint8_t wide;    /* the feature a VEX.256 form needs besides the gate, or NOF: no VEX.256 form */
    uint8_t hop;     /* AK_BIN: the host opcode (66 0F hop) */
    uint8_t aligned; /* op_move's full-width alignment check (sse_vex_aligned) */
};
enum { NOF = 0xff };

#define A(m, k, g, l, w, op, a) {ZYDIS_MNEMONIC_##m, AK_##k, CF_##g, l, w, op, a}
static const struct aform aforms[] = {
    A(VMOVDQU, MOV, AVX, NOF, CF_AVX, 0, 0), A(VMOVDQA, MOV, AVX, NOF, CF_AVX, 0, 1),
    A(VMOVUPS, MOV, AVX, NOF, CF_AVX, 0, 0), A(VMOVAPS, MOV, AVX, NOF, CF_AVX, 0, 1),
    A(VMOVUPD, MOV, AVX, NOF, CF_AVX, 0, 0), A(VMOVAPD, MOV, AVX, NOF, CF_AVX, 0, 1),
    A(VPXOR, BIN, AVX, CF_SSE2, CF_AVX2, 0xef, 0), A(VPOR, BIN, AVX, CF_SSE2, CF_AVX2, 0xeb, 0),
    A(VPAND, BIN, AVX, CF_SSE2, CF_AVX2, 0xdb, 0), A(VPANDN, BIN, AVX, CF_SSE2, CF_AVX2, 0xdf, 0),
    A(VPCMPEQB, BIN, AVX, CF_SSE2, CF_AVX2, 0x74, 0), A(VPCMPEQW, BIN, AVX, CF_SSE2, CF_AVX2, 0x75, 0),
    A(VPCMPEQD, BIN, AVX, CF_SSE2, CF_AVX2, 0x76, 0), A(VPCMPGTB, BIN, AVX, CF_SSE2, CF_AVX2, 0x64, 0),
    A(VPMINUB, BIN, AVX, CF_SSE2, CF_AVX2, 0xda, 0), A(VPMAXUB, BIN, AVX, CF_SSE2, CF_AVX2, 0xde, 0),
    A(VPSUBB, BIN, AVX, CF_SSE2, CF_AVX2, 0xf8, 0), A(VPMOVMSKB, MSK, AVX, NOF, CF_AVX2, 0, 0),
    A(VPBROADCASTB, BCST, AVX2, NOF, CF_AVX2, 0, 0), A(VZEROUPPER, ZU, AVX, NOF, NOF, 0, 0),
    A(VMOVD, MOVDQ, AVX, CF_SSE2, NOF, 0, 0), A(VMOVQ, MOVDQ, AVX, CF_SSE2, NOF, 0, 0),
};
#undef A

#define V_YMMH(i) ((int32_t)(offsetof(struct vcpu, cpu.ymmh) + 16 * (i)))
#define V_XCR0 ((int32_t)offsetof(struct vcpu, cpu.xcr0))

static const struct aform *aform_of(const struct iem_insn *in)
{
    return find_form(aforms, sizeof(aforms) / sizeof(aforms[0]), sizeof(aforms[0]), in->mnemonic);
}

static bool ymm(const struct iem_op *op)
{
    return vreg_from(op, ZYDIS_REGISTER_YMM0);
}

/* an XMM (len 16) or YMM (len 32) register */
static bool vreg(const struct iem_op *op, unsigned len)
{
    return len == 32 ? ymm(op) : xmm(op);
}

static bool vreg_or_mem(const struct iem_insn *in, const struct iem_op *op, unsigned len)
{
    return vreg(op, len) || (rem_mem_ok(in, op) && op->size == len);
}

/* [rbx + the result] holds lane `lane` of vector register op */
static int32_t vdisp(const struct iem_op *op, unsigned lane)
{
    unsigned r = (op->reg - (ymm(op) ? ZYDIS_REGISTER_YMM0 : ZYDIS_REGISTER_XMM0)) & 15;
    return lane ? V_YMMH(r) : V_XMM(r);
}

/* IEM's avx_wide: some operand is a YMM register or 32 bytes of memory */
static bool avx_wide_form(const struct iem_insn *in)
{
    for (unsigned i = 0; i < in->nops; i++)
        if (ymm(&in->op[i]) || (in->op[i].type == OPT_MEM && in->op[i].size == 32))
            return true;
    return false;
}

bool rem_avx_ok(const struct iem_insn *in)
{
    const struct aform *f = aform_of(in);
    const struct iem_op *d = &in->op[0], *s = &in->op[1];
    bool wide = avx_wide_form(in);
    unsigned len = wide ? 32 : 16;

    if (!f || !in->vex || in->lock || in->vsib || (wide && f->wide == NOF))
        return false;
    switch (f->kind) {
    case AK_MOV:
        return in->nops == 2 &&
               ((vreg(d, len) && vreg_or_mem(in, s, len)) || (vreg(s, len) && rem_mem_ok(in, d) && d->size == len));
    case AK_BIN:
        return in->nops == 3 && in->nds == 2 && vreg(d, len) && vreg(s, len) && vreg_or_mem(in, &in->op[2], len);
    case AK_MSK:
        return in->nops == 2 && (gpr(d, 4) || gpr(d, 8)) && vreg(s, len);
    case AK_BCST:
        return in->nops == 2 && vreg(d, len) && (xmm(s) || (rem_mem_ok(in, s) && s->size == 1));
    case AK_ZU:
        return in->nops == 0;
    default: /* AK_MOVDQ */
        return movdq_ok(in);
    }
}

static uint8_t *feat_jz(struct x64 *e, unsigned feat)
{
    x64_test_mem8(e, X_RBX, V_FEAT(feat), (uint8_t)(1u << (feat % 8)));
    return x64_jz(e);
}

/* IEM's checks before a VEX instruction, each a jump to the slow path:
 * sse_gate's feature, avx_check (CR4.OSXSAVE, XCR0.SSE and AVX, CR0.TS),
 * the VEX.256 feature, sse_vex_legacy's feature. */
static unsigned emit_avx_gate(struct x64 *e, const struct aform *f, bool wide, uint8_t **slow)
{
    unsigned n = 0;
    slow[n++] = feat_jz(e, f->gate);
    x64_test_mem32(e, V_CR4, CR4_OSXSAVE);
    slow[n++] = x64_jz(e);
    x64_load(e, X_RCX, V_XCR0, false);
    x64_alu_imm(e, 4, X_RCX, XCR0_SSE | XCR0_AVX, false); /* and */
    x64_cmp_imm32(e, X_RCX, XCR0_SSE | XCR0_AVX);
    slow[n++] = x64_jcc(e, 0x5);
    x64_test_mem32(e, V_CR0, CR0_TS);
    slow[n++] = x64_jcc(e, 0x5);
    if (wide && f->wide != f->gate)
        slow[n++] = feat_jz(e, f->wide);
    if (f->legacy != NOF)
        slow[n++] = feat_jz(e, f->legacy);
    return n;
}

/* xmm<x> = lane `lane` of op (a vector register, or memory at [rax]) */
static void load_lane(struct x64 *e, unsigned x, const struct iem_op *op, unsigned lane)
{
    if (op->type == OPT_MEM)
        x64_sse_mem(e, PFX_F3, MOVDQU_LD, x, X_RAX, 16 * (int32_t)lane);
    else
        x64_sse_mem(e, PFX_F3, MOVDQU_LD, x, X_RBX, vdisp(op, lane));
}

static void store_lane(struct x64 *e, unsigned x, const struct iem_op *op, unsigned lane)
{
    if (op->type == OPT_MEM)
        x64_sse_mem(e, PFX_F3, MOVDQU_ST, x, X_RAX, 16 * (int32_t)lane);
    else
        x64_sse_mem(e, PFX_F3, MOVDQU_ST, x, X_RBX, vdisp(op, lane));
}

/* A VEX.128 write of a vector register zeroes its bits 255:128 (avx_set_reg) */
static void zero_hi(struct x64 *e, const struct iem_op *op)
{
    x64_sse_rr(e, PFX_66, 0xef, 1, 1, -1); /* pxor xmm1, xmm1 */
    store_lane(e, 1, op, 1);
}

/* VPBROADCASTB: the byte in every byte of the destination */
static void emit_bcst(struct x64 *e, const struct iem_op *d, const struct iem_op *s, bool wide)
{
    if (s->type == OPT_MEM)
        x64_load_sz(e, X_RCX, X_RAX, 0, 1);
    else
        x64_load_sz(e, X_RCX, X_RBX, vdisp(s, 0), 1);
    x64_mov_imm(e, X_RDX, 0x0101010101010101ull);
    x64_imul_rr(e, X_RCX, X_RDX, true);
    for (unsigned lane = 0; lane < (wide ? 2u : 1u); lane++) {
        x64_store_sz(e, X_RBX, vdisp(d, lane), X_RCX, 8);
        x64_store_sz(e, X_RBX, vdisp(d, lane) + 8, X_RCX, 8);
    }
    if (!wide)
        zero_hi(e, d);
}

void rem_emit_avx(struct x64 *e, const struct iem_insn *in)
{
    const struct aform *f = aform_of(in);
    const struct iem_op *d = &in->op[0], *s = &in->op[1];
    bool wide = avx_wide_form(in);
    unsigned lanes = wide ? 2 : 1, len = wide ? 32 : 16;
    uint8_t *slow[10];
    unsigned n = emit_avx_gate(e, f, wide, slow);

    for (unsigned i = 0; i < in->nops; i++)
        if (in->op[i].type == OPT_MEM)
            n += emit_mem(e, in, f->aligned ? len : 0, &in->op[i], i == 0, slow + n);
    switch (f->kind) {
    case AK_MOV:
        for (unsigned l = 0; l < lanes; l++) {
            load_lane(e, 0, s, l);
            store_lane(e, 0, d, l);
        }
        if (!wide && d->type != OPT_MEM)
            zero_hi(e, d);
        break;
    case AK_BIN:
        for (unsigned l = 0; l < lanes; l++) {
            load_lane(e, 0, s, l);
            load_lane(e, 1, &in->op[2], l);
            x64_sse_rr(e, PFX_66, f->hop, 0, 1, -1);
            store_lane(e, 0, d, l);
        }
        if (!wide)
            zero_hi(e, d);
        break;
    case AK_MSK:
        load_lane(e, 0, s, 0);
        x64_sse_rr(e, PFX_66, 0xd7, X_RCX, 0, -1); /* pmovmskb ecx, xmm0 */
        if (wide) {
            load_lane(e, 1, s, 1);
            x64_sse_rr(e, PFX_66, 0xd7, X_RDX, 1, -1); /* pmovmskb edx, xmm1 */
            x64_shift_imm(e, 4, X_RDX, 16, false);
            x64_alu_rr(e, X_OR, X_RCX, X_RDX, false);
        }
        x64_store64(e, V_GPR(d->reg), X_RCX);
        break;
    case AK_BCST:
        emit_bcst(e, d, s, wide);
        break;
    case AK_ZU: /* YMM8-15 are untouched outside 64-bit mode (op_zero) */
        x64_sse_rr(e, PFX_66, 0xef, 0, 0, -1);
        for (unsigned r = 0; r < (in->ipsize == 8 ? 16u : 8u); r++)
            x64_sse_mem(e, PFX_F3, MOVDQU_ST, 0, X_RBX, V_YMMH(r));
        break;
    default:
        emit_movdq(e, in, movdq_size(in), false);
        if (xmm(d))
            zero_hi(e, d);
        break;
    }
    rem_emit_retire_n(e, in, slow, n);
}
