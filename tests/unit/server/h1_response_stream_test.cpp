#include "server/h1_response_stream.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "server/body_writer_state.h"
#include "server/response_access.h"
#include "teapot/body_writer.h"
#include "teapot/response.h"

namespace teapot::srv {
namespace {

using framing = h1_response_stream::framing;
using step = h1_response_stream::step;

// Hands out the pieces it was given, one per pull, then ends (or fails).
class scripted_source final : public body_source {
 public:
  explicit scripted_source(std::vector<std::string> pieces, next last = next::end)
      : pieces_(std::move(pieces)), last_(last) {}
  pulled pull(std::span<char> into) override {
    if (at_ == pieces_.size()) return {0, last_};
    std::string& p = pieces_[at_];
    const std::size_t n = std::min(p.size(), into.size());
    p.copy(into.data(), n);
    p.erase(0, n);  // what did not fit comes with the next pull
    if (p.empty()) ++at_;
    return {n, at_ == pieces_.size() ? last_ : next::more};
  }
  void trailers(std::vector<std::pair<std::string, std::string>>& out) override { out = trailers_; }
  void cancelled() noexcept override { ++cancels; }

  std::vector<std::pair<std::string, std::string>> trailers_;
  int cancels = 0;

 private:
  std::vector<std::string> pieces_;
  std::size_t at_ = 0;
  next last_;
};

TEST(H1ResponseStream, FramesEachPieceAsAChunkAndEndsWithTheLastChunk) {
  auto src = std::make_shared<scripted_source>(std::vector<std::string>{"hello", "", "world!"});
  h1_response_stream s;
  s.begin(src, framing::chunked, 0, {});
  std::string out = "HEAD";
  EXPECT_EQ(s.pump(out, 1 << 20), step::ended);
  EXPECT_EQ(out, "HEAD5\r\nhello\r\n6\r\nworld!\r\n0\r\n\r\n");
  EXPECT_EQ(s.sent(), 11u);
  EXPECT_FALSE(s.is_active());
  EXPECT_EQ(src->cancels, 0);
}

TEST(H1ResponseStream, AChunkOfSixtyFourKiBGetsItsHexSizeLine) {
  auto src = std::make_shared<scripted_source>(std::vector<std::string>{std::string(65536, 'x')});
  h1_response_stream s;
  s.begin(src, framing::chunked, 0, {});
  std::string out;
  EXPECT_EQ(s.pump(out, 1 << 20), step::ended);
  EXPECT_EQ(out.substr(0, 7), "10000\r\n");
  EXPECT_EQ(out.size(), 7 + 65536 + 2 + 5u);
}

TEST(H1ResponseStream, SendsTrailersButNotThoseThatFrameOrDescribeTheContent) {
  auto src = std::make_shared<scripted_source>(std::vector<std::string>{"a"});
  src->trailers_ = {{"Digest-X", "abc"},
                    {"content-length", "1"},
                    {"Transfer-Encoding", "chunked"},
                    {"Content-Type", "text/plain"},
                    {"Bad Name", "x"},
                    {"Split", "a\r\nInjected: 1"},
                    {"Server-Timing", "db;dur=53"}};
  h1_response_stream s;
  s.begin(src, framing::chunked, 0, {});
  std::string out;
  EXPECT_EQ(s.pump(out, 1 << 20), step::ended);
  EXPECT_EQ(out, "1\r\na\r\n0\r\nDigest-X: abc\r\nServer-Timing: db;dur=53\r\n\r\n");
}

TEST(H1ResponseStream, CloseDelimitedAndLengthFramingSendTheBytesAsTheyAre) {
  for (const framing f : {framing::close_delimited, framing::length}) {
    auto src = std::make_shared<scripted_source>(std::vector<std::string>{"ab", "cd"});
    src->trailers_ = {{"X", "y"}};
    h1_response_stream s;
    s.begin(src, f, 4, {});
    std::string out;
    EXPECT_EQ(s.pump(out, 1 << 20), step::ended);
    EXPECT_EQ(out, "abcd");
  }
}

TEST(H1ResponseStream, ASourceShortOfItsLengthFails) {
  auto src = std::make_shared<scripted_source>(std::vector<std::string>{"abc"});
  h1_response_stream s;
  s.begin(src, framing::length, 5, {});
  std::string out;
  EXPECT_EQ(s.pump(out, 1 << 20), step::failed);
  EXPECT_EQ(out, "abc");
  EXPECT_FALSE(s.is_active());
}

TEST(H1ResponseStream, ASourcePastItsLengthIsCutAtTheLengthAndFails) {
  auto src = std::make_shared<scripted_source>(std::vector<std::string>{"abcdef", "gh"});
  h1_response_stream s;
  s.begin(src, framing::length, 4, {});
  std::string out;
  EXPECT_EQ(s.pump(out, 1 << 20), step::failed);
  EXPECT_EQ(out, "abcd");
  EXPECT_EQ(src->cancels, 1);  // it never said end: it is told nobody reads on
}

TEST(H1ResponseStream, AFailingSourceLeavesTheChunkedContentOpen) {
  auto src =
      std::make_shared<scripted_source>(std::vector<std::string>{"abc"}, body_source::next::fail);
  h1_response_stream s;
  s.begin(src, framing::chunked, 0, {});
  std::string out;
  EXPECT_EQ(s.pump(out, 1 << 20), step::failed);
  EXPECT_EQ(out, "3\r\nabc\r\n");
}

TEST(H1ResponseStream, StopsAtTheBudgetAndGoesOnAtTheNextPump) {
  auto src = std::make_shared<scripted_source>(std::vector<std::string>{"aaaa", "bbbb", "cccc"});
  h1_response_stream s;
  s.begin(src, framing::close_delimited, 0, {});
  std::string out;
  EXPECT_EQ(s.pump(out, 8), step::room);
  EXPECT_EQ(out, "aaaabbbb");
  EXPECT_EQ(s.pump(out, 8), step::ended);
  EXPECT_EQ(out, "aaaabbbbcccc");
}

TEST(H1ResponseStream, CancelTellsTheSourceOnce) {
  auto src = std::make_shared<scripted_source>(std::vector<std::string>{"a"});
  h1_response_stream s;
  s.begin(src, framing::chunked, 0, {});
  s.cancel();
  s.cancel();
  EXPECT_EQ(src->cancels, 1);
  EXPECT_FALSE(s.is_active());
}

TEST(BodyWriter, WaitsWhileEmptyAndWakesOnTheNextWrite) {
  auto state = std::make_shared<body_writer_state>();
  body_writer w = response_access::make_writer(state);
  int wakes = 0;
  h1_response_stream s;
  s.begin(state, framing::chunked, 0, [&] { ++wakes; });
  std::string out;
  EXPECT_EQ(s.pump(out, 1 << 20), step::wait);
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(w.write("abc"));
  EXPECT_EQ(wakes, 1);
  EXPECT_TRUE(w.write("de"));
  EXPECT_EQ(wakes, 1);  // one wake per wait
  s.woken();
  EXPECT_EQ(s.pump(out, 1 << 20), step::wait);
  EXPECT_EQ(out, "5\r\nabcde\r\n");
  w.add_trailer("Lines", "2");
  w.finish();
  EXPECT_EQ(wakes, 2);
  s.woken();
  EXPECT_EQ(s.pump(out, 1 << 20), step::ended);
  EXPECT_EQ(out, "5\r\nabcde\r\n0\r\nLines: 2\r\n\r\n");
  EXPECT_FALSE(w.is_open());
  EXPECT_FALSE(w.write("late"));
}

TEST(BodyWriter, SaysWaitPastItsMarkAndCallsOnDrainWhenTheQueueFalls) {
  auto state = std::make_shared<body_writer_state>();
  body_writer w = response_access::make_writer(state);
  int drains = 0;
  w.on_drain([&] { ++drains; });
  const std::string piece(64 * 1024, 'x');
  int accepted = 0;
  while (w.write(piece))
    ++accepted;
  EXPECT_EQ(accepted, 3);  // the fourth piece reaches the 256 KiB mark
  EXPECT_EQ(w.queued(), body_writer_state::mark);
  h1_response_stream s;
  s.begin(state, framing::close_delimited, 0, {});
  std::string out;
  EXPECT_EQ(s.pump(out, 1000), step::room);
  EXPECT_EQ(drains, 1);
  EXPECT_EQ(s.pump(out, 1 << 20), step::wait);
  EXPECT_EQ(drains, 1);  // once per write that said wait
  EXPECT_EQ(out.size(), body_writer_state::mark);
}

TEST(BodyWriter, IsCancelledWhenTheServerDropsItsSource) {
  auto state = std::make_shared<body_writer_state>();
  body_writer w = response_access::make_writer(state);
  int cancels = 0;
  w.on_cancel([&] { ++cancels; });
  w.write("queued");
  {
    teapot::response res;
    res.set_source(state, "text/plain");
    res.set_body("replaced", "text/plain");  // a 304 or an error page does the same
  }
  EXPECT_EQ(cancels, 1);
  EXPECT_FALSE(w.is_open());
  EXPECT_EQ(w.queued(), 0u);
  EXPECT_FALSE(w.write("more"));
}

TEST(BodyWriter, AnAbortedWriterFailsTheStreamAfterWhatWasQueued) {
  auto state = std::make_shared<body_writer_state>();
  body_writer w = response_access::make_writer(state);
  w.write("part");
  w.abort();
  h1_response_stream s;
  s.begin(state, framing::chunked, 0, {});
  std::string out;
  EXPECT_EQ(s.pump(out, 1 << 20), step::failed);
  EXPECT_EQ(out, "4\r\npart\r\n");
}

}  // namespace
}  // namespace teapot::srv
