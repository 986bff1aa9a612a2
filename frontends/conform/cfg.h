/*
 * cfg.h - parser for kvm-unit-tests style unittests.cfg files.
 *
 * Build:
 *   pcvm-conform = frontends/conform/main.c
 *                  frontends/conform/cfg.c frontends/conform/cfg_words.c
 *                  frontends/conform/gate.c frontends/conform/probe.c
 *                  frontends/conform/run.c frontends/conform/verdict.c
 *                  frontends/conform/report.c src/vm/outfile.c
 *                  (libc only, no pcvm libraries)
 *   tests/unit/test_conform_{cfg,verdict} = tests/unit/test_conform_*.c
 *                  frontends/conform/cfg.c frontends/conform/cfg_words.c
 *                  frontends/conform/gate.c frontends/conform/verdict.c
 *                  -Ifrontends/conform -lcriterion
 *
 * The parser (cfg.c + cfg_words.c), gate.c and verdict.c depend on libc
 * only, never on main.c, run.c, probe.c or report.c, so the unit tests
 * link them alone.
 *
 * Format (one section per test):
 *
 *   # comment                  lines whose first non-blank is '#'
 *   [name]
 *   file = x.flat              required; relative to the test directory
 *   smp = 2                    default 1; "$MAX_SMP" means all online CPUs
 *   extra_params = -cpu max -append 'a b'
 *                              split like a POSIX shell would (quotes,
 *                              backslashes; no expansion). A value wholly
 *                              enclosed in one pair of quotes is unwrapped
 *                              first. A value starting with """ may span
 *                              lines up to the closing """. qemu_params is
 *                              an alias (newer kvm-unit-tests).
 *   test_args = a b            newer kvm-unit-tests: becomes -append 'a b'
 *   timeout = 90s              number with optional s/m/h/d suffix, as for
 *                              timeout(1); 0 disables; default 90 s
 *   arch = i386|x86_64
 *   groups = a b               whitespace separated
 *   accel = kvm|tcg            run only under that accelerator
 *   check = PATH=VALUE         run only when file PATH holds VALUE (gate.c)
 *                              accel= and check= may repeat, the last one
 *                              counts (kvm-unit-tests' for_each_unittest
 *                              keeps the last; pmu_lbr has two check=)
 *   anything_else = ...        ignored
 *
 * Errors: a key outside a section, a line without '=', a duplicate section,
 * a duplicate known key (but accel, check), a section without file=, a bad number or an
 * unterminated quote. The message is one line "FILE:LINE: problem".
 */
#ifndef PCVM_CONFORM_CFG_H
#define PCVM_CONFORM_CFG_H

#include <stdbool.h>
#include <stddef.h>

#define CONFORM_DEFAULT_TIMEOUT 90.0

/* smp value meaning "as many vCPUs as the host has online CPUs" */
#define CONFORM_SMP_MAX 0u

struct conform_test {
	char *name;
	char *file;           /* as written in the cfg, not resolved */
	unsigned smp;         /* >= 1, or CONFORM_SMP_MAX */
	char *extra_params;   /* raw text, for display; never NULL */
	char **extra_argv;    /* split extra_params (+ test_args), NULL-terminated */
	size_t extra_argc;
	double timeout;       /* seconds; 0 = none */
	char *timeout_text;   /* timeout= as written; NULL when absent */
	char *accel;          /* NULL when the section has no accel= */
	char *check;          /* NULL when the section has no check= */
	char *arch;           /* NULL when the section has no arch= */
	char **groups;        /* NULL-terminated */
	size_t ngroups;
	unsigned line;        /* line of the [name] header */
};

struct conform_cfg {
	struct conform_test *tests;
	size_t ntests;
};

/*
 * Parse text (NUL-terminated) that came from fname (used in messages).
 * On success returns 0 and fills *cfg, which the caller frees with
 * conform_cfg_free(). On failure returns -1 (bad syntax) or -ENOMEM,
 * writes "fname:line: problem" into err and leaves *cfg empty.
 */
int conform_cfg_parse_string(const char *text, const char *fname,
			     struct conform_cfg *cfg, char *err, size_t errlen);

/* Same for a file; a file that cannot be read gives "fname: reason". */
int conform_cfg_parse_file(const char *path, struct conform_cfg *cfg,
			   char *err, size_t errlen);

void conform_cfg_free(struct conform_cfg *cfg);

/* Index of the test called name, or -1. */
long conform_cfg_find(const struct conform_cfg *cfg, const char *name);

bool conform_test_in_group(const struct conform_test *t, const char *group);

/*
 * Parse a timeout(1) style duration: "90", "1.5m", "2h", "90s".
 * Returns 0 and sets *seconds, or -1 when s is not a duration.
 */
int conform_parse_duration(const char *s, double *seconds);

/*
 * Split s into words like a POSIX shell without expansions: blanks
 * separate, '...' is literal, "..." honours \" \\ \$ \` and \newline,
 * a backslash outside quotes escapes the next character. On success
 * returns 0 and a NULL-terminated malloc'ed array (free with
 * conform_free_argv). Returns -1 on an unterminated quote or trailing
 * backslash, -ENOMEM on allocation failure.
 */
int conform_split_words(const char *s, char ***argv, size_t *argc);

void conform_free_argv(char **argv);

/* Used between cfg.c and cfg_words.c; not meant for other callers. */

/* Append w to a NULL-terminated argv of capacity *cap (may grow it). */
int conform_argv_push(char ***argv, size_t *argc, size_t *cap, char *w);

/* extra_params: unwrap a wholly quoted value, then split (as above). */
int conform_split_params(const char *raw, char ***argv, size_t *argc);

/* "1".."4096" or "$MAX_SMP" (CONFORM_SMP_MAX); 0 or -1. */
int conform_parse_smp(const char *v, unsigned *smp);

#endif
