// [[sites.rules]], [[sites.early_hints]] and [sites.static]: everything matched by path.
#include <algorithm>
#include <array>
#include <limits>
#include <optional>

#include "base/ascii.h"
#include "config/load_parts.h"
#include "config/single_quoted.h"

namespace teapot::config::detail {

namespace {

using handlers::early_hints_clients;
using handlers::match_kind;
using handlers::path_match;
using handlers::rule;
using handlers::rule_kind;

// In the order of handlers::match_kind.
constexpr std::array<std::string_view, 3> match_keys{"exact", "prefix", "glob"};

struct kind_entry {
  std::string_view name;
  rule_kind kind;
  std::vector<std::string_view> keys;  // beyond the match, methods and kind
};

const std::vector<kind_entry>& kinds() {
  static const std::vector<kind_entry> table{
      {"redirect", rule_kind::redirect, {"to", "status", "keep_query"}},
      {"return", rule_kind::return_, {"status", "body", "content_type", "headers"}},
      {"gone", rule_kind::gone, {}},
      {"legal_block", rule_kind::legal_block, {"blocked_by"}},
      {"teapot", rule_kind::teapot, {}},
      {"require_conditional", rule_kind::require_conditional, {}},
      {"headers", rule_kind::headers, {"add", "remove"}},
  };
  return table;
}

// Fields the connection owns: a rule that set or removed them would break the framing.
std::string check_settable(std::string_view name) {
  for (std::string_view owned : {"content-length", "transfer-encoding", "connection", "date"})
    if (base::ascii::iequals(name, owned))
      return single_quoted(name) + " is set by the server itself and cannot be changed here";
  return check_field_name(name);
}

// A final status for a rule, or nothing with the reason reported.
std::optional<http::status> read_status(table_reader& r, bool redirect) {
  auto code = r.integer("status", std::numeric_limits<std::int64_t>::min(),
                        std::numeric_limits<std::int64_t>::max());
  if (!code) return std::nullopt;
  std::string n = std::to_string(*code);
  std::string why;
  if (*code == 305)
    why = "305 is never sent (RFC 9110 §15.4.6: Use Proxy is deprecated); choose 307 or 308";
  else if (*code == 306)
    why = "306 is never sent (RFC 9110 §15.4.7: reserved and unused); choose 307 or 308";
  else if (*code < 100 || *code > 599)
    why = n + " is outside 100-599, the range of HTTP status codes (RFC 9110 §15)";
  else if (*code < 200)
    why = n + " is an interim (1xx) status, never a final one; for 103 use [[sites.early_hints]]";
  else if (!http::find_status(static_cast<int>(*code)))
    why = n + " is not in the IANA status code registry";
  else if (redirect && *code != 301 && *code != 302 && *code != 303 && *code != 307 && *code != 308)
    why = n + " is not a redirect status; expected 301, 302, 303, 307 or 308";
  if (!why.empty()) {
    r.error("status", why);
    return std::nullopt;
  }
  return static_cast<http::status>(*code);
}

// $1..$9 in a redirect target must name a capture the match has.
void check_captures(table_reader& r, const std::string& target, std::size_t captures) {
  for (std::size_t i = 0; i + 1 < target.size(); ++i) {
    if (target[i] != '$' || !base::ascii::is_digit(target[i + 1])) continue;
    std::size_t n = static_cast<std::size_t>(target[i + 1] - '0');
    if (n == 0 || n > captures)
      r.error("to", "uses $" + std::to_string(n) + " but the match offers " +
                        (captures == 0   ? std::string("no captures (an exact match)")
                         : captures == 1 ? std::string("only $1")
                                         : "$1 to $" + std::to_string(captures)));
  }
}

void read_redirect(table_reader& r, rule& out) {
  out.status = http::status::found;
  if (r.table().get("status"))
    if (auto s = read_status(r, true)) out.status = *s;
  if (r.require("to", "the Location, such as \"/new/$1\" or \"https://example.org/\""))
    if (auto to = r.string("to")) {
      std::string why = check_url(*to, true);
      if (!why.empty()) r.error("to", why);
      check_captures(r, *to, handlers::capture_count(out.match));
      out.target = *to;
    }
  if (auto k = r.boolean("keep_query")) out.keep_query = *k;
}

// Fields some statuses must carry (RFC 9110 §15): a rule that forgets them sends a broken
// response, so the file must name them.
void check_required_fields(table_reader& r, const rule& out) {
  static constexpr std::pair<int, std::string_view> required[] = {
      {401, "WWW-Authenticate"}, {405, "Allow"},   {407, "Proxy-Authenticate"},
      {416, "Content-Range"},    {426, "Upgrade"},
  };
  for (const auto& [code, name] : required) {
    if (http::to_int(out.status) != code) continue;
    // A copy: clang before 16 cannot capture a structured binding.
    const std::string_view field = name;
    bool found = std::any_of(out.add_headers.begin(), out.add_headers.end(),
                             [&](const auto& h) { return base::ascii::iequals(h.first, field); });
    if (!found)
      r.error("status", std::to_string(code) + " must carry " + std::string(field) +
                            "; add it under headers");
  }
}

void read_field_table(table_reader& r, std::string_view key,
                      std::vector<std::pair<std::string, std::string>>& out) {
  const toml::table* t = r.sub_table(key);
  if (!t) return;
  table_reader h(r.diag(), *t, r.key_path(key));
  for (auto&& [name, value] : *t) {
    auto v = h.string(name.str());
    if (!v) continue;
    std::string why = check_settable(name.str());
    if (why.empty()) why = check_field_value(*v);
    if (!why.empty()) h.error(name.str(), why);
    out.emplace_back(std::string(name.str()), *v);
  }
  h.finish();
}

void read_return(table_reader& r, rule& out) {
  std::optional<http::status> s;
  if (r.require("status", "the status to answer with")) s = read_status(r, false);
  read_field_table(r, "headers", out.add_headers);
  if (auto body = r.string("body")) {
    out.body = *body;
    out.content_type = "text/plain; charset=utf-8";
  }
  if (auto type = r.string("content_type")) {
    if (std::string why = check_field_value(*type); !why.empty() || type->empty())
      r.error("content_type", why.empty() ? "is empty" : why);
    if (!r.table().get("body")) r.error("content_type", "is set but there is no body");
    out.content_type = *type;
  }
  if (!s) return;
  out.status = *s;
  int code = http::to_int(*s);
  if (code == 301 || code == 302 || code == 303 || code == 307 || code == 308)
    r.error("status", std::to_string(code) + " needs a Location; use kind = \"redirect\"");
  check_required_fields(r, out);
  if (r.table().get("body") && !http::may_have_content(*s))
    r.error("body", std::to_string(code) + " never carries content (RFC 9110 §6.4.1)");
}

void read_headers_rule(table_reader& r, rule& out) {
  read_field_table(r, "add", out.add_headers);
  if (auto remove = r.strings("remove")) {
    for (const std::string& name : *remove)
      if (std::string why = check_settable(name); !why.empty()) r.error("remove", why);
    out.remove_headers = *remove;
  }
  if (out.add_headers.empty() && out.remove_headers.empty() && !r.table().get("add") &&
      !r.table().get("remove"))
    r.missing("add",
              "a headers rule adds (add = { NAME = \"value\" }) or removes (remove = [...])");
}

// Reads the keys of `kind`; the keys of the other kinds are refused by name.
void read_kind_keys(table_reader& r, const kind_entry& kind, rule& out) {
  switch (kind.kind) {
    case rule_kind::redirect:
      read_redirect(r, out);
      break;
    case rule_kind::return_:
      read_return(r, out);
      break;
    case rule_kind::gone:
      out.status = http::status::gone;
      break;
    case rule_kind::legal_block:
      out.status = http::status::unavailable_for_legal_reasons;
      if (r.require("blocked_by", "the URL of who demanded the block (RFC 7725 §4)"))
        if (auto url = r.string("blocked_by")) {
          if (std::string why = check_url(*url, false); !why.empty()) r.error("blocked_by", why);
          out.blocked_by = *url;
        }
      break;
    case rule_kind::teapot:
      out.status = http::status::im_a_teapot;
      break;
    case rule_kind::require_conditional:
      out.status = http::status::precondition_required;
      if (out.methods.empty()) out.methods = {"PUT", "DELETE", "PATCH", "MOVE"};
      break;
    case rule_kind::headers:
      read_headers_rule(r, out);
      break;
  }
  for (const kind_entry& other : kinds())
    for (std::string_view key : other.keys)
      if (std::find(kind.keys.begin(), kind.keys.end(), key) == kind.keys.end())
        r.refuse(key, "does not apply to a " + std::string(kind.name) + " rule");
}

}  // namespace

std::optional<path_match> read_match(table_reader& r, bool required, path_match fallback) {
  std::optional<path_match> found;
  for (std::size_t i = 0; i < match_keys.size(); ++i) {
    auto pattern = r.string(match_keys[i]);
    if (!pattern) continue;
    if (found) {
      r.error(match_keys[i], "a match is one of exact, prefix or glob, not several");
      continue;
    }
    if (std::string why = check_path_prefix(*pattern); !why.empty()) r.error(match_keys[i], why);
    found = path_match{static_cast<match_kind>(i), *pattern};
  }
  bool any = std::any_of(match_keys.begin(), match_keys.end(),
                         [&](std::string_view k) { return r.table().get(k) != nullptr; });
  if (!any && required)
    r.missing("prefix", "one of exact = \"/path\", prefix = \"/dir/\" or glob = \"/*.php\"");
  if (!any && !required) return fallback;
  return found;
}

void read_rule(table_reader& r, rule& out) {
  if (auto m = read_match(r, true)) out.match = *m;
  if (auto methods = r.strings("methods")) {
    for (const std::string& m : *methods)
      if (std::string why = check_method(m); !why.empty()) r.error("methods", why);
    out.methods = *methods;
  }
  const kind_entry* kind = nullptr;
  if (r.require("kind",
                "redirect, return, gone, legal_block, teapot, require_conditional or "
                "headers"))
    if (auto name = r.string("kind")) {
      for (const kind_entry& k : kinds())
        if (k.name == *name) kind = &k;
      if (!kind)
        r.error("kind", single_quoted(*name) +
                            " is not a rule kind; expected redirect, return, gone, "
                            "legal_block, teapot, require_conditional or headers");
    }
  if (kind) {
    out.kind = kind->kind;
    read_kind_keys(r, *kind, out);
    return;
  }
  // Without a kind the other keys cannot be judged; they are not reported as unknown.
  for (const kind_entry& k : kinds())
    for (std::string_view key : k.keys)
      r.get(key);
}

void read_early_hints(table_reader& r, handlers::early_hint& out) {
  if (auto m = read_match(r, true)) out.match = *m;
  if (auto c = r.string("http1_clients")) {
    if (*c == "known")
      out.http1_clients = early_hints_clients::known;
    else if (*c == "all")
      out.http1_clients = early_hints_clients::all;
    else if (*c == "none")
      out.http1_clients = early_hints_clients::none;
    else
      r.error("http1_clients",
              single_quoted(*c) +
                  " is not a choice; expected \"known\" (browsers and curl), \"all\" or "
                  "\"none\"");
  }
  if (!r.require("links", "Link field values, such as \"</app.css>; rel=preload; as=style\""))
    return;
  auto links = r.strings("links");
  if (!links) return;
  if (links->empty()) r.error("links", "expected at least one Link value");
  for (const std::string& link : *links) {
    std::string why = check_field_value(link);
    if (why.empty() && (link.empty() || link.front() != '<' || link.find('>') == std::string::npos))
      why = single_quoted(link) +
            " is not a Link value; expected \"<URI>; rel=preload\" (RFC 8288 §3)";
    if (!why.empty()) r.error("links", why);
  }
  out.links = *links;
}

std::optional<handlers::negotiation_mode> read_negotiation_mode(table_reader& r) {
  auto n = r.string("negotiation");
  if (!n) return std::nullopt;
  // The command line's names, '_' or '-' alike: "multiple_choices" reads as TOML does.
  if (*n == "lenient") return handlers::negotiation_mode::lenient;
  if (*n == "strict") return handlers::negotiation_mode::strict;
  if (*n == "multiple_choices" || *n == "multiple-choices")
    return handlers::negotiation_mode::multiple_choices;
  r.error("negotiation", single_quoted(*n) +
                             " is not a mode; write \"lenient\", \"strict\" or "
                             "\"multiple_choices\"");
  return std::nullopt;
}

void read_static(table_reader& r, handlers::static_files_options& out) {
  if (auto index = r.strings("index_files")) {
    for (const std::string& name : *index)
      if (name.empty() || name.find('/') != std::string::npos)
        r.error("index_files", single_quoted(name) + " is not a file name (no '/')");
    out.index_files = *index;
  }
  if (auto b = r.boolean("listing")) out.listing = *b;
  if (auto b = r.boolean("etag_inode")) out.etag_inode = *b;
  if (auto m = read_negotiation_mode(r)) out.negotiation = *m;
  if (auto b = r.boolean("type_maps")) out.type_maps = *b;
  auto prefixes = r.tables("negotiation_prefixes");
  for (std::size_t i = 0; i < prefixes.size(); ++i) {
    table_reader p(r.diag(), *prefixes[i],
                   r.key_path("negotiation_prefixes") + "[" + std::to_string(i) + "]");
    std::string prefix;
    if (p.require("prefix", "the URL path below which the mode applies, such as \"/docs/\""))
      if (auto v = p.string("prefix")) {
        if (std::string why = check_path_prefix(*v); !why.empty())
          p.error("prefix", why);
        else
          prefix = *v;
      }
    if (p.require("negotiation",
                  "the mode there: \"lenient\", \"strict\" or "
                  "\"multiple_choices\""))
      if (auto m = read_negotiation_mode(p); m && !prefix.empty())
        out.negotiation_prefixes.emplace_back(prefix, *m);
    p.finish();
  }
  auto patterns = r.tables("cache_control");
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    table_reader p(r.diag(), *patterns[i],
                   r.key_path("cache_control") + "[" + std::to_string(i) + "]");
    // The handler reads the pattern itself as a prefix or a glob: which key the file used is
    // not kept.
    handlers::cache_control_rule& entry = out.cache_control.emplace_back();
    if (auto m = read_match(p, true)) entry.pattern = m->pattern;
    if (p.require("value", "the Cache-Control value, such as \"max-age=3600\""))
      if (auto v = p.string("value")) {
        if (std::string why = check_field_value(*v); !why.empty()) p.error("value", why);
        entry.value = *v;
      }
    p.finish();
  }
  const toml::table* types = r.sub_table("mime_types");
  if (!types) return;
  table_reader t(r.diag(), *types, r.key_path("mime_types"));
  for (auto&& [ext, value] : *types) {
    auto type = t.string(ext.str());
    if (!type) continue;
    std::string_view e = ext.str();
    std::size_t slash = type->find('/');
    if (e.empty() || e.front() == '.' || !base::ascii::is_token(e))
      t.error(e, single_quoted(e) + " is not an extension; write it without the dot");
    else if (slash == std::string::npos ||
             !base::ascii::is_token(std::string_view(*type).substr(0, slash)))
      t.error(e, single_quoted(*type) + " is not a media type such as \"text/html\"");
    out.mime_overrides.emplace_back(std::string(e), *type);
  }
  t.finish();
}

}  // namespace teapot::config::detail
