#include "teapot/handlers/static_files.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <memory>
#include <system_error>
#include <utility>
#include <vector>

#include "handlers/static_files/small_file_cache.h"
#include "http/mime_types.h"

namespace teapot::handlers {

namespace {

struct root_dir {
  int fd = -1;
  std::uint64_t id = 0;  // tells the per-thread caches of two handlers apart
  ~root_dir() {
    if (fd >= 0) ::close(fd);
  }
};

// openat2 with RESOLVE_BENEATH: the kernel refuses any resolution, through ".." or a symbolic
// link, that would leave the directory (EXDEV), without a race between check and use.
int open_beneath(int dir_fd, const char* relative) noexcept {
  open_how how{};
  how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  long fd;
  do {
    fd = ::syscall(SYS_openat2, dir_fd, relative, &how, sizeof how);
  } while (fd < 0 && errno == EINTR);
  return static_cast<int>(fd);
}

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
    default:
      return http::status::internal_server_error;
  }
}

// The cache of this thread for the handler whose root has this id.
small_file_cache& cache_for(std::uint64_t root_id) {
  thread_local std::vector<std::pair<std::uint64_t, std::unique_ptr<small_file_cache>>> caches;
  for (auto& [id, cache] : caches)
    if (id == root_id) return *cache;
  caches.emplace_back(root_id, std::make_unique<small_file_cache>());
  return *caches.back().second;
}

void serve_regular(int fd, const struct stat& st, std::string_view name, response& res,
                   small_file_cache* cache = nullptr, std::string_view key = {}) {
  std::string_view type = http::content_type_for_path(name);
  if (cache) {
    if (const auto* e = cache->store(key, fd, st, type)) {
      ::close(fd);
      return res.set_body(e->bytes, e->content_type);
    }
  }
  res.set_file(fd, 0, static_cast<std::uint64_t>(st.st_size), type);
}

void serve_directory(int dir_fd, const request& req, const static_files_options& opts,
                     response& res) {
  if (!req.path.ends_with('/')) {
    // RFC 9110 §15.4.2: the collection's URI has the slash; relative links depend on it.
    std::string location(req.path);
    location += '/';
    if (!req.query.empty()) {
      location += '?';
      location += req.query;
    }
    ::close(dir_fd);
    res.redirect(http::status::moved_permanently, location);
    return;
  }
  for (const std::string& index : opts.index_files) {
    int fd = open_beneath(dir_fd, index.c_str());
    struct stat st {};
    if (fd >= 0 && ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
      ::close(dir_fd);
      return serve_regular(fd, st, index, res);
    }
    if (fd >= 0) ::close(fd);
  }
  ::close(dir_fd);
  res.error(http::status::forbidden);  // no index, and listings are not enabled
}

}  // namespace

handler make_static_files(static_files_options options) {
  static std::atomic<std::uint64_t> next_root_id{1};
  auto root = std::make_shared<root_dir>();
  root->id = next_root_id++;
  root->fd = ::open(options.root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root->fd < 0)
    throw std::system_error(errno, std::generic_category(), "cannot open " + options.root.string());
  auto opts = std::make_shared<const static_files_options>(std::move(options));
  return [root, opts](const request& req, response& res) {
    // The path is normalized already: absolute, no dot-segments, no empty segments.
    // The kernel wants a NUL-terminated name; a buffer per thread keeps this allocation-free.
    thread_local std::string relative;
    if (req.path.size() > 1)
      relative.assign(req.path.substr(1));
    else
      relative.assign(".");
    small_file_cache& cache = cache_for(root->id);
    if (const auto* e = cache.find(root->fd, relative.c_str(), req.path))
      return res.set_body(e->bytes, e->content_type);
    int fd = open_beneath(root->fd, relative.c_str());
    if (fd < 0) return res.error(status_for_open_error(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      ::close(fd);
      return res.error(http::status::internal_server_error);
    }
    if (S_ISDIR(st.st_mode)) return serve_directory(fd, req, *opts, res);
    if (!S_ISREG(st.st_mode)) {
      ::close(fd);
      return res.error(http::status::forbidden);
    }
    serve_regular(fd, st, req.path, res, &cache, req.path);
  };
}

}  // namespace teapot::handlers
