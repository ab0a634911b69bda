// PROPFIND (RFC 4918 §9.1), streamed: the pool writes the multistatus a batch of responses at
// a time, and the next batch is made only when the client has taken the last one, so that a
// tree of any size is answered in bounded memory.
#include <dirent.h>
#include <sys/stat.h>

#include <memory>
#include <set>
#include <utility>

#include "handlers/webdav/directory.h"
#include "handlers/webdav/methods.h"
#include "handlers/webdav/pool_run.h"
#include "handlers/webdav/properties.h"
#include "handlers/webdav/xml.h"
#include "handlers/webdav/xml_bodies.h"
#include "http/dav_fields.h"

namespace teapot::handlers::webdav {

namespace {

constexpr std::size_t batch_bytes = 64 * 1024;

using inode_key = std::pair<std::uint64_t, std::uint64_t>;

// The next member a client may see: the server's own names are never reported.
std::string next_visible(directory& d) {
  for (std::string n = d.next();; n = d.next())
    if (n.empty() || !n.starts_with(reserved_prefix)) return n;
}

struct frame {
  std::string apath;
  directory dir;
  int level;  // of the members: 1 for the target's own
};

// The walk of the tree, resumable between batches. RFC 5842 §2.3: a collection reached again
// through another binding is reported once more as 208 and not entered.
struct walk {
  std::shared_ptr<area> a;
  propfind_request req;
  int max_level = 0;  // 0, 1, or a large number for infinity
  bool bind = false;  // the client sent "DAV: bind"; else the tree is known to have no loop
  std::vector<frame> stack;
  std::set<inode_key> visited;

  void enter(const std::string& apath, const resource_info& r, int level) {
    if (!r.collection || level >= max_level) return;
    if (bind && !visited.emplace(r.device, r.inode).second) return;
    stack.push_back({.apath = apath, .dir = directory(a->fs_path(apath)), .level = level + 1});
  }

  // Appends responses until the batch is full; false when the walk has ended.
  bool fill(std::string& out) {
    while (!stack.empty() && out.size() < batch_bytes) {
      frame& top = stack.back();
      std::string name = next_visible(top.dir);
      if (name.empty()) {
        stack.pop_back();
        continue;
      }
      std::string apath = child_of(top.apath, name);
      const int level = top.level;
      resource_info r = stat_resource(a->fs_path(apath));
      if (!r.exists) continue;  // gone since the directory was read
      if (bind && r.collection && level < max_level && visited.contains({r.device, r.inode})) {
        append_already_reported(out, *a, apath);
        continue;
      }
      append_propfind_response(out, *a, apath, r, req);
      enter(apath, r, level);  // invalidates top
    }
    return !stack.empty();
  }
};

// RFC 5842 §2.3 without "DAV: bind": a loop (a collection bound below itself) makes the whole
// request fail with 508, which must be known before the 207's head goes out, so the
// collections are walked once first. Two bindings of one collection side by side are no loop:
// such a client gets it reported twice, in full.
bool has_loop(area& a, const std::string& apath, std::set<inode_key>& ancestors, int depth) {
  struct stat st {};
  if (::stat(a.fs_path(apath).c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return false;
  if (!ancestors.emplace(st.st_dev, st.st_ino).second) return true;
  bool loop = depth > 4096;
  directory dir(a.fs_path(apath));
  for (std::string name = next_visible(dir); !name.empty() && !loop; name = next_visible(dir))
    loop = has_loop(a, child_of(apath, name), ancestors, depth + 1);
  ancestors.erase({st.st_dev, st.st_ino});
  return loop;
}

struct pump : std::enable_shared_from_this<pump> {
  deferred_response dr;
  body_writer writer;
  walk w;
  std::string batch;
  bool more = true;
  bool broken = false;  // a batch failed after the 207's head went out

  // Pool: the next batch. An exception cannot become a 500 any more (the head is out): the
  // content is cut short instead, so that the client sees it incomplete.
  void make() noexcept {
    batch.clear();
    try {
      more = w.fill(batch);
      if (!more) batch.append("</D:multistatus>\n");
    } catch (...) {
      broken = true;
    }
  }
  // Loop: hands the batch over, and asks for the next while the client keeps up.
  void deliver() {
    if (broken) {
      writer.on_drain({});
      writer.abort();
      return;
    }
    const bool room = writer.write(batch);
    if (!more) {
      writer.on_drain({});  // the callback holds this pump: let both go
      writer.finish();
      return;
    }
    if (room) {
      next();
    } else {
      // The callback holds the pump while the client catches up; finish, abort and a
      // cancelled stream let it go.
      writer.on_drain([self = shared_from_this()] { self->next(); });
    }
  }
  void next() {
    if (!writer.is_open()) return;
    auto self = shared_from_this();
    dr.run_blocking([self] { self->make(); }, [self] { self->deliver(); });
  }
};

}  // namespace

void propfind(const std::shared_ptr<area>& a, const std::shared_ptr<const exchange_facts>& facts,
              deferred_response dr) {
  auto p = std::make_shared<pump>();
  p->w.a = a;
  auto failure = std::make_shared<outcome>();
  p->dr = dr;
  auto work = [a, facts, p, failure] {
    const exchange_facts& f = *facts;
    auto fail = [&failure](http::status s) { *failure = outcome::of(s); };
    http::depth depth = http::depth::infinity;  // §10.2: no Depth is infinity
    if (auto d = f.field("Depth")) {
      auto v = http::parse_depth(*d);
      if (!v) return fail(http::status::bad_request);
      depth = *v;
    }
    if (depth == http::depth::infinity && !a->options.depth_infinity) {
      *failure = outcome::of(http::status::forbidden);
      failure->xml = error_body("propfind-finite-depth");
      return;
    }
    if (!f.body.empty()) {
      xml_element root;
      if (parse_xml(f.body, {}, root) != xml_error::none) return fail(http::status::bad_request);
      std::string why;
      if (!read_propfind(root, p->w.req, why)) return fail(http::status::unprocessable_content);
    }
    resource_info r = stat_resource(a->fs_path(f.apath));
    if (!r.exists) return fail(http::status::not_found);
    const bool bind = f.knows_bindings();
    p->w.bind = bind;
    p->w.max_level = depth == http::depth::zero ? 0 : depth == http::depth::one ? 1 : 1 << 20;
    if (depth == http::depth::infinity && !bind) {
      std::set<inode_key> seen;
      if (has_loop(*a, f.apath, seen, 0)) return fail(http::status::loop_detected);
    }
    failure->status = http::status::multi_status;
    p->batch.assign(xml_declaration);
    p->batch.append("<D:multistatus xmlns:D=\"DAV:\">");
    append_propfind_response(p->batch, *a, f.apath, r, p->w.req);
    p->w.enter(f.apath, r, 0);
    p->more = p->w.fill(p->batch);
    if (!p->more) p->batch.append("</D:multistatus>\n");
  };
  auto then = [dr, p, failure]() mutable {
    response& out = dr.res();
    if (failure->status != http::status::multi_status) {
      apply(*failure, out);
      return dr.send();
    }
    out.set_status(http::status::multi_status);
    p->writer = out.stream(xml_type);
    dr.send();
    p->deliver();
  };
  const auto interval =
      facts->version_minor >= 1 ? a->options.processing_interval : std::chrono::milliseconds(0);
  run_processing(dr, interval, std::move(work), std::move(then));
}

}  // namespace teapot::handlers::webdav
