// On-the-fly compression as a step of server/representation (nginx's gzip filter, as a call):
// decided before preconditions, so that If-None-Match and If-Match compare against the entity
// tag of the representation that is actually sent, and carried out after them, so that a 304
// compresses nothing. Thread contract: the connection's loop thread.
#pragma once

#include <optional>

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

}  // namespace teapot::srv::compression
