#include "server/error_page.h"

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <vector>

#include "base/ascii.h"
#include "http/accept_language.h"
#include "http/negotiation.h"

namespace teapot::srv {
namespace {

// In enum order (page_language); "en" first, the default of choose_language.
constexpr std::string_view page_tags[] = {"en", "fr", "fr-x-uwu"};
static_assert(std::size(page_tags) == 3);
static_assert(static_cast<std::size_t>(page_language::fr_x_uwu) == 2);

// The parts around the texts. A viewport and a line of CSS keep the page readable on a phone
// without costing more than a few hundred bytes.
constexpr std::string_view page_start = "<!DOCTYPE html>\n<html lang=\"";
constexpr std::string_view page_head =
    "\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<style>body{font-family:sans-serif;max-width:40em;margin:3em auto;padding:0 1em}</style>\n"
    "<title>";
constexpr std::string_view page_body = "</title>\n</head>\n<body>\n<h1>";
constexpr std::string_view page_end = "</body>\n</html>\n";

// One of teapot's texts as the page language says it: as written, or through the uwu filter.
std::string page_text(std::string_view text, page_language lang) {
  return lang == page_language::fr_x_uwu ? uwu_filter(text) : std::string(text);
}

void append_heading(std::string& out, http::status s, page_language lang) {
  const int code = http::to_int(s);
  out.append(std::to_string(code));
  const std::string_view name = http::title(s, text_language(lang));
  if (!name.empty()) out.append(" ").append(page_text(name, lang));
}

constexpr bool is_vowel(char c) noexcept {
  switch (base::ascii::to_lower(c)) {
    case 'a':
    case 'e':
    case 'i':
    case 'o':
    case 'u':
      return true;
    default:
      return false;
  }
}
// A byte of 0x80 and above belongs to a UTF-8 letter ("é"): treating it as part of a word keeps
// "réseau" one word, so that "seau" is not counted as a word of its own.
constexpr bool is_word_byte(char c) noexcept {
  return base::ascii::is_alpha(c) || static_cast<unsigned char>(c) >= 0x80;
}

// Every registered code's page in every page language: row i of all_statuses(), column language.
struct page_cache {
  static constexpr std::size_t languages = std::size(page_tags);
  std::vector<std::string> pages;

  page_cache() {
    const auto statuses = http::all_statuses();
    pages.resize(statuses.size() * languages);
    for (std::size_t i = 0; i < statuses.size(); ++i) {
      if (!has_error_page_body(statuses[i].code)) continue;
      for (std::size_t l = 0; l < languages; ++l)
        pages[i * languages + l] =
            render_error_page(statuses[i].code, static_cast<page_language>(l));
    }
  }

  std::string_view find(std::size_t row, std::size_t language) const noexcept {
    if (language >= languages || row * languages + language >= pages.size()) return {};
    return pages[row * languages + language];
  }
};

const page_cache& cache() {
  static const page_cache built;
  return built;
}

}  // namespace

std::string_view page_language_tag(page_language lang) noexcept {
  const auto i = static_cast<std::size_t>(lang);
  return i < std::size(page_tags) ? page_tags[i] : page_tags[0];
}

std::span<const std::string_view> page_language_tags() noexcept {
  return page_tags;
}

bool has_error_page_body(http::status s) noexcept {
  return http::may_have_content(s) && s != http::status::reset_content;
}

std::string render_error_page(http::status s, page_language lang) {
  std::string out;
  out.reserve(768);
  out.append(page_start).append(page_language_tag(lang)).append(page_head);
  append_heading(out, s, lang);
  out.append(page_body);
  append_heading(out, s, lang);
  out.append("</h1>\n");
  if (const std::string_view text = http::meaning(s, text_language(lang)); !text.empty())
    out.append("<p>").append(page_text(text, lang)).append("</p>\n");
  out.append("<hr>\n<p><small>").append(page_text(http::class_title(s, text_language(lang)), lang));
  out.append(" · teapot</small></p>\n").append(page_end);
  return out;
}

std::string render_error_page(http::status s, http::language lang) {
  return render_error_page(s, to_page_language(lang));
}

std::string_view error_page_html(http::status s, page_language lang) {
  const http::status_info* entry = http::find_status(http::to_int(s));
  if (entry == nullptr) return {};
  const auto row = static_cast<std::size_t>(entry - http::all_statuses().data());
  return cache().find(row, static_cast<std::size_t>(lang));
}

std::string_view error_page_html(http::status s, http::language lang) {
  return error_page_html(s, to_page_language(lang));
}

void append_json_string_chars(std::string& out, std::string_view text) {
  constexpr char hex[] = "0123456789abcdef";
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        // RFC 8259 §7: the control characters U+0000..U+001F must be escaped; DEL may stay.
        if (c < 0x20) {
          out.append("\\u00").push_back(hex[c >> 4]);
          out.push_back(hex[c & 0xf]);
        } else {
          out.push_back(ch);
        }
    }
  }
}

std::string render_problem_json(http::status s, page_language lang) {
  std::string out;
  out.reserve(256);
  out.append(R"({"type":"about:blank")");
  // RFC 9457 §4.2.1: with about:blank the title should be the status's reason phrase, which
  // is the same in every language; the detail carries the localized explanation.
  if (const std::string_view title = http::title(s, http::language::en); !title.empty()) {
    out.append(R"(,"title":")");
    append_json_string_chars(out, title);
    out.push_back('"');
  }
  out.append(R"(,"status":)").append(std::to_string(http::to_int(s)));
  if (const std::string_view text = http::meaning(s, text_language(lang)); !text.empty()) {
    out.append(R"(,"detail":")");
    append_json_string_chars(out, page_text(text, lang));
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

std::string uwu_filter(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 4);
  std::size_t words = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!base::ascii::is_alpha(text[i])) {
      out.push_back(text[i]);  // UTF-8 bytes, digits, spaces, punctuation: as they are
      continue;
    }
    const char lower = base::ascii::to_lower(text[i]);
    const char shown = lower == 'r' || lower == 'l' ? 'w' : lower;
    const bool starts_word = i == 0 || !is_word_byte(text[i - 1]);
    if (starts_word && ++words % 4 == 0) out.append({shown, '-'});
    out.push_back(shown);
    if (lower == 'n' && i + 1 < text.size() && is_vowel(text[i + 1])) out.push_back('y');
  }
  return out;
}

http::language language_for(std::string_view accept_language) noexcept {
  return http::language_from_tag(
      http::choose_language(accept_language, http::supported_language_tags()));
}

page_language page_language_for(std::string_view accept_language) noexcept {
  const std::string_view tag = http::choose_language(accept_language, page_tags);
  for (std::size_t i = 0; i < std::size(page_tags); ++i)
    if (tag == page_tags[i]) return static_cast<page_language>(i);
  return page_language::en;
}

error_format error_format_for(std::optional<std::string_view> accept) {
  const int json = std::max(http::media_type_quality(accept, "application/problem+json"),
                            http::media_type_quality(accept, "application/json"));
  const int html = http::media_type_quality(accept, "text/html");
  return json > html ? error_format::problem_json : error_format::html;
}

}  // namespace teapot::srv
