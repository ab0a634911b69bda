// Clients that cost more than they ask for: rapid reset, CONTINUATION, PING and SETTINGS
// floods, ACKs left unread, streams past the limit. Each trips its counter, and most a GOAWAY
// ENHANCE_YOUR_CALM.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "h2/preface.h"
#include "loopback.h"
#include "raw_frames.h"

namespace teapot::h2::test {
namespace {

constexpr auto calm = static_cast<std::uint32_t>(NGHTTP2_ENHANCE_YOUR_CALM);

session_config reset_budget(std::uint32_t budget) {
  session_config c;
  c.protections.unanswered_resets = budget;
  c.protections.reset_window = std::chrono::seconds(10);
  return c;
}

// Opens a stream, lets the server see it, and resets it.
void open_and_reset(loopback& lb) {
  const std::int32_t id = lb.peer.request(get("/"));
  lb.pump();
  lb.peer.reset(id, NGHTTP2_CANCEL);
}

TEST(h2_rapid_reset, resets_of_unanswered_streams_past_the_budget_end_the_connection) {
  loopback lb(reset_budget(5));
  for (int i = 0; i < 5; ++i) {
    open_and_reset(lb);
    ASSERT_TRUE(lb.pump().ok()) << i;
  }
  EXPECT_FALSE(lb.peer.goaway);
  open_and_reset(lb);
  const feed_result r = lb.pump();
  EXPECT_EQ(r.connection_error, error_code::enhance_your_calm);
  EXPECT_EQ(lb.peer.goaway, calm);
  EXPECT_EQ(lb.server->counters().unanswered_resets, 6U);
  EXPECT_EQ(lb.server->counters().client_resets, 6U);
  EXPECT_EQ(lb.server->counters().rapid_reset_goaways, 1U);
  EXPECT_FALSE(lb.server->wants_read());
}

TEST(h2_rapid_reset, resets_of_answered_streams_do_not_count) {
  loopback lb(reset_budget(5));
  // Answered: the head is sent, the content waits, as a long download would.
  lb.owner.answer_head = [&](stream_id id, const seen_head&) {
    lb.server->submit_response(id, http::status::ok, {}, pull_source([](std::span<char>) {
                                 return pull_result{0, pull_state::wait};
                               }));
  };
  for (int i = 0; i < 20; ++i) {
    open_and_reset(lb);
    ASSERT_TRUE(lb.pump().ok()) << i;
  }
  EXPECT_FALSE(lb.peer.goaway);
  EXPECT_EQ(lb.server->counters().client_resets, 20U);
  EXPECT_EQ(lb.server->counters().unanswered_resets, 0U);
}

TEST(h2_rapid_reset, the_budget_is_over_a_sliding_window) {
  loopback lb(reset_budget(5));
  for (int round = 0; round < 4; ++round) {
    for (int i = 0; i < 5; ++i)
      open_and_reset(lb);
    ASSERT_TRUE(lb.pump().ok()) << round;
    lb.clock.advance(std::chrono::seconds(20));
  }
  EXPECT_FALSE(lb.peer.goaway);
  EXPECT_EQ(lb.server->counters().unanswered_resets, 20U);
}

// A HEADERS frame without END_HEADERS, then empty CONTINUATION frames that never end it.
std::string continuation_flood(int continuations) {
  std::string bytes = frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_STREAM, 1, hpack(get("/")));
  for (int i = 0; i < continuations; ++i)
    bytes += frame(NGHTTP2_CONTINUATION, 0, 1);
  return bytes;
}

TEST(h2_continuation, a_flood_of_continuation_frames_ends_the_connection) {
  session_config c;
  c.protections.max_continuations = 16;
  recorder owner;
  session s(owner, c);
  const feed_result r = s.feed(preface() + continuation_flood(100));
  EXPECT_EQ(r.connection_error, error_code::enhance_your_calm);
  std::string out;
  s.take_output(out);
  EXPECT_EQ(goaway_code(frames_of(out)), calm);
  EXPECT_EQ(s.counters().continuation_flood_goaways, 1U);
  EXPECT_TRUE(owner.log.empty());
}

// A header block split over CONTINUATIONs within the cap is a request like any other, also
// when it arrives one octet at a time (which nghttp2's own cap counts more than once).
TEST(h2_continuation, continuations_within_the_cap_carry_a_request_fed_byte_by_byte) {
  session_config c;
  c.protections.max_continuations = 4;
  field_list fields = get("/split");
  fields.emplace_back("x-long", std::string(200, 'l'));
  const std::string block = hpack(fields);
  const std::size_t piece = block.size() / 5 + 1;
  std::string bytes = preface();
  for (std::size_t at = 0, n = 0; at < block.size(); at += piece, ++n) {
    const bool last = at + piece >= block.size();
    const std::uint8_t flags = static_cast<std::uint8_t>((last ? NGHTTP2_FLAG_END_HEADERS : 0) |
                                                         (n == 0 ? NGHTTP2_FLAG_END_STREAM : 0));
    bytes +=
        frame(n == 0 ? NGHTTP2_HEADERS : NGHTTP2_CONTINUATION, flags, 1, block.substr(at, piece));
  }
  recorder owner;
  session s(owner, c);
  owner.server = &s;
  for (char b : bytes)
    ASSERT_TRUE(s.feed(std::string_view(&b, 1)).ok());
  EXPECT_EQ(owner.log, (std::vector<std::string>{"request 1 GET /split"}));
  EXPECT_EQ(owner.heads[1].fields, (field_list{{"x-long", std::string(200, 'l')}}));
}

TEST(h2_control_frames, a_ping_flood_ends_the_connection) {
  session_config c;
  c.protections.control_frames = 10;
  loopback lb(c);
  ASSERT_TRUE(lb.pump().ok());  // the client's SETTINGS count as one
  for (int i = 0; i < 9; ++i)
    lb.peer.ping();
  ASSERT_TRUE(lb.pump().ok());
  EXPECT_EQ(lb.server->counters().pings, 9U);
  lb.peer.ping();
  EXPECT_EQ(lb.pump().connection_error, error_code::enhance_your_calm);
  EXPECT_EQ(lb.peer.goaway, calm);
  EXPECT_EQ(lb.server->counters().control_flood_goaways, 1U);
}

TEST(h2_control_frames, a_settings_flood_ends_the_connection) {
  session_config c;
  c.protections.control_frames = 10;
  loopback lb(c);
  for (int i = 0; i < 10; ++i)
    nghttp2_submit_settings(lb.peer.ng, NGHTTP2_FLAG_NONE, nullptr, 0);
  EXPECT_EQ(lb.pump().connection_error, error_code::enhance_your_calm);
  EXPECT_EQ(lb.peer.goaway, calm);
  EXPECT_EQ(lb.server->counters().settings, 11U);
}

TEST(h2_control_frames, pings_spread_over_time_are_answered) {
  session_config c;
  c.protections.control_frames = 10;
  loopback lb(c);
  for (int i = 0; i < 30; ++i) {
    lb.peer.ping();
    ASSERT_TRUE(lb.pump().ok()) << i;
    lb.clock.advance(std::chrono::seconds(5));
  }
  EXPECT_EQ(lb.server->counters().pings, 30U);
}

// nghttp2 counts the ACKs it has queued and not written; past max_unsent_acks within one
// feed, the session ends at once (the client is not reading: a GOAWAY would not be read).
TEST(h2_control_frames, acks_left_unwritten_past_the_limit_break_the_session) {
  session_config c;
  c.protections.max_unsent_acks = 5;
  recorder owner;
  session s(owner, c);
  std::string pings;
  for (int i = 0; i < 10; ++i)
    pings += ping_frame();
  const feed_result r = s.feed(preface() + pings);
  EXPECT_EQ(r.connection_error, error_code::enhance_your_calm);
  EXPECT_EQ(s.counters().unread_ack_floods, 1U);
  EXPECT_FALSE(s.wants_read());
}

// §5.1.2: streams over SETTINGS_MAX_CONCURRENT_STREAMS sent before the client has the server's
// SETTINGS are refused, and the client may retry them (§8.7).
TEST(h2_concurrency, streams_past_the_limit_are_refused) {
  session_config c;
  c.settings.max_concurrent_streams = 3;
  loopback lb(c);
  std::vector<std::int32_t> ids;
  ids.reserve(5);
  for (int i = 0; i < 5; ++i)
    ids.push_back(lb.peer.request(get("/" + std::to_string(i))));
  ASSERT_TRUE(lb.pump().ok());
  EXPECT_EQ(lb.owner.count("request"), 3U);
  EXPECT_EQ(lb.peer.streams[ids[3]].reset, static_cast<std::uint32_t>(NGHTTP2_REFUSED_STREAM));
  EXPECT_EQ(lb.peer.streams[ids[4]].reset, static_cast<std::uint32_t>(NGHTTP2_REFUSED_STREAM));
  EXPECT_EQ(lb.server->counters().refused_streams, 2U);
  EXPECT_FALSE(lb.peer.goaway);
}

// Once the client has acknowledged the limit, nghttp2 1.52 treats a stream past it as a
// connection error PROTOCOL_ERROR (§5.4.1 allows a stream error to be treated so).
TEST(h2_concurrency, a_client_past_the_limit_it_acknowledged_loses_the_connection) {
  session_config c;
  c.settings.max_concurrent_streams = 2;
  recorder owner;
  session s(owner, c);
  owner.server = &s;
  std::string bytes = preface() + settings_ack();
  for (std::uint32_t id = 1; id <= 5; id += 2) {
    bytes += frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, id,
                   hpack(get("/")));
  }
  const feed_result r = s.feed(bytes);
  EXPECT_EQ(r.connection_error, error_code::protocol_error);
  EXPECT_EQ(owner.count("request"), 2U);
}

}  // namespace
}  // namespace teapot::h2::test
