#include "handlers/webdav/area.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <map>
#include <stdexcept>
#include <vector>

#include "handlers/webdav/directory.h"
#include "http/validators.h"

namespace teapot::handlers::webdav {

std::optional<std::string> area::area_path(std::string_view path) const {
  std::string_view prefix = options.prefix;  // ends with '/'
  std::string_view bare = prefix.substr(0, prefix.size() - 1);
  if (path == bare || path == prefix) return std::string("/");
  if (!path.starts_with(prefix)) return std::nullopt;
  std::string out(path.substr(prefix.size() - 1));
  while (out.size() > 1 && out.back() == '/')
    out.pop_back();
  return out;
}

std::string area::request_path(std::string_view apath, bool collection) const {
  std::string out(options.prefix);
  out.pop_back();
  out.append(apath);
  if (collection && out.back() != '/') out.push_back('/');
  return out;
}

bool area::reserve(std::uint64_t bytes) {
  std::atomic<std::uint64_t>& used = shared->used;
  if (!options.quota) {
    used.fetch_add(bytes, std::memory_order_relaxed);
    return true;
  }
  std::uint64_t now = used.load(std::memory_order_relaxed);
  do {
    if (now + bytes > *options.quota) return false;
  } while (!used.compare_exchange_weak(now, now + bytes, std::memory_order_relaxed));
  return true;
}

void area::release(std::uint64_t bytes) noexcept {
  std::atomic<std::uint64_t>& used = shared->used;
  std::uint64_t now = used.load(std::memory_order_relaxed);
  std::uint64_t next;
  do {
    next = now > bytes ? now - bytes : 0;
  } while (!used.compare_exchange_weak(now, next, std::memory_order_relaxed));
}

bool is_reserved(std::string_view apath) noexcept {
  for (std::size_t at = apath.find('/'); at != std::string_view::npos; at = apath.find('/', at + 1))
    if (apath.substr(at + 1).starts_with(reserved_prefix)) return true;
  return false;
}

std::string_view parent_of(std::string_view apath) noexcept {
  std::size_t at = apath.rfind('/');
  if (at == 0 || at == std::string_view::npos) return "/";
  return apath.substr(0, at);
}

std::string_view name_of(std::string_view apath) noexcept {
  return apath.substr(apath.rfind('/') + 1);
}

std::string child_of(std::string_view apath, std::string_view name) {
  std::string out(apath);
  if (out.back() != '/') out.push_back('/');
  out.append(name);
  return out;
}

bool is_within(std::string_view inner, std::string_view outer) noexcept {
  if (outer == "/") return true;
  return inner == outer || (inner.starts_with(outer) && inner[outer.size()] == '/');
}

resource_info stat_resource(const std::string& fs_path) {
  resource_info r;
  struct statx sx {};
  if (::statx(AT_FDCWD, fs_path.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS | STATX_BTIME,
              &sx) != 0)
    return r;
  if (S_ISLNK(sx.stx_mode)) {
    r.symlink = true;
    if (::statx(AT_FDCWD, fs_path.c_str(), 0, STATX_BASIC_STATS | STATX_BTIME, &sx) != 0) {
      r.exists = true;  // a dangling link: a member, of no content
      return r;
    }
  }
  r.exists = true;
  r.collection = S_ISDIR(sx.stx_mode);
  r.size = r.collection ? 0 : sx.stx_size;
  r.mtime = {.tv_sec = sx.stx_mtime.tv_sec, .tv_nsec = sx.stx_mtime.tv_nsec};
  r.created = (sx.stx_mask & STATX_BTIME) ? sx.stx_btime.tv_sec : sx.stx_mtime.tv_sec;
  r.device = makedev(sx.stx_dev_major, sx.stx_dev_minor);  // st_dev's encoding, as GET's
  r.inode = sx.stx_ino;
  if (!r.collection)
    http::format_file_etag(r.device, r.inode, r.size, r.mtime.tv_sec, r.mtime.tv_nsec, "", r.etag);
  return r;
}

std::string file_etag(const struct stat& st) {
  std::string out;
  http::format_file_etag(st.st_dev, st.st_ino, static_cast<std::uint64_t>(st.st_size),
                         st.st_mtim.tv_sec, st.st_mtim.tv_nsec, "", out);
  return out;
}

namespace {

std::uint64_t sweep(const std::string& dir, int depth) {
  directory d(dir);
  std::uint64_t bytes = 0;
  std::vector<std::string> subdirs;
  for (std::string name = d.next(); !name.empty(); name = d.next()) {
    std::string full = dir;
    full.append("/").append(name);
    if (name.starts_with(".teapot-put-")) {
      ::unlink(full.c_str());
      continue;
    }
    if (name.starts_with(reserved_prefix)) continue;  // the database is not the users' bytes
    struct stat st {};
    if (::lstat(full.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      subdirs.push_back(std::move(full));
    } else if (S_ISREG(st.st_mode)) {
      bytes += static_cast<std::uint64_t>(st.st_size);
    }
  }
  // Symbolic links are not followed (lstat): a loop of bindings cannot keep the sweep going,
  // and what a link points to is counted where it lives.
  if (depth < 256)
    for (const std::string& s : subdirs)
      bytes += sweep(s, depth + 1);
  return bytes;
}

}  // namespace

std::uint64_t sweep_and_measure(const std::string& root) {
  return sweep(root, 0);
}

std::shared_ptr<root_state> root_state_for(const std::string& root,
                                           const std::filesystem::path& database) {
  static std::mutex registry_mutex;
  static std::map<std::string, std::weak_ptr<root_state>> registry;  // by database
  std::error_code ec;
  std::filesystem::path key = std::filesystem::weakly_canonical(database, ec);
  if (ec) key = std::filesystem::absolute(database).lexically_normal();
  std::lock_guard lock(registry_mutex);
  if (auto known = registry[key.string()].lock()) {
    if (known->root != root)
      throw std::invalid_argument("the WebDAV database " + key.string() +
                                  " already belongs to the area on " + known->root +
                                  "; give each directory its own");
    return known;
  }
  auto state = std::make_shared<root_state>();
  state->root = root;
  state->db = open_sqlite_store(database);
  state->used = sweep_and_measure(root);
  registry[key.string()] = state;
  return state;
}

}  // namespace teapot::handlers::webdav
