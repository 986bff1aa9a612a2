/* REM: the block recompiler's public face (engine functions for EM).
 *
 * First tier: a guest basic block is decoded once into a translation
 * block (TB) of IEM instructions with their handlers bound, and then run
 * many times without fetching or decoding (after VirtualBox's threaded
 * recompiler). Each vCPU owns its TB cache; writes from any vCPU, DMA or
 * device make TBs stale through PGM's code generations.
 */
#ifndef PCVM_REM_H
#define PCVM_REM_H

#include <stdint.h>

struct vcpu;
struct vm;

/* Default TB cache size of the whole VM (QEMU: -accel tcg,tb-size=N MiB). */
#define REM_TB_SIZE_DEFAULT (64ull << 20)

int rem_init(struct vcpu *v);
void rem_fini(struct vcpu *v);
/* Runs up to max instructions (the IEM_* status of iem_exec). */
int rem_exec(struct vcpu *v, uint64_t max);
/* Drops every TB of this vCPU (state set from outside, reset). */
void rem_flush(struct vcpu *v);
/* What the cache has done so far (tests, benchmarks). */
struct rem_counts {
    uint64_t builds, flushes, link_hits, tb_runs, iem_steps;
    uint64_t compiled, native_insns; /* tier 2 */
};
void rem_get_counts(struct vcpu *v, struct rem_counts *out);
/* info tb: counts, hit rate, flushes, invalidations. */
void rem_info(struct vcpu *v, int fd);

#endif
