// The content-coding of an on-the-fly compressed response (RFC 9110 §8.4, §12.5.3): which coding
// Accept-Encoding picks among the server's, which media types qualify, and the coded ETag.
#include "http/content_coding.h"

#include <gtest/gtest.h>

#include "teapot/compression.h"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using field = std::optional<std::string_view>;
constexpr field absent = std::nullopt;
constexpr std::optional<std::string_view> identity = std::nullopt;

const std::array<std::string_view, 3> server_order{"zstd", "br", "gzip"};

struct choice_case {
  std::string_view why;
  field accept_encoding;
  std::optional<std::string_view> expected;  // a coding, or identity
};

const choice_case choice_cases[] = {
    {"no Accept-Encoding: the bytes every client reads", absent, identity},
    {"an empty field accepts identity only", "", identity},
    {"gzip listed: as acceptable as identity, and so chosen", "gzip", "gzip"},
    {"br listed", "br", "br"},
    {"zstd listed", "zstd", "zstd"},
    {"a browser's list: equal weights go to the server's order", "gzip, deflate, br, zstd", "zstd"},
    {"an older browser's list without zstd", "gzip, deflate, br", "br"},
    {"the highest weight wins over the server's order", "zstd;q=0.5, gzip", "gzip"},
    {"weights in thousandths", "br;q=0.501, gzip;q=0.5", "br"},
    {"q=0 excludes a coding", "gzip;q=0, br", "br"},
    {"q=0 on the only coding leaves identity", "gzip;q=0", identity},
    {"identity preferred over every coding", "gzip;q=0.5, identity", identity},
    {"identity equal to a coding: compress", "gzip;q=0.5, identity;q=0.5", "gzip"},
    {"identity;q=0 with a coding listed", "identity;q=0, gzip", "gzip"},
    {"a low weight with identity unlisted still asks for the coding", "gzip;q=0.1", "gzip"},
    {"identity;q=0 and nothing we offer: identity anyway, leniently", "identity;q=0, compress",
     identity},
    {"* accepts every coding; the server's first", "*", "zstd"},
    {"*;q=0 with gzip listed", "*;q=0, gzip", "gzip"},
    {"* covers identity too: equal weight, compress", "*;q=0.5", "zstd"},
    {"* below identity", "*;q=0.5, identity", identity},
    {"* lower than an explicit coding", "*;q=0.1, br;q=0.9", "br"},
    {"an explicit zero beats *", "*, zstd;q=0", "br"},
    {"unknown codings only", "compress, deflate, exi", identity},
    {"an unknown coding beside a known one", "foo, gzip", "gzip"},
    {"x-gzip is gzip (§8.4.1.3)", "x-gzip", "gzip"},
    {"names are case-insensitive", "GZIP, Br;Q=0.9", "gzip"},
    {"a malformed field counts as absent", "gzip;q=2", identity},
    {"a malformed element anywhere: absent", "gzip, br;q=", identity},
    {"whitespace and empty elements", " , gzip ;q=0.8 ,, br ; q=0.9 ", "br"},
};

TEST(choose_content_coding, picks_by_weight_then_server_order) {
  for (const choice_case& c : choice_cases) {
    SCOPED_TRACE(c.why);
    const auto i = teapot::http::choose_content_coding(c.accept_encoding, server_order);
    std::optional<std::string_view> got;
    if (i) got = server_order.at(*i);
    EXPECT_EQ(got, c.expected);
  }
}

TEST(choose_content_coding, follows_the_order_given) {
  const std::array<std::string_view, 3> gzip_first{"gzip", "br", "zstd"};
  const auto i = teapot::http::choose_content_coding("zstd, br, gzip", gzip_first);
  ASSERT_TRUE(i);
  EXPECT_EQ(gzip_first[*i], "gzip");
}

TEST(choose_content_coding, offers_nothing_when_no_coding_is_configured) {
  EXPECT_FALSE(teapot::http::choose_content_coding("gzip", {}));
}

struct type_case {
  std::string_view content_type;
  bool compressible;
};

const type_case type_cases[] = {
    {"text/html; charset=utf-8", true},
    {"text/css", true},
    {"TEXT/Plain", true},
    {"application/json", true},
    {"application/javascript; charset=utf-8", true},
    {"application/xml", true},
    {"image/svg+xml", true},
    {"application/wasm", true},
    {"application/ld+json", true},
    {"application/atom+xml; charset=utf-8", true},
    {"application/problem+JSON", true},
    {"image/png", false},
    {"application/octet-stream", false},
    {"application/zip", false},
    {"application/json-seq", false},
    {"image/svg", false},
    {"video/mp4", false},
    {"+json", false},
    {"text", false},
    {"", false},
};

TEST(is_compressible_type, matches_exact_wildcard_and_suffix_patterns) {
  // The default list a site gets.
  const std::vector<std::string> patterns = teapot::compression_options{}.types;
  for (const type_case& c : type_cases) {
    SCOPED_TRACE(c.content_type);
    EXPECT_EQ(teapot::http::is_compressible_type(c.content_type, patterns), c.compressible);
  }
}

}  // namespace
