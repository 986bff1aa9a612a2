/* The VM object: the root of everything a running machine owns.
 *
 * Invariants:
 * - Every state change goes through vm_set_state(), which refuses illegal
 *   transitions and tells the listeners.
 * - Anything asynchronous only sets a forced-action bit (vm->ff or
 *   vcpu->ff) and wakes the vCPU; the vCPU's run loop acts on it between
 *   instructions or blocks.
 * - No mutable state lives outside this object.
 */
#ifndef PCVM_VM_H
#define PCVM_VM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cpu/cpu.h"
#include "devices/devices.h"
#include "pgm/pgm.h"
#include "pgm/tlb.h"
#include "vm/info.h"
#include "vm/outfile.h"

enum vm_state {
    VM_CREATED, VM_POWERING_ON, VM_RUNNING, VM_SUSPENDED, VM_RESETTING, VM_SAVING, VM_LOADING,
    VM_POWERING_OFF, VM_OFF, VM_GURU_MEDITATION, VM_DESTROYING, VM_STATE_COUNT
};

/* VM-wide forced actions. */
#define VM_FF_POWER_OFF 0x01u
#define VM_FF_RESET     0x02u
#define VM_FF_SUSPEND   0x04u
#define VM_FF_REQUEST   0x08u
#define VM_FF_DBG_STOP  0x10u
#define VM_FF_GURU      0x20u
/* ACPI S3 (acpi.c): the vCPUs sleep while the clock and the devices run,
 * until a reset ends it (vm_s3_wake). Unlike the others it does not make a
 * halted vCPU runnable. */
#define VM_FF_SLEEP     0x40u
/* Per-vCPU forced actions. */
#define VCPU_FF_INTERRUPT_PIC  0x01u
#define VCPU_FF_INTERRUPT_APIC 0x02u
#define VCPU_FF_NMI            0x04u
#define VCPU_FF_INIT           0x08u
#define VCPU_FF_SIPI           0x10u
/* vCPU 0 (which runs the timers): in real time, a timer was armed
 * that may be due before the slice ends (clock_timer_arm) */
#define VCPU_FF_TIMER          0x20u
#define VCPU_FF_TLB_FLUSH      0x40u
/* vm->ff has requests (vm_request sets it on every vCPU), so compiled code
 * tests one word at a TB's entry; REM's loop clears it and reads vm->ff */
#define VCPU_FF_VM             0x80u

enum em_engine { ENGINE_AUTO, ENGINE_IEM, ENGINE_REM, ENGINE_HM };

#define VM_MAX_CPUS 64
#define VM_MAX_OPT_DEVICES 16
#define VM_MAX_DRIVES 4

/* An IDE drive (-hda..-hdd, -cdrom, -drive): index 0-3 is primary master,
 * primary slave, secondary master, secondary slave. */
struct vm_drive {
    const char *file;   /* NULL: a CD-ROM drive without a disc */
    const char *format; /* "raw" or NULL */
    bool cdrom;
    bool readonly;
    bool snapshot;      /* writes go to a temporary overlay */
    int index;          /* 0-3 */
};

#define VM_MAX_CHARDEV_DEFS 4

struct vm_config {
    uint64_t ram_size;
    unsigned ncpus;
    const char *kernel, *initrd, *append, *bios;
    const char *serial[4];
    unsigned nserial;
    const char *debugcon; /* QEMU -debugcon: chardev spec for port 0xE9 */
    /* QEMU -chardev BACKEND,id=ID: named backends ("stdio", "file:PATH",
     * "null") that -serial chardev:ID and -device ...,chardev=ID share */
    struct vm_chardev_def {
        char id[64];
        char spec[4200];
    } chardev_defs[VM_MAX_CHARDEV_DEFS];
    unsigned nchardev_defs;
    bool no_pit; /* -machine pit=off: no 8254 */
    const char *devices[VM_MAX_OPT_DEVICES];
    unsigned ndevices;
    bool no_reboot;
    bool no_shutdown;
    bool nodefaults;
    enum em_engine engine;
    bool debug_engine; /* -d engine: the engine chosen, one line on stderr */
    bool debug_unimp;  /* -d unimp: name each unimplemented instruction once on stderr */
    uint64_t tb_size; /* REM's translation cache for the VM, bytes (0: default) */
    unsigned rem_tier; /* --rem-tier: 1 TBs only, 2 (default, 0) hot TBs compiled to host code */
    unsigned rem_hot;  /* --rem-hot: runs before a TB is compiled (0: default) */
    bool trace;
    const char *trace_file;
    const char *trace_tb_file; /* --trace-tb FILE */
    bool perfmap;              /* -perfmap: /tmp/perf-PID.map names each compiled TB for perf */
    uint64_t max_insns; /* 0: unlimited */
    unsigned cpu_cap;   /* --cpu-cap: percent of a host CPU per vCPU (0: no cap) */
    const char *savevm_file; /* --savevm FILE: the state where --max-insns stops */
    const char *cpu_model;
    struct vm_drive drives[VM_MAX_DRIVES];
    unsigned ndrives;
    bool snapshot;          /* -snapshot: every drive writes to an overlay */
    const char *boot_order; /* -boot: device letters, first first ("c", "dc"); NULL default */
};

/* The interpreter's per-vCPU state. */
struct iem_state {
    void *dcache;       /* decode cache (decode.c) */
    uint64_t next_rip;  /* set before each handler runs */
    struct {
        bool pending;
        uint8_t vector;
        bool has_err;
        uint32_t err;
    } exc;
    unsigned fault_depth; /* nesting while delivering (for #DF / triple) */
    uint16_t dr6_pending; /* DR6 bits of the debug trap after this instruction (B0-B3, BT) */
    uint16_t dr6_carry;   /* ... held over one instruction by MOV SS / POP SS,
                             with IEM_CARRY_SS_SHADOW set for that instruction */
    void *trace;        /* trace context (trace.c) or NULL */
    uint8_t logged_ud[4096 / 8]; /* one-time #UD log, by a hash of the bytes */
    /* The software TLB's epoch (pgm/tlb.h: tlb_epoch()); kept here while
     * rem.c reads it as v->iem.tlb_epoch. Other threads flush the TLB too
     * (PGM map changes): hence atomic. */
    _Atomic uint32_t tlb_epoch;
    /* bumped only by the flushes that can drop global entries, so what
     * REM remembers of a global page outlives CR3 loads */
    _Atomic uint32_t tlb_epoch_g;
};

struct em_engine_ops;

/* A vCPU's interrupt controller as the CPU side sees it: the local APIC
 * implements these and registers them on each vCPU (vcpu_intc_register);
 * cpu/ and em/ reach it only through the vcpu_intc_* calls below. opaque
 * is what the controller registered. */
struct vcpu_intc_ops {
    int (*ack)(void *opaque);          /* highest deliverable vector, now in service; -1: none */
    bool (*pic_allowed)(void *opaque); /* the 8259's INTR reaches the vCPU (no lock: halt checks) */
    bool (*wait_sipi)(void *opaque);   /* in wait-for-SIPI (no lock) */
    void (*init)(void *opaque);        /* the vCPU took an INIT: the controller's INIT state */
    int (*take_sipi)(void *opaque);    /* the start-up vector of a pending SIPI, or -1 */
    uint8_t (*get_tpr)(void *opaque);
    void (*set_tpr)(void *opaque, uint8_t tpr);
    /* IA32_APIC_BASE (reserved bits already refused), the x2APIC MSRs
     * 0x800-0x8FF and IA32_TSC_DEADLINE: 0, or -1 for #GP(0). */
    int (*base_write)(void *opaque, uint64_t val, uint64_t phys_mask);
    int (*msr_read)(void *opaque, uint32_t msr, uint64_t *val);
    int (*msr_write)(void *opaque, uint32_t msr, uint64_t val);
    uint64_t (*tsc_deadline_read)(void *opaque);
    void (*tsc_deadline_write)(void *opaque, uint64_t val);
    void (*thread_start)(void *opaque); /* on the vCPU's own thread, before it runs (may be NULL) */
};

struct vcpu {
    struct vm *vm;
    unsigned id;
    atomic_uint ff;
    struct cpu cpu;
    /* The software TLB (pgm/tlb.h), shared by every engine; generated code
     * reaches it at offsetof(struct vcpu, tlb). */
    struct tlb tlb;
    uint64_t insns; /* instructions retired, by whichever engine ran them */
    /* What compiled code (REM) checks at each TB's entry: `left` is how
     * many more instructions it may run (the vCPU's thread only writes
     * it), `stop` is set nonzero by whoever raises a forced action
     * (vcpu_ff_set, vm_request). Two words, so that neither writer can
     * undo the other's store. */
    struct {
        uint32_t left, stop;
    } run;
    struct {
        uint64_t wall0, cpu0;    /* the current window's start (em_cap.c) */
        _Atomic unsigned used_pct; /* host CPU use over the last window */
    } cap;
    /* Engine-private parts: IEM's is always there (every engine hands it
     * what it cannot run); REM's exists while REM runs this vCPU. */
    const struct em_engine_ops *engine;
    const struct vcpu_intc_ops *intc; /* NULL: a CPU without a local APIC */
    void *intc_opaque;
    struct iem_state iem;
    struct rem_state *rem;
    struct hm_vcpu *hm; /* HM's part (src/hm) while HM runs this vCPU */
    pthread_t thread;
    bool thread_started;
    /* Set by EM's debug loop while a debugger watches memory: every data
     * access of the instruction is shown to it (src/vm/dbg.c). */
    void (*dbg_watch)(struct vcpu *v, uint64_t lin, unsigned len, bool write);
};

typedef void (*vm_state_listener)(void *opaque, struct vm *vm, enum vm_state from, enum vm_state to);

struct vm {
    pthread_mutex_t lock;
    pthread_cond_t cond; /* signalled on FF changes and state changes */
    /* Serialises the locked read-modify-writes that cannot be one host
     * atomic operation (split, MMIO, ROM: cpu/mem_atomic.c). */
    pthread_mutex_t rmw_lock;
    enum vm_state state;
    atomic_uint ff;
    struct vm_config cfg;
    struct pgm pgm;
    struct bus bus;
    unsigned ncpus;
    struct vcpu *cpus;
    enum em_engine engine; /* the engine actually running */
    struct hm_vm *hm;      /* the KVM VM (src/hm) while HM runs any vCPU */
    /* Set by an engine that cannot give the guest every CPU feature (HM:
     * KVM's supported CPUID): a feature whose CPUID bit it refuses is left
     * out of every vCPU's model, so IEM's CPUID and behaviour match it. */
    bool (*feat_filter)(struct vm *vm, uint32_t leaf, uint32_t sub, unsigned reg, unsigned bit);
    int exit_status;       /* set by isa-debug-exit, else -1 */
    uint64_t resets;
    _Atomic uint64_t triple_faults; /* since creation; vm_triple_fault reports a few */
    /* set by an ACPI S3 wake event (vm_s3_wake): the reset that follows
     * resumes at the FACS waking vector instead of booting (vm_reset) */
    atomic_bool s3_resume;
    uint64_t clock_base_ns; /* host monotonic time at creation (before the clock exists) */
    struct vm_clock *clock; /* the virtual clock every timer and the TSC run on */
    struct { vm_state_listener fn; void *opaque; } listeners[4];
    unsigned nlisteners;
    char guru_reason[160];
    /* Interrupt controller hook: returns a vector or -1 (no PIC yet: NULL). */
    int (*intr_ack)(void *opaque);
    void *intr_opaque;
    struct chardev *chardevs[8];
    unsigned nchardevs;
    struct chardev *chardev_by_def[VM_MAX_CHARDEV_DEFS]; /* opened on first use */
    FILE *trace_out;
    struct outfile *trace_file; /* behind trace_out for --trace=FILE */
    FILE *trace_tb_out;           /* --trace-tb FILE: REM's compiled TBs, or NULL */
    struct outfile *trace_tb_file;
    FILE *perfmap_out; /* -perfmap: /tmp/perf-PID.map, or NULL */
    /* vCPU threads parked in a suspend or ended (under lock): all of them
     * means no vCPU touches its state, so a debugger may (dbg_stop). */
    unsigned nquiet;
    bool insn_limit_hit; /* a vCPU reached --max-insns */
    bool save_failed;    /* --savevm could not write its file (said on stderr) */
    struct dbg *dbg; /* breakpoints, watchpoints, steps (src/vm/dbg.c); NULL without a debugger */
};

const char *vm_state_name(enum vm_state s);
bool vm_state_legal(enum vm_state from, enum vm_state to);
/* Changes state; -EINVAL when the transition is illegal. */
int vm_set_state(struct vm *vm, enum vm_state to);
int vm_add_listener(struct vm *vm, vm_state_listener fn, void *opaque);

/* Creates the machine described by cfg (RAM, devices, firmware/kernel).
 * On failure returns -1 and a one-line reason in err. */
int vm_create(const struct vm_config *cfg, struct vm **out, char *err, size_t errlen);
/* The character backend a device option names: "chardev:ID" or a bare ID
 * of a -chardev (opened once, shared by its users), else a backend spec
 * ("stdio", "file:PATH", "null") opened for this user. 0, or -1 with err. */
int vm_chardev(struct vm *vm, const char *name, struct chardev **out, char *err, size_t errlen);
/* Powers on and runs until the VM is off or in guru meditation. */
int vm_run(struct vm *vm);
void vm_request(struct vm *vm, unsigned ff);
/* VM_FF_SUSPEND (vm_request) pauses the vCPUs between blocks and makes
 * the VM SUSPENDED; vm_resume lets them run on (RUNNING again). */
void vm_resume(struct vm *vm);
void vm_destroy(struct vm *vm);
/* At a clean exit: flushes and syncs what the VM wrote (serial files, the
 * trace, disk images), prints one line per output that failed and returns
 * how many did. */
int vm_finish_outputs(struct vm *vm);
/* Hard reset of every vCPU and device. */
void vm_reset(struct vm *vm);
/* ACPI S3: the vCPUs stop after the current instruction until vm_s3_wake,
 * which resets the machine into the OS's waking vector. */
void vm_s3_sleep(struct vm *vm);
void vm_s3_wake(struct vm *vm);
/* A vCPU shut down (triple fault): says so on stderr, rate-limited, and
 * asks for a reset (a power-off under -no-reboot). Any vCPU thread. */
void vm_triple_fault(struct vm *vm);
/* Stops the VM with a dump; the process stays alive. */
void vm_guru(struct vm *vm, struct vcpu *v, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Nanoseconds of virtual time (the VM's clock: stopped while suspended,
 * instruction-driven in deterministic mode). */
uint64_t vm_clock_ns(struct vm *vm);

/* Sets a per-vCPU forced action and wakes the vCPU. */
void vcpu_ff_set(struct vcpu *v, unsigned ff);
/* After setting a forced action compiled code must see (vcpu.run). */
static inline void vcpu_stop_code(struct vcpu *v)
{
    __atomic_store_n(&v->run.stop, ~0u, __ATOMIC_RELEASE);
}
void vcpu_ff_clear(struct vcpu *v, unsigned ff);
/* Architectural reset of one vCPU. RESET (power on, vm_reset) puts every
 * register in its power-on state and drops the vCPU's forced actions;
 * INIT (an IPI, applied by EM on the vCPU's thread) keeps IA32_APIC_BASE,
 * the TSC and pending forced actions, and puts the local APIC in its INIT
 * state (SDM vol. 3 table 9-1). Either way the caches built on the old
 * state (decoded instructions, TLB) go. */
enum vcpu_reset_kind { VCPU_RESET_POWER, VCPU_RESET_INIT };
void vcpu_reset(struct vcpu *v, enum vcpu_reset_kind kind);

/* The interrupt controller (vcpu_intc.c); without one registered each
 * does what a CPU without a local APIC does. */
void vcpu_intc_register(struct vcpu *v, const struct vcpu_intc_ops *ops, void *opaque);
int vcpu_intc_ack(struct vcpu *v);
bool vcpu_intc_pic_allowed(struct vcpu *v);
bool vcpu_intc_wait_sipi(struct vcpu *v);
void vcpu_intc_init(struct vcpu *v);
int vcpu_intc_take_sipi(struct vcpu *v);
uint64_t vcpu_intc_get_cr8(struct vcpu *v); /* CR8 is TPR[7:4] */
void vcpu_intc_set_cr8(struct vcpu *v, uint64_t cr8);
int vcpu_intc_base_write(struct vcpu *v, uint64_t val, uint64_t phys_mask);
int vcpu_intc_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val);
int vcpu_intc_msr_write(struct vcpu *v, uint32_t msr, uint64_t val);
uint64_t vcpu_intc_tsc_deadline_read(struct vcpu *v);
void vcpu_intc_tsc_deadline_write(struct vcpu *v, uint64_t val);
void vcpu_intc_thread_start(struct vcpu *v);

#include "vm/options.h"
/* savevm/loadvm, which the frontends offer too */
#include "vm/ss.h"

#endif
