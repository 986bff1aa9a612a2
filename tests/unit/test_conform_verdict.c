/*
 * Unit tests of what pcvm-conform decides the way kvm-unit-tests' runner
 * does: the gates before a test runs (frontends/conform/gate.c: nodefault,
 * arch=, accel=, check=, the premature-failure probe's output, the test
 * devices) and the verdict of a finished run (verdict.c: run_qemu's
 * status and stderr rules, runtime.bash's SUMMARY line).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cfg.h"
#include "gate.h"
#include "run.h"

static struct conform_cfg parse(const char *text)
{
	struct conform_cfg cfg;
	char err[256];

	cr_assert_eq(conform_cfg_parse_string(text, "t.cfg", &cfg, err, sizeof(err)),
		     0, "%s", err);
	return cfg;
}

/* A temporary file holding len bytes of text; the path is malloc'ed. */
static char *temp_file(const char *text, size_t len)
{
	char *path = strdup("/tmp/test_conform_verdict_XXXXXX");
	int fd;

	cr_assert_not_null(path);
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
	return path;
}

/* The gate's verdict on the first test of text: NULL = runs, else reason. */
static const char *gate(const char *text, const struct conform_gate *g,
			bool named, char *reason, size_t len)
{
	struct conform_cfg cfg = parse(text);
	bool skip;

	reason[0] = '\0';
	skip = conform_gate_skip(&cfg.tests[0], g, named, reason, len);
	conform_cfg_free(&cfg);
	return skip ? reason : NULL;
}

Test(conform_gate, nodefault_runs_when_named_or_with_a_group)
{
	const char *cfg = "[m]\nfile = m.flat\ngroups = slow nodefault\n";
	struct conform_gate g = { .accel = CONFORM_ACCEL };
	char r[256];

	cr_assert_str_eq(gate(cfg, &g, false, r, sizeof(r)),
			 "test marked as manual run only");
	cr_assert_null(gate(cfg, &g, true, r, sizeof(r)));
	/* runtime.bash: with -g, only_group is set and nodefault no longer skips */
	g.group_given = true;
	cr_assert_null(gate(cfg, &g, false, r, sizeof(r)));
	cr_assert_null(gate("[d]\nfile = d.flat\ngroups = slow\n", &(struct conform_gate){ 0 },
			    false, r, sizeof(r)));
}

Test(conform_gate, arch)
{
	struct conform_gate x64 = { .arch = "x86_64" }, any = { 0 };
	char r[256];

	cr_assert_str_eq(gate("[c]\nfile = c.flat\narch = i386\n", &x64, false, r, sizeof(r)),
			 "i386 only");
	cr_assert_null(gate("[c]\nfile = c.flat\narch = x86_64\n", &x64, false, r, sizeof(r)));
	cr_assert_null(gate("[c]\nfile = c.flat\n", &x64, false, r, sizeof(r)));
	cr_assert_str_eq(gate("[c]\nfile = c.flat\narch = x86_64\n",
			      &(struct conform_gate){ .arch = "i386" }, false, r, sizeof(r)),
			 "x86_64 only");
	/* without --arch both run (pcvm's own suite mixes them), others not */
	cr_assert_null(gate("[c]\nfile = c.flat\narch = i386\n", &any, false, r, sizeof(r)));
	cr_assert_null(gate("[c]\nfile = c.flat\narch = x86_64\n", &any, false, r, sizeof(r)));
	cr_assert_str_eq(gate("[c]\nfile = c.flat\narch = arm64\n", &any, false, r, sizeof(r)),
			 "arm64 only");
	/* nodefault is looked at first, as in run() */
	cr_assert_str_eq(gate("[c]\nfile = c.flat\narch = i386\ngroups = nodefault\n", &x64,
			      false, r, sizeof(r)),
			 "test marked as manual run only");
}

Test(conform_gate, accel)
{
	struct conform_gate tcg = { .accel = CONFORM_ACCEL }, none = { 0 };
	char r[256];

	cr_assert_str_eq(CONFORM_ACCEL, "tcg");
	cr_assert_str_eq(gate("[p]\nfile = p.flat\naccel = kvm\n", &tcg, false, r, sizeof(r)),
			 "kvm only, but ACCEL=tcg");
	cr_assert_null(gate("[p]\nfile = p.flat\naccel = tcg\n", &tcg, false, r, sizeof(r)));
	/* no ACCEL: accel= does not matter */
	cr_assert_null(gate("[p]\nfile = p.flat\naccel = kvm\n", &none, false, r, sizeof(r)));
	/* arch before accel */
	cr_assert_str_eq(gate("[p]\nfile = p.flat\naccel = kvm\narch = i386\n",
			      &(struct conform_gate){ .arch = "x86_64", .accel = "tcg" },
			      false, r, sizeof(r)),
			 "i386 only");
}

Test(conform_gate, check_file_contents)
{
	char *y = temp_file("Y\n\n", 3), *dir = strdup("/tmp/test_conform_dir_XXXXXX");
	char *nul = temp_file("a\0b", 3);
	char check[512], r[512], want[600];

	cr_assert_not_null(mkdtemp(dir));
	/* $(cat FILE) drops the trailing newlines */
	snprintf(check, sizeof(check), "%s=Y", y);
	cr_assert(conform_check_passes(check, r, sizeof(r)));
	snprintf(check, sizeof(check), "%s=N", y);
	cr_assert_not(conform_check_passes(check, r, sizeof(r)));
	snprintf(want, sizeof(want), "%s not equal to N", y);
	cr_assert_str_eq(r, want);
	/* ... and the NUL bytes */
	snprintf(check, sizeof(check), "%s=ab", nul);
	cr_assert(conform_check_passes(check, r, sizeof(r)));
	/* a missing file or a directory never holds the value */
	cr_assert_not(conform_check_passes("/nonexistent/allow=Y", r, sizeof(r)));
	cr_assert_str_eq(r, "/nonexistent/allow not equal to Y");
	snprintf(check, sizeof(check), "%s=", dir);
	cr_assert_not(conform_check_passes(check, r, sizeof(r)));
	/*
	 * The runner takes the whole value as one PATH=VALUE (check is a
	 * scalar, "${check[@]}" one word): the value runs to the end.
	 */
	snprintf(check, sizeof(check), "%s=Y /proc/sys/kernel/nmi_watchdog=0", y);
	cr_assert_not(conform_check_passes(check, r, sizeof(r)));
	snprintf(want, sizeof(want), "%s not equal to Y /proc/sys/kernel/nmi_watchdog=0", y);
	cr_assert_str_eq(r, want);
	cr_assert(conform_check_passes("", r, sizeof(r)));

	/* through the gate, with the test's check= */
	{
		struct conform_gate g = { .accel = "tcg" };
		char text[700];

		snprintf(text, sizeof(text), "[a]\nfile = a.flat\ncheck = %s=N\ncheck = %s=Y\n", y, y);
		cr_assert_null(gate(text, &g, false, r, sizeof(r)));
		snprintf(text, sizeof(text), "[a]\nfile = a.flat\ncheck = %s=Y\ncheck = %s=N\n", y, y);
		cr_assert_not_null(gate(text, &g, false, r, sizeof(r)));
	}
	unlink(y);
	unlink(nul);
	rmdir(dir);
	free(y);
	free(nul);
	free(dir);
}

Test(conform_gate, premature_failure_output)
{
	char last[256];

	/* the emulator got to the kernel: the test runs */
	cr_assert_not(conform_premature_failure(
		"pcvm: could not load kernel '_NO_FILE_4Uhere_': cannot open '_NO_FILE_4Uhere_': "
		"No such file or directory\n", last, sizeof(last)));
	cr_assert_not(conform_premature_failure(
		"warning: x\nqemu: could not open kernel file '_NO_FILE_4Uhere_'\n", last, sizeof(last)));
	cr_assert_not(conform_premature_failure("qemu: error loading _NO_FILE_4Uhere_", last,
						sizeof(last)));
	/* it stopped earlier: SKIP with the last line */
	cr_assert(conform_premature_failure("pcvm: warning: a\npcvm: unknown CPU model 'foo'\n\n\n",
					    last, sizeof(last)));
	cr_assert_str_eq(last, "pcvm: unknown CPU model 'foo'");
	/* the words must be on the line that names the missing kernel */
	cr_assert(conform_premature_failure("_NO_FILE_4Uhere_\ncould not load kernel\n", last,
					    sizeof(last)));
	cr_assert_str_eq(last, "could not load kernel");
	cr_assert(conform_premature_failure("", last, sizeof(last)));
	cr_assert_str_eq(last, "");
}

Test(conform_gate, test_devices)
{
	bool pc, pci;

	conform_testdevs_from("name \"isa-debug-exit\", bus ISA\nname \"pc-testdev\", bus ISA\n"
			      "name \"pci-testdev\", bus PCI\n", &pc, &pci);
	cr_assert(pc);
	cr_assert(pci);
	conform_testdevs_from("name \"isa-debug-exit\", bus ISA\n", &pc, &pci);
	cr_assert_not(pc);
	cr_assert_not(pci);
	conform_testdevs_from("name \"pci-testdev\", bus PCI\n", &pc, &pci);
	cr_assert_not(pc);
	cr_assert(pci);
}

/* r after conform_verdict_from with these scanned fields */
static struct conform_result verdict(int status, unsigned nerr, unsigned nfail,
				     int stderr_sig, bool timed_out)
{
	struct conform_result r;

	memset(&r, 0, sizeof(r));
	r.nerr_lines = nerr;
	if (nerr)
		snprintf(r.first_err, sizeof(r.first_err), "pcvm: boom");
	r.nfail = nfail;
	r.stderr_signal = stderr_sig;
	r.timed_out = timed_out;
	conform_verdict_from(&r, status, "30", false);
	cr_assert(r.done);
	return r;
}

Test(conform_verdict, run_qemu_status_rules)
{
	struct conform_result r;

	r = verdict(W_EXITCODE(1, 0), 0, 0, 0, false);
	cr_assert_eq(r.verdict, CONFORM_PASS);
	cr_assert_str_eq(r.reason, "");
	/* status 1 with stderr lines that are not warnings: QEMU failed */
	r = verdict(W_EXITCODE(1, 0), 1, 0, 0, false);
	cr_assert_eq(r.verdict, CONFORM_FAIL);
	cr_assert_str_eq(r.reason, "status 1 with errors on stderr: pcvm: boom");
	r = verdict(W_EXITCODE(1, 0), 0, 2, 0, false);
	cr_assert_eq(r.verdict, CONFORM_FAIL);
	r = verdict(W_EXITCODE(77, 0), 0, 0, 0, false);
	cr_assert_eq(r.verdict, CONFORM_SKIP);
	r = verdict(W_EXITCODE(3, 0), 0, 1, 0, false);
	cr_assert_eq(r.verdict, CONFORM_FAIL);
	cr_assert_str_eq(r.reason, "exit status 3");
	cr_assert_eq(r.exit_status, 3);
	r = verdict(W_EXITCODE(2, 0), 1, 0, 0, false);
	cr_assert_str_eq(r.reason, "exit status 2; stderr: pcvm: boom");
	/* 0: the guest never wrote isa-debug-exit, or a signal QEMU reported */
	r = verdict(W_EXITCODE(0, 0), 0, 0, 0, false);
	cr_assert_eq(r.verdict, CONFORM_FAIL);
	r = verdict(W_EXITCODE(0, 0), 1, 0, SIGTERM, false);
	cr_assert_eq(r.verdict, CONFORM_FAIL);
	cr_assert_str_eq(r.reason, "terminated on SIGTERM");
	r = verdict(SIGSEGV, 0, 0, 0, false);
	cr_assert_eq(r.verdict, CONFORM_FAIL);
	cr_assert_str_eq(r.reason, "terminated on SIGSEGV");
	cr_assert_eq(r.term_signal, SIGSEGV);
	r = verdict(W_EXITCODE(137, 0), 0, 0, 0, false);
	cr_assert_str_eq(r.reason, "terminated on SIGKILL (exit status 137)");
	/* a timeout is a FAIL whatever the status, with the cfg's words */
	r = verdict(W_EXITCODE(1, 0), 0, 0, 0, true);
	cr_assert_eq(r.verdict, CONFORM_FAIL);
	cr_assert_str_eq(r.reason, "timeout; duration=30");
}

Test(conform_verdict, stderr_lines)
{
	static const char warn[] = "pcvm: warning: x\n\nqemu: WARNING y\r\n";
	static const char err[] = "pcvm: Warning z\nqemu: terminating on signal 15 from pid 9\n"
				  "second\n";
	char *a = temp_file(warn, sizeof(warn) - 1), *b = temp_file(err, sizeof(err) - 1);
	struct conform_result r;

	memset(&r, 0, sizeof(r));
	cr_assert_eq(conform_scan_stderr(a, &r), 0);
	cr_assert_eq(r.nerr_lines, 0);
	cr_assert_eq(r.stderr_signal, 0);
	cr_assert_eq(conform_scan_stderr(b, &r), 0);
	cr_assert_eq(r.nerr_lines, 2);
	cr_assert_str_eq(r.first_err, "qemu: terminating on signal 15 from pid 9");
	cr_assert_eq(r.stderr_signal, 15);
	cr_assert_lt(conform_scan_stderr("/nonexistent/x.stderr", &r), 0);
	unlink(a);
	unlink(b);
	free(a);
	free(b);
}

Test(conform_verdict, summary_from_the_last_three_lines)
{
	static const char early[] = "SUMMARY: 9 tests\nPASS: a\nFAIL: b\n  PASS: c\n";
	static const char late[] = "XPASS: d\nSUMMARY: 2 tests, 1 skipped\r\nSKIP: e\n\n";
	char *a = temp_file(early, sizeof(early) - 1), *b = temp_file(late, sizeof(late) - 1);
	struct conform_result r;

	memset(&r, 0, sizeof(r));
	cr_assert_eq(conform_scan_log(a, &r), 0);
	cr_assert_str_eq(r.summary, "");
	cr_assert_eq(r.npass, 2);
	cr_assert_eq(r.nfail, 1);
	cr_assert_eq(conform_scan_log(b, &r), 0);
	cr_assert_str_eq(r.summary, "2 tests, 1 skipped");
	cr_assert_eq(r.nfail, 1);
	cr_assert_eq(r.nskip, 1);
	unlink(a);
	unlink(b);
	free(a);
	free(b);
}

Test(conform_verdict, decide_folds_stderr_into_the_log)
{
	static const char out[] = "PASS: a\nSUMMARY: 1 tests\n";
	char *log = temp_file(out, sizeof(out) - 1), *err = temp_file("pcvm: oops\n", 11);
	struct conform_result r;
	char text[512];
	FILE *f;
	size_t n;

	memset(&r, 0, sizeof(r));
	r.log_path = log;
	conform_decide(&r, W_EXITCODE(1, 0), "90s", false, err, false);
	cr_assert_eq(r.verdict, CONFORM_FAIL);
	cr_assert_str_eq(r.summary, "1 tests");
	cr_assert_neq(access(err, F_OK), 0, "the stderr file is removed");
	f = fopen(log, "r");
	cr_assert_not_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	cr_assert_str_eq(text, "PASS: a\nSUMMARY: 1 tests\n"
			       "# pcvm-conform: the emulator's stderr:\npcvm: oops\n");
	unlink(log);
	free(log);
	free(err);
}

Test(conform_verdict, allow_stderr)
{
	char *log = temp_file("PASS: a\n", 8), *err = temp_file("cpu0: IEM, 5 instructions\n", 27);
	struct conform_result r;

	memset(&r, 0, sizeof(r));
	r.log_path = log;
	conform_decide(&r, W_EXITCODE(1, 0), "90s", false, err, true);
	cr_assert_eq(r.verdict, CONFORM_PASS, "%s", r.reason);
	unlink(log);
	free(log);
	free(err);
}
