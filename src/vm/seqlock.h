/* A sequence lock for the small tables that every vCPU reads and a guest
 * action rarely changes (PGM's ranges, the port table). Readers copy what
 * they need between seqlock_read_begin and seqlock_read_retry and start
 * over when a writer ran meanwhile; they never wait for one another.
 * Writers exclude each other on the same word (odd: a writer is busy).
 * Zero is the unlocked state, so a zeroed table needs no set-up. */
#ifndef PCVM_SEQLOCK_H
#define PCVM_SEQLOCK_H

#include <stdbool.h>

typedef unsigned seqlock_t;

static inline void seqlock_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static inline unsigned seqlock_read_begin(const seqlock_t *s)
{
    unsigned v;
    while ((v = __atomic_load_n(s, __ATOMIC_ACQUIRE)) & 1)
        seqlock_relax();
    return v;
}

/* True when the copy made since seqlock_read_begin may be torn. */
static inline bool seqlock_read_retry(const seqlock_t *s, unsigned v)
{
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return __atomic_load_n(s, __ATOMIC_RELAXED) != v;
}

static inline void seqlock_write_begin(seqlock_t *s)
{
    for (;;) {
        unsigned v = __atomic_load_n(s, __ATOMIC_RELAXED);
        if (!(v & 1) && __atomic_compare_exchange_n(s, &v, v + 1, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
            return;
        seqlock_relax();
    }
}

static inline void seqlock_write_end(seqlock_t *s)
{
    __atomic_fetch_add(s, 1, __ATOMIC_RELEASE);
}

#endif
