#include "teapot/router.h"

#include <gtest/gtest.h>

#include <string>

namespace teapot {
namespace {

// Each handler writes its name, so a test can tell which one the router chose.
handler named(std::string name) {
  return [name](const request&, response& res) { res.text(name); };
}

std::string run(const router::match& m) {
  if (!m.target) return "";
  response res;
  (*m.target)(request{}, res);
  return res.body();
}

class router_test : public ::testing::Test {
 protected:
  void SetUp() override {
    r.get("/hello", named("hello"));
    r.post("/hello", named("post-hello"));
    r.get("/jobs/{id}", named("job"));
    r.get("/jobs/{id}/result", named("job-result"));
    r.route("DELETE", "/jobs/{id}", named("delete-job"));
    r.get("/static/*", named("static"));
    r.get("/static/deep/*", named("deep"));
    r.route("*", "/any/*", named("any"));
  }
  router::match find(std::string_view method, std::string_view path) {
    router::match m;
    r.find(method, path, m);
    return m;
  }
  router r;
};

TEST_F(router_test, exact_routes_match_by_method) {
  EXPECT_EQ(run(find("GET", "/hello")), "hello");
  EXPECT_EQ(run(find("POST", "/hello")), "post-hello");
}

TEST_F(router_test, a_match_says_whether_its_route_takes_any_method) {
  // The pipeline answers an extended CONNECT (RFC 8441) for such a route itself.
  EXPECT_TRUE(find("CONNECT", "/any/x").any_method);
  EXPECT_EQ(run(find("CONNECT", "/any/x")), "any");
  EXPECT_FALSE(find("GET", "/hello").any_method);
  EXPECT_FALSE(find("HEAD", "/static/a").any_method);
  EXPECT_FALSE(find("PUT", "/hello").any_method);
}

TEST_F(router_test, head_falls_back_to_get) {
  EXPECT_EQ(run(find("HEAD", "/hello")), "hello");
}

TEST_F(router_test, another_method_on_a_known_path_gives_the_allow_list) {
  router::match m = find("PUT", "/hello");
  EXPECT_EQ(m.target, nullptr);
  EXPECT_EQ(m.allow, "GET, HEAD, POST");
}

TEST_F(router_test, lists_every_method_its_routes_take_once) {
  std::string allow = "OPTIONS";
  r.list_methods(allow);
  // The "*" route takes any method: it names none.
  EXPECT_EQ(allow, "OPTIONS, GET, HEAD, POST, DELETE");
}

TEST_F(router_test, unknown_paths_have_no_route_and_no_allow) {
  router::match m = find("GET", "/nowhere");
  EXPECT_EQ(m.target, nullptr);
  EXPECT_TRUE(m.allow.empty());
}

TEST_F(router_test, parameters_capture_one_segment) {
  router::match m = find("GET", "/jobs/42");
  EXPECT_EQ(run(m), "job");
  ASSERT_EQ(m.params.size(), 1u);
  EXPECT_EQ(m.params[0].name, "id");
  EXPECT_EQ(m.params[0].value, "42");
  EXPECT_EQ(run(find("GET", "/jobs/42/result")), "job-result");
  EXPECT_EQ(find("GET", "/jobs/").target, nullptr);
  EXPECT_EQ(find("GET", "/jobs/1/2").target, nullptr);
}

TEST_F(router_test, parameter_routes_report_their_methods) {
  EXPECT_EQ(run(find("DELETE", "/jobs/7")), "delete-job");
  router::match m = find("POST", "/jobs/7");
  EXPECT_EQ(m.target, nullptr);
  EXPECT_EQ(m.allow, "GET, HEAD, DELETE");
}

TEST_F(router_test, the_longest_prefix_wins) {
  EXPECT_EQ(run(find("GET", "/static/a.css")), "static");
  EXPECT_EQ(run(find("GET", "/static/deep/b.css")), "deep");
  router::match m = find("POST", "/static/a.css");
  EXPECT_EQ(m.target, nullptr);
  EXPECT_EQ(m.allow, "GET, HEAD");
}

TEST_F(router_test, a_star_method_takes_every_method) {
  EXPECT_EQ(run(find("PATCH", "/any/thing")), "any");
  EXPECT_EQ(run(find("BREW", "/any/pot")), "any");
}

TEST(router, a_root_prefix_catches_everything) {
  router r;
  r.get("/*", named("files"));
  router::match m;
  r.find("GET", "/", m);
  EXPECT_EQ(run(m), "files");
  r.find("GET", "/a/b/c", m);
  EXPECT_EQ(run(m), "files");
}

}  // namespace
}  // namespace teapot
