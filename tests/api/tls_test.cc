// sagd over TLS: a self-signed certificate for 127.0.0.1/localhost made here with OpenSSL, a real
// Server on a free port, signed API calls over https (verified against the certificate, and
// refused without it), plain HTTP refused, and a device over wss. Every wait is bounded.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "client/api_client.h"
#include "client/http_client.h"
#include "common/crypto.h"
#include "common/tls_client.h"
#include "device/agent/simulated_device.h"
#include "device/protocol.h"
#include "server/server.h"

namespace sag {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;
using namespace std::chrono_literals;

constexpr char kKeyId[] = "LTAItlstestkey000001";
constexpr char kKeySecret[] = "tlstestsecret0123456789abcdefghij";
constexpr char kSecret[] = "device-secret-0123456789";

// Writes a self-signed certificate (SAN IP:127.0.0.1, DNS:localhost) and its key as PEM files.
void MakeSelfSigned(const std::string& cert_path, const std::string& key_path) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  ASSERT_NE(key, nullptr);
  X509* cert = X509_new();
  ASSERT_NE(cert, nullptr);
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600L * 24);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  const std::string cn = "sag tls test";
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  for (const auto& [nid, value] : {std::pair{NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost"},
                                   std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    ASSERT_NE(ext, nullptr);
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
  ASSERT_GT(X509_sign(cert, key, EVP_sha256()), 0);
  FILE* f = std::fopen(cert_path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  PEM_write_X509(f, cert);
  std::fclose(f);
  f = std::fopen(key_path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  X509_free(cert);
  EVP_PKEY_free(key);
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/sag_tls_test.XXXXXX";
    ASSERT_NE(mkdtemp(templ), nullptr);
    dir_ = templ;
    cert_ = dir_ + "/cert.pem";
    MakeSelfSigned(cert_, dir_ + "/key.pem");
    setenv("SAG_ROOT_ACCESS_KEY_ID", kKeyId, 1);
    setenv("SAG_ROOT_ACCESS_KEY_SECRET", kKeySecret, 1);
    server::ServerConfig config;
    config.listen_host = "127.0.0.1";
    config.listen_port = 0;
    config.data_dir = dir_ + "/data";
    config.worker_threads = 4;
    config.tls_cert_file = cert_;
    config.tls_key_file = dir_ + "/key.pem";
    auto s = server::Server::Create(config);
    ASSERT_TRUE(s.has_value()) << s.error();
    server_ = std::move(*s);
    std::string error;
    ASSERT_TRUE(server_->Start(&error)) << error;
    EXPECT_TRUE(server_->tls());
    port_ = server_->port();
  }
  void TearDown() override {
    if (server_) server_->Stop();
    server_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  client::Endpoint Https(const std::string& host, bool with_ca) {
    client::Endpoint ep = *client::ParseEndpoint("https://" + host + ":" + std::to_string(port_));
    if (with_ca) ep.ca_file = cert_;
    return ep;
  }

  Result<client::ApiResponse, std::string> Call(const client::Endpoint& ep, std::string_view action,
                                                const signing::ParamList& params,
                                                std::string_view version) {
    return client::CallApi(ep, {kKeyId, kKeySecret}, version, action, params,
                           client::SignatureKind::kV1, "JSON");
  }

  std::string dir_;
  std::string cert_;
  std::unique_ptr<server::Server> server_;
  uint16_t port_ = 0;
};

TEST_F(TlsTest, SignedCallOverHttpsWithTheCaFile) {
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    auto r = Call(Https(host, true), "DescribeRegions", {}, client::kSmartagVersion);
    ASSERT_TRUE(r.has_value()) << host << ": " << r.error();
    EXPECT_EQ(r->status, 200u) << r->body;
  }
}

TEST_F(TlsTest, WithoutTheCaFileVerificationFails) {
  client::Endpoint ep = Https("127.0.0.1", false);
  ep.ca_file = dir_ + "/empty.pem";  // trust nothing (the system store does not know the cert)
  {
    FILE* f = std::fopen(ep.ca_file.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fclose(f);
  }
  auto r = Call(ep, "DescribeRegions", {}, client::kSmartagVersion);
  EXPECT_FALSE(r.has_value());
  auto system = Call(Https("127.0.0.1", false), "DescribeRegions", {}, client::kSmartagVersion);
  ASSERT_FALSE(system.has_value());
  EXPECT_NE(system.error().find("TLS handshake"), std::string::npos) << system.error();
  client::Endpoint insecure = Https("127.0.0.1", false);
  insecure.insecure = true;
  auto ok = Call(insecure, "DescribeRegions", {}, client::kSmartagVersion);
  ASSERT_TRUE(ok.has_value()) << ok.error();
  EXPECT_EQ(ok->status, 200u);
}

TEST_F(TlsTest, PlainHttpIsNotServed) {
  client::Endpoint ep = *client::ParseEndpoint("http://127.0.0.1:" + std::to_string(port_));
  client::HttpConnection conn(ep, 10s);
  auto r = conn.Send("GET", "/", {}, "");
  EXPECT_FALSE(r.has_value());
}

// A device over wss: authenticates and receives a pushed change.
TEST_F(TlsTest, DeviceOverWssGetsAPushedChange) {
  const std::string sn = "sagtls0001";
  client::Endpoint ep = Https("127.0.0.1", true);
  auto reg = Call(ep, "RegisterDevice",
                  {{"SerialNumber", sn}, {"HardwareModel", "sag-1000"}, {"DeviceSecret", kSecret}},
                  client::kOperatorVersion);
  ASSERT_TRUE(reg.has_value()) << reg.error();
  ASSERT_EQ(reg->status, 200u) << reg->body;
  auto created = Call(ep, "CreateSmartAccessGateway",
                      {{"RegionId", "cn-shanghai"},
                       {"ChargeType", "PREPAY"},
                       {"HaType", "no_backup"},
                       {"HardWareSpec", "sag-1000"},
                       {"Period", "12"},
                       {"AutoPay", "true"},
                       {"BuyerMessage", "m"},
                       {"ReceiverAddress", "a"},
                       {"ReceiverCity", "c"},
                       {"ReceiverCountry", "China"},
                       {"ReceiverDistrict", "d"},
                       {"ReceiverEmail", "ops@example.com"},
                       {"ReceiverMobile", "18840850000"},
                       {"ReceiverName", "n"},
                       {"ReceiverState", "s"},
                       {"ReceiverTown", "t"},
                       {"ReceiverZip", "310000"}},
                      client::kSmartagVersion);
  ASSERT_TRUE(created.has_value()) << created.error();
  ASSERT_EQ(created->status, 200u) << created->body;
  const std::string instance(json::parse(created->body).at("SmartAGId").as_string());
  for (const char* action : {"BindSerialNumber", "ActivateSmartAccessGateway"}) {
    signing::ParamList params{{"RegionId", "cn-shanghai"}, {"SmartAGId", instance}};
    if (std::string_view(action) == "BindSerialNumber") params.push_back({"SerialNumber", sn});
    auto r = Call(ep, action, params, client::kSmartagVersion);
    ASSERT_TRUE(r.has_value()) << r.error();
    ASSERT_EQ(r->status, 200u) << r->body;
  }

  asio::io_context ioc;
  auto tls = MakeTlsClientContext(cert_, false);
  ASSERT_TRUE(tls.has_value()) << tls.error();
  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(ioc, **tls);
  SetTlsPeerName(ws.next_layer().native_handle(), "127.0.0.1", false);
  beast::get_lowest_layer(ws).expires_after(10s);
  beast::get_lowest_layer(ws).connect(
      asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
  ws.next_layer().handshake(asio::ssl::stream_base::client);
  beast::get_lowest_layer(ws).expires_never();
  websocket::stream_base::timeout timeout{10s, 10s, false};
  ws.set_option(timeout);
  ws.handshake("127.0.0.1:" + std::to_string(port_), std::string(device::kChannelPath));
  auto read = [&ws]() -> std::optional<device::ServerMessage> {
    beast::flat_buffer buffer;
    beast::error_code ec;
    ws.read(buffer, ec);
    if (ec) return std::nullopt;
    auto m = device::ParseServerMessage(beast::buffers_to_string(buffer.data()));
    if (!m) return std::nullopt;
    return *m;
  };
  auto first = read();
  ASSERT_TRUE(first.has_value());
  const auto* challenge = std::get_if<device::Challenge>(&*first);
  ASSERT_NE(challenge, nullptr);
  device::Hello h;
  h.serial_number = sn;
  h.proof = device::ComputeProof(kSecret, sn, challenge->nonce);
  h.model = "sag-1000";
  h.firmware = "2.0.0";
  h.dpi = "1.0.0";
  h.boot_time_ms = 1795429990000;
  ws.text(true);
  ws.write(asio::buffer(device::FormatHello(h)));
  auto welcome = read();
  ASSERT_TRUE(welcome.has_value());
  ASSERT_NE(std::get_if<device::Welcome>(&*welcome), nullptr);

  // A password change is pushed to the device as a desired message (the call itself waits for
  // the device's answer, which this test does not send: it runs on its own thread).
  std::optional<unsigned> modify_status;
  std::thread modify([&] {
    auto r = Call(ep, "ModifySAGAdminPassword",
                  {{"RegionId", "cn-shanghai"},
                   {"SmartAGId", instance},
                   {"SmartAGSn", sn},
                   {"Password", "NewPass_123"}},
                  client::kSmartagVersion);
    if (r) modify_status = r->status;
  });
  auto pushed = read();
  EXPECT_TRUE(pushed.has_value());
  const auto* desired = pushed ? std::get_if<device::Desired>(&*pushed) : nullptr;
  EXPECT_NE(desired, nullptr);
  if (desired != nullptr) {
    device::Applied applied;
    applied.facet = desired->facet;
    applied.generation = desired->generation;
    applied.result = "ok";
    beast::error_code ec;
    ws.write(asio::buffer(device::FormatApplied(applied)), ec);
  }
  modify.join();  // bounded by the server's admin password timeout
  EXPECT_EQ(modify_status, std::optional<unsigned>(200u));
  beast::error_code ignored;
  ws.close(websocket::close_code::normal, ignored);
}

// The device agent library (sag-device) over wss, trusting the CA file.
TEST_F(TlsTest, AgentComesOnlineOverWss) {
  InitCrypto();
  const std::string sn = "sagtlsagent1";
  client::Endpoint ep = Https("127.0.0.1", true);
  auto reg = Call(ep, "RegisterDevice",
                  {{"SerialNumber", sn}, {"HardwareModel", "sag-1000"}, {"DeviceSecret", kSecret}},
                  client::kOperatorVersion);
  ASSERT_TRUE(reg.has_value()) << reg.error();
  ASSERT_EQ(reg->status, 200u) << reg->body;

  asio::io_context ioc;
  device::agent::ChannelTarget target;
  target.endpoints.emplace_back(asio::ip::make_address("127.0.0.1"), port_);
  target.host = "127.0.0.1:" + std::to_string(port_);
  auto tls = MakeTlsClientContext(cert_, false);
  ASSERT_TRUE(tls.has_value()) << tls.error();
  target.tls = *tls;
  target.tls_peer = "127.0.0.1";
  device::agent::DeviceOptions options;
  options.serial_number = sn;
  options.secret = kSecret;
  std::ostringstream out;
  device::agent::Fleet fleet(ioc, &out);
  ASSERT_TRUE(fleet.Add(options, target));
  fleet.StartAll();
  auto run_until = [&ioc](const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      ioc.restart();
      ioc.run_for(10ms);
    }
    return done();
  };
  EXPECT_TRUE(run_until([&] { return fleet.online() == 1; })) << out.str();
  bool stopped = false;
  fleet.StopAll([&stopped] { stopped = true; });
  EXPECT_TRUE(run_until([&] { return stopped; }));
}

}  // namespace
}  // namespace sag
