/* Shared helpers of the SIMD handlers (iem_sse*.c): MMX/SSE availability
 * checks, XMM/MMX/memory operand access, MXCSR exception delivery and the
 * host-SSE runner used for floating-point arithmetic.
 *
 * Register model:
 * - XMM registers live in cpu.xmm[16][16], little-endian element order.
 * - MMX register i is the low 64 bits of cpu.fpr[i] (physical x87 register
 *   i, not ST(i)). An MMX instruction sets the x87 tag word to all valid and
 *   TOP to 0; a write to MMi also sets bits 64..79 of fpr[i] to all ones.
 *   EMMS sets the tag word to all empty. (The x87 code owns the rest of fpr.)
 *
 * Floating point runs on the host's SSE unit under the guest's MXCSR (all
 * exceptions masked on the host, the flags read back), which makes rounding,
 * DAZ/FTZ, NaN propagation and the exception flags exact for an x86 host.
 * The flags are then merged like Bochs/hardware do: if any unmasked
 * pre-computation exception (IE, DE, ZE) is found, post-computation flags
 * (OE, UE, PE) are dropped; the flags are ORed into MXCSR and an unmasked
 * one raises #XM (CR4.OSXMMEXCPT=1) or #UD, the destination untouched.
 */
#ifndef PCVM_SSE_H
#define PCVM_SSE_H

#include <string.h>

#include "cpu/iem.h"

typedef union {
    uint8_t b[16];
    int8_t sb[16];
    uint16_t w[8];
    int16_t sw[8];
    uint32_t d[4];
    int32_t sd[4];
    uint64_t q[2];
    int64_t sq[2];
    float f[4];
    double fd[2];
} xreg;

#define MXCSR_IE 0x01u
#define MXCSR_DE 0x02u
#define MXCSR_ZE 0x04u
#define MXCSR_OE 0x08u
#define MXCSR_UE 0x10u
#define MXCSR_PE 0x20u
#define MXCSR_FLAGS 0x3fu
#define MXCSR_DAZ 0x40u
#define MXCSR_MASKS 0x1f80u
/* Bits LDMXCSR/FXRSTOR accept (DAZ supported); FXSAVE stores it as MXCSR_MASK. */
#define MXCSR_VALID 0xffffu

/* Which checks an instruction needs before it touches state. */
enum sse_kind {
    SSE_K_SSE, /* XMM form: #UD if CR0.EM or !CR4.OSFXSR, #NM if CR0.TS */
    SSE_K_MMX, /* MMX form: #UD if CR0.EM, #NM if CR0.TS, #MF if x87 error pending */
};

static inline bool sse_is_xmm(const struct iem_op *op)
{
    return op->type == OPT_REG && op->rclass == RC_OTHER && op->reg >= ZYDIS_REGISTER_XMM0 &&
           op->reg <= ZYDIS_REGISTER_XMM15;
}
static inline bool sse_is_mm(const struct iem_op *op)
{
    return op->type == OPT_REG && op->rclass == RC_OTHER && op->reg >= ZYDIS_REGISTER_MM0 &&
           op->reg <= ZYDIS_REGISTER_MM7;
}
static inline uint8_t *sse_xmm(struct vcpu *v, const struct iem_op *op)
{
    return v->cpu.xmm[(op->reg - ZYDIS_REGISTER_XMM0) & 15];
}

/* The checks for an instruction whose first MMX/XMM operand decides the
 * form (MMX when any operand is an MM register). */
int sse_check(struct vcpu *v, const struct iem_insn *in);
int sse_check_kind(struct vcpu *v, enum sse_kind k);
/* An MMX instruction executed: tags all valid, TOP = 0. */
void sse_mmx_enter(struct vcpu *v);
bool sse_insn_is_mmx(const struct iem_insn *in);

/* Reads operand i into buf (zero-filled to 16 bytes): XMM/MM register, GPR
 * (op.size bytes) or memory (op.size bytes). align: 0 for none, else a
 * memory operand whose linear address is not a multiple of it raises #GP(0). */
int sse_read(struct vcpu *v, const struct iem_insn *in, unsigned i, xreg *buf, unsigned align);
/* Writes operand i: the whole XMM register (16 bytes), MM register (8, with
 * the x87 side effects), GPR (op.size) or memory (op.size bytes). */
int sse_write(struct vcpu *v, const struct iem_insn *in, unsigned i, const xreg *buf, unsigned align);
/* Linear-address alignment check of a memory operand: #GP(0). */
int sse_align(struct vcpu *v, const struct iem_insn *in, const struct iem_op *op, unsigned align);

/* Merges host-computed exception flags into MXCSR; IEM_OK when every raised
 * flag is masked, else the #XM/#UD status (destination must stay unchanged). */
int sse_fp_flags(struct vcpu *v, uint32_t flags);

/* Host SSE runners: run one instruction on (d, s) with xmm0 = d, xmm1 = s,
 * under mxcsr with exceptions masked; d gets xmm0; returns the flags. */
typedef uint32_t (*sse_host_fn)(xreg *d, const xreg *s, uint32_t mxcsr);
/* Looks up the host runner of an SSE FP instruction by mnemonic (and the
 * CMPccPS/SD predicate imm for the compare forms); NULL if none. */
sse_host_fn sse_host_lookup(unsigned mnemonic, unsigned imm);
/* Conversions with a GPR side: gpr in/out through *g (64 bits). */
typedef uint32_t (*sse_host_gfn)(xreg *d, uint64_t *g, uint32_t mxcsr);
sse_host_gfn sse_host_glookup(unsigned mnemonic, unsigned osize);

/* MOVSD and CMPSD also name string instructions: runs the string handler. */
int sse_string_insn(struct vcpu *v, const struct iem_insn *in);

/* Handlers of the families, registered in iem_sse.c's table. */
int sse_op_mov(struct vcpu *v, const struct iem_insn *in);   /* iem_sse_mov.c */
int sse_op_int(struct vcpu *v, const struct iem_insn *in);   /* iem_sse_int.c */
int sse_op_fp(struct vcpu *v, const struct iem_insn *in);    /* iem_sse_fp.c */
int sse_op_cvt(struct vcpu *v, const struct iem_insn *in);   /* iem_sse_cvt.c */
int sse_op_shuf(struct vcpu *v, const struct iem_insn *in);  /* iem_sse_shuf.c */
int sse_op_state(struct vcpu *v, const struct iem_insn *in); /* iem_sse_state.c */
int sse_op_41(struct vcpu *v, const struct iem_insn *in);    /* iem_sse_41.c */
int sse_op_pcmpstr(struct vcpu *v, const struct iem_insn *in); /* iem_sse_str.c */
int sse_op_crc32(struct vcpu *v, const struct iem_insn *in);   /* iem_sse_str.c */
int sse_op_gpr(struct vcpu *v, const struct iem_insn *in);   /* iem_sse_bmi.c */

/* The FXSAVE image of the x87/SSE state (iem_sse_state.c), shared with XSAVE:
 * wide = the REX.W pointer layout; nxmm XMM registers are stored. */
void sse_fx_image(const struct cpu *c, uint8_t img[512], bool wide, unsigned nxmm);
/* Loads FCW, FSW, FTW (from the abridged tags), FOP, pointers and ST0-7. */
void sse_fx_load_x87(struct cpu *c, const uint8_t *img, bool wide);


/* New families (iem_aes.c, iem_xsave.c, iem_avx*.c). */
int sse_op_aes(struct vcpu *v, const struct iem_insn *in);
int sse_op_rand(struct vcpu *v, const struct iem_insn *in);
int sse_op_xsave(struct vcpu *v, const struct iem_insn *in);
int sse_op_xcr(struct vcpu *v, const struct iem_insn *in);

#endif
