// What the server does with every handler's response before it is written (RFC 9110 §13, §14):
// conditional GET/HEAD (304, 412) from the validators the handler gave, byte ranges (206,
// 416, multipart/byteranges), and the site's on-the-fly compression (decided first, since it
// selects the representation whose validators count). Handlers only describe; this decides,
// once, for all of them. Delta encoding (server/delta) is the last of them.
// Thread contract: a plan belongs to one connection.
#pragma once

#include <cstdint>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "http/ranges.h"
#include "server/compression/compress_response.h"
#include "server/delta/delta_step.h"
#include "teapot/request.h"
#include "teapot/response.h"
#include "teapot/site.h"

namespace teapot::srv {

// How the content goes out when it is not the plain body: the parts of a multipart/byteranges
// answer, each a head followed by a window of the content (which stays where it is: in memory
// or in the file, never copied whole).
struct representation_plan {
  struct part {
    std::string head;  // delimiter, Content-Type, Content-Range, empty line
    std::uint64_t first = 0;
    std::uint64_t length = 0;
  };
  std::vector<part> parts;           // empty: the body as the response holds it
  std::string closing;               // the close-delimiter
  std::uint64_t content_length = 0;  // of the whole multipart content
  http::range_selection selection;   // reused from request to request
  // When apply_representation() leaves the coding of a large file to the pool: how to code it.
  compression::decision coding;
  // When apply_representation() leaves delta encoding's work to the pool (RFC 3229): what.
  std::shared_ptr<delta::work> delta;

  bool is_multipart() const noexcept { return !parts.empty(); }
  void clear() noexcept {
    parts.clear();
    closing.clear();
    content_length = 0;
    coding = {};
    delta.reset();
  }
};

// Applies RFC 9110 §13.2 and §14 to res for req. now is the server clock (for
// If-Modified-Since dates in the future). Leaves res untouched when neither applies. A 412 or
// 416 gets the error page of site (null: the built-in one). False when all that is left is to
// code a file too large for the loop (compression::is_pool_work): plan.coding says how, and
// compression::complete() ends the work once a compression::file_coding has run; or when
// plan.delta holds delta encoding's work, which delta::complete() ends once it has run.
bool apply_representation(const request& req, response& res, std::time_t now,
                          representation_plan& plan, const site* site = nullptr);

}  // namespace teapot::srv
