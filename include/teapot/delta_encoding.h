// Delta encoding (RFC 3229) of a site's files, off unless enabled: below the configured path
// prefixes the server keeps the last versions of each file it served, and a client that names
// one of them (If-None-Match) and accepts a delta (A-IM: diffe) gets 226 IM Used with the ed
// script that turns that version into the current one, instead of the whole file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace teapot {

// A GET is answered 226 when all of these hold: its path starts with one of prefixes; the
// handler's 200 is of a file or body of known length, at most max_file_size bytes, with a
// strong ETag and no Content-Encoding; the preconditions let it through (an If-None-Match
// naming the current ETag gets 304 as always); the request has no Range and neither it nor the
// response says "Cache-Control: no-transform"; and A-IM accepts "diffe" and If-None-Match names
// a version kept here whose script is shorter than the file, or A-IM accepts "gzip" and the
// compressed file (or script) is shorter. The 226 carries IM (the manipulations in the order
// applied), Delta-Base (the version the script starts from), the current ETag, and
// "Cache-Control: no-store, im", so that a cache that knows nothing of deltas never stores
// one (RFC 3229 §10.6). Anything else is answered as without this, with the whole file.
struct delta_encoding_options {
  // Path prefixes ("/feeds/"); empty: delta encoding is off.
  std::vector<std::string> prefixes{};
  // Versions kept per path, the current one included; at least 2 for a delta to be possible.
  std::size_t versions = 4;
  // Larger files are neither kept nor sent as deltas.
  std::uint64_t max_file_size = 1024 * 1024;
  // The bytes of all the site's kept versions together; past it the least recently kept go.
  std::uint64_t max_store_size = 64 * 1024 * 1024;
};

}  // namespace teapot
