#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <random>

#include "handlers/webdav/conditions.h"
#include "handlers/webdav/dav_requests.h"
#include "handlers/webdav/methods.h"
#include "handlers/webdav/properties.h"
#include "handlers/webdav/xml.h"
#include "handlers/webdav/xml_bodies.h"
#include "http/dav_fields.h"

namespace teapot::handlers::webdav {

namespace {

// RFC 4918 §6.5 asks for tokens unique across time and space: a version 4 UUID (RFC 9562
// §5.4) from the kernel's random source.
std::string new_token() {
  unsigned char b[16];
  int fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  bool got = fd >= 0 && ::read(fd, b, sizeof b) == static_cast<ssize_t>(sizeof b);
  if (fd >= 0) ::close(fd);
  if (!got) {
    std::random_device rd;
    for (unsigned char& c : b)
      c = static_cast<unsigned char>(rd());
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  char out[64];
  const int n = std::snprintf(
      out, sizeof out,
      "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
      b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return std::string(out, n > 0 ? static_cast<std::size_t>(n) : 0);
}

std::chrono::seconds granted_timeout(const area& a, const exchange_facts& f) {
  const std::chrono::seconds most = a.options.max_lock_timeout;
  std::optional<std::chrono::seconds> asked = most;
  if (auto t = f.field("Timeout")) asked = http::parse_timeout(*t, most);
  if (!asked) return most;  // Infinite: as long as the server grants any lock
  return std::clamp(*asked, std::chrono::seconds(1), most);
}

outcome discovery(area& a, const lock_record& l, http::status s) {
  outcome o = outcome::of(s);
  o.fields.emplace_back("Lock-Token", "<" + l.token + ">");
  o.xml.assign(xml_declaration);
  o.xml.append("<D:prop xmlns:D=\"DAV:\"><D:lockdiscovery>");
  append_activelock(o.xml, l, a.request_path(l.root, stat_resource(a.fs_path(l.root)).collection),
                    lock_clock::now());
  o.xml.append("</D:lockdiscovery></D:prop>\n");
  return o;
}

// §9.10.2: a LOCK without a body refreshes the lock whose token the If field submits.
outcome refresh(area& a, const exchange_facts& f, const if_context& ifc,
                const resource_info& target) {
  if (!ifc.present()) return outcome::of(http::status::bad_request);
  if (auto o = check_conditions(a, f, ifc, target)) return *o;
  const auto now = lock_clock::now();
  for (const lock_record& l : a.db->locks_covering(f.apath, now)) {
    if (!ifc.submits(l.token)) continue;
    const std::chrono::seconds t = granted_timeout(a, f);
    a.db->refresh_lock(l.token, t, now);
    lock_record fresh = l;
    fresh.timeout = t;
    fresh.expires = now + t;
    outcome o = discovery(a, fresh, http::status::ok);
    o.fields.clear();  // §9.10.2: no Lock-Token on a refresh
    return o;
  }
  return outcome::of(http::status::precondition_failed);
}

}  // namespace

// RFC 4918 §9.10.
outcome lock(area& a, const exchange_facts& f) {
  if_context ifc;
  if (!ifc.read(f)) return outcome::of(http::status::bad_request);
  resource_info target = stat_resource(a.fs_path(f.apath));
  if (f.body.empty()) {
    if (!target.exists) return outcome::of(http::status::not_found);
    return refresh(a, f, ifc, target);
  }
  xml_element root;
  if (parse_xml(f.body, {}, root) != xml_error::none) return outcome::of(http::status::bad_request);
  lockinfo info;
  std::string why;
  if (!read_lockinfo(root, info, why)) return outcome::of(http::status::unprocessable_content);
  bool infinite = true;  // §10.2: a LOCK without Depth is Depth infinity
  if (auto d = f.field("Depth")) {
    auto v = http::parse_depth(*d);
    if (!v || *v == http::depth::one) return outcome::of(http::status::bad_request);
    infinite = *v == http::depth::infinity;
  }
  if (!target.exists) {
    resource_info up = stat_resource(a.fs_path(parent_of(f.apath)));
    if (!up.exists || !up.collection) return outcome::of(http::status::conflict);
  }
  if (auto o = check_conditions(a, f, ifc, target)) return *o;

  // §6.1-§6.2: an exclusive lock stands alone; shared locks stand together.
  const auto now = lock_clock::now();
  std::vector<lock_record> others = a.db->locks_covering(f.apath, now);
  if (infinite)
    for (lock_record& l : a.db->locks_below(f.apath, now))
      others.push_back(std::move(l));
  std::vector<std::string> conflicts;
  for (const lock_record& l : others)
    if (info.exclusive || l.exclusive)
      conflicts.push_back(a.request_path(l.root, stat_resource(a.fs_path(l.root)).collection));
  if (!conflicts.empty()) {
    outcome o = outcome::of(http::status::locked);
    o.xml = error_body("no-conflicting-lock", conflicts);
    return o;
  }
  http::status created = http::status::ok;
  if (!target.exists) {
    // §7.3: a lock on an unmapped URL makes an empty resource there.
    if (auto o = check_locks(a, ifc, {lock_scope::of(parent_of(f.apath))})) return *o;
    int fd = ::open(a.fs_path(f.apath).c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
      return outcome::of(errno == ENOSPC || errno == EDQUOT ? http::status::insufficient_storage
                                                            : http::status::conflict);
    ::close(fd);
    created = http::status::created;
  }
  const std::chrono::seconds t = granted_timeout(a, f);
  lock_record l{.token = new_token(),
                .root = f.apath,
                .exclusive = info.exclusive,
                .infinite = infinite,
                .owner_xml = info.owner_xml,
                .timeout = t,
                .expires = now + t};
  a.db->add_lock(l);
  return discovery(a, l, created);
}

// RFC 4918 §9.11.
outcome unlock(area& a, const exchange_facts& f) {
  auto field = f.field("Lock-Token");
  if (!field || field->size() < 3 || field->front() != '<' || field->back() != '>')
    return outcome::of(http::status::bad_request);
  const std::string token(field->substr(1, field->size() - 2));
  resource_info target = stat_resource(a.fs_path(f.apath));
  if (!target.exists) return outcome::of(http::status::not_found);
  auto l = a.db->find_lock(token, lock_clock::now());
  const bool covers = l && (l->root == f.apath || (l->infinite && is_within(f.apath, l->root)));
  if (!covers) {
    outcome o = outcome::of(http::status::conflict);
    o.xml = error_body("lock-token-matches-request-uri");
    return o;
  }
  a.db->remove_lock(token);
  return outcome::of(http::status::no_content);
}

}  // namespace teapot::handlers::webdav
