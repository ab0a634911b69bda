// The response parser and body decoder against a table of upstream responses. Every case is fed
// as a connection would deliver it: whole, one byte at a time, and split in two at every
// boundary, each piece placed to end at a guard page; the three must see the same thing.
#include "h1/response_parser.h"

#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "h1/response_body.h"
#include "replay.h"

// g++ 12 warns about members left to their default initializers in designated initializers,
// which is exactly how the table below says "not checked".
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace teapot::h1 {
namespace {

using namespace std::literals;
using head_kind = response_parse_result::kind;
using body_kind = response_body_decoder::result::kind;
using fields_t = std::vector<std::pair<std::string, std::string>>;

// What the final head and body must show; unset members are not checked.
struct want {
  std::optional<int> status;
  std::optional<std::string> reason;
  std::optional<int> minor;
  std::optional<response_framing> framing;
  std::optional<std::uint64_t> content_length;  // set: has_content_length with this value
  std::optional<bool> keep_alive;
  std::optional<bool> conflict;                     // framing_conflict
  std::optional<bool> transfer_coded;               // another coding than chunked
  std::optional<std::vector<std::string>> options;  // connection_options
  std::optional<fields_t> fields;                   // all of them, in order
  std::vector<int> interim;                         // the 1xx statuses before the final head
  std::optional<std::string> body;
  std::optional<fields_t> trailers;
  std::size_t trailing = 0;  // bytes after the response (the next one, or a tunnel's)
  bool head_incomplete = false;
};

struct response_case {
  std::string name;
  std::string raw;
  std::optional<response_error> error;  // unset: the response is read to its end
  want expect;
  request_context request;
  const response_limits* limits = nullptr;
  // The connection closes after raw (end_of_input). Else a body still being read stays so.
  bool closes = true;
};

void PrintTo(const response_case& c, std::ostream* os) {
  *os << c.name;
}

const response_limits& default_limits() {
  static const response_limits limits;
  return limits;
}

// Small limits, so that "at the limit" and "one past" are easy to write by hand.
const response_limits& small_limits() {
  static const response_limits limits = [] {
    response_limits l;
    l.status_line = 24;
    l.field_line = 16;
    l.fields = 3;
    return l;
  }();
  return limits;
}

// A header section that fills before the count of fields does.
const response_limits& section_limits() {
  static const response_limits limits = [] {
    response_limits l;
    l.field_line = 16;
    l.header_section = 40;
    return l;
  }();
  return limits;
}

// Room for "Transfer-Encoding: chunked" in the head; small chunk lines and trailers.
const response_limits& chunk_limits() {
  static const response_limits limits = [] {
    response_limits l;
    l.field_line = 32;
    l.header_section = 64;
    l.fields = 3;
    l.chunk_line = 12;
    l.chunk_extensions = 20;
    return l;
  }();
  return limits;
}

response_case ok(std::string name, std::string raw, want w = {}) {
  return {std::move(name), std::move(raw), std::nullopt, std::move(w)};
}
response_case bad(std::string name, std::string raw, response_error e) {
  return {std::move(name), std::move(raw), e, {}};
}
response_case with(const response_limits& limits, response_case c) {
  c.limits = &limits;
  return c;
}
response_case to(request_context request, response_case c) {
  c.request = request;
  return c;
}
response_case open_ended(response_case c) {
  c.closes = false;
  return c;
}
constexpr request_context k_head{.head = true};
constexpr request_context k_connect{.connect = true};
constexpr request_context k_upgrade{.upgrade = true};

// A 1.1 200 with `fields` (each ending in CRLF), the empty line, then `body`.
std::string r200(std::string_view fields, std::string_view body = "") {
  return "HTTP/1.1 200 OK\r\n"s.append(fields).append("\r\n").append(body);
}
std::string status_line(std::string_view line) {
  return std::string(line).append("\r\nContent-Length: 0\r\n\r\n");
}

std::vector<response_case> status_line_cases();
std::vector<response_case> field_cases();
std::vector<response_case> framing_cases();
std::vector<response_case> connection_cases();
std::vector<response_case> interim_cases();
std::vector<response_case> body_cases();
std::vector<response_case> limit_cases();

std::vector<response_case> all_cases() {
  std::vector<response_case> all;
  for (auto* part : {status_line_cases, field_cases, framing_cases, connection_cases, interim_cases,
                     body_cases, limit_cases}) {
    auto cases = part();
    for (auto& c : cases)
      all.push_back(std::move(c));
  }
  return all;
}

// RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ].
std::vector<response_case> status_line_cases() {
  using e = response_error;
  return {
      ok("simple 200", status_line("HTTP/1.1 200 OK"),
         {.status = 200, .reason = "OK", .minor = 1, .keep_alive = true, .body = ""}),
      ok("http10", status_line("HTTP/1.0 200 OK"), {.minor = 0, .keep_alive = false}),
      // RFC 9110 §6.2: a higher minor version of major 1 is processed as 1.1.
      ok("higher minor is 1.1", status_line("HTTP/1.2 200 OK"), {.minor = 1}),
      ok("minor nine is 1.1", status_line("HTTP/1.9 404 Not Found"), {.status = 404, .minor = 1}),
      // §4: the SP before an empty reason is required of the sender, and kept here.
      ok("empty reason after its space", status_line("HTTP/1.1 204 "),
         {.status = 204, .reason = ""}),
      // §4 lets a recipient parse on word boundaries; a line that ends right after the code
      // reads the same to every reader, so that much is taken.
      ok("no space and no reason", status_line("HTTP/1.1 200"), {.status = 200, .reason = ""}),
      ok("reason with spaces and tab", status_line("HTTP/1.1 404 Not  Found\there"),
         {.reason = "Not  Found\there"}),
      ok("reason keeps its leading space", status_line("HTTP/1.1 200  OK"), {.reason = " OK"}),
      ok("reason keeps its trailing space", status_line("HTTP/1.1 200 OK "), {.reason = "OK "}),
      ok("reason with obs-text", status_line("HTTP/1.1 200 Tr\xe8s bien"),
         {.reason = "Tr\xe8s bien"}),
      ok("reason that looks like a status line", status_line("HTTP/1.1 200 HTTP/1.1 500 X"),
         {.status = 200, .reason = "HTTP/1.1 500 X"}),
      ok("lowest status", "HTTP/1.1 100 Continue\r\n\r\n" + status_line("HTTP/1.1 599 X"),
         {.status = 599, .interim = {100}}),
      ok("unregistered status", status_line("HTTP/1.1 299 Odd"), {.status = 299}),
      bad("lower-case name", status_line("http/1.1 200 OK"), e::bad_status_line),
      bad("other protocol name", status_line("HTTPS/1.1 200 OK"), e::bad_status_line),
      bad("http09 reply has no status line", "<html>hello</html>", e::bad_status_line),
      // RFC 9112 §2.2 lets a server skip empty lines before a request line; nothing lets a
      // client skip them before a status line.
      bad("leading empty line", "\r\n" + status_line("HTTP/1.1 200 OK"), e::bad_status_line),
      bad("leading space", " " + status_line("HTTP/1.1 200 OK"), e::bad_status_line),
      bad("leading bare lf", "\n" + status_line("HTTP/1.1 200 OK"), e::bad_line_ending),
      bad("http2", status_line("HTTP/2.0 200 OK"), e::unsupported_version),
      bad("http2 without minor", status_line("HTTP/2 200 OK"), e::unsupported_version),
      bad("http09", status_line("HTTP/0.9 200 OK"), e::unsupported_version),
      bad("version without minor", status_line("HTTP/1 200 OK"), e::bad_version),
      bad("version letter", status_line("HTTP/1.x 200 OK"), e::bad_version),
      bad("two digit minor", status_line("HTTP/1.10 200 OK"), e::bad_version),
      bad("two digit major", status_line("HTTP/11.1 200 OK"), e::bad_version),
      bad("version and code without space", status_line("HTTP/1.1200 OK"), e::bad_version),
      bad("no code", status_line("HTTP/1.1"), e::bad_status_line),
      bad("no code after space", status_line("HTTP/1.1 "), e::bad_status_line),
      bad("two spaces before code", status_line("HTTP/1.1  200 OK"), e::bad_status_line),
      bad("tab before code", status_line("HTTP/1.1\t200 OK"), e::bad_status_line),
      bad("tab after code", status_line("HTTP/1.1 200\tOK"), e::bad_status_line),
      bad("form feed after code", status_line("HTTP/1.1 200\fOK"), e::bad_status_line),
      bad("vertical tab before code", status_line("HTTP/1.1\v200 OK"), e::bad_status_line),
      bad("two digit code", status_line("HTTP/1.1 20 OK"), e::bad_status_code),
      bad("two digit code at line end", status_line("HTTP/1.1 20"), e::bad_status_code),
      bad("four digit code", status_line("HTTP/1.1 2000 OK"), e::bad_status_code),
      bad("letter in code", status_line("HTTP/1.1 2x0 OK"), e::bad_status_code),
      bad("letter after code", status_line("HTTP/1.1 200OK"), e::bad_status_code),
      bad("sign before code", status_line("HTTP/1.1 +200 OK"), e::bad_status_code),
      // RFC 9110 §15: valid codes are 100..599; a client SHOULD treat another as a 5xx.
      bad("code 000", status_line("HTTP/1.1 000 OK"), e::bad_status_code),
      bad("code 099", status_line("HTTP/1.1 099 OK"), e::bad_status_code),
      bad("code 600", status_line("HTTP/1.1 600 OK"), e::bad_status_code),
      bad("code 999", status_line("HTTP/1.1 999 OK"), e::bad_status_code),
      // reason-phrase = 1*( HTAB / SP / VCHAR / obs-text )
      bad("nul in reason", status_line("HTTP/1.1 200 O\0K"s), e::bad_reason_phrase),
      bad("escape in reason", status_line("HTTP/1.1 200 \x1b[2J"), e::bad_reason_phrase),
      bad("del in reason", status_line("HTTP/1.1 200 OK\x7f"), e::bad_reason_phrase),
      // RFC 9112 §2.2: a bare CR makes the element invalid; a bare LF is not taken either.
      bad("bare lf after reason", "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", e::bad_line_ending),
      bad("bare lf after code", "HTTP/1.1 200\nContent-Length: 0\r\n\r\n", e::bad_line_ending),
      bad("bare lf after version", "HTTP/1.1\nContent-Length: 0\r\n\r\n", e::bad_line_ending),
      bad("bare cr in reason", status_line("HTTP/1.1 200 O\rK"), e::bad_line_ending),
      bad("cr cr lf", status_line("HTTP/1.1 200 OK\r"), e::bad_line_ending),
      bad("bare cr after code", status_line("HTTP/1.1 200\rOK"), e::bad_line_ending),
  };
}

// RFC 9112 §5 and RFC 9110 §5.5: field lines as on the request side.
std::vector<response_case> field_cases() {
  using e = response_error;
  return {
      ok("fields in order and trimmed",
         r200("Content-Length: 0\r\nX-A:  one two \r\nx-a:\tthree\r\nX-Empty:\r\nX-Ows:   \r\n"),
         {.fields = fields_t{{"Content-Length", "0"},
                             {"X-A", "one two"},
                             {"x-a", "three"},
                             {"X-Empty", ""},
                             {"X-Ows", ""}}}),
      ok("value with obs-text and inner tab", r200("Content-Length: 0\r\nX: a\tb \xff\r\n"),
         {.fields = fields_t{{"Content-Length", "0"}, {"X", "a\tb \xff"}}}),
      ok("name of every tchar", r200("Content-Length: 0\r\n!#$%&'*+-.^_`|~09azAZ: v\r\n"),
         {.fields = fields_t{{"Content-Length", "0"}, {"!#$%&'*+-.^_`|~09azAZ", "v"}}}),
      ok("no fields at all", "HTTP/1.1 200 OK\r\n\r\nabc",
         {.framing = response_framing::until_close, .fields = fields_t{}, .body = "abc"}),
      // RFC 9112 §5.1: a proxy MUST remove such whitespace before forwarding; it forwards
      // none of this response.
      bad("space before colon", r200("Content-Length : 0\r\n"), e::whitespace_before_colon),
      bad("tab before colon", r200("X\t: 1\r\nContent-Length: 0\r\n"), e::whitespace_before_colon),
      // RFC 9112 §5.2: a proxy MUST discard a response with obs-fold (502) or unfold it.
      bad("obs fold", r200("Content-Length: 0\r\nX: a\r\n b\r\n"), e::obs_fold),
      bad("obs fold with tab", r200("X: a\r\n\tb\r\nContent-Length: 0\r\n"), e::obs_fold),
      // RFC 9112 §2.2: whitespace between the start-line and the first field.
      bad("space before the first field", "HTTP/1.1 200 OK\r\n Content-Length: 0\r\n\r\n",
          e::obs_fold),
      bad("empty name", r200(": v\r\nContent-Length: 0\r\n"), e::bad_field_name),
      bad("bad name byte", r200("X(y): v\r\nContent-Length: 0\r\n"), e::bad_field_name),
      bad("name with slash", r200("X/Y: v\r\nContent-Length: 0\r\n"), e::bad_field_name),
      bad("high byte in name", r200("X\xe9: v\r\nContent-Length: 0\r\n"), e::bad_field_name),
      bad("missing colon", r200("Content-Length 0\r\n"), e::whitespace_before_colon),
      bad("name only", r200("Content-Length: 0\r\nX-Flag\r\n"), e::missing_colon),
      bad("nul in value", r200("Content-Length: 0\r\nX: a\0b\r\n"s), e::bad_field_value),
      bad("ctl in value", r200("Content-Length: 0\r\nX: a\x01\r\n"), e::bad_field_value),
      bad("del in value", r200("Content-Length: 0\r\nX: \x7f\r\n"), e::bad_field_value),
      bad("bare lf ends a field", r200("Content-Length: 0\nX: 1\r\n"), e::bad_line_ending),
      bad("bare cr in a value", r200("X: a\rb\r\nContent-Length: 0\r\n"), e::bad_line_ending),
      bad("bare lf ends the head", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\n",
          e::bad_line_ending),
      bad("cr without lf ends the head", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\rX",
          e::bad_line_ending),
      bad("lf first in a field line", "HTTP/1.1 200 OK\r\n\nContent-Length: 0\r\n\r\n",
          e::bad_line_ending),
  };
}

// RFC 9112 §6.3, item by item.
std::vector<response_case> framing_cases() {
  using e = response_error;
  using f = response_framing;
  return {
      // Item 1: HEAD, 1xx, 204 and 304 end with the head, whatever the fields say.
      to(k_head, ok("head with content-length", r200("Content-Length: 5\r\n"),
                    {.framing = f::none, .content_length = 5, .keep_alive = true, .body = ""})),
      to(k_head, ok("head response then the next bytes", r200("Content-Length: 5\r\n", "HTTP"),
                    {.framing = f::none, .body = "", .trailing = 4})),
      to(k_head, ok("head with chunked", r200("Transfer-Encoding: chunked\r\n"),
                    {.framing = f::none, .keep_alive = true, .body = ""})),
      to(k_head, ok("head without framing keeps the connection", r200(""),
                    {.framing = f::none, .keep_alive = true})),
      ok("204 with content-length", "HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\nabc",
         {.framing = f::none, .content_length = 3, .body = "", .trailing = 3}),
      ok("204 without fields", "HTTP/1.1 204 No Content\r\n\r\n",
         {.framing = f::none, .keep_alive = true}),
      ok("304 with chunked", "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n",
         {.framing = f::none, .keep_alive = true, .body = ""}),
      ok("304 with content-length", "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n",
         {.framing = f::none, .content_length = 10}),
      bad("204 with an invalid content-length",
          "HTTP/1.1 204 No Content\r\nContent-Length: x\r\n\r\n", e::bad_content_length),
      to(k_head, bad("head with differing lengths",
                     r200("Content-Length: 5\r\nContent-Length: 6\r\n"), e::bad_content_length)),
      // Item 2: a 2xx to CONNECT is a tunnel; its Content-Length and Transfer-Encoding are
      // ignored, valid or not.
      to(k_connect, ok("connect 200", "HTTP/1.1 200 Connection Established\r\n\r\n\x16\x03\x01",
                       {.framing = f::tunnel, .keep_alive = false, .trailing = 3})),
      to(k_connect, ok("connect 200 ignores content-length",
                       r200("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "abc"),
                       {.framing = f::tunnel, .conflict = false, .trailing = 3})),
      to(k_connect, ok("connect 204 ignores a bad content-length",
                       "HTTP/1.1 204 OK\r\nContent-Length: x\r\n\r\n", {.framing = f::tunnel})),
      to(k_connect, ok("connect 407 has a body",
                       "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 2\r\n\r\nno",
                       {.framing = f::content_length, .body = "no"})),
      // RFC 9110 §15.2.2: 101 only to a request that asked to upgrade.
      to(k_upgrade, ok("101 after an upgrade request",
                       "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: "
                       "Upgrade\r\n\r\n\x81\x05",
                       {.status = 101,
                        .framing = f::tunnel,
                        .keep_alive = false,
                        .options = std::vector<std::string>{"Upgrade"},
                        .trailing = 2})),
      bad("101 without an upgrade request",
          "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", e::unexpected_upgrade),
      // Item 3: chunked last frames the body; another coding last leaves the close.
      ok("chunked", r200("Transfer-Encoding: chunked\r\n", "3\r\nabc\r\n0\r\n\r\n"),
         {.framing = f::chunked, .keep_alive = true, .transfer_coded = false, .body = "abc"}),
      ok("chunked in any case", r200("Transfer-Encoding: ChUnKeD\r\n", "0\r\n\r\n"),
         {.framing = f::chunked, .body = ""}),
      ok("gzip then chunked", r200("Transfer-Encoding: gzip, chunked\r\n", "2\r\nzz\r\n0\r\n\r\n"),
         {.framing = f::chunked, .keep_alive = true, .transfer_coded = true, .body = "zz"}),
      ok("codings over two lines",
         r200("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"),
         {.framing = f::chunked, .transfer_coded = true}),
      ok("gzip alone is read to the close", r200("Transfer-Encoding: gzip\r\n", "zzzz"),
         {.framing = f::until_close, .keep_alive = false, .transfer_coded = true, .body = "zzzz"}),
      ok("chunked then gzip is read to the close",
         r200("Transfer-Encoding: chunked, gzip\r\n", "0\r\n\r\n"),
         {.framing = f::until_close, .transfer_coded = true, .body = "0\r\n\r\n"}),
      ok("chunked line then gzip line is read to the close",
         r200("Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n", "xy"),
         {.framing = f::until_close, .body = "xy"}),
      ok("transfer-encoding wins over content-length",
         r200("Content-Length: 100\r\nTransfer-Encoding: chunked\r\n", "1\r\nx\r\n0\r\n\r\n"),
         {.framing = f::chunked, .keep_alive = false, .conflict = true, .body = "x"}),
      ok("transfer-encoding wins over an invalid content-length",
         r200("Transfer-Encoding: chunked\r\nContent-Length: x, y\r\n", "0\r\n\r\n"),
         {.framing = f::chunked, .keep_alive = false, .conflict = true, .body = ""}),
      bad("chunked twice", r200("Transfer-Encoding: chunked, chunked\r\n"),
          e::bad_transfer_encoding),
      bad("chunked on two lines",
          r200("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"),
          e::bad_transfer_encoding),
      bad("empty coding element", r200("Transfer-Encoding: gzip, , chunked\r\n"),
          e::bad_transfer_encoding),
      bad("trailing comma in codings", r200("Transfer-Encoding: chunked,\r\n"),
          e::bad_transfer_encoding),
      bad("empty transfer-encoding", r200("Transfer-Encoding:\r\n"), e::bad_transfer_encoding),
      bad("coding with a parameter", r200("Transfer-Encoding: chunked;q=1\r\n"),
          e::bad_transfer_encoding),
      bad("quoted coding", r200("Transfer-Encoding: \"chunked\"\r\n"), e::bad_transfer_encoding),
      // RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 means faulty framing.
      bad("http10 with chunked", "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
          e::transfer_encoding_in_http10),
      bad("http10 with chunked and a length",
          "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
          e::transfer_encoding_in_http10),
      to(k_head, bad("http10 head response with chunked",
                     "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                     e::transfer_encoding_in_http10)),
      // Item 5: a list of identical valid values is that value; anything else is an error.
      ok("content-length", r200("Content-Length: 5\r\n", "hello"),
         {.framing = f::content_length,
          .content_length = 5,
          .keep_alive = true,
          .conflict = false,
          .body = "hello"}),
      ok("content-length list of one value", r200("Content-Length: 5, 5,5\r\n", "hello"),
         {.framing = f::content_length, .content_length = 5, .body = "hello"}),
      ok("content-length repeated", r200("Content-Length: 5\r\ncontent-length: 5\r\n", "hello"),
         {.content_length = 5, .body = "hello"}),
      ok("content-length leading zeros", r200("Content-Length: 005\r\n", "hello"),
         {.content_length = 5, .body = "hello"}),
      to(k_head, ok("largest content-length", r200("Content-Length: 18446744073709551615\r\n"),
                    {.content_length = 18446744073709551615u})),
      bad("differing lengths in a list", r200("Content-Length: 5, 6\r\n", "hello!"),
          e::bad_content_length),
      bad("differing lengths on two lines", r200("Content-Length: 6\r\nContent-Length: 5\r\n"),
          e::bad_content_length),
      bad("empty content-length", r200("Content-Length:\r\n"), e::bad_content_length),
      bad("empty element in content-length", r200("Content-Length: 5,\r\n"), e::bad_content_length),
      bad("empty first element in content-length", r200("Content-Length: ,5\r\n"),
          e::bad_content_length),
      bad("negative content-length", r200("Content-Length: -1\r\n"), e::bad_content_length),
      bad("signed content-length", r200("Content-Length: +5\r\n"), e::bad_content_length),
      bad("hex content-length", r200("Content-Length: 0x5\r\n"), e::bad_content_length),
      bad("content-length with a space inside", r200("Content-Length: 1 2\r\n"),
          e::bad_content_length),
      bad("content-length past 64 bits", r200("Content-Length: 18446744073709551616\r\n"),
          e::bad_content_length),
      bad("content-length far past 64 bits", r200("Content-Length: 99999999999999999999999\r\n"),
          e::bad_content_length),
      // Item 6: that many bytes; what follows is the next response's.
      ok("zero length", r200("Content-Length: 0\r\n", "HTTP/1.1"),
         {.framing = f::content_length, .content_length = 0, .body = "", .trailing = 8}),
      ok("length then the next response",
         r200("Content-Length: 3\r\n", "abcHTTP/1.1 200 OK\r\n\r\n"),
         {.body = "abc", .trailing = 19}),
      ok("length holding crlf and a status line",
         r200("Content-Length: 21\r\n", "\r\nHTTP/1.1 500 Oops\r\n"),
         {.body = "\r\nHTTP/1.1 500 Oops\r\n"}),
      // Item 8: without framing, the body runs to the close.
      ok("no framing", r200("X: 1\r\n", "all of this\r\n\r\nHTTP/1.1 200 OK\r\n"),
         {.framing = f::until_close,
          .keep_alive = false,
          .body = "all of this\r\n\r\nHTTP/1.1 200 OK\r\n"}),
      ok("no framing and no body", r200(""), {.framing = f::until_close, .body = ""}),
      open_ended(ok("no framing, still open", r200("", "part"), {.framing = f::until_close})),
      ok("http10 without framing", "HTTP/1.0 200 OK\r\n\r\nold",
         {.framing = f::until_close, .keep_alive = false, .body = "old"}),
      // RFC 9112 §8: a body the close cuts short is incomplete.
      bad("closed before the content-length", r200("Content-Length: 5\r\n", "hel"),
          e::incomplete_body),
      bad("closed before any content", r200("Content-Length: 5\r\n"), e::incomplete_body),
      bad("closed before the last chunk", r200("Transfer-Encoding: chunked\r\n", "3\r\nabc\r\n"),
          e::incomplete_body),
      bad("closed inside the trailers", r200("Transfer-Encoding: chunked\r\n", "0\r\nX: 1\r\n"),
          e::incomplete_body),
      open_ended(
          ok("head not yet complete", "HTTP/1.1 200 OK\r\nContent-Len", {.head_incomplete = true})),
  };
}

// RFC 9112 §9.3 (persistence) and RFC 9110 §7.6.1 (Connection options).
std::vector<response_case> connection_cases() {
  using e = response_error;
  using opts = std::vector<std::string>;
  return {
      ok("http11 persists", r200("Content-Length: 0\r\n"), {.keep_alive = true, .options = opts{}}),
      ok("close", r200("Content-Length: 0\r\nConnection: close\r\n"),
         {.keep_alive = false, .options = opts{"close"}}),
      ok("close in any case among others",
         r200("Connection: keep-alive, CLOSE\r\nContent-Length: 0\r\n"),
         {.keep_alive = false, .options = opts{"keep-alive", "CLOSE"}}),
      ok("http10 keep-alive with a length",
         "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 1\r\n\r\nx",
         {.keep_alive = true, .options = opts{"Keep-Alive"}, .body = "x"}),
      ok("http10 keep-alive without a length", "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\nx",
         {.keep_alive = false, .body = "x"}),
      ok("http10 without keep-alive", "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n",
         {.keep_alive = false}),
      ok("options over two lines with empty elements",
         r200("Connection: X-A, , x-b\r\nContent-Length: 0\r\nConnection: ,Upgrade,\r\n"),
         {.keep_alive = true, .options = opts{"X-A", "x-b", "Upgrade"}}),
      ok("empty connection", r200("Connection:\r\nContent-Length: 0\r\n"),
         {.keep_alive = true, .options = opts{}}),
      // A proxy removes what Connection names (RFC 9110 §7.6.1): a value it cannot read is
      // not forwarded.
      bad("option with a space", r200("Connection: x a\r\nContent-Length: 0\r\n"),
          e::bad_connection),
      bad("option with a parameter", r200("Connection: close;x\r\nContent-Length: 0\r\n"),
          e::bad_connection),
      bad("quoted option", r200("Connection: \"close\"\r\nContent-Length: 0\r\n"),
          e::bad_connection),
  };
}

// RFC 9110 §15.2: any number of 1xx may precede the final response, and are forwarded.
std::vector<response_case> interim_cases() {
  using e = response_error;
  const std::string ok200 = status_line("HTTP/1.1 200 OK");
  return {
      ok("100 then 200", "HTTP/1.1 100 Continue\r\n\r\n" + ok200,
         {.status = 200, .interim = {100}, .body = ""}),
      ok("103 with link then 100 then 200",
         "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
         "HTTP/1.1 100 Continue\r\n\r\n" +
             ok200,
         {.status = 200, .interim = {103, 100}}),
      ok("102 and an unknown 1xx", "HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 199 X\r\n\r\n" + ok200,
         {.interim = {102, 199}}),
      // Item 1 of RFC 9112 §6.3: a 1xx has no content, whatever its fields say.
      ok("1xx with a content-length", "HTTP/1.1 100 Continue\r\nContent-Length: 5\r\n\r\n" + ok200,
         {.status = 200, .interim = {100}}),
      ok("interim in http10", "HTTP/1.0 100 Continue\r\n\r\n" + ok200,
         {.status = 200, .minor = 1, .interim = {100}}),
      to(k_head, ok("interim then head response", "HTTP/1.1 103 Early\r\n\r\n" + ok200,
                    {.framing = response_framing::none, .interim = {103}})),
      bad("interim then a broken head", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 2000 OK\r\n\r\n",
          e::bad_status_code),
      bad("interim with obs fold", "HTTP/1.1 103 Early\r\nLink: a\r\n b\r\n\r\n" + ok200,
          e::obs_fold),
      bad("interim with a bad connection",
          "HTTP/1.1 100 Continue\r\nConnection: a b\r\n\r\n" + ok200, e::bad_connection),
      bad("interim then a leading empty line", "HTTP/1.1 100 Continue\r\n\r\n\r\n" + ok200,
          e::bad_status_line),
  };
}

// RFC 9112 §7.1: the chunked coding, through the request side's decoder.
std::vector<response_case> body_cases() {
  using e = response_error;
  const std::string te = "Transfer-Encoding: chunked\r\n";
  return {
      ok("two chunks", r200(te, "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"),
         {.body = "hello world", .trailers = fields_t{}}),
      ok("chunk holding crlf", r200(te, "4\r\n\r\n\r\n\r\n0\r\n\r\n"), {.body = "\r\n\r\n"}),
      ok("binary chunk", r200(te, "3\r\n\0\xff\n\r\n0\r\n\r\n"s), {.body = "\0\xff\n"s}),
      ok("extensions", r200(te, "5;a=b;c=\"d e\"\r\nhello\r\n0;x\r\n\r\n"), {.body = "hello"}),
      ok("trailers", r200(te, "2\r\nab\r\n0\r\nX-Sum: 12\r\nContent-Length:  99 \r\n\r\n"),
         {.body = "ab", .trailers = fields_t{{"X-Sum", "12"}, {"Content-Length", "99"}}}),
      ok("next response after the last chunk", r200(te, "1\r\nx\r\n0\r\n\r\nHTTP/1.1"),
         {.body = "x", .trailing = 8}),
      ok("leading zeros in size", r200(te, "0005\r\nhello\r\n000\r\n\r\n"), {.body = "hello"}),
      // RFC 9112 §7.1: the recipient MUST anticipate large sizes and refuse an overflow.
      bad("size past 64 bits", r200(te, "10000000000000000\r\n"), e::bad_chunk_size),
      bad("size not hex", r200(te, "5g\r\nhello\r\n0\r\n\r\n"), e::bad_chunk_size),
      bad("empty size", r200(te, "\r\nhello\r\n0\r\n\r\n"), e::bad_chunk_size),
      bad("size with trailing space", r200(te, "5 \r\nhello\r\n0\r\n\r\n"), e::bad_chunk_size),
      bad("largest size then close", r200(te, "ffffffffffffffff\r\nabc"), e::incomplete_body),
      bad("data longer than its size", r200(te, "2\r\nabc\r\n0\r\n\r\n"), e::bad_chunk_data),
      bad("data without crlf", r200(te, "2\r\nab0\r\n\r\n"), e::bad_chunk_data),
      bad("size line bare lf", r200(te, "2\nab\r\n0\r\n\r\n"), e::bad_line_ending),
      bad("unbalanced quote in extension", r200(te, "2;a=\"b\r\nab\r\n0\r\n\r\n"),
          e::bad_chunk_extension),
      bad("trailer obs fold", r200(te, "0\r\nX: a\r\n b\r\n\r\n"), e::obs_fold),
      bad("trailer without colon", r200(te, "0\r\nXY\r\n\r\n"), e::bad_trailer),
      bad("trailer space before colon", r200(te, "0\r\nX : 1\r\n\r\n"), e::bad_trailer),
      bad("final bare lf", r200(te, "0\r\n\n"), e::bad_line_ending),
  };
}

std::vector<response_case> limit_cases() {
  using e = response_error;
  const auto& s = small_limits();
  const std::string te = "Transfer-Encoding: chunked\r\n";
  return {
      // 24 bytes before the CRLF.
      with(s, ok("status line at limit", "HTTP/1.1 200 abcdefghijk\r\n\r\n",
                 {.reason = "abcdefghijk"})),
      with(s, bad("status line past limit", "HTTP/1.1 200 abcdefghijkl\r\n\r\n",
                  e::status_line_too_long)),
      with(s, bad("status line past limit without crlf", "HTTP/1.1 200 " + std::string(100, 'r'),
                  e::status_line_too_long)),
      // 16 bytes before the CRLF.
      with(s, ok("field line at limit", "HTTP/1.1 200 OK\r\nX: 0123456789abc\r\n\r\n",
                 {.fields = fields_t{{"X", "0123456789abc"}}})),
      with(s, bad("field line past limit", "HTTP/1.1 200 OK\r\nX: 0123456789abcd\r\n\r\n",
                  e::field_line_too_long)),
      with(s, bad("field name past limit", "HTTP/1.1 200 OK\r\n" + std::string(40, 'n'),
                  e::field_line_too_long)),
      with(s, ok("fields at count limit", "HTTP/1.1 200 OK\r\na:\r\nb:\r\nc:\r\n\r\n",
                 {.fields = fields_t{{"a", ""}, {"b", ""}, {"c", ""}}})),
      with(s, bad("fields past count limit", "HTTP/1.1 200 OK\r\na:\r\nb:\r\nc:\r\nd:\r\n\r\n",
                  e::too_many_fields)),
      // The section is the field lines with their CRLFs: 18 + 18 + 4 bytes, then 18 + 18 + 5.
      with(section_limits(),
           ok("header section at limit",
              "HTTP/1.1 200 OK\r\nA: 0123456789abc\r\nB: 0123456789abc\r\nC:\r\n\r\n",
              {.fields = fields_t{{"A", "0123456789abc"}, {"B", "0123456789abc"}, {"C", ""}}})),
      with(section_limits(),
           bad("header section past limit",
               "HTTP/1.1 200 OK\r\nA: 0123456789abc\r\nB: 0123456789abc\r\nC:x\r\n\r\n",
               e::header_section_too_large)),
      with(chunk_limits(),
           ok("chunk line at limit", r200(te, "1;abcdefghij\r\nx\r\n0\r\n\r\n"), {.body = "x"})),
      with(chunk_limits(), bad("chunk line past limit", r200(te, "1;abcdefghijk\r\nx\r\n"),
                               e::chunk_line_too_long)),
      // 11 extension bytes on each size line: 22 pass 20.
      with(chunk_limits(), bad("chunk extensions past limit",
                               r200(te, "1;abcdefghij\r\nx\r\n1;abcdefghij\r\ny\r\n0\r\n\r\n"),
                               e::chunk_extensions_too_long)),
      with(chunk_limits(), ok("trailers at count limit", r200(te, "0\r\na:\r\nb:\r\nc:\r\n\r\n"),
                              {.trailers = fields_t{{"a", ""}, {"b", ""}, {"c", ""}}})),
      with(chunk_limits(), bad("trailers past count limit",
                               r200(te, "0\r\na:\r\nb:\r\nc:\r\nd:\r\n\r\n"), e::too_many_fields)),
      with(chunk_limits(),
           bad("trailer line past limit", r200(te, "0\r\nX: " + std::string(30, 't') + "\r\n\r\n"),
               e::field_line_too_long)),
  };
}

// What one feeding of a case saw, copied out of the buffers it was read from.
struct observed {
  std::vector<int> interim;
  bool head_done = false;
  int status = 0;
  std::string reason;
  int minor = -1;
  response_framing framing = response_framing::none;
  bool has_content_length = false;
  std::uint64_t content_length = 0;
  bool keep_alive = false;
  bool conflict = false;
  bool transfer_coded = false;
  std::vector<std::string> options;
  fields_t fields;
  std::string body;
  bool body_done = false;
  fields_t trailers;
  std::size_t end = 0;  // offset in raw where the response ended
  std::optional<response_error> error;

  bool operator==(const observed&) const = default;
};

bool is_within(std::string_view part, std::string_view whole) {
  if (part.empty()) return true;
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

fields_t copy_fields(std::span<const header_field> fields) {
  fields_t out;
  for (const header_field& f : fields)
    out.emplace_back(f.name, f.value);
  return out;
}

void take_head(const response_head& h, std::string_view in, observed& o) {
  EXPECT_TRUE(is_within(h.reason, in));
  for (const header_field& f : h.fields)
    EXPECT_TRUE(is_within(f.name, in) && is_within(f.value, in)) << f.name;
  o.status = h.status;
  o.reason = h.reason;
  o.minor = h.version_minor;
  o.framing = h.framing;
  o.has_content_length = h.has_content_length;
  o.content_length = h.content_length;
  o.keep_alive = h.keep_alive;
  o.conflict = h.framing_conflict;
  o.transfer_coded = h.transfer_coded;
  o.options.assign(h.connection_options.begin(), h.connection_options.end());
  o.fields = copy_fields(h.fields);
}

// Plays a connection that receives raw up to each cut in turn (the last cut is raw.size()),
// passing the parser and the decoder what they have not consumed, placed at a guard page
// when small. Bytes are never given back once consumed.
class connection {
 public:
  explicit connection(const response_case& c)
      : c_(c),
        limits_(c.limits ? *c.limits : default_limits()),
        parser_(limits_),
        body_(limits_),
        guard_(c.raw.size()) {
    parser_.reset(c.request);
  }

  observed play(const std::vector<std::size_t>& cuts) {
    for (std::size_t received : cuts) {
      if (!advance(received)) break;
    }
    if (!finished_ && o_.head_done && c_.closes) {
      const auto r = body_.end_of_input();
      EXPECT_EQ(r.consumed, 0u);
      finish_body(r);
    }
    return o_;
  }

 private:
  std::string_view piece(std::size_t from, std::size_t to) {
    const std::string_view bytes = std::string_view(c_.raw).substr(from, to - from);
    return c_.raw.size() <= 4096 ? guard_.place(bytes) : bytes;
  }

  void finish_body(const response_body_decoder::result& r) {
    finished_ = true;
    if (r.outcome == body_kind::error) {
      o_.error = r.error;
      return;
    }
    o_.body_done = true;
    o_.end = at_;
    o_.trailers = copy_fields(body_.trailers());
  }

  // Returns false once the response ended or failed.
  bool advance(std::size_t received) {
    while (!o_.head_done) {
      const std::string_view in = piece(at_, received);
      const response_parse_result r = parser_.parse(in);
      if (r.outcome == head_kind::need_more) return true;
      if (r.outcome == head_kind::error) {
        o_.error = r.error;
        finished_ = true;
        return false;
      }
      EXPECT_LE(r.consumed, in.size());
      if (r.outcome == head_kind::interim) {
        EXPECT_TRUE(parser_.head().is_interim());
        o_.interim.push_back(parser_.head().status);
      } else {
        o_.head_done = true;
        take_head(parser_.head(), in, o_);
        body_.reset(parser_.head());
      }
      at_ += r.consumed;
    }
    while (true) {
      const std::string_view in = piece(at_, received);
      const response_body_decoder::result r = body_.decode(in);
      EXPECT_LE(r.consumed, in.size());
      EXPECT_TRUE(is_within(r.data, in.substr(0, r.consumed)));
      o_.body.append(r.data);
      at_ += r.consumed;
      switch (r.outcome) {
        case body_kind::need_more:
          EXPECT_EQ(r.consumed, in.size());
          return true;
        case body_kind::data:
          EXPECT_FALSE(r.data.empty());
          continue;
        case body_kind::done:
        case body_kind::error:
          finish_body(r);
          return false;
      }
    }
  }

  const response_case& c_;
  response_limits limits_;
  response_parser parser_;
  response_body_decoder body_;
  test::guarded_buffer guard_;
  observed o_;
  std::size_t at_ = 0;  // bytes of raw consumed
  bool finished_ = false;
};

template <class T, class U>
void expect_if(const std::optional<T>& want, const U& got, std::string_view what) {
  if (want) {
    EXPECT_EQ(got, *want) << what;
  }
}

void check(const response_case& c, const observed& o) {
  if (c.error) {
    ASSERT_TRUE(o.error.has_value()) << "accepted, expected " << describe(*c.error);
    EXPECT_EQ(*o.error, *c.error) << describe(*o.error) << " instead of " << describe(*c.error);
    return;
  }
  ASSERT_FALSE(o.error.has_value()) << describe(*o.error);
  const want& w = c.expect;
  if (w.head_incomplete) {
    EXPECT_FALSE(o.head_done);
    return;
  }
  ASSERT_TRUE(o.head_done);
  EXPECT_EQ(o.interim, w.interim);
  expect_if(w.status, o.status, "status");
  expect_if(w.reason, o.reason, "reason");
  expect_if(w.minor, o.minor, "minor");
  expect_if(w.framing, o.framing, "framing");
  if (w.content_length) {
    EXPECT_TRUE(o.has_content_length);
    EXPECT_EQ(o.content_length, *w.content_length);
  }
  expect_if(w.keep_alive, o.keep_alive, "keep_alive");
  expect_if(w.conflict, o.conflict, "conflict");
  expect_if(w.transfer_coded, o.transfer_coded, "transfer_coded");
  expect_if(w.options, o.options, "options");
  expect_if(w.fields, o.fields, "fields");
  expect_if(w.trailers, o.trailers, "trailers");
  if (!c.closes && o.framing == response_framing::until_close) {
    EXPECT_FALSE(o.body_done);
    return;
  }
  ASSERT_TRUE(o.body_done);
  expect_if(w.body, o.body, "body");
  EXPECT_EQ(o.end, c.raw.size() - w.trailing);
}

class response_table : public ::testing::TestWithParam<response_case> {};

TEST_P(response_table, whole_input_at_guard_page) {
  const response_case& c = GetParam();
  check(c, connection(c).play({c.raw.size()}));
}

TEST_P(response_table, one_byte_at_a_time_each_at_guard_page) {
  const response_case& c = GetParam();
  std::vector<std::size_t> cuts;
  for (std::size_t k = 1; k <= c.raw.size(); ++k)
    cuts.push_back(k);
  const observed bytewise = connection(c).play(cuts);
  check(c, bytewise);
  EXPECT_TRUE(bytewise == connection(c).play({c.raw.size()}));
}

TEST_P(response_table, split_in_two_at_every_boundary) {
  const response_case& c = GetParam();
  const observed whole = connection(c).play({c.raw.size()});
  for (std::size_t k = 1; k < c.raw.size(); ++k) {
    const observed split = connection(c).play({k, c.raw.size()});
    EXPECT_TRUE(split == whole) << "split at " << k;
    if (::testing::Test::HasFailure()) return;
  }
}

INSTANTIATE_TEST_SUITE_P(cases, response_table, ::testing::ValuesIn(all_cases()),
                         [](const auto& param_info) {
                           return test::test_name(param_info.param.name);
                         });

TEST(response_parser, case_table_has_at_least_150_cases) {
  EXPECT_GE(all_cases().size(), 150u);
}

TEST(response_parser, case_names_are_unique) {
  std::set<std::string> names;
  for (const response_case& c : all_cases())
    EXPECT_TRUE(names.insert(test::test_name(c.name)).second) << c.name;
}

TEST(response_parser, an_error_is_sticky_until_reset) {
  response_parser p;
  EXPECT_EQ(p.parse("HTTP/1.1 20 OK\r\n").error, response_error::bad_status_code);
  EXPECT_EQ(p.parse(status_line("HTTP/1.1 200 OK")).outcome, head_kind::error);
  p.reset();
  EXPECT_EQ(p.parse(status_line("HTTP/1.1 200 OK")).outcome, head_kind::done);
}

TEST(response_parser, done_is_repeated_until_reset) {
  response_parser p;
  const std::string raw = status_line("HTTP/1.1 200 OK");
  const response_parse_result first = p.parse(raw);
  ASSERT_EQ(first.outcome, head_kind::done);
  const response_parse_result again = p.parse(raw + "more");
  EXPECT_EQ(again.outcome, head_kind::done);
  EXPECT_EQ(again.consumed, first.consumed);
}

// The request context is kept across interim heads and replaced by reset().
TEST(response_parser, reset_reads_the_response_to_the_next_request) {
  response_parser p;
  p.reset(k_head);
  ASSERT_EQ(p.parse("HTTP/1.1 100 Continue\r\n\r\n").outcome, head_kind::interim);
  ASSERT_EQ(p.parse(r200("Content-Length: 5\r\n")).outcome, head_kind::done);
  EXPECT_EQ(p.head().framing, response_framing::none);
  p.reset();
  ASSERT_EQ(p.parse(r200("Content-Length: 5\r\n")).outcome, head_kind::done);
  EXPECT_EQ(p.head().framing, response_framing::content_length);
}

TEST(response_parser, field_storage_does_not_grow) {
  response_parser p;
  std::string f;
  for (int i = 0; i < 100; ++i)
    f += "a:\r\n";
  ASSERT_EQ(p.parse(r200(f)).outcome, head_kind::done);
  const header_field* before = p.head().fields.data();
  p.reset();
  ASSERT_EQ(p.parse(r200(f)).outcome, head_kind::done);
  EXPECT_EQ(p.head().fields.data(), before);
  EXPECT_EQ(p.head().fields.size(), 100u);
}

TEST(response_parser, limits_default_to_the_request_sides) {
  const response_limits r;
  const teapot::limits l;
  EXPECT_EQ(r.status_line, l.request_line);
  EXPECT_EQ(r.field_line, l.field_line);
  EXPECT_EQ(r.header_section, l.header_section);
  EXPECT_EQ(r.fields, l.fields);
  EXPECT_EQ(r.chunk_line, l.chunk_line);
  EXPECT_EQ(r.chunk_extensions, l.chunk_extensions);
}

TEST(response_body_decoder, end_of_input_after_done_stays_done) {
  response_parser p;
  ASSERT_EQ(p.parse(r200("Content-Length: 1\r\n")).outcome, head_kind::done);
  response_body_decoder d;
  d.reset(p.head());
  const auto r = d.decode("xy");
  EXPECT_EQ(r.outcome, body_kind::done);
  EXPECT_EQ(r.data, "x");
  EXPECT_EQ(r.consumed, 1u);
  EXPECT_EQ(d.end_of_input().outcome, body_kind::done);
  EXPECT_EQ(d.decode("z").consumed, 0u);
}

TEST(response_body_decoder, an_error_is_sticky_until_reset) {
  response_parser p;
  ASSERT_EQ(p.parse(r200("Transfer-Encoding: chunked\r\n")).outcome, head_kind::done);
  response_body_decoder d;
  d.reset(p.head());
  EXPECT_EQ(d.decode("x\r\n").error, response_error::bad_chunk_size);
  EXPECT_EQ(d.decode("0\r\n\r\n").outcome, body_kind::error);
  EXPECT_EQ(d.end_of_input().error, response_error::bad_chunk_size);
  d.reset(p.head());
  EXPECT_EQ(d.decode("0\r\n\r\n").outcome, body_kind::done);
}

// A chunk's data comes out as views into the input, one run per chunk, without a copy.
TEST(response_body_decoder, hands_out_chunk_data_as_views_into_the_input) {
  response_parser p;
  ASSERT_EQ(p.parse(r200("Transfer-Encoding: chunked\r\n")).outcome, head_kind::done);
  response_body_decoder d;
  d.reset(p.head());
  const std::string body = "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
  std::string_view in = body;
  auto r = d.decode(in);
  ASSERT_EQ(r.outcome, body_kind::data);
  EXPECT_EQ(r.data, "abc");
  EXPECT_EQ(r.data.data(), body.data() + 3);
  in.remove_prefix(r.consumed);
  r = d.decode(in);
  ASSERT_EQ(r.outcome, body_kind::data);
  EXPECT_EQ(r.data, "de");
  EXPECT_EQ(r.data.data(), body.data() + 11);
  in.remove_prefix(r.consumed);
  r = d.decode(in);
  EXPECT_EQ(r.outcome, body_kind::done);
  EXPECT_EQ(r.consumed, in.size());
}

TEST(response_error, each_reason_is_a_bad_gateway_with_a_name_and_a_phrase) {
  std::set<std::string_view> names;
  std::set<std::string_view> phrases;
  const auto last = static_cast<int>(response_error::chunk_extensions_too_long);
  for (int i = 0; i <= last; ++i) {
    const auto e = static_cast<response_error>(i);
    EXPECT_EQ(to_status(e), http::status::bad_gateway);
    EXPECT_TRUE(names.insert(name_of(e)).second) << name_of(e);
    EXPECT_TRUE(phrases.insert(describe(e)).second) << describe(e);
    EXPECT_NE(name_of(e), "unknown");
  }
  EXPECT_EQ(name_of(response_error::obs_fold), "obs_fold");
  EXPECT_EQ(name_of(static_cast<response_error>(last + 1)), "unknown");
}

}  // namespace
}  // namespace teapot::h1
