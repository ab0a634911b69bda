#include "config/reader.h"

#include <algorithm>
#include <limits>
#include <tuple>

#include "config/single_quoted.h"
#include "config/units.h"

namespace teapot::config::detail {

diagnostics::diagnostics(std::filesystem::path file, std::filesystem::path base_dir)
    : file_(std::move(file)), base_dir_(std::move(base_dir)) {}

void diagnostics::error(const toml::source_region& where, std::string message) {
  error(where.begin, std::move(message));
}

void diagnostics::error(const toml::source_position& where, std::string message) {
  // toml++ quotes the offending text, which may hold a line break: one error stays one line.
  for (std::size_t i = 0; i < message.size(); ++i)
    if (message[i] == '\n' || message[i] == '\r' || message[i] == '\t')
      message.replace(i, 1, message[i] == '\n' ? "\\n" : message[i] == '\r' ? "\\r" : "\\t");
  // The root table has no position of its own; its errors belong to the top of the file.
  std::uint32_t line = where.line == 0 ? 1 : where.line;
  std::uint32_t column = where.column == 0 ? 1 : where.column;
  errors_.push_back({file_, line, column, std::move(message)});
}

void diagnostics::error_in(const std::filesystem::path& file, std::uint32_t line,
                           std::string message) {
  errors_.push_back({file, line, line == 0 ? 0u : 1u, std::move(message)});
}

std::vector<config_error> diagnostics::take() {
  std::stable_sort(errors_.begin(), errors_.end(), [this](const auto& a, const auto& b) {
    auto key = [this](const config_error& e) {
      return std::tuple(e.file != file_, e.line, e.column);
    };
    return key(a) < key(b);
  });
  return std::move(errors_);
}

std::filesystem::path diagnostics::resolve(std::string_view path) const {
  std::filesystem::path p{std::string(path)};
  if (p.is_relative()) p = base_dir_ / p;
  return p.lexically_normal();
}

std::string_view type_name(const toml::node& node) noexcept {
  switch (node.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time:
      return "a date or time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

namespace {

// Edits between two words, a swap of neighbours counting as one ("bdoy" is one from "body").
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i)
    d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j)
    d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::string near_miss(std::string_view word, const std::vector<std::string>& candidates) {
  // Up to a third of the word may be wrong ("keep_qurey" finds "keep_query"); a short word
  // must be nearly right, so that "to" does not suggest "tos" for every two-letter typo.
  std::size_t threshold = std::clamp<std::size_t>(word.size() / 3, 1, 3);
  std::size_t best = threshold + 1;
  std::string found;
  for (const std::string& c : candidates) {
    std::size_t d = edit_distance(word, c);
    if (d < best) {
      best = d;
      found = c;
    }
  }
  return found;
}

table_reader::table_reader(diagnostics& diag, const toml::table& table, std::string path)
    : diag_(diag), table_(table), path_(std::move(path)) {}

std::string table_reader::key_path(std::string_view key) const {
  if (path_.empty()) return std::string(key);
  return path_ + "." + std::string(key);
}

void table_reader::mark(std::string_view key) {
  if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.emplace_back(key);
}

const toml::node* table_reader::get(std::string_view key) {
  mark(key);
  return table_.get(key);
}

void table_reader::error_at(const toml::node& node, std::string_view key,
                            std::string_view message) {
  diag_.error(node.source(), key_path(key) + ": " + std::string(message));
}

void table_reader::error(std::string_view key, std::string_view message) {
  if (const toml::node* n = table_.get(key))
    error_at(*n, key, message);
  else
    diag_.error(table_.source(), key_path(key) + ": " + std::string(message));
}

void table_reader::missing(std::string_view key, std::string_view what) {
  std::string where = path_.empty() ? std::string("the file") : path_;
  diag_.error(table_.source(),
              where + ": '" + std::string(key) + "' is required (" + std::string(what) + ")");
}

bool table_reader::require(std::string_view key, std::string_view what) {
  mark(key);
  if (table_.get(key)) return true;
  missing(key, what);
  return false;
}

void table_reader::wrong_type(std::string_view key, const toml::node& node,
                              std::string_view expected) {
  error_at(node, key,
           "expected " + std::string(expected) + ", found " + std::string(type_name(node)));
}

std::optional<std::string> table_reader::string(std::string_view key) {
  const toml::node* n = get(key);
  if (!n) return std::nullopt;
  if (const auto* s = n->as_string()) return s->get();
  wrong_type(key, *n, "a string");
  return std::nullopt;
}

std::optional<bool> table_reader::boolean(std::string_view key) {
  const toml::node* n = get(key);
  if (!n) return std::nullopt;
  if (const auto* b = n->as_boolean()) return b->get();
  wrong_type(key, *n, "true or false");
  return std::nullopt;
}

std::optional<std::int64_t> table_reader::integer(std::string_view key, std::int64_t min,
                                                  std::int64_t max) {
  const toml::node* n = get(key);
  if (!n) return std::nullopt;
  const auto* i = n->as_integer();
  if (!i) {
    wrong_type(key, *n, "an integer");
    return std::nullopt;
  }
  if (i->get() < min || i->get() > max) {
    error_at(*n, key,
             std::to_string(i->get()) + " is out of range; expected " + std::to_string(min) +
                 " to " + std::to_string(max));
    return std::nullopt;
  }
  return i->get();
}

std::optional<std::uint64_t> table_reader::size(std::string_view key) {
  const toml::node* n = get(key);
  if (!n) return std::nullopt;
  if (const auto* i = n->as_integer(); i && i->get() >= 0)
    return static_cast<std::uint64_t>(i->get());
  if (const auto* s = n->as_string()) {
    if (auto v = parse_size(s->get())) return v;
    error_at(*n, key, single_quoted(s->get()) + " is not a size; write bytes or 8KiB, 1MiB, 2GiB");
    return std::nullopt;
  }
  wrong_type(key, *n, "a size such as \"8KiB\"");
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> table_reader::duration(std::string_view key) {
  const toml::node* n = get(key);
  if (!n) return std::nullopt;
  if (const auto* i = n->as_integer(); i && i->get() >= 0 && i->get() < (1LL << 40))
    return std::chrono::seconds(i->get());
  if (const auto* s = n->as_string()) {
    if (auto v = parse_duration(s->get())) return v;
    error_at(*n, key,
             single_quoted(s->get()) + " is not a duration; write seconds or 500ms, 2s, 1m, 1h");
    return std::nullopt;
  }
  wrong_type(key, *n, "a duration such as \"2s\"");
  return std::nullopt;
}

std::optional<std::vector<std::string>> table_reader::strings(std::string_view key) {
  const toml::node* n = get(key);
  if (!n) return std::nullopt;
  const auto* a = n->as_array();
  if (!a) {
    wrong_type(key, *n, "an array of strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (std::size_t i = 0; i < a->size(); ++i) {
    const toml::node& e = *a->get(i);
    if (const auto* s = e.as_string()) {
      out.push_back(s->get());
    } else {
      std::string item = std::string(key) + "[" + std::to_string(i) + "]";
      error_at(e, item, "expected a string, found " + std::string(type_name(e)));
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

const toml::table* table_reader::sub_table(std::string_view key) {
  const toml::node* n = get(key);
  if (!n) return nullptr;
  if (const auto* t = n->as_table()) return t;
  wrong_type(key, *n, "a table");
  return nullptr;
}

std::vector<const toml::table*> table_reader::tables(std::string_view key) {
  std::vector<const toml::table*> out;
  const toml::node* n = get(key);
  if (!n) return out;
  const auto* a = n->as_array();
  if (!a) {
    wrong_type(key, *n, "an array of tables ([[" + key_path(key) + "]])");
    return out;
  }
  for (std::size_t i = 0; i < a->size(); ++i) {
    const toml::node& e = *a->get(i);
    if (const auto* t = e.as_table())
      out.push_back(t);
    else
      error_at(e, std::string(key) + "[" + std::to_string(i) + "]",
               "expected a table, found " + std::string(type_name(e)));
  }
  return out;
}

void table_reader::refuse(std::string_view key, std::string_view why) {
  mark(key);
  if (table_.get(key)) error(key, why);
}

void table_reader::finish() {
  for (auto&& [key, value] : table_) {
    if (std::find(known_.begin(), known_.end(), key.str()) != known_.end()) continue;
    std::string message = key_path(key.str()) + ": unknown key";
    if (std::string near = near_miss(key.str(), known_); !near.empty())
      message += "; did you mean '" + near + "'?";
    else if (!known_.empty())
      message += "; this table takes " + [this] {
        std::string list;
        for (const std::string& k : known_)
          list += (list.empty() ? "" : ", ") + k;
        return list;
      }();
    diag_.error(key.source(), std::move(message));
  }
}

}  // namespace teapot::config::detail
