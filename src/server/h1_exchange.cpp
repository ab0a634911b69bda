#include "server/h1_exchange.h"

#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

namespace teapot::srv::h1_exchange {

namespace {

// Files up to this size are read into the output buffer, so that a batch of pipelined
// responses leaves in one write; larger ones go with sendfile.
constexpr std::uint64_t inline_file_max = 16 * 1024;

// Appends [first, first + length) of the content.
bool append_window(exchange& ex, output_queue& queue, std::uint64_t first, std::uint64_t length) {
  response& res = *ex.res;
  std::string& out = queue.bytes();
  if (!res.has_file()) {
    out.append(std::string_view(res.body()).substr(first, length));
    return true;
  }
  const std::uint64_t offset = res.file_offset() + first;
  if (length <= inline_file_max) {
    const std::size_t at = out.size();
    out.resize(at + length);
    const ssize_t n = ::pread(res.file_fd(), out.data() + at, length, static_cast<off_t>(offset));
    if (n == static_cast<ssize_t>(length)) return true;
    // The head is out already with this length: the only honest end is to close.
    out.resize(at);
    return false;
  }
  // A single window takes the descriptor over; the parts of a multipart answer share it.
  std::shared_ptr<const void> keeper;
  const int fd =
      ex.plan.is_multipart() ? ::dup(res.file_fd()) : response_access::take_file(res, keeper);
  if (fd < 0) return false;
  queue.append_file(fd, offset, length, std::move(keeper));
  return true;
}

bool append_multipart(exchange& ex, output_queue& queue) {
  for (const representation_plan::part& part : ex.plan.parts) {
    queue.bytes().append(part.head);
    if (!append_window(ex, queue, part.first, part.length)) return false;
  }
  queue.bytes().append(ex.plan.closing);
  return true;
}

}  // namespace

std::string_view authority_of(const h1::request_head& h) {
  const std::size_t scheme = h.target.find("://");
  if (h.target.empty() || h.target.front() == '/' || scheme == std::string_view::npos)
    return h.host;
  std::string_view rest = h.target.substr(scheme + 3);
  return rest.substr(0, rest.find_first_of("/?"));
}

pipeline::head_facts facts_of(const h1::request_head& h) {
  pipeline::head_facts facts;
  // RFC 9112 §3.2.3: a CONNECT names its authority in its target, the site is chosen by it.
  facts.authority = h.method == "CONNECT" ? h.target : authority_of(h);
  facts.can_proxy = true;
  facts.has_content = h.framing != h1::body_framing::none;
  if (h.framing == h1::body_framing::content_length) facts.content_length = h.content_length;
  return facts;
}

expect_step on_expect(const h1::request_head& h, const exchange& ex, bool content_started) {
  const bool no_content = h.framing == h1::body_framing::content_length && h.content_length == 0;
  if (!h.expect_continue || h.version_minor < 1 || content_started || no_content)
    return expect_step::none;
  return ex.match.target == nullptr ? expect_step::answer_now : expect_step::send_continue;
}

h1::head_params head_of(const exchange& ex, bool keep_alive) {
  const response& res = *ex.res;
  h1::head_params p;
  p.status = res.status();
  p.version_minor = ex.req.version_minor;
  p.body = h1::choose_body_kind(p.status, !res.length_unknown(), ex.req.version_minor);
  // A 400 says the request made no sense to the server, whoever decided it; what follows on
  // the connection may be as wrong, so the connection ends with it (as nginx and Apache end it).
  // A CONNECT answered without its tunnel (a 2xx with one is written apart) ends it too: the
  // client may have sent bytes for the tunnel right behind its head, which read as a next
  // request would be a request the client never made (RFC 9110 §9.3.6).
  p.keep_alive = keep_alive && p.body != h1::body_kind::close_delimited &&
                 p.status != http::status::bad_request && ex.req.method != "CONNECT";
  if (p.body == h1::body_kind::length)
    p.content_length = ex.plan.is_multipart() ? ex.plan.content_length : res.content_length();
  return p;
}

bool append_content(exchange& ex, output_queue& queue, h1::body_kind body) {
  if (ex.plan.is_multipart()) return append_multipart(ex, queue);
  std::string& out = queue.bytes();
  const bool chunked = body == h1::body_kind::chunked;
  const std::uint64_t len = ex.res->content_length();
  if (chunked && len > 0) {
    char size[20];
    const int n =
        std::snprintf(size, sizeof size, "%llx\r\n", static_cast<unsigned long long>(len));
    out.append(size, static_cast<std::size_t>(n));
  }
  const bool ok = append_window(ex, queue, 0, len);
  if (chunked && len > 0) out.append("\r\n");
  if (chunked) out.append("0\r\n\r\n");
  return ok;
}

}  // namespace teapot::srv::h1_exchange
