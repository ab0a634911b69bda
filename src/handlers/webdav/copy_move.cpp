#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>

#include "base/ascii.h"
#include "handlers/webdav/conditions.h"
#include "handlers/webdav/methods.h"
#include "handlers/webdav/tree.h"
#include "http/dav_fields.h"

namespace teapot::handlers::webdav {

namespace {

// True when the destination (a name in an existing parent) resolves to the source or below it,
// or the source resolves below the destination, once symbolic links are followed.
bool same_or_nested(const area& a, const std::string& source, std::string_view to_parent,
                    std::string_view to_name) {
  char real_source[PATH_MAX];
  char real_parent[PATH_MAX];
  if (::realpath(a.fs_path(source).c_str(), real_source) == nullptr ||
      ::realpath(a.dir_path(to_parent).c_str(), real_parent) == nullptr)
    return false;
  std::string dest(real_parent);
  if (dest != "/") dest.push_back('/');
  dest.append(to_name);
  const std::string src(real_source);
  return is_within(dest, src) || is_within(src, dest);
}

}  // namespace

// RFC 4918 §9.8 (COPY) and §9.9 (MOVE).
outcome copy_or_move(area& a, const exchange_facts& f) {
  const bool move = f.method == "MOVE";
  auto dest_field = f.field("Destination");
  if (!dest_field) return outcome::of(http::status::bad_request);
  auto dest = http::parse_uri_target(*dest_field);
  if (!dest) return outcome::of(http::status::bad_request);
  // Another server's resource: this one cannot act there (RFC 4918 §9.8.5, as a gateway would).
  if (!is_this_server(f, dest->scheme, dest->authority))
    return outcome::of(http::status::bad_gateway);
  auto to = a.area_path(dest->path);
  if (!to) return outcome::of(http::status::bad_gateway);
  if (is_reserved(*to) || *to == "/") return outcome::of(http::status::forbidden);
  if (move && f.apath == "/") return outcome::of(http::status::forbidden);

  resource_info source = stat_resource(a.fs_path(f.apath));
  if (!source.exists) return outcome::of(http::status::not_found);
  // §9.8.5, §9.9.4: the same resource, or a collection copied or moved into itself.
  if (is_within(*to, f.apath) || is_within(f.apath, *to))
    return outcome::of(http::status::forbidden);

  // The same check through bindings (RFC 5842): a symbolic link may make another path name
  // the source, or a place inside it.
  if (same_or_nested(a, f.apath, parent_of(*to), name_of(*to)))
    return outcome::of(http::status::forbidden);

  bool deep = true;
  if (auto d = f.field("Depth")) {
    auto depth = http::parse_depth(*d);
    if (!depth || *depth == http::depth::one || (move && *depth != http::depth::infinity))
      return outcome::of(http::status::bad_request);
    deep = *depth == http::depth::infinity;
  }
  if (deep && source.collection && !move && !a.options.depth_infinity)
    return outcome::of(http::status::forbidden);
  bool overwrite = true;
  if (auto o = f.field("Overwrite")) {
    auto v = http::parse_overwrite(*o);
    if (!v) return outcome::of(http::status::bad_request);
    overwrite = *v;
  }
  const std::string to_parent(parent_of(*to));
  resource_info up = stat_resource(a.fs_path(to_parent));
  if (!up.exists || !up.collection) return outcome::of(http::status::conflict);
  resource_info target = stat_resource(a.fs_path(*to));
  if (target.exists && !overwrite) return outcome::of(http::status::precondition_failed);

  if_context ifc;
  if (!ifc.read(f)) return outcome::of(http::status::bad_request);
  if (auto o = check_conditions(a, f, ifc, source)) return *o;
  if (move) {
    if (auto o =
            check_locks(a, ifc, {lock_scope::of(parent_of(f.apath)), lock_scope::tree(f.apath)}))
      return *o;
  }
  // RFC 4918 §7.5: the destination's parent guards its membership, which changes only when the
  // destination is new; a resource replaced there needs its own locks' tokens.
  if (auto o = target.exists ? check_locks(a, ifc, {lock_scope::tree(*to)})
                             : check_locks(a, ifc, {lock_scope::of(to_parent)}))
    return *o;

  std::vector<std::string> failed;
  if (target.exists) {
    // §9.8.4, §9.9.3: the destination is deleted first, as a DELETE with Depth infinity.
    delete_tree(a, *to, failed);
    if (!failed.empty()) {
      outcome o = outcome::of(http::status::multi_status);
      o.xml = failures_body(a, failed, http::status::forbidden);
      return o;
    }
    a.db->remove_properties(*to);
    a.db->remove_locks(*to);
  }
  const http::status done = target.exists ? http::status::no_content : http::status::created;
  if (move && ::rename(a.fs_path(f.apath).c_str(), a.fs_path(*to).c_str()) == 0) {
    a.db->move_properties(f.apath, *to);
    a.db->remove_locks(f.apath);  // §9.9.4: locks stay with the URL, not the moved resource
    return outcome::of(done);
  }
  if (move && errno != EXDEV) return outcome::of(http::status::forbidden);

  switch (copy_tree(a, {.from = f.apath, .to = *to, .deep = deep, .bind = f.knows_bindings()},
                    failed)) {
    case copy_result::done:
      break;
    case copy_result::partial: {
      outcome o = outcome::of(http::status::multi_status);
      o.xml = failures_body(a, failed, http::status::forbidden);
      return o;
    }
    case copy_result::no_space:
      return outcome::of(http::status::insufficient_storage);
    case copy_result::loop:
      return outcome::of(http::status::loop_detected);
  }
  a.db->copy_properties(f.apath, *to, deep);
  if (move) {
    delete_tree(a, f.apath, failed);
    a.db->remove_properties(f.apath);
    a.db->remove_locks(f.apath);
  }
  return outcome::of(done);
}

}  // namespace teapot::handlers::webdav
