/*
 * cfg_words.c - the value syntax of unittests.cfg: shell-like word
 * splitting, durations, vCPU counts. Part of the parser library (cfg.h).
 */
#define _GNU_SOURCE
#include "cfg.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* the blanks that separate words; '\n' too, for multi-line values */
static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' ||
	       c == '\n';
}

void conform_free_argv(char **argv)
{
	if (!argv)
		return;
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
}

int conform_argv_push(char ***argv, size_t *argc, size_t *cap, char *w)
{
	if (*argc + 2 > *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		char **n = realloc(*argv, ncap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		*argv = n;
		*cap = ncap;
	}
	(*argv)[(*argc)++] = w;
	(*argv)[*argc] = NULL;
	return 0;
}

int conform_split_words(const char *s, char ***argvp, size_t *argcp)
{
	size_t len = strlen(s);
	char **argv = NULL;
	size_t argc = 0, cap = 0;
	/* a word is never longer than the input */
	char *buf = malloc(len + 1);
	int ret = -ENOMEM;

	if (!buf)
		goto out;
	/* callers get an empty, NULL-terminated array for blank input */
	if (conform_argv_push(&argv, &argc, &cap, NULL) < 0)
		goto out;
	argc = 0;

	for (const char *c = s; *c;) {
		size_t n = 0;
		bool in_word = false;

		while (*c && is_blank(*c))
			c++;
		if (!*c)
			break;
		while (*c && !is_blank(*c)) {
			in_word = true;
			if (*c == '\'') {
				const char *q = strchr(c + 1, '\'');

				if (!q) {
					ret = -1;
					goto out;
				}
				memcpy(buf + n, c + 1, (size_t)(q - c - 1));
				n += (size_t)(q - c - 1);
				c = q + 1;
			} else if (*c == '"') {
				for (c++; *c != '"'; c++) {
					if (!*c) {
						ret = -1;
						goto out;
					}
					if (*c == '\\' && c[1] == '\n') {
						c++;
						continue;
					}
					if (*c == '\\' && c[1] && strchr("\"\\$`", c[1]))
						c++;
					buf[n++] = *c;
				}
				c++;
			} else if (*c == '\\') {
				if (!c[1]) {
					ret = -1;
					goto out;
				}
				/* backslash-newline is a line continuation */
				if (c[1] != '\n')
					buf[n++] = c[1];
				c += 2;
			} else {
				buf[n++] = *c++;
			}
		}
		if (in_word) {
			char *w = strndup(buf, n);

			if (!w || conform_argv_push(&argv, &argc, &cap, w) < 0) {
				free(w);
				goto out;
			}
		}
	}
	*argvp = argv;
	*argcp = argc;
	argv = NULL;
	ret = 0;
out:
	conform_free_argv(argv);
	free(buf);
	return ret;
}

/*
 * kvm-unit-tests passes extra_params to eval, so quotes inside it quote
 * words. A value wholly inside one pair of quotes is config-level quoting
 * (people write extra_params = "-m 64"): unwrap it, then split the rest.
 */
int conform_split_params(const char *raw, char ***argv, size_t *argc)
{
	size_t len = strlen(raw);
	int ret;

	ret = conform_split_words(raw, argv, argc);
	if (ret < 0)
		return ret;
	if (*argc == 1 && len >= 2 && (raw[0] == '"' || raw[0] == '\'') &&
	    raw[len - 1] == raw[0]) {
		char *inner = (*argv)[0];

		(*argv)[0] = NULL;
		conform_free_argv(*argv);
		*argv = NULL;
		ret = conform_split_words(inner, argv, argc);
		free(inner);
	}
	return ret;
}

int conform_parse_duration(const char *s, double *seconds)
{
	const char *c;
	char *end;
	double v, mult = 1;
	size_t digits = 0, dots = 0;

	while (is_blank(*s))
		s++;
	/* plain decimals only: strtod alone would take inf, nan, hex, signs */
	for (c = s; (*c >= '0' && *c <= '9') || *c == '.'; c++) {
		if (*c == '.')
			dots++;
		else
			digits++;
	}
	if (!digits || dots > 1)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (end != c || errno || !isfinite(v))
		return -1;
	switch (*end) {
	case 's': end++; break;
	case 'm': mult = 60; end++; break;
	case 'h': mult = 3600; end++; break;
	case 'd': mult = 86400; end++; break;
	default: break;
	}
	while (is_blank(*end))
		end++;
	if (*end)
		return -1;
	*seconds = v * mult;
	return 0;
}

int conform_parse_smp(const char *v, unsigned *smp)
{
	char *end;
	unsigned long n;

	if (!strcmp(v, "$MAX_SMP") || !strcmp(v, "${MAX_SMP}")) {
		*smp = CONFORM_SMP_MAX;
		return 0;
	}
	if (!(*v >= '0' && *v <= '9'))
		return -1;
	errno = 0;
	n = strtoul(v, &end, 10);
	/* 4096 is far beyond any x86 topology; anything bigger is a typo */
	if (errno || *end || n < 1 || n > 4096)
		return -1;
	*smp = (unsigned)n;
	return 0;
}
