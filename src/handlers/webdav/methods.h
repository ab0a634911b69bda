// The WebDAV methods, one file each. Those that return an outcome run on the blocking-work
// pool from start to end; PUT and PROPFIND stream and drive the pool themselves; GET, HEAD and
// OPTIONS answer on the loop from one stat.
#pragma once

#include <memory>
#include <string>

#include "handlers/webdav/area.h"
#include "handlers/webdav/exchange_facts.h"
#include "teapot/request.h"
#include "teapot/response.h"

namespace teapot::handlers::webdav {

outcome mkcol(area& a, const exchange_facts& f);
outcome remove(area& a, const exchange_facts& f);  // DELETE
outcome copy_or_move(area& a, const exchange_facts& f);
outcome proppatch(area& a, const exchange_facts& f);
outcome lock(area& a, const exchange_facts& f);
outcome unlock(area& a, const exchange_facts& f);

void put(const std::shared_ptr<area>& a, const request& req, response& res, std::string apath);
void propfind(const std::shared_ptr<area>& a, const std::shared_ptr<const exchange_facts>& facts,
              deferred_response dr);
void get_or_head(const std::shared_ptr<area>& a, response& res, const std::string& apath);
void options(area& a, response& res, const std::string& apath);

// The methods the resource takes, for Allow (RFC 9110 §10.2.1).
std::string allow_for(const area& a, const resource_info& r);
// The body of the 207 that lists members that failed, each with its status.
std::string failures_body(const area& a, const std::vector<std::string>& apaths, http::status each);

}  // namespace teapot::handlers::webdav
