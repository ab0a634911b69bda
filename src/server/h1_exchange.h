// The HTTP/1.1 side of an exchange, for every transport that speaks HTTP/1.1 (h1_connection
// on a socket, memory_transport for the spec ring): what the pipeline learns from a parsed
// head, whether to answer Expect: 100-continue, and how a finished exchange's response is
// framed and its content laid out. The transports differ in how bytes move, not in these.
// Thread contract: the exchange's loop thread.
#pragma once

#include <cstdint>

#include "h1/request_parser.h"
#include "h1/serializer.h"
#include "server/exchange.h"
#include "server/output_queue.h"
#include "server/pipeline.h"

namespace teapot::srv::h1_exchange {

// The authority that chooses the site: the Host field, or an absolute-form target's authority,
// which replaces it (RFC 9112 §3.2.2). A view into the head.
std::string_view authority_of(const h1::request_head& h);

// The pipeline's facts of a complete head: the authority (RFC 9112 §3.2.2: with an
// absolute-form target, its authority replaces Host) and the announced content.
pipeline::head_facts facts_of(const h1::request_head& h);

enum class expect_step : std::uint8_t {
  none,           // no 100 to send (not asked, HTTP/1.0, content on its way or empty)
  send_continue,  // the route is known: 100 Continue, then read the content
  answer_now,     // no route takes it: the final status instead of 100 (RFC 9110 §10.1.1); the
                  // unread content makes the connection unusable for another request
};
// What to do about Expect: 100-continue once the pipeline has run on the head.
// content_started: bytes of the content arrived with the head.
expect_step on_expect(const h1::request_head& h, const exchange& ex, bool content_started);

// The head of the final response, after pipeline::finish: status, framing and persistence.
// keep_alive is what the connection allows; the result's keep_alive is false when the content
// is delimited by the close (HTTP/1.0, unknown length). Date and Server are the caller's.
h1::head_params head_of(const exchange& ex, bool keep_alive);

// Appends the response's content (held in memory or in a file; not a source) as framed by
// body: in memory, read into the output when small, or as a file part spliced in with
// sendfile (never read whole into memory); the parts of a multipart/byteranges answer in
// turn. False when the file cannot give what the head announced: the connection must close
// after what was queued.
bool append_content(exchange& ex, output_queue& out, h1::body_kind body);

}  // namespace teapot::srv::h1_exchange
