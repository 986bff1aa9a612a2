/* The native code generator's parts (rem_native.c: the driver, exits and
 * entries; rem_native_alu.c: flag-setting forms and conditions;
 * rem_native_mem.c: memory operands, the stack, CALL/RET;
 * rem_native_bit.c: NOT/NEG, BSWAP, CBW..CQO, BT*, DIV). Only those files
 * include this. */
#ifndef PCVM_REM_NATIVE_H
#define PCVM_REM_NATIVE_H

#include <stddef.h>

#include "rem/rem_x64.h"

/* Guest state as compiled code addresses it: [rbx + V_*] (the vCPU),
 * [rbp + R_*] (REM's state). */
#define V_GPR(i) ((int32_t)(offsetof(struct vcpu, cpu.gpr) + 8 * (i)))
#define V_RIP ((int32_t)offsetof(struct vcpu, cpu.rip))
#define V_LF_OP ((int32_t)offsetof(struct vcpu, cpu.lf.op))
#define V_LF_RES ((int32_t)offsetof(struct vcpu, cpu.lf.res))
#define V_LF_SRC1 ((int32_t)offsetof(struct vcpu, cpu.lf.src1))
#define V_LF_SRC2 ((int32_t)offsetof(struct vcpu, cpu.lf.src2))
#define V_RUN ((int32_t)offsetof(struct vcpu, run))
#define V_SEGBASE(s)                                                                                         \
    ((int32_t)(offsetof(struct vcpu, cpu.seg) + (s) * sizeof(struct cpu_seg) +                               \
               offsetof(struct cpu_seg, base)))
#define V_SEGSEL(s) ((int32_t)(offsetof(struct vcpu, cpu.seg) + (s) * sizeof(struct cpu_seg)))
#define V_RFLAGS ((int32_t)offsetof(struct vcpu, cpu.rflags))
/* the byte of cpu.feat holding -cpu model feature f (cpu/cpufeat.h) */
#define V_FEAT(f) ((int32_t)(offsetof(struct vcpu, cpu.feat) + (f) / 8))
#define V_VM ((int32_t)offsetof(struct vcpu, vm))
#define VM_FF ((int32_t)offsetof(struct vm, ff))
#define R_CUR ((int32_t)offsetof(struct rem_state, cur))
#define R_EXIT ((int32_t)offsetof(struct rem_state, exit))
#define R_TLB_CTX ((int32_t)offsetof(struct rem_state, tlb_ctx))
#define R_TLB_SALT ((int32_t)offsetof(struct rem_state, tlb_salt))
#define R_FJC ((int32_t)offsetof(struct rem_state, fjc))
#define V_EPOCH ((int32_t)offsetof(struct vcpu, iem.tlb_epoch))
#define V_EPOCH_G ((int32_t)offsetof(struct vcpu, iem.tlb_epoch_g))
#define R_FLAT ((int32_t)offsetof(struct rem_state, flat))
#define V_TLB(kind, field)                                                                                   \
    ((int32_t)(offsetof(struct vcpu, tlb) + (kind)*TLB_SIZE * TLB_ENTRY_SIZE +                               \
               offsetof(struct tlb_entry, field)))

_Static_assert(offsetof(struct cpu_lazy, size) == offsetof(struct cpu_lazy, op) + 1,
               "one 16-bit store sets the lazy op and size");

enum nkind {
    N_NONE,
    N_MOV,
    N_ALU,
    N_LEA,
    N_LOAD,
    N_STORE,
    N_ALU_MEM,
    N_CALL,
    N_SHIFT,
    N_IMUL,
    N_NOP,
    N_ROT,    /* ROL/ROR r, imm: host code only when no one reads its flags */
    N_INCDEC, /* INC/DEC r */
    N_ADC,    /* ADC/SBB r, r|imm */
    N_ALU8,   /* MOV/ALU of 8- and 16-bit registers */
    N_SETCC,  /* SETcc r8 */
    N_CMOV,   /* CMOVcc r, r (32/64) */
    N_EXT,    /* MOVZX/MOVSX/MOVSXD r, r|m */
    N_SHIFT_CL, /* SHL/SHR/SAR r, cl */
    N_UNARY_MEM, /* INC/DEC/NEG/NOT m (not locked) */
    N_SSE,       /* SSE/SSE2 integer and move forms (rem_native_sse.c) */
    N_AVX,       /* their VEX forms (rem_native_sse.c) */
    N_BIT, /* NOT/NEG/BSWAP r, CBW..CQO, BT*, DIV, CMPXCHG m, MOV r, Sreg, SETcc m8 (rem_native_bit.c) */
};

/* What the compiler knows of the lazy flags at a point of the TB: the
 * lazy op and size the last flag-writing instruction left, or LF_NONE
 * when that is not known statically. */
struct lf_known {
    uint8_t op, size;
    /* the host's flags are the guest's right now (the instruction just
     * emitted set them with the same host op): LF_HOST_ALL all six,
     * LF_HOST_NO_CF all but CF (INC/DEC done as ADD/SUB 1); or
     * LF_HOST_RFLAGS: not the host's, but rflags holds all six, the lazy
     * op LF_NONE on every path (a flag form of rem_native_sse.c) */
    uint8_t host;
};
enum { LF_HOST_NONE, LF_HOST_ALL, LF_HOST_NO_CF, LF_HOST_RFLAGS };

/* rem_native.c */
/* Stores the lazy flags of e->pend_flags (see struct x64). */
void rem_emit_pend_flags(struct x64 *e);
/* The helper that runs in through IEM (and resyncs the lookup context
 * when in may change it): int fn(struct vcpu *, const struct iem_insn *). */
const void *rem_step_fn(const struct iem_insn *in);
bool rem_reg_any(const struct iem_op *op);
int32_t rem_reg_disp(const struct iem_op *op);
bool rem_alu_of(unsigned mnemonic, enum x64_alu *op, uint8_t *lf, bool *writes);
bool rem_mem_ok(const struct iem_insn *in, const struct iem_op *m);
void rem_load_src(struct x64 *e, const struct iem_op *s, bool w);
void rem_emit_lazy(struct x64 *e, uint8_t lf, unsigned size, unsigned res, unsigned src1, unsigned src2);
void rem_emit_next(struct x64 *e, const struct rem_tb *tb);
void rem_emit_step(struct x64 *e, const struct iem_insn *in);
/* RIP += len (at the RIP width: e->rip, stored as a constant), vcpu.insns
 * += k (emitted; none for 0). A helper step may have moved RIP in struct
 * cpu past e->rip (e->rip_ahead; rem_emit_step moves e->rip itself): the
 * next store makes it exact again. */
void rem_emit_counts(struct x64 *e, int64_t len, int64_t k);
/* Adds e's pending counts to RIP and the counters (emitted), then none are pending. */
void rem_flush_counts(struct x64 *e);
/* The slow path (a helper step) of in, whose fast path adds it to the
 * pending counts only: it leaves RIP and the counters as the fast path
 * does, the pending counts as they were before in. */
void rem_emit_step_deferred(struct x64 *e, const struct iem_insn *in);
void rem_emit_exit(struct x64 *e, struct rem_tb *tb, unsigned k, int64_t off);

/* rem_native_kind.c */
enum nkind rem_classify(const struct iem_insn *in);
/* sets e's register cache (rem_x64.h) for tb */
void rem_cache_alloc(const struct rem_tb *tb, struct x64 *e);
/* live[i]: a later instruction, a fault or an exit may read the flags
 * instruction i sets */
void rem_flag_liveness(const struct rem_tb *tb, bool *live);
/* fonly[i]: no instruction reads the flags instruction i sets before
 * another sets them all, though one that may fault comes first (a
 * memory access); the TB's end reads them */
void rem_flag_fault_only(const struct rem_tb *tb, bool *fonly);
/* Whether an instruction of kind k may be emitted while e->pend_flags is
 * pending (it keeps that instruction's registers, and reads the flags only
 * when it faults), whether it sets all flags (*kills) */
/* Whether in's lazy flags can be left to rem_emit_pend_flags. */
bool rem_pend_ok(const struct iem_insn *in, enum nkind k);
bool rem_pend_keeps(const struct x64 *e, const struct iem_insn *in, enum nkind k, bool *kills);

/* rem_native_alu.c */
/* SHL/SHR/SAR's second operand is CL */
bool rem_shift_by_cl(const struct iem_insn *in);
/* The flags of a multiply whose host OF is the overflow and rax its low
 * half (of size bytes): mul_flags' (CF = OF, SF, PF; ZF, AF clear), the
 * lazy state cleared. */
void rem_emit_mul_flags(struct x64 *e, unsigned size);
/* rflags' arithmetic flags = ecx (CF, PF, ZF, SF, OF; AF clear), the
 * lazy state cleared: what iem_flags_update(F_ARITH, ...) leaves
 * (clobbers rax). */
void rem_emit_set_arith(struct x64 *e);
/* live: a later instruction (or an exit) may read the flags it sets */
void rem_emit_flagged(struct x64 *e, const struct iem_insn *in, enum nkind k, bool live);
void rem_emit_incdec(struct x64 *e, const struct iem_insn *in, bool live, const struct lf_known *lf);
void rem_emit_adc(struct x64 *e, const struct iem_insn *in, bool live, const struct lf_known *lf);
/* INC/DEC keep CF: it goes into rflags unless lf says it is there (or 0) */
void rem_emit_keep_cf(struct x64 *e, const struct lf_known *lf);
void rem_lf_track(struct lf_known *k, const struct iem_insn *in);
bool rem_emit_cond(struct x64 *e, const struct lf_known *k, unsigned cc);
/* the same with ra and rb as the scratch registers (not rax and rcx) */
bool rem_emit_cond_in(struct x64 *e, const struct lf_known *k, unsigned cc, unsigned ra, unsigned rb);
/* rem_emit_cond(k, cc) needs no call (and so no register but its two) */
bool rem_cond_inline(const struct lf_known *k, unsigned cc);
/* SETcc / CMOVcc register forms (cc from the opcode) */
void rem_emit_setcc(struct x64 *e, const struct iem_insn *in, const struct lf_known *lf);

/* rem_native_sse.c */
/* in is an SSE form rem_emit_sse compiles (no fault but those its slow
 * path hands to IEM) */
bool rem_sse_ok(const struct iem_insn *in);
/* Returns what the host flags hold after it (LF_HOST_*). */
uint8_t rem_emit_sse(struct x64 *e, const struct iem_insn *in);
/* the same for the VEX forms of rem_native_sse.c */
bool rem_avx_ok(const struct iem_insn *in);
void rem_emit_avx(struct x64 *e, const struct iem_insn *in);

/* rem_native_bit.c */
/* in is a form rem_emit_bit compiles */
bool rem_bit_ok(const struct iem_insn *in);
/* what an N_BIT instruction does to the flags, for rem_flag_liveness:
 * neither reads nor writes them and cannot fault; writes them all and
 * cannot fault; may read them (or fault) */
enum rem_bit_flags { BITF_KEEPS, BITF_SETS, BITF_READS };
enum rem_bit_flags rem_bit_flags(const struct iem_insn *in);
/* Emits in with its counts (fast path); live: a later instruction may
 * read the flags it sets. Returns what the host flags hold (LF_HOST_*). */
uint8_t rem_emit_bit(struct x64 *e, const struct iem_insn *in, bool live, const struct lf_known *lf);
/* rem_emit_retire with n slow paths (NULL ones skipped), each leading to
 * the helper step of the whole instruction */
void rem_emit_retire_n(struct x64 *e, const struct iem_insn *in, uint8_t *const *slow, unsigned n);

/* rem_native_mem.c */
/* rax (the operand's offset in m's segment) becomes its host pointer:
 * the inline lookup, else the call; the returned rel32 is taken when
 * neither gives one (aim it at the helper step of the whole instruction) */
uint8_t *rem_emit_host(struct x64 *e, const struct iem_insn *in, const struct iem_op *m, bool store);
/* The end of an instruction done inline: it joins the pending counts;
 * `slow` leads to the helper step of the whole instruction. */
void rem_emit_retire(struct x64 *e, const struct iem_insn *in, uint8_t *slow);
/* The two halves of rem_emit_retire, for a slow path that does more after
 * the helper step: the step in the cold stream (emitting stays there),
 * returning where the fast path goes on; then the jump back to that and
 * the counts. */
uint8_t *rem_emit_cold_step(struct x64 *e, const struct iem_insn *in, uint8_t *const *slow, unsigned n);
void rem_emit_cold_done(struct x64 *e, const struct iem_insn *in, uint8_t *done);
void rem_emit_ea(struct x64 *e, const struct iem_insn *in, const struct iem_op *m);
/* live: a later instruction (or an exit) may read the flags it sets; lf:
 * the lazy flags before it. Returns what the host flags hold after it
 * (LF_HOST_*). */
uint8_t rem_emit_mem(struct x64 *e, const struct iem_insn *in, enum nkind k, bool live, const struct lf_known *lf);
/* jne to the returned rel32 unless reg is canonical at the TB's paging
 * depth (REM_KEY_LA57; clobbers rdi) */
uint8_t *rem_emit_canon(struct x64 *e, unsigned reg);
/* the same test of a constant */
bool rem_canonical(const struct x64 *e, uint64_t a);
/* MOVZX/MOVSX/MOVSXD's extending load of `size` bytes at [base + disp] into rcx */
void rem_load_ext(struct x64 *e, const struct iem_insn *in, unsigned base, int32_t disp, unsigned size);
bool rem_push_pop(const struct rem_tb *tb, const struct iem_insn *in, unsigned *ss);
void rem_emit_stack(struct x64 *e, const struct iem_insn *in, unsigned ss);
bool rem_call_ret(const struct rem_tb *tb, const struct iem_insn *in, unsigned *ss);
void rem_emit_call_ret(struct x64 *e, struct rem_tb *tb, const struct iem_insn *in, unsigned ss, int64_t off);

#endif
