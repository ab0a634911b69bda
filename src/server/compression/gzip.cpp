// gzip (RFC 1952) with zlib. The deflate state (about 256 KiB) is kept per thread and reset
// between bodies, rather than allocated and freed for every response.
#include <zlib.h>

#include "server/compression/codec.h"

namespace teapot::srv::compression {

namespace {

struct deflater {
  z_stream stream{};
  int level = -1;
  bool ready = false;

  bool reset(int lvl) {
    if (ready && lvl == level) return deflateReset(&stream) == Z_OK;
    if (ready) deflateEnd(&stream);
    stream = z_stream{};
    // 15 + 16: a 32 KiB window with the gzip header and trailer rather than zlib's.
    ready = deflateInit2(&stream, lvl, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
    level = lvl;
    return ready;
  }
  ~deflater() {
    if (ready) deflateEnd(&stream);
  }
};

}  // namespace

bool gzip_compress(int level, std::string_view in, std::string& out) {
  thread_local deflater d;
  if (!d.reset(level)) return false;
  z_stream& s = d.stream;
  out.resize(deflateBound(&s, static_cast<uLong>(in.size())));
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  s.avail_in = static_cast<uInt>(in.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  // deflateBound's room lets one Z_FINISH call end the stream.
  if (deflate(&s, Z_FINISH) != Z_STREAM_END) return false;
  out.resize(s.total_out);
  return true;
}

}  // namespace teapot::srv::compression
