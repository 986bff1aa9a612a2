/*
 * report.c - human-readable results and JUnit XML for pcvm-conform.
 */
#define _GNU_SOURCE
#include "report.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vm/outfile.h"

/* Enough of a log's end to hold the quoted lines of all but absurd logs. */
#define TAIL_BYTES (64 * 1024)

/* fmt is "%s%u what": the %s gets the separator */
static void append(char *buf, size_t len, size_t *pos, const char *fmt,
		   unsigned v)
{
	int n;

	if (*pos >= len)
		return;
	n = snprintf(buf + *pos, len - *pos, fmt, *pos ? ", " : "", v);
	if (n > 0)
		*pos += (size_t)n;
}

void conform_format_checks(const struct conform_result *r, char *buf,
			   size_t len)
{
	size_t pos = 0;

	if (!len)
		return;
	buf[0] = '\0';
	if (!r->npass && !r->nfail && !r->nskip && !r->nxfail) {
		if (r->summary[0])
			snprintf(buf, len, "%s", r->summary);
		return;
	}
	if (r->npass)
		append(buf, len, &pos, "%s%u pass", r->npass);
	if (r->nfail)
		append(buf, len, &pos, "%s%u fail", r->nfail);
	if (r->nskip)
		append(buf, len, &pos, "%s%u skip", r->nskip);
	if (r->nxfail)
		append(buf, len, &pos, "%s%u xfail", r->nxfail);
}

void conform_report_line(FILE *out, const struct conform_test *t,
			 const struct conform_result *r)
{
	char checks[128];

	conform_format_checks(r, checks, sizeof(checks));
	fprintf(out, "%s  %s  (", conform_verdict_name(r->verdict), t->name);
	if (r->log_path)
		fprintf(out, "%.2f s", r->seconds);
	if (checks[0])
		fprintf(out, "%s%s", r->log_path ? ", " : "", checks);
	if (r->reason[0])
		fprintf(out, "%s%s", r->log_path || checks[0] ? "; " : "",
			r->reason);
	fprintf(out, ")\n");
	/* lines must appear as tests finish even when piped into a CI log */
	fflush(out);
}

void conform_report_log(FILE *out, const struct conform_test *t,
			const struct conform_result *r)
{
	char buf[8192];
	size_t n;
	bool nl = true;
	FILE *f;

	if (!r->log_path)
		return;
	fprintf(out, "----- log of %s (%s) -----\n", t->name, r->log_path);
	f = fopen(r->log_path, "r");
	if (!f) {
		fprintf(out, "(cannot open: %s)\n", strerror(errno));
	} else {
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
			fwrite(buf, 1, n, out);
			nl = buf[n - 1] == '\n';
		}
		fclose(f);
		if (!nl)
			fputc('\n', out);
	}
	fprintf(out, "----- end of %s -----\n", t->name);
	fflush(out);
}

struct conform_totals conform_count(const struct conform_result *results,
				    size_t n)
{
	struct conform_totals c = { 0, 0, 0 };

	for (size_t i = 0; i < n; i++) {
		if (!results[i].done)
			continue;
		switch (results[i].verdict) {
		case CONFORM_PASS: c.passed++; break;
		case CONFORM_FAIL: c.failed++; break;
		case CONFORM_SKIP: c.skipped++; break;
		}
	}
	return c;
}

void conform_report_summary(FILE *out, const struct conform_test *const *tests,
			    const struct conform_result *results, size_t n,
			    double wall)
{
	struct conform_totals c = conform_count(results, n);
	int wname = 4;
	double sum = 0;

	for (size_t i = 0; i < n; i++) {
		int l = (int)strlen(tests[i]->name);

		if (l > wname)
			wname = l;
	}
	if (n) {
		fprintf(out, "\n%-*s  %-7s  %9s  %s\n", wname, "TEST", "VERDICT",
			"TIME", "CHECKS");
		for (size_t i = 0; i < n; i++) {
			const struct conform_result *r = &results[i];
			char checks[128], time[32] = "-";

			conform_format_checks(r, checks, sizeof(checks));
			if (r->log_path)
				snprintf(time, sizeof(time), "%.2f s", r->seconds);
			sum += r->seconds;
			fprintf(out, "%-*s  %-7s  %9s  %s%s%s\n", wname,
				tests[i]->name,
				r->done ? conform_verdict_name(r->verdict) : "-",
				time, checks, checks[0] && r->reason[0] ? "; " : "",
				r->reason);
		}
	}
	fprintf(out, "\ntotal: %zu test%s in %.2f s wall time (%.2f s of test time)\n",
		n, n == 1 ? "" : "s", wall, sum);
	if (c.skipped)
		fprintf(out, "%zu passed, %zu failed, %zu skipped\n", c.passed,
			c.failed, c.skipped);
	else
		fprintf(out, "%zu passed, %zu failed\n", c.passed, c.failed);
	fflush(out);
}

/*
 * Length of the valid UTF-8 sequence at s (at most left bytes) that XML 1.0
 * allows, or 0. Guest output is arbitrary bytes; one bad byte would make
 * the whole report unparseable.
 */
static size_t xml_char_len(const unsigned char *s, size_t left)
{
	unsigned char b = s[0];
	size_t len;
	unsigned char lo = 0x80, hi = 0xbf;

	if (b < 0x80)
		return (b >= 0x20 || b == '\t' || b == '\n' || b == '\r') ? 1 : 0;
	if (b >= 0xc2 && b <= 0xdf)
		len = 2;
	else if (b >= 0xe0 && b <= 0xef)
		len = 3;
	else if (b >= 0xf0 && b <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > left)
		return 0;
	/* the second byte's range rules out overlongs, surrogates, > U+10FFFF */
	if (b == 0xe0)
		lo = 0xa0;
	else if (b == 0xed)
		hi = 0x9f;
	else if (b == 0xf0)
		lo = 0x90;
	else if (b == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	/* U+FFFE and U+FFFF are not XML characters */
	if (b == 0xef && s[1] == 0xbf && s[2] >= 0xbe)
		return 0;
	return len;
}

static void xml_escape(FILE *f, const char *str, size_t n, bool attr)
{
	const unsigned char *s = (const unsigned char *)str;

	for (size_t i = 0; i < n;) {
		size_t l = xml_char_len(s + i, n - i);

		if (!l) {
			fputs("\xef\xbf\xbd", f); /* U+FFFD for the bad byte */
			i++;
			continue;
		}
		switch (s[i]) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs(attr ? "&quot;" : "\"", f); break;
		case '\'': fputs(attr ? "&apos;" : "'", f); break;
		/* attribute normalisation would turn these into spaces */
		case '\n': fputs(attr ? "&#10;" : "\n", f); break;
		case '\r': fputs("&#13;", f); break;
		case '\t': fputs(attr ? "&#9;" : "\t", f); break;
		default: fwrite(s + i, 1, l, f); break;
		}
		i += l;
	}
}

static void xml_attr(FILE *f, const char *name, const char *val)
{
	fprintf(f, " %s=\"", name);
	xml_escape(f, val, strlen(val), true);
	fputc('"', f);
}

/* The last CONFORM_JUNIT_TAIL_LINES lines of the log, escaped. */
static void xml_log_tail(FILE *out, const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t n = 0, start;
	unsigned lines = 0;
	long size;

	if (!f)
		return;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > TAIL_BYTES)
		fseek(f, size - TAIL_BYTES, SEEK_SET);
	else
		fseek(f, 0, SEEK_SET);
	buf = malloc(TAIL_BYTES);
	if (buf)
		n = fread(buf, 1, TAIL_BYTES, f);
	fclose(f);
	if (!n)
		goto out;
	start = n;
	/* a trailing newline ends the last line, it does not start a new one */
	if (buf[start - 1] == '\n')
		start--;
	while (start > 0) {
		if (buf[start - 1] == '\n' && ++lines == CONFORM_JUNIT_TAIL_LINES)
			break;
		start--;
	}
	xml_escape(out, buf + start, n - start, false);
out:
	free(buf);
}

static int write_xml(FILE *f, const char *suite,
		     const struct conform_test *const *tests,
		     const struct conform_result *results, size_t n, double wall)
{
	struct conform_totals c = conform_count(results, n);
	char num[64], stamp[32] = "";
	time_t now = time(NULL);
	struct tm tm;

	if (gmtime_r(&now, &tm))
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite", f);
	xml_attr(f, "name", suite);
	fprintf(f, " tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\""
		   " time=\"%.3f\"", n, c.failed, c.skipped, wall);
	xml_attr(f, "timestamp", stamp);
	fputs(">\n", f);
	for (size_t i = 0; i < n; i++) {
		const struct conform_result *r = &results[i];

		fputs("  <testcase", f);
		xml_attr(f, "name", tests[i]->name);
		xml_attr(f, "classname", suite);
		snprintf(num, sizeof(num), "%.3f", r->seconds);
		xml_attr(f, "time", num);
		if (r->done && r->verdict == CONFORM_PASS) {
			fputs("/>\n", f);
			continue;
		}
		fputs(">\n", f);
		if (!r->done) {
			fputs("    <skipped message=\"not run\"/>\n", f);
		} else if (r->verdict == CONFORM_SKIP) {
			fputs("    <skipped", f);
			xml_attr(f, "message", r->reason);
			fputs("/>\n", f);
		} else {
			fputs("    <failure", f);
			xml_attr(f, "message", r->reason);
			fputs(">", f);
			if (r->log_path)
				xml_log_tail(f, r->log_path);
			fputs("</failure>\n", f);
		}
		fputs("  </testcase>\n", f);
	}
	fputs("</testsuite>\n", f);
	return ferror(f) ? -EIO : 0;
}

int conform_junit_write(const char *path, const char *suite,
			const struct conform_test *const *tests,
			const struct conform_result *results, size_t n,
			double wall, char *err, size_t errlen)
{
	struct outfile out;
	FILE *f;
	int ret = outfile_open(&out, path);

	if (ret) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(-ret));
		return ret;
	}
	f = outfile_stdio(&out);
	ret = f ? write_xml(f, suite, tests, results, n, wall) : -ENOMEM;
	/* the data is only safe once fclose flushed it without error */
	if (f && fclose(f) != 0 && !ret)
		ret = -EIO;
	ret = outfile_close(&out, ret);
	if (ret)
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(-ret));
	return ret;
}
