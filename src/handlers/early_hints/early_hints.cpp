#include "teapot/handlers/early_hints.h"

#include <stdexcept>
#include <string_view>
#include <utility>

namespace teapot::handlers::early_hints {

namespace {

using field = std::pair<std::string_view, std::string_view>;

struct entry {
  path_matcher matcher;
  std::vector<std::string> links;
  early_hints_clients clients;
  std::vector<field> fields;  // views into links, built once
};

// The choice of clients is HTTP/1.1's: every HTTP/2 client reads the interim HEADERS a
// response may begin with (RFC 9113 §8.1), and RFC 8297 §3 expects them to take a 103 there.
bool takes_interim(early_hints_clients clients, const request& req) {
  if (req.version_major >= 2) return true;
  switch (clients) {
    case early_hints_clients::all:
      return true;
    case early_hints_clients::none:
      return false;
    case early_hints_clients::known: {
      std::string_view agent = req.header("User-Agent").value_or(std::string_view{});
      return agent.starts_with("Mozilla/") || agent.starts_with("curl/");
    }
  }
  return false;
}

class early_hints_policy final : public policy {
 public:
  std::string_view name() const noexcept override { return "early_hints"; }
  explicit early_hints_policy(std::vector<early_hint> hints) {
    entries_.reserve(hints.size());
    for (early_hint& h : hints) {
      entries_.push_back(
          {path_matcher(std::move(h.match)), std::move(h.links), h.http1_clients, {}});
      entry& e = entries_.back();
      for (const std::string& link : e.links)
        e.fields.emplace_back("Link", link);
    }
  }

  // RFC 8297 §2: a 103 only hints; the final response still carries its own fields, so the
  // verdict is always next. The common case, one matching entry, sends its prepared fields
  // without allocating; several matching entries are merged into one 103.
  verdict on_request(const request& req, response& res) override {
    const entry* first = nullptr;
    std::vector<field> merged;
    for (const entry& e : entries_) {
      if (e.fields.empty() || !e.matcher.matches(req.path) || !takes_interim(e.clients, req))
        continue;
      if (first == nullptr) {
        first = &e;
        continue;
      }
      if (merged.empty()) merged.assign(first->fields.begin(), first->fields.end());
      merged.insert(merged.end(), e.fields.begin(), e.fields.end());
    }
    if (!merged.empty())
      res.send_interim(http::status::early_hints, merged);
    else if (first != nullptr)
      res.send_interim(http::status::early_hints, first->fields);
    return verdict::next;
  }

 private:
  // Never resized after construction: fields hold views into the links' strings.
  std::vector<entry> entries_;
};

}  // namespace

}  // namespace teapot::handlers::early_hints

namespace teapot::handlers {

std::shared_ptr<policy> make_early_hints(early_hints_options options) {
  for (const early_hint& h : options.hints)
    for (const std::string& link : h.links)
      if (link.empty() || link.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
        throw std::invalid_argument("an early hint's Link value must be a valid field value");
  return std::make_shared<early_hints::early_hints_policy>(std::move(options.hints));
}

}  // namespace teapot::handlers
