// Internal to the loader: the [sites.compression] table.
#pragma once

#include "config/reader.h"
#include "teapot/compression.h"

namespace teapot::config::detail {

// Fills out from the table. The table's presence turns compression on unless it says
// enabled = false (a site that tunes it means to use it; enabled keeps the settings while off).
void read_compression(table_reader& r, teapot::compression_options& out);

}  // namespace teapot::config::detail
