#include "teapot/handlers/early_hints.h"

#include <gtest/gtest.h>

#include "server/response_access.h"

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace teapot::handlers {
namespace {

using verdict = policy::verdict;

// Records the interim responses a step sends, as the connection would write them.
class recording_channel final : public srv::exchange_channel {
 public:
  struct interim {
    http::status code;
    std::vector<std::pair<std::string, std::string>> fields;
  };
  std::vector<interim> sent;
  bool accepts = true;  // false: a client that cannot take a 1xx (HTTP/1.0)

  bool send_interim(http::status code,
                    std::span<const std::pair<std::string_view, std::string_view>> f) override {
    if (!accepts) return false;
    interim i{code, {}};
    for (const auto& [name, value] : f)
      i.fields.emplace_back(name, value);
    sent.push_back(std::move(i));
    return true;
  }
  deferred_response make_deferred(response&) override { return {}; }
};

struct exchange {
  recording_channel channel;
  std::vector<header_field> fields;
  request req;
  response res;
  // A browser's request unless user_agent says otherwise (empty: no User-Agent at all).
  explicit exchange(std::string_view path, std::string_view user_agent = "Mozilla/5.0 (X11)") {
    req.method = "GET";
    req.path = path;
    if (!user_agent.empty()) fields.push_back({"User-Agent", user_agent});
    req.headers = fields;
    srv::response_access::reset(res, &channel);
  }
};

// One entry, built member by member: for a temporary brace-initialized in place, GCC 12 at -O3
// warns that its pattern may be used uninitialized where it is destroyed, which it cannot be
// (-Wmaybe-uninitialized), and warnings-as-errors stops the Release build of the tests.
early_hint hint(match_kind kind, std::string pattern, std::vector<std::string> links,
                early_hints_clients clients = early_hints_clients::known) {
  early_hint h;
  h.match.kind = kind;
  h.match.pattern = std::move(pattern);
  h.links = std::move(links);
  h.http1_clients = clients;
  return h;
}

early_hints_options sample() {
  early_hints_options o;
  o.hints.push_back(
      hint(match_kind::exact, "/",
           {"</app.css>; rel=preload; as=style", "</app.js>; rel=preload; as=script"}));
  o.hints.push_back(
      hint(match_kind::glob, "/docs/**.html", {"</docs.css>; rel=preload; as=style"}));
  o.hints.push_back(hint(match_kind::prefix, "/docs/", {"<https://cdn.example>; rel=preconnect"}));
  return o;
}

using fields = std::vector<std::pair<std::string, std::string>>;

TEST(EarlyHints, SendsOne103WithEachLinkOfTheMatchingEntryThenLetsTheRequestThrough) {
  auto step = make_early_hints(sample());
  exchange x("/");
  EXPECT_EQ(step->on_request(x.req, x.res), verdict::next);
  ASSERT_EQ(x.channel.sent.size(), 1u);
  EXPECT_EQ(x.channel.sent[0].code, http::status::early_hints);
  EXPECT_EQ(x.channel.sent[0].fields, (fields{{"Link", "</app.css>; rel=preload; as=style"},
                                              {"Link", "</app.js>; rel=preload; as=script"}}));
  EXPECT_EQ(x.res.status(), http::status::ok);  // the final response is untouched
  EXPECT_FALSE(x.res.header("Link"));
}

TEST(EarlyHints, MergesTheLinksOfEveryMatchingEntryInOrder) {
  auto step = make_early_hints(sample());
  exchange x("/docs/guide/intro.html");
  EXPECT_EQ(step->on_request(x.req, x.res), verdict::next);
  ASSERT_EQ(x.channel.sent.size(), 1u);
  EXPECT_EQ(x.channel.sent[0].fields, (fields{{"Link", "</docs.css>; rel=preload; as=style"},
                                              {"Link", "<https://cdn.example>; rel=preconnect"}}));
}

TEST(EarlyHints, SendsNothingForAPathNoEntrySelects) {
  auto step = make_early_hints(sample());
  exchange x("/index.html");
  EXPECT_EQ(step->on_request(x.req, x.res), verdict::next);
  EXPECT_TRUE(x.channel.sent.empty());
}

TEST(EarlyHints, AClientThatTakesNoInterimResponseStillGetsThrough) {
  auto step = make_early_hints(sample());
  exchange x("/");
  x.channel.accepts = false;
  EXPECT_EQ(step->on_request(x.req, x.res), verdict::next);
  EXPECT_TRUE(x.channel.sent.empty());
  EXPECT_EQ(x.res.status(), http::status::ok);
}

// Python's http.client, and the libraries built on it, take a 103 for the final response.
TEST(EarlyHints, ByDefaultOnlyBrowsersAndCurlGetTheInterimResponse) {
  auto step = make_early_hints(sample());
  for (std::string_view agent : {"Mozilla/5.0 (X11; Linux x86_64)", "curl/7.88.1"}) {
    exchange x("/", agent);
    EXPECT_EQ(step->on_request(x.req, x.res), verdict::next);
    EXPECT_EQ(x.channel.sent.size(), 1u) << agent;
  }
  for (std::string_view agent : {"", "Python-urllib/3.11", "python-requests/2.28.1", "Java/17"}) {
    exchange x("/", agent);
    EXPECT_EQ(step->on_request(x.req, x.res), verdict::next);
    EXPECT_TRUE(x.channel.sent.empty()) << agent;
    EXPECT_EQ(x.res.status(), http::status::ok);
  }
}

TEST(EarlyHints, AnEntryMayGoToEveryClientOrToNone) {
  early_hints_options o;
  o.hints.push_back(
      hint(match_kind::exact, "/all", {"</a.css>; rel=preload"}, early_hints_clients::all));
  o.hints.push_back(
      hint(match_kind::exact, "/none", {"</n.css>; rel=preload"}, early_hints_clients::none));
  auto step = make_early_hints(std::move(o));
  exchange any("/all", "");
  step->on_request(any.req, any.res);
  EXPECT_EQ(any.channel.sent.size(), 1u);
  exchange browser("/none");
  step->on_request(browser.req, browser.res);
  EXPECT_TRUE(browser.channel.sent.empty());
}

// RFC 9113 §8.1: an HTTP/2 response may begin with interim HEADERS, which every client reads.
TEST(EarlyHints, EveryHttp2ClientGetsTheInterimResponseWhateverTheEntrySays) {
  early_hints_options o;
  for (early_hints_clients clients :
       {early_hints_clients::known, early_hints_clients::all, early_hints_clients::none})
    o.hints.push_back(hint(match_kind::prefix, "/", {"</a.css>; rel=preload"}, clients));
  auto step = make_early_hints(std::move(o));
  for (std::string_view agent : {"", "Python-urllib/3.11", "Java/17", "curl/7.88.1"}) {
    exchange x("/", agent);
    x.req.version_major = 2;
    EXPECT_EQ(step->on_request(x.req, x.res), verdict::next);
    ASSERT_EQ(x.channel.sent.size(), 1u) << agent;
    EXPECT_EQ(x.channel.sent[0].fields.size(), 3u) << agent;  // one Link of each entry
  }
}

TEST(EarlyHints, RefusesALinkThatWouldSplitTheResponse) {
  early_hints_options bad;
  bad.hints.push_back(hint(match_kind::prefix, "/", {"</a.css>\r\nSet-Cookie: x=1"}));
  EXPECT_THROW(make_early_hints(std::move(bad)), std::invalid_argument);
  early_hints_options empty;
  empty.hints.push_back(hint(match_kind::prefix, "/", {""}));
  EXPECT_THROW(make_early_hints(std::move(empty)), std::invalid_argument);
  early_hints_options no_pattern;
  no_pattern.hints.push_back(hint(match_kind::prefix, "", {"</a.css>; rel=preload"}));
  EXPECT_THROW(make_early_hints(std::move(no_pattern)), std::invalid_argument);
}

}  // namespace
}  // namespace teapot::handlers
