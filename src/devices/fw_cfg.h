/* QEMU's firmware configuration interface (fw_cfg.c). */
#ifndef PCVM_FW_CFG_H
#define PCVM_FW_CFG_H

#include <stdint.h>

struct vm;

#define FW_CFG_PORT_SEL  0x510
#define FW_CFG_PORT_DATA 0x511
#define FW_CFG_FILE_FIRST 0x20

/* Registers the selector/data ports and every item (bus device "fw_cfg"). */
int dev_fw_cfg_create(struct vm *vm);

#endif
