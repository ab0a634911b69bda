// State reports to a service manager: systemd's notification protocol (sd_notify(3)) for
// Type=notify services. The manager names a Unix datagram socket in NOTIFY_SOCKET (a path, or
// "@name" in the abstract namespace); each report is one datagram of "KEY=VALUE" lines:
//   READY=1         start-up (or a reload) is complete: the manager starts what waits for it
//   RELOADING=1     a reload has begun; READY=1 ends it
//   STOPPING=1      the process is shutting down
//   STATUS=...      one line for `systemctl status`
// The manager takes reports only from the service's main process (NotifyAccess=main), which
// it tells by the sender's credentials: any thread of the process may send.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace teapot::io {

// Sends state to the socket NOTIFY_SOCKET names. Returns 0 when sent or when NOTIFY_SOCKET is
// unset (no manager listens); otherwise the errno of the failure (a name that is neither a path
// nor "@name" gives EAFNOSUPPORT), for the caller to log: a manager that misses READY=1 ends
// the service after its start timeout. Any thread, never blocks.
int notify_service_manager(std::string_view state) noexcept;

// "RELOADING=1\nMONOTONIC_USEC=<CLOCK_MONOTONIC in µs>\n": systemd 253 and later
// (Type=notify-reload) use the time to tell this reload from an earlier one; earlier versions
// ignore the field.
std::string reloading_state();
std::string reloading_state(std::uint64_t monotonic_usec);

}  // namespace teapot::io
