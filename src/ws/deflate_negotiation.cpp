#include "ws/deflate_negotiation.h"

#include <algorithm>

namespace teapot::ws {

namespace {

// RFC 7692 §7.1.2: "a decimal integer value without leading zeroes between 8 to 15".
std::optional<int> window_bits(const std::string& v) {
  if (v.size() == 1 && v[0] >= '8' && v[0] <= '9') return v[0] - '0';
  if (v.size() == 2 && v[0] == '1' && v[1] >= '0' && v[1] <= '5') return 10 + (v[1] - '0');
  return std::nullopt;
}

struct offer {
  bool server_no_context_takeover = false;
  bool client_no_context_takeover = false;
  std::optional<int> server_max_window_bits;
  bool client_max_window_bits = false;  // the parameter is present
  std::optional<int> client_max_window_bits_value;
};

// §7.1: every parameter known, none twice, each value valid; nullopt otherwise.
std::optional<offer> read_offer(std::span<const extension_param> params) {
  offer o;
  unsigned seen = 0;
  for (const extension_param& p : params) {
    unsigned bit = 0;
    if (p.name == "server_no_context_takeover" && !p.value) {
      o.server_no_context_takeover = true;
      bit = 1;
    } else if (p.name == "client_no_context_takeover" && !p.value) {
      o.client_no_context_takeover = true;
      bit = 2;
    } else if (p.name == "server_max_window_bits" && p.value) {
      o.server_max_window_bits = window_bits(*p.value);
      if (!o.server_max_window_bits) return std::nullopt;
      bit = 4;
    } else if (p.name == "client_max_window_bits") {
      // §7.1.2.2: with no value, or with one.
      o.client_max_window_bits = true;
      if (p.value) {
        o.client_max_window_bits_value = window_bits(*p.value);
        if (!o.client_max_window_bits_value) return std::nullopt;
      }
      bit = 8;
    } else {
      return std::nullopt;
    }
    if ((seen & bit) != 0) return std::nullopt;
    seen |= bit;
  }
  return o;
}

}  // namespace

std::optional<deflate_agreement> accept_deflate_offer(std::span<const extension_param> params,
                                                      const deflate_options& options) {
  const std::optional<offer> o = read_offer(params);
  if (!o) return std::nullopt;
  deflate_agreement a;
  deflate_params& p = a.params;
  // §7.1.1.1: asked for, it must be honoured; unasked, the server may still choose it.
  p.server_no_context_takeover =
      o->server_no_context_takeover || options.server_no_context_takeover;
  // §7.1.1.2: the server may ask it whether or not the client offered it.
  p.client_no_context_takeover =
      o->client_no_context_takeover || options.client_no_context_takeover;
  // §7.1.2.1: the server's window is at most the offer's, and at most its own.
  const int own_server_bits = std::clamp(options.server_max_window_bits, 9, 15);
  const int server_bits = std::min(o->server_max_window_bits.value_or(15), own_server_bits);
  if (server_bits < 9) return std::nullopt;  // zlib cannot compress within a 256-byte window
  p.server_max_window_bits = static_cast<std::uint8_t>(server_bits);
  // §7.1.2.2: the client's window can be limited only when the client said it could be; it is
  // the offer's value, or 15, unless the response says less.
  const int offered_client_bits = o->client_max_window_bits_value.value_or(15);
  int client_bits = offered_client_bits;
  if (o->client_max_window_bits) {
    client_bits = std::min(offered_client_bits, std::clamp(options.client_max_window_bits, 8, 15));
  }
  p.client_max_window_bits = static_cast<std::uint8_t>(client_bits);

  a.response = "permessage-deflate";
  if (p.server_no_context_takeover) a.response += "; server_no_context_takeover";
  if (p.client_no_context_takeover) a.response += "; client_no_context_takeover";
  // §7.1.2.1: an offer of server_max_window_bits is accepted by answering it.
  if (o->server_max_window_bits || server_bits < 15) {
    a.response += "; server_max_window_bits=" + std::to_string(server_bits);
  }
  if (o->client_max_window_bits && client_bits < offered_client_bits) {
    a.response += "; client_max_window_bits=" + std::to_string(client_bits);
  }
  return a;
}

}  // namespace teapot::ws
