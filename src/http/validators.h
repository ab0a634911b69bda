// Validators and conditional requests (RFC 9110 §8.8, §13) as pure functions: they know
// nothing of files, so that static files, WebDAV and an application's handlers share them.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "teapot/http/entity_tag.h"

namespace teapot::http {

// Parses exactly one entity-tag (RFC 9110 §8.8.3), no surrounding whitespace; nullopt when
// malformed. "W/" is case-sensitive. The result views text.
std::optional<entity_tag> parse_entity_tag(std::string_view text) noexcept;
// §8.8.3.2: strong comparison (both strong, same opaque) and weak (same opaque).
bool strong_match(const entity_tag& a, const entity_tag& b) noexcept;
bool weak_match(const entity_tag& a, const entity_tag& b) noexcept;
// The tags of an If-Match or If-None-Match list (§13.1.1), in order; empty for "*" or a
// field that is no list of entity-tags. The results view field.
std::vector<entity_tag> list_entity_tags(std::string_view field);

// A strong ETag for a file-like representation from its identity, size and modification time
// with nanoseconds: any change of content changes it, and it survives a restart (as long as
// the file system keeps its device number). Replaces out's contents with the quoted tag,
// lower-case hex fields: "DEV-INODE-SIZE-SEC.NSEC" or, with a variant (e.g. "br" for a
// precompressed copy, giving each encoding its own tag), "DEV-INODE-SIZE-SEC.NSEC-br". Bytes of
// the variant other than [A-Za-z0-9._] are written %XX.
void format_file_etag(std::uint64_t device, std::uint64_t inode, std::uint64_t size,
                      std::int64_t mtime_sec, std::int64_t mtime_nsec, std::string_view variant,
                      std::string& out);

// The same without device and inode: "SIZE-SEC.NSEC" (and "-variant"), the same on every
// server that holds a copy of the file with its modification time.
void format_portable_file_etag(std::uint64_t size, std::int64_t mtime_sec, std::int64_t mtime_nsec,
                               std::string_view variant, std::string& out);

// What the selected representation offers for comparison.
struct validators {
  std::optional<entity_tag> etag;  // absent: the resource has none
  std::optional<std::time_t> last_modified;
  bool exists = true;  // false: no current representation (for "*")
};

// The request fields that make a request conditional (absent fields are nullopt).
struct conditions {
  std::optional<std::string_view> if_match;
  std::optional<std::string_view> if_none_match;
  std::optional<std::string_view> if_modified_since;
  std::optional<std::string_view> if_unmodified_since;
};

enum class precondition_result : std::uint8_t {
  proceed,              // perform the method
  not_modified,         // 304 (GET/HEAD only)
  precondition_failed,  // 412
};

// RFC 9110 §13.2.2: the order of evaluation, each step one function. now is the server clock
// (an If-Modified-Since later than now is ignored, §13.1.3). method is case-sensitive; only
// "GET" and "HEAD" get 304 and If-Modified-Since. Invalid dates are ignored (§13.1.3, §13.1.4).
// A malformed If-Match gives 412 (it cannot be shown to hold); a malformed If-None-Match lets
// GET/HEAD proceed with the full response and gives 412 for other methods. Not covered: §13.2.2
// step 1's 2xx for a state change that has already succeeded, which only the caller can know.
precondition_result evaluate_preconditions(std::string_view method, const conditions& c,
                                           const validators& v, std::time_t now) noexcept;

// RFC 9110 §13.1.5: true when the Range may be honoured (If-Range absent, or it matches the
// current representation: a strong ETag match, or a date equal to Last-Modified). A weak tag,
// a malformed value or a missing validator gives false: the whole representation is sent.
bool if_range_allows(std::optional<std::string_view> if_range, const validators& v) noexcept;

}  // namespace teapot::http
