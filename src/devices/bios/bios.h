/* pcvm's built-in BIOS (bios.asm): the ROM mapped when no -bios is given,
 * the handoff block through which it learns what to start, and the E820
 * map it and the loaders report.
 *
 * Invariants:
 * - The BIOS_HO_* offsets are those of bios.asm's HO_* (the handoff block
 *   at F000:0000 of the image); the image starts with BIOS_HO_MAGIC.
 * - The block lives in the ROM: only pcvm writes it (pgm_load), at every
 *   boot, before vCPU 0 leaves the reset vector.
 */
#ifndef PCVM_DEVICES_BIOS_H
#define PCVM_DEVICES_BIOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;

#define BIOS_ROM_SIZE   0x10000u
#define BIOS_ROM_LOW    0xf0000u
#define BIOS_ROM_HIGH   0xffff0000u
#define BIOS_HO_MAGIC   "PCVM"
#define BIOS_HO_KIND    0x04
#define BIOS_HO_EIP     0x08
#define BIOS_HO_EAX     0x10
#define BIOS_HO_EBX     0x14
#define BIOS_HO_ESI     0x18
#define BIOS_HO_ESP     0x1c
#define BIOS_HO_GDTR    0x20
#define BIOS_HO_IDTR    0x28
#define BIOS_HO_CS      0x30
#define BIOS_HO_DS      0x32
#define BIOS_HO_CR3     0x34
#define BIOS_HO_EXT_KB  0x38
#define BIOS_HO_E801_AX 0x3a
#define BIOS_HO_E801_BX 0x3c
#define BIOS_HO_E820_N  0x3e
#define BIOS_HO_E820    0x40
#define BIOS_HO_SIZE    (BIOS_HO_E820 + E820_MAX * 20)
/* 16 bytes after the handoff block for the MP floating pointer (mptable.c) */
#define BIOS_MP_FPS     0xa40
#define BIOS_KIND_NONE   0
#define BIOS_KIND_PM32   1
#define BIOS_KIND_LONG64 2

/* The E820 map (e820.c): what a PC BIOS reports for this VM's memory. */
#define E820_MAX      128
#define E820_RAM      1
#define E820_RESERVED 2
#define E820_EBDA     0x9fc00u
struct e820_map {
    uint64_t addr[E820_MAX], size[E820_MAX];
    uint32_t type[E820_MAX];
    unsigned n;
};
void e820_build(struct vm *vm, struct e820_map *m);
/* The top of the RAM that runs on contiguously from 1 MiB (below 4 GiB). */
uint64_t e820_ram_top_from_1m(struct vm *vm);

/* The state a loader starts its kernel in: flat protected mode (or long
 * mode with the loader's page tables at cr3), interrupts off, every
 * general register zero but these. */
struct boot_entry {
    bool long64;
    uint64_t rip;
    uint32_t eax, ebx, esi, esp;
    uint32_t gdt_base, idt_base;
    uint16_t gdt_limit, idt_limit;
    uint16_t cs, ds;
    uint32_t cr3;
};

/* bios_map and bios_prepare are in devices.h (vm.c calls them). Records the kernel entry for the BIOS to perform after POST. */
void bios_handoff(struct vm *vm, const struct boot_entry *e);

#endif
