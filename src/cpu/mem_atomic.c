/* Read-modify-write of guest memory: the memory side of ADD..XOR, INC,
 * DEC, NEG, NOT, BTS/BTR/BTC, XCHG, XADD, CMPXCHG and CMPXCHG8B/16B.
 *
 * Invariants:
 * - Every check (segment, alignment, paging for the read and then for the
 *   write) is made before memory changes, so a fault leaves it untouched;
 *   the faults are the ones the separate read and write would raise.
 * - A locked operation (LOCK prefix, or XCHG with memory) that lies in one
 *   naturally aligned 8-byte word of a RAM page is a compare-exchange loop
 *   on that word in host memory: the result (and so the flags the caller
 *   computes from the returned old value) comes from the value the exchange
 *   actually replaced, and the bytes around the operand are kept. The
 *   16 aligned bytes of CMPXCHG16B use the host's CMPXCHG16B.
 * - Any other locked operation (crossing an 8-byte boundary, so a page too;
 *   MMIO, ROM or read-only RAM; data breakpoints armed) is the ordinary read
 *   and write under vm->rmw_lock. That is atomic against the other such
 *   operations, not against a host exchange on overlapping bytes: a guest
 *   that mixes a split lock with an aligned one on the same bytes can see
 *   them interleave (real CPUs lock the bus for split locks).
 * - A RAM page holding decoded code is changed in place and then reported
 *   with pgm_note_write, as pgm_write does after its copy.
 */
#include <pthread.h>

#include "cpu/iem.h"

uint64_t iem_rmw_apply(const struct iem_rmw *r, uint64_t old, unsigned size)
{
    uint64_t m = iem_mask(size), n;
    switch (r->op) {
    case RMW_ADD: n = old + r->src; break;
    case RMW_ADC: n = old + r->src + r->cmp; break;
    case RMW_SUB: n = old - r->src; break;
    case RMW_SBB: n = old - r->src - r->cmp; break;
    case RMW_AND: n = old & r->src; break;
    case RMW_OR: n = old | r->src; break;
    case RMW_XOR: n = old ^ r->src; break;
    case RMW_XCHG: n = r->src; break;
    case RMW_CMPXCHG: n = (old & m) == (r->cmp & m) ? r->src : old; break;
    case RMW_NEG: n = 0 - old; break;
    default: n = ~old; break;
    }
    return n & m;
}

/* The ordinary read then write: unlocked operations, and locked ones
 * under vm->rmw_lock. */
static int plain_rmw(struct vcpu *v, unsigned seg, uint64_t off, unsigned size, const struct iem_rmw *r,
                     uint64_t *old)
{
    uint64_t val;
    int rc = iem_read(v, seg, off, size, &val);
    if (rc)
        return rc;
    *old = val & iem_mask(size);
    return iem_write(v, seg, off, size, iem_rmw_apply(r, *old, size));
}

/* Checks a locked access of size bytes at seg:off as a read and a write
 * would, and finds its host bytes: *host stays NULL when the operation
 * must take vm->rmw_lock instead; *code says the page holds decoded code. */
static int locked_target(struct vcpu *v, unsigned seg, uint64_t off, unsigned size, unsigned word, uint8_t **host,
                         uint64_t *gpa, bool *code)
{
    uint64_t lin;
    int rc = iem_seg_lin(v, seg, off, size, ACC_R | ACC_W, &lin);
    *host = NULL;
    *code = false;
    if (rc || (lin & (word - 1)) + size > word || (v->cpu.dr[7] & 0xff))
        return rc;
    if ((rc = iem_check_align(v, lin, size)) || (rc = iem_lin_rmw_page(v, lin, host, gpa)))
        return rc;
    if (!*host) { /* a slow page: only a code page in RAM has host bytes to exchange */
        uint8_t *page = pgm_page_ptr(&v->vm->pgm, *gpa, true);
        *host = page ? page + (*gpa & 0xfff) : NULL;
        *code = page != NULL;
    }
    return IEM_OK;
}

int iem_mem_rmw(struct vcpu *v, unsigned seg, uint64_t off, unsigned size, bool locked, const struct iem_rmw *r,
                uint64_t *old)
{
    uint8_t *host;
    uint64_t gpa = 0;
    bool code;
    int rc;

    if (!locked)
        return plain_rmw(v, seg, off, size, r, old);
    if ((rc = locked_target(v, seg, off, size, 8, &host, &gpa, &code)))
        return rc;
    if (!host) {
        pthread_mutex_lock(&v->vm->rmw_lock);
        rc = plain_rmw(v, seg, off, size, r, old);
        pthread_mutex_unlock(&v->vm->rmw_lock);
        return rc;
    }
    /* RAM pages are 4K-aligned in the host too, so the guest's aligned
     * word is an aligned host word. */
    unsigned shift = (unsigned)((uintptr_t)host & 7) * 8;
    uint64_t *word = (uint64_t *)(void *)(host - ((uintptr_t)host & 7)), m = iem_mask(size) << shift;
    uint64_t cur = __atomic_load_n(word, __ATOMIC_RELAXED), o, nw;
    do {
        o = (cur & m) >> shift;
        nw = (cur & ~m) | (iem_rmw_apply(r, o, size) << shift);
    } while (!__atomic_compare_exchange_n(word, &cur, nw, true, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
    *old = o;
    if (code)
        pgm_note_write(&v->vm->pgm, gpa, size);
    return IEM_OK;
}

int iem_opnd_rmw(struct vcpu *v, const struct iem_insn *in, unsigned i, bool locked, const struct iem_rmw *r,
                 uint64_t *old)
{
    const struct iem_op *op = &in->op[i];
    return iem_mem_rmw(v, op->seg, iem_ea(v, in, op), op->size, locked, r, old);
}

/* The ordinary 16-byte compare and write back (unlocked, or under the lock). */
static int plain_cmpxchg16(struct vcpu *v, unsigned seg, uint64_t off, const uint64_t cmp[2],
                           const uint64_t nw[2], uint64_t old[2])
{
    int rc = iem_read_buf(v, seg, off, old, 16);
    if (rc)
        return rc;
    return iem_write_buf(v, seg, off, (old[0] == cmp[0] && old[1] == cmp[1]) ? nw : old, 16);
}

int iem_mem_cmpxchg16(struct vcpu *v, unsigned seg, uint64_t off, bool locked, const uint64_t cmp[2],
                      const uint64_t nw[2], uint64_t old[2])
{
    uint8_t *host = NULL;
    uint64_t gpa = 0;
    bool code = false;
    int rc;

    if (!locked)
        return plain_cmpxchg16(v, seg, off, cmp, nw, old);
#if defined(__x86_64__)
    if ((rc = locked_target(v, seg, off, 16, 16, &host, &gpa, &code)))
        return rc;
    if (host) {
        uint64_t lo = cmp[0], hi = cmp[1];
        /* the host instruction loads the old value into RDX:RAX on a miss */
        __asm__ volatile("lock cmpxchg16b %0"
                         : "+m"(*(volatile uint64_t(*)[2])(void *)host), "+a"(lo), "+d"(hi)
                         : "b"(nw[0]), "c"(nw[1])
                         : "memory", "cc");
        old[0] = lo;
        old[1] = hi;
        if (code)
            pgm_note_write(&v->vm->pgm, gpa, 16);
        return IEM_OK;
    }
#endif
    pthread_mutex_lock(&v->vm->rmw_lock);
    rc = plain_cmpxchg16(v, seg, off, cmp, nw, old);
    pthread_mutex_unlock(&v->vm->rmw_lock);
    return rc;
}
