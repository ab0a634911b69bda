#include "server/h2_exchange.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <memory>
#include <utility>

#include "server/response_access.h"

namespace teapot::srv::h2_exchange {

namespace {

// Content up to this size is copied into the session with the head; larger content is pulled
// from where it lies as the windows open.
constexpr std::uint64_t copy_max = 16 * 1024;

// A file's descriptor for as long as the session pulls from it: owned (closed here), or held
// open by the keeper the response handed over with it.
struct open_file {
  int fd = -1;
  std::shared_ptr<const void> keeper;
  open_file() = default;
  open_file(const open_file&) = delete;
  open_file& operator=(const open_file&) = delete;
  ~open_file() {
    if (fd >= 0 && !keeper) ::close(fd);
  }
};

// One piece of the content: bytes the pull holds, or a window of the response's memory or
// file.
struct segment {
  std::string text;  // used when length is 0 and from_response is false
  bool from_response = false;
  std::uint64_t first = 0;  // into the response's content (its body, or its file window)
  std::uint64_t length = 0;
};

// Pulls the segments in order from the response (its memory) or the file.
class segment_pull {
 public:
  segment_pull(std::shared_ptr<response> res, std::shared_ptr<open_file> file,
               std::uint64_t file_offset, std::vector<segment> segments)
      : res_(std::move(res)),
        file_(std::move(file)),
        file_offset_(file_offset),
        segments_(std::move(segments)) {}

  h2::pull_result operator()(std::span<char> buffer) {
    std::size_t filled = 0;
    while (filled < buffer.size() && at_ < segments_.size()) {
      const segment& s = segments_[at_];
      const std::uint64_t size = s.from_response ? s.length : s.text.size();
      const std::size_t n =
          static_cast<std::size_t>(std::min<std::uint64_t>(size - done_, buffer.size() - filled));
      if (!s.from_response) {
        std::memcpy(buffer.data() + filled, s.text.data() + done_, n);
      } else if (file_) {
        const ssize_t got = ::pread(file_->fd, buffer.data() + filled, n,
                                    static_cast<off_t>(file_offset_ + s.first + done_));
        // The file shrank under the response: the content ends short of its content-length,
        // which the client's codec reports as a malformed response (RFC 9113 §8.1.1).
        if (got <= 0) return {filled, h2::pull_state::ended};
        filled += static_cast<std::size_t>(got);
        done_ += static_cast<std::uint64_t>(got);
        if (done_ == size) next();
        continue;
      } else {
        std::memcpy(buffer.data() + filled, res_->body().data() + s.first + done_, n);
      }
      filled += n;
      done_ += n;
      if (done_ == size) next();
    }
    return {filled, at_ == segments_.size() ? h2::pull_state::ended : h2::pull_state::more};
  }

 private:
  void next() {
    ++at_;
    done_ = 0;
  }

  std::shared_ptr<response> res_;
  std::shared_ptr<open_file> file_;
  std::uint64_t file_offset_ = 0;
  std::vector<segment> segments_;
  std::size_t at_ = 0;
  std::uint64_t done_ = 0;
};

}  // namespace

pipeline::head_facts facts_of(const h2::request_head& h) {
  pipeline::head_facts facts;
  facts.authority = h.authority;
  // RFC 8441 §5: after the 2xx to an extended CONNECT, the stream's DATA frames carry the
  // protocol it opened, not the request's content; so do a CONNECT's (below).
  facts.has_content = !h.ends_stream && h.protocol.empty() && h.method != "CONNECT";
  // RFC 9113 §8.5: a CONNECT asks a forward proxy for a tunnel to its :authority; its DATA
  // are the tunnel's bytes, never content. (No absolute-form exists here: :path is a path.)
  facts.can_proxy = true;
  facts.content_length = h.content_length;
  return facts;
}

bool has_no_content(const exchange& ex) noexcept {
  return ex.req.is_head() || !http::may_have_content(ex.res->status());
}

void head_fields(const exchange& ex, std::string_view date, std::string_view server,
                 std::string& scratch, std::vector<header_field>& out) {
  const response& res = *ex.res;
  out.clear();
  scratch.clear();
  res.for_each_header([&out](std::string_view name, std::string_view value) {
    out.push_back({name, value});
  });
  // RFC 9110 §8.6: never in a 2xx to CONNECT, whose content is the tunnel's.
  const bool tunnel =
      ex.req.method == "CONNECT" && http::class_of(res.status()) == http::status_class::successful;
  if (http::may_have_content(res.status()) && !res.length_unknown() && !tunnel) {
    const std::uint64_t length =
        ex.plan.is_multipart() ? ex.plan.content_length : res.content_length();
    char digits[24];
    const auto r = std::to_chars(digits, digits + sizeof digits, length);
    scratch.assign(digits, r.ptr);
    out.push_back({"content-length", scratch});
  }
  out.push_back({"date", date});
  if (!server.empty()) out.push_back({"server", server});
}

h2::response_body content_of(exchange& ex, std::uint64_t& length) {
  response& res = *ex.res;
  std::vector<segment> segments;
  if (ex.plan.is_multipart()) {
    for (representation_plan::part& part : ex.plan.parts) {
      segment head;
      head.text = std::move(part.head);
      segments.push_back(std::move(head));
      segment window;
      window.from_response = true;
      window.first = part.first;
      window.length = part.length;
      segments.push_back(window);
    }
    segment closing;
    closing.text = std::move(ex.plan.closing);
    segments.push_back(std::move(closing));
    length = ex.plan.content_length;
  } else {
    length = res.content_length();
    if (length == 0) return h2::no_body{};
    if (!res.has_file() && length <= copy_max) return std::string(res.body().substr(0, length));
    segment whole;
    whole.from_response = true;
    whole.length = length;
    segments.push_back(whole);
  }
  std::shared_ptr<open_file> file;
  std::uint64_t offset = 0;
  if (res.has_file()) {
    file = std::make_shared<open_file>();
    offset = res.file_offset();
    file->fd = ex.plan.is_multipart() ? ::dup(res.file_fd())
                                      : response_access::take_file(res, file->keeper);
    if (file->fd < 0) return h2::no_body{};
  }
  auto pull = std::make_shared<segment_pull>(ex.res, std::move(file), offset, std::move(segments));
  return h2::pull_source([pull](std::span<char> buffer) { return (*pull)(buffer); });
}

}  // namespace teapot::srv::h2_exchange
