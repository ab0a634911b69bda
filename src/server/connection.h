// One HTTP/1.1 connection: reads requests (pipelined, in order), runs each through the router
// and its handler, and writes the responses, batched into as few writes as possible.
// Thread contract: lives and dies on its worker's loop thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "h1/request_parser.h"
#include "io/event_loop.h"
#include "io/timer_wheel.h"
#include "server/representation.h"
#include "server/site_table.h"
#include "teapot/request.h"
#include "teapot/response.h"
#include "teapot/router.h"
#include "teapot/site.h"

namespace teapot::srv {

class worker;

class connection final : public io::fd_handler, public exchange_channel {
 public:
  connection(worker& w, int fd, std::string peer);
  ~connection() override;
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  void start();
  void on_io(std::uint32_t events) override;
  // Graceful stop: an idle connection closes now; a busy one closes after its response.
  void begin_drain();
  bool is_idle() const noexcept;

  // exchange_channel
  bool send_interim(http::status code,
                    std::span<const std::pair<std::string_view, std::string_view>> fields) override;
  void complete(response& res) override;
  void run_after(std::chrono::milliseconds delay, std::function<void()> fn) override;
  deferred_response make_deferred(response& res) override;

  // Intrusive list of the worker's connections.
  connection* prev_ = nullptr;
  connection* next_ = nullptr;

 private:
  enum class phase : std::uint8_t {
    head,       // waiting for (the rest of) a request head
    body,       // reading content
    handling,   // a deferred handler has the exchange
    lingering,  // response sent, write side shut, discarding input until EOF or timeout
    closed,
  };
  enum class wait_for : std::uint8_t { nothing, idle, header, body, send, linger };

  void read_input();
  void read_available();
  void on_peer_eof();
  bool bind_request();
  void rebind_head();
  bool output_pending() const noexcept;
  bool has_request_bytes() const noexcept;
  void rearm_for_input();
  bool wait_for_send();
  void process();
  bool parse_head();
  void begin_exchange();
  bool read_body();
  void dispatch();
  bool run_policies();
  void answer_from_head();
  void refuse_body();
  void finish_exchange();
  void write_response();
  void log_access(http::status status, bool has_content);
  void append_body();
  void append_window(std::uint64_t first, std::uint64_t length);
  void append_multipart();
  void reject(h1::parse_error e);
  void reject_with(http::status s);
  bool flush();
  void end_after_flush();
  void close_now();
  void on_timer();
  void arm(wait_for w, std::chrono::milliseconds delay);
  bool ensure_space();
  bool is_output_low() const noexcept;
  std::string_view pending_input() const noexcept {
    return {in_.data() + msg_begin_, in_end_ - msg_begin_};
  }

  worker& worker_;
  int fd_;
  std::string peer_;
  phase phase_ = phase::head;
  wait_for waiting_ = wait_for::nothing;
  io::timer timer_;

  // Input: [msg_begin_, in_end_) is the message being received and anything after it.
  std::vector<char> in_;
  std::size_t msg_begin_ = 0;
  std::size_t in_end_ = 0;
  std::size_t head_len_ = 0;

  h1::request_parser parser_;
  h1::chunked_decoder chunked_;
  std::uint64_t body_left_ = 0;  // with Content-Length
  std::uint64_t body_max_ = 0;   // the limit for this request's path (limits::body_for)
  std::string body_;             // content that did not arrive with the head
  std::string_view body_view_;
  std::size_t body_in_buffer_ = 0;  // content bytes read straight from in_ (zero copy)

  request req_;
  std::string path_scratch_;
  router::match match_;
  std::shared_ptr<response> res_;
  representation_plan plan_;
  const site* site_ = nullptr;  // of the current exchange; null for a parse error
  // The sites site_ belongs to: a reload may publish new ones while this exchange runs.
  std::shared_ptr<const site_set> sites_;
  bool interim_allowed_ = false;
  std::shared_ptr<bool> deferral_open_;
  bool keep_alive_ = true;
  bool draining_ = false;
  bool peer_eof_ = false;
  // EPOLLRDHUP or EPOLLHUP seen: the end of input is queued, and no later edge will announce
  // it, so reading goes on to EOF instead of stopping at a short read.
  bool hangup_seen_ = false;
  bool held_back_ = false;              // reading paused until the output drains
  bool in_dispatch_ = false;            // a handler is running
  bool completed_in_dispatch_ = false;  // and it sent its deferred response itself

  // Output: bytes of out_ from out_sent_ on, with files spliced in at given offsets.
  struct file_part {
    std::size_t at;  // offset in out_ where the file's bytes go
    int fd;
    std::uint64_t offset;
    std::uint64_t left;
    std::shared_ptr<const void> keeper;  // set: fd is borrowed (an open-file cache's)
    void release() noexcept;
  };
  std::string out_;
  std::size_t out_sent_ = 0;
  std::vector<file_part> files_;
  bool close_after_flush_ = false;
};

}  // namespace teapot::srv
