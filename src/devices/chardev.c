/* Character backends for serial ports and debug consoles. Input from the
 * terminal is read by a thread into a ring so no vCPU waits on the host. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/devices.h"
#include "vm/outfile.h"

int chardev_open(const char *spec, struct chardev **out)
{
    struct chardev *c = calloc(1, sizeof(*c));
    if (!c)
        return -1;
    c->out_fd = -1;
    c->in_fd = -1;
    pthread_mutex_init(&c->lock, NULL);
    pthread_mutex_init(&c->mux_lock, NULL);
    if (!strcmp(spec, "stdio") || !strcmp(spec, "mon:stdio")) {
        c->out_fd = STDOUT_FILENO;
        c->in_fd = STDIN_FILENO;
        c->is_tty = isatty(STDIN_FILENO);
    } else if (!strncmp(spec, "file:", 5)) {
        int rc;
        c->log = malloc(sizeof(*c->log));
        if (!c->log)
            goto fail;
        if ((rc = outfile_open_log(c->log, spec + 5)) < 0) {
            errno = -rc;
            goto fail;
        }
        c->out_fd = c->log->fd;
    } else if (strcmp(spec, "null") && strcmp(spec, "vc") && strcmp(spec, "none")) {
        errno = EINVAL;
        goto fail;
    }
    *out = c;
    return 0;
fail:
    pthread_mutex_destroy(&c->lock);
    pthread_mutex_destroy(&c->mux_lock);
    free(c->log);
    free(c);
    return -1;
}

void chardev_close(struct chardev *c)
{
    if (!c)
        return;
    if (c->reader_running) {
        __atomic_store_n(&c->stop, true, __ATOMIC_SEQ_CST);
        pthread_join(c->reader, NULL);
    }
    if (c->raw)
        tcsetattr(c->in_fd, TCSANOW, &c->saved);
    if (c->log) {
        outfile_close(c->log, 0);
        free(c->log);
    }
    pthread_mutex_destroy(&c->lock);
    pthread_mutex_destroy(&c->mux_lock);
    free(c);
}

void chardev_write(struct chardev *c, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    if (c->log) {
        outfile_write(c->log, buf, len); /* an error is kept and reported at exit */
        return;
    }
    while (c->out_fd >= 0 && len) {
        ssize_t n = write(c->out_fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return; /* a closed terminal drops output, as a disconnected line would */
        p += n, len -= (size_t)n;
    }
}

int chardev_getc(struct chardev *c)
{
    int ch = -1;
    pthread_mutex_lock(&c->lock);
    if (c->head != c->tail) {
        ch = c->ring[c->tail];
        c->tail = (c->tail + 1) % CHR_RING;
    }
    pthread_mutex_unlock(&c->lock);
    return ch;
}

bool chardev_can_read(struct chardev *c)
{
    bool r;
    pthread_mutex_lock(&c->lock);
    r = c->head != c->tail;
    pthread_mutex_unlock(&c->lock);
    return r;
}

void chardev_set_quit(struct chardev *c, void (*quit)(void *), void *opaque)
{
    c->quit = quit;
    c->quit_opaque = opaque;
}

static void push_byte(struct chardev *c, uint8_t b)
{
    unsigned next = (c->head + 1) % CHR_RING;
    if (next == c->tail)
        return; /* full: drop, as an overrun would */
    c->ring[c->head] = b;
    c->head = next;
}

/* Ctrl-A escapes, as QEMU's terminal multiplexer spells them. */
static void escape_key(struct chardev *c, uint8_t b)
{
    static const char help[] = "\r\nC-a h    print this help\r\n"
                               "C-a x    exit pcvm\r\n"
                               "C-a c    switch between console and monitor\r\n"
                               "C-a C-a  sends C-a\r\n";
    switch (b) {
    case 'x':
    case 'X':
        chardev_write(c, "\r\npcvm: terminated\r\n", 20);
        if (c->quit)
            c->quit(c->quit_opaque);
        break;
    case 'c':
    case 'C':
        pthread_mutex_lock(&c->mux_lock);
        if (c->mux_input) {
            bool mon = !atomic_load(&c->to_mux);
            atomic_store(&c->to_mux, mon);
            if (mon)
                c->mux_input(c->mux_opaque, 0, true);
            else
                chardev_write(c, "\r\n", 2);
        }
        pthread_mutex_unlock(&c->mux_lock);
        break;
    case 'h':
    case 'H':
    case '?':
        chardev_write(c, help, sizeof(help) - 1);
        break;
    case 0x01:
        pthread_mutex_lock(&c->lock);
        push_byte(c, b);
        pthread_mutex_unlock(&c->lock);
        break;
    default:
        break;
    }
}

static void *reader_main(void *arg)
{
    struct chardev *c = arg;
    uint8_t buf[256];

    while (!__atomic_load_n(&c->stop, __ATOMIC_SEQ_CST)) {
        struct pollfd p = {.fd = c->in_fd, .events = POLLIN};
        int r = poll(&p, 1, 100);
        if (r <= 0)
            continue;
        ssize_t n = read(c->in_fd, buf, sizeof(buf));
        if (n <= 0)
            break; /* end of input */
        for (ssize_t i = 0; i < n; i++) {
            if (c->escape) {
                c->escape = false;
                escape_key(c, buf[i]);
            } else if ((c->is_tty || c->mux_escapes) && buf[i] == 0x01) {
                c->escape = true;
            } else if (atomic_load(&c->to_mux)) {
                pthread_mutex_lock(&c->mux_lock);
                if (c->mux_input)
                    c->mux_input(c->mux_opaque, buf[i], false);
                pthread_mutex_unlock(&c->mux_lock);
            } else {
                pthread_mutex_lock(&c->lock);
                push_byte(c, buf[i]);
                pthread_mutex_unlock(&c->lock);
            }
        }
        if (c->notify)
            c->notify(c->notify_opaque);
    }
    return NULL;
}

void chardev_set_mux(struct chardev *c, void (*input)(void *, uint8_t, bool), void *opaque, bool escapes,
                     bool monitor_first)
{
    pthread_mutex_lock(&c->mux_lock);
    c->mux_opaque = opaque;
    c->mux_escapes = escapes;
    atomic_store(&c->to_mux, monitor_first);
    c->mux_input = input;
    pthread_mutex_unlock(&c->mux_lock);
}

int chardev_start_input(struct chardev *c, void (*notify)(void *), void *opaque)
{
    c->notify = notify;
    c->notify_opaque = opaque;
    if (c->in_fd < 0 || c->reader_running)
        return 0;
    if (c->is_tty && tcgetattr(c->in_fd, &c->saved) == 0) {
        /* raw input, but keep output processing (\n -> \r\n) as QEMU does */
        struct termios t = c->saved;
        t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
        t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
        t.c_cflag = (t.c_cflag & ~(tcflag_t)(CSIZE | PARENB)) | CS8;
        t.c_cc[VMIN] = 1;
        t.c_cc[VTIME] = 0;
        c->raw = tcsetattr(c->in_fd, TCSANOW, &t) == 0;
    }
    if (pthread_create(&c->reader, NULL, reader_main, c) != 0)
        return -1;
    c->reader_running = true;
    return 0;
}
