/* The chipset's view of memory below 1 MiB and above: the i440FX PAM
 * registers switching 0xC0000-0xFFFFF between the BIOS image (PCI) and
 * shadow RAM, read-only RAM and PGM's unmap, and PCI BARs (the VGA's
 * framebuffer and expansion ROM) following the guest when it moves or
 * disables them. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "devices/vga.h"
#include "vm/vm.h"

static struct vm *vm;
static char rom_path[64];

/* A 128 KiB BIOS image: byte i is (i * 7) ^ 0x5a. */
static uint8_t rom_byte(uint32_t i) { return (uint8_t)((i * 7) ^ 0x5a); }

static void make_vm(bool with_bios)
{
    struct vm_config cfg = {.ram_size = 4 << 20, .ncpus = 1, .nodefaults = true};
    char err[200];
    if (with_bios) {
        static uint8_t img[0x20000];
        snprintf(rom_path, sizeof(rom_path), "/tmp/pcvm-pam-%d.rom", (int)getpid());
        for (uint32_t i = 0; i < sizeof(img); i++)
            img[i] = rom_byte(i);
        FILE *f = fopen(rom_path, "wb");
        cr_assert(f && fwrite(img, 1, sizeof(img), f) == sizeof(img));
        fclose(f);
        cfg.bios = rom_path;
    }
    cr_assert_eq(vm_create(&cfg, &vm, err, sizeof(err)), 0, "%s", err);
}

static void teardown(void)
{
    vm_destroy(vm);
    if (rom_path[0])
        unlink(rom_path);
    rom_path[0] = 0;
}

static void cfg_write8(unsigned devfn, unsigned reg, uint8_t v)
{
    bus_pio_write(&vm->bus, 0xcf8, 0x80000000u | devfn << 8 | (reg & 0xfc), 4);
    bus_pio_write(&vm->bus, 0xcfc + (reg & 3), v, 1);
}

static void cfg_write32(unsigned devfn, unsigned reg, uint32_t v)
{
    bus_pio_write(&vm->bus, 0xcf8, 0x80000000u | devfn << 8 | reg, 4);
    bus_pio_write(&vm->bus, 0xcfc, v, 4);
}

static uint8_t rd8(uint64_t a) { return (uint8_t)pgm_read_u(&vm->pgm, a, 1); }
static void wr8(uint64_t a, uint8_t v) { pgm_write_u(&vm->pgm, a, v, 1); }

Test(pam, reset_shows_the_bios_image_and_nothing_in_c_d, .fini = teardown)
{
    make_vm(true);
    cr_assert_eq(rd8(0xf0010), rom_byte(0x10010));
    cr_assert_eq(rd8(0xe0000), rom_byte(0));
    wr8(0xf0010, 0);
    cr_assert_eq(rd8(0xf0010), rom_byte(0x10010), "writes to PCI ROM are dropped");
    cr_assert_eq(rd8(0xc0000), 0xff, "no DRAM and no ROM: PCI reads all ones");
    cr_assert_eq(rd8(0xdffff), 0xff);
    cr_assert_eq(rd8(0x9ffff), 0, "RAM below 640 KiB is not PAM's");
}

Test(pam, the_four_modes_of_a_segment, .fini = teardown)
{
    make_vm(true);
    cfg_write8(0, 0x59, 0x30); /* F segment: DRAM read/write */
    cr_assert_eq(rd8(0xf0010), 0, "shadow RAM starts empty");
    wr8(0xf0010, 0xab);
    cr_assert_eq(rd8(0xf0010), 0xab);
    cr_assert_eq(rd8(0xe0010), rom_byte(0x10), "E segments keep their own mode");
    cfg_write8(0, 0x59, 0x10); /* DRAM read only */
    wr8(0xf0010, 0xcd);
    cr_assert_eq(rd8(0xf0010), 0xab, "read-only shadow drops writes");
    cfg_write8(0, 0x59, 0x20); /* DRAM write only */
    cr_assert_eq(rd8(0xf0010), rom_byte(0x10010), "reads go to the ROM");
    wr8(0xf0010, 0xef);
    cr_assert_eq(rd8(0xf0010), rom_byte(0x10010));
    cfg_write8(0, 0x59, 0x10);
    cr_assert_eq(rd8(0xf0010), 0xef, "the write reached DRAM");
    cfg_write8(0, 0x59, 0x00);
    cr_assert_eq(rd8(0xf0010), rom_byte(0x10010));
}

Test(pam, sixteen_k_segments_use_their_nibbles, .fini = teardown)
{
    make_vm(true);
    cfg_write8(0, 0x5a, 0x30); /* C4000-C7FFF read/write, C0000-C3FFF PCI */
    wr8(0xc4000, 0x11);
    wr8(0xc0000, 0x22);
    cr_assert_eq(rd8(0xc4000), 0x11);
    cr_assert_eq(rd8(0xc0000), 0xff);
    cr_assert_eq(rd8(0xc8000), 0xff);
    cfg_write8(0, 0x5f, 0x03); /* EC000-EFFFF PCI, E8000-EBFFF DRAM */
    wr8(0xe8000, 0x33);
    cr_assert_eq(rd8(0xe8000), 0x33);
    cr_assert_eq(rd8(0xec000), rom_byte(0xc000));
}

Test(pam, reset_returns_to_rom_and_ram_survives, .fini = teardown)
{
    make_vm(true);
    cfg_write8(0, 0x59, 0x30);
    wr8(0xf1234, 0x77);
    bus_reset(&vm->bus);
    cr_assert_eq(rd8(0xf1234), rom_byte(0x11234));
    cfg_write8(0, 0x59, 0x10);
    cr_assert_eq(rd8(0xf1234), 0x77);
}

Test(pam, without_firmware_the_area_stays_ram, .fini = teardown)
{
    make_vm(false);
    wr8(0xc0000, 0x44);
    cfg_write8(0, 0x5a, 0x00);
    cfg_write8(0, 0x59, 0x00);
    cr_assert_eq(rd8(0xc0000), 0x44);
}

Test(pam, unmap_shows_what_lies_beneath, .fini = teardown)
{
    static const uint8_t data[0x1000] = {0x99};
    make_vm(false);
    wr8(0x200000, 0x12);
    cr_assert_eq(pgm_map_rom(&vm->pgm, 0x200000, 0x1000, data, "overlay"), 0);
    cr_assert_eq(rd8(0x200000), 0x99);
    cr_assert_eq(pgm_unmap(&vm->pgm, 0x200000, 0x1000), 0);
    cr_assert_eq(rd8(0x200000), 0x12);
    cr_assert_eq(pgm_unmap(&vm->pgm, 0x200000, 0x1000), -ENOENT);
    cr_assert_eq(pgm_map_ram_ro(&vm->pgm, 0x200000, 0x1000, 0x200000, "ro"), 0);
    wr8(0x200000, 0x34);
    cr_assert_eq(rd8(0x200000), 0x12);
    cr_assert_null(pgm_page_ptr(&vm->pgm, 0x200000, true));
    cr_assert_not_null(pgm_page_ptr(&vm->pgm, 0x200000, false));
}

Test(pam, bars_follow_the_guest, .fini = teardown)
{
    struct dev_vga *vga;
    const unsigned fn = 2 << 3; /* where dev_vga_create puts it */
    make_vm(false);
    cr_assert_eq(dev_vga_create(vm, "/usr/share/seabios/vgabios-stdvga.bin", &vga), 0);
    cfg_write32(fn, 0x10, 0xe0000000u);
    cr_assert_eq(rd8(0xe0000000u), 0xff, "no decode before the command register enables it");
    cfg_write32(fn, 0x04, 0x2);
    cr_assert_eq(pgm_find(&vm->pgm, 0xe0000000u)->type, PGM_MMIO);
    cfg_write32(fn, 0x10, 0xe1000000u);
    cr_assert_null(pgm_find(&vm->pgm, 0xe0000000u), "the old place is free again");
    cr_assert_eq(pgm_find(&vm->pgm, 0xe1000000u)->type, PGM_MMIO);
    cfg_write32(fn, 0x30, 0xe2000000u | 1);
    cr_assert_eq(rd8(0xe2000000u), 0x55, "expansion ROM signature");
    cr_assert_eq(rd8(0xe2000001u), 0xaa);
    cfg_write32(fn, 0x30, 0xe2000000u);
    cr_assert_eq(rd8(0xe2000000u), 0xff, "ROM decode disabled");
    cfg_write32(fn, 0x30, 0xe2000000u | 1);
    cfg_write32(fn, 0x04, 0);
    cr_assert_null(pgm_find(&vm->pgm, 0xe1000000u), "memory decode off unmaps every BAR");
    cr_assert_null(pgm_find(&vm->pgm, 0xe2000000u));
    cfg_write32(fn, 0x04, 0x2);
    bus_reset(&vm->bus);
    cr_assert_null(pgm_find(&vm->pgm, 0xe1000000u), "reset turns decoding off");
}
