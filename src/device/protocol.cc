#include "device/protocol.h"

#include <algorithm>

#include <boost/json.hpp>

#include "common/crypto.h"

namespace sag::device {
namespace {

namespace json = boost::json;

// The string member name of o, if present and a string.
std::optional<std::string> StringMember(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->get_string());
}

// The integer member name of o, if present and an integer. With integral_doubles a double with an
// integral value is accepted too, for device JSON encoders that write every number as a double;
// devices read the server's messages strictly.
std::optional<int64_t> IntMember(const json::object& o, std::string_view name,
                                 bool integral_doubles = true) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    return static_cast<int64_t>(v->get_uint64());
  }
  if (integral_doubles && v->is_double()) {
    double d = v->get_double();
    if (d >= -9.0e15 && d <= 9.0e15 && static_cast<double>(static_cast<int64_t>(d)) == d) {
      return static_cast<int64_t>(d);
    }
  }
  return std::nullopt;
}

// Parses text as a JSON object.
Result<json::object, std::string> ParseObject(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return MakeUnexpected("not JSON: " + ec.message());
  if (!v.is_object()) return MakeUnexpected(std::string("not a JSON object"));
  return std::move(v.as_object());
}

// Optional string member: absent is "", present must be a string.
bool OptionalString(const json::object& o, std::string_view name, std::string* out) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr || v->is_null()) return true;
  if (!v->is_string()) return false;
  *out = std::string(v->get_string());
  return true;
}

// 1..kMaxHelloFieldLength characters of [A-Za-z0-9._+-] (empty allowed when optional).
bool IsHelloField(std::string_view s, bool optional) {
  if (s.empty()) return optional;
  if (s.size() > kMaxHelloFieldLength) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '+' || c == '-';
  });
}

bool IsLowerHexOfLength(std::string_view s, size_t n) {
  return s.size() == n && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

Result<Hello, std::string> ParseHello(const json::object& o) {
  Hello h;
  if (o.contains("protocol")) {
    auto protocol = IntMember(o, "protocol");
    if (!protocol || *protocol < 0 || *protocol > 1000000) {
      return MakeUnexpected(std::string("hello: bad protocol"));
    }
    h.protocol = static_cast<int>(*protocol);
  }
  auto sn = StringMember(o, "serial_number");
  if (!sn || !IsHelloField(*sn, /*optional=*/false)) {
    return MakeUnexpected(std::string("hello: serial_number missing or malformed"));
  }
  h.serial_number = *sn;
  if (!OptionalString(o, "proof", &h.proof) || !OptionalString(o, "model", &h.model) ||
      !OptionalString(o, "firmware", &h.firmware) || !OptionalString(o, "dpi", &h.dpi)) {
    return MakeUnexpected(std::string("hello: a member has the wrong type"));
  }
  if (!IsLowerHexOfLength(h.proof, 64)) {
    return MakeUnexpected(std::string("hello: proof must be 64 lower-case hex digits"));
  }
  if (!IsHelloField(h.model, true) || !IsHelloField(h.firmware, true) ||
      !IsHelloField(h.dpi, true)) {
    return MakeUnexpected(std::string("hello: model, firmware and dpi are at most " +
                                      std::to_string(kMaxHelloFieldLength) +
                                      " characters of [A-Za-z0-9._+-]"));
  }
  if (o.contains("boot_time")) {
    auto boot = IntMember(o, "boot_time");
    if (!boot || *boot < 0) return MakeUnexpected(std::string("hello: bad boot_time"));
    h.boot_time_ms = *boot;
  }
  if (const json::value* applied = o.if_contains("applied"); applied != nullptr) {
    if (!applied->is_object()) return MakeUnexpected(std::string("hello: applied not an object"));
    for (const auto& [key, value] : applied->as_object()) {
      json::object one{{"g", value}};
      auto g = IntMember(one, "g");
      if (!g || *g < 0) return MakeUnexpected(std::string("hello: bad applied generation"));
      if (IsKnownFacet(key)) h.applied[std::string(key)] = *g;
    }
  }
  return h;
}

Result<Applied, std::string> ParseApplied(const json::object& o) {
  Applied a;
  auto facet = StringMember(o, "facet");
  if (!facet || !IsKnownFacet(*facet)) return MakeUnexpected(std::string("applied: bad facet"));
  a.facet = *facet;
  auto g = IntMember(o, "generation");
  if (!g || *g <= 0) return MakeUnexpected(std::string("applied: bad generation"));
  a.generation = *g;
  auto result = StringMember(o, "result");
  if (!result || (*result != "ok" && *result != "failed" && *result != "reverted")) {
    return MakeUnexpected(std::string("applied: bad result"));
  }
  a.result = *result;
  if (!OptionalString(o, "detail", &a.detail)) {
    return MakeUnexpected(std::string("applied: bad detail"));
  }
  return a;
}

Result<Progress, std::string> ParseProgress(const json::object& o) {
  Progress p;
  auto facet = StringMember(o, "facet");
  if (!facet || (*facet != "firmware" && *facet != "dpi")) {
    return MakeUnexpected(std::string("progress: bad facet"));
  }
  p.facet = *facet;
  auto g = IntMember(o, "generation");
  if (!g || *g <= 0) return MakeUnexpected(std::string("progress: bad generation"));
  p.generation = *g;
  auto state = StringMember(o, "state");
  if (!state || !IsProgressState(*state)) return MakeUnexpected(std::string("progress: bad state"));
  p.state = *state;
  for (auto [key, out] : {std::pair{"bytes", &p.bytes}, std::pair{"total", &p.total}}) {
    if (!o.contains(key)) continue;
    auto n = IntMember(o, key);
    if (!n || *n < 0) return MakeUnexpected(std::string("progress: bad ") + key);
    *out = *n;
  }
  if (!OptionalString(o, "detail", &p.detail)) {
    return MakeUnexpected(std::string("progress: bad detail"));
  }
  return p;
}

bool IsLowerHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

Result<ServerMessage, std::string> Fail(std::string reason) {
  return MakeUnexpected(std::move(reason));
}

}  // namespace

bool IsProgressState(std::string_view state) {
  return state == "downloading" || state == "installing" || state == "rebooting";
}

bool IsKnownFacet(std::string_view facet) {
  for (std::string_view name : kFacets) {
    if (name == facet) return true;
  }
  return false;
}

Result<DeviceMessage, std::string> ParseDeviceMessage(std::string_view text) {
  ASSIGN_OR_RETURN(json::object o, ParseObject(text));
  auto type = StringMember(o, "type");
  if (!type) return MakeUnexpected(std::string("no string member \"type\""));
  DeviceMessage m;
  m.type_name = *type;
  if (*type == "hello") {
    m.type = DeviceMessageType::kHello;
    ASSIGN_OR_RETURN(m.hello, ParseHello(o));
  } else if (*type == "heartbeat") {
    m.type = DeviceMessageType::kHeartbeat;
  } else if (*type == "applied") {
    m.type = DeviceMessageType::kApplied;
    ASSIGN_OR_RETURN(m.applied, ParseApplied(o));
  } else if (*type == "progress") {
    m.type = DeviceMessageType::kProgress;
    ASSIGN_OR_RETURN(m.progress, ParseProgress(o));
  } else {
    m.type = DeviceMessageType::kUnknown;
  }
  return m;
}

std::string FormatChallenge(std::string_view nonce, int64_t server_time_ms) {
  return json::serialize(json::object{{"type", "challenge"},
                                      {"protocol", kProtocolVersion},
                                      {"nonce", nonce},
                                      {"server_time", server_time_ms}});
}

std::string FormatWelcome(std::string_view session_id, int64_t lease_ms, int64_t heartbeat_ms) {
  return json::serialize(json::object{{"type", "welcome"},
                                      {"session_id", session_id},
                                      {"lease_ms", lease_ms},
                                      {"heartbeat_ms", heartbeat_ms}});
}

std::string FormatDesired(std::string_view facet, int64_t generation, std::string_view value_json) {
  boost::system::error_code ec;
  json::value value = json::parse(value_json, ec);
  if (ec) value = json::object();
  return json::serialize(json::object{
      {"type", "desired"}, {"facet", facet}, {"generation", generation}, {"value", value}});
}

std::string FormatError(std::string_view code, std::string_view message) {
  json::object o{{"type", "error"}, {"code", code}};
  if (!message.empty()) o["message"] = message;
  return json::serialize(o);
}

std::string FormatHello(const Hello& h) {
  json::object o{{"type", "hello"},
                 {"protocol", h.protocol},
                 {"serial_number", h.serial_number},
                 {"proof", h.proof}};
  o["model"] = h.model;
  o["firmware"] = h.firmware;
  o["dpi"] = h.dpi;
  o["boot_time"] = h.boot_time_ms;
  json::object applied;
  for (const auto& [facet, g] : h.applied) applied[facet] = g;
  o["applied"] = std::move(applied);
  return json::serialize(o);
}

std::map<std::string, int64_t> AppliedWithEveryFacet(std::map<std::string, int64_t> applied) {
  for (std::string_view facet : kFacets) applied.try_emplace(std::string(facet), 0);
  return applied;
}

std::string FormatHeartbeat() { return R"({"type":"heartbeat"})"; }

std::string FormatProgress(const Progress& p) {
  json::object o{{"type", "progress"}, {"facet", p.facet}, {"generation", p.generation},
                 {"state", p.state},   {"bytes", p.bytes}, {"total", p.total}};
  if (!p.detail.empty()) o["detail"] = p.detail;
  return json::serialize(o);
}

std::string FormatApplied(const Applied& a) {
  json::object o{
      {"type", "applied"}, {"facet", a.facet}, {"generation", a.generation}, {"result", a.result}};
  if (!a.detail.empty()) o["detail"] = a.detail;
  return json::serialize(o);
}

Result<ServerMessage, std::string> ParseServerMessage(std::string_view text) {
  ASSIGN_OR_RETURN(json::object o, ParseObject(text));
  auto type = StringMember(o, "type");
  if (!type) return Fail("no string member \"type\"");
  if (*type == "challenge") {
    auto protocol = IntMember(o, "protocol", /*integral_doubles=*/false);
    auto nonce = StringMember(o, "nonce");
    auto server_time = IntMember(o, "server_time", /*integral_doubles=*/false);
    if (!protocol || !nonce || !server_time) return Fail("challenge: missing members");
    if (*protocol != kProtocolVersion) return Fail("challenge: unsupported protocol version");
    if (nonce->size() != 32 || !IsLowerHex(*nonce)) {
      return Fail("challenge: nonce is not 32 lower-case hex digits");
    }
    return ServerMessage(Challenge{static_cast<int>(*protocol), *nonce, *server_time});
  }
  if (*type == "welcome") {
    auto session = StringMember(o, "session_id");
    auto lease = IntMember(o, "lease_ms", /*integral_doubles=*/false);
    auto heartbeat = IntMember(o, "heartbeat_ms", /*integral_doubles=*/false);
    if (!session || !lease || !heartbeat) return Fail("welcome: missing members");
    if (*lease <= 0 || *heartbeat <= 0) return Fail("welcome: durations must be positive");
    return ServerMessage(Welcome{*session, *lease, *heartbeat});
  }
  if (*type == "desired") {
    auto facet = StringMember(o, "facet");
    auto generation = IntMember(o, "generation", /*integral_doubles=*/false);
    const json::value* value = o.if_contains("value");
    if (!facet || facet->empty() || !generation || value == nullptr || !value->is_object()) {
      return Fail("desired: missing members");
    }
    if (*generation <= 0) return Fail("desired: generation must be positive");
    return ServerMessage(Desired{*facet, *generation, value->as_object()});
  }
  if (*type == "error") {
    auto code = StringMember(o, "code");
    if (!code) return Fail("error: missing code");
    return ServerMessage(ServerError{*code, StringMember(o, "message").value_or("")});
  }
  return ServerMessage(UnknownServerMessage{*type});
}

std::string NewNonce() { return HexEncode(RandomBytes(16)); }

std::string ComputeProof(std::string_view secret, std::string_view serial_number,
                         std::string_view nonce) {
  std::string message = "sag-device-v1\n";
  message.append(serial_number);
  message.push_back('\n');
  message.append(nonce);
  return HexEncode(HmacSha256(secret, message));
}

bool VerifyProof(std::string_view secret, std::string_view serial_number, std::string_view nonce,
                 std::string_view proof) {
  return ConstantTimeEquals(ComputeProof(secret, serial_number, nonce), proof);
}

}  // namespace sag::device
