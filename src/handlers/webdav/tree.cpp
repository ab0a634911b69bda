#include "handlers/webdav/tree.h"

#include "handlers/webdav/directory.h"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <set>
#include <utility>

namespace teapot::handlers::webdav {

namespace {

std::vector<std::string> members_of(const std::string& dir) {
  std::vector<std::string> names;
  directory d(dir);
  for (std::string n = d.next(); !n.empty(); n = d.next())
    names.push_back(std::move(n));
  return names;
}

bool is_space_error(int e) noexcept {
  return e == ENOSPC || e == EDQUOT;
}

// Returns true when apath is gone. A member of the server's own (an upload in progress) goes
// too, but its bytes stay counted: the upload gives its reservation back itself.
bool delete_at(area& a, const std::string& apath, std::vector<std::string>& failed,
               std::vector<std::string>* removed, int depth) {
  const std::string full = a.fs_path(apath);
  struct stat st {};
  if (::lstat(full.c_str(), &st) != 0) {
    if (errno == ENOENT) return true;  // gone already
    failed.push_back(apath);
    return false;
  }
  if (!S_ISDIR(st.st_mode)) {
    if (::unlink(full.c_str()) != 0) {
      failed.push_back(apath);
      return false;
    }
    if (S_ISREG(st.st_mode) && !name_of(apath).starts_with(reserved_prefix))
      a.release(static_cast<std::uint64_t>(st.st_size));
    if (removed != nullptr) removed->push_back(apath);
    return true;
  }
  bool members_gone = depth < 4096;
  if (members_gone)
    for (const std::string& name : members_of(full))
      members_gone =
          delete_at(a, child_of(apath, name), failed, removed, depth + 1) && members_gone;
  if (::rmdir(full.c_str()) != 0) {
    // RFC 4918 §9.6.1: a collection that keeps a failed member is implied by it; one that
    // stays for another reason (unreadable, or filled meanwhile) is reported itself.
    if (members_gone) failed.push_back(apath);
    return false;
  }
  if (removed != nullptr) removed->push_back(apath);
  return true;
}

// Copies the rest of in to out. copy_file_range lets the kernel (or the file system) copy
// without the bytes passing through here, but refuses some pairs of file systems; a plain
// read and write loop takes over then.
bool copy_bytes(int in, int out, std::uint64_t left, bool& out_of_space) {
  bool plain = false;
  char buffer[64 * 1024];
  while (left > 0) {
    ssize_t n;
    if (!plain) {
      n = ::copy_file_range(in, nullptr, out, nullptr, left, 0);
      if (n < 0 && (errno == EXDEV || errno == EOPNOTSUPP || errno == EINVAL || errno == ENOSYS)) {
        plain = true;
        continue;
      }
    } else {
      n = ::read(in, buffer, std::min<std::uint64_t>(left, sizeof buffer));
      if (n > 0) {
        for (ssize_t put = 0; put < n;) {
          const ssize_t w = ::write(out, buffer + put, static_cast<std::size_t>(n - put));
          if (w < 0 && errno == EINTR) continue;
          if (w < 0) {
            out_of_space = is_space_error(errno);
            return false;
          }
          put += w;
        }
      }
    }
    if (n == 0) break;  // the file shrank meanwhile
    if (n < 0) {
      if (errno == EINTR) continue;
      out_of_space = is_space_error(errno);
      return false;
    }
    left -= static_cast<std::uint64_t>(n);
  }
  return true;
}

struct copier {
  area& a;
  const copy_request& r;
  std::vector<std::string>& failed;
  std::set<std::pair<std::uint64_t, std::uint64_t>> ancestors;  // by (dev, inode)
  bool out_of_space = false;
  bool looped = false;

  bool copy_file(const std::string& from, const std::string& to, std::uint64_t size) {
    if (!a.reserve(size)) {
      out_of_space = true;
      return false;
    }
    int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0) {
      a.release(size);
      return false;
    }
    std::string temp = to.substr(0, to.rfind('/') + 1) + ".teapot-put-copy-XXXXXX";
    int out = ::mkostemp(temp.data(), O_CLOEXEC);
    if (out < 0) {
      out_of_space = is_space_error(errno);
      ::close(in);
      a.release(size);
      return false;
    }
    bool ok = copy_bytes(in, out, size, out_of_space);
    if (ok && ::fsync(out) != 0) {
      out_of_space = is_space_error(errno);
      ok = false;
    }
    ::fchmod(out, 0644);
    ::close(out);
    ::close(in);
    if (ok && ::rename(temp.c_str(), to.c_str()) != 0) ok = false;
    if (!ok) {
      ::unlink(temp.c_str());
      a.release(size);
    }
    return ok;
  }

  void copy(const std::string& from_apath, const std::string& to_apath, bool top, int depth) {
    if (out_of_space || looped) return;
    const std::string from = a.fs_path(from_apath), to = a.fs_path(to_apath);
    struct stat link {};
    struct stat st {};
    if (::lstat(from.c_str(), &link) != 0 || ::stat(from.c_str(), &st) != 0) {
      failed.push_back(to_apath);
      return;
    }
    if (!S_ISDIR(st.st_mode)) {
      if (!S_ISREG(st.st_mode) || !copy_file(from, to, static_cast<std::uint64_t>(st.st_size)))
        if (!out_of_space) failed.push_back(to_apath);
      return;
    }
    if (ancestors.contains({st.st_dev, st.st_ino})) {
      // RFC 5842 §2.3: a client that knows bindings gets the binding itself again.
      if (!r.bind || !S_ISLNK(link.st_mode)) {
        looped = true;
        return;
      }
      std::string target(static_cast<std::size_t>(link.st_size) + 1, '\0');
      ssize_t n = ::readlink(from.c_str(), target.data(), target.size());
      if (n < 0 ||
          ::symlink(target.substr(0, static_cast<std::size_t>(n)).c_str(), to.c_str()) != 0)
        failed.push_back(to_apath);
      return;
    }
    if (::mkdir(to.c_str(), 0755) != 0) {
      out_of_space = is_space_error(errno);
      if (!out_of_space) failed.push_back(to_apath);
      return;
    }
    if ((!r.deep && top) || depth >= 4096) return;
    ancestors.emplace(st.st_dev, st.st_ino);
    for (const std::string& name : members_of(from))
      if (!name.starts_with(reserved_prefix))
        copy(child_of(from_apath, name), child_of(to_apath, name), false, depth + 1);
    ancestors.erase({st.st_dev, st.st_ino});
  }
};

}  // namespace

void delete_tree(area& a, const std::string& apath, std::vector<std::string>& failed,
                 std::vector<std::string>* removed) {
  delete_at(a, apath, failed, removed, 0);
}

copy_result copy_tree(area& a, const copy_request& r, std::vector<std::string>& failed) {
  copier c{.a = a, .r = r, .failed = failed, .ancestors = {}};
  c.copy(r.from, r.to, true, 0);
  if (c.out_of_space || c.looped) {
    // Nothing partial stays behind: what this copy made is removed again.
    std::vector<std::string> ignored;
    delete_tree(a, r.to, ignored, nullptr);
    failed.clear();
    return c.out_of_space ? copy_result::no_space : copy_result::loop;
  }
  return failed.empty() ? copy_result::done : copy_result::partial;
}

}  // namespace teapot::handlers::webdav
