#include "teapot/handlers/mandatory_extensions.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace teapot::handlers {
namespace {

using verdict = policy::verdict;

struct extension_case {
  std::string method;
  std::vector<std::pair<std::string, std::string>> headers;
  verdict expected;
};

// header_field holds views: the strings live in the case.
std::vector<header_field> fields_of(const extension_case& c) {
  std::vector<header_field> out;
  for (const auto& [name, value] : c.headers)
    out.push_back({name, value});
  return out;
}

const std::string rights = "http://www.copyright.example/rights-management";
const std::string tracing = "http://ext.example/tracing";

TEST(MandatoryExtensions, Answers510ExactlyWhenAMandatoryExtensionIsNotImplemented) {
  auto step = make_mandatory_extensions({{rights}});
  const std::vector<extension_case> cases{
      {"GET", {}, verdict::next},
      {"GET", {{"Man", "\"" + tracing + "\"; ns=16"}}, verdict::answered},
      {"GET", {{"man", "\"" + tracing + "\""}}, verdict::answered},
      {"GET", {{"C-Man", "\"" + tracing + "\"; ns=20"}}, verdict::answered},
      {"GET", {{"Man", "\"" + rights + "\"; ns=16"}}, verdict::next},
      {"GET", {{"Man", "\"" + rights + "\", \"" + tracing + "\""}}, verdict::answered},
      {"GET", {{"Man", ", \"" + rights + "\" ,"}}, verdict::next},
      {"GET", {{"Man", "\"" + rights + "\""}, {"Man", "\"" + tracing + "\""}}, verdict::answered},
      // optional declarations may be ignored (RFC 2774 §4)
      {"GET", {{"Opt", "\"" + tracing + "\"; ns=11"}}, verdict::next},
      {"GET", {{"C-Opt", "\"" + tracing + "\""}}, verdict::next},
      // a Man field that is not a list of quoted identifiers demands something unknown
      {"GET", {{"Man", tracing}}, verdict::answered},
      {"GET", {{"Man", "\"\""}}, verdict::answered},
      {"GET", {{"Man", "\"" + rights}}, verdict::answered},
      {"GET", {{"Man", ""}}, verdict::answered},
      // identifiers compare exactly
      {"GET", {{"Man", "\"HTTP://www.copyright.example/rights-management\""}}, verdict::answered},
      // an M- method is never implemented (RFC 2774 §5)
      {"M-GET", {}, verdict::answered},
      {"M-PUT", {{"Man", "\"" + rights + "\"; ns=16"}}, verdict::answered},
      {"MKCOL", {}, verdict::next},
      {"m-get", {}, verdict::next},  // methods are case-sensitive: not an M- method
  };
  for (const extension_case& c : cases) {
    std::string trace = c.method;
    for (const auto& [name, value] : c.headers)
      trace += " / " + name + ": " + value;
    SCOPED_TRACE(trace);
    request req;
    req.method = c.method;
    req.path = "/";
    const std::vector<header_field> headers = fields_of(c);
    req.headers = headers;
    response res;
    ASSERT_EQ(step->on_request(req, res), c.expected);
    if (c.expected == verdict::answered) {
      EXPECT_EQ(res.status(), http::status::not_extended);
      EXPECT_TRUE(res.wants_error_page());
    } else {
      EXPECT_EQ(res.status(), http::status::ok);
    }
  }
}

TEST(MandatoryExtensions, WithNothingImplementedEveryMandatoryDeclarationIsRefused) {
  auto step = make_mandatory_extensions({});
  const std::string value = "\"" + rights + "\"";
  std::vector<header_field> headers{{"Man", value}};
  request req;
  req.method = "POST";
  req.path = "/";
  req.headers = headers;
  response res;
  EXPECT_EQ(step->on_request(req, res), verdict::answered);
  EXPECT_EQ(res.status(), http::status::not_extended);
}

}  // namespace
}  // namespace teapot::handlers
