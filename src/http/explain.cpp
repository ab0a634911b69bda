#include "http/explain.h"

#include <string_view>

namespace teapot::http {
namespace {

// The labels of each line, per language. French puts a space before the colon.
struct labels {
  std::string_view class_label;
  std::string_view meaning_label;
  std::string_view reference_label;
  std::string_view headers_label;
  std::string_view no_headers;
  std::string_view registry_label;
  std::string_view never_sent;
};

constexpr labels english{
    "Class: ",
    "Meaning: ",
    "Defined in: ",
    "Required headers: ",
    "none",
    "Registry name: ",
    "Note: teapot never sends this code; configuration that asks for it is refused.",
};

constexpr labels french{
    "Classe : ",
    "Signification : ",
    "Définition : ",
    "En-têtes requis : ",
    "aucun",
    "Nom dans le registre : ",
    "Remarque : teapot n’envoie jamais ce code ; une configuration qui le demande est refusée.",
};

void append_line(std::string& out, std::string_view label, std::string_view text) {
  out.append(label).append(text).push_back('\n');
}

void append_headers(std::string& out, status s, const labels& l) {
  out.append(l.headers_label);
  const auto headers = required_headers(s);
  if (headers.empty()) out.append(l.no_headers);
  for (std::size_t i = 0; i < headers.size(); ++i) {
    if (i > 0) out.append(", ");
    out.append(headers[i]);
  }
  out.push_back('\n');
}

}  // namespace

std::string explain(int code, language lang) {
  const status_info* entry = find_status(code);
  if (!entry) return {};
  const status s = entry->code;
  const labels& l = lang == language::fr ? french : english;
  std::string out;
  out.append(std::to_string(code)).push_back(' ');
  out.append(title(s, lang));
  // The phrase on the wire stays English; a French reader still needs to recognise it.
  if (lang != language::en) out.append(" (").append(entry->reason).append(")");
  out.push_back('\n');
  append_line(out, l.class_label, class_title(s, lang));
  append_line(out, l.meaning_label, meaning(s, lang));
  append_line(out, l.reference_label, entry->reference);
  append_headers(out, s, l);
  if (entry->registry_name != entry->reason)
    append_line(out, l.registry_label, entry->registry_name);
  if (is_never_sent(s)) out.append(l.never_sent).push_back('\n');
  return out;
}

}  // namespace teapot::http
