#include "handlers/webdav/directory.h"

namespace teapot::handlers::webdav {

directory::~directory() {
  if (d_ != nullptr) ::closedir(d_);
}

std::string directory::next() {
  if (d_ == nullptr) return {};
  // readdir is unsafe only on a stream shared between threads; this one is this object's own.
  while (const dirent* e = ::readdir(d_)) {  // NOLINT(concurrency-mt-unsafe)
    const std::string_view n = e->d_name;
    if (n != "." && n != "..") return std::string(n);
  }
  return {};
}

}  // namespace teapot::handlers::webdav
