// A session and a real nghttp2 client joined in memory, no socket: the client's output is fed
// to the session, the session's output to the client, until neither has more to say. The
// client records what each stream received; the owner records the events and answers as a
// test tells it to.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nghttp2/nghttp2.h>

#include "h2/session.h"

namespace teapot::h2::test {

using field_list = std::vector<std::pair<std::string, std::string>>;

// A GET of path with the four pseudo-headers, in the order clients send them.
field_list get(std::string_view path);
// A POST of path, with content-length when given.
field_list post(std::string_view path, std::optional<std::size_t> content_length = std::nullopt);

// What the client saw on one stream.
struct client_stream {
  int status = 0;              // of the final response
  std::vector<int> interim{};  // 1xx statuses, in order
  field_list headers{};        // of the final response, :status excluded
  field_list trailers{};
  std::string body{};
  bool ended = false;                    // END_STREAM received
  std::optional<std::uint32_t> reset{};  // RST_STREAM received, its code
  bool in_trailers = false;              // the header block being received is trailers
};

class client {
 public:
  // The client's SETTINGS go out with its preface on the first output().
  explicit client(std::vector<nghttp2_settings_entry> settings = {});
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  // Submits a request with these fields exactly (order and case kept, so that malformed ones
  // can be sent), content if given, and trailers after it if given. Returns the stream id.
  std::int32_t request(const field_list& fields, std::optional<std::string> body = std::nullopt,
                       std::optional<field_list> trailers = std::nullopt);
  void reset(std::int32_t id, std::uint32_t code);
  void ping();
  std::string output();
  void input(std::string_view bytes);
  // Bytes of a request's content handed to nghttp2 so far (those the windows let out).
  std::size_t content_sent(std::int32_t id) const;

  nghttp2_session* ng = nullptr;
  std::map<std::int32_t, client_stream> streams;
  std::optional<std::uint32_t> goaway{};  // the code of a GOAWAY received
  std::int32_t goaway_last_stream = -1;

  struct upload {
    std::string body;
    std::size_t sent = 0;
    std::optional<field_list> trailers;
  };
  std::map<std::int32_t, upload> uploads;
  std::list<field_list> sent_heads;  // the names nghttp2 sends without copying
};

// A request head copied out of the session's views.
struct seen_head {
  std::string method, scheme, authority, path;
  field_list fields;
  bool ends_stream = false;
  std::optional<std::uint64_t> content_length;
};

// The owner: records every event in order (one line each), and calls the test's answers.
struct recorder : session_events {
  std::vector<std::string> log;
  std::map<stream_id, seen_head> heads;
  std::map<stream_id, std::string> content;
  std::map<stream_id, field_list> trailers;
  bool consume_at_once = true;  // consume() each on_data at once
  session* server = nullptr;
  std::function<void(stream_id, const seen_head&)> answer_head;
  std::function<void(stream_id, request_error)> answer_rejected;
  std::function<void(stream_id)> answer_end;

  void on_request(stream_id id, const request_head& head) override;
  void on_request_rejected(stream_id id, request_error why, const request_head& partial) override;
  void on_data(stream_id id, std::string_view bytes) override;
  void on_trailers(stream_id id, std::span<const header_field> fields) override;
  void on_end_stream(stream_id id) override;
  void on_stream_reset(stream_id id, error_code code) override;
  void on_stream_closed(stream_id id, error_code code) override;
  // How many lines of the log start with prefix.
  std::size_t count(std::string_view prefix) const;
};

// A clock the test moves by hand.
struct manual_clock {
  std::shared_ptr<std::chrono::steady_clock::time_point> now =
      std::make_shared<std::chrono::steady_clock::time_point>();
  std::function<std::chrono::steady_clock::time_point()> reader() const {
    return [t = now] { return *t; };
  }
  void advance(std::chrono::milliseconds d) const { *now += d; }
};

struct loopback {
  explicit loopback(session_config config = {}, std::vector<nghttp2_settings_entry> settings = {});

  // Moves bytes both ways until neither side has any. piece: feed the session that many
  // bytes at a time (0: all at once). Returns the first feed result that was not ok.
  feed_result pump(std::size_t piece = 0);
  // Feeds the session these bytes, then moves its output to the client.
  feed_result feed_raw(std::string_view bytes);

  manual_clock clock;
  recorder owner;
  std::unique_ptr<session> server;
  client peer;
};

// A session config whose clock is the given one.
session_config with_clock(session_config c, const manual_clock& clock);

// Headers as a session takes them from an owner.
std::vector<header_field> as_fields(const field_list& list);

}  // namespace teapot::h2::test
