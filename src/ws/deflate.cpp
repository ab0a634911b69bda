#include "ws/deflate.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <limits>
#include <vector>

namespace teapot::ws {

namespace {

// RFC 7692 §7.2.1: what a sync flush ends with, and the sender removes.
constexpr std::array<unsigned char, 4> tail = {0x00, 0x00, 0xff, 0xff};

// zlib counts in uInt; a span larger than that is given in pieces.
constexpr std::size_t max_chunk = std::numeric_limits<uInt>::max();

}  // namespace

struct message_inflater::stream {
  z_stream z{};
  bool ready = false;
  ~stream() {
    if (ready) inflateEnd(&z);
  }
};

message_inflater::message_inflater(int window_bits, bool reset_each_message) noexcept
    : window_bits_(std::clamp(window_bits, 8, 15)), reset_each_message_(reset_each_message) {}

message_inflater::~message_inflater() = default;

bool message_inflater::ensure_stream() noexcept {
  if (z_ && z_->ready) return true;
  if (!z_) {
    z_.reset(new (std::nothrow) stream);
    if (!z_) return false;
  }
  // A negative window: raw DEFLATE, with neither zlib header nor checksum.
  z_->ready = inflateInit2(&z_->z, -window_bits_) == Z_OK;
  return z_->ready;
}

bool message_inflater::restart_keeping_window() noexcept {
  std::vector<Bytef> window(std::size_t{1} << window_bits_);
  uInt size = 0;
  if (inflateGetDictionary(&z_->z, window.data(), &size) != Z_OK) return false;
  if (inflateReset(&z_->z) != Z_OK) return false;
  // Raw inflate takes a dictionary at any time (zlib.h, inflateSetDictionary).
  return size == 0 || inflateSetDictionary(&z_->z, window.data(), size) == Z_OK;
}

message_inflater::result message_inflater::run(std::string_view in, std::span<char> out) noexcept {
  result r;
  if (!ensure_stream()) {
    r.outcome = status::no_memory;
    return r;
  }
  z_stream& z = z_->z;
  in = in.substr(0, max_chunk);
  out = out.first(std::min(out.size(), max_chunk));
  // zlib reads through a non-const pointer but never writes the input.
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  for (;;) {
    const int rc = ::inflate(&z, Z_SYNC_FLUSH);
    if (rc == Z_STREAM_END) {
      if (!restart_keeping_window()) {
        r.outcome = status::no_memory;
        break;
      }
      if (z.avail_in > 0 && z.avail_out > 0) continue;
      break;
    }
    if (rc == Z_OK || rc == Z_BUF_ERROR) break;  // input used up, or out full
    r.outcome = rc == Z_MEM_ERROR ? status::no_memory : status::invalid_data;
    break;
  }
  r.consumed = in.size() - z.avail_in;
  r.produced = out.size() - z.avail_out;
  return r;
}

message_inflater::result message_inflater::inflate(std::string_view in,
                                                   std::span<char> out) noexcept {
  return run(in, out);
}

message_inflater::result message_inflater::finish(std::span<char> out) noexcept {
  const std::string_view rest(reinterpret_cast<const char*>(tail.data()) + tail_fed_,
                              tail.size() - tail_fed_);
  result r = run(rest, out);
  if (r.outcome != status::ok) return r;
  tail_fed_ = static_cast<std::uint8_t>(tail_fed_ + r.consumed);
  if (tail_fed_ < tail.size() || r.produced == out.size()) return r;
  // zlib's data_type has 128 when it waits for a new block's header: the message ended where a
  // flush leaves it. Anywhere else, the sender cut the message inside a block.
  if ((z_->z.data_type & 128) == 0) {
    r.outcome = status::invalid_data;
    return r;
  }
  r.message_done = true;
  tail_fed_ = 0;
  if (reset_each_message_ && inflateReset(&z_->z) != Z_OK) r.outcome = status::no_memory;
  return r;
}

struct message_deflater::stream {
  z_stream z{};
  bool ready = false;
  ~stream() {
    if (ready) deflateEnd(&z);
  }
};

message_deflater::message_deflater(int window_bits, bool reset_each_message, int level,
                                   int mem_level) noexcept
    : window_bits_(std::clamp(window_bits, 9, 15)),
      reset_each_message_(reset_each_message),
      level_(std::clamp(level, 0, 9)),
      mem_level_(std::clamp(mem_level, 1, 9)) {}

message_deflater::~message_deflater() = default;

bool message_deflater::ensure_stream() noexcept {
  if (z_ && z_->ready) return true;
  if (!z_) {
    z_.reset(new (std::nothrow) stream);
    if (!z_) return false;
  }
  z_->ready = deflateInit2(&z_->z, level_, Z_DEFLATED, -window_bits_, mem_level_,
                           Z_DEFAULT_STRATEGY) == Z_OK;
  return z_->ready;
}

bool message_deflater::compress(std::string_view piece, bool last, std::string& out) {
  if (!ensure_stream()) return false;
  z_stream& z = z_->z;
  const std::size_t start = out.size();
  do {
    const std::string_view chunk = piece.substr(0, max_chunk);
    piece.remove_prefix(chunk.size());
    const int flush = last && piece.empty() ? Z_SYNC_FLUSH : Z_NO_FLUSH;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(chunk.data()));
    z.avail_in = static_cast<uInt>(chunk.size());
    // Room for the chunk's worst case, then more while zlib fills it (a flush can add a few
    // bytes past deflateBound's estimate).
    for (;;) {
      const std::size_t at = out.size();
      const std::size_t room = deflateBound(&z, z.avail_in) + 16;
      out.resize(at + room);
      z.next_out = reinterpret_cast<Bytef*>(out.data() + at);
      z.avail_out = static_cast<uInt>(room);
      const int rc = deflate(&z, flush);
      out.resize(at + room - z.avail_out);
      if (rc == Z_STREAM_ERROR) return false;
      if (z.avail_in == 0 && z.avail_out != 0) break;
    }
  } while (!piece.empty());
  if (!last) return true;
  const std::string_view added = std::string_view(out).substr(start);
  if (added.size() >= tail.size() &&
      added.substr(added.size() - tail.size()) ==
          std::string_view(reinterpret_cast<const char*>(tail.data()), tail.size())) {
    // A sync flush ends with the empty stored block's 00 00 FF FF; the receiver adds it back.
    out.resize(out.size() - tail.size());
  } else {
    // zlib writes nothing for a flush right after a flush (an empty message after another):
    // the empty stored block's first byte, BFINAL 0 and BTYPE 00 at a byte boundary, is then
    // written here, so that the message is the "00" of §7.2.3.6 and its tail is where the
    // receiver expects it.
    out.push_back('\0');
  }
  if (reset_each_message_) return deflateReset(&z) == Z_OK;
  return true;
}

}  // namespace teapot::ws
