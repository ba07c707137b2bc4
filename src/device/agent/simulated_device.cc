#include "device/agent/simulated_device.h"

#include <atomic>
#include <chrono>
#include <deque>
#include <exception>
#include <functional>
#include <optional>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include "common/log.h"

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

}  // namespace

// One WebSocket session; shared by the coroutines working on it, all on the device's strand.
struct SimulatedDevice::Conn {
  explicit Conn(const asio::strand<asio::io_context::executor_type>& strand)
      : ws(strand), heartbeat_timer(strand), watchdog_timer(strand), flap_timer(strand) {}

  websocket::stream<beast::tcp_stream> ws;
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
        beast::get_lowest_layer(conn->ws).socket().close(ignored);
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
      state_.applied["reboot"] = pending_reboot_;
      unreported_reboot_ = pending_reboot_;
      pending_reboot_ = 0;
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
  auto conn = std::make_shared<Conn>(strand_);
  conn_ = conn;
  SessionEnd end;
  auto& tcp = beast::get_lowest_layer(conn->ws);
  error_code ec;

  // The watchdog bounds connect + handshake + welcome.
  conn->watchdog_timer.expires_after(std::chrono::milliseconds(options_.connect_timeout_ms));
  Spawn(Watchdog(self, conn));

  co_await tcp.async_connect(target_.endpoints, Redirect(ec));
  if (!ec && !stopping_) {
    conn->ws.set_option(
        websocket::stream_base::timeout{std::chrono::milliseconds(options_.connect_timeout_ms),
                                        websocket::stream_base::none(), false});
    conn->ws.read_message_max(kMaxFrameBytes);
    conn->ws.text(true);
    co_await conn->ws.async_handshake(target_.host, std::string(kChannelPath), Redirect(ec));
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
      co_await conn->ws.async_read(buffer, Redirect(ec));
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
      const websocket::close_reason& cr = conn->ws.reason();
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
  beast::get_lowest_layer(conn->ws).socket().close(ignored);
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
    beast::get_lowest_layer(conn_->ws).socket().cancel(ignored);
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
      co_await conn->ws.async_write(asio::buffer(*item), Redirect(ec));
    } else {
      co_await conn->ws.async_close(websocket::close_code::normal, Redirect(ec));
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
    if (options_.enroll && !state_.enrolled) {
      hello.enroll_secret = options_.secret;
    } else {
      hello.proof = ComputeProof(options_.secret, state_.serial_number, challenge->nonce);
    }
    conn->hello_sent = true;
    Event(hello.enroll_secret.empty() ? "hello" : "hello (enrolling)");
    Send(conn, FormatHello(hello));
  } else if (auto* welcome = std::get_if<Welcome>(&message)) {
    if (!conn->hello_sent || conn->welcomed) return;
    conn->welcomed = true;
    conn->welcomed_at = SteadyMs();
    conn->watchdog_timer.cancel();
    if (!state_.enrolled && options_.enroll) {
      state_.enrolled = true;  // from now on this device proves
      Persist();
    }
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
  } else if (facet == "reboot") {
    pending_reboot_ = desired.generation;
    conn->reboot = true;
    conn->close_cause = "reboot";
    Close(conn);
  } else if (facet == "firmware" || facet == "dpi") {
    std::string version = string_member("version");
    if (version.empty()) {
      Answer(conn, facet, desired.generation, "failed", "value.version missing");
      return;
    }
    (facet == "firmware" ? state_.firmware : state_.dpi) = std::move(version);
    state_.applied[facet] = desired.generation;
    Persist();
    Answer(conn, facet, desired.generation, "ok");
  } else {
    Answer(conn, facet, desired.generation, "failed", "unknown facet");
  }
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
