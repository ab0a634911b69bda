// Serves the files below a directory: GET and HEAD, and OPTIONS (route the same handler under
// both, e.g. router.get("/*", h).route("OPTIONS", "/*", h), so that the router's 405 lists
// OPTIONS too). The handler only describes each file (validators, type, length, encoding);
// the server answers conditional and range requests from that description.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "teapot/handler.h"

namespace teapot::handlers {

// What happens when proactive negotiation (RFC 9110 §12.1) finds no acceptable variant, or
// several equally good ones.
enum class negotiation_mode : std::uint8_t {
  lenient,           // serve the server's default variant (the identity file)
  strict,            // 406 with the list of variants when none is acceptable (§15.5.7)
  multiple_choices,  // as strict, and 300 with the list when variants tie (§15.4.1)
};

// One Cache-Control rule. pattern is either a path prefix ("/assets/") or a glob with *, ?
// or [...] (fnmatch, '*' also crossing '/'): a glob starting with '/' is matched against the
// whole path, any other glob ("*.css") against the file name.
struct cache_control_rule {
  std::string pattern{};
  std::string value{};  // sent verbatim as Cache-Control
};

struct static_files_options {
  std::filesystem::path root{};
  // Tried in order for a directory requested with its trailing slash.
  std::vector<std::string> index_files{"index.html"};
  // A path with a segment starting with '.' gets 403 unless this is set, except the first
  // segment ".well-known" (RFC 8615), which is always served.
  bool allow_dotfiles = false;
  // Symbolic links may lead out of the root when set; by default such a path gets 403.
  bool follow_symlinks_outside_root = false;
  // X-Content-Type-Options: nosniff on every response, so that browsers trust Content-Type.
  bool nosniff = true;
  // An HTML (or JSON, by Accept) listing for a directory without an index; 403 when off.
  bool listing = false;
  // Extension (without the dot, compared case-insensitively) → content type, consulted before
  // the built-in table. A text type given without a charset gets "; charset=" + charset.
  std::vector<std::pair<std::string, std::string>> mime_overrides{};
  // The charset declared for text types; empty to declare none.
  std::string charset = "utf-8";
  // Tried in order; the first rule that matches the request path gives Cache-Control.
  std::vector<cache_control_rule> cache_control{};
  // Serve file.br, file.zst or file.gz in place of file when Accept-Encoding prefers them.
  bool precompressed = true;
  negotiation_mode negotiation = negotiation_mode::lenient;
  // Below these path prefixes ("/docs/"), another mode; the longest prefix that matches wins.
  std::vector<std::pair<std::string, negotiation_mode>> negotiation_prefixes{};
  // Type maps (Apache's ".var" files): a request for "doc.var", or for a missing "doc" beside
  // "doc.var", gets the variant the map's list ranks best (type, language, coding, and each
  // variant's source quality "qs"); a chosen variant that would negotiate again (another map,
  // or a name with variant files of its own) gets 506 Variant Also Negotiates (RFC 2295
  // §8.1). Off: a .var file is a file like any other.
  bool type_maps = false;
  // ETags from the file's size and modification time, as nginx makes them, so that servers
  // behind one load balancer that serve copies of a tree give one tag per file. With this set,
  // the device and inode numbers go in too (Apache's old FileETag INode): a file replaced by
  // another of the same size and time then gets a new tag, but each server has its own.
  bool etag_inode = false;
  // Where the handler tells the operator of a trouble no single request caused (running out
  // of file descriptors); empty: nowhere.
  std::function<void(std::string_view line)> log{};
};

// What is wrong with the type maps below options.root, for `teapot check`, a line each
// ("type map docs/outer.var: variant 'inner.var' negotiates itself (506 when chosen)"): maps
// whose variants would negotiate again or name no file, and lines a map cannot hold. At most
// 10,000 directory entries are walked (links are not followed); past them, a line says so.
// Empty when type_maps is off.
std::vector<std::string> check_type_maps(const static_files_options& options);

// Throws std::system_error when root cannot be opened as a directory, and
// std::invalid_argument for an option that cannot be honoured.
handler make_static_files(static_files_options options);

}  // namespace teapot::handlers
