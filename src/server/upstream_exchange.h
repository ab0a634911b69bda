// One request relayed to an upstream HTTP/1.1 server for a proxy route (teapot/proxy.h): a
// connection to the upstream on the worker's loop (an idle one of the worker's pool, or a new
// one), the request written with the proxy's own framing and its content streamed from the
// client's body_reader (the client is not read while 256 KiB wait for the upstream), the
// response head read by h1::response_parser and its content by h1::response_body_decoder,
// relayed to the client as a body_source with backpressure (the upstream is not read while
// 256 KiB wait for the client). A connection whose exchange ended cleanly goes back to the pool.
//
// Before the head: 502 (refused, garbage, malformed, closed) or 504 (connect or head timeout),
// answered through the deferred response. After it: the content is cut short (the source fails).
// Thread contract: the worker's loop thread.
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "h1/response_body.h"
#include "h1/response_parser.h"
#include "io/event_loop.h"
#include "io/timer_wheel.h"
#include "server/upstream_address.h"
#include "server/upstream_health.h"
#include "server/upstream_pool.h"
#include "server/upstream_transcoding.h"
#include "teapot/body_reader.h"
#include "teapot/proxy.h"
#include "teapot/response.h"

namespace teapot::srv {

class worker;

struct proxy_state {
  proxy_options options;
  std::vector<upstream_address> upstreams;
  std::atomic<std::size_t> next{0};  // round robin, shared by the workers' loops
  // Per upstream: until when (monotonic ms) it is left out after a failed connection.
  std::unique_ptr<std::atomic<std::int64_t>[]> down_until;
  // Per upstream: the exchanges with a connection to it now, on every worker.
  std::unique_ptr<std::atomic<std::uint32_t>[]> active;
  // For https:// upstreams; null when the route has none.
  tls::ssl_ctx_ptr tls_context;
  // The active health checks (their thread reads only what they own); null: none.
  std::unique_ptr<upstream_health> health;

  // Makes down_until and active for the upstreams, once they are all in.
  void count_upstreams();

  // The pool of that worker's idle connections, made on its first request.
  upstream_pool& pool_of(const worker& w);

 private:
  std::mutex pools_mutex_;
  std::vector<std::pair<const worker*, std::unique_ptr<upstream_pool>>> pools_;
};

class upstream_exchange final : public io::fd_handler,
                                public std::enable_shared_from_this<upstream_exchange> {
 public:
  upstream_exchange(worker& w, std::shared_ptr<proxy_state> state, deferred_response d);
  ~upstream_exchange() override;
  upstream_exchange(const upstream_exchange&) = delete;
  upstream_exchange& operator=(const upstream_exchange&) = delete;

  // Writes the upstream request from req (copied now: its views do not outlive the handler's
  // call) and connects.
  void start(const request& req);
  void on_io(std::uint32_t events) override;

  // The relayed content (through relay_source).
  body_source::pulled pull(std::span<char> into);
  void trailers(std::vector<std::pair<std::string, std::string>>& out) const;
  void cancelled() noexcept;

 private:
  enum class phase : std::uint8_t { connecting, exchanging, content, over };
  // How the request's content goes to the upstream.
  enum class framing : std::uint8_t { none, length, chunked };

  void connect_next();
  // The upstream to try next (round robin or least connections, among those not left out),
  // or nullopt when every one is out; back_ms then says when the first may be back.
  std::optional<std::size_t> pick(std::int64_t now, std::int64_t& back_ms) const;
  // current_ counts (or no longer counts) an exchange in progress, for least connections.
  void count_in() noexcept;
  void count_out() noexcept;
  // Opens a new connection to current_ (the pool is not asked).
  void connect_current();
  // The connection failed before any byte of the response came: true when the request was
  // sent again, on a new connection or to the next upstream (RFC 9112 §9.3.1: only an
  // idempotent request without content, none of which the client has seen answered).
  bool retried();
  void read_content(body_reader* body);
  body_reader::flow take_request_content(std::string_view piece);
  void request_content_ended();
  void request_content_failed();
  // The connection to the current upstream failed before any of the request went: it is left
  // out for fail_timeout, and the next one is tried (or the request answered with status).
  void connection_failed(http::status status, std::string_view why);
  void start_tls();
  void continue_tls();
  // The connection's bytes, in clear or through TLS: ::send's and ::read's results (EAGAIN
  // when TLS waits for the socket either way; 0 at a TLS close, clean or not).
  ssize_t send_some(const char* data, std::size_t size);
  ssize_t receive_some(char* buffer, std::size_t size);
  void on_connected();
  bool write_request();
  void read_upstream();
  bool take_head();
  void relay_interim(const h1::response_head& head);
  void switch_protocols(const h1::response_head& head, std::size_t consumed);
  void take_content(std::string_view bytes);
  void content_ended();
  // Sends the deferred response, and lets go of the client's body reader.
  void send_answer();
  void answer(http::status s, std::string_view why);
  void cut(std::string_view why);
  void on_timer();
  void close_upstream() noexcept;
  // The response ended cleanly: the connection goes back to the pool when it may be reused.
  void release_upstream() noexcept;
  void resume_reading();

  worker& worker_;
  std::shared_ptr<proxy_state> state_;
  deferred_response deferred_;
  std::string request_;  // the head, then the content, not yet written to the upstream
  std::size_t request_sent_ = 0;
  bool head_request_ = false;
  bool upgrade_ = false;  // the client asked for a WebSocket, which the upstream may grant
  framing framing_ = framing::none;
  bool request_complete_ = true;  // every byte of the request's content is in request_
  bool request_broken_ = false;   // the upstream stopped taking the request
  bool client_held_ = false;      // the client's content waits (body_reader::flow::hold)
  body_reader* body_ = nullptr;
  // Idempotent and without content: may be sent again after a failure (retried()).
  bool replayable_ = false;
  bool reused_ = false;      // the connection came from the pool
  bool heard_ = false;       // a byte of the response came on this connection
  bool keep_alive_ = false;  // the upstream may take another request on it afterwards
  upstream_pool* pool_ = nullptr;
  int fd_ = -1;
  tls::ssl_ptr ssl_;         // over an https:// upstream's connection, once its handshake began
  std::size_t current_ = 0;  // the upstream connected to
  std::size_t tried_ = 0;    // upstreams tried for this request
  bool counted_ = false;     // in state_->active[current_]
  io::timer timer_;
  phase phase_ = phase::connecting;
  std::string received_;  // upstream bytes not yet taken (the head, then undecoded content)
  h1::response_parser parser_;
  h1::response_body_decoder decoder_;
  // Decoded content waiting for the client, from content_at_ on.
  std::string content_;
  std::size_t content_at_ = 0;
  bool paused_ = false;        // the upstream is not read until the client takes content
  bool ended_ = false;         // the content is complete
  bool failed_ = false;        // the content cannot be completed
  bool source_given_ = false;  // the head went to the client with a source
  std::vector<std::pair<std::string, std::string>> trailers_;
  upstream_transcoding transcoding_;  // the 203 of transcode_legacy_text
  std::weak_ptr<body_source> source_;
  // Itself, while its upstream connection is registered with the loop.
  std::shared_ptr<upstream_exchange> self_;
};

// Resolves "host:port" or "[v6]:port" (numeric or by name). Throws std::invalid_argument.
upstream_address resolve_upstream(const std::string& text);

}  // namespace teapot::srv
