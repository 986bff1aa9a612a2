/* smpcount: one thread per online CPU, each pinned to its CPU, adds to
 * shared counters ROUNDS times with atomic operations (lock xadd, lock add,
 * a lock cmpxchg retry loop) and under a pthread mutex. Prints the totals
 * and exits 0 only when each is exactly threads * ROUNDS and every thread
 * ran on the CPU it was pinned to. Built statically for the boot-test
 * initramfs (tests/boot/build-guest.sh); init.sh runs it. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define ROUNDS 20000
#define MAX_THREADS 64

static unsigned long c_xadd, c_add, c_cas, c_mutex;
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t start;

struct worker {
    pthread_t thread;
    int cpu;
    int ran_on; /* the CPU seen after pinning, -1 if pinning failed */
    unsigned long top; /* the largest value XADD returned: below the total */
};

static void *work(void *arg)
{
    struct worker *w = arg;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(w->cpu, &set);
    w->ran_on = sched_setaffinity(0, sizeof(set), &set) == 0 ? sched_getcpu() : -1;
    pthread_barrier_wait(&start);
    for (int i = 0; i < ROUNDS; i++) {
        unsigned long got = __atomic_fetch_add(&c_xadd, 1, __ATOMIC_SEQ_CST); /* lock xadd */
        if (got > w->top)
            w->top = got;
        __atomic_add_fetch(&c_add, 1, __ATOMIC_RELAXED);
        unsigned long old = __atomic_load_n(&c_cas, __ATOMIC_RELAXED);
        while (!__atomic_compare_exchange_n(&c_cas, &old, old + 1, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
            ;
        pthread_mutex_lock(&mutex);
        c_mutex++;
        pthread_mutex_unlock(&mutex);
    }
    return NULL;
}

int main(void)
{
    static struct worker w[MAX_THREADS];
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    int ok = 1;

    if (n < 1 || n > MAX_THREADS) {
        printf("smpcount: FAIL: %ld online CPUs\n", n);
        return 1;
    }
    pthread_barrier_init(&start, NULL, (unsigned)n);
    for (long i = 0; i < n; i++) {
        w[i].cpu = (int)i;
        if (pthread_create(&w[i].thread, NULL, work, &w[i]) != 0) {
            printf("smpcount: FAIL: cannot start thread %ld\n", i);
            return 1;
        }
    }
    for (long i = 0; i < n; i++) {
        pthread_join(w[i].thread, NULL);
        if (w[i].top >= (unsigned long)n * ROUNDS) {
            printf("smpcount: thread %ld saw XADD return %lu\n", i, w[i].top);
            ok = 0;
        }
        if (w[i].ran_on != w[i].cpu) {
            printf("smpcount: thread %ld ran on CPU %d, not %d\n", i, w[i].ran_on, w[i].cpu);
            ok = 0;
        }
    }
    unsigned long want = (unsigned long)n * ROUNDS;
    ok &= c_xadd == want && c_add == want && c_cas == want && c_mutex == want;
    printf("smpcount: %ld threads x %d: xadd %lu add %lu cmpxchg %lu mutex %lu (want %lu each): %s\n", n, ROUNDS,
           c_xadd, c_add, c_cas, c_mutex, want, ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
