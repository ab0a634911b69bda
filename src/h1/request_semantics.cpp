#include "h1/request_semantics.h"

#include <algorithm>
#include <limits>

#include "base/ascii.h"
#include "http/field_lists.h"

namespace teapot::h1 {

namespace ascii = base::ascii;

namespace {

// port = *DIGIT (RFC 3986 §3.2.3); require_digits for authority-form, where it is mandatory.
bool is_valid_port(std::string_view port, bool require_digits) {
  if (require_digits && port.empty()) return false;
  return std::all_of(port.begin(), port.end(), [](char c) { return ascii::is_digit(c); });
}

// reg-name = *( unreserved / pct-encoded / sub-delims ) or IPv4address (RFC 3986 §3.2.2).
bool is_valid_reg_name(std::string_view name) {
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (!ascii::is_reg_name_char(c)) return false;
    if (c == '%') {
      if (i + 2 >= name.size() || !ascii::is_hexdig(name[i + 1]) ||
          !ascii::is_hexdig(name[i + 2])) {
        return false;
      }
      i += 2;
    }
  }
  return true;
}

// IP-literal = "[" ( IPv6address / IPvFuture ) "]" (RFC 3986 §3.2.2), checked for its
// alphabet only: the address itself is never resolved by the parser.
bool is_valid_ip_literal(std::string_view inner) {
  if (inner.empty()) return false;
  return std::all_of(inner.begin(), inner.end(), [](char c) {
    return ascii::is_hexdig(c) || c == ':' || c == '.' || c == 'v' || c == 'V';
  });
}

// uri-host [ ":" port ]; the host part must not be empty when need_port asks for a port.
bool is_valid_authority(std::string_view value, bool need_port) {
  std::string_view host = value;
  std::string_view rest;
  if (!value.empty() && value.front() == '[') {
    const std::size_t close = value.find(']');
    if (close == std::string_view::npos) return false;
    if (!is_valid_ip_literal(value.substr(1, close - 1))) return false;
    host = value.substr(0, close + 1);
    rest = value.substr(close + 1);
  } else {
    const std::size_t colon = value.find(':');
    host = value.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view{} : value.substr(colon);
    if (!is_valid_reg_name(host)) return false;  // '@' (userinfo) is not a reg-name byte
  }
  if (rest.empty()) return !need_port;
  if (rest.front() != ':' || host.empty()) return false;
  return is_valid_port(rest.substr(1), need_port);
}

// scheme "://" followed by a non-empty authority: the only absolute-URI a server acts on.
bool is_absolute_form(std::string_view target) {
  if (target.empty() || !ascii::is_alpha(target.front())) return false;
  std::size_t i = 1;
  while (i < target.size() && (ascii::is_alpha(target[i]) || ascii::is_digit(target[i]) ||
                               target[i] == '+' || target[i] == '-' || target[i] == '.')) {
    ++i;
  }
  const std::string_view rest = target.substr(i);
  if (rest.size() <= 3 || rest.substr(0, 3) != "://" || rest[3] == '/') return false;
  // The request line takes some bytes RFC 3986 excludes (ascii::is_wire_target_char), for
  // paths and queries only: the authority names the site, and keeps RFC 3986's alphabet so
  // that no backslash or quote can make two readers see two hosts.
  const std::string_view authority = rest.substr(3, rest.find_first_of("/?", 3) - 3);
  return std::all_of(authority.begin(), authority.end(),
                     [](char c) { return ascii::is_target_char(c); });
}

bool method_in(const std::vector<std::string>& set, std::string_view method) {
  return std::find(set.begin(), set.end(), method) != set.end();
}

// What the fields of a head say about framing and the connection, gathered in one pass.
struct head_facts {
  std::size_t host_count = 0;
  std::string_view host;
  std::size_t content_length_count = 0;
  bool content_length_bad = false;
  bool content_length_overflow = false;
  std::uint64_t content_length = 0;
  bool transfer_encoding = false;
  bool transfer_encoding_bad = false;
  std::size_t chunked_count = 0;
  bool chunked_last = false;
  bool other_coding = false;
  bool close = false;
  bool keep_alive = false;
  bool upgrade_token = false;
  bool upgrade_field = false;
  http::expectations expect;
};

// Content-Length = 1*DIGIT (RFC 9110 §8.6), read without wrapping: an overflow is noted and
// answered 413 like any length over the limit.
void note_content_length(std::string_view value, head_facts& facts) {
  ++facts.content_length_count;
  if (value.empty()) facts.content_length_bad = true;
  std::uint64_t n = 0;
  for (char c : value) {
    if (!ascii::is_digit(c)) {
      facts.content_length_bad = true;
      return;
    }
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (n > (std::numeric_limits<std::uint64_t>::max() - d) / 10) {
      facts.content_length_overflow = true;
    } else {
      n = n * 10 + d;
    }
  }
  facts.content_length = n;
}

// Transfer-Encoding = #transfer-coding (RFC 9112 §6.1), elements across all field lines in
// order. Codings are tokens, compared case-insensitively (RFC 9112 §7).
void note_transfer_encoding(std::string_view value, head_facts& facts) {
  facts.transfer_encoding = true;
  http::for_each_element(value, [&facts](std::string_view coding) {
    if (!ascii::is_token(coding)) {
      facts.transfer_encoding_bad = true;  // empty element, quoted string, parameters
      return;
    }
    if (ascii::iequals(coding, "chunked")) {
      ++facts.chunked_count;
      facts.chunked_last = true;
    } else {
      facts.other_coding = true;
      facts.chunked_last = false;
    }
  });
}

void note_connection(std::string_view value, head_facts& facts) {
  http::for_each_element(value, [&facts](std::string_view option) {
    if (ascii::iequals(option, "close")) facts.close = true;
    if (ascii::iequals(option, "keep-alive")) facts.keep_alive = true;
    if (ascii::iequals(option, "upgrade")) facts.upgrade_token = true;
  });
}

head_facts gather_facts(std::span<const header_field> fields) {
  head_facts facts;
  for (const header_field& f : fields) {
    const std::string_view name = f.name;
    if (ascii::iequals(name, "host")) {
      ++facts.host_count;
      facts.host = f.value;
    } else if (ascii::iequals(name, "content-length")) {
      note_content_length(f.value, facts);
    } else if (ascii::iequals(name, "transfer-encoding")) {
      note_transfer_encoding(f.value, facts);
    } else if (ascii::iequals(name, "connection")) {
      note_connection(f.value, facts);
    } else if (ascii::iequals(name, "upgrade")) {
      facts.upgrade_field = true;
    } else if (ascii::iequals(name, "expect")) {
      http::note_expectations(f.value, facts.expect);
    }
  }
  return facts;
}

bool fail_with(parse_error& e, parse_error value) {
  e = value;
  return false;
}

// RFC 9112 §3.2: exactly one valid Host in HTTP/1.1; HTTP/1.0 may omit it.
bool check_host(const head_facts& facts, int version_minor, parse_error& e) {
  if (facts.host_count == 0) {
    return version_minor == 0 || fail_with(e, parse_error::missing_host);
  }
  if (facts.host_count > 1) return fail_with(e, parse_error::duplicate_host);
  if (!is_valid_host(facts.host)) return fail_with(e, parse_error::bad_host);
  return true;
}

// RFC 9112 §6.1 and §6.3: the framing of the request body, or why it cannot be trusted.
bool check_framing(const head_facts& facts, int version_minor, parse_error& e) {
  if (facts.transfer_encoding) {
    if (facts.content_length_count > 0) {
      return fail_with(e, parse_error::content_length_with_transfer_encoding);  // §6.3 item 3
    }
    if (version_minor == 0) return fail_with(e, parse_error::transfer_encoding_in_http10);
    if (facts.transfer_encoding_bad || facts.chunked_count > 1) {
      return fail_with(e, parse_error::bad_transfer_encoding);
    }
    if (!facts.chunked_last) return fail_with(e, parse_error::chunked_not_last);  // §6.3 item 4
    if (facts.other_coding) return fail_with(e, parse_error::unknown_transfer_coding);
    return true;
  }
  // §6.3 item 5: a list or a repeated field (even with equal values) is refused, as is any
  // value that is not 1*DIGIT.
  if (facts.content_length_count > 1 || facts.content_length_bad) {
    return fail_with(e, parse_error::bad_content_length);
  }
  return true;
}

}  // namespace

target_form classify_target(std::string_view method, std::string_view target) noexcept {
  if (method == "CONNECT") {
    return is_valid_authority(target, true) ? target_form::authority : target_form::wrong_method;
  }
  if (target == "*") return method == "OPTIONS" ? target_form::asterisk : target_form::wrong_method;
  if (target.front() == '/') return target_form::origin;
  if (is_absolute_form(target)) return target_form::absolute;
  if (is_valid_authority(target, true)) return target_form::wrong_method;
  return target_form::invalid;
}

bool is_valid_host(std::string_view value) noexcept {
  return value.empty() || is_valid_authority(value, false);
}

bool apply_head_semantics(const parser_config& config, request_head& head,
                          parse_error& e) noexcept {
  const head_facts facts = gather_facts(head.fields);
  if (!check_host(facts, head.version_minor, e)) return false;
  if (!check_framing(facts, head.version_minor, e)) return false;
  head.host = facts.host;
  if (facts.transfer_encoding) {
    head.framing = body_framing::chunked;
  } else if (facts.content_length_count == 1) {
    head.framing = body_framing::content_length;
    head.content_length = facts.content_length;
  }
  if (head.framing == body_framing::none &&
      method_in(config.methods_requiring_length, head.method)) {
    return fail_with(e, parse_error::length_required);  // RFC 9110 §15.5.12
  }
  // RFC 9112 §6.3 / RFC 9110 §8.6: decide from the header, before any body byte is read.
  if (facts.content_length_overflow || head.content_length > config.limits.body) {
    return fail_with(e, parse_error::content_too_large);
  }
  // RFC 9110 §10.1.1: an HTTP/1.0 server ignores 100-continue.
  if (facts.expect.other) return fail_with(e, parse_error::unsupported_expectation);
  head.expect_continue = facts.expect.continue_100 && head.version_minor >= 1;
  // RFC 9112 §9.3: 1.1 persists unless "close"; 1.0 only with "keep-alive".
  head.keep_alive = !facts.close && (head.version_minor >= 1 || facts.keep_alive);
  head.upgrade = facts.upgrade_token && facts.upgrade_field;  // RFC 9110 §7.8
  return true;
}

}  // namespace teapot::h1
