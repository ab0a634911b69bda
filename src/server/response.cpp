#include "teapot/response.h"

#include "base/ascii.h"
#include "http/date.h"
#include "http/validators.h"
#include "server/body_writer_state.h"
#include "server/response_access.h"
#include "teapot/policy.h"

#include <strings.h>
#include <unistd.h>

namespace teapot {

namespace {

using base::ascii::iequals;

// The message's framing and persistence belong to the server: a handler's Content-Length,
// Transfer-Encoding or Connection could contradict what the server writes (RFC 9112 §6).
bool is_framing_field(std::string_view name) noexcept {
  return iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
         iequals(name, "Connection") || iequals(name, "Keep-Alive");
}

// A field that would let a handler split the response (CR, LF) or smuggle NUL is never sent.
bool is_safe_field(std::string_view name, std::string_view value) noexcept {
  return base::ascii::is_token(name) && !is_framing_field(name) &&
         base::ascii::is_field_value(value);
}

// RFC 9110 §8.8.3: etagc = %x21 / %x23-7E / obs-text.
bool is_opaque_tag(std::string_view opaque) noexcept {
  for (const char c : opaque) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u == 0x22 || u == 0x7F) return false;
  }
  return true;
}

}  // namespace

void response::metadata::clear() noexcept {
  type.clear();
  coding.clear();
  etag.clear();
  last_modified.reset();
  last_modified_text.clear();
}

const std::string* response::metadata_text(std::string_view name) const noexcept {
  if (iequals(name, "Content-Type")) return &meta_.type;
  if (iequals(name, "Content-Encoding")) return &meta_.coding;
  if (iequals(name, "ETag")) return &meta_.etag;
  if (iequals(name, "Last-Modified")) return &meta_.last_modified_text;
  return nullptr;
}

// A metadata field given by name: it sets the typed value. False for any other name.
bool response::set_metadata(std::string_view name, std::string_view value) {
  if (iequals(name, "Content-Type")) {
    set_content_type(value);
  } else if (iequals(name, "Content-Encoding")) {
    set_content_coding(value);
  } else if (iequals(name, "ETag")) {
    set_etag(value);
  } else if (iequals(name, "Last-Modified")) {
    // Normalized to an IMF-fixdate; a value that is no HTTP date says nothing to compare.
    if (const auto t = http::parse_http_date(value))
      set_last_modified(*t);
    else
      clear_metadata(name);
  } else {
    return false;
  }
  return true;
}

bool response::clear_metadata(std::string_view name) noexcept {
  if (iequals(name, "Content-Type")) {
    meta_.type.clear();
  } else if (iequals(name, "Content-Encoding")) {
    meta_.coding.clear();
  } else if (iequals(name, "ETag")) {
    meta_.etag.clear();
  } else if (iequals(name, "Last-Modified")) {
    meta_.last_modified.reset();
    meta_.last_modified_text.clear();
  } else {
    return false;
  }
  return true;
}

void response::set_content_type(std::string_view media_type) {
  if (!base::ascii::is_field_value(media_type)) return;
  meta_.type.assign(media_type);
}

void response::set_content_coding(std::string_view coding) {
  if (!base::ascii::is_field_value(coding)) return;
  meta_.coding.assign(coding);
}

void response::set_etag(std::string_view opaque, bool weak) {
  meta_.etag.clear();
  if (!is_opaque_tag(opaque)) return;
  meta_.etag.append(weak ? "W/\"" : "\"").append(opaque).append("\"");
}

void response::set_etag(std::string_view tag) {
  const std::optional<http::entity_tag> parsed = http::parse_entity_tag(tag);
  if (!parsed) {
    meta_.etag.clear();
    return;
  }
  meta_.etag.assign(tag);
}

std::optional<http::entity_tag> response::etag() const noexcept {
  if (meta_.etag.empty()) return std::nullopt;
  const bool weak = meta_.etag.front() == 'W';
  const std::size_t at = weak ? 3 : 1;
  return http::entity_tag{std::string_view(meta_.etag).substr(at, meta_.etag.size() - at - 1),
                          weak};
}

response::~response() {
  release_file();
  release_source();
}

void response::release_source() noexcept {
  if (!source_) return;
  // Dropped before its end: a writer stops, a producer learns nobody will read.
  std::shared_ptr<body_source> gone = std::move(source_);
  gone->cancelled();
}

void response::release_file() noexcept {
  if (file_fd_ >= 0 && !file_keeper_) ::close(file_fd_);
  file_fd_ = -1;
  file_keeper_.reset();
}

void response::add_header(std::string_view name, std::string_view value) {
  if (!is_safe_field(name, value)) return;
  if (set_metadata(name, value)) return;
  field_ref ref{};
  ref.name_at = static_cast<std::uint32_t>(fields_.size());
  ref.name_len = static_cast<std::uint32_t>(name.size());
  fields_.append(name);
  ref.value_at = static_cast<std::uint32_t>(fields_.size());
  ref.value_len = static_cast<std::uint32_t>(value.size());
  fields_.append(value);
  headers_.push_back(ref);
}

void response::remove_header(std::string_view name) {
  if (clear_metadata(name)) return;
  std::erase_if(headers_, [&](const field_ref& h) {
    return iequals(std::string_view(fields_).substr(h.name_at, h.name_len), name);
  });
}

void response::remove_headers(std::initializer_list<std::string_view> names) {
  for (std::string_view name : names)
    clear_metadata(name);
  std::erase_if(headers_, [&](const field_ref& h) {
    const std::string_view n = std::string_view(fields_).substr(h.name_at, h.name_len);
    for (std::string_view name : names)
      if (iequals(n, name)) return true;
    return false;
  });
}

void response::set_header(std::string_view name, std::string_view value) {
  remove_header(name);
  add_header(name, value);
}

std::optional<std::string_view> response::header(std::string_view name) const noexcept {
  if (const std::string* text = metadata_text(name))
    return text->empty() ? std::nullopt : std::optional<std::string_view>(*text);
  for (const auto& h : headers_) {
    std::string_view n = std::string_view(fields_).substr(h.name_at, h.name_len);
    if (iequals(n, name)) return std::string_view(fields_).substr(h.value_at, h.value_len);
  }
  return std::nullopt;
}

void response::set_body(std::string_view body, std::string_view content_type) {
  release_file();
  release_source();
  body_.assign(body);
  body_set_ = true;
  if (!content_type.empty()) set_content_type(content_type);
}

void response::set_file(int fd, std::uint64_t offset, std::uint64_t length,
                        std::string_view content_type) {
  release_file();
  release_source();
  body_.clear();
  file_fd_ = fd;
  file_offset_ = offset;
  file_length_ = length;
  body_set_ = true;
  if (!content_type.empty()) set_content_type(content_type);
}

void response::set_file(std::shared_ptr<const void> keeper, int fd, std::uint64_t offset,
                        std::uint64_t length, std::string_view content_type) {
  set_file(fd, offset, length, content_type);
  file_keeper_ = std::move(keeper);
}

void response::set_source(std::shared_ptr<body_source> source, std::string_view content_type,
                          std::optional<std::uint64_t> length) {
  release_file();
  release_source();
  body_.clear();
  source_ = std::move(source);
  file_length_ = length.value_or(0);
  length_unknown_ = !length;
  body_set_ = true;
  if (!content_type.empty()) set_content_type(content_type);
}

body_writer response::stream(std::string_view content_type, std::optional<std::uint64_t> length) {
  auto state = std::make_shared<body_writer_state>();
  set_source(state, content_type, length);
  return body_writer(std::move(state));
}

std::shared_ptr<body_source> response::take_source() noexcept {
  return std::move(source_);
}

std::uint64_t response::content_length() const noexcept {
  return file_fd_ >= 0 || source_ ? file_length_ : body_.size();
}

void response::set_last_modified(std::time_t t) {
  // A thread serves the same few files over and over: their dates are formatted once.
  thread_local std::time_t last = 0;
  thread_local char buf[http::imf_fixdate_size];
  thread_local std::string_view text;
  if (text.empty() || t != last) {
    text = http::format_imf_fixdate(t, buf);
    last = t;
  }
  if (text.empty()) return;  // a date outside the years 0000..9999 is better left unsaid
  meta_.last_modified = t;
  meta_.last_modified_text.assign(text);
}

void response::redirect(http::status code, std::string_view location) {
  status_ = code;
  set_header("Location", location);
}

void response::error(http::status code) noexcept {
  status_ = code;
  body_set_ = false;
  body_.clear();
  if (source_) {
    release_source();
    length_unknown_ = false;
  }
}

bool response::wants_error_page() const noexcept {
  return !body_set_ && !length_unknown_ && http::to_int(status_) >= 400;
}

bool response::send_interim(http::status code,
                            std::span<const std::pair<std::string_view, std::string_view>> fields) {
  if (!http::is_informational(code) || channel_ == nullptr) return false;
  return channel_->send_interim(code, fields);
}

deferred_response response::defer() {
  deferred_ = true;
  if (channel_ == nullptr) return {};
  return channel_->make_deferred(*this);
}

void response::set_content_window(std::uint64_t first, std::uint64_t length) {
  if (file_fd_ >= 0) {
    file_offset_ += first;
    file_length_ = length;
  } else {
    body_ = body_.substr(static_cast<std::size_t>(first), static_cast<std::size_t>(length));
  }
}

int response::take_file(std::shared_ptr<const void>& keeper) noexcept {
  int fd = file_fd_;
  file_fd_ = -1;
  keeper = std::move(file_keeper_);
  file_keeper_.reset();
  return fd;
}

void response::reset(srv::exchange_channel* channel) noexcept {
  status_ = http::status::ok;
  fields_.clear();
  headers_.clear();
  meta_.clear();
  body_.clear();
  release_file();
  release_source();
  upgrade_.reset();
  tunnel_.reset();
  file_offset_ = file_length_ = 0;
  length_unknown_ = body_set_ = deferred_ = false;
  ranges_ = ranges_choice::by_content;
  channel_ = channel;
}

void deferred_response::send() {
  if (link_) link_->send();
}

void deferred_response::post(std::function<void()> fn) {
  if (link_) link_->post(std::move(fn));
}

void deferred_response::run_after(std::chrono::milliseconds delay, std::function<void()> fn) {
  if (link_) link_->run_after(delay, std::move(fn));
}

void deferred_response::run_blocking(std::function<void()> work, std::function<void()> then) {
  if (link_) link_->run_blocking(std::move(work), std::move(then));
}

bool deferred_response::is_open() const noexcept {
  return link_ && res_ && link_->is_open();
}

void pending_verdict::next() {
  if (wait_.link_) wait_.link_->pass();
}

}  // namespace teapot
