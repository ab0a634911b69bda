// Listening sockets handed over by a service manager: systemd's socket activation
// (sd_listen_fds(3)). The manager binds the addresses of a socket unit, keeps them open across
// restarts of the service, and passes them to the process it starts as fds 3, 4, ...:
//   LISTEN_PID      the process they are for (a process that inherited the variables through an
//                   exec is not: it must not take the sockets)
//   LISTEN_FDS      how many
//   LISTEN_FDNAMES  their names, separated by ':' (FileDescriptorName= of the socket unit)
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

namespace teapot::io {

// The protocol's first descriptor (SD_LISTEN_FDS_START).
inline constexpr int first_inherited_fd = 3;

struct inherited_listener {
  int fd = -1;
  std::string name;  // from LISTEN_FDNAMES; "unknown" without it, as systemd names them
};

// What the variables (null when unset) tell the process own_pid: fds 3 to 3 + LISTEN_FDS - 1
// and their names. Empty when LISTEN_PID or LISTEN_FDS is unset or LISTEN_PID names another
// process. Throws std::invalid_argument when they are meant for this process but malformed (a
// count that is not a number, as many names as fds missing): a unit that passes sockets the
// server cannot tell apart is a mistake to report at start-up, not to serve around.
std::vector<inherited_listener> parse_listen_fds(const char* pid, const char* fds,
                                                 const char* names, pid_t own_pid);

// The sockets passed to this process, taken once: the variables are read and unset, so that a
// second call (a second server in the process) and any program this process runs find none.
// Each fd is checked to be a listening TCP socket (IPv4 or IPv6), then made close-on-exec and
// non-blocking (O_NONBLOCK is a flag of the socket itself, shared with the manager's copy, which
// does not accept on it while the service runs). The caller owns the fds. Throws
// std::invalid_argument naming the fd when one is something else (a ListenDatagram= or a Unix
// socket): the server could not serve it. Call it before other threads use the environment.
std::vector<inherited_listener> take_inherited_listeners();

// The name that marks a passed socket as a TLS listener: FileDescriptorName=https in its
// socket unit. One name for one protocol, as the shipped units call the plain ones "http".
inline constexpr std::string_view tls_socket_name = "https";

// Whether a passed socket speaks TLS: it is named tls_socket_name, or its local address is one
// of tls_addresses (tls_listen's, both as socket_address::to_string() writes them, so that
// ":443" and "0.0.0.0:443" are one address, and "[::]:443" another). The name serves a unit
// of its own for the TLS ports; the address serves one unit for every port, since
// FileDescriptorName= names all the sockets of a unit alike.
bool speaks_tls(std::string_view name, std::string_view local,
                const std::vector<std::string>& tls_addresses);

// Another fd (close-on-exec) for the socket of fd, so that each worker that accepts from one
// inherited socket owns, registers and closes an fd of its own. Throws std::system_error.
int another_fd_for(int fd);

}  // namespace teapot::io
