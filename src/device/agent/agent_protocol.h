// Device side of the device channel protocol (docs/device-protocol.md), version 1: building the
// messages a device sends and parsing the messages the server sends. Pure functions, no I/O.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <variant>

#include <boost/json.hpp>

#include "common/result.h"

namespace sag::device::agent {

// The protocol version this agent speaks (challenge.protocol).
inline constexpr int kProtocolVersion = 1;
// The WebSocket path of the device channel.
inline constexpr std::string_view kChannelPath = "/device/v1/channel";
// Facets every hello reports in `applied`, in the order of the protocol's table.
inline constexpr std::string_view kFacets[] = {"admin_password", "reboot", "firmware", "dpi"};
// The largest frame either side accepts (protocol §1).
inline constexpr size_t kMaxFrameBytes = 64 * 1024;

// Lower-case hex HMAC-SHA256(key = secret, "sag-device-v1\n" + sn + "\n" + nonce).
std::string ComputeProof(std::string_view secret, std::string_view sn, std::string_view nonce);

// Everything a hello carries. Exactly one of proof / enroll_secret is sent (proof wins if both).
struct HelloInfo {
  std::string serial_number;
  std::string model;
  std::string firmware;
  std::string dpi;
  int64_t boot_time_ms = 0;
  std::map<std::string, int64_t> applied;  // facet -> last applied generation; kFacets default 0
  std::optional<std::string> proof;
  std::optional<std::string> enroll_secret;
};

// {"type":"hello",...} as one JSON object.
std::string BuildHello(const HelloInfo& info);
// {"type":"heartbeat"}.
std::string BuildHeartbeat();
// {"type":"applied","facet":..,"generation":..,"result":..[,"detail":..]}; detail omitted if empty.
std::string BuildApplied(std::string_view facet, int64_t generation, std::string_view result,
                         std::string_view detail = {});

// Server -> device: the first message of every session.
struct Challenge {
  int protocol = 0;
  std::string nonce;
  int64_t server_time_ms = 0;
};
// Server -> device: authentication succeeded.
struct Welcome {
  std::string session_id;
  int64_t lease_ms = 0;
  int64_t heartbeat_ms = 0;
};
// Server -> device: a facet's desired generation and value.
struct Desired {
  std::string facet;
  int64_t generation = 0;
  boost::json::object value;
};
// Server -> device: {"type":"error","code":..,"message":..}.
struct ServerError {
  std::string code;
  std::string message;
};
// A well-formed message of a type this agent does not know (ignored by the device).
struct UnknownMessage {
  std::string type;
};
// Any message the server may send.
using ServerMessage = std::variant<Challenge, Welcome, Desired, ServerError, UnknownMessage>;

// Parses one text frame from the server. Errors (not JSON, not an object, missing or mistyped
// members, a challenge of another protocol version, a nonce that is not 32 lower-case hex digits,
// non-positive generations or durations) carry a short description.
Result<ServerMessage, std::string> ParseServerMessage(std::string_view text);

// Reconnect backoff with full jitter (protocol §5): the n-th consecutive failed attempt (n >= 1)
// waits a uniformly random time in [0, min(cap, base * 2^n)].
class Backoff {
 public:
  // base_ms and cap_ms are the protocol's 1 s and 60 s unless a test shortens them.
  explicit Backoff(int64_t base_ms = 1000, int64_t cap_ms = 60000);

  // Upper bound of the n-th wait: min(cap, base * 2^n), n >= 0.
  int64_t MaxWaitMs(int n) const;
  // Counts one more failed attempt and returns its random wait.
  int64_t NextWaitMs(std::mt19937_64& rng);
  // Applies the reset rule: a session that lasted longer than one lease resets the count.
  void OnSessionEnded(int64_t session_ms, int64_t lease_ms);
  // Resets the count of consecutive failures.
  void Reset() { failures_ = 0; }
  // Consecutive failed attempts so far.
  int failures() const { return failures_; }

 private:
  int64_t base_ms_;
  int64_t cap_ms_;
  int failures_ = 0;
};

}  // namespace sag::device::agent
