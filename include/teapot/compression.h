// On-the-fly compression of a site's responses (gzip, br, zstd), off unless enabled. The server
// applies it to every handler's response, as it applies conditional and range requests: a
// handler describes an identity representation and never compresses itself.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace teapot {

// A response is compressed when all of these hold: the site enables it; the status is 200;
// the response has no Content-Encoding yet (a precompressed file wins) and no
// "Cache-Control: no-transform"; its length is known and at least min_length; its Content-Type
// matches types; it comes from memory, or from a file of at most max_file_size bytes; the
// request has no Range (ranges apply to the identity bytes, byte-exact); and Accept-Encoding
// ranks one of codings above 0 and at least as high as identity (which weighs nothing unless
// the field names it or "*": "gzip;q=0.5" alone asks for gzip). Every response that passes
// the checks that do not depend on the request gets "Vary: Accept-Encoding", compressed or not.
// The coded representation has its own ETag (the identity tag + "-gz", "-br" or "-zst" inside
// the quotes), from which conditional requests are answered, and no Accept-Ranges. Each worker
// thread keeps the bodies it coded under a strong ETag, so a file is compressed once per
// version and coding.
struct compression_options {
  bool enabled = false;
  // Offered codings, most preferred first: among equal Accept-Encoding weights the earlier
  // wins. Each is "zstd", "br" or "gzip", at most once.
  std::vector<std::string> codings{"zstd", "br", "gzip"};
  // Below this many bytes the coding's framing and the CPU cost more than they save.
  std::uint64_t min_length = 1024;
  // A file larger than this is sent as it is, with sendfile, rather than read and compressed.
  std::uint64_t max_file_size = 1024 * 1024;
  // Media types worth compressing: "type/subtype", "type/*", or "+suffix" ("+json" matches
  // "application/ld+json"). Parameters of Content-Type are ignored; case-insensitive.
  std::vector<std::string> types{"text/*",
                                 "application/json",
                                 "application/javascript",
                                 "application/xml",
                                 "image/svg+xml",
                                 "application/wasm",
                                 "+json",
                                 "+xml"};
  int gzip_level = 6;    // 1..9
  int brotli_level = 5;  // 0..11: above 5, brotli costs more than a response is worth
  int zstd_level = 3;    // 1..19
};

}  // namespace teapot
