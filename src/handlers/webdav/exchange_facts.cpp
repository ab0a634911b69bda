#include "handlers/webdav/exchange_facts.h"

#include "base/ascii.h"

namespace teapot::handlers::webdav {

exchange_facts exchange_facts::of(const request& req, std::string apath) {
  exchange_facts f;
  f.method.assign(req.method);
  f.apath = std::move(apath);
  f.trailing_slash = req.path.ends_with('/');
  f.version_minor = req.version_minor;
  f.fields.reserve(req.headers.size());
  for (const header_field& h : req.headers)
    f.fields.emplace_back(h.name, h.value);
  f.body.assign(req.body);
  return f;
}

std::optional<std::string_view> exchange_facts::field(std::string_view name) const noexcept {
  for (const auto& [n, v] : fields)
    if (base::ascii::iequals(n, name)) return std::string_view(v);
  return std::nullopt;
}

bool exchange_facts::knows_bindings() const noexcept {
  auto dav = field("DAV");
  if (!dav) return false;
  std::string_view v = *dav;
  for (std::size_t at = 0; at <= v.size();) {
    std::size_t comma = v.find(',', at);
    if (comma == std::string_view::npos) comma = v.size();
    std::string_view item = v.substr(at, comma - at);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t'))
      item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t'))
      item.remove_suffix(1);
    if (base::ascii::iequals(item, "bind")) return true;
    at = comma + 1;
  }
  return false;
}

}  // namespace teapot::handlers::webdav
