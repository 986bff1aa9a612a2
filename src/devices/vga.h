/* The display adapter: QEMU's "std" VGA (PCI 1234:1111) with the Bochs VBE
 * extension, and its renderer (vga*.c, vbe.c).
 *
 * Invariants:
 * - The device's registers and video memory are guarded by its lock: the
 *   vCPU threads write them, the frontend's thread renders from them.
 * - Rendering produces a 32-bit XRGB surface at the mode's own size (text
 *   modes in dots, graphics modes in logical pixels: 320x200 for mode 13h).
 * - Only the frontend's one incremental renderer consumes the dirty state;
 *   full renders (screenshots) leave it alone.
 */
#ifndef PCVM_VGA_H
#define PCVM_VGA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;
struct dev_vga;

#define VGA_VRAM_SIZE (16u << 20)
#define VGA_MAX_XRES 1920
#define VGA_MAX_YRES 1200

/* A rendered frame; pixels is owned by the surface (vga_surface_free). */
struct vga_surface {
    uint32_t *pixels;  /* 0x00RRGGBB */
    unsigned width, height;
    unsigned stride;   /* in pixels */
    size_t cap;        /* pixels allocated */
};

/* Creates the PCI VGA at 00:02.0 with its legacy ports, the 0xA0000 window,
 * the framebuffer BAR and the VGA BIOS (rom_path, or NULL for Debian's
 * vgabios-stdvga.bin; a missing ROM is not an error). */
int dev_vga_create(struct vm *vm, const char *rom_path, struct dev_vga **out);
/* pc.c's hook: creates the VGA when the configuration asks for one. */
int pc_vga_create(struct vm *vm);
/* The machine's VGA, or NULL (-vga none). */
struct dev_vga *pc_vga(struct vm *vm);

/* Renders the current frame into s. full: every line, and the dirty state
 * is left for the incremental renderer; otherwise only changed lines are
 * drawn and [*y0, *y1) says which (empty when nothing changed). A size or
 * mode change redraws everything. 0, or -ENOMEM. */
int vga_render(struct dev_vga *v, struct vga_surface *s, bool full, unsigned *y0, unsigned *y1);
void vga_surface_free(struct vga_surface *s);
/* The text screen as lines of characters (CP437 printable ASCII kept, the
 * rest as spaces or '?'), one '\n' per row; "" outside text modes.
 * Returns the length written (at most len - 1). */
size_t vga_text_dump(struct dev_vga *v, char *buf, size_t len);
/* Writes a surface as a PNG via path.tmp + rename: 0 or a negative errno. */
int vga_write_png(const struct vga_surface *s, const char *path);
/* Renders the VM's display and writes it as a PNG (screenshots). */
int vga_screenshot(struct vm *vm, const char *path);

/* For unit tests: guest-view accesses of the legacy window (offset from
 * 0xA0000) and of video memory as planes. */
uint64_t vga_mem_read(void *opaque, uint64_t off, unsigned size);
void vga_mem_write(void *opaque, uint64_t off, uint64_t val, unsigned size);
uint8_t vga_plane_byte(struct dev_vga *v, unsigned plane, uint32_t off);

#endif
