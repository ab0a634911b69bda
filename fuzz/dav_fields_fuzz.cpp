// The request fields of WebDAV (RFC 4918 §10.2, §10.3, §10.6, §10.7). Input, one field per
// line: Depth, Overwrite, Timeout, then a Destination URI. A Timeout is the default, Infinite or
// at most 2^32 - 1 seconds; a URI that parses has a lower-case scheme exactly when it has an
// authority, and a normalized path that keeps the input's trailing '/'.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "http/dav_fields.h"
#include "http/path.h"

namespace {

using teapot::fuzz::check;

void check_uri(std::string_view value) {
  const std::optional<teapot::http::uri_target> t = teapot::http::parse_uri_target(value);
  if (!t) return;
  check(t->scheme.empty() == t->authority.empty());
  for (char c : t->scheme)
    check(!(c >= 'A' && c <= 'Z'));
  check(!t->path.empty() && t->path.front() == '/');
  check(t->path.find("//") == std::string::npos);
  // The path is what normalization gives; without '%' in it, normalizing it again is a no-op.
  if (t->path.find('%') == std::string::npos) {
    std::string scratch;
    std::string_view again;
    check(teapot::http::normalize_path(t->path, scratch, again) == teapot::http::path_error::none);
    check(again == t->path);
  }
  const std::string_view before_query = value.substr(0, value.find_first_of("?#"));
  if (before_query.size() > 1 && before_query.back() == '/') check(t->path.back() == '/');
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto fields = teapot::fuzz::split_fields<4>(teapot::fuzz::as_text(data, size));
  if (fields[0]) static_cast<void>(teapot::http::parse_depth(*fields[0]));
  if (fields[1]) static_cast<void>(teapot::http::parse_overwrite(*fields[1]));
  if (fields[2]) {
    constexpr std::chrono::seconds absent{-1};
    const auto t = teapot::http::parse_timeout(*fields[2], absent);
    check(!t || *t == absent || (t->count() >= 0 && t->count() <= 0xFFFFFFFFLL));
  }
  if (fields[3]) check_uri(*fields[3]);
  return 0;
}
