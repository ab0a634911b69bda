#include "h1/response_semantics.h"

#include <limits>

#include "base/ascii.h"
#include "http/field_lists.h"
#include "http/hop_by_hop.h"

namespace teapot::h1 {

namespace ascii = base::ascii;

namespace {

// What the fields of a response head say about framing and the connection, in one pass.
struct response_facts {
  std::size_t content_length_count = 0;  // elements, across all Content-Length lines
  bool content_length_bad = false;
  std::uint64_t content_length = 0;
  bool transfer_encoding = false;
  bool transfer_encoding_bad = false;
  std::size_t chunked_count = 0;
  bool chunked_last = false;
  bool other_coding = false;
  bool close = false;
  bool keep_alive = false;
  bool connection_bad = false;
};

// 1*DIGIT without wrapping; false for anything else, an empty value included.
bool parse_length(std::string_view digits, std::uint64_t& n) {
  if (digits.empty()) return false;
  n = 0;
  for (char c : digits) {
    if (!ascii::is_digit(c)) return false;
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (n > (std::numeric_limits<std::uint64_t>::max() - d) / 10) return false;
    n = n * 10 + d;
  }
  return true;
}

// Content-Length = 1*DIGIT (RFC 9110 §8.6). RFC 9112 §6.3 item 5 lets a recipient take a
// list, or repeated fields, whose values are all valid and all the same as that one value;
// any other value is an unrecoverable error, which a proxy answers 502. An empty element
// ("5,") is refused too: nothing sends one, and it is a byte two readers may count apart.
void note_content_length(std::string_view value, response_facts& facts) {
  http::for_each_element(value, [&facts](std::string_view element) {
    std::uint64_t n = 0;
    if (!parse_length(element, n) ||
        (facts.content_length_count > 0 && n != facts.content_length)) {
      facts.content_length_bad = true;
    }
    facts.content_length = n;
    ++facts.content_length_count;
  });
}

// Transfer-Encoding = #transfer-coding (RFC 9112 §6.1), elements across all field lines in
// order, compared case-insensitively (RFC 9112 §7). As on the request side, an element must be
// a bare token: none of the registered codings takes a parameter, and an empty element could
// make two readers disagree on which coding is last.
void note_transfer_encoding(std::string_view value, response_facts& facts) {
  facts.transfer_encoding = true;
  http::for_each_element(value, [&facts](std::string_view coding) {
    if (!ascii::is_token(coding)) {
      facts.transfer_encoding_bad = true;
      return;
    }
    if (ascii::iequals(coding, "chunked")) {
      ++facts.chunked_count;
      facts.chunked_last = true;
    } else {
      facts.other_coding = true;
      facts.chunked_last = false;
    }
  });
}

void note_connection(std::string_view value, response_facts& facts,
                     std::vector<std::string_view>& options) {
  const std::size_t from = options.size();
  if (!http::add_connection_options(value, options)) facts.connection_bad = true;
  for (std::size_t k = from; k < options.size(); ++k) {
    if (ascii::iequals(options[k], "close")) facts.close = true;
    if (ascii::iequals(options[k], "keep-alive")) facts.keep_alive = true;
  }
}

response_facts gather_facts(std::span<const header_field> fields,
                            std::vector<std::string_view>& options) {
  response_facts facts;
  for (const header_field& f : fields) {
    if (ascii::iequals(f.name, "content-length")) {
      note_content_length(f.value, facts);
    } else if (ascii::iequals(f.name, "transfer-encoding")) {
      note_transfer_encoding(f.value, facts);
    } else if (ascii::iequals(f.name, "connection")) {
      note_connection(f.value, facts, options);
    }
  }
  return facts;
}

bool fail_with(response_error& e, response_error value) {
  e = value;
  return false;
}

// Framing fields are checked wherever they are not to be ignored, even when the status or the
// method leaves no content to frame: the proxy passes a HEAD's Content-Length on, and an
// upstream that frames wrongly is not trusted with the next request either.
bool check_framing_fields(const response_facts& facts, int version_minor, response_error& e) {
  if (facts.transfer_encoding) {
    // RFC 9112 §6.1: a client that receives an HTTP/1.0 message with Transfer-Encoding MUST
    // treat its framing as faulty, even with a Content-Length.
    if (version_minor == 0) return fail_with(e, response_error::transfer_encoding_in_http10);
    // RFC 9112 §6.1: a sender MUST NOT apply chunked more than once.
    if (facts.transfer_encoding_bad || facts.chunked_count > 1) {
      return fail_with(e, response_error::bad_transfer_encoding);
    }
    return true;  // §6.3 item 3: Transfer-Encoding overrides Content-Length, valid or not
  }
  if (facts.content_length_bad) return fail_with(e, response_error::bad_content_length);
  return true;
}

// RFC 9112 §6.3 items 1, 3, 6 and 8, once item 2 (tunnels) is set aside.
response_framing framing_of(const request_context& request, int status,
                            const response_facts& facts) {
  if (request.head || status < 200 || status == 204 || status == 304) {
    return response_framing::none;  // item 1
  }
  if (facts.transfer_encoding) {
    // Item 3: chunked last delimits the body; another coding last leaves only the close.
    return facts.chunked_last ? response_framing::chunked : response_framing::until_close;
  }
  if (facts.content_length_count > 0) return response_framing::content_length;  // item 6
  return response_framing::until_close;                                         // item 8
}

}  // namespace

bool apply_response_semantics(const request_context& request, response_head& head,
                              std::vector<std::string_view>& connection_options,
                              response_error& e) {
  const response_facts facts = gather_facts(head.fields, connection_options);
  // RFC 9110 §7.6.1: a proxy MUST remove the fields Connection names before forwarding; one
  // it cannot read names fields nobody can tell.
  if (facts.connection_bad) return fail_with(e, response_error::bad_connection);
  // RFC 9110 §15.2.2: a server MUST NOT switch to a protocol the request did not offer in
  // Upgrade; a proxy that tunnelled such a switch would hand the client bytes it never asked
  // to read as another protocol.
  if (head.status == 101) {
    if (!request.upgrade) return fail_with(e, response_error::unexpected_upgrade);
    head.framing = response_framing::tunnel;
    return true;
  }
  // RFC 9112 §6.3 item 2: a 2xx to CONNECT makes the connection a tunnel right after the
  // head; a client MUST ignore Content-Length and Transfer-Encoding in it.
  if (request.connect && head.status >= 200 && head.status < 300) {
    head.framing = response_framing::tunnel;
    return true;
  }
  if (!check_framing_fields(facts, head.version_minor, e)) return false;
  head.framing = framing_of(request, head.status, facts);
  head.transfer_coded = facts.transfer_encoding && facts.other_coding;
  // §6.3 item 3: both fields may be an attempt at smuggling or response splitting; the
  // Content-Length is dropped, and the connection is not used again.
  head.framing_conflict = facts.transfer_encoding && facts.content_length_count > 0;
  head.has_content_length = !facts.transfer_encoding && facts.content_length_count > 0;
  head.content_length = head.has_content_length ? facts.content_length : 0;
  // RFC 9112 §9.3: HTTP/1.1 persists unless "close"; HTTP/1.0 only with "keep-alive" (which a
  // proxy may honour in a response). A body that only the close ends ends the connection.
  head.keep_alive = !facts.close && (head.version_minor >= 1 || facts.keep_alive) &&
                    head.framing != response_framing::until_close && !head.framing_conflict;
  return true;
}

}  // namespace teapot::h1
