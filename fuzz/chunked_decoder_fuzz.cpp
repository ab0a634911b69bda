// Feeds arbitrary bytes to the chunked decoder (RFC 9112 §7.1) whole, one byte per call, and
// cut in two where the input's first byte says; the three must agree on the outcome, the
// error, the bytes used, the body and the trailers. A body that decodes is then chunked again
// (one chunk per input chunk is not kept, so one chunk and the same trailers) and must decode
// to the same body and trailers: the decoder keeps no state that the encoding does not carry.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/ascii.h"
#include "fuzz_support.h"
#include "h1/request_parser.h"
#include "h1_configs.h"

namespace {

using teapot::fuzz::check;
using teapot::h1::chunked_decoder;
using teapot::h1::parser_config;
using kind = teapot::h1::parse_result::kind;

using teapot::fuzz::roomy_config;
using teapot::fuzz::small_config;

struct decoded {
  chunked_decoder::result last;
  std::size_t used = 0;  // over every call
  std::string body;
  std::vector<std::pair<std::string, std::string>> trailers;
};

void keep_trailers(const chunked_decoder& d, decoded& out) {
  for (const auto& f : d.trailers())
    out.trailers.emplace_back(f.name, f.value);
}

// Calls decode with the pieces of in that cuts gives, each call given what is left.
decoded decode_in_pieces(std::string_view in, const std::vector<std::size_t>& cuts,
                         const parser_config& c) {
  chunked_decoder d(c);
  decoded out;
  std::size_t from = 0;
  for (std::size_t cut : cuts) {
    if (cut < from) continue;
    out.last = d.decode(in.substr(from, cut - from), out.body);
    check(out.last.consumed <= cut - from);
    out.used += out.last.consumed;
    if (out.last.outcome != kind::need_more) break;
    check(out.last.consumed == cut - from);  // need_more: every byte given was used
    from = cut;
  }
  if (out.last.outcome == kind::done) keep_trailers(d, out);
  return out;
}

bool same(const decoded& a, const decoded& b) {
  return a.last.outcome == b.last.outcome && a.used == b.used && a.body == b.body &&
         a.trailers == b.trailers &&
         (a.last.outcome != kind::error || a.last.error == b.last.error);
}

std::string chunk_again(const decoded& d) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  if (!d.body.empty()) {
    std::string size;
    for (std::size_t n = d.body.size(); n != 0; n >>= 4)
      size.insert(size.begin(), hex[n & 15]);
    out += size + ";ext=\"again\"\r\n" + d.body + "\r\n";
  }
  out += "0\r\n";
  for (const auto& [name, value] : d.trailers)
    out += name + ": " + value + "\r\n";
  return out + "\r\n";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in = teapot::fuzz::as_text(data, size);
  const decoded whole = decode_in_pieces(in, {size}, small_config());

  std::vector<std::size_t> bytes;
  for (std::size_t k = 1; k <= size; ++k)
    bytes.push_back(k);
  if (size > 0) check(same(whole, decode_in_pieces(in, bytes, small_config())));

  const std::size_t cut = size > 0 ? data[0] % size : 0;
  check(same(whole, decode_in_pieces(in, {cut, size}, small_config())));

  check(whole.used <= size);
  check(whole.body.size() <= small_config().limits.body);
  if (whole.last.outcome != kind::done) return 0;
  check(whole.trailers.size() <= small_config().limits.fields);
  for (const auto& [name, value] : whole.trailers) {
    check(!name.empty());
    for (char c : name)
      check(teapot::base::ascii::is_tchar(c));
    check(value.empty() || (!teapot::base::ascii::is_ows(value.front()) &&
                            !teapot::base::ascii::is_ows(value.back())));
  }
  const std::string again = chunk_again(whole);
  const decoded round = decode_in_pieces(again, {again.size()}, roomy_config());
  check(round.last.outcome == kind::done && round.used == again.size());
  check(round.body == whole.body && round.trailers == whole.trailers);
  return 0;
}
