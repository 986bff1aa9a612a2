/* EM: the execution manager. One EMT thread per vCPU runs the chosen
 * engine, acts on forced actions between blocks, and parks halted vCPUs. */
#ifndef PCVM_EM_H
#define PCVM_EM_H

#include "vm/vm.h"

/* One table per execution engine. An engine runs a vCPU from struct cpu
 * and leaves struct cpu exact whenever run() returns; what it cannot run
 * it hands to IEM (iem_step) one instruction at a time. */
struct em_engine_ops {
    enum em_engine id;
    const char *name;
    int (*init)(struct vcpu *v);  /* engine-private state: 0 or -errno */
    void (*fini)(struct vcpu *v);
    /* Runs up to max instructions; the IEM_* status of iem_exec. Returns
     * between instructions as soon as a VM forced action is set. */
    int (*run)(struct vcpu *v, uint64_t max);
    /* Drops every translation (guest state replaced from outside). */
    void (*flush)(struct vcpu *v);
    void (*info)(struct vcpu *v, int fd); /* --info engines / tb; may be NULL */
    /* Makes the vCPU's thread leave the engine soon to look at a forced
     * action another thread set (HM: out of KVM_RUN); any thread; NULL
     * for engines that look at the forced actions themselves. */
    void (*kick)(struct vcpu *v);
    /* The engine ends its slice soon after VCPU_FF_TIMER is set (a timer
     * armed for before the slice's end): EM gives it long slices in real
     * time. */
    bool timer_ff;
};
extern const struct em_engine_ops em_engine_iem, em_engine_rem, em_engine_hm;

/* Picks the engine for vm->cfg.engine: auto is HM when KVM runs a probe
 * guest here, else REM. Prints a one-line note to stderr when it falls
 * back, and the choice with -d engine. */
enum em_engine em_choose_engine(struct vm *vm);
/* Asks v's engine to look at its forced actions now (vcpu_ff_set, vm_request). */
void em_kick(struct vcpu *v);
/* The table of an engine; NULL when it is not in this build. */
const struct em_engine_ops *em_engine_ops(enum em_engine e);
int em_start(struct vm *vm);
/* After each slice: sleeps as --cpu-cap requires (em_cap.c). */
void em_cap_slice(struct vcpu *v);
/* Frees the engines' per-vCPU state (after em_join). */
void em_fini(struct vm *vm);
void em_join(struct vm *vm);
/* EM's debug loop (em_dbg.c): up to max instructions on IEM, one at a
 * time, stopping the VM at a breakpoint, a watchpoint hit or the end of a
 * single step; the IEM_* status (IEM_BREAK after a stop). */
int em_dbg_run(struct vcpu *v, uint64_t max);
/* Wakes a vCPU parked in HLT or waiting for a state change. */
void em_wake(struct vm *vm);

#endif
