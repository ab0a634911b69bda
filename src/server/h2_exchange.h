// The HTTP/2 side of an exchange, as h1_exchange.h is the HTTP/1.1 side: what the pipeline
// learns from a stream's head, and how a finished exchange's response becomes a HEADERS frame's
// fields and a content the session pulls as the flow-control windows open. The decisions
// (status, fields, representation) are the pipeline's, the same on both protocols; only the
// framing differs: no chunked coding, no Connection field, a content-length when known.
// Thread contract: the exchange's loop thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "h2/response_body.h"
#include "h2/session_events.h"
#include "server/exchange.h"
#include "server/pipeline.h"

namespace teapot::srv::h2_exchange {

// :authority (or Host, which the codec takes in its place) chooses the site; END_STREAM on the
// head says there is no content (RFC 9113 §8.1).
pipeline::head_facts facts_of(const h2::request_head& h);

// The response's fields as HTTP/2 sends them: the response's own, content-length when the
// length is known and the status may have content, date and server. Views into the response
// and into scratch; valid until either changes.
void head_fields(const exchange& ex, std::string_view date, std::string_view server,
                 std::string& scratch, std::vector<header_field>& out);

// True when the response carries no content on the wire: HEAD, 1xx, 204, 304 (RFC 9110 §6.4.1).
bool has_no_content(const exchange& ex) noexcept;

// The content of a response held in memory or in a file (not a source): small content copied,
// larger content pulled from the response or the file as the windows open, never read whole.
// Multipart byte ranges part by part. A file that cannot give what content-length announced
// ends the pull early; bytes_out counts what the source gave.
h2::response_body content_of(exchange& ex, std::uint64_t& length);

}  // namespace teapot::srv::h2_exchange
