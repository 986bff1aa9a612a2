/* The debugger core: whole-VM stop and resume, breakpoint and watchpoint
 * lists, single steps, and side-effect-free guest memory access.
 *
 * Invariants:
 * - The lists and the per-vCPU skip records change only while the VM is
 *   stopped (dbg_stopped), so vCPUs read them without the lock.
 * - A vCPU checks the lists only in EM's debug loop, which runs while
 *   `active` (any breakpoint, watchpoint or step) is set.
 * - Memory access here never reaches a device and never sets an accessed
 *   or dirty bit: reading guest memory changes nothing the guest can see.
 */
#include "vm/dbg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "em/em.h"

int dbg_attach(struct vm *vm)
{
    if (vm->dbg)
        return 0;
    struct dbg *d = calloc(1, sizeof(*d));
    if (!d)
        return -ENOMEM;
    pthread_mutex_init(&d->lock, NULL);
    atomic_store(&d->step_cpu, -1);
    vm->dbg = d;
    return 0;
}

void dbg_free(struct vm *vm)
{
    if (!vm->dbg)
        return;
    pthread_mutex_destroy(&vm->dbg->lock);
    free(vm->dbg);
    vm->dbg = NULL;
}

static bool vcpus_ending(struct vm *vm)
{
    return (atomic_load(&vm->ff) & (VM_FF_POWER_OFF | VM_FF_GURU)) || vm->state == VM_OFF ||
           vm->state == VM_GURU_MEDITATION;
}

bool dbg_ended(struct vm *vm)
{
    return vcpus_ending(vm);
}

bool dbg_stopped(struct vm *vm)
{
    pthread_mutex_lock(&vm->lock);
    bool r = (atomic_load(&vm->ff) & VM_FF_SUSPEND) && vm->nquiet >= vm->ncpus;
    pthread_mutex_unlock(&vm->lock);
    return r;
}

int dbg_stop(struct vm *vm)
{
    vm_request(vm, VM_FF_SUSPEND);
    pthread_mutex_lock(&vm->lock);
    while (vm->nquiet < vm->ncpus && !vcpus_ending(vm))
        pthread_cond_wait(&vm->cond, &vm->lock);
    pthread_mutex_unlock(&vm->lock);
    return vcpus_ending(vm) ? -1 : 0;
}

uint64_t dbg_pc(const struct cpu *c)
{
    uint64_t pc = c->seg[S_CS].base + c->rip;
    return (c->efer & EFER_LMA) ? pc : pc & 0xffffffffull;
}

static void update_active(struct dbg *d)
{
    atomic_store(&d->active, d->nbp || d->nwp || atomic_load(&d->step_cpu) >= 0);
}

void dbg_resume(struct vm *vm, int step_cpu)
{
    struct dbg *d = vm->dbg;
    if (d) {
        pthread_mutex_lock(&d->lock);
        d->stop.reason = DBG_STOP_NONE;
        for (unsigned i = 0; i < vm->ncpus; i++) {
            d->cpu[i].skip = true;
            d->cpu[i].skip_pc = dbg_pc(&vm->cpus[i].cpu);
            d->cpu[i].watch_hit = false;
        }
        atomic_store(&d->step_cpu, step_cpu >= 0 && (unsigned)step_cpu < vm->ncpus ? step_cpu : -1);
        update_active(d);
        pthread_mutex_unlock(&d->lock);
    }
    vm_resume(vm);
}

struct dbg_stop dbg_take_stop(struct vm *vm)
{
    struct dbg_stop s = {.reason = DBG_STOP_NONE};
    if (!vm->dbg)
        return s;
    pthread_mutex_lock(&vm->dbg->lock);
    s = vm->dbg->stop;
    vm->dbg->stop.reason = DBG_STOP_NONE;
    pthread_mutex_unlock(&vm->dbg->lock);
    return s;
}

int dbg_insert(struct vm *vm, enum dbg_bp_type type, uint64_t addr, uint64_t len)
{
    struct dbg *d = vm->dbg;
    int rc = 0;
    if (type > DBG_WP_ACCESS || (type >= DBG_WP_WRITE && (len == 0 || len > 4096)))
        return -EINVAL;
    pthread_mutex_lock(&d->lock);
    if (type <= DBG_BP_HW) {
        if (d->nbp >= DBG_MAX_BP)
            rc = -ENOSPC;
        else
            d->bp[d->nbp].addr = addr, d->bp[d->nbp++].type = type;
    } else if (d->nwp >= DBG_MAX_WP) {
        rc = -ENOSPC;
    } else {
        d->wp[d->nwp].addr = addr, d->wp[d->nwp].len = len, d->wp[d->nwp++].type = type;
    }
    update_active(d);
    pthread_mutex_unlock(&d->lock);
    return rc;
}

int dbg_remove(struct vm *vm, enum dbg_bp_type type, uint64_t addr, uint64_t len)
{
    struct dbg *d = vm->dbg;
    int rc = -ENOENT;
    pthread_mutex_lock(&d->lock);
    for (unsigned i = 0; i < d->nbp && rc; i++)
        if (type <= DBG_BP_HW && d->bp[i].type == type && d->bp[i].addr == addr) {
            d->bp[i] = d->bp[--d->nbp];
            rc = 0;
        }
    for (unsigned i = 0; i < d->nwp && rc; i++)
        if (d->wp[i].type == type && d->wp[i].addr == addr && d->wp[i].len == len) {
            d->wp[i] = d->wp[--d->nwp];
            rc = 0;
        }
    update_active(d);
    pthread_mutex_unlock(&d->lock);
    return rc;
}

void dbg_clear(struct vm *vm)
{
    struct dbg *d = vm->dbg;
    if (!d)
        return;
    pthread_mutex_lock(&d->lock);
    d->nbp = d->nwp = 0;
    atomic_store(&d->step_cpu, -1);
    update_active(d);
    pthread_mutex_unlock(&d->lock);
}

/* ---- the vCPU side (EM's debug loop) ---- */

void dbg_report(struct vcpu *v, enum dbg_reason reason)
{
    struct dbg *d = v->vm->dbg;
    pthread_mutex_lock(&d->lock);
    if (d->stop.reason == DBG_STOP_NONE) {
        d->stop = (struct dbg_stop){.reason = reason, .cpu = v->id};
        if (reason == DBG_STOP_WATCH) {
            d->stop.addr = d->cpu[v->id].watch_addr;
            d->stop.wtype = d->cpu[v->id].watch_type;
        }
    }
    if (reason == DBG_STOP_STEP) {
        atomic_store(&d->step_cpu, -1);
        update_active(d);
    }
    pthread_mutex_unlock(&d->lock);
    vm_request(v->vm, VM_FF_SUSPEND);
}

bool dbg_stop_before(struct vcpu *v)
{
    struct dbg *d = v->vm->dbg;
    uint64_t pc = dbg_pc(&v->cpu);
    if (d->cpu[v->id].skip) {
        d->cpu[v->id].skip = false;
        if (pc == d->cpu[v->id].skip_pc)
            return false;
    }
    for (unsigned i = 0; i < d->nbp; i++)
        if (d->bp[i].addr == pc) {
            dbg_report(v, DBG_STOP_BREAK);
            return true;
        }
    return false;
}

void dbg_watch_access(struct vcpu *v, uint64_t lin, unsigned len, bool write)
{
    struct dbg *d = v->vm->dbg;
    if (d->cpu[v->id].watch_hit)
        return;
    for (unsigned i = 0; i < d->nwp; i++) {
        enum dbg_bp_type t = d->wp[i].type;
        if ((t == DBG_WP_WRITE && !write) || (t == DBG_WP_READ && write))
            continue;
        if (lin < d->wp[i].addr + d->wp[i].len && d->wp[i].addr < lin + len) {
            d->cpu[v->id].watch_hit = true;
            d->cpu[v->id].watch_addr = d->wp[i].addr;
            d->cpu[v->id].watch_type = t;
            return;
        }
    }
}

/* ---- memory ---- */

/* Up to the end of the page at gpa: RAM or ROM bytes, never a device. */
static uint8_t *mem_page(struct vm *vm, uint64_t gpa, bool write)
{
    uint8_t *page = pgm_page_ptr(&vm->pgm, gpa, write);
    return page ? page + (gpa & 0xfff) : NULL;
}

static size_t chunk(uint64_t addr, size_t left)
{
    size_t room = 0x1000 - (addr & 0xfff);
    return left < room ? left : room;
}

size_t dbg_read_phys(struct vm *vm, uint64_t gpa, void *buf, size_t len)
{
    size_t done = 0;
    while (done < len) {
        size_t n = chunk(gpa + done, len - done);
        const uint8_t *h = mem_page(vm, gpa + done, false);
        if (!h)
            break;
        memcpy((uint8_t *)buf + done, h, n);
        done += n;
    }
    return done;
}

static size_t virt_access(struct vcpu *v, uint64_t addr, uint8_t *buf, size_t len, bool write)
{
    struct pgm_walk regs = pgm_walk_regs(&v->cpu);
    struct pgm *p = &v->vm->pgm;
    size_t done = 0;
    while (done < len) {
        uint64_t lin = addr + done, gpa;
        size_t n = chunk(lin, len - done);
        uint8_t *h;
        if (pgm_debug_translate(p, &regs, lin, &gpa) < 0 || !(h = mem_page(v->vm, gpa, write)))
            break;
        if (write) {
            memcpy(h, buf + done, n);
            pgm_note_write(p, gpa, n);
        } else {
            memcpy(buf + done, h, n);
        }
        done += n;
    }
    return done;
}

size_t dbg_read_virt(struct vcpu *v, uint64_t addr, void *buf, size_t len)
{
    return virt_access(v, addr, buf, len, false);
}

size_t dbg_write_virt(struct vcpu *v, uint64_t addr, const void *buf, size_t len)
{
    return virt_access(v, addr, (uint8_t *)buf, len, true);
}
