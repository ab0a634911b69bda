// On-the-fly compression as a step of server/representation (nginx's gzip filter, as a call):
// decided before preconditions, so that If-None-Match and If-Match compare against the entity
// tag of the representation that is actually sent, and carried out after them, so that a 304
// compresses nothing. A file larger than inline_file_max is read and coded on the blocking-work
// pool (file_coding) rather than on the loop. Thread contract: the connection's loop thread,
// but for file_coding::run.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "server/compression/codec.h"
#include "teapot/compression.h"
#include "teapot/request.h"
#include "teapot/response.h"
#include "teapot/site.h"

namespace teapot::srv::compression {

struct decision {
  std::optional<coding> chosen;  // nullopt: identity
  int level = 0;
};

// For a 200 that options allow to compress (compression.h): adds Vary: Accept-Encoding, and
// when Accept-Encoding picks a coding (never for a request with a Range), gives res the coded
// representation's ETag. The content is left as it is.
decision decide(const request& req, response& res, const compression_options& options,
                bool has_range);

// Replaces res's content by its coding per d (from the calling thread's cache when the same
// representation was coded before), with Content-Encoding and without Accept-Ranges. When the
// content cannot be read or coded, res goes out as identity, its ETag restored. The cache is
// keyed by Host, the request-target and the strong ETag.
void compress(const request& req, response& res, const decision& d);

// The identity content of res: its body, or its file's bytes read into scratch (any thread,
// while the loop leaves res alone). False when the file cannot be read whole.
bool read_identity_content(const response& res, std::string& scratch, std::string_view& out);

// Files up to this size are read and coded on the loop (a few hundred microseconds at most);
// larger ones on the pool.
inline constexpr std::uint64_t inline_file_max = 64 * 1024;

// True when compress() would read and code a file larger than inline_file_max, the calling
// thread's cache not holding its coding: run a file_coding on the pool, then complete().
bool is_pool_work(const request& req, const response& res, const decision& d);

// The pool's part: the file's bytes read and coded, away from the loop.
struct file_coding {
  file_coding(std::shared_ptr<const response> r, const decision& how) : res(std::move(r)), d(how) {}
  // Any thread, while the loop leaves res alone.
  void run();

  std::shared_ptr<const response> res;  // keeps the file open, even if the exchange ends
  decision d;
  std::string coded;
  bool ok = false;
};

// The loop's part after run(): compress()'s outcome from the coded bytes (into the calling
// thread's cache too), or res as identity, its ETag restored, when the file could not be read
// or coded.
void complete(const request& req, response& res, file_coding& done);

}  // namespace teapot::srv::compression
