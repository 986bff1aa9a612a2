/* VM object lifetime: create, boot, run, reset, guru meditation, destroy. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cpu/trace.h"
#include "devices/acpi.h"
#include "devices/ide.h"
#include "em/em.h"
#include "vm/clock.h"
#include "vm/dbg.h"
#include "vm/ss.h"
#include "vm/vm.h"


static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t vm_clock_ns(struct vm *vm)
{
    return vm->clock ? clock_now(vm->clock) : mono_ns() - vm->clock_base_ns;
}

void vm_request(struct vm *vm, unsigned ff)
{
    atomic_fetch_or(&vm->ff, ff);
    for (unsigned i = 0; vm->cpus && i < vm->ncpus; i++) {
        atomic_fetch_or(&vm->cpus[i].ff, VCPU_FF_VM);
        vcpu_stop_code(&vm->cpus[i]);
    }
    em_wake(vm);
    for (unsigned i = 0; vm->cpus && i < vm->ncpus; i++)
        em_kick(&vm->cpus[i]);
}

void vm_resume(struct vm *vm)
{
    atomic_fetch_and(&vm->ff, ~VM_FF_SUSPEND);
    em_wake(vm);
}

void vcpu_ff_set(struct vcpu *v, unsigned ff)
{
    atomic_fetch_or(&v->ff, ff);
    vcpu_stop_code(v);
    em_wake(v->vm);
    em_kick(v);
}

void vcpu_ff_clear(struct vcpu *v, unsigned ff)
{
    atomic_fetch_and(&v->ff, ~ff);
}

void vcpu_reset(struct vcpu *v, enum vcpu_reset_kind kind)
{
    uint64_t apic_base = v->cpu.apic_base, tsc_offset = v->cpu.tsc_offset;
    cpu_state_reset(&v->cpu, iem_cpu_signature(v));
    if (kind == VCPU_RESET_INIT) {
        v->cpu.apic_base = apic_base;
        v->cpu.tsc_offset = tsc_offset;
    } else {
        v->cpu.apic_base &= v->id == 0 ? ~0ull : ~APIC_BASE_BSP; /* only the BSP has the BSP bit */
        atomic_store(&v->ff, 0);
    }
    v->iem.exc.pending = false;
    v->iem.fault_depth = 0;
    iem_flush(v);
    if (kind == VCPU_RESET_INIT)
        vcpu_intc_init(v);
}

/* Puts firmware or the kernel in place; run at power on and every reset. */
static int vm_boot(struct vm *vm, char *err, size_t errlen)
{
    const struct vm_config *cfg = &vm->cfg;

    for (unsigned i = 0; i < vm->ncpus; i++)
        vcpu_reset(&vm->cpus[i], VCPU_RESET_POWER);
    pgm_set_a20(&vm->pgm, true);
    pgm_change_mode(&vm->pgm, PGM_MODE_REAL);
    if (!cfg->bios)
        bios_prepare(vm); /* the built-in BIOS's E820 map; no kernel to start yet */
    if (loader_options(vm, err, errlen) < 0)
        return -1;
    /* a bzImage boots through the Linux boot protocol, else Multiboot */
    if (cfg->kernel && loader_kernel(vm, cfg->kernel, cfg->append, cfg->initrd, err, errlen) < 0)
        return -1;
    return 0;
}

void vm_s3_sleep(struct vm *vm)
{
    vm_request(vm, VM_FF_SLEEP);
}

void vm_s3_wake(struct vm *vm)
{
    atomic_store(&vm->s3_resume, true);
    vm_request(vm, VM_FF_RESET);
}

/* What the firmware does on an S3 resume (ACPI 6.4 16.3.2): the BSP starts
 * in real mode at CS:IP = (vector >> 4):(vector & 0xF), the APs wait for a
 * SIPI; memory stays as the OS left it. False without a vector: boot. */
static bool vm_s3_resume(struct vm *vm)
{
    uint32_t vec = acpi_waking_vector(vm);
    if (!vec)
        return false;
    for (unsigned i = 0; i < vm->ncpus; i++)
        vcpu_reset(&vm->cpus[i], VCPU_RESET_POWER);
    pgm_set_a20(&vm->pgm, true);
    pgm_change_mode(&vm->pgm, PGM_MODE_REAL);
    struct vcpu *v = &vm->cpus[0];
    v->cpu.seg[S_CS].sel = (uint16_t)(vec >> 4); /* limit and rights: as after reset */
    v->cpu.seg[S_CS].base = (uint64_t)v->cpu.seg[S_CS].sel << 4;
    v->cpu.rip = vec & 0xf;
    iem_flush(v);
    return true;
}

void vm_reset(struct vm *vm)
{
    char err[200];
    vm->resets++;
    vm_set_state(vm, VM_RESETTING);
    atomic_fetch_and(&vm->ff, ~VM_FF_SLEEP);
    bool resume = atomic_load(&vm->s3_resume);
    bus_reset(&vm->bus); /* acpi_reset reads s3_resume */
    atomic_store(&vm->s3_resume, false);
    if (resume && !vm->cfg.bios && vm_s3_resume(vm)) { /* a BIOS resumes by itself (CMOS 0xF = 0xFE) */
        vm_set_state(vm, VM_RUNNING);
        return;
    }
    if (vm_boot(vm, err, sizeof(err)) < 0) {
        vm_guru(vm, &vm->cpus[0], "reset: %s", err);
        return;
    }
    vm_set_state(vm, VM_RUNNING);
}

/* A guest that triple faults again right after each reset would print a
 * line per reset, hundreds of thousands a second: the first few are
 * reported, then only the 10th, 100th, 1000th... and the total at power off. */
#define TRIPLE_FAULTS_SHOWN 3

static bool power_of_10(uint64_t n)
{
    while (n >= 10 && n % 10 == 0)
        n /= 10;
    return n == 1;
}

void vm_triple_fault(struct vm *vm)
{
    uint64_t n = atomic_fetch_add(&vm->triple_faults, 1) + 1;
    if (n <= TRIPLE_FAULTS_SHOWN)
        fprintf(stderr, "pcvm: triple fault%s\n", vm->cfg.no_reboot ? "" : ", resetting");
    else if (power_of_10(n))
        fprintf(stderr, "pcvm: ... %llu triple faults so far, each resetting (next report at %llu)\n",
                (unsigned long long)n, (unsigned long long)n * 10);
    vm_request(vm, VM_FF_RESET);
}

/* The count the last rate-limited report left out. */
static void triple_fault_total(struct vm *vm)
{
    uint64_t n = atomic_load(&vm->triple_faults);
    if (n > TRIPLE_FAULTS_SHOWN && !power_of_10(n))
        fprintf(stderr, "pcvm: %llu triple faults in all\n", (unsigned long long)n);
}

static void chardev_quit(void *opaque)
{
    vm_request(opaque, VM_FF_POWER_OFF);
}

static int open_chardev(struct vm *vm, const char *spec, struct chardev **out, char *err, size_t errlen)
{
    if (vm->nchardevs >= sizeof(vm->chardevs) / sizeof(vm->chardevs[0])) {
        snprintf(err, errlen, "too many character devices");
        return -1;
    }
    if (chardev_open(spec, out) < 0) {
        snprintf(err, errlen, "cannot open character device '%s': %s", spec, strerror(errno));
        return -1;
    }
    vm->chardevs[vm->nchardevs++] = *out;
    chardev_set_quit(*out, chardev_quit, vm);
    return 0;
}

/* --trace=FILE and --trace-tb FILE go through an outfile, which keeps the
 * first write error. */
static int open_log(const char *path, struct outfile **of, FILE **out, char *err, size_t errlen)
{
    int rc;
    *of = malloc(sizeof(**of));
    if (!*of) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    rc = outfile_open_log(*of, path);
    *out = rc < 0 ? NULL : outfile_stdio(*of);
    if (!*out) {
        snprintf(err, errlen, "cannot open trace file '%s': %s", path, strerror(rc < 0 ? -rc : -(*of)->err));
        return -1;
    }
    return 0;
}

static int open_trace(struct vm *vm, char *err, size_t errlen)
{
    if (!vm->cfg.trace_file) {
        vm->trace_out = stderr;
        return 0;
    }
    return open_log(vm->cfg.trace_file, &vm->trace_file, &vm->trace_out, err, errlen);
}

int vm_chardev(struct vm *vm, const char *name, struct chardev **out, char *err, size_t errlen)
{
    const struct vm_config *cfg = &vm->cfg;
    bool by_id = !strncmp(name, "chardev:", 8);
    const char *id = by_id ? name + 8 : name;

    for (unsigned i = 0; i < cfg->nchardev_defs; i++) {
        if (strcmp(cfg->chardev_defs[i].id, id))
            continue;
        if (!vm->chardev_by_def[i] && open_chardev(vm, cfg->chardev_defs[i].spec, &vm->chardev_by_def[i], err,
                                                   errlen) < 0)
            return -1;
        *out = vm->chardev_by_def[i];
        return 0;
    }
    if (by_id) {
        snprintf(err, errlen, "no -chardev with id '%s'", id);
        return -1;
    }
    return open_chardev(vm, name, out, err, errlen);
}

static int create_devices(struct vm *vm, char *err, size_t errlen)
{
    static const uint16_t com_base[4] = {0x3f8, 0x2f8, 0x3e8, 0x2e8};
    const struct vm_config *cfg = &vm->cfg;
    struct chardev *chr;

    if (pc_machine_create(vm, err, errlen) < 0)
        return -1;
    for (unsigned i = 0; i < cfg->nserial && i < 4; i++) {
        if (!strcmp(cfg->serial[i], "none"))
            continue;
        if (vm_chardev(vm, cfg->serial[i], &chr, err, errlen) < 0)
            return -1;
        /* COM1/COM3 share IRQ4, COM2/COM4 IRQ3 */
        if (dev_uart_create(vm, com_base[i], pc_isa_irq(vm, (i & 1) ? 3 : 4), chr) < 0) {
            snprintf(err, errlen, "cannot create serial port %u", i);
            return -1;
        }
    }
    if (cfg->debugcon) {
        if (vm_chardev(vm, cfg->debugcon, &chr, err, errlen) < 0)
            return -1;
        if (dev_debugcon_create(vm, 0xe9, chr) < 0) {
            snprintf(err, errlen, "cannot create the debug console");
            return -1;
        }
    }
    /* pc-testdev last: its 0xE8-0xEB window yields port 0xE9 to a debug console */
    for (int pass = 0; pass < 2; pass++)
        for (unsigned i = 0; i < cfg->ndevices; i++) {
            const char *d = cfg->devices[i];
            bool testdev = !strncmp(d, "pc-testdev", 10) && (!d[10] || d[10] == ',');
            if (testdev == (pass == 1) && dev_create_from_option(vm, d, err, errlen) < 0)
                return -1;
        }
    return 0;
}

int vm_create(const struct vm_config *cfg, struct vm **out, char *err, size_t errlen)
{
    struct vm *vm;

    *out = NULL;
    if (cfg->ram_size < (2u << 20) || (cfg->ram_size & 0xfff)) {
        snprintf(err, errlen, "memory size must be a multiple of 4 KiB and at least 2 MiB");
        return -1;
    }
    if (cfg->ncpus < 1 || cfg->ncpus > VM_MAX_CPUS) {
        snprintf(err, errlen, "the number of CPUs must be between 1 and %d", VM_MAX_CPUS);
        return -1;
    }
    vm = calloc(1, sizeof(*vm));
    if (!vm) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    pthread_mutex_init(&vm->lock, NULL);
    pthread_mutex_init(&vm->rmw_lock, NULL);
    pthread_cond_init(&vm->cond, NULL);
    vm->cfg = *cfg;
    vm->exit_status = -1;
    vm->state = VM_CREATED;
    vm->clock_base_ns = mono_ns();
    if (pgm_init(&vm->pgm, cfg->ram_size) < 0 || pgm_map_pc_ram(&vm->pgm) < 0) {
        snprintf(err, errlen, "cannot reserve %llu MiB of guest memory",
                 (unsigned long long)(cfg->ram_size >> 20));
        goto fail;
    }
    vm->ncpus = cfg->ncpus;
    vm->cpus = calloc(cfg->ncpus, sizeof(*vm->cpus));
    if (!vm->cpus) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    for (unsigned i = 0; i < vm->ncpus; i++) {
        struct vcpu *v = &vm->cpus[i];
        v->vm = vm;
        v->id = i;
        if (iem_init(v) < 0) {
            snprintf(err, errlen, "cannot initialise the interpreter");
            goto fail;
        }
    }
    if (cfg->trace_tb_file && open_log(cfg->trace_tb_file, &vm->trace_tb_file, &vm->trace_tb_out, err, errlen) < 0)
        goto fail;
    if (cfg->perfmap) {
        /* perf's convention for JIT symbols: one "START SIZE NAME" line each */
        char path[64];
        snprintf(path, sizeof path, "/tmp/perf-%d.map", (int)getpid());
        vm->perfmap_out = fopen(path, "w");
        if (!vm->perfmap_out) {
            snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
            goto fail;
        }
    }
    if (cfg->trace) {
        if (open_trace(vm, err, errlen) < 0)
            goto fail;
        for (unsigned i = 0; i < vm->ncpus; i++)
            if (iem_trace_init(&vm->cpus[i], vm->trace_out) < 0) {
                snprintf(err, errlen, "cannot initialise Capstone for --trace");
                goto fail;
            }
    }
    if ((cfg->bios ? loader_bios(vm, cfg->bios, err, errlen) : bios_map(vm, err, errlen)) < 0)
        goto fail;
    if (create_devices(vm, err, errlen) < 0 || vm_boot(vm, err, errlen) < 0)
        goto fail;
    *out = vm;
    return 0;
fail:
    vm_destroy(vm);
    return -1;
}

/* --savevm: every vCPU has stopped where --max-insns stopped them. */
static void save_at_limit(struct vm *vm)
{
    char err[600];
    if (vm_set_state(vm, VM_SAVING) < 0)
        return;
    if (ss_save(vm, vm->cfg.savevm_file, err, sizeof(err)) < 0) {
        fprintf(stderr, "pcvm: savevm: %s\n", err);
        vm->save_failed = true;
    }
}

int vm_run(struct vm *vm)
{
    if (vm_set_state(vm, VM_POWERING_ON) < 0)
        return -EINVAL;
    if (vm->clock)
        clock_rebase(vm->clock);
    else
        vm->clock_base_ns = mono_ns();
    if (em_start(vm) < 0) {
        vm_set_state(vm, VM_POWERING_OFF);
        vm_set_state(vm, VM_OFF);
        return -1;
    }
    vm_set_state(vm, VM_RUNNING);
    em_join(vm);
    triple_fault_total(vm);
    if (vm->insn_limit_hit && vm->cfg.savevm_file && vm->state == VM_RUNNING)
        save_at_limit(vm);
    else if (vm->cfg.savevm_file)
        fprintf(stderr, "pcvm: --savevm: the VM stopped before --max-insns; %s not written\n", vm->cfg.savevm_file);
    if (vm->state != VM_GURU_MEDITATION) {
        vm_set_state(vm, VM_POWERING_OFF);
        vm_set_state(vm, VM_OFF);
    }
    return 0;
}

void vm_guru(struct vm *vm, struct vcpu *v, const char *fmt, ...)
{
    char dump[2048];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(vm->guru_reason, sizeof(vm->guru_reason), fmt, ap);
    va_end(ap);
    fprintf(stderr, "pcvm: guru meditation: %s\n", vm->guru_reason);
    if (v) {
        cpu_dump(&v->cpu, dump, sizeof(dump));
        fprintf(stderr, "vcpu %u after %llu instructions:\n%s", v->id, (unsigned long long)v->insns, dump);
    }
    vm_set_state(vm, VM_GURU_MEDITATION);
    vm_request(vm, VM_FF_GURU);
}

static int report_output(const struct outfile *f, const char *what)
{
    if (!f || !f->err)
        return 0;
    fprintf(stderr, "pcvm: cannot write %s (%s): %s\n", f->path, what, strerror(-f->err));
    return 1;
}

int vm_finish_outputs(struct vm *vm)
{
    char err[512];
    int failed = 0;
    if (vm->save_failed)
        failed++;
    if (vm->trace_file) {
        fflush(vm->trace_out);
        outfile_sync(vm->trace_file);
        failed += report_output(vm->trace_file, "trace");
    }
    if (vm->trace_tb_file) {
        fflush(vm->trace_tb_out);
        outfile_sync(vm->trace_tb_file);
        failed += report_output(vm->trace_tb_file, "TB trace");
    }
    for (unsigned i = 0; i < vm->nchardevs; i++) {
        struct outfile *log = vm->chardevs[i]->log;
        if (log)
            outfile_sync(log);
        failed += report_output(log, "serial or debug console output");
    }
    if (dev_ide_sync(vm, err, sizeof(err)) < 0) {
        fprintf(stderr, "pcvm: %s\n", err);
        failed++;
    }
    return failed;
}

void vm_destroy(struct vm *vm)
{
    if (!vm)
        return;
    bus_destroy(&vm->bus);
    for (unsigned i = 0; i < vm->nchardevs; i++)
        chardev_close(vm->chardevs[i]);
    if (vm->cpus) {
        em_fini(vm);
        for (unsigned i = 0; i < vm->ncpus; i++)
            iem_fini(&vm->cpus[i]);
    }
    free(vm->cpus);
    if (vm->trace_out && vm->trace_out != stderr)
        fclose(vm->trace_out);
    if (vm->trace_file)
        outfile_close(vm->trace_file, 0);
    free(vm->trace_file);
    if (vm->trace_tb_out)
        fclose(vm->trace_tb_out);
    if (vm->trace_tb_file)
        outfile_close(vm->trace_tb_file, 0);
    free(vm->trace_tb_file);
    if (vm->perfmap_out)
        fclose(vm->perfmap_out);
    pgm_fini(&vm->pgm);
    dbg_free(vm);
    pthread_cond_destroy(&vm->cond);
    pthread_mutex_destroy(&vm->rmw_lock);
    pthread_mutex_destroy(&vm->lock);
    free(vm);
}
