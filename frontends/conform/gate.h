/*
 * gate.h - the decisions kvm-unit-tests' runner (scripts/runtime.bash,
 * run()) takes before it starts a test: nodefault, arch=, accel=, check=.
 * libc only, so the unit tests link it (see cfg.h).
 */
#ifndef PCVM_CONFORM_GATE_H
#define PCVM_CONFORM_GATE_H

#include <stdbool.h>
#include <stddef.h>

#include "cfg.h"

/*
 * The accelerator pcvm counts as (the runner's ACCEL): pcvm interprets
 * or recompiles like QEMU's TCG, so kvm-only tests are skipped.
 */
#define CONFORM_ACCEL "tcg"

struct conform_gate {
	const char *arch;     /* --arch (the runner's ARCH); NULL: any pcvm runs */
	const char *accel;    /* the runner's ACCEL; NULL: accel= is ignored */
	bool group_given;     /* -g given: nodefault tests of it run */
};

/*
 * Whether t is a SKIP without running, checked in the runner's order;
 * named: the test was asked for by name (runs even in group nodefault,
 * where the runner wants -a). On a skip, reason gets the runner's words.
 */
bool conform_gate_skip(const struct conform_test *t,
		       const struct conform_gate *g, bool named,
		       char *reason, size_t len);

/*
 * check=: true when it passes. As the runner does it: the whole value is
 * one PATH=VALUE (PATH up to the first '='), PATH must be a regular file
 * whose content without trailing newlines is VALUE. Otherwise reason is
 * "PATH not equal to VALUE".
 */
bool conform_check_passes(const char *check, char *reason, size_t len);

/* The kernel runtime.bash's premature_failure() starts the command with. */
#define CONFORM_NO_FILE "_NO_FILE_4Uhere_"

/*
 * premature_failure(): out is what the test's command printed with kernel
 * CONFORM_NO_FILE. Returns false when a line naming that file says
 * "could not load kernel", "could not open kernel" or "error loading"
 * (the emulator took the options, so the test may run); otherwise true,
 * and last gets out's last line: the test is a SKIP for that reason.
 */
bool conform_premature_failure(const char *out, char *last, size_t len);

/* x86/run's reading of "EMULATOR -device '?'": which test devices exist. */
void conform_testdevs_from(const char *list, bool *pc_testdev,
			   bool *pci_testdev);

#endif
