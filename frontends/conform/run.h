/*
 * run.h - run test kernels as child processes and decide their verdicts.
 */
#ifndef PCVM_CONFORM_RUN_H
#define PCVM_CONFORM_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "cfg.h"

enum conform_verdict {
	CONFORM_PASS,
	CONFORM_FAIL,
	CONFORM_SKIP,
};

/* kvm-unit-tests: isa-debug-exit turns the guest's value v into 2v+1 */
#define CONFORM_STATUS_PASS 1
#define CONFORM_STATUS_SKIP 77

/* Grace period between SIGTERM and SIGKILL for a test's process group. */
#define CONFORM_KILL_GRACE 2.0

struct conform_result {
	/* set once the verdict is final; main may preset it (e.g. nodefault) */
	bool done;
	enum conform_verdict verdict;
	char reason[256];       /* why it is not a plain PASS; "" otherwise */
	double seconds;         /* wall time of the emulator run */
	int exit_status;        /* -1 when it did not exit normally */
	int term_signal;        /* 0 when not killed by a signal */
	bool timed_out;
	/* lines of the captured COM1 output (the emulator's stdout) */
	unsigned npass, nfail, nskip, nxfail;
	char summary[200];      /* "SUMMARY: " line among the last 3, or "" */
	/* the emulator's stderr: lines the runner counts as errors */
	unsigned nerr_lines;
	char first_err[160];
	int stderr_signal;      /* N of "terminating on signal N"; 0 if none */
	char *log_path;         /* malloc'ed; NULL when nothing ran */
};

struct conform_run_opts {
	const char *emulator;
	/* what x86/run adds when "-device ?" lists them (probe.c) */
	bool pc_testdev;
	bool pci_testdev;
	const char *accel;                  /* -machine accel=; NULL: none */
	/* stderr lines never fail a status-1 run (--allow-stderr) */
	bool allow_stderr;
	const char *const *emulator_args;   /* appended to every command */
	size_t n_emulator_args;
	const char *testdir;                /* file= is relative to this */
	const char *logdir;                 /* must exist */
	unsigned jobs;                      /* >= 1 */
	unsigned online_cpus;               /* what smp=$MAX_SMP means */
	/* called in completion order, from the runner's thread */
	void (*on_done)(void *ctx, const struct conform_test *t,
			const struct conform_result *r);
	void *ctx;
};

/*
 * Run tests[0..n) with up to o->jobs at a time, filling results[i]
 * (zero-initialised by the caller, or preset with done = true).
 * Returns 0 when all ran, the signal number when SIGINT/SIGTERM/SIGHUP
 * stopped the run (every child is killed and reaped by then, results of
 * tests that never finished keep done = false), or a negative errno on a
 * setup failure. Never leaves a child behind.
 */
int conform_run_tests(const struct conform_run_opts *o,
		      const struct conform_test *const *tests, size_t n,
		      struct conform_result *results);

/* verdict.c */

/*
 * Fill r's verdict and reason from the wait() status and r's log (stdout)
 * and err_path (stderr, NULL: none), as kvm-unit-tests' run_qemu and
 * runtime.bash's run() would; r->timed_out must be set already.
 * duration: the timeout as the runner prints it. interrupted: we killed
 * it on ^C. The stderr text is appended to the log and err_path removed;
 * allow_stderr: its lines do not fail a status-1 run.
 */
void conform_decide(struct conform_result *r, int status, const char *duration,
		    bool interrupted, const char *err_path, bool allow_stderr);

/* The decision alone, from status and the fields scanned into r. */
void conform_verdict_from(struct conform_result *r, int status,
			  const char *duration, bool interrupted);

/* Scan the emulator's stderr into r's nerr_lines, first_err, stderr_signal. */
int conform_scan_stderr(const char *path, struct conform_result *r);

void conform_set_reason(struct conform_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Count PASS:/FAIL:/SKIP:/XFAIL:/XPASS: lines; find the SUMMARY: line. */
int conform_scan_log(const char *path, struct conform_result *r);

bool conform_arch_supported(const char *arch);

const char *conform_verdict_name(enum conform_verdict v);

void conform_result_free(struct conform_result *r);

#endif
