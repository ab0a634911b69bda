#include "handlers/static_files/type_maps.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <memory>
#include <system_error>
#include <utility>

#include "teapot/handlers/static_files.h"

#include "handlers/static_files/resolve.h"
#include "handlers/static_files/variants.h"

namespace teapot::handlers::static_files {

namespace {

// At most max_type_map_size bytes, and one more to tell that the map is larger.
bool read_small_file(int fd, std::string& out) {
  out.resize(http::max_type_map_size + 1);
  std::size_t got = 0;
  while (got < out.size()) {
    const ssize_t n = ::read(fd, out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  out.resize(got);
  return true;
}

bool take_stamp(int root_fd, const std::string& path, struct stat& st) {
  return ::fstatat(root_fd, path.c_str(), &st, 0) == 0;
}

bool same_time(const timespec& a, const timespec& b) noexcept {
  return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

// The directory of a path below the root, "." for the root itself.
std::string directory_of(std::string_view relative) {
  const std::size_t slash = relative.rfind('/');
  return slash == std::string_view::npos ? std::string(".")
                                         : std::string(relative.substr(0, slash));
}

}  // namespace

std::shared_ptr<const loaded_type_map> type_map_cache::load(int root_fd,
                                                            const std::string& relative,
                                                            const content_types& types,
                                                            bool beneath) {
  if (const auto it = entries_.find(relative); it != entries_.end()) {
    bool unchanged = true;
    for (const stamp& s : it->second.stamps) {
      struct stat st {};
      unchanged = take_stamp(root_fd, s.path, st) && st.st_dev == s.dev && st.st_ino == s.ino &&
                  st.st_size == s.size && same_time(st.st_mtim, s.mtime) &&
                  same_time(st.st_ctim, s.ctime);
      if (!unchanged) break;
    }
    if (unchanged) return it->second.map;
    entries_.erase(it);
  }
  // The stamps are taken before the reading: a change that comes during it is seen next time.
  std::vector<std::string> paths{relative, directory_of(relative)};
  std::vector<stamp> stamps;
  auto stamp_of = [&](const std::string& path) {
    struct stat st {};
    if (!take_stamp(root_fd, path, st)) return false;
    stamps.push_back({path, st.st_dev, st.st_ino, st.st_size, st.st_mtim, st.st_ctim});
    return true;
  };
  if (!stamp_of(paths[0]) || !stamp_of(paths[1])) return nullptr;
  auto map = std::make_shared<loaded_type_map>(load_type_map(root_fd, relative, types, beneath));
  if (!map->found) return nullptr;
  for (const map_variant& v : map->variants) {
    const std::string dir = directory_of(v.relative);
    bool seen = false;
    for (const stamp& s : stamps)
      seen = seen || s.path == dir;
    if (!seen && !stamp_of(dir)) return map;  // served, not kept
  }
  // A time stamp is as fine as the kernel's tick (a few milliseconds): a change made in the
  // same tick as the last one would leave the stamps as they are. So a map whose files changed
  // within the last second is served but not kept, until its stamps have settled.
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  for (const stamp& s : stamps)
    if (now.tv_sec - s.mtime.tv_sec < 2 || now.tv_sec - s.ctime.tv_sec < 2) return map;
  if (entries_.size() >= max_maps) entries_.clear();
  entries_[relative] = entry{std::move(stamps), map};
  return map;
}

loaded_type_map load_type_map(int root_fd, std::string_view relative, const content_types& types,
                              bool beneath) {
  loaded_type_map out;
  const int fd = open_below(root_fd, std::string(relative).c_str(), beneath);
  if (fd < 0) return out;
  struct stat st {};
  std::string text;
  const bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && read_small_file(fd, text);
  ::close(fd);
  if (!ok) return out;
  out.found = true;
  http::type_map map = http::parse_type_map(text);
  out.problems = std::move(map.problems);
  const std::size_t slash = relative.rfind('/');
  const std::string dir(slash == std::string_view::npos ? std::string_view{}
                                                        : relative.substr(0, slash + 1));
  for (http::type_map_variant& entry : map.variants) {
    map_variant v{.entry = std::move(entry), .relative = dir, .negotiable = false};
    v.relative.append(v.entry.uri);
    const int vfd = open_below(root_fd, v.relative.c_str(), beneath);
    if (vfd >= 0) {
      struct stat vst {};
      const bool regular = ::fstat(vfd, &vst) == 0 && S_ISREG(vst.st_mode);
      ::close(vfd);
      if (!regular) {
        out.problems.push_back("URI '" + v.entry.uri + "' is not a regular file");
        continue;
      }
      v.negotiable = is_type_map_name(v.relative);
    } else {
      // No such file: a name with variant files of its own negotiates again; else nothing.
      const std::size_t vslash = v.relative.rfind('/');
      const std::string_view vdir = vslash == std::string::npos
                                        ? std::string_view(".")
                                        : std::string_view(v.relative).substr(0, vslash);
      const std::string_view base = std::string_view(v.relative).substr(vslash + 1);
      if (find_variants(root_fd, vdir, base, types, beneath).empty()) {
        out.problems.push_back("URI '" + v.entry.uri + "' names no file");
        continue;
      }
      v.negotiable = true;
    }
    out.variants.push_back(std::move(v));
  }
  return out;
}

}  // namespace teapot::handlers::static_files

namespace teapot::handlers {

std::vector<std::string> check_type_maps(const static_files_options& options) {
  std::vector<std::string> out;
  if (!options.type_maps || options.root.empty()) return out;
  const int root_fd = ::open(options.root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0) return out;
  const static_files::content_types types(options.mime_overrides, options.charset);
  const bool beneath = !options.follow_symlinks_outside_root;
  constexpr std::size_t max_entries = 10000;
  std::size_t seen = 0;
  std::error_code ec;
  namespace fs = std::filesystem;
  for (fs::recursive_directory_iterator
           it(options.root, fs::directory_options::skip_permission_denied, ec),
       end;
       !ec && it != end; it.increment(ec)) {
    if (++seen > max_entries) {
      out.push_back("type maps: more than " + std::to_string(max_entries) +
                    " entries below the root; the rest is not checked");
      break;
    }
    const std::string name = it->path().filename().string();
    if (!static_files::is_type_map_name(name) || !it->is_regular_file(ec)) continue;
    const std::string relative = it->path().lexically_relative(options.root).string();
    const static_files::loaded_type_map map =
        static_files::load_type_map(root_fd, relative, types, beneath);
    const std::string said = "type map " + relative + ": ";
    for (const std::string& problem : map.problems)
      out.push_back(said + problem);
    for (const static_files::map_variant& v : map.variants)
      if (v.negotiable)
        out.push_back(std::string(said)
                          .append("variant '")
                          .append(v.entry.uri)
                          .append("' negotiates itself (506 when chosen)"));
  }
  ::close(root_fd);
  return out;
}

}  // namespace teapot::handlers
