/* Differential testing of IEM against Unicorn: shared types.
 *
 * diff_gen.c generates instructions one small batch at a time from the
 * current (reference) register state, so that memory operands, string
 * pointers, stack depth and divisors can be chosen to land inside the data
 * page and never fault. diff_run.c runs a batch instruction by instruction
 * in pcvm and in Unicorn and compares the architectural state, using the
 * per-instruction mask of defined flags the generator attaches.
 */
#ifndef PCVM_TEST_DIFF_GEN_H
#define PCVM_TEST_DIFF_GEN_H

#include <stdbool.h>
#include <stdint.h>

/* Guest memory layout, identical in both emulators (all below 64 KiB so real
 * mode reaches it with segment bases of 0). */
#define D_IVT_HANDLERS 0x0800u /* real mode: vector v enters at 0x800 + v (HLT) */
#define D_GDT 0x0a00u
#define D_IDT 0x0b00u
#define D_CODE 0x1000u /* code of one sequence, up to 8 KiB */
#define D_CODE_END 0x3000u
#define D_STACK 0x3000u /* one page; ESP stays inside [D_STACK+64, D_STACK+0x1000-64] */
#define D_DATA 0x5000u  /* one page of random data; every memory operand lands in it */
#define D_MEM_SIZE 0x10000u
/* Long mode only (pcvm's page tables and 16-byte IDT; Unicorn needs none). */
#define D_IDT64 0x6000u
#define D_PML4 0x8000u /* PML4 -> PDPT -> PD of 2 MiB pages over the first 16 MiB */
#define D_PDPT 0x9000u
#define D_PD 0xa000u

#define D_ARITH 0x08d5u /* OF SF ZF AF PF CF */

enum d_mode { D_PM32, D_REAL16, D_LONG64 };

struct dstate {
    uint64_t r[16]; /* RAX RCX RDX RBX RSP RBP RSI RDI R8-R15 (only the low 32 bits of r[0..7] outside long mode) */
    uint64_t eip;   /* EIP / RIP */
    uint32_t fl;
};

/* One generated instruction. */
struct dinsn {
    uint8_t b[16];
    uint8_t len;
    uint8_t osz;      /* operand size in bytes (0: not applicable) */
    uint32_t addr;
    uint16_t def;     /* arithmetic flags (D_ARITH bits) defined after it */
    int8_t undef_reg; /* register left undefined (SDM), or -1 */
    uint8_t nexits;   /* addresses execution may continue at */
    uint32_t exit[2];
    const char *name; /* template name, "fixup" for helper MOVs */
};

struct dgen {
    uint64_t rng;
    enum d_mode mode;
    const uint8_t *mem; /* current guest memory (the reference's) */
    unsigned size_bias; /* 0: random sizes; else force 1, 2, 4 (or 8) */
};

/* The instructions of one batch being generated (diff_gen.c, diff_gen64.c). */
struct batch {
    struct dgen *g;
    struct dinsn *out;
    unsigned n;
    uint64_t addr;
    struct dstate st; /* state after the fixups emitted so far */
};
struct dinsn *d_insn_new(struct batch *b, const char *name);
void d_insn_put(struct dinsn *d, uint64_t v, unsigned n); /* n little-endian bytes */
void d_insn_done(struct batch *b, struct dinsn *d);       /* placed at b->addr, falls through */

uint64_t d_rand(uint64_t *s);
static inline uint32_t d_rand32(uint64_t *s) { return (uint32_t)(d_rand(s) >> 32); }
static inline unsigned d_below(uint64_t *s, unsigned n) { return (unsigned)(d_rand(s) >> 33) % n; }
uint32_t d_interesting(uint64_t *s); /* edge values, small values or random */
uint64_t d_interesting64(uint64_t *s);

/* Random initial state: registers, flags (OSZAPC, DF), ESP in the stack. */
void d_init_state(struct dgen *g, struct dstate *st);

/* Generates the next few instructions at st->eip given the state. Returns
 * how many (helper MOVs first, the main instruction, maybe a filler a branch
 * may skip), at most 8. */
unsigned d_gen_batch(struct dgen *g, const struct dstate *st, struct dinsn *out);
/* The initial state for 64-bit mode (diff_gen64.c). */
void d_init_state64(struct dgen *g, struct dstate *st);

/* Defined arithmetic flags after a shift/rotate (ModRM.reg `ext`) of a
 * `bits`-wide operand by `count` (before masking to 5 bits, 6 for 64-bit
 * operands), SDM vol. 2B SAL/SAR/SHL/SHR
 * and RCL/RCR/ROL/ROR "Flags Affected". */
uint16_t d_shift_def(unsigned ext, unsigned bits, unsigned count);
/* Narrows in->def by the known-bug tables; false when the case must not run. */
bool d_apply_known(struct dinsn *in, enum d_mode mode);

/* Templates whose comparison is narrowed because one emulator is known to be
 * wrong (tables in test_unicorn.c). */
struct d_known {
    const char *name;  /* template name, or "name/16" "name/32" for one operand size */
    int mode;          /* enum d_mode, or -1 for both */
    uint16_t ignore;   /* flags not compared; 0xffff: template not generated */
    const char *why;
};
extern const struct d_known known_pcvm_bugs[];
extern const struct d_known known_unicorn_bugs[];

/* ---- runner (diff_run.c) ---- */
struct dctx;
struct dctx *d_open(enum d_mode mode);
/* Runs pcvm's side on REM's first tier (translation blocks) instead of IEM. */
bool d_use_rem(struct dctx *c);
void d_close(struct dctx *c);
/* Runs `insns` random instructions in sequences of about `seqlen`; returns
 * the number of mismatching sequences (each reported on stderr, up to a
 * limit). */
unsigned d_run_random(struct dctx *c, uint64_t seed, uint64_t insns, unsigned seqlen,
                      uint64_t *ran);
/* Runs one instruction from `st`; returns true when both agree. */
bool d_run_one(struct dctx *c, const struct dstate *st, const struct dinsn *in);
/* Runs `in`, which must raise `vector` in both emulators. */
bool d_run_fault(struct dctx *c, const struct dstate *st, const struct dinsn *in, unsigned vector);
/* The same for pcvm alone (where Unicorn cannot judge: known_unicorn_bugs). */
bool d_run_fault_pcvm(struct dctx *c, const struct dstate *st, const struct dinsn *in, unsigned vector);
uint64_t d_executed(const struct dctx *c);

/* String instructions over several pages: [D_STR_LO, d_str_hi(mode)) is
 * filled with the same pattern in both and compared after the run. In
 * pm32 the guest pages 4 KiB identity with CR0.WP, D_STR_NP_LOW and
 * D_STR_NP not present and D_STR_RO read-only. */
#define D_STR_LO     0x3000u
#define D_STR_NP_LOW 0x2000u
#define D_STR_RO     0x6000u
#define D_STR_NP     0x7000u
static inline uint32_t d_str_hi(enum d_mode mode) { return mode == D_LONG64 ? 0x6000u : 0x9000u; }
/* Runs `in` (a REP string instruction) to its end in both: pcvm until RIP
 * leaves it, Unicorn to the next instruction. Returns -2 when they
 * disagree (reported), -1 when both finished, else the vector both
 * raised: the registers but ESP must then be the restart state in both. */
int d_run_string(struct dctx *c, const struct dstate *st, const struct dinsn *in);

#endif
