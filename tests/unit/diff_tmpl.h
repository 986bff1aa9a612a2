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
enum { Z_N, Z_B, Z_V, Z_D };             /* no size, byte, 16/32, 32 only */
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
};

extern const struct tmpl d_tmpls[];
extern const unsigned d_ntmpl;

#endif
