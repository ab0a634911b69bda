// llhttp's request cases replayed through teapot's parser and chunked decoder as a regression
// table. Each case where teapot's decision or parsed result differs from llhttp's strict mode
// must be listed in docs/parser-deviations.md (file and case name in its table); a difference
// not listed fails, and so does a listed case that no longer differs.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "base/ascii.h"
#include "h1/request_parser.h"

namespace teapot::h1 {
namespace {

namespace fs = std::filesystem;
namespace ascii = base::ascii;
using kind = parse_result::kind;

struct message {
  std::string method, url, version, body;
  std::vector<std::pair<std::string, std::string>> fields;
};

struct outcome {
  std::vector<message> messages;  // completed ones
  bool error = false;
};

struct corpus_case {
  std::string file, name, meta;
  std::string http, log;
};

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string line; std::getline(ss, line);)
    out.push_back(line);
  return out;
}

std::vector<corpus_case> read_cases(const fs::path& file) {
  std::vector<corpus_case> out;
  const auto lines = lines_of(read_file(file));
  corpus_case current;
  std::string* block = nullptr;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    if (block != nullptr) {
      if (l == "```") {
        if (block == &current.log) out.push_back(current);
        block = nullptr;
      } else {
        block->append(l).append("\n");
      }
    } else if (l.rfind("#", 0) == 0) {
      current.name = l.substr(l.find_first_not_of("# "));
    } else if (i + 1 < lines.size() && !l.empty() &&
               (lines[i + 1].rfind("===", 0) == 0 || lines[i + 1].rfind("---", 0) == 0)) {
      current.name = l;
    } else if (l.rfind("<!-- meta=", 0) == 0) {
      current.meta = l;
    } else if (l == "```http") {
      current.http.clear();
      current.log.clear();
      block = &current.http;
    } else if (l == "```log") {
      block = &current.log;
    }
  }
  for (auto& c : out)
    c.file = file.filename().string();
  return out;
}

// corpora/README.md: drop the final newline and backslash-newline pairs, turn line ends into
// CRLF, then expand \r \n \t \f \xHH and octal \NNN.
std::string to_bytes(std::string text) {
  if (!text.empty() && text.back() == '\n') text.pop_back();
  std::string joined;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == '\n') {
      ++i;
    } else if (text[i] == '\n') {
      joined += "\r\n";
    } else {
      joined += text[i];
    }
  }
  std::string out;
  for (std::size_t i = 0; i < joined.size(); ++i) {
    if (joined[i] != '\\' || i + 1 == joined.size()) {
      out += joined[i];
      continue;
    }
    const char e = joined[++i];
    if (e == 'r')
      out += '\r';
    else if (e == 'n')
      out += '\n';
    else if (e == 't')
      out += '\t';
    else if (e == 'f')
      out += '\f';
    else if (e == 'x') {
      out += static_cast<char>(std::stoi(joined.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else if (e >= '0' && e <= '7') {
      std::size_t len = 0;
      while (len < 3 && i + len < joined.size() && joined[i + len] >= '0' && joined[i + len] <= '7')
        ++len;
      out += static_cast<char>(std::stoi(joined.substr(i, len), nullptr, 8));
      i += len - 1;
    } else {
      out += '\\';
      out += e;
    }
  }
  return out;
}

// The quoted span text of a log line: span[kind]="...", with llhttp's escapes undone.
std::string span_text(const std::string& line) {
  const std::size_t q = line.find("=\"");
  return to_bytes(line.substr(q + 2, line.size() - q - 3) + "\n");
}

// The log writes some bytes 0x80-0xFF as the UTF-8 of the same code point (and others as they
// came): both readings are accepted.
std::string latin1_of(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c == 0xc2 || c == 0xc3) && i + 1 < text.size()) {
      out += static_cast<char>(((c & 0x03) << 6) | (static_cast<unsigned char>(text[++i]) & 0x3f));
    } else {
      out += text[i];
    }
  }
  return out;
}

struct llhttp_log {
  outcome result;
  std::vector<std::size_t> host_insertions;  // after the request line of 1.1 messages without Host
};

llhttp_log read_log(const std::string& log) {
  llhttp_log out;
  message m;
  std::string last_span;
  std::size_t version_end = 0;
  bool has_host = false;
  bool in_head = true;  // header spans after "headers complete" are trailers, which teapot drops
  for (const std::string& l : lines_of(log)) {
    const std::size_t sp = l.find(' ');
    const std::size_t off = std::stoul(l.substr(4, sp - 4));
    const std::string ev = l.substr(sp + 1);
    if (ev == "message begin") {
      m = {};
      has_host = false;
      in_head = true;
      version_end = 0;
    } else if (ev.find("span[") != std::string::npos) {
      const std::string k = ev.substr(ev.find("span[") + 5, ev.find(']') - ev.find("span[") - 5);
      const std::string text = span_text(ev);
      if (k == "method") m.method += text;
      if (k == "url") m.url += text;
      if (k == "version") m.version += text;
      if (k == "body") m.body += text;
      if (k.rfind("header", 0) == 0 && !in_head) continue;
      if (k == "header_field") {
        if (last_span != "header_field") m.fields.emplace_back();
        m.fields.back().first += text;
      }
      if (k == "header_value") m.fields.back().second += text;
      last_span = k;
    } else if (ev == "version complete") {
      version_end = off;
    } else if (ev.rfind("headers complete", 0) == 0) {
      in_head = false;
      for (auto& [n, v] : m.fields)
        has_host = has_host || ascii::iequals(n, "host");
      if (m.version == "1.1" && !has_host && version_end > 0) {
        out.host_insertions.push_back(version_end + 2);
      }
    } else if (ev == "message complete") {
      out.result.messages.push_back(m);
    } else if (ev.rfind("error", 0) == 0) {
      // Pauses on CONNECT/Upgrade end parsing, as teapot's hand-over does; data after
      // "Connection: close" is never read by teapot either.
      out.result.error =
          ev.find("code=22") == std::string::npos && ev.find("code=5 ") == std::string::npos;
    }
    if (ev.find("span[header") == std::string::npos) last_span.clear();
  }
  return out;
}

outcome run_teapot(const std::string& bytes) {
  static const parser_config config = [] {
    parser_config c;
    for (const char* m : {"REPORT", "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK",
                          "UNLOCK", "SEARCH", "PURGE", "LINK", "UNLINK", "SOURCE", "QUERY"}) {
      c.methods.emplace_back(m);
    }
    return c;
  }();
  outcome out;
  std::string_view rest = bytes;
  while (!rest.empty()) {
    request_parser p(config);
    const parse_result r = p.parse(rest);
    if (r.outcome != kind::done) {
      out.error = r.outcome == kind::error;
      return out;
    }
    const request_head& h = p.head();
    message m{
        std::string(h.method), std::string(h.target), h.version_minor == 0 ? "1.0" : "1.1", "", {}};
    for (const auto& f : h.fields)
      m.fields.emplace_back(f.name, f.value);
    rest.remove_prefix(r.consumed);
    // A CONNECT tunnel begins right after the head; an upgrade after the request's content.
    if (h.method == "CONNECT") {
      out.messages.push_back(m);
      return out;
    }
    if (h.framing == body_framing::content_length) {
      if (rest.size() < h.content_length) return out;
      m.body = rest.substr(0, h.content_length);
      rest.remove_prefix(h.content_length);
    } else if (h.framing == body_framing::chunked) {
      chunked_decoder d(config);
      const auto c = d.decode(rest, m.body);
      if (c.outcome != kind::done) {
        out.error = c.outcome == kind::error;
        return out;
      }
      rest.remove_prefix(c.consumed);
    }
    out.messages.push_back(m);
    if (!h.keep_alive || h.upgrade) return out;
  }
  return out;
}

std::string trimmed(const std::string& s) {
  return std::string(ascii::trim_ows(s));
}

// An empty string when teapot and llhttp agree, else what differs.
std::string compare(const outcome& ours, const outcome& theirs, bool inserted_host) {
  if (ours.error != theirs.error) {
    return std::string("llhttp ") + (theirs.error ? "rejects" : "accepts") + ", teapot " +
           (ours.error ? "rejects" : "accepts");
  }
  if (ours.error) return "";
  if (ours.messages.size() != theirs.messages.size()) {
    return "llhttp completes " + std::to_string(theirs.messages.size()) + " messages, teapot " +
           std::to_string(ours.messages.size());
  }
  for (std::size_t i = 0; i < ours.messages.size(); ++i) {
    const message& a = ours.messages[i];
    const message& b = theirs.messages[i];
    if (a.method != b.method || a.url != b.url || a.body != b.body) return "method/url/body differ";
    if (a.version != b.version && !(b.version > "1.1" && b.version.rfind("1.", 0) == 0)) {
      return "version differs";
    }
    auto fields = a.fields;
    if (inserted_host && fields.size() == b.fields.size() + 1) fields.erase(fields.begin());
    if (fields.size() != b.fields.size()) return "field count differs";
    for (std::size_t j = 0; j < fields.size(); ++j) {
      const std::string value = trimmed(b.fields[j].second);
      if (fields[j].first != b.fields[j].first ||
          (fields[j].second != value && fields[j].second != latin1_of(value))) {
        return "field " + b.fields[j].first + " differs";
      }
    }
  }
  return "";
}

// Rows of the deviations table: "| file.md | case name | ...".
std::set<std::string> allowed_deviations() {
  std::set<std::string> out;
  for (const std::string& l :
       lines_of(read_file(fs::path(TEAPOT_SOURCE_DIR) / "docs" / "parser-deviations.md"))) {
    if (l.rfind("| ", 0) != 0) continue;
    const std::size_t a = l.find(" | ", 2);
    const std::size_t b = a == std::string::npos ? a : l.find(" | ", a + 3);
    if (b == std::string::npos) continue;
    const std::string file = l.substr(2, a - 2);
    if (file.size() < 3 || file.substr(file.size() - 3) != ".md") continue;
    std::string name = l.substr(a + 3, b - a - 3);
    name.erase(std::remove(name.begin(), name.end(), '`'), name.end());
    out.insert(file + ": " + name);
  }
  return out;
}

TEST(llhttp_corpus, every_difference_is_listed_in_the_deviations_document) {
  const fs::path dir = fs::path(TEAPOT_SHARED_DIR) / "corpora" / "llhttp-requests";
  ASSERT_TRUE(fs::is_directory(dir)) << dir;
  const std::set<std::string> allowed = allowed_deviations();
  std::set<std::string> seen;
  std::size_t replayed = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string file = entry.path().filename().string();
    if (entry.path().extension() != ".md" || file.rfind("lenient-", 0) == 0) continue;
    for (const corpus_case& c : read_cases(entry.path())) {
      // Opt-in leniencies of llhttp are not strict-mode behaviour.
      if (c.meta.find("lenient") != std::string::npos ||
          c.meta.find("loose") != std::string::npos ||
          c.meta.find("\"request\"") == std::string::npos ||
          c.meta.find("skipBody") != std::string::npos) {
        continue;
      }
      const llhttp_log log = read_log(c.log);
      std::string bytes = to_bytes(c.http);
      for (auto it = log.host_insertions.rbegin(); it != log.host_insertions.rend(); ++it) {
        if (*it <= bytes.size()) bytes.insert(*it, "Host: example\r\n");
      }
      ++replayed;
      outcome ours = run_teapot(bytes);
      if (log.result.error && !ours.error) {
        // teapot judges the version, and the framing fields, once their line or the head
        // is complete; llhttp rejects mid-line. Completing the input shows teapot's decision.
        const outcome completed = run_teapot(bytes + "\r\n\r\n");
        if (completed.error) ours = completed;
      }
      const std::string diff = compare(ours, log.result, !log.host_insertions.empty());
      std::string key = file + ": " + c.name;
      key.erase(std::remove(key.begin(), key.end(), '`'), key.end());
      if (diff.empty()) continue;
      seen.insert(key);
      EXPECT_TRUE(allowed.count(key)) << key << ": " << diff;
      if (!allowed.count(key)) ADD_FAILURE() << "bytes: " << ::testing::PrintToString(bytes);
    }
  }
  EXPECT_GT(replayed, 100u);
  for (const std::string& key : allowed) {
    EXPECT_TRUE(seen.count(key)) << key << " is listed as a deviation but no longer differs";
  }
}

}  // namespace
}  // namespace teapot::h1
