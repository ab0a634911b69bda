#include "ws/base64.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace teapot::ws {
namespace {

// RFC 4648 §10's test vectors, both ways.
TEST(base64, rfc_4648_vectors) {
  const std::vector<std::pair<std::string, std::string>> table = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : table) {
    std::string out;
    append_base64(out, {reinterpret_cast<const std::uint8_t*>(plain.data()), plain.size()});
    EXPECT_EQ(out, encoded);
    EXPECT_EQ(base64_decoded_size(encoded), static_cast<long>(plain.size())) << encoded;
  }
}

TEST(base64, decoded_size_refuses_what_is_not_base64) {
  for (const char* bad :
       {"Zg=", "Zg", "Z===", "====", "Zm9v=Zg=", "Zm-v", "Zm_v", "Zm9 ", "=Zm9"}) {
    EXPECT_EQ(base64_decoded_size(bad), -1) << bad;
  }
}

}  // namespace
}  // namespace teapot::ws
