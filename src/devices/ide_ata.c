/* The ATA command set of the IDE disks (ATA/ATAPI-6), and the dispatch of
 * every command written to the command register, disks and CD-ROMs alike.
 *
 * Addressing: LBA48 for the EXT commands, LBA28 when the device register
 * has the LBA bit, CHS (through the geometry INITIALIZE DEVICE PARAMETERS
 * set) otherwise. After a transfer the address registers hold the last
 * sector transferred (or the failing one), in the form the command used. */
#include <errno.h>
#include <string.h>

#include "devices/ide_priv.h"

/* Command flags: which devices accept it, and how it addresses. */
#define C_DISK 0x01
#define C_CD 0x02
#define C_48 0x04   /* LBA48 (EXT) */
#define C_SIG 0x08  /* a packet device aborts it with its signature */

struct ata_cmd {
    uint8_t op, flags;
    void (*fn)(struct ide_dev *d);
};

/* ATA strings hold two characters per word, the first in the high byte. */
void ide_put_string(uint16_t *words, const char *s, unsigned nwords)
{
    size_t n = strlen(s);
    for (unsigned i = 0; i < nwords * 2; i++) {
        uint8_t ch = i < n ? (uint8_t)s[i] : ' ';
        words[i / 2] = (uint16_t)(i & 1 ? (words[i / 2] & 0xff00) | ch : ch << 8);
    }
}

/* Word 255: signature A5h and a checksum making the 512 bytes sum to 0. */
void ide_identify_checksum(uint16_t *w)
{
    uint8_t sum = 0xa5;
    for (unsigned i = 0; i < 255; i++)
        sum = (uint8_t)(sum + (w[i] & 0xff) + (w[i] >> 8));
    w[255] = (uint16_t)(((uint8_t)-sum) << 8 | 0xa5);
}

void ata_init_geometry(struct ide_dev *d)
{
    /* the usual translated geometry: 16 heads, 63 sectors per track */
    uint64_t c = d->nsectors / (16 * 63);
    d->heads = 16;
    d->spt = 63;
    d->cyls = c > 16383 ? 16383 : c ? (unsigned)c : 1;
}

static bool get_lba(struct ide_dev *d, uint64_t *lba)
{
    if (d->lba48) {
        *lba = (uint64_t)d->hob_hcyl << 40 | (uint64_t)d->hob_lcyl << 32 | (uint64_t)d->hob_sector << 24 |
               (uint64_t)d->hcyl << 16 | (uint64_t)d->lcyl << 8 | d->sector;
    } else if (d->select & DEV_LBA) {
        *lba = (uint64_t)(d->select & 0x0f) << 24 | (uint64_t)d->hcyl << 16 | (uint64_t)d->lcyl << 8 | d->sector;
    } else {
        unsigned cyl = (unsigned)d->hcyl << 8 | d->lcyl, head = d->select & 0x0f;
        if (!d->sector || d->sector > d->cur_spt || head >= d->cur_heads)
            return false;
        *lba = ((uint64_t)cyl * d->cur_heads + head) * d->cur_spt + d->sector - 1;
    }
    return true;
}

static void set_lba(struct ide_dev *d, uint64_t lba)
{
    if (d->lba48) {
        d->hob_hcyl = (uint8_t)(lba >> 40);
        d->hob_lcyl = (uint8_t)(lba >> 32);
        d->hob_sector = (uint8_t)(lba >> 24);
        d->hcyl = (uint8_t)(lba >> 16);
        d->lcyl = (uint8_t)(lba >> 8);
        d->sector = (uint8_t)lba;
    } else if (d->select & DEV_LBA) {
        d->select = (uint8_t)((d->select & 0xf0) | ((lba >> 24) & 0x0f));
        d->hcyl = (uint8_t)(lba >> 16);
        d->lcyl = (uint8_t)(lba >> 8);
        d->sector = (uint8_t)lba;
    } else {
        unsigned track = (unsigned)(lba / d->cur_spt), cyl = track / d->cur_heads;
        d->select = (uint8_t)((d->select & 0xf0) | (track % d->cur_heads));
        d->hcyl = (uint8_t)(cyl >> 8);
        d->lcyl = (uint8_t)cyl;
        d->sector = (uint8_t)(lba % d->cur_spt + 1);
    }
}

static uint32_t get_count(const struct ide_dev *d)
{
    if (d->lba48)
        return ((uint32_t)d->hob_nsector << 8 | d->nsector) ?: 65536;
    return d->nsector ?: 256;
}

/* Sets up lba/left for a transfer; false after reporting IDNF. */
static bool start_rw(struct ide_dev *d, bool write)
{
    uint64_t lba;
    uint32_t n = get_count(d);
    d->is_write = write;
    if (!get_lba(d, &lba) || lba >= d->nsectors || n > d->nsectors - lba) {
        ide_cmd_error(d, ER_IDNF);
        return false;
    }
    d->lba = lba;
    d->left = n;
    return true;
}

static void xfer_error(struct ide_dev *d, int rc)
{
    set_lba(d, d->lba);
    ide_cmd_error(d, rc == -EROFS || d->is_write ? ER_ABRT : ER_UNC);
}

/* ---- PIO ------------------------------------------------------------------ */

static void pio_read_block(struct ide_dev *d);
static void pio_write_block(struct ide_dev *d);

/* A DRQ block of n sectors has moved: the registers say what is left and
 * the last sector transferred. */
static void pio_block_moved(struct ide_dev *d, uint32_t n)
{
    d->lba += n;
    d->left -= n;
    d->nsector = (uint8_t)d->left;
    set_lba(d, d->lba - 1);
}

static void pio_read_finish(struct ide_dev *d)
{
    d->status = ST_DRDY | ST_DSC;
}

/* Loads the next DRQ block and interrupts: the host reads it. */
static void pio_read_block(struct ide_dev *d)
{
    uint32_t n = d->left < d->block ? d->left : d->block;
    int rc = block_read(d->blk, d->lba * IDE_SECTOR, d->buf, n * IDE_SECTOR);
    if (rc < 0) {
        xfer_error(d, rc);
        return;
    }
    pio_block_moved(d, n);
    ide_pio_start(d, 0, n * IDE_SECTOR, false, d->left ? pio_read_block : pio_read_finish);
    ide_raise_irq(d);
}

static void open_write_window(struct ide_dev *d)
{
    uint32_t n = d->left < d->block ? d->left : d->block;
    ide_pio_start(d, 0, n * IDE_SECTOR, true, pio_write_block);
}

/* The host has filled a DRQ block: write it, then ask for the next. */
static void pio_write_block(struct ide_dev *d)
{
    uint32_t n = d->end / IDE_SECTOR;
    int rc = block_write(d->blk, d->lba * IDE_SECTOR, d->buf, n * IDE_SECTOR);
    if (rc < 0) {
        xfer_error(d, rc);
        return;
    }
    pio_block_moved(d, n);
    if (!d->left) {
        ide_cmd_done(d);
        return;
    }
    open_write_window(d);
    ide_raise_irq(d);
}

static void cmd_read_pio(struct ide_dev *d)
{
    d->block = 1;
    if (start_rw(d, false))
        pio_read_block(d);
}

static void cmd_write_pio(struct ide_dev *d)
{
    d->block = 1;
    if (block_readonly(d->blk))
        ide_cmd_error(d, ER_ABRT);
    else if (start_rw(d, true))
        open_write_window(d); /* the first block needs no interrupt */
}

static void cmd_read_multiple(struct ide_dev *d)
{
    if (!d->mult) {
        ide_cmd_error(d, ER_ABRT);
        return;
    }
    d->block = d->mult;
    if (start_rw(d, false))
        pio_read_block(d);
}

static void cmd_write_multiple(struct ide_dev *d)
{
    if (!d->mult || block_readonly(d->blk)) {
        ide_cmd_error(d, ER_ABRT);
        return;
    }
    d->block = d->mult;
    if (start_rw(d, true))
        open_write_window(d);
}

/* ---- DMA ------------------------------------------------------------------ */

static int dma_rw(struct ide_dev *d)
{
    while (d->left) {
        uint32_t n = d->left < IDE_BUF_SIZE / IDE_SECTOR ? d->left : IDE_BUF_SIZE / IDE_SECTOR;
        int rc = 0;
        if (!d->is_write && (rc = block_read(d->blk, d->lba * IDE_SECTOR, d->buf, n * IDE_SECTOR)) < 0) {
            xfer_error(d, rc);
            return -EIO;
        }
        if (ide_dma_copy(d, d->buf, n * IDE_SECTOR) < n * IDE_SECTOR) {
            /* the PRD table ended before the sector count did */
            set_lba(d, d->lba);
            ide_cmd_error(d, ER_ABRT);
            return -ENOSPC;
        }
        if (d->is_write && (rc = block_write(d->blk, d->lba * IDE_SECTOR, d->buf, n * IDE_SECTOR)) < 0) {
            xfer_error(d, rc);
            return -EIO;
        }
        d->lba += n;
        d->left -= n;
    }
    d->nsector = 0;
    set_lba(d, d->lba - 1);
    ide_cmd_done(d);
    return 0;
}

static void cmd_read_dma(struct ide_dev *d)
{
    if (start_rw(d, false))
        ide_dma_start(d, true, dma_rw);
}

static void cmd_write_dma(struct ide_dev *d)
{
    if (block_readonly(d->blk))
        ide_cmd_error(d, ER_ABRT);
    else if (start_rw(d, true))
        ide_dma_start(d, false, dma_rw);
}

/* ---- other commands --------------------------------------------------------- */

static void cmd_verify(struct ide_dev *d)
{
    if (start_rw(d, false)) {
        set_lba(d, d->lba + d->left - 1);
        ide_cmd_done(d);
    }
}

static void cmd_nop_ok(struct ide_dev *d)
{
    ide_cmd_done(d);
}

static void cmd_set_multiple(struct ide_dev *d)
{
    unsigned n = d->nsector;
    if (n > IDE_MAX_MULT || (n & (n - 1))) {
        ide_cmd_error(d, ER_ABRT);
        return;
    }
    d->mult = n;
    ide_cmd_done(d);
}

static void cmd_init_params(struct ide_dev *d)
{
    unsigned heads = (d->select & 0x0f) + 1, spt = d->nsector;
    if (!spt) {
        ide_cmd_error(d, ER_ABRT);
        return;
    }
    uint64_t cyls = d->nsectors / ((uint64_t)heads * spt);
    d->cur_heads = heads;
    d->cur_spt = spt;
    d->cur_cyls = cyls > 65535 ? 65535 : (unsigned)cyls;
    ide_cmd_done(d);
}

static bool valid_xfer_mode(uint8_t m)
{
    switch (m >> 3) {
    case 0: return m <= 1;      /* PIO default mode (IORDY on or off) */
    case 1: return (m & 7) <= 4; /* PIO flow control mode 0-4 */
    case 4: return (m & 7) <= 2; /* multiword DMA 0-2 */
    case 8: return (m & 7) <= 5; /* Ultra DMA 0-5 */
    default: return false;
    }
}

static void cmd_set_features(struct ide_dev *d)
{
    switch (d->feature) {
    case 0x03:
        if (!valid_xfer_mode(d->nsector)) {
            ide_cmd_error(d, ER_ABRT);
            return;
        }
        d->xfer_mode = d->nsector;
        break;
    case 0x02: case 0x82: /* write cache: writes reach the host page cache either way */
    case 0x55: case 0xaa: /* read look-ahead */
    case 0x66: case 0xcc: /* revert to power-on defaults */
        break;
    default:
        ide_cmd_error(d, ER_ABRT);
        return;
    }
    ide_cmd_done(d);
}

static void cmd_flush(struct ide_dev *d)
{
    if (d->blk && block_flush(d->blk) < 0)
        ide_cmd_error(d, ER_ABRT);
    else
        ide_cmd_done(d);
}

static void cmd_standby(struct ide_dev *d)
{
    d->standby = true;
    ide_cmd_done(d);
}

static void cmd_idle(struct ide_dev *d)
{
    d->standby = false;
    ide_cmd_done(d);
}

static void cmd_check_power(struct ide_dev *d)
{
    d->nsector = d->standby ? 0x00 : 0xff;
    ide_cmd_done(d);
}

/* DEVICE RESET (packet devices): the signature, no interrupt. */
static void cmd_device_reset(struct ide_dev *d)
{
    ide_set_signature(d);
    d->status = 0;
    d->error = 0x01;
}

static void cmd_identify(struct ide_dev *d)
{
    uint16_t w[256];
    uint64_t lba28 = d->nsectors < 0x0fffffff ? d->nsectors : 0x0fffffff;
    uint64_t cur = (uint64_t)d->cur_cyls * d->cur_heads * d->cur_spt;
    uint8_t mode = d->xfer_mode;

    memset(w, 0, sizeof(w));
    w[0] = 0x0040; /* fixed device */
    w[1] = (uint16_t)d->cyls;
    w[3] = (uint16_t)d->heads;
    w[6] = (uint16_t)d->spt;
    ide_put_string(&w[10], d->serial, 10);
    ide_put_string(&w[23], "1.0", 4);
    ide_put_string(&w[27], d->model, 20);
    w[47] = 0x8000 | IDE_MAX_MULT;
    w[49] = 0x0f00; /* IORDY, IORDY can be disabled, LBA, DMA */
    w[50] = 0x4000;
    w[51] = w[52] = 0x0200; /* PIO mode 2 (obsolete timing words) */
    w[53] = 0x0007; /* words 54-58, 64-70 and 88 valid */
    w[54] = (uint16_t)d->cur_cyls;
    w[55] = (uint16_t)d->cur_heads;
    w[56] = (uint16_t)d->cur_spt;
    if (cur > d->nsectors)
        cur = d->nsectors;
    w[57] = (uint16_t)cur;
    w[58] = (uint16_t)(cur >> 16);
    w[59] = d->mult ? (uint16_t)(0x0100 | d->mult) : 0;
    w[60] = (uint16_t)lba28;
    w[61] = (uint16_t)(lba28 >> 16);
    w[63] = (uint16_t)(0x0007 | ((mode >> 3) == 4 ? 0x100 << (mode & 7) : 0));
    w[64] = 0x0003; /* PIO modes 3 and 4 */
    w[65] = w[66] = w[67] = w[68] = 120;
    w[80] = 0x007e; /* ATA-1 to ATA-6 */
    w[82] = 0x4028; /* NOP, write cache, power management */
    w[83] = 0x7400; /* FLUSH CACHE EXT, FLUSH CACHE, 48-bit addresses */
    w[84] = 0x4000;
    w[85] = 0x4028;
    w[86] = 0x3400;
    w[87] = 0x4000;
    w[88] = (uint16_t)(0x003f | ((mode >> 3) == 8 ? 0x100 << (mode & 7) : 0));
    w[93] = d->unit ? 0x6100 : 0x600b; /* hardware reset result, 80-conductor cable */
    for (unsigned i = 0; i < 4; i++)
        w[100 + i] = (uint16_t)(d->nsectors >> (16 * i));
    ide_identify_checksum(w);
    for (unsigned i = 0; i < 256; i++) {
        d->buf[2 * i] = (uint8_t)w[i];
        d->buf[2 * i + 1] = (uint8_t)(w[i] >> 8);
    }
    ide_pio_start(d, 0, 512, false, pio_read_finish);
    ide_raise_irq(d);
}

static const struct ata_cmd commands[] = {
    {0x08, C_CD, cmd_device_reset},
    {0x10, C_DISK, cmd_nop_ok},              /* RECALIBRATE */
    {0x20, C_DISK | C_SIG, cmd_read_pio},    /* READ SECTORS */
    {0x21, C_DISK | C_SIG, cmd_read_pio},    /* ... without retries */
    {0x24, C_DISK | C_48, cmd_read_pio},     /* READ SECTORS EXT */
    {0x25, C_DISK | C_48, cmd_read_dma},     /* READ DMA EXT */
    {0x29, C_DISK | C_48, cmd_read_multiple}, /* READ MULTIPLE EXT */
    {0x30, C_DISK, cmd_write_pio},           /* WRITE SECTORS */
    {0x31, C_DISK, cmd_write_pio},
    {0x34, C_DISK | C_48, cmd_write_pio},    /* WRITE SECTORS EXT */
    {0x35, C_DISK | C_48, cmd_write_dma},    /* WRITE DMA EXT */
    {0x39, C_DISK | C_48, cmd_write_multiple}, /* WRITE MULTIPLE EXT */
    {0x40, C_DISK, cmd_verify},              /* READ VERIFY SECTORS */
    {0x41, C_DISK, cmd_verify},
    {0x42, C_DISK | C_48, cmd_verify},       /* READ VERIFY SECTORS EXT */
    {0x70, C_DISK, cmd_nop_ok},              /* SEEK */
    {0x91, C_DISK, cmd_init_params},         /* INITIALIZE DEVICE PARAMETERS */
    {0xa0, C_CD, atapi_packet},              /* PACKET */
    {0xa1, C_CD, atapi_identify},            /* IDENTIFY PACKET DEVICE */
    {0xc4, C_DISK, cmd_read_multiple},       /* READ MULTIPLE */
    {0xc5, C_DISK, cmd_write_multiple},      /* WRITE MULTIPLE */
    {0xc6, C_DISK, cmd_set_multiple},        /* SET MULTIPLE MODE */
    {0xc8, C_DISK, cmd_read_dma},            /* READ DMA */
    {0xc9, C_DISK, cmd_read_dma},
    {0xca, C_DISK, cmd_write_dma},           /* WRITE DMA */
    {0xcb, C_DISK, cmd_write_dma},
    {0xe0, C_DISK | C_CD, cmd_standby},      /* STANDBY IMMEDIATE */
    {0xe1, C_DISK | C_CD, cmd_idle},         /* IDLE IMMEDIATE */
    {0xe2, C_DISK, cmd_standby},             /* STANDBY */
    {0xe3, C_DISK, cmd_idle},                /* IDLE */
    {0xe5, C_DISK | C_CD, cmd_check_power},  /* CHECK POWER MODE */
    {0xe6, C_DISK | C_CD, cmd_standby},      /* SLEEP (woken by any command here) */
    {0xe7, C_DISK | C_CD, cmd_flush},        /* FLUSH CACHE */
    {0xea, C_DISK | C_48, cmd_flush},        /* FLUSH CACHE EXT */
    {0xec, C_DISK | C_SIG, cmd_identify},    /* IDENTIFY DEVICE */
    {0xef, C_DISK | C_CD, cmd_set_features}, /* SET FEATURES */
};

void ata_exec(struct ide_dev *d, uint8_t op)
{
    const struct ata_cmd *c = NULL;
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (commands[i].op == op)
            c = &commands[i];
    d->standby = d->standby && (op == 0xe5 || op == 0xe0 || op == 0xe2 || op == 0xe6);
    if (c && (c->flags & (d->kind == IDE_ATAPI ? C_CD : C_DISK))) {
        d->lba48 = c->flags & C_48;
        c->fn(d);
        return;
    }
    if (c && d->kind == IDE_ATAPI && (c->flags & C_SIG))
        ide_set_signature(d);
    ide_cmd_error(d, ER_ABRT);
}
