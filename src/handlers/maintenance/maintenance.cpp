#include "teapot/handlers/maintenance.h"

#include <sys/stat.h>

#include <cstdint>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "http/date.h"

namespace teapot::handlers::maintenance {

namespace {

// RFC 9110 §10.2.3: Retry-After = HTTP-date / delay-seconds.
std::string format_retry_after(const retry_after_value& value) {
  if (const auto* delay = std::get_if<std::chrono::seconds>(&value)) {
    if (delay->count() < 0) throw std::invalid_argument("Retry-After cannot be negative");
    return std::to_string(delay->count());
  }
  if (const auto* when = std::get_if<std::chrono::system_clock::time_point>(&value)) {
    char buf[http::imf_fixdate_size];
    std::string_view text =
        http::format_imf_fixdate(std::chrono::system_clock::to_time_t(*when), buf);
    if (text.empty()) throw std::invalid_argument("Retry-After date has no IMF-fixdate form");
    return std::string(text);
  }
  return {};
}

class maintenance_policy final : public policy {
 public:
  std::string_view name() const noexcept override { return "maintenance"; }
  explicit maintenance_policy(maintenance_options options)
      : opts_(std::move(options)),
        retry_after_(format_retry_after(opts_.retry_after)),
        interval_ns_(
            std::chrono::duration_cast<std::chrono::nanoseconds>(opts_.trigger_check_interval)
                .count()) {
    // The first look is taken now, so that the first requests, on whichever threads, see the
    // file as it is rather than "absent" while one of them waits for the first stat(2).
    if (!opts_.trigger_file.empty()) trigger_present();
  }

  verdict on_request(const request& req, response& res) override {
    if (!is_on() || !covers(req.path)) return verdict::next;
    res.error(http::status::service_unavailable);
    if (!retry_after_.empty()) res.set_header("Retry-After", retry_after_);
    return verdict::answered;
  }

 private:
  bool is_on() {
    if (opts_.enabled) return true;
    if (opts_.runtime_switch && opts_.runtime_switch->load(std::memory_order_relaxed)) return true;
    return !opts_.trigger_file.empty() && trigger_present();
  }

  bool covers(std::string_view path) const noexcept {
    if (opts_.prefixes.empty()) return true;
    for (const std::string& prefix : opts_.prefixes)
      if (path.starts_with(prefix)) return true;
    return false;
  }

  // One thread at a time wins the right to stat(2) the file once the interval is over; the
  // others use the last answer meanwhile, so the file system sees at most one call per
  // interval however many workers there are.
  bool trigger_present() {
    const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                 std::chrono::steady_clock::now().time_since_epoch())
                                 .count();
    std::int64_t due = next_check_ns_.load(std::memory_order_relaxed);
    if (now >= due && next_check_ns_.compare_exchange_strong(due, now + interval_ns_,
                                                             std::memory_order_relaxed)) {
      struct stat st {};
      present_.store(::stat(opts_.trigger_file.c_str(), &st) == 0, std::memory_order_relaxed);
    }
    return present_.load(std::memory_order_relaxed);
  }

  const maintenance_options opts_;
  const std::string retry_after_;
  const std::int64_t interval_ns_;
  std::atomic<std::int64_t> next_check_ns_{0};
  std::atomic<bool> present_{false};
};

}  // namespace

}  // namespace teapot::handlers::maintenance

namespace teapot::handlers {

std::shared_ptr<policy> make_maintenance(maintenance_options options) {
  return std::make_shared<maintenance::maintenance_policy>(std::move(options));
}

}  // namespace teapot::handlers
