#include "replies.h"
#include "base/ascii.h"

#include <cctype>
#include <charconv>

namespace teapot::spec {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

bool read_chunked(std::string_view bytes, std::size_t& pos, std::string& body, std::string& error) {
  for (;;) {
    const std::size_t eol = bytes.find("\r\n", pos);
    if (eol == std::string_view::npos) {
      error = "the output ends in a chunk-size line";
      return false;
    }
    const std::string_view line = bytes.substr(pos, eol - pos);
    std::uint64_t size = 0;
    const auto r = std::from_chars(line.data(), line.data() + line.size(), size, 16);
    if (r.ec != std::errc() || r.ptr == line.data()) {
      error = "a bad chunk-size line: " + std::string(line);
      return false;
    }
    pos = eol + 2;
    if (size == 0) {
      // Trailer fields up to the empty line.
      const std::size_t end = bytes.find("\r\n\r\n", pos - 2);
      if (end == std::string_view::npos) {
        error = "the output ends in the trailer section";
        return false;
      }
      pos = end + 4;
      return true;
    }
    if (bytes.size() - pos < size + 2 || bytes.substr(pos + size, 2) != "\r\n") {
      error = "a chunk cut short or not followed by CRLF";
      return false;
    }
    body.append(bytes.substr(pos, size));
    pos += size + 2;
  }
}

}  // namespace

std::optional<std::string> reply::field(std::string_view name) const {
  std::optional<std::string> out;
  for (const auto& [n, v] : fields) {
    if (!iequals(n, name)) continue;
    if (out)
      *out += ", " + v;
    else
      out = v;
  }
  return out;
}

std::optional<reply> read_reply(std::string_view bytes, std::size_t& pos, bool head_request,
                                std::string& error) {
  const std::size_t end = bytes.find("\r\n\r\n", pos);
  if (end == std::string_view::npos) {
    error = pos == bytes.size() ? "no response" : "the output ends inside a response head";
    return std::nullopt;
  }
  reply r;
  std::string_view head = bytes.substr(pos, end + 2 - pos);
  std::size_t eol = head.find("\r\n");
  r.status_line = std::string(head.substr(0, eol));
  if (r.status_line.size() < 12 || !r.status_line.starts_with("HTTP/1.") ||
      r.status_line[8] != ' ' ||
      std::from_chars(r.status_line.data() + 9, r.status_line.data() + 12, r.status).ec !=
          std::errc()) {
    error = "a bad status line: " + r.status_line;
    return std::nullopt;
  }
  head.remove_prefix(eol + 2);
  while (!head.empty()) {
    eol = head.find("\r\n");
    const std::string_view line = head.substr(0, eol);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 ||
        base::ascii::trim_ows(line.substr(0, colon)) != line.substr(0, colon)) {
      error = "a bad field line: " + std::string(line);
      return std::nullopt;
    }
    r.fields.emplace_back(line.substr(0, colon), base::ascii::trim_ows(line.substr(colon + 1)));
    head.remove_prefix(eol + 2);
  }
  pos = end + 4;
  if ((r.status >= 100 && r.status < 200) || r.status == 204 || r.status == 304 || head_request)
    return r;
  if (const auto te = r.field("Transfer-Encoding")) {
    if (!iequals(*te, "chunked")) {
      error = "an unexpected Transfer-Encoding: " + *te;
      return std::nullopt;
    }
    if (!read_chunked(bytes, pos, r.body, error)) return std::nullopt;
    return r;
  }
  if (const auto cl = r.field("Content-Length")) {
    std::size_t n = 0;
    const auto res = std::from_chars(cl->data(), cl->data() + cl->size(), n);
    if (res.ec != std::errc() || res.ptr != cl->data() + cl->size()) {
      error = "a bad Content-Length: " + *cl;
      return std::nullopt;
    }
    if (bytes.size() - pos < n) {
      error = "the output ends inside a Content-Length body";
      return std::nullopt;
    }
    r.body = std::string(bytes.substr(pos, n));
    pos += n;
    return r;
  }
  // Delimited by the close: the rest of the output.
  r.body = std::string(bytes.substr(pos));
  pos = bytes.size();
  return r;
}

}  // namespace teapot::spec
