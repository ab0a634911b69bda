#include "teapot/handlers/rules.h"

#include <algorithm>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "http/path.h"

namespace teapot::handlers::rules {

namespace {

// RFC 6585 §3 names the writes that lose updates; MOVE is WebDAV's (RFC 4918 §9.9).
const std::vector<std::string> default_conditional_methods{"PUT", "DELETE", "PATCH", "MOVE"};

bool is_field_safe(std::string_view text) noexcept {
  return text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

void require(bool ok, const std::string& why) {
  if (!ok) throw std::invalid_argument(why);
}

bool is_redirect_status(http::status s) noexcept {
  using http::status;
  return s == status::moved_permanently || s == status::found || s == status::see_other ||
         s == status::temporary_redirect || s == status::permanent_redirect;
}

void check_return_status(const rule& r) {
  const int code = http::to_int(r.status);
  const std::string n = std::to_string(code);
  require(code >= 200 && code <= 599, "a return rule answers with a final status, not " + n);
  require(!http::is_never_sent(r.status), n + " is never sent (RFC 9110 §15.4.6, §15.4.7)");
  require(http::find_status(code) != nullptr, n + " is not in the status code registry");
  require(r.body.empty() || http::may_have_content(r.status),
          n + " never carries content (RFC 9110 §6.4.1)");
}

void check_rule(const rule& r) {
  switch (r.kind) {
    case rule_kind::redirect:
      require(is_redirect_status(r.status), "a redirect answers 301, 302, 303, 307 or 308");
      require(!r.target.empty() && is_field_safe(r.target), "a redirect needs a valid target");
      break;
    case rule_kind::return_:
      check_return_status(r);
      require(is_field_safe(r.content_type), "content_type holds a line break");
      break;
    case rule_kind::legal_block:
      require(!r.blocked_by.empty() && is_field_safe(r.blocked_by) &&
                  r.blocked_by.find('>') == std::string::npos,
              "a legal_block needs the URL of who demanded the block (RFC 7725 §4)");
      break;
    case rule_kind::gone:
    case rule_kind::teapot:
    case rule_kind::require_conditional:
    case rule_kind::headers:
      break;
  }
  for (const auto& [name, value] : r.add_headers)
    require(!name.empty() && is_field_safe(name) && is_field_safe(value),
            "a header to add must be a valid field");
}

struct compiled_rule {
  rule spec;
  path_matcher matcher;
  std::string link;  // legal_block: the whole Link field value

  explicit compiled_rule(rule r) : spec(std::move(r)), matcher(spec.match) {
    if (spec.kind == rule_kind::require_conditional && spec.methods.empty())
      spec.methods = default_conditional_methods;
    if (spec.kind == rule_kind::legal_block) link = "<" + spec.blocked_by + ">; rel=\"blocked-by\"";
    if (!spec.body.empty() && spec.content_type.empty())
      spec.content_type = "text/plain; charset=utf-8";
  }

  bool selects(const request& req, path_captures* captures) const {
    if (!spec.methods.empty() &&
        std::find(spec.methods.begin(), spec.methods.end(), req.method) == spec.methods.end())
      return false;
    return matcher.matches(req.path, captures);
  }
};

// The target with its captures, then the request's query (RFC 9110 §10.2.2 lets Location be a
// relative reference; the query goes before a fragment, RFC 3986 §3).
std::string location_for(const compiled_rule& r, const request& req, const path_captures& caps) {
  std::string location = expand_captures(r.spec.target, caps);
  if (!r.spec.keep_query || req.query.empty()) return location;
  const std::size_t fragment = std::min(location.find('#'), location.size());
  const bool has_query = location.find('?') < fragment;
  std::string addition;
  addition.reserve(req.query.size() + 1);
  addition += has_query ? '&' : '?';
  http::append_query_as_uri(addition, req.query);
  location.insert(fragment, addition);
  return location;
}

void answer_return(const compiled_rule& r, response& res) {
  const rule& spec = r.spec;
  if (!spec.body.empty()) {
    res.set_status(spec.status);
    res.set_body(spec.body, spec.content_type);
  } else if (http::to_int(spec.status) >= 400) {
    res.error(spec.status);
  } else {
    res.set_status(spec.status);
  }
  for (const auto& [name, value] : spec.add_headers)
    res.add_header(name, value);
}

class rules_policy final : public policy {
 public:
  std::string_view name() const noexcept override { return "rules"; }
  explicit rules_policy(std::vector<compiled_rule> rules) : rules_(std::move(rules)) {
    has_header_rules_ = std::any_of(rules_.begin(), rules_.end(), [](const compiled_rule& r) {
      return r.spec.kind == rule_kind::headers;
    });
  }

  verdict on_request(const request& req, response& res) override {
    path_captures caps;
    for (const compiled_rule& r : rules_) {
      if (r.spec.kind == rule_kind::headers || !r.selects(req, &caps)) continue;
      if (r.spec.kind == rule_kind::require_conditional &&
          (req.header("If-Match") || req.header("If-Unmodified-Since")))
        continue;
      answer(r, req, caps, res);
      return verdict::answered;
    }
    return verdict::next;
  }

  void on_response(const request& req, response& res) override {
    if (!has_header_rules_) return;
    for (const compiled_rule& r : rules_) {
      if (r.spec.kind != rule_kind::headers || !r.selects(req, nullptr)) continue;
      for (const std::string& name : r.spec.remove_headers)
        res.remove_header(name);
      for (const auto& [name, value] : r.spec.add_headers)
        res.add_header(name, value);
    }
  }

 private:
  static void answer(const compiled_rule& r, const request& req, const path_captures& caps,
                     response& res) {
    switch (r.spec.kind) {
      case rule_kind::redirect:
        res.redirect(r.spec.status, location_for(r, req, caps));
        break;
      case rule_kind::return_:
        answer_return(r, res);
        break;
      case rule_kind::gone:
        res.error(http::status::gone);
        break;
      case rule_kind::legal_block:
        res.error(http::status::unavailable_for_legal_reasons);
        res.set_header("Link", r.link);
        break;
      case rule_kind::teapot:
        res.error(http::status::im_a_teapot);
        break;
      case rule_kind::require_conditional:
        res.error(http::status::precondition_required);
        break;
      case rule_kind::headers:
        break;  // never selected here
    }
  }

  std::vector<compiled_rule> rules_;
  bool has_header_rules_ = false;
};

}  // namespace

}  // namespace teapot::handlers::rules

namespace teapot::handlers {

std::shared_ptr<policy> make_rules(rules_options options) {
  std::vector<rules::compiled_rule> compiled;
  compiled.reserve(options.rules.size());
  for (rule& r : options.rules) {
    rules::check_rule(r);
    compiled.emplace_back(std::move(r));
  }
  return std::make_shared<rules::rules_policy>(std::move(compiled));
}

}  // namespace teapot::handlers
