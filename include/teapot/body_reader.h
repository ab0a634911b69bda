// A request's content as it arrives, for routes added with route_options::stream_body: a
// handler consumes it piece by piece, with backpressure, instead of receiving it whole in
// request::body. The handler runs as soon as the head has passed the pipeline (before any
// content is read); it defers its response (response::defer) and sends it when it is done,
// typically from on_end. A response sent before the content is complete goes out at once,
// and the connection closes after it (the rest of the content is never read).
//
//   router.route("PUT", "/upload/*", [](const request& req, response& res) {
//     auto done = res.defer();
//     req.body_stream->read({
//         .on_data = [](std::string_view piece) { ...; return body_reader::flow::more; },
//         .on_end = [done](auto trailers) mutable { done.res().text("ok"); done.send(); },
//         .on_error = [](body_error) {},
//     });
//   }, {.stream_body = true});
//
// Thread contract: read() on the exchange's loop thread; the callbacks run on it; resume()
// from any thread.
#pragma once

#include <functional>
#include <span>
#include <string_view>

#include "teapot/request.h"

namespace teapot {

// Why content will not complete. The server answers the client itself (408, 413, 400) or has
// no one to answer; the handler's deferred response is not sent.
enum class body_error : unsigned char {
  client_gone,  // the connection closed before the end of the content
  timeout,      // no content for the body timeout (408)
  too_large,    // past the body limit of the path, counted as it arrives (413)
  malformed,    // bad chunked framing (400)
};

class body_reader {
 public:
  enum class flow : unsigned char {
    more,  // done with this piece: call again with the next
    hold,  // keep this piece's bytes valid, and read nothing more, until resume()
  };
  struct callbacks {
    // Each piece of content, de-chunked, in order. The view is valid during the call, or with
    // flow::hold until resume() (hand it to the blocking-work pool, say, without a copy).
    std::function<flow(std::string_view piece)> on_data{};
    // The content is complete. trailers (RFC 9112 §7.1.2) as received, valid during the call:
    // the server acts on none of them.
    std::function<void(std::span<const header_field> trailers)> on_end{};
    std::function<void(body_error)> on_error{};
  };

  // Starts the delivery. Content that arrived before waits for it.
  virtual void read(callbacks cb) = 0;
  // Ends a hold: the held piece is dropped and reading goes on. Any thread.
  virtual void resume() = 0;

 protected:
  ~body_reader() = default;
};

}  // namespace teapot
