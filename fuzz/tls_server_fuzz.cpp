// Feeds arbitrary bytes to a server session as the client's ciphertext: a ClientHello and what
// follows, in pieces whose size the first byte chooses (its low bit picks a set that accepts
// early data). ASan and UBSan watch OpenSSL's callbacks into teapot (SNI, ALPN, ticket keys)
// and the session's buffers; the checks hold the session to its contract: the output drains,
// a failed session stays failed, a finished handshake names a protocol and a certificate the
// set offers.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include "fuzz_support.h"
#include "tls/context_set.h"
#include "tls/self_signed.h"
#include "tls/session.h"

namespace {

using teapot::fuzz::check;
using teapot::tls::context_set;
using teapot::tls::read_status;
using teapot::tls::session;

// Two certificates (SNI has a choice, one of them by wildcard), written once to a scratch
// folder that is gone as soon as the sets have read it.
std::vector<teapot::tls::certificate_config> certificates(const std::filesystem::path& dir) {
  std::vector<teapot::tls::certificate_config> out;
  const std::vector<std::vector<std::string>> hosts{{"a.example", "localhost"},
                                                    {"b.example", "*.b.example"}};
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    const auto pem = teapot::tls::make_self_signed(hosts[i], 30);
    const std::string name = (dir / std::to_string(i)).string();
    std::ofstream(name + ".pem") << pem.certificate;
    std::ofstream(name + ".key") << pem.key;
    out.push_back({name + ".pem", name + ".key", {}});
  }
  return out;
}

struct sets {
  sets() {
    const auto dir =
        std::filesystem::temp_directory_path() / ("teapot-tls-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto files = certificates(dir);
    teapot::tls::tls_config early;
    early.early_data = true;
    plain = std::make_shared<context_set>(files, teapot::tls::tls_config{});
    with_early_data = std::make_shared<context_set>(files, early);
    std::filesystem::remove_all(dir);
  }
  std::shared_ptr<context_set> plain;
  std::shared_ptr<context_set> with_early_data;
};

const sets& the_sets() {
  static const sets s;
  return s;
}

void check_finished(const session& s, const context_set& set) {
  const std::string_view alpn = s.alpn();
  check(alpn.empty() || alpn == "h2" || alpn == "http/1.1");
  check(s.certificate() < set.size());
  // A name SNI chose a certificate for is a name that certificate covers.
  if (s.certificate() != 0) check(s.covers(s.server_name()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::shared_ptr<context_set>& chosen =
      (data[0] & 1) != 0 ? the_sets().with_early_data : the_sets().plain;
  const context_set& set = *chosen;
  const std::size_t piece = 1 + (data[0] >> 1);  // 1 to 128 bytes per feed
  std::string_view input = teapot::fuzz::as_text(data + 1, size - 1);
  session s(chosen);
  std::string out;
  char buffer[512];
  while (!input.empty()) {
    s.feed_ciphertext(input.substr(0, piece));
    input.remove_prefix(std::min(piece, input.size()));
    for (;;) {
      const auto r = s.read_plaintext(buffer);
      if (r.status != read_status::data) {
        check(r.status != read_status::error || s.failed());
        break;
      }
      check(r.size <= sizeof buffer);
      check(!r.early || (data[0] & 1) != 0);  // early data only where the set accepts it
    }
    s.take_ciphertext(out);
    check(s.pending_ciphertext() == 0);
    if (s.failed()) break;
  }
  if (s.failed()) {
    char again[16];
    check(s.read_plaintext(again).status == read_status::error);
    check(s.write_plaintext("late") == 0);
    check(!s.close_notify());
  } else if (s.handshake_done()) {
    check_finished(s, set);
    check(s.write_plaintext("HTTP/1.1 200 OK\r\n\r\n") == 19);
    check(s.close_notify());
  } else {
    check(s.write_plaintext("too early") == 0);
  }
  return 0;
}
