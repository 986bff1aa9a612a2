/*
 * main.c - pcvm-conform: run a kvm-unit-tests style unittests.cfg and
 * report per test.
 *
 * Invariants:
 *  - No global mutable state: options live in main's struct conform_main
 *    and are passed down explicitly.
 *  - Every child is reaped before main returns (conform_run_tests never
 *    returns with one alive), also after SIGINT/SIGTERM/SIGHUP.
 *  - stdout carries progress, the table and, as its very last line,
 *    "N passed, N failed[, N skipped]"; problems go to stderr as one line.
 *  - Exit status: 0 nothing failed, 1 a test failed, 2 bad usage, config
 *    or output file, 128+signal when interrupted (130 for ^C).
 *  - Files we produce appear whole or not at all (JUnit through vm/outfile.h,
 *    which writes a device or FIFO in place instead of replacing it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "gate.h"
#include "probe.h"
#include "report.h"
#include "run.h"

#define PROG "pcvm-conform"
#define EXIT_USAGE 2

struct conform_main {
	const char *cfg_path;
	const char **names;       /* -t and positional names */
	size_t nnames;
	const char **groups;      /* -g */
	size_t ngroups;
	const char **emu_args;    /* --emulator-arg */
	size_t nemu_args;
	const char *emulator;
	const char *testdir;
	const char *logdir;
	const char *junit;
	const char *arch;         /* --arch, NULL when not given */
	unsigned jobs;
	bool list;
	bool verbose;
	bool allow_stderr;
	FILE *out;
};

enum {
	OPT_JUNIT = 256,
	OPT_LOGDIR,
	OPT_TESTDIR,
	OPT_EMULATOR,
	OPT_EMULATOR_ARG,
	OPT_LIST,
	OPT_ARCH,
	OPT_ALLOW_STDERR,
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: " PROG " [options] unittests.cfg [test-name...]\n"
"Run the test kernels described by a kvm-unit-tests style unittests.cfg\n"
"under the emulator and report per test.\n"
"\n"
"  -j N                run N tests in parallel (default: online CPUs)\n"
"  -g GROUP            run only tests in GROUP (repeatable; any matches)\n"
"  -t NAME             run only test NAME (repeatable; as do names after\n"
"                      the cfg); with -g, a test must match both\n"
"  --list              print the selected test names and exit\n"
"  --junit FILE        also write JUnit XML to FILE\n"
"  --logdir DIR        per-test logs (default: conform-logs)\n"
"  --testdir DIR       where file= is found (default: the cfg's directory)\n"
"  --emulator PATH     emulator binary (default: pcvm next to " PROG ")\n"
"  --emulator-arg ARG  append ARG to every emulator command (repeatable)\n"
"  --arch ARCH         the build's ARCH (i386 or x86_64): tests with another\n"
"                      arch= are skipped; without it any arch= pcvm runs\n"
"  --allow-stderr      the emulator's stderr lines never fail a test (for\n"
"                      --emulator-arg options that report there, e.g.\n"
"                      pcvm's --info; not in kvm-unit-tests' runner)\n"
"  -v                  print each test's log when it finishes\n"
"  --help              this text\n"
"\n"
"As kvm-unit-tests' runner (QEMU=pcvm ACCEL=" CONFORM_ACCEL " ./run_tests.sh) does:\n"
"the command is x86/run's: -device pc-testdev and pci-testdev when\n"
"'EMULATOR -device ?' lists them, isa-debug-exit, -machine accel=" CONFORM_ACCEL ";\n"
"pcvm counts as ACCEL=" CONFORM_ACCEL " (accel=kvm tests are skipped); a check=\n"
"PATH=VALUE whose file differs skips; a test whose command fails before\n"
"loading the kernel (tried with kernel " CONFORM_NO_FILE ") skips with the\n"
"emulator's last line; group nodefault skips unless -g is given or the\n"
"test is named. Verdicts: exit status 1 PASS (FAIL when the emulator\n"
"wrote a stderr line without 'warning', or the test a FAIL: line), 77\n"
"SKIP, anything else, a signal or the cfg's timeout (default 90 s) FAIL.\n"
"Exit status: 0 all passed or skipped, 1 some failed, 2 bad usage or\n"
"config, 130 interrupted.\n");
}

static int parse_jobs(const char *s, unsigned *jobs)
{
	char *end;
	unsigned long v;

	if (!(*s >= '0' && *s <= '9'))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < 1 || v > 4096)
		return -1;
	*jobs = (unsigned)v;
	return 0;
}

static unsigned online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned)n : 1;
}

/* Returns 0 to go on, or the exit status to leave with. */
static int parse_args(int argc, char **argv, struct conform_main *m)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "list", no_argument, NULL, OPT_LIST },
		{ "junit", required_argument, NULL, OPT_JUNIT },
		{ "logdir", required_argument, NULL, OPT_LOGDIR },
		{ "testdir", required_argument, NULL, OPT_TESTDIR },
		{ "emulator", required_argument, NULL, OPT_EMULATOR },
		{ "emulator-arg", required_argument, NULL, OPT_EMULATOR_ARG },
		{ "arch", required_argument, NULL, OPT_ARCH },
		{ "allow-stderr", no_argument, NULL, OPT_ALLOW_STDERR },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":j:g:t:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			if (parse_jobs(optarg, &m->jobs) < 0) {
				fprintf(stderr, PROG ": bad -j '%s' (want 1..4096)\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'g': m->groups[m->ngroups++] = optarg; break;
		case 't': m->names[m->nnames++] = optarg; break;
		case 'v': m->verbose = true; break;
		case 'h': usage(stdout); return EXIT_SUCCESS;
		case OPT_LIST: m->list = true; break;
		case OPT_JUNIT: m->junit = optarg; break;
		case OPT_LOGDIR: m->logdir = optarg; break;
		case OPT_TESTDIR: m->testdir = optarg; break;
		case OPT_EMULATOR: m->emulator = optarg; break;
		case OPT_EMULATOR_ARG: m->emu_args[m->nemu_args++] = optarg; break;
		case OPT_ALLOW_STDERR: m->allow_stderr = true; break;
		case OPT_ARCH:
			if (strcmp(optarg, "i386") && strcmp(optarg, "x86_64")) {
				fprintf(stderr, PROG ": bad --arch '%s' (want i386 or x86_64)\n",
					optarg);
				return EXIT_USAGE;
			}
			m->arch = optarg;
			break;
		case ':':
			if (optopt)
				fprintf(stderr, PROG ": option '-%c' needs an argument\n",
					optopt);
			else
				fprintf(stderr, PROG ": option '%s' needs an argument\n",
					argv[optind - 1]);
			return EXIT_USAGE;
		default:
			if (optopt)
				fprintf(stderr, PROG ": unknown option '-%c' (see --help)\n",
					optopt);
			else
				fprintf(stderr, PROG ": unknown option '%s' (see --help)\n",
					argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, PROG ": no unittests.cfg given (see --help)\n");
		return EXIT_USAGE;
	}
	m->cfg_path = argv[optind++];
	while (optind < argc)
		m->names[m->nnames++] = argv[optind++];
	return 0;
}

static bool named(const struct conform_main *m, const char *name)
{
	for (size_t i = 0; i < m->nnames; i++)
		if (!strcmp(m->names[i], name))
			return true;
	return false;
}

static bool selected(const struct conform_main *m, const struct conform_test *t)
{
	bool in_group = !m->ngroups;

	if (m->nnames && !named(m, t->name))
		return false;
	for (size_t i = 0; i < m->ngroups && !in_group; i++)
		in_group = conform_test_in_group(t, m->groups[i]);
	return in_group;
}

/* Like execvp would: a name without '/' is looked up in PATH. */
static char *find_in_path(const char *name)
{
	const char *path = getenv("PATH");
	char *copy, *save = NULL, *found = NULL;

	if (strchr(name, '/') || !path)
		return strdup(name);
	copy = strdup(path);
	if (!copy)
		return NULL;
	for (char *dir = strtok_r(copy, ":", &save); dir && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		char *cand;

		if (asprintf(&cand, "%s/%s", *dir ? dir : ".", name) < 0)
			break;
		if (access(cand, X_OK) == 0)
			found = cand;
		else
			free(cand);
	}
	free(copy);
	/* not found: keep the name so the error message shows it */
	return found ? found : strdup(name);
}

/* The pcvm binary beside our own executable. */
static char *default_emulator(void)
{
	char self[PATH_MAX], *slash, *path = NULL;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n < 0)
		return NULL;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	if (asprintf(&path, "%s/pcvm", self) < 0)
		return NULL;
	return path;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

/* The JUnit suite name: the cfg's file name without directory and .cfg. */
static char *suite_name(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len > 4 && !strcmp(base + len - 4, ".cfg"))
		len -= 4;
	return strndup(base, len);
}

static int mkdir_p(const char *dir)
{
	char *p = strdup(dir);
	int ret = 0;

	if (!p)
		return -ENOMEM;
	for (char *s = p + 1; ; s++) {
		if (*s == '/' || !*s) {
			char c = *s;

			*s = '\0';
			if (mkdir(p, 0755) < 0 && errno != EEXIST) {
				ret = -errno;
				break;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
	return ret;
}

/*
 * x86/run asks the emulator for its devices. One that cannot answer (an
 * older pcvm) gets isa-debug-exit alone, which is all pcvm's own guest
 * programs need; x86/run would refuse to run at all.
 */
static void probe_testdevs(const char *emulator, bool *pc_testdev,
			   bool *pci_testdev)
{
	char *argv[] = { (char *)emulator, "-device", "?", NULL };
	char *out = malloc(CONFORM_PROBE_OUT);

	*pc_testdev = *pci_testdev = false;
	if (out && conform_capture(argv, out, CONFORM_PROBE_OUT, 30) >= 0)
		conform_testdevs_from(out, pc_testdev, pci_testdev);
	free(out);
}

static void on_done(void *ctx, const struct conform_test *t,
		    const struct conform_result *r)
{
	const struct conform_main *m = ctx;

	conform_report_line(m->out, t, r);
	if (m->verbose)
		conform_report_log(m->out, t, r);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct conform_main m = {
		.logdir = "conform-logs",
		.jobs = online_cpus(),
		.out = stdout,
	};
	struct conform_cfg cfg = { NULL, 0 };
	struct conform_run_opts ro;
	struct conform_gate gate;
	bool pc_testdev, pci_testdev;
	const struct conform_test **sel = NULL;
	struct conform_result *res = NULL;
	char err[512], *emulator = NULL, *testdir = NULL, *suite = NULL;
	size_t nsel = 0;
	double start;
	int ret, status = EXIT_USAGE;

	/* argc bounds every repeatable option */
	m.names = calloc((size_t)argc, sizeof(char *));
	m.groups = calloc((size_t)argc, sizeof(char *));
	m.emu_args = calloc((size_t)argc, sizeof(char *));
	if (!m.names || !m.groups || !m.emu_args) {
		fprintf(stderr, PROG ": out of memory\n");
		goto out;
	}
	ret = parse_args(argc, argv, &m);
	if (ret || !m.cfg_path) {
		status = ret;
		goto out;
	}

	ret = conform_cfg_parse_file(m.cfg_path, &cfg, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		goto out;
	}
	for (size_t i = 0; i < m.nnames; i++) {
		if (conform_cfg_find(&cfg, m.names[i]) < 0) {
			fprintf(stderr, PROG ": %s: no test named '%s'\n", m.cfg_path,
				m.names[i]);
			goto out;
		}
	}
	sel = calloc(cfg.ntests + 1, sizeof(*sel));
	res = calloc(cfg.ntests + 1, sizeof(*res));
	if (!sel || !res) {
		fprintf(stderr, PROG ": out of memory\n");
		goto out;
	}
	for (size_t i = 0; i < cfg.ntests; i++)
		if (selected(&m, &cfg.tests[i]))
			sel[nsel++] = &cfg.tests[i];
	for (size_t i = 0; i < m.ngroups; i++) {
		bool any = false;

		for (size_t k = 0; k < cfg.ntests && !any; k++)
			any = conform_test_in_group(&cfg.tests[k], m.groups[i]);
		if (!any)
			fprintf(stderr, PROG ": warning: no test in group '%s'\n",
				m.groups[i]);
	}
	if (m.list) {
		for (size_t i = 0; i < nsel; i++)
			printf("%s\n", sel[i]->name);
		status = EXIT_SUCCESS;
		goto out;
	}
	/* what the runner decides before starting anything (gate.c) */
	gate = (struct conform_gate){
		.arch = m.arch,
		.accel = CONFORM_ACCEL,
		.group_given = m.ngroups > 0,
	};
	for (size_t i = 0; i < nsel; i++) {
		if (conform_gate_skip(sel[i], &gate, named(&m, sel[i]->name),
				      res[i].reason, sizeof(res[i].reason))) {
			res[i].done = true;
			res[i].verdict = CONFORM_SKIP;
		}
	}

	emulator = m.emulator ? find_in_path(m.emulator) : default_emulator();
	if (!emulator) {
		fprintf(stderr, PROG ": cannot locate %s (use --emulator)\n",
			m.emulator ? m.emulator : "pcvm");
		goto out;
	}
	m.emulator = emulator;
	if (access(m.emulator, X_OK) < 0) {
		fprintf(stderr, PROG ": emulator %s: %s (use --emulator)\n",
			m.emulator, strerror(errno));
		goto out;
	}
	if (!m.testdir) {
		testdir = dir_of(m.cfg_path);
		m.testdir = testdir;
	}
	suite = suite_name(m.cfg_path);
	if (!m.testdir || !suite) {
		fprintf(stderr, PROG ": out of memory\n");
		goto out;
	}
	ret = mkdir_p(m.logdir);
	if (ret < 0) {
		fprintf(stderr, PROG ": cannot create log directory %s: %s\n",
			m.logdir, strerror(-ret));
		goto out;
	}
	/* a vanished reader of our stdout must not kill us before the children */
	signal(SIGPIPE, SIG_IGN);
	probe_testdevs(m.emulator, &pc_testdev, &pci_testdev);

	ro = (struct conform_run_opts){
		.emulator = m.emulator,
		.pc_testdev = pc_testdev,
		.pci_testdev = pci_testdev,
		.accel = CONFORM_ACCEL,
		.allow_stderr = m.allow_stderr,
		.emulator_args = m.emu_args,
		.n_emulator_args = m.nemu_args,
		.testdir = m.testdir,
		.logdir = m.logdir,
		.jobs = m.jobs,
		.online_cpus = online_cpus(),
		.on_done = on_done,
		.ctx = &m,
	};
	start = now_s();
	ret = conform_run_tests(&ro, sel, nsel, res);
	if (ret < 0) {
		fprintf(stderr, PROG ": cannot run tests: %s\n", strerror(-ret));
		goto out;
	}
	if (ret > 0) {
		size_t fin = 0;

		for (size_t i = 0; i < nsel; i++)
			fin += res[i].done;
		fflush(m.out);
		fprintf(stderr, PROG ": interrupted by SIG%s, %zu of %zu tests finished\n",
			sigabbrev_np(ret) ? sigabbrev_np(ret) : "?", fin, nsel);
		status = 128 + ret;
		goto out;
	}
	status = conform_count(res, nsel).failed ? EXIT_FAILURE : EXIT_SUCCESS;
	if (m.junit && conform_junit_write(m.junit, suite, sel, res, nsel,
					   now_s() - start, err, sizeof(err)) < 0) {
		fprintf(stderr, PROG ": %s\n", err);
		status = EXIT_USAGE;
	}
	conform_report_summary(m.out, sel, res, nsel, now_s() - start);
out:
	for (size_t i = 0; res && i < nsel; i++)
		conform_result_free(&res[i]);
	free(res);
	free(sel);
	conform_cfg_free(&cfg);
	free(suite);
	free(testdir);
	free(emulator);
	free(m.names);
	free(m.groups);
	free(m.emu_args);
	return status;
}
