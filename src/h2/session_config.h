// What one HTTP/2 server session announces and enforces. Made without arguments it holds the
// defaults; head_limits made from teapot::limits takes the limits HTTP/1.1 enforces, so that a
// request gets the same status on either protocol.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

#include "teapot/limits.h"

namespace teapot::h2 {

// Sent in the server's first SETTINGS frame (RFC 9113 §6.5.2). SETTINGS_ENABLE_PUSH is not sent:
// a server never pushes here, and §6.5.2 forbids a server to send it with 1.
struct session_settings {
  std::uint32_t max_concurrent_streams = 100;
  // The receive window of each stream (SETTINGS_INITIAL_WINDOW_SIZE): how much of a request's
  // content a client may send before the handler has taken any (§6.9.2; 65,535 is its default).
  std::uint32_t initial_window_size = 65'535;
  // The connection's receive window (§6.9.1), opened by a WINDOW_UPDATE on stream 0 right after
  // the SETTINGS frame: the bytes of all streams' content that may wait for their handlers.
  std::uint32_t connection_window_size = 1024 * 1024;
  std::uint32_t max_frame_size = 16'384;    // §4.2: the smallest allowed, and the default
  std::uint32_t header_table_size = 4'096;  // of the HPACK decoder (RFC 7541 §4.2)
  // SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 (RFC 8441 §3): a client may send an extended CONNECT,
  // a CONNECT with :protocol, :scheme and :path, to open a WebSocket on a stream. nghttp2 takes
  // :protocol only once this is sent; without it, a request with :protocol is malformed.
  bool enable_connect_protocol = true;
};

// What a request head may hold, each with its status (request_error) or its reset.
struct head_limits {
  head_limits() : head_limits(teapot::limits{}) {}
  explicit head_limits(const teapot::limits& l) noexcept
      : header_list(l.header_section),
        header_list_cap(4 * l.header_section),
        fields(l.fields),
        path(l.request_line) {}

  // Past it (sizes as §6.5.2 counts them: name, value and 32 octets per field, pseudo-headers
  // included), the owner is told to answer 431. Sent as SETTINGS_MAX_HEADER_LIST_SIZE, which is
  // advisory: a client may send more, and the fields past it are decoded but not kept.
  std::size_t header_list;
  // Past it the stream is reset (ENHANCE_YOUR_CALM) without a word to the owner: a header block
  // whose decoded size runs away from its encoded one is an HPACK bomb, not a request.
  std::size_t header_list_cap;
  std::size_t fields;  // regular fields (431 past it)
  std::size_t path;    // octets of :path (414 past it)
};

// Protections against clients that cost more than they ask for; each trips a GOAWAY with
// ENHANCE_YOUR_CALM (RFC 9113 §7) and counts in session_counters.
struct session_protections {
  // Rapid reset (CVE-2023-44487): RST_STREAMs from the client on streams not yet answered,
  // over a sliding window.
  std::uint32_t unanswered_resets = 100;
  std::chrono::milliseconds reset_window{10'000};
  // PING and SETTINGS frames (not their ACKs) over a sliding window: each costs an ACK.
  std::uint32_t control_frames = 100;
  std::chrono::milliseconds control_window{10'000};
  // CONTINUATION frames after one HEADERS frame (the CVE-2024-27316 family).
  std::uint32_t max_continuations = 16;
  // ACKs for SETTINGS and PING that the client leaves unread (nghttp2's max_outbound_ack): past
  // it the session ends at once.
  std::size_t max_unsent_acks = 1000;
  // Entries in one SETTINGS frame (nghttp2's max_settings; RFC 9113 defines 6 settings).
  std::size_t max_settings_entries = 32;
};

struct session_config {
  session_settings settings{};
  head_limits limits{};
  session_protections protections{};
  // The time the sliding windows read; tests set their own.
  std::function<std::chrono::steady_clock::time_point()> clock = [] {
    return std::chrono::steady_clock::now();
  };
};

// Empty when every value is one RFC 9113 allows and the limits are ordered, else why not: for
// the configuration to refuse at start-up rather than a session to fail at accept.
std::string_view check_config(const session_config& c) noexcept;

}  // namespace teapot::h2
