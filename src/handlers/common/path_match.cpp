#include "teapot/handlers/path_match.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "base/ascii.h"

namespace teapot::handlers {

path_matcher::path_matcher(path_match spec) : spec_(std::move(spec)) {
  if (spec_.pattern.empty()) throw std::invalid_argument("a path pattern cannot be empty");
  if (spec_.kind != match_kind::glob) return;
  const std::string& p = spec_.pattern;
  for (std::size_t i = 0; i < p.size();) {
    if (p[i] == '*') {
      std::size_t run = p.find_first_not_of('*', i);
      if (run == std::string::npos) run = p.size();
      tokens_.push_back({run - i == 1 ? token_kind::star : token_kind::globstar});
      i = run;
    } else if (p[i] == '?') {
      tokens_.push_back({token_kind::one});
      ++i;
    } else {
      std::size_t end = p.find_first_of("*?", i);
      if (end == std::string::npos) end = p.size();
      tokens_.push_back({token_kind::literal, static_cast<std::uint32_t>(i),
                         static_cast<std::uint32_t>(end - i)});
      i = end;
    }
  }
  if (tokens_.front().kind == token_kind::literal) head_len_ = tokens_.front().len;
  if (tokens_.back().kind == token_kind::literal) tail_len_ = tokens_.back().len;
}

std::size_t capture_count(const path_match& match) noexcept {
  switch (match.kind) {
    case match_kind::exact:
      return 0;
    case match_kind::prefix:
      return 1;
    case match_kind::glob:
      break;
  }
  std::size_t runs = 0;
  for (std::size_t i = 0; i < match.pattern.size(); ++i)
    if (match.pattern[i] == '*' && (i == 0 || match.pattern[i - 1] != '*')) ++runs;
  return runs;
}

std::size_t path_matcher::capture_count() const noexcept {
  return handlers::capture_count(spec_);
}

bool path_matcher::matches(std::string_view path, path_captures* captures) const {
  if (captures) *captures = {};
  switch (spec_.kind) {
    case match_kind::exact:
      return path == spec_.pattern;
    case match_kind::prefix:
      if (!path.starts_with(spec_.pattern)) return false;
      if (captures) {
        captures->values[0] = path.substr(spec_.pattern.size());
        captures->count = 1;
      }
      return true;
    case match_kind::glob:
      break;
  }
  return match_glob(path, captures);
}

// Globs are matched by dynamic programming over (token, path position) rather than by
// backtracking, whose time grows exponentially with the stars on a hostile path: fit[i][j]
// tells whether tokens i.. match path[j..]. The captures are then read off the table from the
// left, each star taking the longest run after which the rest still fits.
bool path_matcher::match_glob(std::string_view path, path_captures* captures) const {
  const std::string_view pattern = spec_.pattern;
  if (tokens_.size() == 1 && tokens_[0].kind == token_kind::literal) return path == pattern;
  if (path.size() < head_len_ + tail_len_ || !path.starts_with(pattern.substr(0, head_len_)) ||
      !path.ends_with(pattern.substr(pattern.size() - tail_len_)))
    return false;

  const std::size_t n = path.size();
  const std::size_t width = n + 1;
  thread_local std::vector<unsigned char> fit;
  fit.assign((tokens_.size() + 1) * width, 0);
  auto at = [&](std::size_t i, std::size_t j) -> unsigned char& { return fit[i * width + j]; };
  at(tokens_.size(), n) = 1;
  for (std::size_t i = tokens_.size(); i-- > 0;) {
    const token& t = tokens_[i];
    for (std::size_t j = n + 1; j-- > 0;) {
      bool ok = false;
      switch (t.kind) {
        case token_kind::literal:
          ok = n - j >= t.len && path.substr(j, t.len) == literal(t) && at(i + 1, j + t.len);
          break;
        case token_kind::one:
          ok = j < n && path[j] != '/' && at(i + 1, j + 1);
          break;
        case token_kind::star:
          ok = at(i + 1, j) || (j < n && path[j] != '/' && at(i, j + 1));
          break;
        case token_kind::globstar:
          ok = at(i + 1, j) || (j < n && at(i, j + 1));
          break;
      }
      at(i, j) = ok;
    }
  }
  if (!at(0, 0)) return false;
  if (!captures) return true;

  std::size_t j = 0;
  for (std::size_t i = 0; i < tokens_.size(); ++i) {
    const token& t = tokens_[i];
    if (t.kind == token_kind::literal) {
      j += t.len;
    } else if (t.kind == token_kind::one) {
      ++j;
    } else {
      std::size_t limit = n;
      if (t.kind == token_kind::star) limit = std::min(path.find('/', j), n);
      std::size_t k = limit;
      while (!at(i + 1, k))
        --k;  // at(i, j) holds, so some k in [j, limit] fits
      if (captures->count < path_captures::max)
        captures->values[captures->count++] = path.substr(j, k - j);
      j = k;
    }
  }
  return true;
}

namespace {

// RFC 3986 §3.3: pchar = unreserved / pct-encoded / sub-delims / ":" / "@", plus "/".
bool is_path_char(unsigned char c) noexcept {
  if (base::ascii::is_alpha(static_cast<char>(c)) || base::ascii::is_digit(static_cast<char>(c)))
    return true;
  return std::string_view("-._~!$&'()*+,;=:@/").find(static_cast<char>(c)) !=
         std::string_view::npos;
}

void append_encoded(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (is_path_char(c)) {
      out += ch;
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xf];
    }
  }
}

}  // namespace

std::string expand_captures(std::string_view target, const path_captures& captures) {
  std::string out;
  out.reserve(target.size() + 32);
  for (std::size_t i = 0; i < target.size(); ++i) {
    if (target[i] == '$' && i + 1 < target.size() && target[i + 1] >= '1' && target[i + 1] <= '9') {
      append_encoded(out, captures.get(static_cast<std::size_t>(target[i + 1] - '0')));
      ++i;
    } else {
      out += target[i];
    }
  }
  return out;
}

}  // namespace teapot::handlers
