#include "ops/instance_common.h"

#include <algorithm>
#include <chrono>

#include "common/crypto.h"

namespace sag::ops {

Result<store::InstanceRecord, ApiError> LoadInstance(const OpContext& ctx, std::string_view id,
                                                     ApiErrorId not_found) {
  auto r = ctx.store().GetInstance(ctx.principal.account_id, ctx.region_id, id);
  if (!r) {
    if (r.error().code == store::StoreErrorCode::kNotFound)
      return MakeUnexpected(ApiError(not_found));
    return MakeUnexpected(StoreFailure(r.error()));
  }
  return std::move(r).value();
}

std::string DefaultResourceGroup(const std::string& account_id) {
  return "rg-acfm" + Sha256Hex("resource-group:" + account_id).substr(0, 12);
}

std::string CcnNameOf(const OpContext& ctx, const store::InstanceRecord& in) {
  if (in.ccn_id.empty()) return "";
  auto ccn = ctx.store().GetCcn(in.account_id, in.region_id, in.ccn_id);
  return ccn ? ccn->name : "";
}

std::vector<store::DeviceRecord> DevicesOf(const OpContext& ctx, const store::InstanceRecord& in) {
  std::vector<store::DeviceRecord> out;
  for (const auto& sn : in.serial_numbers) {
    auto d = ctx.store().GetDevice(sn);
    if (d) {
      out.push_back(std::move(d).value());
    } else {
      store::DeviceRecord unknown;
      unknown.serial_number = sn;
      out.push_back(std::move(unknown));
    }
  }
  return out;
}

Result<bool, ApiError> HasChangeInFlight(const OpContext& ctx, const store::InstanceRecord& in) {
  for (const std::string& sn : in.serial_numbers) {
    auto facets = ctx.store().GetDeviceFacets(sn);
    if (!facets) return MakeUnexpected(StoreFailure(facets.error()));
    for (const auto& f : *facets) {
      if (f.desired_generation > f.applied_generation &&
          f.result_generation < f.desired_generation) {
        return true;
      }
    }
  }
  return false;
}

bool InArrears(const store::InstanceRecord& instance, int64_t now_ms) {
  return instance.end_ms > 0 && now_ms >= instance.end_ms;
}

namespace {

// The status a client sees: the stored lifecycle status, or Arrearage once expired.
std::string VisibleStatus(const store::InstanceRecord& in, int64_t now_ms) {
  return InArrears(in, now_ms) ? "Arrearage" : std::string(store::WireName(in.status));
}

// Fields common to the list item and the attribute view.
std::string JoinSerialNumbers(const store::InstanceRecord& in) {
  std::string out;
  for (const auto& sn : in.serial_numbers) out += (out.empty() ? "" : ",") + sn;
  return out;
}

void AddCommonFields(boost::json::object& o, const store::InstanceRecord& in, int64_t now_ms,
                     const std::string& ccn_name) {
  o["SmartAGId"] = in.id;
  o["Name"] = in.name;
  o["Description"] = in.description;
  o["Status"] = VisibleStatus(in, now_ms);
  o["SerialNumber"] = JoinSerialNumbers(in);
  o["MaxBandwidth"] = std::to_string(in.max_bandwidth);
  o["CidrBlock"] = in.cidr_block;
  o["AssociatedCcnId"] = in.ccn_id;
  o["AssociatedCcnName"] = ccn_name;
  o["CreateTime"] = in.create_ms;
  o["EndTime"] = in.end_ms;
  o["SecurityLockThreshold"] = in.security_lock_threshold;
  o["RoutingStrategy"] = in.routing_strategy;
  o["Position"] = in.position;
  o["ResourceGroupId"] = in.resource_group_id;
  o["DataPlan"] = in.data_plan;
  o["UserCount"] = in.user_count;
  o["EnableSoftwareConnectionAudit"] = in.enable_software_connection_audit;
  o["AccelerateBandwidth"] = 0;
  o["UpBandwidthWan"] = in.up_bandwidth_wan;
  o["UpBandwidth4G"] = in.up_bandwidth_4g;
  o["AccessPointId"] = "";
  o["City"] = "";
  o["VpnStatus"] = "down";
  o["IpsecStatus"] = "down";
  o["ResellerInstanceId"] = "";
  o["ResellerUid"] = "";
  o["ApplicationBandwidthPackageId"] = "";
  o["Links"] = boost::json::object{{"Link", boost::json::array()}};
}

}  // namespace

boost::json::object InstanceListItem(const store::InstanceRecord& in, int64_t now_ms,
                                     const std::string& ccn_name,
                                     const std::vector<store::DeviceRecord>& devices) {
  boost::json::object o;
  AddCommonFields(o, in, now_ms, ccn_name);
  o["HardwareVersion"] = in.hardware_spec;
  o["SoftwareVersion"] = devices.empty() ? "" : devices[0].firmware_version;
  o["BackupSoftwareVersion"] = devices.size() < 2 ? "" : devices[1].firmware_version;
  o["BackupStatus"] = "";
  o["SmartAGUid"] = std::stoll(in.account_id);
  o["AclIds"] = "";
  o["QosIds"] = "";
  o["IRIds"] = "";
  o["DpiStatus"] = "";
  o["DpiMonitorStatus"] = "";
  o["EnableAdvancedMonitor"] = false;
  o["Isp"] = "";
  o["EnterpriseCode"] = "";
  o["IdaasId"] = "";
  o["IdaasApplicationId"] = "";
  return o;
}

std::string ReadableSecretKey(const OpContext& ctx, const store::DeviceRecord& device) {
  if (!device.secret_generated || device.sealed_secret.empty()) return "";
  auto secret = ctx.services.secrets.Open(device.sealed_secret);
  return secret ? *secret : "";
}

boost::json::object InstanceAttribute(const store::InstanceRecord& in, int64_t now_ms,
                                      const std::string& ccn_name,
                                      const std::vector<store::DeviceRecord>& devices,
                                      const std::vector<std::string>& secret_keys) {
  boost::json::object o;
  AddCommonFields(o, in, now_ms, ccn_name);
  o["InstanceType"] = in.instance_type == "software" ? "sag-software" : in.hardware_spec;
  o["SoftwareVersion"] = devices.empty() ? "" : devices[0].firmware_version;
  boost::json::array device_list;
  for (size_t i = 0; i < in.serial_numbers.size(); ++i) {
    const store::DeviceRecord* d = i < devices.size() ? &devices[i] : nullptr;
    // The key is "activated" once the device authenticated with it since it was bound.
    const bool key_used =
        d != nullptr && d->last_connected_ms > 0 && d->last_connected_ms >= d->bound_ms;
    // Connected now: its last connection is later than its last disconnection.
    const bool online =
        d != nullptr && d->last_connected_ms > 0 && d->last_connected_ms > d->last_offline_ms;
    device_list.push_back(
        boost::json::object{{"SerialNumber", in.serial_numbers[i]},
                            {"HaState", i == 0 ? "Active" : "Standby"},
                            {"HcState", online ? "online" : "offline"},
                            {"SoftwareVersion", d != nullptr ? d->firmware_version : ""},
                            {"DpiSignatureDbVersion", d != nullptr ? d->dpi_version : ""},
                            {"MonitorVersion", ""},
                            {"SecretKey", i < secret_keys.size() ? secret_keys[i] : ""},
                            {"DistributeSkStatus", key_used ? 1 : 0}});
  }
  o["Devices"] = boost::json::object{{"Device", std::move(device_list)}};
  o["TrafficMasterSn"] = in.serial_numbers.empty() ? "" : in.serial_numbers[0];
  o["AclIds"] = boost::json::object{{"AclId", boost::json::array()}};
  o["QosIds"] = boost::json::object{{"QosId", boost::json::array()}};
  o["FlowLogIds"] = boost::json::object{{"FlowLogId", boost::json::array()}};
  o["IRIds"] = boost::json::object{{"IRId", boost::json::array()}};
  o["BoxControllerIp"] = "";
  o["BackupBoxControllerIp"] = "";
  o["EnableOptimization"] = false;
  o["ApplicationBandwidthPackageName"] = "";
  o["ApplicationBandwidthPackageBussinessStatus"] = "";
  return o;
}

bool IsValidPeriod(int64_t months) {
  return (months >= 1 && months <= 9) || months == 12 || months == 24 || months == 36;
}

int64_t AddMonths(int64_t epoch_ms, int64_t months) {
  using namespace std::chrono;
  sys_time<milliseconds> tp{milliseconds{epoch_ms}};
  auto day_point = floor<days>(tp);
  year_month_day ymd{day_point};
  auto time_of_day = tp - day_point;
  year_month ym = ymd.year() / ymd.month();
  ym += std::chrono::months{months};
  auto last_day = (ym / std::chrono::last).day();
  year_month_day target = ym / std::min(ymd.day(), last_day);
  return duration_cast<milliseconds>((sys_days{target} + time_of_day).time_since_epoch()).count();
}

}  // namespace sag::ops
