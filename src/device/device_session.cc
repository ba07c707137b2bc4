#include "device/device_session.h"

#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>

#include "common/crypto.h"
#include "common/log.h"
#include "device/device_hub.h"
#include "ops/upgrade_policy.h"

namespace sag::device {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using Clock = std::chrono::steady_clock;

constexpr uint16_t kClosePolicy = 1008;

}  // namespace

template <typename Stream>
DeviceSessionOn<Stream>::DeviceSessionOn(Stream stream, DeviceHub& hub)
    : ws_(std::move(stream)),
      hub_(hub),
      store_strand_(asio::make_strand(hub.store_pool().get_executor())),
      timer_(ws_.get_executor()) {}

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
    self->ws_.read_message_max(kMaxFrameBytes);
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
void DeviceSessionOn<Stream>::OnRead(beast::error_code ec) {
  if (ec) return End();
  std::string text = beast::buffers_to_string(buffer_.data());
  buffer_.consume(buffer_.size());
  if (state_ == State::kOnline && !close_started_) {
    deadline_ = Clock::now() + hub_.options().lease;  // any message renews the lease
  }
  if (!close_started_ && !pending_close_) Handle(text);
  Read();  // keep reading: a close handshake completes through the read
}

template <typename Stream>
void DeviceSessionOn<Stream>::Handle(const std::string& text) {
  auto parsed = ParseDeviceMessage(text);
  if (!parsed) {
    Send(FormatError(kErrBadMessage, parsed.error()));
    if (state_ != State::kOnline) CloseWith(kClosePolicy);
    return;
  }
  DeviceMessage& m = *parsed;
  if (m.type == DeviceMessageType::kUnknown) {
    Send(FormatError(kErrUnknownType, "unknown type " + m.type_name));
    return;
  }
  switch (state_) {
    case State::kAwaitHello:
      if (m.type != DeviceMessageType::kHello) {
        Send(FormatError(kErrBadMessage, "hello expected"));
        CloseWith(kClosePolicy);
        return;
      }
      state_ = State::kAuthenticating;
      asio::post(store_strand_,
                 [self = this->shared_from_this(), hello = std::move(m.hello)]() mutable {
                   self->Authenticate(std::move(hello));
                 });
      return;
    case State::kAuthenticating:
      return;  // nothing is expected before welcome; heartbeats are harmless
    case State::kOnline:
      if (m.type == DeviceMessageType::kApplied) {
        asio::post(store_strand_, [self = this->shared_from_this(), a = std::move(m.applied)] {
          DeviceHub& hub = self->hub_;
          auto r = hub.store().RecordApplied(self->serial_number_, a.facet, a.generation, a.result,
                                             a.detail, hub.clock().NowMs());
          if (!r)
            LogWarn("device " + self->serial_number_ +
                    ": cannot record applied: " + r.error().detail);
          hub.NotifyApplied(self->serial_number_, a.facet, a.generation, a.result == "ok");
          if (a.facet == store::kFacetFirmware || a.facet == store::kFacetDpi) {
            ops::OnUpgradeApplied(hub.upgrade_env(), self->serial_number_, a.facet, a.generation,
                                  a.result, a.detail);
          }
        });
      } else if (m.type == DeviceMessageType::kProgress) {
        asio::post(store_strand_, [self = this->shared_from_this(), p = std::move(m.progress)] {
          ops::OnUpgradeProgress(self->hub_.upgrade_env(), self->serial_number_, p.facet,
                                 p.generation, p.state, p.bytes, p.detail);
        });
      } else if (m.type == DeviceMessageType::kHello) {
        Send(FormatError(kErrBadMessage, "already authenticated"));
      }
      return;
    case State::kHandshake:
      return;
  }
}

template <typename Stream>
void DeviceSessionOn<Stream>::Authenticate(Hello hello) {
  bool ok = false;
  auto device = hub_.store().GetDevice(hello.serial_number);
  if (device && !device->retired) {
    if (device->sealed_secret.empty()) {
      const size_t n = hello.enroll_secret.size();
      if (hub_.options().open_registry && hello.proof.empty() && n >= kMinSecretLength &&
          n <= kMaxSecretLength) {
        auto enrolled = hub_.store().EnrollDeviceSecret(hello.serial_number,
                                                        hub_.secrets().Seal(hello.enroll_secret));
        ok = enrolled && *enrolled;
      }
    } else if (!hello.proof.empty()) {
      auto secret = hub_.secrets().Open(device->sealed_secret);
      ok = secret && VerifyProof(*secret, hello.serial_number, nonce_, hello.proof);
    }
  } else if (!device && device.error().code != store::StoreErrorCode::kNotFound) {
    LogWarn("device channel: cannot read device: " + device.error().detail);
  }
  hello.enroll_secret.clear();
  std::string session_id;
  if (ok) {
    session_id = "ds-" + HexEncode(RandomBytes(12));
    // Record what the device reports before it is welcomed (and so seen online): a caller that
    // finds it online also finds its firmware, DPI version and boot time.
    auto r = hub_.store().RecordDeviceConnected(hello.serial_number, hello.firmware, hello.dpi,
                                                hello.boot_time_ms, hub_.clock().NowMs());
    if (!r) {
      LogWarn("device " + hello.serial_number + ": cannot record connection: " + r.error().detail);
    }
    // An upgrade whose target the device now runs succeeds only with this report (§7).
    ops::OnDeviceHello(hub_.upgrade_env(), hello.serial_number, hello.firmware, hello.dpi);
    // A device that booted (a new boot time, or its first connection) gets its boot-time
    // auto-upgrade (docs/semantics.md "Automatic upgrades").
    if (device->boot_ms != hello.boot_time_ms) {
      ops::OnDeviceBooted(hub_.upgrade_env(), hello.serial_number);
    }
    // Several nodes: other nodes see the device online (here) from now on.
    if (hub_.ClaimPresence(hello.serial_number, session_id)) {
      claimed_serial_ = hello.serial_number;
      claimed_session_ = session_id;
    }
  }
  asio::post(ws_.get_executor(),
             [self = this->shared_from_this(), hello = std::move(hello), ok, session_id]() mutable {
               self->OnAuthenticated(std::move(hello), ok, std::move(session_id));
             });
}

template <typename Stream>
void DeviceSessionOn<Stream>::OnAuthenticated(Hello hello, bool ok, std::string session_id) {
  if (ended_ || close_started_ || pending_close_) return;
  if (!ok) {
    LogInfo("device channel: authentication failed for a hello");
    Send(FormatError(kErrAuthFailed));
    CloseWith(kCloseAuthFailed);
    return;
  }
  serial_number_ = hello.serial_number;
  std::shared_ptr<DeviceSession> replaced;
  if (!hub_.Register(this->shared_from_this(), serial_number_, session_id, hello.applied,
                     &replaced)) {
    end_reason_ = std::string(kReasonServerShutdown);
    CloseWith(1001);
    return;
  }
  if (replaced) replaced->Kick(kCloseReplaced, kReasonReplaced);
  state_ = State::kOnline;
  session_id_ = std::move(session_id);
  Send(FormatWelcome(session_id_, hub_.options().lease.count(), hub_.options().heartbeat.count()));
  deadline_ = Clock::now() + hub_.options().lease;
  ArmTimer();
  LogInfo("device " + serial_number_ + " online (session " + session_id_ + ")");
  asio::post(store_strand_, [self = this->shared_from_this(), hello = std::move(hello)]() mutable {
    self->AfterWelcome(std::move(hello));
  });
}

template <typename Stream>
void DeviceSessionOn<Stream>::AfterWelcome(Hello hello) {
  DeviceHub& hub = hub_;
  const int64_t now = hub.clock().NowMs();
  auto facets = hub.store().GetDeviceFacets(serial_number_);
  if (!facets) {
    LogWarn("device " + serial_number_ + ": cannot read facets: " + facets.error().detail);
    return;
  }
  for (const store::DeviceFacetRecord& f : *facets) {
    auto it = hello.applied.find(f.facet);
    const int64_t reported = it == hello.applied.end() ? 0 : it->second;
    if (reported > f.applied_generation) {
      // The device confirmed more than the store knows (e.g. its report was lost): catch up.
      auto rec = hub.store().RecordApplied(serial_number_, f.facet, reported, "ok", "", now);
      if (rec) hub.NotifyApplied(serial_number_, f.facet, reported, true);
    }
    if (f.desired_generation > reported) {
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
}

template <typename Stream>
void DeviceSessionOn<Stream>::SendDesired(std::string facet, int64_t generation,
                                          std::string value_json) {
  asio::post(ws_.get_executor(), [self = this->shared_from_this(), facet = std::move(facet),
                                  generation, value = std::move(value_json)] {
    if (self->state_ != State::kOnline || self->ended_ || self->close_started_ ||
        self->pending_close_) {
      return;
    }
    self->Send(FormatDesired(facet, generation, value));
  });
}

template <typename Stream>
void DeviceSessionOn<Stream>::Kick(uint16_t code, std::string_view reason) {
  asio::post(ws_.get_executor(),
             [self = this->shared_from_this(), code, reason = std::string(reason)] {
               if (self->ended_ || self->close_started_ || self->pending_close_) return;
               self->end_reason_ = reason;
               if (self->state_ == State::kHandshake) {
                 beast::error_code ignored;
                 beast::get_lowest_layer(self->ws_).socket().close(ignored);
                 return;
               }
               self->CloseWith(code);
             });
}

template <typename Stream>
void DeviceSessionOn<Stream>::Send(std::string text) {
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
                    self->outbox_.pop_front();
                    if (ec) {
                      self->outbox_.clear();
                      return;  // the read fails too and ends the session
                    }
                    if (!self->outbox_.empty()) return self->DoWrite();
                    if (self->pending_close_ && !self->close_started_) self->DoClose();
                  });
}

template <typename Stream>
void DeviceSessionOn<Stream>::CloseWith(uint16_t code) {
  if (close_started_ || pending_close_) return;
  pending_close_ = code;
  timer_.cancel();
  if (!writing_) DoClose();
}

template <typename Stream>
void DeviceSessionOn<Stream>::DoClose() {
  close_started_ = true;
  ws_.async_close(websocket::close_reason(*pending_close_),
                  [self = this->shared_from_this()](beast::error_code ec) {
                    if (ec) {
                      beast::error_code ignored;
                      beast::get_lowest_layer(self->ws_).socket().close(ignored);
                    }
                  });
}

template <typename Stream>
void DeviceSessionOn<Stream>::ArmTimer() {
  timer_.expires_at(deadline_);
  timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) { self->OnTimer(ec); });
}

template <typename Stream>
void DeviceSessionOn<Stream>::OnTimer(beast::error_code ec) {
  if (ec || ended_ || close_started_ || pending_close_) return;
  if (Clock::now() < deadline_) return ArmTimer();  // renewed meanwhile
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
