// The device channel's messages (docs/device-protocol.md): parsing and formatting, pure functions
// with no I/O, shared by the server session, the reference agent (sag-device) and test devices.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <boost/json/object.hpp>

#include "common/result.h"

namespace sag::device {

inline constexpr int kProtocolVersion = 1;
inline constexpr std::string_view kChannelPath = "/device/v1/channel";
// The largest message either side sends once the device is welcomed, and the largest one the
// server reads before (the hello).
inline constexpr size_t kMaxFrameBytes = 64 * 1024;
inline constexpr size_t kMaxHelloFrameBytes = 4 * 1024;
inline constexpr size_t kMinSecretLength = 16;
inline constexpr size_t kMaxSecretLength = 128;
// The longest serial number, model and version string a hello may carry.
inline constexpr size_t kMaxHelloFieldLength = 64;

// WebSocket close codes of the protocol.
inline constexpr uint16_t kCloseAuthFailed = 4001;
inline constexpr uint16_t kCloseLeaseExpired = 4002;
inline constexpr uint16_t kCloseReplaced = 4003;
inline constexpr uint16_t kCloseProtocolVersion = 4004;

// Error codes of {"type":"error"}.
inline constexpr std::string_view kErrAuthFailed = "AuthFailed";
inline constexpr std::string_view kErrModelMismatch = "ModelMismatch";
inline constexpr std::string_view kErrUnknownType = "UnknownType";
inline constexpr std::string_view kErrBadMessage = "BadMessage";
inline constexpr std::string_view kErrProtocolVersion = "ProtocolVersion";

// The facets of the protocol, in the order of its table.
inline constexpr std::string_view kFacets[] = {"admin_password", "reboot", "firmware", "dpi", "acl",
                                               "flow_log"};

// True for the names of kFacets.
bool IsKnownFacet(std::string_view facet);

// Device -> server.
struct Hello {
  int protocol = kProtocolVersion;  // absent in the message: 1
  std::string serial_number;
  std::string proof;     // 64 lower-case hex digits (HMAC-SHA256)
  std::string model;     // "" when not reported
  std::string firmware;  // "" when not reported
  std::string dpi;       // "" when not reported
  int64_t boot_time_ms = 0;
  std::map<std::string, int64_t> applied;  // known facets only
};

struct Applied {
  std::string facet;
  int64_t generation = 0;
  std::string result;  // ok | failed | reverted
  std::string detail;
};

// Progress of a firmware or dpi generation on the device (docs/device-protocol.md §6): state is
// "downloading", "installing" or "rebooting"; bytes/total the download progress.
struct Progress {
  std::string facet;
  int64_t generation = 0;
  std::string state;
  int64_t bytes = 0;
  int64_t total = 0;
  std::string detail;
};

// The states a progress report may carry.
bool IsProgressState(std::string_view state);

enum class DeviceMessageType { kHello, kHeartbeat, kApplied, kProgress, kUnknown };

struct DeviceMessage {
  DeviceMessageType type = DeviceMessageType::kUnknown;
  std::string type_name;  // the "type" member as sent
  Hello hello;            // kHello
  Applied applied;        // kApplied
  Progress progress;      // kProgress
};

// Parses one text frame from a device. Errors are a human-readable reason (answered with
// BadMessage): not a JSON object, no string "type", or a hello/applied/progress with missing or
// ill-typed members (a hello needs serial_number and proof; its serial number, model and versions
// are at most kMaxHelloFieldLength characters of [A-Za-z0-9._+-]). An unknown type parses as
// kUnknown. A hello's protocol is parsed, not checked (the server answers ProtocolVersion).
Result<DeviceMessage, std::string> ParseDeviceMessage(std::string_view text);

// Server -> device.
std::string FormatChallenge(std::string_view nonce, int64_t server_time_ms);
std::string FormatWelcome(std::string_view session_id, int64_t lease_ms, int64_t heartbeat_ms);
// value_json is the desired value as JSON text; text that is not JSON is sent as {}.
std::string FormatDesired(std::string_view facet, int64_t generation, std::string_view value_json);
std::string FormatError(std::string_view code, std::string_view message = {});

// Device side (test devices and agents built on this library).
// hello.applied as sent: each member of the map, no more (see AppliedWithEveryFacet).
std::string FormatHello(const Hello& hello);
// applied with every facet of kFacets present, 0 when missing: the agent reports them all.
std::map<std::string, int64_t> AppliedWithEveryFacet(std::map<std::string, int64_t> applied);
std::string FormatHeartbeat();
std::string FormatApplied(const Applied& applied);
std::string FormatProgress(const Progress& progress);

// Server -> device, as a device sees it: the first message of every session.
struct Challenge {
  int protocol = 0;
  std::string nonce;
  int64_t server_time_ms = 0;
};
// Authentication succeeded.
struct Welcome {
  std::string session_id;
  int64_t lease_ms = 0;
  int64_t heartbeat_ms = 0;
};
// A facet's desired generation and value.
struct Desired {
  std::string facet;
  int64_t generation = 0;
  boost::json::object value;
};
// {"type":"error","code":..,"message":..}.
struct ServerError {
  std::string code;
  std::string message;  // empty when absent
};
// A well-formed message of a type this version does not know (ignored by devices).
struct UnknownServerMessage {
  std::string type;
};
// Any message the server may send.
using ServerMessage = std::variant<Challenge, Welcome, Desired, ServerError, UnknownServerMessage>;

// Parses one text frame from the server. Errors (not JSON, not an object, no string "type",
// missing or mistyped members, a challenge of another protocol version, a nonce that is not 32
// lower-case hex digits, non-positive generations or durations, a desired value that is not an
// object, an empty facet) carry a short description.
Result<ServerMessage, std::string> ParseServerMessage(std::string_view text);

// A fresh challenge nonce: 32 lower-case hex characters (16 random bytes).
std::string NewNonce();
// Lower-case hex HMAC-SHA256(secret, "sag-device-v1\n" + serial_number + "\n" + nonce).
std::string ComputeProof(std::string_view secret, std::string_view serial_number,
                         std::string_view nonce);
// Compares proof with the expected one in constant time.
bool VerifyProof(std::string_view secret, std::string_view serial_number, std::string_view nonce,
                 std::string_view proof);

}  // namespace sag::device
