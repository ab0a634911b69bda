#include "spec_cases.h"
#include "base/ascii.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <stdexcept>
#include <string_view>

namespace teapot::spec {

namespace {

std::runtime_error malformed(const std::string& file, int line, const std::string& what) {
  return std::runtime_error(file + ":" + std::to_string(line) + ": " + what);
}

// A line that ends in a single backslash (not an escaped one) has no line end.
bool ends_without_line_end(std::string_view line) {
  std::size_t n = 0;
  while (n < line.size() && line[line.size() - 1 - n] == '\\')
    ++n;
  return n % 2 == 1;
}

// The bytes of an http block (README.md, "Requests").
std::string request_bytes(const std::vector<std::string>& lines) {
  const auto blank = std::find(lines.begin(), lines.end(), std::string());
  std::string out;
  for (auto it = lines.begin(); it != lines.end(); ++it) {
    const bool cut = ends_without_line_end(*it);
    out += unescape(cut ? std::string_view(*it).substr(0, it->size() - 1) : *it);
    const bool last_of_body = blank != lines.end() && it > blank && it + 1 == lines.end();
    if (!cut && !last_of_body) out += "\r\n";
  }
  // A block of head lines only gets the empty line that ends the head.
  if (blank == lines.end() && !lines.empty() && !ends_without_line_end(lines.back())) out += "\r\n";
  return out;
}

connection_after parse_then(std::string_view word, const std::string& file, int line) {
  if (word == "open") return connection_after::open;
  if (word == "closed") return connection_after::closed;
  if (word == "waiting") return connection_after::waiting;
  throw malformed(file, line, "'then' takes open, closed or waiting");
}

expected_response parse_response(const std::vector<std::string>& lines, const std::string& file,
                                 int first_line) {
  expected_response r;
  r.line = first_line;
  if (lines.empty() || (!lines[0].starts_with("HTTP/") && lines[0] != "no response"))
    throw malformed(file, first_line, "a response block starts with its status line");
  // "no response": nothing comes back (an empty status line says so).
  if (lines[0] != "no response") r.status_line = lines[0];
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const int at = first_line + 1 + static_cast<int>(i);
    const std::string_view l = base::ascii::trim_ows(lines[i]);
    if (l.empty()) continue;
    if (l.starts_with("body: ")) {
      r.body = unescape(l.substr(6));
    } else if (l == "body:") {
      r.body = std::string();
    } else if (l.starts_with("body contains ")) {
      r.body_contains.push_back(unescape(l.substr(14)));
    } else if (l.starts_with("then ")) {
      r.then = parse_then(base::ascii::trim_ows(l.substr(5)), file, at);
    } else if (l.starts_with("has ")) {
      r.fields.push_back(
          {field_check_kind::present, std::string(base::ascii::trim_ows(l.substr(4))), {}});
    } else if (l.starts_with("no ")) {
      r.fields.push_back(
          {field_check_kind::absent, std::string(base::ascii::trim_ows(l.substr(3))), {}});
    } else if (const std::size_t colon = l.find(':');
               colon != std::string_view::npos && l.find(' ') > colon) {
      r.fields.push_back({field_check_kind::equals, std::string(l.substr(0, colon)),
                          std::string(base::ascii::trim_ows(l.substr(colon + 1)))});
    } else if (const std::size_t sp = l.find(" contains "); sp != std::string_view::npos) {
      r.fields.push_back({field_check_kind::contains, std::string(l.substr(0, sp)),
                          std::string(base::ascii::trim_ows(l.substr(sp + 10)))});
    } else {
      throw malformed(file, at, "not an expectation: " + std::string(l));
    }
  }
  return r;
}

void finish_case(std::optional<spec_case>& c, std::vector<spec_case>& out) {
  if (!c) return;
  if (c->methods.empty() || c->responses.empty())
    throw malformed(c->file, c->line, "a case needs an http block and a response block");
  if (c->responses.back().then) c->after = *c->responses.back().then;
  out.push_back(std::move(*c));
  c.reset();
}

}  // namespace

std::string unescape(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    const char e = text[++i];
    switch (e) {
      case 'r':
        out += '\r';
        break;
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case '0':
        out += '\0';
        break;
      case '\\':
        out += '\\';
        break;
      case 'x': {
        const auto hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
        if (i + 2 < text.size() && hex(text[i + 1]) && hex(text[i + 2])) {
          out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
          i += 2;
          break;
        }
        throw std::runtime_error("\\x takes two hexadecimal digits");
      }
      default:
        throw std::runtime_error("unknown escape \\" + std::string(1, e));
    }
  }
  return out;
}

std::optional<placeholder> find_placeholder(std::string_view text) {
  const std::size_t at = text.find("{{etag:");
  if (at == std::string_view::npos) return std::nullopt;
  const std::size_t end = text.find("}}", at);
  if (end == std::string_view::npos) return std::nullopt;
  return placeholder{at, end + 2 - at, std::string(text.substr(at + 7, end - at - 7))};
}

std::vector<spec_case> read_spec_file(const std::filesystem::path& root,
                                      const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  const std::string name = std::filesystem::relative(file, root).generic_string();
  std::string config = "default.toml";
  std::vector<spec_case> out;
  std::optional<spec_case> current;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.starts_with("<!-- config: ")) {
      config = std::string(
          base::ascii::trim_ows(std::string_view(line).substr(13, line.find("-->") - 13)));
    } else if (line.starts_with("## ")) {
      finish_case(current, out);
      current = spec_case{};
      current->file = name;
      current->line = number;
      current->heading = std::string(base::ascii::trim_ows(std::string_view(line).substr(3)));
      current->config = config;
    } else if (line.starts_with("```http") || line.starts_with("```response")) {
      const bool request = line.starts_with("```http");
      const int opened = number;
      std::vector<std::string> lines;
      bool closed = false;
      while (std::getline(in, line)) {
        ++number;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line == "```") {
          closed = true;
          break;
        }
        lines.push_back(line);
      }
      if (!closed) throw malformed(name, opened, "a block that is never closed");
      if (!current) throw malformed(name, opened, "a block before the first '## ' case");
      if (request) {
        if (lines.empty()) throw malformed(name, opened, "an empty http block");
        current->input += request_bytes(lines);
        current->methods.push_back(lines[0].substr(0, lines[0].find(' ')));
      } else {
        current->responses.push_back(parse_response(lines, name, opened));
      }
    }
  }
  finish_case(current, out);
  return out;
}

std::vector<spec_case> read_spec_tree(const std::filesystem::path& root) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    const std::string rel = std::filesystem::relative(e.path(), root).generic_string();
    // The docroot and the configuration hold files, not cases (site/notes.md is served).
    if (rel.starts_with("site/") || rel.starts_with("config/") || rel.starts_with("runner/"))
      continue;
    if (e.is_regular_file() && e.path().extension() == ".md" &&
        e.path().filename() != "README.md" && e.path().filename() != "deviations.md")
      files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<spec_case> out;
  for (const auto& f : files) {
    std::vector<spec_case> cases = read_spec_file(root, f);
    out.insert(out.end(), std::make_move_iterator(cases.begin()),
               std::make_move_iterator(cases.end()));
  }
  return out;
}

}  // namespace teapot::spec
