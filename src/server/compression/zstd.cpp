// zstd (RFC 8878) with libzstd. The context is kept per thread: creating one per body costs
// more than compressing a small one.
#include <zstd.h>

#include <memory>

#include "server/compression/codec.h"

namespace teapot::srv::compression {

namespace {

struct context_free {
  void operator()(ZSTD_CCtx* c) const noexcept { ZSTD_freeCCtx(c); }
};

}  // namespace

bool zstd_compress(int level, std::string_view in, std::string& out) {
  thread_local std::unique_ptr<ZSTD_CCtx, context_free> context(ZSTD_createCCtx());
  if (!context) return false;
  out.resize(ZSTD_compressBound(in.size()));
  // RFC 8878 §3.1.1: the frame states the content size, so decoders can allocate once.
  const std::size_t n =
      ZSTD_compressCCtx(context.get(), out.data(), out.size(), in.data(), in.size(), level);
  if (ZSTD_isError(n)) return false;
  out.resize(n);
  return true;
}

}  // namespace teapot::srv::compression
