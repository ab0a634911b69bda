#include "teapot/handlers/rules.h"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace teapot::handlers {
namespace {

using http::status;
using verdict = policy::verdict;

// One request and its response, built without a connection.
struct exchange {
  std::vector<header_field> headers;
  request req;
  response res;

  exchange(std::string_view method, std::string_view path, std::string_view query = {},
           std::vector<header_field> fields = {})
      : headers(std::move(fields)) {
    req.method = method;
    req.path = path;
    req.query = query;
    req.headers = headers;
  }
};

rule redirect_rule(path_match m, status s, std::string target, bool keep_query = true) {
  rule r;
  r.match = std::move(m);
  r.kind = rule_kind::redirect;
  r.status = s;
  r.target = std::move(target);
  r.keep_query = keep_query;
  return r;
}

rule kind_rule(path_match m, rule_kind kind) {
  rule r;
  r.match = std::move(m);
  r.kind = kind;
  return r;
}

std::shared_ptr<policy> one(rule r) {
  rules_options o;
  o.rules.push_back(std::move(r));
  return make_rules(std::move(o));
}

TEST(Rules, RedirectSendsTheStatusAndALocationWithCaptures) {
  for (status s : {status::moved_permanently, status::found, status::see_other,
                   status::temporary_redirect, status::permanent_redirect}) {
    auto step = one(redirect_rule({match_kind::prefix, "/old/"}, s, "/new/$1"));
    exchange x("GET", "/old/a/b.html");
    EXPECT_EQ(step->on_request(x.req, x.res), verdict::answered);
    EXPECT_EQ(x.res.status(), s);
    EXPECT_EQ(x.res.header("Location"), "/new/a/b.html");
  }
}

TEST(Rules, RedirectUsesGlobCapturesInOrder) {
  auto step = one(redirect_rule({match_kind::glob, "/u/*/posts/*"}, status::moved_permanently,
                                "https://blog.example/$2/by/$1"));
  exchange x("GET", "/u/ann/posts/42");
  ASSERT_EQ(step->on_request(x.req, x.res), verdict::answered);
  EXPECT_EQ(x.res.header("Location"), "https://blog.example/42/by/ann");
}

TEST(Rules, RedirectKeepsTheQueryUnlessToldNot) {
  struct query_case {
    std::string target;
    bool keep;
    std::string query;
    std::string location;
  };
  const std::vector<query_case> cases{
      {"/new", true, "a=1&b=2", "/new?a=1&b=2"},
      {"/new?lang=fr", true, "a=1", "/new?lang=fr&a=1"},
      {"/new#top", true, "a=1", "/new?a=1#top"},
      {"/new#frag?x", true, "a=1", "/new?a=1#frag?x"},
      {"/new", true, "", "/new"},
      {"/new", false, "a=1", "/new"},
  };
  for (const query_case& c : cases) {
    SCOPED_TRACE(c.target + " ? " + c.query);
    auto step = one(redirect_rule({match_kind::exact, "/old"}, status::found, c.target, c.keep));
    exchange x("GET", "/old", c.query);
    ASSERT_EQ(step->on_request(x.req, x.res), verdict::answered);
    EXPECT_EQ(x.res.header("Location"), c.location);
  }
}

TEST(Rules, RedirectEncodesACaptureThatWouldBreakTheLocation) {
  auto step = one(redirect_rule({match_kind::prefix, "/go/"}, status::found, "/to/$1", false));
  exchange x("GET", "/go/a b?c");
  ASSERT_EQ(step->on_request(x.req, x.res), verdict::answered);
  EXPECT_EQ(x.res.header("Location"), "/to/a%20b%3Fc");
}

TEST(Rules, ANonMatchingPathPassesThrough) {
  auto step = one(redirect_rule({match_kind::exact, "/old"}, status::found, "/new"));
  exchange x("GET", "/older");
  EXPECT_EQ(step->on_request(x.req, x.res), verdict::next);
  EXPECT_EQ(x.res.status(), status::ok);
  EXPECT_FALSE(x.res.header("Location"));
}

TEST(Rules, ReturnWithoutABodyOnAnErrorStatusGetsTheStandardPage) {
  rule r = kind_rule({match_kind::prefix, "/premium/"}, rule_kind::return_);
  r.status = status::payment_required;
  r.add_headers = {{"X-Reason", "subscribe"}};
  auto step = one(std::move(r));
  exchange x("GET", "/premium/film");
  ASSERT_EQ(step->on_request(x.req, x.res), verdict::answered);
  EXPECT_EQ(x.res.status(), status::payment_required);
  EXPECT_TRUE(x.res.wants_error_page());
  EXPECT_EQ(x.res.header("X-Reason"), "subscribe");
}

TEST(Rules, ReturnWithABodySendsItWithItsType) {
  rule r = kind_rule({match_kind::exact, "/health"}, rule_kind::return_);
  r.status = status::ok;
  r.body = "{\"ok\":true}";
  r.content_type = "application/json";
  auto step = one(std::move(r));
  exchange x("GET", "/health");
  ASSERT_EQ(step->on_request(x.req, x.res), verdict::answered);
  EXPECT_EQ(x.res.status(), status::ok);
  EXPECT_EQ(x.res.body(), "{\"ok\":true}");
  EXPECT_EQ(x.res.header("Content-Type"), "application/json");
  EXPECT_FALSE(x.res.wants_error_page());
}

TEST(Rules, ReturnOnAnErrorStatusWithABodyKeepsTheBody) {
  rule r = kind_rule({match_kind::exact, "/pay"}, rule_kind::return_);
  r.status = status::payment_required;
  r.body = "pay first";
  auto step = one(std::move(r));
  exchange x("GET", "/pay");
  ASSERT_EQ(step->on_request(x.req, x.res), verdict::answered);
  EXPECT_EQ(x.res.status(), status::payment_required);
  EXPECT_EQ(x.res.body(), "pay first");
  EXPECT_EQ(x.res.header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_FALSE(x.res.wants_error_page());
}

TEST(Rules, ReturnWithoutABodyOnASuccessStatusSendsNoPage) {
  rule r = kind_rule({match_kind::exact, "/ping"}, rule_kind::return_);
  r.status = status::no_content;
  auto step = one(std::move(r));
  exchange x("GET", "/ping");
  ASSERT_EQ(step->on_request(x.req, x.res), verdict::answered);
  EXPECT_EQ(x.res.status(), status::no_content);
  EXPECT_FALSE(x.res.wants_error_page());
  EXPECT_TRUE(x.res.body().empty());
}

TEST(Rules, GoneTeapotAndConditionalAnswerWithTheirStatusAndStandardPage) {
  struct kind_case {
    rule_kind kind;
    std::string method;
    status expected;
  };
  const std::vector<kind_case> cases{
      {rule_kind::gone, "GET", status::gone},
      {rule_kind::teapot, "GET", status::im_a_teapot},
      {rule_kind::teapot, "BREW", status::im_a_teapot},
      {rule_kind::teapot, "WHEN", status::im_a_teapot},
      {rule_kind::teapot, "POST", status::im_a_teapot},
      {rule_kind::require_conditional, "PUT", status::precondition_required},
      {rule_kind::require_conditional, "DELETE", status::precondition_required},
      {rule_kind::require_conditional, "PATCH", status::precondition_required},
      {rule_kind::require_conditional, "MOVE", status::precondition_required},
  };
  for (const kind_case& c : cases) {
    SCOPED_TRACE(c.method + " -> " + std::to_string(http::to_int(c.expected)));
    auto step = one(kind_rule({match_kind::prefix, "/"}, c.kind));
    exchange x(c.method, "/pot");
    ASSERT_EQ(step->on_request(x.req, x.res), verdict::answered);
    EXPECT_EQ(x.res.status(), c.expected);
    EXPECT_TRUE(x.res.wants_error_page());
  }
}

TEST(Rules, LegalBlockNamesWhoDemandedIt) {
  rule r = kind_rule({match_kind::prefix, "/banned/"}, rule_kind::legal_block);
  r.blocked_by = "https://authority.example/orders/17";
  auto step = one(std::move(r));
  exchange x("GET", "/banned/book");
  ASSERT_EQ(step->on_request(x.req, x.res), verdict::answered);
  EXPECT_EQ(x.res.status(), status::unavailable_for_legal_reasons);
  EXPECT_EQ(x.res.header("Link"), "<https://authority.example/orders/17>; rel=\"blocked-by\"");
  EXPECT_TRUE(x.res.wants_error_page());
}

TEST(Rules, RequireConditionalLetsThroughWritesThatCarryAPrecondition) {
  auto step = one(kind_rule({match_kind::prefix, "/docs/"}, rule_kind::require_conditional));
  exchange with_match("PUT", "/docs/a", {}, {{"If-Match", "\"v1\""}});
  EXPECT_EQ(step->on_request(with_match.req, with_match.res), verdict::next);
  exchange with_date("DELETE", "/docs/a", {},
                     {{"if-unmodified-since", "Sun, 06 Nov 1994 08:49:37 GMT"}});
  EXPECT_EQ(step->on_request(with_date.req, with_date.res), verdict::next);
  exchange other_condition("PUT", "/docs/a", {}, {{"If-None-Match", "*"}});
  EXPECT_EQ(step->on_request(other_condition.req, other_condition.res), verdict::answered);
  for (const char* method : {"GET", "HEAD", "POST", "OPTIONS"}) {
    exchange read(method, "/docs/a");
    EXPECT_EQ(step->on_request(read.req, read.res), verdict::next) << method;
  }
}

TEST(Rules, RequireConditionalUsesItsOwnMethodListWhenGiven) {
  rule r = kind_rule({match_kind::prefix, "/"}, rule_kind::require_conditional);
  r.methods = {"POST"};
  auto step = one(std::move(r));
  exchange post("POST", "/x");
  EXPECT_EQ(step->on_request(post.req, post.res), verdict::answered);
  exchange put("PUT", "/x");
  EXPECT_EQ(step->on_request(put.req, put.res), verdict::next);
}

TEST(Rules, ASatisfiedConditionalRuleLetsTheSearchGoOn) {
  rules_options o;
  o.rules.push_back(kind_rule({match_kind::prefix, "/"}, rule_kind::require_conditional));
  o.rules.push_back(kind_rule({match_kind::prefix, "/old/"}, rule_kind::gone));
  auto step = make_rules(std::move(o));
  exchange x("PUT", "/old/x", {}, {{"If-Match", "*"}});
  ASSERT_EQ(step->on_request(x.req, x.res), verdict::answered);
  EXPECT_EQ(x.res.status(), status::gone);
}

TEST(Rules, TheFirstMatchingRuleWins) {
  rules_options o;
  o.rules.push_back(redirect_rule({match_kind::exact, "/a/special"}, status::found, "/first"));
  o.rules.push_back(redirect_rule({match_kind::prefix, "/a/"}, status::found, "/second"));
  o.rules.push_back(kind_rule({match_kind::prefix, "/"}, rule_kind::gone));
  auto step = make_rules(std::move(o));
  exchange special("GET", "/a/special");
  step->on_request(special.req, special.res);
  EXPECT_EQ(special.res.header("Location"), "/first");
  exchange other("GET", "/a/other");
  step->on_request(other.req, other.res);
  EXPECT_EQ(other.res.header("Location"), "/second");
  exchange rest("GET", "/b");
  step->on_request(rest.req, rest.res);
  EXPECT_EQ(rest.res.status(), status::gone);
  EXPECT_FALSE(rest.res.header("Location"));
}

TEST(Rules, MethodsRestrictARule) {
  rules_options o;
  rule post_only = redirect_rule({match_kind::exact, "/form"}, status::see_other, "/thanks");
  post_only.methods = {"POST"};
  o.rules.push_back(std::move(post_only));
  rule brew = kind_rule({match_kind::prefix, "/pot"}, rule_kind::teapot);
  brew.methods = {"BREW", "WHEN"};
  o.rules.push_back(std::move(brew));
  auto step = make_rules(std::move(o));

  exchange post("POST", "/form");
  EXPECT_EQ(step->on_request(post.req, post.res), verdict::answered);
  EXPECT_EQ(post.res.status(), status::see_other);
  exchange get("GET", "/form");
  EXPECT_EQ(step->on_request(get.req, get.res), verdict::next);
  exchange lower("post", "/form");  // methods are case-sensitive (RFC 9110 §9.1)
  EXPECT_EQ(step->on_request(lower.req, lower.res), verdict::next);
  exchange brew_req("BREW", "/pot");
  EXPECT_EQ(step->on_request(brew_req.req, brew_req.res), verdict::answered);
  EXPECT_EQ(brew_req.res.status(), status::im_a_teapot);
  exchange get_pot("GET", "/pot");
  EXPECT_EQ(step->on_request(get_pot.req, get_pot.res), verdict::next);
}

TEST(Rules, HeadersRulesActOnTheResponseAndNeverStopTheSearch) {
  rules_options o;
  rule edit = kind_rule({match_kind::prefix, "/"}, rule_kind::headers);
  edit.add_headers = {{"X-Frame-Options", "DENY"}, {"Cache-Control", "no-cache"}};
  edit.remove_headers = {"Server-Timing", "cache-control"};
  o.rules.push_back(std::move(edit));
  o.rules.push_back(kind_rule({match_kind::prefix, "/old/"}, rule_kind::gone));
  auto step = make_rules(std::move(o));

  exchange passes("GET", "/page");
  EXPECT_EQ(step->on_request(passes.req, passes.res), verdict::next);
  EXPECT_FALSE(passes.res.header("X-Frame-Options"));  // nothing before the response
  passes.res.set_header("Server-Timing", "db;dur=3");
  passes.res.set_header("Cache-Control", "max-age=60");
  step->on_response(passes.req, passes.res);
  EXPECT_EQ(passes.res.header("X-Frame-Options"), "DENY");
  EXPECT_FALSE(passes.res.header("Server-Timing"));
  EXPECT_EQ(passes.res.header("Cache-Control"), "no-cache");  // removed, then added: replaced

  exchange gone("GET", "/old/x");
  ASSERT_EQ(step->on_request(gone.req, gone.res), verdict::answered);
  EXPECT_EQ(gone.res.status(), status::gone);
  step->on_response(gone.req, gone.res);
  EXPECT_EQ(gone.res.header("X-Frame-Options"), "DENY");
}

TEST(Rules, HeadersRulesAppendAndHonourTheirMatchAndMethods) {
  rules_options o;
  rule api = kind_rule({match_kind::glob, "/api/**"}, rule_kind::headers);
  api.methods = {"GET"};
  api.add_headers = {{"Vary", "Origin"}};
  o.rules.push_back(std::move(api));
  auto step = make_rules(std::move(o));

  exchange get("GET", "/api/v1/x");
  get.res.add_header("Vary", "Accept");
  step->on_response(get.req, get.res);
  std::vector<std::string> vary;
  get.res.for_each_header([&](std::string_view name, std::string_view value) {
    if (name == "Vary") vary.emplace_back(value);
  });
  EXPECT_EQ(vary, (std::vector<std::string>{"Accept", "Origin"}));

  exchange post("POST", "/api/v1/x");
  step->on_response(post.req, post.res);
  EXPECT_FALSE(post.res.header("Vary"));
  exchange elsewhere("GET", "/web/x");
  step->on_response(elsewhere.req, elsewhere.res);
  EXPECT_FALSE(elsewhere.res.header("Vary"));
}

TEST(Rules, RulesThatCannotBeHonouredAreRefused) {
  auto refused = [](rule r) {
    rules_options o;
    o.rules.push_back(std::move(r));
    EXPECT_THROW(make_rules(std::move(o)), std::invalid_argument);
  };
  refused(redirect_rule({match_kind::exact, "/a"}, status::ok, "/b"));
  refused(redirect_rule({match_kind::exact, "/a"}, status::use_proxy, "/b"));
  refused(redirect_rule({match_kind::exact, "/a"}, status::found, ""));
  refused(redirect_rule({match_kind::exact, "/a"}, status::found, "/b\r\nSet-Cookie: x=1"));
  refused(redirect_rule({match_kind::exact, ""}, status::found, "/b"));
  for (status s : {status::use_proxy, status::unused_306, status::continue_, status::early_hints,
                   static_cast<status>(299), static_cast<status>(600)}) {
    rule r = kind_rule({match_kind::exact, "/a"}, rule_kind::return_);
    r.status = s;
    SCOPED_TRACE(http::to_int(s));
    refused(std::move(r));
  }
  rule body_on_204 = kind_rule({match_kind::exact, "/a"}, rule_kind::return_);
  body_on_204.status = status::no_content;
  body_on_204.body = "x";
  refused(std::move(body_on_204));
  refused(kind_rule({match_kind::exact, "/a"}, rule_kind::legal_block));
  rule bad_field = kind_rule({match_kind::exact, "/a"}, rule_kind::headers);
  bad_field.add_headers = {{"X-A", "1\n2"}};
  refused(std::move(bad_field));
}

TEST(Rules, EveryFinalStatusButTheNeverSentOnesCanBeReturned) {
  for (const http::status_info& info : http::all_statuses()) {
    const int code = http::to_int(info.code);
    if (code < 200 || http::is_never_sent(info.code)) continue;
    rule r = kind_rule({match_kind::exact, "/a"}, rule_kind::return_);
    r.status = info.code;
    SCOPED_TRACE(code);
    auto step = one(std::move(r));
    exchange x("GET", "/a");
    ASSERT_EQ(step->on_request(x.req, x.res), verdict::answered);
    EXPECT_EQ(x.res.status(), info.code);
  }
}

}  // namespace
}  // namespace teapot::handlers
