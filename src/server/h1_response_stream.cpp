#include "server/h1_response_stream.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <utility>
#include <vector>

#include "base/ascii.h"
#include "http/trailer_fields.h"
#include "server/response_access.h"

namespace teapot::srv {

namespace {

// One pull's most: a chunk's size line then fits the room kept for it.
constexpr std::size_t piece_max = 64 * 1024;
// "ffffff\r\n": the room kept in front of a chunk for its size line.
constexpr std::size_t size_line_room = 8;

}  // namespace

void h1_response_stream::begin(std::shared_ptr<body_source> source, framing f, std::uint64_t length,
                               std::function<void()> waker) {
  source_ = std::move(source);
  framing_ = f;
  left_ = length;
  sent_ = 0;
  waiting_ = false;
  response_access::set_waker(*source_, std::move(waker));
}

void h1_response_stream::drop() noexcept {
  if (!source_) return;
  response_access::set_waker(*source_, {});
  source_.reset();
}

void h1_response_stream::cancel() noexcept {
  if (!source_) return;
  std::shared_ptr<body_source> s = source_;
  drop();
  s->cancelled();
}

h1_response_stream::step h1_response_stream::pump(std::string& out, std::size_t budget) {
  std::size_t added = 0;
  while (source_ && !waiting_) {
    if (added >= budget) return step::room;
    const bool chunked = framing_ == framing::chunked;
    std::size_t want = std::min(piece_max, budget - added);
    if (framing_ == framing::length)
      want = static_cast<std::size_t>(std::min<std::uint64_t>(want, left_));
    const std::size_t at = out.size();
    const std::size_t data_at = at + (chunked ? size_line_room : 0);
    out.resize(data_at + want);
    body_source::pulled p;
    try {
      p = source_->pull(std::span<char>(out.data() + data_at, want));
    } catch (...) {
      p = {0, body_source::next::fail};
    }
    const std::size_t n = std::min(p.size, want);
    if (chunked && n > 0) {
      char line[size_line_room];
      char* end = std::to_chars(line, line + 6, n, 16).ptr;
      *end++ = '\r';
      *end++ = '\n';
      const std::size_t line_len = static_cast<std::size_t>(end - line);
      std::memmove(out.data() + at + line_len, out.data() + data_at, n);
      std::memcpy(out.data() + at, line, line_len);
      out.resize(at + line_len + n);
      out.append("\r\n");
    } else {
      out.resize(data_at + n - (chunked ? size_line_room : 0));
    }
    sent_ += n;
    added += n;
    if (framing_ == framing::length) left_ -= n;
    switch (p.then) {
      case body_source::next::more:
        // A source that still has content when the length is all out has broken its word.
        if (framing_ == framing::length && left_ == 0 && want == 0) {
          cancel();
          return step::failed;
        }
        continue;
      case body_source::next::wait:
        waiting_ = true;
        return step::wait;
      case body_source::next::end:
        if (framing_ == framing::length && left_ > 0) {
          drop();
          return step::failed;
        }
        append_end(out);
        drop();
        return step::ended;
      case body_source::next::fail:
        drop();
        return step::failed;
    }
  }
  return waiting_ ? step::wait : step::failed;
}

void h1_response_stream::append_end(std::string& out) {
  if (framing_ != framing::chunked) return;
  out.append("0\r\n");
  std::vector<std::pair<std::string, std::string>> fields;
  try {
    source_->trailers(fields);
  } catch (...) {
    fields.clear();  // the content is whole: it goes without them
  }
  for (const auto& [name, value] : fields) {
    if (!http::may_trail(name, value)) continue;
    out.append(name);
    out.append(": ");
    out.append(value);
    out.append("\r\n");
  }
  out.append("\r\n");
}

}  // namespace teapot::srv
