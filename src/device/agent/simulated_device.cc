#include "device/agent/simulated_device.h"

#include <atomic>
#include <chrono>
#include <deque>
#include <exception>
#include <functional>
#include <optional>
#include <utility>
#include <variant>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <sodium.h>

#include "common/log.h"
#include "common/tls_client.h"

namespace sag::device::agent {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using boost::system::error_code;

namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

auto Redirect(error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

// An acl value as docs/device-protocol.md gives it: acl_id a string, rules an array of objects
// whose policy is accept or drop and whose direction is in or out.
bool IsWellFormedAcl(const boost::json::object& value) {
  const boost::json::value* acl_id = value.if_contains("acl_id");
  const boost::json::value* rules = value.if_contains("rules");
  if (acl_id == nullptr || !acl_id->is_string() || rules == nullptr || !rules->is_array()) {
    return false;
  }
  for (const boost::json::value& rule : rules->as_array()) {
    const boost::json::object* r = rule.if_object();
    if (r == nullptr) return false;
    const boost::json::value* policy = r->if_contains("policy");
    const boost::json::value* direction = r->if_contains("direction");
    if (policy == nullptr || !policy->is_string() || direction == nullptr ||
        !direction->is_string()) {
      return false;
    }
    if ((policy->as_string() != "accept" && policy->as_string() != "drop") ||
        (direction->as_string() != "in" && direction->as_string() != "out")) {
      return false;
    }
  }
  return true;
}

}  // namespace

using PlainWs = websocket::stream<beast::tcp_stream>;
using TlsWs = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

// One WebSocket session; shared by the coroutines working on it, all on the device's strand.
struct SimulatedDevice::Conn {
  Conn(const asio::strand<asio::io_context::executor_type>& strand, const ChannelTarget& target)
      : ws(MakeWs(strand, target)),
        heartbeat_timer(strand),
        watchdog_timer(strand),
        flap_timer(strand) {}

  static std::variant<PlainWs, TlsWs> MakeWs(
      const asio::strand<asio::io_context::executor_type>& strand, const ChannelTarget& target) {
    if (target.tls) {
      return std::variant<PlainWs, TlsWs>(std::in_place_type<TlsWs>, strand, *target.tls);
    }
    return std::variant<PlainWs, TlsWs>(std::in_place_type<PlainWs>, strand);
  }

  // Calls f with the WebSocket stream (plain or TLS).
  template <typename F>
  decltype(auto) Ws(F&& f) {
    return std::visit(std::forward<F>(f), ws);
  }
  beast::tcp_stream& Tcp() {
    return Ws([](auto& w) -> beast::tcp_stream& { return beast::get_lowest_layer(w); });
  }

  std::variant<PlainWs, TlsWs> ws;
  asio::steady_timer heartbeat_timer;
  asio::steady_timer watchdog_timer;
  asio::steady_timer flap_timer;
  std::deque<std::optional<std::string>> outbox;  // nullopt: close with code 1000
  bool writing = false;
  bool closing = false;     // a close has been queued: nothing more is sent
  bool alive = true;        // the session has not ended
  bool handshaken = false;  // the WebSocket handshake completed
  bool hello_sent = false;
  bool welcomed = false;
  bool reboot = false;      // the session closes for a simulated reboot
  std::string close_cause;  // why we closed, when we did
  int64_t welcomed_at = 0;  // steady ms of the welcome
};

// How a session ended.
struct SimulatedDevice::SessionEnd {
  bool welcomed = false;
  bool reboot = false;
  int64_t session_ms = 0;
};

// A firmware/dpi upgrade being downloaded and installed.
struct SimulatedDevice::UpgradeJob {
  std::string facet;  // firmware | dpi
  int64_t generation = 0;
  std::string version;
  std::string path;  // URL path and query on the sagd endpoint
  std::string sha256;
  int64_t size = 0;
  int64_t offset = 0;  // bytes received and hashed so far
  crypto_hash_sha256_state sha{};
  bool cut_done = false;
};

// One keep-alive HTTP connection to sagd for artifact downloads.
struct SimulatedDevice::HttpConn {
  using Plain = beast::tcp_stream;
  using Tls = beast::ssl_stream<beast::tcp_stream>;
  std::optional<std::variant<Plain, Tls>> stream;
  beast::flat_buffer buffer;

  beast::tcp_stream& Tcp() {
    return std::visit([](auto& s) -> beast::tcp_stream& { return beast::get_lowest_layer(s); },
                      *stream);
  }
  void Reset() {
    if (stream) {
      error_code ignored;
      Tcp().socket().close(ignored);
    }
    stream.reset();
    buffer.clear();
  }
};

void DownloadGate::Acquire(std::function<void()> ready) {
  {
    std::lock_guard lock(mu_);
    if (free_ <= 0) {
      waiting_.push_back(std::move(ready));
      return;
    }
    --free_;
  }
  ready();
}

void DownloadGate::Release() {
  std::function<void()> next;
  {
    std::lock_guard lock(mu_);
    if (waiting_.empty()) {
      ++free_;
      return;
    }
    next = std::move(waiting_.front());
    waiting_.pop_front();
  }
  next();
}

Result<std::shared_ptr<SimulatedDevice>, std::string> SimulatedDevice::Create(
    asio::io_context& ioc, DeviceOptions options, ChannelTarget target, OnlineCallback on_online) {
  if (!IsSafeSerialNumber(options.serial_number)) {
    return MakeUnexpected("invalid serial number '" + options.serial_number + "'");
  }
  if (options.secret.size() < 16 || options.secret.size() > 128) {
    return MakeUnexpected("the device secret of " + options.serial_number +
                          " must have 16-128 characters");
  }
  if (target.endpoints.empty()) return MakeUnexpected(std::string("no endpoint address"));
  auto device = std::make_shared<SimulatedDevice>(ioc, std::move(options), std::move(target),
                                                  std::move(on_online));
  DeviceState& state = device->state_;
  const DeviceOptions& o = device->options_;
  state.serial_number = o.serial_number;
  state.model = o.model;
  state.firmware = o.firmware;
  state.dpi = o.dpi;
  if (!o.state_dir.empty()) {
    device->state_path_ = StateFilePath(o.state_dir, o.serial_number);
    auto loaded = LoadDeviceState(device->state_path_);
    if (!loaded) return MakeUnexpected(loaded.error());
    if (loaded->has_value()) {
      if ((*loaded)->serial_number != o.serial_number) {
        return MakeUnexpected(device->state_path_ + ": serial number does not match");
      }
      state = std::move(**loaded);
    }
  }
  state.boot_time_ms = NowMs();  // a (re)started agent is a booted device
  device->Persist();
  return device;
}

SimulatedDevice::SimulatedDevice(asio::io_context& ioc, DeviceOptions options, ChannelTarget target,
                                 OnlineCallback on_online)
    : strand_(asio::make_strand(ioc)),
      options_(std::move(options)),
      target_(std::move(target)),
      on_online_(std::move(on_online)),
      backoff_(options_.backoff_base_ms, options_.backoff_cap_ms),
      rng_(std::random_device{}() ^ std::hash<std::string>{}(options_.serial_number)),
      backoff_timer_(strand_),
      silent_timer_(strand_) {}

SimulatedDevice::~SimulatedDevice() = default;

void SimulatedDevice::Spawn(asio::awaitable<void> task) {
  asio::co_spawn(strand_, std::move(task), [sn = options_.serial_number](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      LogError("sag-device " + sn + " internal error: " + ex.what());
    }
  });
}

void SimulatedDevice::Start() {
  auto self = shared_from_this();
  asio::dispatch(strand_, [self] {
    self->Spawn(self->Run(self));
    if (self->options_.silent_drop_after_ms > 0) self->Spawn(self->SilentDrop(self));
  });
}

void SimulatedDevice::Stop(std::function<void()> done) {
  auto self = shared_from_this();
  asio::dispatch(strand_, [self, done = std::move(done)]() mutable {
    if (self->stopped_ == nullptr && !self->stopping_) {
      self->stopped_ = std::move(done);
    } else if (done) {
      asio::post(self->strand_, std::move(done));
    }
    self->stopping_ = true;
    self->backoff_timer_.cancel();
    self->silent_timer_.cancel();
    const std::shared_ptr<Conn>& conn = self->conn_;
    if (conn && conn->alive) {
      if (conn->handshaken && !self->silent_) {
        conn->close_cause = "shutdown";
        self->Close(conn);
      } else {
        error_code ignored;
        conn->Tcp().socket().close(ignored);
        conn->watchdog_timer.cancel();
      }
    }
  });
}

void SimulatedDevice::Event(std::string_view what) const {
  LogInfo("sag-device " + options_.serial_number + " " + std::string(what));
}

void SimulatedDevice::SetOnline(bool online) {
  if (online == online_) return;
  online_ = online;
  if (on_online_) on_online_(online ? 1 : -1);
}

void SimulatedDevice::Persist() {
  if (state_path_.empty()) return;
  auto saved = SaveDeviceState(state_path_, state_);
  if (!saved) LogError("sag-device " + options_.serial_number + " state: " + saved.error());
}

asio::awaitable<void> SimulatedDevice::Run(std::shared_ptr<SimulatedDevice> self) {
  while (!stopping_) {
    if (silent_) {
      silent_timer_.expires_at(asio::steady_timer::time_point::max());
      error_code ec;
      co_await silent_timer_.async_wait(Redirect(ec));
      continue;
    }
    SessionEnd end = co_await RunSession();
    if (stopping_) break;
    if (silent_) continue;
    int64_t wait_ms = 0;
    if (end.reboot) {
      wait_ms = options_.reboot_delay_ms;
      Event("rebooting wait_ms=" + std::to_string(wait_ms));
    } else {
      if (end.welcomed) backoff_.OnSessionEnded(end.session_ms, lease_ms_);
      wait_ms = backoff_.NextWaitMs(rng_);
      Event("backoff attempt=" + std::to_string(backoff_.failures()) +
            " wait_ms=" + std::to_string(wait_ms));
    }
    backoff_timer_.expires_after(std::chrono::milliseconds(wait_ms));
    error_code ec;
    co_await backoff_timer_.async_wait(Redirect(ec));
    if (end.reboot) {
      state_.boot_time_ms = NowMs();
      if (pending_reboot_ > 0) {
        state_.applied["reboot"] = pending_reboot_;
        unreported_reboot_ = pending_reboot_;
        pending_reboot_ = 0;
      }
      if (pending_install_) FinishInstall();
      Persist();
      Event("booted");
    }
  }
  SetOnline(false);
  Event("stopped");
  if (stopped_) {
    auto done = std::move(stopped_);
    stopped_ = nullptr;
    done();
  }
  (void)self;
}

asio::awaitable<SimulatedDevice::SessionEnd> SimulatedDevice::RunSession() {
  auto self = shared_from_this();
  auto conn = std::make_shared<Conn>(strand_, target_);
  conn_ = conn;
  SessionEnd end;
  auto& tcp = conn->Tcp();
  error_code ec;

  // The watchdog bounds connect + handshake + welcome.
  conn->watchdog_timer.expires_after(std::chrono::milliseconds(options_.connect_timeout_ms));
  Spawn(Watchdog(self, conn));

  co_await tcp.async_connect(target_.endpoints, Redirect(ec));
  if (!ec && !stopping_ && target_.tls) {
    // The TLS handshake (wss://); the watchdog bounds it too.
    auto& tls = std::get<TlsWs>(conn->ws).next_layer();
    SetTlsPeerName(tls.native_handle(), target_.tls_peer, target_.tls_insecure);
    co_await tls.async_handshake(asio::ssl::stream_base::client, Redirect(ec));
    if (ec) Event("TLS handshake failed: " + ec.message());
  }
  if (!ec && !stopping_) {
    conn->Ws([this](auto& ws) {
      ws.set_option(
          websocket::stream_base::timeout{std::chrono::milliseconds(options_.connect_timeout_ms),
                                          websocket::stream_base::none(), false});
      ws.read_message_max(kMaxFrameBytes);
      ws.text(true);
    });
    co_await conn->Ws([&](auto& ws) {
      return ws.async_handshake(target_.host, std::string(kChannelPath), Redirect(ec));
    });
  } else if (!ec) {
    ec = asio::error::operation_aborted;
  }
  if (ec) {
    Event("connect failed: " + ec.message());
  } else {
    conn->handshaken = true;
    Event("connected");
    beast::flat_buffer buffer;
    for (;;) {
      co_await conn->Ws([&](auto& ws) { return ws.async_read(buffer, Redirect(ec)); });
      if (ec) break;
      std::string text = beast::buffers_to_string(buffer.data());
      buffer.consume(buffer.size());
      HandleMessage(conn, text);
    }
  }
  const int64_t ended = SteadyMs();
  conn->alive = false;
  conn->heartbeat_timer.cancel();
  conn->watchdog_timer.cancel();
  conn->flap_timer.cancel();

  if (silent_ && !stopping_) {
    // The socket stays open: the server has to notice through the lease.
    SetOnline(false);
    Event("offline reason=silent_drop (socket kept open)");
    silent_timer_.expires_at(asio::steady_timer::time_point::max());
    error_code ignored;
    co_await silent_timer_.async_wait(Redirect(ignored));
    co_return end;
  }

  if (conn->handshaken) {
    std::string reason;
    if (!conn->close_cause.empty()) {
      reason = conn->close_cause;
    } else if (ec == websocket::error::closed) {
      const websocket::close_reason& cr =
          conn->Ws([](auto& ws) -> const websocket::close_reason& { return ws.reason(); });
      reason = "closed_by_server code=" + std::to_string(cr.code);
      if (!cr.reason.empty()) reason += " reason=" + std::string(cr.reason.c_str());
    } else {
      reason = ec.message();
    }
    if (conn->welcomed) {
      SetOnline(false);
      Event("offline reason=" + reason);
    } else {
      Event("disconnected before welcome reason=" + reason);
    }
  }
  end.welcomed = conn->welcomed;
  end.reboot = conn->reboot;
  end.session_ms = conn->welcomed ? ended - conn->welcomed_at : 0;
  co_return end;
}

asio::awaitable<void> SimulatedDevice::Watchdog(std::shared_ptr<SimulatedDevice> self,
                                                std::shared_ptr<Conn> conn) {
  error_code ec;
  co_await conn->watchdog_timer.async_wait(Redirect(ec));
  if (ec || !conn->alive || conn->welcomed || silent_) co_return;
  Event("no welcome within " + std::to_string(options_.connect_timeout_ms) + " ms");
  conn->close_cause = "timeout";
  error_code ignored;
  conn->Tcp().socket().close(ignored);
  (void)self;
}

asio::awaitable<void> SimulatedDevice::Heartbeat(std::shared_ptr<SimulatedDevice> self,
                                                 std::shared_ptr<Conn> conn, int64_t interval_ms) {
  while (conn->alive && !silent_) {
    conn->heartbeat_timer.expires_after(std::chrono::milliseconds(interval_ms));
    error_code ec;
    co_await conn->heartbeat_timer.async_wait(Redirect(ec));
    if (ec || !conn->alive || silent_) break;
    Send(conn, FormatHeartbeat());
  }
  (void)self;
}

asio::awaitable<void> SimulatedDevice::Flap(std::shared_ptr<SimulatedDevice> self,
                                            std::shared_ptr<Conn> conn) {
  conn->flap_timer.expires_after(std::chrono::milliseconds(options_.flap_every_ms));
  error_code ec;
  co_await conn->flap_timer.async_wait(Redirect(ec));
  if (ec || !conn->alive || silent_ || stopping_) co_return;
  Event("flap: closing the session");
  conn->close_cause = "flap";
  Close(conn);
  (void)self;
}

asio::awaitable<void> SimulatedDevice::SilentDrop(std::shared_ptr<SimulatedDevice> self) {
  asio::steady_timer timer(strand_);
  timer.expires_after(std::chrono::milliseconds(options_.silent_drop_after_ms));
  error_code ec;
  co_await timer.async_wait(Redirect(ec));
  if (stopping_) co_return;
  silent_ = true;
  Event("silent drop: no more sending or reading");
  if (conn_ && conn_->alive) {
    conn_->heartbeat_timer.cancel();
    conn_->flap_timer.cancel();
    conn_->watchdog_timer.cancel();
    error_code ignored;
    // Aborts the pending read and write without closing the TCP connection.
    conn_->Tcp().socket().cancel(ignored);
  } else {
    backoff_timer_.cancel();
  }
  (void)self;
}

asio::awaitable<void> SimulatedDevice::DelayedApply(std::shared_ptr<SimulatedDevice> self,
                                                    std::shared_ptr<Conn> conn, Desired desired) {
  asio::steady_timer timer(strand_);
  timer.expires_after(std::chrono::milliseconds(options_.slow_apply_ms));
  error_code ec;
  co_await timer.async_wait(Redirect(ec));
  if (stopping_ || silent_) co_return;
  if (desired.generation <= state_.AppliedGeneration(desired.facet)) {
    Answer(conn, desired.facet, state_.AppliedGeneration(desired.facet), "ok");
    co_return;
  }
  Apply(conn, desired);
  (void)self;
}

asio::awaitable<void> SimulatedDevice::Writer(std::shared_ptr<SimulatedDevice> self,
                                              std::shared_ptr<Conn> conn) {
  conn->writing = true;
  while (!conn->outbox.empty() && conn->alive && !silent_) {
    std::optional<std::string> item = std::move(conn->outbox.front());
    conn->outbox.pop_front();
    error_code ec;
    if (item) {
      co_await conn->Ws(
          [&](auto& ws) { return ws.async_write(asio::buffer(*item), Redirect(ec)); });
    } else {
      co_await conn->Ws(
          [&](auto& ws) { return ws.async_close(websocket::close_code::normal, Redirect(ec)); });
      break;
    }
    if (ec) break;
  }
  conn->outbox.clear();
  conn->writing = false;
  (void)self;
}

void SimulatedDevice::Send(const std::shared_ptr<Conn>& conn, std::string text) {
  if (!conn->alive || conn->closing || silent_) return;
  conn->outbox.emplace_back(std::move(text));
  if (!conn->writing) Spawn(Writer(shared_from_this(), conn));
}

void SimulatedDevice::Close(const std::shared_ptr<Conn>& conn) {
  if (!conn->alive || conn->closing) return;
  conn->closing = true;
  conn->outbox.emplace_back(std::nullopt);
  if (!conn->writing) Spawn(Writer(shared_from_this(), conn));
}

void SimulatedDevice::Answer(const std::shared_ptr<Conn>& conn, std::string_view facet,
                             int64_t generation, std::string_view result, std::string_view detail) {
  Event("applied facet=" + std::string(facet) + " generation=" + std::to_string(generation) +
        " result=" + std::string(result) +
        (detail.empty() ? "" : " detail=" + std::string(detail)));
  Send(conn, FormatApplied({.facet = std::string(facet),
                            .generation = generation,
                            .result = std::string(result),
                            .detail = std::string(detail)}));
}

void SimulatedDevice::HandleMessage(const std::shared_ptr<Conn>& conn, std::string_view text) {
  auto parsed = ParseServerMessage(text);
  if (!parsed) {
    LogWarn("sag-device " + options_.serial_number +
            " ignoring a bad server message: " + parsed.error());
    return;
  }
  ServerMessage& message = *parsed;
  if (auto* challenge = std::get_if<Challenge>(&message)) {
    if (conn->hello_sent) return;
    Hello hello;
    hello.serial_number = state_.serial_number;
    hello.model = state_.model;
    hello.firmware = state_.firmware;
    hello.dpi = state_.dpi;
    hello.boot_time_ms = state_.boot_time_ms;
    hello.applied = AppliedWithEveryFacet(state_.applied);
    hello.proof = ComputeProof(options_.secret, state_.serial_number, challenge->nonce);
    conn->hello_sent = true;
    Event("hello");
    Send(conn, FormatHello(hello));
  } else if (auto* welcome = std::get_if<Welcome>(&message)) {
    if (!conn->hello_sent || conn->welcomed) return;
    conn->welcomed = true;
    conn->welcomed_at = SteadyMs();
    conn->watchdog_timer.cancel();
    lease_ms_ = welcome->lease_ms;
    Event("welcome session=" + welcome->session_id +
          " lease_ms=" + std::to_string(welcome->lease_ms) +
          " heartbeat_ms=" + std::to_string(welcome->heartbeat_ms));
    SetOnline(true);
    Spawn(Heartbeat(shared_from_this(), conn, welcome->heartbeat_ms));
    if (options_.flap_every_ms > 0) Spawn(Flap(shared_from_this(), conn));
    if (unreported_reboot_ > 0) {
      Answer(conn, "reboot", unreported_reboot_, "ok");
      unreported_reboot_ = 0;
    }
    if (!state_.report_facet.empty()) {
      Answer(conn, state_.report_facet, state_.report_generation, state_.report_result,
             state_.report_detail);
      state_.report_facet.clear();
      state_.report_generation = 0;
      state_.report_result.clear();
      state_.report_detail.clear();
      Persist();
    }
  } else if (auto* desired = std::get_if<Desired>(&message)) {
    if (!conn->welcomed) return;
    Event("desired facet=" + desired->facet + " generation=" + std::to_string(desired->generation));
    HandleDesired(conn, std::move(*desired));
  } else if (auto* error = std::get_if<ServerError>(&message)) {
    LogWarn("sag-device " + options_.serial_number + " server error code=" + error->code +
            (error->message.empty() ? "" : " message=" + error->message));
  }
}

void SimulatedDevice::HandleDesired(const std::shared_ptr<Conn>& conn, Desired desired) {
  const int64_t applied = state_.AppliedGeneration(desired.facet);
  if (desired.generation <= applied) {
    Answer(conn, desired.facet, applied, "ok");
    return;
  }
  // A firmware/dpi generation that already failed or was reverted is answered the same way: an
  // upgrade never starts over (an admin password, by contrast, is simply tried again).
  if (auto ended = state_.unapplied.find(desired.facet);
      ended != state_.unapplied.end() && ended->second.generation == desired.generation) {
    Answer(conn, desired.facet, desired.generation, ended->second.result,
           "this generation was " + ended->second.result + " earlier");
    return;
  }
  // An upgrade already under way (the server re-sends it after a reconnect) is not restarted.
  if ((job_ && job_->facet == desired.facet && job_->generation == desired.generation) ||
      (pending_install_ && pending_install_->facet == desired.facet &&
       pending_install_->generation == desired.generation)) {
    return;
  }
  if (desired.facet == "reboot" && pending_reboot_ > 0) return;
  if (options_.slow_apply_ms > 0) {
    Spawn(DelayedApply(shared_from_this(), conn, std::move(desired)));
  } else {
    Apply(conn, desired);
  }
}

void SimulatedDevice::Apply(const std::shared_ptr<Conn>& conn, const Desired& desired) {
  const std::string& facet = desired.facet;
  if (options_.refuse.count(facet) != 0) {
    if (facet == "firmware" || facet == "dpi")
      RememberUnapplied(facet, desired.generation, "failed");
    Answer(conn, facet, desired.generation, "failed", "refused by simulation");
    return;
  }
  auto string_member = [&](std::string_view key) -> std::string {
    const boost::json::value* v = desired.value.if_contains(key);
    return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  if (facet == "admin_password") {
    std::string hash = string_member("hash");
    if (hash.empty()) {
      Answer(conn, facet, desired.generation, "failed", "value.hash missing");
      return;
    }
    state_.admin_password_hash = std::move(hash);
    state_.applied[facet] = desired.generation;
    Persist();
    Answer(conn, facet, desired.generation, "ok");
  } else if (facet == "flow_log") {
    // The export settings of the instance's active flow log ({} = export nothing): kept in the
    // state file, which is what a real device would configure its exporter from.
    state_.flow_log = boost::json::serialize(desired.value);
    state_.applied[facet] = desired.generation;
    Persist();
    Answer(conn, facet, desired.generation, "ok");
  } else if (facet == "reboot") {
    pending_reboot_ = desired.generation;
    conn->reboot = true;
    conn->close_cause = "reboot";
    Close(conn);
  } else if (facet == "firmware" || facet == "dpi") {
    StartUpgrade(conn, desired);
  } else if (facet == "acl") {
    // A rule set is applied whole or not at all: a malformed one is refused and the previous set
    // stays in force.
    if (!IsWellFormedAcl(desired.value)) {
      Answer(conn, facet, desired.generation, "failed", "malformed rule set");
      return;
    }
    state_.config[facet] = boost::json::serialize(desired.value);
    state_.applied[facet] = desired.generation;
    Persist();
    Answer(conn, facet, desired.generation, "ok");
  } else {
    Answer(conn, facet, desired.generation, "failed", "unknown facet");
  }
}

void SimulatedDevice::FinishInstall() {
  std::shared_ptr<UpgradeJob> job = std::move(pending_install_);
  pending_install_.reset();
  state_.report_facet = job->facet;
  state_.report_generation = job->generation;
  if (options_.rollback_after_reboot) {
    state_.unapplied[job->facet] = EndedGeneration{job->generation, "reverted"};
    state_.report_result = "reverted";
    state_.report_detail = "rolled back to " +
                           (job->facet == "firmware" ? state_.firmware : state_.dpi) +
                           " after reboot: health check failed (simulated)";
  } else {
    (job->facet == "firmware" ? state_.firmware : state_.dpi) = job->version;
    state_.applied[job->facet] = job->generation;
    state_.report_result = "ok";
    state_.report_detail.clear();
  }
  Event("booted " + job->facet + "=" + (job->facet == "firmware" ? state_.firmware : state_.dpi));
  Persist();
}

void SimulatedDevice::Report(std::string_view facet, int64_t generation, std::string_view result,
                             std::string_view detail) {
  if (conn_ && conn_->alive && conn_->welcomed && !conn_->closing) {
    Answer(conn_, facet, generation, result, detail);
    return;
  }
  state_.report_facet = std::string(facet);
  state_.report_generation = generation;
  state_.report_result = std::string(result);
  state_.report_detail = std::string(detail);
  Persist();
}

void SimulatedDevice::RememberUnapplied(std::string_view facet, int64_t generation,
                                        std::string_view result) {
  state_.unapplied[std::string(facet)] = EndedGeneration{generation, std::string(result)};
  Persist();
}

void SimulatedDevice::Progress(const UpgradeJob& job, std::string_view state) {
  if (!conn_ || !conn_->alive || !conn_->welcomed) return;  // progress is best effort
  Send(conn_, FormatProgress({.facet = job.facet,
                              .generation = job.generation,
                              .state = std::string(state),
                              .bytes = job.offset,
                              .total = job.size,
                              .detail = {}}));
}

void SimulatedDevice::StartUpgrade(const std::shared_ptr<Conn>& conn, const Desired& desired) {
  auto string_member = [&](std::string_view key) -> std::string {
    const boost::json::value* v = desired.value.if_contains(key);
    return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  auto job = std::make_shared<UpgradeJob>();
  job->facet = desired.facet;
  job->generation = desired.generation;
  job->version = string_member("version");
  job->path = string_member("url");
  job->sha256 = string_member("sha256");
  const boost::json::value* size = desired.value.if_contains("size");
  job->size = size != nullptr && size->is_int64() ? size->as_int64() : -1;
  if (job->version.empty() || job->path.empty() || job->path.front() != '/' ||
      job->sha256.size() != 64 || job->size < 0) {
    Answer(conn, job->facet, job->generation, "failed", "value: version, url, sha256, size needed");
    return;
  }
  if (job->version == (job->facet == "firmware" ? state_.firmware : state_.dpi)) {
    // Already running it (e.g. the report was lost): nothing to install.
    state_.applied[job->facet] = job->generation;
    Persist();
    Answer(conn, job->facet, job->generation, "ok");
    return;
  }
  if (job_) {
    Answer(conn, job->facet, job->generation, "failed", "another upgrade is in progress");
    return;
  }
  crypto_hash_sha256_init(&job->sha);
  job_ = job;
  Spawn(RunUpgrade(shared_from_this(), job));
}

asio::awaitable<void> SimulatedDevice::RunUpgrade(std::shared_ptr<SimulatedDevice> self,
                                                  std::shared_ptr<UpgradeJob> job) {
  Event("upgrade " + job->facet + " to " + job->version +
        " generation=" + std::to_string(job->generation));
  Progress(*job, "downloading");
  // Bounded concurrency across the fleet: wait for a download slot.
  bool gated = false;
  if (options_.download_gate) {
    asio::steady_timer wake(strand_, asio::steady_timer::time_point::max());
    auto granted = std::make_shared<bool>(false);
    options_.download_gate->Acquire([this, &wake, granted, self] {
      asio::post(strand_, [&wake, granted, self] {
        *granted = true;
        wake.cancel();
      });
    });
    error_code ec;
    while (!*granted) co_await wake.async_wait(Redirect(ec));
    gated = true;
  }
  std::string error;
  for (int attempt = 1; attempt <= 5 && !stopping_; ++attempt) {
    error = co_await Download(job);
    // A wrong artifact, an unknown one (404) or a refused download (403: no upgrade of this
    // artifact is in flight for the device any more) does not get better by retrying.
    if (error.empty() || error == "sha256 mismatch" || error.starts_with("HTTP 403") ||
        error.starts_with("HTTP 404")) {
      break;
    }
    Event("download attempt " + std::to_string(attempt) + " failed: " + error + " (at byte " +
          std::to_string(job->offset) + ")");
    asio::steady_timer pause(strand_);
    pause.expires_after(std::chrono::milliseconds(100 * attempt));
    error_code ec;
    co_await pause.async_wait(Redirect(ec));
    Progress(*job, "downloading");
  }
  if (gated) options_.download_gate->Release();
  if (stopping_) co_return;
  if (!error.empty()) {
    job_.reset();
    RememberUnapplied(job->facet, job->generation, "failed");
    Report(job->facet, job->generation, "failed",
           error == "sha256 mismatch" ? "sha256 mismatch: the artifact was not installed"
                                      : "download failed: " + error);
    co_return;
  }
  Event("downloaded and verified " + std::to_string(job->offset) + " bytes");
  Progress(*job, "installing");
  if (options_.fail_install) {
    job_.reset();
    RememberUnapplied(job->facet, job->generation, "failed");
    Report(job->facet, job->generation, "failed", "install failed (simulated)");
    co_return;
  }
  Progress(*job, "rebooting");
  job_.reset();
  pending_install_ = job;
  if (conn_ && conn_->alive) {
    conn_->reboot = true;
    conn_->close_cause = "reboot";
    Close(conn_);
  } else {
    // Offline: reboot in place; the outcome is reported after the next welcome.
    state_.boot_time_ms = NowMs();
    FinishInstall();
  }
}

asio::awaitable<std::string> SimulatedDevice::Download(std::shared_ptr<UpgradeJob> job) {
  if (options_.fail_download) co_return "HTTP 503 (simulated)";
  HttpConn http;
  const int64_t chunk = std::max<int64_t>(1, options_.download_chunk_bytes);
  if (job->offset > 0) {
    Event("resuming download at byte " + std::to_string(job->offset) +
          " (Range: bytes=" + std::to_string(job->offset) + "-)");
  }
  std::string body;
  while (job->offset < job->size) {
    if (stopping_) co_return "stopping";
    const int64_t last = std::min(job->size, job->offset + chunk) - 1;
    std::string error = co_await FetchChunk(http, job->path, job->offset, last, &body);
    if (!error.empty()) {
      http.Reset();
      co_return error;
    }
    if (static_cast<int64_t>(body.size()) != last - job->offset + 1) {
      http.Reset();
      co_return "short range answer";
    }
    if (options_.corrupt_artifact && job->offset == 0 && !body.empty()) body[0] ^= 0x5a;
    crypto_hash_sha256_update(&job->sha, reinterpret_cast<const unsigned char*>(body.data()),
                              body.size());
    job->offset = last + 1;
    if (options_.cut_download_at > 0 && !job->cut_done && job->offset >= options_.cut_download_at &&
        job->offset < job->size) {
      job->cut_done = true;
      http.Reset();
      Event("download cut at byte " + std::to_string(job->offset) + " (simulated)");
      co_return "connection cut (simulated)";
    }
  }
  http.Reset();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&job->sha, digest);
  std::string hex;
  for (unsigned char b : digest) {
    constexpr char kHex[] = "0123456789abcdef";
    hex += kHex[b >> 4];
    hex += kHex[b & 0xf];
  }
  if (hex != job->sha256) {
    Event("sha256 mismatch: got " + hex);
    co_return "sha256 mismatch";
  }
  co_return "";
}

asio::awaitable<std::string> SimulatedDevice::FetchChunk(HttpConn& http, const std::string& path,
                                                         int64_t first, int64_t last,
                                                         std::string* body) {
  namespace bhttp = beast::http;
  error_code ec;
  if (!http.stream) {
    if (target_.tls) {
      http.stream.emplace(std::in_place_type<HttpConn::Tls>, strand_, *target_.tls);
    } else {
      http.stream.emplace(std::in_place_type<HttpConn::Plain>, strand_);
    }
    http.Tcp().expires_after(std::chrono::milliseconds(options_.connect_timeout_ms));
    co_await http.Tcp().async_connect(target_.endpoints, Redirect(ec));
    if (ec) co_return "connect: " + ec.message();
    if (auto* tls = std::get_if<HttpConn::Tls>(&*http.stream)) {
      SetTlsPeerName(tls->native_handle(), target_.tls_peer, target_.tls_insecure);
      co_await tls->async_handshake(asio::ssl::stream_base::client, Redirect(ec));
      if (ec) co_return "TLS: " + ec.message();
    }
  }
  bhttp::request<bhttp::empty_body> req{bhttp::verb::get, path, 11};
  req.set(bhttp::field::host, target_.host);
  req.set(bhttp::field::range, "bytes=" + std::to_string(first) + "-" + std::to_string(last));
  req.keep_alive(true);
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(static_cast<uint64_t>(last - first + 1) + 4096);
  http.Tcp().expires_after(std::chrono::seconds(60));
  co_await std::visit([&](auto& s) { return bhttp::async_write(s, req, Redirect(ec)); },
                      *http.stream);
  if (ec) co_return "write: " + ec.message();
  co_await std::visit(
      [&](auto& s) { return bhttp::async_read(s, http.buffer, parser, Redirect(ec)); },
      *http.stream);
  if (ec) co_return "read: " + ec.message();
  auto& res = parser.get();
  if (res.result_int() != 206) {
    co_return "HTTP " + std::to_string(res.result_int()) + " " + res.body().substr(0, 200);
  }
  *body = std::move(res.body());
  if (!res.keep_alive()) http.Reset();
  co_return "";
}

Fleet::Fleet(asio::io_context& ioc, std::ostream* out) : ioc_(ioc), out_(out) {}

Result<void, std::string> Fleet::Add(DeviceOptions options, const ChannelTarget& target) {
  auto device = SimulatedDevice::Create(ioc_, std::move(options), target,
                                        [this](int delta) { Change(delta); });
  if (!device) return MakeUnexpected(device.error());
  devices_.push_back(std::move(*device));
  return {};
}

void Fleet::StartAll() {
  for (auto& device : devices_) device->Start();
}

void Fleet::StopAll(std::function<void()> done) {
  if (devices_.empty()) {
    if (done) asio::post(ioc_, std::move(done));
    return;
  }
  auto remaining = std::make_shared<std::atomic<size_t>>(devices_.size());
  auto shared_done = std::make_shared<std::function<void()>>(std::move(done));
  for (auto& device : devices_) {
    device->Stop([remaining, shared_done] {
      if (remaining->fetch_sub(1) == 1 && *shared_done) (*shared_done)();
    });
  }
}

int Fleet::online() const {
  std::lock_guard lock(mu_);
  return online_;
}

void Fleet::Change(int delta) {
  std::lock_guard lock(mu_);
  online_ += delta;
  if (out_ != nullptr) {
    *out_ << "sag-device: " << online_ << " online" << std::endl;
  }
}

}  // namespace sag::device::agent
