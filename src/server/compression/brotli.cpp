// br (RFC 7932) with the reference encoder, one call per body.
#include <brotli/encode.h>

#include "server/compression/codec.h"

namespace teapot::srv::compression {

bool brotli_compress(int level, std::string_view in, std::string& out) {
  std::size_t size = BrotliEncoderMaxCompressedSize(in.size());
  if (size == 0) return false;  // too large to bound
  out.resize(size);
  if (!BrotliEncoderCompress(level, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, in.size(),
                             reinterpret_cast<const std::uint8_t*>(in.data()), &size,
                             reinterpret_cast<std::uint8_t*>(out.data())))
    return false;
  out.resize(size);
  return true;
}

}  // namespace teapot::srv::compression
