#include "server/body_writer_state.h"

#include <algorithm>
#include <cstring>

#include "teapot/body_writer.h"

namespace teapot {

// --- body_source ------------------------------------------------------------------------------

void body_source::wake() {
  std::function<void()> waker;
  {
    std::lock_guard lock(waker_mutex_);
    waker = waker_;
  }
  if (waker) waker();
}

void body_source::set_waker(std::function<void()> waker) {
  std::lock_guard lock(waker_mutex_);
  waker_ = std::move(waker);
}

// --- body_writer_state ------------------------------------------------------------------------

bool body_writer_state::write(std::string_view bytes) {
  bool wake_now = false;
  bool below_mark = false;
  {
    std::lock_guard lock(mutex_);
    if (ending_ != ending::open) return false;
    queue_.append(bytes);
    wake_now = parked_ && !bytes.empty();
    if (wake_now) parked_ = false;
    below_mark = queued_locked() < mark;
    if (!below_mark) drain_wanted_ = true;
  }
  if (wake_now) wake();
  return below_mark;
}

void body_writer_state::on_drain(std::function<void()> fn) {
  std::lock_guard lock(mutex_);
  on_drain_ = std::move(fn);
}

void body_writer_state::on_cancel(std::function<void()> fn) {
  std::lock_guard lock(mutex_);
  on_cancel_ = std::move(fn);
}

void body_writer_state::add_trailer(std::string_view name, std::string_view value) {
  std::lock_guard lock(mutex_);
  if (ending_ == ending::open) trailers_.emplace_back(name, value);
}

void body_writer_state::finish() {
  end_with(ending::finished);
}

void body_writer_state::abort() {
  end_with(ending::aborted);
}

// The connection learns of the end at its next pull: a parked one is woken for it.
void body_writer_state::end_with(ending e) {
  bool wake_now = false;
  {
    std::lock_guard lock(mutex_);
    if (ending_ != ending::open) return;
    ending_ = e;
    wake_now = std::exchange(parked_, false);
  }
  if (wake_now) wake();
}

bool body_writer_state::is_open() const noexcept {
  std::lock_guard lock(mutex_);
  return ending_ == ending::open;
}

std::size_t body_writer_state::queued() const noexcept {
  std::lock_guard lock(mutex_);
  return queued_locked();
}

body_source::pulled body_writer_state::pull(std::span<char> into) {
  pulled p;
  std::function<void()> drained;
  {
    std::lock_guard lock(mutex_);
    const std::size_t n = std::min(into.size(), queued_locked());
    std::memcpy(into.data(), queue_.data() + taken_, n);
    taken_ += n;
    p.size = n;
    if (taken_ == queue_.size()) {
      queue_.clear();
      taken_ = 0;
    } else if (taken_ >= mark) {
      // The taken front goes once it is large, so that a long stream never grows the queue.
      queue_.erase(0, taken_);
      taken_ = 0;
    }
    const std::size_t left = queued_locked();
    if (left > 0) {
      p.then = next::more;
    } else if (ending_ == ending::finished) {
      p.then = next::end;
    } else if (ending_ == ending::open) {
      p.then = next::wait;
      parked_ = true;
    } else {
      p.then = next::fail;
    }
    if (drain_wanted_ && left < mark && ending_ == ending::open) {
      drain_wanted_ = false;
      drained = on_drain_;
    }
  }
  // Outside the lock: the callback writes more.
  if (drained) drained();
  return p;
}

void body_writer_state::trailers(std::vector<std::pair<std::string, std::string>>& out) {
  std::lock_guard lock(mutex_);
  out = std::move(trailers_);
  trailers_.clear();
}

void body_writer_state::cancelled() noexcept {
  std::function<void()> fn;
  {
    std::lock_guard lock(mutex_);
    if (ending_ == ending::cancelled) return;
    ending_ = ending::cancelled;
    std::string().swap(queue_);
    taken_ = 0;
    fn = std::move(on_cancel_);
    on_drain_ = {};
  }
  set_waker({});
  if (!fn) return;
  try {
    fn();
  } catch (...) {
    // Nobody to tell: the exchange is over.
  }
}

// --- body_writer ------------------------------------------------------------------------------

bool body_writer::write(std::string_view bytes) {
  return state_ && state_->write(bytes);
}

void body_writer::on_drain(std::function<void()> fn) {
  if (state_) state_->on_drain(std::move(fn));
}

void body_writer::on_cancel(std::function<void()> fn) {
  if (state_) state_->on_cancel(std::move(fn));
}

void body_writer::add_trailer(std::string_view name, std::string_view value) {
  if (state_) state_->add_trailer(name, value);
}

void body_writer::finish() {
  if (state_) state_->finish();
}

void body_writer::abort() {
  if (state_) state_->abort();
}

bool body_writer::is_open() const noexcept {
  return state_ && state_->is_open();
}

std::size_t body_writer::queued() const noexcept {
  return state_ ? state_->queued() : 0;
}

}  // namespace teapot
