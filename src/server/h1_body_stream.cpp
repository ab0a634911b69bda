#include "server/h1_body_stream.h"

#include <utility>

#include "server/h1_connection.h"
#include "server/worker.h"

namespace teapot::srv {

void h1_body_stream::begin(worker& w, std::shared_ptr<connection_token> token) noexcept {
  worker_ = &w;
  token_ = std::move(token);
  cb_ = {};
  received = 0;
  expect_continue = response_ready = false;
  held_consumed_ = 0;
  held_complete_ = false;
  active_ = true;
  reading_ = held_ = delivering_ = false;
}

// The token stays until the next begin(): resume() may read it from another thread.
void h1_body_stream::stop() noexcept {
  active_ = reading_ = held_ = false;
  cb_ = {};
}

void h1_body_stream::read(callbacks cb) {
  if (!active_ || reading_) return;
  cb_ = std::move(cb);
  reading_ = true;
  // Delivery starts from the loop, never inside the caller's stack (a handler, a callback).
  worker_->loop().post([token = token_] {
    if (token->conn) token->conn->resume_content();
  });
}

void h1_body_stream::resume() {
  if (worker_ == nullptr || !token_) return;
  auto kick = [token = token_] {
    if (token->conn) token->conn->end_hold();
  };
  if (worker_->is_loop_thread())
    kick();
  else
    worker_->loop().post(std::move(kick));
}

bool h1_body_stream::deliver(std::string_view piece) {
  if (!cb_.on_data) return true;
  delivering_ = true;
  const flow f = cb_.on_data(piece);
  delivering_ = false;
  if (f == flow::hold) held_ = true;
  return f == flow::more;
}

void h1_body_stream::deliver_end(std::span<const header_field> trailers) {
  auto on_end = std::move(cb_.on_end);
  active_ = false;
  delivering_ = true;
  if (on_end) on_end(trailers);
  delivering_ = false;
  stop();
}

void h1_body_stream::fail(body_error e) {
  if (!active_) return;
  auto on_error = std::move(cb_.on_error);
  stop();
  if (on_error) on_error(e);
}

}  // namespace teapot::srv
