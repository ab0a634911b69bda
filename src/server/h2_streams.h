// The streams of one HTTP/2 connection: the session (the codec, h2/session.h) and, for each
// request stream, an exchange that goes through the same pipeline as an HTTP/1.1 request. The
// connection that owns this moves the bytes (socket or TLS), keeps the timers, and writes the
// frames; this turns the session's events into exchanges and their responses into frames.
//
// A stream's way: on_request -> the pipeline decides from the head (421, 413 by content-length,
// the steps, the route) -> its content is gathered up to the path's limit (413 past it) or,
// on a route that streams its content, handed to the handler as it arrives, the window
// reopening as the handler takes it -> the handler -> pipeline::finish -> submit_response
// with the content pulled as windows open (files by pread, never read whole; a response
// source as it produces). A deferred response, a step that decides later and a source's wake
// come back through the loop. The stream is forgotten when the session closes it; a deferred
// handle that outlives it keeps its memory (deferral::keep).
// Thread contract: the connection's loop thread; body_reader::resume() and a source's wake()
// from any thread, through posts.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "h2/session.h"
#include "http/field_lists.h"
#include "server/exchange.h"
#include "server/h2_connect_tunnel.h"
#include "server/h2_ws_tunnel.h"
#include "server/pipeline.h"
#include "teapot/body_reader.h"

namespace teapot::tls {
class session;
}

namespace teapot::srv {

class worker;
class h2_streams;

// What the streams need from the connection that carries them.
class h2_carrier {
 public:
  virtual ~h2_carrier() = default;
  // Frames wait in the session (a deferred response, a source's wake): write them. Called
  // from the loop, never from inside feed() or take_output().
  virtual void h2_output_ready() = 0;
};

// One request stream. It is the exchange's transport, and the body_reader of a route that
// streams its content.
class h2_stream final : public exchange_transport,
                        public body_reader,
                        public std::enable_shared_from_this<h2_stream> {
 public:
  h2_stream(h2_streams& owner, worker& w, h2::stream_id id);
  ~h2_stream() override;

  // exchange_transport
  bool write_interim(
      http::status code,
      std::span<const std::pair<std::string_view, std::string_view>> fields) override;
  void on_deferred_sent() override;
  void on_step_decided() override;

  // body_reader
  void read(callbacks cb) override;
  void resume() override;

 private:
  friend class h2_streams;
  enum class phase : std::uint8_t {
    head,       // the pipeline runs on the head, or a step waits
    content,    // gathering the content, up to the path's limit
    streaming,  // the handler has run and takes the content as it arrives
    handling,   // the handler (or the pool) has the request; the response is not ready
    answered,   // the response is submitted
    tunnel,     // a WebSocket opened by extended CONNECT (RFC 8441 §5), or a CONNECT's
                // destination (RFC 9113 §8.5), carries the stream
  };

  void copy_head(const h2::request_head& h);
  void take_up(pipeline::after_head next);
  void dispatch();
  void respond();
  void content_arrived(std::string_view bytes);
  void content_ended();
  void deliver();
  void end_hold();
  void fail_content(body_error e);
  void source_woken();
  bool call_handler(const std::function<void()>& fn);
  h2::pull_result pull_source(std::span<char> buffer);
  void open_tunnel(std::unique_ptr<h2_stream_tunnel> tunnel);
  // A CONNECT without :protocol: a forward proxy's tunnel (RFC 9113 §8.5).
  bool asks_for_tunnel() const noexcept {
    return ex_.req.method == "CONNECT" && ex_.req.protocol.empty();
  }
  h2::pull_result pull_tunnel(std::span<char> buffer);
  void tunnel_woken();

  h2_streams* owner_;  // null once the connection is gone
  worker& worker_;
  h2::stream_id id_;
  std::string text_;              // the head's bytes, and the host field made from :authority
  std::string_view head_method_;  // as received, for the log of a refused request
  std::string_view head_path_;
  std::vector<header_field> fields_;
  std::string trailer_text_;
  std::vector<header_field> trailers_;
  std::string head_scratch_;  // content-length of the response head
  std::vector<header_field> head_fields_;
  exchange ex_;
  phase phase_ = phase::head;
  bool client_ended_ = false;  // END_STREAM from the client
  http::expectations expect_;
  bool accounted_ = false;
  std::int64_t since_ms_ = 0;
  std::int64_t content_moved_ms_ = 0;  // loop time of the head or the last DATA
  std::int64_t window_shut_ms_ = -1;   // the sweep that first saw the response held back
  std::uint64_t bytes_out_ = 0;
  // A route that streams its content: what waits for the handler, and the piece it holds.
  callbacks reader_{};
  std::string waiting_;
  std::string held_;
  bool reading_ = false;
  bool holding_ = false;
  bool delivering_ = false;
  bool reader_done_ = false;
  bool response_ready_ = false;  // the handler sent its response from one of its callbacks
  std::uint64_t received_ = 0;
  // A response whose content comes from a source.
  std::shared_ptr<body_source> source_;
  bool source_failed_ = false;
  std::optional<std::uint64_t> source_left_;  // of a known length, what is still to come
  std::unique_ptr<h2_stream_tunnel> tunnel_;  // once a WebSocket or a CONNECT carries it
};

class h2_streams final : public h2::session_events {
 public:
  // tls: the connection's session, whose certificate must cover each stream's authority
  // (RFC 9110 §15.5.20); null on a plain connection.
  h2_streams(worker& w, h2_carrier& carrier, std::string_view peer, const tls::session* tls);
  ~h2_streams() override;
  h2_streams(const h2_streams&) = delete;
  h2_streams& operator=(const h2_streams&) = delete;

  h2::feed_result feed(std::string_view bytes);
  // The bytes fed next came as TLS 1.3 early data: the requests they begin may be replays.
  void set_early_input(bool early) noexcept { early_input_ = early; }
  // The h2c upgrade: the HTTP/1.1 request becomes stream 1 (h2::session::upgrade_from_h1).
  bool upgrade(std::string_view settings, const h2::request_head& head);
  void take_output(std::string& out, std::size_t max);
  bool wants_write() const noexcept { return session_.wants_write(); }
  bool wants_read() const noexcept { return session_.wants_read(); }
  // Streams with a request in progress (the connection is idle without any).
  std::size_t open_streams() const noexcept { return streams_.size(); }
  // A graceful stop: the client learns no new stream is taken (RFC 9113 §6.8), and each
  // WebSocket is sent Close 1001.
  void shutdown_notice();
  void go_away(h2::error_code code) { session_.go_away(code); }
  // The streams' clocks, at loop time now_ms: a stream still waiting for the client's content
  // that has not moved for body_timeout is answered 408 (a streaming reader gets
  // body_error::timeout); a response the client's flow-control window has held back since
  // an earlier sweep at least send_timeout ago is reset CANCEL. Called at least every
  // sweep_interval().
  void sweep(std::int64_t now_ms, std::chrono::milliseconds body_timeout,
             std::chrono::milliseconds send_timeout);
  static std::chrono::milliseconds sweep_interval(std::chrono::milliseconds body_timeout,
                                                  std::chrono::milliseconds send_timeout);
  // The connection is gone: every exchange ends, sources are cancelled, readers told.
  void close_all() noexcept;
  // For the status page: the first open stream's request, if any.
  std::string first_request() const;
  const h2::session_counters& counters() const noexcept { return session_.counters(); }

  // session_events
  void on_request(h2::stream_id id, const h2::request_head& head) override;
  void on_request_rejected(h2::stream_id id, h2::request_error why,
                           const h2::request_head& partial) override;
  void on_data(h2::stream_id id, std::string_view bytes) override;
  void on_trailers(h2::stream_id id, std::span<const header_field> fields) override;
  void on_end_stream(h2::stream_id id) override;
  void on_stream_reset(h2::stream_id id, h2::error_code code) override;
  void on_stream_closed(h2::stream_id id, h2::error_code code) override;

 private:
  friend class h2_stream;
  h2_stream* find(h2::stream_id id) noexcept;
  std::shared_ptr<h2_stream> open(h2::stream_id id);
  void let_go(std::shared_ptr<h2_stream> s) noexcept;
  // From a post or a deferred send: write now unless inside the session.
  void output_ready();
  void account(h2_stream& s, http::status status, std::uint64_t bytes);
  void log_access(const h2_stream& s, http::status status, std::uint64_t bytes);

  worker& worker_;
  h2_carrier& carrier_;
  std::string peer_;
  const tls::session* tls_;
  h2::session session_;
  std::unordered_map<h2::stream_id, std::shared_ptr<h2_stream>> streams_;
  int in_session_ = 0;  // inside feed() or take_output(): frames are written after
  bool early_input_ = false;
  std::vector<h2::stream_id> resets_;  // streams whose source failed, reset after a pull
};

}  // namespace teapot::srv
