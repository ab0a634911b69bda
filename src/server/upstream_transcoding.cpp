#include "server/upstream_transcoding.h"

#include "base/ascii.h"
#include "http/media_type.h"
#include "http/transcoding_rule.h"

namespace teapot::srv {

namespace ascii = base::ascii;

namespace {

// RFC 9110 §8.8.1: the same meaning in other bytes is what a weak tag promises.
void weaken_etag(response& res) {
  if (const std::optional<http::entity_tag> tag = res.etag(); tag && !tag->weak)
    res.set_etag(std::string(tag->opaque), true);
}

}  // namespace

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
  // A 304 (no content, none to transcode) names the representation the client holds by the
  // upstream's strong tag (RFC 9110 §15.4.5), while the client holds the 203's weak one when
  // the 200 was transcoded: a cache would find no stored response with that strong tag to
  // update (RFC 9111 §4.3.4). A 304 does not tell (it carries no Content-Type), so it goes
  // weakened unless no-transform (the request's, or the response's, which a 304 repeats from
  // its 200) says the 200 was not transcoded; a weak tag still selects a stored response with
  // the strong one of the same opaque value (§4.3.4 compares a weak validator weakly).
  if (head.status == 304) {
    if (!facts.no_transform) weaken_etag(res);
    return false;
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
  weaken_etag(res);
  for (std::string_view name : http::fields_false_after_transcoding)
    res.remove_header(name);
  return true;
}

}  // namespace teapot::srv
