#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "teapot/log.h"

namespace teapot {
namespace {

class log_file_test : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("teapot-log-" + std::to_string(::getpid()) + "-" + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static std::string read(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }

  std::filesystem::path dir_;
};

TEST_F(log_file_test, flush_writes_every_line_queued_before_it) {
  auto f = log_file::open(dir_ / "a.log");
  f->write("one\n");
  f->write("two\nthree\n");
  f->flush();
  EXPECT_EQ(read(dir_ / "a.log"), "one\ntwo\nthree\n");
}

TEST_F(log_file_test, lines_from_many_threads_arrive_whole) {
  auto f = log_file::open(dir_ / "a.log");
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t)
    writers.emplace_back([&f, t] {
      for (int i = 0; i < 500; ++i)
        f->write("writer " + std::to_string(t) + " line " + std::to_string(i) + "\n");
    });
  for (auto& w : writers)
    w.join();
  f->flush();
  std::istringstream in(read(dir_ / "a.log"));
  int count = 0;
  for (std::string l; std::getline(in, l); ++count)
    EXPECT_TRUE(l.starts_with("writer ")) << l;
  EXPECT_EQ(count, 2000);
}

TEST_F(log_file_test, the_destructor_writes_what_is_still_queued) {
  log_file::open(dir_ / "a.log")->write("last words\n");
  EXPECT_EQ(read(dir_ / "a.log"), "last words\n");
}

TEST_F(log_file_test, reopen_after_a_rotation_writes_to_a_new_file_at_the_old_name) {
  auto f = log_file::open(dir_ / "a.log");
  f->write("before\n");
  f->flush();
  std::filesystem::rename(dir_ / "a.log", dir_ / "a.log.1");
  f->reopen();
  f->write("after\n");
  f->flush();
  EXPECT_EQ(read(dir_ / "a.log.1"), "before\n");
  EXPECT_EQ(read(dir_ / "a.log"), "after\n");
}

TEST_F(log_file_test, a_file_that_cannot_be_opened_throws) {
  EXPECT_THROW(log_file::open(dir_ / "no" / "such" / "dir.log"), std::system_error);
}

TEST_F(log_file_test, the_error_log_writes_messages_at_or_above_its_level_on_one_line_each) {
  auto f = log_file::open(dir_ / "e.log");
  error_log log(f, log_level::warn);
  log.write(log_level::info, "not written");
  log.write(log_level::warn, "careful");
  log.write(log_level::error, "broken\nforged line");
  log.set_level(log_level::debug);
  log.write(log_level::debug, "now written");
  f->flush();
  std::istringstream in(read(dir_ / "e.log"));
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);)
    lines.push_back(l.substr(l.find(' ') + 1));  // past the timestamp
  EXPECT_EQ(lines, (std::vector<std::string>{"[warn] careful", "[error] broken\\x0aforged line",
                                             "[debug] now written"}));
}

}  // namespace
}  // namespace teapot
