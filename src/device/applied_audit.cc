#include "device/applied_audit.h"

#include <chrono>

namespace sag::device {

namespace {
constexpr size_t kMaxDetailBytes = 200;

// At most max bytes of text, cut before a UTF-8 continuation byte.
std::string_view Cut(std::string_view text, size_t max) {
  if (text.size() <= max) return text;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return text.substr(0, n);
}
}  // namespace

store::AuditEventRecord AppliedAuditEvent(store::Store& store, std::string_view serial_number,
                                          std::string_view facet, int64_t generation,
                                          std::string_view result, std::string_view detail,
                                          std::string_view session_id,
                                          std::string_view remote_address) {
  store::AuditEventRecord e;
  e.event_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  e.source_address = std::string(remote_address);
  e.event_source = std::string(store::kAuditSourceDevice);
  e.action = "DeviceApplied";
  e.request_id = std::string(session_id);
  e.result_code = std::string(result);
  e.detail = std::string(facet) + " generation " + std::to_string(generation);
  if (!detail.empty()) e.detail += ": " + std::string(Cut(detail, kMaxDetailBytes));
  std::string region = "*";
  std::string instance;
  if (auto device = store.GetDevice(serial_number)) {
    e.account_id = device->account_id;
    instance = device->instance_id;
    if (!instance.empty()) {
      if (auto in = store.GetInstance(device->account_id, "", instance)) region = in->region_id;
    }
  }
  e.resource_arn = "acs:smartag:" + region + ":" + e.account_id + ":smartag/" +
                   (instance.empty() ? std::string(serial_number) : instance);
  return e;
}

}  // namespace sag::device
