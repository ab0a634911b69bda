#include "teapot/handlers/rate_limit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace teapot::handlers {
namespace {

using namespace std::chrono_literals;

struct outcome {
  http::status status;
  std::optional<std::string> retry_after, policy, state;
};

// A step with a clock the test moves by hand.
class limiter {
 public:
  explicit limiter(std::vector<rate_limit_rule> rules,
                   std::shared_ptr<rate_limit_store> store = {}) {
    rate_limit_options o;
    o.limits = std::move(rules);
    o.store = std::move(store);
    o.now = [this] { return now_; };
    step_ = make_rate_limit(std::move(o));
  }
  void advance(rate_limit_clock::duration d) { now_ += d; }

  outcome send(std::string_view path, std::string_view peer = "192.0.2.1:40000",
               std::vector<header_field> headers = {}) {
    request req;
    req.method = "GET";
    req.path = req.target = path;
    req.remote_address = peer;
    req.headers = headers;
    response res;
    policy::verdict v = step_->on_request(req, res);
    EXPECT_EQ(v == policy::verdict::answered, res.status() == http::status::too_many_requests);
    auto get = [&](std::string_view n) -> std::optional<std::string> {
      if (auto h = res.header(n)) return std::string(*h);
      return std::nullopt;
    };
    return {res.status(), get("Retry-After"), get("RateLimit-Policy"), get("RateLimit")};
  }

 private:
  rate_limit_clock::time_point now_{};
  std::shared_ptr<policy> step_;
};

rate_limit_rule rule(std::string prefix, std::uint32_t requests, std::chrono::milliseconds per,
                     std::uint32_t burst = 0) {
  rate_limit_rule r;
  r.prefix = std::move(prefix);
  r.requests = requests;
  r.per = per;
  r.burst = burst;
  return r;
}

TEST(rate_limit, lets_a_burst_through_then_answers_429) {
  limiter l({rule("/", 1, 1s, 3)});
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(l.send("/a").status, http::status::ok) << i;
  outcome o = l.send("/a");
  EXPECT_EQ(o.status, http::status::too_many_requests);
  EXPECT_EQ(o.retry_after, "1");
}

TEST(rate_limit, refills_one_token_per_interval) {
  limiter l({rule("/", 2, 1s, 2)});  // a token every 500 ms
  EXPECT_EQ(l.send("/").status, http::status::ok);
  EXPECT_EQ(l.send("/").status, http::status::ok);
  EXPECT_EQ(l.send("/").status, http::status::too_many_requests);
  l.advance(499ms);
  EXPECT_EQ(l.send("/").status, http::status::too_many_requests);
  l.advance(1ms);
  EXPECT_EQ(l.send("/").status, http::status::ok);
  EXPECT_EQ(l.send("/").status, http::status::too_many_requests);
  l.advance(10s);  // long idle: the bucket holds no more than the burst
  EXPECT_EQ(l.send("/").status, http::status::ok);
  EXPECT_EQ(l.send("/").status, http::status::ok);
  EXPECT_EQ(l.send("/").status, http::status::too_many_requests);
}

TEST(rate_limit, retry_after_is_the_whole_seconds_until_a_token_is_back) {
  limiter l({rule("/", 1, 10s, 1)});
  EXPECT_EQ(l.send("/").status, http::status::ok);
  EXPECT_EQ(l.send("/").retry_after, "10");
  l.advance(3500ms);
  EXPECT_EQ(l.send("/").retry_after, "7");  // 6.5 s, rounded up
  l.advance(6400ms);
  EXPECT_EQ(l.send("/").retry_after, "1");  // 100 ms: never "0"
  l.advance(100ms);
  EXPECT_EQ(l.send("/").status, http::status::ok);
}

TEST(rate_limit, sends_the_ratelimit_fields_in_structured_field_form) {
  limiter l({rule("/", 10, 60s)});  // burst defaults to 10; a token every 6 s
  outcome first = l.send("/");
  EXPECT_EQ(first.policy, "\"default\";q=10;w=60");
  EXPECT_EQ(first.state, "\"default\";r=9;t=6");
  EXPECT_EQ(first.retry_after, std::nullopt);
  for (int i = 0; i < 9; ++i)
    l.send("/");
  outcome refused = l.send("/");
  EXPECT_EQ(refused.status, http::status::too_many_requests);
  EXPECT_EQ(refused.policy, "\"default\";q=10;w=60");
  EXPECT_EQ(refused.state, "\"default\";r=0;t=60");
  EXPECT_EQ(refused.retry_after, "6");
}

TEST(rate_limit, names_the_policy_as_an_escaped_sf_string_and_rounds_the_window_up) {
  rate_limit_rule r = rule("/", 5, 1500ms);
  r.name = "a\"b";
  limiter l({r});
  EXPECT_EQ(l.send("/").policy, "\"a\\\"b\";q=5;w=2");
}

TEST(rate_limit, keeps_a_bucket_per_client_address_whatever_the_port) {
  limiter l({rule("/", 1, 1s, 1)});
  EXPECT_EQ(l.send("/", "192.0.2.1:1000").status, http::status::ok);
  EXPECT_EQ(l.send("/", "192.0.2.1:2000").status, http::status::too_many_requests);
  EXPECT_EQ(l.send("/", "192.0.2.2:1000").status, http::status::ok);
  EXPECT_EQ(l.send("/", "[2001:db8::1]:1000").status, http::status::ok);
  EXPECT_EQ(l.send("/", "[2001:db8::1]:2000").status, http::status::too_many_requests);
  EXPECT_EQ(l.send("/", "[2001:db8::2]:1000").status, http::status::ok);
}

TEST(rate_limit, keys_by_header_and_falls_back_to_the_address_without_it) {
  rate_limit_rule r = rule("/", 1, 1s, 1);
  r.key = rate_limit_key::header;
  r.header = "X-API-Key";
  limiter l({r});
  EXPECT_EQ(l.send("/", "192.0.2.1:1", {{"x-api-key", "alpha"}}).status, http::status::ok);
  // Another client with the same key shares the bucket; another key does not.
  EXPECT_EQ(l.send("/", "192.0.2.9:1", {{"X-API-Key", "alpha"}}).status,
            http::status::too_many_requests);
  EXPECT_EQ(l.send("/", "192.0.2.1:1", {{"X-API-Key", "beta"}}).status, http::status::ok);
  // Without the field the address is the key, apart from any API key's bucket.
  EXPECT_EQ(l.send("/", "192.0.2.1:1").status, http::status::ok);
  EXPECT_EQ(l.send("/", "192.0.2.1:2").status, http::status::too_many_requests);
}

TEST(rate_limit, applies_only_the_longest_matching_prefix) {
  rate_limit_rule api = rule("/api/", 1, 1s, 1);
  api.name = "api";
  limiter l({rule("/", 100, 1s), api});
  EXPECT_EQ(l.send("/api/x").policy, "\"api\";q=1;w=1");
  EXPECT_EQ(l.send("/api/y").status, http::status::too_many_requests);
  outcome site = l.send("/index.html");
  EXPECT_EQ(site.status, http::status::ok);
  // The site-wide bucket was not charged for the /api/ requests.
  EXPECT_EQ(site.state, "\"default\";r=99;t=1");
}

TEST(rate_limit, lets_paths_outside_every_prefix_through_untouched) {
  limiter l({rule("/api/", 1, 1s, 1)});
  for (int i = 0; i < 3; ++i) {
    outcome o = l.send("/static/a.css");
    EXPECT_EQ(o.status, http::status::ok);
    EXPECT_EQ(o.policy, std::nullopt);
  }
}

std::shared_ptr<policy> make_with(rate_limit_rule r) {
  rate_limit_options o;
  o.limits.push_back(std::move(r));
  return make_rate_limit(std::move(o));
}

TEST(rate_limit, refuses_limits_it_cannot_honour) {
  EXPECT_THROW(make_with(rule("/", 0, 1s)), std::invalid_argument);
  EXPECT_THROW(make_with(rule("/", 1, 0ms)), std::invalid_argument);
  rate_limit_rule r = rule("/", 1, 1s);
  r.name = "tab\there";
  EXPECT_THROW(make_with(r), std::invalid_argument);
}

TEST(memory_rate_limit_store, forgets_the_bucket_nearest_to_full_past_its_cap) {
  auto store = make_memory_rate_limit_store({.shards = 1, .max_buckets = 2});
  const token_bucket_shape shape{1, 10s, 1};
  rate_limit_clock::time_point t{};
  EXPECT_TRUE(store->take("a", shape, t).allowed);
  EXPECT_TRUE(store->take("b", shape, t + 1s).allowed);
  EXPECT_FALSE(store->take("a", shape, t + 1s).allowed);  // a is still held
  EXPECT_TRUE(store->take("c", shape, t + 2s).allowed);   // evicts a, the oldest
  EXPECT_TRUE(store->take("a", shape, t + 2s).allowed);   // a fresh bucket: forgotten
  EXPECT_FALSE(store->take("c", shape, t + 2s).allowed);  // c was kept
}

TEST(memory_rate_limit_store, drops_idle_buckets_before_busy_ones) {
  auto store = make_memory_rate_limit_store({.shards = 1, .max_buckets = 2});
  const token_bucket_shape slow{1, 100s, 1};
  const token_bucket_shape fast{1, 1s, 1};
  rate_limit_clock::time_point t{};
  EXPECT_TRUE(store->take("busy", slow, t).allowed);
  EXPECT_TRUE(store->take("idle", fast, t + 1s).allowed);  // full again at t + 2 s
  EXPECT_TRUE(store->take("new", slow, t + 5s).allowed);
  EXPECT_FALSE(store->take("busy", slow, t + 5s).allowed);
}

TEST(memory_rate_limit_store, hands_out_exactly_the_burst_across_threads) {
  auto store = make_memory_rate_limit_store();
  const token_bucket_shape shape{1, 1000s, 50};
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] {
      for (int n = 0; n < 100; ++n)
        if (store->take("shared", shape, rate_limit_clock::time_point{}).allowed) ++allowed;
    });
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(allowed.load(), 50);
}

}  // namespace
}  // namespace teapot::handlers
