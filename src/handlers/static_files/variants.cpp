#include "handlers/static_files/variants.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "base/ascii.h"
#include "handlers/static_files/precompressed.h"
#include "handlers/static_files/resolve.h"

namespace teapot::handlers::static_files {

namespace {

bool is_sibling_extension(std::string_view ext) noexcept {
  for (const auto& s : sibling_codings)
    if (s.suffix.substr(1) == ext) return true;
  return false;
}

// Splits the part of a name after "stem." into an optional language and an extension;
// false when it is not of the form "EXT" or "LANG.EXT" (or, when want_ext is given, not
// "LANG.want_ext").
bool split_variant(std::string_view rest, std::string_view want_ext, std::string_view& language,
                   std::string_view& ext) {
  std::size_t dot = rest.find('.');
  if (dot == std::string_view::npos) {
    if (!want_ext.empty()) return false;
    language = {};
    ext = rest;
  } else {
    language = rest.substr(0, dot);
    ext = rest.substr(dot + 1);
    if (!is_language_tag(language) || ext.find('.') != std::string_view::npos) return false;
    if (!want_ext.empty() && !base::ascii::iequals(ext, want_ext)) return false;
  }
  return !ext.empty() && !is_sibling_extension(ext);
}

}  // namespace

bool is_language_tag(std::string_view s) noexcept {
  std::size_t i = 0;
  while (i < s.size() && base::ascii::is_alpha(s[i]))
    ++i;
  if (i < 2 || i > 3) return false;
  while (i < s.size()) {
    if (s[i++] != '-') return false;
    std::size_t start = i;
    while (i < s.size() && (base::ascii::is_alpha(s[i]) || base::ascii::is_digit(s[i])))
      ++i;
    if (i == start || i - start > 8) return false;
  }
  return true;
}

std::vector<variant_file> find_variants(int root_fd, std::string_view dir, std::string_view base,
                                        const content_types& types, bool beneath) {
  std::vector<variant_file> out;
  std::string_view want_ext = extension_of(base);
  std::string_view stem =
      want_ext.empty() ? base : base.substr(0, base.size() - want_ext.size() - 1);
  if (stem.empty() || is_hidden_name(stem)) return out;
  int fd = open_below(root_fd, std::string(dir).c_str(), beneath);
  DIR* d = fd >= 0 ? ::fdopendir(fd) : nullptr;
  if (d == nullptr) {
    if (fd >= 0) ::close(fd);
    return out;
  }
  std::string scratch;
  std::size_t scanned = 0;
  // readdir is unsafe only on a stream shared between threads; this one is this call's own.
  while (const dirent* e = ::readdir(d)) {  // NOLINT(concurrency-mt-unsafe)
    if (++scanned > max_scanned_entries) break;
    std::string_view name = e->d_name;
    if (name.size() <= stem.size() + 1 || !name.starts_with(stem) || name[stem.size()] != '.')
      continue;
    std::string_view language, ext;
    if (!split_variant(name.substr(stem.size() + 1), want_ext, language, ext)) continue;
    struct stat st {};
    if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) continue;
    std::string_view type = types.for_path(name, scratch);
    type = type.substr(0, type.find(';'));
    out.push_back({std::string(name), std::string(type), std::string(language)});
  }
  ::closedir(d);
  std::sort(out.begin(), out.end(),
            [](const variant_file& a, const variant_file& b) { return a.name < b.name; });
  return out;
}

}  // namespace teapot::handlers::static_files
