// Rate limiting as a pipeline step: token buckets per client (or per API key) and per path
// prefix. Over the limit a request gets 429 Too Many Requests (RFC 6585 §4) with Retry-After
// (RFC 9110 §10.2.3) and the RateLimit-Policy / RateLimit fields of
// draft-ietf-httpapi-ratelimit-headers-09, before its content is read.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "teapot/policy.h"

namespace teapot::handlers {

// The clock buckets are measured with; monotonic, so that a wall-clock step neither refills
// nor drains a bucket.
using rate_limit_clock = std::chrono::steady_clock;

// A token bucket's shape: `requests` tokens come back over `per`, evenly; at most `burst` are
// saved up (a fresh or idle client may send `burst` requests at once).
struct token_bucket_shape {
  std::uint32_t requests = 1;
  std::chrono::milliseconds per{1000};
  std::uint32_t burst = 1;
};

// The outcome of taking one token.
struct rate_limit_decision {
  bool allowed = false;
  std::uint32_t remaining = 0;             // tokens left after this request
  std::chrono::nanoseconds wait{0};        // refused: until a token is back; allowed: zero
  std::chrono::nanoseconds until_full{0};  // until the bucket holds `burst` tokens again
};

// Where buckets live. The in-memory store below serves one process; a store shared by several
// servers (Redis, say) implements the same call. take() is called from every worker thread at
// once and must be safe for that. A key never seen, or one evicted, is a full bucket.
class rate_limit_store {
 public:
  virtual ~rate_limit_store() = default;
  virtual rate_limit_decision take(std::string_view key, const token_bucket_shape& shape,
                                   rate_limit_clock::time_point now) = 0;
};

struct memory_rate_limit_store_options {
  // Buckets are spread over this many shards, each behind its own mutex, so that workers
  // rarely wait for one another.
  std::size_t shards = 16;
  // At most this many buckets are kept across all shards. A full bucket is the same as no
  // bucket, so idle (refilled) buckets are evicted first; past the cap the bucket closest to
  // full goes, which errs towards letting a client through rather than refusing it.
  std::size_t max_buckets = 100'000;
};

std::shared_ptr<rate_limit_store> make_memory_rate_limit_store(
    memory_rate_limit_store_options options = {});

// Which requests share a bucket.
enum class rate_limit_key : std::uint8_t {
  client_address,  // the peer's address without its port
  header,          // the value of `header`; requests without it fall back to the address
};

// One limit, applying to the paths that start with `prefix`. When several limits match a
// path, the one with the longest prefix alone applies.
struct rate_limit_rule {
  std::string prefix = "/";
  rate_limit_key key = rate_limit_key::client_address;
  std::string header{};        // with rate_limit_key::header: the field name, such as "X-API-Key"
  std::uint32_t requests = 0;  // must be at least 1
  std::chrono::milliseconds per{1000};
  std::uint32_t burst = 0;  // 0: the same as `requests`
  // The quota policy's name in the RateLimit fields (an sf-string); empty: "default".
  std::string name{};
};

struct rate_limit_options {
  std::vector<rate_limit_rule> limits{};
  // null: a store made by make_memory_rate_limit_store() for this step alone. A store may be
  // shared by several steps (and kept across reloads): keys start with the limit's prefix, so
  // two steps sharing a store also share the buckets of an identical prefix.
  std::shared_ptr<rate_limit_store> store{};
  // null: rate_limit_clock::now. Tests inject their own.
  std::function<rate_limit_clock::time_point()> now{};
};

// Throws std::invalid_argument for a limit of zero requests, a period shorter than 1 ms, or
// a name that is not printable ASCII. The step is safe to share between worker threads.
// Allowed requests under a limit carry RateLimit-Policy and RateLimit in their response.
std::shared_ptr<teapot::policy> make_rate_limit(rate_limit_options options);

}  // namespace teapot::handlers
