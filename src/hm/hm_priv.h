/* HM's internals, shared by the files of src/hm. */
#ifndef PCVM_HM_PRIV_H
#define PCVM_HM_PRIV_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "hm/hm.h"
#include "vm/vm.h"

#define HM_MAX_SLOTS 64
#define HM_MAX_MSRS 16
#define HM_XSAVE_SIZE 4096 /* struct kvm_xsave: the legacy and extended areas, uncompacted */

/* A KVM memory slot: guest-physical [gpa, gpa + size) at host. */
struct hm_slot {
    uint64_t gpa, size;
    uint8_t *host;
    bool ro;
};

/* The KVM VM of one struct vm (vm->hm), shared by its vCPUs. */
struct hm_vm {
    int kvm_fd, vm_fd;
    unsigned refs;        /* vCPUs using it */
    size_t run_size;      /* KVM_GET_VCPU_MMAP_SIZE */
    bool readonly_mem;    /* KVM_CAP_READONLY_MEM: ROM as read-only slots */
    bool xsave;           /* KVM_CAP_XSAVE, else KVM_GET/SET_FPU */
    bool xcrs;
    bool kernel_only;     /* kvm-pvm: guest CPL 3 and virtual-8086 code run in IEM */
    bool legacy_paging;   /* a 32-bit guest may turn paging on (hm_probe_legacy_paging), else
                           * protected mode without long mode runs in IEM */
    bool debug_wrong;     /* kvm-pvm: single-step and breakpoints come out wrong (measured), so
                           * code with EFLAGS.TF or enabled DR7 breakpoints runs in IEM */
    bool real_emulated;   /* kvm-pvm: real mode is KVM's instruction emulator, which goes on into
                           * protected mode without an exit (hm_probe.c), so real mode runs in IEM */
    pthread_mutex_t lock; /* the slot table */
    struct hm_slot slots[HM_MAX_SLOTS];
    bool used[HM_MAX_SLOTS]; /* slot ids in use */
    unsigned nslots;
    uint32_t msrs[HM_MAX_MSRS]; /* the MSRs of struct cpu that KVM keeps (its index list) */
    unsigned nmsrs;
    struct kvm_cpuid2 *supported; /* KVM_GET_SUPPORTED_CPUID */
};

/* Per-vCPU counters for --info engines. */
struct hm_stats {
    uint64_t kvm_ns, iem_ns;   /* time in KVM_RUN, and in IEM hand-overs */
    uint64_t runs, exits_io, exits_mmio, exits_hlt, exits_intr, exits_window, exits_msr, exits_other;
    uint64_t handovers;        /* entries into IEM because KVM could not go on */
    uint64_t iem_insns;        /* instructions IEM retired in them */
    uint64_t irqs, nmis;       /* injected with KVM_INTERRUPT / KVM_NMI */
    uint64_t syncs_in, syncs_out;
};

struct hm_vcpu {
    struct hm_vm *hvm;
    int fd;
    struct kvm_run *run;
    /* kick: signal the thread only while it is inside hm_exec */
    pthread_mutex_t kick_lock;
    pthread_t thread;
    bool in_exec;
    bool mask_ready; /* the kick signal is blocked here, open during KVM_RUN */
    timer_t timer;   /* vCPU 0: leaves KVM_RUN at the clock's next deadline */
    bool timer_ok;
    uint64_t timer_at;
    /* Lazy state: shadow is struct cpu as KVM last held it; a group of
     * registers is written to KVM only when struct cpu differs from it. */
    struct cpu shadow;
    bool shadow_valid;
    uint8_t xsave[HM_XSAVE_SIZE] __attribute__((aligned(64)));
    bool kvm_ran;          /* KVM_RUN since the last hand-over: IEM's caches are stale */
    bool kvm_newer;        /* KVM_RUN since the last sync: KVM's state is newer than struct cpu */
    enum hm_tsc tsc;       /* how KVM's TSC is set (hm_tsc_probe) */
    unsigned handover_len; /* instructions the next hand-over runs (grows while KVM keeps failing) */
    bool said_cannot;      /* "KVM cannot run this guest" printed */
    enum hm_fault fault;
    struct hm_stats st;
};

/* hm_probe.c: /dev/kvm opened and checked (API, capabilities), or -1 with why. */
int hm_kvm_open(char *why, size_t len);
bool hm_probe_legacy_paging(int kvm);

/* hm_mem.c: memory slots that follow PGM's map. */
int hm_mem_init(struct vm *vm);
void hm_mem_fini(struct vm *vm);

/* hm_state.c */
void hm_state_init(struct hm_vcpu *h); /* run->s.regs from KVM at creation */
int hm_sync_in(struct vcpu *v);         /* struct cpu -> KVM, groups that changed */
int hm_sync_out(struct vcpu *v);        /* KVM -> struct cpu, all of it */
/* Events KVM had in flight when a hand-over takes the vCPU: delivered by
 * IEM (hardware ones) or dropped (a software INT n is re-executed). */
int hm_events_to_iem(struct vcpu *v);
enum hm_tsc hm_tsc_probe(struct hm_vcpu *h);

/* hm_exit.c: handles one KVM_RUN exit; 0 to re-enter KVM, else the IEM_*
 * status hm_exec returns (HM_CONTINUE_EM: to EM without a status). */
#define HM_RETURN_EM 100
int hm_handle_exit(struct vcpu *v);
/* Runs IEM where KVM failed or cannot go: `max` instructions at most
 * (0: a few, growing while KVM keeps failing). 0 to re-enter KVM,
 * HM_RETURN_EM when the state is still one KVM cannot run, else IEM's
 * status. */
int hm_handover(struct vcpu *v, const char *why, uint64_t max);
/* The same when struct cpu already holds the state (KVM refused to take it). */
int hm_handover_cpu(struct vcpu *v, const char *why, uint64_t max);
/* Why KVM cannot run the vCPU in the state KVM last reported, or NULL. */
const char *hm_kvm_cannot_run(const struct hm_vcpu *h);
/* The user-space MSR exits this VM asks for (APIC base, x2APIC, TSC deadline). */
void hm_msr_filter(struct hm_vm *hvm);

uint64_t hm_now_ns(void);

#endif
