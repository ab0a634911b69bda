// Request path selectors shared by the policy steps (rules, early hints, and every "per path"
// option): an exact path, a prefix, or a glob, with captures that a redirect target can reuse
// as $1..$9. A matcher is built once from its pattern and is const afterwards, so that every
// worker thread may use one instance.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace teapot::handlers {

enum class match_kind : std::uint8_t {
  exact,   // the path equals the pattern; no capture
  prefix,  // the path starts with the pattern (as a string: "/doc" matches "/docs");
           // capture $1 is the rest of the path, perhaps empty
  glob,    // '*' is any run of characters but '/', '**' any run at all (a longer run of stars
           // counts as '**'), '?' one character but '/'; every other character stands for
           // itself. Each '*' or '**' is a capture, $1 from the left; when a path can be split
           // in several ways, an earlier star takes the longest run it can.
};

struct path_match {
  match_kind kind = match_kind::prefix;
  std::string pattern = "/";
};

// $1..$9 of a match: views into the matched path, valid as long as it is. A glob with more
// than nine stars still matches; the captures past the ninth are not kept.
struct path_captures {
  static constexpr std::size_t max = 9;
  std::array<std::string_view, max> values{};
  std::size_t count = 0;
  // $n (1-based); empty for a capture the match does not have. Never reads past values, even
  // with a count above max (the fields are public).
  std::string_view get(std::size_t n) const noexcept {
    return n >= 1 && n <= count && n <= max ? values[n - 1] : std::string_view{};
  }
};

// How many captures a match yields: 0 (exact), 1 (prefix), the number of star runs (glob). Any
// pattern, the empty one included, so that a configuration can be checked before a matcher is
// built.
std::size_t capture_count(const path_match& match) noexcept;

class path_matcher {
 public:
  // Throws std::invalid_argument for an empty pattern.
  explicit path_matcher(path_match spec);

  // True when path (a request's normalized, percent-decoded path) is selected; fills captures
  // when given. Matching is case-sensitive, as paths are (RFC 3986 §6.2.2.1). A glob costs
  // time and thread-local memory proportional to its length times the path's, and
  // allocates nothing once that memory has grown.
  bool matches(std::string_view path, path_captures* captures = nullptr) const;

  const path_match& spec() const noexcept { return spec_; }
  // capture_count(spec()).
  std::size_t capture_count() const noexcept;

 private:
  enum class token_kind : std::uint8_t { literal, one, star, globstar };
  // Offsets rather than views into spec_.pattern, so that a copied matcher stays valid.
  struct token {
    token_kind kind;
    std::uint32_t at = 0, len = 0;  // literal: its place in spec_.pattern
  };
  bool match_glob(std::string_view path, path_captures* captures) const;
  std::string_view literal(const token& t) const noexcept {
    return std::string_view(spec_.pattern).substr(t.at, t.len);
  }

  path_match spec_;
  std::vector<token> tokens_;  // glob only
  std::size_t head_len_ = 0;   // glob: length of the literal text before the first wildcard
  std::size_t tail_len_ = 0;   // glob: length of the literal text after the last one
};

// The target with each $1..$9 replaced by that capture. A capture is a decoded path piece, so
// it is percent-encoded again, keeping '/' and the other characters a URI path may hold as they
// are (RFC 3986 §3.3): a capture can never add a query, a fragment or a line break. A '$' not
// followed by a digit 1-9 stays as it is.
std::string expand_captures(std::string_view target, const path_captures& captures);

}  // namespace teapot::handlers
