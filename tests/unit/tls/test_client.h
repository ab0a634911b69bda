// A real OpenSSL client for the server's sessions, over memory buffers: no socket, no thread.
// pump() carries the bytes each way until neither side has more to say.
#pragma once

#include <openssl/ssl.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tls/context_set.h"
#include "tls/session.h"

namespace teapot::tls::testing {

// Certificates made once per test run by make_self_signed, in a scratch directory:
// "a" for a.example and www.a.example, "b" for b.example and *.b.example, "ip" for localhost,
// 127.0.0.1 and ::1, "expired" for old.example (expired yesterday).
struct test_certificates {
  static const test_certificates& get();
  certificate_config config(const std::string& name) const;
  std::filesystem::path chain(const std::string& name) const { return dir / (name + ".pem"); }
  std::filesystem::path key(const std::string& name) const { return dir / (name + ".key"); }
  std::filesystem::path dir;
};

// A set of the given certificates (by test_certificates name) and options.
std::shared_ptr<context_set> make_set(const std::vector<std::string>& names,
                                      const tls_config& config = {});

struct client_options {
  std::string sni;                // empty: no server_name extension
  std::vector<std::string> alpn;  // empty: no ALPN extension
  int max_version = 0;            // e.g. TLS1_2_VERSION; 0: the library's highest
  SSL_SESSION* resume = nullptr;  // a session to resume (not owned)
  std::string early_data;         // written as early data before the handshake (needs resume)
};

// The options of the tests, by what they vary.
inline client_options with_version(int max_version) {
  client_options o;
  o.max_version = max_version;
  return o;
}
inline client_options with_sni(std::string sni, int max_version = 0) {
  client_options o = with_version(max_version);
  o.sni = std::move(sni);
  return o;
}
inline client_options with_alpn(std::vector<std::string> alpn) {
  client_options o;
  o.alpn = std::move(alpn);
  return o;
}
inline client_options resuming(SSL_SESSION* ticket, std::string early_data = {}) {
  client_options o;
  o.resume = ticket;
  o.early_data = std::move(early_data);
  return o;
}

class test_client {
 public:
  explicit test_client(const client_options& options = {});
  ~test_client();
  test_client(const test_client&) = delete;
  test_client& operator=(const test_client&) = delete;

  SSL* ssl() const { return ssl_; }
  void feed(std::string_view ciphertext);
  std::string take();
  // Advances the handshake, then reads whatever application data has arrived into received.
  void step();
  // Queues plaintext; what SSL_write takes at once (partial writes are on).
  std::size_t write(std::string_view plaintext);
  bool handshake_done() const { return SSL_is_init_finished(ssl_) == 1; }
  bool failed() const { return failed_; }
  // The names of the certificate the server presented (certificate_names).
  std::vector<std::string> peer_names() const;
  // The session to resume later (owned by the caller: SSL_SESSION_free).
  SSL_SESSION* session() const { return SSL_get1_session(ssl_); }

  std::string received;

 private:
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  BIO* in_ = nullptr;
  BIO* out_ = nullptr;
  bool failed_ = false;
};

// What the server side read while pumping.
struct server_reads {
  std::string plaintext;
  std::string early;  // the part read with read_result::early
  bool error = false;
  bool closed = false;
};

// Steps both sides and carries the bytes between them until nothing moves. ciphertext_out, if
// given, counts the bytes the server wrote.
server_reads pump(test_client& client, session& server, std::size_t* ciphertext_out = nullptr);

}  // namespace teapot::tls::testing
