// One HTTP/2 server connection (RFC 9113) as a sans-IO codec around an nghttp2 server session:
// bytes in (feed), bytes out (take_output), events to the owner (session_events), and calls
// that answer streams. It owns no socket, no timer and no thread; the owner (the transport)
// reads and writes, and drives it from one thread.
//
// The session sends its SETTINGS as soon as it is made: the first take_output() holds the
// server's connection preface (§3.4). nghttp2 answers PINGs and SETTINGS, keeps HPACK and the
// flow-control windows, and sends GOAWAY itself on a connection error. Request content is
// flow-controlled by the owner: a stream's window (and the connection's) reopens only as the
// owner calls consume(), so that a handler that stops reading stops its client.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "h2/error_code.h"
#include "h2/event_rate.h"
#include "h2/response_body.h"
#include "h2/session_config.h"
#include "h2/session_counters.h"
#include "h2/session_events.h"
#include "teapot/http/status.h"
#include "teapot/request.h"

struct nghttp2_session;

namespace teapot::h2 {

class response_fields;

struct feed_result {
  // Set once the session has ended the connection with an error (a GOAWAY with that code is
  // in the output, or the connection cannot go on at all): the owner writes what is left of
  // the output and closes.
  std::optional<error_code> connection_error{};
  bool ok() const noexcept { return !connection_error; }
};

class session {
 public:
  session(session_events& events, session_config config);
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  // Takes bytes from the client, the connection preface first (the 24 octets of §3.4, then
  // its SETTINGS); they may be split anywhere. Events fire from inside. The frames the bytes
  // call for (ACKs, RST_STREAM, GOAWAY, and the heads the owner submitted from its events) are
  // serialized before it returns, to wait for take_output(), so that a connection error's
  // code is known here; response content is pulled only by take_output(). Bytes after a
  // connection error are ignored.
  feed_result feed(std::string_view bytes);
  // Appends the frames to write, up to about max bytes (a frame is never split; the rest
  // waits for the next call). Response bodies are pulled from here. Events may fire from
  // inside (on_stream_closed).
  void take_output(std::string& out, std::size_t max = std::numeric_limits<std::size_t>::max());
  bool wants_write() const noexcept;
  // False once the connection is over (a GOAWAY went either way and no stream is left, or a
  // connection error): when neither wants_read() nor wants_write(), the owner closes.
  bool wants_read() const noexcept;

  // The final response (§8.1): status (2xx-5xx), the fields (connection-specific ones are
  // dropped, names lower-cased) and the content. False for a stream that is closed, unknown,
  // already answered, or a 1xx status. content-length is the owner's to send, as for HTTP/1.1.
  bool submit_response(stream_id id, http::status status, std::span<const header_field> fields,
                       response_body body);
  // An interim response (100 Continue, 103 Early Hints) before the final one (§8.1). Never 101,
  // which HTTP/2 does not have (§8.6).
  bool submit_interim(stream_id id, http::status status, std::span<const header_field> fields);
  // Trailers after the response content (§8.1): after submit_response() and before its body
  // has ended (for a pull source: at the latest from inside the call that answers ended). Not
  // with no_body, whose HEADERS already ended the stream.
  bool submit_trailers(stream_id id, std::span<const header_field> fields);
  // RST_STREAM (§6.4): CANCEL for a response abandoned, NO_ERROR for content no longer wanted
  // after a complete response, INTERNAL_ERROR for a handler that failed midway.
  bool reset_stream(stream_id id, error_code code);
  // The owner has taken n bytes of the content given by on_data: the client may send as many
  // again (WINDOW_UPDATE, §6.9). Bytes of a stream that closes unconsumed are consumed then.
  void consume(stream_id id, std::size_t n);
  // A pull source that answered wait has more: ask it again.
  bool resume(stream_id id);
  // Whether the stream's response has content left that the client's flow-control window
  // (the stream's or the connection's, §6.9) holds back: nothing of it can go until a
  // WINDOW_UPDATE.
  bool held_by_window(stream_id id) const noexcept;
  // A response the client's window has held back too long (a client that never opens it
  // keeps the stream, its file and its buffers forever): RST_STREAM CANCEL, counted.
  bool cut_stalled(stream_id id);

  // h2c upgrade (RFC 7540 §3.2): after the HTTP/1.1 request with "Upgrade: h2c" and one
  // HTTP2-Settings field, and after the 101 response has been written, before any feed().
  // The request becomes stream 1, half-closed from the client's side (its content, if any, came
  // over HTTP/1.1), and on_request(1, ...) fires from inside. False, and nothing happens, when
  // the settings are not base64url of a SETTINGS payload, or the session is not fresh.
  bool upgrade_from_h1(std::string_view settings_base64url, const request_head& head);

  // Graceful shutdown (§6.8): a GOAWAY that lets the client know no new stream will be taken;
  // go_away(no_error) a round trip later sets the last stream, and the session ends when the
  // streams in flight have. go_away with an error code ends it now.
  void shutdown_notice();
  void go_away(error_code code);

  const session_counters& counters() const noexcept { return counters_; }
  // Streams the session holds state for (open, or closing with frames still to send).
  std::size_t open_streams() const noexcept { return streams_.size(); }

 private:
  struct stream;
  struct callbacks;
  friend struct callbacks;

  stream* find(stream_id id) noexcept;
  void drain_all_but_content();
  void serialize_into(std::string& out, std::size_t max);
  void end_connection(error_code code, std::uint64_t& counter);
  void break_on(long lib_error);
  void announce(stream_id id, stream& s, bool ends_stream);

  session_events* events_;
  session_config config_;
  nghttp2_session* ng_ = nullptr;
  std::unordered_map<stream_id, std::unique_ptr<stream>> streams_;
  std::unique_ptr<response_fields> scratch_;  // reused for every response head
  session_counters counters_{};
  event_rate resets_;
  event_rate control_frames_;
  std::uint32_t continuations_ = 0;      // after the HEADERS frame being received
  stream_id last_request_ = 0;           // the highest stream a client's HEADERS opened
  std::string pending_;                  // frames serialized by feed(), not yet taken
  std::vector<stream_id> held_by_feed_;  // data deferred while feed() drained the queue
  std::optional<error_code> connection_error_{};
  bool draining_ = false;
  bool ending_ = false;  // the session has asked nghttp2 to end the connection
  bool broken_ = false;  // nghttp2 returned a fatal error: the session is unusable
};

}  // namespace teapot::h2
