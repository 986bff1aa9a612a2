/* REM's x86-64 encoder (rem_x64.c): only what rem_native.c emits. */
#ifndef PCVM_REM_X64_H
#define PCVM_REM_X64_H

#include <stdbool.h>
#include <stdint.h>

#include "rem/rem_int.h"

enum { X_RAX = 0, X_RCX = 1, X_RDX = 2, X_RBX = 3, X_RBP = 5, X_RSI = 6, X_RDI = 7 };
enum x64_alu { X_ADD, X_OR, X_AND, X_SUB, X_XOR };

/* The guest registers a TB keeps in host registers: rax..rdi in r8-r15
 * (x64_pin_host), pinned there across chained jumps so that a TB entered
 * from another neither loads nor stores them: struct cpu's copies may be
 * older, until a helper call or the way back to C writes them back. r12-r15 survive calls into
 * C; r8-r11 are saved around the calls that keep the cache
 * (x64_call_keep). x64_load / x64_store64 / x64_load_sz / x64_store_sz /
 * x64_load_sx of such a register's [rbx + disp] (its low 1, 2, 4 or 8
 * bytes; a 4-byte store excepted) become register moves; any other access
 * to its bytes refuses the TB (sets `full`), so a form the cache does not
 * know is never compiled wrong. */
extern const int8_t x64_pin_host[8];
struct x64 {
    uint8_t *p, *end;
    /* the other stream (x64_cold / x64_hot swap them); NULL: one stream */
    uint8_t *alt_p, *alt_end;
    bool in_cold;
    bool full;      /* an emit did not fit, or a cached register was addressed as memory */
    int32_t gpr0;   /* [rbx + gpr0 + 8 * i]: guest register i in struct cpu */
    int8_t host[16]; /* host register holding guest register i, or -1 */
    /* guest registers whose host register may be newer than struct cpu
     * (at a TB's entry: all it caches, as they come from another TB) */
    uint16_t dirty;
    /* pinned guest registers (rem_x64.h) this TB keeps in struct cpu only
     * (it addresses them as AH-BH): their host register is reloaded on
     * the way to another TB */
    uint8_t unpinned;
    /* what the code has run but not yet added to RIP and vcpu.insns
     * (rem_native.c's rem_flush_counts) */
    uint32_t pend_len;
    /* RIP as the code last stored it (a constant: the TB runs at one RIP);
     * RIP at the instruction being emitted is rip + pend_len */
    uint64_t rip;
    bool rip_ahead; /* on some path, a helper step moved struct cpu's RIP past rip */
    int32_t pend_k; /* negative: vcpu.insns is ahead (a TB's entry adds all of it) */
    unsigned ipsize;      /* the TB's RIP width (4 or 8) */
    unsigned canon_shift; /* 64 - the TB's linear-address width (REM_KEY_LA57) */
    /* the TB compiled: x64_return and x64_call_cur store it at [rbp +
     * r_cur] (rem_state.cur) for REM's loop and the helper steps, so a
     * chained entry need not */
    uint64_t tb;
    int32_t r_cur;
    uint8_t *chain_same; /* the TB's entry past its code-generation check */
    /* a flag-setting instruction whose fast path left its lazy flags out,
     * as nothing but a fault could read them before the next one: the
     * rare paths store them first (rem_emit_pend_flags) */
    const struct iem_insn *pend_flags;
    bool dflat; /* the TB's key has REM_KEY_DFLAT */
};

/* Emit into the cold stream (rare paths) or back into the main one; with
 * no cold stream both keep emitting in place. */
void x64_cold(struct x64 *e);
void x64_hot(struct x64 *e);
/* jmp to an address already emitted (in either stream) */
void x64_jmp_to(struct x64 *e, const uint8_t *to);

/* The host register caching the guest register whose 8 bytes are at
 * [rbx + disp], or -1. */
int x64_cached_reg(const struct x64 *e, int32_t disp);
/* Stores the dirty cached registers to struct cpu (dirty stays as it is:
 * the caller knows whether the path goes on). */
void x64_cache_writeback(struct x64 *e);
/* Loads every cached register from struct cpu. */
void x64_cache_reload(struct x64 *e);
/* Loads every pinned register from struct cpu (after C code that may have
 * changed them, on the way to another TB's chain entry). */
void x64_pin_reload(struct x64 *e);
/* On the way to another TB's chain entry without a call: the pinned
 * registers this TB kept in struct cpu (unpinned) get their values. */
void x64_cache_handoff(struct x64 *e);
/* Stores the pinned registers in `which` (bit i: guest register i) to struct cpu. */
void x64_pin_store(struct x64 *e, uint8_t which);

/* mov r32/r64, [rbx + disp] (w: 64-bit; 32-bit loads zero-extend). Only
 * x64_mov_rr, x64_alu_rr, x64_alu_imm, these two and the cache's own
 * moves encode r8-r15. */
void x64_load(struct x64 *e, unsigned reg, int32_t disp, bool w);
/* mov [rbx + disp], r64 */
void x64_store64(struct x64 *e, int32_t disp, unsigned reg);
/* op dst, src (32- or 64-bit; 32-bit results zero-extend) */
void x64_alu_rr(struct x64 *e, enum x64_alu op, unsigned dst, unsigned src, bool w);
void x64_mov_rr(struct x64 *e, unsigned dst, unsigned src, bool w);
/* reg = imm, in the shortest form */
void x64_mov_imm(struct x64 *e, unsigned reg, uint64_t imm);
/* shl r64, n */
void x64_shl(struct x64 *e, unsigned reg, unsigned n);
/* mov word [rbx + disp], imm16 */
void x64_store_imm16(struct x64 *e, int32_t disp, uint16_t imm);
/* add {word,dword,qword} [base + disp], imm (base X_RBX or X_RBP) */
void x64_add_mem(struct x64 *e, unsigned base, int32_t disp, uint32_t imm, unsigned width);
/* int fn(struct vcpu *v (rbx), struct rem_state *r (rbp)) */
void x64_prologue(struct x64 *e);
/* Returns value, or eax as it is when keep_eax. */
void x64_return(struct x64 *e, bool keep_eax, uint32_t value);
/* eax = fn(v, arg1) */
void x64_call(struct x64 *e, const void *fn, uint64_t arg1);
/* the same, the cached registers in r8-r11 kept */
void x64_call_keep(struct x64 *e, const void *fn, uint64_t arg1);
/* the same, rem_state.cur set first */
void x64_call_cur(struct x64 *e, const void *fn, uint64_t arg1);
/* Returns eax when it is not zero. */
void x64_return_if_eax(struct x64 *e);
/* add r64, simm32 */
void x64_add_imm(struct x64 *e, unsigned reg, int32_t imm);
void x64_test_rax(struct x64 *e);
void x64_test_eax(struct x64 *e);
/* jz / jmp rel32, to be aimed by x64_patch at the current position */
uint8_t *x64_jz(struct x64 *e);
uint8_t *x64_jmp(struct x64 *e);
/* j<cc> rel32 (cc: the x86 condition code, as in the guest's opcode) */
uint8_t *x64_jcc(struct x64 *e, unsigned cc);
void x64_patch(struct x64 *e, uint8_t *at);
/* Aims the rel32 at `at` (written through rw, run at rx) at rx target `to`. */
void x64_patch_rel32(uint8_t *at_rw, const uint8_t *at_rx, const void *to);

/* op reg, [base + disp32] / op [base + disp32], reg: any opcode with a
 * ModRM (w: REX.W); base X_RBX, X_RBP or X_RAX */
void x64_mem(struct x64 *e, bool w, uint8_t opc, unsigned reg, unsigned base, int32_t disp);
/* op reg, [base + idx + disp32] (registers rax..rdi, idx not rsp) */
void x64_mem_idx(struct x64 *e, bool w, uint8_t opc, unsigned reg, unsigned base, unsigned idx, int32_t disp);
/* op reg, [base + rcx + disp32] (base X_RBX or X_RBP) */
void x64_mem_rcx_base(struct x64 *e, bool w, uint8_t opc, unsigned reg, unsigned base, int32_t disp);
/* group-1 op r, imm32 (ext: the ModRM.reg opcode extension, 0 add .. 7 cmp) */
void x64_alu_imm(struct x64 *e, unsigned ext, unsigned reg, uint32_t imm, bool w);
/* group-2 shift r, n (ext: 4 shl, 5 shr, 7 sar) */
void x64_shift_imm(struct x64 *e, unsigned ext, unsigned reg, unsigned n, bool w);
/* the same at an operand size of 1 (al..bl), 2, 4 or 8 bytes */
void x64_shift_imm_sz(struct x64 *e, unsigned ext, unsigned reg, unsigned n, unsigned size);
/* group-2 shift r, cl */
void x64_shift_cl(struct x64 *e, unsigned ext, unsigned reg, bool w);
/* reg32 *= 3 (lea) */
void x64_times3(struct x64 *e, unsigned reg);
/* ecx = the host flags LAHF gives (SF ZF AF PF CF in bits 7..0) & mask */
void x64_lahf_ecx(struct x64 *e, uint8_t mask);
/* seto dl; movzx edx, dl */
void x64_seto_dl(struct x64 *e);
void x64_movzx_edx_dl(struct x64 *e);
/* imul dst, src (0F AF); imul r32, r32, imm32 */
void x64_imul_rr(struct x64 *e, unsigned dst, unsigned src, bool w);
void x64_imul_imm32(struct x64 *e, unsigned reg, uint32_t imm);
/* mov byte [rbx + disp], imm8 */
void x64_store_imm8(struct x64 *e, int32_t disp, uint8_t imm);
/* reg = [base + disp] of size 1, 2 (zero-extended to 32 bits), 4 or 8 */
void x64_load_sz(struct x64 *e, unsigned reg, unsigned base, int32_t disp, unsigned size);
/* [base + disp] = reg's low 1, 2, 4 or 8 bytes (reg 0-3 for a byte) */
void x64_store_sz(struct x64 *e, unsigned base, int32_t disp, unsigned reg, unsigned size);
/* reg = [base + disp] of size 1, 2 or 4, sign-extended to 64 bits */
void x64_load_sx(struct x64 *e, unsigned reg, unsigned base, int32_t disp, unsigned size);
/* setcc cl (cc: the x86 condition code); movzx ecx, cl not needed: the byte is stored */
void x64_setcc_cl(struct x64 *e, unsigned cc);
/* setcc al; movzx eax, al */
void x64_setcc_eax(struct x64 *e, unsigned cc);
/* cmovcc dst, src */
void x64_cmov(struct x64 *e, unsigned cc, unsigned dst, unsigned src, bool w);
/* jmp rax */
void x64_jmp_rax(struct x64 *e);
/* mov dword [base + disp], imm32 (base X_RBX or X_RBP) */
void x64_store_imm32(struct x64 *e, unsigned base, int32_t disp, uint32_t imm);
/* mov qword [base + disp], simm32 (base X_RBX or X_RBP) */
void x64_store_simm32_q(struct x64 *e, unsigned base, int32_t disp, int32_t imm);
/* sub qword [base + disp], imm32 (CF set on a borrow) */
void x64_sub_mem64(struct x64 *e, unsigned base, int32_t disp, uint32_t imm);
/* cmp r32, imm32 */
void x64_cmp_imm32(struct x64 *e, unsigned reg, uint32_t imm);
/* test r32, imm32 */
void x64_test_imm32(struct x64 *e, unsigned reg, uint32_t imm);
/* cmp dword [rax], imm32 */
void x64_cmp_at_rax(struct x64 *e, uint32_t imm);
/* j<cc> rel32 to `to`, already emitted */
void x64_jcc_to(struct x64 *e, unsigned cc, const uint8_t *to);
/* test byte [base + disp], imm8 */
void x64_test_mem8(struct x64 *e, unsigned base, int32_t disp, uint8_t imm);
/* lea dst64, [src + disp8] */
void x64_lea8(struct x64 *e, unsigned dst, unsigned src, int8_t disp);
/* lea dst, [base + idx << scale_log2 + disp32] (idx -1: none; any
 * registers but idx rsp), 64- or 32-bit (w) */
void x64_lea(struct x64 *e, unsigned dst, unsigned base, int idx, unsigned scale_log2, int32_t disp, bool w);
/* test dword [rbx + disp], imm32 */
void x64_test_mem32(struct x64 *e, int32_t disp, uint32_t imm);
/* r64 = [reg + disp] with any base register (0-7, not rsp/rbp as base here) */
void x64_load_base(struct x64 *e, unsigned reg, unsigned base, int32_t disp, bool w);
/* cmp/add/test dst, src at an operand size of 1, 2, 4 or 8 bytes: only the
 * host flags matter (CMP and TEST write nothing else; ADD writes dst) */
enum x64_flagop { X_F_CMP, X_F_ADD, X_F_TEST };
void x64_flagop(struct x64 *e, enum x64_flagop op, unsigned dst, unsigned src, unsigned size);
/* [pfx] opc (one byte, or two with 0F first) with ModRM mod=11, reg =
 * reg (a register or a ModRM.reg opcode extension), rm = rm; REX as
 * needed (W when w); then imm8 unless it is negative */
void x64_op_rr(struct x64 *e, uint8_t pfx, uint16_t opc, unsigned reg, unsigned rm, bool w, int imm8);
/* push reg; popfq (reg 0-7) */
void x64_popf(struct x64 *e, unsigned reg);
/* bswap r32/r64 */
void x64_bswap(struct x64 *e, unsigned reg, bool w);

/* Host SSE forms on xmm0-xmm7 (no REX): [pfx] 0F opc with ModRM reg = xreg
 * and rm = [base + disp32] (base X_RBX or X_RAX)... */
void x64_sse_mem(struct x64 *e, uint8_t pfx, uint8_t opc, unsigned xreg, unsigned base, int32_t disp);
/* ...or rm = register rm (mod=11; reg may be a ModRM.reg extension or a
 * general register below 8), then imm8 unless it is negative */
void x64_sse_rr(struct x64 *e, uint8_t pfx, uint8_t opc, unsigned reg, unsigned rm, int imm8);
/* 66 0F map opc, ModRM mod=11 (map 0x38 or 0x3A: SSSE3/SSE4), then imm8
 * unless it is negative: the caller checked the host has the form */
void x64_sse3_rr(struct x64 *e, uint8_t map, uint8_t opc, unsigned reg, unsigned rm, int imm8);

#endif
