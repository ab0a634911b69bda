// The transforming side of a proxy route with transcode_legacy_text (teapot/proxy.h): the
// decision on the upstream's final head, the 203 and its fields, and the content converted as
// it is decoded. The decision and the conversion are http/'s (transcoding_rule.h,
// charset_transcoder.h); this holds them for one upstream_exchange.
// Thread contract: the worker's loop thread, as its upstream_exchange.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "h1/response_parser.h"
#include "http/charset_transcoder.h"
#include "teapot/request.h"
#include "teapot/response.h"

namespace teapot::srv {

class upstream_transcoding {
 public:
  // Before the request goes: whether the route transcodes, and whether the client asked that
  // nothing be transformed (no-transform in its Cache-Control, RFC 9111 §5.2.1.6).
  void start(const request& req, bool enabled);
  // With the upstream's final head, once its fields are in res: when the response is to be
  // transcoded, makes res the 203 (RFC 9110 §15.3.4) with the UTF-8 charset in content_type
  // (which then views this object), the entity tag weakened and the fields that the new bytes
  // make false removed, and returns true. The caller then sends the content with its length
  // unknown and gives every decoded byte to convert. A 304's strong entity tag is weakened
  // (unless no-transform), as the 200 it validates may have been a 203.
  bool begin(const h1::response_head& head, std::string_view& content_type, response& res);
  bool active() const noexcept { return transcoder_.has_value(); }
  // Appends the UTF-8 of decoded content to out.
  void convert(std::string_view decoded, std::string& out) { transcoder_->transcode(decoded, out); }
  // The end of the content.
  void finish(std::string& out) {
    if (transcoder_) transcoder_->finish(out);
  }

 private:
  bool enabled_ = false;
  bool request_no_transform_ = false;
  std::optional<http::charset_transcoder> transcoder_;
  std::string content_type_;
};

}  // namespace teapot::srv
