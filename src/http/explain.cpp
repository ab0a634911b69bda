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
  std::string_view should_label;  // fields the RFC recommends (SHOULD)
  std::string_view may_label;     // fields the RFC allows (MAY) and teapot sends
  std::string_view should_word;
  std::string_view may_word;
  std::string_view source_sep;  // between the RFC and the word: French spaces its colon
  std::string_view no_headers;
  std::string_view registry_label;
  std::string_view never_sent;
};

constexpr labels english{
    "Class: ",
    "Meaning: ",
    "Defined in: ",
    "Required headers: ",
    "Recommended headers: ",
    "Headers teapot adds: ",
    "should",
    "may",
    ": ",
    "none",
    "Registry name: ",
    "Note: teapot never sends this code; configuration that asks for it is refused.",
};

constexpr labels french{
    "Classe : ",
    "Signification : ",
    "Définition : ",
    "En-têtes requis : ",
    "En-têtes recommandés : ",
    "En-têtes ajoutés par teapot : ",
    "devrait",
    "peut",
    " : ",
    "aucun",
    "Nom dans le registre : ",
    "Remarque : teapot n’envoie jamais ce code ; une configuration qui le demande est refusée.",
};

void append_line(std::string& out, std::string_view label, std::string_view text) {
  out.append(label).append(text).push_back('\n');
}

// One line per strength: the MUST fields always (or "none"), the SHOULD and MAY ones only when
// there are some, each with the RFC that weakens it ("Retry-After (RFC 6585: may)").
void append_headers(std::string& out, status s, const labels& l) {
  const auto headers = required_headers(s);
  auto line = [&](std::string_view label, field_strength strength, std::string_view word,
                  bool even_when_empty) {
    std::string items;
    for (std::string_view h : headers) {
      if (strength_of(s, h) != strength) continue;
      if (!items.empty()) items.append(", ");
      items.append(h);
      if (strength != field_strength::must)
        items.append(" (")
            .append(strength_source(s, h))
            .append(l.source_sep)
            .append(word)
            .append(")");
    }
    if (items.empty() && !even_when_empty) return;
    out.append(label).append(items.empty() ? l.no_headers : items).push_back('\n');
  };
  line(l.headers_label, field_strength::must, {}, true);
  line(l.should_label, field_strength::should, l.should_word, false);
  line(l.may_label, field_strength::may, l.may_word, false);
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
  // A phrase in parentheses already ("(Unused)") is not wrapped again.
  if (lang != language::en) {
    const std::string_view reason = entry->reason;
    if (reason.starts_with('('))
      out.append(" ").append(reason);
    else
      out.append(" (").append(reason).append(")");
  }
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
