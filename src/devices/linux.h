/* Direct Linux boot (the x86 boot protocol, Documentation/arch/x86/boot.rst):
 * a bzImage's protected-mode kernel, its boot_params ("zero page"), command
 * line and initrd are put in guest RAM, and vCPU 0 enters the kernel's
 * 32-bit (or 64-bit) boot entry directly, without running real-mode setup.
 */
#ifndef PCVM_DEVICES_LINUX_H
#define PCVM_DEVICES_LINUX_H

/* Where the loader puts its structures (fixed, below the EBDA). */
#define LINUX_GDT         0x5000u
#define LINUX_PAGE_TABLES 0x6000u /* 64-bit entry: PML4, PDPT, 4 PDs (identity map of 4 GiB) */
#define LINUX_STACK_TOP   0xf000u
#define LINUX_BOOT_PARAMS 0x10000u
#define LINUX_CMDLINE     0x20000u
#define LINUX_CMDLINE_END 0x9fc00u

#endif
