/* Info items: named read-only views of the VM's state for the debugger and
 * `pcvm --info ITEM` (after VirtualBox's DBGF info handlers). */
#ifndef PCVM_INFO_H
#define PCVM_INFO_H

#include <stdbool.h>

struct vm;

/* The item names, comma separated, for help and error messages. */
extern const char vm_info_names[];
bool vm_info_known(const char *item);
/* Prints item to fd; -1 when the item is unknown. */
int vm_info(struct vm *vm, const char *item, int fd);

#endif
