/* The VM object: its state machine, listeners and forced actions. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <unistd.h>

#include "vm/vm.h"

static struct vm *make_vm(void)
{
    struct vm_config cfg = {.ram_size = 4 << 20, .ncpus = 2, .nodefaults = true};
    struct vm *vm;
    char err[200];
    cr_assert_eq(vm_create(&cfg, &vm, err, sizeof(err)), 0, "%s", err);
    return vm;
}

static void count_transition(void *opaque, struct vm *vm, enum vm_state from, enum vm_state to)
{
    int *n = opaque;
    (void)vm, (void)from, (void)to;
    (*n)++;
}

Test(vm, legal_and_illegal_transitions)
{
    struct vm *vm = make_vm();
    int seen = 0;
    cr_assert_eq(vm->state, VM_CREATED);
    cr_assert_eq(vm_add_listener(vm, count_transition, &seen), 0);
    cr_assert_lt(vm_set_state(vm, VM_RUNNING), 0, "CREATED -> RUNNING must be refused");
    cr_assert_lt(vm_set_state(vm, VM_SUSPENDED), 0);
    cr_assert_eq(vm->state, VM_CREATED);
    cr_assert_eq(seen, 0, "refused transitions are not announced");
    cr_assert_eq(vm_set_state(vm, VM_POWERING_ON), 0);
    cr_assert_eq(vm_set_state(vm, VM_RUNNING), 0);
    cr_assert_eq(vm_set_state(vm, VM_SUSPENDED), 0);
    cr_assert_lt(vm_set_state(vm, VM_POWERING_ON), 0);
    cr_assert_eq(vm_set_state(vm, VM_RUNNING), 0);
    cr_assert_eq(vm_set_state(vm, VM_POWERING_OFF), 0);
    cr_assert_lt(vm_set_state(vm, VM_RUNNING), 0, "POWERING_OFF only goes to OFF");
    cr_assert_eq(vm_set_state(vm, VM_OFF), 0);
    cr_assert_eq(seen, 6);
    vm_destroy(vm);
}

Test(vm, every_pair_of_states_matches_the_table)
{
    /* spot checks of the rules the rest of pcvm relies on */
    cr_assert(vm_state_legal(VM_RUNNING, VM_GURU_MEDITATION));
    cr_assert(!vm_state_legal(VM_GURU_MEDITATION, VM_RUNNING), "guru meditation is final");
    cr_assert(!vm_state_legal(VM_DESTROYING, VM_CREATED));
    cr_assert(!vm_state_legal(VM_OFF, VM_RUNNING));
    cr_assert(vm_state_legal(VM_OFF, VM_POWERING_ON));
    for (int s = 0; s < VM_STATE_COUNT; s++)
        cr_assert(!vm_state_legal((enum vm_state)s, (enum vm_state)s), "%s -> itself",
                  vm_state_name((enum vm_state)s));
}

Test(vm, reset_state_is_architectural)
{
    struct vm *vm = make_vm();
    const struct cpu *c = &vm->cpus[0].cpu;
    cr_assert_eq(c->seg[S_CS].sel, 0xf000);
    cr_assert_eq(c->seg[S_CS].base, 0xffff0000u);
    cr_assert_eq(c->rip, 0xfff0);
    cr_assert_eq(cpu_get_flags(c), 2);
    cr_assert_eq(c->cr0, 0x60000010u);
    cr_assert_neq(c->gpr[R_DX], 0, "EDX holds the CPU signature");
    cr_assert(c->apic_base & 0x100, "vCPU 0 is the BSP");
    cr_assert(!(vm->cpus[1].cpu.apic_base & 0x100), "vCPU 1 is not");
    vm_destroy(vm);
}

Test(vm, forced_actions_are_bits)
{
    struct vm *vm = make_vm();
    vcpu_ff_set(&vm->cpus[1], VCPU_FF_NMI | VCPU_FF_TIMER);
    cr_assert_eq(atomic_load(&vm->cpus[1].ff), VCPU_FF_NMI | VCPU_FF_TIMER);
    cr_assert_eq(atomic_load(&vm->cpus[0].ff), 0);
    vcpu_ff_clear(&vm->cpus[1], VCPU_FF_NMI);
    cr_assert_eq(atomic_load(&vm->cpus[1].ff), VCPU_FF_TIMER);
    vm_request(vm, VM_FF_SUSPEND);
    cr_assert(atomic_load(&vm->ff) & VM_FF_SUSPEND);
    vm_destroy(vm);
}

Test(vm, bad_configurations_are_refused)
{
    struct vm_config cfg = {.ram_size = 1 << 20, .ncpus = 1};
    struct vm *vm;
    char err[200] = "";
    cr_assert_lt(vm_create(&cfg, &vm, err, sizeof(err)), 0);
    cr_assert_neq(err[0], 0);
    cfg.ram_size = 4 << 20;
    cfg.ncpus = 0;
    cr_assert_lt(vm_create(&cfg, &vm, err, sizeof(err)), 0);
    cfg.ncpus = 1;
    cfg.kernel = "/nonexistent/kernel";
    cr_assert_lt(vm_create(&cfg, &vm, err, sizeof(err)), 0);
    cr_assert(strstr(err, "/nonexistent/kernel"), "%s", err);
}

Test(vm, guru_meditation_stops_the_vm_and_keeps_the_process)
{
    struct vm *vm = make_vm();
    cr_assert_eq(vm_set_state(vm, VM_POWERING_ON), 0);
    cr_assert_eq(vm_set_state(vm, VM_RUNNING), 0);
    vm_guru(vm, &vm->cpus[0], "unit test %d", 42);
    cr_assert_eq(vm->state, VM_GURU_MEDITATION);
    cr_assert(atomic_load(&vm->ff) & VM_FF_GURU);
    cr_assert_str_eq(vm->guru_reason, "unit test 42");
    cr_assert_lt(vm_set_state(vm, VM_RUNNING), 0, "no way back from guru meditation");
    vm_destroy(vm);
}

static void *run_thread(void *arg)
{
    vm_run(arg);
    return NULL;
}

/* Polls for up to 10 s until the VM is in state s. */
static bool wait_state(struct vm *vm, enum vm_state s)
{
    for (int i = 0; i < 1000 && vm->state != s; i++)
        usleep(10000);
    return vm->state == s;
}

Test(vm, suspend_parks_the_vcpus_and_stops_the_clock)
{
    static uint8_t rom[0x10000];
    struct vm *vm = make_vm();
    pthread_t t;
    rom[0xfff0] = 0xeb, rom[0xfff1] = 0xfe; /* jmp $ at the reset vector */
    cr_assert_eq(pgm_map_rom(&vm->pgm, 0xffff0000u, sizeof(rom), rom, "loop"), 0);
    pthread_create(&t, NULL, run_thread, vm);
    cr_assert(wait_state(vm, VM_RUNNING));
    vm_request(vm, VM_FF_SUSPEND);
    cr_assert(wait_state(vm, VM_SUSPENDED));
    usleep(20000); /* vCPU 1 parks too */
    uint64_t insns = vm->cpus[0].insns, clk = vm_clock_ns(vm);
    usleep(100000);
    cr_assert_eq(vm->cpus[0].insns, insns, "no instruction runs while suspended");
    cr_assert_eq(vm_clock_ns(vm), clk, "virtual time stands still while suspended");
    vm_resume(vm);
    cr_assert(wait_state(vm, VM_RUNNING));
    for (int i = 0; i < 1000 && vm->cpus[0].insns == insns; i++)
        usleep(10000);
    cr_assert_gt(vm->cpus[0].insns, insns, "runs again after resume");
    vm_request(vm, VM_FF_SUSPEND);
    cr_assert(wait_state(vm, VM_SUSPENDED));
    vm_request(vm, VM_FF_POWER_OFF);
    pthread_join(t, NULL);
    cr_assert_eq(vm->state, VM_OFF, "a suspended VM powers off");
    vm_destroy(vm);
}
