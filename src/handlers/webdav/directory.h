// A directory's member names, read one at a time, for every walk of the WebDAV handler.
#pragma once

#include <dirent.h>

#include <string>
#include <string_view>

namespace teapot::handlers::webdav {

class directory {
 public:
  explicit directory(const std::string& path) : d_(::opendir(path.c_str())) {}
  directory(const directory&) = delete;
  directory& operator=(const directory&) = delete;
  directory(directory&& o) noexcept : d_(o.d_) { o.d_ = nullptr; }
  directory& operator=(directory&&) = delete;
  ~directory();

  bool is_open() const noexcept { return d_ != nullptr; }
  // The next member's name, "." and ".." skipped; empty at the end (or when the directory
  // could not be opened).
  std::string next();

 private:
  DIR* d_;
};

}  // namespace teapot::handlers::webdav
