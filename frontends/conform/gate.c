/*
 * gate.c - tests that are a SKIP before anything runs, decided the way
 * kvm-unit-tests' scripts/runtime.bash does (see gate.h).
 */
#define _GNU_SOURCE
#include "gate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "run.h"

/* the content as $(cat PATH) gives it: NULs dropped, trailing newlines cut */
static char *read_like_cat(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int c;

	/* an unreadable file reads as nothing: cat fails, $(...) is empty */
	buf = calloc(1, 1);
	if (!f || !buf)
		goto out;
	while ((c = fgetc(f)) != EOF) {
		if (!c)
			continue;
		if (len + 2 > cap) {
			size_t ncap = cap ? cap * 2 : 64;
			char *n = realloc(buf, ncap);

			if (!n)
				break;
			buf = n;
			cap = ncap;
		}
		buf[len++] = (char)c;
		buf[len] = '\0';
	}
	while (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
out:
	if (f)
		fclose(f);
	return buf;
}

bool conform_check_passes(const char *check, char *reason, size_t len)
{
	const char *eq = strchr(check, '=');
	const char *value = eq ? eq + 1 : check;
	struct stat st;
	char *path, *content = NULL;
	bool ok = false;

	if (!*check)
		return true; /* [ "$check" ] is false: nothing to check */
	/* ${check%%=*} and ${check#*=}: without '=' both are the whole value */
	path = eq ? strndup(check, (size_t)(eq - check)) : strdup(check);
	if (path && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
		content = read_like_cat(path);
		ok = content && !strcmp(content, value);
	}
	if (!ok)
		snprintf(reason, len, "%s not equal to %s", path ? path : check,
			 value);
	free(content);
	free(path);
	return ok;
}

bool conform_gate_skip(const struct conform_test *t,
		       const struct conform_gate *g, bool named,
		       char *reason, size_t len)
{
	if (conform_test_in_group(t, "nodefault") && !named && !g->group_given) {
		snprintf(reason, len, "test marked as manual run only");
		return true;
	}
	if (g->arch && t->arch && *t->arch && strcmp(t->arch, g->arch)) {
		snprintf(reason, len, "%s only", t->arch);
		return true;
	}
	/* without --arch: whatever pcvm can run (its own suite mixes both) */
	if (!g->arch && t->arch && *t->arch && !conform_arch_supported(t->arch)) {
		snprintf(reason, len, "%s only", t->arch);
		return true;
	}
	if (g->accel && t->accel && *t->accel && strcmp(t->accel, g->accel)) {
		snprintf(reason, len, "%s only, but ACCEL=%s", t->accel, g->accel);
		return true;
	}
	return t->check && !conform_check_passes(t->check, reason, len);
}

/* [s, e) contains word */
static bool span_has(const char *s, const char *e, const char *word)
{
	size_t n = strlen(word);

	for (; (size_t)(e - s) >= n; s++)
		if (!memcmp(s, word, n))
			return true;
	return false;
}

bool conform_premature_failure(const char *out, char *last, size_t len)
{
	const char *s = out, *end = out + strlen(out);

	for (const char *e; s < end; s = e + 1) {
		e = strchr(s, '\n');
		if (!e)
			e = end;
		if (span_has(s, e, CONFORM_NO_FILE) &&
		    (span_has(s, e, "could not load kernel") ||
		     span_has(s, e, "could not open kernel") ||
		     span_has(s, e, "error loading")))
			return false;
	}
	/* $(...) drops the trailing newlines, then tail -1 */
	while (end > out && end[-1] == '\n')
		end--;
	for (s = end; s > out && s[-1] != '\n'; s--)
		;
	snprintf(last, len, "%.*s", (int)(end - s), s);
	return true;
}

void conform_testdevs_from(const char *list, bool *pc_testdev,
			   bool *pci_testdev)
{
	/* grep -F: anywhere in the text, as x86/run looks */
	*pc_testdev = strstr(list, "pc-testdev") != NULL;
	*pci_testdev = strstr(list, "pci-testdev") != NULL;
}
