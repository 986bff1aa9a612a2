/* The built-in BIOS: maps bios.asm's image and fills its handoff block
 * (layout and invariants in bios.h and at the top of bios.asm). */
#include <stdio.h>
#include <string.h>

#include "devices/bios/bios.h"
#include "vm/vm.h"

extern const uint8_t bios_rom_image[], bios_rom_image_end[];

#define MIB 0x100000ull

static void put(uint8_t *p, uint64_t v, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Both copies of the ROM hold the block. */
static void write_block(struct vm *vm, unsigned off, const uint8_t *data, size_t len)
{
    pgm_load(&vm->pgm, BIOS_ROM_LOW + off, data, len);
    pgm_load(&vm->pgm, BIOS_ROM_HIGH + off, data, len);
}

int bios_map(struct vm *vm, char *err, size_t errlen)
{
    size_t len = (size_t)(bios_rom_image_end - bios_rom_image);

    /* a build without a sane image is pcvm's bug, reported like a bad -bios */
    if (len != BIOS_ROM_SIZE || memcmp(bios_rom_image, BIOS_HO_MAGIC, 4)) {
        snprintf(err, errlen, "the built-in BIOS image is damaged (%zu bytes)", len);
        return -1;
    }
    if (pgm_map_rom(&vm->pgm, BIOS_ROM_HIGH, BIOS_ROM_SIZE, bios_rom_image, "bios") < 0 ||
        pgm_map_rom(&vm->pgm, BIOS_ROM_LOW, BIOS_ROM_SIZE, bios_rom_image, "bios-low") < 0) {
        snprintf(err, errlen, "cannot map the built-in BIOS");
        return -1;
    }
    return 0;
}

/* INT 15h AH=88h (KiB above 1 MiB, at most 63 MiB as most BIOSes report)
 * and AX=E801h (KiB from 1 to 16 MiB, 64 KiB blocks from 16 MiB). */
static void memory_sizes(struct vm *vm, uint8_t *ho)
{
    uint64_t top = e820_ram_top_from_1m(vm), kb = (top - MIB) >> 10;

    put(ho + BIOS_HO_EXT_KB, kb > 0xfc00 ? 0xfc00 : kb, 2);
    put(ho + BIOS_HO_E801_AX, kb > 15 * 1024 ? 15 * 1024 : kb, 2);
    put(ho + BIOS_HO_E801_BX, top > 16 * MIB ? (top - 16 * MIB) >> 16 : 0, 2);
}

/* The block is built whole, indexed by its own offsets, and written from
 * BIOS_HO_KIND on (the magic stays the image's). */
void bios_prepare(struct vm *vm)
{
    uint8_t ho[BIOS_HO_SIZE] = {0};
    struct e820_map m;

    e820_build(vm, &m);
    memory_sizes(vm, ho);
    put(ho + BIOS_HO_E820_N, m.n, 2);
    for (unsigned i = 0; i < m.n; i++) {
        uint8_t *e = ho + BIOS_HO_E820 + 20 * i;
        put(e, m.addr[i], 8);
        put(e + 8, m.size[i], 8);
        put(e + 16, m.type[i], 4);
    }
    write_block(vm, BIOS_HO_KIND, ho + BIOS_HO_KIND, sizeof(ho) - BIOS_HO_KIND);
}

void bios_handoff(struct vm *vm, const struct boot_entry *e)
{
    uint8_t ho[BIOS_HO_EXT_KB] = {0};

    put(ho + BIOS_HO_KIND, e->long64 ? BIOS_KIND_LONG64 : BIOS_KIND_PM32, 4);
    put(ho + BIOS_HO_EIP, e->rip, 8);
    put(ho + BIOS_HO_EAX, e->eax, 4);
    put(ho + BIOS_HO_EBX, e->ebx, 4);
    put(ho + BIOS_HO_ESI, e->esi, 4);
    put(ho + BIOS_HO_ESP, e->esp, 4);
    put(ho + BIOS_HO_GDTR, e->gdt_limit, 2);
    put(ho + BIOS_HO_GDTR + 2, e->gdt_base, 4);
    put(ho + BIOS_HO_IDTR, e->idt_limit, 2);
    put(ho + BIOS_HO_IDTR + 2, e->idt_base, 4);
    put(ho + BIOS_HO_CS, e->cs, 2);
    put(ho + BIOS_HO_DS, e->ds, 2);
    put(ho + BIOS_HO_CR3, e->cr3, 4);
    write_block(vm, BIOS_HO_KIND, ho + BIOS_HO_KIND, sizeof(ho) - BIOS_HO_KIND);
}
