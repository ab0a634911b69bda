// A step of a site's pipeline: it runs for every request of the site, in the order the steps
// were added, after the request head has arrived and before the content is read and the router
// runs. A step answers the request itself (captive portal, maintenance, rate limit, auth,
// configured rules) or lets it through, perhaps after sending an interim 103.
// Thread contract: on_request and on_response run on the connection's loop thread, on any
// worker at once: a step that keeps state guards it, or keeps it per thread.
#pragma once

#include "teapot/request.h"
#include "teapot/response.h"

namespace teapot {

class policy {
 public:
  enum class verdict : unsigned char {
    next,      // let the request through to the next step
    answered,  // res holds the final response; no later step and no handler runs
  };

  virtual ~policy() = default;
  // req.body is empty here: a step decides from the head alone, so that a refused request is
  // refused before its content is sent (and before 100 Continue).
  virtual verdict on_request(const request& req, response& res) = 0;
  // Runs for every final response of the site, whoever produced it, in reverse order of the
  // steps (headers to add or remove, say). The default does nothing.
  virtual void on_response(const request& req, response& res) {
    (void)req;
    (void)res;
  }
};

}  // namespace teapot
