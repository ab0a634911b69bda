#include "ws/handshake.h"

#include <openssl/sha.h>

#include <vector>

#include "base/ascii.h"
#include "ws/base64.h"
#include "ws/extension_offer.h"

namespace teapot::ws {

namespace {

namespace ascii = base::ascii;
using enum handshake_error;

// Calls fn with each non-empty element of the comma-separated lists of every field named
// name (RFC 9110 §5.6.1), without its surrounding whitespace; stops when fn returns false.
template <typename Fn>
void for_each_element(std::span<const header_field> fields, std::string_view name, Fn fn) {
  for (const header_field& f : fields) {
    if (!ascii::iequals(f.name, name)) continue;
    std::string_view v = f.value;
    while (!v.empty()) {
      const std::size_t comma = v.find(',');
      const std::string_view e = ascii::trim_ows(v.substr(0, comma));
      v = comma == std::string_view::npos ? std::string_view{} : v.substr(comma + 1);
      if (!e.empty() && !fn(e)) return;
    }
  }
}

bool has_element(std::span<const header_field> fields, std::string_view name,
                 std::string_view token) {
  bool found = false;
  for_each_element(fields, name, [&](std::string_view e) {
    found = ascii::iequals(e, token);
    return !found;
  });
  return found;
}

// The value of the one field named name; nullopt when absent, and *count tells how many.
std::optional<std::string_view> single_field(std::span<const header_field> fields,
                                             std::string_view name, int& count) {
  std::optional<std::string_view> value;
  count = 0;
  for (const header_field& f : fields) {
    if (!ascii::iequals(f.name, name)) continue;
    ++count;
    value = f.value;
  }
  return value;
}

// RFC 9110 §7.8: Upgrade = #protocol, protocol = protocol-name ["/" protocol-version].
bool asks_websocket(std::span<const header_field> fields) {
  bool found = false;
  for_each_element(fields, "Upgrade", [&](std::string_view e) {
    found = ascii::iequals(e.substr(0, e.find('/')), "websocket");
    return !found;
  });
  return found;
}

// §4.2.1 item 6; §4.2.2 item 4 for another version.
std::optional<handshake_error> check_version(std::span<const header_field> fields) {
  int count = 0;
  const auto version = single_field(fields, "Sec-WebSocket-Version", count);
  if (!version) return missing_version;
  if (count != 1 || *version != "13") return unsupported_version;
  return std::nullopt;
}

// §4.2.1 item 5: "a base64-encoded value that, when decoded, is 16 bytes in length".
std::optional<handshake_error> check_key(std::span<const header_field> fields) {
  int count = 0;
  const auto key = single_field(fields, "Sec-WebSocket-Key", count);
  if (!key) return missing_key;
  if (count != 1 || base64_decoded_size(*key) != 16) return bad_key;
  return std::nullopt;
}

// §4.2.2 item 5.4: the first of the server's subprotocols that the client offers. §4.1: the
// client's values are tokens; a list that is not fails the handshake.
std::optional<handshake_error> choose_subprotocol(std::span<const header_field> fields,
                                                  std::span<const std::string> ours,
                                                  std::string_view& chosen) {
  std::vector<std::string_view> offered;
  bool valid = true;
  for_each_element(fields, "Sec-WebSocket-Protocol", [&](std::string_view e) {
    valid = ascii::is_token(e);
    offered.push_back(e);
    return valid;
  });
  if (!valid) return bad_subprotocol;
  for (const std::string& mine : ours) {
    for (std::string_view theirs : offered) {
      if (theirs == mine) {
        chosen = theirs;
        return std::nullopt;
      }
    }
  }
  return std::nullopt;
}

// RFC 7692 §5: the first permessage-deflate offer the server can accept; others are ignored.
void negotiate_extensions(std::span<const header_field> fields, const handshake_options& options,
                          handshake_decision& d) {
  if (!options.deflate) return;
  std::vector<std::string_view> values;
  for (const header_field& f : fields) {
    if (ascii::iequals(f.name, "Sec-WebSocket-Extensions")) values.push_back(f.value);
  }
  for (const extension_offer& offer : parse_extension_offers(values)) {
    if (!ascii::iequals(offer.name, "permessage-deflate")) continue;
    if (auto agreed = accept_deflate_offer(offer.params, *options.deflate)) {
      d.deflate = agreed->params;
      d.extensions = std::move(agreed->response);
      return;
    }
  }
}

handshake_decision refuse(handshake_error e) {
  handshake_decision d;
  d.error = e;
  return d;
}

// What both entry points share once the transport's own fields are checked.
handshake_decision accept_with(std::span<const header_field> fields,
                               const handshake_options& options, std::string accept) {
  handshake_decision d;
  if (auto e = choose_subprotocol(fields, options.subprotocols, d.subprotocol)) return refuse(*e);
  negotiate_extensions(fields, options, d);
  d.accept = std::move(accept);
  d.accepted = true;
  return d;
}

}  // namespace

// The one place a handshake_error becomes a status; -Wswitch-enum makes a missing case an error.
http::status to_status(handshake_error e) noexcept {
  switch (e) {
    case not_websocket:
    case unsupported_version:
      return http::status::upgrade_required;
    case method_not_allowed:
    case not_extended_connect:
      return http::status::method_not_allowed;
    case not_get:
    case not_http11:
    case no_connection_upgrade:
    case missing_key:
    case bad_key:
    case missing_version:
    case bad_subprotocol:
      return http::status::bad_request;
    case unsupported_protocol:
      return http::status::not_implemented;
  }
  return http::status::bad_request;  // unreachable for a valid enumerator
}

std::string_view describe(handshake_error e) noexcept {
  switch (e) {
    case not_websocket:
      return "not a WebSocket upgrade";
    case unsupported_version:
      return "unsupported Sec-WebSocket-Version";
    case method_not_allowed:
      return "method not allowed on a WebSocket resource";
    case not_extended_connect:
      return "not an extended CONNECT on a WebSocket resource over HTTP/2";
    case not_get:
      return "WebSocket upgrade with a method other than GET";
    case not_http11:
      return "WebSocket upgrade in HTTP/1.0";
    case no_connection_upgrade:
      return "Connection lacks the upgrade option";
    case missing_key:
      return "missing Sec-WebSocket-Key";
    case bad_key:
      return "invalid Sec-WebSocket-Key";
    case missing_version:
      return "missing Sec-WebSocket-Version";
    case bad_subprotocol:
      return "invalid Sec-WebSocket-Protocol";
    case unsupported_protocol:
      return "extended CONNECT for a protocol other than websocket";
  }
  return "invalid WebSocket handshake";
}

std::span<const header_field> refusal_fields(handshake_error e) noexcept {
  // RFC 9110 §15.5.22: a 426 names the protocol in Upgrade (RFC 9110 §7.8 then wants the
  // "upgrade" connection option too); RFC 6455 §4.4 adds the versions the server speaks.
  static constexpr header_field upgrade[] = {{"Upgrade", "websocket"}, {"Connection", "upgrade"}};
  static constexpr header_field version[] = {
      {"Upgrade", "websocket"}, {"Connection", "upgrade"}, {"Sec-WebSocket-Version", "13"}};
  static constexpr header_field allow[] = {{"Allow", "GET, HEAD"}};
  static constexpr header_field allow_connect[] = {{"Allow", "CONNECT"}};
  switch (e) {
    case not_websocket:
      return upgrade;
    case unsupported_version:
      return version;
    case method_not_allowed:
      return allow;
    case not_extended_connect:
      return allow_connect;
    case not_get:
    case not_http11:
    case no_connection_upgrade:
    case missing_key:
    case bad_key:
    case missing_version:
    case bad_subprotocol:
    case unsupported_protocol:
      return {};
  }
  return {};
}

std::string accept_key(std::string_view key) {
  static constexpr std::string_view guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  std::string input;
  input.reserve(key.size() + guid.size());
  input.append(key).append(guid);
  std::uint8_t digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  std::string out;
  append_base64(out, digest);
  return out;
}

// RFC 6455 §4.2.1, in the order that gives each client the most useful answer: a request that
// asks no upgrade is told how to (426); a handshake is then checked item by item, the version
// before the key, so that a client of another version learns the one to speak (§4.4).
handshake_decision decide_handshake(std::string_view method, int version_minor,
                                    std::span<const header_field> fields,
                                    const handshake_options& options) {
  if (!asks_websocket(fields)) {
    return refuse(method == "GET" || method == "HEAD" ? not_websocket : method_not_allowed);
  }
  if (method != "GET") return refuse(not_get);       // item 1
  if (version_minor < 1) return refuse(not_http11);  // item 1
  if (!has_element(fields, "Connection", "upgrade")) return refuse(no_connection_upgrade);  // 4
  if (auto e = check_version(fields)) return refuse(*e);  // item 6
  if (auto e = check_key(fields)) return refuse(*e);      // item 5
  int count = 0;
  const std::string_view key = single_field(fields, "Sec-WebSocket-Key", count).value_or("");
  return accept_with(fields, options, accept_key(key));
}

// RFC 8441 §4: ":protocol" names the protocol; §5: Sec-WebSocket-Version, -Protocol and
// -Extensions are used as in RFC 6455, Sec-WebSocket-Key and -Accept are not.
handshake_decision decide_extended_connect(std::string_view protocol,
                                           std::span<const header_field> fields,
                                           const handshake_options& options) {
  if (!ascii::iequals(protocol, "websocket")) return refuse(unsupported_protocol);
  if (auto e = check_version(fields)) return refuse(*e);
  return accept_with(fields, options, {});
}

handshake_decision decide_h2_request(std::string_view method, std::string_view protocol,
                                     std::span<const header_field> fields,
                                     const handshake_options& options) {
  if (method != "CONNECT") return refuse(not_extended_connect);
  return decide_extended_connect(protocol, fields, options);
}

std::span<const header_field> response_fields(const handshake_decision& decision,
                                              std::array<header_field, 5>& out) noexcept {
  std::size_t n = 0;
  if (!decision.accept.empty()) {
    out[n++] = {"Upgrade", "websocket"};
    out[n++] = {"Connection", "Upgrade"};
    out[n++] = {"Sec-WebSocket-Accept", decision.accept};
  }
  if (!decision.subprotocol.empty()) out[n++] = {"Sec-WebSocket-Protocol", decision.subprotocol};
  if (!decision.extensions.empty()) {
    out[n++] = {"Sec-WebSocket-Extensions", decision.extensions};
  }
  return std::span<const header_field>(out).first(n);
}

}  // namespace teapot::ws
