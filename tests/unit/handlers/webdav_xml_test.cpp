#include "handlers/webdav/xml.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "webdav_tree.h"

namespace teapot::handlers::webdav {
namespace {

struct parse_case {
  const char* why;
  std::string_view document;
  std::string_view tree;  // describe() of the root; for a refused document, the error's name
};

// Namespaces in XML 1.0 §5-§6: a prefix is only a name for its URI, a default namespace applies
// to unprefixed elements and not to attributes, xmlns="" takes it away again.
const parse_case well_formed[] = {
    {"the usual DAV: prefix", R"(<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>)",
     "{DAV:}propfind [{DAV:}allprop]"},
    {"any prefix names DAV:", R"(<x:propfind xmlns:x="DAV:"><x:propname/></x:propfind>)",
     "{DAV:}propfind [{DAV:}propname]"},
    {"a default namespace", R"(<propfind xmlns="DAV:"><prop><getetag/></prop></propfind>)",
     "{DAV:}propfind [{DAV:}prop [{DAV:}getetag]]"},
    {"xmlns=\"\" takes the default namespace away",
     R"(<propfind xmlns="DAV:"><prop><foo xmlns=""><bar/></foo><baz/></prop></propfind>)",
     "{DAV:}propfind [{DAV:}prop [{}foo [{}bar], {DAV:}baz]]"},
    {"a prefix bound again inside", R"(<a:x xmlns:a="urn:1"><a:y xmlns:a="urn:2"/><a:z/></a:x>)",
     "{urn:1}x [{urn:2}y, {urn:1}z]"},
    {"two prefixes for one URI", R"(<a:x xmlns:a="urn:1" xmlns:b="urn:1"><b:y/></a:x>)",
     "{urn:1}x [{urn:1}y]"},
    {"no namespace at all", "<a><b/></a>", "{}a [{}b]"},
    {"attributes: none, prefixed, xml:lang; never the default namespace",
     R"(<a xmlns="urn:d" xmlns:p="urn:p" b="1" p:c="2" xml:lang="en"/>)",
     R"({urn:d}a @{}b="1" @{urn:p}c="2" @{http://www.w3.org/XML/1998/namespace}lang="en")"},
    {"entities, references and CDATA decoded",
     "<a>x &amp; &lt;y&gt; &quot;&apos; &#65536;&#x41;<![CDATA[<z>&amp;]]></a>",
     "{}a \"x & <y> \"' \xF0\x90\x80\x80"
     "A<z>&amp;\""},
    {"indentation between elements dropped", "<a>\n  <b/>\n  <c> </c>\n</a>",
     "{}a [{}b, {}c \" \"]"},
    {"text around children concatenated", "<a>x<b/>y</a>", "{}a \"xy\" [{}b]"},
    {"line ends normalized", "<a>1\r\n2\r3</a>", "{}a \"1\n2\n3\""},
    {"declaration, comments and processing instructions",
     "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!-- c --><a><?pi x?><!-- d --></a>\n", "{}a"},
    {"UTF-8 text and names", "<caf\xC3\xA9>\xE2\x82\xAC</caf\xC3\xA9>",
     "{}caf\xC3\xA9 \"\xE2\x82\xAC\""},
    {"a BOM before UTF-8", "\xEF\xBB\xBF<a/>", "{}a"},
    {"an element in the xml namespace, which needs no declaration", "<xml:a/>",
     "{http://www.w3.org/XML/1998/namespace}a"},
    {"an attribute's whitespace normalized", "<a b=\"1\t2\n3\"/>", "{}a @{}b=\"1 2 3\""},
};

const parse_case refused[] = {
    {"a DOCTYPE, even empty", "<!DOCTYPE a><a/>", "forbidden"},
    {"a DOCTYPE naming an external DTD", R"(<!DOCTYPE a SYSTEM "http://example.com/a.dtd"><a/>)",
     "forbidden"},
    {"billion laughs",
     "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
     "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
     "<!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">"
     "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>"
     "<lolz>&lol3;</lolz>",
     "forbidden"},
    {"an external entity (XXE)",
     R"(<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>)", "forbidden"},
    {"an external parameter entity",
     R"(<!DOCTYPE a [<!ENTITY % p SYSTEM "http://example.com/x.dtd"> %p;]><a/>)", "forbidden"},
    {"an entity never declared", "<a>&x;</a>", "malformed"},
    {"an element left open", "<a>", "malformed"},
    {"end tag of another name", "<a></b>", "malformed"},
    {"nothing", "", "malformed"},
    {"only whitespace", " \n", "malformed"},
    {"text without an element", "text", "malformed"},
    {"two roots", "<a/><b/>", "malformed"},
    {"an attribute twice", R"(<a b="1" b="2"/>)", "malformed"},
    {"one attribute twice through two prefixes",
     R"(<a xmlns:p="urn:1" xmlns:q="urn:1" p:b="1" q:b="2"/>)", "malformed"},
    {"an unbound prefix", "<x:a/>", "malformed"},
    {"a prefix declared empty (litmus propfind_invalid2)",
     R"(<D:propfind xmlns:D="DAV:"><D:prop><bar:foo xmlns:bar=""/></D:prop></D:propfind>)",
     "malformed"},
    {"the xml namespace bound to another prefix",
     R"(<a xmlns:x="http://www.w3.org/XML/1998/namespace"/>)", "malformed"},
    {"Latin-1 bytes", "<a>caf\xE9</a>", "malformed"},
    {"an overlong '.'", "<a>\xC0\xAE</a>", "malformed"},
    {"a surrogate", "<a>\xED\xA0\x80</a>", "malformed"},
    {"a truncated sequence", "<a>\xE2\x82</a>", "malformed"},
    {"another encoding declared", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>",
     "malformed"},
    {"UTF-16", std::string_view("\xFF\xFE<\0a\0/\0>\0", 10), "malformed"},
    {"a control character", "<a>\x01</a>", "malformed"},
    {"U+0001 as a reference", "<a>&#1;</a>", "malformed"},
    {"a NUL byte", std::string_view("<a>\0</a>", 8), "malformed"},
};

TEST(parse_xml, reads_namespaces_attributes_and_text_as_the_table_says) {
  for (const parse_case& c : well_formed) {
    xml_element root;
    const xml_error e = parse_xml(c.document, xml_limits{}, root);
    EXPECT_EQ(name_of(e), "none") << c.why;
    EXPECT_EQ(describe(root), c.tree) << c.why;
  }
}

TEST(parse_xml, refuses_doctypes_and_what_is_not_well_formed_utf8) {
  for (const parse_case& c : refused) {
    xml_element root;
    root.name = {"urn:left", "over"};
    const xml_error e = parse_xml(c.document, xml_limits{}, root);
    EXPECT_EQ(name_of(e), c.tree) << c.why;
    EXPECT_EQ(root, xml_element{}) << c.why;  // nothing half-read is left behind
  }
}

std::string nested(std::size_t depth) {
  std::string doc;
  for (std::size_t i = 0; i < depth; ++i)
    doc += "<a>";
  for (std::size_t i = 0; i < depth; ++i)
    doc += "</a>";
  return doc;
}

TEST(parse_xml, bounds_depth_without_recursing) {
  xml_element root;
  EXPECT_EQ(name_of(parse_xml(nested(64), xml_limits{}, root)), "none");
  EXPECT_EQ(name_of(parse_xml(nested(65), xml_limits{}, root)), "too_deep");
  EXPECT_EQ(name_of(parse_xml(nested(10'000), xml_limits{}, root)), "too_deep");
  EXPECT_EQ(name_of(parse_xml(nested(1'000'000), xml_limits{}, root)), "too_deep");
  const xml_limits shallow{.max_depth = 2, .max_elements = 100};
  EXPECT_EQ(name_of(parse_xml("<a><b/><c/></a>", shallow, root)), "none");
  EXPECT_EQ(name_of(parse_xml("<a><b><c/></b></a>", shallow, root)), "too_deep");
}

TEST(parse_xml, bounds_the_number_of_elements) {
  const xml_limits three{.max_depth = 64, .max_elements = 3};
  xml_element root;
  EXPECT_EQ(name_of(parse_xml("<a><b/><c/></a>", three, root)), "none");
  EXPECT_EQ(name_of(parse_xml("<a><b/><c/><d/></a>", three, root)), "too_many");
  EXPECT_EQ(name_of(parse_xml("<a><b><c><d/></c></b></a>", three, root)), "too_many");
}

TEST(parse_xml, reads_a_document_longer_than_one_feed) {
  const std::string text(3 * 1024 * 1024 + 17, 'x');
  xml_element root;
  ASSERT_EQ(name_of(parse_xml("<a>" + text + "</a>", xml_limits{}, root)), "none");
  EXPECT_EQ(root.text, text);
  EXPECT_EQ(name_of(parse_xml("<a>" + text + "</a><b/>", xml_limits{}, root)), "malformed");
}

// ---- writing ----

xml_element parsed(std::string_view document) {
  xml_element root;
  EXPECT_EQ(name_of(parse_xml(document, xml_limits{}, root)), "none") << document;
  return root;
}

struct write_case {
  std::string_view document;
  std::string_view xml;  // to_xml of its root
};

const write_case written[] = {
    {R"(<x:getetag xmlns:x="DAV:">"1-2"</x:getetag>)",
     R"(<D:getetag xmlns:D="DAV:">&quot;1-2&quot;</D:getetag>)"},
    {R"(<a xmlns="urn:a"><b>1</b><c/></a>)",
     R"(<ns0:a xmlns:ns0="urn:a"><ns0:b>1</ns0:b><ns0:c/></ns0:a>)"},
    {R"(<foo xmlns="">v</foo>)", R"(<foo xmlns="">v</foo>)"},
    {R"(<t:valnspace xmlns:t="urn:t"><foo xmlns="bar"/></t:valnspace>)",
     R"(<ns0:valnspace xmlns:ns0="urn:t" xmlns:ns1="bar"><ns1:foo/></ns0:valnspace>)"},
    {R"(<t:a xmlns:t="urn:t"><b xmlns=""/></t:a>)",
     R"(<ns0:a xmlns="" xmlns:ns0="urn:t"><b/></ns0:a>)"},
    {R"(<D:owner xmlns:D="DAV:" xml:lang="fr"><D:href>mailto:a@b</D:href></D:owner>)",
     R"(<D:owner xmlns:D="DAV:" xml:lang="fr"><D:href>mailto:a@b</D:href></D:owner>)"},
    {R"(<a xmlns:p="urn:p" p:x="&lt;&amp;&quot;'" y="&#9;&#10;&#13;"/>)",
     R"(<a xmlns="" xmlns:ns0="urn:p" ns0:x="&lt;&amp;&quot;'" y="&#9;&#10;&#13;"/>)"},
    {"<a>]]&gt; &#13;\n\t</a>", "<a xmlns=\"\">]]&gt; &#13;\n\t</a>"},
    {R"(<a xmlns="urn:&quot;&amp;"/>)", R"(<ns0:a xmlns:ns0="urn:&quot;&amp;"/>)"},
};

TEST(to_xml, declares_every_namespace_used_on_the_element_itself) {
  for (const write_case& c : written)
    EXPECT_EQ(to_xml(parsed(c.document)), c.xml) << c.document;
}

// parse(to_xml(e)) == e, for every tree of both tables, and when the output is put inside a
// default namespace, as a stored value is inside a response.
TEST(to_xml, reads_back_as_the_same_element) {
  std::vector<std::string_view> documents;
  for (const parse_case& c : well_formed)
    documents.push_back(c.document);
  for (const write_case& c : written)
    documents.push_back(c.document);
  for (std::string_view document : documents) {
    const xml_element e = parsed(document);
    const std::string xml = to_xml(e);
    xml_element again;
    ASSERT_EQ(name_of(parse_xml(xml, xml_limits{}, again)), "none") << xml;
    EXPECT_EQ(again, e) << document << "\nwritten " << xml;
    const std::string inside = R"(<p:prop xmlns:p="DAV:" xmlns="urn:default">)" + xml + "</p:prop>";
    ASSERT_EQ(name_of(parse_xml(inside, xml_limits{}, again)), "none") << inside;
    ASSERT_EQ(again.children.size(), 1u) << inside;
    EXPECT_EQ(again.children[0], e) << inside;
  }
}

TEST(to_xml, reads_back_a_tree_built_by_hand) {
  xml_element e;
  e.name = {"urn:x", "a"};
  e.attributes.push_back({{std::string(xml_ns), "lang"}, "en"});
  e.attributes.push_back({{"urn:y", "b"}, "\"<\t\n\r>&"});
  e.text = " \r\n<&>\"' ";
  e.children.push_back({{"", "plain"}, {}, "t", {}});
  e.children.push_back({{std::string(dav_ns), "href"}, {}, "/", {}});
  e.children.push_back({{"urn:y", "c"}, {}, "", {{{"urn:x", "d"}, {}, "", {}}}});
  xml_element again;
  ASSERT_EQ(name_of(parse_xml(to_xml(e), xml_limits{}, again)), "none") << to_xml(e);
  EXPECT_EQ(again, e) << to_xml(e);
}

// ---- pieces of responses ----

TEST(append_escaped, escapes_markup_quotes_and_carriage_returns) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"", ""},
      {"plain", "plain"},
      {"a<b>&c", "a&lt;b&gt;&amp;c"},
      {"\"quoted\" 'single'", "&quot;quoted&quot; 'single'"},
      {"&amp;", "&amp;amp;"},
      {"line\r\n", "line&#13;\n"},
      {"caf\xC3\xA9", "caf\xC3\xA9"},
  };
  for (const auto& [text, expected] : cases) {
    std::string out = "x";
    append_escaped(out, text);
    EXPECT_EQ(out, "x" + std::string(expected)) << text;
  }
}

TEST(append_href, percent_encodes_every_byte_but_unreserved_and_slash) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"/", "/"},
      {"/dir/file.txt", "/dir/file.txt"},
      {"/A-Z_a-z.0~9/", "/A-Z_a-z.0~9/"},
      {"/my file.txt", "/my%20file.txt"},
      {"/100%.txt", "/100%25.txt"},
      {"/a#b", "/a%23b"},
      {"/a?b=c", "/a%3Fb%3Dc"},
      {"/caf\xC3\xA9/\xE2\x82\xAC", "/caf%C3%A9/%E2%82%AC"},
      {"/a&b<c>\"d'", "/a%26b%3Cc%3E%22d%27"},
      {"/a+b:c@d;e,f", "/a%2Bb%3Ac%40d%3Be%2Cf"},
      {"/\x7F\x01", "/%7F%01"},
  };
  for (const auto& [path, expected] : cases) {
    std::string out = "x";
    append_href(out, path);
    EXPECT_EQ(out, "x" + std::string(expected)) << path;
  }
}

TEST(append_open_name, writes_a_tag_that_declares_what_it_needs) {
  struct name_case {
    xml_name name;
    std::string_view open;
    std::string_view close;
  };
  const name_case cases[] = {
      {{"DAV:", "getetag"}, "<D:getetag", "</D:getetag>"},
      {{"urn:x", "foo"}, R"(<ns0:foo xmlns:ns0="urn:x")", "</ns0:foo>"},
      {{"", "foo"}, R"(<foo xmlns="")", "</foo>"},
      {{"urn:\"&<", "q"}, R"(<ns0:q xmlns:ns0="urn:&quot;&amp;&lt;")", "</ns0:q>"},
  };
  for (const name_case& c : cases) {
    std::string open;
    append_open_name(open, c.name);
    EXPECT_EQ(open, c.open) << c.name.local;
    std::string close;
    append_close_name(close, c.name);
    EXPECT_EQ(close, c.close) << c.name.local;
    // Inside a default namespace, the tag still names the property.
    xml_element e;
    const std::string doc = R"(<D:prop xmlns:D="DAV:" xmlns="urn:default">)" + open + "/>" + open +
                            ">v" + close + "</D:prop>";
    ASSERT_EQ(name_of(parse_xml(doc, xml_limits{}, e)), "none") << doc;
    ASSERT_EQ(e.children.size(), 2u);
    EXPECT_EQ(e.children[0].name, c.name) << doc;
    EXPECT_EQ(e.children[1].name, c.name) << doc;
    EXPECT_EQ(e.children[1].text, "v") << doc;
  }
}

}  // namespace
}  // namespace teapot::handlers::webdav
