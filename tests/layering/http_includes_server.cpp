// Planted: http/ may not include server/. The build must refuse this file (see
// tests/CMakeLists.txt, "layering").
#include "server/exchange.h"
