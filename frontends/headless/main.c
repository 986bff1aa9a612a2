/* pcvm: the headless frontend. QEMU-style options (src/vm/options.c) so
 * scripts written for qemu-system-x86_64 run unchanged; the serial console
 * is the terminal.
 *
 * Invariants: bad user input is one line on stderr and exit status 2,
 * before anything is created; the exit status is the guest's
 * isa-debug-exit status when it wrote one, else 0 (1 after a guru
 * meditation); 2 when an output (a dump, a screenshot, a serial or trace
 * file, a disk image's sync) could not be written, each said in one line. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "vm/vm.h"

#define EXIT_USAGE 2

static void *signal_thread(void *arg)
{
    struct vm *vm = arg;
    sigset_t set;
    int sig;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    if (sigwait(&set, &sig) == 0) {
        fprintf(stderr, "pcvm: terminating on signal %d\n", sig);
        vm_request(vm, VM_FF_POWER_OFF);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    struct vm_options o;
    struct vm *vm;
    char err[512];
    sigset_t set;
    pthread_t sig_thread;
    int rc;

    rc = vm_options_parse(&o, argc, argv);
    if (rc)
        return rc == 1 ? 0 : rc;
    if (o.display && !strcmp(o.display, "sdl")) {
        fprintf(stderr, "pcvm: -display sdl: pcvm is headless; use pcvm-sdl for a window\n");
        return EXIT_USAGE;
    }
    /* signals go to one thread, which asks the VM to power off */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (vm_create(&o.cfg, &vm, err, sizeof(err)) < 0) {
        fprintf(stderr, "pcvm: %s\n", err);
        return EXIT_USAGE;
    }
    rc = vm_options_apply(&o, vm);
    if (rc) { /* 1: done without running (--print-state) */
        vm_destroy(vm);
        return rc == 1 ? 0 : EXIT_USAGE;
    }
    pthread_create(&sig_thread, NULL, signal_thread, vm);
    pthread_detach(sig_thread);
    vm_run(vm);
    rc = vm->state == VM_GURU_MEDITATION ? 1 : vm->exit_status >= 0 ? vm->exit_status : 0;
    if (vm_options_finish(&o, vm))
        rc = EXIT_USAGE;
    vm_destroy(vm);
    return rc;
}
