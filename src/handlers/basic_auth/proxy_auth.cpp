// The authentication step of a forward proxy (RFC 9110 §11.7.1, §11.7.2; RFC 7617): the
// credentials of Proxy-Authorization, checked as the site's Basic auth checks Authorization.
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <utility>

#include "handlers/basic_auth/credentials.h"
#include "handlers/basic_auth/htpasswd.h"
#include "handlers/basic_auth/step_parts.h"
#include "handlers/basic_auth/verified_cache.h"
#include "teapot/handlers/basic_auth.h"

namespace teapot::handlers::basic_auth {

namespace {

class proxy_step final : public policy {
 public:
  std::string_view name() const noexcept override { return "proxy_auth"; }
  explicit proxy_step(proxy_auth_options o)
      : users_(load_users(o.htpasswd)),
        challenge_(make_challenge(o.realm)),
        cache_(o.cache_ttl, o.cache_entries),
        log_(std::move(o.log)) {
    if (o.htpasswd.empty()) throw std::invalid_argument("proxy authentication needs htpasswd");
    // An unknown user is still run through a real hash, so that timing does not tell which
    // user names exist.
    if (!users_.empty()) decoy_hash_ = users_.begin()->second;
    if (!log_)
      log_ = [](std::string_view line) {
        // Nobody to tell if standard error cannot take the line.
        (void)std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
      };
  }

  verdict on_request(const request& req, response& res) override {
    credentials c = parse_basic_credentials(req.header("Proxy-Authorization"));
    if (c.error != credentials_error::none) {
      if (c.error != credentials_error::missing)
        log_failure(req.remote_address, req.target, c.user, describe(c.error));
      return challenge(res);
    }
    std::string text = c.user + ":" + c.password;
    if (cache_.find(text, std::chrono::steady_clock::now())) return verdict::next;
    return verify_off_loop(req, res, std::move(c), std::move(text));
  }

 private:
  // Copied: the request's views are not for another thread.
  struct check {
    std::string user, password, user_colon_password, hash, peer, target;
    bool known = false;
    bool ok = false;
  };

  // RFC 9110 §15.5.8: a 407 carries a Proxy-Authenticate challenge for this proxy.
  verdict challenge(response& res) const {
    res.error(http::status::proxy_authentication_required);
    res.set_header("Proxy-Authenticate", challenge_);
    return verdict::answered;
  }

  // The slow hash runs on the pool; the step decides when it is done.
  verdict verify_off_loop(const request& req, response& res, credentials c,
                          std::string user_colon_password) {
    auto job = std::make_shared<check>();
    auto it = users_.find(c.user);
    job->known = it != users_.end();
    job->hash = job->known ? it->second : decoy_hash_;
    job->user = std::move(c.user);
    job->password = std::move(c.password);
    job->user_colon_password = std::move(user_colon_password);
    job->peer = req.remote_address;
    job->target = req.target;
    pending_verdict wait(res);
    wait.run_blocking(
        [job] {
          const bool match = !job->hash.empty() && verify_password(job->password, job->hash);
          job->ok = match && job->known;
        },
        // The step outlives the wait: the sites the exchange began with stay alive with it.
        [this, wait, job]() mutable {
          if (!wait.is_open()) return;
          if (!job->ok) {
            log_failure(job->peer, job->target, job->user,
                        job->known ? "wrong password" : "unknown user");
            challenge(wait.res());
            return wait.answer();
          }
          cache_.remember(job->user_colon_password, job->user, std::chrono::steady_clock::now());
          wait.next();
        });
    return verdict::pending;
  }

  void log_failure(std::string_view peer, std::string_view target, std::string_view user,
                   std::string_view why) const {
    log_("teapot: proxy auth refused user \"" + escape_for_log(user) + "\" from " +
         escape_for_log(peer) + " for " + escape_for_log(target) + ": " + std::string(why));
  }

  std::map<std::string, std::string, std::less<>> users_;
  std::string challenge_;
  verified_cache cache_;
  std::function<void(std::string_view)> log_;
  std::string decoy_hash_;
};

}  // namespace

}  // namespace teapot::handlers::basic_auth

namespace teapot::handlers {

std::shared_ptr<teapot::policy> make_proxy_auth(proxy_auth_options options) {
  return std::make_shared<basic_auth::proxy_step>(std::move(options));
}

}  // namespace teapot::handlers
