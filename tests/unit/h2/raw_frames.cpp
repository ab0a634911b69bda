#include "raw_frames.h"

#include "h2/preface.h"

namespace teapot::h2::test {

namespace {

std::uint32_t read32(std::string_view p) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v = v << 8 | static_cast<std::uint8_t>(p[static_cast<std::size_t>(i)]);
  return v;
}

}  // namespace

std::string frame(std::uint8_t type, std::uint8_t flags, std::uint32_t stream,
                  std::string_view payload) {
  std::string f;
  const auto n = static_cast<std::uint32_t>(payload.size());
  f.push_back(static_cast<char>(n >> 16 & 0xff));
  f.push_back(static_cast<char>(n >> 8 & 0xff));
  f.push_back(static_cast<char>(n & 0xff));
  f.push_back(static_cast<char>(type));
  f.push_back(static_cast<char>(flags));
  for (int shift = 24; shift >= 0; shift -= 8) {
    f.push_back(static_cast<char>(stream >> shift & (shift == 24 ? 0x7f : 0xff)));
  }
  f.append(payload);
  return f;
}

std::string preface() {
  return std::string(client_preface) + frame(NGHTTP2_SETTINGS, 0, 0);
}

std::string settings_ack() {
  return frame(NGHTTP2_SETTINGS, NGHTTP2_FLAG_ACK, 0);
}

std::string ping_frame() {
  return frame(NGHTTP2_PING, 0, 0, std::string(8, 'p'));
}

std::string hpack(const field_list& fields) {
  nghttp2_hd_deflater* deflater = nullptr;
  nghttp2_hd_deflate_new(&deflater, 4096);
  std::vector<nghttp2_nv> nv;
  for (const auto& [name, value] : fields) {
    nv.push_back({reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
                  reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(),
                  value.size(), NGHTTP2_NV_FLAG_NONE});
  }
  std::string out(nghttp2_hd_deflate_bound(deflater, nv.data(), nv.size()), '\0');
  const auto n = nghttp2_hd_deflate_hd(deflater, reinterpret_cast<std::uint8_t*>(out.data()),
                                       out.size(), nv.data(), nv.size());
  nghttp2_hd_deflate_del(deflater);
  out.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
  return out;
}

std::vector<frame_view> frames_of(std::string_view bytes) {
  std::vector<frame_view> out;
  while (bytes.size() >= 9) {
    const std::size_t n = static_cast<std::size_t>(static_cast<std::uint8_t>(bytes[0])) << 16 |
                          static_cast<std::size_t>(static_cast<std::uint8_t>(bytes[1])) << 8 |
                          static_cast<std::uint8_t>(bytes[2]);
    if (bytes.size() < 9 + n) break;
    out.push_back({static_cast<std::uint8_t>(bytes[3]), static_cast<std::uint8_t>(bytes[4]),
                   read32(bytes.substr(5)) & 0x7fffffff, bytes.substr(9, n)});
    bytes.remove_prefix(9 + n);
  }
  return out;
}

std::optional<std::uint32_t> goaway_code(const std::vector<frame_view>& frames) {
  for (const frame_view& f : frames) {
    if (f.type == NGHTTP2_GOAWAY && f.payload.size() >= 8) return read32(f.payload.substr(4));
  }
  return std::nullopt;
}

std::optional<std::uint32_t> reset_code(const std::vector<frame_view>& frames,
                                        std::uint32_t stream) {
  for (const frame_view& f : frames) {
    if (f.type == NGHTTP2_RST_STREAM && f.stream == stream && f.payload.size() == 4) {
      return read32(f.payload);
    }
  }
  return std::nullopt;
}

}  // namespace teapot::h2::test
