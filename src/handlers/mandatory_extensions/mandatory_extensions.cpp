#include "teapot/handlers/mandatory_extensions.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "base/ascii.h"

namespace teapot::handlers::mandatory_extensions {

namespace {

void skip_ows(std::string_view s, std::size_t& i) noexcept {
  while (i < s.size() && base::ascii::is_ows(s[i]))
    ++i;
}

// RFC 2774 §4.1: Man = "Man" ":" 1#ext-decl; ext-decl = <"> ( absoluteURI | field-name ) <">
// [ namespace ], namespace = ";" "ns" "=" header-prefix. Calls on_ext with each identifier
// (between the quotes) until it returns false; false when the value is not such a list.
template <class F>
bool for_each_declaration(std::string_view value, F&& on_ext) {
  std::size_t i = 0;
  bool any = false;
  while (i < value.size()) {
    skip_ows(value, i);
    if (i < value.size() && value[i] == ',') {  // empty list elements (RFC 9110 §5.6.1)
      ++i;
      continue;
    }
    if (i == value.size()) break;
    if (value[i] != '"') return false;
    const std::size_t close = value.find('"', i + 1);
    if (close == std::string_view::npos || close == i + 1) return false;
    any = true;
    if (!on_ext(value.substr(i + 1, close - i - 1))) return true;
    i = value.find(',', close + 1);  // the namespace parameter decides nothing here
    if (i == std::string_view::npos) break;
  }
  return any;
}

class mandatory_extensions_policy final : public policy {
 public:
  std::string_view name() const noexcept override { return "mandatory_extensions"; }
  explicit mandatory_extensions_policy(std::vector<std::string> implemented)
      : implemented_(std::move(implemented)) {}

  verdict on_request(const request& req, response& res) override {
    if (req.method.starts_with("M-") || declares_unknown(req)) {
      res.error(http::status::not_extended);
      return verdict::answered;
    }
    return verdict::next;
  }

 private:
  bool is_implemented(std::string_view ext) const noexcept {
    return std::find(implemented_.begin(), implemented_.end(), ext) != implemented_.end();
  }

  // RFC 2774 §7: 510 when the request's mandatory declarations are not all met, Man
  // (end-to-end, §4.1) and C-Man (hop-by-hop, §4.2, this server being the next hop) alike.
  bool declares_unknown(const request& req) const {
    for (const header_field& f : req.headers) {
      if (!base::ascii::iequals(f.name, "Man") && !base::ascii::iequals(f.name, "C-Man")) continue;
      bool unknown = false;
      const bool readable = for_each_declaration(f.value, [&](std::string_view ext) {
        unknown = !is_implemented(ext);
        return !unknown;
      });
      if (!readable || unknown) return true;
    }
    return false;
  }

  std::vector<std::string> implemented_;
};

}  // namespace

}  // namespace teapot::handlers::mandatory_extensions

namespace teapot::handlers {

std::shared_ptr<policy> make_mandatory_extensions(mandatory_extensions_options options) {
  return std::make_shared<mandatory_extensions::mandatory_extensions_policy>(
      std::move(options.implemented));
}

}  // namespace teapot::handlers
