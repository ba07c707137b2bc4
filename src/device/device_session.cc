#include "device/device_session.h"

#include <algorithm>

#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>

#include "common/crypto.h"
#include "common/log.h"
#include "device/applied_audit.h"
#include "device/device_hub.h"
#include "ops/upgrade_policy.h"

namespace sag::device {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using Clock = std::chrono::steady_clock;

constexpr uint16_t kClosePolicy = 1008;
constexpr uint16_t kCloseUnsupportedData = 1003;
// Bytes queued for a device that does not read them; past this the session is dropped.
constexpr size_t kMaxOutboxBytes = 256 * 1024;
// How long a started close may take before the TCP connection is closed regardless.
constexpr auto kCloseGrace = std::chrono::seconds(5);
// The inbound budget: a burst of messages, then a steady rate (a device sends a heartbeat every
// few seconds and a handful of reports per change).
constexpr double kReadBurst = 100;
constexpr double kReadsPerSecond = 20;

// An unknown message type as it may be echoed in an error: short printable ASCII, else nothing.
std::string EchoableType(const std::string& type) {
  if (type.size() > 64) return "";
  for (char c : type) {
    if (c < 0x20 || c > 0x7e) return "";
  }
  return type;
}

}  // namespace

template <typename Stream>
DeviceSessionOn<Stream>::DeviceSessionOn(Stream stream, DeviceHub& hub)
    : ws_(std::move(stream)),
      hub_(hub),
      store_strand_(asio::make_strand(hub.store_pool().get_executor())),
      timer_(ws_.get_executor()),
      read_timer_(ws_.get_executor()),
      read_tokens_(kReadBurst),
      tokens_at_(Clock::now()) {}

template <typename Stream>
DeviceSessionOn<Stream>::~DeviceSessionOn() = default;

template <typename Stream>
void DeviceSessionOn<Stream>::Start(beast::http::request<beast::http::string_body> request) {
  asio::dispatch(ws_.get_executor(), [self = this->shared_from_this(),
                                      request = std::move(request)]() mutable {
    beast::get_lowest_layer(self->ws_).expires_never();
    websocket::stream_base::timeout timeout{};
    timeout.handshake_timeout = std::chrono::seconds(10);
    timeout.idle_timeout = websocket::stream_base::none();
    timeout.keep_alive_pings = false;
    self->ws_.set_option(timeout);
    self->ws_.read_message_max(kMaxHelloFrameBytes);  // until welcome: the hello only
    self->ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(beast::http::field::server, "sagd"); }));
    self->ws_.async_accept(request, [self](beast::error_code ec) { self->OnAccept(ec); });
  });
}

template <typename Stream>
void DeviceSessionOn<Stream>::OnAccept(beast::error_code ec) {
  if (ec) return End();
  state_ = State::kAwaitHello;
  nonce_ = NewNonce();
  Send(FormatChallenge(nonce_, hub_.clock().NowMs()));
  deadline_ = Clock::now() + hub_.options().hello_timeout;
  ArmTimer();
  Read();
}

template <typename Stream>
void DeviceSessionOn<Stream>::Read() {
  ws_.async_read(buffer_, [self = this->shared_from_this()](beast::error_code ec, size_t) {
    self->OnRead(ec);
  });
}

template <typename Stream>
void DeviceSessionOn<Stream>::ReadNext() {
  if (ended_ || closing()) return;  // a close reads what it needs itself
  const auto now = Clock::now();
  const double elapsed = std::chrono::duration<double>(now - tokens_at_).count();
  read_tokens_ = std::min(kReadBurst, read_tokens_ + elapsed * kReadsPerSecond);
  tokens_at_ = now;
  if (read_tokens_ >= 1) {
    read_tokens_ -= 1;
    return Read();
  }
  const auto wait = std::chrono::duration<double>((1 - read_tokens_) / kReadsPerSecond);
  read_timer_.expires_after(std::chrono::duration_cast<Clock::duration>(wait));
  read_timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
    if (!ec) self->ReadNext();
  });
}

template <typename Stream>
void DeviceSessionOn<Stream>::OnRead(beast::error_code ec) {
  if (ec) return End();
  if (closing()) return;  // the close completes (or its grace period ends) without us
  if (ws_.got_binary()) {
    buffer_.consume(buffer_.size());
    Send(FormatError(kErrBadMessage, "binary frames are not part of the protocol"));
    return CloseWith(kCloseUnsupportedData);
  }
  std::string text = beast::buffers_to_string(buffer_.data());
  buffer_.consume(buffer_.size());
  if (state_ == State::kOnline) {
    deadline_ = Clock::now() + hub_.options().lease;  // any message renews the lease
  }
  if (Handle(text)) ReadNext();
}

template <typename Stream>
template <typename Work>
void DeviceSessionOn<Stream>::ThenReadNext(Work work) {
  asio::post(store_strand_, [self = this->shared_from_this(), work = std::move(work)]() mutable {
    work(*self);
    asio::post(self->ws_.get_executor(), [self] { self->ReadNext(); });
  });
}

template <typename Stream>
bool DeviceSessionOn<Stream>::Handle(const std::string& text) {
  auto parsed = ParseDeviceMessage(text);
  if (state_ != State::kOnline) {
    // Before welcome the one message read must be a well-formed hello of this protocol version.
    if (!parsed || parsed->type != DeviceMessageType::kHello) {
      Send(FormatError(kErrBadMessage, parsed ? "hello expected" : parsed.error()));
      CloseWith(kClosePolicy);
      return false;
    }
    if (parsed->hello.protocol != kProtocolVersion) {
      Send(FormatError(kErrProtocolVersion,
                       "this server speaks protocol " + std::to_string(kProtocolVersion)));
      CloseWith(kCloseProtocolVersion);
      return false;
    }
    state_ = State::kAuthenticating;
    asio::post(store_strand_,
               [self = this->shared_from_this(), hello = std::move(parsed->hello)]() mutable {
                 self->Authenticate(std::move(hello));
               });
    return false;  // nothing more is read before welcome
  }
  if (!parsed) {
    Send(FormatError(kErrBadMessage, parsed.error()));
    return true;
  }
  DeviceMessage& m = *parsed;
  switch (m.type) {
    case DeviceMessageType::kUnknown: {
      const std::string type = EchoableType(m.type_name);
      Send(FormatError(kErrUnknownType, type.empty() ? "unknown type" : "unknown type " + type));
      return true;
    }
    case DeviceMessageType::kHeartbeat:
      return true;
    case DeviceMessageType::kHello:
      Send(FormatError(kErrBadMessage, "already authenticated"));
      return true;
    case DeviceMessageType::kApplied:
      ThenReadNext([a = std::move(m.applied)](DeviceSessionOn& self) {
        DeviceHub& hub = self.hub_;
        auto r = hub.store().RecordApplied(self.serial_number_, a.facet, a.generation, a.result,
                                           a.detail, hub.clock().NowMs());
        if (!r) {
          LogWarn("device " + self.serial_number_ + ": cannot record applied: " + r.error().detail);
        } else {
          self.AuditApplied(a.facet, a.generation, a.result, a.detail);
        }
        hub.NotifyApplied(self.serial_number_, a.facet, a.generation, a.result == "ok");
        if (a.facet == store::kFacetFirmware || a.facet == store::kFacetDpi) {
          ops::OnUpgradeApplied(hub.upgrade_env(), self.serial_number_, a.facet, a.generation,
                                a.result, a.detail);
        }
      });
      return false;
    case DeviceMessageType::kProgress:
      ThenReadNext([p = std::move(m.progress)](DeviceSessionOn& self) {
        DeviceHub& hub = self.hub_;
        ops::OnUpgradeProgress(hub.upgrade_env(), self.serial_number_, p.facet, p.generation,
                               p.state, p.bytes, p.detail);
        hub.NotifyProgress(self.serial_number_, p.facet, p.generation);
      });
      return false;
  }
  return true;
}

template <typename Stream>
void DeviceSessionOn<Stream>::Authenticate(Hello hello) {
  DeviceHub& hub = hub_;
  std::string refusal(kErrAuthFailed);
  auto device = hub.store().GetDevice(hello.serial_number);
  if (device && !device->retired && !device->sealed_secret.empty()) {
    auto secret = hub.secrets().Open(device->sealed_secret);
    if (secret && VerifyProof(*secret, hello.serial_number, nonce_, hello.proof)) {
      // A device that proved its secret but reports another model than the inventory's is not
      // taken for that device (upgrades are chosen by the inventory's model).
      refusal = !hello.model.empty() && hello.model != device->hardware_model
                    ? std::string(kErrModelMismatch)
                    : std::string();
    }
  } else if (!device && device.error().code != store::StoreErrorCode::kNotFound) {
    LogWarn("device channel: cannot read device: " + device.error().detail);
  }
  std::string session_id;
  if (refusal.empty()) {
    session_id = "ds-" + HexEncode(RandomBytes(12));
    const int64_t now = hub.clock().NowMs();
    // Everything the hello reports is recorded before the device is welcomed (and so seen
    // online): a caller that finds it online also finds its versions and boot time, and a new
    // desired generation is above every generation the device says it applied.
    auto r = hub.store().RecordDeviceConnected(hello.serial_number, hello.firmware, hello.dpi,
                                               hello.boot_time_ms, now);
    if (!r) {
      LogWarn("device " + hello.serial_number + ": cannot record connection: " + r.error().detail);
    }
    CatchUpApplied(hello);
    // An upgrade whose target the device now runs succeeds only with this report.
    ops::OnDeviceHello(hub.upgrade_env(), hello.serial_number, hello.firmware, hello.dpi);
    // A device that booted (a new boot time, or its first connection) gets its boot-time
    // auto-upgrade (docs/semantics.md "Automatic upgrades").
    if (device->boot_ms != hello.boot_time_ms) {
      ops::OnDeviceBooted(hub.upgrade_env(), hello.serial_number);
    }
    // Several nodes: other nodes see the device online (here) from now on.
    if (hub.ClaimPresence(hello.serial_number, session_id)) {
      claimed_serial_ = hello.serial_number;
      claimed_session_ = session_id;
    }
  }
  asio::post(ws_.get_executor(), [self = this->shared_from_this(), hello = std::move(hello),
                                  refusal = std::move(refusal), session_id]() mutable {
    self->OnAuthenticated(std::move(hello), std::move(refusal), std::move(session_id));
  });
}

template <typename Stream>
void DeviceSessionOn<Stream>::AuditApplied(const std::string& facet, int64_t generation,
                                           const std::string& result, const std::string& detail) {
  if (!hub_.options().audit) return;
  hub_.options().audit(AppliedAuditEvent(hub_.store(), serial_number_, facet, generation, result,
                                         detail, session_id_, remote_address_));
}

template <typename Stream>
void DeviceSessionOn<Stream>::CatchUpApplied(const Hello& hello) {
  DeviceHub& hub = hub_;
  auto facets = hub.store().GetDeviceFacets(hello.serial_number);
  if (!facets) {
    LogWarn("device " + hello.serial_number + ": cannot read facets: " + facets.error().detail);
    return;
  }
  for (const auto& [facet, reported] : hello.applied) {
    int64_t stored = 0;
    for (const store::DeviceFacetRecord& f : *facets) {
      if (f.facet == facet) stored = f.applied_generation;
    }
    if (reported <= stored) continue;
    // The device confirmed more than the store knows (its report was lost, or the store was
    // restored from an older backup): the store catches up.
    auto r = hub.store().RecordApplied(hello.serial_number, facet, reported, "ok", "",
                                       hub.clock().NowMs());
    if (r) {
      AuditApplied(facet, reported, "ok", "");
      hub.NotifyApplied(hello.serial_number, facet, reported, true);
    } else {
      LogWarn("device " + hello.serial_number + ": cannot record applied: " + r.error().detail);
    }
  }
}

template <typename Stream>
void DeviceSessionOn<Stream>::OnAuthenticated(Hello hello, std::string refusal,
                                              std::string session_id) {
  if (ended_ || closing()) return;
  if (!refusal.empty()) {
    LogInfo("device channel: a hello was refused (" + refusal + ")");
    Send(FormatError(refusal));
    CloseWith(kCloseAuthFailed);
    return;
  }
  serial_number_ = hello.serial_number;
  std::shared_ptr<DeviceSession> replaced;
  if (!hub_.Register(this->shared_from_this(), serial_number_, session_id, &replaced)) {
    end_reason_ = std::string(kReasonServerShutdown);
    CloseWith(1001);
    return;
  }
  if (replaced) replaced->Kick(kCloseReplaced, kReasonReplaced);
  state_ = State::kOnline;
  session_id_ = std::move(session_id);
  boost::system::error_code peer_ec;
  const auto peer = boost::beast::get_lowest_layer(ws_).socket().remote_endpoint(peer_ec);
  if (!peer_ec) remote_address_ = peer.address().to_string();
  ws_.read_message_max(kMaxFrameBytes);
  Send(FormatWelcome(session_id_, hub_.options().lease.count(), hub_.options().heartbeat.count()));
  deadline_ = Clock::now() + hub_.options().lease;
  ArmTimer();
  LogInfo("device " + serial_number_ + " online (session " + session_id_ + ")");
  asio::post(store_strand_, [self = this->shared_from_this(), hello = std::move(hello)]() mutable {
    self->AfterWelcome(std::move(hello));
  });
  ReadNext();
}

template <typename Stream>
void DeviceSessionOn<Stream>::AfterWelcome(Hello hello) {
  DeviceHub& hub = hub_;
  auto facets = hub.store().GetDeviceFacets(serial_number_);
  if (!facets) {
    LogWarn("device " + serial_number_ + ": cannot read facets: " + facets.error().detail);
    return;
  }
  for (const store::DeviceFacetRecord& f : *facets) {
    auto it = hello.applied.find(f.facet);
    const int64_t reported = it == hello.applied.end() ? 0 : it->second;
    if (f.desired_generation <= reported) continue;
    // A firmware/dpi generation is re-sent only while its upgrade is in flight: a finished,
    // failed or timed-out upgrade is never resumed by a reconnect.
    if ((f.facet == store::kFacetFirmware || f.facet == store::kFacetDpi) &&
        !ops::IsActiveUpgradeGeneration(hub.upgrade_env(), serial_number_, f.facet,
                                        f.desired_generation)) {
      continue;
    }
    SendDesired(f.facet, f.desired_generation, f.desired_value);
  }
}

template <typename Stream>
void DeviceSessionOn<Stream>::SendDesired(std::string facet, int64_t generation,
                                          std::string value_json) {
  asio::post(ws_.get_executor(), [self = this->shared_from_this(), facet = std::move(facet),
                                  generation, value = std::move(value_json)] {
    if (self->state_ != State::kOnline || self->ended_ || self->closing()) return;
    self->Send(FormatDesired(facet, generation, value));
  });
}

template <typename Stream>
void DeviceSessionOn<Stream>::Kick(uint16_t code, std::string_view reason) {
  asio::post(ws_.get_executor(),
             [self = this->shared_from_this(), code, reason = std::string(reason)] {
               if (self->ended_ || self->closing()) return;
               self->end_reason_ = reason;
               if (self->state_ == State::kHandshake) return self->End();
               self->CloseWith(code);
             });
}

template <typename Stream>
void DeviceSessionOn<Stream>::Drop() {
  asio::post(ws_.get_executor(), [self = this->shared_from_this()] { self->End(); });
}

template <typename Stream>
void DeviceSessionOn<Stream>::Send(std::string text) {
  if (ended_) return;
  if (outbox_bytes_ + text.size() > kMaxOutboxBytes) {
    // The peer does not read what it is sent: nothing more can reach it, not even a close.
    LogInfo(
        "device channel: " + (serial_number_.empty() ? std::string("a device") : serial_number_) +
        " does not read its messages; disconnected");
    return End();
  }
  outbox_bytes_ += text.size();
  outbox_.push_back(std::move(text));
  if (!writing_) DoWrite();
}

template <typename Stream>
void DeviceSessionOn<Stream>::DoWrite() {
  writing_ = true;
  ws_.text(true);
  ws_.async_write(asio::buffer(outbox_.front()),
                  [self = this->shared_from_this()](beast::error_code ec, size_t) {
                    self->writing_ = false;
                    self->outbox_bytes_ -= self->outbox_.front().size();
                    self->outbox_.pop_front();
                    if (ec || self->ended_) {
                      self->outbox_.clear();
                      self->outbox_bytes_ = 0;
                      return self->End();
                    }
                    if (!self->outbox_.empty()) return self->DoWrite();
                    if (self->pending_close_ && !self->close_started_) self->DoClose();
                  });
}

template <typename Stream>
void DeviceSessionOn<Stream>::CloseWith(uint16_t code) {
  if (ended_ || closing()) return;
  pending_close_ = code;
  read_timer_.cancel();
  // The close must be done by then, whether or not the peer reads.
  deadline_ = Clock::now() + kCloseGrace;
  ArmTimer();
  if (!writing_) DoClose();
}

template <typename Stream>
void DeviceSessionOn<Stream>::DoClose() {
  close_started_ = true;
  ws_.async_close(websocket::close_reason(*pending_close_),
                  [self = this->shared_from_this()](beast::error_code) { self->End(); });
}

template <typename Stream>
void DeviceSessionOn<Stream>::ArmTimer() {
  timer_.expires_at(deadline_);
  timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) { self->OnTimer(ec); });
}

template <typename Stream>
void DeviceSessionOn<Stream>::OnTimer(beast::error_code ec) {
  if (ec || ended_) return;
  if (Clock::now() < deadline_) return ArmTimer();  // renewed meanwhile
  if (closing()) {
    LogInfo("device channel: a close was not completed in time; connection dropped");
    return End();
  }
  if (state_ == State::kOnline) {
    end_reason_ = std::string(kReasonLeaseExpired);
    LogInfo("device " + serial_number_ + ": lease expired");
    CloseWith(kCloseLeaseExpired);
  } else {
    Send(FormatError(kErrAuthFailed, "no hello in time"));
    CloseWith(kCloseAuthFailed);
  }
}

template <typename Stream>
void DeviceSessionOn<Stream>::End() {
  if (ended_) return;
  ended_ = true;
  timer_.cancel();
  read_timer_.cancel();
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
  const bool was_online = state_ == State::kOnline;
  std::string reason = end_reason_.empty() ? std::string(kReasonClosed) : end_reason_;
  asio::post(store_strand_, [self = this->shared_from_this(), was_online, reason] {
    DeviceHub& hub = self->hub_;
    if (was_online) {
      const bool current = hub.Unregister(self->serial_number_, self.get());
      if (current || reason == kReasonReplaced) {
        auto r = hub.store().RecordDeviceOffline(self->serial_number_, reason, hub.clock().NowMs());
        if (!r) LogWarn("device " + self->serial_number_ + ": cannot record offline");
      }
      LogInfo("device " + self->serial_number_ + " offline (" + reason + ")");
    }
    if (!self->claimed_session_.empty()) {
      hub.ReleasePresence(self->claimed_serial_, self->claimed_session_);
    }
    hub.Untrack(self.get());
  });
}

template class DeviceSessionOn<PlainDeviceStream>;
template class DeviceSessionOn<TlsDeviceStream>;

}  // namespace sag::device
