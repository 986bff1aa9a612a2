/* The gdb stub: GDB's remote serial protocol over TCP, one client at a
 * time, served by the stub's own thread.
 *
 * Invariants:
 * - gdb sees the VM stopped (every vCPU parked, dbg_stop) whenever it is
 *   not waiting for a stop reply; registers, memory and breakpoints
 *   change only then. A packet that needs a stopped VM while the guest
 *   runs gets an error reply.
 * - Whatever a client sends (garbage, bad checksums, overlong packets, a
 *   disconnect mid-packet) costs at most an error reply or the connection;
 *   a lost client's breakpoints are dropped and the VM runs on.
 * - Every vCPU is a thread, id = vCPU index + 1.
 */
#include "vm/gdbstub.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vm/dbg.h"
#include "vm/sockserv.h"

#define PKT_MAX 4096 /* PacketSize: hex payloads up to this many characters */

struct gdbstub {
    struct vm *vm;
    int lfd, cfd;
    int wake[2]; /* written by gdbstub_stop */
    pthread_t thread;
    bool x86_64;
    unsigned gcpu, ccpu; /* Hg (registers, memory) and Hc (steps) threads */
    bool running;        /* the client waits for a stop reply */
    bool noack;
    char pkt[PKT_MAX + 1];
    size_t plen;
    enum { RX_IDLE, RX_DATA, RX_SUM1, RX_SUM2 } rx;
    uint8_t sum, rxsum;
    char reply[2 * PKT_MAX + 64];
    char xml[16384];
    size_t xml_len;
};

static const char hexd[] = "0123456789abcdef";

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* A hex number up to a delimiter; false when there is none or it is too long. */
static bool parse_hex(const char **p, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;
    int d;
    for (; (d = hexval(*s)) >= 0; s++) {
        if (s - *p >= 16)
            return false;
        v = v << 4 | (uint64_t)d;
    }
    if (s == *p)
        return false;
    *p = s;
    *out = v;
    return true;
}

static void send_packet(struct gdbstub *g, const char *data, size_t len)
{
    char *buf = malloc(len * 2 + 5);
    uint8_t sum = 0;
    size_t n = 0;
    if (!buf)
        return;
    buf[n++] = '$';
    for (size_t i = 0; i < len; i++) {
        char c = data[i];
        if (c == '$' || c == '#' || c == '}' || c == '*') { /* binary data escaped */
            buf[n++] = '}';
            sum += '}';
            c ^= 0x20;
        }
        buf[n++] = c;
        sum += (uint8_t)c;
    }
    n += (size_t)sprintf(buf + n, "#%02x", sum);
    sock_send(g->cfd, buf, n);
    free(buf);
}

static void reply(struct gdbstub *g, const char *s)
{
    send_packet(g, s, strlen(s));
}

static void to_hex(char *out, const uint8_t *in, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hexd[in[i] >> 4];
        out[2 * i + 1] = hexd[in[i] & 15];
    }
    out[2 * n] = 0;
}

static bool from_hex(uint8_t *out, const char *in, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(in[2 * i]), lo = hi < 0 ? -1 : hexval(in[2 * i + 1]);
        if (lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

static void stop_reply(struct gdbstub *g)
{
    struct vm *vm = g->vm;
    if (dbg_ended(vm)) {
        char w[8];
        snprintf(w, sizeof(w), "W%02x", vm->exit_status >= 0 ? vm->exit_status & 0xff : 0);
        reply(g, w);
        g->running = false;
        return;
    }
    struct dbg_stop s = dbg_take_stop(vm);
    char buf[96];
    int n;
    if (s.reason == DBG_STOP_NONE || s.reason == DBG_STOP_REQUEST)
        s.cpu = g->gcpu;
    g->gcpu = g->ccpu = s.cpu;
    n = snprintf(buf, sizeof(buf), "T%02xthread:%x;", s.reason <= DBG_STOP_REQUEST ? 2 : 5, s.cpu + 1);
    if (s.reason == DBG_STOP_WATCH)
        snprintf(buf + n, sizeof(buf) - (size_t)n, "%s:%llx;",
                 s.wtype == DBG_WP_WRITE ? "watch" : s.wtype == DBG_WP_READ ? "rwatch" : "awatch",
                 (unsigned long long)s.addr);
    reply(g, buf);
    g->running = false;
}

/* "thread:..." ids: -1 all, 0 any, else vCPU + 1; false when unknown. */
static bool thread_id(struct gdbstub *g, const char *p, unsigned *cpu)
{
    if (!strcmp(p, "-1") || !strcmp(p, "0")) {
        return true;
    }
    uint64_t t;
    if (!parse_hex(&p, &t) || *p || t < 1 || t > g->vm->ncpus)
        return false;
    *cpu = (unsigned)t - 1;
    return true;
}

static void resume(struct gdbstub *g, int step_cpu)
{
    g->running = true;
    dbg_resume(g->vm, step_cpu);
}

static void read_regs(struct gdbstub *g)
{
    struct vcpu *v = &g->vm->cpus[g->gcpu];
    size_t n = 0;
    uint8_t b[16];
    for (unsigned i = 0; i < gdb_reg_count(g->x86_64); i++) {
        int sz = gdb_reg_read(v, g->x86_64, i, b);
        to_hex(g->reply + n, b, (size_t)sz);
        n += 2 * (size_t)sz;
    }
    reply(g, g->reply);
}

static void write_regs(struct gdbstub *g, const char *hex)
{
    struct vcpu *v = &g->vm->cpus[g->gcpu];
    size_t len = strlen(hex);
    uint8_t b[16];
    for (unsigned i = 0; i < gdb_reg_count(g->x86_64) && len; i++) {
        int sz = gdb_reg_read(v, g->x86_64, i, b);
        if (len < 2 * (size_t)sz || !from_hex(b, hex, (size_t)sz))
            break;
        gdb_reg_write(v, g->x86_64, i, b);
        hex += 2 * sz, len -= 2 * (size_t)sz;
    }
    reply(g, len ? "E22" : "OK");
}

static void one_reg(struct gdbstub *g, const char *p, bool write)
{
    struct vcpu *v = &g->vm->cpus[g->gcpu];
    uint64_t n;
    uint8_t b[16];
    int sz;
    if (!parse_hex(&p, &n) || n >= gdb_reg_count(g->x86_64) || (write && *p++ != '=') || (!write && *p)) {
        reply(g, "E22");
        return;
    }
    sz = gdb_reg_read(v, g->x86_64, (unsigned)n, b);
    if (!write) {
        to_hex(g->reply, b, (size_t)sz);
        reply(g, g->reply);
    } else if (strlen(p) != 2 * (size_t)sz || !from_hex(b, p, (size_t)sz)) {
        reply(g, "E22");
    } else {
        gdb_reg_write(v, g->x86_64, (unsigned)n, b);
        reply(g, "OK");
    }
}

/* m/M/X: ADDR,LEN[:DATA] */
static void memory(struct gdbstub *g, char op, const char *p, size_t plen)
{
    struct vcpu *v = &g->vm->cpus[g->gcpu];
    const char *end = g->pkt + plen;
    uint64_t addr, len;
    uint8_t buf[PKT_MAX / 2];
    if (!parse_hex(&p, &addr) || *p++ != ',' || !parse_hex(&p, &len) || len > sizeof(buf) ||
        (op != 'm' && *p++ != ':') || (op == 'm' && *p)) {
        reply(g, "E22");
        return;
    }
    if (op == 'm') {
        size_t got = dbg_read_virt(v, addr, buf, len);
        to_hex(g->reply, buf, got);
        reply(g, got || !len ? g->reply : "E14");
        return;
    }
    size_t n = 0;
    if (op == 'M') {
        if ((size_t)(end - p) != 2 * len || !from_hex(buf, p, len)) {
            reply(g, "E22");
            return;
        }
        n = len;
    } else { /* X: binary, '}' escapes the next byte */
        for (; p < end && n < len; p++)
            buf[n++] = *p == '}' && p + 1 < end ? (uint8_t)(*++p ^ 0x20) : (uint8_t)*p;
        if (n != len || p != end) {
            reply(g, "E22");
            return;
        }
    }
    reply(g, dbg_write_virt(v, addr, buf, n) == n ? "OK" : "E14");
}

/* Z/z TYPE,ADDR,KIND */
static void breakpoint(struct gdbstub *g, bool insert, const char *p)
{
    uint64_t type, addr, kind;
    if (!parse_hex(&p, &type) || *p++ != ',' || !parse_hex(&p, &addr) || *p++ != ',' || !parse_hex(&p, &kind) ||
        (*p && *p != ';') || type > DBG_WP_ACCESS) {
        reply(g, type > DBG_WP_ACCESS ? "" : "E22");
        return;
    }
    int rc = insert ? dbg_insert(g->vm, (enum dbg_bp_type)type, addr, kind)
                    : dbg_remove(g->vm, (enum dbg_bp_type)type, addr, kind);
    reply(g, rc == 0 ? "OK" : rc == -ENOSPC ? "E28" : "E22");
}

/* vCont;ACTION[:THREAD]...: a step action steps its thread (the Hc one
 * when none is named); everything else continues. */
static void vcont(struct gdbstub *g, const char *p)
{
    int step = -1;
    while (*p == ';') {
        char a = p[1];
        const char *q = p + 2;
        unsigned cpu = g->ccpu;
        if (a == 'C' || a == 'S')
            while (hexval(*q) >= 0)
                q++;
        if (a != 'c' && a != 'C' && a != 's' && a != 'S') {
            reply(g, "E22");
            return;
        }
        if (*q == ':') {
            char id[24];
            size_t n = strcspn(q + 1, ";");
            snprintf(id, sizeof(id), "%.*s", (int)(n < 23 ? n : 23), q + 1);
            if (!thread_id(g, id, &cpu)) {
                reply(g, "E22");
                return;
            }
            q += 1 + n;
        }
        if ((a == 's' || a == 'S') && step < 0)
            step = (int)cpu;
        p = q;
    }
    if (*p) {
        reply(g, "E22");
        return;
    }
    resume(g, step);
}

static void xfer_features(struct gdbstub *g, const char *p)
{
    uint64_t off, len;
    if (strncmp(p, "target.xml:", 11)) {
        reply(g, "E00");
        return;
    }
    p += 11;
    if (!parse_hex(&p, &off) || *p++ != ',' || !parse_hex(&p, &len) || *p) {
        reply(g, "E22");
        return;
    }
    if (len > PKT_MAX - 8)
        len = PKT_MAX - 8;
    if (off >= g->xml_len) {
        reply(g, "l");
        return;
    }
    size_t n = g->xml_len - off < len ? g->xml_len - off : len;
    g->reply[0] = off + n >= g->xml_len ? 'l' : 'm';
    memcpy(g->reply + 1, g->xml + off, n);
    send_packet(g, g->reply, n + 1);
}

static void query(struct gdbstub *g, const char *p)
{
    char *r = g->reply;
    if (!strncmp(p, "qSupported", 10)) {
        snprintf(r, 128, "PacketSize=%x;qXfer:features:read+;vContSupported+;QStartNoAckMode+", PKT_MAX);
        reply(g, r);
    } else if (!strncmp(p, "qXfer:features:read:", 20)) {
        xfer_features(g, p + 20);
    } else if (!strcmp(p, "qAttached")) {
        reply(g, "1");
    } else if (!strcmp(p, "qC")) {
        snprintf(r, 32, "QC%x", g->gcpu + 1);
        reply(g, r);
    } else if (!strcmp(p, "qfThreadInfo")) {
        size_t n = 0;
        for (unsigned i = 0; i < g->vm->ncpus; i++)
            n += (size_t)sprintf(r + n, "%c%x", i ? ',' : 'm', i + 1);
        reply(g, r);
    } else if (!strcmp(p, "qsThreadInfo")) {
        reply(g, "l");
    } else if (!strncmp(p, "qThreadExtraInfo,", 17)) {
        unsigned cpu = 0;
        char text[48];
        if (!thread_id(g, p + 17, &cpu)) {
            reply(g, "E22");
            return;
        }
        snprintf(text, sizeof(text), "CPU#%u [%s]", cpu, g->vm->cpus[cpu].cpu.halted ? "halted" : "running");
        to_hex(r, (const uint8_t *)text, strlen(text));
        reply(g, r);
    } else if (!strcmp(p, "QStartNoAckMode")) {
        reply(g, "OK");
        g->noack = true;
    } else {
        reply(g, "");
    }
}

/* Packets that need the VM stopped, after '?' gave gdb its first stop. */
static void command(struct gdbstub *g, size_t plen)
{
    char *p = g->pkt;
    unsigned cpu = 0;
    uint64_t addr;
    switch (p[0]) {
    case 'g':
        if (p[1])
            reply(g, "E22");
        else
            read_regs(g);
        break;
    case 'G': write_regs(g, p + 1); break;
    case 'p': one_reg(g, p + 1, false); break;
    case 'P': one_reg(g, p + 1, true); break;
    case 'm': case 'M': case 'X': memory(g, p[0], p + 1, plen); break;
    case 'Z': case 'z': breakpoint(g, p[0] == 'Z', p + 1); break;
    case 'H':
        if ((p[1] != 'g' && p[1] != 'c') || !thread_id(g, p + 2, &cpu)) {
            reply(g, "E22");
            break;
        }
        if (strcmp(p + 2, "-1") && strcmp(p + 2, "0"))
            *(p[1] == 'g' ? &g->gcpu : &g->ccpu) = cpu;
        reply(g, "OK");
        break;
    case 'T': reply(g, thread_id(g, p + 1, &cpu) ? "OK" : "E22"); break;
    case 'c': case 's': case 'C': case 'S': {
        const char *a = p + 1;
        if (p[0] == 'C' || p[0] == 'S') { /* a signal number, then ;ADDR */
            a += strspn(a, "0123456789abcdefABCDEF");
            a += *a == ';';
        }
        if (*a) {
            if (!parse_hex(&a, &addr) || *a) {
                reply(g, "E22");
                break;
            }
            g->vm->cpus[g->ccpu].cpu.rip = addr;
        }
        resume(g, p[0] == 's' || p[0] == 'S' ? (int)g->ccpu : -1);
        break;
    }
    default: reply(g, ""); break;
    }
}

/* false when the connection must end */
static bool packet(struct gdbstub *g)
{
    char *p = g->pkt;
    size_t plen = g->plen;
    p[plen] = 0;
    if (memchr(p, 0, plen)) { /* a NUL inside: only X may carry binary */
        if (p[0] != 'X') {
            reply(g, "E22");
            return true;
        }
    }
    if (p[0] == 'q' || p[0] == 'Q') {
        query(g, p);
        return true;
    }
    if (!strcmp(p, "vCont?")) {
        reply(g, "vCont;c;C;s;S");
        return true;
    }
    if (!strcmp(p, "vMustReplyEmpty") || (!strncmp(p, "v", 1) && strncmp(p, "vCont;", 6))) {
        reply(g, "");
        return true;
    }
    if (p[0] == 'D' || p[0] == 'k') {
        if (p[0] == 'D')
            reply(g, "OK");
        else
            vm_request(g->vm, VM_FF_POWER_OFF); /* kill: as QEMU, the emulator ends */
        return false;
    }
    if (g->running) { /* all-stop: only ^C is meaningful now */
        reply(g, "E01");
        return true;
    }
    if (p[0] == '?') {
        if (dbg_stop(g->vm) < 0 || dbg_stopped(g->vm))
            stop_reply(g);
        return true;
    }
    if (dbg_ended(g->vm)) {
        reply(g, "E01");
        return true;
    }
    if (dbg_stop(g->vm) < 0) { /* the VM runs under another user (monitor cont): stop it again */
        reply(g, "E01");
        return true;
    }
    if (!strncmp(p, "vCont;", 6))
        vcont(g, p + 5);
    else
        command(g, plen);
    return true;
}

/* The receive state machine; false when the connection must end. */
static bool receive(struct gdbstub *g, const uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t c = buf[i];
        switch (g->rx) {
        case RX_IDLE:
            if (c == 0x03 && g->running)
                dbg_stop(g->vm); /* the stop reply follows from the poll loop */
            else if (c == '$')
                g->rx = RX_DATA, g->plen = 0, g->sum = 0;
            break; /* acks and noise */
        case RX_DATA:
            if (c == '#') {
                g->rx = RX_SUM1;
            } else if (g->plen >= PKT_MAX) { /* overlong: dropped, gdb is told to resend */
                g->rx = RX_IDLE;
                sock_send(g->cfd, "-", 1);
            } else {
                g->pkt[g->plen++] = (char)c;
                g->sum += c;
            }
            break;
        case RX_SUM1:
            g->rxsum = (uint8_t)(hexval((char)c) << 4);
            g->rx = hexval((char)c) < 0 ? RX_IDLE : RX_SUM2;
            break;
        case RX_SUM2:
            g->rx = RX_IDLE;
            if (hexval((char)c) < 0 || (uint8_t)(g->rxsum | hexval((char)c)) != g->sum) {
                if (!g->noack)
                    sock_send(g->cfd, "-", 1);
                break;
            }
            if (!g->noack)
                sock_send(g->cfd, "+", 1);
            if (!packet(g))
                return false;
            break;
        }
    }
    return true;
}

static void serve(struct gdbstub *g)
{
    uint8_t buf[1024];
    g->rx = RX_IDLE;
    g->running = g->noack = false;
    g->gcpu = g->ccpu = 0;
    for (;;) {
        struct pollfd p[2] = {{.fd = g->cfd, .events = POLLIN}, {.fd = g->wake[0], .events = POLLIN}};
        int r = poll(p, 2, g->running ? 20 : 200);
        if (r < 0 && errno != EINTR)
            break;
        if (p[1].revents) { /* the process ends: a waiting client learns the guest exited */
            if (g->running)
                stop_reply(g);
            break;
        }
        if (g->running && (dbg_ended(g->vm) || dbg_stopped(g->vm)))
            stop_reply(g);
        if (r > 0 && p[0].revents) {
            ssize_t n = read(g->cfd, buf, sizeof(buf));
            if (n <= 0 || !receive(g, buf, (size_t)n))
                break;
        }
    }
    /* detach, kill or a lost client: its breakpoints go, the guest runs on */
    dbg_clear(g->vm);
    if (!dbg_ended(g->vm) && dbg_stopped(g->vm))
        dbg_resume(g->vm, -1);
}

static void *gdb_thread(void *arg)
{
    struct gdbstub *g = arg;
    for (;;) {
        g->cfd = sock_accept(g->lfd, g->wake[0]);
        if (g->cfd < 0)
            break;
        serve(g);
        close(g->cfd);
        g->cfd = -1;
    }
    return NULL;
}

int gdbstub_start(struct vm *vm, const char *spec, struct gdbstub **out, char *err, size_t errlen)
{
    struct sock_spec s;
    struct gdbstub *g;
    char e[300];
    if (sock_spec_parse(spec, &s, e, sizeof(e)) < 0) {
        snprintf(err, errlen, "-gdb: %s", e);
        return -1;
    }
    if (dbg_attach(vm) < 0 || !(g = calloc(1, sizeof(*g)))) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    g->vm = vm;
    g->cfd = -1;
    /* QEMU's x86-64 target describes every vCPU as x86-64 whatever its
     * mode; a -cpu model without long mode gets the i386 description. */
    g->x86_64 = cpu_model_has_lm(vm->cfg.cpu_model);
    g->xml_len = gdb_target_xml(g->x86_64, g->xml, sizeof(g->xml));
    g->lfd = sock_listen(&s, e, sizeof(e));
    if (g->lfd < 0 || pipe(g->wake) < 0) {
        snprintf(err, errlen, "-gdb: %s", g->lfd < 0 ? e : strerror(errno));
        if (g->lfd >= 0)
            close(g->lfd);
        free(g);
        return -1;
    }
    if (pthread_create(&g->thread, NULL, gdb_thread, g) != 0) {
        snprintf(err, errlen, "-gdb: cannot start the stub's thread");
        close(g->lfd), close(g->wake[0]), close(g->wake[1]);
        free(g);
        return -1;
    }
    *out = g;
    return 0;
}

void gdbstub_stop(struct gdbstub *g)
{
    if (!g)
        return;
    if (write(g->wake[1], "x", 1) < 0) {
        /* the pipe cannot be full: one byte, once */
    }
    pthread_join(g->thread, NULL);
    if (g->cfd >= 0)
        close(g->cfd);
    close(g->lfd);
    close(g->wake[0]);
    close(g->wake[1]);
    free(g);
}
