/* The ATAPI CD/DVD-ROM: PACKET protocol and the MMC commands a firmware
 * or an OS driver needs to find a disc and read it (2048-byte sectors, one
 * data track).
 *
 * Protocol (ATA/ATAPI-6 PACKET): the host writes 12 command bytes while
 * the interrupt reason says command-out; data then moves in DRQ chunks of
 * at most the byte count limit the host put in the cylinder registers,
 * the chunk size reported back in the same registers, one interrupt per
 * chunk; the status phase ends with interrupt reason I/O|C/D. With feature
 * bit 0 the data goes through the bus master instead.
 *
 * Sense: a failing command leaves sense data that REQUEST SENSE returns
 * (and clears); a new disc leaves a UNIT ATTENTION that the next command
 * other than INQUIRY, REQUEST SENSE, GET CONFIGURATION or GET EVENT STATUS
 * NOTIFICATION fails with, once. */
#include <errno.h>
#include <string.h>

#include "devices/ide_priv.h"

#define SK_NOT_READY 0x02
#define SK_MEDIUM_ERROR 0x03
#define SK_ILLEGAL_REQUEST 0x05
#define SK_UNIT_ATTENTION 0x06
#define ASC_INVALID_OPCODE 0x20
#define ASC_LBA_OUT_OF_RANGE 0x21
#define ASC_INVALID_FIELD 0x24
#define ASC_MEDIUM_CHANGED 0x28
#define ASC_SAVING_NOT_SUPPORTED 0x39
#define ASC_NO_MEDIUM 0x3a
#define ASC_REMOVAL_PREVENTED 0x53
#define CD_MAX_SECTORS (80u * 60 * 75) /* larger images are DVDs */

#define S_MEDIUM 0x01 /* needs a disc */
#define S_UA_OK 0x02  /* runs with a unit attention pending, and keeps it */

struct scsi_cmd {
    uint8_t op, flags;
    void (*fn)(struct ide_dev *d);
};

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v); }

void atapi_reset(struct ide_dev *d)
{
    d->sense_key = d->asc = d->ascq = 0;
    d->unit_attention = false;
    d->locked = false;
    d->tray_open = false;
    d->media_event = 0;
}

/* ---- completion ------------------------------------------------------------- */

static void status_phase(struct ide_dev *d, uint8_t status, uint8_t error)
{
    d->nsector = IR_IO | IR_COD;
    d->status = status;
    d->error = error;
    d->end_xfer = NULL;
    d->dma_pending = false;
    ide_raise_irq(d);
}

static void complete_ok(struct ide_dev *d)
{
    d->sense_key = d->asc = d->ascq = 0;
    status_phase(d, ST_DRDY | ST_DSC, 0);
}

static void check_condition(struct ide_dev *d, uint8_t key, uint8_t asc, uint8_t ascq)
{
    d->sense_key = key;
    d->asc = asc;
    d->ascq = ascq;
    status_phase(d, ST_DRDY | ST_DSC | ST_ERR, (uint8_t)(key << 4 | (key == SK_ILLEGAL_REQUEST ? ER_ABRT : 0)));
}

/* ---- data in ---------------------------------------------------------------- */

/* Loads the next sectors of a READ into buf; false after a check condition. */
static bool refill(struct ide_dev *d)
{
    uint32_t n = d->cd_left < IDE_BUF_SIZE / CD_SECTOR ? d->cd_left : IDE_BUF_SIZE / CD_SECTOR;
    if (!d->blk || block_read(d->blk, d->cd_lba * CD_SECTOR, d->buf, n * CD_SECTOR) < 0) {
        check_condition(d, d->blk ? SK_MEDIUM_ERROR : SK_NOT_READY, d->blk ? 0x11 : ASC_NO_MEDIUM, 0);
        return false;
    }
    d->cd_lba += n;
    d->cd_left -= n;
    d->buf_len = n * CD_SECTOR;
    d->buf_off = 0;
    return true;
}

static void pio_next(struct ide_dev *d);

static void pio_chunk_done(struct ide_dev *d)
{
    d->xfer_left -= d->end - d->buf_off;
    d->buf_off = d->end;
    pio_next(d);
}

static void pio_next(struct ide_dev *d)
{
    if (!d->xfer_left) {
        complete_ok(d);
        return;
    }
    if (d->buf_off == d->buf_len && !refill(d))
        return;
    uint64_t n = d->buf_len - d->buf_off;
    if (n > d->xfer_left)
        n = d->xfer_left;
    if (n > d->byte_limit)
        n = d->byte_limit;
    d->lcyl = (uint8_t)n;
    d->hcyl = (uint8_t)(n >> 8);
    d->nsector = IR_IO;
    ide_pio_start(d, d->buf_off, (uint32_t)n, false, pio_chunk_done);
    ide_raise_irq(d);
}

static int dma_in(struct ide_dev *d)
{
    while (d->xfer_left) {
        if (d->buf_off == d->buf_len && !refill(d))
            return -EIO;
        uint64_t n = d->buf_len - d->buf_off;
        if (n > d->xfer_left)
            n = d->xfer_left;
        if (ide_dma_copy(d, d->buf + d->buf_off, (uint32_t)n) < n) {
            check_condition(d, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
            return -ENOSPC;
        }
        d->buf_off += (uint32_t)n;
        d->xfer_left -= n;
    }
    complete_ok(d);
    return 0;
}

static void data_in(struct ide_dev *d)
{
    if (!d->xfer_left)
        complete_ok(d);
    else if (d->packet_dma)
        ide_dma_start(d, true, dma_in);
    else
        pio_next(d);
}

/* Hands the first len bytes of buf (at most alloc) to the host. */
static void reply(struct ide_dev *d, uint32_t len, uint32_t alloc)
{
    d->cd_left = 0;
    d->buf_off = 0;
    d->buf_len = d->xfer_left = len < alloc ? len : alloc;
    data_in(d);
}

/* ---- commands ----------------------------------------------------------------- */

static void scsi_ok(struct ide_dev *d)
{
    complete_ok(d);
}

static void scsi_request_sense(struct ide_dev *d)
{
    uint8_t *b = d->buf;
    memset(b, 0, 18);
    if (d->unit_attention) {
        d->unit_attention = false;
        d->sense_key = SK_UNIT_ATTENTION;
        d->asc = ASC_MEDIUM_CHANGED;
        d->ascq = 0;
    }
    b[0] = 0x70; /* current error, fixed format */
    b[2] = d->sense_key;
    b[7] = 10;
    b[12] = d->asc;
    b[13] = d->ascq;
    reply(d, 18, d->packet[4]);
}

static void scsi_inquiry(struct ide_dev *d)
{
    uint8_t *b = d->buf;
    if (d->packet[1] & 1) { /* no vital product data pages */
        check_condition(d, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
        return;
    }
    memset(b, 0, 36);
    b[0] = 0x05; /* CD/DVD device */
    b[1] = 0x80; /* removable */
    b[2] = 0x00;
    b[3] = 0x21; /* ATAPI, response data format 1 */
    b[4] = 31;
    memcpy(b + 8, "PCVM    ", 8);
    memcpy(b + 16, "PCVM DVD-ROM    ", 16);
    memcpy(b + 32, "1.0 ", 4);
    reply(d, 36, be16(d->packet + 3));
}

static void scsi_read_capacity(struct ide_dev *d)
{
    put32(d->buf, (uint32_t)(d->nsectors - 1));
    put32(d->buf + 4, CD_SECTOR);
    reply(d, 8, 8);
}

static void start_read(struct ide_dev *d, uint32_t lba, uint32_t n)
{
    if (lba >= d->nsectors || n > d->nsectors - lba) {
        check_condition(d, SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE, 0);
        return;
    }
    d->cd_lba = lba;
    d->cd_left = n;
    d->buf_len = d->buf_off = 0;
    d->xfer_left = (uint64_t)n * CD_SECTOR;
    data_in(d);
}

static void scsi_read10(struct ide_dev *d)
{
    start_read(d, be32(d->packet + 2), be16(d->packet + 7));
}

static void scsi_read12(struct ide_dev *d)
{
    start_read(d, be32(d->packet + 2), be32(d->packet + 6));
}

static void put_addr(uint8_t *p, uint32_t lba, bool msf)
{
    if (!msf) {
        put32(p, lba);
        return;
    }
    lba += 150; /* the 2-second pregap */
    p[0] = 0;
    p[1] = (uint8_t)(lba / (75 * 60));
    p[2] = (uint8_t)(lba / 75 % 60);
    p[3] = (uint8_t)(lba % 75);
}

/* Full TOC descriptor (format 2): session 1, ADR 1, data track control. */
static unsigned raw_toc_entry(uint8_t *p, uint8_t point, uint8_t pm, uint8_t ps, uint8_t pf)
{
    memset(p, 0, 11);
    p[0] = 1;
    p[1] = 0x14;
    p[3] = point;
    p[8] = pm;
    p[9] = ps;
    p[10] = pf;
    return 11;
}

static void scsi_read_toc(struct ide_dev *d)
{
    const uint8_t *p = d->packet;
    uint8_t *b = d->buf;
    bool msf = p[1] & 2;
    unsigned fmt = (p[2] & 0x0f) ? (p[2] & 0x0f) : p[9] >> 6, start = p[6], o = 4;
    uint8_t lo[4];

    memset(b, 0, 64);
    switch (fmt) {
    case 0: /* TOC: track 1 and the lead-out */
        if (start > 1 && start != 0xaa) {
            check_condition(d, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
            return;
        }
        if (start <= 1) {
            b[o + 1] = 0x14;
            b[o + 2] = 1;
            put_addr(b + o + 4, 0, msf);
            o += 8;
        }
        b[o + 1] = 0x14;
        b[o + 2] = 0xaa;
        put_addr(b + o + 4, (uint32_t)d->nsectors, msf);
        o += 8;
        break;
    case 1: /* session information: one session starting at track 1 */
        b[5] = 0x14;
        b[6] = 1;
        put_addr(b + 8, 0, msf);
        o = 12;
        break;
    case 2: /* full TOC, always in MSF */
        put_addr(lo, (uint32_t)d->nsectors, true);
        o += raw_toc_entry(b + o, 0xa0, 1, 0x00, 0);   /* first track 1, CD-ROM disc */
        o += raw_toc_entry(b + o, 0xa1, 1, 0, 0);      /* last track 1 */
        o += raw_toc_entry(b + o, 0xa2, lo[1], lo[2], lo[3]); /* lead-out */
        o += raw_toc_entry(b + o, 1, 0, 2, 0);         /* track 1 at 00:02:00 */
        break;
    default:
        check_condition(d, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
        return;
    }
    put16(b, o - 2);
    b[2] = 1;
    b[3] = 1;
    reply(d, o, be16(p + 7));
}

static void scsi_mode_sense10(struct ide_dev *d)
{
    const uint8_t *p = d->packet;
    uint8_t *b = d->buf;
    unsigned page = p[2] & 0x3f, pc = p[2] >> 6, o = 8;

    if (pc == 3) {
        check_condition(d, SK_ILLEGAL_REQUEST, ASC_SAVING_NOT_SUPPORTED, 0);
        return;
    }
    if (page != 0x01 && page != 0x2a && page != 0x3f) {
        check_condition(d, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
        return;
    }
    memset(b, 0, 64);
    b[2] = d->blk ? 0x00 : 0x70; /* medium type: door closed, no disc */
    if (page == 0x01 || page == 0x3f) { /* read error recovery */
        b[o] = 0x01;
        b[o + 1] = 6;
        b[o + 3] = pc == 1 ? 0 : 5; /* read retry count (changeable: none) */
        o += 8;
    }
    if (page == 0x2a || page == 0x3f) { /* CD/DVD capabilities and mechanical status */
        uint8_t *q = b + o;
        q[0] = 0x2a;
        q[1] = 0x14;
        if (pc != 1) {
            q[2] = 0x3b; /* reads CD-R, CD-RW, method 2, DVD-ROM, DVD-R */
            q[4] = 0x71; /* audio play, mode 2 form 1 and 2, multisession */
            q[5] = 0x7f;
            q[6] = (uint8_t)(0x29 | (d->locked ? 0x02 : 0)); /* tray, eject, lock (state) */
            put16(q + 8, 706);  /* maximum speed, kB/s */
            put16(q + 10, 256); /* volume levels */
            put16(q + 12, 512); /* buffer, KiB */
            put16(q + 14, 706); /* current speed */
        }
        o += 22;
    }
    put16(b, o - 2);
    reply(d, o, be16(p + 7));
}

static unsigned feature(uint8_t *p, uint16_t code, uint8_t flags, uint8_t len)
{
    put16(p, code);
    p[2] = flags;
    p[3] = len;
    return 4u + len;
}

static void scsi_get_configuration(struct ide_dev *d)
{
    const uint8_t *p = d->packet;
    unsigned rt = p[1] & 3, start = be16(p + 2), o = 8;
    uint16_t profile = !d->blk ? 0 : d->nsectors > CD_MAX_SECTORS ? 0x0010 : 0x0008;
    uint8_t *b = d->buf, *f;

    memset(b, 0, 128);
    put16(b + 6, profile);
    if ((rt == 2 && start == 0x0000) || (rt != 2 && start <= 0x0000)) { /* profile list */
        f = b + o;
        o += feature(f, 0x0000, 0x03, 8);
        put16(f + 4, 0x0010);
        f[6] = profile == 0x0010;
        put16(f + 8, 0x0008);
        f[10] = profile == 0x0008;
    }
    if ((rt == 2 && start == 0x0001) || (rt != 2 && start <= 0x0001)) { /* core: ATAPI */
        f = b + o;
        o += feature(f, 0x0001, 0x0b, 8);
        put32(f + 4, 2);
    }
    if ((rt == 2 && start == 0x0003) || (rt != 2 && start <= 0x0003)) { /* removable medium */
        f = b + o;
        o += feature(f, 0x0003, 0x03, 4);
        f[4] = (uint8_t)(0x29 | (d->locked ? 0x04 : 0)); /* tray, eject, lock */
    }
    put32(b, o - 4);
    reply(d, o, be16(p + 7));
}

static void scsi_get_event_status(struct ide_dev *d)
{
    const uint8_t *p = d->packet;
    uint8_t *b = d->buf;
    if (!(p[1] & 1)) { /* only polled operation */
        check_condition(d, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
        return;
    }
    memset(b, 0, 8);
    b[3] = 0x10; /* supported classes: media */
    if (!(p[4] & 0x10)) {
        put16(b, 2);
        b[2] = 0x80; /* no event available */
        reply(d, 4, be16(p + 7));
        return;
    }
    put16(b, 6);
    b[2] = 0x04;
    b[4] = d->media_event;
    b[5] = (uint8_t)((d->blk ? 0x02 : 0) | (d->tray_open ? 0x01 : 0));
    d->media_event = 0;
    reply(d, 8, be16(p + 7));
}

static void scsi_start_stop(struct ide_dev *d)
{
    bool loej = d->packet[4] & 2, start = d->packet[4] & 1;
    if (loej && !start) {
        if (d->locked) {
            check_condition(d, SK_ILLEGAL_REQUEST, ASC_REMOVAL_PREVENTED, 0x02);
            return;
        }
        block_close(d->blk);
        d->blk = NULL;
        d->nsectors = 0;
        d->tray_open = true;
        d->media_event = 3;
    } else if (loej) {
        d->tray_open = false;
    }
    complete_ok(d);
}

static void scsi_prevent_allow(struct ide_dev *d)
{
    d->locked = d->packet[4] & 1;
    complete_ok(d);
}

static const struct scsi_cmd scsi_commands[] = {
    {0x00, S_MEDIUM, scsi_ok},                /* TEST UNIT READY */
    {0x03, S_UA_OK, scsi_request_sense},      /* REQUEST SENSE */
    {0x12, S_UA_OK, scsi_inquiry},            /* INQUIRY */
    {0x1b, 0, scsi_start_stop},               /* START STOP UNIT */
    {0x1e, 0, scsi_prevent_allow},            /* PREVENT ALLOW MEDIUM REMOVAL */
    {0x25, S_MEDIUM, scsi_read_capacity},     /* READ CAPACITY */
    {0x28, S_MEDIUM, scsi_read10},            /* READ(10) */
    {0x2b, S_MEDIUM, scsi_ok},                /* SEEK(10) */
    {0x43, S_MEDIUM, scsi_read_toc},          /* READ TOC/PMA/ATIP */
    {0x46, S_UA_OK, scsi_get_configuration},  /* GET CONFIGURATION */
    {0x4a, S_UA_OK, scsi_get_event_status},   /* GET EVENT STATUS NOTIFICATION */
    {0x5a, 0, scsi_mode_sense10},             /* MODE SENSE(10) */
    {0xa8, S_MEDIUM, scsi_read12},            /* READ(12) */
    {0xbb, 0, scsi_ok},                       /* SET CD SPEED */
};

static void packet_received(struct ide_dev *d)
{
    const struct scsi_cmd *c = NULL;
    memcpy(d->packet, d->buf, sizeof(d->packet));
    for (size_t i = 0; i < sizeof(scsi_commands) / sizeof(scsi_commands[0]); i++)
        if (scsi_commands[i].op == d->packet[0])
            c = &scsi_commands[i];
    if (!c) {
        check_condition(d, SK_ILLEGAL_REQUEST, ASC_INVALID_OPCODE, 0);
    } else if (d->unit_attention && !(c->flags & S_UA_OK)) {
        d->unit_attention = false;
        check_condition(d, SK_UNIT_ATTENTION, ASC_MEDIUM_CHANGED, 0);
    } else if ((c->flags & S_MEDIUM) && !d->blk) {
        check_condition(d, SK_NOT_READY, ASC_NO_MEDIUM, 0);
    } else {
        c->fn(d);
    }
}

void atapi_packet(struct ide_dev *d)
{
    uint32_t limit = (uint32_t)d->hcyl << 8 | d->lcyl;
    /* 0 is not a valid limit; an odd one is rounded down */
    d->byte_limit = limit == 0 || limit == 0xffff ? 0xfffe : limit & ~1u;
    if (!d->byte_limit)
        d->byte_limit = 2;
    d->packet_dma = d->feature & 1;
    d->nsector = IR_COD;
    ide_pio_start(d, 0, sizeof(d->packet), true, packet_received);
}

void atapi_identify(struct ide_dev *d)
{
    uint16_t w[256];
    uint8_t mode = d->xfer_mode;
    memset(w, 0, sizeof(w));
    w[0] = 0x85c0; /* ATAPI, CD-ROM, removable, DRQ within 50 us, 12-byte packets */
    ide_put_string(&w[10], d->serial, 10);
    ide_put_string(&w[23], "1.0", 4);
    ide_put_string(&w[27], d->model, 20);
    w[49] = 0x0f00; /* IORDY, IORDY can be disabled, LBA, DMA */
    w[53] = 0x0006; /* words 64-70 and 88 valid */
    w[63] = (uint16_t)(0x0007 | ((mode >> 3) == 4 ? 0x100 << (mode & 7) : 0));
    w[64] = 0x0003;
    w[65] = w[66] = w[67] = w[68] = 120;
    w[71] = w[72] = 30;
    w[80] = 0x007e;
    w[82] = 0x0218; /* DEVICE RESET, PACKET, power management */
    w[83] = 0x4000;
    w[84] = 0x4000;
    w[85] = 0x0218;
    w[87] = 0x4000;
    w[88] = (uint16_t)(0x003f | ((mode >> 3) == 8 ? 0x100 << (mode & 7) : 0));
    w[93] = d->unit ? 0x6100 : 0x600b;
    ide_identify_checksum(w);
    for (unsigned i = 0; i < 256; i++) {
        d->buf[2 * i] = (uint8_t)w[i];
        d->buf[2 * i + 1] = (uint8_t)(w[i] >> 8);
    }
    d->status = ST_DRDY | ST_DSC;
    ide_pio_start(d, 0, 512, false, NULL);
    ide_raise_irq(d);
}
