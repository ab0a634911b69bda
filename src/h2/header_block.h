// One header block of a request, its head or its trailers, as nghttp2 hands it over field by
// field once its own checks have passed (RFC 9113 §8.2.1 names and values, §8.3 pseudo-header
// presence, order and uniqueness, connection-specific fields, TE, content-length syntax).
// The block keeps what fits the limits, sizes it as §6.5.2 does while it is decoded, and adds
// the two checks of §8.3.1 that nghttp2 1.52 leaves out. Internal to h2.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "h2/request_error.h"
#include "h2/session_config.h"
#include "h2/session_events.h"
#include "teapot/request.h"

namespace teapot::h2 {

class header_block {
 public:
  explicit header_block(const head_limits& limits) noexcept : limits_(&limits) {}

  // Takes one decoded field. False once the decoded list has passed limits.header_list_cap:
  // the stream is to be reset, and later fields need not be given.
  bool add(std::string_view name, std::string_view value);
  // The first limit the block passed, if any; fields after it were counted, not kept.
  std::optional<request_error> rejection() const noexcept { return rejection_; }
  // §6.5.2: the octets of every name and value, and 32 for each field.
  std::size_t list_size() const noexcept { return list_size_; }
  // What §8.3.1 asks of a server and nghttp2 does not check: a Host field that names another
  // authority than :authority (a SHOULD, taken), and userinfo in an http or https :authority
  // (a MUST NOT). Only for a complete head that was kept whole.
  bool is_malformed() const noexcept;
  // The head, once the block is complete: views into the block, valid while it lives and is
  // not added to.
  request_head head(bool ends_stream);
  // The regular fields alone (trailers), on the same terms.
  std::span<const header_field> fields();

 private:
  struct slice {
    std::uint32_t at = 0;
    std::uint32_t length = 0;
  };
  slice keep(std::string_view bytes);
  std::string_view view(slice s) const noexcept { return {text_.data() + s.at, s.length}; }
  bool add_pseudo(std::string_view name, std::string_view value);
  void reject(request_error e) noexcept;

  const head_limits* limits_;
  std::string text_;  // names and values kept, back to back
  std::vector<std::pair<slice, slice>> kept_;
  std::vector<header_field> fields_;  // views into text_, made once text_ stops growing
  slice method_{};
  slice scheme_{};
  slice authority_{};
  slice path_{};
  slice protocol_{};
  std::optional<slice> host_{};
  std::optional<slice> content_length_{};
  bool has_authority_ = false;
  std::size_t list_size_ = 0;
  std::size_t regular_ = 0;  // regular fields seen, kept or not
  std::optional<request_error> rejection_{};
};

}  // namespace teapot::h2
