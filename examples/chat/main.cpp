// WebSocket routes written with the library: a chat room whose messages reach every member,
// whichever worker thread holds its connection, and a ticker that sends from a thread of its own.
//
//   example_chat [--listen HOST:PORT]...
//
//   /room          a WebSocket: each text message is sent to every member of the room (the
//                  sender too), prefixed with the member's number ("3: hello"); a member that
//                  joins is told "welcome N" and the room "N joined"
//   /ticker?n=N    a WebSocket: a thread sends "tick 1" to "tick N" (N at most 1000), then
//                  closes the connection with 1000 "done"
//   GET /members   200 with the number of members in the room
// Two workers: members on different loops reach each other through send() from another thread.
#include <charconv>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "../common/listen_args.h"
#include "teapot/server.h"
#include "teapot/websocket.h"

namespace {

using teapot::message_kind;
using teapot::websocket;

class room {
 public:
  std::uint64_t join(const std::shared_ptr<websocket>& ws) {
    std::lock_guard lock(mu_);
    const std::uint64_t n = ++last_;
    members_[ws.get()] = {n, ws};
    return n;
  }
  void leave(websocket& ws) {
    std::lock_guard lock(mu_);
    members_.erase(&ws);
  }
  std::uint64_t number_of(websocket& ws) {
    std::lock_guard lock(mu_);
    const auto it = members_.find(&ws);
    return it == members_.end() ? 0 : it->second.number;
  }
  // send() takes any thread: a member on another worker gets it through that worker's loop.
  void tell_all(std::string_view text) {
    std::lock_guard lock(mu_);
    for (auto& [key, m] : members_)
      if (std::shared_ptr<websocket> ws = m.ws.lock()) ws->send(text, message_kind::text);
  }
  std::size_t size() {
    std::lock_guard lock(mu_);
    return members_.size();
  }

 private:
  struct member {
    std::uint64_t number;
    std::weak_ptr<websocket> ws;
  };
  std::mutex mu_;
  std::map<websocket*, member> members_;
  std::uint64_t last_ = 0;
};

std::uint64_t ticks_asked(std::string_view target) {
  const std::size_t at = target.find("n=");
  std::uint64_t n = 3;
  if (at != std::string_view::npos)
    std::from_chars(target.data() + at + 2, target.data() + target.size(), n);
  return n > 1000 ? 1000 : n;
}

}  // namespace

int main(int argc, char** argv) {
  auto options = examples::options_from_args(argc, argv);
  if (!options) return 2;
  options->workers = 2;
  auto members = std::make_shared<room>();

  teapot::websocket_handlers chat;
  chat.on_open = [members](const std::shared_ptr<websocket>& ws) {
    const std::uint64_t n = members->join(ws);
    ws->send("welcome " + std::to_string(n));
    members->tell_all(std::to_string(n) + " joined");
  };
  chat.on_message = [members](websocket& ws, std::string_view data, message_kind kind) {
    if (kind != message_kind::text) return ws.close(1003, "text only");
    members->tell_all(std::to_string(members->number_of(ws)) + ": " + std::string(data));
  };
  chat.on_close = [members](websocket& ws, std::uint16_t, std::string_view) { members->leave(ws); };

  teapot::websocket_handlers ticker;
  ticker.on_open = [](const std::shared_ptr<websocket>& ws) {
    const std::uint64_t n = ticks_asked(ws->target());
    std::thread([ws, n] {
      for (std::uint64_t i = 1; i <= n; ++i)
        ws->send("tick " + std::to_string(i));
      ws->close(1000, "done");
    }).detach();
  };

  teapot::server srv(std::move(*options));
  srv.routes()
      .get("/room", teapot::websocket_route({}, std::move(chat)))
      .get("/ticker", teapot::websocket_route({}, std::move(ticker)))
      .get("/members", [members](const teapot::request&, teapot::response& res) {
        res.text(std::to_string(members->size()));
      });
  srv.run();  // until SIGTERM or SIGINT, then a graceful stop
  return 0;
}
