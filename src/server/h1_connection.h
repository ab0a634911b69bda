// The HTTP/1.1 transport: one connection's bytes in and out. It reads and frames requests
// (pipelined, answered in order), owns the timers and the lingering close, runs each request
// as an exchange through the pipeline, and writes the responses through an output queue,
// batched into as few writes as possible.
//
// States (phase_), and what moves between them:
//   head      waiting for (the rest of) a request head. A complete head begins an exchange:
//             -> body when content follows, -> handling otherwise (or when the pipeline
//             answered from the head). A parse error or 408 answers and ends the connection.
//   body      reading content, counted against the path's limit as it arrives; complete
//             -> handling. Past the limit (or a chunk size past it): 413; stalled for
//             body_timeout, or slower on average than body_min_rate once body_timeout has
//             passed: 408. On a streaming route the
//             handler has run already and takes the content piece by piece (h1_body_stream);
//             while it holds a piece nothing more is read. Its response, sent before the
//             content is complete, goes out at once and ends the connection.
//   handling  the exchange has the request; a deferred handler answers later, from any thread
//             (on_deferred_sent). Its response is queued -> head (keep-alive) or, when the
//             connection must end, head with close_after_flush, which leads to lingering. A
//             response whose content comes from a source -> sending.
//             Also while the pipeline waits: for a step that decides later (on_step_decided:
//             -> body, or the handler, or the step's answer, as after a head), or for the
//             pool to code a large file (on_deferred_sent, then the response is queued).
//   sending   the head is out; the content is pulled from the response's source whenever the
//             output has room (h1_response_stream), and waits while the source waits (until
//             its wake). Complete -> head (as from handling); failed -> head with
//             close_after_flush, so that the client sees the content cut short.
//   lingering the last response is out, the write side shut; input is read and dropped
//             until EOF or the linger timeout, so that no reset destroys the response.
//   closed    the socket is closed; the worker deletes the object after the loop's batch.
// Input is read only in head and body, and only while the output queue is under its marks
// (a client that pipelines without reading is paused, not buffered without end).
//
// Timers (waiting_): one at a time, for what the connection waits for now. idle and header
// (waiting for a request) also put it in its worker's queue of waiting connections, which
// decides whose place a new connection takes at limits.max_connections (give_way).
//
// An idle connection (between requests, nothing queued) holds no buffer: its working set
// (input buffer, parser, output queue, exchange) goes back to the worker's spares, and the
// next bytes take one again. A connection costs a few hundred bytes while it waits.
// Thread contract: lives and dies on its worker's loop thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "h1/request_parser.h"
#include "io/event_loop.h"
#include "io/timer_wheel.h"
#include "server/connection_counts.h"
#include "server/exchange.h"
#include "server/h1_body_stream.h"
#include "server/h1_response_stream.h"
#include "server/h2_streams.h"
#include "server/metrics.h"
#include "server/output_queue.h"
#include "server/pipeline.h"
#include "server/tls_stream.h"
#include "server/tunnel.h"
#include "server/ws_session.h"

namespace teapot::srv {

class worker;

// What a connection needs while it has a request in progress; pooled per worker.
struct h1_working_set {
  explicit h1_working_set(worker& w);
  // Ready for another connection (or for the pool), keeping the memory of the buffers.
  void clear() noexcept;

  // Input: [msg_begin, in_end) is the message being received and anything after it.
  std::vector<char> in;
  std::size_t msg_begin = 0;
  std::size_t in_end = 0;
  std::size_t head_len = 0;
  std::size_t body_in_buffer = 0;  // content bytes read straight from in (zero copy)
  std::uint64_t body_left = 0;     // with Content-Length
  // For limits.body_min_rate: when the content began (moved on by the time a streaming
  // handler held a piece), the bytes read since, and when the current hold began.
  std::int64_t body_since_ms = 0;
  std::uint64_t body_bytes = 0;
  std::int64_t hold_since_ms = 0;
  // When the current message's first byte was taken up (loop time); -1 between messages.
  std::int64_t head_since_ms = -1;
  h1::request_parser parser;
  h1::chunked_decoder chunked;
  output_queue out;
  exchange ex;
  h1_body_stream stream;        // active on routes that stream their content
  h1_response_stream outgoing;  // active while a response's content comes from a source
};

class h1_connection final : public io::fd_handler,
                            public exchange_transport,
                            public h2_carrier,
                            public ws_carrier,
                            public tunnel_carrier {
 public:
  // tls: the connection speaks TLS, its session made on this set (null: plain).
  h1_connection(worker& w, int fd, std::string peer, const address_key& peer_key,
                const std::shared_ptr<const tls::context_set>& tls = nullptr);
  ~h1_connection() override;
  h1_connection(const h1_connection&) = delete;
  h1_connection& operator=(const h1_connection&) = delete;

  void start();
  void on_io(std::uint32_t events) override;
  // Graceful stop: an idle connection closes now; a busy one closes after its response.
  void begin_drain();
  bool is_idle() const noexcept;
  // At limits.max_connections, a new connection takes this one's place; it waits for a
  // request. Closes now: an idle connection silently, as at its idle timeout; one with part
  // of a head after a 408, as at its header timeout, but without lingering, which would keep
  // the place.
  void give_way();
  const address_key& peer_key() const noexcept { return peer_key_; }
  // For the status page (worker 1 here; the gathering renumbers): what it is doing, since when.
  connection_row describe(std::int64_t now_ms) const;

  // exchange_transport
  bool write_interim(
      http::status code,
      std::span<const std::pair<std::string_view, std::string_view>> fields) override;
  void on_deferred_sent() override;
  void on_step_decided() override;

  // h2_carrier
  void h2_output_ready() override;
  // ws_carrier
  void ws_output_ready() override;
  // tunnel_carrier
  void on_destination_io(std::uint32_t events) override;

  // From h1_body_stream, through posts: delivery may begin, or a hold has ended.
  void resume_content();
  void end_hold();
  // From a response's source, through a post: its content may be pulled again.
  void resume_source(std::uint32_t serial);
  // From a post: a long stream's next turn.
  void continue_sending();

  // Intrusive lists of the worker's connections, and of those waiting for a request.
  h1_connection* prev_ = nullptr;
  h1_connection* next_ = nullptr;
  h1_connection* wait_prev_ = nullptr;
  h1_connection* wait_next_ = nullptr;

 private:
  // h2: the connection has become HTTP/2 (h1_connection_h2.cpp); websocket: a WebSocket
  // route's 101 switched it (h1_connection_ws.cpp); tunnel: a forward proxy's 200 to CONNECT
  // made it a tunnel to the destination (h1_connection_tunnel.cpp). The h1 phases are over.
  enum class phase : std::uint8_t {
    head,
    body,
    handling,
    sending,
    lingering,
    closed,
    h2,
    websocket,
    tunnel
  };
  enum class h2_start : std::uint8_t { no, wait, now };
  enum class wait_for : std::uint8_t { nothing, idle, header, body, send, linger };

  void read_input();
  void read_available();
  void read_and_drop();
  ssize_t receive(char* buffer, std::size_t size);
  void on_peer_eof();
  bool bind_working_set();
  void release_if_idle() noexcept;
  void release_working_set() noexcept;
  void rebind_head();
  bool has_request_bytes() const noexcept;
  std::string_view pending_input() const noexcept;
  void rearm_for_input();
  void process();
  bool parse_head();
  void begin_exchange();
  void take_up(pipeline::after_head next);
  void begin_content();
  void begin_stream();
  bool read_body();
  bool stream_body();
  bool finish_stream();
  void answer_early();
  void dispatch();
  void answer_from_head();
  void finish_exchange();
  void end_response();
  bool write_response();
  void begin_sending(std::shared_ptr<body_source> source, h1_response_stream::framing f,
                     std::uint64_t length);
  bool pump_content();
  bool has_left_while_waiting() const noexcept;
  // A response is out (or handed over): the metrics count it, the access log writes it.
  void account(http::status status, std::uint64_t bytes);
  void count(http::status status, std::uint64_t bytes);
  void log_access(http::status status, std::uint64_t bytes);
  void reject_malformed(h1::parse_error e);
  void reject_with(http::status s);
  bool flush();
  void end_after_flush();
  void close_now();
  void on_timer();
  void arm(wait_for w, std::chrono::milliseconds delay);
  void disarm() noexcept;
  void set_waiting(wait_for w) noexcept;
  void begin_body_clock() noexcept;
  void arm_body_wait();
  void refuse_content();
  bool ensure_space();
  bool is_output_low() const noexcept;
  // HTTP/2 (h1_connection_h2.cpp).
  h2_start h2_check() const;
  void become_h2();
  bool try_h2c_upgrade();
  void h2_on_io(std::uint32_t events);
  void h2_read();
  bool h2_write();
  void h2_next_turn();
  void h2_drain();
  void h2_on_timer();
  // WebSocket (h1_connection_ws.cpp).
  void become_websocket();
  void ws_on_io(std::uint32_t events);
  void ws_read();
  bool ws_write();
  void ws_on_timer();
  // CONNECT tunnel (h1_connection_tunnel.cpp).
  void become_tunnel();
  void tunnel_on_io(std::uint32_t events);
  void tunnel_pump();
  bool tunnel_pass();
  bool tunnel_to_client(bool& moved);
  bool tunnel_from_client(bool& moved);
  void tunnel_rearm();

  worker& worker_;
  int fd_;
  std::string peer_;
  std::uint64_t bytes_read_ = 0;     // from the socket, for the metrics
  std::uint64_t bytes_counted_ = 0;  // of those, what responses counted already
  std::uint64_t early_until_ = 0;    // bytes_read_ after the last that came as early data
  address_key peer_key_;
  phase phase_ = phase::head;
  wait_for waiting_ = wait_for::nothing;
  io::timer timer_;
  std::unique_ptr<h1_working_set> ws_;  // null while idle
  // A TLS connection's session (null: plain). It outlives the working set: an idle TLS
  // connection keeps its session, and ciphertext may wait for the socket with no request.
  std::unique_ptr<tls_stream> tls_;
  // Once the connection speaks HTTP/2: its streams, with their session.
  std::unique_ptr<h2_streams> h2_;
  // A 101 of a WebSocket route written, not yet taken up; then the session it became.
  std::shared_ptr<ws_upgrade> pending_upgrade_;
  std::shared_ptr<ws_session> websocket_;
  // A 200 to CONNECT written, not yet taken up; then the tunnel it opened, and its target.
  std::shared_ptr<tunnel_handoff> pending_tunnel_;
  std::unique_ptr<tunnel> tunnel_;
  std::string tunnel_request_;
  std::shared_ptr<connection_token> token_;  // for posts that may outlive the connection
  bool keep_alive_ = true;
  bool draining_ = false;
  bool peer_eof_ = false;
  // EPOLLRDHUP or EPOLLHUP seen: the end of input is queued, and no later edge will announce
  // it, so reading goes on to EOF instead of stopping at a short read.
  bool hangup_seen_ = false;
  bool held_back_ = false;  // reading paused until the output drains
  bool close_after_flush_ = false;
  bool served_any_ = false;      // a response has ended: the h2 preface may no longer begin
  bool h2_ending_ = false;       // the session has ended the connection: write its GOAWAY, close
  bool h2_turn_posted_ = false;  // h2_write gave up its turn: it goes on in a later one
  std::uint64_t h2_requests_seen_ = 0;  // requests seen when the idle clock last started
  std::uint32_t stream_serial_ = 0;     // tells a stale source's wake from the current one's
};

}  // namespace teapot::srv
