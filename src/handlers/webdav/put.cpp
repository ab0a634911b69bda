// PUT (RFC 9110 §9.3.4, RFC 4918 §9.7): the content goes to a temporary file beside the target
// as it arrives, one piece at a time on the pool, then is synced and renamed over the target,
// and the directory synced, so that a reader sees the old file or the new one, never a part.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <mutex>

#include "handlers/webdav/conditions.h"
#include "handlers/webdav/methods.h"
#include "handlers/webdav/pool_run.h"
#include "teapot/body_reader.h"

namespace teapot::handlers::webdav {

namespace {

bool is_space_error(int e) noexcept {
  return e == ENOSPC || e == EDQUOT;
}

struct upload {
  std::shared_ptr<area> a;
  exchange_facts facts;
  std::mutex m;  // the pool's piece writes against a cleanup after the client has gone
  int fd = -1;
  std::string temp;
  std::uint64_t written = 0;
  std::uint64_t old_size = 0;  // of the file replaced, credited against the quota
  std::uint64_t reserved = 0;  // bytes taken from the quota beyond old_size
  bool committed = false;
  std::optional<outcome> failure;

  upload(std::shared_ptr<area> area_, exchange_facts f)
      : a(std::move(area_)), facts(std::move(f)) {}
  upload(const upload&) = delete;
  upload& operator=(const upload&) = delete;
  ~upload() { discard(); }

  // Takes the quota the content needs once total bytes are written; false past it.
  bool ensure(std::uint64_t total) {
    const std::uint64_t need = total > old_size ? total - old_size : 0;
    if (need <= reserved) return true;
    if (!a->reserve(need - reserved)) return false;
    reserved = need;
    return true;
  }

  // Takes or gives back quota so that the reservation is what replacing a file of
  // replaced bytes by the upload needs; false (nothing changed) past the quota.
  bool settle(std::uint64_t replaced) {
    const std::uint64_t need = written > replaced ? written - replaced : 0;
    if (need > reserved && !a->reserve(need - reserved)) return false;
    if (need < reserved) a->release(reserved - need);
    reserved = need;
    old_size = replaced;
    return true;
  }

  void discard() noexcept {
    std::lock_guard lock(m);
    if (fd >= 0) ::close(fd);
    fd = -1;
    if (!committed && !temp.empty()) ::unlink(temp.c_str());
    temp.clear();
    if (!committed) a->release(reserved);
    reserved = 0;
  }

  void fail(http::status s) {
    failure = outcome::of(s);
    discard();
  }

  // Pool, before any content is read.
  void prepare() {
    const exchange_facts& f = facts;
    resource_info target = stat_resource(a->fs_path(f.apath));
    if (target.collection || (f.trailing_slash && !target.exists)) {
      // A collection has no content to replace (RFC 4918 §9.7.2 leaves it to MKCOL).
      outcome o = outcome::of(http::status::method_not_allowed);
      o.fields.emplace_back("Allow", allow_for(*a, target));
      failure = std::move(o);
      return;
    }
    const std::string parent(parent_of(f.apath));
    resource_info up = stat_resource(a->fs_path(parent));
    if (!up.exists || !up.collection) return fail(http::status::conflict);  // §9.7.1
    if (auto o = admissible(target)) {
      failure = std::move(*o);
      return;
    }
    old_size = target.exists ? target.size : 0;
    if (auto len = f.field("Content-Length")) {
      std::uint64_t n = 0;
      for (char c : *len)
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
      if (!ensure(n)) return fail(http::status::insufficient_storage);
    }
    temp = a->dir_path(parent) + "/.teapot-put-XXXXXX";
    fd = ::mkostemp(temp.data(), O_CLOEXEC);
    if (fd < 0) {
      temp.clear();
      return fail(is_space_error(errno) ? http::status::insufficient_storage
                                        : http::status::forbidden);
    }
  }

  // The If field, the locks and the conditional fields, before the content and again before
  // the rename.
  std::optional<outcome> admissible(const resource_info& target) {
    if_context ifc;
    if (!ifc.read(facts)) return outcome::of(http::status::bad_request);
    if (auto o = check_conditions(*a, facts, ifc, target)) return o;
    // RFC 4918 §7.5: a collection's lock guards its membership, not its members' content, so
    // the parent's locks count only for a new member.
    if (auto o = target.exists ? check_locks(*a, ifc, {lock_scope::of(facts.apath)})
                               : check_locks(*a, ifc,
                                             {lock_scope::of(parent_of(facts.apath)),
                                              lock_scope::of(facts.apath)}))
      return o;
    return std::nullopt;
  }

  // Pool: one piece of content.
  void write(std::string_view piece) {
    std::lock_guard lock(m);
    if (fd < 0 || failure) return;
    if (!ensure(written + piece.size())) {
      failure = outcome::of(http::status::insufficient_storage);
      return;
    }
    while (!piece.empty()) {
      ssize_t n = ::write(fd, piece.data(), piece.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        failure = outcome::of(is_space_error(errno) ? http::status::insufficient_storage
                                                    : http::status::internal_server_error);
        return;
      }
      piece.remove_prefix(static_cast<std::size_t>(n));
      written += static_cast<std::uint64_t>(n);
    }
  }

  // Pool: the content is whole.
  outcome commit() {
    {
      std::lock_guard lock(m);
      if (failure || fd < 0)
        return failure.value_or(outcome::of(http::status::internal_server_error));
      if (::fsync(fd) != 0) {
        failure = outcome::of(is_space_error(errno) ? http::status::insufficient_storage
                                                    : http::status::internal_server_error);
        return *failure;
      }
      ::fchmod(fd, 0644);
      ::close(fd);
      fd = -1;
    }
    const std::string target_path = a->fs_path(facts.apath);
    std::shared_lock locks(a->shared->locks);
    std::unique_lock commit_lock(a->shared->commit_mutex);
    resource_info target = stat_resource(target_path);
    if (auto o = admissible(target)) return *o;
    if (target.collection) return outcome::of(http::status::conflict);
    // The quota is settled against the file replaced now, not the one seen at the start: a
    // DELETE or another PUT may have come in between.
    if (!settle(target.exists ? target.size : 0))
      return outcome::of(http::status::insufficient_storage);
    if (::rename(temp.c_str(), target_path.c_str()) != 0)
      // The collection was deleted or moved meanwhile (§9.7.1), or the file system refused.
      return outcome::of(errno == ENOENT ? http::status::conflict
                                         : http::status::internal_server_error);
    committed = true;
    commit_lock.unlock();
    locks.unlock();
    // The replaced file's bytes are free again; what the new one needs was taken as it came.
    if (old_size > written) a->release(old_size - written);
    // The rename is durable once the directory is: a crash now keeps the new file.
    int dir =
        ::open(a->dir_path(parent_of(facts.apath)).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
      ::fsync(dir);
      ::close(dir);
    }
    outcome o = outcome::of(target.exists ? http::status::no_content : http::status::created);
    if (!target.exists) o.fields.emplace_back("Location", a->request_path(facts.apath, false));
    struct stat st {};
    if (::stat(target_path.c_str(), &st) == 0) o.fields.emplace_back("ETag", file_etag(st));
    return o;
  }
};

bool has_content_coding(std::optional<std::string_view> coding) {
  if (!coding) return false;
  std::string_view v = *coding;
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
    v.remove_prefix(1);
  return !(v.size() == 8 && (v == "identity" || v == "IDENTITY"));
}

}  // namespace

void put(const std::shared_ptr<area>& a, const request& req, response& res, std::string apath) {
  // RFC 9110 §14.5: a partial PUT would be taken as the whole; refuse it.
  if (req.header("Content-Range")) return res.error(http::status::bad_request);
  // §8.4: content in a coding the server does not decode cannot be stored as the resource.
  if (has_content_coding(req.header("Content-Encoding")))
    return res.error(http::status::unsupported_media_type);
  if (a->options.require_if_match && !req.header("If-Match") && !req.header("If-Unmodified-Since"))
    return res.error(http::status::precondition_required);
  auto u = std::make_shared<upload>(a, exchange_facts::of(req, std::move(apath)));
  body_reader* reader = req.body_stream;
  deferred_response dr = res.defer();
  dr.run_blocking(
      [u] { u->prepare(); },
      [u, dr, reader]() mutable {
        if (u->failure || reader == nullptr) {
          apply(u->failure.value_or(outcome::of(http::status::internal_server_error)), dr.res());
          return dr.send();
        }
        reader->read({
            .on_data =
                [u, dr, reader](std::string_view piece) mutable {
                  dr.run_blocking([u, piece] { u->write(piece); },
                                  [u, dr, reader]() mutable {
                                    if (!u->failure) return reader->resume();
                                    u->discard();
                                    apply(*u->failure, dr.res());
                                    dr.send();
                                  });
                  return body_reader::flow::hold;
                },
            .on_end =
                [u, dr](std::span<const header_field>) mutable {
                  auto result = std::make_shared<outcome>();
                  dr.run_blocking([u, result] { *result = u->commit(); },
                                  [u, dr, result]() mutable {
                                    if (!u->committed) u->discard();
                                    apply(*result, dr.res());
                                    dr.send();
                                  });
                },
            .on_error = [u, dr](body_error) mutable { dr.run_blocking([u] { u->discard(); }, {}); },
        });
      });
}

}  // namespace teapot::handlers::webdav
