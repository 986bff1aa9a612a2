/* REM's native code: SSE/SSE2 forms (see rem_native.c's invariants).
 *
 * Invariants:
 * - None compiled yet: rem_sse_ok refuses every instruction, so they stay
 *   helper steps.
 */
#include "rem/rem_native.h"

bool rem_sse_ok(const struct iem_insn *in)
{
    (void)in;
    return false;
}

void rem_emit_sse(struct x64 *e, const struct iem_insn *in)
{
    (void)e;
    (void)in;
}
