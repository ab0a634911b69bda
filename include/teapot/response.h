// The response a handler fills. One object per connection, reused from request to request,
// so that a steady stream of requests allocates nothing once its buffers have grown.
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "teapot/body_source.h"
#include "teapot/body_writer.h"
#include "teapot/http/entity_tag.h"
#include "teapot/http/status.h"

namespace teapot {

class response;
class deferred_response;
class pending_verdict;

namespace srv {
// The server's side of a response (src/server/response_access.h): what an embedding program
// never calls.
class exchange_channel;
class deferral_link;
struct response_access;
struct ws_upgrade;
struct tunnel_handoff;
}  // namespace srv

class response {
 public:
  response() = default;
  response(const response&) = delete;
  response& operator=(const response&) = delete;
  ~response();

  http::status status() const noexcept { return status_; }
  void set_status(http::status s) noexcept { status_ = s; }

  // Adds a field. Names and values must be valid field syntax (no CR, LF or NUL): a value that
  // is not is dropped rather than allowed to split the response. Content-Length,
  // Transfer-Encoding, Connection and Keep-Alive are the server's and are dropped too.
  // Content-Type, Content-Encoding, ETag and Last-Modified set the typed metadata below (one
  // value each: a second replaces the first).
  void add_header(std::string_view name, std::string_view value);
  // Replaces every field of that name (case-insensitive) by one.
  void set_header(std::string_view name, std::string_view value);
  void remove_header(std::string_view name);
  // Removes every field with one of these names, in one pass.
  void remove_headers(std::initializer_list<std::string_view> names);
  std::optional<std::string_view> header(std::string_view name) const noexcept;
  // Every field, the typed metadata first, each formatted once when it was set.
  template <class F>
  void for_each_header(F&& f) const {
    if (!meta_.type.empty()) f(std::string_view("Content-Type"), std::string_view(meta_.type));
    if (!meta_.coding.empty())
      f(std::string_view("Content-Encoding"), std::string_view(meta_.coding));
    if (!meta_.etag.empty()) f(std::string_view("ETag"), std::string_view(meta_.etag));
    if (meta_.last_modified)
      f(std::string_view("Last-Modified"), std::string_view(meta_.last_modified_text));
    for (const auto& h : headers_)
      f(std::string_view(fields_).substr(h.name_at, h.name_len),
        std::string_view(fields_).substr(h.value_at, h.value_len));
  }

  // Content held in memory. content_type is sent as given: give a charset for text.
  void set_body(std::string_view body, std::string_view content_type);
  void text(std::string_view body) { set_body(body, "text/plain; charset=utf-8"); }
  void html(std::string_view body) { set_body(body, "text/html; charset=utf-8"); }
  // No charset: RFC 8259 §11 defines none for application/json, which is UTF-8 (§8.1).
  void json(std::string_view body) { set_body(body, "application/json"); }
  std::string& body() noexcept { return body_; }
  const std::string& body() const noexcept { return body_; }

  // Content from a file: the response owns fd and closes it. Sent with sendfile.
  void set_file(int fd, std::uint64_t offset, std::uint64_t length, std::string_view content_type);
  // The same from a descriptor that outlives the response (an open-file cache's): keeper holds
  // fd open for as long as the server may still send from it, and fd is never closed here.
  // keeper must not be empty (an empty one makes fd the response's, to close).
  void set_file(std::shared_ptr<const void> keeper, int fd, std::uint64_t offset,
                std::uint64_t length, std::string_view content_type);
  int file_fd() const noexcept { return file_fd_; }
  std::uint64_t file_offset() const noexcept { return file_offset_; }
  std::uint64_t content_length() const noexcept;
  bool has_file() const noexcept { return file_fd_ >= 0; }

  // Content made while it is sent (see body_source.h): pulled whenever the connection can take
  // more. With a length, it goes with Content-Length and must end exactly there; without, it
  // goes chunked (HTTP/1.1) or delimited by close (HTTP/1.0).
  void set_source(std::shared_ptr<body_source> source, std::string_view content_type,
                  std::optional<std::uint64_t> length = std::nullopt);
  // Content pushed as it is made (see body_writer.h): a source fed by the returned writer.
  body_writer stream(std::string_view content_type,
                     std::optional<std::uint64_t> length = std::nullopt);
  bool has_source() const noexcept { return source_ != nullptr; }

  // The representation's metadata (RFC 9110 §8.3, §8.4, §8.8), held typed: the server's
  // conditional requests, ranges, compression and caches read these values and never parse
  // header text; the serializer writes each field once. The validators answer conditional
  // GET/HEAD (304/412) and If-Range for every handler: set them whenever they are known.
  // Content-Type as sent ("text/plain; charset=utf-8"); empty: none.
  void set_content_type(std::string_view media_type);
  std::string_view content_type() const noexcept { return meta_.type; }
  // Content-Encoding ("gzip", "br"); empty: the identity.
  void set_content_coding(std::string_view coding);
  std::string_view content_coding() const noexcept { return meta_.coding; }
  // The entity tag from its parts: opaque is what goes between the quotes (RFC 9110 §8.8.3:
  // %x21 / %x23-7E / obs-text); an opaque part outside that grammar leaves no tag.
  void set_etag(std::string_view opaque, bool weak);
  // The same from a whole tag, quotes included ("\"v7\"", "W/\"v7\""); anything else leaves
  // no tag.
  void set_etag(std::string_view tag);
  // Views into the response, valid until the tag changes.
  std::optional<http::entity_tag> etag() const noexcept;
  void set_last_modified(std::time_t t);
  std::optional<std::time_t> last_modified() const noexcept { return meta_.last_modified; }
  // Whether a Range request on a 200 of known length is answered with 206/416, and the 200
  // says Accept-Ranges: bytes. Unless set here, it is for content from a file or with a strong
  // entity tag: a client combines parts only under a strong validator (RFC 9110 §15.3.7.3), so
  // parts of content that may differ from one request to the next would be worse than none.
  // Never for content from a source.
  void set_ranges_allowed(bool allowed) noexcept {
    ranges_ = allowed ? ranges_choice::allowed : ranges_choice::refused;
  }
  bool ranges_allowed() const noexcept {
    if (source_ || ranges_ == ranges_choice::refused) return false;
    return ranges_ == ranges_choice::allowed || has_file() ||
           (!meta_.etag.empty() && !meta_.etag.starts_with("W/"));
  }

  // Content of unknown length is sent chunked (HTTP/1.1) or delimited by close (HTTP/1.0).
  void set_length_unknown(bool unknown) noexcept { length_unknown_ = unknown; }
  bool length_unknown() const noexcept { return length_unknown_; }

  // Sets status and Location. The target is sent as given (it must be a valid URI reference).
  void redirect(http::status code, std::string_view location);
  // Sets an error status and leaves the body to the server's error page (localized by
  // Accept-Language, with the headers the status requires).
  void error(http::status code) noexcept;
  // True when the server should write the standard page for this status.
  bool wants_error_page() const noexcept;

  // Sends a 1xx (such as 103 Early Hints with Link fields) before the final response.
  bool send_interim(http::status code,
                    std::span<const std::pair<std::string_view, std::string_view>> fields);

  // Takes the response out of the synchronous flow: the handler returns, and the final answer
  // goes out when the returned handle's send() is called (from any thread).
  deferred_response defer();
  bool is_deferred() const noexcept { return deferred_; }

 private:
  friend struct srv::response_access;
  // Readies the object for the next exchange.
  void reset(srv::exchange_channel* channel) noexcept;
  // Hands the file descriptor over to the caller (-1 when there is none). With a keeper (see
  // set_file), the caller holds keeper instead of closing the descriptor.
  int take_file(std::shared_ptr<const void>& keeper) noexcept;
  // Takes the source over (null when there is none): the caller pulls it or tells it it was
  // cancelled.
  std::shared_ptr<body_source> take_source() noexcept;
  // Narrows the content to [first, first + length) (a single byte range).
  void set_content_window(std::uint64_t first, std::uint64_t length);

  struct field_ref {
    std::uint32_t name_at, name_len, value_at, value_len;
  };
  struct metadata {
    std::string type;
    std::string coding;
    std::string etag;  // the whole tag as sent, W/ and quotes included; empty: none
    std::optional<std::time_t> last_modified;
    std::string last_modified_text;  // IMF-fixdate
    void clear() noexcept;
  };
  http::status status_ = http::status::ok;
  std::string fields_;  // every name and value, back to back, but the metadata's
  metadata meta_;
  std::vector<field_ref> headers_;
  std::string body_;
  void release_file() noexcept;
  void release_source() noexcept;
  // The typed field a name stands for (null for any other): its text, for header().
  const std::string* metadata_text(std::string_view name) const noexcept;
  bool set_metadata(std::string_view name, std::string_view value);
  bool clear_metadata(std::string_view name) noexcept;
  int file_fd_ = -1;
  std::shared_ptr<const void> file_keeper_;  // set: file_fd_ is borrowed, not owned
  std::shared_ptr<body_source> source_;
  // A 101 that a WebSocket route made: what the connection becomes once it is written.
  std::shared_ptr<srv::ws_upgrade> upgrade_;
  // A 200 to a forward proxy's CONNECT: the destination's socket, which the connection becomes
  // a tunnel to once the 200 is written.
  std::shared_ptr<srv::tunnel_handoff> tunnel_;
  std::uint64_t file_offset_ = 0;
  std::uint64_t file_length_ = 0;  // of the file part, or of the source's content when known
  bool length_unknown_ = false;
  enum class ranges_choice : std::uint8_t { by_content, allowed, refused };
  ranges_choice ranges_ = ranges_choice::by_content;
  bool body_set_ = false;
  bool deferred_ = false;
  srv::exchange_channel* channel_ = nullptr;
};

// A response that a handler finishes later. Copies share one state (so that it can be captured
// in callbacks, or handed to another thread); the first send() sends. Every member may be
// called from any thread: from another thread than the exchange's loop, send() hands the
// response over to the loop, which writes it. Fill res() from one thread at a time, and not
// after send(). If the client has gone away, send() does nothing, and the request's views must
// no longer be read (is_open() says whether it is still there; the views stay valid until the
// last copy of the handle is gone).
class deferred_response {
 public:
  deferred_response() = default;
  response& res() noexcept { return *res_; }
  void send();
  // Runs fn on the exchange's loop thread soon, unless the exchange has ended by then.
  void post(std::function<void()> fn);
  // Runs fn on the exchange's loop thread after the delay (the deferred form's clock), unless
  // the exchange has ended by then. An exception from fn answers the exchange with a 500.
  void run_after(std::chrono::milliseconds delay, std::function<void()> fn);
  // Runs work on the server's blocking-work pool (disk syncs, password hashes, compression of
  // large bodies: anything that would stall the loop), then then on the exchange's loop
  // thread, unless the exchange has ended by then. An exception from either answers with a 500.
  void run_blocking(std::function<void()> work, std::function<void()> then);
  bool is_open() const noexcept;

 private:
  friend struct srv::response_access;
  friend class pending_verdict;  // ends a step's wait with "next", which no handler may do
  deferred_response(std::shared_ptr<response> res, std::shared_ptr<srv::deferral_link> link)
      : res_(std::move(res)), link_(std::move(link)) {}
  std::shared_ptr<response> res_;
  std::shared_ptr<srv::deferral_link> link_;
};

}  // namespace teapot
