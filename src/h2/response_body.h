// The content of a response on an HTTP/2 stream: none, bytes the session holds, or a source it
// pulls from as the flow-control windows open (RFC 9113 §5.2), so that a large or slow body is
// never held whole.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <variant>

namespace teapot::h2 {

// HEADERS with END_STREAM: no DATA frame at all (a HEAD answer, 204, 304).
struct no_body {};

enum class pull_state : std::uint8_t {
  more,   // length bytes given; ask again
  ended,  // length bytes given (possibly 0), and they are the last
  wait,   // nothing to give now: ask again only after session::resume(stream)
};

struct pull_result {
  std::size_t length = 0;  // bytes written at the start of the buffer
  pull_state state = pull_state::more;
};

// Fills at most buffer.size() bytes. Called from take_output() only, as windows allow. more
// with no bytes is taken as wait (an empty DATA frame says nothing); wait with bytes is taken
// as more (the bytes go, and the source is asked again: it pauses by giving none).
using pull_source = std::function<pull_result(std::span<char> buffer)>;

using response_body = std::variant<no_body, std::string, pull_source>;

}  // namespace teapot::h2
