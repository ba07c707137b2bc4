// sag: the OpenSAG command-line client (README.md). `sag smartag <Action> --Name value ...` calls
// the smartag 2018-03-13 API in the aliyun CLI's shape; `sag admin <Action> ...` calls the
// operator API. Requests are signed with the server's own signing code.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "client/api_client.h"
#include "client/cli_args.h"
#include "client/http_client.h"
#include "client/json_pretty.h"
#include "client/progress_bar.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitApiError = 1;
constexpr int kExitUsage = 2;

constexpr const char* kFooter = R"(Usage:
  sag [global options] smartag <Action> [--Name value ...]   smartag API (Version 2018-03-13)
  sag [global options] admin <Action> [--Name value ...]     operator API (Version 2026-11-01)

Global options go before the product word. Every "--Name value" (or "--Name=value") after the
action is sent as an API parameter, verbatim and case-sensitive; list parameters are written
as the API spells them, e.g. --SmartAGIds.1 sag-a --SmartAGIds.2 sag-b.

Environment:
  SAG_ENDPOINT           default for --endpoint (else http://127.0.0.1:8086)
  SAG_ACCESS_KEY_ID      default for --access-key-id
  SAG_ACCESS_KEY_SECRET  default for --access-key-secret (prefer it to the flag: argv is public)
  SAG_CA_FILE            default for --ca-file (PEM CA certificates for https:// endpoints)

Signatures: v1 (default) sends every parameter in a POST form body signed with HMAC-SHA1, as
@alicloud/pop-core does; v3 sends the parameters in the query of a POST and signs with an
ACS3-HMAC-SHA256 Authorization header, as @alicloud/openapi-client does.

Output: the response body on stdout, JSON re-indented with 2 spaces, anything else as received.
Exit status: 0 on HTTP 2xx; 1 on an API error (the error body is still printed on stdout);
2 on a usage or connection error (message on stderr). The secret is never printed.

Examples:
  sag smartag DescribeRegions
  sag --region cn-shanghai smartag DescribeSmartAccessGateways --PageSize 50
  sag --signature v3 --format xml smartag DescribeSmartAccessGatewayAttribute \
      --RegionId cn-hangzhou --SmartAGId sag-0123456789abcdef
  sag admin CreateUser --UserName alice
  sag admin ResetState                      # sagd --test-mode: back to an empty state
  sag admin CreateFaultRule --TargetAction BindSerialNumber --Times 2 --Code Throttling.User
  sag admin ListRequests --TargetAction 'Describe*' --MaxResults 5
  sag admin PublishVersion --VersionType Device --VersionCode 2.1.0 \
      --HardwareModels sag-1000 --ArtifactFile firmware-2.1.0.bin
(--ArtifactFile PATH sends the file as the request body, signed with V3.))";

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

bool HasParam(const sag::signing::ParamList& params, const std::string& name) {
  for (const auto& [key, value] : params) {
    if (key == name) return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sag: OpenSAG command-line client for the smartag API and the operator API", "sag"};
  app.prefix_command();
  app.footer(kFooter);
  app.set_version_flag("--version", "sag 0.1.0");

  std::string endpoint_text = EnvOr("SAG_ENDPOINT", "http://127.0.0.1:8086");
  sag::client::Credentials credentials;
  credentials.access_key_id = EnvOr("SAG_ACCESS_KEY_ID", "");
  credentials.access_key_secret = EnvOr("SAG_ACCESS_KEY_SECRET", "");
  std::string ca_file = EnvOr("SAG_CA_FILE", "");
  bool insecure = false;
  std::string signature = "v1";
  std::string format = "json";
  std::string region;
  double timeout_s = 30;

  app.add_option(
      "--endpoint", endpoint_text,
      "server URL, http[s]://HOST:PORT (default $SAG_ENDPOINT or http://127.0.0.1:8086)");
  app.add_option("--ca-file", ca_file,
                 "PEM CA certificates to trust for https:// (default $SAG_CA_FILE, else the "
                 "system's store)");
  app.add_flag("--insecure", insecure,
               "https:// without verifying the server's certificate: for testing only");
  app.add_option("--access-key-id", credentials.access_key_id,
                 "AccessKey ID (default $SAG_ACCESS_KEY_ID)");
  app.add_option("--access-key-secret", credentials.access_key_secret,
                 "AccessKey secret (default $SAG_ACCESS_KEY_SECRET)");
  app.add_option("--signature", signature, "signature version: v1 (default) or v3")
      ->check(CLI::IsMember({"v1", "v3"}, CLI::ignore_case));
  app.add_option("--format", format, "response format: json (default) or xml")
      ->check(CLI::IsMember({"json", "xml"}, CLI::ignore_case));
  app.add_option("--region", region, "RegionId to send when the call does not give one");
  app.add_option("--timeout", timeout_s, "seconds to wait for connect and response (default 30)")
      ->check(CLI::Range(0.1, 3600.0));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }

  std::vector<std::string> words = app.remaining();
  if (words.empty()) {
    std::cerr << "sag: missing the product (smartag or admin); see sag --help\n";
    return kExitUsage;
  }
  const std::string product = words.front();
  words.erase(words.begin());
  std::string version;
  if (product == "smartag") {
    version = std::string(sag::client::kSmartagVersion);
  } else if (product == "admin") {
    version = std::string(sag::client::kOperatorVersion);
  } else if (!product.empty() && product.front() == '-') {
    std::cerr << "sag: unknown global option " << product << "; see sag --help\n";
    return kExitUsage;
  } else {
    std::cerr << "sag: unknown product \"" << product << "\" (smartag or admin); see sag --help\n";
    return kExitUsage;
  }

  auto invocation = sag::client::ParseActionParams(words);
  if (!invocation) {
    std::cerr << "sag " << product << ": " << invocation.error() << "; see sag --help\n";
    return kExitUsage;
  }
  if (invocation->help) {
    std::cout << app.help();
    return kExitOk;
  }

  auto endpoint = sag::client::ParseEndpoint(endpoint_text);
  if (!endpoint) {
    std::cerr << "sag: " << endpoint.error() << "\n";
    return kExitUsage;
  }
  endpoint->ca_file = ca_file;
  endpoint->insecure = insecure;
  if (credentials.access_key_id.empty() || credentials.access_key_secret.empty()) {
    std::cerr << "sag: no AccessKey: give --access-key-id and --access-key-secret, or set "
                 "SAG_ACCESS_KEY_ID and SAG_ACCESS_KEY_SECRET\n";
    return kExitUsage;
  }

  sag::client::ApiRequest request;
  request.version = version;
  request.action = invocation->action;
  request.params = std::move(invocation->params);
  if (!region.empty() && !HasParam(request.params, "RegionId")) {
    request.params.emplace_back("RegionId", region);
  }
  request.signature =
      Lower(signature) == "v3" ? sag::client::SignatureKind::kV3 : sag::client::SignatureKind::kV1;
  // --ArtifactFile PATH (e.g. admin PublishVersion): the file is the request body, which only
  // signature V3 covers, so the call is signed with V3.
  for (auto it = request.params.begin(); it != request.params.end(); ++it) {
    if (it->first != "ArtifactFile") continue;
    std::ifstream in(it->second, std::ios::binary);
    if (!in) {
      std::cerr << "sag: cannot read --ArtifactFile " << it->second << "\n";
      return kExitUsage;
    }
    request.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    request.params.erase(it);
    request.signature = sag::client::SignatureKind::kV3;
    break;
  }
  request.format = Lower(format) == "xml" ? "XML" : "JSON";

  sag::client::HttpConnection connection(
      *endpoint, std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000)));
  // An artifact upload shows its progress on a terminal (never in a pipe or a file).
  sag::client::ProgressBar upload_bar(std::cerr, "Uploading");
  if (!request.body.empty() && sag::client::IsInteractive()) {
    connection.set_upload_progress(
        [&upload_bar](uint64_t sent, uint64_t total) { upload_bar.Update(sent, total); });
  }
  auto response = sag::client::CallApi(connection, credentials, request);
  if (!response) {
    std::cerr << "sag: " << response.error() << "\n";
    return kExitUsage;
  }

  const std::string& body = response->body;
  if (auto pretty = sag::client::PrettyPrintJson(body)) {
    std::cout << *pretty << "\n";
  } else {
    std::cout << body;
    if (!body.empty() && body.back() != '\n') std::cout << "\n";
  }
  std::cout.flush();
  return response->status >= 200 && response->status < 300 ? kExitOk : kExitApiError;
}
