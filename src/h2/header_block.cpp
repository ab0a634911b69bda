#include "h2/header_block.h"

#include <charconv>

#include "base/ascii.h"

namespace teapot::h2 {

namespace {

// RFC 9113 §6.5.2: "the uncompressed size of each field ... plus an overhead of 32 octets".
constexpr std::size_t field_overhead = 32;

}  // namespace

header_block::slice header_block::keep(std::string_view bytes) {
  const slice s{static_cast<std::uint32_t>(text_.size()), static_cast<std::uint32_t>(bytes.size())};
  text_.append(bytes);
  return s;
}

void header_block::reject(request_error e) noexcept {
  if (!rejection_) rejection_ = e;
}

bool header_block::add_pseudo(std::string_view name, std::string_view value) {
  // nghttp2 lets only these four through on a request (§8.3.1), and :protocol once
  // SETTINGS_ENABLE_CONNECT_PROTOCOL is sent (RFC 8441 §4), each at most once.
  if (name == ":path" && value.size() > limits_->path) {
    reject(request_error::path_too_long);
    return true;
  }
  if (rejection_) return true;
  const slice v = keep(value);
  if (name == ":method") {
    method_ = v;
  } else if (name == ":scheme") {
    scheme_ = v;
  } else if (name == ":authority") {
    authority_ = v;
    has_authority_ = true;
  } else if (name == ":path") {
    path_ = v;
  } else if (name == ":protocol") {
    protocol_ = v;
  }
  return true;
}

bool header_block::add(std::string_view name, std::string_view value) {
  list_size_ += name.size() + value.size() + field_overhead;
  if (list_size_ > limits_->header_list_cap) return false;
  if (list_size_ > limits_->header_list) reject(request_error::header_list_too_large);
  if (name.starts_with(':')) return add_pseudo(name, value);
  if (++regular_ > limits_->fields) reject(request_error::too_many_fields);
  if (rejection_) return true;
  const slice n = keep(name);
  const slice v = keep(value);
  kept_.emplace_back(n, v);
  if (name == "host") host_ = v;
  if (name == "content-length") content_length_ = v;
  return true;
}

bool header_block::is_malformed() const noexcept {
  namespace ascii = base::ascii;
  const std::string_view authority = view(authority_);
  if (has_authority_ && host_ && !ascii::iequals(view(*host_), authority)) return true;
  const std::string_view scheme = view(scheme_);
  const bool http_scheme = ascii::iequals(scheme, "http") || ascii::iequals(scheme, "https");
  return http_scheme && authority.find('@') != std::string_view::npos;
}

std::span<const header_field> header_block::fields() {
  if (fields_.size() != kept_.size()) {
    fields_.clear();
    fields_.reserve(kept_.size());
    for (const auto& [n, v] : kept_)
      fields_.push_back({view(n), view(v)});
  }
  return fields_;
}

request_head header_block::head(bool ends_stream) {
  request_head h;
  h.method = view(method_);
  h.scheme = view(scheme_);
  h.authority = has_authority_ ? view(authority_) : host_ ? view(*host_) : std::string_view{};
  h.path = view(path_);
  h.protocol = view(protocol_);
  h.fields = fields();
  h.ends_stream = ends_stream;
  if (content_length_) {
    // nghttp2 has checked that it is 1*DIGIT and fits in 63 bits.
    const std::string_view digits = view(*content_length_);
    std::uint64_t n = 0;
    const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (r.ec == std::errc{}) h.content_length = n;
  }
  return h;
}

}  // namespace teapot::h2
