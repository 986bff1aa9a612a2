/* The VM state machine: one table says which transitions are legal. */
#include <errno.h>

#include "vm/vm.h"

static const char *const names[VM_STATE_COUNT] = {
    "created", "powering-on", "running", "suspended", "resetting", "saving", "loading",
    "powering-off", "off", "guru-meditation", "destroying",
};

#define B(s) (1u << (s))
static const unsigned legal[VM_STATE_COUNT] = {
    [VM_CREATED] = B(VM_POWERING_ON) | B(VM_LOADING) | B(VM_DESTROYING),
    [VM_POWERING_ON] = B(VM_RUNNING) | B(VM_POWERING_OFF) | B(VM_GURU_MEDITATION),
    [VM_RUNNING] = B(VM_SUSPENDED) | B(VM_RESETTING) | B(VM_SAVING) | B(VM_POWERING_OFF) |
                   B(VM_GURU_MEDITATION),
    [VM_SUSPENDED] = B(VM_RUNNING) | B(VM_SAVING) | B(VM_LOADING) | B(VM_RESETTING) | B(VM_POWERING_OFF),
    [VM_RESETTING] = B(VM_RUNNING) | B(VM_SUSPENDED) | B(VM_POWERING_OFF) | B(VM_GURU_MEDITATION),
    [VM_SAVING] = B(VM_SUSPENDED) | B(VM_RUNNING) | B(VM_POWERING_OFF),
    [VM_LOADING] = B(VM_SUSPENDED) | B(VM_CREATED) | B(VM_POWERING_OFF),
    [VM_POWERING_OFF] = B(VM_OFF),
    [VM_OFF] = B(VM_POWERING_ON) | B(VM_DESTROYING),
    [VM_GURU_MEDITATION] = B(VM_POWERING_OFF) | B(VM_DESTROYING),
    [VM_DESTROYING] = 0,
};
#undef B

const char *vm_state_name(enum vm_state s)
{
    return (unsigned)s < VM_STATE_COUNT ? names[s] : "?";
}

bool vm_state_legal(enum vm_state from, enum vm_state to)
{
    return (unsigned)from < VM_STATE_COUNT && (unsigned)to < VM_STATE_COUNT && (legal[from] & (1u << to));
}

int vm_set_state(struct vm *vm, enum vm_state to)
{
    enum vm_state from;

    pthread_mutex_lock(&vm->lock);
    from = vm->state;
    if (!vm_state_legal(from, to)) {
        pthread_mutex_unlock(&vm->lock);
        return -EINVAL;
    }
    vm->state = to;
    pthread_cond_broadcast(&vm->cond);
    pthread_mutex_unlock(&vm->lock);
    for (unsigned i = 0; i < vm->nlisteners; i++)
        vm->listeners[i].fn(vm->listeners[i].opaque, vm, from, to);
    return 0;
}

int vm_add_listener(struct vm *vm, vm_state_listener fn, void *opaque)
{
    if (vm->nlisteners >= sizeof(vm->listeners) / sizeof(vm->listeners[0]))
        return -ENOSPC;
    vm->listeners[vm->nlisteners].fn = fn;
    vm->listeners[vm->nlisteners].opaque = opaque;
    vm->nlisteners++;
    return 0;
}
