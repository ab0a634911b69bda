#include "h2/error_code.h"

namespace teapot::h2 {

std::string_view name_of(error_code e) noexcept {
  using enum error_code;
  switch (e) {
    case no_error:
      return "NO_ERROR";
    case protocol_error:
      return "PROTOCOL_ERROR";
    case internal_error:
      return "INTERNAL_ERROR";
    case flow_control_error:
      return "FLOW_CONTROL_ERROR";
    case settings_timeout:
      return "SETTINGS_TIMEOUT";
    case stream_closed:
      return "STREAM_CLOSED";
    case frame_size_error:
      return "FRAME_SIZE_ERROR";
    case refused_stream:
      return "REFUSED_STREAM";
    case cancel:
      return "CANCEL";
    case compression_error:
      return "COMPRESSION_ERROR";
    case connect_error:
      return "CONNECT_ERROR";
    case enhance_your_calm:
      return "ENHANCE_YOUR_CALM";
    case inadequate_security:
      return "INADEQUATE_SECURITY";
    case http_1_1_required:
      return "HTTP_1_1_REQUIRED";
  }
  return "UNKNOWN";  // a code from the peer that RFC 9113 does not define
}

}  // namespace teapot::h2
