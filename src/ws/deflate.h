// permessage-deflate's payload transformation (RFC 7692 §7.2) over zlib's raw DEFLATE: one
// inflater for the peer's messages and one deflater for this end's, each keeping its LZ77 window
// between messages unless its direction was negotiated without context takeover. zlib's state is
// made on first use, so that a connection that never sends a compressed message pays nothing.
// Not thread-safe; one of each per connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace teapot::ws {

class message_inflater {
 public:
  // window_bits (8-15): the largest window the peer compresses with. reset_each_message: the
  // peer does not take its context over from one message to the next.
  message_inflater(int window_bits, bool reset_each_message) noexcept;
  ~message_inflater();
  message_inflater(const message_inflater&) = delete;
  message_inflater& operator=(const message_inflater&) = delete;

  enum class status : std::uint8_t { ok, invalid_data, no_memory };
  struct result {
    std::size_t consumed = 0;   // bytes of in used
    std::size_t produced = 0;   // bytes written to out
    bool message_done = false;  // finish(): the message is whole, and nothing more comes out
    status outcome = status::ok;
  };
  // Inflates compressed bytes of the current message into out, stopping when in is used up or
  // out is full. A full out may leave output inside zlib: call again, with an empty in if need be.
  result inflate(std::string_view in, std::span<char> out) noexcept;
  // After the message's last compressed byte: inflates the 00 00 FF FF tail that the sender
  // removed (§7.2.2). Call until message_done (out may fill first); the message must then end
  // on a block boundary, where a sync flush leaves it, or its data is invalid.
  result finish(std::span<char> out) noexcept;

 private:
  bool ensure_stream() noexcept;
  result run(std::string_view in, std::span<char> out) noexcept;
  // A block with BFINAL ends zlib's stream inside a message (§7.2.3.4): a new stream starts at
  // the next byte, with the same window.
  bool restart_keeping_window() noexcept;

  struct stream;
  std::unique_ptr<stream> z_;
  int window_bits_;
  bool reset_each_message_;
  std::uint8_t tail_fed_ = 0;  // bytes of the 00 00 FF FF tail given to zlib
};

class message_deflater {
 public:
  // window_bits (9-15; zlib's raw deflate cannot keep an 8-bit window). reset_each_message:
  // this end was asked not to take its context over. level: zlib's 0-9; mem_level: 1-9.
  message_deflater(int window_bits, bool reset_each_message, int level, int mem_level) noexcept;
  ~message_deflater();
  message_deflater(const message_deflater&) = delete;
  message_deflater& operator=(const message_deflater&) = delete;

  // RFC 7692 §7.2.1: appends the compressed form of piece to out. With last, the message ends:
  // its DEFLATE blocks are flushed to a byte boundary and the 00 00 FF FF tail left off, so
  // that out then holds a whole message's payload, to send with RSV1 on its first frame. An
  // empty message gives the one byte 00 (§7.2.3.6). False when zlib could not get memory.
  bool compress(std::string_view piece, bool last, std::string& out);

 private:
  bool ensure_stream() noexcept;

  struct stream;
  std::unique_ptr<stream> z_;
  int window_bits_;
  bool reset_each_message_;
  int level_;
  int mem_level_;
};

}  // namespace teapot::ws
