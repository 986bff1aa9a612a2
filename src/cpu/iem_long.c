/* Long-mode-only instructions (filled in by the paging/long-mode work). */
#include "cpu/iem.h"

const struct iem_op_def iem_ops_long[] = {{0, NULL}};
