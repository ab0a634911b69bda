#include "teapot/handlers/basic_auth.h"

#include <crypt.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "handlers/basic_auth/credentials.h"
#include "handlers/common/network.h"
#include "server/response_access.h"

namespace teapot::handlers {
namespace {

namespace fs = std::filesystem;
using basic_auth::credentials_error;
using basic_auth::parse_basic_credentials;

// ---- credentials (RFC 7617 §2) ----

TEST(basic_credentials, splits_user_and_password_at_the_first_colon) {
  // "Aladdin:open sesame", the example of RFC 7617 §2.
  auto c = parse_basic_credentials("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  EXPECT_EQ(c.error, credentials_error::none);
  EXPECT_EQ(c.user, "Aladdin");
  EXPECT_EQ(c.password, "open sesame");
  c = parse_basic_credentials("basic dTpwOnE6");  // "u:p:q:"
  EXPECT_EQ(c.user, "u");
  EXPECT_EQ(c.password, "p:q:");
  c = parse_basic_credentials("BASIC  Og==");  // ":" with two spaces before it
  EXPECT_EQ(c.error, credentials_error::none);
  EXPECT_EQ(c.user, "");
  EXPECT_EQ(c.password, "");
}

TEST(basic_credentials, keeps_utf8_user_names_as_sent) {
  // "zoë:pässword" in UTF-8, as a client honouring charset="UTF-8" sends it (RFC 7617 §2.1).
  auto c = parse_basic_credentials("Basic em/Dqzpww6Rzc3dvcmQ=");
  ASSERT_EQ(c.error, credentials_error::none);
  EXPECT_EQ(c.user, "zo\xc3\xab");
  EXPECT_EQ(c.password, "p\xc3\xa4ssword");
}

TEST(basic_credentials, accepts_base64_with_or_without_padding) {
  EXPECT_EQ(parse_basic_credentials("Basic YTpi").password, "b");     // "a:b"
  EXPECT_EQ(parse_basic_credentials("Basic YTpiYw").password, "bc");  // "a:bc", unpadded
  EXPECT_EQ(parse_basic_credentials("Basic YTpiYw==").password, "bc");
}

TEST(basic_credentials, tells_what_is_wrong_with_malformed_fields) {
  struct {
    std::optional<std::string_view> field;
    credentials_error want;
  } cases[] = {
      {std::nullopt, credentials_error::missing},
      {"Bearer abc", credentials_error::other_scheme},
      {"Basi YTpi", credentials_error::other_scheme},
      {"BasicYTpi", credentials_error::other_scheme},
      {"", credentials_error::other_scheme},
      {"Basic", credentials_error::bad_base64},
      {"Basic ", credentials_error::bad_base64},
      {"Basic !!!notbase64", credentials_error::bad_base64},
      {"Basic YT=pi", credentials_error::bad_base64},            // padding inside
      {"Basic YTpiY", credentials_error::bad_base64},            // a lone sixth of a byte
      {"Basic YTpi YTpi", credentials_error::bad_base64},        // two tokens
      {"Basic YWJj", credentials_error::no_colon},               // "abc"
      {"Basic YTpiAGM=", credentials_error::control_character},  // "a:b\0c"
      {"Basic YQo6Yg==", credentials_error::control_character},  // "a\n:b"
  };
  for (const auto& c : cases)
    EXPECT_EQ(parse_basic_credentials(c.field).error, c.want) << c.field.value_or("(none)");
}

// ---- networks ----

TEST(ip_network, parses_ipv4_ipv6_and_single_addresses) {
  auto v4 = parse_ip_network("10.0.0.0/8");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->prefix_length, 104);
  EXPECT_EQ(v4->address[10], 0xff);
  EXPECT_EQ(v4->address[12], 10);
  auto one = parse_ip_network("192.0.2.7");
  ASSERT_TRUE(one);
  EXPECT_EQ(one->prefix_length, 128);
  auto v6 = parse_ip_network("2001:db8::/32");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->prefix_length, 32);
  for (const char* bad : {"", "10.0.0.0/33", "10.1.0.0/8", "2001:db8::1/32", "10.0.0/8",
                          "10.0.0.0/", "10.0.0.0/-1", "fe80::1%eth0", "::/129", "example.com"})
    EXPECT_FALSE(parse_ip_network(bad)) << bad;
}

// Moved from the configuration's tests when its own network type went: the networks an
// allow/deny list names contain the addresses of their network only.
TEST(ip_network, contains_addresses_of_its_network_only) {
  const struct {
    const char* network;
    const char* address;  // IPv6 form; IPv4 as ::ffff:a.b.c.d
    bool inside;
  } cases[] = {
      {"10.0.0.0/8", "::ffff:10.255.0.1", true},
      {"10.0.0.0/8", "::ffff:11.0.0.1", false},
      {"192.0.2.7", "::ffff:192.0.2.7", true},
      {"192.0.2.7", "::ffff:192.0.2.8", false},
      {"172.16.0.0/12", "::ffff:172.31.1.1", true},
      {"172.16.0.0/12", "::ffff:172.32.0.1", false},
      {"0.0.0.0/0", "::ffff:203.0.113.9", true},
      {"0.0.0.0/0", "2001:db8::1", false},
      {"2001:db8::/32", "2001:db8:ffff::1", true},
      {"2001:db8::/32", "2001:db9::1", false},
      {"::1/128", "::1", true},
      {"::/0", "::ffff:10.0.0.1", true},
  };
  for (const auto& c : cases) {
    auto network = parse_ip_network(c.network);
    auto address = net::parse_ip_address(c.address);
    ASSERT_TRUE(network && address) << c.network << " " << c.address;
    EXPECT_EQ(net::contains(*network, *address), c.inside) << c.network << " " << c.address;
  }
}

TEST(ip_network, matches_peers_of_both_families_and_ipv4_mapped_ones) {
  using net::contains;
  using net::parse_peer_address;
  const ip_network ten = *parse_ip_network("10.0.0.0/8");
  const ip_network doc6 = *parse_ip_network("2001:db8::/32");
  const ip_network all = *parse_ip_network("::/0");
  EXPECT_TRUE(contains(ten, *parse_peer_address("10.255.0.1:5000")));
  EXPECT_TRUE(contains(ten, *parse_peer_address("[::ffff:10.1.2.3]:5000")));
  EXPECT_FALSE(contains(ten, *parse_peer_address("11.0.0.1:5000")));
  EXPECT_TRUE(contains(doc6, *parse_peer_address("[2001:db8:ffff::1]:1")));
  EXPECT_FALSE(contains(doc6, *parse_peer_address("[2001:db9::1]:1")));
  EXPECT_TRUE(contains(doc6, *parse_peer_address("2001:db8::1")));  // no port
  EXPECT_TRUE(contains(all, *parse_peer_address("192.0.2.1")));
  EXPECT_TRUE(contains(*parse_ip_network("192.0.2.0/25"), *parse_peer_address("192.0.2.127:1")));
  EXPECT_FALSE(contains(*parse_ip_network("192.0.2.0/25"), *parse_peer_address("192.0.2.128:1")));
  EXPECT_FALSE(parse_peer_address(""));
  EXPECT_FALSE(parse_peer_address("[::1"));
  EXPECT_FALSE(parse_peer_address("unix:socket"));
}

// ---- the step ----

std::string hash_of(const char* password, const char* prefix, unsigned long cost) {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  if (!crypt_gensalt_rn(prefix, cost, nullptr, 0, setting, sizeof setting)) return "";
  crypt_data data{};
  const char* out = crypt_rn(password, setting, &data, sizeof data);
  return out ? out : "";
}

// "user:password" as an Authorization value.
std::string basic(std::string_view user_colon_password) {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out = "Basic ";
  std::size_t i = 0;
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(user_colon_password[k]); };
  for (; i + 2 < user_colon_password.size(); i += 3) {
    unsigned v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    for (int s = 18; s >= 0; s -= 6)
      out.push_back(alphabet[(v >> s) & 63]);
  }
  std::size_t rest = user_colon_password.size() - i;
  if (rest > 0) {
    unsigned v = byte(i) << 16 | (rest == 2 ? byte(i + 1) << 8 : 0);
    out.push_back(alphabet[v >> 18 & 63]);
    out.push_back(alphabet[v >> 12 & 63]);
    out.push_back(rest == 2 ? alphabet[v >> 6 & 63] : '=');
    out.push_back('=');
  }
  return out;
}

// The server's side of a step's wait, in memory: what the step hands to the pool and the loop is
// queued and run after on_request has returned, as the server would.
class queued_wait final : public srv::deferral_link {
 public:
  void send() override { decide(policy::verdict::answered); }
  void pass() override { decide(policy::verdict::next); }
  void post(std::function<void()> fn) override { queue_.push_back(std::move(fn)); }
  void run_after(std::chrono::milliseconds, std::function<void()> fn) override {
    queue_.push_back(std::move(fn));
  }
  void run_blocking(std::function<void()> work, std::function<void()> then) override {
    queue_.push_back([work = std::move(work), then = std::move(then)] {
      work();
      if (then) then();
    });
  }
  bool is_open() const noexcept override { return !decided_; }

  // Runs what was queued; the decision, if one was made.
  std::optional<policy::verdict> settle() {
    while (!queue_.empty()) {
      std::function<void()> fn = std::move(queue_.front());
      queue_.erase(queue_.begin());
      fn();
    }
    return decided_;
  }

 private:
  void decide(policy::verdict v) {
    if (!decided_) decided_ = v;
  }
  std::vector<std::function<void()>> queue_;
  std::optional<policy::verdict> decided_;
};

class queued_channel final : public srv::exchange_channel {
 public:
  bool send_interim(http::status,
                    std::span<const std::pair<std::string_view, std::string_view>>) override {
    return false;
  }
  deferred_response make_deferred(response& res) override {
    // The response lives on the caller's stack, longer than any handle the test keeps.
    return srv::response_access::make_deferred(
        std::shared_ptr<response>(std::shared_ptr<response>(), &res), wait);
  }
  std::shared_ptr<queued_wait> wait = std::make_shared<queued_wait>();
};

class basic_auth_step : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("teapot-basic-auth-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "htpasswd") << "# made by the test\n"
                                     << "alice:" << hash_of("wonder:land", "$2b$", 4) << "\n"
                                     << "bob:" << hash_of("builder", "$6$", 1000) << "\n"
                                     << "zo\xc3\xab:" << hash_of("caf\xc3\xa9", "$5$", 1000) << "\n"
                                     << "carol:" << hash_of("x", "$y$", 0) << "\n";
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }

  basic_auth_options options() {
    basic_auth_options o;
    o.htpasswd = dir_ / "htpasswd";
    o.realm = "staff";
    o.groups["builders"] = {"bob"};
    o.paths.push_back(
        {.prefix = "/private/", .users = {"*"}, .groups = {}, .allow = {}, .deny = {}});
    o.paths.push_back({.prefix = "/private/alice/",
                       .users = {"alice"},
                       .groups = {"builders"},
                       .allow = {},
                       .deny = {}});
    o.paths.push_back({.prefix = "/office/",
                       .users = {},
                       .groups = {},
                       .allow = {*parse_ip_network("10.0.0.0/8")},
                       .deny = {}});
    o.log = [this](std::string_view line) { log_.emplace_back(line); };
    return o;
  }

  http::status send(policy& step, std::string_view path,
                    std::optional<std::string> authorization = std::nullopt,
                    std::string_view peer = "192.0.2.1:40000") {
    std::vector<header_field> fields;
    if (authorization) fields.push_back({"Authorization", *authorization});
    request req;
    req.method = "GET";
    req.path = req.target = path;
    req.remote_address = peer;
    req.headers = fields;
    queued_channel channel;
    response res;
    srv::response_access::reset(res, &channel);
    policy::verdict v = step.on_request(req, res);
    said_ = v;
    if (v == policy::verdict::pending) {
      const std::optional<policy::verdict> decided = channel.wait->settle();
      EXPECT_TRUE(decided) << "a pending step must decide once its work has run";
      v = decided.value_or(policy::verdict::pending);
    }
    challenge_ = res.header("WWW-Authenticate").value_or("(none)");
    EXPECT_EQ(v == policy::verdict::next, res.status() == http::status::ok);
    return res.status();
  }

  static inline fs::path dir_;
  std::vector<std::string> log_;
  std::string challenge_;
  policy::verdict said_ = policy::verdict::next;  // what on_request itself returned
};

TEST_F(basic_auth_step, lets_paths_without_a_rule_through_without_credentials) {
  auto step = make_basic_auth(options());
  EXPECT_EQ(send(*step, "/public/index.html"), http::status::ok);
  EXPECT_EQ(challenge_, "(none)");
}

TEST_F(basic_auth_step, answers_401_with_the_challenge_when_credentials_are_missing) {
  auto step = make_basic_auth(options());
  EXPECT_EQ(send(*step, "/private/a"), http::status::unauthorized);
  EXPECT_EQ(challenge_, "Basic realm=\"staff\", charset=\"UTF-8\"");
  EXPECT_TRUE(log_.empty());  // a first request without credentials is no failed attempt
}

TEST_F(basic_auth_step, answers_401_never_500_for_malformed_credentials) {
  auto step = make_basic_auth(options());
  for (const std::string& bad :
       std::vector<std::string>{"Basic !!!notbase64", "Bearer abc", "Basic", "Basic YWJj",
                                "Basic " + std::string(5000, 'A'), std::string("Basic \xff\xfe"),
                                basic("alice:a\x01")}) {
    EXPECT_EQ(send(*step, "/private/a", bad), http::status::unauthorized) << bad;
    EXPECT_EQ(challenge_, "Basic realm=\"staff\", charset=\"UTF-8\"");
  }
}

TEST_F(basic_auth_step, answers_401_for_a_wrong_password_or_an_unknown_user) {
  auto step = make_basic_auth(options());
  EXPECT_EQ(send(*step, "/private/a", basic("alice:wonder")), http::status::unauthorized);
  EXPECT_EQ(send(*step, "/private/a", basic("mallory:wonder:land")), http::status::unauthorized);
  EXPECT_EQ(challenge_, "Basic realm=\"staff\", charset=\"UTF-8\"");
}

TEST_F(basic_auth_step, lets_valid_users_through_whatever_their_hash_kind) {
  auto step = make_basic_auth(options());
  EXPECT_EQ(send(*step, "/private/a", basic("alice:wonder:land")), http::status::ok);  // bcrypt
  EXPECT_EQ(send(*step, "/private/a", basic("bob:builder")), http::status::ok);        // SHA-512
  EXPECT_EQ(send(*step, "/private/a", basic("zo\xc3\xab:caf\xc3\xa9")), http::status::ok);
  EXPECT_EQ(send(*step, "/private/a", basic("carol:x")), http::status::ok);  // yescrypt
}

TEST_F(basic_auth_step, answers_403_to_a_valid_user_the_rule_does_not_name) {
  auto step = make_basic_auth(options());
  EXPECT_EQ(send(*step, "/private/alice/x", basic("carol:x")), http::status::forbidden);
  EXPECT_EQ(send(*step, "/private/alice/x", basic("alice:wonder:land")), http::status::ok);
  EXPECT_EQ(send(*step, "/private/alice/x", basic("bob:builder")), http::status::ok);  // group
  EXPECT_EQ(send(*step, "/private/alice/x", basic("bob:wrong")), http::status::unauthorized);
}

TEST_F(basic_auth_step, a_cached_success_does_not_admit_another_password) {
  auto step = make_basic_auth(options());
  EXPECT_EQ(send(*step, "/private/a", basic("alice:wonder:land")), http::status::ok);
  EXPECT_EQ(send(*step, "/private/a", basic("alice:wonder:land")), http::status::ok);
  EXPECT_EQ(send(*step, "/private/a", basic("alice:wonder:lane")), http::status::unauthorized);
  EXPECT_EQ(send(*step, "/private/a", basic("alice:")), http::status::unauthorized);
}

TEST_F(basic_auth_step, hashes_a_cache_miss_off_the_loop_and_answers_a_hit_at_once) {
  auto step = make_basic_auth(options());
  EXPECT_EQ(send(*step, "/private/a", basic("alice:wonder:land")), http::status::ok);
  EXPECT_EQ(said_, policy::verdict::pending);
  EXPECT_EQ(send(*step, "/private/a", basic("alice:wonder:land")), http::status::ok);
  EXPECT_EQ(said_, policy::verdict::next);
  // A refusal is never cached: every wrong password is hashed again, off the loop.
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(send(*step, "/private/a", basic("alice:wonder")), http::status::unauthorized);
    EXPECT_EQ(said_, policy::verdict::pending);
    EXPECT_EQ(challenge_, "Basic realm=\"staff\", charset=\"UTF-8\"");
  }
  // Decided without a hash: no credentials, or a cached user the rule does not name.
  EXPECT_EQ(send(*step, "/private/a"), http::status::unauthorized);
  EXPECT_EQ(said_, policy::verdict::answered);
  EXPECT_EQ(send(*step, "/private/alice/x", basic("carol:x")), http::status::forbidden);
  EXPECT_EQ(said_, policy::verdict::pending);
  EXPECT_EQ(send(*step, "/private/alice/x", basic("carol:x")), http::status::forbidden);
  EXPECT_EQ(said_, policy::verdict::answered);
}

TEST_F(basic_auth_step, answers_403_to_denied_networks_even_with_valid_credentials) {
  basic_auth_options o = options();
  o.deny = {*parse_ip_network("198.51.100.0/24"), *parse_ip_network("2001:db8:bad::/48")};
  auto step = make_basic_auth(std::move(o));
  EXPECT_EQ(send(*step, "/private/a", basic("alice:wonder:land"), "198.51.100.9:1"),
            http::status::forbidden);
  EXPECT_EQ(send(*step, "/public", std::nullopt, "[::ffff:198.51.100.9]:1"),
            http::status::forbidden);
  EXPECT_EQ(send(*step, "/public", std::nullopt, "[2001:db8:bad::1]:1"), http::status::forbidden);
  EXPECT_EQ(send(*step, "/public", std::nullopt, "[2001:db8:600d::1]:1"), http::status::ok);
}

TEST_F(basic_auth_step, answers_403_outside_a_non_empty_allow_list) {
  basic_auth_options o = options();
  o.allow = {*parse_ip_network("192.0.2.0/24"), *parse_ip_network("10.0.0.0/8")};
  auto step = make_basic_auth(std::move(o));
  EXPECT_EQ(send(*step, "/public", std::nullopt, "192.0.2.200:1"), http::status::ok);
  EXPECT_EQ(send(*step, "/public", std::nullopt, "203.0.113.1:1"), http::status::forbidden);
  // Per path: /office/ only from 10/8, whatever the site allows.
  EXPECT_EQ(send(*step, "/office/x", std::nullopt, "192.0.2.200:1"), http::status::forbidden);
  EXPECT_EQ(send(*step, "/office/x", std::nullopt, "10.9.8.7:1"), http::status::ok);
  // A peer address that cannot be read fails the list.
  EXPECT_EQ(send(*step, "/public", std::nullopt, ""), http::status::forbidden);
}

TEST_F(basic_auth_step, logs_failures_with_the_user_escaped_and_never_the_password) {
  auto step = make_basic_auth(options());
  send(*step, "/private/a", basic("alice:s3cr3t-guess"));
  send(*step, "/private/a", basic("ev\"il\n\xc3\xa9:hunter2"));
  send(*step, "/private/alice/", basic("carol:x"));
  ASSERT_EQ(log_.size(), 3u);
  for (const auto& line : log_) {
    EXPECT_EQ(line.find("s3cr3t"), std::string::npos) << line;
    EXPECT_EQ(line.find("hunter2"), std::string::npos) << line;
    EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  }
  EXPECT_NE(log_[0].find("\"alice\""), std::string::npos) << log_[0];
  EXPECT_NE(log_[0].find("wrong password"), std::string::npos) << log_[0];
  // The control character makes these credentials malformed; the user is still named, escaped.
  EXPECT_NE(log_[1].find("ev\\x22il\\x0a\\xc3\\xa9"), std::string::npos) << log_[1];
  EXPECT_NE(log_[2].find("not allowed"), std::string::npos) << log_[2];
}

TEST_F(basic_auth_step, quotes_the_realm_in_the_challenge) {
  basic_auth_options o = options();
  o.realm = "a \"quoted\" \\ realm";
  auto step = make_basic_auth(std::move(o));
  send(*step, "/private/a");
  EXPECT_EQ(challenge_, "Basic realm=\"a \\\"quoted\\\" \\\\ realm\", charset=\"UTF-8\"");
}

TEST_F(basic_auth_step, refuses_to_start_from_a_bad_configuration) {
  basic_auth_options o = options();
  o.htpasswd = dir_ / "missing";
  EXPECT_THROW(make_basic_auth(std::move(o)), std::system_error);
  std::ofstream(dir_ / "bad") << "alice:$apr1$x$y\n";
  o = options();
  o.htpasswd = dir_ / "bad";
  EXPECT_THROW(make_basic_auth(std::move(o)), std::invalid_argument);
  o = options();
  o.realm = "line\nbreak";
  EXPECT_THROW(make_basic_auth(std::move(o)), std::invalid_argument);
  o = options();
  o.htpasswd.clear();
  EXPECT_THROW(make_basic_auth(std::move(o)), std::invalid_argument);
}

}  // namespace
}  // namespace teapot::handlers
