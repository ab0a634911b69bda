// A scratch directory per test for the WebDAV store's database files, and a second, raw
// connection to look into a database (or tamper with it) behind the store's back.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "handlers/webdav/store.h"

namespace teapot::handlers::webdav::testing {

class store_fixture : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("teapot-dav-store-" + std::to_string(::getpid()) + "-" + info->test_suite_name() + "-" +
            info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

 public:
  // A fresh database for each name.
  std::unique_ptr<store> open(std::string_view name = "dav.sqlite3") {
    return open_sqlite_store(dir_ / name);
  }

  // Runs SQL on the file through a connection of its own; the integer of the first column of
  // the first row, when there is one.
  std::int64_t raw(std::string_view name, const std::string& sql) {
    sqlite3* db = nullptr;
    const auto file = (dir_ / name).string();
    if (sqlite3_open(file.c_str(), &db) != SQLITE_OK) {
      sqlite3_close(db);
      throw std::runtime_error("cannot open " + file);
    }
    std::int64_t result = 0;
    auto first = [](void* out, int n, char** values, char**) {
      if (n > 0 && values[0] != nullptr) *static_cast<std::int64_t*>(out) = std::stoll(values[0]);
      return 0;
    };
    char* error = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), first, &result, &error);
    const std::string why = error ? error : "";
    sqlite3_free(error);
    sqlite3_close(db);
    if (rc != SQLITE_OK) throw std::runtime_error(sql + ": " + why);
    return result;
  }

  std::filesystem::path dir_;
};

inline proppatch_instruction set_prop(std::string ns, std::string local, std::string value) {
  return {false, {std::move(ns), std::move(local)}, std::move(value)};
}

inline proppatch_instruction remove_prop(std::string ns, std::string local) {
  return {true, {std::move(ns), std::move(local)}, {}};
}

// The properties of a path as "{ns}local=value" strings, sorted.
inline std::set<std::string> props(store& s, std::string_view path) {
  std::set<std::string> out;
  for (const dead_property& p : s.properties(path))
    out.insert("{" + p.name.ns + "}" + p.name.local + "=" + p.value_xml);
  return out;
}

inline std::set<std::string> tokens(const std::vector<lock_record>& locks) {
  std::set<std::string> out;
  for (const lock_record& l : locks)
    out.insert(l.token);
  return out;
}

}  // namespace teapot::handlers::webdav::testing
