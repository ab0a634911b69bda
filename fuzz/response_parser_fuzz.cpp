// Feeds arbitrary bytes to the response parser and then the body decoder, as a proxy reading an
// upstream server would: whole, one byte per call, and cut in two where the input says. The
// three must agree on every head (interim and final), the body, the trailers, where the
// response ends and the error; ASan and UBSan watch for over-reads. Byte 0 is the request the
// response answers (bit 0: HEAD, bit 1: CONNECT, bit 2: asked to upgrade; bit 3: the
// connection closes after the input), the rest is what the server sent.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/ascii.h"
#include "fuzz_support.h"
#include "h1/response_body.h"
#include "h1/response_parser.h"

namespace {

using teapot::fuzz::check;
using teapot::h1::response_body_decoder;
using teapot::h1::response_error;
using teapot::h1::response_framing;
using teapot::h1::response_head;
using teapot::h1::response_limits;
using teapot::h1::response_parse_result;
using teapot::h1::response_parser;
namespace ascii = teapot::base::ascii;
using head_kind = response_parse_result::kind;
using body_kind = response_body_decoder::result::kind;
using fields_t = std::vector<std::pair<std::string, std::string>>;

const response_limits& limits() {
  static const response_limits l = [] {
    response_limits r;
    r.status_line = 64;  // small limits reach the limit paths often
    r.field_line = 128;
    r.header_section = 1024;
    r.fields = 8;
    r.chunk_line = 64;
    r.chunk_extensions = 256;
    return r;
  }();
  return l;
}

struct seen {
  std::vector<int> statuses;  // interim ones, then the final one
  response_framing framing = response_framing::none;
  bool keep_alive = false;
  fields_t fields;
  std::string body;
  fields_t trailers;
  bool done = false;
  std::size_t end = 0;
  bool failed = false;
  response_error error{};

  bool operator==(const seen&) const = default;
};

bool is_within(std::string_view part, std::string_view whole) {
  if (part.empty()) return true;
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

// What a head may never hold, whatever the bytes were.
void check_head(const response_head& h, std::string_view in) {
  check(h.status >= 100 && h.status <= 599);
  check(is_within(h.reason, in));
  check(h.version_minor == 0 || h.version_minor == 1);
  check(h.fields.size() <= limits().fields);
  for (const auto& f : h.fields) {
    check(is_within(f.name, in) && is_within(f.value, in));
    check(ascii::is_token(f.name));
    check(ascii::is_field_value(f.value));
    check(f.value.empty() || (!ascii::is_ows(f.value.front()) && !ascii::is_ows(f.value.back())));
  }
  for (std::string_view option : h.connection_options)
    check(ascii::is_token(option));
  if (h.is_interim()) check(h.framing == response_framing::none);
  const bool reusable = h.framing != response_framing::until_close &&
                        h.framing != response_framing::tunnel && !h.framing_conflict;
  if (h.keep_alive) check(reusable);
  if (h.framing == response_framing::content_length) check(h.has_content_length);
  if (h.framing_conflict) check(!h.has_content_length);
}

fields_t copy(std::span<const teapot::header_field> fields) {
  fields_t out;
  for (const auto& f : fields)
    out.emplace_back(f.name, f.value);
  return out;
}

class reader {
 public:
  reader(std::string_view raw, teapot::h1::request_context request) : raw_(raw), body_(limits()) {
    parser_.reset(request);
  }

  // Returns false once the response ended or failed.
  bool receive(std::size_t received) {
    while (!head_done_) {
      const std::string_view in = raw_.substr(at_, received - at_);
      const response_parse_result r = parser_.parse(in);
      if (r.outcome == head_kind::need_more) return true;
      if (r.outcome == head_kind::error) return fail(r.error);
      check(r.consumed > 0 && r.consumed <= in.size());
      const response_head& h = parser_.head();
      check_head(h, in);
      check(h.is_interim() == (r.outcome == head_kind::interim));
      out_.statuses.push_back(h.status);
      if (r.outcome == head_kind::done) {
        head_done_ = true;
        out_.framing = h.framing;
        out_.keep_alive = h.keep_alive;
        out_.fields = copy(h.fields);
        length_ = h.has_content_length ? h.content_length : 0;
        body_.reset(h);
      }
      at_ += r.consumed;
    }
    while (true) {
      const std::string_view in = raw_.substr(at_, received - at_);
      const response_body_decoder::result r = body_.decode(in);
      check(r.consumed <= in.size() && is_within(r.data, in.substr(0, r.consumed)));
      out_.body.append(r.data);
      at_ += r.consumed;
      if (r.outcome == body_kind::need_more) {
        check(r.consumed == in.size());
        return true;
      }
      if (r.outcome == body_kind::data) {
        check(!r.data.empty());
        continue;
      }
      return end(r);
    }
  }

  seen close(bool closes) {
    if (closes && head_done_ && !out_.done && !out_.failed) end(body_.end_of_input());
    return out_;
  }

 private:
  bool fail(response_error e) {
    out_.failed = true;
    out_.error = e;
    return false;
  }

  bool end(const response_body_decoder::result& r) {
    if (r.outcome == body_kind::error) return fail(r.error);
    out_.done = true;
    out_.end = at_;
    out_.trailers = copy(body_.trailers());
    if (out_.framing == response_framing::content_length) check(out_.body.size() == length_);
    if (out_.framing == response_framing::none || out_.framing == response_framing::tunnel) {
      check(out_.body.empty());
    }
    if (out_.framing == response_framing::until_close) check(at_ == raw_.size());
    return false;
  }

  std::string_view raw_;
  response_parser parser_{limits()};
  response_body_decoder body_;
  seen out_;
  std::size_t at_ = 0;
  std::uint64_t length_ = 0;
  bool head_done_ = false;
};

seen read_in_pieces(std::string_view raw, teapot::h1::request_context request, bool closes,
                    const std::vector<std::size_t>& cuts) {
  reader r(raw, request);
  for (std::size_t cut : cuts) {
    if (!r.receive(cut)) break;
  }
  return r.close(closes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const teapot::h1::request_context request{
      .head = (data[0] & 1) != 0, .connect = (data[0] & 2) != 0, .upgrade = (data[0] & 4) != 0};
  const bool closes = (data[0] & 8) != 0;
  const std::string_view raw = teapot::fuzz::as_text(data + 1, size - 1);

  const seen whole = read_in_pieces(raw, request, closes, {raw.size()});
  std::vector<std::size_t> bytes;
  for (std::size_t k = 1; k <= raw.size(); ++k)
    bytes.push_back(k);
  check(read_in_pieces(raw, request, closes, bytes) == whole);
  const std::size_t cut = raw.empty() ? 0 : (size > 1 ? data[1] : 0) % raw.size();
  check(read_in_pieces(raw, request, closes, {cut, raw.size()}) == whole);
  check(whole.body.size() <= raw.size());
  return 0;
}
