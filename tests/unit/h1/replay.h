// Test support for the h1 codecs: inputs placed to end at a PROT_NONE guard page (so that an
// over-read faults under any build), and names made fit for GoogleTest.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>

namespace teapot::h1::test {

// A read-write region followed by one inaccessible page. place() copies bytes so that their
// last byte is the last accessible byte before the guard.
class guarded_buffer {
 public:
  explicit guarded_buffer(std::size_t capacity) {
    page_ = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    usable_ = (capacity + page_ - 1) / page_ * page_;
    if (usable_ == 0) usable_ = page_;
    void* p =
        mmap(nullptr, usable_ + page_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::runtime_error("mmap failed");
    base_ = static_cast<char*>(p);
    if (mprotect(base_ + usable_, page_, PROT_NONE) != 0) throw std::runtime_error("mprotect");
  }
  ~guarded_buffer() { munmap(base_, usable_ + page_); }
  guarded_buffer(const guarded_buffer&) = delete;
  guarded_buffer& operator=(const guarded_buffer&) = delete;

  std::string_view place(std::string_view bytes) {
    if (bytes.size() > usable_) throw std::length_error("guarded_buffer too small");
    char* at = base_ + usable_ - bytes.size();
    if (!bytes.empty()) std::memcpy(at, bytes.data(), bytes.size());
    return {at, bytes.size()};
  }

 private:
  char* base_ = nullptr;
  std::size_t page_ = 0;
  std::size_t usable_ = 0;
};

// GoogleTest parameter names allow only [A-Za-z0-9_].
inline std::string test_name(std::string_view name) {
  std::string out;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    out += ok ? c : '_';
  }
  return out;
}

}  // namespace teapot::h1::test
