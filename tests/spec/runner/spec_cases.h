// The spec ring's cases, read from tests/spec/**/*.md (the format is in tests/spec/README.md):
// each "## " heading is a case, its ```http blocks the bytes a client sends on one connection,
// its ```response blocks what must come back, in order. tests/integration/test_spec_ring.py
// reads the same files the same way for the real binary.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace teapot::spec {

enum class field_check_kind { equals, contains, present, absent };

struct field_check {
  field_check_kind kind = field_check_kind::present;
  std::string name;
  std::string value;  // equals: the field's lines joined with ", "; contains: a part of that
};

// The connection after a response.
enum class connection_after { open, closed, waiting };

struct expected_response {
  int line = 0;             // of the block's opening fence
  std::string status_line;  // empty: "no response", nothing comes back
  std::vector<field_check> fields;
  std::optional<std::string> body;  // exact
  std::vector<std::string> body_contains;
  std::optional<connection_after> then;
};

struct spec_case {
  std::string file;  // relative to tests/spec
  int line = 0;      // of the heading
  std::string heading;
  std::string config;  // the file's config (tests/spec/config/NAME), default.toml unless named
  std::string input;   // the bytes of every http block, {{etag:/path}} still to be replaced
  std::vector<std::string> methods;  // of each http block's request, in order
  std::vector<expected_response> responses;
  connection_after after = connection_after::open;  // after the last response
};

// Every case of one file; throws std::runtime_error naming file:line on a malformed case.
std::vector<spec_case> read_spec_file(const std::filesystem::path& root,
                                      const std::filesystem::path& file);
// Every case of every .md file under root (README.md and deviations.md aside), in path order.
std::vector<spec_case> read_spec_tree(const std::filesystem::path& root);

// The escapes of the format: \r \n \t \0 \\ \xHH.
std::string unescape(std::string_view text);

// The first {{etag:/path}} of text, as its offset, length and path; nullopt without one.
struct placeholder {
  std::size_t at = 0;
  std::size_t length = 0;
  std::string path;
};
std::optional<placeholder> find_placeholder(std::string_view text);

}  // namespace teapot::spec
