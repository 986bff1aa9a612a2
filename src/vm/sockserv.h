/* Listening sockets for the debugger servers (gdb stub, monitor, QMP):
 * QEMU's "tcp:[HOST]:PORT" and "unix:PATH" specs with ",server" and
 * ",nowait" (or wait=off), and bounded line input. */
#ifndef PCVM_SOCKSERV_H
#define PCVM_SOCKSERV_H

#include <stdbool.h>
#include <stddef.h>

struct sock_spec {
    bool unix_path;
    char host[256];
    char port[16];
    char path[108];
    bool nowait;
};

/* Parses spec; 0, or -1 with a one-line reason in err. */
int sock_spec_parse(const char *spec, struct sock_spec *out, char *err, size_t errlen);
/* A listening socket (close-on-exec); -1 with err. A unix path that
 * exists as a socket is replaced, anything else there is an error. */
int sock_listen(const struct sock_spec *s, char *err, size_t errlen);
/* Waits for a connection on lfd; -1 once wake_fd becomes readable. */
int sock_accept(int lfd, int wake_fd);
/* Writes all of buf (MSG_NOSIGNAL); false when the peer is gone. */
bool sock_send(int fd, const void *buf, size_t len);

/* Bounded line input: bytes fed in, whole lines out; a line longer than
 * LINE_MAX is dropped whole and reported as too long. */
#define SOCK_LINE_MAX 4096
struct sock_lines {
    char buf[SOCK_LINE_MAX + 1];
    size_t len;
    bool overlong;
};
/* Takes the next line out of l (without the newline, NUL terminated, at
 * most SOCK_LINE_MAX bytes) from data[*pos..n): 1 with a line, 2 for an
 * overlong line that ended here, 0 when more input is needed. */
int sock_lines_next(struct sock_lines *l, const char *data, size_t n, size_t *pos, char *line);

#endif
