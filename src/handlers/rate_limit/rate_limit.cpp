// The rate-limit step: picks the limit of the longest matching prefix, takes a token from the
// client's bucket, and answers 429 when there is none.
#include "teapot/handlers/rate_limit.h"

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace teapot::handlers {

namespace {

// The peer's address without its port: "[::1]:8080" -> "::1", "10.0.0.1:80" -> "10.0.0.1".
std::string_view address_without_port(std::string_view peer) noexcept {
  if (!peer.empty() && peer.front() == '[') {
    std::size_t close = peer.find(']');
    return close == std::string_view::npos ? peer.substr(1) : peer.substr(1, close - 1);
  }
  std::size_t colon = peer.rfind(':');
  if (colon != std::string_view::npos && peer.find(':') == colon) return peer.substr(0, colon);
  return peer;  // no port, or a bare IPv6 address
}

// Whole seconds, rounded up: a client told to wait that long finds the token back.
std::int64_t ceil_seconds(std::chrono::nanoseconds d) noexcept {
  using std::chrono::seconds;
  std::int64_t s = std::chrono::duration_cast<seconds>(d).count();
  if (seconds(s) < d) ++s;
  return s;
}

struct compiled_limit {
  rate_limit_rule rule;
  token_bucket_shape shape;
  std::string policy_field;  // the RateLimit-Policy value, fixed per limit
  std::string quoted_name;   // the sf-string that starts the RateLimit value
};

// draft-ietf-httpapi-ratelimit-headers-09 §3 (RateLimit-Policy) and §4 (RateLimit): a List of
// Items whose value is the policy name as an sf-String (RFC 8941 §3.3.3), with parameters q
// (quota units) and w (window, in whole seconds) for the policy, r (remaining) and t (seconds
// until the quota resets) for the current state. A window that is not a whole number of
// seconds is rounded up with the same quota, which announces a rate no higher than the real one.
std::string quote_sf_string(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c < 0x20 || c > 0x7e)
      throw std::invalid_argument("rate limit name must be printable ASCII");
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

compiled_limit compile(rate_limit_rule r) {
  if (r.requests == 0) throw std::invalid_argument("a rate limit needs at least 1 request");
  if (r.per < std::chrono::milliseconds(1))
    throw std::invalid_argument("a rate limit's period must be at least 1 ms");
  compiled_limit c;
  c.shape = {r.requests, r.per, r.burst == 0 ? r.requests : r.burst};
  c.quoted_name = quote_sf_string(r.name.empty() ? std::string_view("default") : r.name);
  c.policy_field = c.quoted_name + ";q=" + std::to_string(r.requests) +
                   ";w=" + std::to_string(ceil_seconds(r.per));
  c.rule = std::move(r);
  return c;
}

class rate_limit_step final : public policy {
 public:
  std::string_view name() const noexcept override { return "rate_limit"; }
  explicit rate_limit_step(rate_limit_options o)
      : store_(std::move(o.store)), now_(std::move(o.now)) {
    for (auto& r : o.limits)
      limits_.push_back(compile(std::move(r)));
    if (!store_) store_ = make_memory_rate_limit_store();
    if (!now_) now_ = [] { return rate_limit_clock::now(); };
  }

  verdict on_request(const request& req, response& res) override {
    const compiled_limit* limit = limit_for(req.path);
    if (limit == nullptr) return verdict::next;
    const rate_limit_decision d = store_->take(bucket_key(*limit, req), limit->shape, now_());
    res.set_header("RateLimit-Policy", limit->policy_field);
    std::string state = limit->quoted_name + ";r=" + std::to_string(d.remaining) +
                        ";t=" + std::to_string(ceil_seconds(d.until_full));
    if (d.allowed) {
      // Set now rather than in on_response: the field describes this request's bucket, and
      // the response object carries it to whatever final response the request gets.
      res.set_header("RateLimit", state);
      return verdict::next;
    }
    res.error(http::status::too_many_requests);
    res.set_header("RateLimit", state);
    res.set_header("Retry-After", std::to_string(std::max<std::int64_t>(ceil_seconds(d.wait), 1)));
    return verdict::answered;
  }

 private:
  const compiled_limit* limit_for(std::string_view path) const noexcept {
    const compiled_limit* best = nullptr;
    for (const auto& l : limits_) {
      if (!path.starts_with(l.rule.prefix)) continue;
      if (best == nullptr || l.rule.prefix.size() > best->rule.prefix.size()) best = &l;
    }
    return best;
  }

  // Each limit has its own buckets: its prefix, then what identifies the client, NUL-separated
  // (no path or field value holds a NUL). Keyed by prefix rather than by position, so that a
  // store kept across a configuration reload keeps its buckets when limits are reordered.
  std::string bucket_key(const compiled_limit& l, const request& req) const {
    std::string key = l.rule.prefix;
    if (l.rule.key == rate_limit_key::header) {
      if (auto v = req.header(l.rule.header); v && !v->empty()) {
        key.append(std::string_view("\0h\0", 3)).append(*v);
        return key;
      }
    }
    key.append(std::string_view("\0a\0", 3)).append(address_without_port(req.remote_address));
    return key;
  }

  std::vector<compiled_limit> limits_;
  std::shared_ptr<rate_limit_store> store_;
  std::function<rate_limit_clock::time_point()> now_;
};

}  // namespace

std::shared_ptr<teapot::policy> make_rate_limit(rate_limit_options options) {
  return std::make_shared<rate_limit_step>(std::move(options));
}

}  // namespace teapot::handlers
