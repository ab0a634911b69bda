#include "handlers/static_files/precompressed.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <span>
#include <string>

#include "http/negotiation.h"

namespace teapot::handlers::static_files {

namespace {

bool may_exist(int root_fd, const std::string& name) noexcept {
  struct stat st {};
  if (::fstatat(root_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return false;
  return S_ISREG(st.st_mode) || S_ISLNK(st.st_mode);
}

}  // namespace

coding_choice choose_coding(int root_fd, std::string_view relative,
                            std::optional<std::string_view> accept_encoding, const bool* known) {
  coding_choice c;
  thread_local std::string name;  // no allocation once it has grown
  http::variant variants[sibling_count + 1];
  std::size_t index_of[sibling_count + 1] = {};
  std::size_t n = 0;
  for (std::size_t i = 0; i < sibling_count; ++i) {
    if (known) {
      if (!known[i]) continue;
    } else {
      name.assign(relative).append(sibling_codings[i].suffix);
      if (!may_exist(root_fd, name)) continue;
    }
    c.present[i] = c.has_siblings = true;
    variants[n] = {{}, {}, sibling_codings[i].coding};
    index_of[n++] = i;
  }
  if (!accept_encoding) return c;  // the file itself: the one every client can decode
  variants[n++] = {};              // identity last: equal weights prefer compression
  http::negotiation_result r =
      http::choose_variant(std::span(variants, n), std::nullopt, std::nullopt, accept_encoding);
  c.none_acceptable = r.none_acceptable;
  if (r.chosen && *r.chosen + 1 < n && !r.none_acceptable) c.sibling = index_of[*r.chosen];
  return c;
}

}  // namespace teapot::handlers::static_files
