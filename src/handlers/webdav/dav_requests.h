// The request bodies of PROPFIND, PROPPATCH and LOCK (RFC 4918 §14), from parsed XML to what
// the handler acts on. A well-formed document of the wrong shape is 422 (RFC 4918 §8.2,
// RFC 9110 §15.5.21): each reader returns false then, with why set for the log (out is then
// of no use). Unknown elements, in any namespace, are skipped with their content (RFC 4918
// §17); an element the DTD of §14 requires and is missing, or one given twice, is a wrong
// shape.
#pragma once

#include <string>
#include <vector>

#include "handlers/webdav/xml.h"

namespace teapot::handlers::webdav {

// RFC 4918 §9.1, §14.20. An empty body is allprop (the caller's case: an empty body is no
// document). The order of allprop and include is not checked.
struct propfind_request {
  enum class kind : unsigned char { allprop, propname, prop } what = kind::allprop;
  std::vector<xml_name> names;  // prop: the properties asked for; allprop: those of <include>
};
bool read_propfind(const xml_element& root, propfind_request& out, std::string& why);

// RFC 4918 §9.2, §14.19: set and remove in document order, each a DAV:prop of one property or
// more; a propertyupdate without any is a wrong shape.
struct proppatch_instruction {
  bool remove = false;
  xml_name name;
  std::string value_xml;  // set: the property element as to_xml() writes it; remove: empty
};
bool read_proppatch(const xml_element& root, std::vector<proppatch_instruction>& out,
                    std::string& why);

// RFC 4918 §9.10, §14.11: only write locks exist (lockscope exclusive or shared).
struct lockinfo {
  bool exclusive = true;
  std::string owner_xml;  // the <D:owner> element as to_xml() writes it; empty when absent
};
bool read_lockinfo(const xml_element& root, lockinfo& out, std::string& why);

}  // namespace teapot::handlers::webdav
