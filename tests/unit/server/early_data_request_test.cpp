// A request received in TLS 1.3 early data tells its handler so (RFC 8470 §5.1): the flag,
// and an Early-Data field an intermediary would have added, unless the client sent one.
#include <gtest/gtest.h>

#include <array>

#include "teapot/request.h"

namespace teapot {
namespace {

TEST(early_data_request, answers_early_data_1_only_when_it_came_early) {
  const std::array<header_field, 1> fields{{{"Host", "a.test"}}};
  request r;
  r.headers = fields;
  EXPECT_FALSE(r.header("Early-Data"));
  r.early_data = true;
  EXPECT_EQ(r.header("Early-Data"), "1");
  EXPECT_EQ(r.header("early-data"), "1");
  EXPECT_EQ(r.header("Host"), "a.test");
}

TEST(early_data_request, a_field_the_client_sent_is_its_own) {
  const std::array<header_field, 1> fields{{{"Early-Data", "1"}}};
  request r;
  r.headers = fields;
  EXPECT_EQ(r.header("Early-Data"), "1");  // as received; early_data stays false
  EXPECT_FALSE(r.early_data);
}

}  // namespace
}  // namespace teapot
