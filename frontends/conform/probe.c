/*
 * probe.c - short emulator runs whose output is the answer: the device
 * list x86/run asks for, and runtime.bash's premature-failure check (the
 * test's command with a kernel that does not exist).
 */
#define _GNU_SOURCE
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void conform_exec_child(char *const *argv, int in, int out, int err)
{
	sigset_t none;

	setpgid(0, 0);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		return;
	/* exec keeps the mask and ignored signals: give the emulator defaults */
	signal(SIGPIPE, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execv(argv[0], argv);
}

int conform_capture(char *const *argv, char *buf, size_t len, double timeout)
{
	int pfd[2] = { -1, -1 }, nullfd = -1, status = 0, ret;
	double deadline = now_s() + timeout;
	size_t used = 0;
	bool killed = false;
	pid_t pid;

	if (!len)
		return -EINVAL;
	buf[0] = '\0';
	nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (nullfd < 0 || pipe2(pfd, O_CLOEXEC) < 0) {
		ret = -errno;
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		goto out;
	}
	if (pid == 0) {
		conform_exec_child(argv, nullfd, pfd[1], pfd[1]);
		dprintf(2, "cannot execute %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	close(pfd[1]);
	pfd[1] = -1;
	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		double left = deadline - now_s();
		char chunk[4096];
		ssize_t n;

		if (left <= 0 && !killed) {
			/* a run that hangs must not hang us: the whole group goes */
			killpg(pid, SIGKILL);
			killed = true;
		}
		if (poll(&p, 1, killed ? 1000 : (int)(left * 1000) + 1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (!p.revents)
			continue;
		n = read(pfd[0], chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		/* what does not fit is dropped: the answers are in the first lines */
		if (used + 1 < len) {
			size_t take = (size_t)n < len - 1 - used ? (size_t)n : len - 1 - used;

			memcpy(buf + used, chunk, take);
			used += take;
			buf[used] = '\0';
		}
	}
	/* helpers that kept the pipe open are done for too */
	killpg(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			ret = -errno;
			goto out;
		}
	}
	ret = killed ? -ETIMEDOUT : status;
out:
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	if (nullfd >= 0)
		close(nullfd);
	return ret;
}
