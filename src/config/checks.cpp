// Value checks shared by the parts of the loader.
#include <string>
#include <string_view>
#include <system_error>

#include "base/ascii.h"
#include "config/load_parts.h"
#include "config/single_quoted.h"

namespace teapot::config::detail {

using base::ascii::is_token;

std::string as_written(const toml::node& value) {
  if (const auto* s = value.as_string()) return single_quoted(s->get());
  if (const auto* i = value.as_integer()) return std::to_string(i->get());
  return "the value";
}

std::string check_path_prefix(std::string_view path) {
  if (path.empty() || path.front() != '/')
    return single_quoted(path) + " is not a path; expected one starting with '/'";
  for (char c : path)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '?' || c == '#')
      return single_quoted(path) +
             " holds a space, control character, '?' or '#'; a path here is matched "
             "without its query";
  return {};
}

std::string check_field_name(std::string_view name) {
  if (is_token(name)) return {};
  return single_quoted(name) + " is not a field name (RFC 9110 §5.1: a token)";
}

std::string check_field_value(std::string_view value) {
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f)
      return "holds a control character; a field value may not (RFC 9110 §5.5)";
  }
  if (!value.empty() && (value.front() == ' ' || value.back() == ' ' || value.front() == '\t' ||
                         value.back() == '\t'))
    return "has leading or trailing whitespace, which a field value may not have";
  return {};
}

std::string check_method(std::string_view method) {
  if (is_token(method)) return {};
  return single_quoted(method) + " is not a method name (RFC 9110 §9.1: a token)";
}

std::string check_url(std::string_view url, bool allow_path) {
  if (allow_path && !url.empty() && url.front() == '/' && (url.size() == 1 || url[1] != '/'))
    return check_path_prefix(url.substr(0, url.find('?')));
  for (std::string_view scheme : {"http://", "https://"})
    if (url.substr(0, scheme.size()) == scheme && url.size() > scheme.size()) {
      for (char c : url)
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
          return single_quoted(url) + " holds a space or control character";
      return {};
    }
  return single_quoted(url) + " is not " +
         (allow_path ? "a path (\"/login\") or an absolute URL (\"https://...\")"
                     : "an absolute URL (\"https://...\")");
}

std::optional<std::filesystem::path> read_existing_path(table_reader& r, std::string_view key,
                                                        bool directory) {
  auto text = r.string(key);
  if (!text) return std::nullopt;
  std::filesystem::path path = r.diag().resolve(*text);
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) {
    r.error(key, single_quoted(path.string()) + " does not exist");
    return std::nullopt;
  }
  if (directory && !std::filesystem::is_directory(status)) {
    r.error(key, single_quoted(path.string()) + " is not a directory");
    return std::nullopt;
  }
  if (!directory && !std::filesystem::is_regular_file(status)) {
    r.error(key, single_quoted(path.string()) + " is not a regular file");
    return std::nullopt;
  }
  return path;
}

}  // namespace teapot::config::detail
