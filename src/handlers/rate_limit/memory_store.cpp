// The in-memory rate_limit_store: the generic cell rate algorithm (GCRA), the token bucket
// written as one time stamp per key. A bucket's "theoretical arrival time" (tat) is when it
// would be full again; one token is worth `per / requests` of time, and a request fits while
// tat lies no more than (burst - 1) tokens ahead of now. One time stamp per key keeps the
// store small, and a key whose tat has passed is a full bucket, so it may be dropped.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "teapot/handlers/rate_limit.h"

namespace teapot::handlers {

namespace {

using clock_type = rate_limit_clock;
using std::chrono::nanoseconds;

struct string_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

// Sweeps idle buckets now and then even when the shard is not full, so that memory follows
// the number of active clients rather than the peak.
constexpr std::uint32_t sweep_every = 4096;

struct shard {
  std::mutex mutex;
  std::unordered_map<std::string, clock_type::time_point, string_hash, std::equal_to<>> tats;
  std::uint32_t since_sweep = 0;
};

class memory_store final : public rate_limit_store {
 public:
  explicit memory_store(memory_rate_limit_store_options o)
      : shards_(std::max<std::size_t>(o.shards, 1)),
        per_shard_cap_(std::max<std::size_t>(o.max_buckets / shards_.size(), 1)) {}

  rate_limit_decision take(std::string_view key, const token_bucket_shape& shape,
                           clock_type::time_point now) override {
    const nanoseconds token = token_time(shape);
    const std::uint32_t burst = std::max<std::uint32_t>(shape.burst, 1);
    const nanoseconds tolerance = token * (burst - 1);
    shard& s = shards_[string_hash{}(key) % shards_.size()];
    std::lock_guard lock(s.mutex);
    if (++s.since_sweep >= sweep_every) sweep(s, now);
    auto it = s.tats.find(key);
    clock_type::time_point tat = it == s.tats.end() ? now : std::max(it->second, now);
    rate_limit_decision d;
    if (tat - now > tolerance) {
      d.wait = tat - now - tolerance;
      d.until_full = tat - now;
      return d;
    }
    tat += token;
    if (it != s.tats.end()) {
      it->second = tat;
    } else {
      make_room(s, now);
      s.tats.emplace(std::string(key), tat);
    }
    d.allowed = true;
    d.until_full = tat - now;
    d.remaining = static_cast<std::uint32_t>((token * burst - d.until_full) / token);
    return d;
  }

 private:
  static nanoseconds token_time(const token_bucket_shape& shape) {
    const nanoseconds per = std::max<nanoseconds>(shape.per, nanoseconds(1));
    return std::max<nanoseconds>(per / std::max<std::uint32_t>(shape.requests, 1), nanoseconds(1));
  }

  static void sweep(shard& s, clock_type::time_point now) {
    s.since_sweep = 0;
    std::erase_if(s.tats, [now](const auto& kv) { return kv.second <= now; });
  }

  // Keeps the shard under its cap before an insertion: idle buckets first, then the one
  // nearest to full (the least a client can lose by being forgotten).
  void make_room(shard& s, clock_type::time_point now) const {
    if (s.tats.size() < per_shard_cap_) return;
    sweep(s, now);
    while (s.tats.size() >= per_shard_cap_) {
      auto oldest =
          std::min_element(s.tats.begin(), s.tats.end(),
                           [](const auto& a, const auto& b) { return a.second < b.second; });
      s.tats.erase(oldest);
    }
  }

  std::vector<shard> shards_;
  std::size_t per_shard_cap_;
};

}  // namespace

std::shared_ptr<rate_limit_store> make_memory_rate_limit_store(
    memory_rate_limit_store_options options) {
  return std::make_shared<memory_store>(options);
}

}  // namespace teapot::handlers
