// In-process tests of SimulatedDevice and Fleet against a tiny Boost.Beast WebSocket server that
// plays sagd's side of docs/device-protocol.md. Everything runs on the test thread's io_context.
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "common/crypto.h"
#include "device/agent/simulated_device.h"
#include "device/protocol.h"

namespace sag::device::agent {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;
using asio::ip::tcp;
using boost::system::error_code;

constexpr int64_t kLeaseMs = 400;
constexpr int64_t kHeartbeatMs = 40;

std::string SecretOf(const std::string& sn) { return "secret-for-" + sn + "-0123456789"; }

// A minimal sagd: challenge, proof check, welcome; records hellos, heartbeats and applied.
class FakeSagd {
 public:
  using Ws = websocket::stream<beast::tcp_stream>;

  explicit FakeSagd(asio::io_context& ioc) : ioc_(ioc), acceptor_(ioc) {
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(ep.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    asio::co_spawn(ioc_, Accept(), asio::detached);
  }

  ChannelTarget target() const {
    ChannelTarget t;
    t.endpoints.push_back(acceptor_.local_endpoint());
    t.host = "127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
    return t;
  }

  // Sends a desired message to the live session of sn.
  void PushDesired(const std::string& sn, const std::string& facet, int64_t generation,
                   json::object value) {
    auto it = sessions_.find(sn);
    ASSERT_NE(it, sessions_.end()) << sn;
    json::object o{{"type", "desired"}, {"facet", facet}, {"generation", generation}};
    o["value"] = std::move(value);
    Write(it->second, json::serialize(o));
  }

  // Closes every live session with code.
  void CloseAll(uint16_t code) {
    for (auto& [sn, ws] : sessions_) {
      asio::co_spawn(
          ioc_,
          [ws = ws, code]() -> asio::awaitable<void> {
            error_code ec;
            co_await ws->async_close(websocket::close_reason(code),
                                     asio::redirect_error(asio::use_awaitable, ec));
          },
          asio::detached);
    }
  }

  // The lease and heartbeat interval the welcome grants.
  int64_t lease_ms = kLeaseMs;
  int64_t heartbeat_ms = kHeartbeatMs;
  int welcomed = 0;  // sessions welcomed so far
  int auth_failures = 0;
  std::map<std::string, int> heartbeats;                 // per SN
  std::vector<json::object> hellos;                      // every hello, in order
  std::vector<json::object> applied;                     // every applied, in order
  std::vector<int> device_close_codes;                   // close codes sent by devices
  std::map<std::string, std::shared_ptr<Ws>> sessions_;  // live, welcomed sessions

 private:
  void Write(std::shared_ptr<Ws> ws, std::string text) {
    asio::co_spawn(
        ioc_,
        [ws, text = std::move(text)]() -> asio::awaitable<void> {
          error_code ec;
          co_await ws->async_write(asio::buffer(text),
                                   asio::redirect_error(asio::use_awaitable, ec));
        },
        asio::detached);
  }

  asio::awaitable<void> Accept() {
    for (;;) {
      error_code ec;
      tcp::socket socket =
          co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      asio::co_spawn(ioc_, Session(std::make_shared<Ws>(std::move(socket))), asio::detached);
    }
  }

  asio::awaitable<void> Session(std::shared_ptr<Ws> ws) {
    auto use = [](error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); };
    error_code ec;
    std::string target;
    co_await ws->async_accept(use(ec));
    if (ec) co_return;
    ws->text(true);
    const std::string nonce = HexEncode(RandomBytes(16));
    json::object challenge{
        {"type", "challenge"}, {"protocol", 1}, {"nonce", nonce}, {"server_time", 1795430000000}};
    std::string text = json::serialize(challenge);
    co_await ws->async_write(asio::buffer(text), use(ec));
    if (ec) co_return;
    beast::flat_buffer buffer;
    co_await ws->async_read(buffer, use(ec));
    if (ec) co_return;
    json::object hello = json::parse(beast::buffers_to_string(buffer.data())).as_object();
    buffer.consume(buffer.size());
    hellos.push_back(hello);
    const std::string sn(hello.at("serial_number").as_string());
    const json::value* proof = hello.if_contains("proof");
    if (proof == nullptr || proof->as_string() != ComputeProof(SecretOf(sn), sn, nonce)) {
      ++auth_failures;
      text = R"({"type":"error","code":"AuthFailed"})";
      co_await ws->async_write(asio::buffer(text), use(ec));
      co_await ws->async_close(websocket::close_reason(4001), use(ec));
      co_return;
    }
    json::object welcome{{"type", "welcome"},
                         {"session_id", "ds-" + std::to_string(welcomed + 1)},
                         {"lease_ms", lease_ms},
                         {"heartbeat_ms", heartbeat_ms}};
    text = json::serialize(welcome);
    co_await ws->async_write(asio::buffer(text), use(ec));
    if (ec) co_return;
    ++welcomed;
    sessions_[sn] = ws;
    for (;;) {
      co_await ws->async_read(buffer, use(ec));
      if (ec) break;
      json::object m = json::parse(beast::buffers_to_string(buffer.data())).as_object();
      buffer.consume(buffer.size());
      if (m.at("type") == "heartbeat") ++heartbeats[sn];
      if (m.at("type") == "applied") applied.push_back(m);
    }
    if (ec == websocket::error::closed) device_close_codes.push_back(ws->reason().code);
    auto it = sessions_.find(sn);
    if (it != sessions_.end() && it->second == ws) sessions_.erase(it);
  }

  asio::io_context& ioc_;
  tcp::acceptor acceptor_;
};

// Runs the io_context until pred holds or timeout passes; returns pred().
bool RunUntil(asio::io_context& ioc, const std::function<bool()>& pred,
              std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred() && std::chrono::steady_clock::now() < deadline) {
    ioc.restart();
    ioc.run_for(std::chrono::milliseconds(5));
  }
  return pred();
}

DeviceOptions Options(const std::string& sn) {
  DeviceOptions o;
  o.serial_number = sn;
  o.secret = SecretOf(sn);
  o.backoff_base_ms = 20;
  o.backoff_cap_ms = 200;
  o.reboot_delay_ms = 20;
  return o;
}

void StopFleet(asio::io_context& ioc, Fleet& fleet) {
  bool stopped = false;
  fleet.StopAll([&stopped] { stopped = true; });
  ASSERT_TRUE(RunUntil(ioc, [&] { return stopped; }));
  EXPECT_EQ(fleet.online(), 0);
}

class AgentSessionTest : public ::testing::Test {
 protected:
  void SetUp() override { InitCrypto(); }
  asio::io_context ioc_;
  FakeSagd server_{ioc_};
  std::ostringstream out_;
};

TEST_F(AgentSessionTest, AuthenticatesHeartbeatsAppliesAndReconnects) {
  Fleet fleet(ioc_, &out_);
  ASSERT_TRUE(fleet.Add(Options("SN000001"), server_.target()));
  fleet.StartAll();
  ASSERT_TRUE(RunUntil(ioc_, [&] { return fleet.online() == 1; }));
  EXPECT_EQ(server_.welcomed, 1);
  EXPECT_EQ(out_.str(), "sag-device: 1 online\n");
  const json::object& hello = server_.hellos.at(0);
  EXPECT_EQ(hello.at("model"), "sag-1000");
  EXPECT_EQ(hello.at("firmware"), "2.0.0");
  EXPECT_EQ(hello.at("applied").at("admin_password").as_int64(), 0);

  ASSERT_TRUE(RunUntil(ioc_, [&] { return server_.heartbeats["SN000001"] >= 3; }));

  server_.PushDesired("SN000001", "admin_password", 1, {{"hash", "$argon2id$v=19$test"}});
  ASSERT_TRUE(RunUntil(ioc_, [&] { return server_.applied.size() == 1; }));
  EXPECT_EQ(json::value(server_.applied[0]),
            json::parse(R"({"type":"applied","facet":"admin_password","generation":1,
                            "result":"ok"})"));
  EXPECT_EQ(fleet.devices()[0]->state().admin_password_hash, "$argon2id$v=19$test");

  // An old generation is not applied again but still answered with the current one.
  server_.PushDesired("SN000001", "admin_password", 1, {{"hash", "$argon2id$other"}});
  ASSERT_TRUE(RunUntil(ioc_, [&] { return server_.applied.size() == 2; }));
  EXPECT_EQ(server_.applied[1].at("generation").as_int64(), 1);
  EXPECT_EQ(fleet.devices()[0]->state().admin_password_hash, "$argon2id$v=19$test");

  // The server closes (lease expired): the device goes offline and comes back with backoff.
  server_.CloseAll(4002);
  ASSERT_TRUE(RunUntil(ioc_, [&] { return server_.welcomed == 2 && fleet.online() == 1; }));
  EXPECT_EQ(server_.hellos.back().at("applied").at("admin_password").as_int64(), 1);
  EXPECT_EQ(out_.str(), "sag-device: 1 online\nsag-device: 0 online\nsag-device: 1 online\n");

  StopFleet(ioc_, fleet);
  ASSERT_TRUE(RunUntil(ioc_, [&] { return !server_.device_close_codes.empty(); }));
  EXPECT_EQ(server_.device_close_codes.back(), 1000);
}

TEST_F(AgentSessionTest, RebootReconnectsWithNewBootTimeAndReportsTheGeneration) {
  Fleet fleet(ioc_, nullptr);
  ASSERT_TRUE(fleet.Add(Options("SN000002"), server_.target()));
  fleet.StartAll();
  ASSERT_TRUE(RunUntil(ioc_, [&] { return fleet.online() == 1; }));
  const int64_t first_boot = server_.hellos.at(0).at("boot_time").as_int64();
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  server_.PushDesired("SN000002", "reboot", 4, {});
  ASSERT_TRUE(RunUntil(ioc_, [&] { return server_.welcomed == 2 && !server_.applied.empty(); }));
  const json::object& hello = server_.hellos.at(1);
  EXPECT_GT(hello.at("boot_time").as_int64(), first_boot);
  EXPECT_EQ(hello.at("applied").at("reboot").as_int64(), 4);
  EXPECT_EQ(server_.applied[0].at("facet"), "reboot");
  EXPECT_EQ(server_.applied[0].at("generation").as_int64(), 4);
  EXPECT_EQ(server_.device_close_codes.at(0), 1000);
  StopFleet(ioc_, fleet);
}

// A refused facet is answered failed; so is a firmware change without what a download needs
// (version, url, sha256, size: docs/device-protocol.md §6), and nothing is installed. Real
// downloads are covered end to end in tests/e2e/upgrades.test.js.
TEST_F(AgentSessionTest, RefusedFacetAndIncompleteFirmwareAnsweredFailed) {
  Fleet fleet(ioc_, nullptr);
  DeviceOptions o = Options("SN000003");
  o.refuse = {"dpi"};
  ASSERT_TRUE(fleet.Add(o, server_.target()));
  fleet.StartAll();
  ASSERT_TRUE(RunUntil(ioc_, [&] { return fleet.online() == 1; }));
  server_.PushDesired("SN000003", "dpi", 2, {{"version", "1.0.9"}});
  ASSERT_TRUE(RunUntil(ioc_, [&] { return server_.applied.size() == 1; }));
  EXPECT_EQ(server_.applied[0].at("result"), "failed");
  EXPECT_EQ(server_.applied[0].at("generation").as_int64(), 2);
  server_.PushDesired("SN000003", "firmware", 3, {{"version", "2.1.0"}});
  ASSERT_TRUE(RunUntil(ioc_, [&] { return server_.applied.size() == 2; }));
  EXPECT_EQ(server_.applied[1].at("result"), "failed");
  EXPECT_EQ(server_.applied[1].at("generation").as_int64(), 3);
  EXPECT_EQ(server_.applied[1].at("detail"), "value: version, url, sha256, size needed");
  EXPECT_EQ(fleet.devices()[0]->state().firmware, "2.0.0");
  EXPECT_EQ(fleet.devices()[0]->state().dpi, "1.0.0");
  StopFleet(ioc_, fleet);
}

TEST_F(AgentSessionTest, WrongSecretNeverComesOnlineAndRetries) {
  Fleet fleet(ioc_, &out_);
  DeviceOptions o = Options("SN000004");
  o.secret = "a-wrong-secret-0123456789";
  ASSERT_TRUE(fleet.Add(o, server_.target()));
  fleet.StartAll();
  ASSERT_TRUE(RunUntil(ioc_, [&] { return server_.auth_failures >= 3; }));
  EXPECT_EQ(server_.welcomed, 0);
  EXPECT_EQ(out_.str(), "");
  StopFleet(ioc_, fleet);
}

TEST_F(AgentSessionTest, StateSurvivesARestart) {
  char tmpl[] = "/tmp/sag-agent-session-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  {
    Fleet fleet(ioc_, nullptr);
    DeviceOptions o = Options("SN000005");
    o.state_dir = dir;
    ASSERT_TRUE(fleet.Add(o, server_.target()));
    fleet.StartAll();
    ASSERT_TRUE(RunUntil(ioc_, [&] { return fleet.online() == 1; }));
    server_.PushDesired("SN000005", "admin_password", 9, {{"hash", "$argon2id$kept"}});
    ASSERT_TRUE(RunUntil(ioc_, [&] { return server_.applied.size() == 1; }));
    StopFleet(ioc_, fleet);
  }
  Fleet fleet(ioc_, nullptr);
  DeviceOptions o = Options("SN000005");
  o.state_dir = dir;
  ASSERT_TRUE(fleet.Add(o, server_.target()));
  EXPECT_EQ(fleet.devices()[0]->state().admin_password_hash, "$argon2id$kept");
  fleet.StartAll();
  ASSERT_TRUE(RunUntil(ioc_, [&] { return fleet.online() == 1; }));
  EXPECT_EQ(server_.hellos.back().at("applied").at("admin_password").as_int64(), 9);
  StopFleet(ioc_, fleet);
  std::filesystem::remove_all(dir);
}

TEST_F(AgentSessionTest, HelloSaysTheProtocolVersionAndProves) {
  Fleet fleet(ioc_, nullptr);
  ASSERT_TRUE(fleet.Add(Options("SN000006"), server_.target()));
  fleet.StartAll();
  ASSERT_TRUE(RunUntil(ioc_, [&] { return fleet.online() == 1; }));
  EXPECT_EQ(server_.hellos.at(0).at("protocol").as_int64(), 1);
  EXPECT_FALSE(server_.hellos.at(0).contains("enroll_secret"));
  EXPECT_EQ(server_.hellos.at(0).at("proof").as_string().size(), 64u);
  StopFleet(ioc_, fleet);
}

// A re-sent firmware generation that already failed is answered failed again and never started
// over (docs/device-protocol.md), while a failed admin password is simply tried again.
TEST_F(AgentSessionTest, AFailedUpgradeIsAnsweredAgainNotRestarted) {
  Fleet fleet(ioc_, nullptr);
  DeviceOptions o = Options("SN000010");
  o.refuse = {"firmware", "admin_password"};
  ASSERT_TRUE(fleet.Add(o, server_.target()));
  fleet.StartAll();
  ASSERT_TRUE(RunUntil(ioc_, [&] { return fleet.online() == 1; }));
  server_.PushDesired("SN000010", "firmware", 3, {{"version", "2.1.0"}});
  ASSERT_TRUE(RunUntil(ioc_, [&] { return server_.applied.size() == 1; }));
  EXPECT_EQ(server_.applied[0].at("result"), "failed");
  EXPECT_EQ(fleet.devices()[0]->state().unapplied.at("firmware"), (EndedGeneration{3, "failed"}));
  server_.PushDesired("SN000010", "firmware", 3, {{"version", "2.1.0"}});
  ASSERT_TRUE(RunUntil(ioc_, [&] { return server_.applied.size() == 2; }));
  EXPECT_EQ(server_.applied[1].at("result"), "failed");
  EXPECT_EQ(server_.applied[1].at("detail"), "this generation was failed earlier");
  server_.PushDesired("SN000010", "admin_password", 4, {{"hash", "$argon2id$x"}});
  ASSERT_TRUE(RunUntil(ioc_, [&] { return server_.applied.size() == 3; }));
  server_.PushDesired("SN000010", "admin_password", 4, {{"hash", "$argon2id$x"}});
  ASSERT_TRUE(RunUntil(ioc_, [&] { return server_.applied.size() == 4; }));
  EXPECT_EQ(server_.applied[3].at("detail"), "refused by simulation");  // tried again
  StopFleet(ioc_, fleet);
}

TEST_F(AgentSessionTest, SilentDropKeepsTheSocketOpenAndStopsTalking) {
  Fleet fleet(ioc_, &out_);
  DeviceOptions o = Options("SN000007");
  o.silent_drop_after_ms = 200;
  ASSERT_TRUE(fleet.Add(o, server_.target()));
  fleet.StartAll();
  ASSERT_TRUE(RunUntil(ioc_, [&] { return fleet.online() == 1; }));
  ASSERT_TRUE(RunUntil(ioc_, [&] { return fleet.online() == 0; }));
  const int heartbeats = server_.heartbeats["SN000007"];
  EXPECT_GE(heartbeats, 1);
  RunUntil(
      ioc_, [] { return false; }, std::chrono::milliseconds(300));
  EXPECT_EQ(server_.heartbeats["SN000007"], heartbeats);
  EXPECT_EQ(server_.sessions_.count("SN000007"), 1u);  // the server has not seen a close
  EXPECT_TRUE(server_.device_close_codes.empty());
  EXPECT_EQ(server_.welcomed, 1);
  StopFleet(ioc_, fleet);
}

TEST_F(AgentSessionTest, FlapClosesCleanlyAndReconnects) {
  Fleet fleet(ioc_, nullptr);
  DeviceOptions o = Options("SN000008");
  o.flap_every_ms = 60;
  ASSERT_TRUE(fleet.Add(o, server_.target()));
  fleet.StartAll();
  ASSERT_TRUE(RunUntil(ioc_, [&] { return server_.welcomed >= 3; }));
  ASSERT_GE(server_.device_close_codes.size(), 2u);
  EXPECT_EQ(server_.device_close_codes[0], 1000);
  StopFleet(ioc_, fleet);
}

TEST_F(AgentSessionTest, SlowApplyDelaysTheAnswer) {
  Fleet fleet(ioc_, nullptr);
  DeviceOptions o = Options("SN000009");
  o.slow_apply_ms = 250;
  ASSERT_TRUE(fleet.Add(o, server_.target()));
  fleet.StartAll();
  ASSERT_TRUE(RunUntil(ioc_, [&] { return fleet.online() == 1; }));
  auto pushed = std::chrono::steady_clock::now();
  server_.PushDesired("SN000009", "admin_password", 2, {{"hash", "$argon2id$slow"}});
  ASSERT_TRUE(RunUntil(ioc_, [&] { return server_.applied.size() == 1; }));
  EXPECT_GE(std::chrono::steady_clock::now() - pushed, std::chrono::milliseconds(250));
  EXPECT_EQ(server_.applied[0].at("result"), "ok");
  StopFleet(ioc_, fleet);
}

TEST_F(AgentSessionTest, FleetOf200OnOneThread) {
  // 200 sessions and the fake server share one thread: with the short lease of the other tests
  // (a heartbeat every 40 ms each) a loaded machine under ASan falls behind, and sessions expire
  // and reconnect before all 200 are online at once.
  server_.lease_ms = 20000;
  server_.heartbeat_ms = 2000;
  std::ostringstream out;
  Fleet fleet(ioc_, &out);
  for (int i = 1; i <= 200; ++i) {
    char sn[16];
    std::snprintf(sn, sizeof sn, "F%06d", i);
    ASSERT_TRUE(fleet.Add(Options(sn), server_.target()));
  }
  fleet.StartAll();
  ASSERT_TRUE(RunUntil(
      ioc_, [&] { return fleet.online() == 200; }, std::chrono::seconds(180)));
  EXPECT_EQ(server_.welcomed, 200);
  EXPECT_NE(out.str().find("sag-device: 200 online\n"), std::string::npos);
  StopFleet(ioc_, fleet);
}

}  // namespace
}  // namespace sag::device::agent
