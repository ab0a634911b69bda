// The HTTP/2 server session (nghttp2 and the session's own checks, limits and protections) on
// arbitrary frames after a valid connection preface. The owner answers every request with 200
// (bytes, or a pulled source for every other one), consumes all content, and checks that the
// events keep their contract: each stream announced once, its events only between its
// announcement and its close, closed once, no content after its end; and that a connection
// error stays an error. The input is fed whole, or in pieces of a size the input's length
// chooses, so that frames split anywhere are tried too.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "h2/preface.h"
#include "h2/session.h"

namespace {

using teapot::fuzz::check;
namespace h2 = teapot::h2;

struct owner : h2::session_events {
  enum class phase : std::uint8_t { open, ended, closed };
  std::map<h2::stream_id, phase> streams;
  std::uint64_t requests = 0;
  h2::session* server = nullptr;

  void announced(h2::stream_id id) {
    check(streams.find(id) == streams.end());
    streams[id] = phase::open;
  }
  phase& known(h2::stream_id id) {
    const auto it = streams.find(id);
    check(it != streams.end() && it->second != phase::closed);
    return it->second;
  }
  void answer(h2::stream_id id) {
    static const std::string body(3'000, 'b');
    if (id % 4 == 1) {
      server->submit_response(id, teapot::http::status::ok, {}, body);
      return;
    }
    auto left = std::make_shared<std::size_t>(body.size());
    server->submit_response(
        id, teapot::http::status::ok, {}, h2::pull_source([left](std::span<char> buf) {
          const std::size_t n = std::min(buf.size(), *left);
          std::memset(buf.data(), 'p', n);
          *left -= n;
          return h2::pull_result{n, *left == 0 ? h2::pull_state::ended : h2::pull_state::more};
        }));
  }

  void on_request(h2::stream_id id, const h2::request_head& head) override {
    announced(id);
    ++requests;
    check(!head.method.empty());
    if (head.ends_stream) streams[id] = phase::ended;
    answer(id);
  }
  void on_request_rejected(h2::stream_id id, h2::request_error why,
                           const h2::request_head&) override {
    announced(id);
    server->submit_response(id, h2::to_status(why), {}, h2::no_body{});
  }
  void on_data(h2::stream_id id, std::string_view bytes) override {
    check(known(id) == phase::open);
    server->consume(id, bytes.size());
  }
  void on_trailers(h2::stream_id id, std::span<const teapot::header_field>) override {
    check(known(id) == phase::open);
  }
  void on_end_stream(h2::stream_id id) override {
    phase& p = known(id);
    check(p == phase::open);
    p = phase::ended;
  }
  void on_stream_reset(h2::stream_id id, h2::error_code) override { known(id); }
  void on_stream_closed(h2::stream_id id, h2::error_code) override { known(id) = phase::closed; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = teapot::fuzz::as_text(data, size);
  h2::session_config config;
  config.clock = [] { return std::chrono::steady_clock::time_point{}; };
  owner o;
  h2::session s(o, config);
  o.server = &s;
  std::string out;
  s.take_output(out);

  std::optional<h2::error_code> error;
  auto feed = [&](std::string_view bytes) {
    const h2::feed_result r = s.feed(bytes);
    if (error) check(r.connection_error == error);  // an ended connection stays ended
    if (!r.ok()) error = r.connection_error;
    out.clear();
    s.take_output(out, 64 * 1024);
  };
  feed(h2::client_preface);
  const std::size_t piece = size % 4 == 0 ? size : size % 61 + 1;
  for (std::size_t at = 0; at < size; at += piece)
    feed(input.substr(at, piece));
  for (int i = 0; i < 100 && s.wants_write(); ++i) {
    out.clear();
    s.take_output(out, 64 * 1024);
  }
  check(s.counters().requests == o.requests);
  if (error) check(!s.wants_read());
  return 0;
}
