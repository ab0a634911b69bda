#include "server/compression/compress_response.h"

#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/ascii.h"
#include "http/content_coding.h"
#include "http/validators.h"
#include "server/compression/body_cache.h"

namespace teapot::srv::compression {

namespace {

using base::ascii::iequals;

// Calls f with each element of every field named name (a comma-separated list, §5.6.1).
template <class F>
bool any_list_element(const response& res, std::string_view name, F&& f) {
  bool found = false;
  res.for_each_header([&](std::string_view n, std::string_view value) {
    if (found || !iequals(n, name)) return;
    while (!found && !value.empty()) {
      const std::size_t comma = value.find(',');
      found = f(base::ascii::trim_ows(value.substr(0, comma)));
      value.remove_prefix(comma == std::string_view::npos ? value.size() : comma + 1);
    }
  });
  return found;
}

// RFC 9110 §7.7 and RFC 9111 §5.2.2.6: no-transform asks intermediaries to leave the content
// as it is; a handler that says it means the same of the server.
bool forbids_transform(const response& res) {
  return any_list_element(res, "Cache-Control",
                          [](std::string_view e) { return iequals(e, "no-transform"); });
}

// RFC 9110 §12.5.5: the field, once, unless the response varies on everything already.
void vary_on_accept_encoding(response& res) {
  if (any_list_element(res, "Vary", [](std::string_view e) {
        return e == "*" || iequals(e, "Accept-Encoding");
      }))
    return;
  res.add_header("Vary", "Accept-Encoding");
}

bool is_eligible(const response& res, const compression_options& o) {
  if (!o.enabled || res.status() != http::status::ok || res.wants_error_page() ||
      res.has_source() || res.length_unknown())
    return false;
  const std::uint64_t length = res.content_length();
  if (length < o.min_length || (res.has_file() && length > o.max_file_size)) return false;
  if (!res.content_coding().empty()) return false;  // precompressed, or coded by the handler
  const std::string_view type = res.content_type();
  return !type.empty() && http::is_compressible_type(type, o.types) && !forbids_transform(res);
}

int level_for(coding c, const compression_options& o) noexcept {
  switch (c) {
    case coding::gzip:
      return o.gzip_level;
    case coding::br:
      return o.brotli_level;
    case coding::zstd:
      return o.zstd_level;
  }
  return 0;
}

// A cache key when the content is named exactly by a strong entity-tag, else empty. A strong
// tag is only unique within one resource (RFC 9110 §8.8.1): "v7" may name different bodies
// under /api?x=1 and /api?x=2, or under two hosts, so the key holds the whole URI as received
// (Host and the target with its query), never a site's address, which a reload may reuse.
void cache_key(const request& req, const response& res, const decision& d, std::string& key) {
  key.clear();
  const auto tag = res.etag();
  if (!tag || tag->weak) return;
  key.append(req.header("Host").value_or(std::string_view{})).append("\n");
  key.append(req.target).append("\n").append(tag->opaque).append("\n");
  key.append(name_of(*d.chosen)).append(std::to_string(d.level));
}

// Undoes decide()'s ETag: `"X-gz"` back to `"X"`.
void restore_identity_etag(response& res, coding c) {
  const auto tag = res.etag();
  const std::size_t suffix = etag_suffix(c).size() + 1;  // with its "-"
  if (!tag || tag->opaque.size() < suffix) return;
  const std::string identity(tag->opaque.substr(0, tag->opaque.size() - suffix));
  res.set_etag(identity, tag->weak);
}

void mark_coded(response& res, coding c) {
  res.set_content_coding(name_of(c));
  res.set_ranges_allowed(false);
}

}  // namespace

bool read_identity_content(const response& res, std::string& scratch, std::string_view& out) {
  if (!res.has_file()) {
    out = res.body();
    return true;
  }
  scratch.resize(res.content_length());
  std::size_t done = 0;
  while (done < scratch.size()) {
    const ssize_t n = ::pread(res.file_fd(), scratch.data() + done, scratch.size() - done,
                              static_cast<off_t>(res.file_offset() + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;  // an error, or the file shrank under us
    done += static_cast<std::size_t>(n);
  }
  out = scratch;
  return true;
}

decision decide(const request& req, response& res, const compression_options& options,
                bool has_range) {
  decision d;
  if (!is_eligible(res, options)) return d;
  vary_on_accept_encoding(res);
  if (has_range) return d;  // the range applies to the identity bytes, byte-exact
  std::array<std::string_view, 3> offered;
  std::array<coding, 3> codings{};
  std::size_t n = 0;
  for (const std::string& name : options.codings) {
    const auto c = coding_named(name);
    if (!c || n == offered.size()) continue;  // set_compression has refused both
    codings[n] = *c;
    offered[n++] = name_of(*c);
  }
  const auto i =
      http::choose_content_coding(req.header("Accept-Encoding"), std::span(offered.data(), n));
  if (!i) return d;
  d.chosen = codings[*i];
  d.level = level_for(*d.chosen, options);
  // RFC 9110 §8.8.3: the coded content is another representation, with a tag of its own:
  // `"X"` becomes `"X-gz"`, weakness kept.
  if (const auto tag = res.etag()) {
    thread_local std::string coded;
    coded.assign(tag->opaque).append("-").append(etag_suffix(*d.chosen));
    res.set_etag(coded, tag->weak);
  }
  return d;
}

void compress(const request& req, response& res, const decision& d) {
  if (!d.chosen) return;
  const std::uint64_t length = res.content_length();
  // Keyed by the coded tag, which names the identity content as well as the coding.
  thread_local std::string key;
  cache_key(req, res, d, key);
  body_cache& cache = body_cache::for_this_thread();
  const std::string* hit = key.empty() ? nullptr : cache.find(key, length);
  if (!key.empty()) cache.count_lookup(hit != nullptr);
  if (hit != nullptr) {
    res.set_body(*hit, {});  // an empty type keeps Content-Type as it is
  } else {
    thread_local std::string scratch, coded;
    std::string_view content;
    if (!read_identity_content(res, scratch, content) ||
        !compression::compress(*d.chosen, d.level, content, coded))
      return restore_identity_etag(res, *d.chosen);
    res.set_body(coded, {});
    if (!key.empty()) cache.store(key, length, coded);
  }
  mark_coded(res, *d.chosen);
}

bool is_pool_work(const request& req, const response& res, const decision& d) {
  if (!d.chosen || !res.has_file() || res.content_length() <= inline_file_max) return false;
  thread_local std::string key;
  cache_key(req, res, d, key);
  if (key.empty()) return true;
  body_cache& cache = body_cache::for_this_thread();
  if (cache.find(key, res.content_length()) != nullptr) return false;  // compress() counts it
  cache.count_lookup(false);
  return true;
}

void file_coding::run() {
  std::string scratch;
  std::string_view content;
  ok = read_identity_content(*res, scratch, content) &&
       compression::compress(*d.chosen, d.level, content, coded);
}

void complete(const request& req, response& res, file_coding& done) {
  const coding c = *done.d.chosen;
  if (!done.ok) return restore_identity_etag(res, c);
  const std::uint64_t length = res.content_length();
  thread_local std::string key;
  cache_key(req, res, done.d, key);
  res.set_body(done.coded, {});
  if (!key.empty()) body_cache::for_this_thread().store(key, length, std::move(done.coded));
  mark_coded(res, c);
}

}  // namespace teapot::srv::compression
