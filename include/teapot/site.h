// A site: the host names it answers for, its pipeline of policies and its routes.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "teapot/policy.h"
#include "teapot/router.h"

namespace teapot {

class site {
 public:
  // Host names are matched case-insensitively, without the port: "example.com", "[::1]", and
  // "*.example.com" for any name ending in ".example.com".
  explicit site(std::vector<std::string> hosts = {});

  router& routes() noexcept { return routes_; }
  const router& routes() const noexcept { return routes_; }
  // Appends a step to the pipeline; steps run in the order added.
  site& add_policy(std::shared_ptr<policy> step);
  const std::vector<std::shared_ptr<policy>>& policies() const noexcept { return policies_; }
  const std::vector<std::string>& hosts() const noexcept { return hosts_; }

  // True when host (a Host field value or an authority, port included or not) names this site.
  bool answers_for(std::string_view host) const noexcept;

 private:
  std::vector<std::string> hosts_;
  std::vector<std::shared_ptr<policy>> policies_;
  router routes_;
};

// The host of a Host field value or authority: lower case is the caller's business; the port
// and the brackets' content are kept apart ("[::1]:8080" -> "[::1]", "a.b:80" -> "a.b").
std::string_view host_without_port(std::string_view authority) noexcept;

}  // namespace teapot
