// `teapot check FILE`: validates a configuration file without starting anything.
#pragma once

#include <cstdio>
#include <filesystem>

namespace teapot::config {

// Prints each error as "FILE:LINE:COLUMN: message" on `err` and returns 2, or prints
// "FILE: ok" on `out` and returns 0. Reads only the file and the files it names.
int run_check(const std::filesystem::path& file, std::FILE* out, std::FILE* err);

}  // namespace teapot::config
