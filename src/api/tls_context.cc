#include "api/tls_context.h"

#include <openssl/ssl.h>

namespace sag::api {

namespace ssl = boost::asio::ssl;

Result<std::shared_ptr<ssl::context>, std::string> MakeServerTlsContext(
    const std::string& cert_file, const std::string& key_file) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::no_compression | ssl::context::single_dh_use);
  if (SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION) != 1) {
    return MakeUnexpected(std::string("cannot require TLS 1.2"));
  }
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cert_file, ec);
  if (ec) return MakeUnexpected("cannot load TLS certificate " + cert_file + ": " + ec.message());
  ctx->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) return MakeUnexpected("cannot load TLS key " + key_file + ": " + ec.message());
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    return MakeUnexpected("TLS key " + key_file + " does not match certificate " + cert_file);
  }
  return ctx;
}

}  // namespace sag::api
