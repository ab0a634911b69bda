#include "server/representation.h"

#include <random>

#include "base/ascii.h"
#include "http/validators.h"
#include "server/compression/compress_response.h"
#include "server/error_page.h"
#include "server/response_access.h"
#include "server/site_access.h"

namespace teapot::srv {

namespace {

using base::ascii::iequals;

// The request fields this step reads, found in one pass over the header section.
struct request_fields {
  http::conditions conditions;
  std::optional<std::string_view> range;
  std::optional<std::string_view> if_range;
};

request_fields scan_fields(const request& req) noexcept {
  request_fields f;
  for (const header_field& h : req.headers) {
    const char c = h.name.empty() ? '\0' : h.name.front();
    if (c != 'I' && c != 'i' && c != 'R' && c != 'r') continue;  // the common case: none
    if (iequals(h.name, "If-Match"))
      f.conditions.if_match = h.value;
    else if (iequals(h.name, "If-None-Match"))
      f.conditions.if_none_match = h.value;
    else if (iequals(h.name, "If-Modified-Since"))
      f.conditions.if_modified_since = h.value;
    else if (iequals(h.name, "If-Unmodified-Since"))
      f.conditions.if_unmodified_since = h.value;
    else if (iequals(h.name, "If-Range"))
      f.if_range = h.value;
    else if (iequals(h.name, "Range"))
      f.range = h.value;
  }
  return f;
}

http::validators validators_of(const response& res) {
  http::validators v;
  v.etag = res.etag();
  v.last_modified = res.last_modified();
  return v;
}

// RFC 9110 §15.4.5: a 304 carries the fields a 200 would have had that guide caches, and no
// other representation metadata.
void make_not_modified(response& res) {
  res.set_status(http::status::not_modified);
  res.set_body({}, {});
  res.remove_headers(
      {"Content-Type", "Content-Language", "Content-Encoding", "Content-Length", "Accept-Ranges"});
}

std::string make_boundary() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  static constexpr char hex[] = "0123456789abcdef";
  std::string b(24, '0');
  std::uint64_t bits = random();
  for (std::size_t i = 0; i < 16; ++i, bits >>= 4)
    b[i] = hex[bits & 15];
  bits = random();
  for (std::size_t i = 16; i < b.size(); ++i, bits >>= 4)
    b[i] = hex[bits & 15];
  return b;
}

// RFC 9110 §14.6: each part carries its own Content-Type and Content-Range.
void plan_multipart(response& res, std::uint64_t length, representation_plan& plan) {
  const std::string boundary = make_boundary();
  const std::string type(res.content_type().empty() ? std::string_view("application/octet-stream")
                                                    : res.content_type());
  std::string range;
  for (const http::byte_range& r : plan.selection.ranges) {
    representation_plan::part p;
    p.head = plan.parts.empty() ? "--" : "\r\n--";
    p.head += boundary;
    p.head += "\r\nContent-Type: ";
    p.head += type;
    p.head += "\r\nContent-Range: ";
    range.clear();
    http::format_content_range(r, length, range);
    p.head += range;
    p.head += "\r\n\r\n";
    p.first = r.first;
    p.length = r.length();
    plan.content_length += p.head.size() + p.length;
    plan.parts.push_back(std::move(p));
  }
  plan.closing = "\r\n--" + boundary + "--\r\n";
  plan.content_length += plan.closing.size();
  res.set_status(http::status::partial_content);
  res.set_content_type("multipart/byteranges; boundary=" + boundary);
}

void apply_ranges(const request& req, const request_fields& f, response& res,
                  representation_plan& plan, const site* site) {
  const std::uint64_t length = res.content_length();
  http::select_ranges(*f.range, length, http::range_limits{}, plan.selection);
  switch (plan.selection.outcome) {
    case http::range_outcome::whole:
      return;
    case http::range_outcome::unsatisfiable: {
      std::string value;
      http::format_unsatisfied_range(length, value);
      res.error(http::status::range_not_satisfiable);
      res.set_header("Content-Range", value);
      write_error_page(res.status(), req, site, res);
      return;
    }
    case http::range_outcome::partial:
      break;
  }
  if (plan.selection.ranges.size() > 1) return plan_multipart(res, length, plan);
  const http::byte_range& r = plan.selection.ranges.front();
  std::string value;
  http::format_content_range(r, length, value);
  res.set_status(http::status::partial_content);
  res.set_header("Content-Range", value);
  response_access::set_content_window(res, r.first, r.length());
}

// The coding, now or (a large file) left to the pool. A coded response has no ranges, so
// nothing else of the representation follows it.
bool compress_or_leave(const request& req, response& res, const compression::decision& coded,
                       representation_plan& plan) {
  if (compression::is_pool_work(req, res, coded)) {
    plan.coding = coded;
    return false;
  }
  compression::compress(req, res, coded);
  return true;
}

}  // namespace

bool apply_representation(const request& req, response& res, std::time_t now,
                          representation_plan& plan, const site* site) {
  plan.clear();
  // Conditionals and ranges are about a successful GET or HEAD of a representation; other
  // methods check their preconditions before acting (RFC 9110 §13.2.1).
  if (res.status() != http::status::ok || res.wants_error_page()) return true;
  const request_fields f = scan_fields(req);
  // A request for instance-manipulations gets them in place of a content-coding (RFC 3229),
  // so that its If-None-Match compares the instance's own tags.
  const bool manipulates = site && site_access::delta_store(*site) &&
                           delta::wants(req, res, site->delta_encoding(), f.range.has_value());
  // The coding picks the representation whose validators the preconditions compare.
  compression::decision coded;
  if (site && site->compression().enabled && !manipulates)
    coded = compression::decide(req, res, site->compression(), f.range.has_value());
  const bool is_get = req.method == "GET";
  if (!is_get && req.method != "HEAD") return compress_or_leave(req, res, coded, plan);
  const bool ranged = res.ranges_allowed() && !res.length_unknown() && !coded.chosen;
  if (ranged) res.set_header("Accept-Ranges", "bytes");
  const http::conditions& c = f.conditions;
  if (c.if_match || c.if_none_match || c.if_modified_since || c.if_unmodified_since) {
    switch (http::evaluate_preconditions(req.method, c, validators_of(res), now)) {
      case http::precondition_result::proceed:
        break;
      case http::precondition_result::not_modified:
        make_not_modified(res);
        return true;
      case http::precondition_result::precondition_failed:
        res.error(http::status::precondition_failed);
        write_error_page(res.status(), req, site, res);
        return true;
    }
  }
  if (coded.chosen) return compress_or_leave(req, res, coded, plan);
  if (manipulates) {
    plan.delta = delta::plan(req, res, site_access::delta_store(*site));
    return plan.delta == nullptr;
  }
  // RFC 9110 §14.2: Range is defined for GET only; If-Range decides whether to honour it.
  if (!is_get || !ranged || !f.range) return true;
  if (f.if_range && !http::if_range_allows(f.if_range, validators_of(res))) return true;
  apply_ranges(req, f, res, plan, site);
  return true;
}

}  // namespace teapot::srv
