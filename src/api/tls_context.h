// The server's TLS context: TLS 1.2 or later, no compression, certificate chain and private key
// from PEM files.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "common/result.h"

namespace sag::api {

// Builds a server context from a PEM certificate chain file and a PEM private key file. The error
// names the file and OpenSSL's reason.
Result<std::shared_ptr<boost::asio::ssl::context>, std::string> MakeServerTlsContext(
    const std::string& cert_file, const std::string& key_file);

}  // namespace sag::api
