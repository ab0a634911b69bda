#include "http/ed_script.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace teapot::http {

namespace {

// ed reads a file whose last line lacks its newline by adding one, and stops nowhere on
// other bytes but NUL, which it cannot hold in a line.
bool is_ed_text(std::string_view t) noexcept {
  return t.empty() || (t.back() == '\n' && t.find('\0') == std::string_view::npos);
}

// Each line with its newline.
std::vector<std::string_view> split_lines(std::string_view t) {
  std::vector<std::string_view> lines;
  while (!t.empty()) {
    const std::size_t nl = t.find('\n');
    lines.push_back(t.substr(0, nl + 1));
    t.remove_prefix(nl + 1);
  }
  return lines;
}

// One place where the texts differ: old lines [old_first, old_end) become new lines
// [new_first, new_end), counted from 0 in the whole texts.
struct hunk {
  std::size_t old_first, old_end, new_first, new_end;
};

// Myers' O(ND) search ("An O(ND) Difference Algorithm and Its Variations", 1986) over line
// numbers: marks the lines of a to delete and of b to insert, fewest first. False past
// max_edits.
bool mark_edits(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b,
                std::size_t max_edits, std::vector<bool>& deleted, std::vector<bool>& inserted) {
  const auto n = static_cast<std::ptrdiff_t>(a.size());
  const auto m = static_cast<std::ptrdiff_t>(b.size());
  const auto max_d = static_cast<std::ptrdiff_t>(
      std::min<std::size_t>(static_cast<std::size_t>(n + m), max_edits));
  const std::ptrdiff_t off = max_d + 1;
  std::vector<std::ptrdiff_t> v(static_cast<std::size_t>(2 * max_d + 3), 0);
  // trace[d] holds v[-d..d] as it was after round d: the way back.
  std::vector<std::vector<std::ptrdiff_t>> trace;
  auto at = [&](std::ptrdiff_t k) -> std::ptrdiff_t& {
    return v[static_cast<std::size_t>(off + k)];
  };
  std::ptrdiff_t found = -1;
  for (std::ptrdiff_t d = 0; d <= max_d && found < 0; ++d) {
    for (std::ptrdiff_t k = -d; k <= d; k += 2) {
      std::ptrdiff_t x = (k == -d || (k != d && at(k - 1) < at(k + 1))) ? at(k + 1) : at(k - 1) + 1;
      std::ptrdiff_t y = x - k;
      while (x < n && y < m && a[static_cast<std::size_t>(x)] == b[static_cast<std::size_t>(y)]) {
        ++x;
        ++y;
      }
      at(k) = x;
      if (x >= n && y >= m) found = d;
    }
    trace.emplace_back(v.begin() + (off - d), v.begin() + (off + d + 1));
  }
  if (found < 0) return false;
  deleted.assign(a.size(), false);
  inserted.assign(b.size(), false);
  std::ptrdiff_t x = n;
  std::ptrdiff_t y = m;
  for (std::ptrdiff_t d = found; d > 0; --d) {
    const auto& prev = trace[static_cast<std::size_t>(d - 1)];
    auto get = [&](std::ptrdiff_t k) { return prev[static_cast<std::size_t>(k + d - 1)]; };
    const std::ptrdiff_t k = x - y;
    const bool down = k == -d || (k != d && get(k - 1) < get(k + 1));
    const std::ptrdiff_t prev_k = down ? k + 1 : k - 1;
    const std::ptrdiff_t prev_x = get(prev_k);
    const std::ptrdiff_t prev_y = prev_x - prev_k;
    if (down)
      inserted[static_cast<std::size_t>(prev_y)] = true;
    else
      deleted[static_cast<std::size_t>(prev_x)] = true;
    x = prev_x;
    y = prev_y;
  }
  return true;
}

void append_number(std::string& out, std::size_t n) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, r.ptr);
}

// The old lines first..last (from 1), as ed addresses them.
void append_range(std::string& out, std::size_t first, std::size_t last) {
  append_number(out, first);
  if (last != first) {
    out += ',';
    append_number(out, last);
  }
}

}  // namespace

std::optional<std::string> ed_script(std::string_view old_text, std::string_view new_text,
                                     const ed_script_limits& limits) {
  if (!is_ed_text(old_text) || !is_ed_text(new_text)) return std::nullopt;
  const std::vector<std::string_view> a = split_lines(old_text);
  const std::vector<std::string_view> b = split_lines(new_text);
  // Most edits touch a small part: the common start and end need no search.
  std::size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix])
    ++prefix;
  std::size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
         a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix])
    ++suffix;
  // The lines in between, each as a number that equal lines share.
  std::unordered_map<std::string_view, std::uint32_t> ids;
  auto number = [&](std::string_view line) {
    return ids.try_emplace(line, static_cast<std::uint32_t>(ids.size())).first->second;
  };
  std::vector<std::uint32_t> ia, ib;
  for (std::size_t i = prefix; i < a.size() - suffix; ++i)
    ia.push_back(number(a[i]));
  for (std::size_t i = prefix; i < b.size() - suffix; ++i)
    ib.push_back(number(b[i]));
  std::vector<bool> deleted, inserted;
  if (!mark_edits(ia, ib, limits.max_edits, deleted, inserted)) return std::nullopt;
  std::vector<hunk> hunks;
  for (std::size_t i = 0, j = 0; i < ia.size() || j < ib.size();) {
    if (i < ia.size() && j < ib.size() && !deleted[i] && !inserted[j]) {
      ++i;
      ++j;
      continue;
    }
    hunk h{prefix + i, 0, prefix + j, 0};
    while ((i < ia.size() && deleted[i]) || (j < ib.size() && inserted[j])) {
      if (i < ia.size() && deleted[i])
        ++i;
      else
        ++j;
    }
    h.old_end = prefix + i;
    h.new_end = prefix + j;
    hunks.push_back(h);
  }
  std::string out;
  std::vector<std::size_t> dots;
  for (auto it = hunks.rbegin(); it != hunks.rend(); ++it) {
    const hunk& h = *it;
    if (h.old_first == h.old_end) {
      append_number(out, h.old_first);
      out += "a\n";
    } else {
      append_range(out, h.old_first + 1, h.old_end);
      out += h.new_first == h.new_end ? "d\n" : "c\n";
    }
    if (h.new_first != h.new_end) {
      dots.clear();
      for (std::size_t j = h.new_first; j < h.new_end; ++j) {
        if (b[j] == ".\n") {
          out += '.';
          dots.push_back(j - h.new_first);
        }
        out += b[j];
      }
      out += ".\n";
      // The inserted block starts at the old line after old_first (its first line replaced,
      // or the line appended after it): the lines above it are the old text's still.
      for (std::size_t k : dots) {
        append_number(out, h.old_first + 1 + k);
        out += "s/.//\n";
      }
    }
    if (out.size() >= limits.max_output) return std::nullopt;
  }
  if (out.size() >= limits.max_output) return std::nullopt;
  return out;
}

}  // namespace teapot::http
