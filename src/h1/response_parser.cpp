#include "h1/response_parser.h"

#include <algorithm>
#include <limits>

#include "base/ascii.h"
#include "h1/response_semantics.h"

namespace teapot::h1 {

namespace ascii = base::ascii;
using kind = response_parse_result::kind;

namespace {

constexpr std::string_view k_http_name = "HTTP/";

// The bytes RFC 9112 §4 lets a lenient recipient take for a separator.
constexpr bool is_space_like(char c) {
  return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

}  // namespace

response_parser::response_parser(const response_limits& limits) : limits_(limits) {
  // Reserved once so that a response never allocates; the count limit is checked before a
  // field is recorded, so these never grow.
  fields_.reserve(limits.fields);
  offsets_.reserve(limits.fields);
  connection_options_.reserve(limits.fields);
  reset();
}

void response_parser::reset(const request_context& request) noexcept {
  request_ = request;
  restart();
}

// Forgets the head, not the request: an interim response is followed by another head.
void response_parser::restart() noexcept {
  head_ = response_head{};
  fields_.clear();
  offsets_.clear();
  connection_options_.clear();
  scanned_ = line_start_ = fields_start_ = 0;
  stop_ = limits_.status_line;
  name_len_ = value_at_ = reason_at_ = reason_len_ = consumed_ = 0;
  version_at_ = code_digits_ = 0;
  minor_ = status_ = 0;
  error_ = {};
  state_ = state::version;
}

response_parse_result response_parser::fail(response_error e) noexcept {
  state_ = state::failed;
  error_ = e;
  return {kind::error, 0, e};
}

response_parse_result response_parser::parse(std::string_view in) {
  if (state_ == state::failed) return {kind::error, 0, error_};
  if (state_ == state::done) return {kind::done, consumed_, {}};
  if (state_ == state::interim) restart();
  return scan(in);
}

bool response_parser::limit_reached(std::size_t at, char c, response_error& e) const noexcept {
  if (state_ <= state::status_line_lf) {
    // The CR that ends a line of exactly the limit is still fine.
    if (c == '\r' || c == '\n') return false;
    e = response_error::status_line_too_long;
    return at >= limits_.status_line;
  }
  // The section is the field lines with their CRLFs (RFC 9112 §2.1), as on the request side.
  const bool ends_head =
      (state_ == state::field_start && c == '\r') || state_ == state::head_end_lf;
  if (!ends_head && at - fields_start_ >= limits_.header_section) {
    e = response_error::header_section_too_large;
    return true;
  }
  e = response_error::field_line_too_long;
  return c != '\r' && c != '\n' && at - line_start_ >= limits_.field_line;
}

void response_parser::start_field_line(std::size_t at) noexcept {
  line_start_ = at;
  stop_ = std::min(at + limits_.field_line, fields_start_ + limits_.header_section);
  state_ = state::field_start;
}

// status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 §4), one byte at a
// time (the line is short). Separators are one SP each: RFC 9112 §4 lets a recipient split on
// any whitespace (HTAB, VT, FF, bare CR) but warns that this splits responses where two
// readers disagree, so the only leniency taken is a line that ends right after the code,
// without the SP a server MUST send: it reads the same to every reader.
bool response_parser::status_line_byte(std::string_view in, std::size_t& i,
                                       response_error& e) noexcept {
  const char c = in[i];
  e = c == '\n' ? response_error::bad_line_ending : response_error::bad_status_line;
  switch (state_) {
    case state::version:
      // RFC 9112 §2.3: HTTP-version = HTTP-name "/" DIGIT "." DIGIT, HTTP-name case-sensitive.
      // Anything but "HTTP/" first (an HTTP/0.9 reply has no status line) is no status line.
      if (version_at_ < 5) {
        if (c != k_http_name[version_at_]) return false;
      } else if (version_at_ == 5 || version_at_ == 7) {
        e = response_error::bad_version;
        if (!ascii::is_digit(c)) return false;
        if (version_at_ == 7) minor_ = c - '0';
        // RFC 9110 §2.5: only major version 1 is this protocol's; HTTP/2 has no status line.
        e = response_error::unsupported_version;
        if (version_at_ == 5 && c != '1') return false;
      } else if (version_at_ == 6) {
        e = response_error::bad_version;
        if (c != '.') return false;
      } else {
        if (ascii::is_digit(c)) e = response_error::bad_version;  // "HTTP/1.10"
        if (c != ' ') return false;
        state_ = state::code;
      }
      ++version_at_;
      break;
    case state::code:
      // status-code = 3DIGIT, 100..599 (RFC 9110 §15): a client SHOULD treat another as 5xx,
      // which for a proxy is the 502 it answers.
      if (ascii::is_digit(c)) {
        e = response_error::bad_status_code;
        if (++code_digits_ > 3) return false;
        status_ = status_ * 10 + (c - '0');
        break;
      }
      if (code_digits_ == 3 && (c == ' ' || c == '\r')) {
        e = response_error::bad_status_code;
        if (status_ < 100 || status_ > 599) return false;
        state_ = state::after_code;
        return true;  // the byte is read by after_code
      }
      // Whitespace where a separator stands is a malformed line; elsewhere a malformed code.
      if (c != '\n' && !((code_digits_ == 0 || code_digits_ == 3) && is_space_like(c))) {
        e = response_error::bad_status_code;
      }
      return false;
    case state::after_code:
      if (c == '\r') {
        reason_at_ = i;
        state_ = state::status_line_lf;
      } else if (c == ' ') {
        reason_at_ = i + 1;
        state_ = state::reason;
      } else {
        return false;
      }
      break;
    case state::reason: {
      const std::size_t end = std::min(in.size(), std::max(stop_, i + 1));
      while (i < end && ascii::is_field_content(in[i]))
        ++i;
      if (i == end) return true;
      const char r = in[i];
      if (r == '\n') {
        e = response_error::bad_line_ending;
        return false;
      }
      e = response_error::bad_reason_phrase;
      if (r != '\r') return false;
      reason_len_ = i - reason_at_;
      state_ = state::status_line_lf;
      break;
    }
    case state::status_line_lf:
      e = response_error::bad_line_ending;
      if (c != '\n') return false;
      fields_start_ = i + 1;
      start_field_line(i + 1);
      break;
    case state::field_start:
    case state::name:
    case state::value_ows:
    case state::value:
    case state::field_lf:
    case state::head_end_lf:
    case state::interim:
    case state::done:
    case state::failed:
      return false;
  }
  ++i;
  return true;
}

// One pass over the bytes not yet examined. The states follow RFC 9112 §2.1:
//   HTTP-message = start-line CRLF *( field-line CRLF ) CRLF [ message-body ]
// The field lines are read as the request parser reads them: runs of ordinary bytes in tight
// table loops that stop at stop_, where limit_reached() judges the next byte.
response_parse_result response_parser::scan(std::string_view in) {
  const std::size_t n = in.size();
  std::size_t i = scanned_;
  response_error e{};
  while (i < n) {
    char c = in[i];
    if (i >= stop_ && limit_reached(i, c, e)) return fail(e);
    if (state_ <= state::status_line_lf) {
      if (!status_line_byte(in, i, e)) return fail(e);
      continue;
    }
    switch (state_) {
      case state::field_start:
        if (c == '\r') {
          state_ = state::head_end_lf;
          ++i;
        } else if (c == '\n') {
          return fail(response_error::bad_line_ending);
        } else if (ascii::is_ows(c)) {
          // RFC 9112 §5.2: a proxy MUST either discard a response with obs-fold (and answer
          // 502) or replace each fold with SP before it reads or forwards the field. We
          // discard: a fold rewritten in place would change the caller's bytes, and a copy
          // would allocate. RFC 9112 §2.2 lets whitespace before the first field line be
          // rejected alike.
          return fail(response_error::obs_fold);
        } else if (!ascii::is_tchar(c)) {
          return fail(response_error::bad_field_name);
        } else if (offsets_.size() >= limits_.fields) {
          return fail(response_error::too_many_fields);
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
          // RFC 9112 §5.1: a proxy MUST remove such whitespace before forwarding a response;
          // it forwards none of this one, which two readers could name two ways.
          return fail(response_error::whitespace_before_colon);
        } else if (c == '\r' || c == '\n') {
          return fail(response_error::missing_colon);
        } else {
          return fail(response_error::bad_field_name);
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
        // RFC 9110 §5.5: field-value = *field-content; a recipient of CR, LF or NUL in a value
        // MUST reject the message or replace them with SP: rejected, with the other CTLs.
        const std::size_t end = std::min(n, std::max(stop_, i + 1));
        while (i < end && ascii::is_field_content(in[i]))
          ++i;
        if (i == end) break;
        c = in[i];
        if (c == '\n') return fail(response_error::bad_line_ending);
        if (c != '\r') return fail(response_error::bad_field_value);
        state_ = state::field_lf;
        ++i;
        break;
      }
      case state::field_lf: {
        // RFC 9112 §2.2: a bare CR in a protocol element makes it invalid.
        if (c != '\n') return fail(response_error::bad_line_ending);
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
      case state::head_end_lf: {
        if (c != '\n') return fail(response_error::bad_line_ending);
        consumed_ = ++i;
        scanned_ = i;
        if (!finish_head(in, e)) return fail(e);
        if (head_.is_interim()) {
          state_ = state::interim;
          return {kind::interim, consumed_, {}};
        }
        state_ = state::done;
        return {kind::done, consumed_, {}};
      }
      case state::version:
      case state::code:
      case state::after_code:
      case state::reason:
      case state::status_line_lf:
      case state::interim:
      case state::done:
      case state::failed:
        return {kind::error, 0, error_};
    }
  }
  scanned_ = i;
  return {kind::need_more, 0, {}};
}

bool response_parser::finish_head(std::string_view in, response_error& e) {
  fields_.clear();
  for (const field_offsets& f : offsets_) {
    fields_.push_back({in.substr(f.name_at, f.name_len), in.substr(f.value_at, f.value_len)});
  }
  head_.status = status_;
  head_.reason = in.substr(reason_at_, reason_len_);
  // RFC 9110 §6.2: a higher minor version of HTTP/1 is processed as HTTP/1.1.
  head_.version_minor = minor_ >= 1 ? 1 : 0;
  head_.fields = std::span<const header_field>(fields_.data(), fields_.size());
  if (!apply_response_semantics(request_, head_, connection_options_, e)) return false;
  head_.connection_options = std::span<const std::string_view>(connection_options_);
  return true;
}

}  // namespace teapot::h1
