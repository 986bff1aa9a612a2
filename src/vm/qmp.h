/* QMP, QEMU's JSON machine protocol (qmp.c): -qmp unix:PATH,server[,nowait]
 * or tcp:[HOST]:PORT,server[,nowait]. */
#ifndef PCVM_QMP_H
#define PCVM_QMP_H

#include <stddef.h>

#include "vm/vm.h"

struct qmp;
/* Listens on spec (waiting for the first client unless nowait); 0, or -1
 * with a one-line reason in err (then qmp_stop(*out) cleans up). */
int qmp_start(struct vm *vm, const char *spec, struct qmp **out, char *err, size_t errlen);
void qmp_stop(struct qmp *q);

#endif
