// The access step: networks, then credentials, then the user lists (RFC 9110 §11, RFC 7617).
#include "teapot/handlers/basic_auth.h"

#include <cstdio>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>

#include "handlers/basic_auth/credentials.h"
#include "handlers/basic_auth/htpasswd.h"
#include "handlers/basic_auth/step_parts.h"
#include "handlers/basic_auth/verified_cache.h"
#include "handlers/common/network.h"

namespace teapot::handlers::basic_auth {

namespace {

using net::any_contains;
using net::ip_address;
using net::parse_peer_address;

}  // namespace

class step final : public policy {
 public:
  std::string_view name() const noexcept override { return "basic_auth"; }
  explicit step(basic_auth_options o)
      : users_(load_users(o.htpasswd)),
        challenge_(make_challenge(o.realm)),
        allow_(std::move(o.allow)),
        deny_(std::move(o.deny)),
        rules_(std::move(o.paths)),
        cache_(o.cache_ttl, o.cache_entries),
        log_(std::move(o.log)) {
    for (auto& [group, members] : o.groups)
      groups_[group].insert(members.begin(), members.end());
    for (const access_rule& r : rules_)
      if ((!r.users.empty() || !r.groups.empty()) && o.htpasswd.empty())
        throw std::invalid_argument("the rule for " + r.prefix + " names users but no htpasswd");
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
    const access_rule* rule = rule_for(req.path);
    if (!network_allowed(req, rule)) {
      res.error(http::status::forbidden);
      return verdict::answered;
    }
    if (rule == nullptr || (rule->users.empty() && rule->groups.empty())) return verdict::next;
    credentials c = parse_basic_credentials(req.header("Authorization"));
    if (c.error != credentials_error::none) {
      if (c.error != credentials_error::missing)
        log_failure(req.remote_address, req.path, c.user, describe(c.error));
      return challenge(res);
    }
    std::string text = c.user + ":" + c.password;
    if (auto cached = cache_.find(text, std::chrono::steady_clock::now()))
      return authorize(req.remote_address, req.path, *rule, *cached, res);
    return verify_off_loop(req, res, *rule, std::move(c), std::move(text));
  }

 private:
  // A password to check against its hash on the blocking-work pool, and what the loop needs
  // afterwards (copied: the request's views are not for another thread).
  struct check {
    std::string user, password, user_colon_password, hash, peer, path;
    bool known = false;
    bool ok = false;
  };

  // RFC 9110 §15.5.2: a 401 carries a challenge for the target resource.
  verdict challenge(response& res) const {
    res.error(http::status::unauthorized);
    res.set_header("WWW-Authenticate", challenge_);
    return verdict::answered;
  }

  verdict authorize(std::string_view peer, std::string_view path, const access_rule& rule,
                    const std::string& user, response& res) const {
    if (is_authorized(rule, user)) return verdict::next;
    log_failure(peer, path, user, "user not allowed here");
    res.error(http::status::forbidden);  // RFC 9110 §15.5.4: authenticated, still refused
    return verdict::answered;
  }

  // A cache miss: the slow hash (bcrypt: tens to hundreds of ms) runs on the pool, and the step
  // decides when it is done. Concurrent misses for the same credentials each hash: the first
  // to finish fills the cache for the requests after them.
  verdict verify_off_loop(const request& req, response& res, const access_rule& rule, credentials c,
                          std::string user_colon_password) {
    auto job = std::make_shared<check>();
    auto it = users_.find(c.user);
    job->known = it != users_.end();
    job->hash = job->known ? it->second : decoy_hash_;
    job->user = std::move(c.user);
    job->password = std::move(c.password);
    job->user_colon_password = std::move(user_colon_password);
    job->peer = req.remote_address;
    job->path = req.path;
    pending_verdict wait(res);
    wait.run_blocking(
        [job] {
          const bool match = !job->hash.empty() && verify_password(job->password, job->hash);
          job->ok = match && job->known;
        },
        // The step outlives the wait: the sites the exchange began with stay alive with it.
        [this, wait, job, &rule]() mutable {
          if (!wait.is_open()) return;
          if (!job->ok) {
            log_failure(job->peer, job->path, job->user,
                        job->known ? "wrong password" : "unknown user");
            challenge(wait.res());
            return wait.answer();
          }
          // On the loop thread whose cache the next request of this client looks in.
          cache_.remember(job->user_colon_password, job->user, std::chrono::steady_clock::now());
          if (authorize(job->peer, job->path, rule, job->user, wait.res()) == verdict::next)
            return wait.next();
          wait.answer();
        });
    return verdict::pending;
  }

  const access_rule* rule_for(std::string_view path) const noexcept {
    const access_rule* best = nullptr;
    for (const access_rule& r : rules_)
      if (path.starts_with(r.prefix) && (!best || r.prefix.size() > best->prefix.size())) best = &r;
    return best;
  }

  // Deny lists first, then allow lists (site-wide, then the path's). A peer address that
  // cannot be read fails every list that applies, rather than slipping past a deny.
  bool network_allowed(const request& req, const access_rule* rule) const {
    const bool rule_lists = rule && (!rule->allow.empty() || !rule->deny.empty());
    if (allow_.empty() && deny_.empty() && !rule_lists) return true;
    const std::optional<ip_address> peer = parse_peer_address(req.remote_address);
    if (!peer) return false;
    if (any_contains(deny_, *peer) || (rule && any_contains(rule->deny, *peer))) return false;
    if (!allow_.empty() && !any_contains(allow_, *peer)) return false;
    if (rule && !rule->allow.empty() && !any_contains(rule->allow, *peer)) return false;
    return true;
  }

  bool is_authorized(const access_rule& rule, const std::string& user) const {
    for (const std::string& u : rule.users)
      if (u == "*" || u == user) return true;
    for (const std::string& g : rule.groups) {
      auto it = groups_.find(g);
      if (it != groups_.end() && it->second.contains(user)) return true;
    }
    return false;
  }

  void log_failure(std::string_view peer, std::string_view path, std::string_view user,
                   std::string_view why) const {
    log_("teapot: basic auth refused user \"" + escape_for_log(user) + "\" from " +
         escape_for_log(peer) + " for " + escape_for_log(path) + ": " + std::string(why));
  }

  std::map<std::string, std::string, std::less<>> users_;
  std::map<std::string, std::set<std::string>, std::less<>> groups_;
  std::string challenge_;
  std::vector<ip_network> allow_;
  std::vector<ip_network> deny_;
  std::vector<access_rule> rules_;
  verified_cache cache_;
  std::function<void(std::string_view)> log_;
  std::string decoy_hash_;
};

}  // namespace teapot::handlers::basic_auth

namespace teapot::handlers {

std::shared_ptr<teapot::policy> make_basic_auth(basic_auth_options options) {
  return std::make_shared<basic_auth::step>(std::move(options));
}

}  // namespace teapot::handlers
