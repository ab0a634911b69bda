#include "server/overload_answer.h"

#include "h1/serializer.h"
#include "http/date.h"
#include "http/status_line.h"
#include "server/error_page.h"
#include "teapot/request.h"
#include "teapot/response.h"

namespace teapot::srv {

namespace {

// Any IMF-fixdate: each refusal writes its own over it.
constexpr std::string_view date_placeholder = "Thu, 01 Jan 1970 00:00:00 GMT";
static_assert(date_placeholder.size() == http::imf_fixdate_size);

}  // namespace

overload_answer::overload_answer(const server_options& options, const site* site) {
  constexpr http::status s = http::status::service_unavailable;
  response res;
  res.error(s);
  res.set_header("Retry-After", std::to_string(options.limits.overload_retry_after.count()));
  fill_error_page(s, request{}, site, res);
  h1::head_params p;
  p.status = res.status();
  p.keep_alive = false;
  p.content_length = res.content_length();
  p.date = date_placeholder;
  p.server = options.server_header;
  h1::append_response_head(bytes_, p, [&res](auto&& emit) { res.for_each_header(emit); });
  bytes_.append(res.body());
  // append_response_head writes the Date field first, right after the status line.
  date_at_ = http::status_line(s).size() + std::string_view("Date: ").size();
}

std::array<iovec, 3> overload_answer::pieces(std::string_view date) const noexcept {
  const auto piece = [](std::string_view part) {
    return iovec{const_cast<char*>(part.data()), part.size()};
  };
  const std::string_view all = bytes_;
  return {piece(all.substr(0, date_at_)), piece(date.substr(0, http::imf_fixdate_size)),
          piece(all.substr(date_at_ + http::imf_fixdate_size))};
}

}  // namespace teapot::srv
