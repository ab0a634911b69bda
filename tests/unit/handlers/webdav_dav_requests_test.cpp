#include "handlers/webdav/dav_requests.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "webdav_tree.h"

namespace teapot::handlers::webdav {
namespace {

xml_element parsed(std::string_view document) {
  xml_element root;
  EXPECT_EQ(name_of(parse_xml(document, xml_limits{}, root)), "none") << document;
  return root;
}

std::string names(const std::vector<xml_name>& list) {
  std::string out;
  for (const xml_name& n : list) {
    if (!out.empty()) out += ' ';
    out += "{" + n.ns + "}" + n.local;
  }
  return out;
}

std::string_view name_of(propfind_request::kind k) {
  switch (k) {
    case propfind_request::kind::allprop:
      return "allprop";
    case propfind_request::kind::propname:
      return "propname";
    case propfind_request::kind::prop:
      return "prop";
  }
  return "?";
}

struct propfind_case {
  const char* why;
  std::string_view document;
  std::string_view kind;  // "refused" when read_propfind says no
  std::string_view names;
};

// RFC 4918 §14.20: <!ELEMENT propfind ( propname | (allprop, include?) | prop ) >, unknown
// elements ignored (§17).
const propfind_case propfinds[] = {
    {"allprop",
     R"(<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>)",
     "allprop", ""},
    {"propname", R"(<propfind xmlns="DAV:"><propname/></propfind>)", "propname", ""},
    {"prop, names in three namespaces and none",
     R"(<D:propfind xmlns:D="DAV:" xmlns:Z="urn:z"><D:prop>
          <D:getetag/><Z:author/><x xmlns=""/><y:q xmlns:y="urn:y"/>
        </D:prop></D:propfind>)",
     "prop", "{DAV:}getetag {urn:z}author {}x {urn:y}q"},
    {"an empty prop asks for nothing", R"(<propfind xmlns="DAV:"><prop/></propfind>)", "prop", ""},
    {"allprop with include (§9.1, example 9.1.6)",
     R"(<D:propfind xmlns:D="DAV:"><D:allprop/><D:include>
          <D:supported-live-property-set/><D:supported-report-set/>
        </D:include></D:propfind>)",
     "allprop", "{DAV:}supported-live-property-set {DAV:}supported-report-set"},
    {"an unknown DAV: element ignored (litmus propextended)",
     R"(<propfind xmlns="DAV:"><foobar/><allprop/></propfind>)", "allprop", ""},
    {"an element of another namespace ignored, with its content",
     R"(<D:propfind xmlns:D="DAV:"><x:ext xmlns:x="urn:x"><D:prop/></x:ext><D:propname/></D:propfind>)",
     "propname", ""},
    {"the root in no namespace", "<propfind><allprop/></propfind>", "refused", ""},
    {"another root", R"(<D:propertyupdate xmlns:D="DAV:"/>)", "refused", ""},
    {"an empty propfind", R"(<D:propfind xmlns:D="DAV:"/>)", "refused", ""},
    {"only unknown elements", R"(<propfind xmlns="DAV:"><foobar/></propfind>)", "refused", ""},
    {"allprop and propname", R"(<propfind xmlns="DAV:"><allprop/><propname/></propfind>)",
     "refused", ""},
    {"prop and allprop", R"(<propfind xmlns="DAV:"><prop><a/></prop><allprop/></propfind>)",
     "refused", ""},
    {"prop twice", R"(<propfind xmlns="DAV:"><prop><a/></prop><prop><b/></prop></propfind>)",
     "refused", ""},
    {"include without allprop",
     R"(<propfind xmlns="DAV:"><prop><a/></prop><include><b/></include></propfind>)", "refused",
     ""},
    {"include twice", R"(<propfind xmlns="DAV:"><allprop/><include/><include/></propfind>)",
     "refused", ""},
    {"allprop in another namespace",
     R"(<D:propfind xmlns:D="DAV:"><allprop xmlns="urn:x"/></D:propfind>)", "refused", ""},
};

TEST(read_propfind, follows_the_table) {
  for (const propfind_case& c : propfinds) {
    propfind_request r;
    r.names.push_back({"urn:stale", "left-over"});
    std::string why;
    const bool ok = read_propfind(parsed(c.document), r, why);
    EXPECT_EQ(ok ? name_of(r.what) : "refused", c.kind) << c.why;
    EXPECT_EQ(ok, why.empty()) << c.why << ": " << why;
    if (ok) {
      EXPECT_EQ(names(r.names), c.names) << c.why;
    }
  }
}

struct proppatch_case {
  const char* why;
  std::string_view document;
  // One line per instruction: "set {ns}local <value>" or "remove {ns}local"; "refused".
  std::vector<std::string_view> instructions;
};

const proppatch_case proppatches[] = {
    {"set, with a value in another namespace (§9.2.2's example)",
     R"(<D:propertyupdate xmlns:D="DAV:" xmlns:Z="http://ns.example.com/standards/z39.50/">
          <D:set><D:prop><Z:Authors><Z:Author>Jim Whitehead</Z:Author>
            <Z:Author>Roy Fielding</Z:Author></Z:Authors></D:prop></D:set>
          <D:remove><D:prop><Z:Copyright-Owner/></D:prop></D:remove>
        </D:propertyupdate>)",
     {"set {http://ns.example.com/standards/z39.50/}Authors "
      R"(<ns0:Authors xmlns:ns0="http://ns.example.com/standards/z39.50/">)"
      "<ns0:Author>Jim Whitehead</ns0:Author><ns0:Author>Roy Fielding</ns0:Author></ns0:Authors>",
      "remove {http://ns.example.com/standards/z39.50/}Copyright-Owner"}},
    {"set then remove of one property, in document order (litmus propremoveset)",
     R"(<propertyupdate xmlns="DAV:"><set><prop><removeset xmlns="urn:t">x</removeset></prop></set>
        <remove><prop><removeset xmlns="urn:t"/></prop></remove></propertyupdate>)",
     {R"(set {urn:t}removeset <ns0:removeset xmlns:ns0="urn:t">x</ns0:removeset>)",
      "remove {urn:t}removeset"}},
    {"several properties in one prop, one of no namespace (litmus propnullns)",
     R"(<propertyupdate xmlns="DAV:"><set><prop><a xmlns="urn:a">1</a>
        <nonamespace xmlns="">randomvalue</nonamespace><displayname>n</displayname></prop></set>
        </propertyupdate>)",
     {R"(set {urn:a}a <ns0:a xmlns:ns0="urn:a">1</ns0:a>)",
      R"(set {}nonamespace <nonamespace xmlns="">randomvalue</nonamespace>)",
      R"(set {DAV:}displayname <D:displayname xmlns:D="DAV:">n</D:displayname>)"}},
    {"a value with its own default namespace (litmus propvalnspace)",
     R"(<propertyupdate xmlns="DAV:"><set><prop>
        <t:valnspace xmlns:t="urn:t"><foo xmlns="bar"/></t:valnspace></prop></set>
        </propertyupdate>)",
     {R"(set {urn:t}valnspace <ns0:valnspace xmlns:ns0="urn:t" xmlns:ns1="bar"><ns1:foo/></ns0:valnspace>)"}},
    {"xml:lang kept with the value",
     R"(<propertyupdate xmlns="DAV:"><set><prop><t:p xmlns:t="urn:t" xml:lang="de">Hallo</t:p>
        </prop></set></propertyupdate>)",
     {R"(set {urn:t}p <ns0:p xmlns:ns0="urn:t" xml:lang="de">Hallo</ns0:p>)"}},
    {"unknown elements ignored",
     R"(<propertyupdate xmlns="DAV:"><x:y xmlns:x="urn:x"/><unknown/>
        <remove><x:z xmlns:x="urn:x"/><prop><a/></prop></remove></propertyupdate>)",
     {"remove {DAV:}a"}},
    {"an empty propertyupdate", R"(<propertyupdate xmlns="DAV:"/>)", {"refused"}},
    {"only unknown elements",
     R"(<propertyupdate xmlns="DAV:"><foo/></propertyupdate>)",
     {"refused"}},
    {"set without prop", R"(<propertyupdate xmlns="DAV:"><set/></propertyupdate>)", {"refused"}},
    {"set with an empty prop",
     R"(<propertyupdate xmlns="DAV:"><set><prop/></set></propertyupdate>)",
     {"refused"}},
    {"remove with an empty prop after a good set",
     R"(<propertyupdate xmlns="DAV:"><set><prop><a>1</a></prop></set>
        <remove><prop/></remove></propertyupdate>)",
     {"refused"}},
    {"two props in one set",
     R"(<propertyupdate xmlns="DAV:"><set><prop><a/></prop><prop><b/></prop></set></propertyupdate>)",
     {"refused"}},
    {"another root", R"(<propfind xmlns="DAV:"><allprop/></propfind>)", {"refused"}},
    {"the root in no namespace",
     "<propertyupdate><set><prop><a/></prop></set></propertyupdate>",
     {"refused"}},
};

TEST(read_proppatch, follows_the_table) {
  for (const proppatch_case& c : proppatches) {
    std::vector<proppatch_instruction> out{{true, {"urn:stale", "x"}, ""}};
    std::string why;
    std::vector<std::string> got;
    if (read_proppatch(parsed(c.document), out, why)) {
      EXPECT_TRUE(why.empty()) << c.why;
      for (const proppatch_instruction& i : out) {
        got.push_back((i.remove ? "remove " : "set ") + names({i.name}));
        if (!i.remove) got.back() += " " + i.value_xml;
        if (i.remove) {
          EXPECT_EQ(i.value_xml, "") << c.why;
        }
      }
    } else {
      EXPECT_FALSE(why.empty()) << c.why;
      EXPECT_TRUE(out.empty()) << c.why;
      got.emplace_back("refused");
    }
    EXPECT_EQ(got, std::vector<std::string>(c.instructions.begin(), c.instructions.end())) << c.why;
  }
}

// A stored value is what to_xml wrote; it reads back as the element that was sent.
TEST(read_proppatch, stores_values_that_read_back_as_sent) {
  const xml_element root = parsed(
      R"(<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><q:v xmlns:q="urn:q" a="1">
           t<q:w xmlns="urn:w"><e/></q:w></q:v></D:prop></D:set></D:propertyupdate>)");
  std::vector<proppatch_instruction> out;
  std::string why;
  ASSERT_TRUE(read_proppatch(root, out, why)) << why;
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(parsed(out[0].value_xml), root.children[0].children[0].children[0]);
}

struct lockinfo_case {
  const char* why;
  std::string_view document;
  std::string_view scope;  // "exclusive", "shared" or "refused"
  std::string_view owner_xml;
};

const lockinfo_case lockinfos[] = {
    {"exclusive write with an owner href (§9.10.7's example)",
     R"(<?xml version='1.0' encoding='utf-8'?><D:lockinfo xmlns:D='DAV:'><D:lockscope><D:exclusive/></D:lockscope>
        <D:locktype><D:write/></D:locktype>
        <D:owner><D:href>http://example.org/~ejw/contact.html</D:href></D:owner></D:lockinfo>)",
     "exclusive",
     R"(<D:owner xmlns:D="DAV:"><D:href>http://example.org/~ejw/contact.html</D:href></D:owner>)"},
    {"shared, owner as text (litmus)",
     R"(<lockinfo xmlns="DAV:"><lockscope><shared/></lockscope><locktype><write/></locktype>
        <owner>litmus test suite</owner></lockinfo>)",
     "shared", R"(<D:owner xmlns:D="DAV:">litmus test suite</D:owner>)"},
    {"no owner", R"(<lockinfo xmlns="DAV:"><locktype><write/></locktype>
        <lockscope><exclusive/></lockscope></lockinfo>)",
     "exclusive", ""},
    {"an owner in a foreign namespace inside",
     R"(<lockinfo xmlns="DAV:"><lockscope><exclusive/></lockscope><locktype><write/></locktype>
        <owner><x:name xmlns:x="urn:x">me</x:name></owner></lockinfo>)",
     "exclusive", R"(<D:owner xmlns:D="DAV:" xmlns:ns0="urn:x"><ns0:name>me</ns0:name></D:owner>)"},
    {"unknown elements ignored",
     R"(<lockinfo xmlns="DAV:"><x xmlns="urn:x"/><lockscope><shared/><y/></lockscope>
        <locktype><write/><z/></locktype></lockinfo>)",
     "shared", ""},
    {"no lockscope", R"(<lockinfo xmlns="DAV:"><locktype><write/></locktype></lockinfo>)",
     "refused", ""},
    {"no locktype", R"(<lockinfo xmlns="DAV:"><lockscope><shared/></lockscope></lockinfo>)",
     "refused", ""},
    {"an empty lockscope",
     R"(<lockinfo xmlns="DAV:"><lockscope/><locktype><write/></locktype></lockinfo>)", "refused",
     ""},
    {"exclusive and shared",
     R"(<lockinfo xmlns="DAV:"><lockscope><exclusive/><shared/></lockscope>
        <locktype><write/></locktype></lockinfo>)",
     "refused", ""},
    {"a lock type other than write",
     R"(<lockinfo xmlns="DAV:"><lockscope><shared/></lockscope><locktype><read/></locktype>
        </lockinfo>)",
     "refused", ""},
    {"write in another namespace",
     R"(<lockinfo xmlns="DAV:"><lockscope><shared/></lockscope>
        <locktype><write xmlns="urn:x"/></locktype></lockinfo>)",
     "refused", ""},
    {"two owners",
     R"(<lockinfo xmlns="DAV:"><lockscope><shared/></lockscope><locktype><write/></locktype>
        <owner>a</owner><owner>b</owner></lockinfo>)",
     "refused", ""},
    {"two lockscopes",
     R"(<lockinfo xmlns="DAV:"><lockscope><shared/></lockscope><lockscope><shared/></lockscope>
        <locktype><write/></locktype></lockinfo>)",
     "refused", ""},
    {"another root", R"(<propfind xmlns="DAV:"><allprop/></propfind>)", "refused", ""},
};

TEST(read_lockinfo, follows_the_table) {
  for (const lockinfo_case& c : lockinfos) {
    lockinfo l;
    l.owner_xml = "stale";
    std::string why;
    const bool ok = read_lockinfo(parsed(c.document), l, why);
    EXPECT_EQ(ok ? (l.exclusive ? "exclusive" : "shared") : "refused", c.scope) << c.why;
    EXPECT_EQ(ok, why.empty()) << c.why << ": " << why;
    if (ok) {
      EXPECT_EQ(l.owner_xml, c.owner_xml) << c.why;
    }
  }
}

}  // namespace
}  // namespace teapot::handlers::webdav
