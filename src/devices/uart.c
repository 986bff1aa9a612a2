/* 16550A UART. Transmission is instant (THR is always empty by the time the
 * guest looks), reception comes from the chardev ring, which stands in for
 * the receive FIFO. The lock guards against the input thread. */
#include <stdlib.h>
#include <string.h>

#include "devices/devices.h"
#include "vm/vm.h"
#include "vm/ss.h"

#define LSR_DR   0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define IER_RDA  0x01
#define IER_THRE 0x02
#define IER_RLS  0x04
#define IER_MS   0x08
#define LCR_DLAB 0x80
#define MCR_LOOP 0x10

struct uart {
    pthread_mutex_t lock;
    struct chardev *chr;
    struct irq_line irq;
    uint8_t ier, lcr, mcr, scr, fcr, dll, dlm, lsr_err;
    bool thre_pending; /* THRE interrupt armed until IIR read or THR write */
    int loop_byte;     /* loopback receive register, -1 when empty */
};

static bool rx_ready(struct uart *u)
{
    return (u->mcr & MCR_LOOP) ? u->loop_byte >= 0 : chardev_can_read(u->chr);
}

static uint8_t iir(struct uart *u)
{
    uint8_t fifo = (u->fcr & 1) ? 0xc0 : 0;
    if ((u->ier & IER_RLS) && u->lsr_err)
        return fifo | 0x06;
    if ((u->ier & IER_RDA) && rx_ready(u))
        return fifo | 0x04;
    if ((u->ier & IER_THRE) && u->thre_pending)
        return fifo | 0x02;
    if ((u->ier & IER_MS) && (u->mcr & MCR_LOOP))
        return fifo | 0x00 | 0x01; /* no modem status changes are generated */
    return fifo | 0x01;
}

static void update_irq(struct uart *u)
{
    /* OUT2 gates the interrupt line on PC hardware */
    irq_set(&u->irq, !(iir(u) & 1) && (u->mcr & 0x08));
}

static uint64_t uart_read(void *opaque, uint64_t off, unsigned size)
{
    struct uart *u = opaque;
    uint64_t v = 0;
    (void)size;
    pthread_mutex_lock(&u->lock);
    switch (off) {
    case 0:
        if (u->lcr & LCR_DLAB) {
            v = u->dll;
        } else if (u->mcr & MCR_LOOP) {
            v = u->loop_byte < 0 ? 0 : (uint64_t)u->loop_byte;
            u->loop_byte = -1;
        } else {
            int ch = chardev_getc(u->chr);
            v = ch < 0 ? 0 : (uint64_t)ch;
        }
        break;
    case 1: v = (u->lcr & LCR_DLAB) ? u->dlm : u->ier; break;
    case 2:
        v = iir(u);
        if ((v & 0x0f) == 0x02)
            u->thre_pending = false;
        break;
    case 3: v = u->lcr; break;
    case 4: v = u->mcr; break;
    case 5:
        v = LSR_THRE | LSR_TEMT | (rx_ready(u) ? LSR_DR : 0) | u->lsr_err;
        u->lsr_err = 0;
        break;
    case 6:
        if (u->mcr & MCR_LOOP) /* loopback: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD */
            v = ((u->mcr & 1) << 5) | ((u->mcr & 2) << 3) | ((u->mcr & 4) << 4) | ((u->mcr & 8) << 4);
        else
            v = 0xb0; /* DCD, DSR, CTS: a terminal is attached */
        break;
    case 7: v = u->scr; break;
    }
    update_irq(u);
    pthread_mutex_unlock(&u->lock);
    return v;
}

static void uart_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct uart *u = opaque;
    uint8_t b = (uint8_t)val;
    (void)size;
    pthread_mutex_lock(&u->lock);
    switch (off) {
    case 0:
        if (u->lcr & LCR_DLAB) {
            u->dll = b;
        } else {
            if (u->mcr & MCR_LOOP)
                u->loop_byte = b;
            else
                chardev_write(u->chr, &b, 1);
            u->thre_pending = true;
        }
        break;
    case 1:
        if (u->lcr & LCR_DLAB) {
            u->dlm = b;
        } else {
            /* enabling THRE with an empty THR raises it at once */
            if ((b & IER_THRE) && !(u->ier & IER_THRE))
                u->thre_pending = true;
            u->ier = b & 0x0f;
        }
        break;
    case 2:
        u->fcr = b & 0xc9;
        if (b & 2) { /* clear the receive FIFO */
            while (chardev_getc(u->chr) >= 0)
                ;
            u->loop_byte = -1;
        }
        break;
    case 3: u->lcr = b; break;
    case 4: u->mcr = b & 0x1f; break;
    case 7: u->scr = b; break;
    }
    update_irq(u);
    pthread_mutex_unlock(&u->lock);
}

static const struct io_ops uart_ops = {uart_read, uart_write};

static void uart_notify(void *opaque)
{
    struct uart *u = opaque;
    pthread_mutex_lock(&u->lock);
    update_irq(u);
    pthread_mutex_unlock(&u->lock);
}

static void uart_reset(void *opaque)
{
    struct uart *u = opaque;
    pthread_mutex_lock(&u->lock);
    u->ier = u->lcr = u->mcr = u->scr = u->fcr = u->lsr_err = 0;
    u->dll = 12; /* 9600 baud */
    u->dlm = 0;
    u->thre_pending = false;
    u->loop_byte = -1;
    update_irq(u);
    pthread_mutex_unlock(&u->lock);
}

static void uart_destroy(void *opaque)
{
    struct uart *u = opaque;
    pthread_mutex_destroy(&u->lock);
    free(u);
}

#define F(m, t) SS_FIELD(struct uart, m, t)
static const struct ss_field uart_fields[] = {
    F(ier, U8), F(lcr, U8), F(mcr, U8), F(scr, U8), F(fcr, U8), F(dll, U8), F(dlm, U8), F(lsr_err, U8),
    F(thre_pending, BOOL), F(loop_byte, I32), SS_END,
};
#undef F
/* The receive side is the backend's ring (host input), not the UART's. */
static const struct ss_desc uart_ss = {1, uart_fields, NULL, NULL};

int dev_uart_create(struct vm *vm, uint16_t base, struct irq_line irq, struct chardev *chr)
{
    struct uart *u = calloc(1, sizeof(*u));
    if (!u)
        return -1;
    pthread_mutex_init(&u->lock, NULL);
    u->chr = chr;
    u->irq = irq;
    uart_reset(u);
    if (bus_pio_register(&vm->bus, base, 8, &uart_ops, u, "uart") < 0 ||
        bus_add_device(&vm->bus, "uart", u, uart_reset, uart_destroy) < 0 ||
        bus_describe(&vm->bus, u, &uart_ss) < 0) {
        uart_destroy(u);
        return -1;
    }
    return chardev_start_input(chr, uart_notify, u);
}
