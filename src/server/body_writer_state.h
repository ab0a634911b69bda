// What a body_writer feeds: a body_source whose content is the bytes written to it, queued
// until the connection pulls them. The queue has a mark past which write() tells the writer to
// wait; the connection's pulls take it down and call on_drain.
// Thread contract: written from any thread (one mutex); pulled on the exchange's loop thread.
#pragma once

#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "teapot/body_source.h"

namespace teapot {

class body_writer_state final : public body_source {
 public:
  // Bytes queued past this make write() say wait: a producer faster than its client stays
  // within a few socket buffers' worth of memory.
  static constexpr std::size_t mark = 256 * 1024;

  bool write(std::string_view bytes);
  void on_drain(std::function<void()> fn);
  void on_cancel(std::function<void()> fn);
  void add_trailer(std::string_view name, std::string_view value);
  void finish();
  void abort();
  bool is_open() const noexcept;
  std::size_t queued() const noexcept;

  // body_source
  pulled pull(std::span<char> into) override;
  void trailers(std::vector<std::pair<std::string, std::string>>& out) override;
  void cancelled() noexcept override;

 private:
  enum class ending : unsigned char { open, finished, aborted, cancelled };
  std::size_t queued_locked() const noexcept { return queue_.size() - taken_; }
  void end_with(ending e);

  mutable std::mutex mutex_;
  std::string queue_;
  std::size_t taken_ = 0;  // the front of queue_ already pulled
  std::vector<std::pair<std::string, std::string>> trailers_;
  std::function<void()> on_drain_;
  std::function<void()> on_cancel_;
  ending ending_ = ending::open;
  bool parked_ = false;        // the last pull said wait: the next write wakes the connection
  bool drain_wanted_ = false;  // a write said wait: on_drain runs when the queue falls
};

}  // namespace teapot
