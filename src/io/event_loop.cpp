#include "io/event_loop.h"

#include "base/loop_turn.h"

#include <array>
#include <cerrno>
#include <ctime>
#include <system_error>

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace teapot::io {

namespace {

constexpr int max_events = 256;
// No registration has generation 0, so this never matches an (fd, generation) pair.
constexpr std::uint64_t wakeup_token = ~std::uint64_t{0};

std::uint64_t pack(int fd, std::uint32_t generation) noexcept {
  return (std::uint64_t{generation} << 32) | static_cast<std::uint32_t>(fd);
}

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

event_loop::event_loop() {
  epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) throw_errno("epoll_create1");
  wakeup_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wakeup_fd_ < 0) {
    const int saved = errno;
    ::close(epfd_);
    throw std::system_error(saved, std::generic_category(), "eventfd");
  }
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLET;
  ev.data.u64 = wakeup_token;
  if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, wakeup_fd_, &ev) < 0) {
    const int saved = errno;
    ::close(wakeup_fd_);
    ::close(epfd_);
    throw std::system_error(saved, std::generic_category(), "epoll_ctl(eventfd)");
  }
  read_clock();
}

event_loop::~event_loop() {
  ::close(wakeup_fd_);
  ::close(epfd_);
}

void event_loop::read_clock() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  now_ms_ = std::int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1'000'000;
}

void event_loop::control(int op, int fd, std::uint32_t events, fd_handler* h) {
  if (fd < 0) throw std::system_error(EBADF, std::generic_category(), "epoll_ctl");
  const auto index = static_cast<std::size_t>(fd);
  if (index >= registrations_.size()) registrations_.resize(index + 1);
  registration& reg = registrations_[index];
  const registration before = reg;
  if (op == EPOLL_CTL_ADD) {
    reg.generation = next_generation_++;
    if (next_generation_ == 0) next_generation_ = 1;
  }
  reg.handler = h;
  epoll_event ev{};
  ev.events = events | EPOLLET;
  ev.data.u64 = pack(fd, reg.generation);
  if (::epoll_ctl(epfd_, op, fd, &ev) < 0) {
    reg = before;
    throw_errno(op == EPOLL_CTL_ADD ? "epoll_ctl(add)" : "epoll_ctl(modify)");
  }
}

void event_loop::add(int fd, std::uint32_t events, fd_handler* h) {
  control(EPOLL_CTL_ADD, fd, events, h);
}

void event_loop::modify(int fd, std::uint32_t events, fd_handler* h) {
  control(EPOLL_CTL_MOD, fd, events, h);
}

void event_loop::remove(int fd) noexcept {
  if (fd < 0) return;
  // Fails harmlessly when the fd was closed already (the kernel dropped it then).
  ::epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
  const auto index = static_cast<std::size_t>(fd);
  if (index < registrations_.size()) registrations_[index] = registration{};
}

void event_loop::arm(timer& t, std::chrono::milliseconds delay) noexcept {
  wheel_.arm(t, now_ms_ + delay.count());
}

void event_loop::disarm(timer& t) noexcept {
  wheel_.disarm(t);
}

void event_loop::wake() noexcept {
  const std::uint64_t one = 1;
  // EAGAIN means the counter is already non-zero: the loop wakes anyway.
  while (::write(wakeup_fd_, &one, sizeof one) < 0 && errno == EINTR) {
  }
}

void event_loop::post(std::function<void()> fn) {
  bool was_empty = false;
  {
    std::lock_guard lock(posted_mu_);
    was_empty = posted_.empty();
    posted_.push_back(std::move(fn));
  }
  // A non-empty queue has already woken the loop, which has not swapped it out yet.
  if (was_empty) wake();
}

void event_loop::stop() noexcept {
  stop_requested_.store(true, std::memory_order_release);
  wake();
}

void event_loop::drain_posted() {
  {
    std::lock_guard lock(posted_mu_);
    running_.swap(posted_);
  }
  try {
    for (auto& fn : running_)
      fn();
  } catch (...) {
    running_.clear();
    throw;
  }
  running_.clear();  // keeps the capacity: no allocation per post in steady state
}

void event_loop::dispatch(std::uint64_t data, std::uint32_t events) {
  const auto index = static_cast<std::size_t>(data & 0xffff'ffffU);
  const auto generation = static_cast<std::uint32_t>(data >> 32);
  if (index >= registrations_.size()) return;
  const registration& reg = registrations_[index];
  if (reg.generation == generation && reg.handler != nullptr) reg.handler->on_io(events);
}

void event_loop::run() {
  std::array<epoll_event, max_events> events;
  read_clock();
  while (!stop_requested_.load(std::memory_order_acquire)) {
    const int n = ::epoll_wait(epfd_, events.data(), max_events, wheel_.next_timeout_ms(now_ms_));
    if (n < 0 && errno != EINTR) throw_errno("epoll_wait");
    ++base::loop_turn;
    read_clock();
    bool woken = false;
    for (int i = 0; i < n; ++i) {
      if (events[i].data.u64 == wakeup_token) {
        std::uint64_t count = 0;
        [[maybe_unused]] const auto r = ::read(wakeup_fd_, &count, sizeof count);
        woken = true;
      } else {
        dispatch(events[i].data.u64, events[i].events);
      }
    }
    if (woken) drain_posted();
    wheel_.advance(now_ms_);
    if (after_batch_) after_batch_();
  }
  stop_requested_.store(false, std::memory_order_relaxed);
}

}  // namespace teapot::io
