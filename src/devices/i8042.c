/* Intel 8042 keyboard controller (data 0x60, status/command 0x64) with a
 * PS/2 keyboard on IRQ1 and a PS/2 mouse on IRQ12.
 *
 * The controller moves one byte at a time into its output buffer: its own
 * responses first, then the keyboard's queue (translated from set 2 to
 * set 1 when the command byte's XLAT bit is set), then the mouse's. IBF
 * never shows: writes are processed at once. The GUI's input thread and
 * the vCPU threads meet here, so the lock guards everything.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/devices.h"
#include "vm/vm.h"
#include "vm/ss.h"

#define ST_OBF  0x01
#define ST_SYS  0x04
#define ST_A2   0x08
#define ST_INH  0x10 /* 1: keyboard not inhibited (key lock open) */
#define ST_AUXB 0x20
#define CB_KINT 0x01
#define CB_AINT 0x02
#define CB_SYS  0x04
#define CB_KDIS 0x10
#define CB_ADIS 0x20
#define CB_XLAT 0x40
#define POWER_ON_CB (CB_XLAT | CB_AINT | CB_KINT)

#define QLEN 64

struct ps2_queue {
    uint8_t buf[QLEN];
    unsigned head, count;
};

struct dev_i8042 {
    pthread_mutex_t lock;
    struct vm *vm;
    struct irq_line irq_kbd, irq_aux;
    uint8_t ram[32];       /* ram[0] is the command byte */
    uint8_t status;        /* SYS and A2; OBF/AUXB come from the buffer */
    uint8_t ob;
    bool obf, ob_aux;
    uint8_t pending;       /* controller command waiting for its data byte */
    bool xlat_break;       /* an F0 prefix was swallowed by the translation */
    struct ps2_queue ctl, kq, mq;
    /* keyboard */
    uint8_t kbd_arg;       /* keyboard command waiting for its argument */
    bool kbd_scan;
    uint8_t kbd_set, kbd_leds, kbd_last;
    /* mouse */
    uint8_t aux_arg;
    bool aux_enabled, aux_remote, aux_wrap, aux_scale21;
    uint8_t aux_rate, aux_res, aux_id, aux_last;
    uint8_t knock[3];      /* the last sample rates, for the IntelliMouse ID */
    unsigned aux_buttons;
};

/* The 8042's fixed set 2 -> set 1 translation for bytes below 0x80; the
 * 0x83 (F7) and 0x84 (SysRq) codes translate too, the rest pass through. */
static const uint8_t xlat[128] = {
    0xff, 0x43, 0x41, 0x3f, 0x3d, 0x3b, 0x3c, 0x58, 0x64, 0x44, 0x42, 0x40, 0x3e, 0x0f, 0x29, 0x59,
    0x65, 0x38, 0x2a, 0x70, 0x1d, 0x10, 0x02, 0x5a, 0x66, 0x71, 0x2c, 0x1f, 0x1e, 0x11, 0x03, 0x5b,
    0x67, 0x2e, 0x2d, 0x20, 0x12, 0x05, 0x04, 0x5c, 0x68, 0x39, 0x2f, 0x21, 0x14, 0x13, 0x06, 0x5d,
    0x69, 0x31, 0x30, 0x23, 0x22, 0x15, 0x07, 0x5e, 0x6a, 0x72, 0x32, 0x24, 0x16, 0x08, 0x09, 0x5f,
    0x6b, 0x33, 0x25, 0x17, 0x18, 0x0b, 0x0a, 0x60, 0x6c, 0x34, 0x35, 0x26, 0x27, 0x19, 0x0c, 0x61,
    0x6d, 0x73, 0x28, 0x74, 0x1a, 0x0d, 0x62, 0x6e, 0x3a, 0x36, 0x1c, 0x1b, 0x75, 0x2b, 0x63, 0x76,
    0x55, 0x56, 0x77, 0x78, 0x79, 0x7a, 0x0e, 0x7b, 0x7c, 0x4f, 0x7d, 0x4b, 0x47, 0x7e, 0x7f, 0x6f,
    0x52, 0x53, 0x50, 0x4c, 0x4d, 0x48, 0x01, 0x45, 0x57, 0x4e, 0x51, 0x4a, 0x37, 0x49, 0x46, 0x54,
};

static uint8_t translate(uint8_t b)
{
    if (b < 0x80)
        return xlat[b];
    return b == 0x83 ? 0x41 : b == 0x84 ? 0x54 : b;
}

static bool q_put(struct ps2_queue *q, uint8_t b)
{
    if (q->count == QLEN)
        return false;
    q->buf[(q->head + q->count++) % QLEN] = b;
    return true;
}

static uint8_t q_get(struct ps2_queue *q)
{
    uint8_t b = q->buf[q->head];
    q->head = (q->head + 1) % QLEN;
    q->count--;
    return b;
}

static void q_clear(struct ps2_queue *q)
{
    q->head = q->count = 0;
}

static void update_irq(struct dev_i8042 *d)
{
    irq_set(&d->irq_kbd, d->obf && !d->ob_aux && (d->ram[0] & CB_KINT));
    irq_set(&d->irq_aux, d->obf && d->ob_aux && (d->ram[0] & CB_AINT));
}

/* Moves the next byte into the output buffer when it is empty. */
static void refill(struct dev_i8042 *d)
{
    while (!d->obf) {
        if (d->ctl.count) {
            d->ob_aux = q_get(&d->ctl) == 1; /* entries are (source, byte) pairs */
            d->ob = q_get(&d->ctl);
            d->obf = true;
        } else if (d->kq.count && !(d->ram[0] & CB_KDIS)) {
            uint8_t b = q_get(&d->kq);
            if (d->ram[0] & CB_XLAT) {
                if (b == 0xf0) {
                    d->xlat_break = true;
                    continue;
                }
                b = (uint8_t)(translate(b) | (d->xlat_break ? 0x80 : 0));
                d->xlat_break = false;
            }
            d->ob = b;
            d->ob_aux = false;
            d->obf = true;
        } else if (d->mq.count && !(d->ram[0] & CB_ADIS)) {
            d->ob = q_get(&d->mq);
            d->ob_aux = true;
            d->obf = true;
        } else {
            break;
        }
    }
    update_irq(d);
}

static void ctl_reply(struct dev_i8042 *d, uint8_t b, bool aux)
{
    if (d->ctl.count + 2 <= QLEN) {
        q_put(&d->ctl, aux);
        q_put(&d->ctl, b);
    }
}

static void kbd_out(struct dev_i8042 *d, uint8_t b)
{
    /* set 1 (without the controller's translation) is produced by the
     * keyboard itself; set 3 is not modelled and sends set 2 codes */
    d->kbd_last = b;
    q_put(&d->kq, b);
}

static void kbd_defaults(struct dev_i8042 *d)
{
    d->kbd_set = 2;
    d->kbd_arg = 0;
}

static void kbd_write(struct dev_i8042 *d, uint8_t b)
{
    uint8_t arg = d->kbd_arg;
    d->kbd_arg = 0;
    if (arg && b < 0xed) {
        if (arg == 0xed)
            d->kbd_leds = b & 7;
        if (arg == 0xf0 && b == 0) {
            kbd_out(d, 0xfa);
            kbd_out(d, d->kbd_set);
            return;
        }
        if (arg == 0xf0 && b <= 3)
            d->kbd_set = b;
        else if (arg == 0xf0) {
            kbd_out(d, 0xfe);
            return;
        }
        kbd_out(d, 0xfa);
        return;
    }
    switch (b) {
    case 0xff: /* reset: ACK, then the basic assurance test passes */
        q_clear(&d->kq);
        kbd_defaults(d);
        d->kbd_scan = true;
        d->kbd_leds = 0;
        kbd_out(d, 0xfa);
        kbd_out(d, 0xaa);
        break;
    case 0xfe: q_put(&d->kq, d->kbd_last); break;
    case 0xf6: case 0xf5: case 0xf4:
        q_clear(&d->kq);
        if (b != 0xf4)
            kbd_defaults(d);
        d->kbd_scan = b != 0xf5;
        kbd_out(d, 0xfa);
        break;
    case 0xf2:
        kbd_out(d, 0xfa);
        kbd_out(d, 0xab);
        kbd_out(d, 0x83);
        break;
    case 0xee: kbd_out(d, 0xee); break;
    case 0xed: case 0xf0: case 0xf3:
        d->kbd_arg = b;
        kbd_out(d, 0xfa);
        break;
    default:
        kbd_out(d, b >= 0xf7 ? 0xfa : 0xfe); /* set 3 key-type commands are accepted */
        break;
    }
}

static void aux_out(struct dev_i8042 *d, uint8_t b)
{
    d->aux_last = b;
    q_put(&d->mq, b);
}

static void aux_defaults(struct dev_i8042 *d)
{
    d->aux_rate = 100;
    d->aux_res = 2;
    d->aux_scale21 = false;
    d->aux_enabled = false;
    d->aux_arg = 0;
}

static void aux_write(struct dev_i8042 *d, uint8_t b)
{
    uint8_t arg = d->aux_arg;
    if (d->aux_wrap && b != 0xec && b != 0xff) {
        aux_out(d, b);
        return;
    }
    d->aux_arg = 0;
    if (arg == 0xf3 || arg == 0xe8) {
        if (arg == 0xf3) {
            d->aux_rate = b;
            memmove(d->knock, d->knock + 1, 2);
            d->knock[2] = b;
            if (d->knock[0] == 200 && d->knock[1] == 100 && d->knock[2] == 80)
                d->aux_id = 3; /* IntelliMouse: a wheel byte follows each packet */
        } else {
            d->aux_res = b & 3;
        }
        aux_out(d, 0xfa);
        return;
    }
    switch (b) {
    case 0xff:
        q_clear(&d->mq);
        aux_defaults(d);
        d->aux_remote = d->aux_wrap = false;
        d->aux_id = 0;
        aux_out(d, 0xfa);
        aux_out(d, 0xaa);
        aux_out(d, 0x00);
        break;
    case 0xfe: aux_out(d, d->aux_last); break;
    case 0xf6: aux_defaults(d); aux_out(d, 0xfa); break;
    case 0xf5: case 0xf4:
        d->aux_enabled = b == 0xf4;
        aux_out(d, 0xfa);
        break;
    case 0xf3: case 0xe8:
        d->aux_arg = b;
        aux_out(d, 0xfa);
        break;
    case 0xf2:
        aux_out(d, 0xfa);
        aux_out(d, d->aux_id);
        break;
    case 0xf0: case 0xea:
        d->aux_remote = b == 0xf0;
        aux_out(d, 0xfa);
        break;
    case 0xee: case 0xec:
        d->aux_wrap = b == 0xee;
        aux_out(d, 0xfa);
        break;
    case 0xeb: /* read data: one packet without motion */
        aux_out(d, 0xfa);
        aux_out(d, (uint8_t)(0x08 | (d->aux_buttons & 7)));
        aux_out(d, 0);
        aux_out(d, 0);
        if (d->aux_id == 3)
            aux_out(d, 0);
        break;
    case 0xe9: /* status: mode, enable, scaling, buttons (L bit 2, M bit 1, R bit 0) */
        aux_out(d, 0xfa);
        aux_out(d, (uint8_t)((d->aux_remote ? 0x40 : 0) | (d->aux_enabled ? 0x20 : 0) |
                             (d->aux_scale21 ? 0x10 : 0) | ((d->aux_buttons & 1) << 2) |
                             ((d->aux_buttons & 4) >> 1) | ((d->aux_buttons & 2) >> 1)));
        aux_out(d, d->aux_res);
        aux_out(d, d->aux_rate);
        break;
    case 0xe7: case 0xe6:
        d->aux_scale21 = b == 0xe7;
        aux_out(d, 0xfa);
        break;
    default: aux_out(d, 0xfe); break;
    }
}

static uint8_t output_port(struct dev_i8042 *d)
{
    return (uint8_t)(0x01 | (pgm_a20(&d->vm->pgm) ? 0x02 : 0) | (d->obf && !d->ob_aux ? 0x10 : 0) |
                     (d->obf && d->ob_aux ? 0x20 : 0) | 0xc0);
}

static void write_output_port(struct dev_i8042 *d, uint8_t v)
{
    pgm_set_a20(&d->vm->pgm, v & 2);
    if (!(v & 1))
        vm_request(d->vm, VM_FF_RESET);
}

static void controller_cmd(struct dev_i8042 *d, uint8_t c)
{
    if (c >= 0x20 && c <= 0x3f) {
        ctl_reply(d, d->ram[c & 0x1f], false);
        return;
    }
    if ((c >= 0x60 && c <= 0x7f) || c == 0xd1 || c == 0xd2 || c == 0xd3 || c == 0xd4) {
        d->pending = c;
        return;
    }
    if (c >= 0xf0) { /* pulse output port bits 0-3 low; bit 0 is the CPU reset */
        if (!(c & 1))
            vm_request(d->vm, VM_FF_RESET);
        return;
    }
    switch (c) {
    case 0xa7: d->ram[0] |= CB_ADIS; break;
    case 0xa8: d->ram[0] &= (uint8_t)~CB_ADIS; break;
    case 0xa9: case 0xab: ctl_reply(d, 0x00, false); break; /* interface tests pass */
    case 0xaa:
        d->status |= ST_SYS;
        ctl_reply(d, 0x55, false);
        break;
    case 0xad: d->ram[0] |= CB_KDIS; break;
    case 0xae: d->ram[0] &= (uint8_t)~CB_KDIS; break;
    case 0xc0: ctl_reply(d, 0x80, false); break; /* input port: key lock open */
    case 0xd0: ctl_reply(d, output_port(d), false); break;
    case 0xdd: pgm_set_a20(&d->vm->pgm, false); break;
    case 0xdf: pgm_set_a20(&d->vm->pgm, true); break;
    case 0xe0: ctl_reply(d, 0x00, false); break;
    default: break;
    }
}

static void data_write(struct dev_i8042 *d, uint8_t v)
{
    uint8_t c = d->pending;
    d->pending = 0;
    if (c >= 0x60 && c <= 0x7f) {
        d->ram[c & 0x1f] = v;
        if (c == 0x60)
            d->status = (uint8_t)((d->status & ~ST_SYS) | (v & CB_SYS));
    } else if (c == 0xd1) {
        write_output_port(d, v);
    } else if (c == 0xd2 || c == 0xd3) {
        ctl_reply(d, v, c == 0xd3);
    } else if (c == 0xd4) {
        aux_write(d, v);
    } else {
        kbd_write(d, v);
    }
}

static uint64_t kbc_read(void *opaque, uint64_t off, unsigned size)
{
    struct dev_i8042 *d = opaque;
    uint8_t v;
    (void)size;
    pthread_mutex_lock(&d->lock);
    if (off == 0) {
        v = d->ob; /* an empty buffer reads its last byte */
        d->obf = false;
        /* the line drops with OBF and rises again for the next byte: an
         * edge-triggered PIC or I/O APIC pin must see each byte */
        update_irq(d);
        refill(d);
    } else {
        v = (uint8_t)(d->status | ST_INH | (d->obf ? ST_OBF : 0) | (d->obf && d->ob_aux ? ST_AUXB : 0));
    }
    pthread_mutex_unlock(&d->lock);
    return v;
}

static void kbc_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct dev_i8042 *d = opaque;
    (void)size;
    pthread_mutex_lock(&d->lock);
    if (off == 0) {
        d->status &= (uint8_t)~ST_A2;
        data_write(d, (uint8_t)val);
    } else {
        d->status |= ST_A2;
        d->pending = 0;
        controller_cmd(d, (uint8_t)val);
    }
    refill(d);
    pthread_mutex_unlock(&d->lock);
}

/* Port 0x60 and port 0x64 are two ranges: 0x61 (the PIT's) lies between. */
static uint64_t data_read(void *o, uint64_t off, unsigned size) { (void)off; return kbc_read(o, 0, size); }
static void data_wr(void *o, uint64_t off, uint64_t v, unsigned size) { (void)off; kbc_write(o, 0, v, size); }
static uint64_t cmd_read(void *o, uint64_t off, unsigned size) { (void)off; return kbc_read(o, 1, size); }
static void cmd_wr(void *o, uint64_t off, uint64_t v, unsigned size) { (void)off; kbc_write(o, 1, v, size); }
static const struct io_ops data_ops = {data_read, data_wr};
static const struct io_ops cmd_ops = {cmd_read, cmd_wr};

void i8042_key_event(struct dev_i8042 *d, const uint8_t *bytes, size_t n)
{
    pthread_mutex_lock(&d->lock);
    if (d->kbd_scan && d->kq.count + n <= QLEN) {
        bool brk = false;
        for (size_t i = 0; i < n; i++) {
            if (d->kbd_set != 1) {
                kbd_out(d, bytes[i]);
            } else if (bytes[i] == 0xf0) {
                brk = true;
            } else { /* the keyboard itself speaks set 1 */
                kbd_out(d, (uint8_t)(translate(bytes[i]) | (brk ? 0x80 : 0)));
                brk = false;
            }
        }
    }
    refill(d);
    pthread_mutex_unlock(&d->lock);
}

void i8042_mouse_event(struct dev_i8042 *d, int dx, int dy, unsigned buttons)
{
    pthread_mutex_lock(&d->lock);
    d->aux_buttons = buttons & 7;
    if (d->aux_enabled && !d->aux_remote && d->mq.count + 4 <= QLEN) {
        dx = dx < -255 ? -255 : dx > 255 ? 255 : dx;
        dy = dy < -255 ? -255 : dy > 255 ? 255 : dy;
        aux_out(d, (uint8_t)(0x08 | (buttons & 7) | (dx < 0 ? 0x10 : 0) | (dy < 0 ? 0x20 : 0)));
        aux_out(d, (uint8_t)dx);
        aux_out(d, (uint8_t)dy);
        if (d->aux_id == 3)
            aux_out(d, 0);
    }
    refill(d);
    pthread_mutex_unlock(&d->lock);
}

static void kbc_reset(void *opaque)
{
    struct dev_i8042 *d = opaque;
    pthread_mutex_lock(&d->lock);
    memset(d->ram, 0, sizeof(d->ram));
    d->ram[0] = POWER_ON_CB;
    d->status = 0;
    d->obf = d->ob_aux = d->xlat_break = false;
    d->ob = 0;
    d->pending = 0;
    q_clear(&d->ctl);
    q_clear(&d->kq);
    q_clear(&d->mq);
    kbd_defaults(d);
    d->kbd_scan = true;
    d->kbd_leds = 0;
    aux_defaults(d);
    d->aux_remote = d->aux_wrap = false;
    d->aux_id = 0;
    memset(d->knock, 0, sizeof(d->knock));
    update_irq(d);
    pthread_mutex_unlock(&d->lock);
}

static void kbc_destroy(void *opaque)
{
    struct dev_i8042 *d = opaque;
    pthread_mutex_destroy(&d->lock);
    free(d);
}

static const struct ss_field queue_fields[] = {
    SS_FIELD(struct ps2_queue, buf, U8), SS_FIELD_MAX(struct ps2_queue, head, U32, QLEN - 1),
    SS_FIELD_MAX(struct ps2_queue, count, U32, QLEN), SS_END,
};
#define F(m, t) SS_FIELD(struct dev_i8042, m, t)
static const struct ss_field i8042_fields[] = {
    F(ram, U8), F(status, U8), F(ob, U8), F(obf, BOOL), F(ob_aux, BOOL), F(pending, U8), F(xlat_break, BOOL),
    SS_STRUCT_FIELD(struct dev_i8042, ctl, struct ps2_queue, queue_fields),
    SS_STRUCT_FIELD(struct dev_i8042, kq, struct ps2_queue, queue_fields),
    SS_STRUCT_FIELD(struct dev_i8042, mq, struct ps2_queue, queue_fields),
    F(kbd_arg, U8), F(kbd_scan, BOOL), F(kbd_set, U8), F(kbd_leds, U8), F(kbd_last, U8), F(aux_arg, U8),
    F(aux_enabled, BOOL), F(aux_remote, BOOL), F(aux_wrap, BOOL), F(aux_scale21, BOOL), F(aux_rate, U8),
    F(aux_res, U8), F(aux_id, U8), F(aux_last, U8), F(knock, U8), F(aux_buttons, U32), SS_END,
};
#undef F
static const struct ss_desc i8042_ss = {1, i8042_fields, NULL, NULL};

int dev_i8042_create(struct vm *vm, struct irq_line kbd, struct irq_line aux, struct dev_i8042 **out)
{
    struct dev_i8042 *d = calloc(1, sizeof(*d));
    if (!d)
        return -ENOMEM;
    pthread_mutex_init(&d->lock, NULL);
    d->vm = vm;
    d->irq_kbd = kbd;
    d->irq_aux = aux;
    kbc_reset(d);
    if (bus_pio_register(&vm->bus, 0x60, 1, &data_ops, d, "i8042-data") < 0 ||
        bus_pio_register(&vm->bus, 0x64, 1, &cmd_ops, d, "i8042-cmd") < 0 ||
        bus_add_device(&vm->bus, "i8042", d, kbc_reset, kbc_destroy) < 0 ||
        bus_describe(&vm->bus, d, &i8042_ss) < 0) {
        kbc_destroy(d);
        return -EBUSY;
    }
    *out = d;
    return 0;
}
