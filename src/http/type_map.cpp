#include "http/type_map.h"

#include <algorithm>
#include <cstddef>

#include "base/ascii.h"
#include "http/qvalue.h"

namespace teapot::http {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

struct field_line {
  std::string name;
  std::string value;
  std::size_t line = 0;
};

struct record {
  std::vector<field_line> fields;
  std::size_t first_line = 0;
};

// Takes "qs=..." out of a media type's parameters; false with why when it is malformed.
bool split_source_quality(std::string_view type, std::string& media_type, int& qs,
                          std::string& why) {
  media_type.clear();
  std::size_t semi = type.find(';');
  media_type.append(trim(type.substr(0, semi)));
  if (media_type.empty() || media_type.find('/') == std::string::npos) {
    why = "Content-Type '" + std::string(type) + "' is not a media type";
    return false;
  }
  while (semi != std::string_view::npos) {
    type.remove_prefix(semi + 1);
    semi = type.find(';');
    const std::string_view param = trim(type.substr(0, semi));
    if (param.empty()) continue;
    const std::size_t eq = param.find('=');
    const std::string_view name = trim(param.substr(0, eq));
    if (base::ascii::iequals(name, "qs")) {
      // Apache writes qs with up to three decimals, as q (RFC 9110 §12.4.2).
      if (eq == std::string_view::npos || !parse_qvalue(trim(param.substr(eq + 1)), qs)) {
        why = "qs '" + std::string(param) + "' is not a quality from 0 to 1";
        return false;
      }
      continue;
    }
    media_type.append("; ").append(param);
  }
  return true;
}

void take_record(const record& r, type_map& out) {
  type_map_variant v;
  bool typed = false;
  for (const field_line& f : r.fields) {
    const std::string_view name = f.name;
    std::string why;
    if (base::ascii::iequals(name, "URI")) {
      v.uri = f.value;
    } else if (base::ascii::iequals(name, "Content-Type")) {
      typed = true;
      if (!split_source_quality(f.value, v.media_type, v.source_quality, why)) {
        out.problems.push_back("line " + std::to_string(f.line) + ": " + why);
        return;
      }
    } else if (base::ascii::iequals(name, "Content-Language")) {
      std::string_view list = f.value;
      while (!list.empty()) {
        const std::size_t comma = list.find(',');
        const std::string_view tag = trim(list.substr(0, comma));
        if (!tag.empty()) v.languages.emplace_back(tag);
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
      }
    } else if (base::ascii::iequals(name, "Content-Encoding")) {
      v.encoding = f.value;
      for (char& c : v.encoding)
        c = base::ascii::to_lower(c);
      if (v.encoding == "identity") v.encoding.clear();
    } else if (base::ascii::iequals(name, "Description")) {
      v.description = f.value;
    } else if (base::ascii::iequals(name, "Body")) {
      // Apache 2.4's content inside the map: not served, so the variant is not offered.
      out.problems.push_back("line " + std::to_string(f.line) +
                             ": Body (content inside the map) is not supported");
      return;
    }
    // Content-Length and unknown fields: the file says its own length; ignored as Apache does.
  }
  if (!typed) return;  // the map's own record
  if (v.uri.empty()) {
    out.problems.push_back("line " + std::to_string(r.first_line) + ": a variant without URI");
    return;
  }
  if (!is_type_map_uri(v.uri)) {
    out.problems.push_back("line " + std::to_string(r.first_line) + ": URI '" + v.uri +
                           "' is not a relative path below the map's directory");
    return;
  }
  out.variants.push_back(std::move(v));
}

}  // namespace

bool is_type_map_uri(std::string_view uri) noexcept {
  if (uri.empty() || uri.front() == '/') return false;
  if (uri.find_first_of("?#:\\") != std::string_view::npos) return false;
  for (char c : uri)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  while (!uri.empty()) {
    const std::size_t slash = uri.find('/');
    const std::string_view segment = uri.substr(0, slash);
    if (segment.empty() || segment == "." || segment == "..") return false;
    if (slash == std::string_view::npos) break;
    uri.remove_prefix(slash + 1);
    if (uri.empty()) return false;  // a directory, not a file
  }
  return true;
}

type_map parse_type_map(std::string_view text) {
  type_map out;
  if (text.size() > max_type_map_size) {
    out.problems.push_back("the map is larger than " + std::to_string(max_type_map_size) +
                           " bytes");
    text = text.substr(0, max_type_map_size);
  }
  record current;
  std::size_t number = 0;
  while (!text.empty() || !current.fields.empty()) {
    std::string_view line;
    if (text.empty()) {
      line = {};  // the end closes the last record
    } else {
      const std::size_t nl = text.find('\n');
      line = text.substr(0, nl);
      text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
      ++number;
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim(line).empty()) {
      if (!current.fields.empty()) take_record(current, out);
      current = {};
      if (text.empty()) break;
      continue;
    }
    if (line.front() == ' ' || line.front() == '\t') {
      if (current.fields.empty()) {
        out.problems.push_back("line " + std::to_string(number) + ": continues no field");
        continue;
      }
      current.fields.back().value.append(" ").append(trim(line));
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || trim(line.substr(0, colon)).empty()) {
      out.problems.push_back("line " + std::to_string(number) + ": not \"Name: value\"");
      continue;
    }
    if (current.fields.empty()) current.first_line = number;
    current.fields.push_back({std::string(trim(line.substr(0, colon))),
                              std::string(trim(line.substr(colon + 1))), number});
  }
  return out;
}

}  // namespace teapot::http
