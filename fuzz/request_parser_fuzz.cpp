// Feeds arbitrary bytes to the request parser and, when the head asks for it, the chunked
// decoder: whole, one byte per call, and split where the input says. ASan and UBSan watch for
// over-reads; the asserts check that the three ways of feeding agree. A refused head is read
// as the access log reads it (rejected_head.h), whose views must stay within the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "h1/rejected_head.h"
#include "h1/request_parser.h"

namespace {

using teapot::h1::body_framing;
using teapot::h1::chunked_decoder;
using teapot::h1::parse_result;
using teapot::h1::parser_config;
using teapot::h1::request_parser;

const parser_config& config() {
  static const parser_config c = [] {
    parser_config p;
    p.limits.request_line = 256;  // small limits reach the limit paths often
    p.limits.field_line = 128;
    p.limits.header_section = 1024;
    p.limits.fields = 8;
    p.limits.body = 4096;
    p.limits.chunk_line = 64;
    return p;
  }();
  return c;
}

void check(bool ok) {
  if (!ok) std::abort();
}

bool same(const parse_result& a, const parse_result& b) {
  return a.outcome == b.outcome && a.consumed == b.consumed &&
         (a.outcome != parse_result::kind::error || a.error == b.error);
}

// The body after a head, decoded whole and one byte per call; both must agree.
void decode_body(std::string_view body) {
  chunked_decoder whole(config());
  std::string out_whole;
  const auto r = whole.decode(body, out_whole);
  chunked_decoder bytewise(config());
  std::string out_bytewise;
  chunked_decoder::result s;
  std::size_t used = 0;
  for (std::size_t i = 0; i < body.size(); ++i) {
    s = bytewise.decode(body.substr(i, 1), out_bytewise);
    used += s.consumed;
    if (s.outcome != parse_result::kind::need_more) break;
  }
  check(s.outcome == r.outcome || body.empty());
  if (r.outcome == parse_result::kind::done) check(used == r.consumed && out_whole == out_bytewise);
}

bool is_within(std::string_view part, std::string_view whole) {
  if (part.empty()) return true;
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

void read_as_the_log_does(std::string_view in) {
  const teapot::h1::rejected_head h = teapot::h1::read_rejected_head(
      in, config().limits.request_line, config().limits.header_section);
  check(h.request_line.size() <= config().limits.request_line);
  for (std::string_view part :
       {h.request_line, h.method, h.target, h.protocol, h.host, h.referer, h.user_agent}) {
    check(is_within(part, in));
  }
  check(h.target.empty() || !h.method.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  request_parser whole(config());
  const parse_result r = whole.parse(in);

  request_parser bytewise(config());
  parse_result b;
  for (std::size_t k = 1; k <= size; ++k) {
    b = bytewise.parse(in.substr(0, k));
    if (b.outcome != parse_result::kind::need_more) break;
  }
  if (size > 0) check(same(r, b));

  request_parser split(config());
  const std::size_t cut = size > 0 ? data[0] % size : 0;
  const parse_result first = split.parse(in.substr(0, cut));
  const parse_result second =
      first.outcome == parse_result::kind::need_more ? split.parse(in) : first;
  check(same(r, second));

  if (r.outcome == parse_result::kind::done) {
    check(r.consumed <= size);
    if (whole.head().framing == body_framing::chunked) decode_body(in.substr(r.consumed));
  } else {
    decode_body(in);  // also exercise the decoder on raw input
    read_as_the_log_does(in);
  }
  return 0;
}
