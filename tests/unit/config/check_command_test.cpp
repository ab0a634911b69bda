#include "config/check_command.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "config_fixture.h"

namespace teapot::config {
namespace {

std::string contents(std::FILE* f) {
  std::rewind(f);
  std::string text;
  char buffer[512];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, f))
    text.append(buffer, n);
  return text;
}

class check_command : public testing::config_fixture {
 protected:
  int run(const std::filesystem::path& file) {
    out_ = std::tmpfile();
    err_ = std::tmpfile();
    int code = run_check(file, out_, err_);
    out_text_ = contents(out_);
    err_text_ = contents(err_);
    std::fclose(out_);
    std::fclose(err_);
    return code;
  }
  std::FILE* out_ = nullptr;
  std::FILE* err_ = nullptr;
  std::string out_text_;
  std::string err_text_;
};

TEST_F(check_command, a_valid_file_prints_ok_and_exits_0) {
  auto file = write("good.toml", "[[sites]]\ndefault = true\n");
  EXPECT_EQ(run(file), 0);
  EXPECT_EQ(out_text_, file.string() + ": ok\n");
  EXPECT_EQ(err_text_, "");
}

TEST_F(check_command, each_error_is_one_line_with_its_position_and_the_exit_code_is_2) {
  auto file = write("bad.toml",
                    "[server]\nworkers = \"x\"\n[[sites]]\ndefault = true\n[[sites.rules]]\n"
                    "exact = \"/\"\nkind = \"redirect\"\nto = \"/b\"\nstatus = 305\n");
  EXPECT_EQ(run(file), 2);
  EXPECT_EQ(out_text_, "");
  EXPECT_EQ(err_text_,
            file.string() + ":2:11: server.workers: expected an integer, found a string\n" +
                file.string() +
                ":9:10: sites[0].rules[0].status: 305 is never sent (RFC 9110 §15.4.6: Use "
                "Proxy is deprecated); choose 307 or 308\n");
}

TEST_F(check_command, a_missing_file_is_an_error_too) {
  EXPECT_EQ(run(dir_ / "absent.toml"), 2);
  EXPECT_EQ(err_text_,
            (dir_ / "absent.toml").string() + ": cannot be read: No such file or directory\n");
}

TEST_F(check_command, the_sample_configuration_passes) {
  EXPECT_EQ(run(std::filesystem::path(TEAPOT_SOURCE_DIR) / "examples" / "teapot.toml"), 0)
      << err_text_;
}

}  // namespace
}  // namespace teapot::config
