#include "h1/parse_error.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace teapot::h1 {
namespace {

// Every enumerator with the status its RFC gives it; the last enumerator is checked to be
// the one the enum ends with, so that a new reason must be added here too.
TEST(parse_error, each_enumerator_maps_to_its_status) {
  using e = parse_error;
  using s = http::status;
  const std::vector<std::pair<parse_error, http::status>> table = {
      {e::bad_request_line, s::bad_request},
      {e::bad_method, s::bad_request},
      {e::bad_target, s::bad_request},
      {e::bad_target_form, s::bad_request},
      {e::bad_version, s::bad_request},
      {e::bare_line_feed, s::bad_request},
      {e::whitespace_before_colon, s::bad_request},
      {e::obs_fold, s::bad_request},
      {e::bad_field_name, s::bad_request},
      {e::bad_field_value, s::bad_request},
      {e::missing_colon, s::bad_request},
      {e::missing_host, s::bad_request},
      {e::duplicate_host, s::bad_request},
      {e::bad_host, s::bad_request},
      {e::content_length_with_transfer_encoding, s::bad_request},
      {e::bad_content_length, s::bad_request},
      {e::transfer_encoding_in_http10, s::bad_request},
      {e::chunked_not_last, s::bad_request},
      {e::bad_transfer_encoding, s::bad_request},
      {e::bad_chunk_size, s::bad_request},
      {e::bad_chunk_extension, s::bad_request},
      {e::bad_chunk_data, s::bad_request},
      {e::bad_trailer, s::bad_request},
      {e::length_required, s::length_required},
      {e::content_too_large, s::content_too_large},
      {e::chunk_line_too_long, s::content_too_large},
      {e::chunk_extensions_too_long, s::content_too_large},
      {e::request_line_too_long, s::uri_too_long},
      {e::unsupported_expectation, s::expectation_failed},
      {e::field_line_too_long, s::request_header_fields_too_large},
      {e::header_section_too_large, s::request_header_fields_too_large},
      {e::too_many_fields, s::request_header_fields_too_large},
      {e::unknown_method, s::not_implemented},
      {e::unknown_transfer_coding, s::not_implemented},
      {e::unsupported_version, s::http_version_not_supported},
  };
  ASSERT_EQ(static_cast<std::size_t>(e::unsupported_version) + 1, table.size());
  std::set<std::string_view> phrases;
  for (std::size_t i = 0; i < table.size(); ++i) {
    const auto [error, status] = table[i];
    EXPECT_EQ(static_cast<std::size_t>(error), i) << "table out of enum order at " << i;
    EXPECT_EQ(to_status(error), status) << describe(error);
    EXPECT_FALSE(describe(error).empty());
    phrases.insert(describe(error));
  }
  EXPECT_EQ(phrases.size(), table.size()) << "two reasons share a log phrase";
}

}  // namespace
}  // namespace teapot::h1
