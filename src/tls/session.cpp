#include "tls/session.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <climits>
#include <stdexcept>
#include <utility>

#include "tls/openssl_error.h"

namespace teapot::tls {

session::session(std::shared_ptr<const context_set> set)
    : set_(std::move(set)), ssl_(set_->new_ssl()) {
  in_ = BIO_new(BIO_s_mem());
  out_ = BIO_new(BIO_s_mem());
  if (in_ == nullptr || out_ == nullptr) {
    BIO_free(in_);
    BIO_free(out_);
    throw_openssl_error("cannot make a TLS session's buffers");
  }
  // An empty input is "more to come", never the end of the stream: the socket says when the
  // client has gone, not the buffer.
  BIO_set_mem_eof_return(in_, -1);
  SSL_set_bio(ssl_.get(), in_, out_);
  reading_early_ = set_->config().early_data;
}

// A connection dropped without close_notify leaves a session that may still be resumed (RFC
// 8446 §6.1 and, for TLS 1.2, RFC 5246 §7.2.1 allow it). Marked as shut down, OpenSSL does not
// strike it from the session cache, which would take the context's lock, shared by every
// worker, on each such close.
session::~session() {
  SSL_set_shutdown(ssl_.get(), SSL_get_shutdown(ssl_.get()) | SSL_SENT_SHUTDOWN);
}

void session::feed_ciphertext(std::string_view bytes) {
  while (!bytes.empty()) {
    const int n = static_cast<int>(std::min<std::size_t>(bytes.size(), INT_MAX));
    if (BIO_write(in_, bytes.data(), n) != n) {
      error_ = "cannot buffer ciphertext: " + take_openssl_errors();
      return;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

void session::take_ciphertext(std::string& out) {
  const std::size_t pending = BIO_ctrl_pending(out_);
  if (pending == 0) return;
  const std::size_t old = out.size();
  out.resize(old + pending);
  std::size_t n = 0;
  if (BIO_read_ex(out_, out.data() + old, pending, &n) != 1) n = 0;
  out.resize(old + n);
}

std::size_t session::pending_ciphertext() const {
  return BIO_ctrl_pending(out_);
}

read_result session::read_plaintext(std::span<char> buffer) {
  if (failed()) return {read_status::error};
  ERR_clear_error();  // SSL_get_error reads the queue: it must hold only this call's errors
  std::size_t n = 0;
  if (reading_early_) {
    // RFC 8446 §4.2.10: early data, read before the handshake completes.
    switch (SSL_read_early_data(ssl_.get(), buffer.data(), buffer.size(), &n)) {
      case SSL_READ_EARLY_DATA_SUCCESS:
        return {read_status::data, n, true};
      case SSL_READ_EARLY_DATA_FINISH:
        reading_early_ = false;
        break;
      default:
        return fail(0);
    }
  }
  const int ret = SSL_read_ex(ssl_.get(), buffer.data(), buffer.size(), &n);
  if (ret == 1) return {read_status::data, n, false};
  return fail(ret);
}

read_result session::fail(int ret) {
  switch (SSL_get_error(ssl_.get(), ret)) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:  // the output BIO grows; kept for completeness
      return {read_status::want_more};
    case SSL_ERROR_ZERO_RETURN:
      return {read_status::closed};
    default:
      error_ = take_openssl_errors();
      if (error_.empty()) error_ = "TLS failure without a reason from OpenSSL";
      return {read_status::error};
  }
}

std::size_t session::write_plaintext(std::string_view bytes) {
  if (failed() || !handshake_done()) return 0;
  std::size_t taken = 0;
  // With partial writes on, SSL_write_ex takes one record (16 KiB at most) at a time.
  while (taken < bytes.size() && pending_ciphertext() < ciphertext_window) {
    const std::size_t n = std::min(bytes.size() - taken, ciphertext_window - pending_ciphertext());
    ERR_clear_error();
    std::size_t written = 0;
    if (SSL_write_ex(ssl_.get(), bytes.data() + taken, n, &written) != 1) {
      const int why = SSL_get_error(ssl_.get(), 0);
      if (why != SSL_ERROR_WANT_READ && why != SSL_ERROR_WANT_WRITE) {
        error_ = take_openssl_errors();
        if (error_.empty()) error_ = "the TLS session cannot be written to";
      }
      break;
    }
    taken += written;
  }
  return taken;
}

bool session::close_notify() {
  if (failed() || !handshake_done()) return false;
  ERR_clear_error();
  // 0: our close_notify is queued and the client's not seen yet, which a server closing the
  // connection does not wait for (RFC 8446 §6.1 lets it close its side alone).
  return SSL_shutdown(ssl_.get()) >= 0;
}

bool session::handshake_done() const {
  return SSL_is_init_finished(ssl_.get()) == 1;
}

std::string_view session::alpn() const {
  const unsigned char* name = nullptr;
  unsigned int size = 0;
  SSL_get0_alpn_selected(ssl_.get(), &name, &size);
  return name == nullptr ? std::string_view{}
                         : std::string_view(reinterpret_cast<const char*>(name), size);
}

std::string_view session::server_name() const {
  const char* name = SSL_get_servername(ssl_.get(), TLSEXT_NAMETYPE_host_name);
  return name == nullptr ? std::string_view{} : std::string_view(name);
}

std::size_t session::certificate() const {
  return set_->certificate_of(ssl_.get());
}

bool session::covers(std::string_view host) const {
  return set_->covers(certificate(), host);
}

bool session::resumed() const {
  return SSL_session_reused(ssl_.get()) == 1;
}

early_data_state session::early_data() const {
  switch (SSL_get_early_data_status(ssl_.get())) {
    case SSL_EARLY_DATA_ACCEPTED:
      return early_data_state::accepted;
    case SSL_EARLY_DATA_REJECTED:
      return early_data_state::rejected;
    default:
      return early_data_state::none;
  }
}

std::string_view session::version() const {
  return SSL_get_version(ssl_.get());
}

}  // namespace teapot::tls
