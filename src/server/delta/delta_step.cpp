#include "server/delta/delta_step.h"

#include <string_view>
#include <utility>

#include "base/ascii.h"
#include "http/ed_script.h"
#include "http/instance_manipulations.h"
#include "http/transcoding_rule.h"
#include "http/validators.h"
#include "server/compression/codec.h"
#include "server/compression/compress_response.h"

namespace teapot::srv::delta {

namespace {

using base::ascii::iequals;

// The gzip level of the "gzip" manipulation: zlib's default, as for Content-Encoding.
constexpr int gzip_level = 6;

// RFC 9110 §7.7, RFC 9111 §5.2.1.6, §5.2.2.6: no-transform from either side keeps the
// instance as it is. Whether a manipulation the client asked for (RFC 3229) is a transformation is
// left open; teapot reads the directive as the client's last word.
bool forbids_transform(const request& req, const response& res) {
  bool found = false;
  for (const header_field& h : req.headers)
    if (iequals(h.name, "Cache-Control")) found = found || http::has_no_transform(h.value);
  res.for_each_header([&](std::string_view name, std::string_view value) {
    if (iequals(name, "Cache-Control")) found = found || http::has_no_transform(value);
  });
  return found;
}

http::accepted_manipulations accepted(const request& req) {
  http::accepted_manipulations a;
  for (const header_field& h : req.headers)
    if (iequals(h.name, "A-IM")) {
      const auto more = http::parse_a_im(h.value);
      a.diffe = a.diffe || more.diffe;
      a.gzip = a.gzip || more.gzip;
    }
  return a;
}

}  // namespace

bool wants(const request& req, const response& res, const delta_encoding_options& options,
           bool has_range) {
  if (options.prefixes.empty() || req.method != "GET" || has_range) return false;
  bool below = false;
  for (const std::string& prefix : options.prefixes)
    below = below || req.path.starts_with(prefix);
  if (!below) return false;
  // An instance the server can read whole, whose strong tag names its bytes exactly (a delta's
  // base is named by a strong entity-tag, RFC 3229 §10.5.1).
  if (res.wants_error_page() || res.has_source() || res.length_unknown() ||
      !res.content_coding().empty() || res.content_length() > options.max_file_size)
    return false;
  const auto tag = res.etag();
  if (!tag || tag->weak) return false;
  const http::accepted_manipulations a = accepted(req);
  return (a.diffe || a.gzip) && !forbids_transform(req, res);
}

std::shared_ptr<work> plan(const request& req, const response& res,
                           const std::shared_ptr<version_store>& store) {
  auto w = std::make_shared<work>();
  w->store = store;
  // A strong tag names bytes within one resource only (RFC 9110 §8.8.1): "v7" of
  // /feed?u=1 and of /feed?u=2 may be different bodies, so the key is the whole target as
  // received, and the Host that chose the site.
  w->path.assign(req.header("Host").value_or(std::string_view{})).append("\n").append(req.target);
  w->opaque.assign(res.etag()->opaque);
  w->keep = !store->contains(w->path, w->opaque);
  const http::accepted_manipulations a = accepted(req);
  w->gzip = a.gzip;
  if (a.diffe)
    if (const auto inm = req.header("If-None-Match"))
      for (const http::entity_tag& t : http::list_entity_tags(*inm)) {
        // A weak tag names no exact bytes; the current tag was answered 304 already.
        if (t.weak || t.opaque == w->opaque) continue;
        if ((w->base = store->find(w->path, t.opaque))) {
          w->base_opaque.assign(t.opaque);
          break;
        }
      }
  if (!w->keep && !w->base && !w->gzip) return nullptr;
  return w;
}

void work::run() {
  std::string scratch;
  std::string_view content;
  if (!compression::read_identity_content(*res, scratch, content)) return;
  if (keep) store->keep(path, opaque, std::make_shared<const std::string>(content));
  if (base) {
    http::ed_script_limits limits;
    limits.max_output = content.size();  // a delta no shorter than the instance does not pay
    if (auto script = http::ed_script(*base, content, limits)) {
      body = std::move(*script);
      im = "diffe";
    }
  }
  if (gzip) {
    const std::string_view instance = im.empty() ? content : std::string_view(body);
    std::string coded;
    if (compression::gzip_compress(gzip_level, instance, coded) && coded.size() < instance.size()) {
      body = std::move(coded);
      im += im.empty() ? "gzip" : ", gzip";  // RFC 3229 §10.5.2: in the order applied
    }
  }
}

void complete(response& res, work& done) {
  if (done.im.empty()) return;
  res.set_status(http::status::im_used);
  res.set_body(done.body, {});  // an empty type keeps Content-Type: the instance's (§10.4.1)
  res.set_ranges_allowed(false);
  res.remove_header("Accept-Ranges");
  res.set_header("IM", done.im);
  if (done.im.starts_with("diffe")) res.set_header("Delta-Base", "\"" + done.base_opaque + "\"");
  // §10.6: a cache that does not know delta encoding must not store a 226 (no-store), one
  // that does knows what "im" asks and may.
  res.set_header("Cache-Control", "no-store, im");
}

}  // namespace teapot::srv::delta
