/* The instruction templates: opcode, ModRM form, operand size, immediate,
 * which operands are written, the flags the SDM defines afterwards (vol. 2,
 * each instruction's "Flags Affected"), the special generation rule, and
 * the modes that have it. 64-bit mode drops BCD, PUSHA/POPA, 0x82 and the
 * one-byte INC/DEC (now REX), adds MOVSXD and CMPXCHG16B (REX.W), and runs
 * stack operations at their 64-bit default size (Z_S, which is Z_V in the
 * other modes). The 64-bit generator (diff_gen64.c) adds REX prefixes: REX.W
 * for 64-bit operands (Z_V, Z_D), REX.R/X/B for R8-R15, and a bare REX for
 * SPL/BPL/SIL/DIL. */
#include "diff_gen.h"
#include "diff_tmpl.h"

static const struct tmpl d_tmpls[] = {
    ALU("add", 0, ALL, 3), ALU("or", 1, LOGIC, 3), ALU("adc", 2, ALL, 3), ALU("sbb", 3, ALL, 3),
    ALU("and", 4, LOGIC, 3), ALU("sub", 5, ALL, 3), ALU("xor", 6, LOGIC, 3), ALU("cmp", 7, ALL, 0),
    TM_(MD_LEGACY, "add", 0x82, K_GRP, 0, Z_B, I_B, M_ANY, W_RM, ALL, 0, 0),
    TM_(MD_LEGACY, "sub", 0x82, K_GRP, 5, Z_B, I_B, M_ANY, W_RM, ALL, 0, 0),
    R("test", 0x84, Z_B, 0, LOGIC), R("test", 0x85, Z_V, 0, LOGIC),
    T_("test", 0xa8, K_NONE, 0, Z_B, I_B, M_ANY, 0, LOGIC, 0, 0),
    T_("test", 0xa9, K_NONE, 0, Z_V, I_V, M_ANY, 0, LOGIC, 0, 0),
    G("test", 0xf6, 0, Z_B, I_B, 0, LOGIC, 0), G("test", 0xf7, 0, Z_V, I_V, 0, LOGIC, 0),
    G("not", 0xf6, 2, Z_B, I_0, W_RM, ALL, 0), G("not", 0xf7, 2, Z_V, I_0, W_RM, ALL, 0),
    G("neg", 0xf6, 3, Z_B, I_0, W_RM, ALL, 0), G("neg", 0xf7, 3, Z_V, I_0, W_RM, ALL, 0),
    G("inc", 0xfe, 0, Z_B, I_0, W_RM, ALL, 0), G("inc", 0xff, 0, Z_V, I_0, W_RM, ALL, 0),
    G("dec", 0xfe, 1, Z_B, I_0, W_RM, ALL, 0), G("dec", 0xff, 1, Z_V, I_0, W_RM, ALL, 0),
    TM_(MD_LEGACY, "inc", 0x40, K_OPR, 0, Z_V, I_0, M_REG, W_RM, ALL, 0, 0),
    TM_(MD_LEGACY, "dec", 0x48, K_OPR, 0, Z_V, I_0, M_REG, W_RM, ALL, 0, 0),
    /* MUL/IMUL: only CF and OF are defined (SDM MUL, IMUL "Flags Affected"). */
    G("mul", 0xf6, 4, Z_B, I_0, 0, OF | CF, 0), G("mul", 0xf7, 4, Z_V, I_0, 0, OF | CF, 0),
    G("imul", 0xf6, 5, Z_B, I_0, 0, OF | CF, 0), G("imul", 0xf7, 5, Z_V, I_0, 0, OF | CF, 0),
    R("imul", 0x0faf, Z_V, W_REG, OF | CF),
    T_("imul", 0x69, K_RMR, 0, Z_V, I_V, M_ANY, W_REG, OF | CF, 0, 0),
    T_("imul", 0x6b, K_RMR, 0, Z_V, I_B, M_ANY, W_REG, OF | CF, 0, 0),
    /* DIV/IDIV: all arithmetic flags undefined. */
    G("div", 0xf6, 6, Z_B, I_0, 0, 0, SP_DIV), G("div", 0xf7, 6, Z_V, I_0, 0, 0, SP_DIV),
    G("idiv", 0xf6, 7, Z_B, I_0, 0, 0, SP_DIV), G("idiv", 0xf7, 7, Z_V, I_0, 0, 0, SP_DIV),
    SHIFTS("rol", 0), SHIFTS("ror", 1), SHIFTS("rcl", 2), SHIFTS("rcr", 3),
    SHIFTS("shl", 4), SHIFTS("shr", 5), SHIFTS("sar", 7),
    T_("shld", 0x0fa4, K_RMR, 0, Z_V, I_CNT, M_ANY, W_RM, 0, SP_SHXD, 0),
    T_("shld", 0x0fa5, K_RMR, 0, Z_V, I_0, M_ANY, W_RM, 0, SP_SHXD, 0),
    T_("shrd", 0x0fac, K_RMR, 0, Z_V, I_CNT, M_ANY, W_RM, 0, SP_SHXD, 0),
    T_("shrd", 0x0fad, K_RMR, 0, Z_V, I_0, M_ANY, W_RM, 0, SP_SHXD, 0),
    /* BCD (SDM DAA/DAS: OF undefined; AAA/AAS: only AF CF; AAM/AAD: only SF ZF PF). */
    TM_(MD_LEGACY, "daa", 0x27, K_NONE, 0, Z_N, I_0, M_ANY, 0, ALL & ~OF, 0, 0),
    TM_(MD_LEGACY, "das", 0x2f, K_NONE, 0, Z_N, I_0, M_ANY, 0, ALL & ~OF, 0, 0),
    TM_(MD_LEGACY, "aaa", 0x37, K_NONE, 0, Z_N, I_0, M_ANY, 0, AF | CF, 0, 0),
    TM_(MD_LEGACY, "aas", 0x3f, K_NONE, 0, Z_N, I_0, M_ANY, 0, AF | CF, 0, 0),
    TM_(MD_LEGACY, "aam", 0xd4, K_NONE, 0, Z_N, I_NZ, M_ANY, 0, SF | ZF | PF, 0, 0),
    TM_(MD_LEGACY, "aad", 0xd5, K_NONE, 0, Z_N, I_B, M_ANY, 0, SF | ZF | PF, 0, 0),
    /* BT*: CF defined, ZF unaffected, OF SF AF PF undefined. */
    T_("bt", 0x0fa3, K_RMR, 0, Z_V, I_0, M_ANY, 0, CF | ZF, SP_BT, 0),
    T_("bts", 0x0fab, K_RMR, 0, Z_V, I_0, M_ANY, W_RM, CF | ZF, SP_BT, 0),
    T_("btr", 0x0fb3, K_RMR, 0, Z_V, I_0, M_ANY, W_RM, CF | ZF, SP_BT, 0),
    T_("btc", 0x0fbb, K_RMR, 0, Z_V, I_0, M_ANY, W_RM, CF | ZF, SP_BT, 0),
    G("bt", 0x0fba, 4, Z_V, I_BIT, 0, CF | ZF, 0), G("bts", 0x0fba, 5, Z_V, I_BIT, W_RM, CF | ZF, 0),
    G("btr", 0x0fba, 6, Z_V, I_BIT, W_RM, CF | ZF, 0), G("btc", 0x0fba, 7, Z_V, I_BIT, W_RM, CF | ZF, 0),
    /* BSF/BSR: only ZF defined; the destination is undefined for a zero source. */
    T_("bsf", 0x0fbc, K_RMR, 0, Z_V, I_0, M_ANY, W_REG, ZF, SP_BSX, 0),
    T_("bsr", 0x0fbd, K_RMR, 0, Z_V, I_0, M_ANY, W_REG, ZF, SP_BSX, 0),
    G("setcc", 0x0f90, 0, Z_B, I_0, W_RM, ALL, 0), R("cmovcc", 0x0f40, Z_V, W_REG, ALL),
    T_("bswap", 0x0fc8, K_OPR, 0, Z_D, I_0, M_REG, W_RM, ALL, 0, 0),
    R("xadd", 0x0fc0, Z_B, W_RM | W_REG, ALL), R("xadd", 0x0fc1, Z_V, W_RM | W_REG, ALL),
    R("cmpxchg", 0x0fb0, Z_B, W_RM, ALL), R("cmpxchg", 0x0fb1, Z_V, W_RM, ALL),
    TM_(MD_LEGACY, "cmpxchg8b", 0x0fc7, K_GRP, 1, Z_N, I_0, M_MEM, 0, ALL, SP_CMPXCHG8B, 0),
    /* REX.W: CMPXCHG16B, 16-byte aligned (else #GP) */
    TM_(MD_64, "cmpxchg8b", 0x0fc7, K_GRP, 1, Z_D, I_0, M_MEM, 0, ALL, SP_CMPXCHG8B, 0),
    R("xchg", 0x86, Z_B, W_RM | W_REG, ALL), R("xchg", 0x87, Z_V, W_RM | W_REG, ALL),
    T_("xchg", 0x90, K_OPR, 0, Z_V, I_0, M_REG, W_RM, ALL, 0, 0),
    R("mov", 0x88, Z_B, W_RM, ALL), R("mov", 0x89, Z_V, W_RM, ALL),
    R("mov", 0x8a, Z_B, W_REG, ALL), R("mov", 0x8b, Z_V, W_REG, ALL),
    T_("mov", 0xb0, K_OPR, 0, Z_B, I_B, M_REG, W_RM, ALL, 0, 0),
    T_("mov", 0xb8, K_OPR, 0, Z_V, I_V, M_REG, W_RM, ALL, 0, 0), /* REX.W: imm64 */
    G("mov", 0xc6, 0, Z_B, I_B, W_RM, ALL, 0), G("mov", 0xc7, 0, Z_V, I_V, W_RM, ALL, 0),
    T_("mov", 0xa0, K_NONE, 0, Z_B, I_0, M_MEM, 0, ALL, SP_MOFFS, 0),
    T_("mov", 0xa1, K_NONE, 0, Z_V, I_0, M_MEM, 0, ALL, SP_MOFFS, 0),
    T_("mov", 0xa2, K_NONE, 0, Z_B, I_0, M_MEM, 0, ALL, SP_MOFFS, 0),
    T_("mov", 0xa3, K_NONE, 0, Z_V, I_0, M_MEM, 0, ALL, SP_MOFFS, 0),
    T_("movzx", 0x0fb6, K_RMR, 0, Z_V, I_0, M_ANY, W_REG, ALL, SP_MOVX, 1),
    T_("movzx", 0x0fb7, K_RMR, 0, Z_V, I_0, M_ANY, W_REG, ALL, SP_MOVX, 2),
    T_("movsx", 0x0fbe, K_RMR, 0, Z_V, I_0, M_ANY, W_REG, ALL, SP_MOVX, 1),
    T_("movsx", 0x0fbf, K_RMR, 0, Z_V, I_0, M_ANY, W_REG, ALL, SP_MOVX, 2),
    TM_(MD_64, "movsxd", 0x63, K_RMR, 0, Z_V, I_0, M_ANY, W_REG, ALL, SP_MOVX, 4),
    T_("lea", 0x8d, K_RMR, 0, Z_V, I_0, M_MEM, W_REG, ALL, 0, 0),
    N("cbw", 0x98, Z_V, ALL, 0), N("cwd", 0x99, Z_V, ALL, 0),
    N("lahf", 0x9f, Z_N, ALL, 0), N("sahf", 0x9e, Z_N, ALL, 0),
    N("clc", 0xf8, Z_N, ALL, 0), N("stc", 0xf9, Z_N, ALL, 0), N("cmc", 0xf5, Z_N, ALL, 0),
    N("cld", 0xfc, Z_N, ALL, 0), N("std", 0xfd, Z_N, ALL, 0), N("nop", 0x90, Z_N, ALL, 0),
    N("xlat", 0xd7, Z_N, ALL, SP_XLAT),
    N("movs", 0xa4, Z_B, ALL, SP_STR), N("movs", 0xa5, Z_V, ALL, SP_STR),
    N("cmps", 0xa6, Z_B, ALL, SP_STR), N("cmps", 0xa7, Z_V, ALL, SP_STR),
    N("stos", 0xaa, Z_B, ALL, SP_STR), N("stos", 0xab, Z_V, ALL, SP_STR),
    N("lods", 0xac, Z_B, ALL, SP_STR), N("lods", 0xad, Z_V, ALL, SP_STR),
    N("scas", 0xae, Z_B, ALL, SP_STR), N("scas", 0xaf, Z_V, ALL, SP_STR),
    T_("push", 0x50, K_OPR, 0, Z_S, I_0, M_REG, 0, ALL, SP_PUSH, 0),
    T_("pop", 0x58, K_OPR, 0, Z_S, I_0, M_REG, W_RM, ALL, SP_POP, 0),
    T_("push", 0x68, K_NONE, 0, Z_S, I_V, M_ANY, 0, ALL, SP_PUSH, 0),
    T_("push", 0x6a, K_NONE, 0, Z_S, I_B, M_ANY, 0, ALL, SP_PUSH, 0),
    G("push", 0xff, 6, Z_S, I_0, 0, ALL, SP_PUSH), G("pop", 0x8f, 0, Z_S, I_0, W_RM, ALL, SP_POP),
    N("pushf", 0x9c, Z_S, ALL, SP_PUSH), N("popf", 0x9d, Z_S, ALL, SP_POPF),
    TM_(MD_LEGACY, "pusha", 0x60, K_NONE, 0, Z_V, I_0, M_ANY, 0, ALL, SP_PUSHA, 0),
    TM_(MD_LEGACY, "popa", 0x61, K_NONE, 0, Z_V, I_0, M_ANY, 0, ALL, SP_POPA, 0),
    N("leave", 0xc9, Z_S, ALL, SP_LEAVE), N("enter", 0xc8, Z_S, ALL, SP_ENTER),
    N("jcc", 0x70, Z_N, ALL, SP_JCC), N("jcc", 0x0f80, Z_N, ALL, SP_JCC),
    N("jmp", 0xeb, Z_N, ALL, SP_JCC), N("jmp", 0xe9, Z_N, ALL, SP_JCC),
    N("loopne", 0xe0, Z_N, ALL, SP_LOOP), N("loope", 0xe1, Z_N, ALL, SP_LOOP),
    N("loop", 0xe2, Z_N, ALL, SP_LOOP), N("jcxz", 0xe3, Z_N, ALL, SP_LOOP),
    N("call", 0xe8, Z_N, ALL, SP_CALL0), N("ret", 0xc3, Z_N, ALL, SP_RET), N("ret", 0xc2, Z_N, ALL, SP_RET),
};

const struct tmpl *d_pick_tmpl(struct dgen *g, bool long64)
{
    const unsigned n = sizeof d_tmpls / sizeof d_tmpls[0];
    for (;;) {
        const struct tmpl *t = &d_tmpls[d_below(&g->rng, n)];
        if (t->md == MD_ALL || t->md == (long64 ? MD_64 : MD_LEGACY))
            return t;
    }
}
