// Fuzzes the device channel's message parsers (docs/device-protocol.md), which read frames from
// unauthenticated peers before the proof is checked.
// Properties: neither parser crashes or leaks on any bytes; a hello or applied message that
// parses, formatted again by the shared formatter, parses to the same fields; a server message
// that parses as "desired" has a non-empty facet and a positive generation.
#include <cstdint>
#include <string>
#include <variant>

#include "device/protocol.h"
#include "fuzz_support.h"

namespace {

namespace device = sag::device;
using sag::fuzz::Require;

void CheckDeviceMessage(std::string_view text) {
  auto parsed = device::ParseDeviceMessage(text);
  if (!parsed) {
    return;
  }
  if (parsed->type == device::DeviceMessageType::kApplied) {
    auto again = device::ParseDeviceMessage(device::FormatApplied(parsed->applied));
    Require(again.has_value() && again->type == device::DeviceMessageType::kApplied,
            "a formatted applied message parses as applied");
    Require(again->applied.facet == parsed->applied.facet &&
                again->applied.generation == parsed->applied.generation &&
                again->applied.result == parsed->applied.result &&
                again->applied.detail == parsed->applied.detail,
            "applied round trip keeps facet, generation, result and detail");
  } else if (parsed->type == device::DeviceMessageType::kHello) {
    const device::Hello& hello = parsed->hello;
    auto again = device::ParseDeviceMessage(device::FormatHello(hello));
    Require(again.has_value() && again->type == device::DeviceMessageType::kHello,
            "a formatted hello parses as hello");
    const device::Hello& back = again->hello;
    Require(back.protocol == hello.protocol && back.serial_number == hello.serial_number &&
                back.proof == hello.proof && back.model == hello.model &&
                back.firmware == hello.firmware && back.dpi == hello.dpi &&
                back.boot_time_ms == hello.boot_time_ms && back.applied == hello.applied,
            "hello round trip keeps every field");
  }
}

void CheckServerMessage(std::string_view text) {
  auto parsed = device::ParseServerMessage(text);
  if (!parsed) {
    return;
  }
  if (const auto* desired = std::get_if<device::Desired>(&*parsed)) {
    Require(!desired->facet.empty(), "a parsed desired message names a facet");
    Require(desired->generation > 0, "a parsed desired message has a positive generation");
  }
  if (const auto* welcome = std::get_if<device::Welcome>(&*parsed)) {
    Require(welcome->lease_ms > 0 && welcome->heartbeat_ms > 0,
            "a parsed welcome has positive durations");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = sag::fuzz::AsText(data, size);
  CheckDeviceMessage(text);
  CheckServerMessage(text);
  return 0;
}
