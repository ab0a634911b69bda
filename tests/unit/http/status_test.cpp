// The status table against the stored copy of the IANA registry, and the facts RFC 9110 gives
// for each code.
#include "teapot/http/status.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <string>
#include <vector>

namespace {

using teapot::http::status;

struct registry_row {
  int code;
  std::string description;
  std::string reference;
};

// Splits one CSV line: fields separated by commas, a field may be quoted (no escaped quotes in
// the registry file).
std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else if (c != '\r') {
      fields.back().push_back(c);
    }
  }
  return fields;
}

std::vector<registry_row> read_registry() {
  std::ifstream in(std::string(TEAPOT_SHARED_DIR) + "/iana-status-codes.csv");
  EXPECT_TRUE(in) << "cannot open the registry copy under " << TEAPOT_SHARED_DIR;
  std::vector<registry_row> rows;
  std::string line;
  std::getline(in, line);  // header
  EXPECT_EQ(line.substr(0, 26), "code,description,reference");
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto f = split_csv(line);
    EXPECT_EQ(f.size(), 3u) << line;
    if (f.size() != 3) continue;
    rows.push_back({std::stoi(f[0]), f[1], f[2]});
  }
  return rows;
}

// Every enumerator, written out: the test fails if one is missing from the table.
constexpr status every_enumerator[] = {
    status::continue_,
    status::switching_protocols,
    status::processing,
    status::early_hints,
    status::ok,
    status::created,
    status::accepted,
    status::non_authoritative_information,
    status::no_content,
    status::reset_content,
    status::partial_content,
    status::multi_status,
    status::already_reported,
    status::im_used,
    status::multiple_choices,
    status::moved_permanently,
    status::found,
    status::see_other,
    status::not_modified,
    status::use_proxy,
    status::unused_306,
    status::temporary_redirect,
    status::permanent_redirect,
    status::bad_request,
    status::unauthorized,
    status::payment_required,
    status::forbidden,
    status::not_found,
    status::method_not_allowed,
    status::not_acceptable,
    status::proxy_authentication_required,
    status::request_timeout,
    status::conflict,
    status::gone,
    status::length_required,
    status::precondition_failed,
    status::content_too_large,
    status::uri_too_long,
    status::unsupported_media_type,
    status::range_not_satisfiable,
    status::expectation_failed,
    status::im_a_teapot,
    status::misdirected_request,
    status::unprocessable_content,
    status::locked,
    status::failed_dependency,
    status::too_early,
    status::upgrade_required,
    status::precondition_required,
    status::too_many_requests,
    status::request_header_fields_too_large,
    status::unavailable_for_legal_reasons,
    status::internal_server_error,
    status::not_implemented,
    status::bad_gateway,
    status::service_unavailable,
    status::gateway_timeout,
    status::http_version_not_supported,
    status::variant_also_negotiates,
    status::insufficient_storage,
    status::loop_detected,
    status::not_extended,
    status::network_authentication_required,
};

TEST(status_table, every_registry_entry_is_in_the_table_with_its_name_and_reference) {
  const auto rows = read_registry();
  ASSERT_GE(rows.size(), 60u);
  for (const auto& row : rows) {
    const auto* entry = teapot::http::find_status(row.code);
    ASSERT_NE(entry, nullptr) << row.code;
    EXPECT_EQ(teapot::http::to_int(entry->code), row.code);
    EXPECT_EQ(entry->registry_name, row.description) << row.code;
    EXPECT_EQ(entry->reference, row.reference) << row.code;
  }
}

TEST(status_table, holds_nothing_the_registry_does_not) {
  std::set<int> registered;
  for (const auto& row : read_registry())
    registered.insert(row.code);
  EXPECT_EQ(teapot::http::all_statuses().size(), registered.size());
  for (const auto& entry : teapot::http::all_statuses())
    EXPECT_TRUE(registered.count(teapot::http::to_int(entry.code))) << to_int(entry.code);
}

TEST(status_table, every_enumerator_has_its_own_entry) {
  EXPECT_EQ(std::size(every_enumerator), teapot::http::all_statuses().size());
  for (status s : every_enumerator) {
    const auto* entry = teapot::http::find_status(teapot::http::to_int(s));
    ASSERT_NE(entry, nullptr) << teapot::http::to_int(s);
    EXPECT_EQ(entry->code, s);
    EXPECT_EQ(&teapot::http::info(s), entry);
  }
}

TEST(status_table, is_in_increasing_order) {
  const auto all = teapot::http::all_statuses();
  for (std::size_t i = 1; i < all.size(); ++i)
    EXPECT_LT(teapot::http::to_int(all[i - 1].code), teapot::http::to_int(all[i].code));
}

TEST(status_table, numbers_outside_the_registry_are_not_found) {
  for (int code : {-1,  0,   1,   99,  104, 199, 209, 299, 309,  419,
                   420, 427, 430, 452, 509, 512, 599, 600, 1000, 65536 + 200})
    EXPECT_EQ(teapot::http::find_status(code), nullptr) << code;
}

TEST(status_table, unused_codes_keep_the_registry_label_and_418_its_traditional_phrase) {
  EXPECT_EQ(teapot::http::info(status::unused_306).registry_name, "(Unused)");
  EXPECT_EQ(teapot::http::info(status::im_a_teapot).registry_name, "(Unused)");
  EXPECT_EQ(teapot::http::reason_phrase(status::im_a_teapot), "I'm a teapot");
  EXPECT_EQ(teapot::http::info(status::not_extended).registry_name, "Not Extended (OBSOLETED)");
  EXPECT_EQ(teapot::http::reason_phrase(status::not_extended), "Not Extended");
}

TEST(status_table, wire_phrase_is_the_registry_name_except_where_the_registry_annotates_it) {
  const std::set<int> annotated = {418, 510};
  for (const auto& e : teapot::http::all_statuses()) {
    const int code = teapot::http::to_int(e.code);
    if (annotated.count(code))
      EXPECT_NE(e.reason, e.registry_name) << code;
    else
      EXPECT_EQ(e.reason, e.registry_name) << code;
  }
}

TEST(status_table, phrases_use_rfc_9112_8_reason_phrase_characters) {
  for (const auto& e : teapot::http::all_statuses()) {
    EXPECT_FALSE(e.reason.empty()) << to_int(e.code);
    for (char c : e.reason) {
      const auto u = static_cast<unsigned char>(c);
      EXPECT_TRUE(c == ' ' || c == '\t' || (u > 0x20 && u < 0x7f)) << to_int(e.code);
    }
  }
}

TEST(status_table, rfc_9110_phrases_for_renamed_codes) {
  EXPECT_EQ(teapot::http::reason_phrase(status::content_too_large), "Content Too Large");
  EXPECT_EQ(teapot::http::reason_phrase(status::unprocessable_content), "Unprocessable Content");
  EXPECT_EQ(teapot::http::reason_phrase(status::range_not_satisfiable), "Range Not Satisfiable");
  EXPECT_EQ(teapot::http::reason_phrase(status::uri_too_long), "URI Too Long");
}

TEST(status_table, cacheable_by_default_exactly_as_rfc_9110_15_1_and_rfc_7725) {
  const std::set<int> cacheable = {200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 451, 501};
  for (const auto& e : teapot::http::all_statuses()) {
    const int code = teapot::http::to_int(e.code);
    EXPECT_EQ(e.cacheable_by_default, cacheable.count(code) == 1) << code;
    EXPECT_EQ(teapot::http::is_cacheable_by_default(e.code), e.cacheable_by_default);
  }
}

TEST(status_table, content_is_forbidden_for_1xx_204_and_304_only) {
  for (const auto& e : teapot::http::all_statuses()) {
    const int code = teapot::http::to_int(e.code);
    const bool forbidden = code / 100 == 1 || code == 204 || code == 304;
    EXPECT_EQ(e.may_have_content, !forbidden) << code;
    EXPECT_EQ(teapot::http::may_have_content(e.code), !forbidden) << code;
  }
}

TEST(status_table, only_305_and_306_are_never_sent) {
  for (const auto& e : teapot::http::all_statuses()) {
    const int code = teapot::http::to_int(e.code);
    EXPECT_EQ(teapot::http::is_never_sent(e.code), code == 305 || code == 306) << code;
  }
}

TEST(status_table, class_follows_the_first_digit) {
  using teapot::http::status_class;
  EXPECT_EQ(teapot::http::class_of(status::continue_), status_class::informational);
  EXPECT_EQ(teapot::http::class_of(status::im_used), status_class::successful);
  EXPECT_EQ(teapot::http::class_of(status::permanent_redirect), status_class::redirection);
  EXPECT_EQ(teapot::http::class_of(status::unavailable_for_legal_reasons),
            status_class::client_error);
  EXPECT_EQ(teapot::http::class_of(status::network_authentication_required),
            status_class::server_error);
  EXPECT_TRUE(teapot::http::is_informational(status::early_hints));
  EXPECT_FALSE(teapot::http::is_informational(status::ok));
}

TEST(status_table, info_of_a_value_outside_the_registry_falls_back_to_500) {
  EXPECT_EQ(teapot::http::info(static_cast<status>(299)).code, status::internal_server_error);
}

}  // namespace
