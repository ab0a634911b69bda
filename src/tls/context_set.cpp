#include "tls/context_set.h"

#include <openssl/ssl.h>

#include <stdexcept>
#include <utility>

#include "tls/alpn.h"
#include "tls/host_names.h"
#include "tls/openssl_error.h"

namespace teapot::tls {
namespace {

void check_alpn(const std::vector<std::string>& protocols) {
  for (const std::string& p : protocols)
    if (p.empty() || p.size() > 255)
      throw std::runtime_error("ALPN protocol '" + p + "' is not 1 to 255 bytes long");
}

const context_set* set_of(SSL* ssl) {
  return static_cast<const context_set*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
}

}  // namespace

context_set::context_set(const std::vector<certificate_config>& certificates,
                         const tls_config& config, std::shared_ptr<ticket_key_ring> ticket_keys)
    : config_(config), ticket_keys_(std::move(ticket_keys)) {
  if (certificates.empty()) throw std::runtime_error("a TLS listener needs a certificate");
  check_alpn(config_.alpn);
  if (!ticket_keys_) ticket_keys_ = std::make_shared<ticket_key_ring>(config_.ticket_keys_kept);
  certificates_.reserve(certificates.size());
  for (const certificate_config& c : certificates) {
    certificates_.push_back(load_certificate(c, config_));
    install_callbacks(certificates_.back().context.get());
    for (const std::string& w : certificates_.back().warnings)
      warnings_.push_back(w);
  }
}

context_set::~context_set() = default;

// Every context gets every callback: after SNI moves a connection to another context, OpenSSL
// reads some callbacks from the new one (ALPN) and some from the first (tickets, the cache).
void context_set::install_callbacks(SSL_CTX* ctx) {
  SSL_CTX_set_app_data(ctx, this);
  SSL_CTX_set_tlsext_servername_callback(ctx, on_server_name);
  SSL_CTX_set_alpn_select_cb(ctx, on_alpn, this);
  SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, on_ticket_key);
}

const std::vector<std::string>& context_set::names(std::size_t certificate) const {
  return certificates_.at(certificate).names;
}

std::size_t context_set::select(std::string_view server_name) const {
  if (server_name.empty()) return 0;
  const std::string host = normalize_host(server_name);
  for (std::size_t i = 0; i < certificates_.size(); ++i)
    for (const std::string& name : certificates_[i].names)
      if (!is_wildcard(name) && name == host) return i;
  for (std::size_t i = 0; i < certificates_.size(); ++i)
    for (const std::string& name : certificates_[i].names)
      if (is_wildcard(name) && name_covers(name, host)) return i;
  return 0;
}

bool context_set::covers(std::size_t certificate, std::string_view host) const {
  for (const std::string& name : names(certificate))
    if (name_covers(name, host)) return true;
  return false;
}

ssl_ptr context_set::new_ssl() const {
  ssl_ptr ssl(SSL_new(certificates_.front().context.get()));
  if (!ssl) throw_openssl_error("cannot make a TLS session");
  SSL_set_accept_state(ssl.get());
  return ssl;
}

std::size_t context_set::certificate_of(const SSL* ssl) const {
  const SSL_CTX* current = SSL_get_SSL_CTX(ssl);
  for (std::size_t i = 0; i < certificates_.size(); ++i)
    if (certificates_[i].context.get() == current) return i;
  return 0;
}

// RFC 6066 §3. A name no certificate covers is not acknowledged (no server_name in the
// server's answer), and the handshake goes on with the default certificate.
int context_set::on_server_name(SSL* ssl, int* /*alert*/, void* /*arg*/) {
  const context_set* set = set_of(ssl);
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (set == nullptr || name == nullptr) return SSL_TLSEXT_ERR_NOACK;
  const std::size_t chosen = set->select(name);
  SSL_CTX* ctx = set->certificates_[chosen].context.get();
  if (SSL_get_SSL_CTX(ssl) != ctx && SSL_set_SSL_CTX(ssl, ctx) == nullptr)
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  // Early data is the chosen site's to allow (RFC 8446 §4.2.10): SSL_set_SSL_CTX keeps the
  // limit of the context the session was made with, and the server decides after this.
  SSL_set_max_early_data(ssl, SSL_CTX_get_max_early_data(ctx));
  return chosen != 0 || set->covers(0, name) ? SSL_TLSEXT_ERR_OK : SSL_TLSEXT_ERR_NOACK;
}

// RFC 7301 §3.2 says that a server sharing no protocol with the client SHALL end the handshake
// with no_application_protocol. teapot goes on without ALPN instead, and the connection speaks
// HTTP/1.1, as an https connection without ALPN always has (h2 needs ALPN's "h2", RFC 9113
// §3.2). Clients offer lists a server may not hold: `curl --http1.0` offers "http/1.0" alone,
// older clients offer "spdy/3" or "h2" alone where the operator listed only "http/1.1"; they
// all speak HTTP/1.1 well enough, and an alert would leave them a TLS failure to report
// instead of a response.
int context_set::on_alpn(SSL* /*ssl*/, const unsigned char** out, unsigned char* out_size,
                         const unsigned char* in, unsigned int in_size, void* arg) {
  const auto* set = static_cast<const context_set*>(arg);
  const auto chosen =
      select_alpn(set->config_.alpn, std::string_view(reinterpret_cast<const char*>(in), in_size));
  if (!chosen) return SSL_TLSEXT_ERR_NOACK;
  *out = reinterpret_cast<const unsigned char*>(chosen->data());  // inside `in`, as required
  *out_size = static_cast<unsigned char>(chosen->size());
  return SSL_TLSEXT_ERR_OK;
}

int context_set::on_ticket_key(SSL* ssl, unsigned char* key_name, unsigned char* iv,
                               EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac, int sealing) {
  const context_set* set = set_of(ssl);
  if (set == nullptr) return -1;
  const ticket_key_ring& ring = *set->ticket_keys_;
  return sealing != 0 ? ring.seal(key_name, iv, cipher, mac) : ring.open(key_name, iv, cipher, mac);
}

}  // namespace teapot::tls
