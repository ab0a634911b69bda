// A small jobs API: the statuses an application means, sent through the library.
//
//   example_jobs [--listen HOST:PORT]...
//
//   POST /jobs              -> 202 Accepted, Location: /jobs/{id} (a status monitor)
//   GET  /jobs/{id}         -> 200 {"state":"running"} while the job runs (300 ms),
//                              then 303 See Other, Location: /jobs/{id}/result
//   GET  /jobs/{id}/result  -> 200 with the result; 404 while running or for an unknown job
//   POST /form              -> 205 Reset Content: done, clear the form (no body)
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "../common/listen_args.h"
#include "teapot/http/status.h"
#include "teapot/server.h"

namespace {

using teapot::request;
using teapot::response;
using teapot::http::status;
using clock_type = std::chrono::steady_clock;

constexpr auto job_duration = std::chrono::milliseconds(300);

// Handlers run on several worker threads: the jobs map is shared, so it has a mutex.
class job_store {
 public:
  std::uint64_t create() {
    std::lock_guard lock(mutex_);
    const auto id = next_id_++;
    done_at_.emplace(id, clock_type::now() + job_duration);
    return id;
  }
  // Empty for an unknown job; otherwise whether it has finished.
  std::optional<bool> is_done(std::uint64_t id) const {
    std::lock_guard lock(mutex_);
    const auto it = done_at_.find(id);
    if (it == done_at_.end()) return std::nullopt;
    return clock_type::now() >= it->second;
  }

 private:
  mutable std::mutex mutex_;
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, clock_type::time_point> done_at_;
};

std::optional<std::uint64_t> parse_id(std::string_view text) {
  std::uint64_t id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return id;
}

void create_job(job_store& jobs, response& res) {
  const std::string id = std::to_string(jobs.create());
  res.set_status(status::accepted);
  res.set_header("Location", "/jobs/" + id);
  res.json("{\"id\":" + id + ",\"state\":\"running\",\"monitor\":\"/jobs/" + id + "\"}\n");
}

void show_job(const job_store& jobs, const request& req, response& res) {
  const auto id = parse_id(req.param("id"));
  const auto done = id ? jobs.is_done(*id) : std::nullopt;
  if (!done) {
    res.error(status::not_found);
  } else if (!*done) {
    res.json("{\"state\":\"running\"}\n");
  } else {
    res.redirect(status::see_other, "/jobs/" + std::to_string(*id) + "/result");
  }
}

void show_result(const job_store& jobs, const request& req, response& res) {
  const auto id = parse_id(req.param("id"));
  const auto done = id ? jobs.is_done(*id) : std::nullopt;
  if (!done || !*done) {
    res.error(status::not_found);  // unknown, or not finished yet
    return;
  }
  res.json("{\"id\":" + std::to_string(*id) + ",\"state\":\"done\",\"result\":42}\n");
}

}  // namespace

int main(int argc, char** argv) {
  auto options = examples::options_from_args(argc, argv);
  if (!options) return 2;

  job_store jobs;
  teapot::server srv(std::move(*options));
  srv.routes()
      .post("/jobs", [&jobs](const request&, response& res) { create_job(jobs, res); })
      .get("/jobs/{id}", [&jobs](const request& req, response& res) { show_job(jobs, req, res); })
      .get("/jobs/{id}/result",
           [&jobs](const request& req, response& res) { show_result(jobs, req, res); })
      .post("/form", [](const request&, response& res) { res.set_status(status::reset_content); });
  srv.run();  // until SIGTERM or SIGINT, then a graceful stop
  return 0;
}
