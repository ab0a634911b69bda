#include "server/upstream_transcoding.h"

#include "base/ascii.h"
#include "http/media_type.h"
#include "http/transcoding_rule.h"

namespace teapot::srv {

namespace ascii = base::ascii;

void upstream_transcoding::start(const request& req, bool enabled) {
  enabled_ = enabled;
  if (!enabled) return;
  for (const header_field& f : req.headers)
    if (ascii::iequals(f.name, "Cache-Control") && http::has_no_transform(f.value))
      request_no_transform_ = true;
}

bool upstream_transcoding::begin(const h1::response_head& head, std::string_view& content_type,
                                 response& res) {
  if (!enabled_) return false;
  http::transcoding_facts facts{.status = head.status,
                                .content_type = content_type,
                                .content_coded = head.transfer_coded,
                                .no_transform = request_no_transform_};
  for (const header_field& f : head.fields) {
    if (ascii::iequals(f.name, "Cache-Control") && http::has_no_transform(f.value))
      facts.no_transform = true;
    if (ascii::iequals(f.name, "Content-Encoding") && http::is_content_coded(f.value))
      facts.content_coded = true;
  }
  const std::optional<http::legacy_charset> from = http::charset_to_transcode(facts);
  if (!from) return false;
  transcoder_.emplace(*from);
  if (!transcoder_->is_open()) {  // no gconv module for it: relayed as it came
    transcoder_.reset();
    return false;
  }
  // charset_to_transcode read the same value: it parses.
  content_type_ =
      http::with_charset(content_type, *http::parse_media_type(content_type)->charset, "utf-8");
  content_type = content_type_;
  res.set_status(http::status::non_authoritative_information);
  if (const std::optional<http::entity_tag> tag = res.etag(); tag && !tag->weak)
    res.set_etag(std::string(tag->opaque), true);
  for (std::string_view name : http::fields_false_after_transcoding)
    res.remove_header(name);
  return true;
}

}  // namespace teapot::srv
