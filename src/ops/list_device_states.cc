// Operator API ListDeviceStates: the devices as the device channel sees them — presence and why a
// device is offline, versions, each facet's desired/applied generations, the latest upgrade with
// its progress — and a summary of all the devices that match (docs/operator-api.md "Device
// states"). Read-only; the web console's fleet and instance pages are built on it.
#include <map>
#include <utility>

#include "ops/device_common.h"
#include "ops/op.h"
#include "ops/paging.h"
#include "ops/store_errors.h"
#include "ops/version_common.h"

namespace sag::ops {
namespace {

constexpr int64_t kScanBatch = 500;

// Why an offline device is offline: the reason recorded when its last session ended, or
// never_connected, or unknown when its last session's end was never recorded (sagd stopped
// without recording it).
std::string OfflineReason(const store::DeviceRecord& d) {
  if (d.last_connected_ms == 0) return "never_connected";
  if (d.offline_reason.empty() || d.last_offline_ms < d.last_connected_ms) return "unknown";
  return d.offline_reason;
}

boost::json::object FacetJson(const store::DeviceFacetRecord& f) {
  // Never the desired value: for admin_password it is a password hash.
  return boost::json::object{{"Facet", f.facet},
                             {"DesiredGeneration", f.desired_generation},
                             {"AppliedGeneration", f.applied_generation},
                             {"ResultGeneration", f.result_generation},
                             {"LastResult", f.last_result},
                             {"LastDetail", f.last_detail},
                             {"UpdateTime", f.update_ms}};
}

// The devices the caller may see that the filters select, in inventory order (create time, serial
// number), or bind order for one instance.
Result<std::vector<store::DeviceRecord>, ApiError> SelectDevices(const OpContext& ctx) {
  const bool all_accounts = ctx.principal.is_operator;
  const std::string sn = ctx.params.Get("SerialNumber");
  const std::string instance_id = ctx.params.Get("SmartAGId");
  auto visible = [&](const store::DeviceRecord& d) {
    return (all_accounts || d.account_id == ctx.principal.account_id) &&
           (instance_id.empty() || d.instance_id == instance_id) &&
           (sn.empty() || d.serial_number == sn);
  };
  std::vector<store::DeviceRecord> out;
  if (!sn.empty()) {
    auto d = ctx.store().GetDevice(sn);
    if (!d && d.error().code != store::StoreErrorCode::kNotFound) {
      return MakeUnexpected(StoreFailure(d.error()));
    }
    if (d && visible(*d)) out.push_back(std::move(*d));
    return out;
  }
  if (!instance_id.empty() && !all_accounts) {
    auto in = ctx.store().GetInstance(ctx.principal.account_id, "", instance_id);
    if (!in) {
      if (in.error().code == store::StoreErrorCode::kNotFound) return out;
      return MakeUnexpected(StoreFailure(in.error()));
    }
    for (const std::string& bound : in->serial_numbers) {
      auto d = ctx.store().GetDevice(bound);
      if (!d) return MakeUnexpected(StoreFailure(d.error()));
      if (visible(*d)) out.push_back(std::move(*d));
    }
    return out;
  }
  for (int64_t offset = 0;; offset += kScanBatch) {
    auto batch = ctx.store().ListDevices(offset, kScanBatch);
    if (!batch) return MakeUnexpected(StoreFailure(batch.error()));
    for (auto& d : *batch) {
      if (visible(d)) out.push_back(std::move(d));
    }
    if (static_cast<int64_t>(batch->size()) < kScanBatch) break;
  }
  return out;
}

// Where a device sits in its instance: the instance's region and the device's HA role.
struct Placement {
  std::string region_id;
  std::string ha_role;  // "main" (first bound), "standby" (second), "" when unbound
};

// Places devices, reading each instance once.
class Placements {
 public:
  explicit Placements(const OpContext& ctx) : ctx_(ctx) {}
  Result<Placement, ApiError> Of(const store::DeviceRecord& d) {
    if (d.instance_id.empty()) return Placement{};
    auto it = instances_.find(d.instance_id);
    if (it == instances_.end()) {
      auto in = ctx_.store().GetInstance(d.account_id, "", d.instance_id);
      if (!in && in.error().code != store::StoreErrorCode::kNotFound) {
        return MakeUnexpected(StoreFailure(in.error()));
      }
      it = instances_.emplace(d.instance_id, in ? std::move(*in) : store::InstanceRecord{}).first;
    }
    const auto& sns = it->second.serial_numbers;
    Placement p;
    p.region_id = it->second.region_id;
    if (!sns.empty() && sns[0] == d.serial_number) p.ha_role = "main";
    if (sns.size() > 1 && sns[1] == d.serial_number) p.ha_role = "standby";
    return p;
  }

 private:
  const OpContext& ctx_;
  std::map<std::string, store::InstanceRecord, std::less<>> instances_;
};

Result<boost::json::value, ApiError> LatestUpgradeJson(const OpContext& ctx,
                                                       const store::DeviceRecord& d) {
  store::UpgradeFilter filter;
  filter.serial_number = d.serial_number;
  filter.limit = 1;
  auto upgrades = ctx.store().ListUpgrades(filter);
  if (!upgrades) return MakeUnexpected(StoreFailure(upgrades.error()));
  if (upgrades->empty()) return boost::json::value(nullptr);
  const store::UpgradeRecord& u = upgrades->front();
  boost::json::object o = UpgradeJson(u);
  auto version = ctx.store().GetVersion(u.version_type, u.version_code);
  o["Size"] = version ? version->size : 0;  // 0: the version is gone from the catalogue
  return boost::json::value(std::move(o));
}

Result<boost::json::object, ApiError> DeviceJson(const OpContext& ctx, Placements& placements,
                                                 const store::DeviceRecord& d) {
  auto facets = ctx.store().GetDeviceFacets(d.serial_number);
  if (!facets) return MakeUnexpected(StoreFailure(facets.error()));
  ASSIGN_OR_RETURN(Placement placement, placements.Of(d));
  ASSIGN_OR_RETURN(boost::json::value upgrade, LatestUpgradeJson(ctx, d));
  const bool online = DeviceOnline(ctx, d.serial_number);
  boost::json::array facet_list;
  for (const auto& f : *facets) facet_list.push_back(FacetJson(f));
  return boost::json::object{
      {"SerialNumber", d.serial_number},
      {"HardwareModel", d.hardware_model},
      {"Status", d.retired ? "Retired" : "Registered"},
      {"AccountId", d.account_id},
      {"SmartAGId", d.instance_id},
      {"RegionId", placement.region_id},
      {"HaRole", placement.ha_role},
      {"Online", online},
      {"OfflineReason", online ? std::string() : OfflineReason(d)},
      {"LastConnectedTime", d.last_connected_ms},
      {"LastOfflineTime", d.last_offline_ms},
      {"StartupTime", d.boot_ms},
      {"SoftwareVersion", d.firmware_version},
      {"DpiVersion", d.dpi_version},
      {"SynStatus", FacetsSynchronized(*facets) ? "Synchronized" : "Unsynchronized"},
      {"Facets", boost::json::object{{"Facet", std::move(facet_list)}}},
      {"LatestUpgrade", std::move(upgrade)}};
}

// Counts over every selected device: presence, offline reasons and the versions they run.
boost::json::object Summary(const OpContext& ctx, const std::vector<store::DeviceRecord>& devices) {
  int64_t online = 0;
  std::map<std::string, int64_t> reasons;
  std::map<std::pair<std::string, std::string>, int64_t> versions;
  for (const auto& d : devices) {
    if (DeviceOnline(ctx, d.serial_number)) {
      ++online;
    } else {
      ++reasons[OfflineReason(d)];
    }
    if (!d.firmware_version.empty()) ++versions[{"Device", d.firmware_version}];
    if (!d.dpi_version.empty()) ++versions[{"Dpi", d.dpi_version}];
  }
  boost::json::array reason_list;
  for (const auto& [reason, count] : reasons) {
    reason_list.push_back(boost::json::object{{"Reason", reason}, {"Count", count}});
  }
  boost::json::array version_list;
  for (const auto& [key, count] : versions) {
    version_list.push_back(boost::json::object{
        {"VersionType", key.first}, {"VersionCode", key.second}, {"Count", count}});
  }
  const auto total = static_cast<int64_t>(devices.size());
  return boost::json::object{
      {"Total", total},
      {"Online", online},
      {"Offline", total - online},
      {"OfflineReasons", boost::json::object{{"OfflineReason", std::move(reason_list)}}},
      {"Versions", boost::json::object{{"Version", std::move(version_list)}}}};
}

}  // namespace

namespace {

OpResult ListDeviceStates(OpContext& ctx) {
  ASSIGN_OR_RETURN(Page page, ReadPage(ctx.params, 50, 100));
  ASSIGN_OR_RETURN(std::vector<store::DeviceRecord> devices, SelectDevices(ctx));
  Placements placements(ctx);
  boost::json::array items;
  const auto total = static_cast<int64_t>(devices.size());
  for (int64_t i = page.offset(); i < total && i < page.offset() + page.size; ++i) {
    ASSIGN_OR_RETURN(boost::json::object item,
                     DeviceJson(ctx, placements, devices[static_cast<size_t>(i)]));
    items.push_back(std::move(item));
  }
  boost::json::object body{{"Devices", boost::json::object{{"Device", std::move(items)}}},
                           {"Summary", Summary(ctx, devices)}};
  AddPageFields(body, page, total);
  return body;
}

}  // namespace

// Read-only; the operator sees every device, an account those bound to its instances. RAM
// resource: the instance of SmartAGId, or "smartag/" (every instance) without it.
extern const OpSpec kListDeviceStatesSpec{.action = "ListDeviceStates",
                                          .handler = &ListDeviceStates,
                                          .resource = ResourceKind::kInstance,
                                          .resource_param = "SmartAGId"};

}  // namespace sag::ops
