// A response's content pushed by a handler as it makes it, from any thread, with backpressure:
// write() says when to stop, on_drain() when to go on. The response's head goes out when the
// handler returns (or when its deferred response is sent); the content follows as it is
// written, and ends with finish().
//
//   router.route("GET", "/events", [](const request&, response& res) {
//     body_writer w = res.stream("text/event-stream");
//     w.on_cancel([] { /* the client left: stop producing */ });
//     start_producer(w);  // calls w.write(...) from its thread, w.finish() at the end
//   });
//
// Content of unknown length goes chunked on HTTP/1.1 (then the trailers added) and delimited
// by the connection's close on HTTP/1.0 (see body_source.h).
// Thread contract: every member may be called from any thread; on_drain and on_cancel
// callbacks run on the exchange's loop thread.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

namespace teapot {

class body_writer_state;
class response;
namespace srv {
struct response_access;
}  // namespace srv

class body_writer {
 public:
  body_writer() = default;

  // Queues bytes after those written before. False when the queue has passed its mark (wait
  // for on_drain before writing more: the bytes given were queued all the same), or when the
  // writer is closed (finished, aborted or cancelled: the bytes were dropped).
  bool write(std::string_view bytes);
  // fn runs, once per write that returned false, when the client has taken the queue down
  // below its mark.
  void on_drain(std::function<void()> fn);
  // fn runs if the content will never reach the client whole: it has gone, the send timed out,
  // the request was a HEAD, or the answer became a 304.
  void on_cancel(std::function<void()> fn);
  // A trailer field sent after the content (chunked HTTP/1.1 only; see body_source.h).
  void add_trailer(std::string_view name, std::string_view value);
  // The content is complete: what is queued goes out, then its end.
  void finish();
  // The content cannot be completed: the connection closes after what was queued, so that the
  // client sees it cut short.
  void abort();
  // False once finished, aborted or cancelled.
  bool is_open() const noexcept;
  // Bytes queued and not yet taken by the connection.
  std::size_t queued() const noexcept;

 private:
  friend class response;
  friend struct srv::response_access;
  explicit body_writer(std::shared_ptr<body_writer_state> state) : state_(std::move(state)) {}
  std::shared_ptr<body_writer_state> state_;
};

}  // namespace teapot
