#include <algorithm>
#include <limits>

#include "base/ascii.h"
#include "h1/request_parser.h"

namespace teapot::h1 {

namespace ascii = base::ascii;
using kind = parse_result::kind;

chunked_decoder::chunked_decoder(const parser_limits& limits)
    : limits_(limits), body_limit_(limits.body) {}

void chunked_decoder::reset(std::uint64_t body_limit) noexcept {
  state_ = state::size_first;
  error_ = {};
  chunk_left_ = total_ = 0;
  body_limit_ = std::min(body_limit, limits_.body);
  line_len_ = ext_bytes_ = trailer_bytes_ = trailer_count_ = 0;
  trailer_text_.clear();
  trailers_.clear();
}

// Splits the checked field lines at their colon; the syntax was verified byte by byte.
void chunked_decoder::index_trailers() {
  std::string_view rest = trailer_text_;
  while (!rest.empty()) {
    const std::size_t end = rest.find("\r\n");
    const std::string_view line = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 2);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    trailers_.push_back({line.substr(0, colon), ascii::trim_ows(line.substr(colon + 1))});
  }
}

chunked_decoder::result chunked_decoder::fail(parse_error e, std::size_t consumed) noexcept {
  state_ = state::failed;
  error_ = e;
  return {kind::error, consumed, e};
}

chunked_decoder::result chunked_decoder::decode(std::string_view in, std::string& body) {
  std::size_t used = 0;
  while (true) {
    std::string_view data;
    result r = decode_piece(in.substr(used), data);
    body.append(data);
    r.consumed += used;
    used = r.consumed;
    if (r.outcome != kind::need_more || used == in.size()) return r;
  }
}

chunked_decoder::result chunked_decoder::decode_piece(std::string_view in, std::string_view& data) {
  data = {};
  if (state_ == state::failed) return {kind::error, 0, error_};
  if (state_ == state::done) return {kind::done, 0, {}};
  const std::size_t n = in.size();
  std::size_t i = 0;
  parse_error e{};
  while (i < n) {
    if (state_ == state::data) {
      const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(chunk_left_, n - i));
      data = in.substr(i, take);
      i += take;
      chunk_left_ -= take;
      if (chunk_left_ == 0) state_ = state::data_cr;
      return {kind::need_more, i, {}};
    }
    const char c = in[i];
    if (state_ <= state::ext_ws) {
      // RFC 9112 §7.1.1: a server limits the chunk line (extensions included) and answers
      // a 4xx beyond it; the CR that ends a line of exactly the limit is fine.
      if (c != '\r' && ++line_len_ > limits_.chunk_line) {
        return fail(parse_error::chunk_line_too_long, i);
      }
      if (!size_line_byte(c, e)) return fail(e, i);
      // RFC 9112 §7.1.1 asks a server to limit the total length of a request's chunk
      // extensions too: counted from the first byte after the size (BWS or ';') to the CR.
      if (state_ >= state::size_ws && state_ <= state::ext_ws &&
          ++ext_bytes_ > limits_.chunk_extensions)
        return fail(parse_error::chunk_extensions_too_long, i);
    } else if (state_ == state::size_lf) {
      if (c != '\n') return fail(parse_error::bare_line_feed, i);
      if (!end_size_line(e)) return fail(e, i);
    } else if (state_ == state::data_cr) {
      // chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF: data longer than announced.
      if (c != '\r') return fail(parse_error::bad_chunk_data, i);
      state_ = state::data_lf;
    } else if (state_ == state::data_lf) {
      if (c != '\n') return fail(parse_error::bad_chunk_data, i);
      state_ = state::size_first;
      line_len_ = 0;
    } else {
      if (!trailer_byte(c, e)) return fail(e, i);
      if (state_ == state::done) {
        index_trailers();
        return {kind::done, i + 1, {}};
      }
      if (state_ != state::final_lf) trailer_text_.push_back(c);
    }
    ++i;
  }
  return {kind::need_more, i, {}};
}

// chunk-size = 1*HEXDIG, then either CRLF or chunk-ext. Whitespace is BWS and therefore only
// allowed where a ';' follows it (RFC 9112 §7.1.1); "5 \r\n" is rejected.
bool chunked_decoder::size_line_byte(char c, parse_error& e) noexcept {
  if (c == '\n') {
    e = parse_error::bare_line_feed;  // RFC 9112 §2.2: only CRLF ends a line
    return false;
  }
  e = parse_error::bad_chunk_size;
  if (state_ == state::size_first) {
    if (!ascii::is_hexdig(c)) return false;
    chunk_left_ = ascii::hex_value(c);
    state_ = state::size;
    return true;
  }
  if (state_ == state::size) {
    if (ascii::is_hexdig(c)) {
      // RFC 9112 §7.1: anticipate large numbers and refuse those that would overflow.
      if (chunk_left_ > (std::numeric_limits<std::uint64_t>::max() >> 4)) return false;
      chunk_left_ = (chunk_left_ << 4) | ascii::hex_value(c);
    } else if (c == '\r') {
      state_ = state::size_lf;
    } else if (c == ';') {
      state_ = state::ext_before_name;
    } else if (ascii::is_ows(c)) {
      state_ = state::size_ws;
    } else {
      return false;
    }
    return true;
  }
  if (state_ == state::size_ws) {
    if (c == ';') state_ = state::ext_before_name;
    return c == ';' || ascii::is_ows(c);
  }
  e = parse_error::bad_chunk_extension;
  return ext_byte(c);
}

// chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ), with
// chunk-ext-val = token / quoted-string. Extensions are validated, then ignored.
bool chunked_decoder::ext_byte(char c) noexcept {
  const bool ows = ascii::is_ows(c);
  const bool tchar = ascii::is_tchar(c);
  auto go = [this](state next) {
    state_ = next;
    return true;
  };
  switch (state_) {
    case state::ext_before_name:
      return ows || (tchar && go(state::ext_name));
    case state::ext_name:
      if (tchar) return true;
      if (ows) return go(state::ext_after_name_ws);
      if (c == '=') return go(state::ext_before_value);
      if (c == ';') return go(state::ext_before_name);
      return c == '\r' && go(state::size_lf);
    case state::ext_after_name_ws:
      if (ows) return true;
      if (c == '=') return go(state::ext_before_value);
      return c == ';' && go(state::ext_before_name);
    case state::ext_before_value:
      if (ows) return true;
      if (c == '"') return go(state::ext_quoted);
      return tchar && go(state::ext_token_value);
    case state::ext_token_value:
      if (tchar) return true;
      if (ows) return go(state::ext_ws);
      if (c == ';') return go(state::ext_before_name);
      return c == '\r' && go(state::size_lf);
    case state::ext_quoted:
      // RFC 9110 §5.6.4: qdtext or quoted-pair; a CR before the closing quote is unbalanced.
      if (c == '"') return go(state::ext_after_quote);
      if (c == '\\') return go(state::ext_quoted_pair);
      return ascii::is_qdtext(c);
    case state::ext_quoted_pair:
      return ascii::is_field_content(c) && go(state::ext_quoted);
    case state::ext_after_quote:
      if (c == ';') return go(state::ext_before_name);
      if (ows) return go(state::ext_ws);
      return c == '\r' && go(state::size_lf);
    case state::ext_ws:
      if (ows) return true;
      return c == ';' && go(state::ext_before_name);
    case state::size_first:
    case state::size:
    case state::size_ws:
    case state::size_lf:
    case state::data:
    case state::data_cr:
    case state::data_lf:
    case state::trailer_start:
    case state::trailer_name:
    case state::trailer_value:
    case state::trailer_lf:
    case state::final_lf:
    case state::done:
    case state::failed:
      return false;
  }
  return false;
}

// The size line is complete: check the running total before any data byte (413), so that a
// size past the limit is refused at once rather than after its data (or the body timeout),
// then read the data or, after the last-chunk, the trailer section.
bool chunked_decoder::end_size_line(parse_error& e) noexcept {
  line_len_ = 0;
  if (chunk_left_ > body_limit_ - total_) {
    e = parse_error::content_too_large;
    return false;
  }
  total_ += chunk_left_;
  state_ = chunk_left_ == 0 ? state::trailer_start : state::data;
  return true;
}

// trailer-section = *( field-line CRLF ) (RFC 9112 §7.1.2), with the field-line rules and
// limits of the header section. The fields are dropped: they are never merged into the head.
bool chunked_decoder::trailer_byte(char c, parse_error& e) noexcept {
  const parser_limits& lim = limits_;
  if (++trailer_bytes_ > lim.header_section) {
    e = parse_error::header_section_too_large;
    return false;
  }
  if (c != '\r' && c != '\n' && ++line_len_ > lim.field_line) {
    e = parse_error::field_line_too_long;
    return false;
  }
  // After a CR only LF may come (RFC 9112 §2.2); elsewhere a bad byte spoils the field line.
  const bool after_cr = state_ == state::trailer_lf || state_ == state::final_lf;
  e = c == '\n' || after_cr ? parse_error::bare_line_feed : parse_error::bad_trailer;
  switch (state_) {
    case state::trailer_start:
      if (c == '\r') {
        state_ = state::final_lf;
        return true;
      }
      if (ascii::is_ows(c)) e = parse_error::obs_fold;  // RFC 9112 §5.2
      if (!ascii::is_tchar(c)) return false;
      if (trailer_count_++ >= lim.fields) {
        e = parse_error::too_many_fields;
        return false;
      }
      state_ = state::trailer_name;
      return true;
    case state::trailer_name:
      if (c == ':') state_ = state::trailer_value;
      return c == ':' || ascii::is_tchar(c);
    case state::trailer_value:
      if (c == '\r') state_ = state::trailer_lf;
      return c == '\r' || ascii::is_field_content(c);
    case state::trailer_lf:
      line_len_ = 0;
      state_ = state::trailer_start;
      return c == '\n';
    case state::final_lf:
      state_ = state::done;
      return c == '\n';
    case state::size_first:
    case state::size:
    case state::size_ws:
    case state::ext_before_name:
    case state::ext_name:
    case state::ext_after_name_ws:
    case state::ext_before_value:
    case state::ext_token_value:
    case state::ext_quoted:
    case state::ext_quoted_pair:
    case state::ext_after_quote:
    case state::ext_ws:
    case state::size_lf:
    case state::data:
    case state::data_cr:
    case state::data_lf:
    case state::done:
    case state::failed:
      return false;
  }
  return false;
}

}  // namespace teapot::h1
