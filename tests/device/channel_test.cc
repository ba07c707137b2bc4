// The device channel end to end: a real sagd Server on a free port, a fake device speaking the
// protocol over a Beast WebSocket client, and signed API calls. Every wait is bounded.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
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

  // challenge -> hello (tweak may change it before it is sent); returns the server's answer.
  std::optional<Received> Hello(const std::string& sn, const std::string& secret,
                                std::map<std::string, int64_t> applied = {},
                                const std::function<void(device::Hello&)>& tweak = {}) {
    auto challenge = Read();
    if (!challenge || challenge->type != "challenge") return std::nullopt;
    device::Hello h;
    h.serial_number = sn;
    h.proof = ComputeProof(secret, sn, challenge->nonce);
    h.model = "sag-1000";
    h.firmware = "2.0.0";
    h.dpi = "1.0.0";
    h.boot_time_ms = 1795429990000;
    h.applied = std::move(applied);
    if (tweak) tweak(h);
    Send(FormatHello(h));
    return Read();
  }

  // Writes one frame (text or binary) without reading; false when it could not be written within
  // timeout (the server closed, or stopped reading).
  bool Write(const std::string& payload, bool binary, std::chrono::milliseconds timeout = kWait) {
    beast::error_code result = asio::error::timed_out;
    bool done = false;
    beast::get_lowest_layer(ws_).expires_after(timeout);
    ws_.binary(binary);
    ws_.async_write(asio::buffer(payload), [&](beast::error_code ec, size_t) {
      result = ec;
      done = true;
    });
    ioc_.restart();
    ioc_.run();
    return done && !result;
  }

  // Writes payload as text frames, never reading, until a write fails (the server dropped the
  // connection); false when the writes still succeed after timeout.
  bool WriteUntilRefused(const std::string& payload, std::chrono::milliseconds timeout = 30s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!Write(payload, /*binary=*/false, 2s)) return true;
    }
    return false;
  }

  // Reads the raw TCP bytes (never answering anything, not even a close) until the server closes
  // the connection; false when it is still open after timeout.
  bool RawReadUntilClosed(std::chrono::milliseconds timeout = kWait) {
    auto& tcp = beast::get_lowest_layer(ws_);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char chunk[4096];
    while (std::chrono::steady_clock::now() < deadline) {
      beast::error_code result;
      bool done = false;
      tcp.expires_at(deadline);
      tcp.async_read_some(asio::buffer(chunk), [&](beast::error_code ec, size_t) {
        result = ec;
        done = true;
      });
      ioc_.restart();
      ioc_.run();
      if (!done || result == beast::error::timeout) return false;
      if (result) return true;  // end of stream or reset: closed
    }
    return false;
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

  void StartServer(int64_t lease_ms = 30000, int64_t password_timeout_ms = 10000,
                   const std::function<void(server::ServerConfig&)>& tweak = {}) {
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
    if (tweak) tweak(config);
    auto s = server::Server::Create(config);
    ASSERT_TRUE(s.has_value()) << s.error();
    server_ = std::move(*s);
    std::string error;
    ASSERT_TRUE(server_->Start(&error)) << error;
    port_ = server_->port();
  }

  ApiResult Call(std::string_view action, const signing::ParamList& params,
                 std::string_view version = client::kSmartagVersion) {
    client::Endpoint ep = *client::ParseEndpoint("http://127.0.0.1:" + std::to_string(port_));
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

  // An active sag-1000 instance with sn bound; registers sn with kSecret unless told not to (the
  // open registry then creates it on bind, with a generated secret).
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

  // Starts ModifySAGAdminPassword on another thread (it answers once the device did).
  std::future<ApiResult> ChangingPassword(const std::string& sn, const std::string& password) {
    return std::async(std::launch::async,
                      [this, sn, password] { return ModifyPassword(sn, password); });
  }

  // The result of a call started with ChangingPassword (an empty result if it did not end in time).
  static ApiResult Answer(std::future<ApiResult>& call) {
    EXPECT_EQ(call.wait_for(kWait), std::future_status::ready);
    return call.wait_for(0s) == std::future_status::ready ? call.get() : ApiResult{};
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

// The device secret sagd generated for a device created on bind (open registry).
std::string SecretKeyOf(const ApiResult& attribute) {
  return std::string(
      attribute.body.at("Devices").at("Device").as_array().at(0).at("SecretKey").as_string());
}

TEST_F(ChannelTest, OpenRegistryDeviceAuthenticatesWithTheSecretItsOwnerReads) {
  StartServer();
  MakeActiveInstance("sagopen001", /*register_device=*/false);
  auto attr = Call("DescribeSmartAccessGatewayAttribute",
                   {{"RegionId", "cn-shanghai"}, {"SmartAGId", instance_}});
  ASSERT_EQ(attr.status, 200u) << json::serialize(attr.body);
  const std::string secret = SecretKeyOf(attr);
  EXPECT_EQ(secret.size(), 40u);
  EXPECT_EQ(attr.body.at("Devices").at("Device").as_array().at(0).at("DistributeSkStatus"), 0);
  {
    FakeDevice guess(port_);
    EXPECT_EQ(guess.Hello("sagopen001", "a-guessed-secret-0123")->code, "AuthFailed");
  }
  FakeDevice device(port_);
  auto welcome = device.Hello("sagopen001", secret);
  ASSERT_TRUE(welcome.has_value());
  EXPECT_EQ(welcome->type, "welcome");
  attr = Call("DescribeSmartAccessGatewayAttribute",
              {{"RegionId", "cn-shanghai"}, {"SmartAGId", instance_}});
  EXPECT_EQ(attr.body.at("Devices").at("Device").as_array().at(0).at("DistributeSkStatus"), 1);
}

// Case: whoever knows an unregistered serial number used to connect first with enroll_secret,
// be welcomed, and receive the binding account's changes. No hello without a proof is accepted.
TEST_F(ChannelTest, EnrolmentWithoutAProofIsRefused) {
  StartServer();
  MakeActiveInstance("sagopen002", /*register_device=*/false);
  FakeDevice intruder(port_);
  auto challenge = intruder.Read();
  ASSERT_TRUE(challenge.has_value());
  intruder.Send(R"({"type":"hello","serial_number":"sagopen002",)"
                R"("enroll_secret":"intruder-secret-0123456","model":"sag-1000"})");
  auto answer = intruder.Read();
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->type, "error");
  EXPECT_EQ(answer->code, "BadMessage");
  EXPECT_EQ(intruder.ReadUntilClosed(), 1008);
  EXPECT_EQ(DeviceInfo("sagopen002").body.at("ControllerState").as_string(), "Abnormal");
}

// Binding the device again (after an unbind) gives it a new secret: the old one no longer
// authenticates, and a session that used it is closed.
TEST_F(ChannelTest, RebindingAGeneratedSecretDeviceReplacesTheSecret) {
  StartServer();
  MakeActiveInstance("sagopen003", /*register_device=*/false);
  auto first = SecretKeyOf(Call("DescribeSmartAccessGatewayAttribute",
                                {{"RegionId", "cn-shanghai"}, {"SmartAGId", instance_}}));
  FakeDevice old_session(port_);
  ASSERT_EQ(old_session.Hello("sagopen003", first)->type, "welcome");
  ASSERT_EQ(
      Call("UnbindSerialNumber",
           {{"RegionId", "cn-shanghai"}, {"SmartAGId", instance_}, {"SerialNumber", "sagopen003"}})
          .status,
      200u);
  ASSERT_EQ(
      Call("BindSerialNumber",
           {{"RegionId", "cn-shanghai"}, {"SmartAGId", instance_}, {"SerialNumber", "sagopen003"}})
          .status,
      200u);
  EXPECT_EQ(old_session.ReadUntilClosed(), kCloseAuthFailed);
  auto second = SecretKeyOf(Call("DescribeSmartAccessGatewayAttribute",
                                 {{"RegionId", "cn-shanghai"}, {"SmartAGId", instance_}}));
  EXPECT_NE(second, first);
  {
    FakeDevice stale(port_);
    EXPECT_EQ(stale.Hello("sagopen003", first)->code, "AuthFailed");
  }
  FakeDevice device(port_);
  EXPECT_EQ(device.Hello("sagopen003", second)->type, "welcome");
}

TEST_F(ChannelTest, AnOperatorRegisteredSecretIsNotShown) {
  StartServer();
  MakeActiveInstance("sagdev0011");
  auto attr = Call("DescribeSmartAccessGatewayAttribute",
                   {{"RegionId", "cn-shanghai"}, {"SmartAGId", instance_}});
  EXPECT_EQ(SecretKeyOf(attr), "");
  FakeDevice device(port_);
  EXPECT_EQ(device.Hello("sagdev0011", kSecret)->type, "welcome");
}

TEST_F(ChannelTest, AnotherProtocolVersionIsRefused) {
  StartServer();
  MakeActiveInstance("sagdev0012");
  FakeDevice device(port_);
  auto answer = device.Hello("sagdev0012", kSecret, {}, [](device::Hello& h) { h.protocol = 2; });
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->code, "ProtocolVersion");
  EXPECT_EQ(device.ReadUntilClosed(), kCloseProtocolVersion);
}

TEST_F(ChannelTest, AModelOtherThanTheInventorysIsRefused) {
  StartServer();
  MakeActiveInstance("sagdev0013");
  FakeDevice device(port_);
  auto answer =
      device.Hello("sagdev0013", kSecret, {}, [](device::Hello& h) { h.model = "sag-100wm"; });
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->code, "ModelMismatch");
  EXPECT_EQ(device.ReadUntilClosed(), kCloseAuthFailed);
}

TEST_F(ChannelTest, OnlyAHelloIsReadBeforeWelcome) {
  StartServer();
  FakeDevice device(port_);
  ASSERT_EQ(device.Read()->type, "challenge");
  device.Send(R"({"type":"telemetry"})");
  auto answer = device.Read();
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->code, "BadMessage");
  EXPECT_EQ(device.ReadUntilClosed(), 1008);
}

TEST_F(ChannelTest, BinaryFramesCloseTheChannel) {
  StartServer();
  MakeActiveInstance("sagdev0014");
  FakeDevice device(port_);
  ASSERT_EQ(device.Hello("sagdev0014", kSecret)->type, "welcome");
  ASSERT_TRUE(device.Write(FormatHeartbeat(), /*binary=*/true));
  auto answer = device.Read();
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->code, "BadMessage");
  EXPECT_EQ(device.ReadUntilClosed(), 1003);
}

// Case: after the upgrade, never send a hello, send 60 KB text frames and never read (each used
// to be answered with an error echoing it, queued without limit, and the connection was never
// closed). Now the first frame is over the hello limit and ends the connection.
TEST_F(ChannelTest, LargeFramesInsteadOfAHelloEndTheConnection) {
  StartServer();
  FakeDevice attacker(port_);
  EXPECT_TRUE(attacker.WriteUntilRefused(R"({"type":")" + std::string(60 * 1024, 'x') + R"("})"));
  EXPECT_TRUE(attacker.RawReadUntilClosed());
}

// The same with small frames: the first one that is not a hello starts the close, and the
// connection ends within the close's grace period even though the peer never completes it.
TEST_F(ChannelTest, SmallFramesInsteadOfAHelloEndTheConnection) {
  StartServer();
  FakeDevice attacker(port_);
  EXPECT_TRUE(attacker.WriteUntilRefused(R"({"type":"telemetry","pad":")" + std::string(1000, 'x') +
                                         R"("})"));
  EXPECT_TRUE(attacker.RawReadUntilClosed());
}

// A peer that never says hello and never reads is closed at the hello deadline, and the TCP
// connection ends even though the close handshake cannot complete.
TEST_F(ChannelTest, ASilentPeerIsDisconnectedAfterTheHelloDeadline) {
  StartServer(30000, 10000, [](server::ServerConfig& c) { c.device_hello_timeout_ms = 200; });
  FakeDevice silent(port_);
  EXPECT_TRUE(silent.RawReadUntilClosed(30s));
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

// Case: a device whose hello reports admin_password 3 (the database is older than the device) was
// pushed generation 1, ignored it as the protocol says, answered 3, and the call answered 200.
// Now the hello's generations are recorded first: the change gets generation 4.
TEST_F(ChannelTest, AChangeForADeviceAheadOfTheStoreGetsANewerGeneration) {
  StartServer();
  MakeActiveInstance("sagahead01");
  FakeDevice device(port_);
  ASSERT_EQ(device.Hello("sagahead01", kSecret, {{"admin_password", 3}})->type, "welcome");
  auto call = ChangingPassword("sagahead01", "NewPass_123");
  auto desired = device.Read();
  ASSERT_TRUE(desired.has_value());
  EXPECT_EQ(desired->facet, "admin_password");
  EXPECT_EQ(desired->generation, 4);
  device.Send(
      FormatApplied({.facet = "admin_password", .generation = 4, .result = "ok", .detail = ""}));
  EXPECT_EQ(Answer(call).status, 200u);
}

// A device answering with a generation it was not pushed confirms nothing.
TEST_F(ChannelTest, AnAnswerForAnotherGenerationDoesNotConfirm) {
  StartServer(30000, /*password_timeout_ms=*/500);
  MakeActiveInstance("sagahead02");
  FakeDevice device(port_);
  ASSERT_EQ(device.Hello("sagahead02", kSecret)->type, "welcome");
  auto call = ChangingPassword("sagahead02", "NewPass_123");
  auto desired = device.Read();
  ASSERT_TRUE(desired.has_value());
  ASSERT_EQ(desired->generation, 1);
  device.Send(
      FormatApplied({.facet = "admin_password", .generation = 3, .result = "ok", .detail = ""}));
  auto result = Answer(call);
  EXPECT_EQ(result.status, 400u);
  EXPECT_EQ(result.Code(), "ConfigUnsynchronized");
}

// Case: two concurrent changes for one device both answered 200. Exactly one is made now.
TEST_F(ChannelTest, OfTwoConcurrentPasswordChangesExactlyOneIsMade) {
  StartServer();
  MakeActiveInstance("sagconc001");
  FakeDevice device(port_);
  ASSERT_EQ(device.Hello("sagconc001", kSecret)->type, "welcome");
  auto a = ChangingPassword("sagconc001", "First_123");
  auto b = ChangingPassword("sagconc001", "Second_123");
  // The device holds its answer back: the change that reached it stays unconfirmed.
  auto desired = device.Read();
  ASSERT_TRUE(desired.has_value());
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (a.wait_for(10ms) != std::future_status::ready &&
         b.wait_for(10ms) != std::future_status::ready &&
         std::chrono::steady_clock::now() < deadline) {
  }
  const bool a_first = a.wait_for(0s) == std::future_status::ready;
  ASSERT_TRUE(a_first || b.wait_for(0s) == std::future_status::ready);
  auto refused = a_first ? a.get() : b.get();
  EXPECT_EQ(refused.status, 400u);
  EXPECT_EQ(refused.Code(), "ConfigUnsynchronized");
  device.Send(FormatApplied({.facet = "admin_password",
                             .generation = desired->generation,
                             .result = "ok",
                             .detail = ""}));
  auto& other = a_first ? b : a;
  EXPECT_EQ(Answer(other).status, 200u);
  EXPECT_FALSE(device.Read(200ms).has_value());  // no second change reached the device
}

// Case: with 8 workers, 10 calls waiting for slow devices held every worker and an unrelated
// call waited for them. Waiting calls hold no worker now.
TEST_F(ChannelTest, CallsWaitingForDevicesHoldNoWorker) {
  StartServer(30000, 10000, [](server::ServerConfig& c) { c.worker_threads = 2; });
  std::vector<std::unique_ptr<FakeDevice>> devices;
  std::vector<std::string> instances;
  for (int i = 0; i < 4; ++i) {
    const std::string sn = "sagwait00" + std::to_string(i);
    MakeActiveInstance(sn);
    instances.push_back(instance_);
    devices.push_back(std::make_unique<FakeDevice>(port_));
    ASSERT_EQ(devices.back()->Hello(sn, kSecret)->type, "welcome");
  }
  std::vector<std::future<ApiResult>> calls;
  for (int i = 0; i < 4; ++i) {
    instance_ = instances[static_cast<size_t>(i)];
    calls.push_back(std::async(
        std::launch::async, [this, sn = "sagwait00" + std::to_string(i), id = instance_] {
          return Call("ModifySAGAdminPassword", {{"RegionId", "cn-shanghai"},
                                                 {"SmartAGId", id},
                                                 {"SmartAGSn", sn},
                                                 {"Password", "NewPass_123"}});
        }));
  }
  for (auto& d : devices) ASSERT_EQ(d->Read()->type, "desired");  // every call is waiting
  EXPECT_EQ(Call("DescribeRegions", {}).status, 200u);
  for (auto& c : calls) EXPECT_EQ(c.wait_for(0s), std::future_status::timeout);  // still waiting
  for (size_t i = 0; i < devices.size(); ++i) {
    devices[i]->Send(
        FormatApplied({.facet = "admin_password", .generation = 1, .result = "ok", .detail = ""}));
  }
  for (auto& c : calls) {
    ASSERT_EQ(c.wait_for(kWait), std::future_status::ready);
    EXPECT_EQ(c.get().status, 200u);
  }
}

TEST_F(ChannelTest, AnAccountsWaitingCallsAreCapped) {
  StartServer(30000, 10000, [](server::ServerConfig& c) { c.max_device_waits_per_account = 1; });
  MakeActiveInstance("sagcap0001");
  FakeDevice device(port_);
  ASSERT_EQ(device.Hello("sagcap0001", kSecret)->type, "welcome");
  auto waiting = ChangingPassword("sagcap0001", "NewPass_123");
  ASSERT_EQ(device.Read()->type, "desired");
  auto refused = ModifyPassword("sagcap0001", "Other_1234");
  EXPECT_EQ(refused.status, 400u);
  EXPECT_EQ(refused.Code(), "Throttling.User");
  EXPECT_EQ(std::string(refused.body.at("Message").as_string()),
            "Request was denied due to user flow control.");
  device.Send(
      FormatApplied({.facet = "admin_password", .generation = 1, .result = "ok", .detail = ""}));
  EXPECT_EQ(Answer(waiting).status, 200u);
  // The slot is free again.
  auto next = ChangingPassword("sagcap0001", "Third_1234");
  auto desired = device.Read();
  ASSERT_TRUE(desired.has_value());
  device.Send(
      FormatApplied({.facet = "admin_password", .generation = 2, .result = "ok", .detail = ""}));
  EXPECT_EQ(Answer(next).status, 200u);
}

// A call still waiting when sagd stops is answered before the listener goes.
TEST_F(ChannelTest, AWaitingCallIsAnsweredWhenSagdStops) {
  StartServer();
  MakeActiveInstance("sagstop001");
  FakeDevice device(port_);
  ASSERT_EQ(device.Hello("sagstop001", kSecret)->type, "welcome");
  auto call = ChangingPassword("sagstop001", "NewPass_123");
  ASSERT_EQ(device.Read()->type, "desired");
  server_->Stop();
  auto result = Answer(call);
  EXPECT_EQ(result.status, 400u);
  EXPECT_EQ(result.Code(), "SmartAccessGatewayOffline");
}

}  // namespace
}  // namespace sag::device
