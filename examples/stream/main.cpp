// Content that streams out: pulled from a source as the client takes it, or pushed by a writer
// from any thread with backpressure.
//
//   example_stream [--listen HOST:PORT]...
//
//   GET /lines?n=N   -> N lines made as they are pulled (a body_source), chunked, with a
//                       "Lines: N" trailer; ETag "lines-N" (If-None-Match gives a 304 that
//                       never pulls)
//   GET /sized?n=N   -> the same lines with Content-Length
//   GET /short       -> says 100 bytes, ends after 10: the connection closes
//   GET /fail        -> 3 lines, then the source fails: the chunked content is left open and
//                       the connection closes
//   GET /bulk?mib=N  -> N MiB (at most 1024) written from a pool thread through a body_writer;
//                       the writer waits whenever write() says so, until on_drain. With
//                       Content-Length, or chunked with &chunked=1 and then trailers: Waits
//                       (how often it waited), Max-Queued (the most bytes ever queued)
//   GET /bulk-state  -> "waiting" while a /bulk producer waits for its client, else "running"
//                       or "idle"
//   GET /gate?id=X   -> writes "first\n" and waits, parked, for GET /open?id=X (on another
//                       connection), which writes "second\n" and finishes it
//   GET /watch       -> writes "watching\n" and never finishes; GET /cancelled tells how many
//                       of these the server has cancelled (the client left, or HEAD)
//   GET /ping        -> 200 "pong"
// One worker, so that every route shares the one loop.
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "../common/listen_args.h"
#include "teapot/body_source.h"
#include "teapot/body_writer.h"
#include "teapot/server.h"

namespace {

using teapot::body_source;
using teapot::body_writer;
using teapot::request;
using teapot::response;

constexpr std::size_t MiB = 1024 * 1024;

std::uint64_t query_number(const request& req, std::string_view name, std::uint64_t fallback) {
  std::string_view q = req.query;
  while (!q.empty()) {
    const std::string_view pair = q.substr(0, q.find('&'));
    q.remove_prefix(std::min(q.size(), pair.size() + 1));
    if (pair.substr(0, pair.find('=')) != name) continue;
    std::uint64_t v = fallback;
    const std::string_view value = pair.substr(std::min(pair.size(), name.size() + 1));
    std::from_chars(value.data(), value.data() + value.size(), v);
    return v;
  }
  return fallback;
}

std::string line(std::uint64_t i) {
  return "line " + std::to_string(i) + "\n";
}

std::uint64_t lines_length(std::uint64_t n) {
  std::uint64_t total = 0;
  for (std::uint64_t i = 0; i < n; ++i)
    total += line(i).size();
  return total;
}

// Lines made only when the connection asks for them: memory stays at one line however many.
class line_source final : public body_source {
 public:
  explicit line_source(std::uint64_t n, std::uint64_t fail_after = UINT64_MAX)
      : n_(n), fail_after_(fail_after) {}

  pulled pull(std::span<char> into) override {
    std::size_t used = 0;
    while (next_ < n_) {
      if (next_ == fail_after_) return {used, next::fail};
      if (pending_.empty()) pending_ = line(next_);
      const std::size_t k = std::min(pending_.size() - at_, into.size() - used);
      if (k == 0) return {used, next::more};
      pending_.copy(into.data() + used, k, at_);
      used += k;
      at_ += k;
      if (at_ == pending_.size()) {
        pending_.clear();
        at_ = 0;
        ++next_;
      }
    }
    return {used, next::end};
  }

  void trailers(std::vector<std::pair<std::string, std::string>>& out) override {
    out.emplace_back("Lines", std::to_string(n_));
    out.emplace_back("Content-Length", "1");  // framing: never sent as a trailer
  }

 private:
  std::uint64_t n_, fail_after_, next_ = 0;
  std::string pending_;
  std::size_t at_ = 0;
};

// Says 100 bytes, ends after 10.
class short_source final : public body_source {
 public:
  pulled pull(std::span<char> into) override {
    const std::string_view ten = "0123456789";
    const std::size_t k = std::min(into.size(), ten.size());
    ten.copy(into.data(), k);
    return {k, next::end};
  }
};

void lines(const request& req, response& res) {
  const std::uint64_t n = query_number(req, "n", 10);
  res.set_etag("\"lines-" + std::to_string(n) + "\"");
  res.set_source(std::make_shared<line_source>(n), "text/plain; charset=utf-8");
}

void sized(const request& req, response& res) {
  const std::uint64_t n = query_number(req, "n", 10);
  res.set_source(std::make_shared<line_source>(n), "text/plain; charset=utf-8", lines_length(n));
}

// What /bulk-state reports: the producer thread's state, read from the loop.
std::atomic<int> bulk_state{0};  // 0 idle, 1 running, 2 waiting

// The producer's side of a writer: waits, off the loop, for on_drain or on_cancel.
struct producer_gate {
  std::mutex m;
  std::condition_variable cv;
  bool drained = false;
  bool cancelled = false;
};

void bulk(const request& req, response& res) {
  const std::uint64_t total = std::min<std::uint64_t>(query_number(req, "mib", 8), 1024) * MiB;
  auto done = res.defer();
  const bool chunked = query_number(req, "chunked", 0) == 1;
  body_writer w = done.res().stream("application/octet-stream",
                                    chunked ? std::nullopt : std::optional<std::uint64_t>(total));
  auto gate = std::make_shared<producer_gate>();
  w.on_drain([gate] {
    std::lock_guard lock(gate->m);
    gate->drained = true;
    gate->cv.notify_all();
  });
  w.on_cancel([gate] {
    std::lock_guard lock(gate->m);
    gate->cancelled = true;
    gate->cv.notify_all();
  });
  done.send();  // the head goes now; the content follows as the producer writes it
  done.run_blocking(
      [w, gate, total]() mutable {
        bulk_state = 1;
        std::string piece(64 * 1024, '\0');
        std::uint64_t waits = 0, max_queued = 0;
        for (std::uint64_t at = 0; at < total; at += piece.size()) {
          for (std::size_t i = 0; i < piece.size(); ++i)
            piece[i] = static_cast<char>(((at + i) % 4096 * 7 + 3) & 0xFF);
          std::unique_lock lock(gate->m);
          gate->drained = false;
          lock.unlock();
          const bool go_on = w.write(piece);
          max_queued = std::max<std::uint64_t>(max_queued, w.queued());
          if (go_on) continue;
          if (!w.is_open()) break;
          ++waits;
          bulk_state = 2;
          lock.lock();
          gate->cv.wait(lock, [&] { return gate->drained || gate->cancelled; });
          bulk_state = 1;
          if (gate->cancelled) break;
        }
        w.add_trailer("Waits", std::to_string(waits));
        w.add_trailer("Max-Queued", std::to_string(max_queued));
        w.finish();
        bulk_state = 0;
      },
      nullptr);
}

// Gates and watchers live on the loop thread: no lock.
std::map<std::string, body_writer, std::less<>> gates;
int watches_cancelled = 0;

void gate(const request& req, response& res) {
  body_writer w = res.stream("text/plain; charset=utf-8");
  w.write("first\n");
  gates.insert_or_assign(std::to_string(query_number(req, "id", 0)), w);
}

void open_gate(const request& req, response& res) {
  const auto it = gates.find(std::to_string(query_number(req, "id", 0)));
  if (it == gates.end()) return res.error(teapot::http::status::not_found);
  body_writer w = it->second;
  gates.erase(it);
  w.write("second\n");
  w.finish();
  res.text("opened");
}

void watch(const request&, response& res) {
  body_writer w = res.stream("text/plain; charset=utf-8");
  w.write("watching\n");
  w.on_cancel([] { ++watches_cancelled; });
}

}  // namespace

int main(int argc, char** argv) {
  auto options = examples::options_from_args(argc, argv);
  if (!options) return 2;
  options->workers = 1;

  teapot::server srv(std::move(*options));
  srv.routes()
      .get("/lines", lines)
      .get("/sized", sized)
      .get("/short",
           [](const request&, response& res) {
             res.set_source(std::make_shared<short_source>(), "text/plain", 100);
           })
      .get("/fail",
           [](const request&, response& res) {
             res.set_source(std::make_shared<line_source>(10, 3), "text/plain");
           })
      .get("/bulk", bulk)
      .get("/bulk-state",
           [](const request&, response& res) {
             static constexpr std::string_view names[] = {"idle", "running", "waiting"};
             res.text(names[bulk_state.load()]);
           })
      .get("/gate", gate)
      .get("/open", open_gate)
      .get("/watch", watch)
      .get("/cancelled",
           [](const request&, response& res) { res.text(std::to_string(watches_cancelled)); })
      .get("/ping", [](const request&, response& res) { res.text("pong"); });
  srv.run();  // until SIGTERM or SIGINT, then a graceful stop
  return 0;
}
