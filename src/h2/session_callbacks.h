// The nghttp2 callbacks of a session: where frames become events and limits are enforced.
// Internal to h2.
#pragma once

#include <cstddef>
#include <cstdint>

#include <nghttp2/nghttp2.h>

#include "h2/session.h"

namespace teapot::h2 {

struct session::callbacks {
  static void install(nghttp2_session_callbacks* cbs) noexcept;
  // The data provider of every response with content (nghttp2_data_source_read_callback).
  static ssize_t read_body(nghttp2_session* ng, std::int32_t id, std::uint8_t* buf,
                           std::size_t length, std::uint32_t* flags, nghttp2_data_source* source,
                           void* user) noexcept;

  static int on_begin_frame(nghttp2_session* ng, const nghttp2_frame_hd* hd, void* user) noexcept;
  static int on_begin_headers(nghttp2_session* ng, const nghttp2_frame* frame, void* user) noexcept;
  static int on_header(nghttp2_session* ng, const nghttp2_frame* frame, const std::uint8_t* name,
                       std::size_t namelen, const std::uint8_t* value, std::size_t valuelen,
                       std::uint8_t flags, void* user) noexcept;
  static int on_frame_recv(nghttp2_session* ng, const nghttp2_frame* frame, void* user) noexcept;
  static int on_data_chunk_recv(nghttp2_session* ng, std::uint8_t flags, std::int32_t id,
                                const std::uint8_t* data, std::size_t len, void* user) noexcept;
  static int on_stream_close(nghttp2_session* ng, std::int32_t id, std::uint32_t code,
                             void* user) noexcept;
  static int on_invalid_frame_recv(nghttp2_session* ng, const nghttp2_frame* frame, int lib_error,
                                   void* user) noexcept;
  static int on_frame_send(nghttp2_session* ng, const nghttp2_frame* frame, void* user) noexcept;
  static int on_frame_not_send(nghttp2_session* ng, const nghttp2_frame* frame, int lib_error,
                               void* user) noexcept;

 private:
  static void on_request_head(session& self, const nghttp2_frame& frame);
  static void on_request_trailers(session& self, std::int32_t id);
  static void on_reset(session& self, std::int32_t id, std::uint32_t code);
  static void on_control_frame(session& self, std::uint64_t& counter);
};

}  // namespace teapot::h2
