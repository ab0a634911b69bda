// Max-Forwards (RFC 9110 §7.6.2): what an intermediary does with a TRACE or OPTIONS request
// before it forwards one. A pure function over views; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace teapot::http {

struct max_forwards_step {
  enum class kind : std::uint8_t {
    pass,     // another method, or no valid Max-Forwards: the fields go as received
    answer,   // 0: not forwarded; the intermediary answers as the final recipient
    forward,  // forwarded with Max-Forwards: value, replacing the received one
  };
  kind what = kind::pass;
  std::uint64_t value = 0;
};

// The greatest Max-Forwards value sent on: a larger one received goes on as this, "the
// recipient's maximum supported value" of §7.6.2.
inline constexpr std::uint64_t max_forwards_limit = 0xFFFF'FFFF;

// §7.6.2: for TRACE and OPTIONS, a received Max-Forwards (1*DIGIT; value is the first field,
// if any) of 0 is answered here, and N > 0 forwarded as the lesser of N - 1 and
// max_forwards_limit. Other methods, which "MAY ignore" the field, and a value that is not
// 1*DIGIT (a list of two, say), pass unchanged.
max_forwards_step max_forwards_for(std::string_view method,
                                   std::optional<std::string_view> value) noexcept;

}  // namespace teapot::http
