/* The PC machine's fixed devices (filled in by the platform work). */
#include "devices/devices.h"
#include "vm/vm.h"

int pc_machine_create(struct vm *vm, char *err, size_t errlen)
{
    (void)vm, (void)err, (void)errlen;
    return 0;
}
