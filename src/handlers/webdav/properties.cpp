#include "handlers/webdav/properties.h"

#include <array>
#include <ctime>

#include "handlers/webdav/xml.h"
#include "handlers/webdav/xml_bodies.h"
#include "http/date.h"
#include "http/mime_types.h"

namespace teapot::handlers::webdav {

namespace {

constexpr std::array<std::string_view, 9> live_names{
    "creationdate",    "displayname",  "getcontentlength", "getcontenttype", "getetag",
    "getlastmodified", "resourcetype", "supportedlock",    "lockdiscovery"};

// RFC 3339 date-time, as §15.1 asks.
void append_rfc3339(std::string& out, std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  out.append(buf, n);
}

// Whether the resource has the live property; when it has, its value is appended as the whole
// property element.
bool append_live(std::string& out, area& a, const std::string& apath, const resource_info& r,
                 std::string_view name) {
  auto open = [&out](std::string_view n) { out.append("<D:").append(n).push_back('>'); };
  auto close = [&out](std::string_view n) { out.append("</D:").append(n).push_back('>'); };
  if (name == "creationdate") {
    open(name);
    append_rfc3339(out, r.created);
    close(name);
  } else if (name == "displayname") {
    open(name);
    append_escaped(out, name_of(apath));
    close(name);
  } else if (name == "getcontentlength") {
    if (r.collection) return false;
    open(name);
    out.append(std::to_string(r.size));
    close(name);
  } else if (name == "getcontenttype") {
    if (r.collection) return false;
    open(name);
    append_escaped(out, http::content_type_for_path(apath));
    close(name);
  } else if (name == "getetag") {
    if (r.etag.empty()) return false;
    open(name);
    append_escaped(out, r.etag);
    close(name);
  } else if (name == "getlastmodified") {
    char buf[http::imf_fixdate_size];
    open(name);
    out.append(http::format_imf_fixdate(r.mtime.tv_sec, buf));
    close(name);
  } else if (name == "resourcetype") {
    out.append(r.collection ? "<D:resourcetype><D:collection/></D:resourcetype>"
                            : "<D:resourcetype/>");
  } else if (name == "supportedlock") {
    out.append(
        "<D:supportedlock>"
        "<D:lockentry><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/>"
        "</D:locktype></D:lockentry>"
        "<D:lockentry><D:lockscope><D:shared/></D:lockscope><D:locktype><D:write/>"
        "</D:locktype></D:lockentry></D:supportedlock>");
  } else if (name == "lockdiscovery") {
    append_lockdiscovery(out, a, apath);
  } else {
    return false;
  }
  return true;
}

void append_href_of(std::string& out, const area& a, const std::string& apath, bool collection) {
  out.append("<D:href>");
  append_href(out, a.request_path(apath, collection));
  out.append("</D:href>");
}

void append_empty(std::string& out, const xml_name& n) {
  append_open_name(out, n);
  out.append("/>");
}

}  // namespace

bool is_live(const xml_name& n) noexcept {
  if (n.ns != dav_ns) return false;
  for (std::string_view l : live_names)
    if (n.local == l) return true;
  return false;
}

bool is_protected(const xml_name& n) noexcept {
  return is_live(n) && n.local != "displayname";
}

void append_lockdiscovery(std::string& out, area& a, const std::string& apath) {
  const auto now = lock_clock::now();
  out.append("<D:lockdiscovery>");
  for (const lock_record& l : a.db->locks_covering(apath, now))
    append_activelock(out, l, a.request_path(l.root, false), now);
  out.append("</D:lockdiscovery>");
}

void append_already_reported(std::string& out, const area& a, const std::string& apath) {
  out.append("<D:response>");
  append_href_of(out, a, apath, true);
  out.append("<D:status>").append(status_text(http::status::already_reported));
  out.append("</D:status></D:response>");
}

void append_propfind_response(std::string& out, area& a, const std::string& apath,
                              const resource_info& info, const propfind_request& req) {
  out.append("<D:response>");
  append_href_of(out, a, apath, info.collection);
  const std::vector<dead_property> dead = a.db->properties(apath);
  auto dead_of = [&dead](const xml_name& n) -> const dead_property* {
    for (const dead_property& d : dead)
      if (d.name == n) return &d;
    return nullptr;
  };
  std::string found, missing;
  using kind = propfind_request::kind;
  if (req.what == kind::prop) {
    for (const xml_name& n : req.names) {
      if (const dead_property* d = dead_of(n)) {
        found.append(d->value_xml);
      } else if (!(n.ns == dav_ns && append_live(found, a, apath, info, n.local))) {
        append_empty(missing, n);
      }
    }
  } else {
    const bool names_only = req.what == kind::propname;
    for (std::string_view l : live_names) {
      xml_name n{.ns = std::string(dav_ns), .local = std::string(l)};
      if (dead_of(n)) continue;  // a displayname of the client's replaces the file's name
      std::string value;
      if (!append_live(value, a, apath, info, l)) continue;
      if (names_only)
        append_empty(found, n);
      else
        found.append(value);
    }
    for (const dead_property& d : dead) {
      if (names_only)
        append_empty(found, d.name);
      else
        found.append(d.value_xml);
    }
  }
  if (!found.empty() || missing.empty()) {
    out.append("<D:propstat><D:prop>").append(found);
    out.append("</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>");
  }
  if (!missing.empty()) {
    out.append("<D:propstat><D:prop>").append(missing);
    out.append("</D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>");
  }
  out.append("</D:response>");
}

}  // namespace teapot::handlers::webdav
