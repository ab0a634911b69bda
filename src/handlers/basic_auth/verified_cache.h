// Remembers credentials that passed verification, per worker thread, for a short time, so that
// a client sending the same Authorization field on every request pays the slow hash once.
//
// Nothing secret is stored: an entry holds a 128-bit keyed hash (SipHash-2-4 under two random
// keys drawn for each cache owner) of the decoded "user:password", the user name and an expiry.
// Bounds: at most `capacity` entries per thread (the entry expiring first makes room) and each
// lives `ttl` at most, so a password changed in the file is honoured within ttl of a reload,
// which builds a new step with new keys anyway.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace teapot::handlers::basic_auth {

// SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed hash that an attacker who does not know
// the key cannot steer into collisions.
std::uint64_t siphash24(std::uint64_t k0, std::uint64_t k1, std::string_view data) noexcept;

class verified_cache {
 public:
  // Draws fresh random keys; ttl zero or capacity zero turn the cache off.
  verified_cache(std::chrono::milliseconds ttl, std::size_t capacity);

  // The user name when these decoded credentials were verified within ttl on this thread.
  std::optional<std::string> find(std::string_view user_colon_password,
                                  std::chrono::steady_clock::time_point now) const;
  void remember(std::string_view user_colon_password, std::string_view user,
                std::chrono::steady_clock::time_point now) const;

 private:
  std::array<std::uint64_t, 2> tag_of(std::string_view data) const noexcept;

  std::array<std::uint64_t, 4> keys_{};
  std::uint64_t owner_ = 0;  // tells this cache's entries from another step's on the thread
  std::chrono::milliseconds ttl_;
  std::size_t capacity_;
};

}  // namespace teapot::handlers::basic_auth
