// The "diffe" delta scripts (RFC 3229 §10.4): the input is split into an old and a new text at
// its first 0xFF byte; every script made is applied here as ed would (its commands only: Na,
// N[,M]c, N[,M]d, Ns/.//) and must give the new text exactly, within the limits it was given.
// tests/unit/http/ed_script_test.cpp checks the same against the real ed.
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "http/ed_script.h"

namespace {

using teapot::fuzz::check;

std::size_t number(std::string_view& s) {
  std::size_t n = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), n);
  check(r.ec == std::errc{});
  s.remove_prefix(static_cast<std::size_t>(r.ptr - s.data()));
  return n;
}

std::string_view next_line(std::string_view& s) {
  const std::size_t nl = s.find('\n');
  check(nl != std::string_view::npos);
  const std::string_view line = s.substr(0, nl + 1);
  s.remove_prefix(nl + 1);
  return line;
}

std::string apply(std::string_view text, std::string_view script) {
  std::vector<std::string> lines;
  while (!text.empty())
    lines.emplace_back(next_line(text));
  std::size_t previous = static_cast<std::size_t>(-1);  // addresses only go up the text
  while (!script.empty()) {
    std::string_view command = next_line(script);
    const std::size_t first = number(command);
    std::size_t last = first;
    if (command.front() == ',') {
      command.remove_prefix(1);
      last = number(command);
      check(last > first);
    }
    check(last <= lines.size());
    if (command == "s/.//\n") {
      check(first >= 1 && lines[first - 1] == "..\n");
      lines[first - 1] = ".\n";
      continue;
    }
    check(first < previous);
    previous = first;
    const auto at = lines.begin() + static_cast<std::ptrdiff_t>(first);
    std::vector<std::string> block;
    if (command != "d\n")
      for (std::string_view l = next_line(script); l != ".\n"; l = next_line(script))
        block.emplace_back(l);
    if (command == "a\n") {
      lines.insert(at, block.begin(), block.end());
      continue;
    }
    check(first >= 1 && (command == "c\n" || command == "d\n"));
    lines.erase(at - 1, lines.begin() + static_cast<std::ptrdiff_t>(last));
    lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(first - 1), block.begin(),
                 block.end());
  }
  std::string out;
  for (const auto& l : lines)
    out += l;
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = teapot::fuzz::as_text(data, size);
  const std::size_t cut = input.find('\xff');
  const std::string_view old_text = input.substr(0, cut);
  const std::string_view new_text =
      cut == std::string_view::npos ? std::string_view{} : input.substr(cut + 1);
  teapot::http::ed_script_limits limits;
  limits.max_edits = 64 + size % 64;
  limits.max_output = new_text.size() + 16;
  const auto script = teapot::http::ed_script(old_text, new_text, limits);
  if (!script) return 0;
  check(script->size() < limits.max_output);
  check(apply(old_text, *script) == new_text);
  return 0;
}
