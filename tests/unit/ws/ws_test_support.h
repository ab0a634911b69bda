// Test support for the WebSocket codec: bytes from hex, client frames built with a fixed mask,
// and a message_reader run over an input fed whole, in two at every split point, and byte by
// byte, its events written as one transcript per run. Inputs are placed to end at a PROT_NONE
// guard page, so that a read past them faults under any build.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ws/frame_writer.h"
#include "ws/message_reader.h"

namespace teapot::ws::test {

// "81 05 48" -> the bytes; spaces are ignored.
inline std::string from_hex(std::string_view hex) {
  std::string out;
  int high = -1;
  for (char c : hex) {
    int v = -1;
    if (c >= '0' && c <= '9') v = c - '0';
    if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    if (v < 0) continue;
    if (high < 0) {
      high = v;
    } else {
      out += static_cast<char>(high << 4 | v);
      high = -1;
    }
  }
  return out;
}

inline std::string to_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    if (!out.empty()) out += ' ';
    out += digits[static_cast<unsigned char>(c) >> 4];
    out += digits[static_cast<unsigned char>(c) & 15];
  }
  return out;
}

inline constexpr mask_key test_mask = {0x37, 0xfa, 0x21, 0x3d};  // RFC 6455 §5.7's key

// A frame as a client sends it: masked.
inline std::string client_frame(opcode op, std::string_view payload, bool fin = true,
                                bool rsv1 = false) {
  std::string out;
  append_frame(out, op, payload, {.fin = fin, .rsv1 = rsv1}, test_mask);
  return out;
}

// A frame as a server sends it: unmasked.
inline std::string server_frame(opcode op, std::string_view payload, bool fin = true,
                                bool rsv1 = false) {
  std::string out;
  append_frame(out, op, payload, {.fin = fin, .rsv1 = rsv1});
  return out;
}

// A writable region followed by one inaccessible page.
class guarded_region {
 public:
  explicit guarded_region(std::size_t capacity) {
    page_ = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    usable_ = std::max<std::size_t>((capacity + page_ - 1) / page_ * page_, page_);
    void* p =
        mmap(nullptr, usable_ + page_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::runtime_error("mmap failed");
    base_ = static_cast<char*>(p);
    if (mprotect(base_ + usable_, page_, PROT_NONE) != 0) throw std::runtime_error("mprotect");
  }
  ~guarded_region() { munmap(base_, usable_ + page_); }
  guarded_region(const guarded_region&) = delete;
  guarded_region& operator=(const guarded_region&) = delete;

  // A writable copy of bytes whose last byte is the last one before the guard.
  std::span<char> place(std::string_view bytes) {
    if (bytes.size() > usable_) throw std::length_error("guarded_region too small");
    char* at = base_ + usable_ - bytes.size();
    if (!bytes.empty()) std::memcpy(at, bytes.data(), bytes.size());
    return {at, bytes.size()};
  }

 private:
  char* base_ = nullptr;
  std::size_t page_ = 0;
  std::size_t usable_ = 0;
};

// One line per message or event: "text:Hello", "binary:00 ff", "ping:x", "pong:", "close:1000:
// bye", "fail:1002:reserved_opcode". A message given in pieces is one line; pieces out of order
// (a first after a first, data after last) are lines of their own, "bad-piece".
class transcript {
 public:
  void add(const message_event& ev) {
    using kind = message_event::kind;
    switch (ev.what) {
      case kind::need_more:
        return;
      case kind::data:
        if (ev.first == open_) lines_.push_back("bad-piece");
        open_ = !ev.last;
        message_.append(ev.payload);
        if (ev.last) {
          lines_.push_back(ev.type == opcode::text ? "text:" + message_
                                                   : "binary:" + to_hex(message_));
          message_.clear();
        }
        return;
      case kind::ping:
        lines_.push_back("ping:" + std::string(ev.payload));
        return;
      case kind::pong:
        lines_.push_back("pong:" + std::string(ev.payload));
        return;
      case kind::close:
        lines_.push_back("close:" + std::to_string(ev.code) + ":" + std::string(ev.payload));
        return;
      case kind::failed:
        lines_.push_back("fail:" + std::to_string(to_int(to_close_code(ev.error))) + ":" +
                         std::string(name_of(ev.error)));
        return;
    }
  }
  std::string str() const {
    std::string out;
    for (const std::string& l : lines_)
      out += l + "\n";
    return out;
  }

 private:
  std::vector<std::string> lines_;
  std::string message_;
  bool open_ = false;
};

// Feeds the pieces in turn, as a connection would: unconsumed bytes wait for the next piece.
inline std::string run_reader(const reader_config& config, const std::vector<std::string>& pieces) {
  message_reader reader(config);
  transcript t;
  std::string pending;
  std::size_t total = 0;
  for (const std::string& p : pieces)
    total += p.size();
  guarded_region region(total + 1);
  for (const std::string& piece : pieces) {
    pending += piece;
    for (;;) {
      std::span<char> in = region.place(pending);
      const message_event ev = reader.read(in);
      if (ev.consumed > in.size()) throw std::logic_error("consumed past the input");
      t.add(ev);
      pending.assign(in.data() + ev.consumed, in.size() - ev.consumed);
      if (ev.what == message_event::kind::need_more) break;
    }
  }
  return t.str();
}

// The transcript of input fed whole; and the first split at which another way of feeding it
// (in two at every byte, then a byte at a time) gives another transcript, with that transcript.
struct replay_result {
  std::string whole;
  std::optional<std::string> differs;  // "split at N:\n<transcript>" or "byte by byte:\n..."
};

inline replay_result replay(const reader_config& config, const std::string& input) {
  replay_result r;
  r.whole = run_reader(config, {input});
  for (std::size_t k = 1; k < input.size(); ++k) {
    const std::string t = run_reader(config, {input.substr(0, k), input.substr(k)});
    if (t != r.whole) {
      r.differs = "split at " + std::to_string(k) + ":\n" + t;
      return r;
    }
  }
  std::vector<std::string> bytes;
  for (char c : input)
    bytes.emplace_back(1, c);
  const std::string t = run_reader(config, bytes);
  if (t != r.whole) r.differs = "byte by byte:\n" + t;
  return r;
}

inline std::string test_name(std::string_view name) {
  std::string out;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    out += ok ? c : '_';
  }
  return out;
}

}  // namespace teapot::ws::test
