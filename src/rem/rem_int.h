/* REM internals shared by the first tier (rem.c) and the native code
 * generator (rem_native.c, rem_x64.c). Only src/rem/ includes this. */
#ifndef PCVM_REM_INT_H
#define PCVM_REM_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/iem.h"

#define REM_TB_MAX 32 /* instructions per TB */
#define REM_HASH 32768
#define REM_JC 16384

/* rem_key bit: CS's limit is 4 GiB, so no 32-bit near branch can pass it
 * (compiled code takes such branches without a check). */
#define REM_KEY_FLAT 0x200u
/* rem_key bit: CR4.LA57, the linear-address width compiled code's
 * canonical checks assume (it only changes outside long mode) */
#define REM_KEY_LA57 0x400u
/* rem_key bit: 32-bit protected mode with ES, SS and DS flat
 * (rem_seg_flat): compiled code's inline lookup skips their test; a
 * helper that makes one of them not flat stops the code. */
#define REM_KEY_DFLAT 0x800u

/* A segment memory operands may use without its base or limit: base 0,
 * 4 GiB limit, usable, present, writable data expanding up. */
static inline bool rem_seg_flat(const struct cpu_seg *g)
{
    return g->base == 0 && g->limit == 0xffffffffu && !(g->attr & SEG_UNUSABLE) && (g->attr & SEG_P) &&
           ((g->attr & SEG_TYPE_MASK) & 0xe) == 0x2;
}

static inline bool rem_data_flat(const struct cpu *c)
{
    return (c->cr0 & CR0_PE) && !(c->rflags & F_VM) && !((c->efer & EFER_LMA) && (c->seg[S_CS].attr & SEG_L)) &&
           rem_seg_flat(&c->seg[S_ES]) && rem_seg_flat(&c->seg[S_SS]) && rem_seg_flat(&c->seg[S_DS]);
}

struct rem_link {
    uint64_t lin;   /* linear PC the exit went to */
    uint32_t epoch; /* the TLB epoch when it was made */
    struct rem_tb *tb;
};

struct rem_state;
/* Native code of a TB (and of the TBs it chains to): returns
 * REM_NX_EXIT when a TB left through one of its static exits
 * (rem_state.exit says which, rem_state.cur which TB), REM_NX_STOP when a
 * helper stopped it or a TB ended in a branch only known at run time, and
 * REM_NX_BAIL when a TB's entry checks refused to run it (nothing of that
 * TB ran; RIP is its start). */
typedef int (*rem_native_fn)(struct vcpu *v, struct rem_state *r);
enum { REM_NX_EXIT = 0, REM_NX_STOP = 1, REM_NX_BAIL = 2 };

struct rem_tb {
    uint64_t gpa;         /* guest-physical address of the first byte */
    const uint32_t *genp; /* PGM's code generation of the page */
    uint32_t gen;
    /* A last instruction that runs into the next page: that page's
     * guest-physical address and code generation (genp2 NULL: none). */
    const uint32_t *genp2;
    uint32_t gen2;
    uint64_t gpa2;
    uint32_t key;
    uint16_t ninsns, len; /* instructions, bytes */
    uint32_t execs;
    struct rem_tb *hnext;
    struct rem_link link[2]; /* [0]: past the last instruction, [1]: elsewhere */
    rem_native_fn native;    /* tier 2, or NULL */
    bool no_native;          /* compiling was tried and refused */
    /* Chaining (tier 2): `chain` is where compiled code of another TB may
     * jump to enter this one (the entry checks come first). Exit k of a
     * compiled TB whose target is static and on the same guest page has
     * slot[k], the rel32 (in the code buffer's rw mapping) of a jump that
     * leads to an exit stub until it is aimed at the `chain_same` of the
     * TB at exit_gpa[k]. */
    const uint8_t *chain;
    /* the entry past the code-generation check, for a patched jump from
     * a TB of the same page: that TB's own check covers this one */
    const uint8_t *chain_same;
    uint8_t *slot[2];
    uint8_t *probe[2]; /* slot[k]'s target for such a TB that runs into a second page (rw) */
    uint64_t exit_gpa[2];
    /* The compiled code stores RIP as constants: it runs only at RIP rip0
     * (REM's loop and the jump cache check; a TB on the same page is at
     * the RIP its static exit k stores, exit_rip[k], which chain_link
     * checks). Reached at another RIP (the same page mapped elsewhere),
     * the TB is compiled again for that one, a few times at most. */
    uint64_t rip0, exit_rip[2];
    uint16_t rip_miss;
    uint8_t recompiles;
    struct iem_insn insns[];
};

/* Why compiled code returned to REM's loop (rem_state.why, set by the
 * helper that stopped it, else worked out in rem_exec), why a TB found
 * ran on the first tier instead, and why compiled code's inline jump
 * cache missed (a C call, not a return): --info tb prints them. */
enum rem_why {
    REM_WHY_NONE,
    REM_WHY_EXIT_NOTB,    /* static exit: IEM runs the target */
    REM_WHY_EXIT_COLD,    /* static exit: the target is not compiled */
    REM_WHY_EXIT_NOCHAIN, /* static exit: compiled target chain_link refuses */
    REM_WHY_EXIT_CHAINED, /* static exit: chained now */
    REM_WHY_BAIL_GEN,     /* entry: the code changed */
    REM_WHY_BAIL_FF,      /* entry: an interrupt, NMI or VM request */
    REM_WHY_BAIL_BUDGET,  /* entry: the TB does not fit the slice */
    REM_WHY_NEXT_NOTB,    /* jump cache: no TB in jc or hash */
    REM_WHY_NEXT_COLD,    /* jump cache: TB found, not compiled (or other RIP) */
    REM_WHY_NEXT_FAULT,   /* jump cache: the PC does not translate */
    REM_WHY_BR_CHECK,     /* helper branch: REM's loop checks (RF, shadow...) */
    REM_WHY_STEP_FAULT,   /* helper step: did not retire */
    REM_WHY_STEP_BRANCH,  /* helper step: RIP is not the next instruction */
    REM_WHY_STEP_CODE,    /* helper step: wrote the TB's code */
    REM_WHY_STEP_FULL,    /* helper step: the full path is needed now */
    REM_WHY_STEP_FF,      /* helper step: an interrupt or VM request */
    REM_WHY_STEP_RC,      /* a status for rem_exec's caller (HLT...) */
    REM_WHY_ENDS_TB,      /* the TB ends at a mode change */
    REM_WHY_SLOW,         /* CALL/RET's slow path (a TLB miss) */
    REM_WHY_FT_COLD,      /* first tier: not compiled */
    REM_WHY_FT_RIP,       /* first tier: compiled for another RIP */
    REM_WHY_FT_BUDGET,    /* first tier: the TB does not fit the slice */
    REM_WHY_FT_OTHER,     /* first tier: RF, debug, interrupt shadow */
    REM_WHY_FT_BAIL,      /* first tier: the entry bailed at once */
    REM_WHY_FJC_LIN,      /* inline jump cache: another PC in the slot */
    REM_WHY_FJC_EPOCH,    /* inline jump cache: the TLB epoch moved */
    REM_WHY_FJC_KEY,      /* inline jump cache: another mode */
    REM_WHY_FJC_NONE,     /* no inline jump cache (not flat) */
    REM_WHY_FJC_RENEWED,  /* ... of fjc:epoch, renewed without a lookup */
    REM_WHY_N
};

struct rem_stats {
    uint64_t lookups, jc_hits, hash_hits, link_hits, builds, flushes, iem_steps, tb_runs;
    uint64_t compiled, native_runs, native_insns, native_exits, chained, jc_native;
    uint64_t execs; /* rem_exec calls (slices) */
    uint64_t why[REM_WHY_N];
};

/* The code buffer: one memfd mapped twice, written through `rw` and run
 * through `rx`, so no page is ever writable and executable at once. */
/* The code buffer: TBs' straight-line code fills [0, cold) from `used`
 * on, their rare paths (TLB misses, helper steps) [cold, size) from
 * cold_used on, so the common path runs without taken jumps over them. */
struct rem_code {
    uint8_t *rw, *rx;
    size_t size, used, cold, cold_used;
};

static inline bool rem_code_full(const struct rem_code *cb)
{
    return cb->used + 4096 > cb->cold || cb->cold_used + 4096 > cb->size;
}

static inline void rem_code_reset(struct rem_code *cb)
{
    cb->used = 0;
    cb->cold_used = cb->cold;
}

/* The jump cache compiled code reads itself: a hit jumps to `chain`
 * straight away. tag = the TLB epoch << 32 | the TB's key when filled, so
 * an entry is void once a flush or a CR3 load could have changed what
 * lin translates to, or in another mode; the TB's own entry checks the
 * rest (its code generation). For a TB on a page whose translation is
 * global, tag = the global epoch << 32 | REM_FJC_GLOBAL | key: it stays
 * good across CR3 loads (rem_fjc_tag). */
#define REM_FJC 16384
#define REM_FJC_GLOBAL 0x40000000u /* above every key bit; an imm32 that does not sign-extend */
struct rem_fjc {
    uint64_t lin, tag;
    const uint8_t *chain;
    /* the TB's guest-physical address (~0: it runs into a second page,
     * or not 64-bit code): after a TLB epoch change, a PC that still
     * translates there finds the same TB (rem_fjc_miss) */
    uint64_t gpa;
};

struct rem_state {
    uint8_t *arena;
    size_t size, used;
    struct rem_tb *hash[REM_HASH];
    struct rem_tb *jc[REM_JC];
    struct rem_stats st;
    struct rem_code code;
    unsigned tier; /* 1: TBs only; 2: hot TBs compiled */
    unsigned hot;  /* runs before a TB is compiled */
    /* set by the native helpers for REM's loop */
    struct rem_tb *cur;
    /* instructions the native code ran that did not retire (faulted):
     * with vcpu.insns' growth, what it ran */
    uint64_t native_n;
    int native_rc;     /* a status to return from rem_exec, or IEM_OK */
    /* vcpu.insns may not pass it: while compiled code runs, vcpu.insns is
     * limit - vcpu.run.left (rem_native.c's invariants) */
    uint64_t limit;
    uint32_t exit;     /* REM_NX_EXIT: the exit index */
    uint32_t why;      /* REM_NX_STOP: enum rem_why when a helper knows it */
    /* the vCPU requests a TB's entry bails on: an NMI, VM requests
     * (VCPU_FF_VM), a timer for before the slice ends (VCPU_FF_TIMER), and
     * an interrupt when EFLAGS.IF is set (rem_ff_mask,
     * kept by the sync and each helper step) */
    uint32_t ff_mask;
    /* For the TLB lookup compiled code inlines (pgm/tlb.h), as of the
     * last sync (rem_native_sync): the context part of the tag, the
     * address space's slot offset, and the segments that are flat (base 0, no limit to
     * check, usable for reads and writes) as bits 1 << S_xx. */
    uint64_t tlb_ctx;
    uint32_t tlb_salt; /* tlb_salt(tlb_ctx) << 5: the slot's byte offset */
    uint32_t flat;
    struct rem_fjc fjc[REM_FJC];
};

static inline bool rem_tb_valid(const struct rem_tb *tb)
{
    return *tb->genp == tb->gen && (!tb->genp2 || *tb->genp2 == tb->gen2);
}

/* Whether iem_take_interrupt could deliver something now. */
static inline bool rem_intr_possible(const struct cpu *c, unsigned ff)
{
    const unsigned intr = VCPU_FF_INTERRUPT_PIC | VCPU_FF_INTERRUPT_APIC | VCPU_FF_NMI;
    return (ff & VCPU_FF_NMI) || ((ff & intr) && (c->rflags & F_IF));
}

static inline uint32_t rem_ff_mask(const struct cpu *c)
{
    return VCPU_FF_NMI | VCPU_FF_VM | VCPU_FF_TIMER | (c->rflags & F_IF ? VCPU_FF_INTERRUPT_PIC | VCPU_FF_INTERRUPT_APIC : 0);
}

/* vcpu.insns as compiled code has counted them (in vcpu.run.left): for
 * C called from the code, and REM's loop when the code returns. */
static inline uint64_t rem_sync_insns(struct vcpu *v)
{
    return v->insns = v->rem->limit - v->run.left;
}

/* Has the next TB entry return to C when a forced action must be taken. */
static inline void rem_stop_if_pending(struct vcpu *v)
{
    if (atomic_load_explicit(&v->ff, memory_order_relaxed) & v->rem->ff_mask)
        __atomic_store_n(&v->run.stop, ~0u, __ATOMIC_RELAXED);
}

/* rem_native.c: recomputes rem_state's tlb_ctx, flat and ff_mask from
 * the vCPU (before compiled code runs, and after each helper). */
void rem_native_sync(struct vcpu *v);

/* rem.c, for compiled code after a near branch a helper ran: the chain
 * entry of the compiled TB at CS:RIP if REM's loop would run it natively
 * now, else NULL. Looks in the jump cache only: it never builds or
 * compiles, so the code that calls it stays where it is. */
const uint8_t *rem_next_compiled(struct vcpu *v);
/* The same from compiled code that has not left the TB's mode (key) nor
 * changed what REM's loop checks (RF, the debug state, an interrupt
 * shadow, HLT): only the lookup. */
const uint8_t *rem_next_in_mode(struct vcpu *v, uint32_t key);
/* Compiled code's inline jump cache missed: counts why (rem_why FJC_*)
 * and, for an entry only the TLB epoch made stale whose PC translates
 * as before, renews it and returns its chain entry; else NULL. */
const uint8_t *rem_fjc_miss(struct vcpu *v, uint32_t key);
static inline uint64_t rem_fjc_tag(struct vcpu *v, uint32_t key, bool global)
{
    if (global)
        return (uint64_t)atomic_load_explicit(&v->iem.tlb_epoch_g, memory_order_relaxed) << 32 | REM_FJC_GLOBAL |
               key;
    return (uint64_t)atomic_load_explicit(&v->iem.tlb_epoch, memory_order_relaxed) << 32 | key;
}

static inline unsigned rem_fjc_slot(uint64_t lin)
{
    return (unsigned)((lin ^ (lin >> 12)) & (REM_FJC - 1));
}

/* rem_x64.c: the code buffer. */
int rem_code_init(struct rem_code *cb, size_t size);
void rem_code_fini(struct rem_code *cb);
/* rem_native.c: compiles tb into the buffer; false when nothing in it is
 * worth compiling or the buffer is full (the caller flushes). */
bool rem_native_compile(struct vcpu *v, struct rem_tb *tb);
/* rem_trace.c: --trace-tb, one compiled TB (code: its host code as run). */
void rem_trace_tb(struct vcpu *v, const struct rem_tb *tb, const uint8_t *code, size_t len, const uint8_t *cold,
                  size_t cold_len);

#endif
