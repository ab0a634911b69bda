// Broken configuration files, one mistake each: the loader must refuse the file and say where
// and what was expected. "{dir}" in a message stands for the test's scratch directory.
#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <string_view>

#include "config/load.h"
#include "config_fixture.h"

namespace teapot::config {
namespace {

struct broken_case {
  const char* name;
  const char* text;
  std::uint32_t line;
  std::uint32_t column;
  const char* message;
};

const broken_case cases[] = {
    {"unknown top-level key with a near miss", "sever = {}\n[[sites]]\ndefault = true\n", 1, 1,
     "sever: unknown key; did you mean 'server'?"},
    {"unknown key in a nested table",
     "[server.limits]\nbdoy = \"1MiB\"\n[[sites]]\ndefault = true\n", 2, 1,
     "server.limits.bdoy: unknown key; did you mean 'body'?"},
    {"unknown key without a near miss", "[[sites]]\ndefault = true\ncolour = \"blue\"\n", 3, 1,
     "sites[0].colour: unknown key; this table takes hosts, default, root, captive_portal, "
     "maintenance, auth, tls, rate_limits, rules, early_hints, mandatory_extensions, error_pages, "
     "static, compression, delta_encoding, webdav, websocket, proxy, forward_proxy"},
    {"tls_listen without a certificate",
     "[server]\ntls_listen = [\"127.0.0.1:8443\"]\n[[sites]]\ndefault = true\n", 2, 14,
     "server.tls_listen: no site has a certificate; give one a [sites.tls] table with "
     "certificate and key, or remove tls_listen"},
    {"ticket rotation under a minute",
     "[server.tls]\nticket_rotation = \"59s\"\n[[sites]]\ndefault = true\n", 2, 19,
     "server.tls.ticket_rotation: '59s' is out of range; expected whole seconds from 1m to 7d"},
    {"ticket rotation over a week",
     "[server.tls]\nticket_rotation = \"8d\"\n[[sites]]\ndefault = true\n", 2, 19,
     "server.tls.ticket_rotation: '8d' is out of range; expected whole seconds from 1m to 7d"},
    {"ticket rotation in parts of a second",
     "[server.tls]\nticket_rotation = \"60500ms\"\n[[sites]]\ndefault = true\n", 2, 19,
     "server.tls.ticket_rotation: '60500ms' is out of range; expected whole seconds from 1m to "
     "7d"},
    {"ticket rotation of zero seconds",
     "[server.tls]\nticket_rotation = 0\n[[sites]]\ndefault = true\n", 2, 19,
     "server.tls.ticket_rotation: 0 is out of range; expected whole seconds from 1m to 7d"},
    {"unknown key of server.tls",
     "[server.tls]\nticket_rotaton = \"1h\"\n[[sites]]\ndefault = true\n", 2, 1,
     "server.tls.ticket_rotaton: unknown key; did you mean 'ticket_rotation'?"},
    {"integer where a string is found", "[server]\nworkers = \"two\"\n[[sites]]\ndefault = true\n",
     2, 11, "server.workers: expected an integer, found a string"},
    {"array where a string is found", "[[sites]]\nhosts = \"example.com\"\n", 2, 9,
     "sites[0].hosts: expected an array of strings, found a string"},
    {"string inside an array of strings", "[[sites]]\nhosts = [\"a.example\", 7]\n", 2, 23,
     "sites[0].hosts[1]: expected a string, found an integer"},
    {"integer out of range", "[server]\nworkers = -1\n[[sites]]\ndefault = true\n", 2, 11,
     "server.workers: -1 is out of range; expected 0 to 1024"},
    {"no blocking thread", "[server]\nblocking_threads = 0\n[[sites]]\ndefault = true\n", 2, 20,
     "server.blocking_threads: 0 is out of range; expected 1 to 256"},
    {"blocking threads past the limit",
     "[server]\nblocking_threads = 257\n[[sites]]\ndefault = true\n", 2, 20,
     "server.blocking_threads: 257 is out of range; expected 1 to 256"},
    {"redirect with 305",
     "[[sites]]\ndefault = true\n[[sites.rules]]\nprefix = \"/a/\"\nkind = \"redirect\"\n"
     "to = \"/b/$1\"\nstatus = 305\n",
     7, 10,
     "sites[0].rules[0].status: 305 is never sent (RFC 9110 §15.4.6: Use Proxy is deprecated); "
     "choose 307 or 308"},
    {"return with 306",
     "[[sites]]\ndefault = true\n[[sites.rules]]\nexact = \"/a\"\nkind = \"return\"\nstatus = "
     "306\n",
     6, 10,
     "sites[0].rules[0].status: 306 is never sent (RFC 9110 §15.4.7: reserved and unused); "
     "choose 307 or 308"},
    {"return with a 1xx",
     "[[sites]]\ndefault = true\n[[sites.rules]]\nexact = \"/a\"\nkind = \"return\"\nstatus = "
     "103\n",
     6, 10,
     "sites[0].rules[0].status: 103 is an interim (1xx) status, never a final one; for 103 use "
     "[[sites.early_hints]]"},
    {"status outside 100-599",
     "[[sites]]\ndefault = true\n[[sites.rules]]\nexact = \"/a\"\nkind = \"return\"\nstatus = "
     "600\n",
     6, 10,
     "sites[0].rules[0].status: 600 is outside 100-599, the range of HTTP status codes (RFC 9110 "
     "§15)"},
    {"unregistered status",
     "[[sites]]\ndefault = true\n[[sites.rules]]\nexact = \"/a\"\nkind = \"return\"\nstatus = "
     "299\n",
     6, 10, "sites[0].rules[0].status: 299 is not in the IANA status code registry"},
    {"redirect with a status that is no redirect",
     "[[sites]]\ndefault = true\n[[sites.rules]]\nexact = \"/a\"\nkind = \"redirect\"\n"
     "to = \"/b\"\nstatus = 200\n",
     7, 10,
     "sites[0].rules[0].status: 200 is not a redirect status; expected 301, 302, 303, 307 or 308"},
    {"return of a redirect status",
     "[[sites]]\ndefault = true\n[[sites.rules]]\nexact = \"/a\"\nkind = \"return\"\nstatus = "
     "308\n",
     6, 10, "sites[0].rules[0].status: 308 needs a Location; use kind = \"redirect\""},
    {"401 without WWW-Authenticate",
     "[[sites]]\ndefault = true\n[[sites.rules]]\nexact = \"/a\"\nkind = \"return\"\nstatus = "
     "401\n",
     6, 10, "sites[0].rules[0].status: 401 must carry WWW-Authenticate; add it under headers"},
    {"body on a status without content",
     "[[sites]]\ndefault = true\n[[sites.rules]]\nexact = \"/a\"\nkind = \"return\"\n"
     "status = 204\nbody = \"x\"\n",
     7, 8, "sites[0].rules[0].body: 204 never carries content (RFC 9110 §6.4.1)"},
    {"capture the match does not offer",
     "[[sites]]\ndefault = true\n[[sites.rules]]\nexact = \"/a\"\nkind = \"redirect\"\n"
     "to = \"/b/$1\"\n",
     6, 6, "sites[0].rules[0].to: uses $1 but the match offers no captures (an exact match)"},
    {"key of another rule kind",
     "[[sites]]\ndefault = true\n[[sites.rules]]\nprefix = \"/a/\"\nkind = \"gone\"\n"
     "to = \"/b\"\n",
     6, 6, "sites[0].rules[0].to: does not apply to a gone rule"},
    {"unknown rule kind",
     "[[sites]]\ndefault = true\n[[sites.rules]]\nprefix = \"/a/\"\nkind = \"rewrite\"\n", 5, 8,
     "sites[0].rules[0].kind: 'rewrite' is not a rule kind; expected redirect, return, gone, "
     "legal_block, teapot, require_conditional or headers"},
    {"rule without a match", "[[sites]]\ndefault = true\n[[sites.rules]]\nkind = \"teapot\"\n", 3,
     1,
     "sites[0].rules[0]: 'prefix' is required (one of exact = \"/path\", prefix = \"/dir/\" or "
     "glob = \"/*.php\")"},
    {"legal block without blocked_by",
     "[[sites]]\ndefault = true\n[[sites.rules]]\nprefix = \"/a/\"\nkind = \"legal_block\"\n", 3, 1,
     "sites[0].rules[0]: 'blocked_by' is required (the URL of who demanded the block (RFC 7725 "
     "§4))"},
    {"bad size", "[server.limits]\nbody = \"1.5MiB\"\n[[sites]]\ndefault = true\n", 2, 8,
     "server.limits.body: '1.5MiB' is not a size; write bytes or 8KiB, 1MiB, 2GiB"},
    {"bad duration", "[server.limits]\nheader_timeout = \"2 s\"\n[[sites]]\ndefault = true\n", 2,
     18,
     "server.limits.header_timeout: '2 s' is not a duration; write seconds or 500ms, 2s, 1m, 1h"},
    {"send buffer below 4KiB", "[server]\nsend_buffer = 4095\n[[sites]]\ndefault = true\n", 2, 15,
     "server.send_buffer: 4095 bytes is out of range; expected \"auto\" (or 0) or 4096 (4KiB) to "
     "536870912 (512MiB)"},
    {"send buffer above 512MiB", "[server]\nsend_buffer = 536870913\n[[sites]]\ndefault = true\n",
     2, 15,
     "server.send_buffer: 536870913 bytes is out of range; expected \"auto\" (or 0) or 4096 "
     "(4KiB) to 536870912 (512MiB)"},
    {"send buffer that is no size", "[server]\nsend_buffer = \"big\"\n[[sites]]\ndefault = true\n",
     2, 15, "server.send_buffer: 'big' is not a size; write \"auto\", bytes or 64KiB, 1MiB"},
    {"zero limit", "[server.limits]\nfield_line = 0\n[[sites]]\ndefault = true\n", 2, 14,
     "server.limits.field_line: must be greater than zero"},
    {"zero chunk extensions", "[server.limits]\nchunk_extensions = 0\n[[sites]]\ndefault = true\n",
     2, 20, "server.limits.chunk_extensions: must be greater than zero"},
    {"body min rate that is no size",
     "[server.limits]\nbody_min_rate = \"fast\"\n[[sites]]\ndefault = true\n", 2, 17,
     "server.limits.body_min_rate: 'fast' is not a size; write bytes or 8KiB, 1MiB, 2GiB"},
    {"per-address cap above the cap",
     "[server]\nmax_connections = 100\nmax_connections_per_address = 101\n[[sites]]\n"
     "default = true\n",
     3, 31,
     "server.max_connections_per_address: is larger than max_connections (100), so it never "
     "applies"},
    {"duplicate host across sites, whatever the case",
     "[[sites]]\nhosts = [\"a.example\"]\ndefault = true\n[[sites]]\nhosts = [\"b.example\", "
     "\"A.Example\"]\n",
     5, 23,
     "sites[1].hosts[1]: host 'a.example' is already claimed by sites[0]; each host name belongs "
     "to one site"},
    {"host with a port", "[[sites]]\nhosts = [\"a.example:8080\"]\n", 2, 10,
     "sites[0].hosts[0]: 'a.example:8080' carries a port; a site's host names carry none: write "
     "\"a.example\""},
    {"wildcard in the middle", "[[sites]]\nhosts = [\"a.*.example\"]\n", 2, 10,
     "sites[0].hosts[0]: 'a.*.example' has a '*' other than a leading \"*.\" (\"*.example.com\" "
     "claims every subdomain)"},
    {"two default sites", "[[sites]]\ndefault = true\n[[sites]]\ndefault = true\n", 4, 11,
     "sites[1].default: sites[0] is the default already; only one site may be"},
    {"default site with strict hosts", "[server]\nstrict_hosts = true\n[[sites]]\ndefault = true\n",
     4, 11,
     "sites[0].default: a default site contradicts server.strict_hosts = true, which answers "
     "unclaimed hosts with 421; remove one of them"},
    {"site without hosts", "[[sites]]\nroot = \"site\"\n", 1, 1,
     "sites[0]: 'hosts' is required (the host names the site answers for; or default = true)"},
    {"no site at all", "[server]\nworkers = 1\n", 1, 1,
     "the file: 'sites' is required (at least one [[sites]] table)"},
    {"CIDR with host bits", "[[sites]]\ndefault = true\n[sites.auth]\nallow = [\"10.1.2.3/8\"]\n",
     4, 10,
     "sites[0].auth.allow[0]: '10.1.2.3/8' has bits set past its prefix; did you mean "
     "'10.0.0.0/8'?"},
    {"CIDR with a bad prefix length",
     "[[sites]]\ndefault = true\n[sites.auth]\ndeny = [\"2001:db8::/129\"]\n", 4, 9,
     "sites[0].auth.deny[0]: '/129' is not a prefix length; expected /0 to /128"},
    {"CIDR that is no address", "[[sites]]\ndefault = true\n[sites.auth]\ndeny = [\"10.0.0/8\"]\n",
     4, 9, "sites[0].auth.deny[0]: '10.0.0' is not an IPv4 or IPv6 address"},
    {"missing root directory", "[[sites]]\ndefault = true\nroot = \"nowhere\"\n", 3, 8,
     "sites[0].root: '{dir}/nowhere' does not exist"},
    {"root that is a file", "[[sites]]\ndefault = true\nroot = \"users\"\n", 3, 8,
     "sites[0].root: '{dir}/users' is not a directory"},
    {"missing htpasswd file", "[[sites]]\ndefault = true\n[sites.auth]\nhtpasswd = \"nobody\"\n", 4,
     12, "sites[0].auth.htpasswd: '{dir}/nobody' does not exist"},
    {"missing error page",
     "[[sites]]\ndefault = true\n[sites.error_pages]\nfiles = { \"404\" = \"pages/4O4.html\" }\n",
     4, 19, "sites[0].error_pages.files.404: '{dir}/pages/4O4.html' does not exist"},
    {"error page that is a directory",
     "[[sites]]\ndefault = true\n[sites.error_pages]\nfiles = { \"404\" = \"site\" }\n", 4, 19,
     "sites[0].error_pages.files.404: '{dir}/site' is not a regular file"},
    {"error page for a status that is no error",
     "[[sites]]\ndefault = true\n[sites.error_pages]\nfiles = { \"200\" = \"pages/404.html\" }\n",
     4, 19,
     "sites[0].error_pages.files.200: '200' is not an error status; expected a registered 4xx or "
     "5xx code such as \"404\""},
    {"user missing from the htpasswd file",
     "[[sites]]\ndefault = true\n[sites.auth]\nhtpasswd = \"users\"\n[[sites.auth.paths]]\n"
     "prefix = \"/a/\"\nusers = [\"alice\", \"carol\"]\n",
     7, 19, "sites[0].auth.paths[0].users[1]: 'carol' is not a user of the htpasswd file"},
    {"users without an htpasswd file",
     "[[sites]]\ndefault = true\n[sites.auth]\n[[sites.auth.paths]]\nprefix = \"/a/\"\n"
     "users = [\"*\"]\n",
     6, 9,
     "sites[0].auth.paths[0].users: naming users needs the site's auth.htpasswd file, which "
     "holds their passwords"},
    {"listen address without brackets",
     "[server]\nlisten = [\"::1:8080\"]\n[[sites]]\ndefault = true\n", 2, 11,
     "server.listen[0]: an IPv6 address goes in brackets: \"[::1]:8080\""},
    {"listen address with a name",
     "[server]\nlisten = [\"example.com:80\"]\n[[sites]]\ndefault = true\n", 2, 11,
     "server.listen[0]: 'example.com' is not a numeric IPv4 address (host names are not resolved)"},
    {"bad retry_after",
     "[[sites]]\ndefault = true\n[sites.maintenance]\nretry_after = \"tomorrow\"\n", 4, 15,
     "sites[0].maintenance.retry_after: 'tomorrow' is neither a duration (\"2m\") nor an HTTP-date "
     "(\"Sun, 06 Nov 1994 08:49:37 GMT\")"},
    {"bad rate", "[[sites]]\ndefault = true\n[[sites.rate_limits]]\nrate = \"10 per second\"\n", 4,
     8,
     "sites[0].rate_limits[0].rate: '10 per second' is not a rate; expected REQUESTS/PERIOD such "
     "as \"10/s\", \"600/m\" or \"5/2s\""},
    {"captive portal with a relative login URL",
     "[[sites]]\ndefault = true\n[sites.captive_portal]\nlogin_url = \"login\"\n", 4, 13,
     "sites[0].captive_portal.login_url: 'login' is not a path (\"/login\") or an absolute URL "
     "(\"https://...\")"},
    {"headers rule touching framing",
     "[[sites]]\ndefault = true\n[[sites.rules]]\nprefix = \"/\"\nkind = \"headers\"\n"
     "remove = [\"Content-Length\"]\n",
     6, 10,
     "sites[0].rules[0].remove: 'Content-Length' is set by the server itself and cannot be "
     "changed here"},
    {"early hint that is no Link value",
     "[[sites]]\ndefault = true\n[[sites.early_hints]]\nexact = \"/\"\nlinks = [\"/app.css\"]\n", 5,
     9,
     "sites[0].early_hints[0].links: '/app.css' is not a Link value; expected \"<URI>; "
     "rel=preload\" (RFC 8288 §3)"},
    {"early hint clients",
     "[[sites]]\ndefault = true\n[[sites.early_hints]]\nexact = \"/\"\nhttp1_clients = \"some\"\n"
     "links = [\"</a.css>; rel=preload\"]\n",
     5, 17,
     "sites[0].early_hints[0].http1_clients: 'some' is not a choice; expected \"known\" (browsers "
     "and curl), \"all\" or \"none\""},
    {"log format", "[access_log]\nformat = \"apache\"\n[[sites]]\ndefault = true\n", 2, 10,
     "access_log.format: 'apache' is not a format; expected \"common\", \"combined\" or \"json\""},
    {"TOML syntax", "[[sites]]\ndefault = tru\n", 2, 14,
     "invalid TOML: Error while parsing boolean: expected 'true', saw 'tru\\n'"},
    // Found by fuzz/config_fuzz.cpp: toml++ 3.3 failed an assertion on these (a crash of
    // `teapot check` in a debug build) instead of reporting them; config/reader.h.
    {"table header without a key", "[[sites]]\ndefault = true\n[&]\n", 3, 2,
     "invalid TOML: Error while parsing key: expected bare key starting character or string "
     "delimiter, saw '&'"},
    {"array of tables header with a third bracket", "[[[sites]]]\ndefault = true\n", 1, 3,
     "invalid TOML: Error while parsing key: expected bare key starting character or string "
     "delimiter, saw '['"},
    // Found by fuzz/config_fuzz.cpp: toml++ 3.3 reached __builtin_unreachable on these
    // (undefined behaviour in every build); config/non_ascii.h.
    {"non-ASCII key", "[[sites]]\ndefault = true\ncaf\xc3\xa9 = 1\n", 3, 4,
     "invalid TOML: a character other than ASCII outside a string or comment; quote the key or "
     "the value that holds it"},
    {"non-ASCII in a table header", "[[sites]]\ndefault = true\n[\xc2\xa7]\n", 3, 2,
     "invalid TOML: a character other than ASCII outside a string or comment; quote the key or "
     "the value that holds it"},
    {"non-ASCII after a string that holds some", "[[sites]]\nhosts = [\"\xc3\xa9\" \xc2\xa7]\n", 2,
     14,
     "invalid TOML: a character other than ASCII outside a string or comment; quote the key or "
     "the value that holds it"},
    {"non-ASCII after a quote where no string may start", "[[sites]]\nworkers = 1\"\xd1\x9c\n", 2,
     12, "invalid TOML: Error while parsing decimal integer: expected digit, saw '\"'"},
    {"mistake on a line before a non-ASCII character", "[[sites]]\ndefault = tru\n\xc2\xa7\n", 2,
     14, "invalid TOML: Error while parsing boolean: expected 'true', saw 'tru\\n'"},
    {"brace where an array element starts", "[[sites]]\nhosts = [\"a\", }\n", 2, 15,
     "invalid TOML: Error while parsing value: could not determine value type"},
};

class broken_config : public testing::config_fixture,
                      public ::testing::WithParamInterface<broken_case> {};

TEST_P(broken_config, is_refused_with_one_positioned_message) {
  const broken_case& c = GetParam();
  load_result r = load(c.text);
  EXPECT_FALSE(r.config.has_value());
  ASSERT_EQ(r.errors.size(), 1u) << [&] {
    std::string all;
    for (const config_error& e : r.errors)
      all += format_error(e) + "\n";
    return all;
  }();
  std::string message = c.message;
  if (auto at = message.find("{dir}"); at != std::string::npos)
    message.replace(at, 5, dir_.string());
  EXPECT_EQ(r.errors[0].message, message);
  EXPECT_EQ(r.errors[0].line, c.line);
  EXPECT_EQ(r.errors[0].column, c.column);
  EXPECT_EQ(r.errors[0].file, dir_ / "teapot.toml");
}

std::string case_name(const ::testing::TestParamInfo<broken_case>& info) {
  std::string name;
  for (const char* p = info.param.name; *p; ++p)
    name += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(config, broken_config, ::testing::ValuesIn(cases), case_name);

using malformed_toml = testing::config_fixture;

// Found by fuzz/config_fuzz.cpp with a NUL, which cannot stand in the table's C strings.
TEST_F(malformed_toml, a_nul_after_a_header_bracket_is_reported_with_its_position) {
  using namespace std::string_view_literals;
  load_result r = load("[[sites]]\ndefault = true\n[\0]\n"sv);
  EXPECT_FALSE(r.config.has_value());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 3u);
  EXPECT_EQ(r.errors[0].column, 2u);
  EXPECT_TRUE(r.errors[0].message.starts_with("invalid TOML: ")) << r.errors[0].message;
}

// Found by fuzz/config_fuzz.cpp: "1." is no key, so the quote after it opens no string.
TEST_F(malformed_toml, non_ascii_after_a_quote_after_a_number_is_reported_at_the_quote) {
  load_result r = load("[[sites]]\nworkers = 1.'\xd1\x9c\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 2u);
  EXPECT_EQ(r.errors[0].column, 13u);
  EXPECT_EQ(r.errors[0].message,
            "invalid TOML: Error while parsing floating-point: expected decimal digit, saw '''");
}

TEST_F(malformed_toml, non_ascii_text_in_strings_and_comments_is_fine) {
  load_result r = load(
      "# R\xc3\xa9glages \xc2\xa7 1\n[[sites]]\ndefault = true # d\xc3\xa9"
      "faut\n"
      "[sites.auth]\nrealm = \"\xc3\x89quipe\"\n[[sites.rules]]\nexact = \"/\"\n"
      "kind = \"return\"\nstatus = 200\nbody = '''\n\xc2\xa7 caf\xc3\xa9 \"\"\"\n'''\n"
      "[sites.\"stati\xc3\xa7\"]\n");
  ASSERT_FALSE(r.config.has_value());  // the quoted key is no table the loader knows
  ASSERT_EQ(r.errors.size(), 1u) << format_error(r.errors[0]);
  EXPECT_EQ(r.errors[0].line, 13u) << format_error(r.errors[0]);
  EXPECT_TRUE(r.errors[0].message.find("unknown key") != std::string::npos)
      << format_error(r.errors[0]);
}

using htpasswd_file = testing::config_fixture;

TEST_F(htpasswd_file, weak_hashes_and_malformed_lines_are_reported_at_their_own_line) {
  write("weak", "# staff\nalice:$apr1$abc$def\nbob\nalice:$2y$10$abc\n");
  load_result r = load("[[sites]]\ndefault = true\n[sites.auth]\nhtpasswd = \"weak\"\n");
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(format_error(r.errors[0]),
            (dir_ / "weak").string() +
                ":2:1: the hash of 'alice' is not bcrypt ($2y$), SHA-crypt ($5$, $6$) or "
                "yescrypt ($y$); make one with `htpasswd -B`");
  EXPECT_EQ(format_error(r.errors[1]), (dir_ / "weak").string() + ":3:1: expected USER:HASH");
  EXPECT_EQ(format_error(r.errors[2]),
            (dir_ / "weak").string() + ":4:1: user 'alice' appears twice");
}

}  // namespace
}  // namespace teapot::config
