// Process signals for a server whose main thread waits for the order to shut down.
//
//   teapot::io::block_shutdown_signals();     // first, before any thread is started
//   ... start the workers ...
//   auto sig = teapot::io::wait_for_signal(stop_token);  // SIGTERM, SIGINT, SIGHUP or SIGUSR1
//   ... graceful stop; a second wait_for_signal(drain_timeout) may cut the drain short ...
#pragma once

#include <chrono>
#include <optional>
#include <stop_token>
#include <string_view>

namespace teapot::io {

// Blocks SIGTERM, SIGINT, SIGHUP and SIGUSR1 in the calling thread, and so in every thread it
// starts afterwards: they stay pending until wait_for_signal() takes them, instead of killing
// the process or interrupting a worker. Ignores SIGPIPE process-wide, so that a write to a closed
// socket returns EPIPE. Throws std::system_error on failure.
void block_shutdown_signals();

// Waits on the calling thread (whose mask must block them) for SIGTERM, SIGINT, SIGHUP or
// SIGUSR1 and returns its number; std::nullopt when the timeout passes (a negative timeout
// never passes) or when stop is requested (which wakes the wait at once). Throws std::system_error
// on failure.
std::optional<int> wait_for_signal(
    const std::stop_token& stop, std::chrono::milliseconds timeout = std::chrono::milliseconds(-1));
std::optional<int> wait_for_signal(std::chrono::milliseconds timeout);

// "SIGTERM", "SIGINT", "SIGHUP", "SIGUSR1", or "signal" for any other number: for log lines.
std::string_view signal_name(int signal_number) noexcept;

}  // namespace teapot::io
