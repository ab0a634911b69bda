#include "handlers/basic_auth/htpasswd.h"

#include <crypt.h>
#include <gtest/gtest.h>

#include <string>

#include "handlers/basic_auth/verified_cache.h"

namespace teapot::handlers::basic_auth {
namespace {

// A hash made now, so that no password or hash of one sits in the repository.
std::string hash_of(const char* password, const char* prefix, unsigned long cost) {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  EXPECT_NE(crypt_gensalt_rn(prefix, cost, nullptr, 0, setting, sizeof setting), nullptr);
  crypt_data data{};
  const char* out = crypt_rn(password, setting, &data, sizeof data);
  EXPECT_NE(out, nullptr);
  return out ? out : "";
}

TEST(htpasswd, reads_users_and_skips_comments_blank_lines_and_carriage_returns) {
  htpasswd_file f = parse_htpasswd(
      "# admins\n"
      "alice:$2y$05$not-a-real-hash\r\n"
      "\n"
      "bob:$6$salt$hash\n"
      "zo\xc3\xab:$y$j9T$salt$hash");
  EXPECT_TRUE(f.errors.empty());
  ASSERT_EQ(f.users.size(), 3u);
  EXPECT_EQ(f.users.at("alice"), "$2y$05$not-a-real-hash");
  EXPECT_EQ(f.users.at("bob"), "$6$salt$hash");
  EXPECT_EQ(f.users.at("zo\xc3\xab"), "$y$j9T$salt$hash");
}

TEST(htpasswd, reports_each_bad_line_with_its_number) {
  htpasswd_file f = parse_htpasswd(
      "no colon here\n"
      ":$6$salt$hash\n"
      "md5:$apr1$salt$hash\n"
      "sha1:{SHA}abc=\n"
      "plain:secret\n"
      "empty:\n"
      "bob:$5$salt$hash\n"
      "bob:$5$salt$other\n");
  ASSERT_EQ(f.errors.size(), 7u);
  for (std::size_t i = 0; i < 6; ++i)
    EXPECT_EQ(f.errors[i].line, i + 1);
  EXPECT_EQ(f.errors[6].line, 8u);
  EXPECT_EQ(f.users.size(), 1u);
  EXPECT_EQ(f.users.at("bob"), "$5$salt$hash");  // the first line of a user stands
}

TEST(htpasswd, accepts_bcrypt_sha_crypt_and_yescrypt_only) {
  for (const char* h : {"$2y$05$x", "$2b$05$x", "$2a$05$x", "$5$x", "$6$x", "$y$x"})
    EXPECT_TRUE(is_supported_hash(h)) << h;
  for (const char* h : {"", "$2y$", "$1$x", "$apr1$x", "{SHA}x", "x", "$7$x"})
    EXPECT_FALSE(is_supported_hash(h)) << h;
}

TEST(verify_password, accepts_the_right_password_for_each_hash_kind) {
  for (auto [prefix, cost] :
       {std::pair{"$2b$", 4ul}, {"$6$", 1000ul}, {"$5$", 1000ul}, {"$y$", 0ul}}) {
    const std::string hash = hash_of("c0rrect horse", prefix, cost);
    EXPECT_TRUE(verify_password("c0rrect horse", hash)) << prefix;
    EXPECT_FALSE(verify_password("c0rrect hors", hash)) << prefix;
    EXPECT_FALSE(verify_password("", hash)) << prefix;
  }
}

TEST(verify_password, is_false_for_a_hash_libcrypt_refuses_or_a_password_with_nul) {
  EXPECT_FALSE(verify_password("x", "$2y$99$not-a-real-hash"));
  EXPECT_FALSE(verify_password("x", "$6$"));
  const std::string hash = hash_of("a", "$6$", 1000);
  EXPECT_FALSE(verify_password(std::string("a\0b", 3), hash));
}

TEST(constant_time_equal, compares_whole_strings) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
  EXPECT_FALSE(constant_time_equal("xbc", "abc"));
}

// The reference vectors of the SipHash paper: key 00..0f, message 00..(n-1).
TEST(siphash24, matches_the_reference_vectors) {
  const std::uint64_t k0 = 0x0706050403020100ULL, k1 = 0x0f0e0d0c0b0a0908ULL;
  EXPECT_EQ(siphash24(k0, k1, ""), 0x726fdb47dd0e0e31ULL);
  std::string msg;
  for (char c = 0; c < 15; ++c)
    msg.push_back(c);
  EXPECT_EQ(siphash24(k0, k1, msg), 0xa129ca6149be45e5ULL);
}

TEST(verified_cache, remembers_only_the_exact_credentials_for_its_ttl) {
  using namespace std::chrono_literals;
  verified_cache cache(1000ms, 4);
  const auto t = std::chrono::steady_clock::now();
  cache.remember("alice:pw", "alice", t);
  EXPECT_EQ(cache.find("alice:pw", t + 999ms), "alice");
  EXPECT_EQ(cache.find("alice:pX", t), std::nullopt);
  EXPECT_EQ(cache.find("alice:pw", t + 1000ms), std::nullopt);
  verified_cache other(1000ms, 4);  // another step on the same thread sees none of it
  EXPECT_EQ(other.find("alice:pw", t), std::nullopt);
}

TEST(verified_cache, keeps_at_most_its_capacity_dropping_the_soonest_to_expire) {
  using namespace std::chrono_literals;
  verified_cache cache(10s, 2);
  const auto t = std::chrono::steady_clock::now();
  cache.remember("a:1", "a", t);
  cache.remember("b:1", "b", t + 1s);
  cache.remember("c:1", "c", t + 2s);
  EXPECT_EQ(cache.find("a:1", t + 2s), std::nullopt);
  EXPECT_EQ(cache.find("b:1", t + 2s), "b");
  EXPECT_EQ(cache.find("c:1", t + 2s), "c");
  verified_cache off(0ms, 8);
  off.remember("a:1", "a", t);
  EXPECT_EQ(off.find("a:1", t), std::nullopt);
}

}  // namespace
}  // namespace teapot::handlers::basic_auth
