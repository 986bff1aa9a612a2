/* The PIIX3 IDE function (PCI 0:1.1, 8086:7010): two legacy channels
 * (0x1F0-0x1F7/0x3F6 on IRQ14, 0x170-0x177/0x376 on IRQ15) and the
 * SFF-8038i bus master in BAR4.
 *
 * This file holds what is common to every device on a channel: the task
 * file and its HOB copies, device selection, software reset, INTRQ, the
 * PIO data window, and the machine wiring. The bus master is in ide_dma.c,
 * the command sets in ide_ata.c and atapi.c.
 *
 * Both devices latch every task-file write, as on a real cable; reads come
 * from the selected device. When the selected device is absent but the
 * other is present, the present one answers status reads with 00h (ATA-6);
 * a channel with no device floats to 7Fh (DD7 has a pull-down).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/ide.h"
#include "devices/ide_priv.h"
#include "vm/vm.h"
#include "vm/ss.h"

struct ide_dev *ide_selected(struct ide_channel *c)
{
    return &c->dev[c->cur];
}

static bool channel_empty(const struct ide_channel *c)
{
    return c->dev[0].kind == IDE_NONE && c->dev[1].kind == IDE_NONE;
}

static void update_irq(struct ide_channel *c)
{
    int level = c->dev[c->cur].irq_pending && !(c->devctl & DC_NIEN);
    if (level != c->irq_level) {
        c->irq_level = level;
        irq_set(&c->irq, level);
    }
}

void ide_raise_irq(struct ide_dev *d)
{
    struct ide_channel *c = d->ch;
    d->irq_pending = true;
    /* the bus master latches the rising edge of INTRQ, which nIEN masks */
    if (!(c->devctl & DC_NIEN) && d == ide_selected(c))
        c->bm_status |= BM_ST_INTR;
    update_irq(c);
}

void ide_set_signature(struct ide_dev *d)
{
    d->nsector = d->sector = 1;
    d->lcyl = d->kind == IDE_ATAPI ? 0x14 : 0;
    d->hcyl = d->kind == IDE_ATAPI ? 0xeb : 0;
    d->select &= DEV_DEV;
}

void ide_cmd_done(struct ide_dev *d)
{
    d->status = ST_DRDY | ST_DSC;
    d->error = 0;
    ide_raise_irq(d);
}

void ide_cmd_error(struct ide_dev *d, uint8_t err)
{
    d->status = ST_DRDY | ST_DSC | ST_ERR;
    d->error = err;
    d->end_xfer = NULL;
    d->dma_pending = false;
    ide_raise_irq(d);
}

void ide_pio_start(struct ide_dev *d, uint32_t pos, uint32_t len, bool out, ide_fn end_xfer)
{
    d->pio_out = out;
    d->pos = pos;
    d->end = pos + len;
    d->end_xfer = end_xfer;
    d->status = ST_DRDY | ST_DSC | ST_DRQ;
}

/* The window has been drained or filled: the command goes on. */
static void pio_done(struct ide_dev *d)
{
    ide_fn fn = d->end_xfer;
    d->end_xfer = NULL;
    d->status &= (uint8_t)~ST_DRQ;
    if (fn)
        fn(d);
}

static bool pio_active(const struct ide_dev *d, bool out)
{
    return d->kind != IDE_NONE && (d->status & ST_DRQ) && !d->dma_pending && d->pos < d->end &&
           d->pio_out == out;
}

static uint32_t data_read(struct ide_dev *d, unsigned size)
{
    uint32_t v = 0;
    if (!pio_active(d, false))
        return 0;
    for (unsigned i = 0; i < size && d->pos < d->end; i++)
        v |= (uint32_t)d->buf[d->pos++] << (8 * i);
    if (d->pos >= d->end)
        pio_done(d);
    return v;
}

static void data_write(struct ide_dev *d, uint32_t v, unsigned size)
{
    if (!pio_active(d, true))
        return;
    for (unsigned i = 0; i < size && d->pos < d->end; i++)
        d->buf[d->pos++] = (uint8_t)(v >> (8 * i));
    if (d->pos >= d->end)
        pio_done(d);
}

/* ---- the task file -------------------------------------------------------- */

static void soft_reset(struct ide_dev *d)
{
    if (d->kind == IDE_NONE)
        return;
    d->select = 0;
    ide_set_signature(d);
    d->status = d->kind == IDE_ATAPI ? 0 : ST_DRDY | ST_DSC;
    d->error = 0x01; /* diagnostics passed */
    d->feature = d->hob_feature = d->hob_nsector = d->hob_sector = d->hob_lcyl = d->hob_hcyl = 0;
    d->end_xfer = NULL;
    d->pos = d->end = 0;
    d->dma_pending = false;
    d->irq_pending = false;
}

/* EXECUTE DEVICE DIAGNOSTIC runs on both devices whichever is selected. */
static void diagnose(struct ide_channel *c)
{
    for (unsigned u = 0; u < 2; u++)
        soft_reset(&c->dev[u]);
    c->cur = 0;
    ide_raise_irq(c->dev[0].kind != IDE_NONE ? &c->dev[0] : &c->dev[1]);
}

static uint8_t status_of(struct ide_channel *c, bool clear_irq)
{
    struct ide_dev *d = ide_selected(c);
    if (channel_empty(c))
        return 0x7f;
    if (d->kind == IDE_NONE)
        return 0;
    if (c->devctl & DC_SRST)
        return ST_BSY;
    if (clear_irq) {
        d->irq_pending = false;
        update_irq(c);
    }
    return d->status;
}

static uint64_t cmd_read_locked(struct ide_channel *c, unsigned off, unsigned size)
{
    struct ide_dev *d = ide_selected(c);
    bool hob = c->devctl & DC_HOB;

    if (off == 0)
        return channel_empty(c) ? ~0ull >> (64 - 8 * size) & ~0x80ull : data_read(d, size);
    if (off == 7)
        return status_of(c, true);
    if (channel_empty(c))
        return 0x7f;
    switch (off) {
    case 1: return d->error;
    case 2: return hob ? d->hob_nsector : d->nsector;
    case 3: return hob ? d->hob_sector : d->sector;
    case 4: return hob ? d->hob_lcyl : d->lcyl;
    case 5: return hob ? d->hob_hcyl : d->hcyl;
    default: return d->select | 0xa0; /* bits 7 and 5 are obsolete and read as one */
    }
}

static void cmd_write_locked(struct ide_channel *c, unsigned off, uint32_t v, unsigned size)
{
    struct ide_dev *d = ide_selected(c);
    uint8_t b = (uint8_t)v;

    if (off == 0) {
        data_write(d, v, size);
        return;
    }
    if (off == 7) {
        if (b == 0x90 && !channel_empty(c) && !(c->devctl & DC_SRST)) {
            diagnose(c);
            return;
        }
        if (d->kind == IDE_NONE || (c->devctl & DC_SRST))
            return;
        d->irq_pending = false;
        update_irq(c);
        d->end_xfer = NULL;
        d->pos = d->end = 0;
        d->dma_pending = false;
        ata_exec(d, b);
        return;
    }
    /* a write to the command block clears HOB */
    c->devctl &= (uint8_t)~DC_HOB;
    for (unsigned u = 0; u < 2; u++) {
        struct ide_dev *x = &c->dev[u];
        switch (off) {
        case 1: x->hob_feature = x->feature; x->feature = b; break;
        case 2: x->hob_nsector = x->nsector; x->nsector = b; break;
        case 3: x->hob_sector = x->sector; x->sector = b; break;
        case 4: x->hob_lcyl = x->lcyl; x->lcyl = b; break;
        case 5: x->hob_hcyl = x->hcyl; x->hcyl = b; break;
        case 6: x->select = b & 0x5f; break;
        }
    }
    if (off == 6) {
        c->cur = (b >> 4) & 1;
        update_irq(c);
    }
}

static void devctl_write_locked(struct ide_channel *c, uint8_t v)
{
    uint8_t old = c->devctl;
    c->devctl = v;
    if ((v & DC_SRST) && !(old & DC_SRST)) {
        for (unsigned u = 0; u < 2; u++) {
            c->dev[u].irq_pending = false;
            c->dev[u].end_xfer = NULL;
            c->dev[u].dma_pending = false;
        }
    } else if (!(v & DC_SRST) && (old & DC_SRST)) {
        for (unsigned u = 0; u < 2; u++)
            soft_reset(&c->dev[u]);
        c->cur = 0;
    }
    update_irq(c);
}

static uint64_t cmd_read(void *opaque, uint64_t off, unsigned size)
{
    struct ide_channel *c = opaque;
    pthread_mutex_lock(&c->ide->lock);
    uint64_t v = cmd_read_locked(c, (unsigned)off, size);
    pthread_mutex_unlock(&c->ide->lock);
    return v;
}

static void cmd_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct ide_channel *c = opaque;
    pthread_mutex_lock(&c->ide->lock);
    cmd_write_locked(c, (unsigned)off, (uint32_t)val, size);
    pthread_mutex_unlock(&c->ide->lock);
}

static uint64_t ctl_read(void *opaque, uint64_t off, unsigned size)
{
    struct ide_channel *c = opaque;
    (void)off;
    (void)size;
    pthread_mutex_lock(&c->ide->lock);
    uint64_t v = status_of(c, false);
    pthread_mutex_unlock(&c->ide->lock);
    return v;
}

static void ctl_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct ide_channel *c = opaque;
    (void)off;
    (void)size;
    pthread_mutex_lock(&c->ide->lock);
    devctl_write_locked(c, (uint8_t)val);
    pthread_mutex_unlock(&c->ide->lock);
}

static const struct io_ops cmd_ops = {cmd_read, cmd_write};
static const struct io_ops ctl_ops = {ctl_read, ctl_write};


/* ---- machine wiring ------------------------------------------------------ */

static void dev_power_on(struct ide_dev *d)
{
    d->mult = 0;
    d->xfer_mode = 0;
    d->standby = false;
    d->cur_cyls = d->cyls;
    d->cur_heads = d->heads;
    d->cur_spt = d->spt;
    soft_reset(d);
    d->select = (uint8_t)(d->unit << 4);
    d->nsector = d->sector = 1;
    if (d->kind == IDE_ATAPI)
        atapi_reset(d);
}

static void ide_reset(void *opaque)
{
    struct dev_ide *ide = opaque;
    pthread_mutex_lock(&ide->lock);
    for (unsigned n = 0; n < 2; n++) {
        struct ide_channel *c = &ide->ch[n];
        c->cur = 0;
        c->devctl = 0;
        c->bm_cmd = c->bm_status = 0;
        c->bm_prd = 0;
        for (unsigned u = 0; u < 2; u++)
            dev_power_on(&c->dev[u]);
        update_irq(c);
    }
    pthread_mutex_unlock(&ide->lock);
}

static void ide_destroy(void *opaque)
{
    struct dev_ide *ide = opaque;
    for (unsigned n = 0; n < 4; n++) {
        struct ide_dev *d = &ide->ch[n / 2].dev[n % 2];
        block_close(d->blk);
        free(d->buf);
    }
    pthread_mutex_destroy(&ide->lock);
    free(ide);
}

/* Opens a CD image; the caller holds the lock (or is creating the VM). */
static int cd_insert(struct ide_dev *d, const char *path, bool snapshot, char *err, size_t errlen)
{
    struct block *b;
    struct block_opts o = {.readonly = true, .snapshot = snapshot};
    if (block_open(path, &o, &b, err, errlen) < 0)
        return -1;
    if (block_size(b) % CD_SECTOR) {
        snprintf(err, errlen, "CD image '%s' is %llu bytes, not a multiple of 2048", path,
                 (unsigned long long)block_size(b));
        block_close(b);
        return -1;
    }
    block_close(d->blk);
    d->blk = b;
    d->nsectors = block_size(b) / CD_SECTOR;
    return 0;
}

static int attach(struct dev_ide *ide, const struct vm_drive *dr, bool snapshot, char *err, size_t errlen)
{
    struct ide_dev *d;
    if (dr->index < 0 || dr->index > 3) {
        snprintf(err, errlen, "IDE drive index %d out of range (0-3)", dr->index);
        return -1;
    }
    d = &ide->ch[dr->index / 2].dev[dr->index % 2];
    if (d->kind != IDE_NONE) {
        snprintf(err, errlen, "two drives at IDE index %d", dr->index);
        return -1;
    }
    if (dr->format && strcmp(dr->format, "raw")) {
        snprintf(err, errlen, "drive '%s': unknown format '%s' (only raw is supported)",
                 dr->file ? dr->file : "", dr->format);
        return -1;
    }
    if (dr->cdrom) {
        if (dr->file && *dr->file && cd_insert(d, dr->file, snapshot || dr->snapshot, err, errlen) < 0)
            return -1;
        d->kind = IDE_ATAPI;
        snprintf(d->model, sizeof(d->model), "PCVM DVD-ROM");
    } else {
        struct block_opts o = {.format = dr->format, .readonly = dr->readonly,
                               .snapshot = snapshot || dr->snapshot};
        if (!dr->file || !*dr->file) {
            snprintf(err, errlen, "IDE disk at index %d has no image file", dr->index);
            return -1;
        }
        if (block_open(dr->file, &o, &d->blk, err, errlen) < 0)
            return -1;
        d->kind = IDE_ATA;
        d->nsectors = block_size(d->blk) / IDE_SECTOR;
        snprintf(d->model, sizeof(d->model), "PCVM HARDDISK");
        ata_init_geometry(d);
    }
    snprintf(d->serial, sizeof(d->serial), "PCVM%016u", (unsigned)dr->index + 1);
    d->buf = calloc(1, IDE_BUF_SIZE);
    if (!d->buf) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

/* SeaBIOS (in QEMU mode) takes the boot order from CMOS 3Dh and 38h when
 * fw_cfg gives none: one nibble per device, 1 floppy, 2 disk, 3 CD, 4 net. */
static void write_boot_order(struct vm *vm, const char *order)
{
    uint8_t dev[3] = {0, 0, 0};
    for (unsigned i = 0, k = 0; order[i] && k < 3; i++) {
        char ch = order[i];
        uint8_t v = ch == 'a' || ch == 'b' ? 1 : ch == 'c' ? 2 : ch == 'd' ? 3 : ch >= 'n' && ch <= 'p' ? 4 : 0;
        if (v)
            dev[k++] = v;
    }
    bus_pio_write(&vm->bus, 0x70, 0x3d, 1);
    bus_pio_write(&vm->bus, 0x71, (uint8_t)(dev[1] << 4 | dev[0]), 1);
    bus_pio_write(&vm->bus, 0x70, 0x38, 1);
    bus_pio_write(&vm->bus, 0x71, (uint8_t)(dev[2] << 4), 1);
    bus_pio_write(&vm->bus, 0x70, 0x0d, 1);
}

/* The drives (kind, size, names, default geometry) are configuration;
 * the task files, the negotiated settings and the bus master registers
 * are state. A command in flight is not described yet: savevm refuses it
 * (it ends within the guest's next few I/O instructions). */
#define F(m, t) SS_FIELD(struct ide_dev, m, t)
static const struct ss_field ide_dev_fields[] = {
    F(feature, U8), F(nsector, U8), F(sector, U8), F(lcyl, U8), F(hcyl, U8), F(hob_feature, U8),
    F(hob_nsector, U8), F(hob_sector, U8), F(hob_lcyl, U8), F(hob_hcyl, U8), F(select, U8), F(status, U8),
    F(error, U8), F(irq_pending, BOOL), F(cur_cyls, U32), F(cur_heads, U32), F(cur_spt, U32), F(mult, U32),
    F(xfer_mode, U8), F(standby, BOOL), F(lba48, BOOL), F(is_write, BOOL), F(lba, U64), F(left, U32),
    F(block, U32), SS_FIELD_MAX(struct ide_dev, pos, U32, IDE_BUF_SIZE),
    SS_FIELD_MAX(struct ide_dev, end, U32, IDE_BUF_SIZE), F(pio_out, BOOL), F(packet, U8), F(sense_key, U8),
    F(asc, U8), F(ascq, U8), F(unit_attention, BOOL), F(tray_open, BOOL), F(locked, BOOL), F(media_event, U8),
    F(byte_limit, U32), F(cd_lba, U64), F(cd_left, U32), F(xfer_left, U64),
    SS_FIELD_MAX(struct ide_dev, buf_len, U32, IDE_BUF_SIZE),
    SS_FIELD_MAX(struct ide_dev, buf_off, U32, IDE_BUF_SIZE),
    F(packet_dma, BOOL), SS_END,
};
#undef F
#define F(m, t) SS_FIELD(struct ide_channel, m, t)
static const struct ss_field ide_channel_fields[] = {
    SS_STRUCT_FIELD(struct ide_channel, dev, struct ide_dev, ide_dev_fields),
    SS_FIELD_MAX(struct ide_channel, cur, U32, 1),
    F(devctl, U8), F(irq_level, I32), F(bm_cmd, U8), F(bm_status, U8), F(bm_prd, U32), F(prd_next, U32),
    F(prd_addr, U32), F(prd_left, U32), F(prd_eot, BOOL), SS_END,
};
#undef F
static const struct ss_field ide_fields[] = {
    SS_STRUCT_FIELD(struct dev_ide, pci, struct pci_device, pci_device_ss_fields),
    SS_STRUCT_FIELD(struct dev_ide, ch, struct ide_channel, ide_channel_fields), SS_END,
};

static int ide_pre_save(void *opaque, char *err, size_t errlen)
{
    struct dev_ide *ide = opaque;
    for (unsigned n = 0; n < 4; n++) {
        const struct ide_dev *d = &ide->ch[n / 2].dev[n % 2];
        if (d->end_xfer || d->dma_pending || (d->status & (ST_BSY | ST_DRQ))) {
            snprintf(err, errlen, "ide: %s %s is in the middle of a command; try again",
                     n / 2 ? "secondary" : "primary", n % 2 ? "slave" : "master");
            return -1;
        }
    }
    return 0;
}
static const struct ss_desc ide_ss = {1, ide_fields, ide_pre_save, NULL};

int dev_ide_create(struct vm *vm, char *err, size_t errlen)
{
    const struct vm_config *cfg = &vm->cfg;
    static const uint16_t cmd_port[2] = {0x1f0, 0x170}, ctl_port[2] = {0x3f6, 0x376};
    struct dev_ide *ide = calloc(1, sizeof(*ide));
    bool have_cd_slot = false;

    if (!ide) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    pthread_mutex_init(&ide->lock, NULL);
    ide->vm = vm;
    for (unsigned n = 0; n < 2; n++) {
        ide->ch[n].ide = ide;
        ide->ch[n].irq = pc_isa_irq(vm, 14 + n);
        for (unsigned u = 0; u < 2; u++) {
            ide->ch[n].dev[u].ch = &ide->ch[n];
            ide->ch[n].dev[u].unit = u;
        }
    }
    for (unsigned i = 0; i < cfg->ndrives && i < VM_MAX_DRIVES; i++) {
        if (attach(ide, &cfg->drives[i], cfg->snapshot, err, errlen) < 0)
            goto fail;
        have_cd_slot |= cfg->drives[i].index == 2;
    }
    /* as QEMU: without -nodefaults the secondary master is an empty CD-ROM */
    if (!cfg->nodefaults && !have_cd_slot) {
        struct vm_drive cd = {.cdrom = true, .index = 2};
        if (attach(ide, &cd, false, err, errlen) < 0)
            goto fail;
    }

    pci_set_ids(&ide->pci, 0x8086, 0x7010, 0x01018000, 0x00); /* IDE, legacy mode, bus master */
    ide->pci.cfg[0x07] = 0x02;                                 /* DEVSEL medium */
    memset(ide->pci.wmask + 0x40, 0xff, 0x10);                 /* IDETIM, SIDETIM */
    /* IDE decode enabled on both channels, as firmware leaves it; drivers
     * (Linux ata_piix) skip a channel whose enable bit is clear */
    ide->pci.cfg[0x41] = 0x80;
    ide->pci.cfg[0x43] = 0x80;
    if (pci_register_bar(&ide->pci, 4, 16, true, &ide_bm_ops, ide) < 0 || !pc_pci(vm) ||
        pci_add_device(pc_pci(vm), &ide->pci, (1 << 3) | 1, "piix3-ide") < 0)
        goto fail_wiring;
    for (unsigned n = 0; n < 2; n++)
        if (bus_pio_register(&vm->bus, cmd_port[n], 8, &cmd_ops, &ide->ch[n], "ide") < 0 ||
            bus_pio_register(&vm->bus, ctl_port[n], 1, &ctl_ops, &ide->ch[n], "ide-ctl") < 0)
            goto fail_wiring;
    if (bus_add_device(&vm->bus, "ide", ide, ide_reset, ide_destroy) < 0 ||
        bus_describe(&vm->bus, ide, &ide_ss) < 0)
        goto fail_wiring;
    ide_reset(ide);
    write_boot_order(vm, cfg->boot_order ? cfg->boot_order : "cad");
    return 0;
fail_wiring:
    snprintf(err, errlen, "cannot create the IDE controller");
fail:
    ide_destroy(ide);
    return -1;
}

int dev_ide_sync(struct vm *vm, char *err, size_t errlen)
{
    struct dev_ide *ide = bus_find_device(&vm->bus, "ide");
    int rc = 0;
    if (!ide)
        return 0;
    pthread_mutex_lock(&ide->lock);
    for (unsigned n = 0; n < 4 && !rc; n++) {
        struct block *b = ide->ch[n / 2].dev[n % 2].blk;
        if (b && (rc = block_flush(b)) < 0)
            snprintf(err, errlen, "cannot sync image '%s': %s", block_path(b), strerror(-rc));
    }
    pthread_mutex_unlock(&ide->lock);
    return rc < 0 ? -1 : 0;
}

int dev_ide_cd_change(struct vm *vm, unsigned index, const char *path, char *err, size_t errlen)
{
    struct dev_ide *ide = bus_find_device(&vm->bus, "ide");
    struct ide_dev *d;
    int rc = 0;

    if (!ide || index > 3 || ide->ch[index / 2].dev[index % 2].kind != IDE_ATAPI) {
        snprintf(err, errlen, "no CD-ROM drive at IDE index %u", index);
        return -1;
    }
    d = &ide->ch[index / 2].dev[index % 2];
    pthread_mutex_lock(&ide->lock);
    if (path) {
        rc = cd_insert(d, path, vm->cfg.snapshot, err, errlen);
        if (rc == 0) {
            d->tray_open = false;
            d->unit_attention = true;
            d->media_event = 2;
        }
    } else {
        block_close(d->blk);
        d->blk = NULL;
        d->nsectors = 0;
        d->media_event = 3;
    }
    pthread_mutex_unlock(&ide->lock);
    return rc;
}
