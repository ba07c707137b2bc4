// The device channel end to end: a real sagd Server on a free port, a fake device speaking the
// protocol over a Beast WebSocket client, and signed API calls. Every wait is bounded.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unistd.h>
#include <variant>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "client/api_client.h"
#include "common/crypto.h"
#include "device/protocol.h"
#include "server/server.h"

namespace sag::device {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;
using namespace std::chrono_literals;

constexpr char kKeyId[] = "LTAIdevicechanneltest01";
constexpr char kKeySecret[] = "devicechanneltestsecret0123456789ab";
constexpr char kSecret[] = "device-secret-0123456789";
constexpr auto kWait = 10s;  // generous bound for anything the server must do

// What the tests look at in a server message: the parsed variant seen through one flat view.
struct Received {
  std::string type;  // challenge | welcome | desired | error | the unknown type's name
  std::string nonce;
  std::string session_id;
  int64_t lease_ms = 0;
  int64_t heartbeat_ms = 0;
  std::string facet;
  int64_t generation = 0;
  std::string value_json;  // the desired value, serialized
  std::string code;
};

Received View(const ServerMessage& message) {
  Received r;
  if (const auto* c = std::get_if<Challenge>(&message)) {
    r.type = "challenge";
    r.nonce = c->nonce;
  } else if (const auto* w = std::get_if<Welcome>(&message)) {
    r.type = "welcome";
    r.session_id = w->session_id;
    r.lease_ms = w->lease_ms;
    r.heartbeat_ms = w->heartbeat_ms;
  } else if (const auto* d = std::get_if<Desired>(&message)) {
    r.type = "desired";
    r.facet = d->facet;
    r.generation = d->generation;
    r.value_json = json::serialize(d->value);
  } else if (const auto* e = std::get_if<ServerError>(&message)) {
    r.type = "error";
    r.code = e->code;
  } else {
    r.type = std::get<UnknownServerMessage>(message).type;
  }
  return r;
}

// A device: one WebSocket connection, driven synchronously from the test thread with bounded
// reads.
class FakeDevice {
 public:
  explicit FakeDevice(uint16_t port) : ws_(ioc_) {
    asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
    beast::get_lowest_layer(ws_).connect(ep);
    ws_.handshake("127.0.0.1:" + std::to_string(port), std::string(kChannelPath));
  }

  // The next message, or nullopt when the connection closed (close_code() tells the code) or
  // nothing came within timeout.
  std::optional<Received> Read(std::chrono::milliseconds timeout = kWait) {
    beast::flat_buffer buffer;
    beast::error_code result;
    bool done = false;
    beast::get_lowest_layer(ws_).expires_after(timeout);
    ws_.async_read(buffer, [&](beast::error_code ec, size_t) {
      result = ec;
      done = true;
    });
    ioc_.restart();
    ioc_.run();
    if (!done || result) {
      if (result == websocket::error::closed) close_code_ = ws_.reason().code;
      closed_ = true;
      return std::nullopt;
    }
    auto m = ParseServerMessage(beast::buffers_to_string(buffer.data()));
    EXPECT_TRUE(m.has_value()) << m.error();
    if (!m) return std::nullopt;
    return View(*m);
  }

  // Reads until the connection closes; returns the close code (0 when it did not close cleanly).
  int ReadUntilClosed() {
    for (int i = 0; i < 20 && !closed_; ++i) Read();
    return close_code_;
  }

  void Send(const std::string& text) {
    beast::error_code ec;
    ws_.text(true);
    ws_.write(asio::buffer(text), ec);
  }

  void Close() {
    beast::error_code ec;
    ws_.close(websocket::close_code::normal, ec);
  }

  // challenge -> hello; returns the server's answer.
  std::optional<Received> Hello(const std::string& sn, const std::string& secret,
                                std::map<std::string, int64_t> applied = {}, bool enroll = false) {
    auto challenge = Read();
    if (!challenge || challenge->type != "challenge") return std::nullopt;
    device::Hello h;
    h.serial_number = sn;
    if (enroll) {
      h.enroll_secret = secret;
    } else {
      h.proof = ComputeProof(secret, sn, challenge->nonce);
    }
    h.model = "sag-1000";
    h.firmware = "2.0.0";
    h.dpi = "1.0.0";
    h.boot_time_ms = 1795429990000;
    h.applied = std::move(applied);
    Send(FormatHello(h));
    return Read();
  }

  int close_code() const { return close_code_; }

 private:
  asio::io_context ioc_;
  websocket::stream<beast::tcp_stream> ws_;
  int close_code_ = 0;
  bool closed_ = false;
};

struct ApiResult {
  unsigned status = 0;
  json::object body;
  std::string Code() const {
    auto* c = body.if_contains("Code");
    return c != nullptr && c->is_string() ? std::string(c->get_string()) : "";
  }
};

class ChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/sag_channel_test.XXXXXX";
    ASSERT_NE(mkdtemp(templ), nullptr);
    dir_ = templ;
  }
  void TearDown() override {
    if (server_) server_->Stop();
    server_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  void StartServer(int64_t lease_ms = 30000, int64_t password_timeout_ms = 10000) {
    setenv("SAG_ROOT_ACCESS_KEY_ID", kKeyId, 1);
    setenv("SAG_ROOT_ACCESS_KEY_SECRET", kKeySecret, 1);
    server::ServerConfig config;
    config.listen_host = "127.0.0.1";
    config.listen_port = 0;
    config.data_dir = dir_;
    config.device_lease_ms = lease_ms;
    config.device_heartbeat_ms = lease_ms / 3;
    config.admin_password_timeout_ms = password_timeout_ms;
    config.worker_threads = 4;
    auto s = server::Server::Create(config);
    ASSERT_TRUE(s.has_value()) << s.error();
    server_ = std::move(*s);
    std::string error;
    ASSERT_TRUE(server_->Start(&error)) << error;
    port_ = server_->port();
  }

  ApiResult Call(std::string_view action, const signing::ParamList& params,
                 std::string_view version = client::kSmartagVersion) {
    client::Endpoint ep{"127.0.0.1", port_, "127.0.0.1:" + std::to_string(port_)};
    auto r = client::CallApi(ep, {kKeyId, kKeySecret}, version, action, params,
                             client::SignatureKind::kV1, "JSON");
    ApiResult out;
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error());
    if (!r) return out;
    out.status = r->status;
    boost::system::error_code ec;
    json::value v = json::parse(r->body, ec);
    if (!ec && v.is_object()) out.body = v.as_object();
    return out;
  }

  // An active sag-1000 instance with sn bound; registers sn with kSecret unless enrol.
  void MakeActiveInstance(const std::string& sn, bool register_device = true) {
    if (register_device) {
      auto reg =
          Call("RegisterDevice",
               {{"SerialNumber", sn}, {"HardwareModel", "sag-1000"}, {"DeviceSecret", kSecret}},
               client::kOperatorVersion);
      ASSERT_EQ(reg.status, 200u) << json::serialize(reg.body);
    }
    auto created = Call("CreateSmartAccessGateway", {{"RegionId", "cn-shanghai"},
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
                                                     {"ReceiverZip", "310000"}});
    ASSERT_EQ(created.status, 200u) << json::serialize(created.body);
    instance_ = std::string(created.body.at("SmartAGId").as_string());
    auto bound =
        Call("BindSerialNumber",
             {{"RegionId", "cn-shanghai"}, {"SmartAGId", instance_}, {"SerialNumber", sn}});
    ASSERT_EQ(bound.status, 200u) << json::serialize(bound.body);
    auto active =
        Call("ActivateSmartAccessGateway", {{"RegionId", "cn-shanghai"}, {"SmartAGId", instance_}});
    ASSERT_EQ(active.status, 200u) << json::serialize(active.body);
  }

  ApiResult DeviceInfo(const std::string& sn) {
    return Call("DescribeSAGDeviceInfo",
                {{"RegionId", "cn-shanghai"}, {"SmartAGId", instance_}, {"SmartAGSn", sn}});
  }

  ApiResult ModifyPassword(const std::string& sn, const std::string& password) {
    return Call("ModifySAGAdminPassword", {{"RegionId", "cn-shanghai"},
                                           {"SmartAGId", instance_},
                                           {"SmartAGSn", sn},
                                           {"Password", password}});
  }

  // Polls DescribeSAGDeviceInfo until ControllerState is want (bounded).
  bool WaitControllerState(const std::string& sn, const std::string& want) {
    auto deadline = std::chrono::steady_clock::now() + kWait;
    while (std::chrono::steady_clock::now() < deadline) {
      auto info = DeviceInfo(sn);
      if (info.status == 200 && info.body.at("ControllerState").as_string() == want) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  std::string dir_;
  std::unique_ptr<server::Server> server_;
  uint16_t port_ = 0;
  std::string instance_;
};

TEST_F(ChannelTest, DeviceWithTheRightProofIsWelcomedAndOnline) {
  StartServer();
  MakeActiveInstance("sagdev0001");
  auto before = DeviceInfo("sagdev0001");
  ASSERT_EQ(before.status, 200u) << json::serialize(before.body);
  EXPECT_EQ(before.body.at("ControllerState").as_string(), "Abnormal");

  FakeDevice device(port_);
  auto welcome = device.Hello("sagdev0001", kSecret);
  ASSERT_TRUE(welcome.has_value());
  EXPECT_EQ(welcome->type, "welcome");
  EXPECT_EQ(welcome->lease_ms, 30000);
  EXPECT_EQ(welcome->heartbeat_ms, 10000);
  EXPECT_FALSE(welcome->session_id.empty());
  device.Send(FormatHeartbeat());
  ASSERT_TRUE(WaitControllerState("sagdev0001", "Normal"));
  auto info = DeviceInfo("sagdev0001");
  EXPECT_EQ(info.body.at("Version").as_string(), "2.0.0");
  EXPECT_EQ(info.body.at("SynStatus").as_string(), "Synchronized");
  EXPECT_EQ(info.body.at("SmartAGType").as_string(), "sag-1000");
  EXPECT_EQ(info.body.at("StartupTime").as_string().size(), 19u);
  EXPECT_EQ(info.body.at("LastConnectedControllerTime").as_string().size(), 19u);
  auto attr = Call("DescribeSmartAccessGatewayAttribute",
                   {{"RegionId", "cn-shanghai"}, {"SmartAGId", instance_}});
  ASSERT_EQ(attr.status, 200u);
  auto& dev = attr.body.at("Devices").at("Device").as_array().at(0).as_object();
  EXPECT_EQ(dev.at("SoftwareVersion").as_string(), "2.0.0");
  EXPECT_EQ(dev.at("DpiSignatureDbVersion").as_string(), "1.0.0");
  device.Close();
  EXPECT_TRUE(WaitControllerState("sagdev0001", "Abnormal"));
}

TEST_F(ChannelTest, WrongProofIsAuthFailedAndClose4001) {
  StartServer();
  MakeActiveInstance("sagdev0002");
  FakeDevice device(port_);
  auto answer = device.Hello("sagdev0002", "not-the-device-secret-0");
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->type, "error");
  EXPECT_EQ(answer->code, "AuthFailed");
  EXPECT_EQ(device.ReadUntilClosed(), kCloseAuthFailed);
}

TEST_F(ChannelTest, UnknownSerialNumberIsAuthFailedToo) {
  StartServer();
  FakeDevice device(port_);
  auto answer = device.Hello("sagnosuchsn", kSecret);
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->code, "AuthFailed");
  EXPECT_EQ(device.ReadUntilClosed(), kCloseAuthFailed);
}

TEST_F(ChannelTest, OpenRegistryEnrolsOnceThenRequiresProof) {
  StartServer();
  MakeActiveInstance("sagenrol01", /*register_device=*/false);  // created on bind, no secret
  {
    FakeDevice device(port_);
    auto welcome = device.Hello("sagenrol01", "enrolled-secret-0123", {}, /*enroll=*/true);
    ASSERT_TRUE(welcome.has_value());
    EXPECT_EQ(welcome->type, "welcome");
    device.Close();
  }
  {
    FakeDevice device(port_);
    auto again = device.Hello("sagenrol01", "another-secret-012345", {}, /*enroll=*/true);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->code, "AuthFailed");
  }
  FakeDevice device(port_);
  auto welcome = device.Hello("sagenrol01", "enrolled-secret-0123");
  ASSERT_TRUE(welcome.has_value());
  EXPECT_EQ(welcome->type, "welcome");
}

TEST_F(ChannelTest, SilentDeviceLosesItsLease) {
  StartServer(/*lease_ms=*/300);
  MakeActiveInstance("sagdev0003");
  FakeDevice device(port_);
  auto welcome = device.Hello("sagdev0003", kSecret);
  ASSERT_TRUE(welcome.has_value());
  ASSERT_EQ(welcome->type, "welcome");
  EXPECT_EQ(device.ReadUntilClosed(), kCloseLeaseExpired);
  EXPECT_TRUE(WaitControllerState("sagdev0003", "Abnormal"));
}

TEST_F(ChannelTest, NewSessionReplacesTheOldOne) {
  StartServer();
  MakeActiveInstance("sagdev0004");
  FakeDevice first(port_);
  ASSERT_EQ(first.Hello("sagdev0004", kSecret)->type, "welcome");
  FakeDevice second(port_);
  ASSERT_EQ(second.Hello("sagdev0004", kSecret)->type, "welcome");
  EXPECT_EQ(first.ReadUntilClosed(), kCloseReplaced);
  second.Send(FormatHeartbeat());
  EXPECT_TRUE(WaitControllerState("sagdev0004", "Normal"));
}

TEST_F(ChannelTest, RebootIsPushedAndUnappliedStateIsPushedAgainAfterWelcome) {
  StartServer();
  MakeActiveInstance("sagdev0005");
  auto offline =
      Call("RebootSmartAccessGateway", {{"RegionId", "cn-shanghai"}, {"SmartAGId", instance_}});
  EXPECT_EQ(offline.status, 403u);
  EXPECT_EQ(offline.Code(), "SmartAccessGatewayNotOnline");
  {
    FakeDevice device(port_);
    ASSERT_EQ(device.Hello("sagdev0005", kSecret)->type, "welcome");
    auto reboot =
        Call("RebootSmartAccessGateway", {{"RegionId", "cn-shanghai"}, {"SmartAGId", instance_}});
    EXPECT_EQ(reboot.status, 200u) << json::serialize(reboot.body);
    auto desired = device.Read();
    ASSERT_TRUE(desired.has_value());
    EXPECT_EQ(desired->type, "desired");
    EXPECT_EQ(desired->facet, "reboot");
    EXPECT_EQ(desired->generation, 1);
    EXPECT_EQ(DeviceInfo("sagdev0005").body.at("SynStatus").as_string(), "Unsynchronized");
    device.Close();  // "rebooting" without reporting
  }
  FakeDevice device(port_);
  ASSERT_EQ(device.Hello("sagdev0005", kSecret, {{"reboot", 0}})->type, "welcome");
  auto desired = device.Read();
  ASSERT_TRUE(desired.has_value());
  EXPECT_EQ(desired->type, "desired");
  EXPECT_EQ(desired->facet, "reboot");
  EXPECT_EQ(desired->generation, 1);
  device.Send(FormatApplied({.facet = "reboot", .generation = 1, .result = "ok", .detail = ""}));
  auto deadline = std::chrono::steady_clock::now() + kWait;
  std::string status;
  while (std::chrono::steady_clock::now() < deadline && status != "Synchronized") {
    status = std::string(DeviceInfo("sagdev0005").body.at("SynStatus").as_string());
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(status, "Synchronized");
}

TEST_F(ChannelTest, AdminPasswordAnswersOnlyAfterTheDeviceApplied) {
  StartServer();
  MakeActiveInstance("sagdev0006");
  auto not_online = ModifyPassword("sagdev0006", "NewPass_123");
  EXPECT_EQ(not_online.status, 403u);
  EXPECT_EQ(not_online.Code(), "SmartAccessGatewayNotOnline");
  EXPECT_EQ(ModifyPassword("sagdev0006", "short").Code(), "IllegalParam.Password");
  EXPECT_EQ(ModifyPassword("sagdev0006", "has space 123").Code(), "IllegalParam.Password");
  EXPECT_EQ(ModifyPassword("sagother01", "NewPass_123").Code(), "InstanceNotExit");

  FakeDevice device(port_);
  ASSERT_EQ(device.Hello("sagdev0006", kSecret)->type, "welcome");
  auto call =
      std::async(std::launch::async, [&] { return ModifyPassword("sagdev0006", "NewPass_123"); });
  auto desired = device.Read();
  ASSERT_TRUE(desired.has_value());
  EXPECT_EQ(desired->type, "desired");
  EXPECT_EQ(desired->facet, "admin_password");
  EXPECT_EQ(desired->generation, 1);
  json::value value = json::parse(desired->value_json);
  std::string hash(value.at("hash").as_string());
  EXPECT_TRUE(hash.starts_with("$argon2id$"));
  EXPECT_TRUE(VerifyPassword(hash, "NewPass_123"));
  EXPECT_EQ(desired->value_json.find("NewPass_123"), std::string::npos);
  // Not answered before the device confirms.
  EXPECT_EQ(call.wait_for(100ms), std::future_status::timeout);
  device.Send(
      FormatApplied({.facet = "admin_password", .generation = 1, .result = "ok", .detail = ""}));
  ASSERT_EQ(call.wait_for(kWait), std::future_status::ready);
  auto result = call.get();
  EXPECT_EQ(result.status, 200u) << json::serialize(result.body);
  EXPECT_EQ(DeviceInfo("sagdev0006").body.at("SynStatus").as_string(), "Synchronized");
}

TEST_F(ChannelTest, AdminPasswordIsOfflineWhenTheDeviceDropsMidWait) {
  StartServer();
  MakeActiveInstance("sagdev0007");
  auto device = std::make_unique<FakeDevice>(port_);
  ASSERT_EQ(device->Hello("sagdev0007", kSecret)->type, "welcome");
  auto call =
      std::async(std::launch::async, [&] { return ModifyPassword("sagdev0007", "NewPass_123"); });
  auto desired = device->Read();
  ASSERT_TRUE(desired.has_value());
  EXPECT_EQ(desired->facet, "admin_password");
  device->Close();
  ASSERT_EQ(call.wait_for(kWait), std::future_status::ready);
  auto result = call.get();
  EXPECT_EQ(result.status, 400u);
  EXPECT_EQ(result.Code(), "SmartAccessGatewayOffline");
}

TEST_F(ChannelTest, AdminPasswordFailedOnTheDeviceIsConfigUnsynchronized) {
  StartServer();
  MakeActiveInstance("sagdev0008");
  FakeDevice device(port_);
  ASSERT_EQ(device.Hello("sagdev0008", kSecret)->type, "welcome");
  auto call =
      std::async(std::launch::async, [&] { return ModifyPassword("sagdev0008", "NewPass_123"); });
  auto desired = device.Read();
  ASSERT_TRUE(desired.has_value());
  device.Send(FormatApplied({.facet = "admin_password",
                             .generation = desired->generation,
                             .result = "failed",
                             .detail = "flash write error"}));
  ASSERT_EQ(call.wait_for(kWait), std::future_status::ready);
  auto result = call.get();
  EXPECT_EQ(result.status, 400u);
  EXPECT_EQ(result.Code(), "ConfigUnsynchronized");
  EXPECT_EQ(DeviceInfo("sagdev0008").body.at("SynStatus").as_string(), "Unsynchronized");
  // The change is still unconfirmed: a new one is refused until the device catches up.
  EXPECT_EQ(ModifyPassword("sagdev0008", "Another_123").Code(), "ConfigUnsynchronized");
}

TEST_F(ChannelTest, AdminPasswordTimesOutAsConfigUnsynchronized) {
  StartServer(/*lease_ms=*/30000, /*password_timeout_ms=*/300);
  MakeActiveInstance("sagdev0009");
  FakeDevice device(port_);
  ASSERT_EQ(device.Hello("sagdev0009", kSecret)->type, "welcome");
  auto result = ModifyPassword("sagdev0009", "NewPass_123");
  EXPECT_EQ(result.status, 400u);
  EXPECT_EQ(result.Code(), "ConfigUnsynchronized");
}

TEST_F(ChannelTest, PlainHttpOnTheChannelPathIsNotAnUpgrade) {
  StartServer();
  // The API still answers on its own path while a device is connected.
  MakeActiveInstance("sagdev0010");
  FakeDevice device(port_);
  ASSERT_EQ(device.Hello("sagdev0010", kSecret)->type, "welcome");
  EXPECT_EQ(Call("DescribeRegions", {}).status, 200u);
}

}  // namespace
}  // namespace sag::device
