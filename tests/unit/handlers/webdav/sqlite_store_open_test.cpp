// Opening the SQLite store: a new file gets the schema and WAL mode; a file that is not a
// database of this schema is refused before anything is written into it.
#include <gtest/gtest.h>

#include <fstream>
#include <stdexcept>
#include <string>

#include "handlers/webdav/store.h"
#include "store_fixture.h"

namespace teapot::handlers::webdav {
namespace {

using sqlite_store_open = testing::store_fixture;

TEST_F(sqlite_store_open, a_new_file_gets_the_schema_version_and_wal_mode) {
  open();
  EXPECT_EQ(raw("dav.sqlite3", "PRAGMA user_version"), 1);
  // journal_mode answers a word; compare it as a count of matching rows.
  EXPECT_EQ(
      raw("dav.sqlite3", "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"), 1);
  EXPECT_EQ(raw("dav.sqlite3",
                "SELECT count(*) FROM sqlite_schema WHERE name IN ('properties', 'locks')"),
            2);
}

TEST_F(sqlite_store_open, two_stores_may_share_one_file) {
  auto first = open();
  auto second = open();
  first->apply("/a", std::vector{testing::set_prop("urn:x", "n", "1")});
  EXPECT_EQ(testing::props(*second, "/a"), std::set<std::string>{"{urn:x}n=1"});
}

struct refused_case {
  const char* why;
  void (*make)(testing::store_fixture&, const std::filesystem::path&);
  const char* says;  // a part of the message
};

TEST_F(sqlite_store_open, a_file_that_is_not_a_database_of_this_schema_is_refused) {
  const refused_case cases[] = {
      {"a newer schema",
       [](testing::store_fixture& f, const std::filesystem::path& p) {
         f.raw(p.filename().string(), "PRAGMA user_version = 2");
       },
       "schema 2"},
      {"another program's database",
       [](testing::store_fixture& f, const std::filesystem::path& p) {
         f.raw(p.filename().string(), "CREATE TABLE notes (text)");
       },
       "another program"},
      {"a text file",
       [](testing::store_fixture&, const std::filesystem::path& p) {
         std::ofstream(p) << "not a database, but long enough to hold a header of one: "
                          << std::string(100, 'x');
       },
       "not a database"},
  };
  int n = 0;
  for (const refused_case& c : cases) {
    SCOPED_TRACE(c.why);
    const std::string name = "refused-" + std::to_string(n++);
    c.make(*this, dir_ / name);
    const auto before = std::filesystem::file_size(dir_ / name);
    try {
      open(name);
      ADD_FAILURE() << "opened";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(c.says), std::string::npos) << e.what();
    }
    EXPECT_EQ(std::filesystem::file_size(dir_ / name), before);
  }
}

TEST_F(sqlite_store_open, a_file_in_a_missing_directory_is_refused) {
  EXPECT_THROW(open("missing/dav.sqlite3"), std::runtime_error);
}

}  // namespace
}  // namespace teapot::handlers::webdav
