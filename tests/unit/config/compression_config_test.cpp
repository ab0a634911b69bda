// The [sites.compression] table: off without it, on with it, every key read, and each mistake
// reported at its position.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/load.h"
#include "config_fixture.h"

namespace teapot::config {
namespace {

using compression_config_test = testing::config_fixture;

TEST_F(compression_config_test, a_site_without_the_table_compresses_nothing) {
  load_result r = load("[[sites]]\ndefault = true\n");
  ASSERT_TRUE(r.config);
  EXPECT_FALSE(r.config->sites[0].compression.has_value());
}

TEST_F(compression_config_test, the_table_alone_turns_it_on_with_the_defaults) {
  load_result r = load("[[sites]]\ndefault = true\n[sites.compression]\n");
  ASSERT_TRUE(r.config);
  const auto& c = r.config->sites[0].compression;
  ASSERT_TRUE(c.has_value());
  EXPECT_TRUE(c->enabled);
  EXPECT_EQ(c->codings, (std::vector<std::string>{"zstd", "br", "gzip"}));
  EXPECT_EQ(c->min_length, 1024u);
  EXPECT_EQ(c->max_file_size, 1024u * 1024);
  EXPECT_EQ(c->gzip_level, 6);
  EXPECT_EQ(c->brotli_level, 5);
  EXPECT_EQ(c->zstd_level, 3);
}

TEST_F(compression_config_test, every_key_is_read) {
  load_result r = load(R"([[sites]]
default = true
[sites.compression]
enabled = false
codings = ["gzip", "br"]
min_length = 256
max_file_size = "4MiB"
types = ["text/html", "+json"]
levels = { gzip = 9, br = 11, zstd = 19 }
)");
  ASSERT_TRUE(r.config) << format_error(r.errors.at(0));
  const auto& c = *r.config->sites[0].compression;
  EXPECT_FALSE(c.enabled);
  EXPECT_EQ(c.codings, (std::vector<std::string>{"gzip", "br"}));
  EXPECT_EQ(c.min_length, 256u);
  EXPECT_EQ(c.max_file_size, 4u * 1024 * 1024);
  EXPECT_EQ(c.types, (std::vector<std::string>{"text/html", "+json"}));
  EXPECT_EQ(c.gzip_level, 9);
  EXPECT_EQ(c.brotli_level, 11);
  EXPECT_EQ(c.zstd_level, 19);
}

struct broken_case {
  std::string_view why;
  std::string_view table;  // after "[[sites]]\ndefault = true\n[sites.compression]\n"
  std::uint32_t line;
  std::uint32_t column;
};

const broken_case broken_cases[] = {
    {"an unknown coding", "codings = [\"gzip\", \"deflate\"]\n", 4, 20},
    {"a coding twice", "codings = [\"br\", \"br\"]\n", 4, 18},
    {"an unknown key", "level = 3\n", 4, 1},
    {"a level out of range", "levels = { gzip = 0 }\n", 4, 19},
    {"an unknown coding's level", "levels = { deflate = 1 }\n", 4, 12},
    {"a type that is no pattern", "types = [\"text\"]\n", 4, 10},
    {"a wildcard type", "types = [\"*/*\"]\n", 4, 10},
    {"a size that is no size", "min_length = \"1 kilo\"\n", 4, 14},
};

TEST_F(compression_config_test, each_mistake_is_reported_at_its_position) {
  for (const broken_case& c : broken_cases) {
    SCOPED_TRACE(c.why);
    load_result r = load("[[sites]]\ndefault = true\n[sites.compression]\n" + std::string(c.table));
    EXPECT_FALSE(r.config);
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].line, c.line);
    EXPECT_EQ(r.errors[0].column, c.column);
  }
}

}  // namespace
}  // namespace teapot::config
