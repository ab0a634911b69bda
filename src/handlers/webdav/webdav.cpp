#include "teapot/handlers/webdav.h"

#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <system_error>

#include "handlers/webdav/area.h"
#include "handlers/webdav/exchange_facts.h"
#include "handlers/webdav/methods.h"
#include "handlers/webdav/pool_run.h"
#include "teapot/body_reader.h"

namespace teapot::handlers {

const std::vector<std::string>& webdav_methods() {
  static const std::vector<std::string> methods{"GET",       "HEAD", "PUT",    "DELETE",
                                                "MKCOL",     "COPY", "MOVE",   "PROPFIND",
                                                "PROPPATCH", "LOCK", "UNLOCK", "OPTIONS"};
  return methods;
}

namespace {

using webdav::area;
using webdav::exchange_facts;
using webdav::outcome;

bool is_write(std::string_view m) noexcept {
  return m == "PUT" || m == "DELETE" || m == "MKCOL" || m == "COPY" || m == "MOVE" ||
         m == "PROPPATCH" || m == "LOCK" || m == "UNLOCK";
}

// The methods that run whole on the pool, and whether they may take long enough for 102.
struct pooled {
  outcome (*run)(area&, const exchange_facts&);
  bool long_running;
  bool changes_locks = false;  // LOCK, UNLOCK: alone; every other method: beside the others
};

std::optional<pooled> pooled_method(std::string_view m) noexcept {
  if (m == "MKCOL") return pooled{webdav::mkcol, false, false};
  if (m == "DELETE") return pooled{webdav::remove, true, false};
  if (m == "COPY" || m == "MOVE") return pooled{webdav::copy_or_move, true, false};
  if (m == "PROPPATCH") return pooled{webdav::proppatch, false, false};
  if (m == "LOCK") return pooled{webdav::lock, false, true};
  if (m == "UNLOCK") return pooled{webdav::unlock, false, true};
  return std::nullopt;
}

// The XML (or absent) body of every method but PUT, gathered as it arrives up to
// max_xml_body: past it, 413 at once, from the Content-Length alone when there is one, so
// that a client is not made to send what will be refused.
void with_body(const area& a, const request& req, response& res,
               const std::shared_ptr<exchange_facts>& facts,
               std::function<void(deferred_response)> go) {
  const std::size_t most = a.options.max_xml_body;
  if (auto len = req.header("Content-Length")) {
    std::uint64_t n = 0;
    for (char c : *len)
      n = n > most ? n : n * 10 + static_cast<std::uint64_t>(c - '0');
    if (n > most) return res.error(http::status::content_too_large);
  }
  deferred_response dr = res.defer();
  body_reader* reader = req.body_stream;
  if (reader == nullptr) return go(std::move(dr));
  auto refused = std::make_shared<bool>(false);
  reader->read({
      .on_data =
          [facts, dr, most, refused](std::string_view piece) mutable {
            if (facts->body.size() + piece.size() > most) {
              *refused = true;
              dr.res().error(http::status::content_too_large);
              dr.send();  // before the content's end: the connection closes after it
              return body_reader::flow::hold;
            }
            facts->body.append(piece);
            return body_reader::flow::more;
          },
      .on_end =
          [dr, refused, go = std::move(go)](std::span<const header_field>) mutable {
            if (!*refused) go(dr);
          },
      .on_error = [](body_error) {},
  });
}

void answer(const std::shared_ptr<area>& a, const request& req, response& res) {
  auto apath = a->area_path(req.path);
  if (!apath) return res.error(http::status::not_found);
  // The server's own files are out of every client's reach, whatever the method.
  if (webdav::is_reserved(*apath)) return res.error(http::status::forbidden);
  const std::string_view m = req.method;
  if (a->options.read_only && is_write(m)) return res.error(http::status::forbidden);
  if (m == "OPTIONS") return webdav::options(*a, res, *apath);
  if (m == "GET" || m == "HEAD") return webdav::get_or_head(a, res, *apath);
  if (m == "PUT") return webdav::put(a, req, res, std::move(*apath));
  auto p = pooled_method(m);
  if (m != "PROPFIND" && !p) return res.error(http::status::method_not_allowed);
  if (a->options.require_if_match && (m == "DELETE" || m == "MOVE") && !req.header("If-Match") &&
      !req.header("If-Unmodified-Since"))
    return res.error(http::status::precondition_required);
  auto facts = std::make_shared<exchange_facts>(exchange_facts::of(req, std::move(*apath)));
  with_body(*a, req, res, facts, [a, facts, p](deferred_response dr) {
    if (!p) return webdav::propfind(a, facts, std::move(dr));
    auto result = std::make_shared<outcome>();
    const auto interval = p->long_running && facts->version_minor >= 1
                              ? a->options.processing_interval
                              : std::chrono::milliseconds(0);
    webdav::run_processing(
        dr, interval,
        [a, facts, result, run = p->run, alone = p->changes_locks] {
          if (alone) {
            std::unique_lock hold(a->shared->locks);
            *result = run(*a, *facts);
          } else {
            std::shared_lock hold(a->shared->locks);
            *result = run(*a, *facts);
          }
        },
        [dr, result]() mutable {
          webdav::apply(*result, dr.res());
          dr.send();
        });
  });
}

}  // namespace

void mount_webdav(router& routes, webdav_options options) {
  if (options.prefix.empty() || options.prefix.front() != '/' || options.prefix.back() != '/')
    throw std::invalid_argument("a WebDAV prefix starts and ends with '/'");
  if (options.processing_interval.count() <= 0)
    throw std::invalid_argument("processing_interval must be positive");
  if (options.max_lock_timeout.count() <= 0)
    throw std::invalid_argument("max_lock_timeout must be positive");
  std::error_code ec;
  if (!std::filesystem::is_directory(options.root, ec))
    throw std::system_error(ec ? ec : std::make_error_code(std::errc::not_a_directory),
                            "WebDAV root " + options.root.string());
  auto a = std::make_shared<area>();
  a->root = std::filesystem::absolute(options.root).lexically_normal().string();
  while (a->root.size() > 1 && a->root.back() == '/')
    a->root.pop_back();
  if (options.database.empty())
    options.database = std::filesystem::path(a->root) / ".teapot-dav.sqlite3";
  // A database inside the tree must be one of the server's names, or clients could read it,
  // replace it or delete it like any file.
  const std::string db_path =
      std::filesystem::absolute(options.database).lexically_normal().string();
  if (db_path.starts_with(a->root + "/") &&
      !options.database.filename().string().starts_with(webdav::reserved_prefix))
    throw std::invalid_argument("a WebDAV database inside the area's root must be named " +
                                std::string(webdav::reserved_prefix) + "*: " + db_path);
  a->shared = webdav::root_state_for(a->root, options.database);
  a->db = a->shared->db.get();
  a->options = std::move(options);
  handler h = [a](const request& req, response& res) { answer(a, req, res); };
  const std::string pattern = a->options.prefix + "*";
  const std::string bare = a->options.prefix.size() > 1
                               ? a->options.prefix.substr(0, a->options.prefix.size() - 1)
                               : std::string();
  for (const std::string& m : webdav_methods()) {
    // Every body streams: PUT's to disk, the others' into a bounded buffer (with_body).
    const route_options streamed{.stream_body = m != "GET" && m != "HEAD" && m != "OPTIONS"};
    routes.route(m, pattern, h, streamed);
    if (!bare.empty()) routes.route(m, bare, h, streamed);
  }
}

}  // namespace teapot::handlers
