/* REM against IEM: two identical VMs, one run by rem_exec and one by
 * iem_exec, must end in identical states (rem_diff.c; used by test_rem.c
 * and test_rem_native.c). */
#ifndef PCVM_TEST_REM_DIFF_H
#define PCVM_TEST_REM_DIFF_H

#include <stddef.h>
#include <stdint.h>

#include "vm/vm.h"

#define RD_CODE 0x10000u /* the program under test, up to 4 KiB */
#define RD_RESTART (RD_CODE + 0x800u)
#define RD_MEM_CMP 0x20000u /* the low memory compared after a run */
/* RD_PAGED / RD_LONG64: 4 KiB pages over the first 2 MiB, identity, all
 * writable but these (CR0.WP is set, so CPL 0 writes fault too) */
#define RD_NP1 0x8000u    /* not present */
#define RD_DATA 0x9000u   /* two writable pages, 0x9000-0xafff */
#define RD_NP2 0xb000u    /* not present */
#define RD_RO 0xc000u     /* read-only */
#define RD_RESUME 0x5000u /* indirect handlers continue at the qword here */
#define RD_FAULTS 0x5008u /* and count themselves in this dword */

#define RD_HIGH 0xffff800000000000ull /* RD_LONG64: the first GiB mapped again */
#define RD_FLAGLOG 0x7000u            /* 0x7000-0x7fff: free for a program's own data */
/* GDT data descriptors besides the flat 0x10 (rem_diff.c) */
#define RD_SEL_BASED 0x18u  /* base 0x1000, 4 GiB */
#define RD_SEL_LIMIT 0x20u  /* base 0, limit 0xa7ff */
#define RD_SEL_WRAP 0x28u   /* base 0xfffff000, 4 GiB */
#define RD_SEL_RO 0x30u     /* read-only, flat */
#define RD_SEL_DOWN 0x38u   /* expand-down: offsets 0x9000-0xffffffff */
#define RD_SEL_FLAT 0x40u   /* flat, writable */
#define RD_SEL_BASED2 0x48u /* base 0x3800, limit 0x7fff */

enum rd_mode { RD_PM32, RD_PAGED, RD_LONG64 };

struct rd_setup {
    enum rd_mode mode;
    /* exception handlers (vector v at TESTVM_HANDLER(v)) reset ESP to
     * TESTVM_STACK, add v to EAX and jump to RD_RESTART, or with
     * indirect: add v to AL, count in RD_FAULTS, jump to [RD_RESUME] */
    bool indirect;
    const char *cpu_model; /* -cpu, or NULL for the default */
};

/* 0: IEM; 1: REM's first tier; 2: REM with every TB compiled at its first run */
struct vm *rd_make_vm(const uint8_t *code, size_t n, const uint64_t gpr[16], unsigned tier,
                      const struct rd_setup *s);
void rd_free_vm(struct vm *vm);
/* The first difference in what a run can change, or NULL. */
const char *rd_differs(struct vm *a, struct vm *b, char *buf, size_t len);
struct rd_stats {
    uint64_t insns;  /* retired by IEM */
    uint64_t native; /* run natively by tier 2 */
    uint64_t faults; /* exceptions IEM took (indirect handlers only) */
};
/* Runs `code` on IEM and on both REM tiers for max instructions and
 * expects the same states; adds to *st. */
void rd_run_both(const uint8_t *code, size_t n, const uint64_t gpr[16], uint64_t max, const char *what,
                 const struct rd_setup *s, struct rd_stats *st);

#endif
