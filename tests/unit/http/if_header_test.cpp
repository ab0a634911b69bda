// The If field of WebDAV (RFC 4918 §10.4): its grammar, its evaluation and the lock tokens it
// submits, as tables.
#include "http/if_header.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace {

using teapot::http::evaluate_if_field;
using teapot::http::if_condition;
using teapot::http::if_field;
using teapot::http::if_resource_state;
using teapot::http::parse_if_field;
using teapot::http::submitted_lock_tokens;

// A parsed field written back in one canonical line, so that a table can say what it expects:
// groups as "<resource>" (tagged only), lists as "(...)", conditions as "s:token" or "e:tag",
// "!" before a negated one.
std::string describe(const if_field& f) {
  std::string out;
  for (const auto& g : f.groups) {
    if (f.tagged) {
      if (!out.empty()) out += ' ';
      out += '<';
      out += g.resource;
      out += '>';
    }
    for (const auto& list : g.lists) {
      if (!out.empty()) out += ' ';
      out += '(';
      for (std::size_t i = 0; i < list.conditions.size(); ++i) {
        const if_condition& c = list.conditions[i];
        if (i > 0) out += ' ';
        if (c.negated) out += '!';
        out += c.what == if_condition::kind::state_token ? "s:" : "e:";
        out += c.value;
      }
      out += ')';
    }
  }
  return out;
}

struct parse_case {
  std::string_view why;
  std::string_view field;
  std::string_view parsed;  // describe()'s line; empty: malformed
};

constexpr std::string_view tok = "opaquelocktoken:e71d4fae-5dec-11d0-a765-00a0c91e6bf6";

const parse_case parse_cases[] = {
    // §10.4.2's productions, and the forms litmus sends.
    {"one state token", "(<urn:uuid:1>)", "(s:urn:uuid:1)"},
    {"a token and an entity tag (§10.4.6)", R"((<urn:uuid:1> ["I am an ETag"]))",
     R"((s:urn:uuid:1 e:"I am an ETag"))"},
    {"two untagged lists", R"((<urn:uuid:1>) (["x"]))", R"((s:urn:uuid:1) (e:"x"))"},
    {"lists need no space between them", R"((<urn:uuid:1>)(["x"]))", R"((s:urn:uuid:1) (e:"x"))"},
    {"conditions need no space between them", R"((<urn:uuid:1>["x"]))", R"((s:urn:uuid:1 e:"x"))"},
    {"Not", "(Not <DAV:no-lock>)", "(!s:DAV:no-lock)"},
    {"Not in any case (an ABNF literal)", "(nOT <DAV:no-lock>)", "(!s:DAV:no-lock)"},
    {"Not needs no space after it", "(Not<DAV:no-lock>)", "(!s:DAV:no-lock)"},
    {"Not before an entity tag", R"((Not ["x"]))", R"((!e:"x"))"},
    {"Not applies to the next condition only (§10.4.7)", "(Not <urn:a> <urn:b>)",
     "(!s:urn:a s:urn:b)"},
    {"litmus: a token, else always true", "(<opaquelocktoken:abc>) (Not <DAV:no-lock>)",
     "(s:opaquelocktoken:abc) (!s:DAV:no-lock)"},
    {"litmus: cond_put_with_not", R"((<opaquelocktoken:a> ["e"]) (Not <DAV:no-lock> ["e"]))",
     R"((s:opaquelocktoken:a e:"e") (!s:DAV:no-lock e:"e"))"},
    {"a weak entity tag", R"(([W/"x"]))", R"((e:W/"x"))"},
    {"an entity tag holding ']' and ')'", R"t((["a])"]))t", R"t((e:"a])"))t"},
    {"an empty entity tag", R"(([""]))", R"((e:""))"},
    {"RFC 2616's tags: spaces", R"((["a b"]))", R"((e:"a b"))"},
    {"RFC 2616's tags: a quoted-pair", R"((["a\"b"]))", R"((e:"a\"b"))"},
    {"RFC 2616's tags: \"W/\" in any case", R"(([w/"x"]))", R"((e:w/"x"))"},
    {"LWS around everything", " \t( \tNot\t<urn:a>  [\"x\"] ) \t", R"((!s:urn:a e:"x"))"},
    {"a tagged list with an absolute URI", "<http://h/p> (<urn:a>)", "<http://h/p> (s:urn:a)"},
    {"a tagged list with an absolute path", "</a/b?q> (<urn:a>)", "</a/b?q> (s:urn:a)"},
    {"a tag applies to every list after it", "</a> (<urn:a>) ([\"x\"]) </b> (<urn:b>)",
     R"(</a> (s:urn:a) (e:"x") </b> (s:urn:b))"},
    {"the same tag twice makes two groups", "</a> (<urn:a>) </a> (<urn:b>)",
     "</a> (s:urn:a) </a> (s:urn:b)"},
    {"tagged, no space", "</a>(<urn:a>)</b>(<urn:b>)", "</a> (s:urn:a) </b> (s:urn:b)"},
    {"a state token's URI may hold any URI byte", "(<urn:x:a-b.c_~!$&'*+,;=:@/?%20[]>)",
     "(s:urn:x:a-b.c_~!$&'*+,;=:@/?%20[])"},

    {"empty", "", ""},
    {"only LWS", " \t ", ""},
    {"an empty list", "()", ""},
    {"an empty list among others", "(<urn:a>) ()", ""},
    {"only LWS in a list", "( )", ""},
    {"unclosed list", "(<urn:a>", ""},
    {"unclosed Coded-URL", "(<urn:a)", ""},
    {"a list with no parenthesis", "<urn:a>", ""},
    {"a Resource-Tag with no list", "</a>", ""},
    {"a Resource-Tag then another", "</a> </b> (<urn:a>)", ""},
    {"a Resource-Tag with no list at the end", "</a> (<urn:a>) </b>", ""},
    {"untagged then tagged", "(<urn:a>) </a> (<urn:b>)", ""},
    {"tagged then untagged is read as more lists of the tag", "</a> (<urn:a>) (<urn:b>)",
     "</a> (s:urn:a) (s:urn:b)"},
    {"Not alone", "(Not)", ""},
    {"Not twice", "(Not Not <urn:a>)", ""},
    {"Not glued to a word", "(Nota <urn:a>)", ""},
    {"a bare word", "(urn:a)", ""},
    {"LWS inside a Coded-URL", "(< urn:a>)", ""},
    {"LWS inside a Coded-URL's end", "(<urn:a >)", ""},
    {"a state token that is not an absolute URI", "(<abc>)", ""},
    {"a state token that is a path", "(</a>)", ""},
    {"an empty state token", "(<>)", ""},
    {"a scheme starting with a digit", "(<1a:b>)", ""},
    {"a control byte in a token", "(<urn:a\x01>)", ""},
    {"a byte >= 0x80 in a token", "(<urn:caf\xc3\xa9>)", ""},
    {"LWS inside a Resource-Tag", "< /a> (<urn:a>)", ""},
    {"a relative Resource-Tag", "<a/b> (<urn:a>)", ""},
    {"a network-path Resource-Tag", "<//h/a> (<urn:a>)", ""},
    {"an empty Resource-Tag", "<> (<urn:a>)", ""},
    {"LWS after '['", R"(([ "x"]))", ""},
    {"LWS before ']'", R"((["x" ]))", ""},
    {"an unquoted entity tag", "([x])", ""},
    {"an unterminated entity tag", R"((["x]))", ""},
    {"an entity tag without ']'", R"((["x"))", ""},
    {"a quoted-pair that does not end the tag", R"((["a\"]))", ""},
    {"a control byte in an entity tag", "([\"a\x01\"])", ""},
    {"a quoted-pair of a control byte", "([\"a\\\x01\"])", ""},
    {"the wildcard is not an entity tag", "([*])", ""},
    {"a comma between lists", "(<urn:a>), (<urn:b>)", ""},
    {"trailing garbage", "(<urn:a>) x", ""},
    {"nested lists", "((<urn:a>))", ""},
    {"a stray ')'", "(<urn:a>))", ""},
    {"a line break inside", "(<urn:a>)\r\n (<urn:b>)", ""},
};

TEST(parse_if_field, follows_the_table) {
  for (const parse_case& c : parse_cases) {
    const std::optional<if_field> f = parse_if_field(c.field);
    if (c.parsed.empty()) {
      EXPECT_FALSE(f.has_value()) << c.why << ": " << c.field << " -> " << describe(*f);
      continue;
    }
    ASSERT_TRUE(f.has_value()) << c.why << ": " << c.field;
    EXPECT_EQ(describe(*f), c.parsed) << c.why;
    EXPECT_EQ(f->tagged, c.parsed.front() == '<') << c.why;
  }
}

TEST(parse_if_field, untagged_lists_form_one_group_with_an_empty_resource) {
  const std::optional<if_field> f = parse_if_field("(<urn:a>) (<urn:b>)");
  ASSERT_TRUE(f.has_value());
  EXPECT_FALSE(f->tagged);
  ASSERT_EQ(f->groups.size(), 1U);
  EXPECT_TRUE(f->groups[0].resource.empty());
  EXPECT_EQ(f->groups[0].lists.size(), 2U);
}

TEST(parse_if_field, gives_views_into_the_field) {
  const std::string field = R"(</a> (Not <urn:a> [W/"x"]))";
  const std::optional<if_field> f = parse_if_field(field);
  ASSERT_TRUE(f.has_value());
  const auto inside = [&](std::string_view v) {
    return v.data() >= field.data() && v.data() + v.size() <= field.data() + field.size();
  };
  EXPECT_TRUE(inside(f->groups[0].resource));
  for (const auto& c : f->groups[0].lists[0].conditions)
    EXPECT_TRUE(inside(c.value)) << c.value;
}

// ---------------------------------------------------------------------------------------------
// Evaluation (§10.4.3, §10.4.4)

struct resource {
  std::string_view name;  // as the field's Resource-Tag writes it; "" for the request's target
  bool exists;
  std::string_view etag;
  std::vector<std::string> lock_tokens;
};

struct evaluation_case {
  std::string_view why;
  std::string_view field;
  bool expected;
};

// The request's target "" is locked with tok and has the strong tag "e1"; "/locked" is locked
// with urn:b and has the weak tag W/"w"; "/plain" exists unlocked with "e2"; "/gone" does not
// exist; "/gone/below" does not exist but is in the scope of a depth-infinity lock, urn:c.
const std::vector<resource>& world() {
  static const std::vector<resource> w = {
      {"", true, R"("e1")", {std::string(tok)}},
      {"/locked", true, R"(W/"w")", {"urn:b"}},
      {"/plain", true, R"("e2")", {}},
      {"/gone", false, "", {}},
      {"/gone/below", false, "", {"urn:c"}},
      {"/stale", false, R"("e3")", {}},  // an etag the handler forgot: not existing wins
  };
  return w;
}

if_resource_state state_of(std::string_view name) {
  for (const resource& r : world()) {
    if (r.name == name) return {r.exists, std::string(r.etag), r.lock_tokens};
  }
  return {};  // a URL the world does not know: unmapped
}

const evaluation_case evaluation_cases[] = {
    {"the target's lock token", "(<opaquelocktoken:e71d4fae-5dec-11d0-a765-00a0c91e6bf6>)", true},
    {"another token", "(<opaquelocktoken:e71d4fae-5dec-11d0-a765-00a0c91e6bf7>)", false},
    {"tokens compare exactly, case included",
     "(<OPAQUELOCKTOKEN:e71d4fae-5dec-11d0-a765-00a0c91e6bf6>)", false},
    {"Not another token", "(Not <urn:zzz>)", true},
    {"Not the target's token", "(Not <opaquelocktoken:e71d4fae-5dec-11d0-a765-00a0c91e6bf6>)",
     false},
    {"the current tag, strongly", R"((["e1"]))", true},
    {"another tag", R"((["e0"]))", false},
    {"a weak tag never matches (strong comparison)", R"(([W/"e1"]))", false},
    {"Not a weak tag of the current one", R"((Not [W/"e1"]))", true},
    {"a weak tag in lower case never matches either", R"(([w/"e1"]))", false},
    {"a tag with spaces is not the current one", R"((["e 1"]))", false},
    {"token and tag: a conjunction, both true",
     R"((<opaquelocktoken:e71d4fae-5dec-11d0-a765-00a0c91e6bf6> ["e1"]))", true},
    {"token and tag: a conjunction, one false",
     R"((<opaquelocktoken:e71d4fae-5dec-11d0-a765-00a0c91e6bf6> ["e0"]))", false},
    {"lists: a disjunction", R"((["e0"]) (["e1"]))", true},
    {"lists: all false", R"((["e0"]) (<urn:zzz>))", false},
    {"DAV:no-lock matches no lock", "(<DAV:no-lock>)", false},
    {"Not DAV:no-lock is always true (§10.4.8)", "(Not <DAV:no-lock>)", true},
    {"litmus: a corrupt token, else always true", "(<opaquelocktoken:x>) (Not <DAV:no-lock>)",
     true},
    {"litmus: cond_put_with_not, stale etag", R"((<urn:zzz> ["e0"]) (Not <DAV:no-lock> ["e0"]))",
     false},
    {"litmus: cond_put_with_not, current etag", R"((<urn:zzz> ["e0"]) (Not <DAV:no-lock> ["e1"]))",
     true},
    {"litmus: (<DAV:no-lock> [etag])", R"((<DAV:no-lock> ["e1"]))", false},

    {"a tagged resource's own token", "</locked> (<urn:b>)", true},
    {"a tagged list is about its resource, not the target",
     "</locked> (<opaquelocktoken:e71d4fae-5dec-11d0-a765-00a0c91e6bf6>)", false},
    {"a weak current tag matches nothing", R"(</locked> ([W/"w"]))", false},
    {"a tagged resource's strong tag", R"(</plain> (["e2"]))", true},
    {"any group may make the field true", "</plain> (<urn:zzz>) </locked> (<urn:b>)", true},
    {"every group false", "</plain> (<urn:zzz>) </locked> (<urn:zzz>)", false},
    {"a group is a disjunction of its lists", R"(</plain> (<urn:zzz>) (["e2"]))", true},
    {"an absolute URI as a tag", "<http://h/x> (Not <urn:zzz>)", true},

    {"unmapped: a tag is false (§10.4.11)", R"(</gone> (["e3"]))", false},
    {"unmapped: Not a tag is true (§10.4.11)", R"(</gone> (Not ["e3"]))", true},
    {"unmapped: a token is false", "</gone> (<urn:c>)", false},
    {"unmapped: Not a token is true", "</gone> (Not <urn:c>)", true},
    {"unmapped: DAV:no-lock is still false", "</gone> (<DAV:no-lock>)", false},
    {"unmapped: an etag given anyway is ignored", R"(</stale> (["e3"]))", false},
    {"unmapped below a lock: its token matches (§7.4)", "</gone/below> (<urn:c>)", true},
    {"unmapped below a lock: no etag", R"(</gone/below> (<urn:c> ["e3"]))", false},
    {"a URL the handler does not know", "</nowhere> (Not <urn:c> Not [\"x\"])", true},
};

TEST(evaluate_if_field, follows_the_table) {
  for (const evaluation_case& c : evaluation_cases) {
    const std::optional<if_field> f = parse_if_field(c.field);
    ASSERT_TRUE(f.has_value()) << c.why << ": " << c.field;
    EXPECT_EQ(evaluate_if_field(*f, state_of), c.expected) << c.why << ": " << c.field;
  }
}

TEST(evaluate_if_field, asks_for_each_groups_resource_until_one_holds) {
  const std::optional<if_field> f =
      parse_if_field("</plain> (<urn:zzz>) </locked> (<urn:b>) </gone> (<urn:zzz>)");
  ASSERT_TRUE(f.has_value());
  std::vector<std::string> asked;
  const bool holds = evaluate_if_field(*f, [&](std::string_view r) {
    asked.emplace_back(r);
    return state_of(r);
  });
  EXPECT_TRUE(holds);
  EXPECT_EQ(asked, (std::vector<std::string>{"/plain", "/locked"}));
}

TEST(evaluate_if_field, asks_for_the_empty_resource_when_untagged) {
  const std::optional<if_field> f = parse_if_field("(<urn:zzz>) (<urn:yyy>)");
  ASSERT_TRUE(f.has_value());
  std::vector<std::string> asked;
  EXPECT_FALSE(evaluate_if_field(*f, [&](std::string_view r) {
    asked.emplace_back(r);
    return state_of(r);
  }));
  EXPECT_EQ(asked, (std::vector<std::string>{""}));
}

// ---------------------------------------------------------------------------------------------
// Submitted lock tokens (§10.4.1)

struct submitted_case {
  std::string_view field;
  std::vector<std::string_view> tokens;
};

const submitted_case submitted_cases[] = {
    {R"((["x"]))", {}},
    {"(<urn:a>)", {"urn:a"}},
    {"(Not <urn:a>)", {"urn:a"}},
    {"(<urn:a> <urn:b>) (<urn:a>) (<urn:c>)", {"urn:a", "urn:b", "urn:c"}},
    {"</x> (<urn:b>) </y> (Not <DAV:no-lock> <urn:a>) (<urn:b>)",
     {"urn:b", "DAV:no-lock", "urn:a"}},
};

TEST(submitted_lock_tokens, lists_every_state_token_once_in_order) {
  for (const submitted_case& c : submitted_cases) {
    const std::optional<if_field> f = parse_if_field(c.field);
    ASSERT_TRUE(f.has_value()) << c.field;
    EXPECT_EQ(submitted_lock_tokens(*f), c.tokens) << c.field;
  }
}

}  // namespace
