/*
 * Unit tests of the pcvm-conform unittests.cfg parser
 * (frontends/conform/cfg.c, which links alone: see cfg.h).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"

static struct conform_cfg parse_ok(const char *text)
{
	struct conform_cfg cfg;
	char err[256];
	int ret = conform_cfg_parse_string(text, "t.cfg", &cfg, err, sizeof(err));

	cr_assert_eq(ret, 0, "unexpected error: %s", err);
	return cfg;
}

/* Parse text that must fail; the message must be exactly want. */
static void parse_bad(const char *text, const char *want)
{
	struct conform_cfg cfg;
	char err[256];
	int ret = conform_cfg_parse_string(text, "t.cfg", &cfg, err, sizeof(err));

	cr_assert_eq(ret, -1, "parse should fail with '%s'", want);
	cr_assert_str_eq(err, want);
	/* a failed parse leaves nothing to free */
	cr_assert_null(cfg.tests);
	cr_assert_eq(cfg.ntests, 0);
}

static void assert_argv(const struct conform_test *t, const char *const *want)
{
	size_t n = 0;

	while (want[n])
		n++;
	cr_assert_eq(t->extra_argc, n, "argc %zu, want %zu", t->extra_argc, n);
	for (size_t i = 0; i < n; i++)
		cr_assert_str_eq(t->extra_argv[i], want[i], "argv[%zu]", i);
	cr_assert_null(t->extra_argv[n]);
}

Test(conform_cfg, sections_and_defaults)
{
	struct conform_cfg cfg = parse_ok(
		"[apic]\n"
		"file = apic.flat\n"
		"smp = 2\n"
		"extra_params = -cpu qemu64,+x2apic\n"
		"arch = x86_64\n"
		"groups = apic  smoke\n"
		"timeout = 30\n"
		"\n"
		"[sieve]\n"
		"file=sieve.flat\n");

	cr_assert_eq(cfg.ntests, 2);
	cr_assert_str_eq(cfg.tests[0].name, "apic");
	cr_assert_str_eq(cfg.tests[0].file, "apic.flat");
	cr_assert_eq(cfg.tests[0].smp, 2);
	cr_assert_str_eq(cfg.tests[0].arch, "x86_64");
	cr_assert_float_eq(cfg.tests[0].timeout, 30.0, 1e-9);
	cr_assert_eq(cfg.tests[0].line, 1);
	cr_assert_eq(cfg.tests[0].ngroups, 2);
	cr_assert(conform_test_in_group(&cfg.tests[0], "apic"));
	cr_assert(conform_test_in_group(&cfg.tests[0], "smoke"));
	cr_assert_not(conform_test_in_group(&cfg.tests[0], "vmx"));
	assert_argv(&cfg.tests[0], (const char *[]){ "-cpu", "qemu64,+x2apic", NULL });

	cr_assert_str_eq(cfg.tests[1].name, "sieve");
	cr_assert_str_eq(cfg.tests[1].file, "sieve.flat");
	cr_assert_eq(cfg.tests[1].smp, 1);
	cr_assert_null(cfg.tests[1].arch);
	cr_assert_float_eq(cfg.tests[1].timeout, CONFORM_DEFAULT_TIMEOUT, 1e-9);
	cr_assert_eq(cfg.tests[1].line, 9);
	cr_assert_eq(cfg.tests[1].ngroups, 0);
	cr_assert_null(cfg.tests[1].groups[0]);
	assert_argv(&cfg.tests[1], (const char *[]){ NULL });
	cr_assert_str_eq(cfg.tests[1].extra_params, "");

	cr_assert_eq(conform_cfg_find(&cfg, "sieve"), 1);
	cr_assert_eq(conform_cfg_find(&cfg, "nope"), -1);
	conform_cfg_free(&cfg);
}

Test(conform_cfg, empty_and_comment_only)
{
	struct conform_cfg cfg = parse_ok("");

	cr_assert_eq(cfg.ntests, 0);
	conform_cfg_free(&cfg);
	cfg = parse_ok("# nothing\n   \n\t# indented comment\n#[init]\n#file = init.flat\n");
	cr_assert_eq(cfg.ntests, 0);
	conform_cfg_free(&cfg);
}

Test(conform_cfg, comments_crlf_and_unknown_keys)
{
	struct conform_cfg cfg = parse_ok(
		"##########\r\n"
		"# header # with = signs\r\n"
		"[pmu_lbr]\r\n"
		"  # comment inside a section\r\n"
		"file = pmu_lbr.flat\r\n"
		"accel = kvm\r\n"
		"check = /sys/module/kvm/parameters/ignore_msrs=N\r\n"
		"check = /proc/sys/kernel/nmi_watchdog=0\r\n"
		"extra_params = -cpu host,migratable=no\r\n");

	cr_assert_eq(cfg.ntests, 1);
	cr_assert_str_eq(cfg.tests[0].file, "pmu_lbr.flat");
	assert_argv(&cfg.tests[0], (const char *[]){ "-cpu", "host,migratable=no", NULL });
	cr_assert_str_eq(cfg.tests[0].accel, "kvm");
	/* accel= and check= may repeat: the last counts, as in the runner */
	cr_assert_str_eq(cfg.tests[0].check, "/proc/sys/kernel/nmi_watchdog=0");
	cr_assert_null(cfg.tests[0].timeout_text);
	conform_cfg_free(&cfg);

	cfg = parse_ok("[a]\nfile = a.flat\ntimeout = 30\naccel = kvm\naccel = tcg\n");
	cr_assert_str_eq(cfg.tests[0].accel, "tcg");
	cr_assert_null(cfg.tests[0].check);
	/* the runner prints the timeout as written ("duration=30") */
	cr_assert_str_eq(cfg.tests[0].timeout_text, "30");
	conform_cfg_free(&cfg);
}

Test(conform_cfg, extra_params_quoting)
{
	struct conform_cfg cfg = parse_ok(
		"[a]\nfile = a.flat\n"
		"extra_params = -cpu max,+vmx -append \"-exit_monitor_from_l2_test -ept_access*\"\n"
		"[b]\nfile = b.flat\n"
		"extra_params = -append 'ipi'\n"
		"[c]\nfile = c.flat\n"
		"extra_params = \"-m 64 -append 'x y'\"\n"
		"[d]\nfile = d.flat\n"
		"extra_params = -append \"say \\\"hi\\\" \\\\ $x\" a\\ b 'it''s' \"\"\n"
		"[e]\nfile = e.flat\n"
		"extra_params = --append \"10000000 `date +%s`\"\n"
		"[f]\nfile = f.flat\n"
		"extra_params = '-append \"p q\"'\n");

	assert_argv(&cfg.tests[0], (const char *[]){
		"-cpu", "max,+vmx", "-append",
		"-exit_monitor_from_l2_test -ept_access*", NULL });
	assert_argv(&cfg.tests[1], (const char *[]){ "-append", "ipi", NULL });
	/* a value wholly in quotes is unwrapped, then split */
	assert_argv(&cfg.tests[2], (const char *[]){ "-m", "64", "-append", "x y", NULL });
	cr_assert_str_eq(cfg.tests[2].extra_params, "\"-m 64 -append 'x y'\"");
	assert_argv(&cfg.tests[3], (const char *[]){
		"-append", "say \"hi\" \\ $x", "a b", "its", "", NULL });
	/* no expansion: the guest sees what was written */
	assert_argv(&cfg.tests[4], (const char *[]){
		"--append", "10000000 `date +%s`", NULL });
	assert_argv(&cfg.tests[5], (const char *[]){ "-append", "p q", NULL });
	conform_cfg_free(&cfg);
}

Test(conform_cfg, triple_quoted_params_and_test_args)
{
	struct conform_cfg cfg = parse_ok(
		"[a]\n"
		"file = a.flat\n"
		"qemu_params = \"\"\"-cpu max\n"
		"   -m 256\n"
		"   -append 'x'\"\"\"\n"
		"test_args = one two\n"
		"[b]\n"
		"file = b.flat\n"
		"extra_params = \"\"\"-smp 1\"\"\"\n");

	cr_assert_eq(cfg.ntests, 2);
	assert_argv(&cfg.tests[0], (const char *[]){
		"-cpu", "max", "-m", "256", "-append", "x", "-append", "one two",
		NULL });
	/* line numbers keep counting through the multi-line value */
	cr_assert_eq(cfg.tests[1].line, 7);
	assert_argv(&cfg.tests[1], (const char *[]){ "-smp", "1", NULL });
	conform_cfg_free(&cfg);
}

Test(conform_cfg, smp_values)
{
	struct conform_cfg cfg = parse_ok(
		"[a]\nfile = a\nsmp = $MAX_SMP\n"
		"[b]\nfile = b\nsmp = 4096\n");

	cr_assert_eq(cfg.tests[0].smp, CONFORM_SMP_MAX);
	cr_assert_eq(cfg.tests[1].smp, 4096);
	conform_cfg_free(&cfg);
	parse_bad("[a]\nfile = a\nsmp = 0\n",
		  "t.cfg:3: bad smp '0' (want 1..4096 or $MAX_SMP)");
	parse_bad("[a]\nfile = a\nsmp = two\n",
		  "t.cfg:3: bad smp 'two' (want 1..4096 or $MAX_SMP)");
	parse_bad("[a]\nfile = a\nsmp = -1\n",
		  "t.cfg:3: bad smp '-1' (want 1..4096 or $MAX_SMP)");
}

Test(conform_cfg, timeout_suffixes)
{
	static const struct { const char *s; double v; } ok[] = {
		{ "90", 90 }, { "90s", 90 }, { "1.5m", 90 }, { "2h", 7200 },
		{ "1d", 86400 }, { "0", 0 }, { " 10s ", 10 }, { ".5", 0.5 },
	};
	static const char *const bad[] = {
		"", "s", "abc", "10x", "-5", "+5", "inf", "nan", "1e", "10 s x",
		"0x10", "5ss",
	};
	struct conform_cfg cfg;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		double v = -1;

		cr_assert_eq(conform_parse_duration(ok[i].s, &v), 0, "'%s'", ok[i].s);
		cr_assert_float_eq(v, ok[i].v, 1e-9, "'%s'", ok[i].s);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		double v;

		cr_assert_eq(conform_parse_duration(bad[i], &v), -1, "'%s'", bad[i]);
	}
	cfg = parse_ok("[a]\nfile = a\ntimeout = 90s\n[b]\nfile = b\ntimeout = 2m\n");
	cr_assert_float_eq(cfg.tests[0].timeout, 90, 1e-9);
	cr_assert_float_eq(cfg.tests[1].timeout, 120, 1e-9);
	conform_cfg_free(&cfg);
	parse_bad("[a]\nfile = a\n\ntimeout = soon\n",
		  "t.cfg:4: bad timeout 'soon' (want e.g. 90, 90s, 2m)");
}

Test(conform_cfg, malformed_key_outside_section)
{
	parse_bad("# leading comment\n\nfile = x.flat\n[a]\nfile = a\n",
		  "t.cfg:3: key 'file' outside of any [section]");
	/* unknown keys are no excuse either */
	parse_bad("accel = kvm\n", "t.cfg:1: key 'accel' outside of any [section]");
}

Test(conform_cfg, malformed_no_equals)
{
	parse_bad("[a]\nfile = a\nsmp 2\n",
		  "t.cfg:3: expected 'key = value' or '[section]'");
	parse_bad("just words\n", "t.cfg:1: expected 'key = value' or '[section]'");
	parse_bad("[a]\nfile = a\n= 3\n", "t.cfg:3: missing key before '='");
}

Test(conform_cfg, malformed_duplicate_section)
{
	parse_bad("[a]\nfile = a\n[b]\nfile = b\n\n[a]\nfile = c\n",
		  "t.cfg:6: duplicate section [a] (first at line 1)");
}

Test(conform_cfg, malformed_section_headers)
{
	parse_bad("[a\nfile = a\n", "t.cfg:1: section header lacks the closing ']'");
	parse_bad("[]\nfile = a\n", "t.cfg:1: invalid section name []");
	parse_bad("[a]\nfile = a\n[two words]\nfile = b\n",
		  "t.cfg:3: invalid section name [two words]");
	parse_bad("[../x]\nfile = a\n", "t.cfg:1: invalid section name [../x]");
}

Test(conform_cfg, malformed_section_contents)
{
	/* reported at the header of the section missing it */
	parse_bad("[a]\nfile = a\n[b]\nsmp = 2\n[c]\nfile = c\n",
		  "t.cfg:3: section [b] has no file=");
	parse_bad("[a]\nsmp = 2\n", "t.cfg:1: section [a] has no file=");
	parse_bad("[a]\nfile =\n", "t.cfg:2: empty file=");
	parse_bad("[a]\nfile = a\nsmp = 1\nsmp = 2\n",
		  "t.cfg:4: duplicate key 'smp' in section [a]");
	parse_bad("[a]\nfile = a\nextra_params = -m 1\nqemu_params = -m 2\n",
		  "t.cfg:4: duplicate key 'qemu_params' in section [a]");
}

Test(conform_cfg, malformed_quotes)
{
	parse_bad("[a]\nfile = a\nextra_params = -append 'x\n",
		  "t.cfg:3: unterminated quote or trailing backslash in extra_params");
	parse_bad("[a]\nfile = a\nextra_params = -append \"x\n",
		  "t.cfg:3: unterminated quote or trailing backslash in extra_params");
	parse_bad("[a]\nfile = a\nextra_params = -append x\\\n",
		  "t.cfg:3: unterminated quote or trailing backslash in extra_params");
	parse_bad("[a]\nfile = a\nextra_params = \"\"\"-m 1\n-append x\n[b]\n",
		  "t.cfg:3: unterminated \"\"\" in 'extra_params'");
	parse_bad("[a]\nfile = a\nextra_params = \"\"\"-m 1\n\"\"\" junk\n",
		  "t.cfg:4: text after closing \"\"\"");
}

Test(conform_cfg, split_words)
{
	char **argv;
	size_t argc;

	cr_assert_eq(conform_split_words("  ", &argv, &argc), 0);
	cr_assert_eq(argc, 0);
	cr_assert_null(argv[0]);
	conform_free_argv(argv);

	cr_assert_eq(conform_split_words("a\t'b c'd \"e\\f\"", &argv, &argc), 0);
	cr_assert_eq(argc, 3);
	cr_assert_str_eq(argv[0], "a");
	cr_assert_str_eq(argv[1], "b cd");
	cr_assert_str_eq(argv[2], "e\\f");
	conform_free_argv(argv);

	cr_assert_eq(conform_split_words("'oops", &argv, &argc), -1);
}

Test(conform_cfg, parse_file)
{
	char path[] = "/tmp/test_conform_cfg_XXXXXX";
	struct conform_cfg cfg;
	char err[512];
	int fd = mkstemp(path);
	static const char text[] = "[x]\nfile = x.flat\n[x]\n";

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
	close(fd);
	cr_assert_eq(conform_cfg_parse_file(path, &cfg, err, sizeof(err)), -1);
	/* the message names the file it came from */
	cr_assert(strstr(err, path) == err, "%s", err);
	cr_assert(strstr(err, ":3: duplicate section [x]"), "%s", err);
	unlink(path);

	cr_assert_eq(conform_cfg_parse_file("/nonexistent/unittests.cfg", &cfg,
					    err, sizeof(err)), -1);
	cr_assert_str_eq(err, "/nonexistent/unittests.cfg: No such file or directory");
	cr_assert_eq(cfg.ntests, 0);
}
