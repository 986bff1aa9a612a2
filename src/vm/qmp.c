/* QMP: QEMU's JSON machine protocol on a socket, one client at a time,
 * served by its own thread: the greeting, qmp_capabilities, query-status,
 * stop, cont, system_reset, system_powerdown, quit,
 * human-monitor-command, and the STOP, RESUME, RESET, SHUTDOWN events.
 *
 * Invariants:
 * - Input is split into JSON values by bracket depth (strings skipped),
 *   at most QMP_MAX bytes each; anything malformed, too long or unknown
 *   gets a GenericError (or CommandNotFound) and the connection stays up.
 * - State listeners run on vCPU threads: they only queue an event and
 *   wake the QMP thread, which does all the writing.
 */
#define _GNU_SOURCE
#include "vm/qmp.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>

#include "devices/acpi.h"
#include "vm/dbg.h"
#include "vm/json.h"
#include "vm/monitor.h"
#include "vm/sockserv.h"

#define QMP_MAX (64u << 10)
#define QMP_EVENTS 2048 /* bytes of queued events */

struct qmp {
    struct vm *vm;
    int lfd, cfd, wake[2];
    pthread_t thread;
    bool thread_started;
    pthread_mutex_t lock; /* events, quitting */
    char events[QMP_EVENTS];
    size_t nevents;
    bool quitting;
    bool negotiated;
    /* the value being received */
    char in[QMP_MAX];
    size_t len;
    unsigned depth;
    bool in_string, escape, overlong;
    struct json_doc doc;
};

static void send_text(struct qmp *q, const char *s)
{
    if (q->cfd >= 0)
        sock_send(q->cfd, s, strlen(s));
}

static void reply_error(struct qmp *q, const char *id, const char *cls, const char *desc)
{
    char buf[512], esc[300];
    json_escape(desc, strlen(desc), esc, sizeof(esc));
    snprintf(buf, sizeof(buf), "{\"error\": {\"class\": \"%s\", \"desc\": \"%s\"}%s%s}\r\n", cls, esc,
             id ? ", \"id\": " : "", id ? id : "");
    send_text(q, buf);
}

static void reply_return(struct qmp *q, const char *id, const char *value)
{
    size_t n = strlen(value) + (id ? strlen(id) : 0) + 40;
    char *buf = malloc(n);
    if (!buf)
        return;
    snprintf(buf, n, "{\"return\": %s%s%s}\r\n", value, id ? ", \"id\": " : "", id ? id : "");
    send_text(q, buf);
    free(buf);
}

/* HMP through the monitor, its text captured. */
static void human_command(struct qmp *q, const char *id, const char *line)
{
    int fd = memfd_create("pcvm-hmp", MFD_CLOEXEC);
    if (fd < 0) {
        reply_error(q, id, "GenericError", "cannot capture the monitor's output");
        return;
    }
    if (monitor_exec(q->vm, line, fd) == 1) /* quit: the reply comes first */
        q->quitting = true;
    off_t n = lseek(fd, 0, SEEK_CUR);
    char *text = n >= 0 && n < (off_t)(1 << 20) ? malloc((size_t)n + 1) : NULL;
    char *esc = text ? malloc((size_t)n * 6 + 3) : NULL;
    if (!esc || pread(fd, text, (size_t)n, 0) != n) {
        reply_error(q, id, "GenericError", "the monitor's output is too long");
    } else {
        esc[0] = '"';
        size_t e = json_escape(text, (size_t)n, esc + 1, (size_t)n * 6 + 1);
        esc[e + 1] = '"', esc[e + 2] = 0;
        reply_return(q, id, esc);
    }
    free(text);
    free(esc);
    close(fd);
}

static void command(struct qmp *q)
{
    struct json_doc *d = &q->doc;
    char cmd[64], idbuf[256], line[SOCK_LINE_MAX + 1];
    const char *id = NULL;
    if (json_parse(q->in, q->len, d) < 0 || d->node[0].type != JSON_OBJECT) {
        bool parsed = json_parse(q->in, q->len, d) == 0;
        reply_error(q, NULL, "GenericError", parsed ? "QMP input must be a JSON object" : "JSON parse error");
        return;
    }
    int idn = json_get(d, 0, "id"), ex = json_get(d, 0, "execute"), args = json_get(d, 0, "arguments");
    if (idn >= 0) {
        size_t l = d->node[idn].end - d->node[idn].start;
        if (l < sizeof(idbuf)) {
            memcpy(idbuf, q->in + d->node[idn].start, l);
            idbuf[l] = 0;
            id = idbuf;
        }
    }
    if (ex < 0 || json_string(d, ex, cmd, sizeof(cmd)) < 0) {
        reply_error(q, id, "GenericError", "QMP input lacks member 'execute' (a command name)");
        return;
    }
    if (args >= 0 && d->node[args].type != JSON_OBJECT) {
        reply_error(q, id, "GenericError", "QMP input member 'arguments' must be an object");
        return;
    }
    if (!strcmp(cmd, "qmp_capabilities")) {
        if (q->negotiated)
            reply_error(q, id, "CommandNotFound", "Capabilities negotiation is already complete, command ignored");
        else
            q->negotiated = true, reply_return(q, id, "{}");
        return;
    }
    if (!q->negotiated) {
        reply_error(q, id, "CommandNotFound", "Expecting capabilities negotiation with 'qmp_capabilities'");
        return;
    }
    struct vm *vm = q->vm;
    if (!strcmp(cmd, "query-status")) {
        bool paused = monitor_vm_paused(vm);
        char r[128];
        snprintf(r, sizeof(r), "{\"status\": \"%s\", \"singlestep\": false, \"running\": %s}",
                 dbg_ended(vm) ? "shutdown" : paused ? "paused" : "running", paused || dbg_ended(vm) ? "false" : "true");
        reply_return(q, id, r);
    } else if (!strcmp(cmd, "stop")) {
        dbg_stop(vm);
        reply_return(q, id, "{}");
    } else if (!strcmp(cmd, "cont")) {
        dbg_resume(vm, -1);
        reply_return(q, id, "{}");
    } else if (!strcmp(cmd, "system_reset")) {
        vm_request(vm, VM_FF_RESET);
        reply_return(q, id, "{}");
    } else if (!strcmp(cmd, "system_powerdown")) {
        if (acpi_power_button(vm) < 0)
            reply_error(q, id, "GenericError", "this machine has no ACPI power button");
        else
            reply_return(q, id, "{}");
    } else if (!strcmp(cmd, "quit")) {
        reply_return(q, id, "{}");
        q->quitting = true;
    } else if (!strcmp(cmd, "human-monitor-command")) {
        int cl = json_get(d, args, "command-line");
        if (cl < 0 || json_string(d, cl, line, sizeof(line)) < 0)
            reply_error(q, id, "GenericError", "human-monitor-command needs 'command-line', a string");
        else
            human_command(q, id, line);
    } else {
        char desc[128];
        snprintf(desc, sizeof(desc), "The command %s has not been found", cmd);
        reply_error(q, id, "CommandNotFound", desc);
    }
    if (q->quitting)
        vm_request(vm, VM_FF_POWER_OFF);
}

/* Splits the byte stream into JSON values: a value ends where its
 * brackets close, or at a newline outside brackets and strings (a scalar
 * or garbage, which then fails to parse). */
static void receive(struct qmp *q, const char *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = buf[i];
        if (q->overlong) { /* dropped up to the end of the line */
            if (c == '\n') {
                q->overlong = false;
                reply_error(q, NULL, "GenericError", "JSON value too long");
            }
            continue;
        }
        if (!q->len && (c == ' ' || c == '\t' || c == '\r' || c == '\n'))
            continue;
        if (q->len >= sizeof(q->in)) {
            q->overlong = c != '\n';
            q->len = q->depth = 0;
            q->in_string = q->escape = false;
            if (!q->overlong)
                reply_error(q, NULL, "GenericError", "JSON value too long");
            continue;
        }
        q->in[q->len++] = c;
        if (q->in_string) {
            if (q->escape)
                q->escape = false;
            else if (c == '\\')
                q->escape = true;
            else if (c == '"')
                q->in_string = false;
            else if (c == '\n') /* no raw newline in a JSON string: the value ends here */
                q->in_string = false, q->depth = 0;
            if (q->in_string || c != '\n')
                continue;
        } else if (c == '"') {
            q->in_string = true;
            continue;
        } else if (c == '{' || c == '[') {
            q->depth++;
            continue;
        } else if ((c == '}' || c == ']') && q->depth > 1) {
            q->depth--;
            continue;
        } else if (c != '}' && c != ']' && (c != '\n' || q->depth)) {
            continue;
        }
        command(q);
        q->len = q->depth = 0;
        q->in_string = q->escape = false;
    }
}

static void flush_events(struct qmp *q)
{
    pthread_mutex_lock(&q->lock);
    if (q->negotiated && q->nevents)
        sock_send(q->cfd, q->events, q->nevents);
    q->nevents = 0;
    pthread_mutex_unlock(&q->lock);
}

static void on_state(void *opaque, struct vm *vm, enum vm_state from, enum vm_state to)
{
    struct qmp *q = opaque;
    const char *ev = to == VM_SUSPENDED ? "STOP" : from == VM_SUSPENDED && to == VM_RUNNING ? "RESUME"
                   : to == VM_RESETTING ? "RESET" : to == VM_POWERING_OFF ? "SHUTDOWN" : NULL;
    struct timeval tv;
    (void)vm;
    if (!ev)
        return;
    gettimeofday(&tv, NULL);
    pthread_mutex_lock(&q->lock);
    bool queued = false;
    if (q->cfd >= 0 && q->nevents < QMP_EVENTS - 200) {
        queued = true;
        int n = snprintf(q->events + q->nevents, QMP_EVENTS - q->nevents,
                         "{\"timestamp\": {\"seconds\": %lld, \"microseconds\": %ld}, \"event\": \"%s\"%s}\r\n",
                         (long long)tv.tv_sec, (long)tv.tv_usec, ev,
                         to == VM_POWERING_OFF ? ", \"data\": {\"guest\": true, \"reason\": \"guest-shutdown\"}"
                         : to == VM_RESETTING  ? ", \"data\": {\"guest\": true, \"reason\": \"guest-reset\"}"
                                               : "");
        q->nevents += (size_t)n;
    }
    pthread_mutex_unlock(&q->lock);
    if (queued && write(q->wake[1], "e", 1) < 0) {
        /* the pipe is full: the thread is awake anyway */
    }
}

static void serve(struct qmp *q)
{
    char buf[4096];
    q->negotiated = false;
    q->len = q->depth = 0;
    q->in_string = q->escape = q->overlong = false;
    send_text(q, "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, \"package\": "
                 "\"pcvm\"}, \"capabilities\": []}}\r\n");
    for (;;) {
        struct pollfd p[2] = {{.fd = q->cfd, .events = POLLIN}, {.fd = q->wake[0], .events = POLLIN}};
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            return;
        if (p[1].revents) {
            char drain[64];
            if (read(q->wake[0], drain, sizeof(drain)) < 0) {
                /* nothing to drain */
            }
            flush_events(q);
        }
        if (p[0].revents) {
            ssize_t n = read(q->cfd, buf, sizeof(buf));
            if (n <= 0)
                return;
            receive(q, buf, (size_t)n);
        }
        pthread_mutex_lock(&q->lock);
        bool stop = q->lfd < 0; /* qmp_stop asked */
        pthread_mutex_unlock(&q->lock);
        if (stop) {
            flush_events(q); /* SHUTDOWN and whatever came with it go out first */
            return;
        }
    }
}

static void *qmp_thread(void *arg)
{
    struct qmp *q = arg;
    for (;;) {
        int fd = q->cfd >= 0 ? q->cfd : sock_accept(q->lfd, q->wake[0]);
        pthread_mutex_lock(&q->lock);
        q->cfd = fd;
        bool stop = q->lfd < 0;
        pthread_mutex_unlock(&q->lock);
        if (stop)
            break;
        if (fd < 0) { /* woken by an event nobody listens to */
            char drain[64];
            if (read(q->wake[0], drain, sizeof(drain)) < 0)
                break;
            continue;
        }
        serve(q);
        pthread_mutex_lock(&q->lock);
        close(q->cfd);
        q->cfd = -1;
        q->nevents = 0;
        stop = q->lfd < 0;
        pthread_mutex_unlock(&q->lock);
        if (stop)
            break;
    }
    return NULL;
}

int qmp_start(struct vm *vm, const char *spec, struct qmp **out, char *err, size_t errlen)
{
    struct qmp *q = calloc(1, sizeof(*q));
    struct sock_spec s;
    char e[300];
    *out = q;
    if (!q) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    q->vm = vm;
    q->lfd = q->cfd = q->wake[0] = q->wake[1] = -1;
    pthread_mutex_init(&q->lock, NULL);
    if (sock_spec_parse(spec, &s, e, sizeof(e)) < 0 || (q->lfd = sock_listen(&s, e, sizeof(e))) < 0 ||
        pipe(q->wake) < 0) {
        snprintf(err, errlen, "-qmp: %s", q->lfd < 0 ? e : strerror(errno));
        return -1;
    }
    if (vm->nlisteners >= sizeof(vm->listeners) / sizeof(vm->listeners[0])) {
        snprintf(err, errlen, "-qmp: too many state listeners");
        return -1;
    }
    if (!s.nowait)
        q->cfd = sock_accept(q->lfd, q->wake[0]);
    if (pthread_create(&q->thread, NULL, qmp_thread, q) != 0) {
        snprintf(err, errlen, "-qmp: cannot start its thread");
        return -1;
    }
    q->thread_started = true;
    vm_add_listener(vm, on_state, q); /* room checked above */
    return 0;
}

/* Sends what is queued (SHUTDOWN at power off), then ends the thread. */
void qmp_stop(struct qmp *q)
{
    if (!q)
        return;
    if (q->thread_started) {
        int lfd;
        pthread_mutex_lock(&q->lock);
        lfd = q->lfd;
        q->lfd = -1;
        pthread_mutex_unlock(&q->lock);
        if (write(q->wake[1], "q", 1) < 0) {
            /* the thread is awake anyway */
        }
        pthread_join(q->thread, NULL);
        q->lfd = lfd;
    }
    if (q->cfd >= 0)
        close(q->cfd);
    if (q->lfd >= 0)
        close(q->lfd);
    if (q->wake[0] >= 0)
        close(q->wake[0]), close(q->wake[1]);
    pthread_mutex_destroy(&q->lock);
    free(q);
}
