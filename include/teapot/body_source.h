// A response's content made while it is sent: content too large to hold, or not known yet (a
// log followed live, an export generated row by row, a body relayed from elsewhere). The
// server pulls it whenever the connection can take more, so a slow client slows the source
// down instead of filling memory.
//
//   res.set_source(std::make_shared<csv_export>(query), "text/csv; charset=utf-8");
//
// Content of unknown length goes chunked on HTTP/1.1 (followed by the source's trailers) and
// delimited by the connection's close on HTTP/1.0; with a length given, it goes with
// Content-Length and must end exactly there. A response with a source is never compressed on
// the fly and never answered with ranges; conditional requests still apply (a 304 or a HEAD
// never pulls it).
// Thread contract: pull, trailers and cancelled run on the exchange's loop thread; wake() may
// be called from any thread.
#pragma once

#include <cstddef>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace teapot {

namespace srv {
struct response_access;
}  // namespace srv

class body_source {
 public:
  enum class next : unsigned char {
    more,  // call again as soon as the connection can take more
    wait,  // nothing now: call again after wake()
    end,   // the content is complete, with the bytes of this call
    fail,  // the content cannot be completed: the client must see it cut short
  };
  struct pulled {
    std::size_t size = 0;  // bytes written at the start of the span
    next then = next::more;
  };

  body_source() = default;
  body_source(const body_source&) = delete;
  body_source& operator=(const body_source&) = delete;
  virtual ~body_source() = default;

  // Writes up to into.size() bytes of content at into.data(). With a known length, into never
  // reaches past it, and once it is all out into is empty: the source must then say end. An
  // exception counts as fail. After fail (or a length not met) the connection closes after the
  // bytes sent: the client can tell the content is incomplete (except from a close-delimited
  // HTTP/1.0 response, whose end is its close).
  virtual pulled pull(std::span<char> into) = 0;
  // Once, after end: trailer fields (RFC 9110 §6.5), sent after chunked content. Fields that
  // frame, route or authenticate the message are dropped.
  virtual void trailers(std::vector<std::pair<std::string, std::string>>& out) { (void)out; }
  // The content will not be pulled to its end: the client has gone, the send timed out, the
  // response was replaced, or it needs no content (HEAD, 304). No pull follows.
  virtual void cancelled() noexcept {}

  // Any thread: after a pull said wait, asks the server for another pull. Harmless otherwise.
  void wake();

 protected:
  // How wake() reaches the connection (the server's); an empty function detaches.
  void set_waker(std::function<void()> waker);

 private:
  friend struct srv::response_access;
  std::mutex waker_mutex_;
  std::function<void()> waker_;
};

}  // namespace teapot
