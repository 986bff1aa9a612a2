/* QEMU-style options shared by the frontends (options.c). */
#ifndef PCVM_OPTIONS_H
#define PCVM_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "vm/vm.h"

struct vm_options {
    struct vm_config cfg;
    bool serial_given;
    bool nographic;
    const char *info[16]; /* --info items, printed to stderr when the VM stops */
    unsigned ninfo;
    const char *dump_phys; /* --dump-phys FILE[,nozero] */
    bool dump_nozero;
    int icount_shift;      /* --icount / -icount shift=N; -1 when off */
    char dump_path[4096];
    char debugcon_spec[4200];
    /* drive options: -drive file= values with ",," unescaped, -boot letters */
    char drive_file[VM_MAX_DRIVES][4096];
    char boot_order[16];
    /* display options (the frontends act on them) */
    const char *display;    /* -display: "sdl", "none", or NULL for the frontend's default */
    int vga;                /* -vga: 1 std, 0 none, -1 default (std unless -nodefaults) */
    bool full_screen;       /* -full-screen */
    const char *screenshot; /* --screenshot FILE: a PNG of the display at power-off and on SIGUSR1 */
    bool dump_text;         /* --dump-text: the VGA text screen on stdout at power-off */
    /* debugging: -gdb/-s, -S, -monitor, -qmp (started by vm_options_apply) */
    const char *gdb;        /* "tcp::1234" for -s */
    bool start_stopped;     /* -S */
    const char *monitor;    /* NULL: on the serial terminal behind Ctrl-A c, when it is a terminal */
    const char *qmp;
    const char *loadvm;     /* -loadvm FILE, -incoming file:FILE: a saved state to start from */
    const char *print_state; /* --print-state FILE: print a saved state unit by unit, field by field */
    struct gdbstub *gdbstub;
    struct monitor *mon;
    struct qmp *qmp_server;
    pthread_t shot_thread;  /* waits for SIGUSR1 while the VM runs */
    bool shot_thread_started;
    void *shot_vm;
};

/* Parses argv into o: 0 to go on, 1 when --help/--version printed and the
 * caller should exit 0, 2 after one line on stderr naming a bad option. */
int vm_options_parse(struct vm_options *o, int argc, char **argv);
void vm_options_usage(FILE *f);
/* options_qemu.c: the QEMU version pcvm's command line follows, printed
 * as QEMU's first line of -h and -version. */
#define PCVM_QEMU_MAJOR 7
#define PCVM_QEMU_MINOR 2
#define PCVM_QEMU_MICRO 0
void vm_options_version(FILE *f);
/* -version, -device help, -chardev, -machine, --debugcon: -1 when a is
 * none of them, else vm_options_parse's codes (*used: v was consumed). */
int vm_options_qemu(struct vm_options *o, const char *a, const char *v, int *used);
/* After parsing: every chardev:ID reference names a -chardev (0 or 2). */
int vm_options_qemu_check(struct vm_options *o);
int vm_options_set_accel(struct vm_options *o, const char *s); /* tcg|kvm[...]; -1 if neither */
/* After vm_create, before vm_run: options that act on the created VM
 * (the debugger servers listen from here). 0, 1 when the VM is not to
 * run (--print-state printed), or 2 after one line on stderr (nothing
 * left running). */
int vm_options_apply(struct vm_options *o, struct vm *vm);
/* After vm_run: --info and --dump-phys; returns 2 if a dump failed. */
int vm_options_finish(struct vm_options *o, struct vm *vm);

#endif
