/* The VGA register set (FreeVGA's names): sequencer 0x3C4/5, CRTC at
 * 0x3B4/5 or 0x3D4/5 (misc output bit 0), graphics controller 0x3CE/F,
 * attribute controller 0x3C0/1 (an index/data flip-flop reset by reading
 * input status 1), DAC 0x3C6-0x3C9, misc output 0x3C2/0x3CC, feature
 * control and input status 0/1; the PCI function QEMU calls "VGA"
 * (1234:1111, framebuffer in BAR 0, VGA BIOS in the expansion ROM).
 *
 * Invariants: ports of the inactive (mono or colour) CRTC set read all
 * ones and ignore writes; any register write that may change the picture
 * asks the renderer for a full redraw; retrace timing comes from the VM's
 * virtual clock, so a guest polling 0x3DA sees it toggle in any engine.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/devices.h"
#include "devices/vga_priv.h"
#include "vm/vm.h"
#include "vm/ss.h"

#define DEFAULT_ROM "/usr/share/seabios/vgabios-stdvga.bin"
#define FRAME_NS 16683333u   /* 59.94 Hz */
#define LINE_NS (FRAME_NS / 525u)

static const uint8_t sr_mask[8] = {0x03, 0x3d, 0x0f, 0x3f, 0x0e, 0, 0, 0};
static const uint8_t gr_mask[16] = {0x0f, 0x0f, 0x0f, 0x1f, 0x03, 0x7b, 0x0f, 0x0f, 0xff};
static const uint8_t ar_mask_hi[5] = {0xef, 0xff, 0x3f, 0x0f, 0x0f}; /* 0x10-0x14; 0-15 are 0x3f */

static bool mono(const struct dev_vga *v)
{
    return !(v->misc & 1);
}

/* Input status 1: bit 3 vertical retrace, bit 0 display disabled. */
static uint8_t status1(struct dev_vga *v)
{
    uint64_t t = vm_clock_ns(v->vm) % FRAME_NS;
    bool vr = t < FRAME_NS / 25;
    bool blank = vr || (t % LINE_NS) > LINE_NS * 4 / 5;
    return (uint8_t)((vr ? 0x08 : 0) | (blank ? 0x01 : 0));
}

static uint8_t dac_max(const struct dev_vga *v)
{
    return (v->vbe[VBE_ENABLE] & VBE_8BIT_DAC) ? 0xff : 0x3f;
}

static uint8_t port_read(struct dev_vga *v, uint16_t port)
{
    if ((port >= 0x3b0 && port < 0x3c0 && !mono(v)) || (port >= 0x3d0 && mono(v)))
        return 0xff;
    switch (port) {
    case 0x3c0: return v->ar_index;
    case 0x3c1: return v->ar[v->ar_index & 0x1f];
    case 0x3c2: return 0x10; /* switch sense: a monitor is attached */
    case 0x3c4: return v->sr_index;
    case 0x3c5: return v->sr_index < 8 ? v->sr[v->sr_index] : 0xff;
    case 0x3c6: return v->pel_mask;
    case 0x3c7: return v->dac_state;
    case 0x3c8: return v->dac_windex;
    case 0x3c9: {
        uint8_t b = v->dac[v->dac_rindex][v->dac_sub];
        if (++v->dac_sub == 3) {
            v->dac_sub = 0;
            v->dac_rindex++;
        }
        return b;
    }
    case 0x3ca: return v->feature;
    case 0x3cc: return v->misc;
    case 0x3ce: return v->gr_index;
    case 0x3cf: return v->gr_index < 16 ? v->gr[v->gr_index] : 0xff;
    case 0x3b4: case 0x3d4: return v->cr_index;
    case 0x3b5: case 0x3d5: return v->cr_index < 0x19 ? v->cr[v->cr_index] : 0xff;
    case 0x3ba: case 0x3da:
        v->ar_flip = false;
        return status1(v);
    default: return 0xff;
    }
}

static void cr_write(struct dev_vga *v, uint8_t val)
{
    unsigned i = v->cr_index;
    if (i >= 0x19)
        return;
    if (i <= 7 && (v->cr[0x11] & 0x80)) { /* protected: only the line compare bit of CR07 */
        if (i == 7)
            v->cr[7] = (uint8_t)((v->cr[7] & ~0x10) | (val & 0x10));
        return;
    }
    v->cr[i] = val;
}

static void port_write(struct dev_vga *v, uint16_t port, uint8_t val)
{
    if ((port >= 0x3b0 && port < 0x3c0 && !mono(v)) || (port >= 0x3d0 && mono(v)))
        return;
    v->full_redraw = true;
    switch (port) {
    case 0x3c0:
        if (!v->ar_flip) {
            v->ar_index = val & 0x3f;
        } else {
            unsigned i = v->ar_index & 0x1f;
            if (i < 16)
                v->ar[i] = val & 0x3f;
            else if (i < 0x15)
                v->ar[i] = val & ar_mask_hi[i - 16];
        }
        v->ar_flip = !v->ar_flip;
        break;
    case 0x3c2: v->misc = val; break;
    case 0x3c4: v->sr_index = val & 7; break;
    case 0x3c5: v->sr[v->sr_index] = val & sr_mask[v->sr_index]; break;
    case 0x3c6: v->pel_mask = val; break;
    case 0x3c7: v->dac_rindex = val, v->dac_sub = 0, v->dac_state = 3; break;
    case 0x3c8: v->dac_windex = val, v->dac_sub = 0, v->dac_state = 0; break;
    case 0x3c9:
        v->dac[v->dac_windex][v->dac_sub] = val & dac_max(v);
        if (++v->dac_sub == 3) {
            v->dac_sub = 0;
            v->dac_windex++;
        }
        break;
    case 0x3ce: v->gr_index = val & 0x0f; break;
    case 0x3cf: v->gr[v->gr_index] = val & gr_mask[v->gr_index]; break;
    case 0x3b4: case 0x3d4: v->cr_index = val & 0x3f; break;
    case 0x3b5: case 0x3d5: cr_write(v, val); break;
    case 0x3ba: case 0x3da: v->feature = val; break;
    default: break;
    }
}

/* Word accesses reach two consecutive ports, low byte first (OUT DX, AX
 * to 0x3C4 writes the index and the data). */
static uint64_t vga_pio_read(void *opaque, uint64_t off, unsigned size)
{
    struct dev_vga *v = opaque;
    uint64_t r = 0;
    pthread_mutex_lock(&v->lock);
    for (unsigned i = 0; i < size; i++)
        r |= (uint64_t)port_read(v, (uint16_t)(0x3b0 + off + i)) << (8 * i);
    pthread_mutex_unlock(&v->lock);
    return r;
}

static void vga_pio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct dev_vga *v = opaque;
    pthread_mutex_lock(&v->lock);
    for (unsigned i = 0; i < size; i++)
        port_write(v, (uint16_t)(0x3b0 + off + i), (uint8_t)(val >> (8 * i)));
    pthread_mutex_unlock(&v->lock);
}

static uint64_t dispi_read(void *opaque, uint64_t off, unsigned size)
{
    struct dev_vga *v = opaque;
    uint64_t r;
    pthread_mutex_lock(&v->lock);
    r = off == 0 ? v->vbe_index : vbe_read(v);
    pthread_mutex_unlock(&v->lock);
    return size == 1 ? r & 0xff : r;
}

static void dispi_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct dev_vga *v = opaque;
    (void)size;
    pthread_mutex_lock(&v->lock);
    if (off == 0)
        v->vbe_index = (uint16_t)val;
    else
        vbe_write(v, (uint16_t)val);
    pthread_mutex_unlock(&v->lock);
}

static const struct io_ops vga_pio_ops = {vga_pio_read, vga_pio_write};
static const struct io_ops dispi_ops = {dispi_read, dispi_write};
static const struct io_ops window_ops = {vga_mem_read, vga_mem_write};

static void vga_reset(void *opaque)
{
    struct dev_vga *v = opaque;
    pthread_mutex_lock(&v->lock);
    v->misc = v->feature = 0;
    v->sr_index = v->gr_index = v->cr_index = v->ar_index = 0;
    memset(v->sr, 0, sizeof(v->sr));
    memset(v->gr, 0, sizeof(v->gr));
    memset(v->cr, 0, sizeof(v->cr));
    memset(v->ar, 0, sizeof(v->ar));
    memset(v->dac, 0, sizeof(v->dac));
    memset(v->latch, 0, sizeof(v->latch));
    v->ar_flip = false;
    v->dac_rindex = v->dac_windex = v->dac_sub = v->dac_state = 0;
    v->pel_mask = 0xff;
    v->gr[8] = 0xff;
    vbe_reset(v);
    v->full_redraw = true;
    pthread_mutex_unlock(&v->lock);
}

static void vga_destroy(void *opaque)
{
    struct dev_vga *v = opaque;
    pthread_mutex_destroy(&v->lock);
    free(v->vram);
    free(v->rom);
    free(v);
}

/* The VGA BIOS: the PCI expansion ROM, and at 0xC0000 when no firmware
 * will copy it there (Multiboot guests that call the BIOS themselves). */
static void load_rom(struct dev_vga *v, const char *path)
{
    char err[256];
    size_t len, size = 0x800;
    v->rom = loader_read_file(path, &len, 1u << 20, err, sizeof(err));
    if (!v->rom)
        return; /* no ROM: the guest programs the registers itself */
    while (size < len)
        size <<= 1;
    uint8_t *padded = realloc(v->rom, size);
    if (!padded) {
        free(v->rom);
        v->rom = NULL;
        return;
    }
    memset(padded + len, 0xff, size - len);
    v->rom = padded;
    pci_set_rom(&v->pci, v->rom, (uint32_t)size);
    if (!v->vm->cfg.bios)
        pgm_map_rom(&v->vm->pgm, 0xc0000, (len + 0xfff) & ~(size_t)0xfff, v->rom, "vgabios");
}

/* The VGA's saved state: registers, the palette, VBE and VRAM (compressed,
 * zero pages skipped); the display redraws whole after a load. */
#define F(m, t) SS_FIELD(struct dev_vga, m, t)
static const struct ss_field vga_fields[] = {
    SS_STRUCT_FIELD(struct dev_vga, pci, struct pci_device, pci_device_ss_fields),
    SS_PBLOB_FIELD(struct dev_vga, vram, VGA_VRAM_SIZE),
    F(misc, U8), F(feature, U8), SS_FIELD_MAX(struct dev_vga, sr_index, U8, 7), F(sr, U8),
    SS_FIELD_MAX(struct dev_vga, gr_index, U8, 15), F(gr, U8),
    SS_FIELD_MAX(struct dev_vga, cr_index, U8, 0x3f),
    F(cr, U8), SS_FIELD_MAX(struct dev_vga, ar_index, U8, 0x3f), F(ar, U8), F(ar_flip, BOOL),
    F(dac_rindex, U8),
    F(dac_windex, U8), SS_FIELD_MAX(struct dev_vga, dac_sub, U8, 2), F(dac_state, U8), F(pel_mask, U8),
    F(dac, U8),
    F(latch, U8), F(vbe_index, U16), F(vbe, U16), SS_END,
};
#undef F

static void vga_post_load(void *opaque)
{
    struct dev_vga *v = opaque;
    pthread_mutex_lock(&v->lock);
    memset(v->dirty, 0xff, sizeof(v->dirty));
    v->full_redraw = true;
    pthread_mutex_unlock(&v->lock);
}
static const struct ss_desc vga_ss = {1, vga_fields, NULL, vga_post_load};

int dev_vga_create(struct vm *vm, const char *rom_path, struct dev_vga **out)
{
    struct dev_pci *pci = pc_pci(vm);
    struct dev_vga *v = calloc(1, sizeof(*v));
    if (!v || !pci)
        goto nomem;
    v->vram = calloc(1, VGA_VRAM_SIZE);
    if (!v->vram)
        goto nomem;
    pthread_mutex_init(&v->lock, NULL);
    v->vm = vm;
    pci_set_ids(&v->pci, 0x1234, 0x1111, 0x03000002, 0x00); /* display, VGA compatible, rev 2 */
    v->pci.cfg[0x2c] = 0xf4, v->pci.cfg[0x2d] = 0x1a;     /* subsystem 1af4:1100, as QEMU */
    v->pci.cfg[0x2e] = 0x00, v->pci.cfg[0x2f] = 0x11;
    pci_register_bar(&v->pci, 0, VGA_VRAM_SIZE, false, &vga_lfb_ops, v);
    v->pci.cfg[0x10] |= 0x08; /* prefetchable */
    load_rom(v, rom_path ? rom_path : DEFAULT_ROM);
    vga_reset(v);
    if (pci_add_device(pci, &v->pci, 2 << 3, "vga") < 0 ||
        bus_pio_register(&vm->bus, 0x3b0, 0x30, &vga_pio_ops, v, "vga") < 0 ||
        bus_pio_register(&vm->bus, 0x1ce, 2, &dispi_ops, v, "vbe") < 0 ||
        pgm_map_mmio(&vm->pgm, 0xa0000, 0x20000, &window_ops, v, "vga") < 0 ||
        bus_add_device(&vm->bus, "vga", v, vga_reset, vga_destroy) < 0 ||
        bus_describe(&vm->bus, v, &vga_ss) < 0) {
        vga_destroy(v);
        return -EBUSY;
    }
    if (out)
        *out = v;
    return 0;
nomem:
    if (v)
        free(v->vram);
    free(v);
    return -ENOMEM;
}

struct dev_vga *pc_vga(struct vm *vm)
{
    return bus_find_device(&vm->bus, "vga");
}

/* Until struct vm_config names the display adapter, the option parser asks
 * for one with QEMU's "-device VGA", which is taken out of the device list
 * here so the generic -device code never sees it. */
int pc_vga_create(struct vm *vm)
{
    struct vm_config *c = &vm->cfg;
    bool want = false;
    unsigned k = 0;
    for (unsigned i = 0; i < c->ndevices; i++) {
        if (!strcmp(c->devices[i], "VGA"))
            want = true;
        else
            c->devices[k++] = c->devices[i];
    }
    c->ndevices = k;
    return want ? dev_vga_create(vm, NULL, NULL) : 0;
}
