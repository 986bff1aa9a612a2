/*
 * cfg.c - unittests.cfg parser. Pure library code: no printing, no exit,
 * so the unit tests and the runner share it (see cfg.h for the format).
 */
#define _GNU_SOURCE
#include "cfg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	KEY_FILE = 1u << 0,
	KEY_SMP = 1u << 1,
	KEY_PARAMS = 1u << 2,
	KEY_TIMEOUT = 1u << 3,
	KEY_ARCH = 1u << 4,
	KEY_GROUPS = 1u << 5,
	KEY_TEST_ARGS = 1u << 6,
	KEY_ACCEL = 1u << 7,
	KEY_CHECK = 1u << 8,
	/* keys whose last occurrence counts, as in kvm-unit-tests */
	KEYS_REPEATABLE = KEY_ACCEL | KEY_CHECK,
};

struct parser {
	const char *fname;
	char *err;
	size_t errlen;
	struct conform_cfg *cfg;
	size_t cap;
	/* the section being filled, or -1 before the first [name] */
	long cur;
	unsigned seen;      /* KEY_* already given in the current section */
	char *test_args;    /* held back until the section ends */
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' ||
	       c == '\n';
}

static int fail(struct parser *p, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct parser *p, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!p->err || !p->errlen)
		return -1;
	n = snprintf(p->err, p->errlen, "%s:%u: ", p->fname, line);
	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static int fail_nomem(struct parser *p)
{
	if (p->err && p->errlen)
		snprintf(p->err, p->errlen, "%s: out of memory", p->fname);
	return -ENOMEM;
}

/* Trim blanks in place over [*s, *e). */
static void trim(const char **s, const char **e)
{
	while (*s < *e && is_blank(**s))
		(*s)++;
	while (*e > *s && is_blank((*e)[-1]))
		(*e)--;
}

void conform_cfg_free(struct conform_cfg *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->ntests; i++) {
		struct conform_test *t = &cfg->tests[i];

		free(t->name);
		free(t->file);
		free(t->extra_params);
		conform_free_argv(t->extra_argv);
		free(t->arch);
		free(t->timeout_text);
		free(t->accel);
		free(t->check);
		conform_free_argv(t->groups);
	}
	free(cfg->tests);
	cfg->tests = NULL;
	cfg->ntests = 0;
}

long conform_cfg_find(const struct conform_cfg *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->ntests; i++)
		if (!strcmp(cfg->tests[i].name, name))
			return (long)i;
	return -1;
}

bool conform_test_in_group(const struct conform_test *t, const char *group)
{
	for (size_t i = 0; i < t->ngroups; i++)
		if (!strcmp(t->groups[i], group))
			return true;
	return false;
}

/* Close the current section: check it and fold test_args into argv. */
static int end_section(struct parser *p)
{
	struct conform_test *t;
	int ret = 0;

	if (p->cur < 0)
		return 0;
	t = &p->cfg->tests[p->cur];
	if (!(p->seen & KEY_FILE)) {
		ret = fail(p, t->line, "section [%s] has no file=", t->name);
		goto out;
	}
	if (p->test_args && *p->test_args) {
		size_t cap = t->extra_argc + 1;
		char *a = strdup("-append");

		if (!a || conform_argv_push(&t->extra_argv, &t->extra_argc, &cap, a) < 0) {
			free(a);
			ret = fail_nomem(p);
			goto out;
		}
		if (conform_argv_push(&t->extra_argv, &t->extra_argc, &cap,
			      p->test_args) < 0) {
			ret = fail_nomem(p);
			goto out;
		}
		p->test_args = NULL;
	}
out:
	free(p->test_args);
	p->test_args = NULL;
	p->cur = -1;
	return ret;
}

static bool valid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (is_blank(*s) || *s == '/' || *s == '[' || *s == ']' ||
		    (unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static int begin_section(struct parser *p, unsigned line, const char *s,
			 const char *e)
{
	struct conform_test *t;
	char *name;
	long dup;
	int ret;

	ret = end_section(p);
	if (ret < 0)
		return ret;
	/* s points at '[', e past the last non-blank */
	if (e[-1] != ']' || e - s < 2)
		return fail(p, line, "section header lacks the closing ']'");
	s++;
	e--;
	trim(&s, &e);
	name = strndup(s, (size_t)(e - s));
	if (!name)
		return fail_nomem(p);
	if (!valid_name(name)) {
		ret = fail(p, line, "invalid section name [%s]", name);
		free(name);
		return ret;
	}
	dup = conform_cfg_find(p->cfg, name);
	if (dup >= 0) {
		ret = fail(p, line, "duplicate section [%s] (first at line %u)",
			   name, p->cfg->tests[dup].line);
		free(name);
		return ret;
	}
	if (p->cfg->ntests == p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 16;
		struct conform_test *n = realloc(p->cfg->tests, ncap * sizeof(*n));

		if (!n) {
			free(name);
			return fail_nomem(p);
		}
		p->cfg->tests = n;
		p->cap = ncap;
	}
	t = &p->cfg->tests[p->cfg->ntests];
	memset(t, 0, sizeof(*t));
	t->name = name;
	t->smp = 1;
	t->timeout = CONFORM_DEFAULT_TIMEOUT;
	t->line = line;
	t->extra_params = strdup("");
	t->extra_argv = calloc(1, sizeof(char *));
	t->groups = calloc(1, sizeof(char *));
	/* counted first so conform_cfg_free() releases whatever was allocated */
	p->cfg->ntests++;
	if (!t->extra_params || !t->extra_argv || !t->groups)
		return fail_nomem(p);
	p->cur = (long)p->cfg->ntests - 1;
	p->seen = 0;
	return 0;
}

static unsigned key_bit(const char *key)
{
	static const struct { const char *name; unsigned bit; } keys[] = {
		{ "file", KEY_FILE }, { "smp", KEY_SMP },
		{ "extra_params", KEY_PARAMS }, { "qemu_params", KEY_PARAMS },
		{ "timeout", KEY_TIMEOUT }, { "arch", KEY_ARCH },
		{ "groups", KEY_GROUPS }, { "test_args", KEY_TEST_ARGS },
		{ "accel", KEY_ACCEL }, { "check", KEY_CHECK },
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(key, keys[i].name))
			return keys[i].bit;
	return 0;
}

static int replace_str(struct parser *p, char **dst, const char *val)
{
	char *copy = strdup(val);

	if (!copy)
		return fail_nomem(p);
	free(*dst);
	*dst = copy;
	return 0;
}

static int set_key(struct parser *p, unsigned line, const char *key,
		   char *val)
{
	struct conform_test *t = &p->cfg->tests[p->cur];
	unsigned bit = key_bit(key);
	char **argv = NULL;
	size_t argc = 0;
	int ret;

	/* unknown keys may repeat: kvm-unit-tests ignores them */
	if (!bit)
		return 0;
	if ((p->seen & bit) && !(bit & KEYS_REPEATABLE))
		return fail(p, line, "duplicate key '%s' in section [%s]", key,
			    t->name);
	p->seen |= bit;

	switch (bit) {
	case KEY_FILE:
		if (!*val)
			return fail(p, line, "empty file=");
		free(t->file);
		t->file = strdup(val);
		return t->file ? 0 : fail_nomem(p);
	case KEY_SMP:
		if (conform_parse_smp(val, &t->smp) < 0)
			return fail(p, line, "bad smp '%s' (want 1..4096 or $MAX_SMP)",
				    val);
		return 0;
	case KEY_TIMEOUT:
		if (conform_parse_duration(val, &t->timeout) < 0)
			return fail(p, line, "bad timeout '%s' (want e.g. 90, 90s, 2m)",
				    val);
		return replace_str(p, &t->timeout_text, val);
	case KEY_ACCEL:
		return replace_str(p, &t->accel, val);
	case KEY_CHECK:
		return replace_str(p, &t->check, val);
	case KEY_ARCH:
		return replace_str(p, &t->arch, val);
	case KEY_TEST_ARGS:
		free(p->test_args);
		p->test_args = strdup(val);
		return p->test_args ? 0 : fail_nomem(p);
	case KEY_GROUPS:
		ret = conform_split_words(val, &argv, &argc);
		if (ret == -1)
			return fail(p, line, "unterminated quote in %s", key);
		if (ret < 0)
			return fail_nomem(p);
		conform_free_argv(t->groups);
		t->groups = argv;
		t->ngroups = argc;
		return 0;
	case KEY_PARAMS:
		ret = conform_split_params(val, &argv, &argc);
		if (ret == -1)
			return fail(p, line, "unterminated quote or trailing backslash in %s",
				    key);
		if (ret < 0)
			return fail_nomem(p);
		conform_free_argv(t->extra_argv);
		t->extra_argv = argv;
		t->extra_argc = argc;
		free(t->extra_params);
		t->extra_params = strdup(val);
		return t->extra_params ? 0 : fail_nomem(p);
	}
	return 0;
}

/*
 * One key=value line; a value opening with """ runs to the closing """
 * (possibly on a later line), so this may advance *pos past more lines.
 */
static int parse_key(struct parser *p, unsigned *lineno, const char *s,
		     const char *e, const char **pos)
{
	const char *eq = memchr(s, '=', (size_t)(e - s));
	const char *ks = s, *ke, *vs, *ve = e;
	unsigned line = *lineno;
	char *key = NULL, *val = NULL;
	int ret;

	if (!eq)
		return fail(p, line, "expected 'key = value' or '[section]'");
	ke = eq;
	trim(&ks, &ke);
	if (ks == ke)
		return fail(p, line, "missing key before '='");
	key = strndup(ks, (size_t)(ke - ks));
	if (!key)
		return fail_nomem(p);
	if (p->cur < 0) {
		ret = fail(p, line, "key '%s' outside of any [section]", key);
		goto out;
	}
	vs = eq + 1;
	trim(&vs, &ve);
	if (ve - vs >= 3 && !strncmp(vs, "\"\"\"", 3)) {
		const char *body = vs + 3;
		const char *close = strstr(body, "\"\"\"");

		if (!close) {
			ret = fail(p, line, "unterminated \"\"\" in '%s'", key);
			goto out;
		}
		for (const char *c = body; c < close; c++)
			if (*c == '\n')
				(*lineno)++;
		/* the rest of the closing line must be blank */
		ve = close + 3;
		while (*ve && *ve != '\n' && is_blank(*ve))
			ve++;
		if (*ve && *ve != '\n') {
			ret = fail(p, *lineno, "text after closing \"\"\"");
			goto out;
		}
		*pos = *ve ? ve + 1 : ve;
		val = strndup(body, (size_t)(close - body));
	} else {
		val = strndup(vs, (size_t)(ve - vs));
	}
	if (!val) {
		ret = fail_nomem(p);
		goto out;
	}
	ret = set_key(p, line, key, val);
out:
	free(key);
	free(val);
	return ret;
}

int conform_cfg_parse_string(const char *text, const char *fname,
			     struct conform_cfg *cfg, char *err, size_t errlen)
{
	struct parser p = {
		.fname = fname, .err = err, .errlen = errlen, .cfg = cfg,
		.cur = -1,
	};
	const char *pos = text;
	unsigned lineno = 0;
	int ret = 0;

	cfg->tests = NULL;
	cfg->ntests = 0;
	if (err && errlen)
		err[0] = '\0';

	while (*pos) {
		const char *nl = strchr(pos, '\n');
		const char *s = pos, *e = nl ? nl : pos + strlen(pos);
		const char *next = nl ? nl + 1 : e;

		lineno++;
		trim(&s, &e);
		if (s == e || *s == '#') {
			pos = next;
			continue;
		}
		if (*s == '[') {
			ret = begin_section(&p, lineno, s, e);
		} else {
			const char *after = next;

			ret = parse_key(&p, &lineno, s, e, &after);
			next = after;
		}
		if (ret < 0)
			goto out;
		pos = next;
	}
	ret = end_section(&p);
out:
	free(p.test_args);
	if (ret < 0)
		conform_cfg_free(cfg);
	return ret;
}

int conform_cfg_parse_file(const char *path, struct conform_cfg *cfg,
			   char *err, size_t errlen)
{
	FILE *f = NULL;
	char *text = NULL;
	size_t len = 0, cap = 0;
	int ret = -1;

	cfg->tests = NULL;
	cfg->ntests = 0;
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	for (;;) {
		size_t n;

		if (cap - len < 4096) {
			char *nt;

			cap = cap ? cap * 2 : 8192;
			nt = realloc(text, cap);
			if (!nt) {
				snprintf(err, errlen, "%s: out of memory", path);
				ret = -ENOMEM;
				goto out;
			}
			text = nt;
		}
		n = fread(text + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		goto out;
	}
	text[len] = '\0';
	if (memchr(text, '\0', len)) {
		snprintf(err, errlen, "%s: binary file (contains NUL bytes)", path);
		goto out;
	}
	ret = conform_cfg_parse_string(text, path, cfg, err, errlen);
out:
	if (f)
		fclose(f);
	free(text);
	return ret;
}
