// What a connection still has to write, in order: bytes held in memory, with parts of files
// spliced in between them (sent with sendfile, never read into memory). One flush() sends as
// much as the socket takes.
// Thread contract: belongs to one connection, on its loop thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace teapot::srv {

class tls_stream;

class output_queue {
 public:
  output_queue() = default;
  ~output_queue() { clear(); }
  output_queue(const output_queue&) = delete;
  output_queue& operator=(const output_queue&) = delete;

  // Bytes are appended here (the serializer writes straight into it).
  std::string& bytes() noexcept { return out_; }
  // The next length bytes of fd from offset go here, after the bytes appended so far. With an
  // empty keeper the queue owns fd and closes it; otherwise keeper holds it open.
  void append_file(int fd, std::uint64_t offset, std::uint64_t length,
                   std::shared_ptr<const void> keeper);

  enum class flush_result : std::uint8_t {
    done,     // everything is written
    blocked,  // the socket is full: wait for it to take more
    failed,   // the peer is gone (or the file broke): nothing more can be sent
  };
  flush_result flush(int socket);
  // The same through TLS: the bytes, and the file parts read with pread a record at a time,
  // are encrypted by tls and the ciphertext written to socket. Bounded: nothing more is
  // encrypted while the session's window of ciphertext waits for the socket. blocked also
  // while the handshake is not done (a response to early data): reading goes on meanwhile.
  flush_result flush(int socket, tls_stream& tls);
  // Moves everything queued to the end of into, the file parts read with pread: for a
  // transport with no socket (memory_transport). False when a file gave less than queued.
  bool drain_into(std::string& into);

  bool empty() const noexcept { return sent_ == out_.size() && files_.empty(); }
  // Bytes waiting in memory, and file parts waiting: a connection stops taking new work past
  // either mark.
  std::size_t memory_backlog() const noexcept { return out_.size() - sent_; }
  std::size_t file_parts() const noexcept { return files_.size(); }
  // Drops what is queued (the connection is closing), closing owned descriptors.
  void clear() noexcept;
  // Gives back the buffer's memory when it grew past what an ordinary response needs.
  void trim() noexcept;

 private:
  struct file_part {
    std::size_t at;  // offset in out_ where the file's bytes go
    int fd;
    std::uint64_t offset;
    std::uint64_t left;
    std::shared_ptr<const void> keeper;  // set: fd is borrowed (an open-file cache's)
    void release() noexcept;
  };
  static constexpr std::size_t compact_at = 64 * 1024;
  flush_result blocked() noexcept;

  std::string out_;
  std::size_t sent_ = 0;
  std::vector<file_part> files_;
};

}  // namespace teapot::srv
