/*
 * probe.h - run the emulator briefly and read what it prints.
 */
#ifndef PCVM_CONFORM_PROBE_H
#define PCVM_CONFORM_PROBE_H

#include <stdbool.h>
#include <stddef.h>

/* room for a probe's output: QEMU's -device list is a few KiB */
#define CONFORM_PROBE_OUT (64 * 1024)

/*
 * In a forked child: lead a new process group, take in/out/err as fds
 * 0/1/2, default signal dispositions and mask, exec argv. Returns only on
 * failure, with errno set.
 */
void conform_exec_child(char *const *argv, int in, int out, int err);

/*
 * Run argv (argv[0] a path) in its own process group, stdin /dev/null,
 * stdout and stderr into buf (NUL-terminated; what does not fit in len-1
 * bytes is dropped). Killed after timeout seconds. Returns the wait()
 * status, -ETIMEDOUT when it had to be killed, or another negative errno.
 */
int conform_capture(char *const *argv, char *buf, size_t len, double timeout);

#endif
