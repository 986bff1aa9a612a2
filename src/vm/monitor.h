/* The human monitor (monitor.c, monitor_x.c, monitor_io.c): QEMU's HMP
 * commands on -monitor stdio|unix:PATH|tcp:..., on the serial console
 * after Ctrl-A c, and through QMP's human-monitor-command. */
#ifndef PCVM_MONITOR_H
#define PCVM_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/vm.h"

/* Runs one command line, its output (and any "Error: ..." line) to fd:
 * 0 done, -1 the line was refused, 1 quit. */
int monitor_exec(struct vm *vm, const char *line, int fd);
/* Whether the VM is held stopped (stop, -S, a debugger). */
bool monitor_vm_paused(struct vm *vm);

/* x/xp formats: /COUNT FORMAT SIZE (monitor_x.c). */
struct mon_fmt {
    unsigned count;
    char format; /* x d u o c i */
    unsigned size; /* 1 2 4 8 */
};
int monitor_parse_fmt(const char *s, size_t n, struct mon_fmt *f);
int monitor_dump(struct vm *vm, const struct mon_fmt *f, uint64_t addr, bool phys, int fd);

/* Servers (monitor_io.c): spec is "stdio", "unix:PATH[,server][,nowait]"
 * or "tcp:[HOST]:PORT[,...]". Without nowait, start waits for the first
 * client, as QEMU does. On stdio the monitor shares the terminal with a
 * serial console there (Ctrl-A c switches), or has it alone. */
struct monitor;
int monitor_start(struct vm *vm, const char *spec, struct monitor **out, char *err, size_t errlen);
void monitor_stop(struct monitor *m);

#endif
