// Content that streams in, and work that runs off the event loop.
//
//   example_upload [--listen HOST:PORT]... [--htpasswd FILE]
//
//   PUT  /upload/{name} -> 201 {"bytes":N,"fnv":"..","trailers":{..}}: the content is taken
//                          piece by piece; each piece is held while the blocking-work pool
//                          digests it, so a slow consumer pauses the client (backpressure)
//                          and memory stays flat however large the upload (limit: 1 GiB)
//   POST /count         -> 200 with the number of bytes, counted as they arrive (no hold)
//   POST /guarded       -> 403 from the head alone: the handler answers before reading, so no
//                          100 Continue is sent and the content is never read
//   POST /trailers      -> 200 with the trailer fields of a chunked body (whole-body route)
//   GET  /block?ms=N    -> N ms of blocking work on the pool (at most 10 s), then 200
//   GET  /from-thread   -> the deferred response is filled and sent from a pool thread
//   GET  /ping          -> 200 "pong" at once, whatever the pool is doing
// With --htpasswd, a user of FILE (Basic auth) may also reach:
//   GET  /private/ping  -> 200 "private pong"; 401 without valid credentials. The password is
//                          checked on the pool (bcrypt takes a quarter of a second at cost 12),
//                          unless it was checked for these credentials moments ago
//   POST /private/count -> as /count, once the credentials have passed: the 100 Continue, and
//                          the content, wait for the check
// One worker: whatever blocks, blocks the pool, never the one loop that answers /ping.
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "../common/listen_args.h"
#include "teapot/body_reader.h"
#include "teapot/handlers/basic_auth.h"
#include "teapot/http/status.h"
#include "teapot/server.h"

namespace {

using teapot::body_error;
using teapot::body_reader;
using teapot::request;
using teapot::response;
using teapot::http::status;

constexpr std::uint64_t upload_limit = std::uint64_t{1} << 30;

// FNV-1a: a digest cheap to write and to check from a test.
std::uint64_t fnv1a(std::uint64_t h, std::string_view bytes) {
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

std::string hex(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string trailers_json(std::span<const teapot::header_field> trailers) {
  std::string out = "{";
  for (const auto& t : trailers) {
    if (out.size() > 1) out += ',';
    out += '"';
    out += t.name;
    out += "\":\"";
    out += t.value;
    out += '"';
  }
  return out + "}";
}

// One upload's state, shared by the callbacks and the pool's work.
struct upload {
  teapot::deferred_response done;
  body_reader* reader = nullptr;
  std::uint64_t bytes = 0;
  std::uint64_t digest = 14695981039346656037ULL;
};

void put_upload(const request& req, response& res) {
  auto u = std::make_shared<upload>();
  u->done = res.defer();
  u->reader = req.body_stream;
  req.body_stream->read({
      .on_data =
          [u](std::string_view piece) {
            // The piece stays valid while held: the pool reads it in place, then resumes.
            u->done.run_blocking(
                [u, piece] {
                  u->digest = fnv1a(u->digest, piece);
                  u->bytes += piece.size();
                  u->reader->resume();
                },
                nullptr);
            return body_reader::flow::hold;
          },
      .on_end =
          [u](std::span<const teapot::header_field> trailers) {
            u->done.res().set_status(status::created);
            u->done.res().json("{\"bytes\":" + std::to_string(u->bytes) + ",\"fnv\":\"" +
                               hex(u->digest) + "\",\"trailers\":" + trailers_json(trailers) +
                               "}\n");
            u->done.send();
          },
      .on_error = [](body_error) {},
  });
}

void count(const request& req, response& res) {
  auto total = std::make_shared<std::uint64_t>(0);
  auto done = std::make_shared<teapot::deferred_response>(res.defer());
  req.body_stream->read({
      .on_data =
          [total](std::string_view piece) {
            *total += piece.size();
            return body_reader::flow::more;
          },
      .on_end =
          [total, done](std::span<const teapot::header_field>) {
            done->res().text(std::to_string(*total));
            done->send();
          },
      .on_error = {},
  });
}

void guarded(const request&, response& res) {
  res.error(status::forbidden);
}

void trailers(const request& req, response& res) {
  res.json(trailers_json(req.trailers));
}

void block(const request& req, response& res) {
  unsigned ms = 0;
  std::from_chars(req.query.data() + std::min<std::size_t>(3, req.query.size()),
                  req.query.data() + req.query.size(), ms);
  ms = std::min(ms, 10'000U);
  auto done = std::make_shared<teapot::deferred_response>(res.defer());
  done->run_blocking([ms] { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); },
                     [done, ms] {
                       done->res().text("blocked " + std::to_string(ms) + " ms off the loop");
                       done->send();
                     });
}

void from_thread(const request&, response& res) {
  teapot::deferred_response done = res.defer();
  done.run_blocking(
      [done]() mutable {
        done.res().text("sent from a pool thread");
        done.send();
      },
      nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  std::string htpasswd;
  auto options = examples::options_from_args(argc, argv, {{"--htpasswd", &htpasswd}});
  if (!options) return 2;
  options->limits.body_by_prefix.push_back({"/upload/", upload_limit});
  options->workers = 1;

  teapot::server srv(std::move(*options));
  srv.routes()
      .route("PUT", "/upload/{name}", put_upload, {.stream_body = true})
      .route("POST", "/count", count, {.stream_body = true})
      .route("POST", "/guarded", guarded, {.stream_body = true})
      .post("/trailers", trailers)
      .get("/block", block)
      .get("/from-thread", from_thread)
      .get("/ping", [](const request&, response& res) { res.text("pong"); });
  if (!htpasswd.empty()) {
    teapot::handlers::basic_auth_options auth;
    auth.htpasswd = htpasswd;
    auth.paths.push_back(
        {.prefix = "/private/", .users = {"*"}, .groups = {}, .allow = {}, .deny = {}});
    srv.default_site().add_policy(teapot::handlers::make_basic_auth(std::move(auth)));
    srv.routes()
        .get("/private/ping", [](const request&, response& res) { res.text("private pong"); })
        .route("POST", "/private/count", count, {.stream_body = true});
  }
  srv.run();  // until SIGTERM or SIGINT, then a graceful stop
  return 0;
}
