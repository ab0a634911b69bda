#include "handlers/static_files/policy.h"

#include <fnmatch.h>

#include "base/ascii.h"
#include "http/mime_types.h"

namespace teapot::handlers::static_files {

namespace {

constexpr std::string_view well_known = ".well-known";
constexpr std::string_view utf8_parameter = "; charset=utf-8";

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = base::ascii::to_lower(c);
  return out;
}

bool istarts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && base::ascii::iequals(s.substr(0, prefix.size()), prefix);
}

bool iends_with(std::string_view s, std::string_view suffix) noexcept {
  return s.size() >= suffix.size() &&
         base::ascii::iequals(s.substr(s.size() - suffix.size()), suffix);
}

bool has_glob(std::string_view pattern) noexcept {
  return pattern.find_first_of("*?[") != std::string_view::npos;
}

bool rule_matches(const cache_control_rule& rule, std::string_view path, std::string& scratch) {
  if (!has_glob(rule.pattern)) return path.starts_with(rule.pattern);
  std::string_view subject = path;
  if (!rule.pattern.starts_with('/')) subject = path.substr(path.rfind('/') + 1);
  scratch.assign(subject);  // fnmatch wants NUL-terminated text
  return ::fnmatch(rule.pattern.c_str(), scratch.c_str(), 0) == 0;
}

}  // namespace

bool is_hidden_path(std::string_view path) noexcept {
  bool first = true;
  std::size_t at = 0;
  while (at < path.size()) {
    if (path[at] == '/') {
      ++at;
      continue;
    }
    std::size_t end = path.find('/', at);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(at, end - at);
    if (segment.starts_with('.') && !(first && segment == well_known)) return true;
    first = false;
    at = end;
  }
  return false;
}

bool is_hidden_name(std::string_view name) noexcept {
  return name.starts_with('.');
}

std::string_view extension_of(std::string_view path) noexcept {
  std::string_view name = path.substr(path.rfind('/') + 1);
  std::size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return {};
  return name.substr(dot + 1);
}

bool is_textual(std::string_view media_type) noexcept {
  std::string_view essence = media_type.substr(0, media_type.find(';'));
  while (!essence.empty() && essence.back() == ' ')
    essence.remove_suffix(1);
  return istarts_with(essence, "text/") || base::ascii::iequals(essence, "application/json") ||
         base::ascii::iequals(essence, "application/javascript") ||
         base::ascii::iequals(essence, "application/xml") || iends_with(essence, "+json") ||
         iends_with(essence, "+xml");
}

content_types::content_types(const std::vector<std::pair<std::string, std::string>>& overrides,
                             std::string charset)
    : charset_(std::move(charset)) {
  for (const auto& [ext, type] : overrides) {
    std::string value = type;
    // RFC 9110 §8.3.1: a text type without charset leaves the reader guessing; say it.
    if (value.find(';') == std::string::npos && !charset_.empty() && is_textual(value))
      value += "; charset=" + charset_;
    std::string_view e = ext;
    if (e.starts_with('.')) e.remove_prefix(1);
    overrides_.emplace_back(lower(e), std::move(value));
  }
}

std::string_view content_types::for_path(std::string_view path, std::string& scratch) const {
  std::string_view ext = extension_of(path);
  for (const auto& [e, type] : overrides_)
    if (!ext.empty() && base::ascii::iequals(ext, e)) return type;
  std::string_view type = http::content_type_for_extension(ext);
  if (charset_ == "utf-8" || !type.ends_with(utf8_parameter)) return type;
  scratch.assign(type.substr(0, type.size() - utf8_parameter.size()));
  if (!charset_.empty()) scratch.append("; charset=").append(charset_);
  return scratch;
}

std::optional<std::string_view> cache_control_for(const std::vector<cache_control_rule>& rules,
                                                  std::string_view path) {
  thread_local std::string scratch;
  for (const auto& rule : rules)
    if (rule_matches(rule, path, scratch)) return rule.value;
  return std::nullopt;
}

}  // namespace teapot::handlers::static_files
