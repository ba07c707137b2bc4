// One device's WebSocket session (docs/device-protocol.md): challenge -> hello -> welcome, then
// heartbeats and applied reports, with the lease enforced by a timer. All socket work runs on the
// session's strand (a network thread); store work is posted, in order, to the hub's store pool.
// Bounded whatever the peer does: before welcome only one small frame (the hello) is read; after
// it, one message at a time (the next is read once the store work of the last is done) within an
// inbound budget; the outbox has a byte limit, past which the session is dropped; and a close the
// peer does not complete ends the TCP connection after a grace period.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "device/protocol.h"

namespace sag::device {

class DeviceHub;

// What the hub needs of a session, whatever stream it runs on.
class DeviceSession {
 public:
  virtual ~DeviceSession() = default;
  // Thread-safe: queues a desired message (dropped unless the session is online).
  virtual void SendDesired(std::string facet, int64_t generation, std::string value_json) = 0;
  // Thread-safe: closes the session with code; reason is the offline reason to record.
  virtual void Kick(uint16_t code, std::string_view reason) = 0;
  // Thread-safe: ends the session now, dropping the TCP connection (a close that did not
  // complete in time).
  virtual void Drop() = 0;
};

// The connection under the WebSocket: plain TCP (ws://) or TLS (wss://).
using PlainDeviceStream = boost::beast::tcp_stream;
using TlsDeviceStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

// A session on Stream (PlainDeviceStream or TlsDeviceStream; both are instantiated in the .cc).
template <typename Stream>
class DeviceSessionOn : public DeviceSession,
                        public std::enable_shared_from_this<DeviceSessionOn<Stream>> {
 public:
  DeviceSessionOn(Stream stream, DeviceHub& hub);
  ~DeviceSessionOn() override;
  DeviceSessionOn(const DeviceSessionOn&) = delete;
  DeviceSessionOn& operator=(const DeviceSessionOn&) = delete;

  // Completes the WebSocket handshake for the already-read upgrade request and starts the protocol.
  void Start(boost::beast::http::request<boost::beast::http::string_body> request);
  void SendDesired(std::string facet, int64_t generation, std::string value_json) override;
  void Kick(uint16_t code, std::string_view reason) override;
  void Drop() override;

 private:
  enum class State { kHandshake, kAwaitHello, kAuthenticating, kOnline };

  void OnAccept(boost::beast::error_code ec);
  void Read();
  void OnRead(boost::beast::error_code ec);
  // Reads the next message when the inbound budget allows, else once it does.
  void ReadNext();
  // Handles one text message; false when reading must wait (for authentication, or for the
  // store work of the message, which calls ReadNext when done).
  bool Handle(const std::string& text);
  // Posts work to the store strand, then resumes reading on the session's strand.
  template <typename Work>
  void ThenReadNext(Work work);
  bool closing() const { return pending_close_.has_value() || close_started_; }
  void Authenticate(Hello hello);  // on the store strand
  // refusal: empty when welcomed, else the error code to answer (AuthFailed, ModelMismatch).
  void OnAuthenticated(Hello hello, std::string refusal, std::string session_id);
  // On the store strand: records what the hello says the device applied beyond the store's record.
  void CatchUpApplied(const Hello& hello);
  // On the store strand, after an applied report was stored: tells the hub's audit trail (when it
  // has one).
  void AuditApplied(const std::string& facet, int64_t generation, const std::string& result,
                    const std::string& detail);
  void AfterWelcome(Hello hello);  // on the store strand
  void Send(std::string text);
  void DoWrite();
  void CloseWith(uint16_t code);
  void DoClose();
  void ArmTimer();
  void OnTimer(boost::beast::error_code ec);
  void End();

  boost::beast::websocket::stream<Stream> ws_;
  DeviceHub& hub_;
  boost::asio::strand<boost::asio::thread_pool::executor_type> store_strand_;
  boost::asio::steady_timer timer_;       // hello deadline, lease, then the close grace period
  boost::asio::steady_timer read_timer_;  // a read waiting for the inbound budget
  boost::beast::flat_buffer buffer_;
  std::deque<std::string> outbox_;
  size_t outbox_bytes_ = 0;
  bool writing_ = false;
  double read_tokens_;  // the inbound budget: messages that may be read right now
  std::chrono::steady_clock::time_point tokens_at_;
  std::optional<uint16_t> pending_close_;
  bool close_started_ = false;
  bool ended_ = false;
  State state_ = State::kHandshake;
  std::chrono::steady_clock::time_point deadline_;
  std::string nonce_;
  std::string serial_number_;
  std::string session_id_;
  std::string remote_address_;  // the device's IP address, set when it authenticated
  std::string end_reason_;      // set by Kick or the lease timer; "closed" otherwise
  // Cluster mode: the presence this session claimed (serial number, session id); touched only on
  // the store strand.
  std::string claimed_serial_;
  std::string claimed_session_;
};

extern template class DeviceSessionOn<PlainDeviceStream>;
extern template class DeviceSessionOn<TlsDeviceStream>;

}  // namespace sag::device
