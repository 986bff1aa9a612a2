/* The PIIX3 IDE controller (ide.c, ide_ata.c, atapi.c): the public face. */
#ifndef PCVM_IDE_H
#define PCVM_IDE_H

#include <stddef.h>

struct vm;

/* Creates PCI 0:1.1 with the drives of vm->cfg (drives[], snapshot) and
 * writes the -boot order into CMOS for the firmware. Returns 0, or -1 with
 * one line naming the problem in err (a missing image, a bad format, a CD
 * image whose size is not a multiple of 2048). */
int dev_ide_create(struct vm *vm, char *err, size_t errlen);
/* Changes the disc of the CD-ROM drive at index (0-3): path NULL ejects.
 * The guest sees UNIT ATTENTION (medium may have changed) after an insert. */
int dev_ide_cd_change(struct vm *vm, unsigned index, const char *path, char *err, size_t errlen);
/* Makes what the guest wrote to the disk images durable (at a clean exit);
 * returns 0, or -1 with one line naming the image in err. */
int dev_ide_sync(struct vm *vm, char *err, size_t errlen);

#endif
