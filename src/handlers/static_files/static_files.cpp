#include "teapot/handlers/static_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "base/ascii.h"
#include "base/monotonic_clock.h"
#include "base/thread_caches.h"
#include "handlers/static_files/file_cache.h"
#include "handlers/static_files/listing.h"
#include "handlers/static_files/policy.h"
#include "handlers/static_files/precompressed.h"
#include "handlers/static_files/resolve.h"
#include "handlers/static_files/type_maps.h"
#include "handlers/static_files/variants.h"
#include "http/negotiation.h"
#include "http/path.h"
#include "http/validators.h"

namespace teapot::handlers {

static_assert(static_files::sibling_count ==
                  sizeof(static_files::file_cache::entry::siblings) / sizeof(bool),
              "the cache keeps one flag per precompressed sibling");

namespace {

using static_files::file_cache;

// RFC 9110 §9.3.7, §10.2.1: what a file or directory of this handler answers to.
constexpr std::string_view allowed_methods = "GET, HEAD, OPTIONS";

// Everything a handler instance shares between worker threads; const once built.
struct handler_state {
  int root_fd = -1;
  static_files_options opts;
  static_files::content_types types;

  explicit handler_state(static_files_options o)
      : opts(std::move(o)), types(opts.mime_overrides, opts.charset) {}
  handler_state(const handler_state&) = delete;
  handler_state& operator=(const handler_state&) = delete;
  ~handler_state() {
    if (root_fd >= 0) ::close(root_fd);
  }
  bool beneath() const noexcept { return !opts.follow_symlinks_outside_root; }
};

// A regular file found for a request: a cache entry, or an open descriptor (owned) and its
// stat. key names it in the file cache; relative names it below the root.
struct file_source {
  const file_cache::entry* cached = nullptr;
  int fd = -1;
  struct stat st {};
  std::string_view relative;
  std::string_view key;

  void close() noexcept {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

http::status status_for_open_error(int err) noexcept {
  switch (err) {
    case ENOENT:
    case ENOTDIR:
    case ENAMETOOLONG:
      return http::status::not_found;
    case EXDEV:  // a path that leads out of the root
    case EACCES:
    case EPERM:
    case ELOOP:
      return http::status::forbidden;
    case EMFILE:  // out of descriptors: a state that passes, not a fault of this file
    case ENFILE:
      return http::status::service_unavailable;
    default:
      return http::status::internal_server_error;
  }
}

// The answer to a file that could not be opened. Out of descriptors, the client is told to
// come back in a second (503 with Retry-After) and the operator is told once a second at most,
// since a server at its limit would otherwise write a line per request.
void refuse_for_open_error(const handler_state& h, int err, response& res) {
  const http::status s = status_for_open_error(err);
  res.error(s);
  if (s != http::status::service_unavailable) return;
  res.set_header("Retry-After", "1");
  if (!h.opts.log) return;
  static std::atomic<std::int64_t> next_line_ms{0};
  const std::int64_t now = base::coarse_monotonic_ms();
  std::int64_t due = next_line_ms.load(std::memory_order_relaxed);
  if (now < due || !next_line_ms.compare_exchange_strong(due, now + 1000)) return;
  h.opts.log(std::string("static files: out of file descriptors (") +
             (err == ENFILE ? "the system's" : "the process's") +
             " limit); answering 503 until some are free: raise it (LimitNOFILE, ulimit -n)");
}

// RFC 3986 §3.3: a path keeps '/' and pchar; every other byte is percent-encoded.
void append_path_encoded(std::string& out, std::string_view path) {
  static constexpr char hex[] = "0123456789ABCDEF";
  static constexpr std::string_view kept = "-._~!$&'()*+,;=:@/";
  for (char c : path) {
    const auto u = static_cast<unsigned char>(c);
    if (base::ascii::is_alpha(c) || base::ascii::is_digit(c) || kept.find(c) != kept.npos) {
      out += c;
    } else {
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 15];
    }
  }
}

// This thread's caches, one per handler that served a file on it.
struct cache_slot {
  std::weak_ptr<const handler_state> owner;
  std::unique_ptr<file_cache> cache;
  std::unique_ptr<static_files::type_map_cache> maps;
};
thread_local std::vector<cache_slot> caches;

// Runs on a worker's thread when the worker adopts new sites (base/thread_caches.h): a handler
// dropped by the reload must not hold its descriptors (and deleted files' space) until a
// request reaches its code on this thread again, which may never happen. The caches of
// handlers the new sites still use go too; they refill at their next requests.
void release_caches() noexcept {
  caches.clear();
}

// The caches of this thread for handler h. A slot whose handler has ended is closed here too:
// an exchange that began on the old sites may still reach its handler after the release.
cache_slot& caches_for(const std::shared_ptr<const handler_state>& h) {
  std::erase_if(caches, [](const cache_slot& s) { return s.owner.expired(); });
  for (cache_slot& s : caches)
    if (!s.owner.owner_before(h) && !h.owner_before(s.owner)) return s;
  base::on_release_thread_caches(release_caches);
  caches.push_back(
      {h, std::make_unique<file_cache>(), std::make_unique<static_files::type_map_cache>()});
  return caches.back();
}

// Finds the file at src.relative: from the cache, or opened below the root. Returns 0, or
// the errno that says why not (ENOENT, EXDEV...); a non-regular file leaves src.fd open.
int open_source(const handler_state& h, file_cache& cache, file_source& src) {
  thread_local std::string name;  // the kernel wants NUL-terminated names
  name.assign(src.relative);
  if ((src.cached = cache.find(h.root_fd, name.c_str(), src.key, base::coarse_monotonic_ms())))
    return 0;
  src.fd = static_files::open_below(h.root_fd, name.c_str(), h.beneath());
  if (src.fd < 0 && (errno == EMFILE || errno == ENFILE)) {
    // Out of descriptors: the ones this cache keeps are the first to give back.
    cache.close_descriptors();
    src.fd = static_files::open_below(h.root_fd, name.c_str(), h.beneath());
  }
  if (src.fd < 0) return errno;
  if (::fstat(src.fd, &src.st) != 0) {
    int err = errno;
    src.close();
    return err;
  }
  return 0;
}

// Puts a regular file just opened into the cache, which then holds its bytes or descriptor.
void remember(file_cache& cache, file_source& src) {
  if (src.cached || !S_ISREG(src.st.st_mode)) return;
  bool fd_taken = false;
  src.cached = cache.store(src.key, src.fd, src.st, base::coarse_monotonic_ms(), fd_taken);
  if (fd_taken)
    src.fd = -1;  // the cache's now
  else if (src.cached)
    src.close();
}

// States the facts of the file (RFC 9110 §8.3, §8.6, §8.8): content, type, and the
// validators from which the server answers conditional and range requests. coding, when not
// empty, is the content-coding the file holds, and gives it an ETag of its own (§8.8.3).
void describe_file(file_cache& cache, file_source& src, std::string_view type,
                   std::string_view coding, bool inode_etag, response& res) {
  remember(cache, src);
  const auto& e = src.cached;
  const auto dev = static_cast<std::uint64_t>(e ? e->dev : src.st.st_dev);
  const auto ino = static_cast<std::uint64_t>(e ? e->ino : src.st.st_ino);
  const auto size = static_cast<std::uint64_t>(e ? e->size : src.st.st_size);
  const timespec mtime = e ? e->mtime : src.st.st_mtim;
  if (e && e->file) {
    res.set_file(e->file, e->file->fd, 0, size, type);
  } else if (e) {
    res.set_body(e->bytes, type);
  } else {
    res.set_file(src.fd, 0, size, type);
    src.fd = -1;  // the response owns it now
  }
  if (e && !e->etag.empty() && e->etag_coding == coding) {
    res.set_etag(e->etag);
  } else {
    thread_local std::string etag;
    if (inode_etag)
      http::format_file_etag(dev, ino, size, mtime.tv_sec, mtime.tv_nsec, coding, etag);
    else
      http::format_portable_file_etag(size, mtime.tv_sec, mtime.tv_nsec, coding, etag);
    res.set_etag(etag);
    if (e) {
      e->etag = etag;
      e->etag_coding.assign(coding);
    }
  }
  res.set_last_modified(mtime.tv_sec);
  if (!coding.empty()) res.set_content_coding(coding);
}

// The negotiation mode of a path: the longest prefix that has one, else the handler's.
negotiation_mode mode_for(const handler_state& h, std::string_view path) {
  negotiation_mode mode = h.opts.negotiation;
  std::size_t longest = 0;
  for (const auto& [prefix, m] : h.opts.negotiation_prefixes)
    if (path.starts_with(prefix) && prefix.size() >= longest) {
      longest = prefix.size();
      mode = m;
    }
  return mode;
}

// RFC 9110 §15.4.1, §15.5.7: 300 and 406 list the representations there are, for the user to
// pick. Each item is a file name next to the requested one and a note on what it holds.
void list_representations(http::status code,
                          const std::vector<std::pair<std::string, std::string>>& items,
                          response& res) {
  std::string body =
      "<!doctype html>\n<meta charset=\"utf-8\"><title>Representations</title>"
      "\n<p>Available representations:</p>\n<ul>\n";
  for (const auto& [name, note] : items) {
    body += "<li><a href=\"";
    // Each segment fully encoded, so that no ':' reads as a scheme (RFC 3986 §4.2).
    for (std::string_view rest = name;;) {
      const std::size_t slash = rest.find('/');
      static_files::append_percent_encoded(body, rest.substr(0, slash));
      if (slash == std::string_view::npos) break;
      body += '/';
      rest.remove_prefix(slash + 1);
    }
    body += "\">";
    static_files::append_html_escaped(body, name);
    body += "</a> (";
    static_files::append_html_escaped(body, note);
    body += ")</li>\n";
  }
  body += "</ul>\n";
  res.set_status(code);
  res.set_body(body, "text/html; charset=utf-8");
}

void not_acceptable(std::string_view name, const static_files::coding_choice& c, response& res) {
  std::vector<std::pair<std::string, std::string>> items{{std::string(name), "identity"}};
  for (std::size_t i = 0; i < static_files::sibling_count; ++i) {
    const auto& sc = static_files::sibling_codings[i];
    if (c.present[i]) items.emplace_back(std::string(name) + std::string(sc.suffix), sc.coding);
  }
  list_representations(http::status::not_acceptable, items, res);
}

// Serves a regular file found at src, or in its place the precompressed sibling that
// Accept-Encoding ranks best.
void serve_file(const handler_state& h, file_cache& cache, file_source& src, const request& req,
                response& res) {
  thread_local std::string type_scratch;
  std::string_view type = h.types.for_path(src.relative, type_scratch);
  if (!h.opts.precompressed) return describe_file(cache, src, type, {}, h.opts.etag_inode, res);
  // The last lookup of the siblings is remembered in the file's cache entry (a file is cached
  // at its first request; one that is not could not be read whole, or changed meanwhile).
  remember(cache, src);
  const std::int64_t now = base::coarse_monotonic_ms();
  const file_cache::entry* e = src.cached;
  const bool fresh = e && e->siblings_checked_ms >= 0 &&
                     now - e->siblings_checked_ms < file_cache::sibling_memo_ms;
  auto c = static_files::choose_coding(h.root_fd, src.relative, req.header("Accept-Encoding"),
                                       fresh ? e->siblings : nullptr);
  if (e && !fresh) {
    e->siblings_checked_ms = now;
    std::copy(std::begin(c.present), std::end(c.present), e->siblings);
  }
  // RFC 9110 §12.5.5: the choice depends on Accept-Encoding, whichever way it went.
  if (c.has_siblings) res.add_header("Vary", "Accept-Encoding");
  if (c.none_acceptable && mode_for(h, req.path) != negotiation_mode::lenient) {
    src.close();
    std::string_view relative = src.relative;
    return not_acceptable(relative.substr(relative.rfind('/') + 1), c, res);
  }
  if (c.sibling) {
    const auto& sc = static_files::sibling_codings[*c.sibling];
    thread_local std::string relative, key;
    relative.assign(src.relative).append(sc.suffix);
    key.assign(src.key).append(sc.suffix);
    file_source sib{.relative = relative, .key = key};
    if (open_source(h, cache, sib) == 0 && (sib.cached || S_ISREG(sib.st.st_mode))) {
      src.close();
      return describe_file(cache, sib, type, sc.coding, h.opts.etag_inode, res);
    }
    sib.close();  // gone or not servable: the file itself is always acceptable here
  }
  describe_file(cache, src, type, {}, h.opts.etag_inode, res);
}

// A directory: the slash form, then an index file, then a listing if enabled, else 403.
void serve_directory(const handler_state& h, file_cache& cache, int dir_fd, const request& req,
                     response& res) {
  if (!req.path.ends_with('/')) {
    // RFC 9110 §15.4.2: the collection's URI has the slash; relative links depend on it.
    // The path is decoded: encode it again, or "/a b" and "/q%3Fm" would give a Location that
    // is no URI, or one whose '?' starts a query.
    std::string location;
    append_path_encoded(location, req.path);
    location += '/';
    if (!req.query.empty()) {
      location += '?';
      http::append_query_as_uri(location, req.query);  // bytes a URI may not hold, encoded
    }
    ::close(dir_fd);
    return res.redirect(http::status::moved_permanently, location);
  }
  thread_local std::string relative, key;
  for (const std::string& index : h.opts.index_files) {
    relative.assign(req.path.substr(1)).append(index);
    key.assign(req.path).append(index);
    file_source src{.relative = relative, .key = key};
    if (open_source(h, cache, src) == 0 && (src.cached || S_ISREG(src.st.st_mode))) {
      ::close(dir_fd);
      return serve_file(h, cache, src, req, res);
    }
    src.close();
  }
  if (!h.opts.listing) {
    ::close(dir_fd);
    return res.error(http::status::forbidden);  // no index, and listings are not enabled
  }
  std::string_view dir = req.path.substr(1);
  if (dir.ends_with('/')) dir.remove_suffix(1);
  static_files::serve_listing(h.root_fd, dir_fd, dir.empty() ? "." : dir, req, h.opts, res);
}

void list_variants(http::status code, const std::vector<static_files::variant_file>& vs,
                   response& res) {
  std::vector<std::pair<std::string, std::string>> items;
  items.reserve(vs.size());
  for (const auto& v : vs)
    items.emplace_back(v.name,
                       v.language.empty() ? v.media_type : v.media_type + ", " + v.language);
  list_representations(code, items, res);
}

// A type map's variants, negotiated (RFC 9110 §12.1 with each variant's source quality, RFC
// 2295 §5.3). False when map_relative is no map file.
bool serve_type_map(const handler_state& h, cache_slot& slot, const std::string& map_relative,
                    const request& req, response& res) {
  const auto loaded = slot.maps->load(h.root_fd, map_relative, h.types, h.beneath());
  if (!loaded) return false;
  const static_files::loaded_type_map& map = *loaded;
  file_cache& cache = *slot.cache;
  auto tell = [&](std::string_view what) {
    if (!h.opts.log) return;
    std::string line = "type map " + map_relative + ": " + std::string(what);
    for (const std::string& p : map.problems)
      line.append("; ").append(p);
    h.opts.log(line);
  };
  if (map.variants.empty()) {
    tell("no variant to serve (404)");
    res.error(http::status::not_found);
    return true;
  }
  const std::string_view parent = req.path.substr(0, req.path.rfind('/') + 1);
  const auto accept = req.header("Accept");
  const auto accept_language = req.header("Accept-Language");
  const auto accept_encoding = req.header("Accept-Encoding");
  std::vector<http::variant> offered;
  offered.reserve(map.variants.size());
  bool coded = false;
  bool languages = false;
  for (const auto& v : map.variants) {
    // A variant in several languages weighs as its best one for this client.
    std::string_view language;
    int best = -1;
    for (const std::string& tag : v.entry.languages)
      if (const int q = http::language_quality(accept_language, tag); q > best) {
        best = q;
        language = tag;
      }
    coded = coded || !v.entry.encoding.empty();
    languages = languages || !v.entry.languages.empty();
    offered.push_back({v.entry.media_type, language, v.entry.encoding, v.entry.source_quality});
  }
  // §12.5.5: the outcome depended on these fields.
  std::string vary = "Accept";
  if (languages) vary += ", Accept-Language";
  if (coded) vary += ", Accept-Encoding";
  res.add_header("Vary", vary);
  auto list = [&](http::status code) {
    std::vector<std::pair<std::string, std::string>> items;
    for (const auto& v : map.variants) {
      std::string note = v.entry.description.empty() ? v.entry.media_type : v.entry.description;
      for (const std::string& tag : v.entry.languages)
        note.append(", ").append(tag);
      if (!v.entry.encoding.empty()) note.append(", ").append(v.entry.encoding);
      items.emplace_back(v.entry.uri, note);
    }
    list_representations(code, items, res);
  };
  const auto r = http::choose_variant(offered, accept, accept_language, accept_encoding);
  const negotiation_mode mode = mode_for(h, req.path);
  if (r.none_acceptable && mode != negotiation_mode::lenient) {
    list(http::status::not_acceptable);
    return true;
  }
  if (r.tie && mode == negotiation_mode::multiple_choices) {
    list(http::status::multiple_choices);
    return true;
  }
  const std::size_t i = r.chosen && !r.none_acceptable ? *r.chosen : 0;
  const static_files::map_variant& v = map.variants[i];
  if (v.negotiable) {
    // RFC 2295 §8.1: the chosen variant would negotiate again; a loop is never entered.
    tell("variant '" + v.entry.uri + "' negotiates itself (506)");
    res.error(http::status::variant_also_negotiates);
    return true;
  }
  file_source src{.relative = v.relative, .key = {}};
  thread_local std::string key;
  key.assign(parent).append(v.entry.uri);
  src.key = key;
  if (open_source(h, cache, src) != 0 || (!src.cached && !S_ISREG(src.st.st_mode))) {
    src.close();
    res.error(http::status::not_found);  // gone since the map was read
    return true;
  }
  // §8.5: the languages of the variant's audience, all of them, as the map lists them.
  if (!v.entry.languages.empty()) {
    std::string audience;
    for (const std::string& tag : v.entry.languages)
      audience.append(audience.empty() ? "" : ", ").append(tag);
    res.set_header("Content-Language", audience);
  }
  // §8.7: the URI of the variant that was chosen.
  std::string location(parent);
  append_path_encoded(location, v.entry.uri);
  res.set_header("Content-Location", location);
  if (auto cc = static_files::cache_control_for(h.opts.cache_control, req.path))
    res.set_header("Cache-Control", *cc);
  // The map says what the file is: its type (with its charset) and its coding.
  describe_file(cache, src, v.entry.media_type, v.entry.encoding, h.opts.etag_inode, res);
  return true;
}

// The requested name does not exist: answer with one of its variant files, if it has some
// (RFC 9110 §12.1). False when there are none.
bool serve_negotiated(const handler_state& h, cache_slot& slot, const request& req, response& res) {
  file_cache& cache = *slot.cache;
  std::string_view path = req.path;
  std::size_t slash = path.rfind('/');
  if (path.ends_with('/') || slash == std::string_view::npos) return false;
  std::string_view parent = path.substr(0, slash + 1);  // "/a/b/"
  std::string dir(slash == 0 ? std::string_view(".") : path.substr(1, slash - 1));
  if (h.opts.type_maps) {
    // A map beside the missing name says what its variants are, before their file names do.
    std::string map = dir == "." ? std::string() : dir + "/";
    map.append(path.substr(slash + 1)).append(".var");
    if (serve_type_map(h, slot, map, req, res)) return true;
  }
  auto vs =
      static_files::find_variants(h.root_fd, dir, path.substr(slash + 1), h.types, h.beneath());
  if (vs.empty()) return false;
  // §12.5.5: whatever the outcome, it depended on these fields.
  res.add_header("Vary", "Accept, Accept-Language");
  std::vector<http::variant> offered;
  offered.reserve(vs.size());
  for (const auto& v : vs)
    offered.push_back({v.media_type, v.language, {}});
  auto r = http::choose_variant(offered, req.header("Accept"), req.header("Accept-Language"),
                                std::nullopt);
  const negotiation_mode mode = mode_for(h, req.path);
  if (r.none_acceptable && mode != negotiation_mode::lenient) {
    list_variants(http::status::not_acceptable, vs, res);
    return true;
  }
  if (r.tie && mode == negotiation_mode::multiple_choices) {
    list_variants(http::status::multiple_choices, vs, res);
    return true;
  }
  // Nothing acceptable and lenient: the server's default, the first in its order.
  const auto& v = vs[r.chosen && !r.none_acceptable ? *r.chosen : 0];
  std::string relative = dir == "." ? v.name : dir + "/" + v.name;
  std::string key = std::string(parent) + v.name;
  file_source src{.relative = relative, .key = key};
  if (open_source(h, cache, src) != 0 || (!src.cached && !S_ISREG(src.st.st_mode))) {
    src.close();
    res.error(http::status::not_found);  // gone since the directory was read
    return true;
  }
  if (!v.language.empty()) res.set_header("Content-Language", v.language);
  // §8.7: the URI of the variant that was chosen.
  std::string location(parent);
  static_files::append_percent_encoded(location, v.name);
  res.set_header("Content-Location", location);
  if (auto cc = static_files::cache_control_for(h.opts.cache_control, req.path))
    res.set_header("Cache-Control", *cc);
  serve_file(h, cache, src, req, res);
  return true;
}

// RFC 9110 §9.3.7: OPTIONS tells what the resource supports; nothing to send, hence 204.
void answer_options(const handler_state& h, std::string_view relative, response& res) {
  thread_local std::string name;
  name.assign(relative);
  int fd = static_files::open_below(h.root_fd, name.c_str(), h.beneath());
  if (fd < 0) return refuse_for_open_error(h, errno, res);
  struct stat st {};
  bool ok = ::fstat(fd, &st) == 0;
  ::close(fd);
  if (!ok) return res.error(http::status::internal_server_error);
  if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) return res.error(http::status::forbidden);
  res.set_status(http::status::no_content);
  res.set_header("Allow", allowed_methods);
}

void handle(const std::shared_ptr<const handler_state>& state, const request& req, response& res) {
  const handler_state& h = *state;
  // Browsers must take Content-Type as given, not sniff a script out of a text file.
  if (h.opts.nosniff) res.set_header("X-Content-Type-Options", "nosniff");
  if (!h.opts.allow_dotfiles && static_files::is_hidden_path(req.path))
    return res.error(http::status::forbidden);  // whether it exists or not
  // The path is normalized already: absolute, no dot-segments, no empty segments.
  std::string_view relative = req.path.size() > 1 ? req.path.substr(1) : ".";
  if (req.method == "OPTIONS") return answer_options(h, relative, res);
  cache_slot& slot = caches_for(state);
  file_cache& cache = *slot.cache;
  if (h.opts.type_maps && static_files::is_type_map_name(req.path) &&
      serve_type_map(h, slot, std::string(relative), req, res))
    return;
  file_source src{.relative = relative, .key = req.path};
  if (int err = open_source(h, cache, src)) {
    if (err == ENOENT && serve_negotiated(h, slot, req, res)) return;
    return refuse_for_open_error(h, err, res);
  }
  if (auto cc = static_files::cache_control_for(h.opts.cache_control, req.path))
    res.set_header("Cache-Control", *cc);
  if (!src.cached && S_ISDIR(src.st.st_mode)) return serve_directory(h, cache, src.fd, req, res);
  if (!src.cached && !S_ISREG(src.st.st_mode)) {
    src.close();
    return res.error(http::status::forbidden);
  }
  serve_file(h, cache, src, req, res);
}

}  // namespace

handler make_static_files(static_files_options options) {
  auto state = std::make_shared<handler_state>(std::move(options));
  state->root_fd = ::open(state->opts.root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (state->root_fd < 0)
    throw std::system_error(errno, std::generic_category(),
                            "cannot open " + state->opts.root.string());
  for (const auto& rule : state->opts.cache_control)
    if (rule.pattern.empty()) throw std::invalid_argument("empty Cache-Control pattern");
  std::shared_ptr<const handler_state> shared = state;
  return [shared](const request& req, response& res) { handle(shared, req, res); };
}

}  // namespace teapot::handlers
