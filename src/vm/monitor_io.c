/* The monitor's servers: a socket (one client at a time, its own thread)
 * or the terminal, shared with a serial console there as QEMU's mux
 * shares it (Ctrl-A c switches) or alone.
 *
 * Invariant: input is taken a line at a time, at most SOCK_LINE_MAX bytes;
 * a longer line is refused whole and the connection stays up.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vm/monitor.h"
#include "vm/sockserv.h"

#define BANNER "pcvm monitor - type 'help' for more information\n"
#define PROMPT "(pcvm) "

struct monitor {
    struct vm *vm;
    struct chardev *chr; /* on the terminal */
    struct sock_lines lines;
    char line[SOCK_LINE_MAX + 1];
    int lfd, cfd, wake[2];
    pthread_t thread;
    bool thread_started;
};

/* One line's work; false after quit. */
static bool run_line(struct monitor *m, int kind, int fd)
{
    int rc = 0;
    if (kind == 2)
        dprintf(fd, "Error: line too long (at most %d bytes)\n", SOCK_LINE_MAX);
    else
        rc = monitor_exec(m->vm, m->line, fd);
    if (rc != 1)
        dprintf(fd, PROMPT);
    return rc != 1;
}

/* Terminal input, on the console's reader thread. */
static void tty_input(void *opaque, uint8_t b, bool entered)
{
    struct monitor *m = opaque;
    int fd = m->chr->out_fd;
    size_t pos = 0;
    char c = (char)(b == '\r' ? '\n' : b);
    if (entered) {
        dprintf(fd, "\n" BANNER PROMPT);
        return;
    }
    if (m->chr->is_tty) { /* raw mode: the monitor echoes and edits */
        if (b == 0x7f || b == 0x08) {
            if (m->lines.len) {
                m->lines.len--;
                dprintf(fd, "\b \b");
            }
            return;
        }
        if (write(fd, c == '\n' ? "\n" : &c, 1) < 0) {
            /* a closed terminal: the line still runs */
        }
    }
    int kind = sock_lines_next(&m->lines, &c, 1, &pos, m->line);
    if (kind)
        run_line(m, kind, fd);
}

static void serve(struct monitor *m)
{
    char buf[1024];
    dprintf(m->cfd, BANNER PROMPT);
    m->lines.len = 0;
    m->lines.overlong = false;
    for (;;) {
        struct pollfd p[2] = {{.fd = m->cfd, .events = POLLIN}, {.fd = m->wake[0], .events = POLLIN}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        if (p[1].revents)
            return;
        ssize_t n = read(m->cfd, buf, sizeof(buf));
        if (n <= 0)
            return;
        size_t pos = 0;
        int kind;
        while ((kind = sock_lines_next(&m->lines, buf, (size_t)n, &pos, m->line)))
            if (!run_line(m, kind, m->cfd))
                return;
    }
}

static void *monitor_thread(void *arg)
{
    struct monitor *m = arg;
    for (;;) {
        if (m->cfd < 0)
            m->cfd = sock_accept(m->lfd, m->wake[0]);
        if (m->cfd < 0)
            break;
        serve(m);
        close(m->cfd);
        m->cfd = -1;
    }
    return NULL;
}

/* The terminal: beside a serial console on stdio, or alone. */
static int start_stdio(struct monitor *m, char *err, size_t errlen)
{
    struct vm *vm = m->vm;
    for (unsigned i = 0; i < vm->nchardevs && !m->chr; i++)
        if (vm->chardevs[i]->in_fd == STDIN_FILENO)
            m->chr = vm->chardevs[i];
    if (m->chr) {
        chardev_set_mux(m->chr, tty_input, m, true, false);
        return 0;
    }
    if (vm_chardev(vm, "stdio", &m->chr, err, errlen) < 0)
        return -1;
    chardev_set_mux(m->chr, tty_input, m, false, true);
    if (chardev_start_input(m->chr, NULL, NULL) < 0) {
        snprintf(err, errlen, "-monitor stdio: cannot read the terminal");
        return -1;
    }
    dprintf(m->chr->out_fd, BANNER PROMPT);
    return 0;
}

int monitor_start(struct vm *vm, const char *spec, struct monitor **out, char *err, size_t errlen)
{
    struct monitor *m = calloc(1, sizeof(*m));
    struct sock_spec s;
    char e[300];
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    m->vm = vm;
    m->lfd = m->cfd = m->wake[0] = m->wake[1] = -1;
    *out = m;
    if (!strcmp(spec, "stdio") || !strcmp(spec, "mon:stdio"))
        return start_stdio(m, err, errlen);
    if (sock_spec_parse(spec, &s, e, sizeof(e)) < 0 || (m->lfd = sock_listen(&s, e, sizeof(e))) < 0 ||
        pipe(m->wake) < 0) {
        snprintf(err, errlen, "-monitor: %s", m->lfd < 0 ? e : strerror(errno));
        return -1;
    }
    if (!s.nowait) /* QEMU's server,wait: the machine starts once a client is there */
        m->cfd = sock_accept(m->lfd, m->wake[0]);
    if (pthread_create(&m->thread, NULL, monitor_thread, m) != 0) {
        snprintf(err, errlen, "-monitor: cannot start its thread");
        return -1;
    }
    m->thread_started = true;
    return 0;
}

void monitor_stop(struct monitor *m)
{
    if (!m)
        return;
    if (m->chr) /* the console may outlive us: no more input here */
        chardev_set_mux(m->chr, NULL, NULL, false, false);
    if (m->thread_started) {
        if (write(m->wake[1], "x", 1) < 0) {
            /* one byte into an empty pipe */
        }
        pthread_join(m->thread, NULL);
    }
    if (m->cfd >= 0)
        close(m->cfd);
    if (m->lfd >= 0)
        close(m->lfd);
    if (m->wake[0] >= 0)
        close(m->wake[0]), close(m->wake[1]);
    free(m);
}
