// The WebSocket message reader (RFC 6455 §5, RFC 7692 §7.2) and the frame parser under it, on
// arbitrary bytes after the handshake. The first byte chooses the role, whether
// permessage-deflate was negotiated (and its context rules), a small message limit and a small
// inflate buffer; the second, the size of the pieces the rest is fed in. Fed whole and fed in
// pieces, the reader must tell the same events; every event must keep the reader's contract
// (pieces in order, text that is UTF-8, messages within the limit, valid close codes, nothing
// after close or failure); and every message it gives, written again by the frame writer (and
// compressed again when the extension is on), must read back the same.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "ws/deflate.h"
#include "ws/frame_writer.h"
#include "ws/message_reader.h"

namespace {

using teapot::fuzz::check;
using namespace teapot::ws;
using kind = message_event::kind;

// Unicode 15 §3.9, table 3-7, decoded code point by code point: the reference the reader's
// incremental check is held to.
bool reference_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xe0) == 0xc0) {
      n = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (s.size() - i <= n) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = cp << 6 | (cc & 0x3f);
    }
    static constexpr std::uint32_t least[] = {0, 0x80, 0x800, 0x10000};
    if (cp < least[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

struct message {
  opcode type;
  std::string payload;
};

struct outcome {
  std::vector<std::string> events;  // one line per event, messages whole
  std::vector<message> messages;
};

// Feeds input in pieces of piece bytes (all at once when 0), checking the contract as it goes.
outcome read_all(const reader_config& config, std::string_view input, std::size_t piece) {
  message_reader reader(config);
  outcome out;
  std::string pending;
  std::string current;
  bool open = false;
  bool done = false;
  std::size_t at = 0;
  while (at < input.size() || !pending.empty()) {
    const std::size_t n = piece == 0 ? input.size() - at : std::min(piece, input.size() - at);
    pending.append(input.substr(at, n));
    at += n;
    for (;;) {
      std::string buffer = pending;
      const message_event ev = reader.read(buffer);
      check(ev.consumed <= buffer.size());
      check(!done || ev.what == kind::need_more);
      switch (ev.what) {
        case kind::need_more:
          break;
        case kind::data:
          check(ev.first != open);  // a first piece opens a message, the others continue it
          current.append(ev.payload);
          check(current.size() <= config.max_message);
          open = !ev.last;
          if (ev.last) {
            if (ev.type == opcode::text) check(reference_utf8(current));
            out.events.push_back(std::to_string(static_cast<int>(ev.type)) + ":" + current);
            out.messages.push_back({ev.type, current});
            current.clear();
          }
          break;
        case kind::ping:
        case kind::pong:
          check(ev.payload.size() <= max_control_payload);
          out.events.push_back((ev.what == kind::ping ? "ping:" : "pong:") +
                               std::string(ev.payload));
          break;
        case kind::close:
          check(ev.code == 1005 || is_valid_received_code(ev.code));
          check(reference_utf8(ev.payload));
          out.events.push_back("close:" + std::to_string(ev.code) + std::string(ev.payload));
          done = true;
          break;
        case kind::failed:
          out.events.push_back("failed:" + std::string(name_of(ev.error)));
          done = true;
          break;
      }
      pending.erase(0, ev.consumed);
      if (ev.what == kind::need_more) {
        // need_more has used every byte: none is left for the caller to hold for ever.
        check(pending.empty());
        break;
      }
    }
    if (at == input.size()) break;
  }
  return out;
}

// The messages, written again as the peer would send them, must read back the same.
void check_round_trip(const reader_config& config, const std::vector<message>& messages) {
  if (messages.empty()) return;
  const bool peer_masks = config.local == role::server;
  const std::optional<mask_key> mask =
      peer_masks ? std::optional<mask_key>(mask_key{1, 2, 3, 4}) : std::nullopt;
  std::string wire;
  std::optional<message_deflater> deflater;
  if (config.deflate) {
    const deflate_params& p = *config.deflate;
    const int bits = peer_masks ? p.client_max_window_bits : p.server_max_window_bits;
    const bool reset = peer_masks ? p.client_no_context_takeover : p.server_no_context_takeover;
    deflater.emplace(std::max(bits, 9), reset, 6, 8);
  }
  for (const message& m : messages) {
    if (deflater) {
      std::string compressed;
      check(deflater->compress(m.payload, true, compressed));
      append_frame(wire, m.type, compressed, {.fin = true, .rsv1 = true}, mask);
    } else {
      append_frame(wire, m.type, m.payload, {}, mask);
    }
  }
  const outcome again = read_all(config, wire, 0);
  check(again.messages.size() == messages.size());
  for (std::size_t i = 0; i < messages.size(); ++i) {
    check(again.messages[i].type == messages[i].type);
    check(again.messages[i].payload == messages[i].payload);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t flags = data[0];
  const std::size_t piece = data[1] % 17;
  const std::string_view input = teapot::fuzz::as_text(data + 2, size - 2);

  reader_config config;
  config.local = (flags & 1) != 0 ? role::client : role::server;
  if ((flags & 2) != 0) {
    deflate_params p;
    p.client_no_context_takeover = (flags & 4) != 0;
    p.server_no_context_takeover = (flags & 4) != 0;
    p.client_max_window_bits = (flags & 8) != 0 ? 9 : 15;
    p.server_max_window_bits = (flags & 8) != 0 ? 9 : 15;
    config.deflate = p;
  }
  config.max_message = (flags & 16) != 0 ? 200 : 1 << 20;
  config.inflate_buffer = (flags & 32) != 0 ? 64 : 16 * 1024;

  const outcome whole = read_all(config, input, 0);
  const outcome pieces = read_all(config, input, piece == 0 ? 1 : piece);
  check(whole.events == pieces.events);
  check_round_trip(config, whole.messages);
  return 0;
}
