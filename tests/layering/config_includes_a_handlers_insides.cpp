// Planted: config/ sees a handler through its public factory header only. The build must
// refuse this file (see tests/CMakeLists.txt, "layering").
#include "handlers/static_files/file_cache.h"
