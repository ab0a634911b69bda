// The properties of a resource as PROPFIND reports them (RFC 4918 §15): the live ones, computed
// from the file, and the dead ones, from the store. Runs on the blocking-work pool.
#pragma once

#include <string>
#include <string_view>

#include "handlers/webdav/area.h"
#include "handlers/webdav/dav_requests.h"

namespace teapot::handlers::webdav {

// A property the server computes; all but displayname refuse PROPPATCH (403,
// DAV:cannot-modify-protected-property).
bool is_live(const xml_name& n) noexcept;
bool is_protected(const xml_name& n) noexcept;

// Appends one <D:response> for the resource at apath (which exists: info) answering the
// request. href is its request path.
void append_propfind_response(std::string& out, area& a, const std::string& apath,
                              const resource_info& info, const propfind_request& req);

// A <D:response> for a binding already reported (RFC 5842 §7.1): href and 208, nothing more.
void append_already_reported(std::string& out, const area& a, const std::string& apath);

// <D:lockdiscovery> of the locks covering apath.
void append_lockdiscovery(std::string& out, area& a, const std::string& apath);

}  // namespace teapot::handlers::webdav
