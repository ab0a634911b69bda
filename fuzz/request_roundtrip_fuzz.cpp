// A differential target for the request parser: a head that parses, written back in the
// plainest form (one SP between the parts of the request line, "name: value" field lines, no
// leading empty line), must parse to the same head. A difference means the parser read
// something that its own result does not carry — the root of request smuggling between two
// parsers.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "h1/request_parser.h"
#include "h1_configs.h"

namespace {

using teapot::fuzz::check;
using teapot::h1::parse_result;
using teapot::h1::request_head;
using teapot::h1::request_parser;

using teapot::fuzz::roomy_config;
using teapot::fuzz::small_config;

std::string write_head(const request_head& h) {
  std::string out;
  out.append(h.method).append(" ").append(h.target).append(" HTTP/1.");
  out += static_cast<char>('0' + h.version_minor);
  out += "\r\n";
  for (const auto& f : h.fields)
    out.append(f.name).append(": ").append(f.value).append("\r\n");
  return out + "\r\n";
}

bool same_head(const request_head& a, const request_head& b) {
  if (a.method != b.method || a.target != b.target || a.version_minor != b.version_minor ||
      a.host != b.host || a.framing != b.framing || a.content_length != b.content_length ||
      a.keep_alive != b.keep_alive || a.expect_continue != b.expect_continue ||
      a.upgrade != b.upgrade || a.fields.size() != b.fields.size())
    return false;
  for (std::size_t i = 0; i < a.fields.size(); ++i)
    if (a.fields[i].name != b.fields[i].name || a.fields[i].value != b.fields[i].value)
      return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in = teapot::fuzz::as_text(data, size);
  request_parser first(small_config());
  if (first.parse(in).outcome != parse_result::kind::done) return 0;
  const request_head& head = first.head();
  check(head.version_minor == 0 || head.version_minor == 1);
  const std::string written = write_head(head);

  request_parser second(roomy_config());
  const parse_result r = second.parse(written);
  check(r.outcome == parse_result::kind::done && r.consumed == written.size());
  check(same_head(head, second.head()));
  // And writing the second head gives the same bytes: the plain form is a fixed point.
  check(write_head(second.head()) == written);
  return 0;
}
