// A scratch directory per test holding a configuration file and the files it may name.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <unistd.h>

#include "config/load.h"

namespace teapot::config::testing {

class config_fixture : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("teapot-config-" + std::to_string(::getpid()) + "-" + info->test_suite_name() + "-" +
            info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "site");
    write("pages/404.html", "<!DOCTYPE html><title>Not found</title>\n");
    write("users",
          "alice:$2y$10$m1tQSL7TdV2DGZPQnJNxUO6Es6VSXbqpRb3edt7YpPWIYGrvdvLcK\n"
          "bob:$6$examplesalt$/LoGJLpyEqZhbv.6S6Gd8/mPvj.F93AMN0M1e28npBY35IdYaYkZQaFdzN6G5A"
          "xzqy47ySl0XCoQ4/2BGRK.q1\n");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path write(std::string_view name, std::string_view text) {
    std::filesystem::path path = dir_ / name;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  load_result load(std::string_view text) { return load_config(write("teapot.toml", text)); }

  std::filesystem::path dir_;
};

}  // namespace teapot::config::testing
