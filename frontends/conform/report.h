/*
 * report.h - progress lines, the final table and JUnit XML.
 */
#ifndef PCVM_CONFORM_REPORT_H
#define PCVM_CONFORM_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "cfg.h"
#include "run.h"

/* Lines of the log quoted in a JUnit <failure>. */
#define CONFORM_JUNIT_TAIL_LINES 40

struct conform_totals {
	size_t passed, failed, skipped;
};

/* "14 pass, 1 fail" from the counted lines, or the SUMMARY text. */
void conform_format_checks(const struct conform_result *r, char *buf,
			   size_t len);

/* One line as a test finishes: "PASS  name  (1.23 s, 14 pass)". */
void conform_report_line(FILE *out, const struct conform_test *t,
			 const struct conform_result *r);

/* Copy the test's log to out between marker lines (-v). */
void conform_report_log(FILE *out, const struct conform_test *t,
			const struct conform_result *r);

struct conform_totals conform_count(const struct conform_result *results,
				    size_t n);

/*
 * The table, the wall-time line, and last the line CI greps for:
 * "N passed, N failed" (", N skipped" when any were).
 */
void conform_report_summary(FILE *out, const struct conform_test *const *tests,
			    const struct conform_result *results, size_t n,
			    double wall);

/*
 * Write JUnit XML to path via path.tmp and rename. Returns 0, or a
 * negative errno with a one-line message in err.
 */
int conform_junit_write(const char *path, const char *suite,
			const struct conform_test *const *tests,
			const struct conform_result *results, size_t n,
			double wall, char *err, size_t errlen);

#endif
