#include "teapot/handlers/maintenance.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>

namespace teapot::handlers {
namespace {

using verdict = policy::verdict;
using namespace std::chrono_literals;

struct exchange {
  request req;
  response res;
  explicit exchange(std::string_view path) {
    req.method = "GET";
    req.path = path;
  }
};

verdict ask(policy& step, std::string_view path, response* out = nullptr) {
  exchange x(path);
  verdict v = step.on_request(x.req, x.res);
  if (out) {
    out->set_status(x.res.status());
    if (auto ra = x.res.header("Retry-After")) out->set_header("Retry-After", *ra);
  }
  return v;
}

TEST(Maintenance, AnswersEveryPathWith503AndTheDelayWhenEnabled) {
  maintenance_options o;
  o.enabled = true;
  o.retry_after = std::chrono::seconds(120);
  auto step = make_maintenance(o);
  exchange x("/any/path");
  ASSERT_EQ(step->on_request(x.req, x.res), verdict::answered);
  EXPECT_EQ(x.res.status(), http::status::service_unavailable);
  EXPECT_EQ(x.res.header("Retry-After"), "120");
  EXPECT_TRUE(x.res.wants_error_page());
}

TEST(Maintenance, SendsADateAsAnImfFixdate) {
  maintenance_options o;
  o.enabled = true;
  o.retry_after = std::chrono::system_clock::from_time_t(784111777);
  auto step = make_maintenance(o);
  exchange x("/");
  ASSERT_EQ(step->on_request(x.req, x.res), verdict::answered);
  EXPECT_EQ(x.res.header("Retry-After"), "Sun, 06 Nov 1994 08:49:37 GMT");
}

TEST(Maintenance, SendsNoRetryAfterWhenNoneIsConfigured) {
  maintenance_options o;
  o.enabled = true;
  auto step = make_maintenance(o);
  exchange x("/");
  ASSERT_EQ(step->on_request(x.req, x.res), verdict::answered);
  EXPECT_FALSE(x.res.header("Retry-After"));
}

TEST(Maintenance, CoversOnlyItsPrefixes) {
  maintenance_options o;
  o.enabled = true;
  o.prefixes = {"/api/", "/admin"};
  auto step = make_maintenance(o);
  EXPECT_EQ(ask(*step, "/api/v1/users"), verdict::answered);
  EXPECT_EQ(ask(*step, "/admin/x"), verdict::answered);
  EXPECT_EQ(ask(*step, "/administrators"), verdict::answered);  // prefixes are strings
  EXPECT_EQ(ask(*step, "/api"), verdict::next);
  EXPECT_EQ(ask(*step, "/"), verdict::next);
}

TEST(Maintenance, IsOffWithoutASwitch) {
  auto step = make_maintenance({});
  exchange x("/");
  EXPECT_EQ(step->on_request(x.req, x.res), verdict::next);
  EXPECT_EQ(x.res.status(), http::status::ok);
}

TEST(Maintenance, FollowsTheRuntimeSwitch) {
  auto on = std::make_shared<std::atomic<bool>>(false);
  maintenance_options o;
  o.runtime_switch = on;
  auto step = make_maintenance(o);
  EXPECT_EQ(ask(*step, "/"), verdict::next);
  on->store(true);
  EXPECT_EQ(ask(*step, "/"), verdict::answered);
  on->store(false);
  EXPECT_EQ(ask(*step, "/"), verdict::next);
}

class trigger_file_test : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("teapot-maintenance-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove(path_);
  }
  void TearDown() override { std::filesystem::remove(path_); }
  void create() { std::ofstream(path_) << "down\n"; }
  std::filesystem::path path_;
};

TEST_F(trigger_file_test, FollowsTheFileWithinTheCheckInterval) {
  maintenance_options o;
  o.trigger_file = path_;
  o.trigger_check_interval = 0ms;  // look every time
  o.retry_after = std::chrono::seconds(30);
  auto step = make_maintenance(o);
  EXPECT_EQ(ask(*step, "/"), verdict::next);
  create();
  response seen;
  EXPECT_EQ(ask(*step, "/", &seen), verdict::answered);
  EXPECT_EQ(seen.status(), http::status::service_unavailable);
  EXPECT_EQ(seen.header("Retry-After"), "30");
  std::filesystem::remove(path_);
  EXPECT_EQ(ask(*step, "/"), verdict::next);
}

TEST_F(trigger_file_test, LooksAtTheFileAtMostOncePerInterval) {
  maintenance_options o;
  o.trigger_file = path_;
  o.trigger_check_interval = 300ms;
  auto step = make_maintenance(o);
  EXPECT_EQ(ask(*step, "/"), verdict::next);  // checked now: absent
  create();
  EXPECT_EQ(ask(*step, "/"), verdict::next);  // still the remembered answer
  std::this_thread::sleep_for(350ms);
  EXPECT_EQ(ask(*step, "/"), verdict::answered);
  std::filesystem::remove(path_);
  EXPECT_EQ(ask(*step, "/"), verdict::answered);
  std::this_thread::sleep_for(350ms);
  EXPECT_EQ(ask(*step, "/"), verdict::next);
}

TEST_F(trigger_file_test, AnswersTheSameFromManyThreads) {
  maintenance_options o;
  o.trigger_file = path_;
  o.trigger_check_interval = 1ms;
  create();
  auto step = make_maintenance(o);
  std::atomic<int> answered{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i)
        if (ask(*step, "/") == verdict::answered) ++answered;
    });
  for (auto& t : threads)
    t.join();
  // The file was there when the step was made, which looked at it then: every request sees
  // it, on every thread, however slow the first stat(2) of the interval is.
  EXPECT_EQ(answered.load(), 800);
}

TEST(Maintenance, RefusesARetryAfterItCannotSend) {
  maintenance_options negative;
  negative.retry_after = std::chrono::seconds(-1);
  EXPECT_THROW(make_maintenance(negative), std::invalid_argument);
}

}  // namespace
}  // namespace teapot::handlers
