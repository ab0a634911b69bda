#include "handlers/webdav/conditions.h"
#include "handlers/webdav/directory.h"
#include "handlers/webdav/methods.h"
#include "handlers/webdav/tree.h"
#include "handlers/webdav/xml.h"
#include "handlers/webdav/xml_bodies.h"
#include "http/dav_fields.h"

namespace teapot::handlers::webdav {

std::string failures_body(const area& a, const std::vector<std::string>& apaths,
                          http::status each) {
  std::string out(xml_declaration);
  out.append("<D:multistatus xmlns:D=\"DAV:\">");
  const std::string status = status_text(each);
  for (const std::string& p : apaths) {
    out.append("<D:response><D:href>");
    append_href(out, a.request_path(p, false));
    out.append("</D:href><D:status>").append(status).append("</D:status></D:response>");
  }
  out.append("</D:multistatus>\n");
  return out;
}

namespace {

bool has_members(const std::string& dir) {
  directory d(dir);
  return !d.next().empty();
}

}  // namespace

// RFC 4918 §9.6.
outcome remove(area& a, const exchange_facts& f) {
  if (f.apath == "/") return outcome::of(http::status::forbidden);  // the area itself stays
  resource_info target = stat_resource(a.fs_path(f.apath));
  if (!target.exists) return outcome::of(http::status::not_found);
  if (target.collection && !target.symlink) {
    // §9.6.1: a collection is always deleted whole.
    if (auto d = f.field("Depth"); d && http::parse_depth(*d) != http::depth::infinity)
      return outcome::of(http::status::bad_request);
    if (!a.options.depth_infinity && has_members(a.fs_path(f.apath)))
      return outcome::of(http::status::forbidden);
  }
  if_context ifc;
  if (!ifc.read(f)) return outcome::of(http::status::bad_request);
  if (auto o = check_conditions(a, f, ifc, target)) return *o;
  if (auto o = check_locks(a, ifc, {lock_scope::of(parent_of(f.apath)), lock_scope::tree(f.apath)}))
    return *o;
  std::vector<std::string> failed;
  std::vector<std::string> removed;
  delete_tree(a, f.apath, failed, &removed);
  if (failed.empty()) {
    a.db->remove_properties(f.apath);
    a.db->remove_locks(f.apath);
    return outcome::of(http::status::no_content);
  }
  // What is gone loses its properties and locks; what stayed keeps them.
  for (const std::string& p : removed) {
    a.db->remove_properties(p);
    a.db->remove_locks(p);
  }
  outcome o = outcome::of(http::status::multi_status);
  o.xml = failures_body(a, failed, http::status::forbidden);
  return o;
}

}  // namespace teapot::handlers::webdav
