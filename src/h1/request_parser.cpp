#include "h1/request_parser.h"

#include <algorithm>
#include <limits>

#include "base/ascii.h"
#include "h1/request_semantics.h"

namespace teapot::h1 {

namespace ascii = base::ascii;
using kind = parse_result::kind;

namespace {

constexpr std::string_view k_http_name = "HTTP/";

}  // namespace

request_parser::request_parser(const parser_config& config) : config_(&config) {
  // Reserved once so that a request never allocates; the count limit is checked before a
  // field is recorded, so these never grow.
  fields_.reserve(config.limits.fields);
  offsets_.reserve(config.limits.fields);
  reset();
}

void request_parser::reset() noexcept {
  head_ = request_head{};
  fields_.clear();
  offsets_.clear();
  scanned_ = line_start_ = head_start_ = fields_start_ = 0;
  stop_ = std::numeric_limits<std::size_t>::max();
  method_len_ = name_len_ = target_at_ = target_len_ = value_at_ = consumed_ = 0;
  version_at_ = pct_left_ = 0;
  in_query_ = false;
  major_ = minor_ = 0;
  error_ = {};
  state_ = state::leading;
}

parse_result request_parser::fail(parse_error e) noexcept {
  state_ = state::failed;
  error_ = e;
  return {kind::error, 0, e};
}

parse_result request_parser::parse(std::string_view in) {
  if (state_ == state::failed) return {kind::error, 0, error_};
  if (state_ == state::done) return {kind::done, consumed_, {}};
  return scan(in);
}

bool request_parser::limit_reached(std::size_t at, char c, parse_error& e) const noexcept {
  const parser_limits& lim = config_->limits;
  if (state_ <= state::request_line_lf) {
    // RFC 9112 §3: a request line longer than we accept is answered 414. The CR that ends a
    // line of exactly the limit is still fine.
    if (c == '\r' || c == '\n') return false;
    e = parse_error::request_line_too_long;
    return at - head_start_ >= lim.request_line;
  }
  // RFC 9110 §5.4 and RFC 6585 §5: 431 for the whole section, then for one field line
  // (whose CRLF does not count). The section is the field lines with their CRLFs (RFC 9112
  // §2.1): the request line has its own limit and status, and the empty line ends the head.
  const bool ends_head =
      (state_ == state::field_start && c == '\r') || state_ == state::head_end_lf;
  if (!ends_head && at - fields_start_ >= lim.header_section) {
    e = parse_error::header_section_too_large;
    return true;
  }
  e = parse_error::field_line_too_long;
  return c != '\r' && c != '\n' && at - line_start_ >= lim.field_line;
}

void request_parser::start_field_line(std::size_t at) noexcept {
  line_start_ = at;
  const parser_limits& lim = config_->limits;
  stop_ = std::min(at + lim.field_line, fields_start_ + lim.header_section);
  state_ = state::field_start;
}

// One pass over the bytes not yet examined. The states follow RFC 9112 §2.1:
//   HTTP-message = start-line CRLF *( field-line CRLF ) CRLF [ message-body ]
// Runs of ordinary bytes (method, target, name, value) are consumed by tight table loops that
// stop at stop_, where limit_reached() judges the next byte; a byte at or past stop_ that it
// lets through is a line ending, which ends the run at once.
parse_result request_parser::scan(std::string_view in) {
  const std::size_t n = in.size();
  std::size_t i = scanned_;
  parse_error e{};
  while (i < n) {
    char c = in[i];
    if (i >= stop_ && limit_reached(i, c, e)) return fail(e);
    switch (state_) {
      case state::leading:
        // RFC 9112 §2.2: ignore empty lines before the request line, but not without bound.
        if (c == '\r') {
          if (i >= config_->limits.request_line) return fail(parse_error::bad_request_line);
          state_ = state::leading_lf;
          ++i;
        } else if (c == '\n') {
          return fail(parse_error::bare_line_feed);
        } else if (!ascii::is_tchar(c)) {
          return fail(parse_error::bad_request_line);
        } else {
          head_start_ = line_start_ = i;
          stop_ = i + config_->limits.request_line;
          state_ = state::method;
        }
        break;
      case state::leading_lf:
        if (c != '\n') return fail(parse_error::bare_line_feed);
        state_ = state::leading;
        ++i;
        break;
      case state::method: {
        const std::size_t end = std::min(n, std::max(stop_, i + 1));
        while (i < end && ascii::is_tchar(in[i]))
          ++i;
        if (i == end) break;
        c = in[i];
        // RFC 9112 §3: exactly one SP after the method; HTAB and others are not tolerated.
        if (c != ' ') {
          return fail(c == '\r' || c == '\n' || c == '\t' ? parse_error::bad_request_line
                                                          : parse_error::bad_method);
        }
        method_len_ = i - head_start_;
        target_at_ = ++i;
        state_ = state::target;
        break;
      }
      case state::target: {
        const std::size_t end = std::min(n, std::max(stop_, i + 1));
        for (; i < end; ++i) {
          c = in[i];
          if (!ascii::is_wire_target_char(c)) break;
          // RFC 3986 §2.1: '%' must start a pct-encoded triplet in the path, which the server
          // decodes. The query is the handler's to read, and browsers send "?q=100%" as typed.
          if (pct_left_ > 0) {
            if (!ascii::is_hexdig(c)) return fail(parse_error::bad_target);
            --pct_left_;
          } else if (c == '%' && !in_query_) {
            pct_left_ = 2;
          } else if (c == '?') {
            in_query_ = true;
          }
        }
        if (i == end) break;
        if (c == ' ') {
          target_len_ = i - target_at_;
          if (target_len_ == 0) return fail(parse_error::bad_request_line);
          if (pct_left_ > 0) return fail(parse_error::bad_target);
          state_ = state::version;
          ++i;
        } else if (c == '\r' || c == '\n') {
          // "GET /" with no version is an HTTP/0.9 request, which we do not speak.
          return fail(i == target_at_ ? parse_error::bad_request_line : parse_error::bad_version);
        } else {
          return fail(parse_error::bad_target);
        }
        break;
      }
      case state::version:
        // RFC 9112 §2.3: HTTP-version = HTTP-name "/" DIGIT "." DIGIT, HTTP-name case-sensitive.
        if (version_at_ < 5) {
          if (c != k_http_name[version_at_]) return fail(parse_error::bad_version);
        } else if (version_at_ == 5 || version_at_ == 7) {
          if (!ascii::is_digit(c)) return fail(parse_error::bad_version);
          (version_at_ == 5 ? major_ : minor_) = c - '0';
        } else if (version_at_ == 6) {
          if (c != '.') return fail(parse_error::bad_version);
        } else {
          if (c == '\n') return fail(parse_error::bare_line_feed);
          if (c != '\r') return fail(parse_error::bad_version);
          state_ = state::request_line_lf;
        }
        ++version_at_;
        ++i;
        break;
      case state::request_line_lf:
        if (c != '\n') return fail(parse_error::bare_line_feed);
        if (!check_request_line(in, e)) return fail(e);
        fields_start_ = ++i;
        start_field_line(i);
        break;
      case state::field_start:
        if (c == '\r') {
          state_ = state::head_end_lf;
          ++i;
        } else if (c == '\n') {
          return fail(parse_error::bare_line_feed);
        } else if (ascii::is_ows(c)) {
          // RFC 9112 §5.2 (obs-fold) and §2.2 (whitespace before the first field line).
          return fail(parse_error::obs_fold);
        } else if (!ascii::is_tchar(c)) {
          return fail(parse_error::bad_field_name);
        } else if (offsets_.size() >= config_->limits.fields) {
          return fail(parse_error::too_many_fields);
        } else {
          state_ = state::name;
        }
        break;
      case state::name: {
        const std::size_t end = std::min(n, std::max(stop_, i + 1));
        while (i < end && ascii::is_tchar(in[i]))
          ++i;
        if (i == end) break;
        c = in[i];
        if (c == ':') {
          name_len_ = i - line_start_;
          state_ = state::value_ows;
          ++i;
        } else if (ascii::is_ows(c)) {
          return fail(parse_error::whitespace_before_colon);  // RFC 9112 §5.1
        } else if (c == '\r' || c == '\n') {
          return fail(parse_error::missing_colon);
        } else {
          return fail(parse_error::bad_field_name);
        }
        break;
      }
      case state::value_ows:
        if (ascii::is_ows(c)) {
          ++i;
          break;
        }
        value_at_ = i;
        state_ = state::value;
        break;
      case state::value: {
        // RFC 9110 §5.5: field-value = *field-content; VCHAR, obs-text, SP and HTAB only.
        const std::size_t end = std::min(n, std::max(stop_, i + 1));
        while (i < end && ascii::is_field_content(in[i]))
          ++i;
        if (i == end) break;
        c = in[i];
        if (c == '\n') return fail(parse_error::bare_line_feed);
        if (c != '\r') return fail(parse_error::bad_field_value);
        state_ = state::field_lf;
        ++i;
        break;
      }
      case state::field_lf: {
        // A CR inside a value that is not followed by LF is a bare CR (RFC 9112 §2.2).
        if (c != '\n') return fail(parse_error::bare_line_feed);
        std::size_t value_end = i - 1;
        while (value_end > value_at_ && ascii::is_ows(in[value_end - 1]))
          --value_end;
        offsets_.push_back({static_cast<std::uint32_t>(line_start_),
                            static_cast<std::uint32_t>(name_len_),
                            static_cast<std::uint32_t>(value_at_),
                            static_cast<std::uint32_t>(value_end - value_at_)});
        start_field_line(++i);
        break;
      }
      case state::head_end_lf:
        if (c != '\n') return fail(parse_error::bare_line_feed);
        consumed_ = ++i;
        if (!finish_head(in, e)) return fail(e);
        state_ = state::done;
        scanned_ = i;
        return {kind::done, consumed_, {}};
      case state::done:
      case state::failed:
        return {kind::error, 0, error_};
    }
  }
  scanned_ = i;
  return {kind::need_more, 0, {}};
}

// RFC 9112 §3: the request line's meaning, checked once it is complete. The version comes
// first so that an HTTP/2 preface ("PRI * HTTP/2.0") is answered 505, not 501.
bool request_parser::check_request_line(std::string_view in, parse_error& e) const noexcept {
  if (major_ != 1) {
    e = parse_error::unsupported_version;  // RFC 9110 §15.6.6
    return false;
  }
  const std::string_view method = in.substr(head_start_, method_len_);
  // RFC 9110 §9.1: methods are case-sensitive; one we do not implement is 501.
  const auto& known = config_->methods;
  if (std::find(known.begin(), known.end(), method) == known.end()) {
    e = parse_error::unknown_method;
    return false;
  }
  const target_form form = classify_target(method, in.substr(target_at_, target_len_));
  if (form == target_form::invalid) {
    e = parse_error::bad_target;
    return false;
  }
  if (form == target_form::wrong_method) {
    e = parse_error::bad_target_form;
    return false;
  }
  return true;
}

bool request_parser::finish_head(std::string_view in, parse_error& e) noexcept {
  fields_.clear();
  for (const field_offsets& f : offsets_) {
    fields_.push_back({in.substr(f.name_at, f.name_len), in.substr(f.value_at, f.value_len)});
  }
  head_.method = in.substr(head_start_, method_len_);
  head_.target = in.substr(target_at_, target_len_);
  // RFC 9110 §6.2: a higher minor version of HTTP/1 is processed as HTTP/1.1.
  head_.version_minor = minor_ >= 1 ? 1 : 0;
  head_.fields = std::span<const header_field>(fields_.data(), fields_.size());
  return apply_head_semantics(*config_, head_, e);
}

}  // namespace teapot::h1
