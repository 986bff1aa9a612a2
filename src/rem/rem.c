/* REM, first tier: translation blocks of pre-decoded IEM instructions.
 *
 * Invariants:
 * - A TB is the decoded form of consecutive bytes of one guest page, RAM
 *   or ROM, for one key (decode mode, CPL, EFLAGS.VM, CR0.PE/PG, SS.B).
 *   It ends at a branch or at anything that may change the mode, paging
 *   or the code (IEM_CTL_ENDS_TB), at the page end or at REM_TB_MAX.
 * - A TB runs only while its page's PGM code generation equals the one
 *   it was built under; the executor rechecks after every instruction, so
 *   a TB that writes its own code ends after that write.
 * - Each instruction runs through iem_step_decoded (iem_step_plain while no
 *   debug feature needs the full path), and interrupts, forced
 *   actions and the budget are checked between instructions exactly where
 *   iem_exec checks them: REM retires the same instructions in the same
 *   order as IEM, only without fetching and decoding them again.
 * - Everything here belongs to one vCPU and only its thread touches it;
 *   other threads reach a TB only through PGM's generations.
 * - The cache is one arena; when it is full it is emptied whole, links and
 *   hash chains included, so no pointer into it outlives it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cpu/decode.h"
#include "pgm/tlb.h"
#include "rem/rem.h"
#include "rem/rem_int.h"
#include "rem/rem_x64.h"
#include "vm/clock.h"

#define REM_MIN_ARENA (4ull << 20)
#define REM_HOT_DEFAULT 16 /* runs before a TB is compiled (--rem-hot) */

int rem_init(struct vcpu *v)
{
    struct vm *vm = v->vm;
    struct rem_state *r = calloc(1, sizeof(*r));
    uint64_t total = vm->cfg.tb_size ? vm->cfg.tb_size : REM_TB_SIZE_DEFAULT;

    if (!r)
        return -ENOMEM;
    r->size = total / (vm->ncpus ? vm->ncpus : 1);
    if (r->size < REM_MIN_ARENA)
        r->size = REM_MIN_ARENA;
    /* reserved without backing: pages cost memory once TBs fill them */
    r->arena =
        mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (r->arena == MAP_FAILED) {
        free(r);
        return -ENOMEM;
    }
    r->tier = vm->cfg.rem_tier ? vm->cfg.rem_tier : 2;
    r->hot = vm->cfg.rem_hot ? vm->cfg.rem_hot : REM_HOT_DEFAULT;
    /* compiled code (inline TLB lookups included) takes about half to
     * two thirds of the decoded form's size: the same reserve (pages cost
     * memory only once code fills them) keeps the code from flushing
     * before the TB cache does */
    if (r->tier >= 2 && rem_code_init(&r->code, r->size) < 0)
        r->tier = 1;
    v->rem = r;
    return 0;
}

void rem_fini(struct vcpu *v)
{
    struct rem_state *r = v->rem;
    if (!r)
        return;
    munmap(r->arena, r->size);
    rem_code_fini(&r->code);
    free(r);
    v->rem = NULL;
}

void rem_flush(struct vcpu *v)
{
    struct rem_state *r = v->rem;
    if (!r)
        return;
    r->used = 0;
    rem_code_reset(&r->code);
    memset(r->hash, 0, sizeof(r->hash));
    memset(r->jc, 0, sizeof(r->jc));
    memset(r->fjc, 0, sizeof(r->fjc));
    /* hand the arena's pages back: a flush must also bound host memory */
    madvise(r->arena, r->size, MADV_DONTNEED);
    r->st.flushes++;
}

/* What the TB's decoding and checks depend on besides its bytes. */
static inline uint32_t rem_key(const struct cpu *c)
{
    unsigned mode = iem_decode_mode(c);
    /* 64-bit code's stack is 64-bit whatever SS says: an interrupt loads
     * a null SS, SYSCALL a flat one, and the kernel code after either
     * must find the same TBs */
    return mode | (uint32_t)c->cpl << 3 | (c->rflags & F_VM ? 0x20u : 0) | (c->cr0 & CR0_PE ? 0x40u : 0) |
           (c->cr0 & CR0_PG ? 0x80u : 0) | (c->seg[S_SS].attr & SEG_DB && mode != DMODE_LONG ? 0x100u : 0) | (c->seg[S_CS].limit == 0xffffffffu ? REM_KEY_FLAT : 0) | (c->cr4 & CR4_LA57 ? REM_KEY_LA57 : 0) | (rem_data_flat(c) ? REM_KEY_DFLAT : 0);
}

static inline unsigned hash_slot(uint64_t gpa, uint32_t key)
{
    return (unsigned)((gpa ^ (gpa >> 12) ^ ((uint64_t)key << 7)) & (REM_HASH - 1));
}

#define tb_valid rem_tb_valid

static size_t tb_bytes(unsigned ninsns)
{
    size_t n = sizeof(struct rem_tb) + ninsns * sizeof(struct iem_insn);
    return (n + 63) & ~(size_t)63;
}

/* The linear address of the page after lin's, as fetching wraps it. */
static uint64_t next_page(uint32_t key, uint64_t lin)
{
    uint64_t n = (lin & ~0xfffull) + 0x1000;
    return (key & 7) == DMODE_LONG ? n : n & 0xffffffffull;
}

/* Decodes the instruction at bytes[0..left) that runs into the page after
 * lin's into in (the TB's last); *gpa2 and *n2 (its bytes there) for the
 * caller, which marks that page. false when it does not decode, cannot be
 * fetched or would pass the CS limit: IEM then runs it. */
static bool decode_crossing(struct vcpu *v, uint32_t key, uint64_t lin, const uint8_t *bytes, unsigned left,
                            uint64_t limit_left, struct iem_insn *in, uint64_t *gpa2, const uint8_t **host2,
                            unsigned *n2)
{
    uint8_t buf[32];
    unsigned more = 15;

    /* with 15 bytes left in the page the decode failed for another reason */
    if (left >= 15 || limit_left <= left)
        return false;
    if (limit_left - left < more)
        more = (unsigned)(limit_left - left);
    if (iem_fetch_translate(v, next_page(key, lin), gpa2) != IEM_OK) {
        v->iem.exc.pending = false; /* IEM fetches again and raises it */
        return false;
    }
    if (!(*host2 = pgm_page_ptr(&v->vm->pgm, *gpa2, false)))
        return false;
    memcpy(buf, bytes, left);
    memcpy(buf + left, *host2, more);
    if (iem_decode_buf(v, key & 7, buf, left + more, in) != 0 || in->len <= left)
        return false;
    *n2 = in->len - left;
    return true;
}

/* Decodes from gpa (lin) until the block ends; NULL when nothing can be
 * translated there (MMIO, an instruction the CS limit cuts, an invalid
 * encoding): IEM then runs that one instruction. An instruction that runs
 * into the next page ends the block, which then depends on both pages. */
static struct rem_tb *tb_build(struct vcpu *v, uint32_t key, uint64_t gpa, uint64_t lin, uint64_t limit_left)
{
    struct rem_state *r = v->rem;
    struct pgm *p = &v->vm->pgm;
    unsigned mode = key & 7, off = 0, n2 = 0, page_left = 0x1000 - (unsigned)(gpa & 0xfff), room = page_left;
    const uint8_t *host = pgm_page_ptr(p, gpa, false), *host2 = NULL;
    uint8_t bytes[0x1000 + 16];
    uint64_t gpa2 = 0;
    struct rem_tb *tb;
    bool newly, ended = false;

    if (!host)
        return NULL;
    host += gpa & 0xfff;
    if (limit_left < page_left)
        page_left = (unsigned)limit_left;
    if (r->size - r->used < tb_bytes(REM_TB_MAX))
        rem_flush(v);
    /* decoded from a copy: another vCPU may be writing the page */
    memcpy(bytes, host, page_left);
    tb = (struct rem_tb *)(r->arena + r->used);
    memset(tb, 0, sizeof(*tb));
    while (tb->ninsns < REM_TB_MAX && off < page_left) {
        struct iem_insn *in = &tb->insns[tb->ninsns];
        if (iem_decode_buf(v, mode, bytes + off, page_left - off, in) != 0)
            break;
        tb->ninsns++;
        off += in->len;
        if ((ended = (in->ctl & IEM_CTL_ENDS_TB) != 0))
            break;
    }
    if (!ended && tb->ninsns < REM_TB_MAX && off < room && page_left == room &&
        decode_crossing(v, key, lin, bytes + off, room - off, limit_left - off, &tb->insns[tb->ninsns], &gpa2,
                        &host2, &n2)) {
        memcpy(bytes + room, host2, n2); /* bytes has room for it */
        tb->ninsns++;
        off = room; /* the rest of the first page is that instruction's */
    }
    if (!tb->ninsns)
        return NULL;
    tb->genp = pgm_code_page(p, gpa, off, &newly);
    if (!tb->genp)
        return NULL;
    if (newly) /* direct write entries to this page must take the slow path now */
        tlb_code_page(v, gpa);
    if (n2) {
        if (!(tb->genp2 = pgm_code_page(p, gpa2, n2, &newly)))
            return NULL;
        if (newly)
            tlb_code_page(v, gpa2);
        tb->gen2 = *tb->genp2;
        tb->gpa2 = gpa2;
    }
    tb->gen = *tb->genp;
    /* From here every write to these bytes bumps the generation; one that
     * came between the copy and the marking shows as a difference. */
    atomic_thread_fence(memory_order_seq_cst);
    if (memcmp(bytes, host, off) || (n2 && memcmp(bytes + room, host2, n2)))
        return NULL;
    tb->gpa = gpa;
    tb->key = key;
    tb->len = (uint16_t)(off + n2);
    r->used += tb_bytes(tb->ninsns);
    unsigned h = hash_slot(gpa, key);
    tb->hnext = r->hash[h];
    r->hash[h] = tb;
    r->st.builds++;
    return tb;
}

/* Whether tb, found for lin, still has the page after lin's where it was
 * built (a TB whose last instruction runs into it). */
static bool tb_page2_ok(struct vcpu *v, const struct rem_tb *tb, uint64_t lin)
{
    uint64_t gpa2;
    if (!tb->genp2)
        return true;
    if (iem_fetch_translate(v, next_page(tb->key, lin), &gpa2) != IEM_OK) {
        v->iem.exc.pending = false;
        return false;
    }
    return gpa2 == tb->gpa2;
}

/* The TB for CS:RIP, found or built; NULL when IEM must run the next
 * instruction (a fetch fault, the CS limit, untranslatable code). */
static struct rem_tb *tb_lookup(struct vcpu *v, uint32_t key, uint64_t lin, uint64_t limit_left)
{
    struct rem_state *r = v->rem;
    struct rem_tb **jc = &r->jc[(lin ^ (lin >> 12)) & (REM_JC - 1)], *tb;
    uint64_t gpa;

    r->st.lookups++;
    if (iem_fetch_translate(v, lin, &gpa) != IEM_OK) {
        v->iem.exc.pending = false; /* IEM fetches again and raises it */
        return NULL;
    }
    tb = *jc;
    if (tb && tb->gpa == gpa && tb->key == key && tb_valid(tb) && tb_page2_ok(v, tb, lin)) {
        r->st.jc_hits++;
    } else {
        for (tb = r->hash[hash_slot(gpa, key)]; tb; tb = tb->hnext)
            if (tb->gpa == gpa && tb->key == key && tb_valid(tb) && tb_page2_ok(v, tb, lin))
                break;
        if (tb)
            r->st.hash_hits++;
        else if (!(tb = tb_build(v, key, gpa, lin, limit_left)))
            return NULL;
        *jc = tb;
    }
    return tb->len <= limit_left ? tb : NULL;
}

/* CS:RIP as a linear address and the bytes the CS limit leaves from
 * there; false when RIP is already past the limit (IEM raises #GP). */
static inline bool rem_pc(const struct cpu *c, uint32_t key, uint64_t *lin, uint64_t *limit_left)
{
    if ((key & 7) == DMODE_LONG) {
        *lin = c->rip;
        *limit_left = ~0ull;
        return true;
    }
    if (c->rip > c->seg[S_CS].limit)
        return false;
    *lin = (c->seg[S_CS].base + c->rip) & 0xffffffffull;
    *limit_left = c->seg[S_CS].limit - c->rip + 1;
    return true;
}

/* Aims exit k of compiled TB `from` at compiled TB `to` when `to` is the
 * TB the exit's static target always finds: the same page (so the same
 * translation) and key (compiled code does not change the mode). A TB
 * running into a second page is looked up each time, in the inline jump
 * cache (its TLB epoch tag covers that page's translation too). */
static bool chain_link(struct rem_state *r, struct rem_tb *from, unsigned k, const struct rem_tb *to)
{
    if (!from->slot[k] || from->exit_gpa[k] != to->gpa || from->key != to->key ||
        from->exit_rip[k] != to->rip0)
        return false;
    const uint8_t *slot_rx = r->code.rx + (from->slot[k] - r->code.rw);
    /* its second page goes by the jump cache, which fjc_fill keeps */
    x64_patch_rel32(from->slot[k], slot_rx, to->genp2 ? r->code.rx + (from->probe[k] - r->code.rw) : to->chain_same);
    from->slot[k] = NULL;
    r->st.chained++;
    return true;
}

/* Remembers tb (compiled, found for lin under the current translation)
 * for compiled code's inline lookup. */
static void fjc_fill(struct vcpu *v, uint64_t lin, const struct rem_tb *tb)
{
    struct rem_fjc *f = &v->rem->fjc[rem_fjc_slot(lin)];
    f->lin = lin;
    f->chain = tb->chain;
    f->gpa = (tb->key & 7) == DMODE_LONG && !tb->genp2 && tb->rip0 == lin ? tb->gpa : ~0ull;
    f->tag = rem_fjc_tag(v, tb->key, f->gpa != ~0ull && tlb_fetch_global(v, lin));
}

const uint8_t *rem_next_compiled(struct vcpu *v)
{
    struct cpu *c = &v->cpu;

    /* what REM's loop checks before it enters compiled code */
    if (c->halted || (c->rflags & F_RF) || !iem_plain_ok(v) ||
        (c->inhibit_irq && c->rip == c->inhibit_irq_rip)) {
        v->rem->why = REM_WHY_BR_CHECK;
        return NULL;
    }
    return rem_next_in_mode(v, rem_key(c));
}

const uint8_t *rem_fjc_miss(struct vcpu *v, uint32_t key)
{
    struct rem_state *r = v->rem;
    uint64_t lin, limit_left, gpa;
    if (!(key & REM_KEY_FLAT) && (key & 7) != DMODE_LONG) {
        r->st.why[REM_WHY_FJC_NONE]++;
        return NULL;
    }
    if (!rem_pc(&v->cpu, key, &lin, &limit_left))
        return NULL;
    struct rem_fjc *f = &r->fjc[rem_fjc_slot(lin)];
    if (f->lin != lin) {
        r->st.why[REM_WHY_FJC_LIN]++;
        return NULL;
    }
    if (((uint32_t)f->tag & ~REM_FJC_GLOBAL) != key) {
        r->st.why[REM_WHY_FJC_KEY]++;
        return NULL;
    }
    r->st.why[REM_WHY_FJC_EPOCH]++;
    /* The same page at the same PC under the same key: the TB is the one
     * the lookup would find, or its entry bails on its code generation.
     * (64-bit code only: RIP is the PC, the TB's rip0, and no limit.) */
    if (f->gpa == ~0ull)
        return NULL;
    if (iem_fetch_translate(v, lin, &gpa) != IEM_OK) {
        v->iem.exc.pending = false; /* REM's loop has IEM raise it */
        return NULL;
    }
    if (gpa != f->gpa)
        return NULL;
    f->tag = rem_fjc_tag(v, key, tlb_fetch_global(v, lin));
    r->st.why[REM_WHY_FJC_RENEWED]++;
    return f->chain;
}

const uint8_t *rem_next_in_mode(struct vcpu *v, uint32_t key)
{
    struct rem_state *r = v->rem;
    uint64_t lin, limit_left, gpa;

    r->why = REM_WHY_NEXT_FAULT;
    if (!rem_pc(&v->cpu, key, &lin, &limit_left))
        return NULL;
    if (iem_fetch_translate(v, lin, &gpa) != IEM_OK) {
        v->iem.exc.pending = false; /* REM's loop has IEM raise it */
        return NULL;
    }
    r->why = REM_WHY_NEXT_NOTB;
    struct rem_tb **jc = &r->jc[(lin ^ (lin >> 12)) & (REM_JC - 1)], *tb = *jc;
    if (!tb || tb->gpa != gpa || tb->key != key || !tb_valid(tb)) {
        /* the hash too (a hit goes into the jump cache); never a build */
        for (tb = r->hash[hash_slot(gpa, key)]; tb; tb = tb->hnext)
            if (tb->gpa == gpa && tb->key == key && tb_valid(tb) && tb_page2_ok(v, tb, lin))
                break;
        if (!tb)
            return NULL;
        *jc = tb;
    } else if (!tb_page2_ok(v, tb, lin)) {
        return NULL;
    }
    r->why = REM_WHY_NEXT_COLD;
    if (!tb->chain || tb->len > limit_left || tb->rip0 != v->cpu.rip)
        return NULL;
    r->why = REM_WHY_NONE;
    r->st.jc_native++;
    fjc_fill(v, lin, tb);
    return tb->chain;
}

/* Why compiled code came back (exits are counted when their target is
 * found). */
static void count_return(struct vcpu *v, int how, const struct rem_tb *last)
{
    struct rem_state *r = v->rem;
    enum rem_why w = r->why;
    if (how == REM_NX_EXIT)
        return;
    if (how == REM_NX_BAIL) {
        unsigned ff = atomic_load_explicit(&v->ff, memory_order_relaxed);
        w = !tb_valid(last)                                    ? REM_WHY_BAIL_GEN
            : (ff & r->ff_mask)                                ? REM_WHY_BAIL_FF
            : v->insns + last->ninsns > r->limit               ? REM_WHY_BAIL_BUDGET
                                                               : REM_WHY_NONE;
    } else if (w == REM_WHY_NONE) {
        w = last->insns[last->ninsns - 1].ctl & IEM_CTL_ENDS_TB ? REM_WHY_ENDS_TB : REM_WHY_SLOW;
    }
    r->st.why[w]++;
}

#define INTR_FF (VCPU_FF_INTERRUPT_PIC | VCPU_FF_INTERRUPT_APIC | VCPU_FF_NMI)
#define intr_possible rem_intr_possible

int rem_exec(struct vcpu *v, uint64_t max)
{
    struct rem_state *r = v->rem;
    struct vm *vm = v->vm;
    struct cpu *c = &v->cpu;
    struct rem_link *from = NULL;     /* the exit of the TB that just ran */
    struct rem_tb *chain_from = NULL; /* ... when it was a compiled TB's exit chain_k */
    unsigned chain_k = 0;
    uint64_t chain_flushes = 0;
    uint64_t n = 0;
    int rc;
    /* In real time a slice may end at the last TB boundary before its
     * budget: the rest would run on the first tier, and the next slice
     * would start inside a TB. Deterministic time (--icount) needs the
     * exact count (timers fire at slice boundaries). */
    bool soft = !vm->clock || !clock_icount(vm->clock);

    r->st.execs++;
    while (n < max) {
        unsigned ff = atomic_load_explicit(&v->ff, memory_order_relaxed);
        if (ff & INTR_FF) {
            rc = iem_take_interrupt(v, ff);
            if (rc)
                return rc;
        }
        if (c->halted)
            return IEM_HALT;
        if (ff & VCPU_FF_VM) /* cleared before vm->ff is read: a request after it sets it again */
            vcpu_ff_clear(v, VCPU_FF_VM);
        if (atomic_load(&vm->ff))
            return IEM_BREAK;
        if ((ff & VCPU_FF_TIMER) && n) /* EM runs the timers (em.c clears it) */
            return IEM_OK;

        uint32_t key = rem_key(c), epoch = v->iem.tlb_epoch;
        uint64_t lin, limit_left;
        struct rem_tb *tb = NULL;
        if (rem_pc(c, key, &lin, &limit_left)) {
            if (from && from->lin == lin && from->epoch == epoch && from->tb->key == key &&
                tb_valid(from->tb) && from->tb->len <= limit_left) {
                tb = from->tb;
                r->st.link_hits++;
            } else {
                uint64_t flushes = r->st.flushes; /* a flush takes `from` with it */
                if ((tb = tb_lookup(v, key, lin, limit_left)) && from && flushes == r->st.flushes)
                    *from = (struct rem_link){lin, v->iem.tlb_epoch, tb};
            }
        }
        from = NULL;
        if (chain_from)
            r->st.why[!tb ? REM_WHY_EXIT_NOTB : !tb->chain ? REM_WHY_EXIT_COLD : REM_WHY_EXIT_NOCHAIN]++;
        if (chain_from && tb && tb->chain && chain_flushes == r->st.flushes && chain_link(r, chain_from, chain_k, tb)) {
            r->st.why[REM_WHY_EXIT_NOCHAIN]--;
            r->st.why[REM_WHY_EXIT_CHAINED]++;
        }
        chain_from = NULL;
        if (!tb) {
            r->st.iem_steps++;
            n++;
            rc = iem_step(v);
            if (rc)
                return rc;
            continue;
        }

        tb->execs++;
        r->st.tb_runs++;
        bool plain = iem_plain_ok(v);
        /* compiled for another RIP (rem_tb.rip0): again for this one, a
         * few times at most */
        bool again = tb->native && tb->rip0 != c->rip && !tb->no_native && tb->recompiles < 8 &&
                     ++tb->rip_miss >= r->hot;
        if (again) {
            tb->recompiles++;
            tb->rip_miss = 0;
        }
        if (r->tier >= 2 && (again || (!tb->native && !tb->no_native && tb->execs >= r->hot))) {
            uint64_t flushes = r->st.flushes;
            if (!rem_native_compile(v, tb)) {
                if (rem_code_full(&r->code)) /* full: start over, this TB with it */
                    rem_flush(v);
                else
                    tb->no_native = true;
            }
            if (flushes != r->st.flushes)
                continue;
        }
        if (!tb->native)
            r->st.why[REM_WHY_FT_COLD]++;
        else if (tb->rip0 != c->rip)
            r->st.why[REM_WHY_FT_RIP]++;
        else if (max - n < tb->ninsns && soft && n)
            return IEM_OK;
        else if (max - n < tb->ninsns)
            r->st.why[REM_WHY_FT_BUDGET]++;
        else if (!plain || (c->rflags & F_RF) || (c->inhibit_irq && c->rip == c->inhibit_irq_rip))
            r->st.why[REM_WHY_FT_OTHER]++;
        if (tb->native && tb->rip0 == c->rip && plain && !(c->rflags & F_RF) && max - n >= tb->ninsns &&
            !(c->inhibit_irq && c->rip == c->inhibit_irq_rip)) {
            if (tb->chain) /* found for lin under this TLB epoch, both pages */
                fjc_fill(v, lin, tb);
            r->cur = tb;
            r->native_n = 0;
            r->native_rc = IEM_OK;
            uint64_t budget = max - n < (1u << 30) ? max - n : (1u << 30);
            r->limit = v->insns + budget;
            v->run.left = (uint32_t)budget;
            r->why = REM_WHY_NONE;
            rem_native_sync(v);
            /* cleared before the forced actions are read: one raised after
             * this sets it again */
            __atomic_store_n(&v->run.stop, 0, __ATOMIC_SEQ_CST);
            rem_stop_if_pending(v);
            uint64_t insns = v->insns;
            int how = tb->native(v, r);
            /* a scalar load: the compiled code has just stored it 8 bytes
             * wide, and a wider (vector) load would stall */
            uint64_t ran = rem_sync_insns(v) - insns + __atomic_load_n(&r->native_n, __ATOMIC_RELAXED);
            struct rem_tb *last = r->cur;
            n += ran;
            r->st.native_runs++;
            r->st.native_insns += ran;
            count_return(v, how, last);
            if (r->native_rc)
                return r->native_rc;
            if (how == REM_NX_BAIL && soft && n && v->insns + last->ninsns > r->limit)
                return IEM_OK;
            if (how == REM_NX_EXIT) {
                from = &last->link[r->exit];
                chain_from = last;
                chain_k = r->exit;
                chain_flushes = r->st.flushes;
                continue;
            }
            if (how == REM_NX_STOP) { /* a branch or a stop: the link checks its target */
                from = &last->link[1];
                continue;
            }
            /* REM_NX_BAIL: the TB REM's loop entered refused (an NMI it
             * holds back, say): the first tier runs it */
            if (ran || last != tb)
                continue;
            r->st.why[REM_WHY_FT_BAIL]++;
        }
        for (const struct iem_insn *in = tb->insns, *end = in + tb->ninsns;;) {
            uint64_t next = (c->rip + in->len) & in->ipmask;
            if (__builtin_expect(plain && !(in->ctl & IEM_CTL_FULL), 1)) {
                rc = iem_step_plain(v, in, next);
            } else {
                rc = iem_step_decoded(v, in);
                plain = iem_plain_ok(v);
            }
            n++;
            if (rc)
                return rc;
            if (c->rip != next || !tb_valid(tb) || ++in == end) {
                from = &tb->link[c->rip != next];
                break;
            }
            if (n >= max)
                return IEM_OK;
            ff = atomic_load_explicit(&v->ff, memory_order_relaxed);
            if (__builtin_expect(intr_possible(c, ff), 0)) {
                rc = iem_take_interrupt(v, ff);
                if (rc)
                    return rc;
                if (c->rip != next)
                    break;
            }
            if (atomic_load_explicit(&vm->ff, memory_order_relaxed))
                return IEM_BREAK;
        }
    }
    return IEM_OK;
}

void rem_get_counts(struct vcpu *v, struct rem_counts *out)
{
    const struct rem_stats *s = &v->rem->st;
    *out = (struct rem_counts){s->builds,    s->flushes,  s->link_hits,   s->tb_runs,
                               s->iem_steps, s->compiled, s->native_insns};
}

void rem_info(struct vcpu *v, int fd)
{
    struct rem_state *r = v->rem;
    unsigned live = 0, stale = 0;
    uint64_t insns = 0;

    if (!r) {
        dprintf(fd, "cpu%u: REM is not running this vCPU\n", v->id);
        return;
    }
    for (unsigned h = 0; h < REM_HASH; h++)
        for (const struct rem_tb *tb = r->hash[h]; tb; tb = tb->hnext) {
            if (tb_valid(tb))
                live++, insns += tb->ninsns;
            else
                stale++;
        }
    const struct rem_stats *s = &r->st;
    dprintf(
        fd,
        "cpu%u: TBs %u live (%llu instructions), %u stale; cache %zu KiB of %zu KiB, %llu flushes\n"
        "cpu%u: %llu TB runs, %llu lookups (%.1f%% jump cache, %.1f%% hash, %llu built), %llu by exit links\n"
        "cpu%u: %llu instructions left to IEM; tier 2: %llu TBs compiled (%zu KiB of %zu KiB code), %llu "
        "runs, "
        "%llu instructions\n",
        v->id, live, (unsigned long long)insns, stale, r->used >> 10, r->size >> 10,
        (unsigned long long)s->flushes, v->id, (unsigned long long)s->tb_runs, (unsigned long long)s->lookups,
        s->lookups ? 100.0 * (double)s->jc_hits / (double)s->lookups : 0.0,
        s->lookups ? 100.0 * (double)s->hash_hits / (double)s->lookups : 0.0, (unsigned long long)s->builds,
        (unsigned long long)s->link_hits, v->id, (unsigned long long)s->iem_steps,
        (unsigned long long)s->compiled, (r->code.used + r->code.cold_used - r->code.cold) >> 10,
        r->code.size >> 10,
        (unsigned long long)s->native_runs, (unsigned long long)s->native_insns);
    dprintf(fd,
            "cpu%u: tier 2: %llu exits aimed at the next compiled TB, %llu branches continued through the "
            "jump cache\n",
            v->id, (unsigned long long)s->chained, (unsigned long long)s->jc_native);
    static const char *const why[REM_WHY_N] = {
        "other", "exit:IEM", "exit:cold", "exit:unchainable", "exit:chained", "bail:code", "bail:ff",
        "bail:budget", "jc:no-TB", "jc:cold", "jc:fault", "branch:checks", "step:fault", "step:branch",
        "step:code", "step:full", "step:ff", "step:status", "ends-TB", "call/ret-slow", "1st:cold",
        "1st:rip", "1st:budget", "1st:other", "1st:bail", "fjc:lin", "fjc:epoch", "fjc:key", "fjc:none",
        "fjc:renewed"};
    dprintf(fd, "cpu%u: %llu slices; why compiled code returned, and why not:", v->id,
            (unsigned long long)s->execs);
    for (unsigned i = 0; i < REM_WHY_N; i++)
        if (s->why[i])
            dprintf(fd, " %s %llu", why[i], (unsigned long long)s->why[i]);
    dprintf(fd, "\n");
}
