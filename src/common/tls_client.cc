#include "common/tls_client.h"

#include <boost/asio/ip/address.hpp>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace sag {

namespace ssl = boost::asio::ssl;

Result<std::shared_ptr<ssl::context>, std::string> MakeTlsClientContext(const std::string& ca_file,
                                                                        bool insecure) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::no_compression);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  if (insecure) {
    ctx->set_verify_mode(ssl::verify_none);
    return ctx;
  }
  ctx->set_verify_mode(ssl::verify_peer);
  boost::system::error_code ec;
  if (ca_file.empty()) {
    ctx->set_default_verify_paths(ec);
    if (ec) return MakeUnexpected("cannot load the system's CA certificates: " + ec.message());
  } else {
    ctx->load_verify_file(ca_file, ec);
    if (ec) return MakeUnexpected("cannot load CA file " + ca_file + ": " + ec.message());
  }
  return ctx;
}

void SetTlsPeerName(SSL* ssl, const std::string& host, bool insecure) {
  boost::system::error_code not_ip;
  boost::asio::ip::make_address(host, not_ip);
  if (not_ip) {
    // SSL_set_tlsext_host_name, without the macro's C cast.
    SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(host.c_str()));
    if (!insecure) SSL_set1_host(ssl, host.c_str());
  } else if (!insecure) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str());
  }
}

}  // namespace sag
