/* The VGA device model directly: memory map select, write modes 0-3 with
 * set/reset, rotate, logical ops, bit mask and plane masking, read modes 0
 * and 1, latches, chain-4 and odd/even addressing, the attribute
 * flip-flop, the DAC, VBE registers and the framebuffer BAR. */
#include <criterion/criterion.h>

#include "devices/vga.h"
#include "vm/vm.h"

static struct vm *vm;
static struct dev_vga *vga;

static void setup(void)
{
    struct vm_config cfg = {.ram_size = 4 << 20, .ncpus = 1, .nodefaults = true};
    char err[200];
    cr_assert_eq(vm_create(&cfg, &vm, err, sizeof(err)), 0, "%s", err);
    cr_assert_eq(dev_vga_create(vm, "/nonexistent", &vga), 0);
}

static void teardown(void)
{
    vm_destroy(vm);
}

static void out8(uint16_t port, uint8_t v) { bus_pio_write(&vm->bus, port, v, 1); }
static uint8_t in8(uint16_t port) { return (uint8_t)bus_pio_read(&vm->bus, port, 1); }
static void sr(uint8_t i, uint8_t v) { out8(0x3c4, i), out8(0x3c5, v); }
static void gr(uint8_t i, uint8_t v) { out8(0x3ce, i), out8(0x3cf, v); }
static void wr(uint32_t off, uint8_t v) { vga_mem_write(vga, off, v, 1); }
static uint8_t rd(uint32_t off) { return (uint8_t)vga_mem_read(vga, off, 1); }

/* Planar mode 12h addressing: all planes, A0000 64K, write mode 0. */
static void planar(void)
{
    sr(2, 0x0f), sr(4, 0x06);
    gr(0, 0), gr(1, 0), gr(3, 0), gr(4, 0), gr(5, 0), gr(6, 0x05), gr(8, 0xff);
}

TestSuite(vga, .init = setup, .fini = teardown);

Test(vga, memory_map_select)
{
    planar();
    gr(6, 0x0d); /* B8000-BFFFF */
    wr(0x18000, 0x5a);
    cr_assert_eq(vga_plane_byte(vga, 0, 0), 0x5a);
    wr(0x00010, 0x11); /* A0010: not decoded */
    cr_assert_eq(vga_plane_byte(vga, 0, 0x10), 0);
    cr_assert_eq(rd(0x00010), 0xff);
    gr(6, 0x09); /* B0000-B7FFF */
    wr(0x10001, 0x22);
    cr_assert_eq(vga_plane_byte(vga, 1, 1), 0x22);
}

Test(vga, write_mode0_map_mask_set_reset_rotate_ops)
{
    planar();
    sr(2, 0x05); /* planes 0 and 2 */
    wr(0, 0xa5);
    cr_assert_eq(vga_plane_byte(vga, 0, 0), 0xa5);
    cr_assert_eq(vga_plane_byte(vga, 1, 0), 0x00);
    cr_assert_eq(vga_plane_byte(vga, 2, 0), 0xa5);
    sr(2, 0x0f);
    gr(0, 0x03), gr(1, 0x01); /* set/reset on plane 0 only (value 1) */
    wr(1, 0x00);
    cr_assert_eq(vga_plane_byte(vga, 0, 1), 0xff);
    cr_assert_eq(vga_plane_byte(vga, 1, 1), 0x00);
    gr(1, 0);
    gr(3, 0x04); /* rotate right by 4 */
    wr(2, 0x12);
    cr_assert_eq(vga_plane_byte(vga, 3, 2), 0x21);
    /* logical ops with the latches loaded by a read */
    gr(3, 0), wr(3, 0xf0);
    (void)rd(3);
    gr(3, 0x08), wr(3, 0x3c); /* AND */
    cr_assert_eq(vga_plane_byte(vga, 0, 3), 0x30);
    (void)rd(3);
    gr(3, 0x10), wr(3, 0x0f); /* OR */
    cr_assert_eq(vga_plane_byte(vga, 1, 3), 0x3f);
    (void)rd(3);
    gr(3, 0x18), wr(3, 0xff); /* XOR */
    cr_assert_eq(vga_plane_byte(vga, 2, 3), 0xc0);
    /* bit mask keeps the latched bits */
    gr(3, 0), gr(8, 0x0f);
    (void)rd(3); /* latches = c0 */
    wr(3, 0x00);
    cr_assert_eq(vga_plane_byte(vga, 0, 3), 0xc0);
}

Test(vga, write_modes_1_2_3)
{
    planar();
    for (unsigned p = 0; p < 4; p++) {
        sr(2, (uint8_t)(1u << p));
        wr(0, (uint8_t)(0x10 + p));
    }
    sr(2, 0x0f);
    (void)rd(0); /* latches = 10 11 12 13 */
    gr(5, 0x01), wr(5, 0x00); /* mode 1: copies the latches */
    for (unsigned p = 0; p < 4; p++)
        cr_assert_eq(vga_plane_byte(vga, p, 5), 0x10 + p);
    gr(5, 0x02), gr(8, 0xf0);
    wr(5, 0x05); /* mode 2: colour 5 -> planes 0 and 2 set, masked to the high nibble */
    cr_assert_eq(vga_plane_byte(vga, 0, 5), 0xf0);
    cr_assert_eq(vga_plane_byte(vga, 1, 5), 0x01);
    cr_assert_eq(vga_plane_byte(vga, 2, 5), 0xf2);
    cr_assert_eq(vga_plane_byte(vga, 3, 5), 0x03);
    gr(5, 0x03), gr(8, 0xff), gr(0, 0x0a); /* mode 3: set/reset colour, bit mask AND the data */
    (void)rd(6);
    wr(6, 0x3c);
    cr_assert_eq(vga_plane_byte(vga, 0, 6), 0x00);
    cr_assert_eq(vga_plane_byte(vga, 1, 6), 0x3c);
    cr_assert_eq(vga_plane_byte(vga, 3, 6), 0x3c);
}

Test(vga, read_modes)
{
    planar();
    static const uint8_t v[4] = {0x0f, 0x33, 0x55, 0xff};
    for (unsigned p = 0; p < 4; p++) {
        sr(2, (uint8_t)(1u << p));
        wr(9, v[p]);
    }
    sr(2, 0x0f);
    for (unsigned p = 0; p < 4; p++) {
        gr(4, (uint8_t)p);
        cr_assert_eq(rd(9), v[p]);
    }
    gr(5, 0x08), gr(2, 0x0b), gr(7, 0x0f); /* mode 1: colour 1011b */
    /* bit i matches where p0=1 p1=1 p2=0 p3=1 */
    uint8_t want = (uint8_t)(v[0] & v[1] & ~v[2] & v[3]);
    cr_assert_eq(rd(9), want);
    gr(7, 0x00); /* nothing cared about: all ones */
    cr_assert_eq(rd(9), 0xff);
}

Test(vga, chain4_and_odd_even)
{
    planar();
    sr(4, 0x0e); /* chain 4 */
    wr(0x1235, 0x77);
    cr_assert_eq(vga_plane_byte(vga, 1, 0x1234), 0x77);
    cr_assert_eq(rd(0x1235), 0x77);
    sr(2, 0x03), sr(4, 0x02), gr(5, 0x10), gr(6, 0x0e); /* odd/even at B8000, font plane protected */
    wr(0x18000 + 0x20, 'A');
    wr(0x18000 + 0x21, 0x1e);
    cr_assert_eq(vga_plane_byte(vga, 0, 0x20), 'A');
    cr_assert_eq(vga_plane_byte(vga, 1, 0x20), 0x1e);
    cr_assert_eq(rd(0x18021), 0x1e);
    cr_assert_eq(vga_plane_byte(vga, 2, 0x20), 0); /* plane 2 (the font) untouched */
}

Test(vga, ports_flipflop_dac_crtc)
{
    out8(0x3c2, 0x01); /* colour: CRTC at 0x3D4 */
    cr_assert_eq(in8(0x3cc), 0x01);
    out8(0x3d4, 0x0e), out8(0x3d5, 0x12);
    cr_assert_eq(in8(0x3d5), 0x12);
    cr_assert_eq(in8(0x3b5), 0xff); /* the mono CRTC is off */
    out8(0x3d4, 0x11), out8(0x3d5, 0x80); /* protect CR0-7 */
    out8(0x3d4, 0x01), out8(0x3d5, 0x55);
    cr_assert_eq(in8(0x3d5), 0x00);
    (void)in8(0x3da); /* flip-flop to index */
    out8(0x3c0, 0x05), out8(0x3c0, 0x2a);
    out8(0x3c0, 0x25);
    cr_assert_eq(in8(0x3c1), 0x2a);
    cr_assert_eq(in8(0x3c0), 0x25);
    out8(0x3c8, 7);
    out8(0x3c9, 1), out8(0x3c9, 2), out8(0x3c9, 0x43);
    cr_assert_eq(in8(0x3c8), 8);
    out8(0x3c7, 7);
    cr_assert_eq(in8(0x3c7), 3);
    cr_assert_eq(in8(0x3c9), 1);
    cr_assert_eq(in8(0x3c9), 2);
    cr_assert_eq(in8(0x3c9), 3);
}

Test(vga, vbe_and_framebuffer)
{
    bus_pio_write(&vm->bus, 0x1ce, 0, 2);
    cr_assert_eq(bus_pio_read(&vm->bus, 0x1cf, 2), 0xb0c5);
    bus_pio_write(&vm->bus, 0x1ce, 10, 2);
    cr_assert_eq(bus_pio_read(&vm->bus, 0x1cf, 2), 256); /* 16 MiB */
    static const uint16_t set[][2] = {{1, 640}, {2, 480}, {3, 16}, {4, 0x41}};
    for (unsigned i = 0; i < 4; i++) {
        bus_pio_write(&vm->bus, 0x1ce, set[i][0], 2);
        bus_pio_write(&vm->bus, 0x1cf, set[i][1], 2);
    }
    bus_pio_write(&vm->bus, 0x1ce, 7, 2);
    cr_assert_eq(bus_pio_read(&vm->bus, 0x1cf, 2), (16u << 20) / (640 * 2));
    /* BAR 0 at 0xE0000000, memory decoding on */
    bus_pio_write(&vm->bus, 0xcf8, 0x80001010, 4);
    bus_pio_write(&vm->bus, 0xcfc, 0xffffffff, 4);
    cr_assert_eq(bus_pio_read(&vm->bus, 0xcfc, 4), 0xff000008); /* 16 MiB, prefetchable */
    bus_pio_write(&vm->bus, 0xcfc, 0xe0000000, 4);
    bus_pio_write(&vm->bus, 0xcf8, 0x80001004, 4);
    bus_pio_write(&vm->bus, 0xcfc, 0x2, 2);
    pgm_write_u(&vm->pgm, 0xe0000000 + 2 * 641, 0xf800, 2); /* red at (1, 1) */
    struct vga_surface s = {0};
    cr_assert_eq(vga_render(vga, &s, true, NULL, NULL), 0);
    cr_assert_eq(s.width, 640);
    cr_assert_eq(s.height, 480);
    cr_assert_eq(s.pixels[641], 0xff0000);
    cr_assert_eq(s.pixels[640], 0);
    vga_surface_free(&s);
    /* the bank window shows the same memory */
    cr_assert_eq(vga_mem_read(vga, 2 * 641, 2), 0xf800);
}

Test(vga, dirty_lines)
{
    struct vga_surface s = {0};
    unsigned y0, y1;
    static const uint16_t set[][2] = {{1, 640}, {2, 480}, {3, 32}, {4, 0x01}};
    for (unsigned i = 0; i < 4; i++) {
        bus_pio_write(&vm->bus, 0x1ce, set[i][0], 2);
        bus_pio_write(&vm->bus, 0x1cf, set[i][1], 2);
    }
    cr_assert_eq(vga_render(vga, &s, false, &y0, &y1), 0);
    cr_assert_eq(y0, 0);
    cr_assert_eq(y1, 480);
    cr_assert_eq(vga_render(vga, &s, false, &y0, &y1), 0);
    cr_assert_eq(y1, y0, "nothing changed, nothing redrawn");
    bus_pio_write(&vm->bus, 0x1ce, 5, 2); /* bank 3: 0x30000-0x3FFFF */
    bus_pio_write(&vm->bus, 0x1cf, 3, 2);
    cr_assert_eq(vga_render(vga, &s, false, &y0, &y1), 0); /* (a register write redraws all) */
    vga_mem_write(vga, 640 * 4 * 100 + 8 - 0x30000, 0x123456, 4); /* line 100 via the bank window */
    cr_assert_eq(vga_render(vga, &s, false, &y0, &y1), 0);
    cr_assert(y0 <= 100 && y1 > 100 && y1 - y0 <= 4, "lines %u-%u", y0, y1);
    cr_assert_eq(s.pixels[640 * 100 + 2], 0x123456);
    vga_surface_free(&s);
}

/* A virtual width wider than video memory can hold at the mode's height
 * falls back to the mode's own width (as QEMU's vbe_fixup_regs does): a
 * re-enable that clears memory then clears only video memory. */
Test(vga, vbe_virtual_width_is_bounded_by_video_memory)
{
    static const uint16_t set[][2] = {{1, 1920}, {2, 1200}, {3, 32}, {4, 0x01}, {6, 0xffff}, {4, 0x01}};
    for (unsigned i = 0; i < 6; i++) {
        bus_pio_write(&vm->bus, 0x1ce, set[i][0], 2);
        bus_pio_write(&vm->bus, 0x1cf, set[i][1], 2);
    }
    bus_pio_write(&vm->bus, 0x1ce, 6, 2);
    cr_assert_eq(bus_pio_read(&vm->bus, 0x1cf, 2), 1920);
    bus_pio_write(&vm->bus, 0x1ce, 7, 2);
    cr_assert_eq(bus_pio_read(&vm->bus, 0x1cf, 2), (16u << 20) / (1920 * 4));
}
