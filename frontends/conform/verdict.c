/*
 * verdict.c - what a finished emulator run means, as kvm-unit-tests' runner
 * decides it (scripts/arch-run.bash run_qemu, scripts/runtime.bash run()):
 * the exit status, the emulator's stderr, and the test's own FAIL: lines.
 */
#define _GNU_SOURCE
#include "run.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

const char *conform_verdict_name(enum conform_verdict v)
{
	switch (v) {
	case CONFORM_PASS: return "PASS";
	case CONFORM_FAIL: return "FAIL";
	case CONFORM_SKIP: return "SKIP";
	}
	return "?";
}

bool conform_arch_supported(const char *arch)
{
	return !arch || !strcmp(arch, "i386") || !strcmp(arch, "x86_64");
}

void conform_result_free(struct conform_result *r)
{
	free(r->log_path);
	r->log_path = NULL;
}

static bool has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* the line without its end of line; len updated */
static void chomp(char *line, ssize_t *len)
{
	while (*len > 0 && (line[*len - 1] == '\n' || line[*len - 1] == '\r'))
		line[--*len] = '\0';
}

/* how many of the last lines the runner reads for SUMMARY (tail -3) */
#define SUMMARY_TAIL 3

int conform_scan_log(const char *path, struct conform_result *r)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, tail[SUMMARY_TAIL][sizeof(r->summary) + 16];
	size_t cap = 0, nlines = 0;
	ssize_t len;

	r->npass = r->nfail = r->nskip = r->nxfail = 0;
	r->summary[0] = '\0';
	if (!f)
		return -errno;
	while ((len = getline(&line, &cap, f)) >= 0) {
		char *s = line;

		chomp(line, &len);
		snprintf(tail[nlines++ % SUMMARY_TAIL], sizeof(tail[0]), "%s", line);
		/* serial output may carry leading blanks */
		while (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		if (has_prefix(s, "PASS:"))
			r->npass++;
		else if (has_prefix(s, "FAIL:") || has_prefix(s, "XPASS:"))
			r->nfail++; /* an unexpected pass is a failure too */
		else if (has_prefix(s, "SKIP:"))
			r->nskip++;
		else if (has_prefix(s, "XFAIL:"))
			r->nxfail++;
	}
	/* runtime.bash: tail -3 | grep '^SUMMARY: ', the line's \r dropped */
	for (size_t i = nlines > SUMMARY_TAIL ? nlines - SUMMARY_TAIL : 0;
	     i < nlines; i++) {
		const char *s = tail[i % SUMMARY_TAIL];

		if (has_prefix(s, "SUMMARY: "))
			snprintf(r->summary, sizeof(r->summary), "%s",
				 s + strlen("SUMMARY: "));
	}
	free(line);
	fclose(f);
	return 0;
}

static bool mentions_warning(const char *s)
{
	return strcasestr(s, "warning") != NULL;
}

int conform_scan_stderr(const char *path, struct conform_result *r)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	r->nerr_lines = 0;
	r->first_err[0] = '\0';
	r->stderr_signal = 0;
	if (!f)
		return -errno;
	while ((len = getline(&line, &cap, f)) >= 0) {
		const char *sig = strstr(line, "terminating on signal ");

		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		/* QEMU's words when a signal made it exit 0 (run_qemu) */
		if (sig && !r->stderr_signal) {
			sig += strlen("terminating on signal ");
			if (*sig >= '0' && *sig <= '9')
				r->stderr_signal = atoi(sig);
		}
		/* run_qemu: grep -vi warning, then empty lines vanish in $(...) */
		if (!len || mentions_warning(line))
			continue;
		if (!r->nerr_lines++) {
			chomp(line, &len);
			snprintf(r->first_err, sizeof(r->first_err), "%s", line);
		}
	}
	free(line);
	fclose(f);
	return 0;
}

/* Append the stderr text to the log (after its stdout) and remove it. */
static void fold_stderr(const char *log_path, const char *err_path)
{
	FILE *in = fopen(err_path, "r"), *out = NULL;
	char buf[4096];
	size_t n;
	bool first = true, nl = true;

	if (!in)
		return;
	if (log_path)
		out = fopen(log_path, "a");
	while (out && (n = fread(buf, 1, sizeof(buf), in)) > 0) {
		if (first)
			fputs("# pcvm-conform: the emulator's stderr:\n", out);
		first = false;
		fwrite(buf, 1, n, out);
		nl = buf[n - 1] == '\n';
	}
	if (out && !nl)
		fputc('\n', out);
	if (out)
		fclose(out);
	fclose(in);
	unlink(err_path);
}

void conform_set_reason(struct conform_result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
}

static const char *sig_name(int sig, char *buf, size_t len)
{
	const char *abbrev = sigabbrev_np(sig);

	if (abbrev)
		snprintf(buf, len, "SIG%s", abbrev);
	else
		snprintf(buf, len, "signal %d", sig);
	return buf;
}

void conform_verdict_from(struct conform_result *r, int status,
			  const char *duration, bool interrupted)
{
	char sb[32];
	int code;

	r->done = true;
	r->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	r->term_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	code = r->exit_status;

	r->verdict = CONFORM_FAIL;
	if (interrupted) {
		conform_set_reason(r, "interrupted");
	} else if (r->timed_out) {
		conform_set_reason(r, "timeout; duration=%s", duration);
	} else if (r->term_signal) {
		conform_set_reason(r, "terminated on %s%s",
			   sig_name(r->term_signal, sb, sizeof(sb)),
			   WCOREDUMP(status) ? " (core dumped)" : "");
	} else if (code == 0 && r->stderr_signal) {
		/* run_qemu: "some signals result in a zero return status" */
		conform_set_reason(r, "terminated on %s",
			   sig_name(r->stderr_signal, sb, sizeof(sb)));
	} else if (code == 0) {
		conform_set_reason(r, "exit status 0 (the guest never wrote isa-debug-exit)");
	} else if (code == CONFORM_STATUS_PASS && r->nerr_lines) {
		/* run_qemu takes status 1 with errors on stderr for QEMU failing */
		conform_set_reason(r, "status 1 with errors on stderr: %s",
			   r->first_err);
	} else if (code == CONFORM_STATUS_PASS && r->nfail) {
		/* not in the runner; kvm-unit-tests never exits 1 after a FAIL */
		conform_set_reason(r, "status says pass but FAIL lines present");
	} else if (code == CONFORM_STATUS_PASS) {
		r->verdict = CONFORM_PASS;
	} else if (code == CONFORM_STATUS_SKIP) {
		r->verdict = CONFORM_SKIP;
		conform_set_reason(r, "test skipped itself (status 77)");
	} else if (code > 128) {
		/* the runner reads any status above 128 as a signal */
		conform_set_reason(r, "terminated on %s (exit status %d)",
			   sig_name(code - 128, sb, sizeof(sb)), code);
	} else if (r->first_err[0]) {
		conform_set_reason(r, "exit status %d; stderr: %s", code,
			   r->first_err);
	} else {
		conform_set_reason(r, "exit status %d", code);
	}
}

void conform_decide(struct conform_result *r, int status, const char *duration,
		    bool interrupted, const char *err_path, bool allow_stderr)
{
	if (r->log_path)
		conform_scan_log(r->log_path, r);
	if (err_path) {
		conform_scan_stderr(err_path, r);
		fold_stderr(r->log_path, err_path);
	}
	if (allow_stderr)
		r->nerr_lines = 0;
	conform_verdict_from(r, status, duration, interrupted);
}
