// The server's limits, each with the status a request past it gets, and their defaults: the one
// place they are written (the HTTP/1.1 codec and the command line take theirs from here).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace teapot {

// A body limit below a path prefix, in place of limits::body: larger for uploads, say.
struct body_limit_rule {
  std::string prefix{};  // compared with the normalized path, byte for byte ("/upload/")
  std::uint64_t max = 0;
};

// Every limit has a status: see docs/status-codes.md.
struct limits {
  std::size_t request_line = 8 * 1024;     // 414 past it
  std::size_t field_line = 8 * 1024;       // 431
  std::size_t header_section = 64 * 1024;  // 431
  std::size_t fields = 100;                // 431
  std::size_t chunk_line = 4 * 1024;       // 413 (chunk size with its extensions)
  // 413: the chunk extensions of one request together (the bytes after each chunk size, up to
  // its CR). Extensions carry nothing the server uses; without a total, a client could make it
  // parse chunk_line bytes of them for every byte of content.
  std::size_t chunk_extensions = 16 * 1024;
  std::uint64_t body = 1024 * 1024;  // 413, decided from Content-Length before reading
  // The longest prefix that starts the request's path wins over body. Here rather than on a
  // site or a route: the server decides from the path alone, before any policy, route or
  // handler runs and before it sends 100 Continue, and the limit guards the server's memory
  // whichever site the request is for.
  std::vector<body_limit_rule> body_by_prefix{};
  // The limit for a normalized request path (chunked content counts its de-chunked bytes).
  std::uint64_t body_for(std::string_view path) const noexcept;
  std::chrono::milliseconds header_timeout{10'000};  // 408, then close
  std::chrono::milliseconds body_timeout{10'000};    // 408 when the body stalls this long
  // 408 when the body arrives slower than this many bytes a second, averaged from its start
  // after a grace of body_timeout: the body's deadline is its start + body_timeout + one
  // second for each body_min_rate bytes received (Apache's mod_reqtimeout MinRate). Without
  // it, a body that sends a byte just within every body_timeout holds its connection for
  // ever. 0: no minimum, only body_timeout. Time a streaming handler holds a piece is not
  // counted.
  std::size_t body_min_rate = 1024;
  std::chrono::milliseconds keep_alive_timeout{5'000};  // idle connections close silently
  std::chrono::milliseconds send_timeout{30'000};       // a client that stops reading is dropped
  // Open connections across all workers; 0 is no cap. At the cap, a new connection takes the
  // place of the connection of its worker that has waited longest for a request (idle between
  // requests, or still sending its head): an idle one is closed silently, one with part of a
  // head gets 408. Only when none of the worker's connections waits for a request is the new
  // one answered 503 with Retry-After and Connection: close, then closed, without reading its
  // request.
  std::size_t max_connections = 0;
  // Open connections from one client address (IPv4, or the whole IPv6 address) across all
  // workers; 0 is no cap. Past it, the new connection gets the same 503 as past
  // max_connections, and takes no other connection's place.
  std::size_t max_connections_per_address = 0;
  std::chrono::seconds overload_retry_after{5};
  // The send buffer (SO_SNDBUF) of every accepted connection, in bytes; 0 leaves it to the
  // kernel's autotuning, which lets a client that stops reading a large response pin up to
  // net.ipv4.tcp_wmem's maximum (4 MiB by default) of kernel memory. The kernel doubles the
  // value for its bookkeeping, and caps it at net.core.wmem_max (a warning says so at start).
  // 128 KiB: at most 256 KiB charged per stalled reader, 75 MiB for 300 of them. It also
  // bounds the bytes in flight, so one connection's rate is about 200 KiB per round trip
  // (some 30 Mbit/s at 50 ms): raise it, or use 0, to send large files far and fast.
  std::size_t send_buffer = 128 * 1024;
};

}  // namespace teapot
