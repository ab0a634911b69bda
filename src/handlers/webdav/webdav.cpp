#include "teapot/handlers/webdav.h"

namespace teapot::handlers {

const std::vector<std::string>& webdav_methods() {
  static const std::vector<std::string> methods{"GET",  "HEAD", "PUT",      "DELETE",
                                                "MKCOL", "COPY", "MOVE",     "PROPFIND",
                                                "PROPPATCH", "LOCK", "UNLOCK", "OPTIONS"};
  return methods;
}

}  // namespace teapot::handlers
