#include "device/agent/agent_protocol.h"

#include <algorithm>

#include "common/crypto.h"

namespace sag::device::agent {

namespace json = boost::json;

std::string ComputeProof(std::string_view secret, std::string_view sn, std::string_view nonce) {
  std::string message = "sag-device-v1\n";
  message.append(sn);
  message.push_back('\n');
  message.append(nonce);
  return HexEncode(HmacSha256(secret, message));
}

std::string BuildHello(const HelloInfo& info) {
  json::object applied;
  for (std::string_view facet : kFacets) applied[facet] = 0;
  for (const auto& [facet, generation] : info.applied) applied[facet] = generation;
  json::object o;
  o["type"] = "hello";
  o["serial_number"] = info.serial_number;
  if (info.proof) {
    o["proof"] = *info.proof;
  } else if (info.enroll_secret) {
    o["enroll_secret"] = *info.enroll_secret;
  }
  o["model"] = info.model;
  o["firmware"] = info.firmware;
  o["dpi"] = info.dpi;
  o["boot_time"] = info.boot_time_ms;
  o["applied"] = std::move(applied);
  return json::serialize(o);
}

std::string BuildHeartbeat() { return R"({"type":"heartbeat"})"; }

std::string BuildApplied(std::string_view facet, int64_t generation, std::string_view result,
                         std::string_view detail) {
  json::object o;
  o["type"] = "applied";
  o["facet"] = facet;
  o["generation"] = generation;
  o["result"] = result;
  if (!detail.empty()) o["detail"] = detail;
  return json::serialize(o);
}

namespace {

using ParseResult = Result<ServerMessage, std::string>;

ParseResult Fail(std::string message) { return MakeUnexpected(std::move(message)); }

const json::string* GetString(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr ? v->if_string() : nullptr;
}

// An integer member (int64 or uint64 that fits); nullopt when absent or of another kind.
std::optional<int64_t> GetInt(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (const int64_t* i = v->if_int64()) return *i;
  if (const uint64_t* u = v->if_uint64()) {
    if (*u <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(*u);
  }
  return std::nullopt;
}

bool IsLowerHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

ParseResult ParseServerMessage(std::string_view text) {
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (ec) return Fail("not JSON");
  const json::object* o = parsed.if_object();
  if (o == nullptr) return Fail("not a JSON object");
  const json::string* type = GetString(*o, "type");
  if (type == nullptr) return Fail("missing type");

  if (*type == "challenge") {
    std::optional<int64_t> protocol = GetInt(*o, "protocol");
    const json::string* nonce = GetString(*o, "nonce");
    std::optional<int64_t> server_time = GetInt(*o, "server_time");
    if (!protocol || nonce == nullptr || !server_time) return Fail("challenge: missing members");
    if (*protocol != kProtocolVersion) return Fail("challenge: unsupported protocol version");
    if (nonce->size() != 32 || !IsLowerHex(*nonce)) {
      return Fail("challenge: nonce is not 32 lower-case hex digits");
    }
    return ServerMessage(Challenge{static_cast<int>(*protocol), std::string(*nonce), *server_time});
  }
  if (*type == "welcome") {
    const json::string* session = GetString(*o, "session_id");
    std::optional<int64_t> lease = GetInt(*o, "lease_ms");
    std::optional<int64_t> heartbeat = GetInt(*o, "heartbeat_ms");
    if (session == nullptr || !lease || !heartbeat) return Fail("welcome: missing members");
    if (*lease <= 0 || *heartbeat <= 0) return Fail("welcome: durations must be positive");
    return ServerMessage(Welcome{std::string(*session), *lease, *heartbeat});
  }
  if (*type == "desired") {
    const json::string* facet = GetString(*o, "facet");
    std::optional<int64_t> generation = GetInt(*o, "generation");
    const json::value* value = o->if_contains("value");
    if (facet == nullptr || facet->empty() || !generation || value == nullptr ||
        !value->is_object()) {
      return Fail("desired: missing members");
    }
    if (*generation <= 0) return Fail("desired: generation must be positive");
    return ServerMessage(Desired{std::string(*facet), *generation, value->as_object()});
  }
  if (*type == "error") {
    const json::string* code = GetString(*o, "code");
    if (code == nullptr) return Fail("error: missing code");
    const json::string* message = GetString(*o, "message");
    return ServerMessage(
        ServerError{std::string(*code), message != nullptr ? std::string(*message) : ""});
  }
  return ServerMessage(UnknownMessage{std::string(*type)});
}

Backoff::Backoff(int64_t base_ms, int64_t cap_ms) : base_ms_(base_ms), cap_ms_(cap_ms) {}

int64_t Backoff::MaxWaitMs(int n) const {
  int64_t bound = base_ms_;
  for (int i = 0; i < n && bound < cap_ms_; ++i) bound *= 2;
  return std::min(bound, cap_ms_);
}

int64_t Backoff::NextWaitMs(std::mt19937_64& rng) {
  if (failures_ < 1000) ++failures_;
  std::uniform_int_distribution<int64_t> dist(0, MaxWaitMs(failures_));
  return dist(rng);
}

void Backoff::OnSessionEnded(int64_t session_ms, int64_t lease_ms) {
  if (lease_ms > 0 && session_ms > lease_ms) failures_ = 0;
}

}  // namespace sag::device::agent
