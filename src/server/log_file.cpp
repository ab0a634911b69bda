#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

#include "base/signal_free_thread.h"
#include "teapot/log.h"

namespace teapot {

namespace {

constexpr std::size_t max_queued = 64 * 1024 * 1024;
// A queue this large is written without waiting for the second to pass.
constexpr std::size_t write_soon = 256 * 1024;
constexpr std::chrono::seconds flush_interval{1};

int open_for_append(const std::filesystem::path& path) {
  return ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
}

void write_all(int fd, std::string_view bytes) noexcept {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere left to report it: the log itself is what failed
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

struct log_file::impl {
  std::filesystem::path path;
  int fd = -1;
  bool owns_fd = false;

  std::mutex mu;
  std::condition_variable wake;     // for the writer
  std::condition_variable written;  // for flush()
  std::string queued;               // guarded by mu
  std::uint64_t queued_upto = 0;    // bytes ever queued; guarded by mu
  std::uint64_t written_upto = 0;   // bytes ever written; guarded by mu
  std::uint64_t dropped = 0;        // guarded by mu
  std::uint64_t lines_dropped = 0;  // ever; guarded by mu
  bool urgent = false;              // guarded by mu
  bool reopen_wanted = false;       // guarded by mu
  bool stopping = false;            // guarded by mu
  std::thread writer;

  void run() {
    std::string batch;
    std::unique_lock lock(mu);
    for (;;) {
      // Without a reason to hurry, lines wait for the interval so that writes come in batches.
      wake.wait_for(lock, flush_interval, [this] {
        return stopping || urgent || reopen_wanted || queued.size() >= write_soon;
      });
      urgent = false;
      const bool reopening = std::exchange(reopen_wanted, false);
      const std::uint64_t lost = std::exchange(dropped, 0);
      batch.swap(queued);
      const std::uint64_t upto = queued_upto;
      const bool last = stopping;
      lock.unlock();
      if (reopening) reopen_now();
      write_all(fd, batch);
      batch.clear();
      // Standard error is the last place to say so: nobody to tell if it fails too.
      if (lost > 0)
        (void)std::fprintf(stderr, "teapot: log %s: %llu bytes dropped, the disk was too slow\n",
                           path.c_str(), static_cast<unsigned long long>(lost));
      lock.lock();
      written_upto = upto;
      written.notify_all();
      if (last && queued.empty()) return;
    }
  }

  void reopen_now() noexcept {
    if (!owns_fd) return;
    int fresh = open_for_append(path);
    if (fresh < 0) {
      const std::string why = std::generic_category().message(errno);  // strerror is not MT-safe
      (void)std::fprintf(stderr, "teapot: cannot reopen log %s: %s\n", path.c_str(), why.c_str());
      return;
    }
    ::close(fd);
    fd = fresh;
  }
};

log_file::log_file(std::unique_ptr<impl> state) : impl_(std::move(state)) {
  impl_->writer = base::signal_free_thread([s = impl_.get()] { s->run(); });
}

log_file::~log_file() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->wake.notify_one();
  impl_->writer.join();
  if (impl_->owns_fd) ::close(impl_->fd);
}

std::shared_ptr<log_file> log_file::open(const std::filesystem::path& path) {
  auto state = std::make_unique<impl>();
  state->path = path;
  state->fd = open_for_append(path);
  if (state->fd < 0) throw std::system_error(errno, std::generic_category(), path.string());
  state->owns_fd = true;
  return std::shared_ptr<log_file>(new log_file(std::move(state)));
}

std::shared_ptr<log_file> log_file::standard_output() {
  auto state = std::make_unique<impl>();
  state->fd = STDOUT_FILENO;
  return std::shared_ptr<log_file>(new log_file(std::move(state)));
}

std::shared_ptr<log_file> log_file::standard_error() {
  auto state = std::make_unique<impl>();
  state->fd = STDERR_FILENO;
  return std::shared_ptr<log_file>(new log_file(std::move(state)));
}

std::uint64_t log_file::lines_dropped() const {
  std::lock_guard lock(impl_->mu);
  return impl_->lines_dropped;
}

void log_file::write(std::string_view lines, bool urgent) {
  if (lines.empty()) return;
  bool wake = urgent;
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->queued.size() + lines.size() > max_queued) {
      impl_->dropped += lines.size();
      impl_->lines_dropped +=
          static_cast<std::uint64_t>(std::count(lines.begin(), lines.end(), '\n'));
      return;
    }
    impl_->queued.append(lines);
    impl_->queued_upto += lines.size();
    if (urgent) impl_->urgent = true;
    wake = wake || impl_->queued.size() >= write_soon;
  }
  if (wake) impl_->wake.notify_one();
}

void log_file::reopen() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->reopen_wanted = true;
  }
  impl_->wake.notify_one();
}

void log_file::flush() {
  std::unique_lock lock(impl_->mu);
  const std::uint64_t target = impl_->queued_upto;
  if (impl_->written_upto >= target) return;
  impl_->urgent = true;
  impl_->wake.notify_one();
  impl_->written.wait(lock, [&] { return impl_->written_upto >= target; });
}

const std::filesystem::path& log_file::path() const noexcept {
  return impl_->path;
}

}  // namespace teapot
