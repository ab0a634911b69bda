// Allowed: http/ includes base/. Shows that a probe compiles when the table allows it, so that
// the refusals of the planted files are the table's doing.
#include "base/ascii.h"

static_assert(teapot::base::ascii::is_digit('7'));
