// A codec is tested split at every byte: a client's first flight (preface, a GET, a POST with
// content and trailers, a HEADERS block continued over CONTINUATION frames) fed in two pieces
// cut at each offset, and one octet at a time, gives the owner the same requests, content and
// trailers as when fed whole.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "loopback.h"
#include "raw_frames.h"

namespace teapot::h2::test {
namespace {

struct outcome {
  std::vector<std::string> heads;  // the log without its data lines, which splits change
  std::map<stream_id, std::string> content;
  std::map<stream_id, field_list> trailers;
  bool operator==(const outcome&) const = default;
};

std::string first_flight() {
  client c;
  c.request(get("/index.html"));
  field_list upload = post("/upload", 11);
  upload.emplace_back("content-type", "text/plain");
  c.request(upload, "hello world", field_list{{"x-sum", "42"}});
  std::string bytes = c.output();
  // Stream 5: a head in HEADERS and two CONTINUATION frames.
  field_list fields = get("/continued");
  fields.emplace_back("x-pad", std::string(60, 'p'));
  const std::string block = hpack(fields);
  const std::size_t third = block.size() / 3;
  bytes += frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_STREAM, 5, block.substr(0, third));
  bytes += frame(NGHTTP2_CONTINUATION, 0, 5, block.substr(third, third));
  bytes += frame(NGHTTP2_CONTINUATION, NGHTTP2_FLAG_END_HEADERS, 5, block.substr(2 * third));
  return bytes;
}

outcome replay(const std::vector<std::string_view>& pieces) {
  recorder owner;
  session s(owner, {});
  owner.server = &s;
  for (std::string_view p : pieces)
    EXPECT_TRUE(s.feed(p).ok());
  outcome o;
  for (const std::string& line : owner.log) {
    if (!line.starts_with("data")) o.heads.push_back(line);
  }
  o.content = owner.content;
  o.trailers = owner.trailers;
  return o;
}

TEST(h2_split_replay, a_flight_split_in_two_anywhere_gives_the_same_events) {
  const std::string bytes = first_flight();
  const outcome whole = replay({bytes});
  ASSERT_EQ(whole.heads,
            (std::vector<std::string>{"request 1 GET /index.html", "request 3 POST /upload",
                                      "trailers 3", "end 3", "request 5 GET /continued"}));
  ASSERT_EQ(whole.content.at(3), "hello world");
  const std::string_view all = bytes;
  for (std::size_t cut = 1; cut < bytes.size(); ++cut) {
    ASSERT_EQ(replay({all.substr(0, cut), all.substr(cut)}), whole) << "cut at " << cut;
  }
}

TEST(h2_split_replay, a_flight_fed_one_octet_at_a_time_gives_the_same_events) {
  const std::string bytes = first_flight();
  std::vector<std::string_view> octets;
  for (std::size_t i = 0; i < bytes.size(); ++i)
    octets.push_back(std::string_view(bytes).substr(i, 1));
  EXPECT_EQ(replay(octets), replay({bytes}));
}

}  // namespace
}  // namespace teapot::h2::test
