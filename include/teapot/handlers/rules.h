// Configured answers by path: redirects, fixed responses, 410, 451, 418, 428, and response
// header edits. A policy step (teapot/policy.h) for a site's pipeline.
//
// On each request the rules are tried in order and the first one that matches answers; the
// `headers` rules are skipped there: they never answer and never stop the search, and act in
// on_response on every final response of a matching request, whoever produced it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "teapot/handlers/path_match.h"
#include "teapot/http/status.h"
#include "teapot/policy.h"

namespace teapot::handlers {

enum class rule_kind : std::uint8_t {
  // status (301, 302, 303, 307 or 308) with Location: target, its $1..$9 replaced by the
  // match's captures; with keep_query, the request's query is appended after '?' (or '&'
  // when the target has one already), before any fragment.
  redirect,
  // status (200-599, not 305 or 306), with body and content_type when body is set (a body
  // without a type is sent as text/plain; charset=utf-8) and add_headers. An error status
  // without a body gets the server's standard error page.
  return_,
  gone,         // 410 with the standard page (RFC 9110 §15.5.11)
  legal_block,  // 451 with Link: <blocked_by>; rel="blocked-by" (RFC 7725 §3)
  // 418 for any method. BREW and WHEN (RFC 2324, RFC 7168) reach the pipeline only when the
  // server's method set (server_options::methods) lists them: the parser answers 501 to a
  // method the server does not know, before any step runs.
  teapot,
  // 428 (RFC 6585 §3) when the request's method is one of `methods` (when empty: PUT, DELETE,
  // PATCH and MOVE) and it carries neither If-Match nor If-Unmodified-Since, so that a write
  // cannot silently overwrite someone else's change. A request that carries one is not
  // matched by the rule, and the search goes on.
  require_conditional,
  // Removes remove_headers, then adds add_headers (appended: to replace a field, name it in
  // both) on every final response to a matching request.
  headers,
};

struct rule {
  path_match match{};
  // The rule applies only to these methods (compared case-sensitively, RFC 9110 §9.1); empty:
  // any method (require_conditional: its own default list, above).
  std::vector<std::string> methods{};
  rule_kind kind = rule_kind::return_;
  http::status status = http::status::ok;  // redirect and return_; the others imply theirs
  std::string target{};                    // redirect
  bool keep_query = true;                  // redirect
  std::string body{};                      // return_
  std::string content_type{};              // return_, with a body
  std::string blocked_by{};                // legal_block: the URL of who demanded the block
  std::vector<std::pair<std::string, std::string>> add_headers{};  // return_, headers
  std::vector<std::string> remove_headers{};                       // headers
};

struct rules_options {
  std::vector<rule> rules{};  // in order: the first match wins
};

// Throws std::invalid_argument for a rule that cannot be honoured: a redirect status that is
// not one, or an empty target; a return_ status outside 200-599, 305, 306, a number the status
// registry does not hold, or a body on a status that carries none (RFC 9110 §6.4.1); a
// legal_block without blocked_by; an empty pattern; a field with CR, LF or NUL.
std::shared_ptr<policy> make_rules(rules_options options);

}  // namespace teapot::handlers
