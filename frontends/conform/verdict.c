/*
 * verdict.c - what a finished emulator run means: the kvm-unit-tests exit
 * status convention cross-checked with the PASS:/FAIL: lines it printed.
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

int conform_scan_log(const char *path, struct conform_result *r)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	r->npass = r->nfail = r->nskip = r->nxfail = 0;
	r->summary[0] = '\0';
	if (!f)
		return -errno;
	while ((len = getline(&line, &cap, f)) >= 0) {
		char *s = line;

		/* serial output often carries \r before \n, or leading blanks */
		while (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (has_prefix(s, "PASS:"))
			r->npass++;
		else if (has_prefix(s, "FAIL:") || has_prefix(s, "XPASS:"))
			r->nfail++; /* an unexpected pass is a failure too */
		else if (has_prefix(s, "SKIP:"))
			r->nskip++;
		else if (has_prefix(s, "XFAIL:"))
			r->nxfail++;
		else if (has_prefix(s, "SUMMARY:")) {
			s += strlen("SUMMARY:");
			while (*s == ' ')
				s++;
			snprintf(r->summary, sizeof(r->summary), "%s", s);
		}
	}
	free(line);
	fclose(f);
	return 0;
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

void conform_decide(struct conform_result *r, int status, double timeout,
		    bool interrupted)
{
	char sb[32];

	r->done = true;
	r->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	r->term_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	if (r->log_path)
		conform_scan_log(r->log_path, r);

	r->verdict = CONFORM_FAIL;
	if (interrupted) {
		conform_set_reason(r, "interrupted");
	} else if (r->timed_out) {
		conform_set_reason(r, "timeout after %g s", timeout);
	} else if (r->term_signal) {
		conform_set_reason(r, "emulator killed by %s%s",
			   sig_name(r->term_signal, sb, sizeof(sb)),
			   WCOREDUMP(status) ? " (core dumped)" : "");
	} else if (r->exit_status == CONFORM_STATUS_PASS) {
		if (r->nfail)
			conform_set_reason(r, "status says pass but FAIL lines present");
		else
			r->verdict = CONFORM_PASS;
	} else if (r->exit_status == CONFORM_STATUS_SKIP) {
		r->verdict = CONFORM_SKIP;
		conform_set_reason(r, "test skipped itself (status 77)");
	} else if (r->exit_status == 0) {
		conform_set_reason(r, "exit status 0 (the guest never wrote isa-debug-exit)");
	} else {
		conform_set_reason(r, "exit status %d", r->exit_status);
	}
}
