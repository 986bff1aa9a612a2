/*
 * run.c - process management for pcvm-conform (verdicts: verdict.c).
 *
 * Signals are never handled asynchronously: SIGCHLD, SIGINT, SIGTERM and
 * SIGHUP stay blocked while tests run and the loop collects them with
 * sigtimedwait(), so there is no handler state and no race between
 * "child exited" and "go to sleep". Each emulator is the leader of its own
 * process group: the terminal's ^C reaches only us, and a timeout or an
 * interrupt kills the whole group, helpers included.
 */
#define _GNU_SOURCE
#include "run.h"

#include "gate.h"
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* longest sleep in the loop, a backstop should a wakeup ever be missed */
#define MAX_WAIT 0.5

struct job {
	pid_t pid;              /* 0 = slot free */
	size_t idx;             /* into tests/results */
	double start;
	double deadline;        /* when to send SIGTERM; 0 = never */
	double kill_at;         /* when to send SIGKILL, once SIGTERM went */
	bool term_sent;
	bool kill_sent;
	bool interrupted;
};

/* never runs (SIGCHLD stays blocked); it only keeps SIGCHLD from being
 * ignored, which would make the kernel reap our children for us */
static void on_sigchld(int sig)
{
	(void)sig;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}


/* Log names come from section names; keep them one safe path component. */
static char *log_path_for(const char *logdir, const char *name)
{
	size_t n = strlen(name);
	char *safe = malloc(n + 1), *path = NULL;

	if (!safe)
		return NULL;
	for (size_t i = 0; i <= n; i++) {
		char c = name[i];

		safe[i] = (c && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				  (c >= '0' && c <= '9') || c == '-' || c == '_' ||
				  c == '.' || c == '+')) ? '_' : c;
	}
	if (safe[0] == '.')
		safe[0] = '_';
	if (asprintf(&path, "%s/%s.log", logdir, safe) < 0)
		path = NULL;
	free(safe);
	return path;
}

static bool needs_quoting(const char *s)
{
	if (!*s)
		return true;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("-_.,=/:+@%", *s)))
			return true;
	return false;
}

/* First log line: the command, quoted so it can be pasted into a shell. */
static void write_cmdline(int fd, char *const *argv)
{
	dprintf(fd, "# pcvm-conform:");
	for (; *argv; argv++) {
		if (!needs_quoting(*argv)) {
			dprintf(fd, " %s", *argv);
			continue;
		}
		dprintf(fd, " '");
		for (const char *c = *argv; *c; c++) {
			if (*c == '\'')
				dprintf(fd, "'\\''");
			else
				dprintf(fd, "%c", *c);
		}
		dprintf(fd, "'");
	}
	dprintf(fd, "\n");
}

/*
 * The command x86/run builds: QEMU's test devices where the emulator
 * lists them, accel=, -kernel, -smp, then the cfg's parameters; with
 * -display none as well, so no window ever opens. A .rom file is the
 * firmware (-bios) instead. kernel NULL: the premature-failure probe,
 * which always names CONFORM_NO_FILE as the kernel, as runtime.bash does.
 */
static char **build_argv(const struct conform_run_opts *o,
			 const struct conform_test *t, const char *kernel,
			 char *smp, char *accel)
{
	size_t n = 24 + t->extra_argc + o->n_emulator_args, k = 0;
	size_t flen = strlen(t->file);
	bool rom = kernel && flen >= 4 && !strcmp(t->file + flen - 4, ".rom");
	char **argv = calloc(n, sizeof(*argv));

	if (!argv)
		return NULL;
	/* the strings stay owned by their sources: argv only points at them */
	argv[k++] = (char *)o->emulator;
	argv[k++] = "-nodefaults";
	argv[k++] = "-display";
	argv[k++] = "none";
	if (o->pc_testdev) {
		argv[k++] = "-device";
		argv[k++] = "pc-testdev";
	}
	argv[k++] = "-device";
	argv[k++] = "isa-debug-exit,iobase=0xf4,iosize=0x4";
	argv[k++] = "-vnc";
	argv[k++] = "none";
	argv[k++] = "-serial";
	argv[k++] = "stdio";
	if (o->pci_testdev) {
		argv[k++] = "-device";
		argv[k++] = "pci-testdev";
	}
	if (o->accel) {
		argv[k++] = "-machine";
		argv[k++] = accel;
	}
	argv[k++] = rom ? "-bios" : "-kernel";
	argv[k++] = kernel ? (char *)kernel : CONFORM_NO_FILE;
	argv[k++] = "-smp";
	argv[k++] = smp;
	for (size_t i = 0; i < t->extra_argc; i++)
		argv[k++] = t->extra_argv[i];
	for (size_t i = 0; i < o->n_emulator_args; i++)
		argv[k++] = (char *)o->emulator_args[i];
	argv[k] = NULL;
	return argv;
}

/* The emulator's stderr goes here until the test ends (verdict.c). */
static char *err_path_for(const char *log_path)
{
	char *p;

	return asprintf(&p, "%s.stderr", log_path) < 0 ? NULL : p;
}

/*
 * runtime.bash's premature_failure(): the test's command with a kernel
 * that does not exist must fail on loading it; failing earlier (an option
 * the emulator rejects) makes the test a SKIP with the last line printed.
 * Returns 1 when r is decided so, 0 to go on, or a negative errno.
 */
static int premature(const struct conform_run_opts *o,
		     const struct conform_test *t, char *smp, char *accel,
		     struct conform_result *r, int logfd)
{
	char **argv = build_argv(o, t, NULL, smp, accel), *out = NULL;
	double limit = t->timeout > 0 ? t->timeout : CONFORM_DEFAULT_TIMEOUT;
	int ret = -ENOMEM, st;

	out = malloc(CONFORM_PROBE_OUT);
	if (!argv || !out)
		goto done;
	st = conform_capture(argv, out, CONFORM_PROBE_OUT, limit);
	if (st < 0 && st != -ETIMEDOUT) {
		ret = st;
		goto done;
	}
	ret = 0;
	if (!conform_premature_failure(out, r->reason, sizeof(r->reason)))
		goto done;
	r->done = true;
	r->verdict = CONFORM_SKIP;
	dprintf(logfd, "pcvm-conform: SKIP: with kernel %s the emulator did not get to loading it:\n",
		CONFORM_NO_FILE);
	write_cmdline(logfd, argv);
	dprintf(logfd, "%s", out);
	ret = 1;
done:
	free(out);
	free(argv);
	return ret;
}

/*
 * Start one test. Returns the child's pid, or 0 when the test was decided
 * without running (r->done set), or a negative errno.
 */
static pid_t start_test(const struct conform_run_opts *o,
			const struct conform_test *t, struct conform_result *r)
{
	char *kernel = NULL, **argv = NULL, *err_path = NULL, smp[16],
	     accel[64];
	int logfd = -1, errfd = -1, nullfd = -1, pfd[2] = { -1, -1 },
	    child_err = 0, pre;
	pid_t pid = -ENOMEM;
	ssize_t got;

	r->exit_status = -1;
	if (t->file[0] == '/')
		kernel = strdup(t->file);
	else if (asprintf(&kernel, "%s/%s", o->testdir, t->file) < 0)
		kernel = NULL;
	r->log_path = log_path_for(o->logdir, t->name);
	if (!kernel || !r->log_path)
		goto out;
	err_path = err_path_for(r->log_path);
	snprintf(smp, sizeof(smp), "%u",
		 t->smp == CONFORM_SMP_MAX ? o->online_cpus : t->smp);
	snprintf(accel, sizeof(accel), "accel=%s", o->accel ? o->accel : "");
	argv = build_argv(o, t, kernel, smp, accel);
	if (!argv || !err_path)
		goto out;

	logfd = open(r->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (logfd < 0) {
		r->done = true;
		r->verdict = CONFORM_FAIL;
		conform_set_reason(r, "cannot create log %s: %s", r->log_path,
			   strerror(errno));
		free(r->log_path);
		r->log_path = NULL;
		pid = 0;
		goto out;
	}
	write_cmdline(logfd, argv);
	pre = premature(o, t, smp, accel, r, logfd);
	if (pre) {
		pid = pre > 0 ? 0 : pre;
		goto out;
	}
	/*
	 * A missing test file is left to the emulator, as the runner does:
	 * its complaint and exit status make the verdict.
	 */
	errfd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	/* stdin from /dev/null: a background group reading the tty would stop */
	nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	/* tells the parent why exec failed; closes by itself on success */
	if (errfd < 0 || nullfd < 0 || pipe2(pfd, O_CLOEXEC) < 0) {
		pid = -errno;
		goto out;
	}

	pid = fork();
	if (pid < 0) {
		pid = -errno;
		goto out;
	}
	if (pid == 0) {
		int e;

		conform_exec_child(argv, nullfd, logfd, errfd);
		e = errno;
		if (write(pfd[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	/* both sides call setpgid so the group exists before anyone kills it */
	setpgid(pid, pid);
	close(pfd[1]);
	pfd[1] = -1;
	do
		got = read(pfd[0], &child_err, sizeof(child_err));
	while (got < 0 && errno == EINTR);
	if (got == (ssize_t)sizeof(child_err)) {
		int st;

		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		r->done = true;
		r->verdict = CONFORM_FAIL;
		conform_set_reason(r, "cannot execute %s: %s", o->emulator,
			   strerror(child_err));
		dprintf(logfd, "pcvm-conform: %s\n", r->reason);
		pid = 0;
	}
out:
	if (pid < 0 && !r->done) {
		r->done = true;
		r->verdict = CONFORM_FAIL;
		conform_set_reason(r, "cannot start: %s", strerror((int)-pid));
		pid = 0;
	}
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	if (nullfd >= 0)
		close(nullfd);
	if (logfd >= 0)
		close(logfd);
	if (errfd >= 0)
		close(errfd);
	if (pid == 0 && err_path)
		unlink(err_path);
	free(err_path);
	free(argv);
	free(kernel);
	return pid;
}

/* Reap the job if its emulator ended. Returns true when it did. */
static bool try_reap(struct job *j, const struct conform_test *t,
		     struct conform_result *r, bool allow_stderr)
{
	siginfo_t si;
	char *err_path;
	int status, ret;

	memset(&si, 0, sizeof(si));
	ret = waitid(P_PID, (id_t)j->pid, &si, WEXITED | WNOHANG | WNOWAIT);
	if (ret < 0 && errno == ECHILD)
		goto lost;
	if (ret < 0 || si.si_pid != j->pid)
		return false;
	/*
	 * The zombie leader still pins the group id, so this cannot hit a
	 * stranger; it sweeps up anything the emulator left running.
	 */
	killpg(j->pid, SIGKILL);
	while (waitpid(j->pid, &status, 0) < 0) {
		if (errno != EINTR)
			goto lost;
	}
	r->seconds = now_s() - j->start;
	err_path = r->log_path ? err_path_for(r->log_path) : NULL;
	/* the runner's TIMEOUT default is "90s" */
	conform_decide(r, status, t->timeout_text ? t->timeout_text : "90s",
		       j->interrupted, err_path, allow_stderr);
	free(err_path);
	j->pid = 0;
	return true;
lost:
	/* only if something else reaped it; never spin on a dead slot */
	killpg(j->pid, SIGKILL);
	err_path = r->log_path ? err_path_for(r->log_path) : NULL;
	if (err_path)
		unlink(err_path);
	free(err_path);
	r->seconds = now_s() - j->start;
	r->done = true;
	r->verdict = CONFORM_FAIL;
	r->exit_status = -1;
	conform_set_reason(r, "lost the emulator's exit status: %s",
			   strerror(errno));
	j->pid = 0;
	return true;
}

static void send_term(struct job *j, double now)
{
	killpg(j->pid, SIGTERM);
	j->term_sent = true;
	j->kill_at = now + CONFORM_KILL_GRACE;
}

int conform_run_tests(const struct conform_run_opts *o,
		      const struct conform_test *const *tests, size_t n,
		      struct conform_result *results)
{
	static const int stop_sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct job *jobs = calloc(o->jobs, sizeof(*jobs));
	sigset_t set, old_mask;
	struct sigaction sa, old_chld;
	size_t next = 0, running = 0;
	int stop_sig = 0, ret = 0;

	if (!jobs)
		return -ENOMEM;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (size_t k = 0; k < sizeof(stop_sigs) / sizeof(stop_sigs[0]); k++) {
		struct sigaction cur;

		/* respect nohup and friends: an ignored signal stays ignored */
		if (sigaction(stop_sigs[k], NULL, &cur) == 0 &&
		    cur.sa_handler != SIG_IGN)
			sigaddset(&set, stop_sigs[k]);
	}
	sigprocmask(SIG_BLOCK, &set, &old_mask);
	/*
	 * An inherited SIG_IGN would auto-reap children (no exit status), and
	 * SIG_DFL may discard the signal: install a handler so it queues.
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigchld;
	sa.sa_flags = SA_NOCLDSTOP;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, &old_chld);

	for (;;) {
		double now, wait = MAX_WAIT;
		bool reaped = false;
		struct timespec ts;
		siginfo_t info;
		int sig;

		while (!stop_sig && running < o->jobs && next < n) {
			size_t i = next++;
			pid_t pid = 0;

			if (!results[i].done)
				pid = start_test(o, tests[i], &results[i]);
			if (pid > 0) {
				struct job *j = jobs;

				while (j->pid)
					j++;
				memset(j, 0, sizeof(*j));
				j->pid = pid;
				j->idx = i;
				j->start = now_s();
				j->deadline = tests[i]->timeout > 0 ?
					      j->start + tests[i]->timeout : 0;
				running++;
			} else if (o->on_done) {
				o->on_done(o->ctx, tests[i], &results[i]);
			}
		}
		if (!running && (next == n || stop_sig))
			break;

		for (size_t k = 0; k < o->jobs; k++) {
			struct job *j = &jobs[k];
			size_t i = j->idx;

			if (j->pid && try_reap(j, tests[i], &results[i], o->allow_stderr)) {
				running--;
				reaped = true;
				if (o->on_done)
					o->on_done(o->ctx, tests[i], &results[i]);
			}
		}
		if (reaped)
			continue;

		now = now_s();
		for (size_t k = 0; k < o->jobs; k++) {
			struct job *j = &jobs[k];
			double due;

			if (!j->pid)
				continue;
			if (!j->term_sent && j->deadline && now >= j->deadline) {
				results[j->idx].timed_out = true;
				send_term(j, now);
			} else if (j->term_sent && !j->kill_sent && now >= j->kill_at) {
				killpg(j->pid, SIGKILL);
				j->kill_sent = true;
			}
			due = j->kill_sent ? 0 : j->term_sent ? j->kill_at : j->deadline;
			if (due && due - now < wait)
				wait = due - now > 0 ? due - now : 0;
		}

		ts.tv_sec = (time_t)wait;
		ts.tv_nsec = (long)((wait - (double)ts.tv_sec) * 1e9);
		sig = sigtimedwait(&set, &info, &ts);
		if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
			if (!stop_sig)
				stop_sig = sig;
			now = now_s();
			for (size_t k = 0; k < o->jobs; k++) {
				if (jobs[k].pid && !jobs[k].term_sent) {
					jobs[k].interrupted = true;
					send_term(&jobs[k], now);
				}
			}
		}
	}
	ret = stop_sig;

	sigaction(SIGCHLD, &old_chld, NULL);
	/* drop whatever stayed pending so it cannot fire once unblocked */
	for (;;) {
		struct timespec zero = { 0, 0 };
		sigset_t chld;

		sigemptyset(&chld);
		sigaddset(&chld, SIGCHLD);
		if (sigtimedwait(&chld, NULL, &zero) < 0)
			break;
	}
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	free(jobs);
	return ret;
}
