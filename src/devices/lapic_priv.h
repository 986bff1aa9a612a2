/* The local APIC's state, shared by lapic.c (interrupts, registers,
 * timer, the device) and lapic_cpu.c (what the CPU asks of its APIC). Only
 * those two include this. Every function here runs under dev_apic.lock. */
#ifndef PCVM_LAPIC_PRIV_H
#define PCVM_LAPIC_PRIV_H

#include <pthread.h>

#include "devices/lapic.h"
#include "vm/clock.h"
#include "vm/vm.h"

enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR, LVT_N };
#define LVT_MASKED (1u << 16)
#define SVR_ENABLE 0x100u
#define ESR_SEND_ILLEGAL 0x20u
#define ESR_RECV_ILLEGAL 0x40u
#define ESR_ILLEGAL_REG  0x80u
#define APIC_VERSION (0x14u | (uint32_t)(LVT_N - 1) << 16)
#define TIMER_ONESHOT  0u
#define TIMER_PERIODIC 1u
#define TIMER_DEADLINE 2u
/* A periodic timer re-arms at most this often; the count still reads exact. */
#define MIN_PERIOD_NS 5000u
#define MAX_MAPS 4

struct lapic {
    struct dev_apic *sys;
    struct vcpu *v;
    uint32_t id;
    uint64_t base; /* IA32_APIC_BASE as the APIC sees it */
    uint32_t tpr, ldr, dfr, svr, esr, esr_pending, icr_lo, icr_hi;
    uint32_t irr[8], isr[8], tmr[8];
    uint32_t lvt[LVT_N];
    uint32_t initial, divide;
    uint64_t t0; /* when the count was loaded */
    bool counting;
    uint64_t deadline; /* IA32_TSC_DEADLINE, 0: disarmed */
    struct clock_timer timer;
    bool wait_sipi;
    int sipi_vector;
};

struct apic_map {
    struct dev_apic *a;
    uint64_t base;
};

struct dev_apic {
    pthread_mutex_t lock;
    struct vm *vm;
    struct lapic *cpus;
    unsigned n;
    void (*eoi_hook)(void *opaque, unsigned vector);
    void *eoi_opaque;
    struct apic_map maps[MAX_MAPS];
    unsigned nmaps;
    unsigned rr; /* lowest-priority tie breaker */
};

static inline bool x2(const struct lapic *l) { return (l->base & APIC_BASE_EXTD) != 0; }
static inline bool hw_enabled(const struct lapic *l) { return (l->base & APIC_BASE_EN) != 0; }
static inline unsigned timer_mode(const struct lapic *l) { return (l->lvt[LVT_TIMER] >> 17) & 3; }
static inline uint32_t x2_ldr(uint32_t id) { return ((id >> 4) << 16) | (1u << (id & 15)); }
static inline void bit_set(uint32_t r[8], unsigned v) { r[v >> 5] |= 1u << (v & 31); }
static inline void bit_clr(uint32_t r[8], unsigned v) { r[v >> 5] &= ~(1u << (v & 31)); }

/* Registered on every vCPU by dev_apic_create (lapic_cpu.c). */
extern const struct vcpu_intc_ops lapic_intc_ops;
int lapic_deliverable(const struct lapic *l); /* the vector the APIC would present now, or -1 */
void lapic_update(struct lapic *l);           /* VCPU_FF_INTERRUPT_APIC from the IRR and PPR */
void lapic_regs_reset(struct lapic *l);
int lapic_reg_read(struct lapic *l, unsigned idx, uint64_t *out);
int lapic_reg_write(struct lapic *l, unsigned idx, uint64_t val);
int lapic_map_page(struct dev_apic *a, uint64_t base, const struct lapic *moving);
void lapic_deadline_write(struct lapic *l, uint64_t val);

#endif
