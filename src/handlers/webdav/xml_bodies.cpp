#include "handlers/webdav/xml_bodies.h"

#include "handlers/webdav/xml.h"

namespace teapot::handlers::webdav {

std::string error_body(std::string_view precondition, const std::vector<std::string>& hrefs) {
  std::string out(xml_declaration);
  out.append("<D:error xmlns:D=\"DAV:\"><D:").append(precondition);
  if (hrefs.empty()) {
    out.append("/></D:error>\n");
    return out;
  }
  out.push_back('>');
  for (const std::string& h : hrefs) {
    out.append("<D:href>");
    append_href(out, h);
    out.append("</D:href>");
  }
  out.append("</D:").append(precondition).append("></D:error>\n");
  return out;
}

std::string status_text(http::status s) {
  std::string out("HTTP/1.1 ");
  out.append(std::to_string(static_cast<int>(s))).push_back(' ');
  out.append(http::reason_phrase(s));
  return out;
}

void append_activelock(std::string& out, const lock_record& lock, std::string_view root_href,
                       lock_clock::time_point now) {
  out.append("<D:activelock><D:locktype><D:write/></D:locktype><D:lockscope>");
  out.append(lock.exclusive ? "<D:exclusive/>" : "<D:shared/>");
  out.append("</D:lockscope><D:depth>").append(lock.infinite ? "infinity" : "0");
  out.append("</D:depth>");
  out.append(lock.owner_xml);  // the <D:owner> element as the client gave it
  auto left = std::chrono::duration_cast<std::chrono::seconds>(lock.expires - now).count();
  out.append("<D:timeout>Second-").append(std::to_string(left > 0 ? left : 0));
  out.append("</D:timeout><D:locktoken><D:href>");
  append_escaped(out, lock.token);
  out.append("</D:href></D:locktoken><D:lockroot><D:href>");
  append_href(out, root_href);
  out.append("</D:href></D:lockroot></D:activelock>");
}

}  // namespace teapot::handlers::webdav
