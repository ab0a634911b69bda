// TEMP stub, drop before merge: mount_webdav is written on another branch.
#include "teapot/handlers/webdav.h"

namespace teapot::handlers {

void mount_webdav(router& /*routes*/, webdav_options /*options*/) {}

}  // namespace teapot::handlers
