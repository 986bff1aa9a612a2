/* Instruction templates of the differential test (table: diff_tmpl.c). */
#ifndef PCVM_TEST_DIFF_TMPL_H
#define PCVM_TEST_DIFF_TMPL_H

#include <stdint.h>

#include "diff_gen.h"

#define OF 0x800u
#define SF 0x80u
#define ZF 0x40u
#define AF 0x10u
#define PF 0x04u
#define CF 0x01u
#define ALL D_ARITH
#define LOGIC (ALL & ~AF) /* AND OR XOR TEST: AF undefined */
#define DFL 0x400u

enum { K_NONE, K_RMR, K_GRP, K_OPR };
enum { Z_N, Z_B, Z_V, Z_D, Z_S };        /* no size, byte, 16/32(/64), 32(/64 with REX.W), stack (64 or 16) */
enum { I_0, I_B, I_V, I_W, I_CNT, I_NZ, I_BIT }; /* immediates */
enum { M_ANY, M_REG, M_MEM };
enum { W_RM = 1, W_REG = 2 };
enum { SP_NONE, SP_SHIFT, SP_SHXD, SP_DIV, SP_BSX, SP_BT, SP_STR, SP_PUSH, SP_POP, SP_POPF, SP_PUSHA,
       SP_POPA, SP_JCC, SP_LOOP, SP_CALL0, SP_RET, SP_XLAT, SP_LEAVE, SP_ENTER, SP_MOFFS, SP_MOVX,
       SP_CMPXCHG8B, SP_NOESP };

struct tmpl {
    const char *name;
    uint16_t op; /* 0x0fXX for two-byte opcodes */
    uint8_t kind, ext, size, imm, rm, wr;
    uint16_t def;
    uint8_t sp, aux;
    uint8_t md; /* the modes that have it: MD_ALL, MD_LEGACY or MD_64 */
};

enum { MD_ALL, MD_LEGACY, MD_64 };

/* A random template that exists in 64-bit mode (long64) or in the others. */
const struct tmpl *d_pick_tmpl(struct dgen *g, bool long64);
/* Encodes t in 64-bit mode with its helper MOVs (diff_gen64.c); false when
 * the random choices do not make a valid instruction. */
bool d_gen64(struct batch *b, const struct tmpl *t);


/* Table-building shorthands. */
#define T_(n, o, k, e, z, i, m, w, d, s, a) {n, o, k, e, z, i, m, w, d, s, a, MD_ALL}
#define TM_(md, n, o, k, e, z, i, m, w, d, s, a) {n, o, k, e, z, i, m, w, d, s, a, md}
#define ALU(n, i, d, w)                                                     \
    T_(n, 0x00 + 8 * i, K_RMR, 0, Z_B, I_0, M_ANY, W_RM & w, d, 0, 0),      \
    T_(n, 0x01 + 8 * i, K_RMR, 0, Z_V, I_0, M_ANY, W_RM & w, d, 0, 0),      \
    T_(n, 0x02 + 8 * i, K_RMR, 0, Z_B, I_0, M_ANY, W_REG & w, d, 0, 0),     \
    T_(n, 0x03 + 8 * i, K_RMR, 0, Z_V, I_0, M_ANY, W_REG & w, d, 0, 0),     \
    T_(n, 0x04 + 8 * i, K_NONE, 0, Z_B, I_B, M_ANY, 0, d, 0, 0),            \
    T_(n, 0x05 + 8 * i, K_NONE, 0, Z_V, I_V, M_ANY, 0, d, 0, 0),            \
    T_(n, 0x80, K_GRP, i, Z_B, I_B, M_ANY, W_RM & w, d, 0, 0),              \
    T_(n, 0x81, K_GRP, i, Z_V, I_V, M_ANY, W_RM & w, d, 0, 0),              \
    T_(n, 0x83, K_GRP, i, Z_V, I_B, M_ANY, W_RM & w, d, 0, 0)
#define G(n, o, e, z, i, w, d, s) T_(n, o, K_GRP, e, z, i, M_ANY, w, d, s, 0)
#define R(n, o, z, w, d) T_(n, o, K_RMR, 0, z, I_0, M_ANY, w, d, 0, 0)
#define N(n, o, z, d, s) T_(n, o, K_NONE, 0, z, I_0, M_ANY, 0, d, s, 0)
#define SHIFTS(n, e)                                                        \
    G(n, 0xc0, e, Z_B, I_CNT, W_RM, 0, SP_SHIFT), G(n, 0xc1, e, Z_V, I_CNT, W_RM, 0, SP_SHIFT), \
    G(n, 0xd0, e, Z_B, I_0, W_RM, 0, SP_SHIFT), G(n, 0xd1, e, Z_V, I_0, W_RM, 0, SP_SHIFT),     \
    G(n, 0xd2, e, Z_B, I_0, W_RM, 0, SP_SHIFT), G(n, 0xd3, e, Z_V, I_0, W_RM, 0, SP_SHIFT)

#endif
