// TLS client pieces shared by the API client and the device agent: a verifying context and the
// per-connection peer name (SNI and the name or address the certificate must carry).
#pragma once

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>
#include <openssl/types.h>

#include "common/result.h"

namespace sag {

// A client context: TLS 1.2+, no compression; unless insecure, the peer's certificate is verified
// against the PEM CA file ca_file ("" = the system's default store).
Result<std::shared_ptr<boost::asio::ssl::context>, std::string> MakeTlsClientContext(
    const std::string& ca_file, bool insecure);

// Sets SNI (for a host name) and, unless insecure, the host name or IP address the peer's
// certificate must match, on one connection.
void SetTlsPeerName(SSL* ssl, const std::string& host, bool insecure);

}  // namespace sag
