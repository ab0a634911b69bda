#include "h2/response_fields.h"

#include <array>

#include "base/ascii.h"

namespace teapot::h2 {

bool is_connection_specific(std::string_view name) noexcept {
  static constexpr std::array<std::string_view, 5> names = {
      "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"};
  for (std::string_view n : names) {
    if (base::ascii::iequals(name, n)) return true;
  }
  return false;
}

void response_fields::add_fields(std::span<const header_field> fields) {
  for (const header_field& f : fields) {
    if (is_connection_specific(f.name)) continue;
    for (char c : f.name)
      text_.push_back(base::ascii::to_lower(c));
    text_.append(f.value);
    lengths_.emplace_back(f.name.size(), f.value.size());
  }
}

// The pointers are taken once text_ has stopped growing.
std::span<const nghttp2_nv> response_fields::finish() {
  nv_.clear();
  auto* at = reinterpret_cast<std::uint8_t*>(text_.data());
  for (const auto& [name, value] : lengths_) {
    nv_.push_back({at, at + name, name, value, NGHTTP2_NV_FLAG_NONE});
    at += name + value;
  }
  return nv_;
}

std::span<const nghttp2_nv> response_fields::head(http::status s,
                                                  std::span<const header_field> fields) {
  text_.clear();
  lengths_.clear();
  const int code = http::to_int(s);
  text_ = ":status";
  text_.push_back(static_cast<char>('0' + code / 100));
  text_.push_back(static_cast<char>('0' + code / 10 % 10));
  text_.push_back(static_cast<char>('0' + code % 10));
  lengths_.emplace_back(7, 3);
  add_fields(fields);
  return finish();
}

std::span<const nghttp2_nv> response_fields::trailers(std::span<const header_field> fields) {
  text_.clear();
  lengths_.clear();
  add_fields(fields);
  return finish();
}

}  // namespace teapot::h2
