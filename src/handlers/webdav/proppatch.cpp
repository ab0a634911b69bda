#include "handlers/webdav/conditions.h"
#include "handlers/webdav/dav_requests.h"
#include "handlers/webdav/methods.h"
#include "handlers/webdav/properties.h"
#include "handlers/webdav/xml.h"
#include "handlers/webdav/xml_bodies.h"

namespace teapot::handlers::webdav {

// RFC 4918 §9.2: every instruction or none, reported per property in one 207.
outcome proppatch(area& a, const exchange_facts& f) {
  resource_info target = stat_resource(a.fs_path(f.apath));
  if (!target.exists) return outcome::of(http::status::not_found);
  xml_element root;
  if (f.body.empty() || parse_xml(f.body, {}, root) != xml_error::none)
    return outcome::of(http::status::bad_request);
  std::vector<proppatch_instruction> patch;
  std::string why;
  if (!read_proppatch(root, patch, why)) return outcome::of(http::status::unprocessable_content);
  if_context ifc;
  if (!ifc.read(f)) return outcome::of(http::status::bad_request);
  if (auto o = check_conditions(a, f, ifc, target)) return *o;
  if (auto o = check_locks(a, ifc, {lock_scope::of(f.apath)})) return *o;

  bool refused = false;
  for (const proppatch_instruction& i : patch)
    refused = refused || is_protected(i.name);
  if (!refused) a.db->apply(f.apath, patch);

  // §9.2.1: one propstat per status; with a refusal, the others failed by dependence (424).
  std::string ok, forbidden, dependent;
  for (const proppatch_instruction& i : patch) {
    std::string& into = !refused ? ok : is_protected(i.name) ? forbidden : dependent;
    append_open_name(into, i.name);
    into.append("/>");
  }
  outcome o = outcome::of(http::status::multi_status);
  o.xml.assign(xml_declaration);
  o.xml.append("<D:multistatus xmlns:D=\"DAV:\"><D:response><D:href>");
  append_href(o.xml, a.request_path(f.apath, target.collection));
  o.xml.append("</D:href>");
  auto group = [&o](const std::string& props, http::status s, std::string_view precondition) {
    if (props.empty()) return;
    o.xml.append("<D:propstat><D:prop>").append(props).append("</D:prop><D:status>");
    o.xml.append(status_text(s)).append("</D:status>");
    if (!precondition.empty())
      o.xml.append("<D:error><D:").append(precondition).append("/></D:error>");
    o.xml.append("</D:propstat>");
  };
  group(ok, http::status::ok, {});
  group(forbidden, http::status::forbidden, "cannot-modify-protected-property");
  group(dependent, http::status::failed_dependency, {});
  o.xml.append("</D:response></D:multistatus>\n");
  return o;
}

}  // namespace teapot::handlers::webdav
