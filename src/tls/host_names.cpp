#include "tls/host_names.h"

#include <algorithm>

namespace teapot::tls {
namespace {

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

// An IPv4 dotted quad or an IPv6 literal: matched exactly, never by a wildcard.
bool looks_like_ip_address(std::string_view host) {
  if (host.find(':') != std::string_view::npos) return true;
  return !host.empty() && std::all_of(host.begin(), host.end(),
                                      [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

}  // namespace

std::string normalize_host(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  else if (!host.empty() && host.back() == '.')
    host.remove_suffix(1);
  std::string out(host);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

bool is_wildcard(std::string_view name) {
  return name.size() > 2 && name.substr(0, 2) == "*.";
}

bool name_covers(std::string_view name, std::string_view host) {
  const std::string h = normalize_host(host);
  if (h.empty() || name.empty()) return false;
  if (!is_wildcard(name)) return equal_ignoring_case(normalize_host(name), h);
  const std::string_view suffix = name.substr(1);  // ".example.com"
  // The wildcard must sit over at least two labels ("*.com" covers nothing).
  if (suffix.find('.', 1) == std::string_view::npos || suffix.find('*') != std::string_view::npos)
    return false;
  if (looks_like_ip_address(h) || h.size() <= suffix.size()) return false;
  const std::string_view label = std::string_view(h).substr(0, h.size() - suffix.size());
  return label.find('.') == std::string_view::npos &&
         equal_ignoring_case(std::string_view(h).substr(label.size()), suffix);
}

}  // namespace teapot::tls
