#include "server/proxy_final_recipient.h"

#include "http/max_forwards.h"

namespace teapot::srv {

bool answer_as_final_recipient(const request& req, response& res,
                               std::span<const std::string> known_methods) {
  const http::max_forwards_step hops =
      http::max_forwards_for(req.method, req.header("Max-Forwards"));
  if (hops.what != http::max_forwards_step::kind::answer) return false;
  std::string allow;
  for (const std::string& m : known_methods) {
    if (m == "CONNECT" || m == "TRACE") continue;
    allow.append(allow.empty() ? "" : ", ").append(m);
  }
  if (req.method == "OPTIONS") {
    res.set_status(http::status::no_content);  // RFC 9110 §9.3.7: nothing to send
  } else {
    res.error(http::status::method_not_allowed);  // §15.5.6, with Allow
  }
  res.set_header("Allow", allow);
  return true;
}

}  // namespace teapot::srv
