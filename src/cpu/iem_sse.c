/* SIMD instructions (filled in by the SIMD work). */
#include "cpu/iem.h"

const struct iem_op_def iem_ops_sse[] = {{0, NULL}};
