// GET, HEAD and OPTIONS: answered on the loop from one stat, as static files are; the server's
// representation stage then answers conditional and range requests from the metadata set here.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include "handlers/common/html.h"

#include "handlers/webdav/directory.h"
#include "handlers/webdav/methods.h"
#include "handlers/webdav/xml.h"
#include "http/mime_types.h"

namespace teapot::handlers::webdav {

std::string allow_for(const area& a, const resource_info& r) {
  if (a.options.read_only) return "OPTIONS, GET, HEAD, PROPFIND";
  if (!r.exists) return "OPTIONS, PUT, MKCOL, LOCK";
  std::string allow = "OPTIONS, GET, HEAD, DELETE, PROPFIND, PROPPATCH, COPY, MOVE, LOCK, UNLOCK";
  if (!r.collection) allow.append(", PUT");
  return allow;
}

void options(area& a, response& res, const std::string& apath) {
  resource_info r = stat_resource(a.fs_path(apath));
  res.set_status(http::status::no_content);
  // RFC 4918 §10.1: the classes this resource complies with; bind (RFC 5842 §8.1) is not
  // claimed, as BIND, UNBIND and REBIND are not implemented.
  res.add_header("DAV", "1, 2");
  res.add_header("Allow", allow_for(a, r));
  res.add_header("MS-Author-Via", "DAV");
}

namespace {

// A collection's members as a small HTML page, what a browser shows for a WebDAV folder; read
// on the pool, as a directory may be large.
void list_collection(const std::shared_ptr<area>& a, response& res, const std::string& apath) {
  auto page = std::make_shared<std::string>();
  deferred_response dr = res.defer();
  dr.run_blocking(
      [a, apath, page] {
        const std::string title = a->request_path(apath, true);
        page->assign("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Index of ");
        append_html_escaped(*page, title);
        page->append("</title></head><body><h1>Index of ");
        append_html_escaped(*page, title);
        page->append("</h1><ul>\n");
        std::vector<std::string> names;
        directory d(a->fs_path(apath));
        for (std::string n = d.next(); !n.empty(); n = d.next())
          if (!n.starts_with(reserved_prefix)) names.push_back(std::move(n));
        std::sort(names.begin(), names.end());
        for (const std::string& n : names) {
          const std::string member = child_of(apath, n);
          const bool dir = stat_resource(a->fs_path(member)).collection;
          // The whole path, so that the links hold whether the collection was asked for with
          // its trailing '/' or without.
          std::string href;
          append_href(href, a->request_path(member, dir));
          page->append("<li><a href=\"");
          append_html_escaped(*page, href);
          page->append("\">");
          append_html_escaped(*page, dir ? n + "/" : n);
          page->append("</a></li>\n");
        }
        page->append("</ul></body></html>\n");
      },
      [dr, page]() mutable {
        dr.res().html(*page);
        dr.send();
      });
}

}  // namespace

void get_or_head(const std::shared_ptr<area>& shared, response& res, const std::string& apath) {
  area& a = *shared;
  const std::string full = a.fs_path(apath);
  int fd = ::open(full.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return res.error(http::status::not_found);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return res.error(http::status::not_found);
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return list_collection(shared, res, apath);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return res.error(http::status::forbidden);
  }
  res.set_file(fd, 0, static_cast<std::uint64_t>(st.st_size), http::content_type_for_path(apath));
  res.set_etag(file_etag(st));
  res.set_last_modified(st.st_mtim.tv_sec);
}

}  // namespace teapot::handlers::webdav
