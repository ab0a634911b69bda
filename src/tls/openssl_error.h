// OpenSSL reports why a call failed in a queue that belongs to the calling thread. Whoever
// sees a failure empties that queue into its message, so that an error never lingers and is
// taken for the cause of the next connection's failure on the same thread.
#pragma once

#include <string>

namespace teapot::tls {

// The thread's queued OpenSSL errors, oldest first, joined by "; " (empty if none); the queue
// is left empty. Thread-safe: each line is formatted into a local buffer
// (ERR_error_string_n), never into OpenSSL's static one.
std::string take_openssl_errors();

// Throws std::runtime_error: what, then ": " and the queued errors when there are any.
[[noreturn]] void throw_openssl_error(const std::string& what);

}  // namespace teapot::tls
