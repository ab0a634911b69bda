#include "server/forward_proxy.h"

#include <netdb.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "base/ascii.h"
#include "http/authority.h"
#include "server/destination_connect.h"
#include "server/local_destination.h"
#include "server/proxy_final_recipient.h"
#include "server/response_access.h"
#include "server/tunnel.h"
#include "server/upstream_exchange.h"
#include "server/worker.h"

namespace teapot::srv {

namespace {

struct destination {
  sockaddr_storage addr{};
  socklen_t len = 0;
};

// The first address of host:port. numeric_only: an address as written, never asking a
// resolver (AI_NUMERICHOST), so that it may run on the loop. An empty result is success.
std::string resolve(const std::string& host, std::uint16_t port, bool numeric_only,
                    destination& out) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | (numeric_only ? AI_NUMERICHOST : 0);
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0)
    return ::gai_strerror(rc);
  std::memcpy(&out.addr, found->ai_addr, found->ai_addrlen);
  out.len = found->ai_addrlen;
  ::freeaddrinfo(found);
  return {};
}

using with_address = std::function<void(const destination* to, std::string_view why)>;

// A name is resolved on the blocking-work pool (getaddrinfo blocks), an address at once; then
// `then` runs on the loop, unless the client has gone by then.
void resolve_then(deferred_response d, std::string host, std::uint16_t port, with_address then) {
  struct job {
    std::string host;
    std::uint16_t port = 0;
    destination to;
    std::string why;
  };
  auto j = std::make_shared<job>();
  if (resolve(host, port, true, j->to).empty()) return then(&j->to, {});
  j->host = std::move(host);
  j->port = port;
  d.run_blocking([j] { j->why = resolve(j->host, j->port, false, j->to); },
                 [j, then = std::move(then)] { then(j->why.empty() ? &j->to : nullptr, j->why); });
}

// allow_local_destinations: whether the address resolved (or written) is off limits. 403, as
// for a port not listed: the policy refuses it, whoever asks.
bool refuses_address(const forward_proxy_options& o, const destination& to) {
  return !o.allow_local_destinations && is_local_destination(to.addr);
}

constexpr std::string_view local_refusal =
    "the destination is an address of this host or its link (allow_local_destinations)";

// One error-log line per refused request: who asked for what, and why.
void log_refusal(worker& w, std::string_view peer, std::string_view method, std::string_view target,
                 std::string_view why, http::status s) {
  w.log(log_level::warn, "forward proxy: " + std::string(method) + " " + std::string(target) +
                             " from " + std::string(peer) + ": " + std::string(why) + "; " +
                             std::to_string(static_cast<int>(s)));
}

void refuse(worker& w, const request& req, response& res, http::status s, std::string_view why) {
  log_refusal(w, req.remote_address, req.method, req.target, why, s);
  res.error(s);
}

// RFC 9110 §9.3.6: a CONNECT to a listed port, answered 200 once the destination has accepted
// the connection, 502 when it refuses (or its name does not resolve), 504 when it does not
// accept within connect_timeout. A port not listed is 403 (as Squid answers outside its
// SSL_ports): the request is understood and refused by policy, which authenticating again
// would not change.
void open_tunnel(worker& w, const std::shared_ptr<const forward_proxy_options>& o,
                 const request& req, response& res) {
  const std::optional<http::host_port> to = http::parse_host_port(req.target);
  if (!to)
    return refuse(w, req, res, http::status::bad_request,
                  "the target is not host:port with a port from 1 to 65535");
  if (!http::is_port_listed(o->connect_ports, to->port))
    return refuse(w, req, res, http::status::forbidden,
                  "port " + std::to_string(to->port) + " is not in connect_ports");
  deferred_response d = res.defer();
  auto fail = [&w, peer = std::string(req.remote_address), target = std::string(req.target)](
                  deferred_response& answer, http::status s, std::string_view why) {
    log_refusal(w, peer, "CONNECT", target, why, s);
    answer.res().error(s);
    answer.send();
  };
  resolve_then(d, std::string(to->host), to->port,
               [&w, o, d, fail](const destination* dest, std::string_view why) mutable {
                 if (dest == nullptr)
                   return fail(d, http::status::bad_gateway,
                               "the name does not resolve: " + std::string(why));
                 if (refuses_address(*o, *dest))
                   return fail(d, http::status::forbidden, local_refusal);
                 using outcome = destination_connect::outcome;
                 auto c = std::make_shared<destination_connect>(
                     w.loop(), o->connect_timeout,
                     [o, d, fail](outcome got, int fd, std::string_view reason) mutable {
                       if (!d.is_open()) {
                         if (fd >= 0) ::close(fd);
                         return;
                       }
                       switch (got) {
                         case outcome::connected:
                           d.res().set_status(http::status::ok);
                           response_access::set_tunnel(d.res(), std::make_shared<tunnel_handoff>(
                                                                    fd, o->tunnel_idle_timeout));
                           return d.send();
                         case outcome::refused:
                           return fail(d, http::status::bad_gateway,
                                       "the destination refused: " + std::string(reason));
                         case outcome::timed_out:
                           return fail(d, http::status::gateway_timeout,
                                       "the destination did not accept within connect_timeout");
                       }
                     });
                 c->start(dest->addr, dest->len);
               });
}

// Fields the request to the origin does not carry: the credentials and connection of the hop
// to this proxy (RFC 9110 §11.7.2, §7.6.1), and Host, made anew from the target (RFC 9112
// §3.2.2: a proxy sends the authority of the target as Host, not the Host it received).
bool is_proxy_only(std::string_view name) {
  for (std::string_view n : {"Host", "Proxy-Authorization", "Proxy-Connection"})
    if (base::ascii::iequals(name, n)) return true;
  return false;
}

// An absolute-form request for another authority, sent to it in origin-form through an
// upstream_exchange of its own (the 502/504 of a proxy route).
void forward_request(worker& w, const std::shared_ptr<const forward_proxy_options>& o,
                     const request& req, response& res) {
  const std::optional<http::http_target> t = http::parse_http_target(req.target);
  if (!t)
    return refuse(w, req, res, http::status::bad_request,
                  "not an http:// target (https goes through a CONNECT tunnel)");
  if (!http::is_port_listed(o->http_ports, t->to.port))
    return refuse(w, req, res, http::status::forbidden,
                  "port " + std::to_string(t->to.port) + " is not in http_ports");
  if (answer_as_final_recipient(req, res, w.options().methods)) return;
  std::string origin_form(t->rest);
  if (origin_form.empty() || origin_form.front() != '/') origin_form.insert(0, "/");
  deferred_response d = res.defer();
  // The request's views stay valid while the response is not sent, and then() only runs
  // while it is not.
  resolve_then(
      d, std::string(t->to.host), t->to.port,
      [&w, o, d, &req, origin_form = std::move(origin_form), authority = std::string(t->authority)](
          const destination* dest, std::string_view why) mutable {
        if (dest == nullptr) {
          log_refusal(w, req.remote_address, req.method, req.target,
                      "the name does not resolve: " + std::string(why), http::status::bad_gateway);
          d.res().error(http::status::bad_gateway);
          return d.send();
        }
        if (refuses_address(*o, *dest)) {
          log_refusal(w, req.remote_address, req.method, req.target, local_refusal,
                      http::status::forbidden);
          d.res().error(http::status::forbidden);
          return d.send();
        }
        auto state = std::make_shared<proxy_state>();
        upstream_address a;
        a.addr = dest->addr;
        a.len = dest->len;
        a.name = authority;
        state->upstreams.push_back(std::move(a));
        state->options.connect_timeout = o->connect_timeout;
        state->options.response_timeout = o->response_timeout;
        // The state lives for this request alone: no pool of idle connections.
        state->options.keepalive = 0;
        state->count_upstreams();
        std::vector<header_field> fields;
        fields.reserve(req.headers.size() + 1);
        fields.push_back({"Host", authority});
        for (const header_field& f : req.headers)
          if (!is_proxy_only(f.name)) fields.push_back(f);
        request sent = req;
        sent.target = origin_form;
        sent.headers = fields;
        auto up = std::make_shared<upstream_exchange>(w, state, d);
        up->start(sent);  // copies what it sends
      });
}

}  // namespace

handler make_forward_proxy(std::shared_ptr<const forward_proxy_options> options) {
  return [options = std::move(options)](const request& req, response& res) {
    worker* w = worker::on_this_thread();
    if (w == nullptr) {  // not on a server's loop (a handler called directly, as in a test)
      res.error(http::status::internal_server_error);
      return;
    }
    if (req.method == "CONNECT") return open_tunnel(*w, options, req, res);
    forward_request(*w, options, req, res);
  };
}

}  // namespace teapot::srv
