/* Listening sockets and line input for the debugger servers.
 *
 * Invariant: nothing here blocks forever on a peer: accepts poll a wake
 * descriptor, sends fail when the peer is gone (no SIGPIPE). */
#define _GNU_SOURCE
#include "vm/sockserv.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int sock_spec_parse(const char *spec, struct sock_spec *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    size_t n = strcspn(spec, ",");
    const char *opt = spec + n;
    if (!strncmp(spec, "unix:", 5)) {
        if (n - 5 == 0 || n - 5 >= sizeof(out->path)) {
            snprintf(err, errlen, "bad socket path in '%s'", spec);
            return -1;
        }
        out->unix_path = true;
        memcpy(out->path, spec + 5, n - 5);
    } else if (!strncmp(spec, "tcp:", 4)) {
        const char *colon = memchr(spec + 4, ':', n - 4);
        const char *last = colon;
        while (last && memchr(last + 1, ':', (size_t)(spec + n - last - 1))) /* [::1]:PORT style hosts */
            last = memchr(last + 1, ':', (size_t)(spec + n - last - 1));
        size_t hl = last ? (size_t)(last - spec - 4) : 0, pl = last ? (size_t)(spec + n - last - 1) : 0;
        if (!last || !pl || pl >= sizeof(out->port) || hl >= sizeof(out->host) ||
            strspn(last + 1, "0123456789") < pl) {
            snprintf(err, errlen, "bad address '%s' (tcp:[HOST]:PORT)", spec);
            return -1;
        }
        memcpy(out->host, spec + 4, hl);
        memcpy(out->port, last + 1, pl);
        if (atoi(out->port) < 1 || atoi(out->port) > 65535) {
            snprintf(err, errlen, "bad port in '%s' (1-65535)", spec);
            return -1;
        }
    } else {
        snprintf(err, errlen, "bad address '%s' (tcp:[HOST]:PORT or unix:PATH)", spec);
        return -1;
    }
    while (*opt == ',') {
        opt++;
        size_t k = strcspn(opt, ",");
        if (k == 6 && !strncmp(opt, "nowait", 6))
            out->nowait = true;
        else if (k == 8 && !strncmp(opt, "wait=off", 8))
            out->nowait = true;
        else if (!((k == 6 && !strncmp(opt, "server", 6)) || (k == 9 && !strncmp(opt, "server=on", 9)) ||
                   (k == 7 && !strncmp(opt, "wait=on", 7)))) {
            snprintf(err, errlen, "unknown socket option '%.*s' in '%s' (server, nowait)", (int)k, opt, spec);
            return -1;
        }
        opt += k;
    }
    return 0;
}

static int listen_unix(const struct sock_spec *s, char *err, size_t errlen)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    struct stat st;
    memcpy(a.sun_path, s->path, strlen(s->path) + 1);
    if (lstat(s->path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            snprintf(err, errlen, "cannot listen on %s: a file that is not a socket is there", s->path);
            return -1;
        }
        unlink(s->path);
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 1) < 0) {
        snprintf(err, errlen, "cannot listen on %s: %s", s->path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

int sock_listen(const struct sock_spec *s, char *err, size_t errlen)
{
    if (s->unix_path)
        return listen_unix(s, err, errlen);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE}, *res;
    int rc = getaddrinfo(s->host[0] ? s->host : NULL, s->port, &hints, &res);
    if (rc) {
        snprintf(err, errlen, "cannot listen on %s:%s: %s", s->host, s->port, gai_strerror(rc));
        return -1;
    }
    int fd = -1, one = 1, e = 0;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0)
            continue;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 1) < 0) {
            e = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        snprintf(err, errlen, "cannot listen on %s:%s: %s", s->host, s->port, strerror(e ? e : EADDRNOTAVAIL));
    return fd;
}

int sock_accept(int lfd, int wake_fd)
{
    for (;;) {
        struct pollfd p[2] = {{.fd = lfd, .events = POLLIN}, {.fd = wake_fd, .events = POLLIN}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (p[1].revents)
            return -1;
        if (p[0].revents & POLLIN) {
            int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
            if (fd >= 0) {
                int one = 1;
                setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)); /* fails on unix: fine */
                return fd;
            }
        }
    }
}

bool sock_send(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n, len -= (size_t)n;
    }
    return true;
}

int sock_lines_next(struct sock_lines *l, const char *data, size_t n, size_t *pos, char *line)
{
    while (*pos < n) {
        char c = data[(*pos)++];
        if (c == '\n') {
            bool over = l->overlong;
            if (l->len && l->buf[l->len - 1] == '\r')
                l->len--;
            l->buf[l->len] = 0;
            memcpy(line, l->buf, l->len + 1);
            l->len = 0;
            l->overlong = false;
            return over ? 2 : 1;
        }
        if (l->len < SOCK_LINE_MAX)
            l->buf[l->len++] = c;
        else
            l->overlong = true;
    }
    return 0;
}
