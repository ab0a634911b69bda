#include "handlers/basic_auth/verified_cache.h"

#include <algorithm>
#include <atomic>
#include <random>
#include <vector>

namespace teapot::handlers::basic_auth {

namespace {

std::uint64_t rotl(std::uint64_t x, int b) noexcept {
  return (x << b) | (x >> (64 - b));
}

struct sip_state {
  std::uint64_t v0, v1, v2, v3;
  void round() noexcept {
    v0 += v1;
    v1 = rotl(v1, 13) ^ v0;
    v0 = rotl(v0, 32);
    v2 += v3;
    v3 = rotl(v3, 16) ^ v2;
    v0 += v3;
    v3 = rotl(v3, 21) ^ v0;
    v2 += v1;
    v1 = rotl(v1, 17) ^ v2;
    v2 = rotl(v2, 32);
  }
  void absorb(std::uint64_t m) noexcept {
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
};

std::uint64_t load_le(const char* p, std::size_t n) noexcept {
  std::uint64_t m = 0;
  for (std::size_t i = 0; i < n; ++i)
    m |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return m;
}

struct entry {
  std::uint64_t owner;
  std::array<std::uint64_t, 2> tag;
  std::chrono::steady_clock::time_point expires;
  std::string user;
};

// One list per thread, shared by every step on it; entries of other owners never match.
thread_local std::vector<entry> entries;

std::atomic<std::uint64_t> next_owner{1};

}  // namespace

std::uint64_t siphash24(std::uint64_t k0, std::uint64_t k1, std::string_view data) noexcept {
  sip_state s{k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL, k0 ^ 0x6c7967656e657261ULL,
              k1 ^ 0x7465646279746573ULL};
  const std::size_t whole = data.size() & ~std::size_t{7};
  for (std::size_t i = 0; i < whole; i += 8)
    s.absorb(load_le(data.data() + i, 8));
  s.absorb(load_le(data.data() + whole, data.size() - whole) |
           (static_cast<std::uint64_t>(data.size()) << 56));
  s.v2 ^= 0xff;
  for (int i = 0; i < 4; ++i)
    s.round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

verified_cache::verified_cache(std::chrono::milliseconds ttl, std::size_t capacity)
    : owner_(next_owner.fetch_add(1)), ttl_(ttl), capacity_(capacity) {
  std::random_device rd;
  for (auto& k : keys_)
    k = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
}

std::array<std::uint64_t, 2> verified_cache::tag_of(std::string_view data) const noexcept {
  return {siphash24(keys_[0], keys_[1], data), siphash24(keys_[2], keys_[3], data)};
}

std::optional<std::string> verified_cache::find(std::string_view user_colon_password,
                                                std::chrono::steady_clock::time_point now) const {
  if (ttl_.count() <= 0 || capacity_ == 0) return std::nullopt;
  const auto tag = tag_of(user_colon_password);
  for (const entry& e : entries)
    if (e.owner == owner_ && e.tag == tag && e.expires > now) return e.user;
  return std::nullopt;
}

void verified_cache::remember(std::string_view user_colon_password, std::string_view user,
                              std::chrono::steady_clock::time_point now) const {
  if (ttl_.count() <= 0 || capacity_ == 0) return;
  std::erase_if(entries, [now](const entry& e) { return e.expires <= now; });
  const std::size_t mine = static_cast<std::size_t>(std::count_if(
      entries.begin(), entries.end(), [this](const entry& e) { return e.owner == owner_; }));
  if (mine >= capacity_) {
    auto first =
        std::min_element(entries.begin(), entries.end(), [this](const entry& a, const entry& b) {
          // This owner's entries first, then the one expiring soonest.
          return std::pair(a.owner != owner_, a.expires) < std::pair(b.owner != owner_, b.expires);
        });
    entries.erase(first);
  }
  entries.push_back({owner_, tag_of(user_colon_password), now + ttl_, std::string(user)});
}

}  // namespace teapot::handlers::basic_auth
