// On-the-fly compression: each codec decodes back to its input, the per-thread cache stays
// within its bounds, and the representation step compresses exactly what it should, before
// preconditions (RFC 9110 §8.8.3, §13) and never for a range.
#include <brotli/decode.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cstdio>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "server/compression/body_cache.h"
#include "server/compression/codec.h"
#include "server/compression/compress_response.h"
#include "server/representation.h"

namespace teapot {
namespace {

namespace compression = srv::compression;
using compression::coding;

std::string gunzip(const std::string& in) {
  z_stream s{};
  if (inflateInit2(&s, 15 + 16) != Z_OK) return "<init>";
  std::string out(1 << 20, '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  s.avail_in = static_cast<uInt>(in.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&s, Z_FINISH);
  out.resize(s.total_out);
  inflateEnd(&s);
  return rc == Z_STREAM_END ? out : "<corrupt>";
}

std::string unbrotli(const std::string& in) {
  std::string out(1 << 20, '\0');
  std::size_t size = out.size();
  if (BrotliDecoderDecompress(in.size(), reinterpret_cast<const std::uint8_t*>(in.data()), &size,
                              reinterpret_cast<std::uint8_t*>(out.data())) !=
      BROTLI_DECODER_RESULT_SUCCESS)
    return "<corrupt>";
  out.resize(size);
  return out;
}

std::string unzstd(const std::string& in) {
  std::string out(1 << 20, '\0');
  const std::size_t n = ZSTD_decompress(out.data(), out.size(), in.data(), in.size());
  if (ZSTD_isError(n)) return "<corrupt>";
  out.resize(n);
  return out;
}

std::string decode(coding c, const std::string& in) {
  switch (c) {
    case coding::gzip:
      return gunzip(in);
    case coding::br:
      return unbrotli(in);
    case coding::zstd:
      return unzstd(in);
  }
  return {};
}

std::string sample_text(std::size_t size) {
  std::string s;
  for (std::size_t i = 0; s.size() < size; ++i)
    s += "line " + std::to_string(i) + ": the quick brown fox jumps over the lazy dog\n";
  s.resize(size);
  return s;
}

TEST(codec, every_coding_and_level_decodes_to_its_input) {
  const std::vector<std::string> inputs{"", "a", sample_text(1000), sample_text(300'000),
                                        std::string(70'000, '\0')};
  for (coding c : {coding::gzip, coding::br, coding::zstd}) {
    const auto [min, max] = compression::levels_of(c);
    for (int level : {min, (min + max) / 2, max}) {
      for (const std::string& in : inputs) {
        SCOPED_TRACE(std::string(compression::name_of(c)) + " level " + std::to_string(level) +
                     " size " + std::to_string(in.size()));
        if (level > 9 && in.size() > 100'000) continue;  // the slowest levels on small input
        std::string coded;
        ASSERT_TRUE(compression::compress(c, level, in, coded));
        EXPECT_EQ(decode(c, coded), in);
      }
    }
  }
}

TEST(codec, a_thread_reuses_its_state_across_levels_and_bodies) {
  std::string a;
  std::string b;
  ASSERT_TRUE(compression::gzip_compress(9, sample_text(5000), a));
  ASSERT_TRUE(compression::gzip_compress(1, sample_text(7000), b));
  EXPECT_EQ(gunzip(a), sample_text(5000));
  EXPECT_EQ(gunzip(b), sample_text(7000));
  ASSERT_TRUE(compression::gzip_compress(9, sample_text(5000), b));
  EXPECT_EQ(a, b);  // deterministic: the reset state is a fresh one
}

TEST(codec, names_are_the_registered_ones) {
  EXPECT_EQ(compression::coding_named("gzip"), coding::gzip);
  EXPECT_EQ(compression::coding_named("br"), coding::br);
  EXPECT_EQ(compression::coding_named("zstd"), coding::zstd);
  EXPECT_FALSE(compression::coding_named("deflate"));
  EXPECT_FALSE(compression::coding_named("x-gzip"));
  EXPECT_FALSE(compression::coding_named("GZIP"));
}

TEST(body_cache, finds_what_it_stored_for_the_same_identity_length) {
  compression::body_cache cache(1000);
  cache.store("k", 10, "coded");
  ASSERT_NE(cache.find("k", 10), nullptr);
  EXPECT_EQ(*cache.find("k", 10), "coded");
  EXPECT_EQ(cache.find("k", 11), nullptr);
  EXPECT_EQ(cache.find("other", 10), nullptr);
}

TEST(body_cache, evicts_the_least_recently_used_to_stay_within_its_bytes) {
  compression::body_cache cache(1000);
  cache.store("a", 1, std::string(200, 'a'));
  cache.store("b", 1, std::string(200, 'b'));
  cache.store("c", 1, std::string(200, 'c'));
  cache.store("d", 1, std::string(200, 'd'));
  ASSERT_NE(cache.find("a", 1), nullptr);  // a is now the most recent
  cache.store("e", 1, std::string(200, 'e'));
  EXPECT_LE(cache.bytes(), 1000u);
  EXPECT_NE(cache.find("a", 1), nullptr);
  EXPECT_EQ(cache.find("b", 1), nullptr);
  EXPECT_NE(cache.find("e", 1), nullptr);
}

TEST(body_cache, keeps_no_body_larger_than_a_quarter_of_it) {
  compression::body_cache cache(1000);
  cache.store("big", 1, std::string(300, 'x'));
  EXPECT_EQ(cache.find("big", 1), nullptr);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(body_cache, replaces_an_entry_stored_again) {
  compression::body_cache cache(1000);
  cache.store("k", 1, "one");
  cache.store("k", 2, "two");
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(*cache.find("k", 2), "two");
  EXPECT_EQ(cache.bytes(), 4u);
}

// ---------------------------------------------------------------------------------------------
// The representation step

struct exchange {
  std::vector<header_field> fields;
  request req;
  response res;
  site s;
  srv::representation_plan plan;

  explicit exchange(compression_options o = {.enabled = true}) {
    s.set_compression(std::move(o));
    req.method = "GET";
    req.path = "/page";
  }
  exchange& header(std::string_view name, std::string_view value) {
    fields.push_back({name, value});
    return *this;
  }
  // False when the coding is left to the pool (see code_on_the_pool).
  bool run(const site* on = nullptr) {
    req.headers = fields;
    return srv::apply_representation(req, res, std::time(nullptr), plan, on ? on : &s);
  }
  // What the server does then: the pool's part, then the loop's.
  void code_on_the_pool() {
    compression::file_coding job(std::shared_ptr<const response>(std::shared_ptr<response>(), &res),
                                 plan.coding);
    job.run();
    compression::complete(req, res, job);
  }
  std::string field(std::string_view name) const {
    return std::string(res.header(name).value_or("<none>"));
  }
};

const std::string page = sample_text(4000);

TEST(representation_compression, codes_a_text_body_for_a_client_that_accepts_it) {
  exchange x;
  x.res.set_body(page, "text/html; charset=utf-8");
  x.res.set_etag(R"("v1")");
  x.header("Accept-Encoding", "gzip").run();
  EXPECT_EQ(x.field("Content-Encoding"), "gzip");
  EXPECT_EQ(x.field("Vary"), "Accept-Encoding");
  EXPECT_EQ(x.field("ETag"), R"("v1-gz")");
  EXPECT_EQ(x.field("Accept-Ranges"), "<none>");
  EXPECT_EQ(x.field("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(gunzip(x.res.body()), page);
}

// RFC 9110 §8.8.3: the coded content is another representation with a tag of its own, the
// coding's suffix inside the quotes, weakness kept. A tag a handler gives malformed is no tag:
// none goes out, coded or not.
TEST(representation_compression, gives_the_coded_content_its_own_tag_and_keeps_weakness) {
  struct etag_case {
    std::string_view etag;
    std::string_view coding;
    std::string_view coded;
  };
  const etag_case cases[] = {
      {R"("abc")", "gzip", R"("abc-gz")"},
      {R"("1-2-3-4.5")", "br", R"("1-2-3-4.5-br")"},
      {R"(W/"abc")", "zstd", R"(W/"abc-zst")"},
      {R"("")", "gzip", R"("-gz")"},
      {R"(abc)", "gzip", "<none>"},
      {R"(w/"abc")", "gzip", "<none>"},
      {R"("abc" )", "gzip", "<none>"},
  };
  for (const etag_case& c : cases) {
    SCOPED_TRACE(c.etag);
    exchange x;
    x.res.set_body(page, "text/html; charset=utf-8");
    x.res.set_etag(c.etag);
    x.header("Accept-Encoding", c.coding).run();
    EXPECT_EQ(x.field("Content-Encoding"), c.coding);
    EXPECT_EQ(x.field("ETag"), c.coded);
  }
}

TEST(representation_compression, sends_identity_with_vary_to_a_client_that_did_not_ask) {
  exchange x;
  x.res.set_body(page, "text/html");
  x.res.set_etag(R"("v1")");
  x.run();
  EXPECT_EQ(x.field("Content-Encoding"), "<none>");
  EXPECT_EQ(x.field("Vary"), "Accept-Encoding");
  EXPECT_EQ(x.field("ETag"), R"("v1")");
  EXPECT_EQ(x.field("Accept-Ranges"), "bytes");
  EXPECT_EQ(x.res.body(), page);
}

TEST(representation_compression, leaves_what_is_not_worth_it_without_vary) {
  struct setup {
    std::string_view why;
    std::string body;
    std::string_view type;
    http::status status;
    std::string_view extra_name;
    std::string_view extra_value;
  };
  const setup setups[] = {
      {"under min_length", sample_text(1023), "text/plain", http::status::ok, "", ""},
      {"a type not listed", page, "image/png", http::status::ok, "", ""},
      {"not a 200", page, "text/plain", http::status::not_found, "", ""},
      {"coded already", page, "text/plain", http::status::ok, "Content-Encoding", "br"},
      {"no-transform", page, "text/plain", http::status::ok, "Cache-Control",
       "public, No-Transform"},
  };
  for (const setup& s : setups) {
    SCOPED_TRACE(s.why);
    exchange x;
    x.res.set_body(s.body, s.type);
    x.res.set_status(s.status);
    if (!s.extra_name.empty()) x.res.add_header(s.extra_name, s.extra_value);
    x.header("Accept-Encoding", "gzip").run();
    EXPECT_EQ(x.field("Vary"), "<none>");
    EXPECT_EQ(x.res.body(), s.body);
  }
}

TEST(representation_compression, is_off_unless_enabled) {
  exchange x(compression_options{});
  x.res.set_body(page, "text/plain");
  x.header("Accept-Encoding", "gzip").run();
  EXPECT_EQ(x.field("Content-Encoding"), "<none>");
  EXPECT_EQ(x.field("Vary"), "<none>");
}

TEST(representation_compression, adds_to_vary_only_when_it_is_not_there) {
  exchange x;
  x.res.set_body(page, "text/plain");
  x.res.add_header("Vary", "Accept-Language, accept-encoding");
  x.header("Accept-Encoding", "gzip").run();
  int count = 0;
  x.res.for_each_header([&](std::string_view n, std::string_view) { count += n == "Vary"; });
  EXPECT_EQ(count, 1);
}

TEST(representation_compression, answers_304_to_the_coded_tag_only) {
  {
    exchange x;
    x.res.set_body(page, "text/plain");
    x.res.set_etag(R"("v1")");
    x.header("Accept-Encoding", "br").header("If-None-Match", R"("v1-br")").run();
    EXPECT_EQ(x.res.status(), http::status::not_modified);
    EXPECT_EQ(x.field("ETag"), R"("v1-br")");
    EXPECT_EQ(x.field("Vary"), "Accept-Encoding");
    EXPECT_EQ(x.field("Content-Encoding"), "<none>");
  }
  {
    exchange x;  // the client holds the identity copy, but would now get the br one
    x.res.set_body(page, "text/plain");
    x.res.set_etag(R"("v1")");
    x.header("Accept-Encoding", "br").header("If-None-Match", R"("v1")").run();
    EXPECT_EQ(x.res.status(), http::status::ok);
    EXPECT_EQ(x.field("Content-Encoding"), "br");
    EXPECT_EQ(unbrotli(x.res.body()), page);
  }
  {
    exchange x;  // and the other way round
    x.res.set_body(page, "text/plain");
    x.res.set_etag(R"("v1")");
    x.header("Accept-Encoding", "identity").header("If-None-Match", R"("v1-br")").run();
    EXPECT_EQ(x.res.status(), http::status::ok);
    EXPECT_EQ(x.field("Content-Encoding"), "<none>");
  }
}

TEST(representation_compression, if_match_compares_the_coded_tag) {
  exchange x;
  x.res.set_body(page, "text/plain");
  x.res.set_etag(R"("v1")");
  x.header("Accept-Encoding", "zstd").header("If-Match", R"("v1")").run();
  EXPECT_EQ(x.res.status(), http::status::precondition_failed);
}

TEST(representation_compression, sends_identity_bytes_for_a_range) {
  exchange x;
  x.res.set_body(page, "text/plain");
  x.res.set_etag(R"("v1")");
  x.header("Accept-Encoding", "gzip").header("Range", "bytes=10-19").run();
  EXPECT_EQ(x.res.status(), http::status::partial_content);
  EXPECT_EQ(x.res.body(), page.substr(10, 10));
  EXPECT_EQ(x.field("Content-Encoding"), "<none>");
  EXPECT_EQ(x.field("ETag"), R"("v1")");
  EXPECT_EQ(x.field("Vary"), "Accept-Encoding");
}

TEST(representation_compression, head_gets_the_coded_length) {
  exchange get;
  get.res.set_body(page, "text/plain");
  get.header("Accept-Encoding", "zstd").run();
  exchange head;
  head.req.method = "HEAD";
  head.res.set_body(page, "text/plain");
  head.header("Accept-Encoding", "zstd").run();
  EXPECT_EQ(head.res.content_length(), get.res.content_length());
  EXPECT_EQ(head.field("Content-Encoding"), "zstd");
}

TEST(representation_compression, codes_a_post_answer_too) {
  exchange x;
  x.req.method = "POST";
  x.res.set_body(page, "application/json");
  x.header("Accept-Encoding", "gzip").run();
  EXPECT_EQ(x.field("Content-Encoding"), "gzip");
  EXPECT_EQ(gunzip(x.res.body()), page);
}

// A file of this content, open for the response.
int file_with(const std::string& content) {
  char name[] = "/tmp/teapot-compression-XXXXXX";
  const int fd = ::mkstemp(name);
  ::unlink(name);
  if (fd < 0 || ::write(fd, content.data(), content.size()) != static_cast<ssize_t>(content.size()))
    return -1;
  return fd;
}

TEST(representation_compression, reads_a_file_up_to_max_file_size) {
  const std::string text = sample_text(50'000);
  {
    exchange x;
    x.res.set_file(file_with(text), 0, text.size(), "text/css");
    x.res.set_etag(R"("file-1")");
    x.header("Accept-Encoding", "gzip").run();
    EXPECT_FALSE(x.res.has_file());
    EXPECT_EQ(gunzip(x.res.body()), text);
  }
  {
    exchange x({.enabled = true, .max_file_size = 49'999});
    x.res.set_file(file_with(text), 0, text.size(), "text/css");
    x.header("Accept-Encoding", "gzip").run();
    EXPECT_TRUE(x.res.has_file());
    EXPECT_EQ(x.field("Vary"), "<none>");
  }
}

TEST(representation_compression, serves_the_same_version_from_the_cache) {
  const std::string text = sample_text(60'000);
  exchange first;
  first.req.path = first.req.target = "/cached.css";
  first.res.set_file(file_with(text), 0, text.size(), "text/css");
  first.res.set_etag(R"("cached-1")");
  first.header("Host", "a.example").header("Accept-Encoding", "br").run();
  exchange x;
  x.req.path = x.req.target = "/cached.css";
  // Same URI, tag and length, other bytes: only the cache can answer with the first coding.
  x.res.set_file(file_with(std::string(text.size(), 'z')), 0, text.size(), "text/css");
  x.res.set_etag(R"("cached-1")");
  x.header("Host", "a.example").header("Accept-Encoding", "br").run(&first.s);
  EXPECT_TRUE(x.res.body() == first.res.body());
  // A strong tag is unique within one resource only: another host, or another query, is
  // another resource, whose bytes are coded afresh.
  const std::string other(text.size(), 'z');
  for (auto [host, target] :
       {std::pair{"b.example", "/cached.css"}, std::pair{"a.example", "/cached.css?v=2"}}) {
    exchange y;
    y.req.path = "/cached.css";
    y.req.target = target;
    y.res.set_file(file_with(other), 0, text.size(), "text/css");
    y.res.set_etag(R"("cached-1")");
    y.header("Host", host).header("Accept-Encoding", "br").run(&first.s);
    EXPECT_TRUE(unbrotli(y.res.body()) == other) << host << target;
  }
}

TEST(representation_compression, goes_out_as_identity_when_the_file_cannot_be_read) {
  exchange x;
  x.res.set_file(file_with(page), 0, page.size() + 10, "text/plain");  // shorter than said
  x.res.set_etag(R"("short")");
  x.header("Accept-Encoding", "gzip").run();
  EXPECT_TRUE(x.res.has_file());
  EXPECT_EQ(x.field("Content-Encoding"), "<none>");
  EXPECT_EQ(x.field("ETag"), R"("short")");
}

TEST(representation_compression, codes_a_file_over_64_kib_on_the_pool_and_one_at_it_inline) {
  const std::string at_limit = sample_text(compression::inline_file_max);
  exchange inline_x;
  inline_x.res.set_file(file_with(at_limit), 0, at_limit.size(), "text/css");
  EXPECT_TRUE(inline_x.header("Accept-Encoding", "gzip").run());
  EXPECT_EQ(gunzip(inline_x.res.body()), at_limit);

  const std::string past = sample_text(compression::inline_file_max + 1);
  exchange x;
  x.res.set_file(file_with(past), 0, past.size(), "text/css");
  x.res.set_etag(R"("big-1")");
  EXPECT_FALSE(x.header("Accept-Encoding", "gzip").run());
  // Decided already (the coded tag, Vary); only the bytes wait for the pool.
  ASSERT_TRUE(x.plan.coding.chosen);
  EXPECT_EQ(*x.plan.coding.chosen, coding::gzip);
  EXPECT_TRUE(x.res.has_file());
  EXPECT_EQ(x.field("ETag"), R"("big-1-gz")");
  EXPECT_EQ(x.field("Vary"), "Accept-Encoding");
  x.code_on_the_pool();
  EXPECT_FALSE(x.res.has_file());
  EXPECT_EQ(x.field("Content-Encoding"), "gzip");
  EXPECT_EQ(x.field("Accept-Ranges"), "<none>");
  EXPECT_EQ(gunzip(x.res.body()), past);
}

TEST(representation_compression, keeps_what_the_pool_coded_for_the_next_request) {
  const std::string text = sample_text(200'000);
  exchange first;
  first.req.path = first.req.target = "/pooled.css";
  first.res.set_file(file_with(text), 0, text.size(), "text/css");
  first.res.set_etag(R"("pooled-1")");
  ASSERT_FALSE(first.header("Host", "a.example").header("Accept-Encoding", "zstd").run());
  first.code_on_the_pool();
  exchange x;
  x.req.path = x.req.target = "/pooled.css";
  // Same URI, tag and length, other bytes: only the cache can answer with the first coding.
  x.res.set_file(file_with(std::string(text.size(), 'z')), 0, text.size(), "text/css");
  x.res.set_etag(R"("pooled-1")");
  EXPECT_TRUE(x.header("Host", "a.example").header("Accept-Encoding", "zstd").run(&first.s));
  EXPECT_TRUE(x.res.body() == first.res.body());
  EXPECT_EQ(unzstd(x.res.body()), text);
}

TEST(representation_compression, answers_304_for_a_large_file_without_coding_it) {
  const std::string text = sample_text(100'000);
  exchange x;
  x.res.set_file(file_with(text), 0, text.size(), "text/css");
  x.res.set_etag(R"("big-2")");
  EXPECT_TRUE(x.header("Accept-Encoding", "br").header("If-None-Match", R"("big-2-br")").run());
  EXPECT_EQ(x.res.status(), http::status::not_modified);
  EXPECT_FALSE(x.plan.coding.chosen);
}

TEST(representation_compression, sends_a_large_file_the_pool_cannot_read_as_identity) {
  const std::string text = sample_text(100'000);
  exchange x;
  x.res.set_file(file_with(text), 0, text.size() + 10, "text/plain");  // shorter than said
  x.res.set_etag(R"("short-2")");
  ASSERT_FALSE(x.header("Accept-Encoding", "gzip").run());
  x.code_on_the_pool();
  EXPECT_TRUE(x.res.has_file());
  EXPECT_EQ(x.field("Content-Encoding"), "<none>");
  EXPECT_EQ(x.field("ETag"), R"("short-2")");
}

TEST(site_compression, refuses_unknown_codings_and_levels_out_of_range) {
  site s;
  EXPECT_THROW(s.set_compression({.codings = {"gzip", "deflate"}}), std::invalid_argument);
  EXPECT_THROW(s.set_compression({.codings = {"gzip", "gzip"}}), std::invalid_argument);
  EXPECT_THROW(s.set_compression({.gzip_level = 0}), std::invalid_argument);
  EXPECT_THROW(s.set_compression({.brotli_level = 12}), std::invalid_argument);
  EXPECT_THROW(s.set_compression({.zstd_level = 20}), std::invalid_argument);
  EXPECT_NO_THROW(s.set_compression({.enabled = true, .codings = {"gzip"}}));
  EXPECT_TRUE(s.compression().enabled);
}

}  // namespace
}  // namespace teapot
