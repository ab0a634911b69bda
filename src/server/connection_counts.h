// The open connections of a server, counted across its workers: in all (limits.max_connections)
// and by client address (limits.max_connections_per_address). Counted only where a cap is set,
// so that a server without caps shares no counter between its workers.
// Thread contract: any thread (each worker accepts and closes on its own); the total is an
// atomic, the addresses are spread over shards, each behind its own mutex.
#pragma once

#include <sys/socket.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>

namespace teapot::srv {

// A client's address without its port: the 4 bytes of IPv4 or the 16 of IPv6 (a whole IPv6
// address, as nginx's $binary_remote_addr: a client given a /64 can still open many).
struct address_key {
  std::array<std::uint8_t, 16> bytes{};
  std::uint8_t family = 0;  // 0: not an IP address (never capped)

  static address_key of(const sockaddr_storage& address) noexcept;
  bool is_ip() const noexcept { return family != 0; }
  bool operator==(const address_key&) const noexcept = default;
};

class address_counts {
 public:
  // One more connection from key, unless cap are open from it already. Not IP: always true.
  bool try_add(const address_key& key, std::size_t cap);
  // A connection from key has closed (one that try_add admitted).
  void remove(const address_key& key) noexcept;
  // Connections open from key now (for tests).
  std::size_t count(const address_key& key);

 private:
  struct hash {
    std::size_t operator()(const address_key& k) const noexcept;
  };
  // An address with no open connection has no entry: the table holds one node per address
  // that has a connection open, whatever the number of its connections.
  struct shard {
    std::mutex mu;
    std::unordered_map<address_key, std::size_t, hash> open;
  };
  shard& shard_of(const address_key& key) noexcept;

  static constexpr std::size_t shard_count = 16;
  std::array<shard, shard_count> shards_;
};

struct connection_counts {
  std::atomic<std::size_t> open{0};  // with limits.max_connections only
  address_counts by_address;         // with limits.max_connections_per_address only
};

}  // namespace teapot::srv
