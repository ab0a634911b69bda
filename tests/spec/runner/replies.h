// Responses read back from the bytes a server wrote, as strictly as tests/integration/wire.py
// reads them off a socket: a response that does not parse is an error, never a guess.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace teapot::spec {

struct reply {
  std::string status_line;
  int status = 0;
  std::vector<std::pair<std::string, std::string>> fields;
  std::string body;

  // The values of every line of the field, joined with ", "; nullopt when it is absent.
  std::optional<std::string> field(std::string_view name) const;
};

// Reads the response that starts at pos and moves pos past it. head_request: the request was
// HEAD (a final response then has no content). The error says what was wrong.
std::optional<reply> read_reply(std::string_view bytes, std::size_t& pos, bool head_request,
                                std::string& error);

}  // namespace teapot::spec
