// Whether a request may act: the If field (RFC 4918 §10.4), the locks it must hold the tokens
// of (§6, §7), and the conditional fields of RFC 9110 §13. Runs on the blocking-work pool.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "handlers/webdav/area.h"
#include "handlers/webdav/exchange_facts.h"
#include "http/if_header.h"

namespace teapot::handlers::webdav {

// A parsed If field and the tokens it submits, with the storage its views point into.
class if_context {
 public:
  // false: the field is malformed (400).
  bool read(const exchange_facts& facts);
  bool present() const noexcept { return field_.has_value(); }
  const http::if_field* field() const noexcept { return field_ ? &*field_ : nullptr; }
  // The tokens the request submits: the If field's, and extra (UNLOCK's Lock-Token).
  bool submits(std::string_view token) const noexcept;
  void add_token(std::string token) { extra_.push_back(std::move(token)); }

 private:
  std::string text_;
  std::optional<http::if_field> field_;
  std::vector<std::string> extra_;
};

// One place whose locks the request must hold a token for: its own locks and those of its
// ancestors' with depth infinity; with members, the locks below it too.
struct lock_scope {
  std::string_view path;
  bool members = false;
  static lock_scope of(std::string_view p) noexcept { return {p, false}; }
  static lock_scope tree(std::string_view p) noexcept { return {p, true}; }
};

// Callers check the conditions (below) before the locks: a request whose If field fails gets
// 412 even when it submits the right token, as the field is a precondition of the whole
// request (RFC 4918 §10.4.1), and a token counts only for a request that may proceed.
// 423 with DAV:lock-token-submitted naming the locked roots whose tokens were not submitted;
// nullopt when every lock in scope is held (any one token of a shared lock will do).
std::optional<outcome> check_locks(area& a, const if_context& ifc,
                                   std::initializer_list<lock_scope> scopes);

// 412 when the If field is present and no list of it holds (§10.4.3); also the conditional
// fields of RFC 9110 §13 against target (412). nullopt: go on.
std::optional<outcome> check_conditions(area& a, const exchange_facts& facts, const if_context& ifc,
                                        const resource_info& target);

// True when a URI's authority (Destination, an If field's resource tag) names the server the
// request reached: the Host field's, compared without case, a default port the same as none.
bool is_this_server(const exchange_facts& facts, std::string_view scheme,
                    std::string_view authority);

}  // namespace teapot::handlers::webdav
