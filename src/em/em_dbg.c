/* EM's debug loop: while a debugger has breakpoints, watchpoints or a
 * single step for a vCPU, that vCPU runs on IEM one instruction at a
 * time, checked before (breakpoints) and after (watchpoints, the step).
 *
 * Invariant: the guest sees nothing of this; the instructions it runs and
 * their results are those of any engine. A stop leaves the vCPU between
 * two instructions, with the VM asked to suspend (dbg_report).
 */
#include "em/em.h"
#include "vm/dbg.h"

int em_dbg_run(struct vcpu *v, uint64_t max)
{
    struct dbg *d = v->vm->dbg;
    int rc = IEM_OK;

    for (uint64_t n = 0; n < max && dbg_vcpu_active(v); n++) {
        bool step = atomic_load(&d->step_cpu) == (int)v->id;
        d->cpu[v->id].watch_hit = false;
        v->dbg_watch = d->nwp ? dbg_watch_access : NULL;
        rc = iem_exec_debug(v, !step, dbg_stop_before);
        v->dbg_watch = NULL;
        if (rc == IEM_BREAK || rc == IEM_TRIPLE || rc < 0)
            return rc;
        if (d->cpu[v->id].watch_hit) {
            dbg_report(v, DBG_STOP_WATCH);
            return IEM_BREAK;
        }
        if (step) { /* also when halted: the step ends where the CPU waits */
            dbg_report(v, DBG_STOP_STEP);
            return IEM_BREAK;
        }
        if (rc == IEM_HALT)
            return rc;
    }
    return rc == IEM_EXC ? IEM_OK : rc;
}
