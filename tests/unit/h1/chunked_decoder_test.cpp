// The chunked decoder against a table of bodies, each replayed whole at a guard page, one byte
// per call, and split in two at every boundary.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "h1/request_parser.h"
#include "replay.h"

namespace teapot::h1 {
namespace {

using namespace std::literals;
using kind = parse_result::kind;

struct chunked_case {
  std::string name;
  std::string raw;
  std::optional<parse_error> error;  // unset: decoding completes
  std::string body;                  // the de-chunked content when it completes
  std::size_t trailing = 0;          // bytes after the chunked body (the next request)
};

void PrintTo(const chunked_case& c, std::ostream* os) {
  *os << c.name;
}

const parser_config& config() {
  static const parser_config c = [] {
    parser_config p;
    p.limits.body = 64;
    p.limits.chunk_line = 32;
    p.limits.chunk_extensions = 48;
    p.limits.field_line = 24;
    p.limits.header_section = 64;
    p.limits.fields = 3;
    return p;
  }();
  return c;
}

chunked_case ok(std::string name, std::string raw, std::string body, std::size_t trailing = 0) {
  return {std::move(name), std::move(raw), std::nullopt, std::move(body), trailing};
}
chunked_case bad(std::string name, std::string raw, parse_error e) {
  return {std::move(name), std::move(raw), e, {}, 0};
}

std::vector<chunked_case> cases() {
  using e = parse_error;
  return {
      ok("empty body", "0\r\n\r\n", ""),
      ok("one chunk", "5\r\nhello\r\n0\r\n\r\n", "hello"),
      ok("two chunks", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world"),
      ok("hex upper and lower", "a\r\n0123456789\r\nA\r\nabcdefghij\r\n0\r\n\r\n",
         "0123456789abcdefghij"),
      ok("leading zeros", "0005\r\nhello\r\n000\r\n\r\n", "hello"),
      ok("many leading zeros", "000000000000000000000000000005\r\nhello\r\n0\r\n\r\n", "hello"),
      ok("data holds crlf", "4\r\n\r\n\r\n\r\n0\r\n\r\n", "\r\n\r\n"),
      ok("binary data", "3\r\n\0\xff\n\r\n0\r\n\r\n"s, "\0\xff\n"s),
      ok("extension name", "5;a\r\nhello\r\n0\r\n\r\n", "hello"),
      ok("extension token value", "5;a=b\r\nhello\r\n0;x=y\r\n\r\n", "hello"),
      ok("extension quoted value", "5;a=\"b c\"\r\nhello\r\n0\r\n\r\n", "hello"),
      ok("extension quoted pair", "5;a=\"\\\"\"\r\nhello\r\n0\r\n\r\n", "hello"),
      ok("two extensions", "5;a;b=c\r\nhello\r\n0\r\n\r\n", "hello"),
      ok("bws around extension", "5 ; a = b ;c\r\nhello\r\n0\r\n\r\n", "hello"),
      ok("trailer dropped", "5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n", "hello"),
      ok("framing trailer dropped", "5\r\nhello\r\n0\r\nContent-Length: 100\r\n\r\n", "hello"),
      ok("next request left", "0\r\n\r\nGET / HTTP/1.1\r\n", "", 16),
      ok("body at limit", "40\r\n" + std::string(64, 'x') + "\r\n0\r\n\r\n", std::string(64, 'x')),
      ok("chunk line at limit", "5;" + std::string(30, 'e') + "\r\nhello\r\n0\r\n\r\n", "hello"),
      // 21 extension bytes (";" and 20) on the first line, 27 on the last-chunk's: 48.
      ok("extensions of the message at limit",
         "5;" + std::string(20, 'e') + "\r\nhello\r\n0;" + std::string(26, 'f') + "\r\n\r\n",
         "hello"),
      ok("bws counts as extension bytes",
         "5 ;" + std::string(19, 'e') + "\r\nhello\r\n0 ;" + std::string(25, 'f') + "\r\n\r\n",
         "hello"),
      ok("trailer line at limit", "0\r\nT:" + std::string(22, 't') + "\r\n\r\n", ""),
      ok("trailers at count limit", "0\r\na:\r\nb:\r\nc:\r\n\r\n", ""),
      bad("empty size", "\r\nhello\r\n0\r\n\r\n", e::bad_chunk_size),
      bad("negative size", "-5\r\nhello\r\n0\r\n\r\n", e::bad_chunk_size),
      bad("plus size", "+5\r\nhello\r\n0\r\n\r\n", e::bad_chunk_size),
      bad("0x prefix", "0x5\r\nhello\r\n0\r\n\r\n", e::bad_chunk_size),
      bad("trailing space", "5 \r\nhello\r\n0\r\n\r\n", e::bad_chunk_size),
      bad("trailing tab", "5\t\r\nhello\r\n0\r\n\r\n", e::bad_chunk_size),
      bad("leading space", " 5\r\nhello\r\n0\r\n\r\n", e::bad_chunk_size),
      bad("non hex digit", "5g\r\nhello\r\n0\r\n\r\n", e::bad_chunk_size),
      bad("overflow 17 digits", "10000000000000005\r\nhello\r\n0\r\n\r\n", e::bad_chunk_size),
      bad("size just over body limit", "41\r\n", e::content_too_large),
      bad("running total over limit", "40\r\n" + std::string(64, 'x') + "\r\n1\r\n",
          e::content_too_large),
      bad("huge size", "ffffffffffffffff\r\n", e::content_too_large),
      bad("size line bare lf", "5\nhello\r\n0\r\n\r\n", e::bare_line_feed),
      bad("extension bare lf", "5;a\nxx\r\nhello\r\n0\r\n\r\n", e::bare_line_feed),
      bad("size line cr without lf", "5\rhello\r\n0\r\n\r\n", e::bare_line_feed),
      bad("data too long", "4\r\nSEE-THIS\r\n0\r\n\r\n", e::bad_chunk_data),
      bad("data without crlf", "5\r\nhello0\r\n\r\n", e::bad_chunk_data),
      bad("data followed by lf only", "5\r\nhello\n0\r\n\r\n", e::bad_chunk_data),
      bad("data followed by cr only", "5\r\nhello\r0\r\n\r\n", e::bad_chunk_data),
      bad("unbalanced quote", "5;a=\"b\r\nhello\r\n0\r\n\r\n", e::bad_chunk_extension),
      bad("extension without name", "5;\r\nhello\r\n0\r\n\r\n", e::bad_chunk_extension),
      bad("extension empty value", "5;a=\r\nhello\r\n0\r\n\r\n", e::bad_chunk_extension),
      bad("extension space before crlf", "5;a \r\nhello\r\n0\r\n\r\n", e::bad_chunk_extension),
      bad("extension value space before crlf", "5;a=b \r\nhello\r\n0\r\n\r\n",
          e::bad_chunk_extension),
      bad("extension bad name char", "5;a@b\r\nhello\r\n0\r\n\r\n", e::bad_chunk_extension),
      bad("extension ctl in quotes", "5;a=\"\x01\"\r\nhello\r\n0\r\n\r\n", e::bad_chunk_extension),
      bad("extension after quote garbage", "5;a=\"b\"c\r\nhello\r\n0\r\n\r\n",
          e::bad_chunk_extension),
      bad("chunk line past limit", "5;" + std::string(31, 'e') + "\r\nhello\r\n0\r\n\r\n",
          e::chunk_line_too_long),
      bad("chunk line past limit without crlf", "5;" + std::string(100, 'e'),
          e::chunk_line_too_long),
      bad("extensions of the message past limit",
          "5;" + std::string(20, 'e') + "\r\nhello\r\n0;" + std::string(27, 'f') + "\r\n\r\n",
          e::chunk_extensions_too_long),
      bad("extensions past limit over many small chunks",
          "1;aaaaaaaaa\r\nx\r\n1;aaaaaaaaa\r\nx\r\n1;aaaaaaaaa\r\nx\r\n1;aaaaaaaaa\r\nx\r\n"
          "1;aaaaaaaaa\r\nx\r\n0\r\n\r\n",
          e::chunk_extensions_too_long),
      bad("trailer obs fold", "0\r\nA: b\r\n c\r\n\r\n", e::obs_fold),
      bad("trailer space before colon", "0\r\nA : b\r\n\r\n", e::bad_trailer),
      bad("trailer no colon", "0\r\nAbc\r\n\r\n", e::bad_trailer),
      bad("trailer nul", "0\r\nA: \0\r\n\r\n"s, e::bad_trailer),
      bad("trailer bare lf", "0\r\nA: b\n\r\n", e::bare_line_feed),
      bad("final bare lf", "0\r\n\n", e::bare_line_feed),
      bad("final cr without lf", "0\r\n\rX", e::bare_line_feed),
      bad("trailer line past limit", "0\r\nT:" + std::string(23, 't') + "\r\n\r\n",
          e::field_line_too_long),
      bad("trailers past count limit", "0\r\na:\r\nb:\r\nc:\r\nd:\r\n\r\n", e::too_many_fields),
      bad("trailer section past limit",
          "0\r\n" + std::string("a:" + std::string(20, 'x') + "\r\n") +
              std::string("b:" + std::string(20, 'x') + "\r\n") +
              std::string("c:" + std::string(20, 'x') + "\r\n") + "\r\n",
          e::header_section_too_large),
  };
}

void check(const chunked_case& c, const chunked_decoder::result& r, std::size_t total_consumed,
           const std::string& body) {
  if (c.error) {
    ASSERT_EQ(r.outcome, kind::error);
    EXPECT_EQ(r.error, *c.error) << describe(r.error) << " instead of " << describe(*c.error);
    return;
  }
  ASSERT_EQ(r.outcome, kind::done) << (r.outcome == kind::error ? describe(r.error) : "more");
  EXPECT_EQ(total_consumed, c.raw.size() - c.trailing);
  EXPECT_EQ(body, c.body);
}

class chunked_table : public ::testing::TestWithParam<chunked_case> {};

TEST_P(chunked_table, whole_input_at_guard_page) {
  const chunked_case& c = GetParam();
  test::guarded_buffer buffer(c.raw.size());
  chunked_decoder d(config());
  std::string body;
  const auto r = d.decode(buffer.place(c.raw), body);
  check(c, r, r.consumed, body);
}

TEST_P(chunked_table, one_byte_per_call_each_at_guard_page) {
  const chunked_case& c = GetParam();
  test::guarded_buffer buffer(1);
  chunked_decoder d(config());
  std::string body;
  chunked_decoder::result r;
  std::size_t used = 0;
  for (std::size_t k = 0; k < c.raw.size(); ++k) {
    r = d.decode(buffer.place(std::string_view(c.raw).substr(k, 1)), body);
    used += r.consumed;
    if (r.outcome != kind::need_more) break;
    ASSERT_EQ(r.consumed, 1u);
  }
  check(c, r, used, body);
}

TEST_P(chunked_table, split_in_two_at_every_boundary) {
  const chunked_case& c = GetParam();
  for (std::size_t k = 1; k < c.raw.size(); ++k) {
    chunked_decoder d(config());
    std::string body;
    auto r = d.decode(std::string_view(c.raw).substr(0, k), body);
    std::size_t used = r.consumed;
    if (r.outcome == kind::need_more) {
      ASSERT_EQ(used, k);
      r = d.decode(std::string_view(c.raw).substr(k), body);
      used += r.consumed;
    }
    check(c, r, used, body);
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "split at " << k;
      return;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(cases, chunked_table, ::testing::ValuesIn(cases()),
                         [](const auto& param_info) {
                           return test::test_name(param_info.param.name);
                         });

TEST(chunked_decoder, table_has_at_least_30_cases) {
  EXPECT_GE(cases().size(), 30u);
}

TEST(chunked_decoder, reset_decodes_the_next_body) {
  chunked_decoder d(config());
  std::string body;
  ASSERT_EQ(d.decode("1\r\na\r\n0\r\n\r\n", body).outcome, kind::done);
  EXPECT_EQ(d.decode("1\r\n", body).consumed, 0u);  // done until reset
  d.reset();
  ASSERT_EQ(d.decode("1\r\nb\r\n0\r\n\r\n", body).outcome, kind::done);
  EXPECT_EQ(body, "ab");
}

// The limit of the request's path, below the configured one, refuses a chunk size past it as
// soon as its line ends: before its data, which may never come.
TEST(chunked_decoder, refuses_a_chunk_size_past_the_limit_given_at_reset) {
  chunked_decoder d(config());
  std::string body;
  d.reset(10);
  auto r = d.decode("4\r\nabcd\r\n7\r\n", body);
  ASSERT_EQ(r.outcome, kind::error);
  EXPECT_EQ(r.error, parse_error::content_too_large);
  d.reset(10);
  body.clear();
  r = d.decode("4\r\nabcd\r\n6\r\nefghij\r\n0\r\n\r\n", body);
  ASSERT_EQ(r.outcome, kind::done);
  EXPECT_EQ(body, "abcdefghij");
  // A limit above the configured one does not raise it.
  d.reset(1000);
  r = d.decode("41\r\n", body);
  ASSERT_EQ(r.outcome, kind::error);
  EXPECT_EQ(r.error, parse_error::content_too_large);
}

TEST(chunked_decoder, counts_the_extensions_of_each_message_afresh) {
  chunked_decoder d(config());
  const std::string raw = "5;" + std::string(30, 'e') + "\r\nhello\r\n0\r\n\r\n";  // 31 bytes
  for (int i = 0; i < 3; ++i) {
    std::string body;
    d.reset();
    ASSERT_EQ(d.decode(raw, body).outcome, kind::done) << i;
  }
}

// Trailer fields are kept apart (never merged into the head) and delivered as received, with
// their values trimmed; a byte-by-byte feed gives the same fields as one call.
TEST(chunked_decoder, keeps_the_trailer_fields_apart) {
  const std::string raw = "2\r\nab\r\n0\r\nX-Sum: 12\r\nContent-Length:  99 \r\n\r\n";
  for (bool bytewise : {false, true}) {
    chunked_decoder d(config());
    std::string body;
    kind outcome = kind::need_more;
    if (bytewise) {
      for (char c : raw)
        outcome = d.decode(std::string_view(&c, 1), body).outcome;
    } else {
      outcome = d.decode(raw, body).outcome;
    }
    ASSERT_EQ(outcome, kind::done);
    EXPECT_EQ(body, "ab");
    ASSERT_EQ(d.trailers().size(), 2u);
    EXPECT_EQ(d.trailers()[0].name, "X-Sum");
    EXPECT_EQ(d.trailers()[0].value, "12");
    EXPECT_EQ(d.trailers()[1].name, "Content-Length");
    EXPECT_EQ(d.trailers()[1].value, "99");
    d.reset();
    EXPECT_TRUE(d.trailers().empty());
  }
}

TEST(chunked_decoder, has_no_trailers_without_a_trailer_section) {
  chunked_decoder d(config());
  std::string body;
  ASSERT_EQ(d.decode("0\r\n\r\n", body).outcome, kind::done);
  EXPECT_TRUE(d.trailers().empty());
}

}  // namespace
}  // namespace teapot::h1
