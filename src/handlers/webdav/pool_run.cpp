#include "handlers/webdav/pool_run.h"

#include <atomic>
#include <memory>

#include "handlers/webdav/xml_bodies.h"

namespace teapot::handlers::webdav {

namespace {

void tick(deferred_response dr, std::chrono::milliseconds interval,
          const std::shared_ptr<bool>& done) {
  dr.run_after(interval, [dr, interval, done]() mutable {
    if (*done) return;
    dr.res().send_interim(http::status::processing, {});
    tick(dr, interval, done);
  });
}

}  // namespace

void run_processing(deferred_response dr, std::chrono::milliseconds interval,
                    std::function<void()> work, std::function<void()> then) {
  // Read and written on the loop thread only: then and the ticks both run there.
  auto done = std::make_shared<bool>(false);
  if (interval.count() > 0) tick(dr, interval, done);
  dr.run_blocking(std::move(work), [done, then = std::move(then)] {
    *done = true;
    then();
  });
}

void apply(const outcome& o, response& res) {
  for (const auto& [name, value] : o.fields)
    res.add_header(name, value);
  if (!o.xml.empty()) {
    res.set_status(o.status);
    res.set_body(o.xml, xml_type);
  } else if (static_cast<int>(o.status) >= 400) {
    res.error(o.status);
  } else {
    res.set_status(o.status);
  }
}

}  // namespace teapot::handlers::webdav
