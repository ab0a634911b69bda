#include <sys/stat.h>

#include <cerrno>

#include "handlers/webdav/conditions.h"
#include "handlers/webdav/methods.h"

namespace teapot::handlers::webdav {

// RFC 4918 §9.3.
outcome mkcol(area& a, const exchange_facts& f) {
  // §9.3.1: a body the server does not understand is 415; MKCOL with content is not defined.
  if (!f.body.empty()) return outcome::of(http::status::unsupported_media_type);
  resource_info target = stat_resource(a.fs_path(f.apath));
  if (target.exists) {
    outcome o = outcome::of(http::status::method_not_allowed);
    o.fields.emplace_back("Allow", allow_for(a, target));
    return o;
  }
  const std::string parent(parent_of(f.apath));
  resource_info up = stat_resource(a.fs_path(parent));
  if (!up.exists || !up.collection) return outcome::of(http::status::conflict);
  if_context ifc;
  if (!ifc.read(f)) return outcome::of(http::status::bad_request);
  if (auto o = check_conditions(a, f, ifc, target)) return *o;
  if (auto o = check_locks(a, ifc, {lock_scope::of(parent), lock_scope::of(f.apath)})) return *o;
  if (::mkdir(a.fs_path(f.apath).c_str(), 0755) != 0) {
    if (errno == ENOSPC || errno == EDQUOT) return outcome::of(http::status::insufficient_storage);
    if (errno == EEXIST) return outcome::of(http::status::method_not_allowed);
    return outcome::of(http::status::forbidden);
  }
  outcome o = outcome::of(http::status::created);
  o.fields.emplace_back("Location", a.request_path(f.apath, true));
  return o;
}

}  // namespace teapot::handlers::webdav
