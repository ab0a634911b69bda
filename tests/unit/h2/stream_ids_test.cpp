// Stream identifiers and closed streams (RFC 9113 §5.1, §5.1.1), with frames written by hand:
// what h2spec's section 5.1 sends. A HEADERS frame on a stream below the client's last one is
// a connection error PROTOCOL_ERROR; a frame on a stream the client reset is a STREAM_CLOSED
// error; trailers on an open stream below the last one are trailers.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "loopback.h"
#include "raw_frames.h"

namespace teapot::h2::test {
namespace {

constexpr auto protocol = static_cast<std::uint32_t>(NGHTTP2_PROTOCOL_ERROR);
constexpr auto stream_closed = static_cast<std::uint32_t>(NGHTTP2_STREAM_CLOSED);

std::string rst(std::uint32_t stream, std::uint32_t code) {
  const std::string payload{static_cast<char>(code >> 24), static_cast<char>(code >> 16),
                            static_cast<char>(code >> 8), static_cast<char>(code)};
  return frame(NGHTTP2_RST_STREAM, 0, stream, payload);
}

struct fed {
  feed_result result;
  std::string out;
};

fed feed_all(session& s, const std::string& bytes) {
  fed f{s.feed(bytes), {}};
  s.take_output(f.out);
  return f;
}

TEST(h2_stream_ids, a_new_stream_below_the_last_one_is_a_connection_error) {
  recorder owner;
  session s(owner, session_config{});
  owner.server = &s;
  const std::string bytes =
      preface() + settings_ack() +
      frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, 5,
            hpack(get("/five"))) +
      frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, 3,
            hpack(get("/three")));
  const fed f = feed_all(s, bytes);
  EXPECT_EQ(f.result.connection_error, error_code::protocol_error);
  EXPECT_EQ(goaway_code(frames_of(f.out)), protocol);
  EXPECT_EQ(s.counters().stream_id_regressions, 1U);
  EXPECT_EQ(owner.log, (std::vector<std::string>{"request 5 GET /five"}));
}

TEST(h2_stream_ids, trailers_on_an_open_stream_below_the_last_one_are_trailers) {
  recorder owner;
  session s(owner, session_config{});
  owner.server = &s;
  const std::string bytes =
      preface() + settings_ack() +
      frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS, 1, hpack(post("/one"))) +
      frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, 3,
            hpack(get("/three"))) +
      frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, 1,
            hpack({{"x-checksum", "abc"}}));
  const fed f = feed_all(s, bytes);
  EXPECT_TRUE(f.result.ok());
  EXPECT_FALSE(goaway_code(frames_of(f.out)));
  EXPECT_EQ(owner.trailers[1], (field_list{{"x-checksum", "abc"}}));
}

TEST(h2_stream_ids, data_after_the_client_reset_its_stream_is_stream_closed) {
  recorder owner;
  session s(owner, session_config{});
  owner.server = &s;
  const std::string bytes =
      preface() + settings_ack() +
      frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS, 1, hpack(post("/one"))) +
      rst(1, NGHTTP2_CANCEL) + frame(NGHTTP2_DATA, 0, 1, "late");
  const fed f = feed_all(s, bytes);
  const std::vector<frame_view> frames = frames_of(f.out);
  const bool closed =
      goaway_code(frames) == stream_closed || reset_code(frames, 1) == stream_closed;
  EXPECT_TRUE(closed);
  EXPECT_EQ(s.counters().stream_id_regressions, 0U);
}

}  // namespace
}  // namespace teapot::h2::test
