#include "test_client.h"

#include <openssl/err.h>

#include <unistd.h>
#include <array>
#include <fstream>
#include <stdexcept>

#include "tls/certificate_names.h"
#include "tls/self_signed.h"

namespace teapot::tls::testing {
namespace {

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

struct scratch {
  scratch() {
    dir = std::filesystem::temp_directory_path() / ("teapot-tls-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::vector<std::pair<std::string, std::vector<std::string>>> made{
        {"a", {"a.example", "www.a.example"}},
        {"b", {"b.example", "*.b.example"}},
        {"ip", {"localhost", "127.0.0.1", "::1"}},
    };
    for (const auto& [name, hosts] : made) {
      const certificate_pem pem = make_self_signed(hosts, 30);
      write_file(dir / (name + ".pem"), pem.certificate);
      write_file(dir / (name + ".key"), pem.key);
    }
    const certificate_pem old = make_self_signed({"old.example"}, -1);
    write_file(dir / "expired.pem", old.certificate);
    write_file(dir / "expired.key", old.key);
  }
  ~scratch() { std::filesystem::remove_all(dir); }
  std::filesystem::path dir;
};

}  // namespace

const test_certificates& test_certificates::get() {
  static const scratch made;
  static const test_certificates certificates{made.dir};
  return certificates;
}

certificate_config test_certificates::config(const std::string& name) const {
  return {chain(name).string(), key(name).string(), {}};
}

std::shared_ptr<context_set> make_set(const std::vector<std::string>& names,
                                      const tls_config& config) {
  std::vector<certificate_config> certificates;
  for (const std::string& name : names)
    certificates.push_back(test_certificates::get().config(name));
  return std::make_shared<context_set>(certificates, config);
}

test_client::test_client(const client_options& options) {
  ctx_ = SSL_CTX_new(TLS_client_method());
  if (options.max_version != 0) SSL_CTX_set_max_proto_version(ctx_, options.max_version);
  ssl_ = SSL_new(ctx_);
  in_ = BIO_new(BIO_s_mem());
  out_ = BIO_new(BIO_s_mem());
  BIO_set_mem_eof_return(in_, -1);
  SSL_set_bio(ssl_, in_, out_);
  SSL_set_connect_state(ssl_);
  if (!options.sni.empty()) SSL_set_tlsext_host_name(ssl_, options.sni.c_str());
  if (!options.alpn.empty()) {
    std::string wire;
    for (const std::string& p : options.alpn)
      wire += static_cast<char>(p.size()) + p;
    SSL_set_alpn_protos(ssl_, reinterpret_cast<const unsigned char*>(wire.data()),
                        static_cast<unsigned int>(wire.size()));
  }
  if (options.resume != nullptr) SSL_set_session(ssl_, options.resume);
  std::size_t written = 0;
  if (!options.early_data.empty() &&
      SSL_write_early_data(ssl_, options.early_data.data(), options.early_data.size(), &written) !=
          1) {
    SSL_free(ssl_);
    SSL_CTX_free(ctx_);
    throw std::runtime_error("the client cannot write early data");
  }
}

test_client::~test_client() {
  // A session whose connection ends without close_notify is struck off as not resumable;
  // the tests resume sessions of clients they have let go.
  SSL_set_shutdown(ssl_, SSL_get_shutdown(ssl_) | SSL_SENT_SHUTDOWN);
  SSL_free(ssl_);
  SSL_CTX_free(ctx_);
}

void test_client::feed(std::string_view ciphertext) {
  if (!ciphertext.empty()) BIO_write(in_, ciphertext.data(), static_cast<int>(ciphertext.size()));
}

std::string test_client::take() {
  std::string out(BIO_ctrl_pending(out_), '\0');
  std::size_t n = 0;
  if (!out.empty()) BIO_read_ex(out_, out.data(), out.size(), &n);
  out.resize(n);
  return out;
}

void test_client::step() {
  if (failed_) return;
  if (!handshake_done()) {
    const int r = SSL_do_handshake(ssl_);
    if (r != 1) {
      const int e = SSL_get_error(ssl_, r);
      if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) failed_ = true;
      ERR_clear_error();
      return;
    }
  }
  std::array<char, 16384> buffer{};
  for (;;) {
    std::size_t n = 0;
    if (SSL_read_ex(ssl_, buffer.data(), buffer.size(), &n) != 1) {
      const int e = SSL_get_error(ssl_, 0);
      if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_ZERO_RETURN) failed_ = true;
      ERR_clear_error();
      return;
    }
    received.append(buffer.data(), n);
  }
}

std::size_t test_client::write(std::string_view plaintext) {
  std::size_t n = 0;
  if (SSL_write_ex(ssl_, plaintext.data(), plaintext.size(), &n) != 1) {
    ERR_clear_error();
    return 0;
  }
  return n;
}

std::vector<std::string> test_client::peer_names() const {
  X509* peer = SSL_get0_peer_certificate(ssl_);
  return peer == nullptr ? std::vector<std::string>{} : certificate_names(peer);
}

server_reads pump(test_client& client, session& server, std::size_t* ciphertext_out) {
  server_reads reads;
  std::array<char, 4096> buffer{};
  for (int round = 0; round < 1000; ++round) {
    client.step();
    const std::string to_server = client.take();
    server.feed_ciphertext(to_server);
    for (;;) {
      const read_result r = server.read_plaintext(buffer);
      if (r.status != read_status::data) {
        reads.error = reads.error || r.status == read_status::error;
        reads.closed = reads.closed || r.status == read_status::closed;
        break;
      }
      reads.plaintext.append(buffer.data(), r.size);
      if (r.early) reads.early.append(buffer.data(), r.size);
    }
    std::string to_client;
    server.take_ciphertext(to_client);
    if (ciphertext_out != nullptr) *ciphertext_out += to_client.size();
    client.feed(to_client);
    if (to_server.empty() && to_client.empty()) {
      client.step();  // what the last bytes carried (tickets, data)
      break;
    }
  }
  return reads;
}

}  // namespace teapot::tls::testing
