/* The debugger core shared by the gdb stub and the monitor: stopping and
 * resuming the whole VM, breakpoints, watchpoints, single steps, and
 * guest memory by virtual or physical address without side effects. */
#ifndef PCVM_DBG_H
#define PCVM_DBG_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/vm.h"

#define DBG_MAX_BP 64
#define DBG_MAX_WP 16

/* gdb's Z packet types: 0 software and 1 hardware breakpoint, 2 write,
 * 3 read and 4 access watchpoint. */
enum dbg_bp_type { DBG_BP_SW, DBG_BP_HW, DBG_WP_WRITE, DBG_WP_READ, DBG_WP_ACCESS };

enum dbg_reason { DBG_STOP_NONE, DBG_STOP_REQUEST, DBG_STOP_BREAK, DBG_STOP_STEP, DBG_STOP_WATCH };

struct dbg_stop {
    enum dbg_reason reason;
    unsigned cpu;
    uint64_t addr;          /* DBG_STOP_WATCH: the watchpoint's address */
    enum dbg_bp_type wtype; /* ... and its type */
};

struct dbg {
    pthread_mutex_t lock; /* the lists and the stop record */
    struct { uint64_t addr; enum dbg_bp_type type; } bp[DBG_MAX_BP];
    unsigned nbp;
    struct { uint64_t addr, len; enum dbg_bp_type type; } wp[DBG_MAX_WP];
    unsigned nwp;
    atomic_int step_cpu; /* the vCPU to single-step, -1 for none */
    atomic_bool active;  /* any breakpoint, watchpoint or step: vCPUs run EM's debug loop */
    struct {
        uint64_t skip_pc; /* resumed at a breakpoint: its first instruction runs */
        bool skip;
        bool watch_hit;
        uint64_t watch_addr;
        enum dbg_bp_type watch_type;
    } cpu[VM_MAX_CPUS];
    struct dbg_stop stop; /* the last stop a vCPU reported (reason NONE: none since resuming) */
};

/* Gives the VM its debugger state (once); 0 or -ENOMEM. */
int dbg_attach(struct vm *vm);
void dbg_free(struct vm *vm);

static inline bool dbg_vcpu_active(const struct vcpu *v)
{
    return atomic_load_explicit(&v->vm->dbg->active, memory_order_relaxed);
}

/* Stops every vCPU and waits until none runs; 0, or -1 when the vCPUs
 * have ended (the VM is off, in guru meditation, or never started). */
int dbg_stop(struct vm *vm);
/* Whether the VM is stopped (VM_FF_SUSPEND asked) and no vCPU runs. */
bool dbg_stopped(struct vm *vm);
/* Whether every vCPU thread has ended (or none was started). */
bool dbg_ended(struct vm *vm);
/* Lets the vCPUs run again; step_cpu >= 0 single-steps that vCPU (the
 * others run meanwhile) and stops the VM after its instruction. */
void dbg_resume(struct vm *vm, int step_cpu);
/* Takes the stop record (reason NONE when no vCPU reported one). */
struct dbg_stop dbg_take_stop(struct vm *vm);

/* 0, -ENOSPC when the list is full, -EINVAL for a bad type or length. */
int dbg_insert(struct vm *vm, enum dbg_bp_type type, uint64_t addr, uint64_t len);
/* 0, or -ENOENT when no such breakpoint exists. */
int dbg_remove(struct vm *vm, enum dbg_bp_type type, uint64_t addr, uint64_t len);
void dbg_clear(struct vm *vm);

/* The linear address of the instruction at CS:RIP. */
uint64_t dbg_pc(const struct cpu *c);
/* Guest memory through v's page tables (no A/D bits, no fault), RAM and
 * ROM only (never a device). Returns the bytes done before the first page
 * that is unmapped or not memory. Writes go to RAM only and invalidate
 * code decoded from what they change. */
size_t dbg_read_virt(struct vcpu *v, uint64_t addr, void *buf, size_t len);
size_t dbg_write_virt(struct vcpu *v, uint64_t addr, const void *buf, size_t len);
size_t dbg_read_phys(struct vm *vm, uint64_t gpa, void *buf, size_t len);

/* For EM's debug loop (em_dbg.c), on the vCPU's own thread. */
bool dbg_stop_before(struct vcpu *v);
void dbg_watch_access(struct vcpu *v, uint64_t lin, unsigned len, bool write);
/* Records why v stops (the first report since resuming wins) and asks
 * every vCPU to stop. */
void dbg_report(struct vcpu *v, enum dbg_reason reason);

#endif
