#include "teapot/handlers/captive_portal.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace teapot::handlers {
namespace {

using verdict = policy::verdict;

struct exchange {
  std::vector<header_field> headers;
  request req;
  response res;
  exchange(std::string_view method, std::string_view path, std::string_view host = "site.test")
      : headers{{"Host", host}} {
    req.method = method;
    req.path = path;
    req.headers = headers;
  }
};

std::shared_ptr<policy> portal(std::string login_url) {
  return make_captive_portal({std::move(login_url)});
}

TEST(CaptivePortal, AnswersEveryRequestWith511AndAnUncachedPageLinkingToTheLogin) {
  auto step = portal("https://portal.example/login?from=wifi");
  for (const char* method : {"GET", "HEAD", "POST", "DELETE"}) {
    SCOPED_TRACE(method);
    exchange x(method, "/anything");
    ASSERT_EQ(step->on_request(x.req, x.res), verdict::answered);
    EXPECT_EQ(x.res.status(), http::status::network_authentication_required);
    EXPECT_EQ(x.res.header("Cache-Control"), "no-store");
    EXPECT_EQ(x.res.header("Content-Type"), "text/html; charset=utf-8");
    EXPECT_FALSE(x.res.wants_error_page());
    EXPECT_NE(x.res.body().find("<a href=\"https://portal.example/login?from=wifi\">"),
              std::string::npos)
        << x.res.body();
  }
}

TEST(CaptivePortal, EscapesTheLoginUrlInThePage) {
  auto step = portal("/login?a=1&b=\"2\"");
  exchange x("GET", "/");
  ASSERT_EQ(step->on_request(x.req, x.res), verdict::answered);
  EXPECT_NE(x.res.body().find("href=\"/login?a=1&amp;b=&quot;2&quot;\""), std::string::npos)
      << x.res.body();
  EXPECT_EQ(x.res.body().find("b=\"2\""), std::string::npos);
}

TEST(CaptivePortal, LetsThroughTheLoginPathOfThisSiteOnAnyHost) {
  auto step = portal("/login?next=/");
  exchange login("GET", "/login", "anything.test:8080");
  EXPECT_EQ(step->on_request(login.req, login.res), verdict::next);
  EXPECT_EQ(login.res.status(), http::status::ok);
  exchange post_login("POST", "/login");
  EXPECT_EQ(step->on_request(post_login.req, post_login.res), verdict::next);
  for (const char* other : {"/login/", "/login2", "/Login", "/"}) {
    exchange x("GET", other);
    EXPECT_EQ(step->on_request(x.req, x.res), verdict::answered) << other;
  }
}

TEST(CaptivePortal, LetsThroughAnAbsoluteLoginUrlOnlyOnItsHost) {
  auto step = portal("http://user@Portal.Example:8080/sign-in#form");
  exchange same_host("GET", "/sign-in", "portal.example");
  EXPECT_EQ(step->on_request(same_host.req, same_host.res), verdict::next);
  exchange with_port("GET", "/sign-in", "PORTAL.example:8080");
  EXPECT_EQ(step->on_request(with_port.req, with_port.res), verdict::next);
  exchange fqdn("GET", "/sign-in", "portal.example.");
  EXPECT_EQ(step->on_request(fqdn.req, fqdn.res), verdict::next);
  exchange other_host("GET", "/sign-in", "shop.example");
  EXPECT_EQ(step->on_request(other_host.req, other_host.res), verdict::answered);
  exchange other_path("GET", "/", "portal.example");
  EXPECT_EQ(step->on_request(other_path.req, other_path.res), verdict::answered);
}

TEST(CaptivePortal, AnAbsoluteUrlWithoutAPathExemptsTheRootOfItsHost) {
  auto step = portal("https://portal.example");
  exchange root("GET", "/", "portal.example");
  EXPECT_EQ(step->on_request(root.req, root.res), verdict::next);
  exchange page("GET", "/x", "portal.example");
  EXPECT_EQ(step->on_request(page.req, page.res), verdict::answered);
}

TEST(CaptivePortal, ComparesAnIpv6LiteralHostWithItsBrackets) {
  auto step = portal("http://[::1]:8080/login");
  exchange same("GET", "/login", "[::1]:9000");
  EXPECT_EQ(step->on_request(same.req, same.res), verdict::next);
  exchange other("GET", "/login", "[::2]:8080");
  EXPECT_EQ(step->on_request(other.req, other.res), verdict::answered);
}

TEST(CaptivePortal, RefusesALoginUrlItCannotUse) {
  for (const char* bad : {"", "login", "ftp://portal.example/", "//portal.example/login",
                          "https:///login", "/log in", "/login\r\nX: 1"}) {
    SCOPED_TRACE(bad);
    EXPECT_THROW(portal(bad), std::invalid_argument);
  }
}

}  // namespace
}  // namespace teapot::handlers
