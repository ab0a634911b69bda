// The smallest teapot application, and the routes the integration tests lean on.
//
//   example_hello [--listen HOST:PORT]...
//
//   GET  /hello  -> 200 "Hello, World!"
//   POST /echo   -> 200 with the request body (try Expect: 100-continue or a chunked body)
//   GET  /throw  -> the handler throws; the client gets a 500 that reveals nothing of it
//   GET  /slow   -> a deferred response, answered 100 ms later on the same loop thread
//   GET  /hints  -> 103 Early Hints with a preload Link, then 200
//   GET  /at-once      -> deferred, then sent before the handler returns
//   GET  /late-failure -> deferred, and the callback throws: 500
//   GET  /tea    -> a document with validators: the server answers If-None-Match,
//                   If-Modified-Since, If-Match, Range and If-Range for it (304, 412, 206, 416)
//   GET  /stream -> content whose length the handler does not give: chunked for HTTP/1.1,
//                   ended by closing the connection for HTTP/1.0
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "../common/listen_args.h"
#include "teapot/http/status.h"
#include "teapot/server.h"

namespace {

using teapot::request;
using teapot::response;
using namespace std::chrono_literals;

void hello(const request&, response& res) {
  res.text("Hello, World!");
}

// A handler only describes its representation; conditional requests and ranges are answered
// by the server from these validators.
void tea(const request&, response& res) {
  res.text("Green, black, oolong, white, pu-erh: all steeped at their own temperature.\n");
  res.set_etag("\"tea-1\"");
  res.set_last_modified(1700000000);  // Tue, 14 Nov 2023 22:13:20 GMT
}

void stream(const request&, response& res) {
  res.text("a body of a length nobody announced\n");
  res.set_length_unknown(true);
}

void echo(const request& req, response& res) {
  res.text(req.body);
}

void fail(const request&, response&) {
  // The server turns this into a 500; the message stays on the server side.
  throw std::runtime_error("secret internal detail");
}

void slow(const request&, response& res) {
  // The handler returns at once; the answer goes out when the timer fires, on this loop thread.
  // Copies of the handle share one exchange, so the callback can hold one.
  teapot::deferred_response later = res.defer();
  later.run_after(100ms, [later]() mutable {
    later.res().text("Thanks for waiting.");
    later.send();
  });
}

// Deferring and answering at once is allowed: the response goes out as if it were synchronous.
void at_once(const request&, response& res) {
  teapot::deferred_response d = res.defer();
  d.res().text("Deferred, and sent before the handler returned.");
  d.send();
}

// A deferred callback that fails: the client gets a 500, as from a handler that throws.
void late_failure(const request&, response& res) {
  teapot::deferred_response later = res.defer();
  later.run_after(20ms, [] { throw std::runtime_error("secret late detail"); });
}

void hints(const request&, response& res) {
  const std::pair<std::string_view, std::string_view> links[] = {
      {"Link", "</style.css>; rel=preload; as=style"}};
  // Goes out at once. It returns false when the client cannot take a 1xx (HTTP/1.0): the final
  // response below is sent either way.
  res.send_interim(teapot::http::status::early_hints, links);
  res.html("<!doctype html><link rel=stylesheet href=/style.css><p>Hello, hinted World!\n");
}

}  // namespace

int main(int argc, char** argv) {
  auto options = examples::options_from_args(argc, argv);
  if (!options) return 2;

  teapot::server srv(std::move(*options));
  srv.routes()
      .get("/hello", hello)
      .post("/echo", echo)
      .get("/throw", fail)
      .get("/slow", slow)
      .get("/hints", hints)
      .get("/stream", stream)
      .get("/tea", tea)
      .get("/at-once", at_once)
      .get("/late-failure", late_failure);
  srv.run();  // until SIGTERM or SIGINT, then a graceful stop
  return 0;
}
