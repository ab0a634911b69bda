#include "handlers/static_files/listing.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <iterator>
#include <string>
#include <vector>

#include "base/ascii.h"
#include "handlers/static_files/policy.h"
#include "handlers/static_files/resolve.h"
#include "http/negotiation.h"
#include "http/path.h"

namespace teapot::handlers::static_files {

namespace {

struct dir_entry {
  std::string name;
  bool is_dir = false;
  std::uint64_t size = 0;
  std::int64_t mtime = 0;
};

enum class sort_key : std::uint8_t { name, size, mtime };

struct sort_order {
  sort_key key = sort_key::name;
  bool descending = false;
};

// A name a request can reach: the path normalizer refuses control characters and bytes that
// are not UTF-8 (400), so listing such a name would only offer a broken link.
bool is_reachable_name(std::string_view name) noexcept {
  for (char c : name)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  return http::is_valid_utf8(name);
}

// The facts of one entry; false when it cannot be served (a link out of the root, a socket).
bool describe_entry(int root_fd, int dir_fd, std::string_view relative, const char* name,
                    bool beneath, dir_entry& out) {
  struct stat st {};
  if (::fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return false;
  if (S_ISLNK(st.st_mode)) {
    // Resolve from the root, with the same rule as a request for it would.
    std::string path = relative == "." ? std::string() : std::string(relative) + "/";
    path += name;
    int fd = open_below(root_fd, path.c_str(), beneath);
    if (fd < 0) return false;
    int rc = ::fstat(fd, &st);
    ::close(fd);
    if (rc != 0) return false;
  }
  if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) return false;
  out.name = name;
  out.is_dir = S_ISDIR(st.st_mode);
  out.size = out.is_dir ? 0 : static_cast<std::uint64_t>(st.st_size);
  out.mtime = st.st_mtim.tv_sec;
  return true;
}

// Reads the directory; takes dir_fd (fdopendir owns it from then on).
bool read_entries(int root_fd, int dir_fd, std::string_view relative,
                  const static_files_options& opts, std::vector<dir_entry>& out) {
  DIR* dir = ::fdopendir(dir_fd);
  if (dir == nullptr) {
    ::close(dir_fd);
    return false;
  }
  // readdir is unsafe only on a stream shared between threads; this one is this call's own.
  while (const dirent* d = ::readdir(dir)) {  // NOLINT(concurrency-mt-unsafe)
    std::string_view name = d->d_name;
    if (name == "." || name == "..") continue;
    if (!opts.allow_dotfiles && is_hidden_name(name)) continue;
    if (!is_reachable_name(name)) continue;
    dir_entry e;
    if (describe_entry(root_fd, ::dirfd(dir), relative, d->d_name,
                       !opts.follow_symlinks_outside_root, e))
      out.push_back(std::move(e));
  }
  ::closedir(dir);
  return true;
}

std::string_view query_value(std::string_view query, std::string_view key) noexcept {
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    if (pair.size() > key.size() && pair.starts_with(key) && pair[key.size()] == '=')
      return pair.substr(key.size() + 1);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

sort_order parse_sort_order(std::string_view query) noexcept {
  sort_order o;
  std::string_view key = query_value(query, "sort");
  if (key == "size") o.key = sort_key::size;
  if (key == "mtime") o.key = sort_key::mtime;
  o.descending = query_value(query, "order") == "desc";
  return o;
}

void sort_entries(std::vector<dir_entry>& entries, sort_order o) {
  std::sort(entries.begin(), entries.end(), [o](const dir_entry& a, const dir_entry& b) {
    if (a.is_dir != b.is_dir) return a.is_dir;
    int c = 0;
    if (o.key == sort_key::size && a.size != b.size) c = a.size < b.size ? -1 : 1;
    if (o.key == sort_key::mtime && a.mtime != b.mtime) c = a.mtime < b.mtime ? -1 : 1;
    if (c == 0) c = a.name.compare(b.name);
    return o.descending ? c > 0 : c < 0;
  });
}

void append_utc(std::string& out, std::int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  char buf[32];
  if (::gmtime_r(&tt, &tm) == nullptr) return;
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  out.append(buf, n);
}

void append_sort_link(std::string& out, std::string_view key, std::string_view label,
                      sort_order current, sort_key this_key) {
  // The current column's link flips the order; the others start ascending. Crawlers are asked
  // not to follow them: each order is the same page again.
  const bool here = current.key == this_key;
  const bool desc = here && !current.descending;
  out += "<th";
  if (here) out += current.descending ? " aria-sort=\"descending\"" : " aria-sort=\"ascending\"";
  out += "><a rel=\"nofollow\" href=\"?sort=";
  out += key;
  out += desc ? "&amp;order=desc\">" : "&amp;order=asc\">";
  out += label;
  if (here) out += current.descending ? " \u25BC" : " \u25B2";  // the order in force, shown
  out += "</a></th>";
}

// 1536 -> "1.5 KiB"; under a KiB, "300 B". The exact count goes in the cell's title.
void append_readable_size(std::string& out, std::uint64_t bytes) {
  out += "<td title=\"";
  out += std::to_string(bytes);
  out += bytes == 1 ? " byte\">" : " bytes\">";
  if (bytes < 1024) {
    out += std::to_string(bytes) + " B</td>";
    return;
  }
  constexpr const char* units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = static_cast<double>(bytes) / 1024.0;
  std::size_t u = 0;
  while (v >= 1024.0 && u + 1 < std::size(units)) {
    v /= 1024.0;
    ++u;
  }
  char buf[32];
  const int n = std::snprintf(buf, sizeof buf, v < 10.0 ? "%.1f %s" : "%.0f %s", v, units[u]);
  out.append(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
  out += "</td>";
}

constexpr std::string_view listing_style =
    "<style>body{font:15px/1.5 system-ui,sans-serif;margin:1.5rem auto;max-width:60rem;"
    "padding:0 1rem;color:#222}h1{font-size:1.3rem;font-weight:600;word-break:break-all}"
    "table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem .6rem}"
    "th{border-bottom:2px solid #ddd}tr:nth-child(even) td{background:#f6f6f6}"
    "td:nth-child(2),th:nth-child(2){text-align:right;white-space:nowrap}"
    "a{color:#0a58ca;text-decoration:none}a:hover{text-decoration:underline}"
    "@media (max-width:40rem){td:nth-child(3),th:nth-child(3){display:none}}</style>";

std::string html_listing(std::string_view path, const std::vector<dir_entry>& entries,
                         sort_order o) {
  std::string out =
      "<!doctype html>\n<html><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Index of ";
  append_html_escaped(out, path);
  out += "</title>";
  out += listing_style;
  out += "</head>\n<body><h1>Index of ";
  append_html_escaped(out, path);
  out += "</h1>\n<table><thead><tr>";
  append_sort_link(out, "name", "Name", o, sort_key::name);
  append_sort_link(out, "size", "Size", o, sort_key::size);
  append_sort_link(out, "mtime", "Modified (UTC)", o, sort_key::mtime);
  out += "</tr></thead>\n<tbody>\n";
  if (path != "/") out += "<tr><td><a href=\"../\">../</a></td><td></td><td></td></tr>\n";
  for (const dir_entry& e : entries) {
    out += "<tr><td><a href=\"";
    append_percent_encoded(out, e.name);
    out += e.is_dir ? "/\">" : "\">";
    append_html_escaped(out, e.name);
    out += e.is_dir ? "/</a></td><td>-</td>" : "</a></td>";
    if (!e.is_dir) append_readable_size(out, e.size);
    out += "<td>";
    append_utc(out, e.mtime);
    out += "</td></tr>\n";
  }
  out += "</tbody></table>\n</body></html>\n";
  return out;
}

// RFC 8259 §7: the names are valid UTF-8 already; quote, backslash and controls are escaped.
void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += "\\u";
      base::ascii::append_hex(out, static_cast<unsigned char>(c), 4);
    } else {
      out += c;
    }
  }
  out += '"';
}

std::string json_listing(std::string_view path, const std::vector<dir_entry>& entries) {
  std::string out = "{\"path\":";
  append_json_string(out, path);
  out += ",\"entries\":[";
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const dir_entry& e = entries[i];
    if (i > 0) out += ',';
    out += "\n{\"name\":";
    append_json_string(out, e.name);
    out += e.is_dir ? ",\"type\":\"dir\"" : ",\"type\":\"file\"";
    out += ",\"size\":" + std::to_string(e.size);
    out += ",\"mtime\":" + std::to_string(e.mtime) + "}";
  }
  out += "\n]}\n";
  return out;
}

}  // namespace

void append_percent_encoded(std::string& out, std::string_view name) {
  constexpr char hex[] = "0123456789ABCDEF";
  for (char c : name) {
    if (base::ascii::is_alpha(c) || base::ascii::is_digit(c) || c == '-' || c == '.' || c == '_' ||
        c == '~') {
      out += c;
    } else {
      auto b = static_cast<unsigned char>(c);
      out += '%';
      out += hex[b >> 4];
      out += hex[b & 0xf];
    }
  }
}

void serve_listing(int root_fd, int dir_fd, std::string_view relative, const request& req,
                   const static_files_options& opts, response& res) {
  std::vector<dir_entry> entries;
  if (!read_entries(root_fd, dir_fd, relative, opts, entries))
    return res.error(http::status::internal_server_error);
  sort_order order = parse_sort_order(req.query);
  sort_entries(entries, order);
  // Two representations of one resource, chosen by Accept (RFC 9110 §12.5.1): HTML unless
  // the client ranks JSON strictly higher. Caches must key on Accept (§12.5.5).
  std::optional<std::string_view> accept = req.header("Accept");
  res.add_header("Vary", "Accept");
  // The listing has no validator that would change whenever it does: no partial answers.
  res.set_ranges_allowed(false);
  if (http::media_type_quality(accept, "application/json") >
      http::media_type_quality(accept, "text/html"))
    return res.set_body(json_listing(req.path, entries), "application/json");
  res.set_body(html_listing(req.path, entries, order), "text/html; charset=utf-8");
}

}  // namespace teapot::handlers::static_files
