// The XML bodies WebDAV responses carry besides multistatus: error elements with their
// precondition (RFC 4918 §16) and the lock discovery of LOCK (§14.1, §15.8).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "handlers/webdav/store.h"
#include "teapot/http/status.h"

namespace teapot::handlers::webdav {

inline constexpr std::string_view xml_type = "application/xml; charset=utf-8";
inline constexpr std::string_view xml_declaration = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";

// <D:error><D:name>[<D:href>...</D:href>...]</D:name></D:error>, hrefs already request paths.
std::string error_body(std::string_view precondition, const std::vector<std::string>& hrefs = {});

// "HTTP/1.1 207 Multi-Status", for <D:status>.
std::string status_text(http::status s);

// One <D:activelock> of a lock, its root given as a request path.
void append_activelock(std::string& out, const lock_record& lock, std::string_view root_href,
                       lock_clock::time_point now);

}  // namespace teapot::handlers::webdav
