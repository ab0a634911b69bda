// The metrics' counts and their Prometheus text: each worker's copy added up, only the codes and
// methods seen, cumulative buckets, and label values escaped.
#include "server/metrics.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace teapot::srv {
namespace {

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

counted_response response_of(const site* s, int code, std::string_view method, std::int64_t ms) {
  counted_response r;
  r.where = s;
  r.code = code;
  r.method = method;
  r.duration_ms = ms;
  r.bytes_in = 100;
  r.bytes_out = 10;
  return r;
}

TEST(metrics, two_workers_counts_are_added_up_per_site_and_code) {
  site named({"a.test", "www.a.test"});
  site fallback;
  worker_metrics one, two;
  one.count(response_of(&named, 200, "GET", 0));
  one.count(response_of(&fallback, 404, "GET", 3));
  two.count(response_of(&named, 200, "HEAD", 7));
  two.count(response_of(nullptr, 400, "", -1));
  two.count_parse_error(h1::parse_error::duplicate_host);
  one.count_accepted();
  two.count_accepted();
  two.count_refused();
  metrics_totals sum = one.snapshot(3, 1, 0, 0);
  sum.add(two.snapshot(2, 2, 5, 1));
  const std::string text = render_prometheus(sum, {.workers = 2});

  EXPECT_TRUE(has_line(text, R"m(teapot_responses_total{site="a.test",code="200"} 2)m")) << text;
  EXPECT_TRUE(has_line(text, R"m(teapot_responses_total{site="(default)",code="404"} 1)m"));
  EXPECT_TRUE(has_line(text, R"m(teapot_responses_total{site="(none)",code="400"} 1)m"));
  EXPECT_EQ(text.find(R"m(code="500")m"), std::string::npos);  // never served, never written
  EXPECT_TRUE(has_line(text, R"m(teapot_requests_total{site="a.test",method="GET"} 1)m"));
  EXPECT_TRUE(has_line(text, R"m(teapot_requests_total{site="a.test",method="HEAD"} 1)m"));
  EXPECT_TRUE(has_line(text, R"m(teapot_received_bytes_total{site="a.test"} 200)m"));
  EXPECT_TRUE(has_line(text, R"m(teapot_sent_bytes_total{site="a.test"} 20)m"));
  EXPECT_TRUE(has_line(text, R"m(teapot_parse_errors_total{kind="duplicate_host"} 1)m"));
  EXPECT_TRUE(has_line(text, "teapot_connections_accepted_total 2"));
  EXPECT_TRUE(has_line(text, "teapot_connections_refused_total 1"));
  EXPECT_TRUE(has_line(text, "teapot_connections_open 5"));
  EXPECT_TRUE(has_line(text, "teapot_connections_idle 3"));
  EXPECT_TRUE(has_line(text, "teapot_compression_cache_hits_total 5"));
  EXPECT_TRUE(has_line(text, "teapot_workers 2"));
}

TEST(metrics, the_duration_histogram_is_cumulative_with_an_exact_sum) {
  site s({"a.test"});
  worker_metrics w;
  for (std::int64_t ms : {0, 1, 2, 30, 20000})
    w.count(response_of(&s, 200, "GET", ms));
  const std::string text = render_prometheus(w.snapshot(0, 0, 0, 0), {});
  const std::string b = R"m(teapot_request_duration_seconds_bucket{site="a.test",le=)m";
  EXPECT_TRUE(has_line(text, b + R"m("0.001"} 2)m")) << text;  // 0 and 1 ms: le is inclusive
  EXPECT_TRUE(has_line(text, b + R"m("0.005"} 3)m"));
  EXPECT_TRUE(has_line(text, b + R"m("0.025"} 3)m"));
  EXPECT_TRUE(has_line(text, b + R"m("0.05"} 4)m"));
  EXPECT_TRUE(has_line(text, b + R"m("10"} 4)m"));
  EXPECT_TRUE(has_line(text, b + R"m("+Inf"} 5)m"));
  EXPECT_TRUE(has_line(text, R"m(teapot_request_duration_seconds_sum{site="a.test"} 20.033)m"));
  EXPECT_TRUE(has_line(text, R"m(teapot_request_duration_seconds_count{site="a.test"} 5)m"));
}

TEST(metrics, methods_not_listed_are_other_so_clients_cannot_grow_the_output) {
  site s({"a.test"});
  worker_metrics w;
  w.count(response_of(&s, 501, "BREW", 0));
  w.count(response_of(&s, 501, "WHEN", 0));
  const std::string text = render_prometheus(w.snapshot(0, 0, 0, 0), {});
  EXPECT_TRUE(has_line(text, R"m(teapot_requests_total{site="a.test",method="other"} 2)m"));
  EXPECT_EQ(text.find("BREW"), std::string::npos);
}

class answering_step final : public policy {
 public:
  explicit answering_step(std::string_view name) : name_(name) {}
  verdict on_request(const request&, response&) override { return verdict::answered; }
  std::string_view name() const noexcept override { return name_; }

 private:
  std::string_view name_;
};

TEST(metrics, a_steps_answers_are_counted_under_its_name_or_custom) {
  site s({"a.test"});
  answering_step limiter("rate_limit"), nameless("");
  worker_metrics w;
  counted_response r = response_of(&s, 429, "GET", 0);
  r.answered_by = &limiter;
  w.count(r);
  w.count(r);
  r.code = 403;
  r.answered_by = &nameless;
  w.count(r);
  const std::string text = render_prometheus(w.snapshot(0, 0, 0, 0), {});
  EXPECT_TRUE(has_line(
      text, R"m(teapot_step_answers_total{site="a.test",step="rate_limit",code="429"} 2)m"));
  EXPECT_TRUE(
      has_line(text, R"m(teapot_step_answers_total{site="a.test",step="custom",code="403"} 1)m"));
}

TEST(metrics, label_values_escape_quotes_backslashes_and_line_feeds) {
  site odd({"a\"b\\c\nd"});
  worker_metrics w;
  w.count(response_of(&odd, 200, "GET", 0));
  const std::string text = render_prometheus(w.snapshot(0, 0, 0, 0), {});
  EXPECT_TRUE(has_line(text, R"m(teapot_responses_total{site="a\"b\\c\nd",code="200"} 1)m"))
      << text;
}

TEST(metrics, a_new_site_set_keeps_counting_under_the_same_name) {
  auto before = std::make_unique<site>(std::vector<std::string>{"a.test"});
  worker_metrics w;
  w.count(response_of(before.get(), 200, "GET", 0));
  w.forget_sites();  // a reload: the old site may be freed and its address reused
  before.reset();
  site after({"a.test"});
  w.count(response_of(&after, 200, "GET", 0));
  const std::string text = render_prometheus(w.snapshot(0, 0, 0, 0), {});
  EXPECT_TRUE(has_line(text, R"m(teapot_responses_total{site="a.test",code="200"} 2)m"));
}

TEST(metrics, server_wide_families_are_written_even_before_any_request) {
  const std::string text = render_prometheus({}, {.workers = 4,
                                                  .reloads_succeeded = 2,
                                                  .reloads_failed = 1,
                                                  .access_log_lines_dropped = 7,
                                                  .start_time_seconds = 1700000000});
  EXPECT_TRUE(has_line(text, R"m(teapot_reloads_total{result="success"} 2)m"));
  EXPECT_TRUE(has_line(text, R"m(teapot_reloads_total{result="failure"} 1)m"));
  EXPECT_TRUE(has_line(text, R"m(teapot_log_lines_dropped_total{log="access"} 7)m"));
  EXPECT_TRUE(has_line(text, "teapot_start_time_seconds 1700000000"));
  EXPECT_TRUE(has_line(text, "# TYPE teapot_responses_total counter"));
}

}  // namespace
}  // namespace teapot::srv
