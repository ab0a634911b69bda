// Requests and responses between a real nghttp2 client and the session: what each side sees.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "loopback.h"

namespace teapot::h2::test {
namespace {

using http::status;

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i)
    s[i] = static_cast<char>('a' + i % 26);
  return s;
}

TEST(h2_exchange, a_get_is_answered_with_status_fields_and_body) {
  loopback lb;
  const field_list response{{"Content-Type", "text/plain; charset=utf-8"},
                            {"content-length", "5"},
                            {"Connection", "keep-alive"},
                            {"Transfer-Encoding", "chunked"}};
  lb.owner.answer_head = [&](stream_id id, const seen_head&) {
    EXPECT_TRUE(lb.server->submit_response(id, status::ok, as_fields(response), "hello"));
  };
  const std::int32_t id = lb.peer.request(get("/hello?x=1"));
  ASSERT_TRUE(lb.pump().ok());

  const client_stream& got = lb.peer.streams[id];
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, "hello");
  EXPECT_TRUE(got.ended);
  EXPECT_FALSE(got.reset);
  // Names lower-cased (RFC 9113 §8.2), connection-specific fields dropped (§8.2.2).
  EXPECT_EQ(got.headers,
            (field_list{{"content-type", "text/plain; charset=utf-8"}, {"content-length", "5"}}));
  const seen_head& head = lb.owner.heads[id];
  EXPECT_EQ(head.method, "GET");
  EXPECT_EQ(head.scheme, "http");
  EXPECT_EQ(head.authority, "example.test");
  EXPECT_EQ(head.path, "/hello?x=1");
  EXPECT_TRUE(head.ends_stream);
  EXPECT_FALSE(head.content_length);
  EXPECT_EQ(lb.owner.log,
            (std::vector<std::string>{"request 1 GET /hello?x=1", "closed 1 NO_ERROR"}));
  EXPECT_EQ(lb.server->counters().requests, 1U);
  EXPECT_EQ(lb.server->open_streams(), 0U);
}

TEST(h2_exchange, the_first_output_is_the_servers_settings) {
  recorder owner;
  session s(owner, {});
  ASSERT_TRUE(s.wants_write());
  std::string out;
  s.take_output(out);
  ASSERT_GE(out.size(), 9U);
  EXPECT_EQ(out[3], static_cast<char>(NGHTTP2_SETTINGS));  // §3.4: the server's preface
  EXPECT_FALSE(s.wants_write());
  EXPECT_TRUE(s.wants_read());
}

TEST(h2_exchange, request_fields_arrive_lower_case_in_order_with_content_length) {
  loopback lb;
  field_list fields = post("/upload", 3);
  fields.emplace_back("cookie", "a=1");
  fields.emplace_back("cookie", "b=2");
  const std::int32_t id = lb.peer.request(fields, "abc");
  ASSERT_TRUE(lb.pump().ok());
  const seen_head& head = lb.owner.heads[id];
  EXPECT_EQ(head.fields,
            (field_list{{"content-length", "3"}, {"cookie", "a=1"}, {"cookie", "b=2"}}));
  EXPECT_EQ(head.content_length, 3U);
  EXPECT_FALSE(head.ends_stream);
  EXPECT_EQ(lb.owner.content[id], "abc");
  EXPECT_EQ(lb.owner.count("end 1"), 1U);
}

TEST(h2_exchange, the_host_field_stands_for_a_missing_authority) {
  loopback lb;
  const std::int32_t id = lb.peer.request(
      {{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {"host", "h.test:8080"}});
  ASSERT_TRUE(lb.pump().ok());
  EXPECT_EQ(lb.owner.heads[id].authority, "h.test:8080");
}

// The window reopens only as the owner consumes: the client stalls at the stream's window.
TEST(h2_exchange, request_content_is_flow_controlled_by_the_owner) {
  loopback lb;
  lb.owner.consume_at_once = false;
  const std::string body = pattern(200'000);
  const std::int32_t id = lb.peer.request(post("/up", body.size()), body);
  std::size_t expected = 0;
  for (int step = 0; step < 4; ++step) {
    ASSERT_TRUE(lb.pump().ok());
    expected = std::min<std::size_t>(body.size(), expected + 65'535);
    EXPECT_EQ(lb.owner.content[id].size(), expected) << "step " << step;
    EXPECT_EQ(lb.peer.content_sent(id), expected) << "step " << step;
    // A second pump without consume() moves nothing.
    ASSERT_TRUE(lb.pump().ok());
    EXPECT_EQ(lb.owner.content[id].size(), expected);
    lb.server->consume(id, 65'535);
  }
  EXPECT_EQ(lb.owner.content[id], body);
  EXPECT_EQ(lb.owner.count("end 1"), 1U);
}

// Bytes given to a stream that is reset before its handler took them go back to the
// connection's window; else every such stream would shrink it for good.
TEST(h2_exchange, unconsumed_bytes_of_a_reset_stream_reopen_the_connection_window) {
  session_config config;
  config.settings.connection_window_size = 65'535;
  loopback lb(config);
  lb.owner.consume_at_once = false;
  const std::int32_t first = lb.peer.request(post("/a"), pattern(65'535));
  ASSERT_TRUE(lb.pump().ok());
  ASSERT_EQ(lb.owner.content[first].size(), 65'535U);
  const std::int32_t second = lb.peer.request(post("/b"), pattern(1'000));
  ASSERT_TRUE(lb.pump().ok());
  EXPECT_EQ(lb.owner.content[second].size(), 0U) << "the connection window is full";
  lb.peer.reset(first, NGHTTP2_CANCEL);
  ASSERT_TRUE(lb.pump().ok());
  EXPECT_EQ(lb.owner.content[second].size(), 1'000U);
}

// A pull source that runs dry says wait; resume() brings the session back to it.
TEST(h2_exchange, a_large_response_is_pulled_as_windows_open_and_waits_for_resume) {
  loopback lb;
  const std::string body = pattern(300'000);
  std::size_t available = 100'000;
  std::size_t offset = 0;
  std::size_t largest_ask = 0;
  lb.owner.answer_head = [&](stream_id id, const seen_head&) {
    lb.server->submit_response(id, status::ok, {},
                               pull_source([&](std::span<char> buf) -> pull_result {
                                 largest_ask = std::max(largest_ask, buf.size());
                                 if (offset == body.size()) return {0, pull_state::ended};
                                 if (offset == available) return {0, pull_state::wait};
                                 const std::size_t n = std::min(buf.size(), available - offset);
                                 std::memcpy(buf.data(), body.data() + offset, n);
                                 offset += n;
                                 return {n, pull_state::more};
                               }));
  };
  const std::int32_t id = lb.peer.request(get("/big"));
  ASSERT_TRUE(lb.pump().ok());
  EXPECT_EQ(lb.peer.streams[id].body.size(), 100'000U);
  EXPECT_FALSE(lb.peer.streams[id].ended);
  EXPECT_FALSE(lb.server->wants_write());

  available = body.size();
  ASSERT_TRUE(lb.server->resume(id));
  ASSERT_TRUE(lb.pump().ok());
  EXPECT_EQ(lb.peer.streams[id].body, body);
  EXPECT_TRUE(lb.peer.streams[id].ended);
  EXPECT_LE(largest_ask, 16'384U);  // one DATA frame at a time, of the client's frame size
}

struct interim_case {
  const char* name;
  std::vector<status> interim;
};

class h2_interim : public ::testing::TestWithParam<interim_case> {};

TEST_P(h2_interim, interim_responses_come_before_the_final_one) {
  loopback lb;
  const field_list hints{{"Link", "</style.css>; rel=preload; as=style"}};
  lb.owner.answer_head = [&](stream_id id, const seen_head&) {
    for (status s : GetParam().interim) {
      EXPECT_TRUE(lb.server->submit_interim(id, s, as_fields(hints)));
    }
  };
  lb.owner.answer_end = [&](stream_id id) {
    EXPECT_TRUE(lb.server->submit_response(id, status::created, {}, "done"));
    EXPECT_FALSE(lb.server->submit_interim(id, status::continue_, {}));  // after the final
  };
  field_list fields = post("/up", 4);
  fields.emplace_back("expect", "100-continue");
  const std::int32_t id = lb.peer.request(fields, "data");
  ASSERT_TRUE(lb.pump().ok());
  std::vector<int> expected;
  for (status s : GetParam().interim)
    expected.push_back(http::to_int(s));
  EXPECT_EQ(lb.peer.streams[id].interim, expected);
  EXPECT_EQ(lb.peer.streams[id].status, 201);
  EXPECT_EQ(lb.peer.streams[id].body, "done");
}

INSTANTIATE_TEST_SUITE_P(
    cases, h2_interim,
    ::testing::Values(interim_case{"continue", {status::continue_}},
                      interim_case{"early_hints", {status::early_hints}},
                      interim_case{"continue_then_early_hints",
                                   {status::continue_, status::early_hints}},
                      interim_case{"two_early_hints", {status::early_hints, status::early_hints}}),
    [](const auto& c) { return std::string(c.param.name); });

TEST(h2_exchange, statuses_are_refused_where_they_do_not_belong) {
  loopback lb;
  lb.owner.answer_head = [&](stream_id id, const seen_head&) {
    EXPECT_FALSE(lb.server->submit_interim(id, status::switching_protocols, {}));  // §8.6
    EXPECT_FALSE(lb.server->submit_interim(id, status::ok, {}));
    EXPECT_FALSE(lb.server->submit_response(id, status::continue_, {}, no_body{}));
    EXPECT_TRUE(lb.server->submit_response(id, status::no_content, {}, no_body{}));
    EXPECT_FALSE(lb.server->submit_response(id, status::ok, {}, no_body{}));  // answered
    EXPECT_FALSE(lb.server->submit_trailers(id, {}));  // no_body ended the stream
  };
  const std::int32_t id = lb.peer.request(get("/"));
  ASSERT_TRUE(lb.pump().ok());
  EXPECT_EQ(lb.peer.streams[id].status, 204);
  EXPECT_TRUE(lb.peer.streams[id].ended);
  EXPECT_FALSE(lb.server->submit_response(id, status::ok, {}, no_body{}));  // closed
  EXPECT_FALSE(lb.server->submit_response(99, status::ok, {}, no_body{}));  // never opened
}

TEST(h2_exchange, trailers_go_both_ways) {
  loopback lb;
  const field_list response_trailers{{"Grpc-Status", "0"}, {"x-digest", "sha-256=abc"}};
  lb.owner.answer_end = [&](stream_id id) {
    EXPECT_TRUE(lb.server->submit_response(id, status::ok, {}, "payload"));
    EXPECT_TRUE(lb.server->submit_trailers(id, as_fields(response_trailers)));
    EXPECT_FALSE(lb.server->submit_trailers(id, as_fields(response_trailers)));  // once
  };
  const std::int32_t id =
      lb.peer.request(post("/rpc"), "request", field_list{{"x-checksum", "1234"}});
  ASSERT_TRUE(lb.pump().ok());
  EXPECT_EQ(lb.owner.content[id], "request");
  EXPECT_EQ(lb.owner.trailers[id], (field_list{{"x-checksum", "1234"}}));
  // on_trailers, then on_end_stream.
  const auto& log = lb.owner.log;
  const auto t = std::find(log.begin(), log.end(), "trailers 1");
  ASSERT_NE(t, log.end());
  EXPECT_EQ(*(t + 1), "end 1");
  const client_stream& got = lb.peer.streams[id];
  EXPECT_EQ(got.body, "payload");
  EXPECT_EQ(got.trailers, (field_list{{"grpc-status", "0"}, {"x-digest", "sha-256=abc"}}));
  EXPECT_TRUE(got.ended);
}

TEST(h2_exchange, a_pull_source_may_add_trailers_as_it_ends) {
  loopback lb;
  const field_list trailers{{"x-count", "3"}};
  int calls = 0;
  lb.owner.answer_head = [&](stream_id id, const seen_head&) {
    lb.server->submit_response(id, status::ok, {}, pull_source([&, id](std::span<char> buf) {
                                 if (++calls < 3) {
                                   buf[0] = 'x';
                                   return pull_result{1, pull_state::more};
                                 }
                                 EXPECT_TRUE(lb.server->submit_trailers(id, as_fields(trailers)));
                                 return pull_result{0, pull_state::ended};
                               }));
  };
  const std::int32_t id = lb.peer.request(get("/"));
  ASSERT_TRUE(lb.pump().ok());
  EXPECT_EQ(lb.peer.streams[id].body, "xx");
  EXPECT_EQ(lb.peer.streams[id].trailers, trailers);
  EXPECT_TRUE(lb.peer.streams[id].ended);
}

TEST(h2_exchange, ten_concurrent_streams_answered_out_of_order_each_get_their_own) {
  loopback lb;
  std::vector<stream_id> waiting;
  lb.owner.answer_head = [&](stream_id id, const seen_head&) { waiting.push_back(id); };
  std::vector<std::int32_t> ids;
  ids.reserve(10);
  for (int i = 0; i < 10; ++i)
    ids.push_back(lb.peer.request(get("/" + std::to_string(i))));
  ASSERT_TRUE(lb.pump().ok());
  ASSERT_EQ(waiting.size(), 10U);
  // Answer in reverse, each body naming its path, some large enough to interleave.
  for (auto it = waiting.rbegin(); it != waiting.rend(); ++it) {
    const std::string path = lb.owner.heads[*it].path;
    lb.server->submit_response(*it, status::ok, {},
                               path + pattern(static_cast<std::size_t>(*it) * 3'000));
  }
  ASSERT_TRUE(lb.pump().ok());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const client_stream& got = lb.peer.streams[ids[i]];
    EXPECT_EQ(got.status, 200);
    EXPECT_EQ(got.body,
              "/" + std::to_string(i) + pattern(static_cast<std::size_t>(ids[i]) * 3'000));
    EXPECT_TRUE(got.ended);
  }
  EXPECT_EQ(lb.owner.count("closed"), 10U);
  EXPECT_EQ(lb.server->open_streams(), 0U);
}

// RFC 9113 §8.1: after a complete response, RST_STREAM NO_ERROR asks the client to stop
// sending the content nobody will read.
TEST(h2_exchange, an_early_complete_response_stops_the_upload_without_error) {
  loopback lb;
  lb.owner.consume_at_once = false;
  lb.owner.answer_head = [&](stream_id id, const seen_head&) {
    lb.server->submit_response(id, status::content_too_large, {}, no_body{});
  };
  const std::int32_t id = lb.peer.request(post("/up", 500'000), pattern(500'000));
  ASSERT_TRUE(lb.pump().ok());
  const client_stream& got = lb.peer.streams[id];
  EXPECT_EQ(got.status, 413);
  EXPECT_EQ(got.reset, static_cast<std::uint32_t>(NGHTTP2_NO_ERROR));
  EXPECT_LT(lb.peer.content_sent(id), 500'000U);
  // The connection is still good.
  lb.owner.answer_head = [&](stream_id sid, const seen_head&) {
    lb.server->submit_response(sid, status::ok, {}, "fine");
  };
  const std::int32_t next = lb.peer.request(get("/next"));
  ASSERT_TRUE(lb.pump().ok());
  EXPECT_EQ(lb.peer.streams[next].body, "fine");
}

TEST(h2_exchange, a_client_reset_reaches_the_owner_and_closes_the_stream) {
  loopback lb;
  const std::int32_t id = lb.peer.request(get("/slow"));
  ASSERT_TRUE(lb.pump().ok());
  lb.peer.reset(id, NGHTTP2_CANCEL);
  ASSERT_TRUE(lb.pump().ok());
  EXPECT_EQ(lb.owner.log,
            (std::vector<std::string>{"request 1 GET /slow", "reset 1 CANCEL", "closed 1 CANCEL"}));
  EXPECT_FALSE(lb.server->submit_response(id, status::ok, {}, no_body{}));
}

TEST(h2_exchange, the_owner_may_reset_a_stream) {
  loopback lb;
  lb.owner.answer_head = [&](stream_id id, const seen_head&) {
    EXPECT_TRUE(lb.server->reset_stream(id, error_code::internal_error));
  };
  const std::int32_t id = lb.peer.request(get("/"));
  ASSERT_TRUE(lb.pump().ok());
  EXPECT_EQ(lb.peer.streams[id].reset, static_cast<std::uint32_t>(NGHTTP2_INTERNAL_ERROR));
  EXPECT_EQ(lb.owner.log.back(), "closed 1 INTERNAL_ERROR");
}

// §6.8: the streams in flight finish, the connection ends after them.
TEST(h2_exchange, a_graceful_shutdown_lets_streams_in_flight_finish) {
  loopback lb;
  const std::int32_t id = lb.peer.request(get("/"));
  ASSERT_TRUE(lb.pump().ok());
  lb.server->shutdown_notice();
  lb.server->go_away(error_code::no_error);
  ASSERT_TRUE(lb.pump().ok());
  EXPECT_EQ(lb.peer.goaway, static_cast<std::uint32_t>(NGHTTP2_NO_ERROR));
  EXPECT_EQ(lb.peer.goaway_last_stream, id);
  EXPECT_TRUE(lb.server->wants_read());
  ASSERT_TRUE(lb.server->submit_response(id, status::ok, {}, "bye"));
  ASSERT_TRUE(lb.pump().ok());
  EXPECT_EQ(lb.peer.streams[id].body, "bye");
  EXPECT_FALSE(lb.server->wants_read());
  EXPECT_FALSE(lb.server->wants_write());
}

TEST(h2_exchange, a_bad_preface_is_a_connection_error) {
  recorder owner;
  session s(owner, {});
  const feed_result r = s.feed("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.connection_error, error_code::protocol_error);
  EXPECT_FALSE(s.wants_read());
  EXPECT_EQ(s.feed("more").connection_error, error_code::protocol_error);
}

TEST(h2_exchange, take_output_stops_near_its_max) {
  loopback lb;
  lb.owner.answer_head = [&](stream_id id, const seen_head&) {
    lb.server->submit_response(id, status::ok, {}, pattern(60'000));
  };
  lb.peer.request(get("/"));
  lb.server->feed(lb.peer.output());
  std::string out;
  lb.server->take_output(out, 20'000);
  EXPECT_LT(out.size(), 20'000U + 16'384U + 9U);
  EXPECT_TRUE(lb.server->wants_write());
  lb.server->take_output(out);
  EXPECT_GT(out.size(), 60'000U);
}

}  // namespace
}  // namespace teapot::h2::test
