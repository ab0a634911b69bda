// The status page's parts: the recent slots, the bounded table of error paths, and the page
// rendered from them (escaped, without external assets).
#include "server/status_page.h"

#include <gtest/gtest.h>

#include <string>

namespace teapot::srv {
namespace {

TEST(recent_slot, counts_by_class_and_code_and_keeps_sixteen_codes_apart) {
  recent_slot s{.epoch = 7};
  s.count(200);
  s.count(200);
  s.count(404);
  for (int code = 500; code < 520; ++code)
    s.count(code);
  EXPECT_EQ(s.by_class[1], 2u);
  EXPECT_EQ(s.by_class[3], 1u);
  EXPECT_EQ(s.by_class[4], 20u);  // every 5xx in its class
  EXPECT_EQ(s.code_count, codes_per_slot);
  EXPECT_EQ(s.codes[0], (std::pair<std::uint16_t, std::uint32_t>{200, 2}));
}

TEST(recent_slot, adding_keeps_the_newer_epoch) {
  recent_slot older{.epoch = 3}, newer{.epoch = 4};
  older.count(200);
  newer.count(404);
  recent_slot a = older;
  a.add(newer);
  EXPECT_EQ(a.epoch, 4);
  EXPECT_EQ(a.by_class[1], 0u);
  EXPECT_EQ(a.by_class[3], 1u);
  recent_slot b = newer;
  b.add(older);
  EXPECT_EQ(b.epoch, 4);
  EXPECT_EQ(b.by_class[1], 0u);
  recent_slot c = newer;
  c.add(newer);
  EXPECT_EQ(c.by_class[3], 2u);
}

// Space-Saving keeps every pair counted more than total / capacity times: here 200 of 10,200,
// above 10,200 / 64 = 159, interleaved with the flood.
TEST(top_error_paths, a_frequent_path_survives_a_flood_of_distinct_ones) {
  top_error_paths t;
  for (int i = 0; i < 10'000; ++i) {
    t.count(404, "/random/" + std::to_string(i));
    if (i % 50 == 0) t.count(404, "/often");
  }
  ASSERT_EQ(t.entries().size(), top_error_paths::capacity);
  std::uint64_t often = 0;
  for (const error_path& e : t.entries())
    if (e.path == "/often") often = e.count;
  EXPECT_GE(often, 200u);                                        // present, and never under-counted
  EXPECT_LE(often, 200u + 10'000u / top_error_paths::capacity);  // over by what it inherited
}

TEST(top_error_paths, long_paths_are_cut) {
  top_error_paths t;
  t.count(414, std::string(1000, 'a'));
  ASSERT_EQ(t.entries().size(), 1u);
  EXPECT_EQ(t.entries()[0].path.size(), top_error_paths::longest_path);
}

std::string page_with(const metrics_totals& t, std::vector<site_summary> sites = {}) {
  server_metrics s{.workers = 2, .start_time_seconds = 1000};
  return render_status_page({.totals = &t,
                             .server = &s,
                             .sites = std::move(sites),
                             .now_ms = 125'000,
                             .now_unix = 1000 + 3725});
}

TEST(status_page, escapes_paths_and_host_names_and_loads_nothing_from_elsewhere) {
  metrics_totals t;
  t.status.errors.push_back({404, "/<script>alert(1)</script>", 2});
  t.status.workers = {{3, 1}, {2, 2}};
  const std::string page = page_with(
      t, {{.hosts = {"a&b.test"}, .is_default = false, .steps = {"rate_limit", "basic_auth"}},
          {.hosts = {}, .is_default = true, .steps = {}}});
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_NE(page.find("<code>/&lt;script&gt;alert(1)&lt;/script&gt;</code>"), std::string::npos);
  EXPECT_NE(page.find("<td>a&amp;b.test</td><td>rate_limit &rarr; basic_auth</td>"),
            std::string::npos);
  EXPECT_NE(page.find("<td>(any host) <em>(default)</em></td><td>none</td>"), std::string::npos);
  EXPECT_NE(page.find("<tfoot><tr><th scope=\"row\">All</th><td>5</td><td>3</td><td>2</td>"),
            std::string::npos);
  EXPECT_NE(page.find("Up for 1 h 2 min, 2 workers"), std::string::npos);
  EXPECT_EQ(page.find("src="), std::string::npos);
  EXPECT_EQ(page.find("href="), std::string::npos);
}

TEST(status_page, the_chart_has_a_bar_per_slot_and_class_within_the_window_only) {
  metrics_totals t;
  // now_ms 125000 is slot 12; slot 12 and slot 11 are in the window, an old one (epoch 12 - 60)
  // left in the ring is not.
  recent_slot now{.epoch = 12}, before{.epoch = 11};
  now.count(200);
  now.count(503);
  before.count(301);
  t.status.recent[12] = now;
  t.status.recent[11] = before;
  recent_slot stale{.epoch = 10 - static_cast<std::int64_t>(recent_slots)};
  stale.count(418);
  t.status.recent[static_cast<std::size_t>(stale.epoch + static_cast<std::int64_t>(recent_slots)) %
                  recent_slots] = stale;
  const std::string page = page_with(t);
  EXPECT_NE(page.find("<title>2xx: 1</title>"), std::string::npos);
  EXPECT_NE(page.find("<title>5xx: 1</title>"), std::string::npos);
  EXPECT_NE(page.find("<title>3xx: 1</title>"), std::string::npos);
  EXPECT_EQ(page.find("418"), std::string::npos);
  EXPECT_NE(page.find("<tr><td>503</td><td>Service Unavailable</td><td>1</td></tr>"),
            std::string::npos);
}

}  // namespace
}  // namespace teapot::srv
