#include "server/error_page.h"

#include <cstddef>
#include <vector>

#include "http/accept_language.h"

namespace teapot::srv {
namespace {

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

void append_heading(std::string& out, http::status s, http::language lang) {
  const int code = http::to_int(s);
  out.append(std::to_string(code));
  const std::string_view name = http::title(s, lang);
  if (!name.empty()) out.append(" ").append(name);
}

// Every registered code's page in every language: row i of all_statuses(), column language.
struct page_cache {
  std::size_t languages = http::supported_language_tags().size();
  std::vector<std::string> pages;

  page_cache() {
    const auto statuses = http::all_statuses();
    pages.resize(statuses.size() * languages);
    for (std::size_t i = 0; i < statuses.size(); ++i) {
      if (!has_error_page_body(statuses[i].code)) continue;
      for (std::size_t l = 0; l < languages; ++l)
        pages[i * languages + l] =
            render_error_page(statuses[i].code, static_cast<http::language>(l));
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

bool has_error_page_body(http::status s) noexcept {
  return http::may_have_content(s) && s != http::status::reset_content;
}

std::string render_error_page(http::status s, http::language lang) {
  std::string out;
  out.reserve(768);
  out.append(page_start).append(http::language_tag(lang)).append(page_head);
  append_heading(out, s, lang);
  out.append(page_body);
  append_heading(out, s, lang);
  out.append("</h1>\n");
  if (const std::string_view text = http::meaning(s, lang); !text.empty())
    out.append("<p>").append(text).append("</p>\n");
  out.append("<hr>\n<p><small>").append(http::class_title(s, lang));
  out.append(" · teapot</small></p>\n").append(page_end);
  return out;
}

std::string_view error_page_html(http::status s, http::language lang) {
  const http::status_info* entry = http::find_status(http::to_int(s));
  if (entry == nullptr) return {};
  const auto row = static_cast<std::size_t>(entry - http::all_statuses().data());
  return cache().find(row, static_cast<std::size_t>(lang));
}

http::language language_for(std::string_view accept_language) noexcept {
  return http::language_from_tag(
      http::choose_language(accept_language, http::supported_language_tags()));
}

}  // namespace teapot::srv
