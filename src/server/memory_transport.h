// An HTTP/1.1 transport without a socket, for the spec ring (tests/spec/): one connection's
// bytes in, the bytes the server would write out, and whether it would then close. It takes
// h1_connection's decisions through the same calls: the codec (h1/), the exchange and the
// pipeline, and h1_exchange.h for what a head tells and how a response is framed. All of the
// input is there at once, so there are no timers, no backpressure and no lingering close: a
// message cut short leaves the connection waiting (open, nothing more written), or, when the
// client closes after it, gets no answer. Routes that stream their request content are not
// supported (teapot serve has none): run() throws std::logic_error on one.
// Thread contract: the caller's thread, while the worker's loop runs nowhere else; a deferred
// response, or a response source that waits, runs that loop here until it goes on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "h1/request_parser.h"
#include "h1/serializer.h"
#include "server/exchange.h"
#include "server/output_queue.h"

namespace teapot::srv {

class worker;

class memory_transport final : public exchange_transport {
 public:
  explicit memory_transport(worker& w, std::string peer = "127.0.0.1");
  ~memory_transport() override;
  memory_transport(const memory_transport&) = delete;
  memory_transport& operator=(const memory_transport&) = delete;

  enum class state : std::uint8_t {
    open,     // every message was answered; the connection waits for the next one
    waiting,  // a message is incomplete: the server waits for the rest of it
    closed,   // the server has ended the connection
  };
  struct result {
    std::string output;  // every byte written, interim responses included
    state after = state::open;
  };
  // The connection's whole input, once per transport. end_of_input: the client closes its
  // side after these bytes.
  result run(std::string input, bool end_of_input = false);

  // exchange_transport
  bool write_interim(
      http::status code,
      std::span<const std::pair<std::string_view, std::string_view>> fields) override;
  void on_deferred_sent() override;
  void on_step_decided() override;

 private:
  struct wake_token {
    memory_transport* transport;
  };
  // The bytes of the message at offset `at` used up, or npos when reading stops there.
  std::size_t exchange_one(std::size_t at, std::size_t head_len, bool end_of_input);
  std::size_t incomplete(bool end_of_input);
  void dispatch();
  void finish();
  bool send_from_source(h1::body_kind body, std::uint64_t length);
  void reject_with(http::status s);
  void run_loop_until_woken(const char* what);

  worker& worker_;
  std::string peer_;
  std::string in_;  // the views of the exchange's request point into it
  h1::request_parser parser_;
  h1::chunked_decoder chunked_;
  output_queue out_;
  exchange ex_;
  std::string output_;
  std::shared_ptr<wake_token> token_;
  state state_ = state::open;
  bool keep_alive_ = true;
  bool woken_ = false;
};

}  // namespace teapot::srv
