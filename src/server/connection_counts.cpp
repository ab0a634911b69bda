#include "server/connection_counts.h"

#include <netinet/in.h>

#include <cstring>
#include <string_view>

namespace teapot::srv {

address_key address_key::of(const sockaddr_storage& address) noexcept {
  address_key k;
  if (address.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(address);
    std::memcpy(k.bytes.data(), &in.sin_addr, sizeof in.sin_addr);
    k.family = AF_INET;
  } else if (address.ss_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(address);
    std::memcpy(k.bytes.data(), &in6.sin6_addr, sizeof in6.sin6_addr);
    k.family = AF_INET6;
  }
  return k;
}

std::size_t address_counts::hash::operator()(const address_key& k) const noexcept {
  const std::string_view bytes(reinterpret_cast<const char*>(k.bytes.data()), k.bytes.size());
  return std::hash<std::string_view>{}(bytes) ^ k.family;
}

address_counts::shard& address_counts::shard_of(const address_key& key) noexcept {
  return shards_[hash{}(key) % shard_count];
}

bool address_counts::try_add(const address_key& key, std::size_t cap) {
  if (!key.is_ip() || cap == 0) return true;
  shard& s = shard_of(key);
  std::lock_guard lock(s.mu);
  std::size_t& n = s.open[key];
  if (n >= cap) return false;  // the entry existed, so that it stays with its count
  ++n;
  return true;
}

void address_counts::remove(const address_key& key) noexcept {
  if (!key.is_ip()) return;
  shard& s = shard_of(key);
  std::lock_guard lock(s.mu);
  auto it = s.open.find(key);
  if (it == s.open.end()) return;
  if (--it->second == 0) s.open.erase(it);
}

std::size_t address_counts::count(const address_key& key) {
  shard& s = shard_of(key);
  std::lock_guard lock(s.mu);
  auto it = s.open.find(key);
  return it == s.open.end() ? 0 : it->second;
}

}  // namespace teapot::srv
