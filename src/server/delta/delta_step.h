// Delta encoding (RFC 3229) as a step of server/representation, beside compression: decided
// before preconditions (a request that asks for instance-manipulations gets no content-coding,
// so that its ETag stays the instance's), carried out after them on the blocking-work pool
// (reading the file, keeping its version, the line diff and gzip), and put into the response
// back on the loop: 226 IM Used, or the 200 untouched when no manipulation pays.
// Thread contract: wants() and plan() on the connection's loop; work::run on any thread while
// the loop leaves the response alone; complete() on the loop.
#pragma once

#include <memory>
#include <string>

#include "server/delta/version_store.h"
#include "teapot/delta_encoding.h"
#include "teapot/request.h"
#include "teapot/response.h"

namespace teapot::srv::delta {

// True when res, a 200 to the GET req, falls under options (teapot/delta_encoding.h) and req
// accepts a manipulation the server applies: then the response gets no content-coding.
bool wants(const request& req, const response& res, const delta_encoding_options& options,
           bool has_range);

// What is left to do for a request wants() took, once preconditions let it through.
struct work {
  std::shared_ptr<const response> res;  // set by the caller; keeps the file open
  std::shared_ptr<version_store> store;
  std::string path;                         // the resource: Host, "\n" and the target as received
  std::string opaque;                       // the current instance's strong tag
  bool keep = false;                        // the current version is not kept yet
  std::shared_ptr<const std::string> base;  // the version named by If-None-Match, if kept
  std::string base_opaque;
  bool gzip = false;  // A-IM accepts it

  // Any thread: reads the content, keeps it, and makes the manipulated body.
  void run();
  std::string body;  // the manipulated instance
  std::string im;    // the IM field: empty when nothing paid
};

// The work for req, or null when there is none (the version is kept, and no manipulation
// could apply).
std::shared_ptr<work> plan(const request& req, const response& res,
                           const std::shared_ptr<version_store>& store);

// The loop's part after run(): res becomes the 226, or stays as it was.
void complete(response& res, work& done);

}  // namespace teapot::srv::delta
