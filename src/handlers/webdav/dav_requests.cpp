#include "handlers/webdav/dav_requests.h"

#include <cstddef>
#include <string_view>

namespace teapot::handlers::webdav {

namespace {

// The DAV: children of e with one of the given local names, at most one of each. Elements of
// other names are skipped: RFC 4918 §17 has unknown elements, in any namespace, ignored with
// their content. A name given twice is a shape the DTD does not allow.
template <std::size_t N>
bool find_children(const xml_element& e, const std::string_view (&locals)[N],
                   const xml_element* (&found)[N], std::string& why) {
  for (const xml_element*& f : found)
    f = nullptr;
  for (const xml_element& child : e.children) {
    if (child.name.ns != dav_ns) continue;
    for (std::size_t i = 0; i < N; ++i) {
      if (child.name.local != locals[i]) continue;
      if (found[i] != nullptr) {
        why = "DAV:" + e.name.local + " holds DAV:" + child.name.local + " twice";
        return false;
      }
      found[i] = &child;
    }
  }
  return true;
}

std::vector<xml_name> names_of_children(const xml_element& e) {
  std::vector<xml_name> names;
  names.reserve(e.children.size());
  for (const xml_element& child : e.children)
    names.push_back(child.name);
  return names;
}

bool has_root(const xml_element& root, std::string_view local, std::string& why) {
  if (root.name.is_dav(local)) return true;
  why = "the root element is {" + root.name.ns + "}" + root.name.local + ", not DAV:";
  why += local;
  return false;
}

// RFC 4918 §14.25 lockscope: exactly one of exclusive, shared.
bool read_lockscope(const xml_element& scope, bool& exclusive, std::string& why) {
  static constexpr std::string_view locals[] = {"exclusive", "shared"};
  const xml_element* found[2];
  if (!find_children(scope, locals, found, why)) return false;
  if ((found[0] != nullptr) == (found[1] != nullptr)) {
    why = "DAV:lockscope holds neither or both of DAV:exclusive and DAV:shared";
    return false;
  }
  exclusive = found[0] != nullptr;
  return true;
}

// RFC 4918 §14.15 locktype: write is the only type defined, and the only one supported.
bool read_locktype(const xml_element& type, std::string& why) {
  static constexpr std::string_view locals[] = {"write"};
  const xml_element* found[1];
  if (!find_children(type, locals, found, why)) return false;
  if (found[0] == nullptr) {
    why = "DAV:locktype holds no DAV:write; only write locks exist";
    return false;
  }
  return true;
}

// One DAV:set or DAV:remove of RFC 4918 §14.23/§14.26: a DAV:prop of one property or more.
bool read_update(const xml_element& update, bool remove, std::vector<proppatch_instruction>& out,
                 std::string& why) {
  static constexpr std::string_view locals[] = {"prop"};
  const xml_element* found[1];
  if (!find_children(update, locals, found, why)) return false;
  if (found[0] == nullptr || found[0]->children.empty()) {
    why = "DAV:" + update.name.local + " holds no DAV:prop with a property in it";
    return false;
  }
  for (const xml_element& property : found[0]->children)
    out.push_back({remove, property.name, remove ? std::string() : to_xml(property)});
  return true;
}

}  // namespace

// RFC 4918 §9.1, §14.20: <!ELEMENT propfind ( propname | (allprop, include?) | prop ) >. The
// order of allprop and include is not checked; unknown elements are ignored (§17, which
// litmus's "propextended" exercises with an unknown DAV:foobar).
bool read_propfind(const xml_element& root, propfind_request& out, std::string& why) {
  out = propfind_request{};
  if (!has_root(root, "propfind", why)) return false;
  static constexpr std::string_view locals[] = {"allprop", "propname", "prop", "include"};
  const xml_element* found[4];
  if (!find_children(root, locals, found, why)) return false;
  const auto& [allprop, propname, prop, include] = found;
  const int commands = (allprop != nullptr) + (propname != nullptr) + (prop != nullptr);
  if (commands != 1) {
    why = commands == 0 ? "DAV:propfind holds none of DAV:allprop, DAV:propname, DAV:prop"
                        : "DAV:propfind holds more than one of DAV:allprop, DAV:propname, DAV:prop";
    return false;
  }
  if (include != nullptr && allprop == nullptr) {
    why = "DAV:include without DAV:allprop";
    return false;
  }
  if (allprop != nullptr) {
    out.what = propfind_request::kind::allprop;
    if (include != nullptr) out.names = names_of_children(*include);
  } else if (propname != nullptr) {
    out.what = propfind_request::kind::propname;
  } else {
    out.what = propfind_request::kind::prop;
    out.names = names_of_children(*prop);
  }
  return true;
}

// RFC 4918 §9.2, §14.19: <!ELEMENT propertyupdate (remove | set)+ >, applied in document order.
bool read_proppatch(const xml_element& root, std::vector<proppatch_instruction>& out,
                    std::string& why) {
  out.clear();
  if (!has_root(root, "propertyupdate", why)) return false;
  for (const xml_element& child : root.children) {
    if (child.name.ns != dav_ns) continue;  // §17
    const bool remove = child.name.local == "remove";
    if (!remove && child.name.local != "set") continue;
    if (!read_update(child, remove, out, why)) {
      out.clear();
      return false;
    }
  }
  if (out.empty()) {
    why = "DAV:propertyupdate holds no DAV:set or DAV:remove";
    return false;
  }
  return true;
}

// RFC 4918 §9.10, §14.11: <!ELEMENT lockinfo (lockscope, locktype, owner?) >.
bool read_lockinfo(const xml_element& root, lockinfo& out, std::string& why) {
  out = lockinfo{};
  if (!has_root(root, "lockinfo", why)) return false;
  static constexpr std::string_view locals[] = {"lockscope", "locktype", "owner"};
  const xml_element* found[3];
  if (!find_children(root, locals, found, why)) return false;
  const auto& [scope, type, owner] = found;
  if (scope == nullptr || type == nullptr) {
    why = "DAV:lockinfo lacks DAV:lockscope or DAV:locktype";
    return false;
  }
  if (!read_lockscope(*scope, out.exclusive, why) || !read_locktype(*type, why)) return false;
  if (owner != nullptr) out.owner_xml = to_xml(*owner);
  return true;
}

}  // namespace teapot::handlers::webdav
