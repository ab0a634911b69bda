// Listening sockets and addresses.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <sys/socket.h>

namespace teapot::io {

struct socket_address {
  sockaddr_storage storage{};
  socklen_t length = 0;
  std::string to_string() const;  // "127.0.0.1:8080", "[::1]:8080"
};

// Parses "HOST:PORT", "[V6]:PORT", ":PORT" (all IPv4 interfaces) with numeric hosts and
// "localhost" (127.0.0.1). Port 0 asks the kernel for a free port. Throws
// std::invalid_argument with a message naming the input and what is wrong with it (a bare
// "8080" lacks its host, and the message shows how to write one).
socket_address parse_address(std::string_view host_port);

// A non-blocking, close-on-exec listening socket with SO_REUSEADDR, SO_REUSEPORT (so that each
// worker binds its own on the same port), TCP_NODELAY, and IPV6_V6ONLY on IPv6 (so that
// "[::]:P" and "0.0.0.0:P" can both be bound). send_buffer, unless 0, is set as SO_SNDBUF
// before listen(): Linux copies it, and the lock it puts on autotuning, into every connection
// accepted (as tcp(7) says of buffer sizes set before listen), which spares a system call per
// accept. Throws std::system_error naming the address.
int listen_on(const socket_address& address, std::size_t send_buffer = 0, int backlog = 4096);
// The address a socket is bound to, as the kernel holds it (port 0 resolved).
socket_address local_address(int fd);
std::uint16_t local_port(int fd);
// SO_SNDBUF, capped where the kernel's doubling would overflow. On a listening socket it
// reaches the connections accepted afterwards (see listen_on). Throws std::system_error.
void set_send_buffer(int fd, std::size_t bytes);
// SO_SNDBUF as the kernel holds it: twice what was asked, capped by net.core.wmem_max.
std::size_t send_buffer_of(int fd);

// Throws std::system_error (EADDRINUSE, "cannot listen on ADDRESS") when another socket
// listens on the address already. SO_REUSEPORT
// would otherwise let a second server (of the same user) share the port silently, each taking
// a part of the connections. A probe without SO_REUSEPORT tells.
void ensure_address_free(const socket_address& address);

// Accepts one connection: returns the fd (non-blocking, close-on-exec, TCP_NODELAY) or -1 with
// errno set: EAGAIN when none is waiting; otherwise an error such as EMFILE, after which the
// connection stays queued and, the listener being edge-triggered, no new readiness comes for
// it until another connection arrives (retry from a timer). EINTR and ECONNABORTED are retried.
int accept_one(int listen_fd, socket_address* peer) noexcept;

}  // namespace teapot::io
